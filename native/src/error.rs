//! How a native call can end other than by the guest exiting.

use std::fmt;

/// Why guest code trapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trap {
    /// A linear-memory or table access out of bounds.
    OutOfBounds,
    /// Signed division overflow (`INT_MIN / -1`) or a float-to-int
    /// truncation out of range.
    IntegerOverflow,
    /// Integer division or remainder by zero.
    DivisionByZero,
    /// Float-to-int truncation of a NaN.
    InvalidConversion,
    /// An `unreachable` instruction.
    Unreachable,
    /// `call_indirect` through a null, out-of-range or wrongly typed entry.
    IndirectCall,
    /// A wasm exception nobody caught.
    UncaughtException,
    /// The guest's calls exhausted the native stack.
    StackExhausted,
}

impl Trap {
    /// The `wasm_rt_trap_t` value.
    pub(crate) fn from_code(code: i32) -> Option<Trap> {
        Some(match code {
            1 => Trap::OutOfBounds,
            2 => Trap::IntegerOverflow,
            3 => Trap::DivisionByZero,
            4 => Trap::InvalidConversion,
            5 => Trap::Unreachable,
            6 => Trap::IndirectCall,
            7 => Trap::UncaughtException,
            8 => Trap::StackExhausted,
            _ => return None,
        })
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Trap::OutOfBounds => "out of bounds memory or table access",
            Trap::IntegerOverflow => "integer overflow",
            Trap::DivisionByZero => "integer divide by zero",
            Trap::InvalidConversion => "invalid conversion to integer",
            Trap::Unreachable => "unreachable executed",
            Trap::IndirectCall => "invalid indirect call",
            Trap::UncaughtException => "uncaught exception",
            Trap::StackExhausted => "call stack exhausted",
        })
    }
}

/// Everything a native call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// The module asked for was not translated and compiled into this build.
    #[error(
        "module `{name}` is not compiled into this build (compiled in: {compiled_in:?}); {hint}"
    )]
    NotCompiledIn {
        /// The name asked for.
        name: String,
        /// The modules this build has.
        compiled_in: Vec<&'static str>,
        /// How to get it compiled in.
        hint: &'static str,
    },
    /// The guest trapped; its instance is gone, the process is fine.
    #[error("guest trapped: {0}")]
    Trap(Trap),
    /// The guest's initial memory is larger than the call's `max_memory`.
    #[error("the guest's initial memory exceeds the memory limit")]
    MemoryLimit,
    /// The runtime could not get memory for the guest (its address-space
    /// reservation, a table).
    #[error("could not reserve memory for the guest")]
    Resource,
    /// A limit of the WASI context was reached with `abort_on_limit` set.
    #[error("limit reached: {0:?}")]
    Limit(wasi_shim::Limit),
    /// The context's interrupt flag was raised (seen at a WASI call or at a
    /// checkpoint of the guest's own code).
    #[error("interrupted")]
    Interrupted,
    /// The guest used up [`Limits::cpu_budget`](crate::Limits::cpu_budget).
    #[error("CPU budget exhausted")]
    CpuBudget,
    /// The context's deadline passed while the guest computed (seen at a
    /// checkpoint of its code; a WASI call that blocks past it reports it
    /// through the context as usual).
    #[error("deadline passed while the guest computed")]
    Timeout,
    /// A host function panicked; the panic was caught at the C boundary.
    #[error("host function panicked: {0}")]
    HostPanic(String),
    /// A guest already runs on this thread (a host function started another).
    #[error("a guest already runs on this thread")]
    Nested,
    /// The signal handler, the alternate signal stack or the instance could
    /// not be set up.
    #[error("could not set up the native call (signal handler, signal stack or instance)")]
    Setup,
    /// The C runtime returned a code this crate does not know (a bug of ours).
    #[error("internal error: unknown call result {0}")]
    Internal(i32),
}
