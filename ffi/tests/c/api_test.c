/*
 * The C ABI from C: a transcode, a probe, a cancelled and two stopped jobs
 * (one from another thread, one from its own progress callback), the limits
 * and every error path, each check printed. Built and run (under valgrind)
 * by ffi/tests/c_api.rs: `api_test MODULE.wasm`. The jobs are tiny
 * (16x16 frames) because valgrind makes the interpreter some 30x slower.
 */
#include "afmpeg.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

/* Checks that a call returned `want` and that its message contains `needle`;
 * frees the message. */
static void expect(const char *what, AfmpegStatus got, AfmpegStatus want,
                   char *message, const char *needle) {
  CHECK(got == want, "%s: status %d, expected %d (%s)", what, (int)got,
        (int)want, message ? message : "no message");
  if (want == AFMPEG_STATUS_OK) {
    CHECK(message == NULL, "%s: a message on success: %s", what, message);
  } else {
    CHECK(message != NULL && strstr(message, needle) != NULL,
          "%s: message %s lacks \"%s\"", what, message ? message : "(NULL)",
          needle);
  }
  afmpeg_string_free(message);
  printf("ok: %s\n", what);
}

/* `call` is evaluated (and so has set `m`) before `m` is read. */
#define EXPECT(what, call, want, needle)                                       \
  do {                                                                         \
    AfmpegStatus status_ = (call);                                             \
    expect(what, status_, want, m, needle);                                    \
    m = NULL;                                                                  \
  } while (0)

static int contains(const AfmpegBytes *b, const char *needle) {
  size_t n = strlen(needle);
  if (b->data == NULL || b->len < n) return 0;
  for (size_t i = 0; i + n <= b->len; i++)
    if (memcmp(b->data + i, needle, n) == 0) return 1;
  return 0;
}

/* ---- progress, and ending a job from another thread ---- */

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int reports;
  int final_reports;
  int64_t last_frame;
  AfmpegJob *job;
  int stop; /* 1: afmpeg_job_stop, 0: afmpeg_job_cancel */
  int run_returned;
  AfmpegStatus end_status;
} Watch;

static void watch_init(Watch *w, AfmpegJob *job, int stop) {
  memset(w, 0, sizeof *w);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  w->job = job;
  w->stop = stop;
  w->last_frame = -1;
  w->end_status = (AfmpegStatus)-1;
}

static void watch_destroy(Watch *w) {
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
}

