//! The wasmi binding: every preview1 function registered in a
//! [`wasmi::Linker`], generated from the preview1 table
//! ([`for_each_preview1_function!`](crate::for_each_preview1_function)).
//!
//! Each import finds the instance's linear memory (the `memory` export,
//! looked up once and then kept in the store data through [`WasiView`]),
//! calls the syscall through the shared wrapper [`binding::call`], and maps
//! its [`CallOutcome`]: the errno is the import's result; an abort
//! (`proc_exit`, a fatal signal, a limit with `abort_on_limit`, an
//! interrupt) becomes a host error carrying a [`GuestAbort`], and a caught
//! panic one carrying a [`HostPanic`]; both unwind the wasm stack. The
//! binding uses only the crate's public items, as a binding for another
//! engine would.

use crate::binding::{self, CallOutcome, WasiView};
use crate::ctx::{Abort, WasiCtx};
use crate::errno::Result;
use crate::memory::GuestMemory;
use crate::preview1;
use std::fmt;
use wasmi::{Caller, Error, Extern, Linker, Memory};

/// The import module name of WASI preview1.
pub const MODULE: &str = preview1::MODULE;

/// Every function this binding provides, by import name (the table's
/// [`preview1::NAMES`]).
pub const FUNCTIONS: [&str; 46] = preview1::NAMES;

/// The simplest store data for this binding: a [`WasiCtx`] and the slot for
/// the instance's memory. An embedder with more to keep in its store
/// implements [`WasiView`] for its own type instead.
pub struct WasiStore {
    /// The guest's WASI world.
    pub wasi: WasiCtx,
    /// The instance's `memory` export, once known.
    pub memory: Option<Memory>,
}

impl WasiStore {
    /// Store data around `wasi`, memory not yet known.
    pub fn new(wasi: WasiCtx) -> Self {
        WasiStore { wasi, memory: None }
    }
}

impl WasiView for WasiStore {
    type Memory = Memory;

    fn ctx(&mut self) -> &mut WasiCtx {
        &mut self.wasi
    }

    fn memory(&mut self) -> &mut Option<Memory> {
        &mut self.memory
    }
}

/// The host error that ends a guest through the WASI layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestAbort(pub Abort);

impl fmt::Display for GuestAbort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Abort::Exit(code) => write!(f, "guest exited with code {code}"),
            Abort::Signal(sig) => write!(f, "guest terminated by signal {sig}"),
            Abort::Limit(l) => write!(f, "guest stopped: limit reached ({l:?})"),
            Abort::Interrupted => write!(f, "guest interrupted"),
        }
    }
}

impl wasmi::errors::HostError for GuestAbort {}

/// A host function panicked (caught, so the process survives).
#[derive(Debug, Clone)]
pub struct HostPanic(pub String);

impl fmt::Display for HostPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host function panicked: {}", self.0)
    }
}

impl wasmi::errors::HostError for HostPanic {}

/// The error when the guest exports no linear memory named `memory`.
#[derive(Debug, Clone, Copy)]
pub struct NoMemoryExport;

impl fmt::Display for NoMemoryExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the module calls WASI but exports no linear memory named \"memory\"")
    }
}

impl wasmi::errors::HostError for NoMemoryExport {}

/// Finds how a run ended, from the error a call into the guest returned.
pub fn abort_of(err: &Error) -> Option<Abort> {
    err.downcast_ref::<GuestAbort>().map(|a| a.0)
}

/// The instance's memory: from the store data, or looked up by export name
/// on the first call and kept there.
fn memory<T: WasiView<Memory = Memory>>(caller: &mut Caller<'_, T>) -> Option<Memory> {
    if let Some(m) = *caller.data_mut().memory() {
        return Some(m);
    }
    let m = caller.get_export("memory").and_then(Extern::into_memory)?;
    *caller.data_mut().memory() = Some(m);
    Some(m)
}

/// Runs `f` through [`binding::call`] with the instance's memory. Without a
/// `memory` export, a call that needs memory ends the guest with
/// [`NoMemoryExport`]; one that does not (`proc_exit`) runs over no bytes.
#[inline]
fn invoke<T: WasiView<Memory = Memory>>(
    caller: &mut Caller<'_, T>,
    needs_memory: bool,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> Result<()>,
) -> std::result::Result<CallOutcome, Error> {
    match memory(caller) {
        Some(m) => {
            let (bytes, data) = m.data_and_store_mut(&mut *caller);
            Ok(binding::call(data.ctx(), bytes, f))
        }
        None if !needs_memory => Ok(binding::call(caller.data_mut().ctx(), &mut [], f)),
        None => Err(Error::host(NoMemoryExport)),
    }
}

/// The result of an import that returns the errno.
#[inline]
fn errno_result(outcome: CallOutcome) -> std::result::Result<i32, Error> {
    match outcome {
        CallOutcome::Errno(e) => Ok(e),
        CallOutcome::Abort(a) => Err(Error::host(GuestAbort(a))),
        CallOutcome::Panic(msg) => Err(Error::host(HostPanic(msg))),
    }
}

/// The result of an import with no wasm result (`proc_exit`). Its syscall
/// always leaves an abort; should one ever return, so does the import.
fn noreturn_result(outcome: CallOutcome) -> std::result::Result<(), Error> {
    errno_result(outcome).map(drop)
}

/// Per return shape of the table: whether the import needs the guest's
/// memory, and how its outcome becomes the wasm result.
macro_rules! shape {
    (errno, needs_memory) => {
        true
    };
    (noreturn, needs_memory) => {
        false
    };
    (errno, $outcome:expr) => {
        errno_result($outcome)
    };
    (noreturn, $outcome:expr) => {
        noreturn_result($outcome)
    };
}

macro_rules! link {
    ($linker:ident ; $( $name:ident ( $( $p:ident : $wasm:ident as $host:ident [$kind:ident] ),* )
        -> $shape:ident = $syscall:path ; )*) => {
        $(
            $linker.func_wrap(MODULE, stringify!($name), |mut caller: Caller<'_, T>, $($p: $wasm),*| {
                let outcome = invoke(&mut caller, shape!($shape, needs_memory), |ctx, mem| {
                    $syscall(ctx, mem, $($p as $host),*)
                })?;
                shape!($shape, outcome)
            })?;
        )*
    };
}

/// Registers all 46 preview1 functions in `linker`. The store data `T`
/// holds the [`WasiCtx`] and the memory slot ([`WasiView`]); [`WasiStore`]
/// is the simplest such type.
///
/// ```
/// use wasi_shim::{wasmi_link::{self, WasiStore}, WasiCtx};
/// let engine = wasmi::Engine::default();
/// let mut linker = wasmi::Linker::<WasiStore>::new(&engine);
/// wasmi_link::add_to_linker(&mut linker)?;
/// let store = wasmi::Store::new(&engine, WasiStore::new(WasiCtx::builder().build()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_to_linker<T: WasiView<Memory = Memory> + 'static>(
    linker: &mut Linker<T>,
) -> std::result::Result<(), Error> {
    crate::for_each_preview1_function!(link, linker);
    Ok(())
}
