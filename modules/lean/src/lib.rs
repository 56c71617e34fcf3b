//! # afmpeg-module-lean
//!
//! The lean FFmpeg module of [afmpeg](https://docs.rs/afmpeg): FFmpeg 5.1's
//! `ffmpeg` and `ffprobe` with x264, LAME, Opus and zlib, built for
//! wasm32-wasi (WASI preview1) by the project's `guest/build.sh` from Debian
//! source packages. The module is shipped inside this crate, compressed with
//! zstd (about 2.3 MB instead of 9.5 MB), so that an application gets it
//! from the registry like any other dependency, with no C toolchain and no
//! FFmpeg build.
//!
//! Most applications do not use this crate directly: they enable afmpeg's
//! `builtin-module-lean` feature and call `afmpeg::Runtime::builtin_lean()`
//! (`builtin-module` and `Runtime::builtin()` are the larger default module
//! of crate `afmpeg-module-default`). This crate only hands out the
//! module's bytes:
//!
//! ```
//! let wasm = afmpeg_module_lean::wasm()?;
//! assert_eq!(&wasm[..4], b"\0asm");
//! # Ok::<(), afmpeg_module_lean::Error>(())
//! ```
//!
//! [`wasm`] decompresses the module and checks its SHA-256 against the one
//! the build recorded ([`SHA256`]); a mismatch is an [`Error`], never a
//! different module. Decompressing and hashing take about 0.2 s and 14 MiB
//! of memory at their peak beyond the result (see the README); call it once
//! and keep the bytes, or the runtime compiled from them.
//!
//! ## Licence
//!
//! The module links x264 and is therefore, as a whole, under the GPL v2 or
//! later, and so is this crate. An application that ships it ships GPL
//! code: see the README and afmpeg's `docs/explanation/licences.md`. The
//! `lgpl` guest profile (OpenH264 instead of x264) has no GPL part.
//! [`PROVENANCE_JSON`] lists the module's corresponding source (Debian
//! source packages, versions, SHA-256 of each file, the patches applied).

#![deny(missing_docs)]

afmpeg_module_unpack::shipped_module!();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_module_is_the_one_its_provenance_records() {
        let wasm = wasm().expect("the shipped module");
        afmpeg_module_unpack::check_provenance(PROVENANCE_JSON, SHA256_HEX, &wasm, "lean").unwrap();
    }
}
