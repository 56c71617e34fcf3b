//! The runtime: a module compiled once, then instantiated for each run.
//!
//! [`Runtime`] is `Send + Sync` and cheap to clone (an `Arc`). Every run gets
//! its own wasmi `Store`, instance, linear memory and WASI context, so many
//! threads can run jobs on one `Runtime` at the same time; they share only
//! the compiled code.

use crate::cancel::CancelToken;
use crate::error::{Error, LimitKind, Result};
use crate::module::{self, ModuleSource};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasi_shim::wasmi_link;
use wasi_shim::{Abort, Limit, WasiCtx};
use wasmi::{
    CompilationMode, Config, Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder,
    TrapCode, TypedResumableCall,
};

/// Bytes in a WebAssembly page.
const WASM_PAGE: u64 = 64 * 1024;

/// What a store holds: the WASI context and the memory limiter.
pub struct StoreData {
    /// The guest's WASI world.
    pub wasi: WasiCtx,
    limits: StoreLimits,
    /// The instance's exported memory, once instantiated.
    memory: Option<wasmi::Memory>,
}

impl wasi_shim::binding::WasiView for StoreData {
    type Memory = wasmi::Memory;

    fn ctx(&mut self) -> &mut WasiCtx {
        &mut self.wasi
    }

    fn memory(&mut self) -> &mut Option<wasmi::Memory> {
        &mut self.memory
    }
}

struct Inner {
    engine: Engine,
    module: Module,
    linker: Linker<StoreData>,
    /// Where the module came from, for errors found after loading.
    origin: String,
}

/// When the function bodies of a module are validated.
///
/// Validation checks that every function body is well-typed WebAssembly
/// before it can run. For the 9.5 MB FFmpeg module it is most of the load
/// time (see `docs/explanation/performance.md`), so a module whose bytes are
/// known to be good can skip it at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Validation {
    /// Every function body is validated when the module is loaded: an
    /// invalid module is refused by [`Runtime::new`] with
    /// [`Error::InvalidModule`] before anything runs. The default for
    /// module bytes and files, which may come from anywhere.
    Eager,
    /// A function body is validated (and translated) on its first call, by
    /// whichever run calls it first; the result is shared by every later
    /// run. An invalid body is then found by that run, which stops with
    /// [`Error::InvalidModule`] — after the guest may already have done
    /// some work (written files, printed output). The default for a
    /// [`ModuleSource::Url`], whose bytes are verified against their
    /// SHA-256 pin before they are compiled; choose it for other modules
    /// you trust, to start faster.
    Lazy,
}

impl Validation {
    /// The default for `source`: [`Validation::Lazy`] for SHA-256-pinned
    /// URL modules, [`Validation::Eager`] for everything else.
    pub fn default_for(source: &ModuleSource) -> Validation {
        match source {
            ModuleSource::Url(_) => Validation::Lazy,
            ModuleSource::Bytes(_) | ModuleSource::File(_) => Validation::Eager,
        }
    }
}

/// Options for loading a [`Runtime`]; see [`Runtime::builder`].
#[derive(Debug, Clone)]
pub struct RuntimeBuilder {
    source: ModuleSource,
    validation: Option<Validation>,
}

impl RuntimeBuilder {
    /// When function bodies are validated (default:
    /// [`Validation::default_for`] the source).
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = Some(validation);
        self
    }

    /// Loads, (validates) and prepares the module.
    pub fn build(self) -> Result<Runtime> {
        let validation = self
            .validation
            .unwrap_or_else(|| Validation::default_for(&self.source));
        Runtime::load(&self.source, validation)
    }
}

/// A compiled module, ready to run any number of jobs, concurrently.
///
/// ```no_run
/// use afmpeg::{ModuleSource, Runtime};
/// let rt = Runtime::new(ModuleSource::File("hello.wasm".into()))?;
/// let rt2 = rt.clone(); // cheap: shares the compiled module
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

/// Per-run limits of the engine (the WASI context carries the filesystem
/// and stdio limits).
#[derive(Debug, Clone, Default)]
pub struct ExecLimits {
    /// Most bytes of linear memory the guest may have. Growing past it ends
    /// the run with [`LimitKind::Memory`].
    pub max_memory: Option<u64>,
    /// CPU budget in fuel units (roughly one per executed instruction).
    pub fuel: Option<u64>,
    /// Wall-clock timeout, time spent sleeping in `poll_oneoff` included.
    pub timeout: Option<Duration>,
    /// Stops the run when cancelled.
    pub cancel: Option<CancelToken>,
}

