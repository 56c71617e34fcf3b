#!/usr/bin/env python3
"""Split one wasm2c 1.0.32 output (<name>.c + <name>.h) into N translation units,
or instrument wasm2c >= 1.0.33's own split (`--num-outputs`) in place.

wasm2c writes a module as a single C file; for FFmpeg that is ~117 MB, which
one compiler process turns into ~10 CPU-minutes and ~4 GB of peak memory on one
core. This script rewrites it so N compiler processes can share the work:

  <name>.h            the module's public header, with every `w2c_` identifier
                      prefixed by the module name (so two translated modules can
                      be linked into one binary)
  <name>-shared.h     the prelude wasm2c emits (type aliases, load/store and
                      arithmetic helpers, all `static inline` or `static`), the
                      module's function-type table and the prototypes of every
                      guest function, now with external linkage
  <name>-main.c       module setup: function types, globals, data and element
                      segments, instantiation, exports
  <name>-fn-K.c       (K = 0..N-1) the guest function definitions, in their
                      original order, cut into chunks of about equal bytes

It also instruments the functions for the native tier's CPU budget and
interrupt (crate afmpeg-native, RATIONALE.md "Checkpoints"): a checkpoint —
`AFN_CHECKPOINT();`, a decrement-and-test of a counter in the instance — at
every function entry (after wasm2c's `FUNC_PROLOGUE;`) and at every loop head
(wasm2c's loop label `w2c_<name>_L<k>: `, the target of the loop's back
edges); and the bulk-memory instructions (`memory.fill`, `memory.copy`) go
through helpers that charge the counter a chunk at a time (one checkpoint per
64 bytes), so a huge fill cannot outlast a check. The counter is the first member of the instance struct; when it runs
out the code calls `afn_checkpoint` (csrc/runtime.c). Compiled with
`-DAFN_CHECKPOINTS=0` the macro is empty (measurement only).

Each function that touches linear memory reads the memory's base once, after
its prologue, into a local (`afn_mb0`), and its loads and stores take that
base instead of reading `mem->data` at every access (see MEM_BASE_HELPERS
below and native/RATIONALE.md, "The memory base, read once per function").

Usage: split_wasm2c.py <dir> <name> <N>   (reads <dir>/<name>.c and .h, rewrites in place)

wasm2c 1.0.36 (built by guest/wabt.sh) splits the functions itself
(`--num-outputs=N`: <name>-impl.h, <name>_0.c … <name>_<N-1>.c, every
function already external and named `w2c_<name>_…`). When <dir> holds
<name>-impl.h the script only instruments: the counter goes into the
instance struct `w2c_<name>`, the checkpoint block at the end of
<name>-impl.h, the checkpoints and bulk-memory calls into each <name>_K.c
(N is then unused: wasm2c made the units).

The format it relies on (checked, with a clear error when it differs): the
prelude ends at `static bool s_module_initialized`, the function-type table is
`static u32 func_types[K];`, function prototypes are `static T w2c_X(...);`
and definitions start with `static T w2c_X(...) {` (either may be wrapped over
several lines) and end at a line `}`.
"""
import os
import re
import sys

PROTO = re.compile(r"^static ([A-Za-z0-9_ *]+?) (w2c_[A-Za-z0-9_]+)\((.*)\);$", re.S)
DEF = re.compile(r"^static ([A-Za-z0-9_ *]+?) (w2c_[A-Za-z0-9_]+)\((.*)\) \{$", re.S)
# The start of a prototype or definition, which wasm2c wraps when it is long.
HEAD = re.compile(r"^static ([A-Za-z0-9_ *]+?) (w2c_[A-Za-z0-9_]+)\(")
FUNC_TYPES = re.compile(r"^static u32 func_types\[(\d+)\];$")
PRELUDE_END = "static bool s_module_initialized = false;"
# Where wasm2c 1.0.32 begins a function body and a loop (after the renaming).
PROLOGUE = "  FUNC_PROLOGUE;"
LOOP_HEAD = r"^( *w2c_{name}_L\d+:) $"

