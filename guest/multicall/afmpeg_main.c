/*
 * afmpeg multi-call entry point: one wasm module that is `ffmpeg` or `ffprobe`
 * depending on basename(argv[0]).
 *
 * The build compiles FFmpeg's own fftools sources unchanged, with renaming
 * defines (see guest/multicall/multicall.mk):
 *   ffmpeg*.c : main -> ffmpeg_main,  program_name -> ffmpeg_program_name, ...
 *   ffprobe.c : main -> ffprobe_main, program_name -> ffprobe_program_name, ...
 *   cmdutils.c, opt_common.c (shared by both tools):
 *               program_name -> afmpeg_program_name, program_birth_year ->
 *               afmpeg_program_birth_year, show_help_default ->
 *               afmpeg_show_help_default
 * This file defines the three shared symbols and sets them for the selected
 * tool before calling its main. Only one tool runs per module instance.
 *
 * This file is part of afmpeg's guest build; it is linked with FFmpeg (LGPL/GPL)
 * and is distributed under the same terms (GPL-2.0-or-later for this build).
 */
#include <string.h>

int ffmpeg_main(int argc, char **argv);
int ffprobe_main(int argc, char **argv);
void ffmpeg_show_help_default(const char *opt, const char *arg);
void ffprobe_show_help_default(const char *opt, const char *arg);
void afmpeg_show_help_default(const char *opt, const char *arg);

/* cmdutils.h declares these as `extern const char program_name[]` and
 * `extern const int program_birth_year`; they are written once here, before
 * any FFmpeg code reads them. */
char afmpeg_program_name[16] = "ffmpeg";
int afmpeg_program_birth_year = 2000;
static int afmpeg_is_probe;

void afmpeg_show_help_default(const char *opt, const char *arg)
{
    if (afmpeg_is_probe)
        ffprobe_show_help_default(opt, arg);
    else
        ffmpeg_show_help_default(opt, arg);
}

static const char *base_name(const char *path)
{
    const char *b = path, *p;
    for (p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

int main(int argc, char **argv)
{
    const char *name = (argc > 0 && argv && argv[0]) ? base_name(argv[0]) : "";

    if (!strcmp(name, "ffprobe") || !strcmp(name, "ffprobe.wasm")) {
        afmpeg_is_probe = 1;
        strcpy(afmpeg_program_name, "ffprobe");
        afmpeg_program_birth_year = 2007;
        return ffprobe_main(argc, argv);
    }
    return ffmpeg_main(argc, argv);
}
