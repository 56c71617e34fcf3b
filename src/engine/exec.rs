//! What one run is given (engine limits, fuel slices) and how a run that
//! completed ended.

use crate::cancel::CancelToken;
use std::time::Duration;

/// Per-run limits of the engine (the WASI context carries the filesystem
/// and stdio limits).
#[derive(Debug, Clone, Default)]
pub struct ExecLimits {
    /// Most bytes of linear memory and tables the guest may have. A grow
    /// past it fails as the WebAssembly specification says (`memory.grow`
    /// returns -1) and the run records it in [`Exit::memory_limit_reached`];
    /// a module that declares more than this at instantiation does not
    /// start ([`LimitKind::Memory`](crate::LimitKind::Memory)).
    pub max_memory: Option<u64>,
    /// CPU budget in fuel units (roughly one per executed instruction); the
    /// native tier counts it in checkpoints of [`FUEL_PER_CHECKPOINT`] units
    /// each (see [`crate::Limits::fuel`]).
    pub fuel: Option<u64>,
    /// Wall-clock timeout, time spent sleeping in `poll_oneoff` included.
    pub timeout: Option<Duration>,
    /// Stops the run when cancelled.
    pub cancel: Option<CancelToken>,
}

/// Fuel given to the guest per slice. Between slices the run checks its
/// cancellation token, timeout and CPU budget; at the interpreter's speed a
/// slice is a few milliseconds, far below the 100 ms cancellation bound.
/// It also bounds the native stack a run can use: see
/// [`GUEST_STACK`](super::GUEST_STACK). Resuming a paused run costs about a
/// microsecond, nothing measurable at this granularity.
pub const FUEL_SLICE: u64 = 1_000_000;

/// The interpreter's fuel units one checkpoint of the native tier stands
/// for, on average: FFmpeg spends about 137 per checkpoint (measured on an
/// x264 encode, docs/explanation/native-tier.md). The native tier turns a
/// fuel budget into checkpoints with it, so one budget means about the same
/// work on both tiers; the ratio varies with the workload, so treat the
/// budget as approximate on the native tier.
pub const FUEL_PER_CHECKPOINT: u64 = 137;

/// How a run that completed ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exit {
    /// The exit code: `proc_exit`'s argument, 0 when `_start` returned, or
    /// 128 + signal number when a signal terminated the guest.
    pub code: i32,
    /// The signal that terminated the guest (`proc_raise`), if one did.
    pub signal: Option<u8>,
    /// The size the guest's linear memory reached, in bytes (it only
    /// grows, so this is its size at the end).
    pub guest_memory: u64,
    /// Whether the guest asked for more memory than the run's budget
    /// ([`ExecLimits::max_memory`]) allows. The guest was told no
    /// (`memory.grow` returned -1, so `malloc` returned `NULL`) and went
    /// on; whatever it then did, its output may be incomplete, so the
    /// FFmpeg jobs of this crate report such a run as
    /// [`LimitKind::Memory`](crate::LimitKind::Memory), never as a success.
    pub memory_limit_reached: bool,
}
