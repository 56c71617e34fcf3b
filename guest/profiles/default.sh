# guest profile "default" — sourced by guest/build.sh.
# The module for everyday jobs: every component of FFmpeg's own tree that
# builds for and works under wasm32-wasi (WASI preview1), FFmpeg's defaults
# minus what cannot work there, plus the libraries below (Debian source
# packages, static, single-threaded), and a default font for drawtext.
#
# What is NOT enabled, and why (the common flags are in build.sh,
# FFMPEG_COMMON_FLAGS, shared by every profile):
#   --disable-network        WASI preview1 has no sockets API: no tcp/udp/
#                            http/rtmp/... protocols, no rtsp/sap/... (de)muxers
#   --disable-pthreads       no threads in wasm32-wasi (preview1); FFmpeg runs
#                            its codecs and filters single-threaded
#   --disable-asm, -inline-asm, -x86asm   no assembly for wasm32
#   --disable-indevs --enable-indev=lavfi, --disable-outdevs (below): capture
#                            and playback devices (v4l2, alsa, oss, fbdev, xcb,
#                            sdl, ...) need OS interfaces a WASI module has
#                            not; lavfi is a device only by name (it reads a
#                            filter graph) and is how `-f lavfi -i testsrc` works
#   --disable-autodetect     nothing is picked up from the build host by chance
# Left to the `full` profile: libvpx (VP8/VP9 encoding) and libdav1d (AV1
# decoding). libass (the `subtitles`/`ass` filters) is here, with HarfBuzz
# (C++, meson) under it; what it adds to the first build is measured in
# docs/explanation/guest-build.md.
#
# The default font: DejaVu Sans, shipped as companion data (data/fonts/ in the
# cache entry, see profile_companion_data below) and found by drawtext at
# /usr/share/fonts/afmpeg/DejaVuSans.ttf when no fontfile= is given
# (default.d/patches/ffmpeg-*.patch); the embedder mounts data/fonts/ there
# read-only (docs/how-to/build-the-guest.md). libass has no fontconfig
# either: the subtitles/ass filters fall back to the same file
# (default.d/patches/ffmpeg-0002-*.patch).

PROFILE_DEPS=(zlib x264 lame opus libogg libvorbis libwebp freetype fribidi harfbuzz libass)

# compat/include/setjmp.h for FreeType (and everything that includes its
# headers): see the header's comment.
PROFILE_COMPAT_HEADERS=1

# Its size budget is in guest/size-budgets.

PROFILE_FFMPEG_FLAGS=(
  --enable-gpl --enable-libx264 --enable-libmp3lame --enable-libopus --enable-zlib
  --enable-libwebp --enable-libvorbis --enable-libfreetype --enable-libfribidi --enable-libass
  --disable-indevs --enable-indev=lavfi --disable-outdevs
  --cxx=wasm32-wasi-clang++ --pkg-config-flags=--static
)
# harfbuzz (inside libass) is C++
PROFILE_EXTRA_LIBS="-lc++ -lc++abi"

# The font is data, not code: the TTF files of Debian's fonts-dejavu-core are
# copied as they are. They are built from the fonts-dejavu source package with
# fontforge (from the .sfd sources); building them here would add fontforge
# and its Python stack to the toolchain for a file that no compiler flag of
# ours changes, so the binary package's file is used, and its version is part
# of the cache key and of provenance.json (build.sh, PROFILE_DATA_PACKAGES).
PROFILE_DATA_PACKAGES=(fonts-dejavu-core)
# meson + ninja build HarfBuzz; libc++ is its C++ runtime for wasm32-wasi
PROFILE_PACKAGES=(fonts-dejavu-core meson ninja-build libc++-19-dev-wasm32 libc++abi-19-dev-wasm32)

# $1 = the cache entry's data/ directory
profile_companion_data() {
  local fonts="$1/fonts" src=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
  mkdir -p "$fonts"
  [ -f "$src" ] || die "$src missing (Debian package fonts-dejavu-core)"
  cp "$src" "$fonts/DejaVuSans.ttf"
  cp /usr/share/doc/fonts-dejavu-core/copyright "$fonts/COPYRIGHT"
  (cd "$fonts" && sha256sum DejaVuSans.ttf COPYRIGHT >SHA256SUMS)
  touch -d "@$SOURCE_DATE_EPOCH" "$fonts"/*
}
