# guest profile "full" — sourced by guest/build.sh.
# Every component of FFmpeg's own tree that builds for wasm32-wasi, plus the
# external libraries below (Debian source packages, static, single-threaded).
# libdav1d is built single-threaded against compat/dav1d/pthread.h (see it).

PROFILE_DEPS=(zlib x264 lame opus libogg libvorbis libvpx libwebp dav1d freetype fribidi harfbuzz libass)

# compat/include/setjmp.h for libvpx and FreeType (and everything that
# includes FreeType's headers): see the header's comment.
PROFILE_COMPAT_HEADERS=1

# Its size budget is in guest/size-budgets.

PROFILE_FFMPEG_FLAGS=(
  --enable-gpl --enable-libx264 --enable-libmp3lame --enable-libopus --enable-zlib
  --enable-libvpx --enable-libwebp --enable-libvorbis --enable-libdav1d
  --enable-libfreetype --enable-libfribidi --enable-libass
  --cxx=wasm32-wasi-clang++ --pkg-config-flags=--static
)
# harfbuzz (inside libass) is C++
PROFILE_EXTRA_LIBS="-lc++ -lc++abi"

# Debian packages this profile needs beyond the lean toolchain
PROFILE_PACKAGES=(meson ninja-build libc++-19-dev-wasm32 libc++abi-19-dev-wasm32)
