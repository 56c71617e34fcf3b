//! The runtime: a module compiled once, then instantiated for each run, on
//! the tier chosen at load ([`Engine`]).
//!
//! [`Runtime`] is `Send + Sync` and cheap to clone (an `Arc`). Every run gets
//! its own instance, linear memory and WASI context (on the interpreter, its
//! own wasmi `Store`), so many threads can run jobs on one `Runtime` at the
//! same time; they share only the compiled code.

use super::choice::{self, Chosen, Engine};
use super::classify;
use super::exec::{ExecLimits, Exit, FUEL_SLICE};
use super::invoke::{self, InvokeError, Invoked, Signature, ValueType, WasmValue};
use super::limiter::GuestLimiter;
use super::module::{self, ModuleSource};
use crate::cancel::CancelToken;
use crate::error::{Error, LimitKind, Result};
use std::sync::Arc;
use std::time::Instant;
use wasi_shim::wasmi_link;
use wasi_shim::WasiCtx;
use wasmi::{
    CompilationMode, Config, ExternType, Linker, Module, ResumableCall, Store, Val, ValType,
};

/// Bytes in a WebAssembly page.
const WASM_PAGE: u64 = 64 * 1024;

/// The stack of the thread a guest runs on. wasmi's interpreter chains its
/// instruction handlers by tail calls that the compiler turns into jumps,
/// except for `memory.grow` and `table.grow` (wasmi's PR #1946): each one
/// executed leaves a frame of about 25 bytes per unit of fuel of the loop
/// around it, reclaimed when the run next pauses at the end of a fuel
/// slice. A [`FUEL_SLICE`] of 1,000,000 units therefore needs at most
/// ~25 MiB on top of what deep guest code uses; 64 MiB leaves room for both
/// whatever the caller's own stack (2 MiB for a spawned Rust thread). It is
/// address space; only what is touched costs memory.
pub const GUEST_STACK: usize = 64 << 20;

/// What a store holds: the WASI context and the memory limiter.
pub struct StoreData {
    /// The guest's WASI world.
    pub wasi: WasiCtx,
    limits: GuestLimiter,
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

/// The interpreter tier's compiled module.
struct Interpreter {
    engine: wasmi::Engine,
    module: Module,
    linker: Linker<StoreData>,
}

/// What runs the jobs.
enum Tier {
    Interpreter(Interpreter),
    /// The compiled-in module; the loaded bytes were checked to be its own.
    #[cfg(feature = "native-tier")]
    Native(afmpeg_native::NativeModule),
}

struct Inner {
    tier: Tier,
    /// Where the module came from, for errors found after loading.
    origin: String,
    /// Read-only directories every job sees ([`RuntimeBuilder::mount`]).
    mounts: Vec<Mount>,
}

/// A read-only directory that every job of a runtime sees at `guest`
/// (e.g. the default module's font at `/usr/share/fonts/afmpeg`).
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    /// The absolute guest path it is seen at.
    pub(crate) guest: String,
    /// What it holds (its root is the directory).
    pub(crate) fs: wasi_shim::fs::Filesystem,
}

/// An [`Error::Config`] unless `guest` can be a mount point (a runtime's
/// [`RuntimeBuilder::mount`] or a job's `RunOptions::mount`): an absolute
/// path of plain names, not `/` and not inside `/tmp` or `/dev`, which every
/// job mounts itself.
pub(crate) fn check_mount_point(guest: &str) -> Result<()> {
    let names: Option<Vec<&str>> = guest
        .strip_prefix('/')
        .map(|rest| rest.split('/').collect());
    let ok = names.is_some_and(|names| {
        names
            .iter()
            .all(|c| !c.is_empty() && *c != "." && *c != ".." && !c.contains('\0'))
            && !matches!(names[0], "tmp" | "dev")
    });
    if !ok {
        return Err(Error::Config(format!(
            "cannot mount at {guest:?}: a mount point is an absolute path of plain names \
             like /usr/share/fonts/x, not /, and not in /tmp or /dev (every job mounts those)"
        )));
    }
    Ok(())
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
    engine: Option<Engine>,
    mounts: Vec<Mount>,
}

