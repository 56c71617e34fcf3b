//! Modules fetched from a URL, pinned by SHA-256, kept in a verified cache.
//!
//! A [`UrlSource`] names a module by URL **and** by the SHA-256 of its bytes.
//! The pin is required: bytes whose digest differs are refused, whether they
//! come from the network or from the cache. Loading goes:
//!
//! 1. If the cache directory holds `<sha256>.wasm`, read it and hash it
//!    again. A good copy is used as is, without any network access; a
//!    corrupted one is deleted and never used.
//! 2. Otherwise download the URL over HTTP(S) (rustls for `https://`),
//!    refusing a `Content-Length` above the size cap before reading anything
//!    and stopping the stream as soon as it passes the cap.
//! 3. Check the SHA-256 of the downloaded bytes against the pin; only
//!    matching bytes are written to the cache, through a temporary file in
//!    the cache directory renamed into place, so a reader never sees a
//!    partial entry.
//! 4. Compile the verified bytes exactly as [`crate::ModuleSource::Bytes`]
//!    would.
//!
//! Downloading needs the `fetch` cargo feature (off by default). Without it a
//! `UrlSource` still loads from a cache that already holds a good copy, and
//! fails with [`Error::Fetch`] otherwise.
//!
//! ```no_run
//! use afmpeg::engine::fetch::UrlSource;
//! use afmpeg::Runtime;
//!
//! let source = UrlSource::new(
//!     "https://example.com/afmpeg/ffmpeg.wasm",
//!     "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e",
//! )?
//! .with_cache_dir("/var/cache/afmpeg")
//! .with_max_bytes(128 << 20);
//! let runtime = Runtime::new(source.into())?;
//! # Ok::<(), afmpeg::Error>(())
//! ```

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The default size cap of a downloaded module: 64 MiB (the full FFmpeg
/// module is about 10 MiB).
///
/// ```
/// use afmpeg::engine::fetch::{UrlSource, DEFAULT_MAX_BYTES};
/// let pin = "00".repeat(32);
/// assert_eq!(UrlSource::new("https://example.com/m.wasm", &pin)?.max_bytes(), DEFAULT_MAX_BYTES);
/// # Ok::<(), afmpeg::Error>(())
/// ```
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;

/// A module at a URL, pinned by the SHA-256 of its bytes.
///
/// Build it with [`UrlSource::new`] (which checks the pin and the URL's
/// scheme), adjust it with [`with_cache_dir`](UrlSource::with_cache_dir) and
/// [`with_max_bytes`](UrlSource::with_max_bytes), and turn it into a
/// [`crate::ModuleSource`] with `.into()`.
///
/// ```
/// use afmpeg::engine::fetch::UrlSource;
/// use afmpeg::ModuleSource;
/// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
/// let source: ModuleSource = UrlSource::new("https://example.com/ffmpeg.wasm", pin)?
///     .with_max_bytes(32 << 20)
///     .into();
/// assert!(matches!(source, ModuleSource::Url(_)));
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UrlSource {
    url: String,
    sha256: [u8; 32],
    cache_dir: Option<PathBuf>,
    max_bytes: u64,
}

impl std::fmt::Debug for UrlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlSource")
            .field("url", &self.url)
            .field("sha256", &self.sha256_hex())
            .field("cache_dir", &self.cache_dir)
            .field("max_bytes", &self.max_bytes)
            .finish()
    }
}

