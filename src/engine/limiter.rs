//! What a guest may allocate: its linear memory and its tables, counted
//! together against the run's memory budget.
//!
//! Only a real limit stops a grow: the budget ([`ExecLimits::max_memory`]),
//! the 4 GiB of a wasm32 memory, a table's implementation limit, or the
//! host refusing the allocation. How the engine meters its work never does:
//! wasmi charges a `memory.grow` fuel for the bytes it adds, and when the
//! current fuel slice cannot pay, the grow *pauses* (the run refuels and
//! resumes it, as for any other instruction) instead of failing. wasmi's
//! own `StoreLimits` with `trap_on_grow_failure` turned that pause into a
//! trap reported as a memory limit — a grow of 1.28 GB could never succeed,
//! and smaller ones failed whenever a slice happened to end there.
//!
//! At the limit the guest sees what the WebAssembly specification says:
//! `memory.grow` and `table.grow` return -1, so `malloc` returns `NULL` and
//! the program decides. The run records that the limit was reached
//! ([`Exit::memory_limit_reached`](super::Exit::memory_limit_reached)), so an
//! embedder can refuse to call a job that hit it a success whatever the
//! guest then did (FFmpeg prints "Out of memory" and sometimes exits 0).
//! `wasi-shim/RATIONALE.md` ("Memory limits") has the reasons.

use wasmi::errors::{MemoryError, TableError};
use wasmi::ResourceLimiter;
use wasmi_core::LimiterError;

/// Bytes a table element costs the host (wasmi stores each as a 64-bit
/// reference).
pub const TABLE_ELEMENT_BYTES: u64 = 8;

/// Most elements of one table when the run has no memory budget: the limit
/// of the web's engines (V8's `kV8MaxWasmTableSize`), so that a module
/// declaring a billion-entry table cannot make the host allocate gigabytes.
/// With a budget, the budget is the limit.
pub const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// The store's [`ResourceLimiter`] for one run.
#[derive(Debug)]
pub(super) struct GuestLimiter {
    /// Bytes of linear memory plus tables the guest may have.
    budget: Option<u64>,
    /// The linear memory's size, in bytes (one memory per instance).
    memory: u64,
    /// Its size before the growth approved last, restored if it fails.
    memory_before: u64,
    /// Bytes of all tables.
    tables: u64,
    /// The table growth approved last, undone if the grow then fails.
    pending_table: u64,
    /// Whether a grow was refused because of the budget.
    reached: bool,
}

impl GuestLimiter {
    pub(super) fn new(budget: Option<u64>) -> GuestLimiter {
        GuestLimiter {
            budget,
            memory: 0,
            memory_before: 0,
            tables: 0,
            pending_table: 0,
            reached: false,
        }
    }

    /// Whether the budget refused a grow (the guest saw -1, or the module
    /// could not be instantiated).
    pub(super) fn reached(&self) -> bool {
        self.reached
    }

    fn allows(&mut self, total: u64) -> bool {
        let ok = self.budget.is_none_or(|b| total <= b);
        if !ok {
            self.reached = true;
        }
        ok
    }
}

impl ResourceLimiter for GuestLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        let desired = desired as u64;
        if !self.allows(desired.saturating_add(self.tables)) {
            return Ok(false);
        }
        self.memory_before = current as u64;
        self.memory = desired;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        let (current, desired) = (current as u64, desired as u64);
        if self.budget.is_none() && desired > MAX_TABLE_ELEMENTS {
            return Ok(false);
        }
        let added = desired.saturating_sub(current) * TABLE_ELEMENT_BYTES;
        if !self.allows(
            self.memory
                .saturating_add(self.tables)
                .saturating_add(added),
        ) {
            return Ok(false);
        }
        self.tables += added;
        self.pending_table = added;
        Ok(true)
    }

    /// A grow the budget allowed failed afterwards: out of fuel (the run
    /// pauses and retries it), beyond 4 GiB, or the host had no memory.
    /// None of these is a trap; the engine returns -1 or pauses.
    fn memory_grow_failed(&mut self, _error: &MemoryError) -> Result<(), LimiterError> {
        self.memory = self.memory_before;
        Ok(())
    }

    fn table_grow_failed(&mut self, _error: &TableError) -> Result<(), LimiterError> {
        self.tables -= std::mem::take(&mut self.pending_table);
        Ok(())
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        // The reference-types proposal lets a module have several; each
        // counts against the budget.
        100
    }

    fn memories(&self) -> usize {
        1
    }
}