impl RuntimeBuilder {
    /// When function bodies are validated (default:
    /// [`Validation::default_for`] the source).
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = Some(validation);
        self
    }

    /// The tier that runs the jobs. Default: [`Engine::Native`] when it is
    /// compiled in (cargo feature `native`) and the module is the one it was
    /// compiled from (same SHA-256), else [`Engine::Interpreter`]. Asking for
    /// [`Engine::Native`] when it cannot run the module makes
    /// [`build`](Self::build) fail with [`Error::NativeUnavailable`].
    ///
    /// ```no_run
    /// use afmpeg::{Engine, Runtime};
    /// let rt = Runtime::builder(afmpeg::ModuleSource::default_location()?)
    ///     .engine(Engine::Interpreter)
    ///     .build()?;
    /// assert_eq!(rt.engine(), Engine::Interpreter);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = Some(engine);
        self
    }

    /// Shows `fs` (from its root) read-only at `guest` to every job of the
    /// runtime, over the job's own filesystem: for files the module needs
    /// whatever the job, such as the default module's font
    /// ([`with_companion_data`](Self::with_companion_data) mounts it). Writes there fail with `EROFS`; the
    /// job's filesystem is not touched. `guest` must be an absolute path,
    /// not `/` and not in `/tmp` or `/dev` ([`build`](Self::build) fails
    /// with [`Error::Config`] otherwise).
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, ModuleSource, Runtime};
    /// let fonts = Filesystem::new();
    /// fonts.write("/DejaVuSans.ttf", std::fs::read("DejaVuSans.ttf")?)?;
    /// let rt = Runtime::builder(ModuleSource::File("ffmpeg.wasm".into()))
    ///     .mount("/usr/share/fonts/afmpeg", fonts)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mount(mut self, guest: impl Into<String>, fs: wasi_shim::fs::Filesystem) -> Self {
        self.mounts.push(Mount {
            guest: guest.into(),
            fs,
        });
        self
    }

    /// Mounts the companion data a guest profile's build ships beside a
    /// module file (`data/` in its cache entry), where the module looks for
    /// it: the default profile's font, `data/fonts/`, at
    /// [`companion::FONT_DIR`](super::companion::FONT_DIR). Nothing for a
    /// module without any, or a source that is not a file. A directory that
    /// cannot be read is an [`Error::ModuleIo`].
    ///
    /// ```no_run
    /// use afmpeg::{ModuleSource, Runtime};
    /// let home = std::env::var("HOME").unwrap();
    /// let module = format!("{home}/.cache/afmpeg/guest/default/ffmpeg.wasm");
    /// let rt = Runtime::builder(ModuleSource::File(module.into()))
    ///     .with_companion_data()? // data/fonts/DejaVuSans.ttf beside it
    ///     .build()?;
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn with_companion_data(self) -> Result<Self> {
        let fonts = match &self.source {
            ModuleSource::File(path) => super::companion::fonts_beside(path)?,
            _ => None,
        };
        Ok(match fonts {
            Some(fonts) => self.mount(super::companion::FONT_DIR, fonts),
            None => self,
        })
    }

    /// Loads, (validates) and prepares the module.
    pub fn build(self) -> Result<Runtime> {
        for m in &self.mounts {
            check_mount_point(&m.guest)?;
        }
        let validation = self
            .validation
            .unwrap_or_else(|| Validation::default_for(&self.source));
        let mut rt = Runtime::load(&self.source, validation, self.engine)?;
        Arc::get_mut(&mut rt.inner)
            .expect("a runtime just loaded is not shared yet")
            .mounts = self.mounts;
        Ok(rt)
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
        f.debug_struct("Runtime")
            .field("engine", &self.engine())
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// What the error a call into the guest ended with means for the run.
    fn outcome(
        &self,
        e: &wasmi::Error,
        store: &Store<StoreData>,
        limits: &ExecLimits,
    ) -> Result<Exit> {
        classify::outcome(e, &self.inner.origin, &store.data().wasi, limits)
    }

    /// The read-only directories every job sees ([`RuntimeBuilder::mount`]).
    pub(crate) fn mounts(&self) -> &[Mount] {
        &self.inner.mounts
    }

    /// The tier this runtime runs its jobs on.
    pub fn engine(&self) -> Engine {
        match self.inner.tier {
            Tier::Interpreter(_) => Engine::Interpreter,
            #[cfg(feature = "native-tier")]
            Tier::Native(_) => Engine::Native,
        }
    }

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
            engine: None,
            mounts: Vec::new(),
        }
    }

    fn load(
        source: &ModuleSource,
        validation: Validation,
        requested: Option<Engine>,
    ) -> Result<Self> {
        let origin = source.origin();
        let tier = module::with_bytes(source, |bytes| {
            match choice::choose(requested, bytes, &origin)? {
                Chosen::Interpreter => Ok(Tier::Interpreter(Interpreter::compile(
                    bytes, validation, &origin,
                )?)),
                #[cfg(feature = "native-tier")]
                Chosen::Native(m) => Ok(Tier::Native(m)),
            }
        })?;
        Ok(Runtime {
            inner: Arc::new(Inner {
                tier,
                origin,
                mounts: Vec::new(),
            }),
        })
    }
}

