//! The modules shipped inside crates, for apps that cannot, or do not want
//! to, build FFmpeg themselves: the default module (`afmpeg-module-default`,
//! cargo feature `builtin-module`) with its font, and the lean one
//! (`afmpeg-module-lean`, feature `builtin-module-lean`).
//!
//! A crate holds its module compressed with zstd; it is decompressed and
//! checked against the SHA-256 its build recorded each time a source is
//! made here (see `docs/how-to/get-the-module.md`), so make one [`Runtime`]
//! and share it.

use super::module::ModuleSource;
use super::runtime::{Runtime, RuntimeBuilder, Validation};
use crate::error::{Error, Result};

/// A module crate's bytes as a source; `name` and `sha256` say which for
/// errors.
fn source<E: std::fmt::Display>(
    wasm: std::result::Result<Vec<u8>, E>,
    name: &str,
    sha256: &str,
) -> Result<ModuleSource> {
    let bytes = wasm.map_err(|e| Error::InvalidModule {
        origin: format!("the built-in {name} module (afmpeg-module-{name}, SHA-256 {sha256})"),
        reason: e.to_string(),
    })?;
    Ok(ModuleSource::Bytes(bytes.into()))
}

#[cfg(feature = "builtin-module")]
impl ModuleSource {
    /// The default FFmpeg module built into the program (crate
    /// `afmpeg-module-default`), decompressed and verified against its
    /// recorded SHA-256 (an [`Error::InvalidModule`] if it does not match).
    /// Its `drawtext` and `subtitles` need its font in the job's filesystem:
    /// [`Runtime::builtin`] mounts it.
    ///
    /// ```
    /// use afmpeg::ModuleSource;
    /// let source = ModuleSource::builtin()?;
    /// assert!(matches!(source, ModuleSource::Bytes(_)));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builtin() -> Result<ModuleSource> {
        source(
            afmpeg_module_default::wasm(),
            "default",
            afmpeg_module_default::SHA256_HEX,
        )
    }
}

#[cfg(feature = "builtin-module-lean")]
impl ModuleSource {
    /// The lean FFmpeg module built into the program (crate
    /// `afmpeg-module-lean`: fewer components, a third of the size, faster
    /// to load), decompressed and verified against its recorded SHA-256.
    ///
    /// ```
    /// use afmpeg::ModuleSource;
    /// let source = ModuleSource::builtin_lean()?;
    /// assert!(matches!(source, ModuleSource::Bytes(_)));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builtin_lean() -> Result<ModuleSource> {
        source(
            afmpeg_module_lean::wasm(),
            "lean",
            afmpeg_module_lean::SHA256_HEX,
        )
    }
}

#[cfg(feature = "builtin-module")]
impl Runtime {
    /// A runtime for the default FFmpeg module built into the program
    /// ([`ModuleSource::builtin`]), with its font mounted read-only where
    /// the module looks for it (`/usr/share/fonts/afmpeg/DejaVuSans.ttf`),
    /// so `drawtext` without `fontfile=` and `subtitles` draw text with no
    /// font from the user. [`Validation::Lazy`]: the bytes were just
    /// verified against the SHA-256 recorded when the module was built, like
    /// a pinned URL module.
    ///
    /// ```
    /// use afmpeg::{Filesystem, Runtime};
    /// let runtime = Runtime::builtin()?;
    /// let fs = Filesystem::new();
    /// let out = runtime.run(&fs, &["-f", "lavfi", "-i", "color=black:size=64x48:duration=0.1",
    ///     "-vf", "drawtext=text=Hi:fontcolor=white", "-frames:v", "1", "/hi.png"])?;
    /// assert!(out.success(), "{}", out.stderr_text());
    /// assert!(!fs.exists("/usr/share/fonts/afmpeg")); // mounted, not copied into `fs`
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builtin() -> Result<Runtime> {
        Runtime::builtin_builder()?.build()
    }

    /// What [`Runtime::builtin`] builds, as a [`RuntimeBuilder`] to adjust
    /// first (its engine, say): the default module, its font mounted,
    /// [`Validation::Lazy`]. Bindings that let their users pick an engine
    /// start here, so the font comes with the module whatever they choose.
    ///
    /// ```
    /// use afmpeg::{Engine, Runtime};
    /// let runtime = Runtime::builtin_builder()?.engine(Engine::Interpreter).build()?;
    /// assert_eq!(runtime.engine(), Engine::Interpreter);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builtin_builder() -> Result<RuntimeBuilder> {
        let fonts = wasi_shim::fs::Filesystem::new();
        let name = &afmpeg_module_default::FONT_PATH[afmpeg_module_default::FONT_DIR.len()..];
        fonts.write(name, afmpeg_module_default::FONT_TTF)?;
        Ok(Runtime::builder(ModuleSource::builtin()?)
            .validation(Validation::Lazy)
            .mount(super::companion::FONT_DIR, fonts))
    }
}

#[cfg(feature = "builtin-module-lean")]
impl Runtime {
    /// A runtime for the lean FFmpeg module built into the program
    /// ([`ModuleSource::builtin_lean`]), with [`Validation::Lazy`].
    ///
    /// ```
    /// use afmpeg::{Filesystem, Runtime};
    /// let runtime = Runtime::builtin_lean()?;
    /// let fs = Filesystem::new();
    /// let out = runtime.run(&fs, &["-f", "lavfi", "-i", "sine=duration=1", "/tone.ogg"])?;
    /// assert!(out.success(), "{}", out.stderr_text());
    /// let info = runtime.probe(&fs, "/tone.ogg")?;
    /// assert_eq!(info.streams.len(), 1);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builtin_lean() -> Result<Runtime> {
        Runtime::builder(ModuleSource::builtin_lean()?)
            .validation(Validation::Lazy)
            .build()
    }
}
