//! Loading a WebAssembly module: from bytes, or a memory-mapped file.
//!
//! A module is validated and compiled once (wasmi translates function
//! bodies lazily, on their first call, and with [`crate::Validation::Lazy`]
//! validates them then too), and its imports are checked against
//! what the WASI layer provides, so a wrong module is refused at load with an
//! error that names the problem instead of failing at instantiation.

use crate::error::{Error, Result};
use std::path::Path;
use std::sync::Arc;
use wasmi::{Engine, ExternType, Module};

/// Where module bytes come from.
///
/// ```no_run
/// use afmpeg::{ModuleSource, Runtime};
/// let from_file = Runtime::new(ModuleSource::File("/opt/app/ffmpeg.wasm".into()))?;
/// let bytes = std::fs::read("/opt/app/ffmpeg.wasm").expect("the module");
/// let from_bytes = Runtime::new(ModuleSource::Bytes(bytes.into()))?;
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Clone)]
pub enum ModuleSource {
    /// Bytes in memory.
    Bytes(Arc<[u8]>),
    /// A file, memory-mapped while it is compiled.
    File(std::path::PathBuf),
    /// A URL pinned by SHA-256, through a verified on-disk cache (see
    /// [`super::fetch`]).
    Url(super::fetch::UrlSource),
}

impl From<super::fetch::UrlSource> for ModuleSource {
    fn from(source: super::fetch::UrlSource) -> Self {
        ModuleSource::Url(source)
    }
}

impl std::fmt::Debug for ModuleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModuleSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            ModuleSource::File(p) => write!(f, "File({p:?})"),
            ModuleSource::Url(u) => write!(f, "Url({u:?})"),
        }
    }
}

/// The environment variable naming the module file to use by default.
///
/// ```
/// assert_eq!(afmpeg::engine::module::MODULE_ENV, "AFMPEG_MODULE");
/// ```
pub const MODULE_ENV: &str = "AFMPEG_MODULE";

/// The guest profiles whose module [`ModuleSource::default_location`]
/// looks for, in this order: the default profile (everyday jobs), then
/// lean (what `make guest` builds when no profile is named).
///
/// ```
/// assert_eq!(afmpeg::engine::module::DEFAULT_LOCATION_PROFILES, ["default", "lean"]);
/// ```
pub const DEFAULT_LOCATION_PROFILES: [&str; 2] = ["default", "lean"];

/// Where `make guest PROFILE=<profile>` leaves that profile's module:
/// `${XDG_CACHE_HOME:-$HOME/.cache}/afmpeg/guest/<profile>/ffmpeg.wasm`.
///
/// ```
/// if let Some(path) = afmpeg::engine::module::profile_module_path("lean") {
///     assert!(path.ends_with("afmpeg/guest/lean/ffmpeg.wasm"));
/// }
/// ```
pub fn profile_module_path(profile: &str) -> Option<std::path::PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))?;
    Some(cache.join("afmpeg/guest").join(profile).join("ffmpeg.wasm"))
}

impl ModuleSource {
    /// The module named by `AFMPEG_MODULE`, else the one `make guest` built
    /// for the first of [`DEFAULT_LOCATION_PROFILES`] that has one. Fails with [`Error::ModuleNotFound`] (saying how to build it) when
    /// there is neither, and when `AFMPEG_MODULE` names no file: a module
    /// asked for by name is never silently replaced by another one.
    ///
    /// ```no_run
    /// use afmpeg::{ModuleSource, Runtime};
    /// let runtime = Runtime::new(ModuleSource::default_location()?)?;
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn default_location() -> Result<ModuleSource> {
        let mut searched = Vec::new();
        if let Some(p) = std::env::var_os(MODULE_ENV).filter(|v| !v.is_empty()) {
            let p = std::path::PathBuf::from(p);
            if p.is_file() {
                return Ok(ModuleSource::File(p));
            }
            return Err(Error::ModuleNotFound {
                searched: format!("{MODULE_ENV}={} (no such file)", p.display()),
            });
        }
        for p in DEFAULT_LOCATION_PROFILES
            .iter()
            .filter_map(|p| profile_module_path(p))
        {
            if p.is_file() {
                return Ok(ModuleSource::File(p));
            }
            searched.push(p.display().to_string());
        }
        Err(Error::ModuleNotFound {
            searched: searched.join(", "),
        })
    }

    /// The module at `url`, pinned by its SHA-256 (64 hex digits), with the
    /// default cache directory and size cap; see
    /// [`super::fetch::UrlSource`] to change those.
    ///
    /// ```no_run
    /// use afmpeg::{ModuleSource, Runtime};
    /// let source = ModuleSource::url(
    ///     "https://example.com/ffmpeg.wasm",
    ///     "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e",
    /// )?;
    /// let runtime = Runtime::new(source)?;
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn url(url: impl Into<String>, sha256: &str) -> Result<ModuleSource> {
        let source = super::fetch::UrlSource::new(url, sha256)?;
        Ok(ModuleSource::Url(source))
    }