/// Fuel given to the guest per slice. Between slices the run checks its
/// cancellation token, timeout and CPU budget. At the interpreter's speed a
/// slice is a few milliseconds, far below the 100 ms cancellation bound,
/// and resuming costs nothing measurable at this granularity.
pub const FUEL_SLICE: u64 = 20_000_000;

/// How a run that completed ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    /// The exit code: `proc_exit`'s argument, 0 when `_start` returned, or
    /// 128 + signal number when a signal terminated the guest.
    pub code: i32,
    /// The signal that terminated the guest (`proc_raise`), if one did.
    pub signal: Option<u8>,
    /// The size the guest's linear memory reached, in bytes (it only
    /// grows, so this is its size at the end).
    pub guest_memory: u64,
}

impl Runtime {
    /// Loads, validates and compiles a module, validating function bodies
    /// as [`Validation::default_for`] the source says.
    pub fn new(source: ModuleSource) -> Result<Self> {
        Self::builder(source).build()
    }

    /// Options for loading `source`.
    ///
    /// ```no_run
    /// use afmpeg::{ModuleSource, Runtime, Validation};
    /// // A module we built ourselves: validate function bodies on first use.
    /// let rt = Runtime::builder(ModuleSource::File("ffmpeg.wasm".into()))
    ///     .validation(Validation::Lazy)
    ///     .build()?;
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn builder(source: ModuleSource) -> RuntimeBuilder {
        RuntimeBuilder {
            source,
            validation: None,
        }
    }

