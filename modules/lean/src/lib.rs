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
//! `builtin-module` feature and call `afmpeg::Runtime::builtin()`. This
//! crate only hands out the module's bytes:
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

use sha2::{Digest, Sha256};

/// The module, compressed with zstd (`make update-builtin-module` writes it).
pub static COMPRESSED: &[u8] = include_bytes!("../ffmpeg.wasm.zst");

/// The build record of the module: profile, cache key of its recipe,
/// SHA-256, imports, and every source package with the hashes of its files
/// (its "corresponding source"). Written by `guest/tools/meta.py`.
pub static PROVENANCE_JSON: &str = include_str!("../provenance.json");

/// The SHA-256 of the module's bytes, as `guest/build.sh` recorded it, in
/// hex (the first field of `ffmpeg.wasm.sha256`, `sha256sum` format).
pub const SHA256_HEX: &str = sha256_field(include_str!("../ffmpeg.wasm.sha256"));

/// [`SHA256_HEX`] as bytes.
pub const SHA256: [u8; 32] = parse_hex(SHA256_HEX);

/// The largest module [`wasm`] decompresses: a frame header that declares
/// more is refused before anything is allocated.
const MAX_MODULE_SIZE: u64 = 64 << 20;

/// Why the module could not be handed out. Both mean the crate's files are
/// damaged or were replaced without `make update-builtin-module`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The compressed bytes are not one valid zstd frame that declares its
    /// size (at most 64 MiB) and decompresses to exactly that size.
    #[error("the built-in module does not decompress: {reason}")]
    Decompress {
        /// What the decoder reported.
        reason: String,
    },
    /// The decompressed bytes do not have the recorded SHA-256.
    #[error("the built-in module's SHA-256 is {actual}, its recorded SHA-256 is {expected}")]
    Checksum {
        /// [`SHA256_HEX`].
        expected: &'static str,
        /// The SHA-256 of what was decompressed, in hex.
        actual: String,
    },
}

/// The module's bytes, decompressed and verified against [`SHA256`].
pub fn wasm() -> Result<Vec<u8>, Error> {
    let bytes = decompress(COMPRESSED, MAX_MODULE_SIZE)?;
    verify(&bytes, &SHA256)?;
    Ok(bytes)
}

fn decompress(compressed: &[u8], max: u64) -> Result<Vec<u8>, Error> {
    let failed = |e: &dyn std::fmt::Display| Error::Decompress {
        reason: e.to_string(),
    };
    let mut decoder = ruzstd::decoding::FrameDecoder::new();
    decoder.init(compressed).map_err(|e| failed(&e))?;
    let size = decoder.content_size();
    if size == 0 || size > max {
        return Err(failed(&format_args!(
            "the frame declares {size} bytes (expected 1 to {max})"
        )));
    }
    // Exactly the declared capacity: the decoder never grows the vector, so
    // a frame that holds more than it declares is refused, not allocated.
    let capacity = usize::try_from(size).map_err(|e| failed(&e))?;
    let mut out = Vec::with_capacity(capacity);
    decoder
        .decode_all_to_vec(compressed, &mut out)
        .map_err(|e| failed(&e))?;
    if out.len() != capacity {
        return Err(failed(&format_args!(
            "{} bytes, the frame declares {capacity}",
            out.len()
        )));
    }
    Ok(out)
}

fn verify(bytes: &[u8], expected: &[u8; 32]) -> Result<(), Error> {
    let actual: [u8; 32] = Sha256::digest(bytes).into();
    if &actual != expected {
        return Err(Error::Checksum {
            expected: SHA256_HEX,
            actual: actual.iter().map(|b| format!("{b:02x}")).collect(),
        });
    }
    Ok(())
}

/// The hash of a `sha256sum` line: everything before the first space.
/// Checked at compile time: 64 lowercase hex digits.
const fn sha256_field(line: &str) -> &str {
    let bytes = line.as_bytes();
    assert!(
        bytes.len() > 64 && bytes[64] == b' ',
        "ffmpeg.wasm.sha256: not a sha256sum line"
    );
    let (field, _) = line.split_at(64);
    field
}

const fn parse_hex(hex: &str) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("ffmpeg.wasm.sha256: not lowercase hex"),
        }
    }
    let hex = hex.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = digit(hex[2 * i]) << 4 | digit(hex[2 * i + 1]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_module_decompresses_and_verifies() {
        let wasm = wasm().expect("the shipped module");
        assert!(PROVENANCE_JSON.contains(&format!("\"size\": {},", wasm.len())));
        assert_eq!(&wasm[..8], b"\0asm\x01\0\0\0");
    }

    #[test]
    fn the_recorded_hash_is_the_provenance_hash() {
        let field = format!("\"sha256\": \"{SHA256_HEX}\"");
        let module_record = PROVENANCE_JSON
            .split("\"sources\"")
            .next()
            .expect("provenance.json has a module record");
        assert!(
            module_record.contains(&field),
            "provenance.json's module sha256 is not {SHA256_HEX}"
        );
    }

    #[test]
    fn a_changed_byte_is_a_checksum_error() {
        let mut wasm = wasm().unwrap();
        wasm[100] ^= 1;
        match verify(&wasm, &SHA256) {
            Err(Error::Checksum { expected, actual }) => {
                assert_eq!(expected, SHA256_HEX);
                assert_eq!(actual.len(), 64);
                assert_ne!(actual, SHA256_HEX);
            }
            other => panic!("expected a checksum error, got {other:?}"),
        }
    }

    #[test]
    fn damaged_compressed_bytes_are_a_decompress_error() {
        let mut damaged = COMPRESSED.to_vec();
        damaged[..4].copy_from_slice(b"nope");
        assert!(matches!(
            decompress(&damaged, MAX_MODULE_SIZE),
            Err(Error::Decompress { .. })
        ));
        let truncated = &COMPRESSED[..COMPRESSED.len() / 2];
        assert!(matches!(
            decompress(truncated, MAX_MODULE_SIZE),
            Err(Error::Decompress { .. })
        ));
    }

    #[test]
    fn a_frame_declaring_more_than_the_cap_is_refused() {
        let size = wasm().unwrap().len() as u64;
        let err = decompress(COMPRESSED, size - 1).unwrap_err();
        assert!(
            err.to_string().contains(&format!("declares {size} bytes")),
            "{err}"
        );
    }

    #[test]
    fn parse_hex_reads_the_hash() {
        assert_eq!(parse_hex(&"0f".repeat(32)), [0x0f; 32]);
        assert_eq!(
            sha256_field(&format!("{}  ffmpeg.wasm\n", "ab".repeat(32))),
            "ab".repeat(32)
        );
    }
}