# The checkpoint, for the shared header. `afn_fuel` counts down the
# checkpoints the guest may still pass before the host looks (interrupt flag,
# deadline, budget); `afn_checkpoint` refills it or ends the guest (a trap,
# like a WASI import that ends it). The decrement is unsigned on purpose: a
# signed `--fuel < 0` lets the compiler test the old value instead (`old <=
# 0`: load, subtract, store, test, branch); wrapping arithmetic keeps it one
# read-modify-write and a branch on its sign (x86-64: `decq mem; js`).
CHECKPOINT = """\
/* Checkpoints (split_wasm2c.py): one at each function entry and loop head. */
#ifndef AFN_CHECKPOINTS
#define AFN_CHECKPOINTS 1
#endif
void afn_checkpoint(int64_t* fuel);
#if AFN_CHECKPOINTS
#define AFN_CHECKPOINT()                                                    \\
  do {                                                                      \\
    instance->afn_fuel = (int64_t)((uint64_t)instance->afn_fuel - 1);       \\
    if (__builtin_expect(instance->afn_fuel < 0, 0))                        \\
      afn_checkpoint(&instance->afn_fuel);                                  \\
  } while (0)
#else
#define AFN_CHECKPOINT() ((void)0)
#endif
/* Call depth. Built with explicit bounds checks (WASM_RT_MEMCHECK_SIGNAL_HANDLER
 * 0: the native tier's `bounds-checks` feature) wasm2c counts call depth in
 * `wasm_rt_call_stack_depth`, one global for the whole process (1.0.32;
 * thread-local in 1.0.36): threads running guests at once would race on
 * it, and a trap would leave it counted. Count in the instance instead:
 * one per job, gone with it. */
#if WASM_RT_USE_STACK_DEPTH_COUNT || WASM_RT_STACK_DEPTH_COUNT /* 1.0.32 || 1.0.36 */
#undef FUNC_PROLOGUE
#undef FUNC_EPILOGUE
#define FUNC_PROLOGUE                                                       \
  if (UNLIKELY(++instance->afn_depth > WASM_RT_MAX_CALL_STACK_DEPTH))       \
    TRAP(EXHAUSTION)
#define FUNC_EPILOGUE --instance->afn_depth
#endif
/* Bulk memory (memory.fill, memory.copy) runs in chunks, each charged to the
 * same counter before it is written: one checkpoint per 64 bytes, about the
 * time one checkpoint of ordinary code takes. Without it one instruction
 * could fill 4 GiB (0.4 s) and a loop of them pass a check only every 2^20
 * iterations: a cancel or deadline would wait minutes. Both ranges are
 * checked before anything is written (a trap leaves memory untouched).
 * Every whole chunk also asks the host whether the guest must end
 * (interrupt flag, deadline): 2^20 checkpoints of bulk memory are 64 MiB,
 * 12 ms of CPU, which a loaded machine can stretch past the 100 ms a cancel
 * may take; a chunk is about 12 us, and one call per chunk costs nothing
 * measurable. Smaller instructions (nearly all of FFmpeg's) never ask. */
#define AFN_BULK_BYTES_PER_CHECKPOINT 64u
#define AFN_BULK_CHUNK (64u * 1024u)
void afn_bulk_poll(void);
static inline void afn_bulk_charge(int64_t* fuel, u32 n) {
#if AFN_CHECKPOINTS
  *fuel = (int64_t)((uint64_t)*fuel - n / AFN_BULK_BYTES_PER_CHECKPOINT);
  if (__builtin_expect(*fuel < 0, 0)) afn_checkpoint(fuel);
#else
  (void)fuel;
  (void)n;
#endif
}
static inline void afn_bulk_chunk(int64_t* fuel) {
  afn_bulk_charge(fuel, AFN_BULK_CHUNK);
#if AFN_CHECKPOINTS
  afn_bulk_poll();
#endif
}
static inline void afn_memory_fill(int64_t* fuel, wasm_rt_memory_t* mem, u32 d, u32 val, u32 n) {
  RANGE_CHECK(mem, d, n);
  while (n > AFN_BULK_CHUNK) {
    afn_bulk_chunk(fuel);
    memset(mem->data + d, val, AFN_BULK_CHUNK);
    d += AFN_BULK_CHUNK;
    n -= AFN_BULK_CHUNK;
  }
  afn_bulk_charge(fuel, n);
  memset(mem->data + d, val, n);
}
/* Chunks in the order memmove would copy them: from the start when the
 * destination is below the source, from the end otherwise, so an overlap
 * never overwrites source bytes not yet copied. */
static inline void afn_memory_copy(int64_t* fuel, wasm_rt_memory_t* dest,
                                   const wasm_rt_memory_t* src, u32 d, u32 s, u32 n) {
  RANGE_CHECK(dest, d, n);
  RANGE_CHECK(src, s, n);
  if (dest->data + d <= src->data + s) {
    while (n > AFN_BULK_CHUNK) {
      afn_bulk_chunk(fuel);
      memmove(dest->data + d, src->data + s, AFN_BULK_CHUNK);
      d += AFN_BULK_CHUNK;
      s += AFN_BULK_CHUNK;
      n -= AFN_BULK_CHUNK;
    }
    afn_bulk_charge(fuel, n);
    memmove(dest->data + d, src->data + s, n);
  } else {
    while (n > AFN_BULK_CHUNK) {
      n -= AFN_BULK_CHUNK;
      afn_bulk_chunk(fuel);
      memmove(dest->data + d + n, src->data + s + n, AFN_BULK_CHUNK);
    }
    afn_bulk_charge(fuel, n);
    memmove(dest->data + d, src->data + s, n);
  }
}
"""
# wasm2c 1.0.32's calls of its bulk-memory helpers, routed to the charged ones.
BULK_CALL = re.compile(r"\b(memory_fill|memory_copy)\(")

