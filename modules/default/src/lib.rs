//! # afmpeg-module-default
//!
//! The default FFmpeg module of [afmpeg](https://docs.rs/afmpeg), the one
//! for everyday jobs: FFmpeg 5.1's `ffmpeg` and `ffprobe` with every
//! component of FFmpeg's own tree that works under wasm32-wasi (WASI
//! preview1), x264, LAME, Opus, Vorbis, WebP, FreeType + FriBidi
//! (`drawtext`) and HarfBuzz + libass (`subtitles`, `ass`), built by the
//! project's `guest/build.sh --profile default` from Debian source packages.
//! The module is shipped inside this crate, compressed with zstd, with the
//! font its `drawtext` and `subtitles` use when no font is given
//! ([`FONT_TTF`], to be put at [`FONT_PATH`] in the job's filesystem).
//!
//! Most applications do not use this crate directly: they enable afmpeg's
//! `builtin-module` feature and call `afmpeg::Runtime::builtin()`, which
//! also mounts the font. This crate only hands out the bytes:
//!
//! ```
//! let wasm = afmpeg_module_default::wasm()?;
//! assert_eq!(&wasm[..4], b"\0asm");
//! assert_eq!(&afmpeg_module_default::FONT_TTF[..4], b"\0\x01\0\0"); // a TrueType font
//! # Ok::<(), afmpeg_module_default::Error>(())
//! ```
//!
//! [`wasm`] decompresses the module and checks its SHA-256 against the one
//! the build recorded ([`SHA256`]); a mismatch is an [`Error`], never a
//! different module. Call it once and keep the bytes, or the runtime
//! compiled from them.
//!
//! ## Licence
//!
//! The module links x264 and is therefore, as a whole, under the GPL v2 or
//! later, and so is this crate's module. The font is DejaVu Sans, under the
//! Bitstream Vera licence (`fonts/COPYRIGHT`). An application that ships
//! this crate ships GPL code: see the README and afmpeg's
//! `docs/explanation/licences.md`. [`PROVENANCE_JSON`] lists the module's
//! corresponding source (Debian source packages, versions, SHA-256 of each
//! file, the patches applied).

#![deny(missing_docs)]

afmpeg_module_unpack::shipped_module!();

/// The module's default font, DejaVu Sans (the TTF file of Debian's
/// `fonts-dejavu-core`, its version in [`PROVENANCE_JSON`]): what `drawtext`
/// without `fontfile=` and `subtitles`/`ass` without a matching font draw
/// with, once it is at [`FONT_PATH`] in the job's filesystem.
pub static FONT_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The directory the module looks for its default font in (guest patches
/// `ffmpeg-0001` and `ffmpeg-0002` of the default profile).
pub const FONT_DIR: &str = "/usr/share/fonts/afmpeg";

/// Where the module opens [`FONT_TTF`]: `DejaVuSans.ttf` in [`FONT_DIR`].
pub const FONT_PATH: &str = "/usr/share/fonts/afmpeg/DejaVuSans.ttf";

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_shipped_module_is_the_one_its_provenance_records() {
        let wasm = wasm().expect("the shipped module");
        afmpeg_module_unpack::check_provenance(PROVENANCE_JSON, SHA256_HEX, &wasm, "default")
            .unwrap();
        assert!(PROVENANCE_JSON.contains("--enable-libass"));
    }

    #[test]
    fn the_font_is_the_one_its_build_recorded() {
        let sums = include_str!("../fonts/SHA256SUMS");
        let want = sums
            .lines()
            .find(|l| l.ends_with(" DejaVuSans.ttf"))
            .and_then(|l| l.split_whitespace().next())
            .expect("SHA256SUMS names DejaVuSans.ttf");
        let have: String = Sha256::digest(FONT_TTF)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(have, want);
        assert!(FONT_PATH.starts_with(FONT_DIR));
    }
}