impl Interpreter {
    fn compile(bytes: &[u8], validation: Validation, origin: &str) -> Result<Interpreter> {
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
        let engine = wasmi::Engine::new(&config);
        let module = module::compile(&engine, bytes, origin)?;
        let mut linker = Linker::new(&engine);
        wasmi_link::add_to_linker(&mut linker).map_err(|e| Error::Instantiate(e.to_string()))?;
        Ok(Interpreter {
            engine,
            module,
            linker,
        })
    }
}

impl Runtime {
    /// Loads the module from `AFMPEG_MODULE`, or where `make guest` put it
    /// (see [`ModuleSource::default_location`]: the default profile's, else
    /// lean's), with [`Validation::Lazy`]:
    /// that module is the FFmpeg build installed with afmpeg, trusted like
    /// the program itself, and loading it lazily is what keeps startup
    /// within 20 ms. (wasmi still validates every function before it runs
    /// it; see [`Validation`].)
    pub fn from_default_location() -> Result<Self> {
        Self::default_location_builder()?.build()
    }

    /// The options [`Runtime::from_default_location`] loads with, to change
    /// some (e.g. the [`Engine`]) before building.
    ///
    /// ```no_run
    /// use afmpeg::{Engine, Runtime};
    /// let rt = Runtime::default_location_builder()?
    ///     .engine(Engine::Native)
    ///     .build()?; // Error::NativeUnavailable without the `native` feature
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    ///
    /// A module with companion data beside it (the default profile's font)
    /// gets it mounted ([`RuntimeBuilder::with_companion_data`]).
    pub fn default_location_builder() -> Result<RuntimeBuilder> {
        Self::builder(ModuleSource::default_location()?)
            .validation(Validation::Lazy)
            .with_companion_data()
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
    /// The timeout runs from this call. It is checked while the guest
    /// computes (between fuel slices on the interpreter, at the native
    /// tier's checkpoints), and it bounds the guest's sleeps in
    /// `poll_oneoff` too: this sets the context's deadline, so a guest that
    /// sleeps past it is stopped at the deadline with [`LimitKind::Timeout`].
    /// On the native tier [`ExecLimits::cancel`] is seen through the
    /// context's interrupt flag: the token's, unless `wasi` has one of its
    /// own, which is then the one to raise.
    ///
    /// The guest runs on a thread of its own with a [`GUEST_STACK`] stack
    /// (the caller's thread waits for it), whatever the caller's stack is;
    /// if that thread cannot be created, on the caller's thread.
    pub fn run_wasi(&self, wasi: WasiCtx, limits: &ExecLimits) -> (Result<Exit>, WasiCtx) {
        let (r, wasi) = self.run_entry(wasi, limits, &Entry::Start);
        (r.map(|i| i.exit), wasi)
    }

    /// The signature of the exported function `name`, for
    /// [`invoke_wasi`](Self::invoke_wasi) (e.g. to parse its arguments with
    /// [`Signature::parse_args`]).
    ///
    /// Errors: [`InvokeError::NoSuchFunction`],
    /// [`InvokeError::UnsupportedType`], and on the native tier
    /// [`InvokeError::NativeTier`] (inside [`Error::Invoke`]).
    ///
    /// ```no_run
    /// use afmpeg::engine::{ValueType, Runtime};
    /// let rt = Runtime::from_file("add.wasm")?;
    /// assert_eq!(rt.export_signature("add")?.params, [ValueType::I32, ValueType::I32]);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn export_signature(&self, name: &str) -> Result<Signature> {
        match &self.inner.tier {
            Tier::Interpreter(i) => match i.module.get_export(name) {
                Some(ExternType::Func(ty)) => Ok(Signature {
                    params: value_types(name, ty.params())?,
                    results: value_types(name, ty.results())?,
                }),
                _ => Err(InvokeError::NoSuchFunction { name: name.into() }.into()),
            },
            #[cfg(feature = "native-tier")]
            Tier::Native(_) => Err(InvokeError::NativeTier { name: name.into() }.into()),
        }
    }

