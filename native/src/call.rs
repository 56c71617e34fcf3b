//! One call of a translated module's `_start`: its own instance, memory and
//! trap state, on the calling thread.

use crate::checkpoint::Budget;
use crate::error::{NativeError, Trap};
use crate::ffi::{self, HostInstance};
use crate::memory;
use std::ffi::c_void;
use wasi_shim::{Abort, WasiCtx};

/// Per-call limits the runtime enforces itself (the WASI context carries the
/// others: bytes written, open files, interrupt, deadline).
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// The most linear memory the guest may have, in bytes: `memory.grow`
    /// past it returns -1, an initial memory above it fails the call with
    /// [`NativeError::MemoryLimit`]. `None`: the module's own maximum.
    pub max_memory: Option<u64>,
    /// The most guest work the call may do, in **checkpoints**: the
    /// translated code counts one at every loop iteration (each time control
    /// reaches a loop's head) and one at every function entry. The call that
    /// reaches it ends with [`NativeError::CpuBudget`]. `None`: unbounded.
    ///
    /// A checkpoint is coarser than wasmi's fuel, which charges (about) one
    /// unit per executed wasm instruction: one checkpoint stands for the
    /// straight-line instructions of one loop iteration or one call, so the
    /// same work costs many times fewer checkpoints than fuel units: about
    /// 137 fuel units per checkpoint on an x264 encode (measured, see
    /// docs/explanation/performance.md). Convert with such a ratio, not 1:1,
    /// and expect it to vary by workload.
    ///
    /// The count is checked every [`CHECK_INTERVAL`] checkpoints (or sooner,
    /// when less budget is left), the same moment the context's interrupt
    /// flag and deadline are read.
    ///
    /// [`NativeError::CpuBudget`]: crate::NativeError::CpuBudget
    pub cpu_budget: Option<u64>,
}

/// How many checkpoints the guest runs between two host checks (interrupt
/// flag, deadline, budget). See `RATIONALE.md` for how long that is.
pub const CHECK_INTERVAL: u64 = 1 << 20;

/// How a guest that did not trap ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `proc_exit(code)`, or `_start` returned (code 0).
    Code(u32),
    /// `proc_raise` of a terminating signal.
    Signal(u8),
}

/// Why a host function ended the guest (read after the C side trapped).
pub(crate) enum Ended {
    Abort(Abort),
    Panic(String),
    /// A checkpoint found the deadline passed.
    Timeout,
    /// A checkpoint found the CPU budget spent.
    CpuBudget,
}

/// The Rust state of a running call, reached from the WASI imports through
/// `HostInstance::host`.
pub(crate) struct HostState {
    pub ctx: WasiCtx,
    pub ended: Option<Ended>,
    pub budget: Budget,
}

pub(crate) fn run(
    module: &'static ffi::Module,
    wasi: WasiCtx,
    limits: &Limits,
) -> (Result<Exit, NativeError>, WasiCtx) {
    let mut state = HostState {
        ctx: wasi,
        ended: None,
        budget: Budget::new(limits.cpu_budget),
    };
    let mut host = HostInstance {
        host: (&mut state as *mut HostState).cast::<c_void>(),
        memory: std::ptr::null_mut(),
    };
    let limit = limits.max_memory.map_or(u32::MAX, memory::pages_for_bytes);
    let previous = memory::set_limit_pages(limit);
    // SAFETY: `module` is a descriptor of the generated glue; `host` and
    // `state` outlive the call, which frees its instance before returning.
    let code = unsafe {
        (module.init_module)();
        ffi::afn_call(module, &mut host)
    };
    memory::set_limit_pages(previous);
    let result = match code {
        0 => Ok(Exit::Code(0)),
        ffi::TRAP_HOST => match state.ended.take() {
            Some(Ended::Abort(Abort::Exit(c))) => Ok(Exit::Code(c)),
            Some(Ended::Abort(Abort::Signal(s))) => Ok(Exit::Signal(s)),
            Some(Ended::Abort(Abort::Limit(l))) => Err(NativeError::Limit(l)),
            Some(Ended::Abort(Abort::Interrupted)) => Err(NativeError::Interrupted),
            Some(Ended::Panic(msg)) => Err(NativeError::HostPanic(msg)),
            Some(Ended::Timeout) => Err(NativeError::Timeout),
            Some(Ended::CpuBudget) => Err(NativeError::CpuBudget),
            None => Err(NativeError::HostPanic("host trap without a reason".into())),
        },
        ffi::TRAP_MEMORY_LIMIT => Err(NativeError::MemoryLimit),
        ffi::TRAP_RESOURCE => Err(NativeError::Resource),
        ffi::CALL_NESTED => Err(NativeError::Nested),
        ffi::CALL_SETUP => Err(NativeError::Setup),
        c => Err(Trap::from_code(c).map_or(NativeError::Internal(c), NativeError::Trap)),
    };
    (result, state.ctx)
}
