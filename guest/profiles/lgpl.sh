# guest profile "lgpl" — sourced by guest/build.sh.
# A module with no GPL component, for apps whose distribution channel cannot
# carry GPL code (app stores): FFmpeg under the LGPL v2.1+ (no --enable-gpl),
# H.264 encoding through OpenH264 (BSD-2-Clause) instead of x264 (GPL),
# AAC (FFmpeg's own encoder), Opus (BSD) and MP3 (LAME, LGPL) as in lean.
# The components are lean's (guest/profiles/lean.sh), libx264 replaced by
# libopenh264. docs/explanation/licences.md says what each profile's licence
# asks of an app.
#
# Files only this profile uses are in guest/profiles/lgpl.d/ (OpenH264's
# single-threaded pthread/semaphore headers and its WASI patch).

PROFILE_DEPS=(zlib lame opus openh264)

# Its size budget is in guest/size-budgets.

PROFILE_FFMPEG_FLAGS=(
  --enable-libopenh264 --enable-libmp3lame --enable-libopus --enable-zlib
  --disable-everything
  --enable-decoder=h264,hevc,vp8,vp9,mpeg4,mjpeg,png,aac,mp3,mp3float,opus,vorbis,flac,pcm_*,rawvideo,wrapped_avframe,srt,subrip,webvtt,movtext,ass,ssa
  --enable-encoder=libopenh264,aac,libmp3lame,libopus,flac,pcm_s16le,png,mjpeg,rawvideo,wrapped_avframe,srt,subrip,webvtt,movtext,ass,ssa
  --enable-demuxer=mov,matroska,mp3,wav,ogg,flac,aac,image2,concat,rawvideo,ffmetadata,srt,webvtt,ass,hls,mpegts,h264
  --enable-muxer=mp4,mov,ipod,matroska,webm,mp3,wav,ogg,opus,flac,adts,mpegts,image2,hls,segment,ffmetadata,srt,webvtt,ass,null,framemd5,rawvideo,h264
  --enable-protocol=file,pipe,concat
  --enable-parsers --enable-bsfs
  --enable-avdevice --enable-indev=lavfi
  --enable-filter=scale,fps,format,aformat,trim,atrim,setpts,asetpts,concat,overlay,crop,pad,split,asplit,select,aselect,thumbnail,tile,drawbox,hflip,vflip,transpose,rotate,fade,afade,xfade,amix,amerge,pan,volume,aresample,atempo,loudnorm,ebur128,volumedetect,silencedetect,astats,blackdetect,scdet,showinfo,ashowinfo,null,anull,nullsink,anullsink,testsrc,testsrc2,color,sine,anullsrc,setsar,setdar
  --pkg-config-flags=--static
)
# OpenH264 is C++ (libc++ for wasm32-wasi, no exceptions)
PROFILE_EXTRA_LIBS="-lc++ -lc++abi"
PROFILE_PACKAGES=(libc++-19-dev-wasm32 libc++abi-19-dev-wasm32)

build_openh264() {
  # Upstream's Makefile, its Linux platform file (GNU toolchain conventions;
  # of what it adds, -lpthread is replaced below by the C++ runtime the
  # static library needs, and -fPIC is harmless: wasm-ld resolves the
  # position-independent accesses when it links the module) and no asm.
  # The single-threaded <pthread.h>/<semaphore.h> come first on the include
  # path (lgpl.d/compat/openh264, see them). Static library only.
  cd "$W/src/openh264"
  mkdir -p "$W/compat-openh264"
  cp "$GUEST_DIR"/profiles/lgpl.d/compat/openh264/*.h "$W/compat-openh264/"
  local args=(OS=linux ARCH=wasm32 USE_ASM=No BUILDTYPE=Release USE_STACK_PROTECTOR=No
              CFLAGS_OPT=-O3 "STATIC_LDFLAGS=-lc++ -lc++abi -lm")
  record_configure openh264 make "${args[@]}" libopenh264.a install-static
  make -j"$JOBS" "${args[@]}" CC="wasm32-wasi-clang -I$W/compat-openh264" \
    CXX="wasm32-wasi-clang++ -I$W/compat-openh264 -fno-exceptions" AR=wasm32-wasi-ar \
    PREFIX="$W/prefix" libopenh264.a install-static
}
