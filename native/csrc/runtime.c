/*
 * The part of the native tier's wasm_rt runtime that must be C: the jump
 * buffer a trap returns to (setjmp/longjmp), the SIGSEGV/SIGBUS handler that
 * turns a guest's fault into a trap, the alternate signal stack, and the
 * functions wasm2c's generated code calls with C varargs or that must trap.
 * Policy (memory reservations, limits, what a trap means to the embedder)
 * lives in Rust (src/memory.rs, src/call.rs); see RATIONALE.md.
 *
 * Invariant: no longjmp ever crosses a Rust frame. Guest code only calls into
 * Rust through the C glue (the WASI imports, wasm_rt_allocate_memory); the
 * Rust function returns a status, and only then does the C glue trap. The
 * signal handler claims a fault only while guest code (not a host function)
 * runs on the faulting thread.
 */
#define _GNU_SOURCE
#include "afn.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Live linear-memory reservations of this thread (a job has one memory). */
#define AFN_MAX_RESERVATIONS 4

struct afn_reservation {
  uintptr_t lo, hi;
};

/* Trap state: one per thread, so any number of threads run guests at once. */
struct afn_thread_state {
  sigjmp_buf* jmp;  /* the running call's jump buffer; NULL outside a call */
  int trap;         /* why the last call trapped (wasm_rt_trap_t or AFN_TRAP_*) */
  int in_host;      /* >0 while a host function runs: its faults are not ours */
  struct afn_reservation res[AFN_MAX_RESERVATIONS];
  uintptr_t stack_lo; /* lowest address of this thread's stack */
  struct AFN_HOST* host; /* the running call's */
};

static __thread struct afn_thread_state T;

/* ------------------------------------------------------------------ traps */

WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t code) {
  afn_trap((int)code);
}

WASM_RT_NO_RETURN void afn_trap(int code) {
  if (!T.jmp) {
    /* Only reachable if generated code ran outside afn_call: a bug of ours. */
    fputs("afmpeg-native: trap outside a guest call\n", stderr);
    abort();
  }
  T.trap = code;
  siglongjmp(*T.jmp, 1);
}

void afn_host_enter(void) { T.in_host++; }
void afn_host_leave(void) { T.in_host--; }

/* Off the hot path: the generated code only decrements and tests. Bracketed
 * like a WASI import, and trapping only after Rust has returned. */
__attribute__((noinline, cold)) void afn_checkpoint(int64_t* fuel) {
  afn_host_enter();
  int ended = afn_budget_check(T.host, fuel);
  afn_host_leave();
  if (ended) afn_trap(AFN_TRAP_HOST);
}

/* Once per 64 KiB of a large memory.fill/memory.copy: a call and two loads,
 * against about 12 us of writing. */
__attribute__((noinline)) void afn_bulk_poll(void) {
  afn_host_enter();
  int ended = afn_interrupt_check(T.host);
  afn_host_leave();
  if (ended) afn_trap(AFN_TRAP_HOST);
}

/* ------------------------------------------------------------- reservations */

int afn_reservation_add(uintptr_t lo, uintptr_t hi) {
  for (int i = 0; i < AFN_MAX_RESERVATIONS; i++) {
    if (T.res[i].lo == 0) {
      T.res[i].lo = lo;
      T.res[i].hi = hi;
      return 0;
    }
  }
  return -1;
}

void afn_reservation_remove(uintptr_t lo) {
  for (int i = 0; i < AFN_MAX_RESERVATIONS; i++) {
    if (T.res[i].lo == lo) {
      T.res[i].lo = 0;
      T.res[i].hi = 0;
    }
  }
}

/* ----------------------------------------------------------- signal handler */

static struct sigaction prev_segv, prev_bus;
__attribute__((unused)) static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_error;

/* Below and above the lowest stack address: where a guest's stack overflow
 * faults (the guard page is below it; -fstack-clash-protection makes every
 * frame touch each page, so a large frame cannot jump over it). */
#define AFN_STACK_GUARD_SPAN (64 * 1024)

static int fault_is_ours(uintptr_t addr, int* trap) {
  if (!T.jmp || T.in_host > 0) return 0;
  for (int i = 0; i < AFN_MAX_RESERVATIONS; i++) {
    if (T.res[i].lo != 0 && addr >= T.res[i].lo && addr < T.res[i].hi) {
      *trap = WASM_RT_TRAP_OOB;
      return 1;
    }
  }
  if (T.stack_lo != 0 && addr + AFN_STACK_GUARD_SPAN >= T.stack_lo &&
      addr < T.stack_lo + AFN_STACK_GUARD_SPAN) {
    *trap = WASM_RT_TRAP_EXHAUSTION;
    return 1;
  }
  return 0;
}

