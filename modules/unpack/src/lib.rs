//! # afmpeg-module-unpack
//!
//! What the crates that ship an FFmpeg module for
//! [afmpeg](https://docs.rs/afmpeg) inside themselves (`afmpeg-module-lean`,
//! `afmpeg-module-default`) share: [`unpack`] decompresses the module (one
//! zstd frame that declares its size) and checks it against the SHA-256
//! its build recorded; [`sha256_field`] and [`parse_hex`] read that record
//! at compile time; [`shipped_module!`] declares a module crate's public
//! items over its files, and [`check_provenance`] is its test that the
//! files agree. A mismatch is an [`Error`], never a different module.
//!
//! ```
//! const HEX: &str = afmpeg_module_unpack::sha256_field(
//!     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  test\n",
//! );
//! const SHA256: [u8; 32] = afmpeg_module_unpack::parse_hex(HEX);
//! // "test", compressed by `zstd -19 --no-check` (the frame declares 4 bytes)
//! let frame = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x04, 0x21, 0x00, 0x00, b't', b'e', b's', b't'];
//! assert_eq!(afmpeg_module_unpack::unpack(&frame, &SHA256, HEX)?, b"test");
//! # Ok::<(), afmpeg_module_unpack::Error>(())
//! ```

#![deny(missing_docs)]

use sha2::{Digest, Sha256};

/// The largest module [`unpack`] decompresses: a frame header that declares
/// more is refused before anything is allocated.
pub const MAX_MODULE_SIZE: u64 = 64 << 20;

/// Why a shipped module could not be handed out. Both mean the crate's
/// files are damaged or were replaced without `make update-builtin-module`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The compressed bytes are not one valid zstd frame that declares its
    /// size (at most [`MAX_MODULE_SIZE`]) and decompresses to exactly that
    /// size.
    #[error("the built-in module does not decompress: {reason}")]
    Decompress {
        /// What the decoder reported.
        reason: String,
    },
    /// The decompressed bytes do not have the recorded SHA-256.
    #[error("the built-in module's SHA-256 is {actual}, its recorded SHA-256 is {expected}")]
    Checksum {
        /// The recorded SHA-256, in hex.
        expected: &'static str,
        /// The SHA-256 of what was decompressed, in hex.
        actual: String,
    },
}

/// `compressed` decompressed and verified against `expected` (whose hex
/// form, for the error, is `expected_hex`).
///
/// ```
/// let err = afmpeg_module_unpack::unpack(b"not zstd", &[0; 32], "00").unwrap_err();
/// assert!(matches!(err, afmpeg_module_unpack::Error::Decompress { .. }));
/// ```
pub fn unpack(
    compressed: &[u8],
    expected: &[u8; 32],
    expected_hex: &'static str,
) -> Result<Vec<u8>, Error> {
    let bytes = decompress(compressed, MAX_MODULE_SIZE)?;
    verify(&bytes, expected, expected_hex)?;
    Ok(bytes)
}

/// `compressed`, one zstd frame declaring its size (1 to `max` bytes),
/// decompressed; nothing beyond the declared size is ever allocated.
///
/// ```
/// let frame = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x04, 0x21, 0x00, 0x00, b't', b'e', b's', b't'];
/// assert!(afmpeg_module_unpack::decompress(&frame, 3).is_err()); // declares 4
/// assert_eq!(afmpeg_module_unpack::decompress(&frame, 4)?, b"test");
/// # Ok::<(), afmpeg_module_unpack::Error>(())
/// ```
pub fn decompress(compressed: &[u8], max: u64) -> Result<Vec<u8>, Error> {
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

/// An [`Error::Checksum`] unless `bytes` hash to `expected`.
///
/// ```
/// let err = afmpeg_module_unpack::verify(b"test", &[0; 32], "00").unwrap_err();
/// assert!(err.to_string().contains("9f86d081"), "{err}");
/// ```
pub fn verify(bytes: &[u8], expected: &[u8; 32], expected_hex: &'static str) -> Result<(), Error> {
    let actual: [u8; 32] = Sha256::digest(bytes).into();
    if &actual != expected {
        return Err(Error::Checksum {
            expected: expected_hex,
            actual: actual.iter().map(|b| format!("{b:02x}")).collect(),
        });
    }
    Ok(())
}

/// The hash of a `sha256sum` line: everything before the first space.
/// Checked at compile time when used in a `const`: 64 characters, then a
/// space.
///
/// ```
/// let line = format!("{}  ffmpeg.wasm\n", "ab".repeat(32));
/// assert_eq!(afmpeg_module_unpack::sha256_field(&line), "ab".repeat(32));
/// ```
pub const fn sha256_field(line: &str) -> &str {
    let bytes = line.as_bytes();
    assert!(
        bytes.len() > 64 && bytes[64] == b' ',
        "ffmpeg.wasm.sha256: not a sha256sum line"
    );
    let (field, _) = line.split_at(64);
    field
}

/// 64 lowercase hex digits as 32 bytes (a compile-time error in a `const`
/// for anything else).
///
/// ```
/// assert_eq!(afmpeg_module_unpack::parse_hex(&"0f".repeat(32)), [0x0f; 32]);
/// ```
pub const fn parse_hex(hex: &str) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("ffmpeg.wasm.sha256: not lowercase hex"),
        }
    }
    let hex = hex.as_bytes();
    assert!(hex.len() == 64, "ffmpeg.wasm.sha256: not 64 hex digits");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = digit(hex[2 * i]) << 4 | digit(hex[2 * i + 1]);
        i += 1;
    }
    out
}

