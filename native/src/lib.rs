//! # afmpeg-native
//!
//! afmpeg's native tier: a guest module translated ahead of time to C by
//! `wasm2c` (wabt 1.0.32), compiled into this crate, and run with this
//! crate's own `wasm_rt` runtime. Its WASI imports are served by
//! [`wasi_shim`], the same layer the interpreter tier uses.
//!
//! Each [`NativeModule::run`] creates its own instance, linear memory and
//! trap state on the calling thread, so any number of threads run guests at
//! once. A guest that faults, divides by zero or overflows its stack ends
//! with a typed [`NativeError::Trap`]; the process and the next call are
//! unaffected. How memory is confined (guard pages and a signal handler that
//! claims only faults inside guest memory) is explained in this crate's
//! `RATIONALE.md` and in docs/explanation/native-tier.md.
//!
//! A guest that computes without calling WASI still stops: the translated
//! code passes a checkpoint at every function entry and loop head, and every
//! [`CHECK_INTERVAL`] checkpoints the runtime reads the context's interrupt
//! flag ([`NativeError::Interrupted`]) and deadline ([`NativeError::Timeout`])
//! and charges [`Limits::cpu_budget`] ([`NativeError::CpuBudget`]).
//!
//! ```no_run
//! use afmpeg_native::{Exit, Limits, NativeModule};
//! use wasi_shim::WasiCtx;
//!
//! let ffmpeg = NativeModule::ffmpeg()?; // compiled in with the `ffmpeg` feature
//! let ctx = WasiCtx::builder().arg("ffmpeg").arg("-version").build()?;
//! let (result, _ctx) = ffmpeg.run(ctx, &Limits::default());
//! assert_eq!(result?, Exit::Code(0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
#![warn(clippy::all)]

mod call;
mod checkpoint;
mod error;
mod ffi;
mod memory;
mod wasi;

pub use call::{Exit, Limits, CHECK_INTERVAL};
pub use error::{NativeError, Trap};

/// What a call used, beside its result (see [`NativeModule::run_reporting`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// The most linear memory the guest held, in bytes (it only grows, so
    /// this is its size when the instance was freed).
    pub memory_bytes: u64,
    /// Whether a `memory.grow` was refused because of
    /// [`Limits::max_memory`] (the guest saw -1 and went on).
    pub memory_limit_reached: bool,
}

mod modules {
    include!(concat!(env!("OUT_DIR"), "/modules.rs"));
}

/// The names of the modules compiled into this build.
pub fn compiled_in() -> Vec<&'static str> {
    modules::MODULES.iter().map(|m| m.0).collect()
}

/// A translated module compiled into this build.
#[derive(Clone, Copy)]
pub struct NativeModule {
    module: &'static ffi::Module,
    /// (name, source wasm path, its sha256) as the build script recorded them.
    info: &'static (&'static str, &'static str, &'static str),
}

impl std::fmt::Debug for NativeModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeModule")
            .field("name", &self.info.0)
            .finish()
    }
}

impl NativeModule {
    /// The FFmpeg module (the lean profile by default), compiled in by the
    /// `ffmpeg` feature from the C of `make native-c`.
    pub fn ffmpeg() -> Result<NativeModule, NativeError> {
        Self::get("ffmpeg")
    }

    /// The module compiled in under `name`.
    pub fn get(name: &str) -> Result<NativeModule, NativeError> {
        let hint = if name == "ffmpeg" {
            "translate it with `make native-c` (guest/native.sh) and build with the `ffmpeg` feature"
        } else {
            "test modules come with the `test-modules` feature"
        };
        let not_compiled_in = || NativeError::NotCompiledIn {
            name: name.to_owned(),
            compiled_in: compiled_in(),
            hint,
        };
        let module = modules::lookup(name).ok_or_else(not_compiled_in)?;
        let info = modules::MODULES
            .iter()
            .find(|m| m.0 == name)
            .ok_or_else(not_compiled_in)?;
        Ok(NativeModule { module, info })
    }

    /// The compiled-in module translated from the wasm whose SHA-256 (hex)
    /// is `sha256`, if there is one: how a runtime that loaded some bytes
    /// finds the native code for them.
    ///
    /// ```
    /// use afmpeg_native::NativeModule;
    /// assert!(NativeModule::with_wasm_sha256(&"0".repeat(64)).is_none());
    /// for name in afmpeg_native::compiled_in() {
    ///     let m = NativeModule::get(name)?;
    ///     let found = NativeModule::with_wasm_sha256(m.wasm_sha256()).unwrap();
    ///     assert_eq!(found.wasm_sha256(), m.wasm_sha256());
    /// }
    /// # Ok::<(), afmpeg_native::NativeError>(())
    /// ```
    pub fn with_wasm_sha256(sha256: &str) -> Option<NativeModule> {
        let info = modules::MODULES.iter().find(|m| m.2 == sha256)?;
        let module = modules::lookup(info.0)?;
        Some(NativeModule { module, info })
    }

    /// The module's name.
    pub fn name(&self) -> &'static str {
        self.info.0
    }

    /// The wasm file the module's C was translated from, as it was at build
    /// time.
    pub fn source(&self) -> &'static str {
        self.info.1
    }

    /// The SHA-256 (hex) of that wasm file: a module is the compiled-in one
    /// exactly when its bytes hash to this.
    pub fn wasm_sha256(&self) -> &'static str {
        self.info.2
    }

    /// Instantiates the module and runs its `_start` on this thread with
    /// `wasi` as its WASI context; gives the context back (captured output,
    /// files written) with the result.
    pub fn run(
        &self,
        wasi: wasi_shim::WasiCtx,
        limits: &Limits,
    ) -> (Result<Exit, NativeError>, wasi_shim::WasiCtx) {
        call::run(self.module, wasi, limits)
    }

    /// [`NativeModule::run`], also reporting the guest's memory use.
    pub fn run_reporting(
        &self,
        wasi: wasi_shim::WasiCtx,
        limits: &Limits,
    ) -> (Result<Exit, NativeError>, wasi_shim::WasiCtx, Usage) {
        memory::take_usage();
        let (result, wasi) = call::run(self.module, wasi, limits);
        let (memory_bytes, memory_limit_reached) = memory::take_usage();
        let usage = Usage {
            memory_bytes,
            memory_limit_reached,
        };
        (result, wasi, usage)
    }
}
