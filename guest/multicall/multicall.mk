# afmpeg multi-call link rule, used as `make -f Makefile -f multicall.mk afmpeg_g.wasm`
# in an FFmpeg 5.1 build directory (after configure).
#
# What: link fftools' ffmpeg and ffprobe into ONE executable, dispatched on
# basename(argv[0]) by fftools/afmpeg_main.c (copied there by guest/build.sh).
# Why: both tools link the same libraries; one module halves what an app ships.
# How: FFmpeg's sources stay unchanged. The symbols both tools define
# (main, program_name, program_birth_year, show_help_default) are renamed per
# object file with -D defines; cmdutils/opt_common, which both tools share,
# refer to the afmpeg_* versions that afmpeg_main.c defines and sets at start.

AFMPEG_FFMPEG_OBJS  = fftools/ffmpeg.o fftools/ffmpeg_filter.o fftools/ffmpeg_hw.o \
                      fftools/ffmpeg_mux.o fftools/ffmpeg_opt.o
AFMPEG_FFPROBE_OBJS = fftools/ffprobe.o
AFMPEG_SHARED_OBJS  = fftools/cmdutils.o fftools/opt_common.o
AFMPEG_OBJS = fftools/afmpeg_main.o $(AFMPEG_FFMPEG_OBJS) $(AFMPEG_FFPROBE_OBJS) $(AFMPEG_SHARED_OBJS)

AFMPEG_RENAME = -Dprogram_name=$(1)_program_name \
                -Dprogram_birth_year=$(1)_program_birth_year \
                -Dshow_help_default=$(1)_show_help_default

$(AFMPEG_FFMPEG_OBJS):  CPPFLAGS += -Dmain=ffmpeg_main  $(call AFMPEG_RENAME,ffmpeg)
$(AFMPEG_FFPROBE_OBJS): CPPFLAGS += -Dmain=ffprobe_main $(call AFMPEG_RENAME,ffprobe)
$(AFMPEG_SHARED_OBJS):  CPPFLAGS += $(call AFMPEG_RENAME,afmpeg)
# the renamed main() has no prototype in a header: don't let -Werror stop it
fftools/ffmpeg.o fftools/ffprobe.o: CFLAGS += -Wno-missing-prototypes
$(AFMPEG_OBJS): | fftools

afmpeg_g.wasm: $(AFMPEG_OBJS) $(FF_DEP_LIBS)
	$(LD) $(LDFLAGS) $(LDEXEFLAGS) $(LD_O) $(AFMPEG_OBJS) $(FF_EXTRALIBS)
