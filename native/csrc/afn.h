/*
 * The native tier's C interface: between wasm2c's generated code, the C half
 * of the runtime (runtime.c, the generated WASI glue) and its Rust half.
 * Every function declared `afn_*` without a body in C is implemented in Rust.
 */
#ifndef AFN_H_
#define AFN_H_

#include <stdint.h>

#include "wasm-rt.h"

/* Whether accesses are left unchecked for the guard pages to catch: wasm-rt.h
 * 1.0.32 says so with WASM_RT_MEMCHECK_SIGNAL_HANDLER (its 64-bit default),
 * 1.0.36 with WASM_RT_MEMCHECK_GUARD_PAGES (derived from the former when the
 * build defines it, as the `bounds-checks` feature does). */
#if defined(WASM_RT_MEMCHECK_GUARD_PAGES)
#define AFN_GUARD_PAGES WASM_RT_MEMCHECK_GUARD_PAGES
#else
#define AFN_GUARD_PAGES WASM_RT_MEMCHECK_SIGNAL_HANDLER
#endif

/* Trap codes beyond wasm_rt_trap_t's: the runtime could not get a resource
 * (memory reservation, table), or a host function ended the guest. */
#define AFN_TRAP_RESOURCE 100
#define AFN_TRAP_MEMORY_LIMIT 101
#define AFN_TRAP_HOST 102

/* afn_call's results besides 0 (returned normally) and a trap code. */
#define AFN_CALL_NESTED 200 /* a guest already runs on this thread */
#define AFN_CALL_SETUP 201  /* signal handler, alternate stack or instance allocation failed */

/* What wasm2c's imports of `wasi_snapshot_preview1` receive: the Rust side's
 * state of this call and the guest's memory (set once instantiated). The
 * struct's tag is the one the generated code declares: wasm2c 1.0.32 names
 * it `Z_wasi_snapshot_preview1_instance_t`, 1.0.33 and later
 * `w2c_wasi__snapshot__preview1` (build.rs defines AFN_WABT_136 when the
 * wasm-rt.h it compiles against is 1.0.36's). */
#if AFN_WABT_136
#define AFN_HOST w2c_wasi__snapshot__preview1
#else
#define AFN_HOST Z_wasi_snapshot_preview1_instance_t
#endif
struct AFN_HOST {
  void* host;
  wasm_rt_memory_t* memory;
};

/* One translated module, described by its generated glue. */
struct afn_module {
  const char* name;
  size_t instance_size;
  void (*init_module)(void);
  void (*instantiate)(void* instance, struct AFN_HOST* host);
  void (*start)(void* instance);
  void (*free)(void* instance);
  wasm_rt_memory_t* (*memory)(void* instance); /* NULL: exports no memory */
};

/* Instantiates `m` and runs its `_start` on this thread; 0, a trap code or an
 * AFN_CALL_* code. The instance and its memory are freed before it returns. */
int afn_call(const struct afn_module* m, struct AFN_HOST* host);

WASM_RT_NO_RETURN void afn_trap(int code);

/* Bracket a call into a host (Rust) function: faults inside it are not the
 * guest's. */
void afn_host_enter(void);
void afn_host_leave(void);

/* The calling thread's live memory reservations, for the signal handler. */
int afn_reservation_add(uintptr_t lo, uintptr_t hi);
void afn_reservation_remove(uintptr_t lo);

/* A checkpoint of the generated code ran out of fuel (split_wasm2c.py puts
 * them at function entries and loop heads): let Rust look at the interrupt
 * flag, the deadline and the budget, then refill `*fuel` or trap. */
void afn_checkpoint(int64_t* fuel);

/* Rust: refills `*fuel`, or returns 1 when the guest must end (the reason is
 * left in the call's state, as for a WASI import). */
int afn_budget_check(struct AFN_HOST* host, int64_t* fuel);

/* A bulk-memory instruction finished a 64 KiB chunk (split_wasm2c.py): let
 * Rust look at the interrupt flag and the deadline, and trap if either ends
 * the guest. The budget is charged through the fuel, not here. */
void afn_bulk_poll(void);

/* Rust: returns 1 when the interrupt flag or the deadline ends the guest
 * (the reason left in the call's state), 0 otherwise. */
int afn_interrupt_check(struct AFN_HOST* host);

/* Rust: reserve and commit a linear memory; 0 or a trap code. */
int afn_memory_allocate(wasm_rt_memory_t* mem, uint64_t initial_pages, uint64_t max_pages);

/* The stack-exhaustion trap as the Rust side knows it (wasm_rt_trap_t's
 * value moved from 8 to 9 when 1.0.36 added WASM_RT_TRAP_UNALIGNED). */
#define AFN_TRAP_EXHAUSTION 8
#define AFN_TRAP_UNALIGNED 103

#endif
