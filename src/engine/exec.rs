//! What one run is given (engine limits, fuel slices) and how a run that
//! completed ended.

use crate::cancel::CancelToken;
use std::time::Duration;

/// Per-run limits of the engine (the WASI context carries the filesystem
/// and stdio limits).
#[derive(Debug, Clone, Default)]
pub struct ExecLimits {
    /// Most bytes of linear memory the guest may have. Growing past it ends
    /// the run with [`LimitKind::Memory`](crate::LimitKind::Memory).
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