    fn load(source: &ModuleSource, validation: Validation) -> Result<Self> {
        let mut config = Config::default();
        config.consume_fuel(true);
        // Translation is lazy in both modes (only the functions a run calls
        // are ever translated); `Lazy` defers validation of a body too.
        config.compilation_mode(match validation {
            Validation::Eager => CompilationMode::LazyTranslation,
            Validation::Lazy => CompilationMode::Lazy,
        });
        // Lazy translation of a function is the engine's work, done once per
        // `Runtime` and shared by every run: it must not be charged to the
        // run that happens to call the function first. Worse, wasmi reports
        // running out of fuel during a lazy translation as a non-resumable
        // error, so charging it ended runs without a fuel limit at random
        // with `LimitKind::Fuel(u64::MAX)` whenever a first call fell near
        // the end of a fuel slice. Only bulk copies stay metered (default rate).
        config.fuel_cost(wasmi::CustomFuelCosts {
            bytes_copied_per_fuel: 64,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
        let engine = Engine::new(&config);
        let module = module::load(&engine, source)?;
        let mut linker = Linker::new(&engine);
        wasmi_link::add_to_linker(&mut linker).map_err(|e| Error::Instantiate(e.to_string()))?;
        Ok(Runtime {
            inner: Arc::new(Inner {
                engine,
                module,
                linker,
                origin: source.origin(),
            }),
        })
    }

    /// Loads the module from `AFMPEG_MODULE`, or where `make guest` put it
    /// (see [`ModuleSource::default_location`]), with [`Validation::Lazy`]:
    /// that module is the FFmpeg build installed with afmpeg, trusted like
    /// the program itself, and loading it lazily is what keeps startup
    /// within 20 ms. (wasmi still validates every function before it runs
    /// it; see [`Validation`].)
    pub fn from_default_location() -> Result<Self> {
        Self::builder(ModuleSource::default_location()?)
            .validation(Validation::Lazy)
            .build()
    }

    /// Loads a module file (memory-mapped while it is compiled).
    pub fn from_file(path: impl Into<std::path::PathBuf>) -> Result<Self> {
        Self::new(ModuleSource::File(path.into()))
    }

    /// Compiles module bytes.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Result<Self> {
        Self::new(ModuleSource::Bytes(bytes.into()))
    }

    /// Runs the module's `_start` with `wasi` as its WASI world.
    ///
    /// Returns the exit of a run that completed (any exit code), or an error
    /// for a run that could not start or was stopped (trap, limit). The
    /// context is returned too, so the embedder can inspect limits hit.
    ///
    /// The timeout runs from this call. It is checked between fuel slices
    /// while the guest computes, and it bounds the guest's sleeps in
    /// `poll_oneoff` too: this sets the context's deadline, so a guest that
    /// sleeps past it is stopped at the deadline with [`LimitKind::Timeout`].
    pub fn run_wasi(&self, mut wasi: WasiCtx, limits: &ExecLimits) -> (Result<Exit>, WasiCtx) {
        let started = Instant::now();
        if let Some(t) = limits.timeout {
            // A timeout too large for an `Instant` is no deadline at all.
            wasi.set_deadline(started.checked_add(t));
        }
        let mut lb = StoreLimitsBuilder::new()
            .trap_on_grow_failure(true)
            .instances(1)
            .memories(1);
        if let Some(m) = limits.max_memory {
            lb = lb.memory_size(usize::try_from(m).unwrap_or(usize::MAX));
        }
        let mut store = Store::new(
            &self.inner.engine,
            StoreData {
                wasi,
                limits: lb.build(),
                memory: None,
            },
        );
        store.limiter(|d| &mut d.limits);
        let result = self.execute(&mut store, limits, started);
        // Linear memory only grows: its size now is the most it held.
        let guest_memory = store
            .data()
            .memory
            .map_or(0, |m| m.size(&store).saturating_mul(WASM_PAGE));
        let data = store.into_data();
        (
            result.map(|exit| Exit {
                guest_memory,
                ..exit
            }),
            data.wasi,
        )
    }

    fn execute(
        &self,
        store: &mut Store<StoreData>,
        limits: &ExecLimits,
        started: Instant,
    ) -> Result<Exit> {
        let deadline = limits.timeout.and_then(|t| started.checked_add(t));
        let mut budget = Budget {
            left: limits.fuel.unwrap_or(u64::MAX),
            given: 0,
        };
        budget.refill(store)?;
        let instance = match self
            .inner
            .linker
            .instantiate_and_start(&mut *store, &self.inner.module)
        {
            Ok(i) => i,
            // A `start` section may already exit, trap or hit a limit.
            Err(e) => return self.classify(&e, store, limits),
        };
        store.data_mut().memory = instance.get_memory(&*store, "memory");
        let start = instance
            .get_typed_func::<(), ()>(&*store, "_start")
            .map_err(|_| Error::NoEntryPoint)?;
        let mut call = start.call_resumable(&mut *store, ());
        loop {
            match call {
                Ok(TypedResumableCall::Finished(())) => {
                    return Ok(Exit {
                        code: 0,
                        signal: None,
                        guest_memory: 0,
                    })
                }
                Ok(TypedResumableCall::HostTrap(t)) => {
                    return self.classify(t.host_error(), store, limits)
                }
                Ok(TypedResumableCall::OutOfFuel(t)) => {
                    if limits
                        .cancel
                        .as_ref()
                        .is_some_and(CancelToken::is_cancelled)
                    {
                        return Err(Error::Cancelled {
                            stderr_tail: String::new(),
                        });
                    }
                    if let (Some(d), Some(t)) = (deadline, limits.timeout) {
                        if Instant::now() >= d {
                            return Err(Error::Limit {
                                limit: LimitKind::Timeout(t),
                                stderr_tail: String::new(),
                            });
                        }
                    }
                    budget.spend(store);
                    // wasmi charges a whole block (or bulk copy) at once: it
                    // stops with fuel left when the next charge is larger.
                    // A budget below that charge is spent; comparing with 0
                    // only resumed the guest forever without progress.
                    let need = t.required_fuel();
                    if budget.left == 0 || budget.left < need {
                        return Err(Error::Limit {
                            limit: LimitKind::Fuel(limits.fuel.unwrap_or(u64::MAX)),
                            stderr_tail: String::new(),
                        });
                    }
                    budget.refill_at_least(store, need)?;
                    call = t.resume(&mut *store);
                }
                Err(e) => return self.classify(&e, store, limits),
            }
        }
    }

    /// Turns the error a call into the guest ended with into an exit or an
    /// error.
    fn classify(
        &self,
        e: &wasmi::Error,
        store: &Store<StoreData>,
        limits: &ExecLimits,
    ) -> Result<Exit> {
        match e.kind() {
            // With `Validation::Lazy`, a function body is validated at its
            // first call: an invalid one surfaces here, in the run (and, as
            // "failed before", in every later run that calls it).
            wasmi::errors::ErrorKind::Wasm(_) | wasmi::errors::ErrorKind::Translation(_) => {
                Err(Error::InvalidModule {
                    origin: self.inner.origin.clone(),
                    reason: format!("invalid function body found at its first call: {e}"),
                })
            }
            _ => classify(e, store, limits),
        }
    }
}

/// The CPU budget, handed to the guest one slice at a time.
struct Budget {
    left: u64,
    given: u64,
}

impl Budget {
    fn refill(&mut self, store: &mut Store<StoreData>) -> Result<()> {
        self.refill_at_least(store, 0)
    }