# The memory base, read once per function. wasm2c 1.0.32 passes each load and
# store the memory (`i32_load(&instance->w2c_memory, addr)`), whose helper
# reads `mem->data` at every access. A store into linear memory is a `char`
# access, which may alias anything, the instance included; so clang must load
# the base from the instance again after every store and call, and inside a
# loop that is one more load per access. The native tier's memory never moves
# (native/src/memory.rs reserves its whole span up front, with guard pages and
# with bounds checks alike: a grow only commits pages), so each function reads
# the base once into a local, `afn_mb<K>`, that nothing can alias, and the
# accesses take it as an argument. The size, which a grow changes, is still
# read from the memory by the bounds checks.
MEM_ACCESSES = (
    "i32_load i64_load f32_load f64_load i32_load8_s i64_load8_s i32_load8_u "
    "i64_load8_u i32_load16_s i64_load16_s i32_load16_u i64_load16_u "
    "i64_load32_s i64_load32_u i32_store i64_store f32_store f64_store "
    "i32_store8 i32_store16 i64_store8 i64_store16 i64_store32"
).split()
MEM_ACCESS = re.compile(
    r"\b(" + "|".join(MEM_ACCESSES) + r")\((&?instance->[A-Za-z0-9_]+), "
)
MEM_BASE_HELPERS = """\
/* Loads and stores with the memory's base passed in (split_wasm2c.py, "The
 * memory base"): each function reads `mem->data` once, since the native
 * tier's memory never moves; the bounds checks, where built, still read
 * `mem->size`. Little-endian only, like every target the tier supports. */
#if WABT_BIG_ENDIAN
#error "the native tier's memory helpers assume a little-endian target"
#endif
#define AFN_DEFINE_LOAD(name, t1, t2, t3)                                   \\
  static inline t3 name##_b(wasm_rt_memory_t* mem, u8* base, u64 addr) {    \\
    MEMCHECK(mem, addr, t1);                                                \\
    t1 result;                                                              \\
    wasm_rt_memcpy(&result, &base[addr], sizeof(t1));                       \\
    wasm_asm("" ::"r"(result));                                             \\
    return (t3)(t2)result;                                                  \\
  }
#define AFN_DEFINE_STORE(name, t1, t2)                                      \\
  static inline void name##_b(wasm_rt_memory_t* mem, u8* base, u64 addr,    \\
                              t2 value) {                                   \\
    MEMCHECK(mem, addr, t1);                                                \\
    t1 wrapped = (t1)value;                                                 \\
    wasm_rt_memcpy(&base[addr], &wrapped, sizeof(t1));                      \\
  }
AFN_DEFINE_LOAD(i32_load, u32, u32, u32)
AFN_DEFINE_LOAD(i64_load, u64, u64, u64)
AFN_DEFINE_LOAD(f32_load, f32, f32, f32)
AFN_DEFINE_LOAD(f64_load, f64, f64, f64)
AFN_DEFINE_LOAD(i32_load8_s, s8, s32, u32)
AFN_DEFINE_LOAD(i64_load8_s, s8, s64, u64)
AFN_DEFINE_LOAD(i32_load8_u, u8, u32, u32)
AFN_DEFINE_LOAD(i64_load8_u, u8, u64, u64)
AFN_DEFINE_LOAD(i32_load16_s, s16, s32, u32)
AFN_DEFINE_LOAD(i64_load16_s, s16, s64, u64)
AFN_DEFINE_LOAD(i32_load16_u, u16, u32, u32)
AFN_DEFINE_LOAD(i64_load16_u, u16, u64, u64)
AFN_DEFINE_LOAD(i64_load32_s, s32, s64, u64)
AFN_DEFINE_LOAD(i64_load32_u, u32, u64, u64)
AFN_DEFINE_STORE(i32_store, u32, u32)
AFN_DEFINE_STORE(i64_store, u64, u64)
AFN_DEFINE_STORE(f32_store, f32, f32)
AFN_DEFINE_STORE(f64_store, f64, f64)
AFN_DEFINE_STORE(i32_store8, u8, u32)
AFN_DEFINE_STORE(i32_store16, u16, u32)
AFN_DEFINE_STORE(i64_store8, u8, u64)
AFN_DEFINE_STORE(i64_store16, u16, u64)
AFN_DEFINE_STORE(i64_store32, u32, u64)
"""