    /// Calls the exported function `name` with `args` instead of `_start`,
    /// with `wasi` as its WASI world, as `wasmtime run --invoke` does (the
    /// module is instantiated, its `start` section run, then the function
    /// called). Limits, the timeout and cancellation apply as in
    /// [`run_wasi`](Self::run_wasi).
    ///
    /// Only the interpreter runs other exports: the native tier runs the
    /// `_start` of its compiled-in module and nothing else
    /// ([`InvokeError::NativeTier`]). The arguments must have the
    /// parameters' types ([`InvokeError::ArgumentTypes`]); a missing export
    /// is [`InvokeError::NoSuchFunction`].
    ///
    /// ```no_run
    /// use afmpeg::engine::{ExecLimits, Runtime, WasmValue};
    /// use afmpeg::wasi_shim::WasiCtx;
    /// let rt = Runtime::from_file("add.wasm")?;
    /// let ctx = WasiCtx::builder().build()?;
    /// let (r, _ctx) = rt.invoke_wasi(ctx, "add", &[WasmValue::I32(2), WasmValue::I32(3)], &ExecLimits::default());
    /// assert_eq!(r?.results, Some(vec![WasmValue::I32(5)]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn invoke_wasi(
        &self,
        wasi: WasiCtx,
        name: &str,
        args: &[WasmValue],
        limits: &ExecLimits,
    ) -> (Result<Invoked>, WasiCtx) {
        let sig = match self.export_signature(name) {
            Ok(s) => s,
            Err(e) => return (Err(e), wasi),
        };
        let given: Vec<ValueType> = args.iter().map(WasmValue::ty).collect();
        if given != sig.params {
            let e = InvokeError::ArgumentTypes {
                name: name.into(),
                expected: invoke::type_list(&sig.params),
                given: invoke::type_list(&given),
            };
            return (Err(e.into()), wasi);
        }
        self.run_entry(wasi, limits, &Entry::Invoke { name, args })
    }

    /// Runs `entry` on a thread with a [`GUEST_STACK`] stack.
    fn run_entry(
        &self,
        wasi: WasiCtx,
        limits: &ExecLimits,
        entry: &Entry<'_>,
    ) -> (Result<Invoked>, WasiCtx) {
        let mut slot = Some(wasi);
        let ran = std::thread::scope(|s| {
            let slot = &mut slot;
            let guest = std::thread::Builder::new()
                .name("afmpeg-guest".into())
                .stack_size(GUEST_STACK)
                .spawn_scoped(s, move || {
                    let wasi = slot
                        .take()
                        .expect("the context is there until a thread takes it");
                    self.run_here(wasi, limits, entry)
                });
            guest.ok().map(|t| match t.join() {
                Ok(r) => r,
                // A panic of the engine or an embedder callback: re-raised
                // on the caller's thread, as if the run had been there.
                Err(p) => std::panic::resume_unwind(p),
            })
        });
        match ran {
            Some(r) => r,
            None => {
                let wasi = slot
                    .take()
                    .expect("no thread was started, so none took the context");
                self.run_here(wasi, limits, entry)
            }
        }
    }

    /// [`Runtime::run_wasi`] on the current thread.
    fn run_here(
        &self,
        mut wasi: WasiCtx,
        limits: &ExecLimits,
        entry: &Entry<'_>,
    ) -> (Result<Invoked>, WasiCtx) {
        let started = Instant::now();
        if let Some(t) = limits.timeout {
            // A timeout too large for an `Instant` is no deadline at all.
            wasi.set_deadline(started.checked_add(t));
        }
        match &self.inner.tier {
            Tier::Interpreter(i) => self.run_interpreted(i, wasi, limits, started, entry),
            #[cfg(feature = "native-tier")]
            Tier::Native(m) => match entry {
                Entry::Start => {
                    let (r, wasi) = super::native::run(m, wasi, limits);
                    (r.map(Invoked::exited), wasi)
                }
                Entry::Invoke { name, .. } => (
                    Err(InvokeError::NativeTier {
                        name: (*name).into(),
                    }
                    .into()),
                    wasi,
                ),
            },
        }
    }

    fn run_interpreted(
        &self,
        interpreter: &Interpreter,
        wasi: WasiCtx,
        limits: &ExecLimits,
        started: Instant,
        entry: &Entry<'_>,
    ) -> (Result<Invoked>, WasiCtx) {
        let mut store = Store::new(
            &interpreter.engine,
            StoreData {
                wasi,
                limits: GuestLimiter::new(limits.max_memory),
                memory: None,
            },
        );
        store.limiter(|d| &mut d.limits);
        let result = self.execute(interpreter, &mut store, limits, started, entry);
        // Linear memory only grows: its size now is the most it held.
        let guest_memory = store
            .data()
            .memory
            .map_or(0, |m| m.size(&store).saturating_mul(WASM_PAGE));
        let data = store.into_data();
        let memory_limit_reached = data.limits.reached();
        (
            result.map(|i| Invoked {
                exit: Exit {
                    guest_memory,
                    memory_limit_reached,
                    ..i.exit
                },
                ..i
            }),
            data.wasi,
        )
    }

    fn execute(
        &self,
        interpreter: &Interpreter,
        store: &mut Store<StoreData>,
        limits: &ExecLimits,
        started: Instant,
        entry: &Entry<'_>,
    ) -> Result<Invoked> {
        let deadline = limits.timeout.and_then(|t| started.checked_add(t));
        let mut budget = Budget {
            left: limits.fuel.unwrap_or(u64::MAX),
            given: 0,
        };
        // A `start` section cannot be paused and resumed (wasmi runs it as
        // one call), so it gets the whole budget rather than a slice: a
        // long one must not fail for running past a slice that only exists
        // for our own bookkeeping. Cancellation and the timeout are checked
        // again from the first slice of `_start`.
        budget.give_all(store)?;
        let instance = match interpreter
            .linker
            .instantiate_and_start(&mut *store, &interpreter.module)
        {
            Ok(i) => i,
            // A `start` section may already exit, trap or hit a limit, and
            // the budget may refuse the module's declared memory or tables.
            Err(e) => {
                if store.data().limits.reached() {
                    return Err(Error::Limit {
                        limit: LimitKind::Memory(limits.max_memory.unwrap_or(0)),
                        stderr_tail: String::new(),
                    });
                }
                return self.outcome(&e, store, limits).map(Invoked::exited);
            }
        };
        budget.spend(store);
        if budget.left == 0 {
            return Err(Error::Limit {
                limit: LimitKind::Fuel(limits.fuel.unwrap_or(u64::MAX)),
                stderr_tail: String::new(),
            });
        }
        budget.refill(store)?;
        store.data_mut().memory = instance.get_memory(&*store, "memory");
        let (func, args) = match entry {
            Entry::Start => {
                let start = instance
                    .get_typed_func::<(), ()>(&*store, "_start")
                    .map_err(|_| Error::NoEntryPoint)?;
                (*start.func(), Vec::new())
            }
            Entry::Invoke { name, args } => {
                let func = instance.get_func(&*store, name).ok_or_else(|| {
                    InvokeError::NoSuchFunction {
                        name: (*name).into(),
                    }
                })?;
                (func, args.iter().map(|a| to_val(*a)).collect())
            }
        };
        let mut results: Vec<Val> = func
            .ty(&*store)
            .results()
            .iter()
            .map(|t| Val::default_for_ty(*t))
            .collect();
        let mut call = func.call_resumable(&mut *store, &args, &mut results);
        loop {
            match call {
                Ok(ResumableCall::Finished) => {
                    return Ok(Invoked {
                        exit: Exit::default(),
                        results: Some(results.iter().filter_map(from_val).collect()),
                    })
                }
                Ok(ResumableCall::HostTrap(t)) => {
                    return self
                        .outcome(t.host_error(), store, limits)
                        .map(Invoked::exited)
                }
                Ok(ResumableCall::OutOfFuel(t)) => {
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
                    call = t.resume(&mut *store, &mut results);
                }
                Err(e) => return self.outcome(&e, store, limits).map(Invoked::exited),
            }
        }
    }
}