    /// Gives a slice, and never less than `need` (a single charge larger
    /// than a slice, e.g. a huge `memory.fill`, must still be payable).
    fn refill_at_least(&mut self, store: &mut Store<StoreData>, need: u64) -> Result<()> {
        self.given = self.left.min(FUEL_SLICE.max(need));
        store
            .set_fuel(self.given)
            .map_err(|e| Error::Instantiate(e.to_string()))
    }

    fn spend(&mut self, store: &Store<StoreData>) {
        let unused = store.get_fuel().unwrap_or(0);
        self.left = self.left.saturating_sub(self.given.saturating_sub(unused));
    }
}

/// [`Runtime::classify`] for everything but lazily found invalid code.
fn classify(e: &wasmi::Error, store: &Store<StoreData>, limits: &ExecLimits) -> Result<Exit> {
    let wasi = &store.data().wasi;
    if let Some(p) = e.downcast_ref::<wasmi_link::HostPanic>() {
        return Err(Error::Panic(p.0.clone()));
    }
    if let Some(abort) = wasmi_link::abort_of(e) {
        return match abort {
            Abort::Exit(code) => Ok(Exit {
                code: code as i32,
                signal: None,
                guest_memory: 0,
            }),
            Abort::Signal(s) => Ok(Exit {
                code: 128 + i32::from(s),
                signal: Some(s),
                guest_memory: 0,
            }),
            Abort::Limit(l) => Err(Error::Limit {
                limit: wasi_limit(l, wasi, limits),
                stderr_tail: String::new(),
            }),
            Abort::Interrupted => Err(Error::Cancelled {
                stderr_tail: String::new(),
            }),
        };
    }
    match e.as_trap_code() {
        Some(TrapCode::OutOfFuel) => Err(Error::Limit {
            limit: LimitKind::Fuel(limits.fuel.unwrap_or(u64::MAX)),
            stderr_tail: String::new(),
        }),
        Some(TrapCode::GrowthOperationLimited) => Err(Error::Limit {
            limit: LimitKind::Memory(limits.max_memory.unwrap_or(0)),
            stderr_tail: String::new(),
        }),
        Some(code) => Err(Error::Trap {
            message: code.to_string(),
            stderr_tail: String::new(),
        }),
        None => match e.kind() {
            wasmi::errors::ErrorKind::Linker(_) | wasmi::errors::ErrorKind::Instantiation(_) => {
                if limits.max_memory.is_some() && e.to_string().contains("limit") {
                    Err(Error::Limit {
                        limit: LimitKind::Memory(limits.max_memory.unwrap_or(0)),
                        stderr_tail: String::new(),
                    })
                } else {
                    Err(Error::Instantiate(e.to_string()))
                }
            }
            _ => Err(Error::Trap {
                message: e.to_string(),
                stderr_tail: String::new(),
            }),
        },
    }
}

fn wasi_limit(l: Limit, wasi: &WasiCtx, limits: &ExecLimits) -> LimitKind {
    let b = wasi.budget();
    match l {
        Limit::OpenFiles => LimitKind::OpenFiles(wasi.open_fds()),
        Limit::BytesWritten => LimitKind::BytesWritten(b.max_bytes.unwrap_or(0)),
        Limit::FilesCreated => LimitKind::FilesCreated(b.max_files.unwrap_or(0)),
        Limit::Stdout => LimitKind::Stdout(0),
        Limit::Stderr => LimitKind::Stderr(0),
        Limit::Deadline => LimitKind::Timeout(limits.timeout.unwrap_or_default()),
    }
}