# The same for wasm2c 1.0.36, whose load helpers force the read with its own
# FORCE_READ_INT / FORCE_READ_FLOAT (an out-of-bounds load whose value is
# unused must still fault). SIMD loads and stores (v128_*) keep reading
# `mem->data`: their helpers are many, and the scalar ones are most accesses.
MEM_BASE_HELPERS_136 = (
    MEM_BASE_HELPERS.replace(
        "#define AFN_DEFINE_LOAD(name, t1, t2, t3)        ",
        "#define AFN_DEFINE_LOAD(name, t1, t2, t3, force) ",
    )
    .replace('wasm_asm("" ::"r"(result));       ', "force(result);" + " " * 20)
    .replace(", f32, f32, f32)", ", f32, f32, f32, FORCE_READ_FLOAT)")
    .replace(", f64, f64, f64)", ", f64, f64, f64, FORCE_READ_FLOAT)")
)
MEM_BASE_HELPERS_136 = re.sub(
    r"^(AFN_DEFINE_LOAD\([a-z0-9_]+, [a-z0-9]+, [a-z0-9]+, [a-z0-9]+)\)$",
    r"\1, FORCE_READ_INT)",
    MEM_BASE_HELPERS_136,
    flags=re.M,
)


class BaseLocals:
    """The memory-base locals of one function (MEM_BASE_HELPERS): one per
    memory its loads and stores name, `afn_mb0`, `afn_mb1`, …"""

    def __init__(self):
        self.bases = {}  # memory expression -> its base's local

    def rewrite(self, m):
        """A MEM_ACCESS match, rewritten to the `_b` helper with the base."""
        mem = m.group(2)
        if mem not in self.bases:
            self.bases[mem] = f"afn_mb{len(self.bases)}"
        return f"{m.group(1)}_b({mem}, {self.bases[mem]}, "

    def reads(self):
        """The declarations to put after the prologue: the bases are read
        once, since the memory exists before any guest function runs
        (instantiation allocates it) and never moves."""
        return "".join(f" u8* const {b} = ({mem})->data;" for mem, b in self.bases.items())