impl UrlSource {
    /// A module at `url` (`http://` or `https://`) whose bytes have the
    /// SHA-256 `sha256`: 64 hexadecimal digits, either case.
    ///
    /// The pin is checked here, before anything touches the network: a pin
    /// that is not 64 hex digits is [`Error::InvalidPin`]; a URL of another
    /// scheme is [`Error::Fetch`].
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// use afmpeg::Error;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// assert!(UrlSource::new("https://example.com/ffmpeg.wasm", pin).is_ok());
    /// assert!(matches!(UrlSource::new("https://example.com/ffmpeg.wasm", "abc"), Err(Error::InvalidPin { .. })));
    /// assert!(matches!(UrlSource::new("ftp://example.com/ffmpeg.wasm", pin), Err(Error::Fetch { .. })));
    /// ```
    pub fn new(url: impl Into<String>, sha256: &str) -> Result<Self> {
        let url = url.into();
        let sha256 = parse_sha256(sha256)?;
        let scheme_ok = ["http://", "https://"].iter().any(|s| {
            url.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
                && url.len() > s.len()
        });
        if !scheme_ok {
            return Err(Error::Fetch {
                url,
                status: None,
                reason: "not an http:// or https:// URL".to_owned(),
            });
        }
        Ok(UrlSource {
            url,
            sha256,
            cache_dir: None,
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    /// Keeps verified downloads in `dir` (created when needed) instead of
    /// [`default_cache_dir`].
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// let s = UrlSource::new("https://example.com/m.wasm", pin)?.with_cache_dir("/var/cache/app");
    /// assert_eq!(s.cache_path()?, std::path::Path::new(&format!("/var/cache/app/{pin}.wasm")));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Refuses a module larger than `bytes` (default [`DEFAULT_MAX_BYTES`]).
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// assert_eq!(UrlSource::new("https://example.com/m.wasm", pin)?.with_max_bytes(1 << 20).max_bytes(), 1 << 20);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// The URL.
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// assert_eq!(UrlSource::new("https://example.com/m.wasm", pin)?.url(), "https://example.com/m.wasm");
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pin, as 64 lowercase hex digits.
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// let upper = pin.to_ascii_uppercase();
    /// assert_eq!(UrlSource::new("https://example.com/m.wasm", &upper)?.sha256_hex(), pin);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }

    /// The size cap in bytes.
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// use afmpeg::engine::fetch::DEFAULT_MAX_BYTES;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// assert_eq!(UrlSource::new("https://example.com/m.wasm", pin)?.max_bytes(), DEFAULT_MAX_BYTES);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The cache directory: the one given, else [`default_cache_dir`].
    /// Fails with [`Error::Config`] when none was given and the platform
    /// has no cache directory (no `AFMPEG_CACHE`, `XDG_CACHE_HOME` nor home
    /// directory).
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// let s = UrlSource::new("https://example.com/m.wasm", pin)?.with_cache_dir("/srv/modules");
    /// assert_eq!(s.cache_dir()?, std::path::Path::new("/srv/modules"));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn cache_dir(&self) -> Result<PathBuf> {
        match &self.cache_dir {
            Some(d) => Ok(d.clone()),
            None => default_cache_dir().ok_or_else(|| {
                Error::Config(
                    "no cache directory for downloaded modules: AFMPEG_CACHE and XDG_CACHE_HOME \
                     are unset and the platform has none (set one, or use UrlSource::with_cache_dir)"
                        .to_owned(),
                )
            }),
        }
    }

    /// Where the verified module is cached: `<cache dir>/<sha256>.wasm`.
    ///
    /// ```
    /// use afmpeg::engine::fetch::UrlSource;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// let s = UrlSource::new("https://example.com/m.wasm", pin)?.with_cache_dir("/srv/modules");
    /// assert!(s.cache_path()?.ends_with(format!("{pin}.wasm")));
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn cache_path(&self) -> Result<PathBuf> {
        Ok(self
            .cache_dir()?
            .join(format!("{}.wasm", self.sha256_hex())))
    }

    /// The module's bytes, verified against the pin: from the cache when it
    /// holds a good copy, else downloaded, verified and cached.
    ///
    /// Errors: [`Error::Fetch`] (network failure or HTTP status),
    /// [`Error::ModuleTooLarge`], [`Error::ChecksumMismatch`] (nothing is
    /// cached then), [`Error::ModuleCache`] (the cache could not be read or
    /// written).
    ///
    /// ```no_run
    /// use afmpeg::engine::fetch::UrlSource;
    /// use afmpeg::engine::fetch::sha256_hex;
    /// let pin = "4f6c9a2e0b1d8c7e5a3f2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    /// let bytes = UrlSource::new("https://example.com/ffmpeg.wasm", pin)?.load_bytes()?;
    /// assert_eq!(sha256_hex(&bytes), pin);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn load_bytes(&self) -> Result<Vec<u8>> {
        let dir = self.cache_dir()?;
        let path = dir.join(format!("{}.wasm", self.sha256_hex()));
        if let Some(bytes) = self.read_cached(&path)? {
            return Ok(bytes);
        }
        let bytes = self.download()?;
        let actual = sha256(&bytes);
        if actual != self.sha256 {
            return Err(Error::ChecksumMismatch {
                url: self.url.clone(),
                expected: self.sha256_hex(),
                actual: hex(&actual),
            });
        }
        write_atomically(&dir, &path, &bytes)?;
        Ok(bytes)
    }

    /// A good cached copy, or `None` (absent, above the cap, or corrupted —
    /// a corrupted entry is deleted).
    fn read_cached(&self, path: &Path) -> Result<Option<Vec<u8>>> {
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(cache_err(path, e)),
        };
        let len = file.metadata().map_err(|e| cache_err(path, e))?.len();
        if len > self.max_bytes {
            // Left in place (a later load with a larger cap may use it); the
            // download that follows enforces the cap.
            return Ok(None);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // Read at most one byte past the cap, in case the file grew.
        (&mut file)
            .take(self.max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| cache_err(path, e))?;
        drop(file);
        // The bytes compiled are the bytes verified: no re-read after this.
        if sha256(&bytes) == self.sha256 {
            return Ok(Some(bytes));
        }
        match std::fs::remove_file(path) {
            Ok(()) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(cache_err(path, e)),
        }
    }

    #[cfg(feature = "fetch")]
    fn download(&self) -> Result<Vec<u8>> {
        use std::time::Duration;
        let fetch_err = |status: Option<u16>, reason: String| Error::Fetch {
            url: self.url.clone(),
            status,
            reason,
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut response = agent
            .get(&self.url)
            .call()
            .map_err(|e| fetch_err(None, e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let reason = match status.canonical_reason() {
                Some(r) => format!("HTTP status {} {r}", status.as_u16()),
                None => format!("HTTP status {}", status.as_u16()),
            };
            return Err(fetch_err(Some(status.as_u16()), reason));
        }
        let declared = response.body().content_length();
        if let Some(size) = declared.filter(|&n| n > self.max_bytes) {
            return Err(Error::ModuleTooLarge {
                url: self.url.clone(),
                limit: self.max_bytes,
                size: Some(size),
            });
        }
        let capacity = declared.unwrap_or(1 << 20).min(self.max_bytes);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let mut reader = response.body_mut().as_reader().take(self.max_bytes + 1);
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| fetch_err(Some(status.as_u16()), e.to_string()))?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(Error::ModuleTooLarge {
                url: self.url.clone(),
                limit: self.max_bytes,
                size: None,
            });
        }
        Ok(bytes)
    }

    #[cfg(not(feature = "fetch"))]
    fn download(&self) -> Result<Vec<u8>> {
        Err(Error::Fetch {
            url: self.url.clone(),
            status: None,
            reason: "not in the module cache, and afmpeg was built without the `fetch` feature"
                .to_owned(),
        })
    }
}

/// The environment variable naming afmpeg's cache directory, on every
/// platform (downloaded modules go to its `modules/` directory).
///
/// ```
/// assert_eq!(afmpeg::engine::fetch::CACHE_ENV, "AFMPEG_CACHE");
/// ```
pub const CACHE_ENV: &str = "AFMPEG_CACHE";

/// Where downloaded modules are cached by default: `modules/` in afmpeg's
/// cache directory, the first of
///
/// 1. `$AFMPEG_CACHE`;
/// 2. `$XDG_CACHE_HOME/afmpeg` (any platform, when set to an absolute path);
/// 3. the platform's cache directory + `afmpeg` (the `dirs` crate):
///    `~/.cache/afmpeg` on Linux and the BSDs, `~/Library/Caches/afmpeg` on
///    macOS and iOS, `%LOCALAPPDATA%\afmpeg` on Windows.
///
/// `None` when there is none of these (no home directory).
///
/// ```
/// if let Some(dir) = afmpeg::engine::fetch::default_cache_dir() {
///     assert!(dir.ends_with("modules"));
/// }
/// ```
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name);
    modules_dir(var(CACHE_ENV), var("XDG_CACHE_HOME"), dirs::cache_dir)
}