/// What a run calls once the module is instantiated.
enum Entry<'a> {
    /// `_start`: a WASI command's run.
    Start,
    /// Another export, with arguments of its parameters' types.
    Invoke {
        name: &'a str,
        args: &'a [WasmValue],
    },
}

impl Invoked {
    /// A run that ended with `exit` and no results: `_start`, or a
    /// function the guest left through `proc_exit`.
    fn exited(exit: Exit) -> Invoked {
        Invoked {
            exit,
            results: None,
        }
    }
}

/// `types` as [`ValueType`]s, refusing those with no literal.
fn value_types(name: &str, types: &[ValType]) -> Result<Vec<ValueType>> {
    types
        .iter()
        .map(|t| match t {
            ValType::I32 => Ok(ValueType::I32),
            ValType::I64 => Ok(ValueType::I64),
            ValType::F32 => Ok(ValueType::F32),
            ValType::F64 => Ok(ValueType::F64),
            other => Err(InvokeError::UnsupportedType {
                name: name.into(),
                ty: format!("{other:?}").to_lowercase(),
            }
            .into()),
        })
        .collect()
}

fn to_val(v: WasmValue) -> Val {
    match v {
        WasmValue::I32(x) => Val::I32(x),
        WasmValue::I64(x) => Val::I64(x),
        WasmValue::F32(x) => Val::F32(x.into()),
        WasmValue::F64(x) => Val::F64(x.into()),
    }
}