/* Runs on the guest's thread. */
static void on_progress(const AfmpegProgress *p, void *user_data) {
  Watch *w = user_data;
  pthread_mutex_lock(&w->mu);
  w->reports++;
  if (p->done) w->final_reports++;
  w->last_frame = p->frame;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

/* Waits for the first progress report, then cancels or stops the job (or
 * gives up if the run returned first: the test then fails on its status). */
static void *ender(void *arg) {
  Watch *w = arg;
  pthread_mutex_lock(&w->mu);
  while (w->reports == 0 && !w->run_returned) pthread_cond_wait(&w->cv, &w->mu);
  int returned = w->run_returned;
  pthread_mutex_unlock(&w->mu);
  if (returned) return NULL;
  char *message = NULL;
  w->end_status = w->stop ? afmpeg_job_stop(w->job, &message)
                          : afmpeg_job_cancel(w->job, &message);
  afmpeg_string_free(message);
  return NULL;
}

/* Runs on the guest's thread: stops its own job at the first report ("stop
 * after N frames" from the callback, where it belongs). Only this thread
 * touches `w` until the run returns. */
static void stop_from_progress(const AfmpegProgress *p, void *user_data) {
  Watch *w = user_data;
  w->last_frame = p->frame;
  if (w->reports++ == 0) {
    char *message = NULL;
    w->end_status = afmpeg_job_stop(w->job, &message);
    afmpeg_string_free(message);
  }
}

/* ---- the parts ---- */

static const char *LONG_JOB[] = {
    "-f", "lavfi", "-i", "testsrc=size=16x16:rate=25:duration=3600",
    "-c:v", "libx264", "-preset", "ultrafast", "-y", "/long.mp4"};
#define LONG_JOB_ARGC (sizeof LONG_JOB / sizeof *LONG_JOB)

static void null_and_utf8_arguments(AfmpegRuntime *rt, AfmpegFs *fs) {
  char *m = NULL;
  AfmpegRuntime *r = (AfmpegRuntime *)1;
  EXPECT("runtime_from_file(NULL path)",
         afmpeg_runtime_from_file(NULL, AFMPEG_VALIDATION_LAZY, &r, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`path`");
  CHECK(r == NULL, "out not reset to NULL on failure");
  EXPECT("runtime_from_file(NULL out)",
         afmpeg_runtime_from_file("/x.wasm", AFMPEG_VALIDATION_LAZY, NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`out`");
  EXPECT("runtime_from_bytes(NULL data, len 4)",
         afmpeg_runtime_from_bytes(NULL, 4, AFMPEG_VALIDATION_EAGER, &r, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`data`");
  EXPECT("runtime_from_file(validation 9)",
         afmpeg_runtime_from_file("/x.wasm", 9, &r, &m),
         AFMPEG_STATUS_INVALID_ARGUMENT, "`validation`");
  EXPECT("fs_put(NULL fs)", afmpeg_fs_put(NULL, "/a", (const uint8_t *)"x", 1, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`fs`");
  EXPECT("fs_put(NULL path)", afmpeg_fs_put(fs, NULL, (const uint8_t *)"x", 1, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`path`");
  EXPECT("fs_put(NULL data, len 1)", afmpeg_fs_put(fs, "/a", NULL, 1, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`data`");
  EXPECT("fs_put(bad UTF-8 path)",
         afmpeg_fs_put(fs, "/caf\xe9.bin", (const uint8_t *)"x", 1, &m),
         AFMPEG_STATUS_INVALID_UTF8, "`path`");
  EXPECT("fs_put(len SIZE_MAX)", afmpeg_fs_put(fs, "/a", (const uint8_t *)"x", SIZE_MAX, &m),
         AFMPEG_STATUS_INVALID_ARGUMENT,
         "argument `data`: length 18446744073709551615 is larger than any buffer can be");
  AfmpegBytes b = {(uint8_t *)1, 7};
  EXPECT("fs_get(NULL path)", afmpeg_fs_get(fs, NULL, &b, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`path`");
  CHECK(b.data == NULL && b.len == 0, "bytes not reset to {NULL, 0}");
  EXPECT("fs_get(NULL out)", afmpeg_fs_get(fs, "/a", NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`out`");
  EXPECT("fs_list(NULL out)", afmpeg_fs_list(fs, "/", NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`out`");
  EXPECT("fs_remove(NULL fs)", afmpeg_fs_remove(NULL, "/a", &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`fs`");
  EXPECT("fs_create_dir_all(bad UTF-8)", afmpeg_fs_create_dir_all(fs, "/\xff", &m),
         AFMPEG_STATUS_INVALID_UTF8, "`path`");
  AfmpegJob *job = afmpeg_job_new();
  EXPECT("job_set_limits(NULL limits)", afmpeg_job_set_limits(job, NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`limits`");
  EXPECT("job_set_limits(NULL job)",
         afmpeg_job_set_limits(NULL, &(AfmpegLimits){0}, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`job`");
  afmpeg_job_free(job);
  EXPECT("job_cancel(NULL)", afmpeg_job_cancel(NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`job`");
  EXPECT("job_stop(NULL)", afmpeg_job_stop(NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`job`");
  EXPECT("job_set_progress(NULL job)",
         afmpeg_job_set_progress(NULL, on_progress, NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`job`");

  AfmpegOutput out;
  const char *argv[] = {"-version"};
  EXPECT("run(NULL runtime)",
         afmpeg_run(NULL, fs, NULL, AFMPEG_TOOL_FFMPEG, argv, 1, &out, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`runtime`");
  CHECK(out.exit_code == -1 && out.stdout_bytes.data == NULL,
        "output not reset on failure");
  afmpeg_output_free(&out);
  EXPECT("run(NULL fs)",
         afmpeg_run(rt, NULL, NULL, AFMPEG_TOOL_FFMPEG, argv, 1, &out, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`fs`");
  EXPECT("run(NULL argv, argc 1)",
         afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFMPEG, NULL, 1, &out, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`argv`");
  const char *null_arg[] = {"-i", NULL};
  EXPECT("run(argv[1] NULL)",
         afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFMPEG, null_arg, 2, &out, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`argv[1]`");
  const char *bad_arg[] = {"-i", "/\xc3\x28.mp4"};
  EXPECT("run(argv[1] bad UTF-8)",
         afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFMPEG, bad_arg, 2, &out, &m),
         AFMPEG_STATUS_INVALID_UTF8, "`argv[1]`");
  EXPECT("run(argc SIZE_MAX)",
         afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFMPEG, argv, SIZE_MAX, &out, &m),
         AFMPEG_STATUS_INVALID_ARGUMENT, "argument `argc`: 18446744073709551615 is larger than any array can be");
  EXPECT("run(tool 7)", afmpeg_run(rt, fs, NULL, 7, argv, 1, &out, &m),
         AFMPEG_STATUS_INVALID_ARGUMENT, "`tool`");
  EXPECT("run(NULL out)",
         afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFMPEG, argv, 1, NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`out`");
  char *json = (char *)1;
  EXPECT("probe(NULL path)", afmpeg_probe(rt, fs, NULL, NULL, &json, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`path`");
  CHECK(json == NULL, "json not reset to NULL on failure");
  EXPECT("probe(NULL json)", afmpeg_probe(rt, fs, NULL, "/a", NULL, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`json`");

  /* No message wanted: NULL is allowed there. */
  CHECK(afmpeg_fs_put(NULL, "/a", NULL, 0, NULL) == AFMPEG_STATUS_NULL_ARGUMENT,
        "message NULL");
  /* The free functions take NULL and empty values. */
  afmpeg_string_free(NULL);
  afmpeg_bytes_free(NULL);
  afmpeg_dir_list_free(NULL);
  afmpeg_output_free(NULL);
  afmpeg_runtime_free(NULL);
  afmpeg_fs_free(NULL);
  afmpeg_job_free(NULL);
}

static void bad_modules(const unsigned char *module, size_t module_len) {
  char *m = NULL;
  AfmpegRuntime *r = NULL;
  EXPECT("missing module file",
         afmpeg_runtime_from_file("/nonexistent/ffmpeg.wasm", AFMPEG_VALIDATION_EAGER, &r, &m),
         AFMPEG_STATUS_MODULE_IO, "/nonexistent/ffmpeg.wasm");
  CHECK(r == NULL, "runtime set on failure");
  const char junk[] = "this is not WebAssembly";
  EXPECT("bad module bytes",
         afmpeg_runtime_from_bytes((const uint8_t *)junk, sizeof junk, AFMPEG_VALIDATION_EAGER, &r, &m),
         AFMPEG_STATUS_INVALID_MODULE, "missing the \\0asm magic number");
  EXPECT("empty module bytes",
         afmpeg_runtime_from_bytes(NULL, 0, AFMPEG_VALIDATION_EAGER, &r, &m),
         AFMPEG_STATUS_INVALID_MODULE, "only 0 bytes");
  /* The real module, truncated: a header and then nothing. */
  EXPECT("truncated module",
         afmpeg_runtime_from_bytes(module, module_len / 2, AFMPEG_VALIDATION_EAGER, &r, &m),
         AFMPEG_STATUS_INVALID_MODULE, "not a valid WebAssembly module");
  /* The real module from bytes (copied: the caller's buffer is freed later). */
  EXPECT("module from bytes",
         afmpeg_runtime_from_bytes(module, module_len, AFMPEG_VALIDATION_LAZY, &r, &m),
         AFMPEG_STATUS_OK, "");
  CHECK(r != NULL, "no runtime from bytes");
  afmpeg_runtime_free(r);
}

static void filesystem(AfmpegFs *fs) {
  char *m = NULL;
  const uint8_t data[] = {0, 1, 2, 255};
  EXPECT("create_dir_all /in/deep", afmpeg_fs_create_dir_all(fs, "/in/deep", &m),
         AFMPEG_STATUS_OK, "");
  EXPECT("put /in/deep/a.bin", afmpeg_fs_put(fs, "/in/deep/a.bin", data, sizeof data, &m),
         AFMPEG_STATUS_OK, "");
  EXPECT("put /in/empty", afmpeg_fs_put(fs, "/in/empty", NULL, 0, &m),
         AFMPEG_STATUS_OK, "");
  AfmpegBytes b;
  EXPECT("get /in/deep/a.bin", afmpeg_fs_get(fs, "/in/deep/a.bin", &b, &m),
         AFMPEG_STATUS_OK, "");
  CHECK(b.len == 4 && memcmp(b.data, data, 4) == 0, "bytes differ (len %zu)", b.len);
  afmpeg_bytes_free(&b);
  CHECK(b.data == NULL && b.len == 0, "bytes_free did not reset");
  afmpeg_bytes_free(&b); /* harmless twice */
  EXPECT("get /in/empty", afmpeg_fs_get(fs, "/in/empty", &b, &m), AFMPEG_STATUS_OK, "");
  CHECK(b.data == NULL && b.len == 0, "empty file not {NULL, 0}");
  AfmpegDirList list;
  EXPECT("list /in", afmpeg_fs_list(fs, "/in", &list, &m), AFMPEG_STATUS_OK, "");
  CHECK(list.len == 2, "list /in: %zu entries", list.len);
  int saw_deep = 0, saw_empty = 0;
  for (size_t i = 0; i < list.len; i++) {
    if (strcmp(list.entries[i].name, "deep") == 0)
      saw_deep = list.entries[i].kind == AFMPEG_FILE_KIND_DIR;
    if (strcmp(list.entries[i].name, "empty") == 0)
      saw_empty = list.entries[i].kind == AFMPEG_FILE_KIND_FILE;
  }
  CHECK(saw_deep && saw_empty, "list /in: wrong names or kinds");
  afmpeg_dir_list_free(&list);
  afmpeg_dir_list_free(&list); /* harmless twice */
  EXPECT("get missing", afmpeg_fs_get(fs, "/in/nope", &b, &m), AFMPEG_STATUS_FS,
         "read \"/in/nope\": No such file or directory (errno Noent = 44)");
  EXPECT("put in missing dir", afmpeg_fs_put(fs, "/nodir/a", data, 1, &m),
         AFMPEG_STATUS_FS,
         "write \"/nodir/a\": No such file or directory (errno Noent = 44)");
  EXPECT("get a directory", afmpeg_fs_get(fs, "/in", &b, &m), AFMPEG_STATUS_FS,
         "read \"/in\": Is a directory (errno Isdir = 31)");
  EXPECT("list a file", afmpeg_fs_list(fs, "/in/empty", &list, &m), AFMPEG_STATUS_FS,
         "read_dir \"/in/empty\": Not a directory");
  EXPECT("remove /in", afmpeg_fs_remove(fs, "/in", &m), AFMPEG_STATUS_OK, "");
  EXPECT("remove /in again", afmpeg_fs_remove(fs, "/in", &m), AFMPEG_STATUS_FS,
         "remove_dir_all \"/in\": No such file or directory (errno Noent = 44)");
}

static void transcode_and_probe(AfmpegRuntime *rt, AfmpegFs *fs) {
  char *m = NULL;
  AfmpegJob *job = afmpeg_job_new();
  Watch w;
  watch_init(&w, job, 0);
  EXPECT("set progress", afmpeg_job_set_progress(job, on_progress, &w, &m),
         AFMPEG_STATUS_OK, "");
  const char *argv[] = {"-f", "lavfi", "-i", "testsrc=size=16x16:rate=10:duration=0.3",
                        "-c:v", "libx264", "-preset", "ultrafast", "/small.mp4"};
  AfmpegOutput out;
  EXPECT("transcode to H.264", afmpeg_run(rt, fs, job, AFMPEG_TOOL_FFMPEG, argv, 9, &out, &m),
         AFMPEG_STATUS_OK, "");
  CHECK(out.exit_code == 0, "exit code %d", out.exit_code);
  CHECK(contains(&out.stderr_bytes, "Output #0, mp4"), "stderr lacks the output header");
  CHECK(out.guest_memory > 0, "no guest memory reported");
  afmpeg_output_free(&out);
  CHECK(w.reports >= 1 && w.final_reports == 1, "progress: %d reports, %d final", w.reports,
        w.final_reports);
  CHECK(w.last_frame == 3, "progress: last frame %lld", (long long)w.last_frame);
  watch_destroy(&w);
  afmpeg_job_free(job);

  AfmpegBytes b;
  EXPECT("get /small.mp4", afmpeg_fs_get(fs, "/small.mp4", &b, &m), AFMPEG_STATUS_OK, "");
  CHECK(b.len > 8 && memcmp(b.data + 4, "ftyp", 4) == 0, "not an MP4 (%zu bytes)", b.len);
  afmpeg_bytes_free(&b);

  char *json = NULL;
  EXPECT("probe /small.mp4", afmpeg_probe(rt, fs, NULL, "/small.mp4", &json, &m),
         AFMPEG_STATUS_OK, "");
  CHECK(json && strstr(json, "\"codec_name\": \"h264\""), "probe: no h264 stream: %s", json);
  CHECK(json && strstr(json, "\"width\": 16") && strstr(json, "\"height\": 16"),
        "probe: not 16x16");
  CHECK(json && strstr(json, "\"nb_frames\": \"3\""), "probe: not 3 frames");
  afmpeg_string_free(json);

  /* ffprobe through afmpeg_run, its JSON on stdout. */
  const char *probe_argv[] = {"-v", "error", "-show_entries", "stream=codec_name",
                              "-of", "csv=p=0", "/small.mp4"};
  EXPECT("ffprobe through run",
         afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFPROBE, probe_argv, 7, &out, &m),
         AFMPEG_STATUS_OK, "");
  CHECK(out.stdout_bytes.len == 5 && memcmp(out.stdout_bytes.data, "h264\n", 5) == 0,
        "ffprobe stdout");
  afmpeg_output_free(&out);
  afmpeg_output_free(&out); /* harmless twice */
}

static void failures_of_ffmpeg(AfmpegRuntime *rt, AfmpegFs *fs) {
  char *m = NULL;
  AfmpegOutput out;
  const char *argv[] = {"-i", "/missing.mp4", "/x.mp4"};
  EXPECT("non-zero exit", afmpeg_run(rt, fs, NULL, AFMPEG_TOOL_FFMPEG, argv, 3, &out, &m),
         AFMPEG_STATUS_FFMPEG, "/missing.mp4: No such file or directory");
  CHECK(out.exit_code == 1, "exit code %d", out.exit_code);
  CHECK(contains(&out.stderr_bytes, "No such file or directory"), "stderr kept");
  afmpeg_output_free(&out);

  const uint8_t text[] = "not media at all";
  afmpeg_fs_put(fs, "/text.bin", text, sizeof text, NULL);
  char *json = NULL;
  EXPECT("probe of a non-media file", afmpeg_probe(rt, fs, NULL, "/text.bin", &json, &m),
         AFMPEG_STATUS_PROBE, "Invalid data found when processing input");
  CHECK(json == NULL, "json set on failure");
}

/* Strict mode: an option FFmpeg ignored is a status of its own, with the
 * run's output set and its file written; off again, the same run is OK. */
static void strict_mode(AfmpegRuntime *rt, AfmpegFs *fs) {
  char *m = NULL;
  const char *argv[] = {"-y", "-f", "lavfi", "-i", "sine=d=0.2", "-crf", "23", "/strict.wav"};
  AfmpegOutput out;
  AfmpegJob *job = afmpeg_job_new();
  EXPECT("job_set_strict(NULL job)", afmpeg_job_set_strict(NULL, true, &m),
         AFMPEG_STATUS_NULL_ARGUMENT, "`job`");
  EXPECT("job_set_strict", afmpeg_job_set_strict(job, true, &m), AFMPEG_STATUS_OK, "");
  EXPECT("strict: unused option",
         afmpeg_run(rt, fs, job, AFMPEG_TOOL_FFMPEG, argv, 8, &out, &m),
         AFMPEG_STATUS_UNUSED_OPTION,
         "option \"crf\" was not used for any stream (strict mode): Codec AVOption crf ");
  CHECK(out.exit_code == 0, "strict: exit code %d", out.exit_code);
  CHECK(contains(&out.stderr_bytes, "has not been used for any stream"), "strict: stderr");
  afmpeg_output_free(&out);
  AfmpegBytes b = {NULL, 0};
  EXPECT("strict: the output exists", afmpeg_fs_get(fs, "/strict.wav", &b, &m),
         AFMPEG_STATUS_OK, "");
  CHECK(b.len > 44 && memcmp(b.data, "RIFF", 4) == 0, "strict: not a WAV (%zu bytes)", b.len);
  afmpeg_bytes_free(&b);
  EXPECT("job_set_strict(false)", afmpeg_job_set_strict(job, false, &m), AFMPEG_STATUS_OK, "");
  EXPECT("lenient: same run",
         afmpeg_run(rt, fs, job, AFMPEG_TOOL_FFMPEG, argv, 8, &out, &m),
         AFMPEG_STATUS_OK, "");
  afmpeg_output_free(&out);
  afmpeg_job_free(job);
}

static void limits(AfmpegRuntime *rt, AfmpegFs *fs) {
  char *m = NULL;
  const char *argv[] = {"-f", "lavfi", "-i", "testsrc=size=16x16:rate=10:duration=0.3",
                        "-c:v", "libx264", "-preset", "ultrafast", "/limited.mp4"};
  AfmpegOutput out;
  struct {
    const char *what;
    AfmpegStatus want;
    const char *needle;
  } cases[] = {
      {"memory limit", AFMPEG_STATUS_LIMIT_MEMORY, "guest memory limit of 1048576 bytes"},
      {"fuel limit", AFMPEG_STATUS_LIMIT_FUEL, "CPU budget of 100000 fuel units"},
      {"files-created limit", AFMPEG_STATUS_LIMIT_FILES_CREATED, "limit of 0 files created"},
  };
  for (size_t i = 0; i < 3; i++) {
    AfmpegJob *job = afmpeg_job_new();
    AfmpegLimits l = afmpeg_limits_default();
    if (i == 0) l.max_memory = 1 << 20;
    if (i == 1) l.fuel = 100000;
    if (i == 2) l.max_files_created = 0;
    EXPECT("set limits", afmpeg_job_set_limits(job, &l, &m), AFMPEG_STATUS_OK, "");
    EXPECT(cases[i].what, afmpeg_run(rt, fs, job, AFMPEG_TOOL_FFMPEG, argv, 9, &out, &m),
           cases[i].want, cases[i].needle);
    CHECK(out.exit_code == -1, "%s: output set", cases[i].what);
    afmpeg_output_free(&out);
    afmpeg_job_free(job);
  }
  AfmpegLimits d = afmpeg_limits_default();
  CHECK(d.max_memory == 1ull << 30 && d.max_open_files == 256, "default limits");
}

/* Runs the long job with `job` while another thread ends it after the first
 * progress report; returns the run's status, message freed. */
static AfmpegStatus run_and_end(AfmpegRuntime *rt, AfmpegFs *fs, int stop,
                                AfmpegOutput *out, char **m, Watch *w) {
  AfmpegJob *job = afmpeg_job_new();
  watch_init(w, job, stop);
  afmpeg_job_set_progress(job, on_progress, w, NULL);
  pthread_t t;
  pthread_create(&t, NULL, ender, w);
  AfmpegStatus s = afmpeg_run(rt, fs, job, AFMPEG_TOOL_FFMPEG, LONG_JOB, LONG_JOB_ARGC, out, m);
  pthread_mutex_lock(&w->mu);
  w->run_returned = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(t, NULL);
  CHECK(w->end_status == AFMPEG_STATUS_OK, "ending call: %d", (int)w->end_status);
  if (!stop) {
    /* Cancel is final: a run started with a cancelled job ends at once. */
    AfmpegOutput again;
    char *m = NULL;
    EXPECT("a cancelled job runs no more",
           afmpeg_run(rt, fs, job, AFMPEG_TOOL_FFMPEG, LONG_JOB, LONG_JOB_ARGC, &again, &m),
           AFMPEG_STATUS_CANCELLED, "job cancelled");
    afmpeg_output_free(&again);
  }
  afmpeg_job_free(job);
  watch_destroy(w);
  return s;
}

static void cancel_and_stop(AfmpegRuntime *rt, AfmpegFs *fs) {
  char *m = NULL;
  AfmpegOutput out;
  Watch w;
  EXPECT("cancelled job", run_and_end(rt, fs, 0, &out, &m, &w), AFMPEG_STATUS_CANCELLED, "job cancelled");
  CHECK(out.exit_code == -1, "cancelled: output set");
  afmpeg_output_free(&out);

  EXPECT("stopped job", run_and_end(rt, fs, 1, &out, &m, &w), AFMPEG_STATUS_STOPPED, "Exiting normally, received signal 2.");
  CHECK(out.exit_code == 255, "stopped: exit code %d", out.exit_code);
  CHECK(contains(&out.stderr_bytes, "Exiting normally, received signal 2."), "stopped: stderr");
  afmpeg_output_free(&out);
  /* The stopped job's output is finished: ffprobe reads it. */
  char *json = NULL;
  EXPECT("probe the stopped job's output", afmpeg_probe(rt, fs, NULL, "/long.mp4", &json, &m),
         AFMPEG_STATUS_OK, "");
  CHECK(json && strstr(json, "\"codec_name\": \"h264\""), "stopped output: no h264");
  afmpeg_string_free(json);

  /* The same stop, asked from the job's own progress callback. */
  AfmpegJob *job = afmpeg_job_new();
  watch_init(&w, job, 1);
  afmpeg_job_set_progress(job, stop_from_progress, &w, NULL);
  EXPECT("stopped from its own progress callback",
         afmpeg_run(rt, fs, job, AFMPEG_TOOL_FFMPEG, LONG_JOB, LONG_JOB_ARGC, &out, &m),
         AFMPEG_STATUS_STOPPED, "Exiting normally, received signal 2.");
  CHECK(w.end_status == AFMPEG_STATUS_OK, "stop in the callback: %d", (int)w.end_status);
  CHECK(out.exit_code == 255, "stopped from the callback: exit code %d", out.exit_code);
  afmpeg_output_free(&out);
  afmpeg_job_free(job);
  watch_destroy(&w);
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  *len = fread(buf, 1, (size_t)n, f);
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODULE.wasm\n", argv[0]);
    return 2;
  }
  CHECK(afmpeg_version() && strlen(afmpeg_version()) > 0, "version");
  size_t module_len = 0;
  unsigned char *module = read_file(argv[1], &module_len);
  if (!module) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  bad_modules(module, module_len);
  free(module);

  char *m = NULL;
  AfmpegRuntime *rt = NULL;
  EXPECT("module from file", afmpeg_runtime_from_file(argv[1], AFMPEG_VALIDATION_LAZY, &rt, &m),
         AFMPEG_STATUS_OK, "");
  if (!rt) return 1;
  AfmpegFs *fs = afmpeg_fs_new();

  null_and_utf8_arguments(rt, fs);
  filesystem(fs);
  transcode_and_probe(rt, fs);
  failures_of_ffmpeg(rt, fs);
  strict_mode(rt, fs);
  limits(rt, fs);
  cancel_and_stop(rt, fs);

  afmpeg_fs_free(fs);
  afmpeg_runtime_free(rt);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