/// [`default_cache_dir`] from the values of `AFMPEG_CACHE` and
/// `XDG_CACHE_HOME` and the platform's cache directory.
fn modules_dir(
    afmpeg_cache: Option<std::ffi::OsString>,
    xdg_cache_home: Option<std::ffi::OsString>,
    platform: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    let set = |v: Option<std::ffi::OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    let root = set(afmpeg_cache).or_else(|| {
        set(xdg_cache_home)
            // The XDG specification ignores a relative path.
            .filter(|p| p.is_absolute())
            .or_else(platform)
            .map(|c| c.join("afmpeg"))
    })?;
    Some(root.join("modules"))
}

/// The SHA-256 of `bytes` as 64 lowercase hex digits: the pin to give
/// [`UrlSource::new`] for a module file you trust.
///
/// ```
/// use afmpeg::engine::fetch::sha256_hex;
/// assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256(bytes))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    out
}

pub(super) fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

fn parse_sha256(pin: &str) -> Result<[u8; 32]> {
    let invalid = |reason: String| Error::InvalidPin {
        pin: pin.to_owned(),
        reason,
    };
    let digits = pin.as_bytes();
    if digits.len() != 64 {
        return Err(invalid(format!(
            "{} characters, expected 64 hexadecimal digits",
            pin.chars().count()
        )));
    }
    let mut out = [0u8; 32];
    base16ct::mixed::decode(digits, &mut out).map_err(|_| {
        invalid("not a hexadecimal number (expected 64 digits 0-9, a-f)".to_owned())
    })?;
    Ok(out)
}

