//! Guests that trap or never stop computing, run natively through
//! [`Runtime`] (needs the `native-guest-tests` feature; `make test` builds
//! it): every trap kind is an [`Error::Trap`] of its [`TrapKind`], the
//! process survives and the next job on the same runtime works; a loop of
//! multi-GiB bulk-memory instructions stops on cancel, timeout and CPU
//! budget. The modules are crate afmpeg-native's `tests/wat/*.wat`,
//! translated to C and compiled in by its `test-modules` feature; the
//! runtime picks the native tier for them because their bytes are the ones
//! compiled in.

use afmpeg::{CancelToken, Engine, Error, ExecLimits, Exit, LimitKind, Runtime, TrapKind};
use afmpeg_native::NativeModule;
use std::sync::mpsc;
use std::time::Duration;
use wasi_shim::WasiCtx;

/// A runtime for compiled-in test module `name`, loaded from the wasm it
/// was translated from.
fn runtime(name: &str) -> Runtime {
    let module = NativeModule::get(name).expect("test module compiled in (feature test-modules)");
    let bytes = std::fs::read(module.source()).expect("the test module's wasm");
    let rt = Runtime::from_bytes(bytes).expect("runtime");
    assert_eq!(rt.engine(), Engine::Native, "{name} runs natively");
    rt
}

/// Runs `rt` with `args` (after the program name); ends the test process if
/// the job has not returned after a minute (it would otherwise hang).
fn run(rt: &Runtime, args: &[&str], limits: &ExecLimits) -> afmpeg::Result<Exit> {
    let (done, watch) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if watch.recv_timeout(Duration::from_secs(60)).is_err() {
            eprintln!("the guest did not stop within 60 s");
            std::process::exit(101);
        }
    });
    let mut ctx = WasiCtx::builder().arg("guest");
    for a in args {
        ctx = ctx.arg(*a);
    }
    let (result, _ctx) = rt.run_wasi(ctx.build().expect("context"), limits);
    done.send(()).unwrap();
    watchdog.join().unwrap();
    result
}

fn trap_kind(rt: &Runtime, arg: &str) -> TrapKind {
    match run(rt, &[arg], &ExecLimits::default()) {
        Err(Error::Trap { kind, message, .. }) => {
            assert!(!message.is_empty());
            kind
        }
        other => panic!("argument {arg:?}: expected a trap, got {other:?}"),
    }
}

fn exits_0(rt: &Runtime) {
    assert_eq!(run(rt, &[], &ExecLimits::default()).unwrap().code, 0);
}

/// by_argument.wat's argument for each trap kind.
const TRAPS: [(&str, TrapKind); 8] = [
    ("oob", TrapKind::OutOfBounds),
    ("unreachable", TrapKind::Unreachable),
    ("stack", TrapKind::StackExhausted),
    ("div", TrapKind::DivisionByZero),
    ("v-overflow", TrapKind::IntegerOverflow),
    ("indirect-null", TrapKind::IndirectCall),
    ("type-mismatch", TrapKind::IndirectCall),
    ("conversion", TrapKind::InvalidConversion),
];

fn traps_then_runs(arg: &str) {
    let rt = runtime("t_by_argument");
    let expected = TRAPS.iter().find(|t| t.0 == arg).unwrap().1;
    exits_0(&rt);
    assert_eq!(trap_kind(&rt, arg), expected);
    exits_0(&rt);
    assert_eq!(trap_kind(&rt, arg), expected);
}

#[test]
fn an_out_of_bounds_load_is_a_typed_trap_and_the_next_job_runs() {
    traps_then_runs("oob");
}

#[test]
fn unreachable_is_a_typed_trap_and_the_next_job_runs() {
    traps_then_runs("unreachable");
}

#[test]
fn unbounded_recursion_is_stack_exhaustion_and_the_next_job_runs() {
    traps_then_runs("stack");
}

#[test]
fn integer_division_by_zero_is_a_typed_trap_and_the_next_job_runs() {
    traps_then_runs("div");
}

