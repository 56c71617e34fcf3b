# guest/deps-full.sh — builders for the full profile's extra libraries.
# Sourced by guest/build.sh; each build_<pkg> runs in a subshell with $W (work
# dir), $JOBS, PATH (wasm32-wasi-* wrappers) and PKG_CONFIG_LIBDIR set, and
# installs static libraries into $W/prefix. Single-threaded everywhere.

build_libogg() {
  autotools_build libogg
}

build_libvorbis() {
  autotools_build libvorbis --disable-docs --disable-examples --disable-oggtest
}

build_libwebp() {
  autotools_build libwebp --disable-threading --disable-gl --disable-sdl --disable-png \
    --disable-jpeg --disable-tiff --disable-gif --disable-wic --enable-libwebpmux \
    --enable-libwebpdemux --disable-neon --disable-sse2 --disable-sse4.1
}

build_fribidi() {
  # the library only: the bundled CLI tools need times(), which WASI lacks
  cd "$W/src/fribidi"
  refresh_config_sub .
  record_configure fribidi ./configure --host=wasm32-unknown-wasi --disable-shared --enable-static --disable-docs "CFLAGS=-O3"
  CC=wasm32-wasi-clang AR=wasm32-wasi-ar RANLIB=wasm32-wasi-ranlib CFLAGS=-O3 \
    ./configure --host=wasm32-unknown-wasi --prefix="$W/prefix" --disable-shared --enable-static --disable-docs
  make -C gen.tab
  make -C lib -j"$JOBS"
  make -C lib install
  make install-pkgconfigDATA
}

build_freetype() {
  # needs <setjmp.h>: compat/include/setjmp.h (PROFILE_COMPAT_HEADERS=1)
  autotools_build freetype --with-zlib=yes --without-png --without-bzip2 --without-brotli \
    --without-harfbuzz
}

build_libvpx() {
  # generic C target; setjmp only on error paths (compat/include/setjmp.h)
  cd "$W/src/libvpx"
  local args=(--target=generic-gnu --disable-multithread --disable-examples --disable-tools
              --disable-docs --disable-unit-tests --disable-install-bins --disable-install-docs
              --enable-static --disable-shared --enable-vp8 --enable-vp9
              --disable-runtime-cpu-detect --enable-vp9-highbitdepth --size-limit=16384x16384)
  record_configure libvpx CFLAGS=-O3 CXXFLAGS=-O3 ../configure "${args[@]}"
  mkdir -p wbuild && cd wbuild
  CC=wasm32-wasi-clang CXX=wasm32-wasi-clang++ AR=wasm32-wasi-ar LD=wasm32-wasi-clang \
    NM=wasm32-wasi-nm STRIP=wasm32-wasi-strip AS=true CFLAGS=-O3 CXXFLAGS=-O3 \
    ../configure --prefix="$W/prefix" "${args[@]}"
  # vpx_codec_build_config() returns this configure line, --prefix and so
  # the work directory included: name it as -ffile-prefix-map names $W, or
  # the module's bytes would depend on where it was built (--check-repro).
  grep -q -- "--prefix=$W/prefix" vpx_config.c
  sed -i "s|--prefix=$W/prefix|--prefix=/afmpeg-build/prefix|" vpx_config.c
  make -j"$JOBS"
  make install
}

write_meson_cross() {
  cat >"$W/cross-wasi.txt" <<'XEOF'
[binaries]
c = 'wasm32-wasi-clang'
cpp = 'wasm32-wasi-clang++'
ar = 'wasm32-wasi-ar'
strip = 'wasm32-wasi-strip'
pkgconfig = 'pkg-config'

[host_machine]
system = 'wasi'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'

[properties]
needs_exe_wrapper = true
XEOF
}

build_harfbuzz() {
  # C++ (libc++ for wasm32-wasi). HB_NO_MT: no mutexes, single-threaded.
  cd "$W/src/harfbuzz"
  write_meson_cross
  local args=(--buildtype=release -Doptimization=3 --default-library=static --wrap-mode=nodownload
              -Dglib=disabled -Dgobject=disabled -Dcairo=disabled -Dchafa=disabled -Dicu=disabled
              -Dfreetype=enabled -Dtests=disabled -Dintrospection=disabled -Ddocs=disabled
              -Dbenchmark=disabled -Dcpp_args=-DHB_NO_MT)
  record_configure harfbuzz meson setup --cross-file cross-wasi.txt "${args[@]}"
  meson setup wbuild --cross-file "$W/cross-wasi.txt" --prefix="$W/prefix" --libdir=lib "${args[@]}"
  ninja -C wbuild -j"$JOBS"
  ninja -C wbuild install
  # meson's threads dependency writes -pthread into the .pc file; not for us
  sed -i 's/ -pthread//g' "$W/prefix/lib/pkgconfig/harfbuzz"*.pc
}

build_dav1d() {
  # No <pthread.h> in wasi-libc: a single-threaded stub (compat/dav1d/pthread.h,
  # see its comment) in a private include dir that only dav1d sees. No asm.
  cd "$W/src/dav1d"
  mkdir -p "$W/compat-dav1d"
  cp "$GUEST_DIR/compat/dav1d/pthread.h" "$W/compat-dav1d/"
  [ -f "$W/cross-wasi.txt" ] || write_meson_cross
  local args=(--buildtype=release -Doptimization=3 --default-library=static --wrap-mode=nodownload
              -Denable_asm=false -Denable_tools=false -Denable_examples=false -Denable_tests=false
              -Denable_docs=false -Dlogging=true "-Dc_args=-I$W/compat-dav1d")
  record_configure dav1d meson setup --cross-file cross-wasi.txt "${args[@]/$W/\$W}"
  meson setup wbuild --cross-file "$W/cross-wasi.txt" --prefix="$W/prefix" --libdir=lib "${args[@]}"
  ninja -C wbuild -j"$JOBS"
  ninja -C wbuild install
  sed -i 's/ -pthread//g' "$W/prefix/lib/pkgconfig/dav1d.pc"
}

build_libass() {
  autotools_build libass --disable-fontconfig --disable-require-system-font-provider \
    --disable-libunibreak --disable-asm --disable-directwrite --disable-coretext
}