/// Writes `bytes` to `path` in the cache directory `dir` (created if
/// missing) so that the entry is either absent or complete: wasi-shim's
/// atomic replacement, the one every host write of afmpeg goes through.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| cache_err(dir, e))?;
    wasi_shim::write_file_atomically(path, bytes).map_err(|e| cache_err(path, e))
}

fn cache_err(path: &Path, source: std::io::Error) -> Error {
    Error::ModuleCache {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_directory_is_chosen_in_order() {
        let os = |s: &str| Some(std::ffi::OsString::from(s));
        let mac = || Some(PathBuf::from("/Users/me/Library/Caches"));
        assert_eq!(
            modules_dir(os("/srv/afmpeg"), os("/xdg"), mac),
            Some(PathBuf::from("/srv/afmpeg/modules"))
        );
        assert_eq!(
            modules_dir(None, os("/xdg"), mac),
            Some(PathBuf::from("/xdg/afmpeg/modules"))
        );
        // Empty means unset; a relative XDG_CACHE_HOME is ignored.
        for xdg in [os(""), os("relative/cache"), None] {
            assert_eq!(
                modules_dir(os(""), xdg, mac),
                Some(PathBuf::from("/Users/me/Library/Caches/afmpeg/modules"))
            );
        }
        assert_eq!(modules_dir(None, None, || None), None);
    }

    #[test]
    fn pins_are_parsed_and_normalised() {
        let upper = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        let s = UrlSource::new("http://127.0.0.1/m.wasm", upper).unwrap();
        assert_eq!(s.sha256_hex(), upper.to_ascii_lowercase());
        assert_eq!(sha256_hex(b""), upper.to_ascii_lowercase());
    }

    #[test]
    fn bad_pins_and_schemes_are_refused() {
        for pin in [
            "",
            "abc",
            &"g".repeat(64),
            &"a".repeat(63),
            &"a".repeat(65),
            &"é".repeat(32),
        ] {
            assert!(
                matches!(
                    UrlSource::new("https://x/m.wasm", pin),
                    Err(Error::InvalidPin { .. })
                ),
                "{pin:?}"
            );
        }
        let pin = "0".repeat(64);
        for url in ["ftp://x/m.wasm", "/tmp/m.wasm", "http://", "file:///m.wasm"] {
            assert!(
                matches!(
                    UrlSource::new(url, &pin),
                    Err(Error::Fetch { status: None, .. })
                ),
                "{url}"
            );
        }
        assert!(UrlSource::new("HTTPS://x/m.wasm", &pin).is_ok());
    }
}