def die(msg):
    sys.stderr.write(f"split_wasm2c: {msg}\n")
    sys.exit(1)


def main():
    if len(sys.argv) != 4:
        die("usage: split_wasm2c.py <dir> <name> <N>")
    out_dir, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if n < 1:
        die("N must be >= 1")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        die(f"module name {name!r} must be a C identifier")
    if os.path.exists(os.path.join(out_dir, f"{name}-impl.h")):
        instrument_in_place(out_dir, name)
        return
    c_path = os.path.join(out_dir, f"{name}.c")
    h_path = os.path.join(out_dir, f"{name}.h")
    with open(c_path, encoding="utf-8") as f:
        c_text = f.read()
    with open(h_path, encoding="utf-8") as f:
        h_text = f.read()

    # Guest functions become external symbols: give them a per-module prefix.
    rename = re.compile(r"\bw2c_")
    c_text = rename.sub(f"w2c_{name}_", c_text)
    h_text = rename.sub(f"w2c_{name}_", h_text)
    proto_re = re.compile(PROTO.pattern.replace("w2c_", f"w2c_{name}_"), re.S)
    def_re = re.compile(DEF.pattern.replace("w2c_", f"w2c_{name}_"), re.S)
    head_re = re.compile(HEAD.pattern.replace("w2c_", f"w2c_{name}_"))

    # The checkpoint counter: the instance's first member.
    h_text = add_counter(h_text, f"typedef struct Z_{name}_instance_t {{\n", h_path)
    loop_head = re.compile(LOOP_HEAD.format(name=name), re.M)

    lines = c_text.split("\n")
    try:
        cut = lines.index(PRELUDE_END)
    except ValueError:
        die(f"no line {PRELUDE_END!r}: not wasm2c 1.0.32 output?")
    prelude = lines[:cut]
    rest = lines[cut:]

    protos = []
    main_lines = []
    functions = []  # list of (lines)
    n_types = None
    i = 0
    while i < len(rest):
        line = rest[i]
        m = FUNC_TYPES.match(line)
        if m:
            n_types = m.group(1)
            main_lines.append(f"u32 func_types[{n_types}];")
            i += 1
            continue
        if head_re.match(line):
            # Join a wrapped signature into one string.
            while not (line.endswith(";") or line.endswith("{")) and i + 1 < len(rest):
                i += 1
                line += "\n" + rest[i]
        m = proto_re.match(line)
        if m:
            protos.append(f"{m.group(1)} {m.group(2)}({m.group(3)});")
            i += 1
            continue
        m = def_re.match(line)
        if m:
            body = [f"{m.group(1)} {m.group(2)}({m.group(3)}) {{"]
            i += 1
            while i < len(rest) and rest[i] != "}":
                body.append(rest[i])
                i += 1
            instrument(body, loop_head, m.group(2))
            if i == len(rest):
                die(f"unterminated definition of {m.group(2)}")
            body.append("}")
            i += 1
            functions.append(body)
            continue
        main_lines.append(line)
        i += 1
    if n_types is None:
        die("no `static u32 func_types[K];` line")
    if len(protos) != len(functions):
        die(f"{len(protos)} prototypes but {len(functions)} definitions")

    guard = f"W2C_{name.upper()}_SHARED_H_"
    shared = [
        f"#ifndef {guard}",
        f"#define {guard}",
        "/* Generated by guest/tools/split_wasm2c.py from wasm2c's output. */",
        # One table for all translation units, under a module-specific name.
        f"#define func_types w2c_{name}_func_types",
    ]
    shared += prelude
    shared.append(CHECKPOINT)
    shared.append(MEM_BASE_HELPERS)
    shared.append(f"extern u32 func_types[{n_types}];")
    shared.append("/* Guest functions: external, but not exported from a shared object. */")
    shared += [f"__attribute__((visibility(\"hidden\"))) {p}" for p in protos]
    shared.append(f"#endif /* {guard} */")
    shared.append("")

    with open(h_path, "w", encoding="utf-8") as f:
        f.write(h_text)
    with open(os.path.join(out_dir, f"{name}-shared.h"), "w", encoding="utf-8") as f:
        f.write("\n".join(shared))
    include = f'#include "{name}-shared.h"\n'
    with open(os.path.join(out_dir, f"{name}-main.c"), "w", encoding="utf-8") as f:
        f.write(include)
        f.write("\n".join(main_lines))

    total = sum(sum(len(l) + 1 for l in body) for body in functions)
    target = total / n if n else total
    size, k = 0, 0
    outs = [[] for _ in range(n)]
    for body in functions:
        b = sum(len(l) + 1 for l in body)
        if size >= target * (k + 1) and k < n - 1:
            k += 1
        outs[k].append(body)
        size += b
    for k, bodies in enumerate(outs):
        with open(os.path.join(out_dir, f"{name}-fn-{k}.c"), "w", encoding="utf-8") as f:
            f.write(include)
            for body in bodies:
                f.write("\n".join(body))
                f.write("\n\n")
    os.remove(c_path)
    loops = sum(sum(1 for l in body if l.endswith(": AFN_CHECKPOINT();")) for body in functions)
    bulk = sum(sum(l.count("afn_memory_") for l in body) for body in functions)
    sys.stderr.write(
        f"split_wasm2c: {len(functions)} functions, {total} bytes of definitions into {n} units; "
        f"checkpoints at {len(functions)} function entries, {loops} loop heads "
        f"and {bulk} bulk-memory instructions\n"
    )