    /// A human-readable name for error messages.
    ///
    /// ```
    /// use afmpeg::ModuleSource;
    /// assert_eq!(ModuleSource::File("/m/ffmpeg.wasm".into()).origin(), "/m/ffmpeg.wasm");
    /// ```
    pub fn origin(&self) -> String {
        match self {
            ModuleSource::Bytes(b) => format!("<{} bytes in memory>", b.len()),
            ModuleSource::File(p) => p.display().to_string(),
            ModuleSource::Url(u) => u.url().to_owned(),
        }
    }
}

pub(super) fn compile(engine: &Engine, bytes: &[u8], origin: &str) -> Result<Module> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        let reason = if bytes.len() < 8 {
            format!("only {} bytes (truncated or empty)", bytes.len())
        } else {
            "missing the \\0asm magic number".to_owned()
        };
        return Err(Error::InvalidModule {
            origin: origin.to_owned(),
            reason,
        });
    }
    let module =
        Module::new(engine, bytes).map_err(|e| match super::proposals::unsupported(bytes) {
            Some(u) => Error::UnsupportedFeature {
                origin: origin.to_owned(),
                feature: u.feature,
                used_by: u.used_by,
                runs_on: u.runs_on,
            },
            None => Error::InvalidModule {
                origin: origin.to_owned(),
                reason: with_simd_hint(e.to_string()),
            },
        })?;
    check_imports(&module, origin)?;
    Ok(module)
}

/// A module built with `-msimd128` (`guest/build.sh --simd`) fails
/// validation unless wasmi's SIMD proposal is compiled in: say how to get it.
fn with_simd_hint(reason: String) -> String {
    if !cfg!(feature = "simd") && reason.contains("SIMD") {
        format!("{reason} (a -msimd128 module: build afmpeg with the `simd` cargo feature)")
    } else {
        reason
    }
}

/// Refuses a module that imports anything but preview1 functions.
///
/// ```
/// use afmpeg::engine::module::check_imports;
/// use afmpeg::Error;
/// // A module importing `env.f`: not a WASI preview1 function.
/// let wasm = [
///     0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
///     0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type 0: () -> ()
///     0x02, 0x09, 0x01, 0x03, b'e', b'n', b'v', 0x01, b'f', 0x00, 0x00, // import env.f
/// ];
/// let engine = wasmi::Engine::default();
/// let module = wasmi::Module::new(&engine, &wasm[..]).expect("a valid module");
/// let err = check_imports(&module, "test.wasm").unwrap_err();
/// assert!(
///     matches!(&err, Error::UnknownImport { module, name, .. } if module == "env" && name == "f"),
///     "{err}"
/// );
/// ```
pub fn check_imports(module: &Module, origin: &str) -> Result<()> {
    for import in module.imports() {
        let known = import.module() == wasi_shim::wasmi_link::MODULE
            && matches!(import.ty(), ExternType::Func(_))
            && wasi_shim::wasmi_link::FUNCTIONS.contains(&import.name());
        if !known {
            return Err(Error::UnknownImport {
                origin: origin.to_owned(),
                module: import.module().to_owned(),
                name: import.name().to_owned(),
            });
        }
    }
    Ok(())
}

/// Validates, compiles and checks the module from `source`.
///
/// ```no_run
/// use afmpeg::engine::module::load;
/// use afmpeg::ModuleSource;
///
/// # fn main() -> afmpeg::Result<()> {
/// let engine = wasmi::Engine::default();
/// let module = load(&engine, &ModuleSource::default_location()?)?;
/// assert!(module.exports().any(|e| e.name() == "_start"));
/// # Ok(())
/// # }
/// ```
pub fn load(engine: &Engine, source: &ModuleSource) -> Result<Module> {
    let origin = source.origin();
    with_bytes(source, |bytes| compile(engine, bytes, &origin))
}

/// Calls `f` with the bytes of the module from `source` (a file is
/// memory-mapped for the duration of the call).
pub(super) fn with_bytes<T>(
    source: &ModuleSource,
    f: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    match source {
        ModuleSource::Bytes(b) => f(b),
        ModuleSource::File(path) => {
            let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
            let len = file.metadata().map_err(|e| io_err(path, e))?.len();
            if len == 0 {
                return f(&[]);
            }
            // SAFETY: mapped read-only for the duration of `f` only; wasmi
            // copies what it keeps. A concurrent writer could make
            // validation fail, never memory-unsafe reads beyond the mapping.
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| io_err(path, e))?;
            f(&map)
        }
        ModuleSource::Url(u) => f(&u.load_bytes()?),
    }
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::ModuleIo {
        path: path.to_owned(),
        source,
    }
}
