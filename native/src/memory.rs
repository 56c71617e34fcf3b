//! Linear memory: one address-space reservation per memory, guard pages
//! instead of bounds checks (unless built with feature `bounds-checks`), the
//! job's memory limit enforced on every grow.
//!
//! wasm2c (1.0.32 and 1.0.36 alike, built with `WASM_RT_MEMCHECK_SIGNAL_HANDLER`,
//! their default on 64-bit) emits no bounds check: an access is `data[(u64)addr + offset]` with
//! a 32-bit `addr` and a 32-bit `offset`, so it can reach `2^33 - 2` bytes past
//! `data` plus the access's width. The whole span is reserved `PROT_NONE` up
//! front and only `pages * 64 KiB` of it is readable and writable; anything
//! beyond faults, and the signal handler (csrc/runtime.c) turns that fault into
//! a trap because the address lies in a reservation of the faulting thread.
//! The reservation is unmapped whole when the instance is freed.

use crate::ffi::{self, Pages, WasmRtMemory};
use std::cell::Cell;
use std::ffi::c_int;

/// A wasm page.
pub(crate) const PAGE: u64 = 65536;

/// What one memory reserves with guard pages: every address `(u64)u32 +
/// u32` plus the widest access (16 bytes), rounded up to a page.
#[cfg(not(afn_bounds_checks))]
const GUARDED_RESERVATION: usize = (1 << 33) + PAGE as usize;

/// The address space a memory of at most `max_pages` reserves. With guard
/// pages, everything an access can address; with explicit bounds checks
/// (feature `bounds-checks`) no access goes past the memory's size, so only
/// what it may grow to (at least a page: `mmap` takes no empty span). That
/// is what makes many concurrent jobs fit an iOS app's address space.
fn reservation(max_pages: u64) -> usize {
    #[cfg(not(afn_bounds_checks))]
    {
        let _ = max_pages;
        GUARDED_RESERVATION
    }
    #[cfg(afn_bounds_checks)]
    {
        (max_pages.max(1) as usize) * PAGE as usize
    }
}

/// wasm-rt.h 1.0.32 keeps the byte size in a `uint32_t`: 65536 pages would
/// wrap it.
#[cfg(not(afn_wabt_136))]
const MAX_PAGES: u64 = 65535;
/// 1.0.36 keeps it in a `uint64_t`: the whole 4 GiB of a 32-bit memory.
#[cfg(afn_wabt_136)]
const MAX_PAGES: u64 = 65536;

thread_local! {
    /// The running call's memory limit in pages (`u32::MAX`: none). Set by
    /// `call::run` around the call, read when the guest allocates its memory.
    static LIMIT_PAGES: Cell<u32> = const { Cell::new(u32::MAX) };
}

thread_local! {
    /// What the memories of this thread's calls used, since the last
    /// [`take_usage`]: the most pages one held, and whether a grow was refused
    /// because of the job's limit (not the module's own maximum).
    static USAGE: Cell<(u64, bool)> = const { Cell::new((0, false)) };
}

/// Reads and resets this thread's [`USAGE`]: the most linear memory a memory
/// held, in bytes, and whether the job's limit refused a grow.
pub(crate) fn take_usage() -> (u64, bool) {
    let (pages, reached) = USAGE.with(|u| u.replace((0, false)));
    (pages * PAGE, reached)
}

/// A page count of `wasm_rt_memory_t` (`u32` or `u64` by wabt version) as `u64`.
#[allow(clippy::useless_conversion)] // the identity with wabt 1.0.36's header
fn to_u64(pages: Pages) -> u64 {
    pages.into()
}

fn note_usage(pages: u64, reached: bool) {
    USAGE.with(|u| {
        let (p, r) = u.get();
        u.set((p.max(pages), r || reached));
    });
}

/// Sets this thread's limit for the memories allocated until it is reset;
/// returns the previous one.
pub(crate) fn set_limit_pages(pages: u32) -> u32 {
    LIMIT_PAGES.with(|l| l.replace(pages))
}

/// Pages allowed by a byte limit (rounded down: a limit below one page allows
/// none).
pub(crate) fn pages_for_bytes(bytes: u64) -> u32 {
    u32::try_from(bytes / PAGE).unwrap_or(u32::MAX)
}

