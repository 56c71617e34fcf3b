//! Which tier runs a [`Runtime`](super::Runtime)'s jobs, and how the default
//! is chosen.
//!
//! The native tier runs one module only: the FFmpeg build translated to C
//! and compiled into this binary (cargo feature `native`). A loaded module
//! *is* that one exactly when its bytes hash to the SHA-256 recorded at
//! build time; any other module runs on the interpreter.
//! docs/explanation/native-tier.md says when to pick which.

use crate::error::{Error, NativeUnavailable, Result};
use std::fmt;
use std::str::FromStr;

/// The tier a [`Runtime`](super::Runtime) runs its jobs on.
///
/// ```
/// use afmpeg::engine::Engine;
/// let engine: Engine = "interpreter".parse()?;
/// assert_eq!(engine, Engine::Interpreter);
/// assert_eq!(Engine::ALL.map(Engine::name), ["interpreter", "native"]);
/// # Ok::<(), afmpeg::engine::choice::UnknownEngine>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// wasmi, an interpreter: runs any WASI module, needs no C compiler,
    /// meters CPU in fuel units. 10–20x slower than native code.
    Interpreter,
    /// The module translated ahead of time to C and compiled in (cargo
    /// feature `native`): near native speed, no JIT, the same WASI layer
    /// and limits. Runs only the module it was built from.
    Native,
}

impl Engine {
    /// Both engines, interpreter first.
    pub const ALL: [Engine; 2] = [Engine::Interpreter, Engine::Native];

    /// The name used by the CLI's `--engine` and in messages.
    ///
    /// ```
    /// use afmpeg::engine::Engine;
    /// assert_eq!(Engine::Native.name(), "native");
    /// assert_eq!(Engine::Native.to_string(), "native");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interpreter",
            Engine::Native => "native",
        }
    }

    /// Whether this build has the native tier compiled in (cargo feature
    /// `native`).
    ///
    /// ```
    /// use afmpeg::engine::choice::native_module_sha256;
    /// use afmpeg::engine::Engine;
    /// // Without the native tier there is no compiled-in module either.
    /// if !Engine::native_built_in() {
    ///     assert_eq!(native_module_sha256(), None);
    /// }
    /// ```
    pub fn native_built_in() -> bool {
        cfg!(feature = "native-tier")
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An engine name that is neither `native` nor `interpreter`.
///
/// ```
/// use afmpeg::engine::{Engine, UnknownEngine};
/// let err = "jit".parse::<Engine>().unwrap_err();
/// assert_eq!(err, UnknownEngine("jit".into()));
/// assert_eq!(err.to_string(), "unknown engine \"jit\": expected `native` or `interpreter`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown engine {0:?}: expected `native` or `interpreter`")]
pub struct UnknownEngine(pub String);

impl FromStr for Engine {
    type Err = UnknownEngine;

    fn from_str(s: &str) -> std::result::Result<Engine, UnknownEngine> {
        Engine::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| UnknownEngine(s.to_owned()))
    }
}

/// The SHA-256 (hex) of the module compiled into the native tier, if this
/// build has one.
///
/// ```
/// use afmpeg::engine::choice::native_module_sha256;
/// match native_module_sha256() {
///     Some(sha) => assert_eq!(sha.len(), 64),
///     None => println!("no native tier in this build: every module runs on the interpreter"),
/// }
/// ```
pub fn native_module_sha256() -> Option<&'static str> {
    #[cfg(feature = "native-tier")]
    {
        afmpeg_native::NativeModule::ffmpeg()
            .ok()
            .map(|m| m.wasm_sha256())
    }
    #[cfg(not(feature = "native-tier"))]
    None
}

/// What [`choose`] picked: the interpreter, or the compiled-in native
/// module whose source wasm has the loaded bytes' SHA-256.
pub(super) enum Chosen {
    Interpreter,
    #[cfg(feature = "native-tier")]
    Native(afmpeg_native::NativeModule),
}

/// The tier for a module whose bytes are `bytes`: the one `requested`, or
/// by default the native tier when a module translated from exactly these
/// bytes is compiled in (the FFmpeg module; in test builds also the small
/// trap and checkpoint modules of crate afmpeg-native). Asking for the
/// native tier when it cannot run them is an [`Error::NativeUnavailable`].
pub(super) fn choose(requested: Option<Engine>, bytes: &[u8], origin: &str) -> Result<Chosen> {
    if requested == Some(Engine::Interpreter) {
        return Ok(Chosen::Interpreter);
    }
    #[cfg(feature = "native-tier")]
    {
        let loaded = sha256_hex(bytes);
        if let Some(m) = afmpeg_native::NativeModule::with_wasm_sha256(&loaded) {
            return Ok(Chosen::Native(m));
        }
        match (requested, native_module_sha256()) {
            (Some(Engine::Native), Some(compiled_in)) => Err(Error::NativeUnavailable {
                origin: origin.to_owned(),
                reason: NativeUnavailable::OtherModule {
                    compiled_in: compiled_in.to_owned(),
                    loaded,
                },
            }),
            (Some(Engine::Native), None) => Err(Error::NativeUnavailable {
                origin: origin.to_owned(),
                reason: NativeUnavailable::NotBuiltIn,
            }),
            _ => Ok(Chosen::Interpreter),
        }
    }
    #[cfg(not(feature = "native-tier"))]
    {
        let _ = bytes;
        match requested {
            Some(Engine::Native) => Err(Error::NativeUnavailable {
                origin: origin.to_owned(),
                reason: NativeUnavailable::NotBuiltIn,
            }),
            _ => Ok(Chosen::Interpreter),
        }
    }
}

#[cfg(feature = "native-tier")]
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    super::fetch::hex(&sha2::Sha256::digest(bytes))
}
