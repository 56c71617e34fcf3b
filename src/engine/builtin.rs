//! The lean module shipped inside the `afmpeg-module-lean` crate (cargo
//! feature `builtin-module`): a module for apps that cannot, or do not want
//! to, build FFmpeg themselves.
//!
//! The crate holds the module compressed with zstd; it is decompressed and
//! checked against the SHA-256 its build recorded each time a source is
//! made here (about 0.2 s, see `docs/how-to/get-the-module.md`), so make one
//! [`Runtime`] and share it.

use super::module::ModuleSource;
use super::runtime::{Runtime, Validation};
use crate::error::{Error, Result};

/// How errors name the built-in module.
fn origin() -> String {
    format!(
        "the built-in lean module (afmpeg-module-lean, SHA-256 {})",
        afmpeg_module_lean::SHA256_HEX
    )
}

impl ModuleSource {
    /// The lean FFmpeg module built into the program, decompressed and
    /// verified against its recorded SHA-256 (an
    /// [`Error::InvalidModule`] if it does not match).
    ///
    /// ```
    /// use afmpeg::ModuleSource;
    /// let source = ModuleSource::builtin()?;
    /// assert!(matches!(source, ModuleSource::Bytes(_)));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builtin() -> Result<ModuleSource> {
        let bytes = afmpeg_module_lean::wasm().map_err(|e| Error::InvalidModule {
            origin: origin(),
            reason: e.to_string(),
        })?;
        Ok(ModuleSource::Bytes(bytes.into()))
    }
}

impl Runtime {
    /// A runtime for the lean FFmpeg module built into the program
    /// ([`ModuleSource::builtin`]), with [`Validation::Lazy`]: the bytes
    /// were just verified against the SHA-256 recorded when the module was
    /// built, like a pinned URL module.
    ///
    /// ```
    /// use afmpeg::{Filesystem, Runtime};
    /// let runtime = Runtime::builtin()?;
    /// let fs = Filesystem::new();
    /// let out = runtime.run(&fs, &["-f", "lavfi", "-i", "sine=duration=1", "/tone.ogg"])?;
    /// assert!(out.success(), "{}", out.stderr_text());
    /// let info = runtime.probe(&fs, "/tone.ogg")?;
    /// assert_eq!(info.streams.len(), 1);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builtin() -> Result<Runtime> {
        Runtime::builder(ModuleSource::builtin()?)
            .validation(Validation::Lazy)
            .build()
    }
}