#[test]
fn signed_division_overflow_is_a_typed_trap_and_the_next_job_runs() {
    traps_then_runs("v-overflow");
}

#[test]
fn a_call_through_a_null_table_entry_is_a_typed_trap_and_the_next_job_runs() {
    traps_then_runs("indirect-null");
}

#[test]
fn a_call_through_a_wrongly_typed_table_entry_is_a_typed_trap_and_the_next_job_runs() {
    traps_then_runs("type-mismatch");
}

#[test]
fn truncating_nan_is_a_typed_trap_and_the_next_job_runs() {
    traps_then_runs("conversion");
}

#[test]
fn threads_sharing_one_runtime_trap_and_run_at_once() {
    let rt = runtime("t_by_argument");
    std::thread::scope(|s| {
        for (i, (arg, kind)) in TRAPS.iter().enumerate() {
            let rt = &rt;
            s.spawn(move || {
                for _ in 0..5 {
                    assert_eq!(trap_kind(rt, arg), *kind, "thread {i}");
                    exits_0(rt);
                }
            });
        }
    });
}

#[test]
fn the_interpreter_gives_the_same_trap_kinds() {
    let native = runtime("t_by_argument");
    let bytes = std::fs::read(NativeModule::get("t_by_argument").unwrap().source()).unwrap();
    let interpreted = Runtime::builder(afmpeg::ModuleSource::Bytes(bytes.into()))
        .engine(Engine::Interpreter)
        .build()
        .unwrap();
    for (arg, kind) in TRAPS {
        assert_eq!(trap_kind(&interpreted, arg), kind, "interpreter, {arg}");
        assert_eq!(trap_kind(&native, arg), kind, "native, {arg}");
    }
}

// Bulk memory: fill_spin.wat and copy_spin.wat loop over 64 MiB fills and
// 32 MiB copies without a call. Each is charged a checkpoint per 64 bytes,
// so the loop meets a check every 64 MiB; uncharged, it would meet one
// every 2^20 iterations (tens of TiB) and the watchdog would fail the test.

/// Runs `name` until another thread cancels its token, after the guest has
/// had time to be inside its loop.
fn cancelled_while_filling(name: &str) {
    let rt = runtime(name);
    let cancel = CancelToken::new();
    let limits = ExecLimits {
        cancel: Some(cancel.clone()),
        ..ExecLimits::default()
    };
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        cancel.cancel();
    });
    let result = run(&rt, &[], &limits);
    canceller.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled { .. })), "{result:?}");
}

#[test]
fn a_loop_of_huge_memory_fills_stops_when_cancelled() {
    cancelled_while_filling("t_fill_spin");
}

#[test]
fn a_loop_of_huge_memory_copies_stops_when_cancelled() {
    cancelled_while_filling("t_copy_spin");
}

#[test]
fn a_loop_of_huge_memory_fills_stops_at_its_timeout() {
    let rt = runtime("t_fill_spin");
    let limits = ExecLimits {
        timeout: Some(Duration::from_millis(50)),
        ..ExecLimits::default()
    };
    match run(&rt, &[], &limits) {
        Err(Error::Limit {
            limit: LimitKind::Timeout(t),
            ..
        }) => assert_eq!(t, Duration::from_millis(50)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_loop_of_huge_memory_copies_stops_when_its_fuel_is_spent() {
    let rt = runtime("t_copy_spin");
    // 10 copies' worth (2^19 checkpoints each, 137 fuel units per
    // checkpoint): uncharged, the copies alone would cost nothing.
    let fuel = 10 * (1 << 19) * 137;
    let limits = ExecLimits {
        fuel: Some(fuel),
        ..ExecLimits::default()
    };
    match run(&rt, &[], &limits) {
        Err(Error::Limit {
            limit: LimitKind::Fuel(f),
            ..
        }) => assert_eq!(f, fuel),
        other => panic!("{other:?}"),
    }
}