/// Declares a module crate's items over the files `make
/// update-builtin-module` writes into it: `COMPRESSED` (`ffmpeg.wasm.zst`),
/// `PROVENANCE_JSON` (`provenance.json`), `SHA256_HEX` and `SHA256`
/// (`ffmpeg.wasm.sha256`) and `wasm()`, which [`unpack`]s the module. For
/// `afmpeg-module-lean` and `afmpeg-module-default`; the files are read at
/// compile time from the invoking crate's directory.
///
/// In the module crate's `lib.rs` (its doc test is the crate's own: this
/// crate has no module files to read):
///
/// ```text
/// afmpeg_module_unpack::shipped_module!();
/// // pub static COMPRESSED, PROVENANCE_JSON; pub const SHA256_HEX, SHA256;
/// // pub fn wasm() -> Result<Vec<u8>, Error>
/// ```
#[macro_export]
macro_rules! shipped_module {
    () => {
        pub use $crate::Error;

        /// The module, compressed with zstd (`make update-builtin-module`
        /// writes it).
        pub static COMPRESSED: &[u8] =
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/ffmpeg.wasm.zst"));

        /// The build record of the module: profile, cache key of its recipe,
        /// SHA-256, imports, configure lines, and every source package with
        /// the hashes of its files (its "corresponding source"). Written by
        /// `guest/tools/meta.py`.
        pub static PROVENANCE_JSON: &str =
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/provenance.json"));

        /// The SHA-256 of the module's bytes, as `guest/build.sh` recorded
        /// it, in hex (the first field of `ffmpeg.wasm.sha256`, `sha256sum`
        /// format).
        pub const SHA256_HEX: &str = $crate::sha256_field(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/ffmpeg.wasm.sha256"
        )));

        /// [`SHA256_HEX`] as bytes.
        pub const SHA256: [u8; 32] = $crate::parse_hex(SHA256_HEX);

        /// The module's bytes, decompressed and verified against [`SHA256`].
        pub fn wasm() -> Result<Vec<u8>, Error> {
            $crate::unpack(COMPRESSED, &SHA256, SHA256_HEX)
        }
    };
}

/// A module crate's test: `provenance_json` records the module `wasm`
/// (its size and `sha256_hex`, in the module record before the sources) of
/// guest profile `profile`, and `wasm` is a WebAssembly 1 binary. The
/// error says which does not hold.
///
/// ```
/// let record = r#"{"profile": "lean", "module": {"size": 8, "sha256": "ab"}, "sources": []}"#;
/// let wasm = b"\0asm\x01\0\0\0";
/// assert!(afmpeg_module_unpack::check_provenance(record, "ab", wasm, "lean").is_ok());
/// assert!(afmpeg_module_unpack::check_provenance(record, "ab", wasm, "default").is_err());
/// ```
pub fn check_provenance(
    provenance_json: &str,
    sha256_hex: &str,
    wasm: &[u8],
    profile: &str,
) -> Result<(), String> {
    let module_record = provenance_json
        .split("\"sources\"")
        .next()
        .unwrap_or_default();
    let wants = [
        format!("\"profile\": \"{profile}\""),
        format!("\"size\": {},", wasm.len()),
        format!("\"sha256\": \"{sha256_hex}\""),
    ];
    if let Some(missing) = wants.iter().find(|w| !module_record.contains(w.as_str())) {
        return Err(format!("provenance.json's module record lacks {missing}"));
    }
    if !wasm.starts_with(b"\0asm\x01\0\0\0") {
        return Err("not a WebAssembly 1 binary".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "test" compressed by `zstd -19 --no-check`.
    const FRAME: [u8; 13] = [
        0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x04, 0x21, 0x00, 0x00, b't', b'e', b's', b't',
    ];
    const HEX: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn a_good_frame_unpacks_to_its_bytes() {
        assert_eq!(unpack(&FRAME, &parse_hex(HEX), HEX).unwrap(), b"test");
    }

    #[test]
    fn a_changed_byte_is_a_checksum_error() {
        let mut frame = FRAME;
        frame[9] = b'b';
        match unpack(&frame, &parse_hex(HEX), HEX) {
            Err(Error::Checksum { expected, actual }) => {
                assert_eq!(expected, HEX);
                assert_eq!(actual.len(), 64);
                assert_ne!(actual, HEX);
            }
            other => panic!("expected a checksum error, got {other:?}"),
        }
    }

    #[test]
    fn damaged_or_truncated_frames_are_decompress_errors() {
        let mut damaged = FRAME;
        damaged[..4].copy_from_slice(b"nope");
        assert!(matches!(
            decompress(&damaged, MAX_MODULE_SIZE),
            Err(Error::Decompress { .. })
        ));
        assert!(matches!(
            decompress(&FRAME[..11], MAX_MODULE_SIZE),
            Err(Error::Decompress { .. })
        ));
    }

    #[test]
    fn a_frame_declaring_more_than_the_cap_is_refused() {
        let err = decompress(&FRAME, 3).unwrap_err();
        assert!(err.to_string().contains("declares 4 bytes"), "{err}");
    }
}