/// A numeric result (the signature was checked: every result is one).
fn from_val(v: &Val) -> Option<WasmValue> {
    match v {
        Val::I32(x) => Some(WasmValue::I32(*x)),
        Val::I64(x) => Some(WasmValue::I64(*x)),
        Val::F32(x) => Some(WasmValue::F32(x.to_float())),
        Val::F64(x) => Some(WasmValue::F64(x.to_float())),
        _ => None,
    }
}

/// The CPU budget, handed to the guest one slice at a time.
struct Budget {
    left: u64,
    given: u64,
}

impl Budget {
    /// Gives everything that is left at once.
    fn give_all(&mut self, store: &mut Store<StoreData>) -> Result<()> {
        self.given = self.left;
        store
            .set_fuel(self.given)
            .map_err(|e| Error::Instantiate(e.to_string()))
    }

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

#[cfg(test)]
mod tests {
    use super::check_mount_point;

    #[test]
    fn mount_points_are_absolute_plain_paths_outside_the_job_mounts() {
        for ok in [
            "/usr/share/fonts/afmpeg",
            "/data",
            "/tmpfiles",
            "/devices/x",
        ] {
            assert!(check_mount_point(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/",
            "fonts",
            "é",
            "/usr//fonts",
            "/usr/",
            "/usr/./x",
            "/usr/../etc",
            "/tmp",
            "/tmp/x",
            "/dev",
            "/dev/fonts",
            "/a\0b",
        ] {
            let err = check_mount_point(bad).unwrap_err();
            assert!(
                matches!(&err, crate::Error::Config(m) if m.contains("mount point")),
                "{bad:?}: {err:?}"
            );
        }
    }
}