/// `wasm_rt_allocate_memory`'s policy (the C wrapper traps on a non-zero
/// result): reserve, commit the initial pages, register the reservation for
/// the signal handler.
///
/// `data` never changes after this: a grow commits pages inside the
/// reservation. The generated code relies on it — `split_wasm2c.py` reads
/// the base once per function (RATIONALE.md, "The memory base, read once per
/// function") — so a memory must never be moved to grow it.
///
/// # Safety
/// `mem` points to a `wasm_rt_memory_t` owned by the instance being created.
#[no_mangle]
pub unsafe extern "C" fn afn_memory_allocate(
    mem: *mut WasmRtMemory,
    initial_pages: u64,
    max_pages: u64,
) -> c_int {
    let limit = u64::from(LIMIT_PAGES.with(Cell::get));
    if initial_pages > limit {
        return ffi::TRAP_MEMORY_LIMIT;
    }
    let max = max_pages.min(MAX_PAGES).min(limit);
    if initial_pages > max {
        return ffi::TRAP_RESOURCE;
    }
    let span = reservation(max);
    // SAFETY: a fresh anonymous mapping; nothing else refers to it.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            span,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return ffi::TRAP_RESOURCE;
    }
    let committed = initial_pages as usize * PAGE as usize;
    // SAFETY: inside the reservation just made.
    if committed > 0
        && unsafe { libc::mprotect(base, committed, libc::PROT_READ | libc::PROT_WRITE) } != 0
    {
        unsafe { libc::munmap(base, span) };
        return ffi::TRAP_RESOURCE;
    }
    let lo = base as usize;
    // SAFETY: plain C call.
    if unsafe { ffi::afn_reservation_add(lo, lo + span) } != 0 {
        unsafe { libc::munmap(base, span) };
        return ffi::TRAP_RESOURCE;
    }
    // SAFETY: the caller's memory object.
    unsafe {
        *mem = WasmRtMemory {
            data: base.cast(),
            // Both at most MAX_PAGES (checked above), which fits `Pages`.
            pages: initial_pages as Pages,
            max_pages: max as Pages,
            size: committed as _,
            #[cfg(afn_wabt_136)]
            is64: false,
        };
    }
    0
}

/// `wasm_rt_grow_memory`: the previous page count, or all ones (what
/// `memory.grow` returns as -1) past the memory's maximum or the job's limit,
/// both folded into `max_pages` at allocation. Counts are `u32` for wasm2c
/// 1.0.32, `u64` for 1.0.36.
///
/// # Safety
/// `mem` was set up by [`afn_memory_allocate`].
#[no_mangle]
pub unsafe extern "C" fn wasm_rt_grow_memory(mem: *mut WasmRtMemory, delta: Pages) -> Pages {
    // SAFETY: see above.
    let mem = unsafe { &mut *mem };
    let old = mem.pages;
    let Some(new) = to_u64(old).checked_add(to_u64(delta)) else {
        return Pages::MAX;
    };
    if new > to_u64(mem.max_pages) {
        // The job's limit, rather than the module's maximum, said no: the
        // embedder reports the job as stopped by its memory limit.
        note_usage(to_u64(old), new > u64::from(LIMIT_PAGES.with(Cell::get)));
        return Pages::MAX;
    }
    if delta == 0 {
        return old;
    }
    let start = to_u64(old) * PAGE;
    let len = to_u64(delta) * PAGE;
    // SAFETY: [start, start+len) lies inside the reservation (new <= MAX_PAGES).
    let ok = unsafe {
        libc::mprotect(
            mem.data.add(start as usize).cast(),
            len as usize,
            libc::PROT_READ | libc::PROT_WRITE,
        )
    } == 0;
    if !ok {
        return Pages::MAX;
    }
    // new <= max_pages <= MAX_PAGES: fits both `Pages` and the size field.
    mem.pages = new as Pages;
    mem.size = (new * PAGE) as _;
    old
}

/// `wasm_rt_free_memory`: the reservation goes back whole.
///
/// # Safety
/// `mem` was set up by [`afn_memory_allocate`] or is all zeros.
#[no_mangle]
pub unsafe extern "C" fn wasm_rt_free_memory(mem: *mut WasmRtMemory) {
    // SAFETY: see above.
    let mem = unsafe { &mut *mem };
    if mem.data.is_null() {
        return;
    }
    note_usage(to_u64(mem.pages), false);
    let lo = mem.data as usize;
    // SAFETY: the reservation made by afn_memory_allocate on this thread.
    unsafe {
        ffi::afn_reservation_remove(lo);
        libc::munmap(mem.data.cast(), reservation(to_u64(mem.max_pages)));
    }
    *mem = WasmRtMemory {
        data: std::ptr::null_mut(),
        pages: 0,
        max_pages: 0,
        size: 0,
        #[cfg(afn_wabt_136)]
        is64: false,
    };
}

/// The guest's memory as bytes, for the WASI layer.
///
/// # Safety
/// `mem` is a live memory of the calling thread's running instance, and no
/// other reference to its bytes exists for the returned lifetime.
pub(crate) unsafe fn bytes<'a>(mem: *mut WasmRtMemory) -> &'a mut [u8] {
    if mem.is_null() {
        return &mut [];
    }
    // SAFETY: `size` bytes from `data` are committed read-write.
    unsafe {
        let m = &*mem;
        if m.data.is_null() {
            return &mut [];
        }
        std::slice::from_raw_parts_mut(m.data, m.size as usize)
    }
}