def add_counter(h_text, struct_open, h_path):
    """The checkpoint counter (and the call depth) as the instance's first members."""
    if h_text.count(struct_open) != 1:
        die(f"no `{struct_open.strip()}` in {h_path}")
    return h_text.replace(
        struct_open,
        struct_open
        + "  int64_t afn_fuel; /* checkpoints left before the host looks */\n"
        + "  uint32_t afn_depth; /* call depth, counted with explicit bounds checks only */\n",
    )


# wasm2c 1.0.36: a loop's label alone on its line, followed by a space (a
# block's label is `name:;`, a loop's `name: ` with its body on the next line).
LOOP_HEAD_136 = re.compile(r"^( *[A-Za-z_][A-Za-z0-9_]*:) $", re.M)


def _wrap_late_includes(impl, include):
    """Closes the hidden-visibility region around each `#include <…>` after `include`."""
    head, tail = impl.split(include, 1)
    tail = re.sub(
        r"^(#include <[^>]+>)$",
        r"#pragma GCC visibility pop\n\1\n#pragma GCC visibility push(hidden)",
        tail,
        flags=re.M,
    )
    return head + include + tail


def instrument_in_place(out_dir, name):
    """wasm2c 1.0.36 `--num-outputs` output: add the counter, the checkpoint
    block and the checkpoints, leaving wasm2c's split as it is."""
    h_path = os.path.join(out_dir, f"{name}.h")
    with open(h_path, encoding="utf-8") as f:
        h_text = f.read()
    # wasm2c >= 1.0.33 doubles a module name's underscores in C identifiers.
    c_name = name.replace("_", "__")
    h_text = add_counter(h_text, f"typedef struct w2c_{c_name} {{\n", h_path)
    impl_path = os.path.join(out_dir, f"{name}-impl.h")
    with open(impl_path, encoding="utf-8") as f:
        impl = f.read()
    include = f'#include "{name}.h"\n'
    if impl.count(include) != 1:
        die(f"no `{include.strip()}` in {impl_path}: not wasm2c 1.0.36 output?")
    # Guest functions and data are external (one unit calls another) but
    # not exported from a shared object; the module's API, declared in
    # <name>.h before this, keeps its visibility.
    impl = impl.replace(include, include + "#pragma GCC visibility push(hidden)\n")
    # System headers included later (SIMDe's, for SIMD) keep their default
    # visibility: a libc function declared hidden could not come from libc.
    impl = _wrap_late_includes(impl, include)
    impl += "\n" + CHECKPOINT + "\n" + MEM_BASE_HELPERS_136
    units = []
    for k in range(0, 1 << 16):
        p = os.path.join(out_dir, f"{name}_{k}.c")
        if not os.path.exists(p):
            break
        units.append(p)
    if len(units) < 2:
        die(f"{out_dir}: expected {name}_0.c, {name}_1.c, …: run wasm2c with --num-outputs >= 2")
    entries = loops = bulk = 0
    for p in units:
        with open(p, encoding="utf-8") as f:
            lines = f.read().split("\n")
        prologue = None  # the running function's prologue line
        bases = BaseLocals()
        for j, line in enumerate(lines):
            if line == PROLOGUE:
                prologue, bases = j, BaseLocals()
                entries += 1
                continue
            if line == "}" and prologue is not None:
                # The function's end: its bases are read after the prologue.
                lines[prologue] = PROLOGUE + " AFN_CHECKPOINT();" + bases.reads()
                prologue = None
                continue
            m = LOOP_HEAD_136.match(line)
            if m:
                lines[j] = m.group(1) + " AFN_CHECKPOINT();"
                loops += 1
                continue
            if "memory_" in line:
                line, n = BULK_CALL.subn(r"afn_\1(&instance->afn_fuel, ", line)
                bulk += n
            if prologue is not None and ("_load" in line or "_store" in line):
                line = MEM_ACCESS.sub(bases.rewrite, line)
            lines[j] = line
        if prologue is not None:
            die(f"{p}: a function without its closing `}}`")
        with open(p, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    if entries == 0:
        die(f"no `{PROLOGUE.strip()}` line in {name}_K.c: not wasm2c 1.0.36 output?")
    with open(h_path, "w", encoding="utf-8") as f:
        f.write(h_text)
    with open(impl_path, "w", encoding="utf-8") as f:
        f.write(impl)
    sys.stderr.write(
        f"split_wasm2c: {len(units)} units from wasm2c; checkpoints at {entries} function entries, "
        f"{loops} loop heads and {bulk} bulk-memory instructions\n"
    )


def instrument(body, loop_head, fname):
    """Adds the checkpoints to one function definition (a list of lines):
    function entry, loop heads, and the bulk-memory calls' chunks."""
    try:
        p = body.index(PROLOGUE)
    except ValueError:
        die(f"{fname}: no `{PROLOGUE.strip()}` line: not wasm2c 1.0.32 output?")
    bases = BaseLocals()
    for j, line in enumerate(body):
        # A loop's label is its head: wasm2c emits `br` to a loop as a goto
        # to it, so every iteration passes here.
        m = loop_head.match(line)
        if m:
            body[j] = m.group(1) + " AFN_CHECKPOINT();"
            continue
        if "memory_" in line:
            line = BULK_CALL.sub(r"afn_\1(&instance->afn_fuel, ", line)
        if "_load" in line or "_store" in line:
            line = MEM_ACCESS.sub(bases.rewrite, line)
        body[j] = line
    body[p] = PROLOGUE + " AFN_CHECKPOINT();" + bases.reads()


if __name__ == "__main__":
    main()
