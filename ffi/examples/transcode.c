/* Transcode a generated clip to H.264 in memory, then probe it. */
#include <stdio.h>
#include "afmpeg.h"

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  char *message = NULL;
  AfmpegRuntime *rt = NULL;
  /* Load the module once; share `rt` between threads and jobs. */
  if (afmpeg_runtime_from_file(argv[1], AFMPEG_VALIDATION_LAZY, &rt, &message)
      != AFMPEG_STATUS_OK) {
    fprintf(stderr, "load: %s\n", message);
    afmpeg_string_free(message);
    return 1;
  }
  AfmpegFs *fs = afmpeg_fs_new();
  const char *args[] = {"-f", "lavfi", "-i", "testsrc=size=64x64:duration=0.2",
                        "-c:v", "libx264", "/out.mp4"};
  AfmpegOutput out;
  AfmpegStatus status =
      afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFMPEG, args, 7, &out, &message);
  if (status != AFMPEG_STATUS_OK) {
    fprintf(stderr, "run (status %d): %s\n", (int)status, message);
    afmpeg_string_free(message);
  }
  afmpeg_output_free(&out); /* after any status */

  AfmpegBytes mp4;
  if (afmpeg_fs_get(fs, "/out.mp4", &mp4, NULL) == AFMPEG_STATUS_OK) {
    printf("/out.mp4: %zu bytes\n", mp4.len);
    afmpeg_bytes_free(&mp4);
  }
  char *json = NULL;
  if (afmpeg_probe(rt, fs, NULL, "/out.mp4", &json, NULL) == AFMPEG_STATUS_OK) {
    printf("%s\n", json);
    afmpeg_string_free(json);
  }
  afmpeg_fs_free(fs);
  afmpeg_runtime_free(rt);
  return status == AFMPEG_STATUS_OK ? 0 : 1;
}