static void chain(const struct sigaction* prev, int sig, siginfo_t* info, void* uc) {
  if (prev->sa_flags & SA_SIGINFO) {
    prev->sa_sigaction(sig, info, uc);
    return;
  }
  if (prev->sa_handler == SIG_IGN) return;
  if (prev->sa_handler == SIG_DFL) {
    /* Restore the default action; returning re-executes the faulting
     * instruction, which then kills the process as if we were not here. */
    signal(sig, SIG_DFL);
    return;
  }
  prev->sa_handler(sig);
}

static void on_fault(int sig, siginfo_t* info, void* uc) {
  int trap;
  if (fault_is_ours((uintptr_t)info->si_addr, &trap)) {
    T.trap = trap;
    siglongjmp(*T.jmp, 1);
  }
  chain(sig == SIGBUS ? &prev_bus : &prev_segv, sig, info, uc);
}

__attribute__((unused)) static void install_handler(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &prev_segv) != 0 || sigaction(SIGBUS, &sa, &prev_bus) != 0)
    handler_error = 1;
}

/* ------------------------------------------------------- alternate stack */

/* The handler needs a stack of its own to run after a stack overflow. Rust's
 * threads have one already; a thread created elsewhere gets ours for the
 * duration of the call. */
#define AFN_ALT_STACK_SIZE (64 * 1024)

__attribute__((unused)) static int ensure_alt_stack(stack_t* installed) {
  stack_t cur;
  installed->ss_sp = NULL;
  if (sigaltstack(NULL, &cur) != 0) return -1;
  if (!(cur.ss_flags & SS_DISABLE) && cur.ss_size >= MINSIGSTKSZ) return 0;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t size = AFN_ALT_STACK_SIZE + page;
  char* mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return -1;
  mprotect(mem, page, PROT_NONE); /* guard below the signal stack */
  stack_t ss = {.ss_sp = mem + page, .ss_size = AFN_ALT_STACK_SIZE, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) {
    munmap(mem, size);
    return -1;
  }
  installed->ss_sp = mem;
  installed->ss_size = size;
  return 0;
}

static void remove_alt_stack(stack_t* installed) {
  if (!installed->ss_sp) return;
  stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
  sigaltstack(&off, NULL);
  munmap(installed->ss_sp, installed->ss_size);
}

static uintptr_t current_stack_lo(void) {
  pthread_attr_t attr;
  void* addr = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  return (uintptr_t)addr;
}

/* -------------------------------------------------------------- the call */

/* What a call needs to turn faults into traps: the handler, installed once,
 * and an alternate stack on this thread. Built with explicit bounds checks
 * (feature `bounds-checks`) no guest access faults and call depth is
 * counted, so the process's signal handling is left alone entirely: that is
 * the point of the variant for apps that own SIGSEGV. */
static int prepare_signals(stack_t* alt) {
  alt->ss_sp = NULL;
#if AFN_GUARD_PAGES
  pthread_once(&handler_once, install_handler);
  if (handler_error) return -1;
  if (ensure_alt_stack(alt) != 0) return -1;
#endif
  return 0;
}

/* The trap codes Rust maps (src/error.rs) are 1.0.32's; 1.0.36 inserted
 * WASM_RT_TRAP_UNALIGNED (atomics only, never enabled here) before
 * WASM_RT_TRAP_EXHAUSTION. */
static int stable_trap_code(int code) {
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS /* Apple: one code for both */
  if (code == WASM_RT_TRAP_EXHAUSTION) return AFN_TRAP_EXHAUSTION;
#endif
#if AFN_WABT_136
  if (code == WASM_RT_TRAP_UNALIGNED) return AFN_TRAP_UNALIGNED;
#endif
  return code;
}

int afn_call(const struct afn_module* m, struct AFN_HOST* host) {
  if (T.jmp) return AFN_CALL_NESTED;
  stack_t alt;
  if (prepare_signals(&alt) != 0) return AFN_CALL_SETUP;
  void* instance = calloc(1, m->instance_size);
  if (!instance) {
    remove_alt_stack(&alt);
    return AFN_CALL_SETUP;
  }
  sigjmp_buf jb;
  volatile int result = 0;
  T.trap = 0;
  T.in_host = 0;
  T.stack_lo = current_stack_lo();
  T.host = host;
  T.jmp = &jb;
  if (sigsetjmp(jb, 1) == 0) {
    m->instantiate(instance, host);
    host->memory = m->memory ? m->memory(instance) : NULL;
    m->start(instance);
  } else {
    result = stable_trap_code(T.trap);
  }
  T.jmp = NULL;
  T.in_host = 0;
  T.host = NULL;
  host->memory = NULL;
  /* Frees what instantiation got to (a trap may have come before the memory
   * existed: the freeing functions accept zeroed objects). */
  m->free(instance);
  free(instance);
  remove_alt_stack(&alt);
  return result;
}

/* ------------------------------------------------------- function types */

