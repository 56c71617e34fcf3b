//! The C interface (`csrc/afn.h`), mirrored: layouts the generated code and
//! the C half of the runtime share with Rust.

use std::ffi::{c_char, c_int, c_void};

/// `wasm_rt_memory_t` of wabt 1.0.32's `wasm-rt.h`.
#[cfg(not(afn_wabt_136))]
#[repr(C)]
pub(crate) struct WasmRtMemory {
    pub data: *mut u8,
    pub pages: u32,
    pub max_pages: u32,
    pub size: u32,
}

/// `wasm_rt_memory_t` of wabt 1.0.36's `wasm-rt.h` (build.rs sets
/// `afn_wabt_136` when it compiles against that header): 64-bit counts and
/// the memory64 flag.
#[cfg(afn_wabt_136)]
#[repr(C)]
pub(crate) struct WasmRtMemory {
    pub data: *mut u8,
    pub pages: u64,
    pub max_pages: u64,
    pub size: u64,
    pub is64: bool,
}

/// A page count as `wasm_rt_memory_t` stores it.
#[cfg(not(afn_wabt_136))]
pub(crate) type Pages = u32;
/// A page count as `wasm_rt_memory_t` stores it.
#[cfg(afn_wabt_136)]
pub(crate) type Pages = u64;

/// `struct AFN_HOST` (`Z_wasi_snapshot_preview1_instance_t` in wasm2c 1.0.32,
/// `w2c_wasi__snapshot__preview1` in 1.0.36): what the WASI imports get.
#[repr(C)]
pub(crate) struct HostInstance {
    /// The Rust state of the running call (`crate::call::HostState`).
    pub host: *mut c_void,
    /// The guest's memory, once instantiated.
    pub memory: *mut WasmRtMemory,
}

/// `struct afn_module`: one translated module, described by its glue.
#[repr(C)]
pub struct Module {
    pub(crate) name: *const c_char,
    pub(crate) instance_size: usize,
    pub(crate) init_module: unsafe extern "C" fn(),
    pub(crate) instantiate: unsafe extern "C" fn(*mut c_void, *mut HostInstance),
    pub(crate) start: unsafe extern "C" fn(*mut c_void),
    pub(crate) free: unsafe extern "C" fn(*mut c_void),
    pub(crate) memory: Option<unsafe extern "C" fn(*mut c_void) -> *mut WasmRtMemory>,
}

// The descriptors are immutable C constants.
unsafe impl Sync for Module {}

pub(crate) const TRAP_RESOURCE: c_int = 100;
pub(crate) const TRAP_MEMORY_LIMIT: c_int = 101;
pub(crate) const TRAP_HOST: c_int = 102;
pub(crate) const CALL_NESTED: c_int = 200;
pub(crate) const CALL_SETUP: c_int = 201;

extern "C" {
    pub(crate) fn afn_call(m: *const Module, host: *mut HostInstance) -> c_int;
    pub(crate) fn afn_reservation_add(lo: usize, hi: usize) -> c_int;
    pub(crate) fn afn_reservation_remove(lo: usize);
}
