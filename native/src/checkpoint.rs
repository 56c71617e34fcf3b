//! The host side of the checkpoints: what runs when the translated code's
//! counter runs out.
//!
//! `guest/tools/split_wasm2c.py` puts a checkpoint at every function entry and
//! loop head of the generated C: a decrement of `afn_fuel` (a member of the
//! instance) and, when it drops below zero, a call of `afn_checkpoint`
//! (csrc/runtime.c), which calls [`afn_budget_check`] here. That is the only
//! moment guest code that makes no WASI call meets the host: this function
//! reads the context's interrupt flag and deadline, charges the CPU budget,
//! and either refills the counter or ends the guest the way a WASI import
//! does (a reason left in the call's state, a return of 1, the trap in C).

use crate::call::{Ended, HostState, CHECK_INTERVAL};
use crate::ffi::HostInstance;
use std::ffi::c_int;
use std::time::Instant;
use wasi_shim::Abort;

/// The CPU budget of one call, in checkpoints.
pub(crate) struct Budget {
    /// Checkpoints not yet handed to the guest; `None`: unbounded.
    left: Option<u64>,
}

impl Budget {
    pub(crate) fn new(cpu_budget: Option<u64>) -> Budget {
        Budget { left: cpu_budget }
    }

    /// How many checkpoints the guest may pass before the next check, or
    /// `None` when the budget is spent.
    fn grant(&mut self) -> Option<u64> {
        match &mut self.left {
            None => Some(CHECK_INTERVAL),
            Some(0) => None,
            Some(left) => {
                let g = (*left).min(CHECK_INTERVAL);
                *left -= g;
                Some(g)
            }
        }
    }
}

/// Whether the host ends the guest now: the interrupt flag, the deadline.
fn ended_by_host(state: &HostState) -> Option<Ended> {
    if state.ctx.interrupted() {
        return Some(Ended::Abort(Abort::Interrupted));
    }
    if state.ctx.deadline().is_some_and(|d| Instant::now() >= d) {
        return Some(Ended::Timeout);
    }
    None
}

/// Why the guest must end now, if it must; otherwise the next grant.
fn check(state: &mut HostState) -> Result<u64, Ended> {
    if let Some(reason) = ended_by_host(state) {
        return Err(reason);
    }
    state.budget.grant().ok_or(Ended::CpuBudget)
}

/// Called (through `afn_checkpoint`) by the checkpoint that found the
/// counter spent: refills `*fuel`, or records why the guest ends and
/// returns 1.
///
/// The counter is below zero by what was charged past the last grant: 1
/// for a checkpoint (the first of the new grant), up to a chunk's worth for
/// a bulk-memory instruction (split_wasm2c.py). That debt is paid out of
/// the new grants, so a budget of `n` lets exactly `n` checkpoints pass.
///
/// # Safety
/// `host` is the instance `afn_call` passed to the guest now running on this
/// thread; `fuel` is that guest's counter.
#[export_name = "afn_budget_check"]
unsafe extern "C" fn afn_budget_check(host: *mut HostInstance, fuel: *mut i64) -> c_int {
    // SAFETY: see above; the guest is suspended in C below us.
    let state = unsafe { &mut *(*host).host.cast::<HostState>() };
    // SAFETY: see above.
    let mut left = unsafe { *fuel };
    while left < 0 {
        match check(state) {
            // CHECK_INTERVAL fits an i64.
            Ok(grant) => left += grant as i64,
            Err(reason) => {
                state.ended = Some(reason);
                return 1;
            }
        }
    }
    // SAFETY: see above.
    unsafe { *fuel = left };
    0
}

/// Called (through `afn_bulk_poll`) after each 64 KiB chunk of a large
/// bulk-memory instruction: records why the guest ends and returns 1 if the
/// interrupt flag or the deadline ends it, returns 0 otherwise. The chunk's
/// cost was charged to the fuel already; the budget is not looked at here.
///
/// # Safety
/// `host` is the instance `afn_call` passed to the guest now running on this
/// thread.
#[export_name = "afn_interrupt_check"]
unsafe extern "C" fn afn_interrupt_check(host: *mut HostInstance) -> c_int {
    // SAFETY: see above; the guest is suspended in C below us.
    let state = unsafe { &mut *(*host).host.cast::<HostState>() };
    match ended_by_host(state) {
        Some(reason) => {
            state.ended = Some(reason);
            1
        }
        None => 0,
    }
}