#if !AFN_WABT_136
/* wasm2c 1.0.33 and later name a function type by a hash in the generated
 * code itself: no registry, and no `wasm_rt_register_func_type`. */

/* Signatures registered by every module's init; an index is the same for the
 * same signature, so call_indirect's type check is one integer compare. */
struct afn_func_type {
  uint32_t params, results;
  wasm_rt_type_t* types;
};

static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;
static struct afn_func_type* types;
static uint32_t types_len, types_cap;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  uint32_t n = params + results;
  wasm_rt_type_t* sig = calloc(n ? n : 1, sizeof *sig);
  if (!sig) abort(); /* at module init, before any guest runs */
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < n; i++) sig[i] = (wasm_rt_type_t)va_arg(ap, int);
  va_end(ap);
  pthread_mutex_lock(&types_lock);
  for (uint32_t i = 0; i < types_len; i++) {
    if (types[i].params == params && types[i].results == results &&
        memcmp(types[i].types, sig, n * sizeof *sig) == 0) {
      pthread_mutex_unlock(&types_lock);
      free(sig);
      return i + 1;
    }
  }
  if (types_len == types_cap) {
    uint32_t cap = types_cap ? types_cap * 2 : 64;
    struct afn_func_type* grown = realloc(types, cap * sizeof *grown);
    if (!grown) abort();
    types = grown;
    types_cap = cap;
  }
  types[types_len] = (struct afn_func_type){params, results, sig};
  uint32_t index = ++types_len; /* 0 is the null funcref's type */
  pthread_mutex_unlock(&types_lock);
  return index;
}

#endif

bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_init(void) {}
void wasm_rt_free(void) {}
/* 1.0.36's per-thread setup (its sample runtime's signal stack): ours is
 * done per call by afn_call. */
void wasm_rt_init_thread(void) {}
void wasm_rt_free_thread(void) {}

/* --------------------------------------------------------------- memory */

#if AFN_WABT_136
void wasm_rt_allocate_memory(wasm_rt_memory_t* mem, uint64_t initial, uint64_t max, bool is64) {
  /* A 64-bit memory would need another reservation policy (memory64 is not
   * enabled in our modules' translation): refuse it rather than guess. */
  if (is64) afn_trap(AFN_TRAP_RESOURCE);
  /* Rust decides (reservation, limit); a refusal traps here, in C. */
  int trap = afn_memory_allocate(mem, initial, max);
  if (trap) afn_trap(trap);
}
#else
void wasm_rt_allocate_memory(wasm_rt_memory_t* mem, uint32_t initial, uint32_t max) {
  /* Rust decides (reservation, limit); a refusal traps here, in C. */
  int trap = afn_memory_allocate(mem, initial, max);
  if (trap) afn_trap(trap);
}
#endif

/* --------------------------------------------------------------- tables */

/* The same three functions for both table types: `calloc`ed elements, grown
 * with `realloc` up to the table's maximum. */
#define AFN_DEFINE_TABLE(type)                                                           \
  void wasm_rt_allocate_##type##_table(wasm_rt_##type##_table_t* t, uint32_t elements,   \
                                        uint32_t max_elements) {                         \
    t->size = elements;                                                                  \
    t->max_size = max_elements;                                                          \
    t->data = calloc(elements ? elements : 1, sizeof(wasm_rt_##type##_t));               \
    if (!t->data) afn_trap(AFN_TRAP_RESOURCE);                                           \
  }                                                                                      \
  void wasm_rt_free_##type##_table(wasm_rt_##type##_table_t* t) {                        \
    free(t->data);                                                                       \
    t->data = NULL;                                                                      \
    t->size = 0;                                                                         \
  }                                                                                      \
  uint32_t wasm_rt_grow_##type##_table(wasm_rt_##type##_table_t* t, uint32_t delta,      \
                                       wasm_rt_##type##_t init) {                        \
    uint32_t old = t->size;                                                              \
    uint64_t size = (uint64_t)old + delta;                                               \
    if (size > t->max_size) return UINT32_MAX;                                           \
    if (delta == 0) return old;                                                          \
    wasm_rt_##type##_t* grown = realloc(t->data, size * sizeof *grown);                  \
    if (!grown) return UINT32_MAX;                                                       \
    for (uint64_t i = old; i < size; i++) grown[i] = init;                               \
    t->data = grown;                                                                     \
    t->size = (uint32_t)size;                                                            \
    return old;                                                                          \
  }

AFN_DEFINE_TABLE(funcref)
AFN_DEFINE_TABLE(externref)

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no trap";
    case WASM_RT_TRAP_OOB: return "out of bounds memory or table access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "invalid call_indirect";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
#if AFN_WABT_136
    case WASM_RT_TRAP_UNALIGNED: return "unaligned atomic access";
#endif
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
#endif
  }
  return "unknown trap";
}
