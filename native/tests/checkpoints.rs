//! The checkpoints of the translated code (function entries and loop heads,
//! see RATIONALE.md): a guest that computes without ever calling WASI is
//! stopped by the interrupt flag, the deadline or the CPU budget, and the
//! next call works. No wall-clock assertion: a watchdog fails a test that
//! would hang instead.

use afmpeg_native::{Exit, Limits, NativeError, NativeModule, CHECK_INTERVAL};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasi_shim::{WasiCtx, WasiCtxBuilder};

/// Runs `name` on this thread; ends the whole test process with an error if
/// the call has not returned after a minute (it would otherwise hang).
fn run_watched(name: &str, ctx: WasiCtxBuilder, limits: Limits) -> Result<Exit, NativeError> {
    let (done, watch) = mpsc::channel::<()>();
    let what = name.to_owned();
    let watchdog = std::thread::spawn(move || {
        if watch.recv_timeout(Duration::from_secs(60)).is_err() {
            eprintln!("{what}: the guest did not stop within 60 s");
            std::process::exit(101);
        }
    });
    let module = NativeModule::get(name).expect("test module compiled in");
    let ctx = ctx.arg(name).build().expect("context");
    let (result, _ctx) = module.run(ctx, &limits);
    done.send(()).unwrap();
    watchdog.join().unwrap();
    result
}

fn budget(n: u64) -> Limits {
    Limits {
        cpu_budget: Some(n),
        ..Limits::default()
    }
}

fn the_next_call_works() {
    assert_eq!(
        run_watched("t_count", WasiCtx::builder(), Limits::default()).unwrap(),
        Exit::Code(0)
    );
}

/// Runs `name` and raises its interrupt flag from another thread while it
/// runs; the call must end with `Interrupted`, and the next one work.
fn stops_when_another_thread_raises_the_flag(name: &str) {
    let flag = Arc::new(AtomicBool::new(false));
    let raiser = {
        let flag = flag.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            flag.store(true, Ordering::Relaxed);
        })
    };
    let result = run_watched(name, WasiCtx::builder().interrupt(flag), Limits::default());
    raiser.join().unwrap();
    assert!(
        matches!(result, Err(NativeError::Interrupted)),
        "{result:?}"
    );
    the_next_call_works();
}

#[test]
fn an_endless_loop_stops_when_another_thread_raises_the_interrupt_flag() {
    stops_when_another_thread_raises_the_flag("t_spin");
}

/// Runs `name` with a deadline 20 ms away: `Timeout`, and the next call works.
fn stops_at_the_deadline(name: &str) {
    let deadline = Instant::now() + Duration::from_millis(20);
    let result = run_watched(
        name,
        WasiCtx::builder().deadline(deadline),
        Limits::default(),
    );
    assert!(matches!(result, Err(NativeError::Timeout)), "{result:?}");
    the_next_call_works();
}

/// Runs `name` with a budget of `n` checkpoints: `CpuBudget`, and the next
/// call works.
fn stops_when_the_budget_is_spent(name: &str, n: u64) {
    let result = run_watched(name, WasiCtx::builder(), budget(n));
    assert!(matches!(result, Err(NativeError::CpuBudget)), "{result:?}");
    the_next_call_works();
}

#[test]
fn an_endless_loop_stops_at_the_deadline() {
    stops_at_the_deadline("t_spin");
}

#[test]
fn an_endless_loop_stops_when_its_cpu_budget_is_spent() {
    // Several refills of the counter, then the end of the budget.
    stops_when_the_budget_is_spent("t_spin", 5 * CHECK_INTERVAL + 7);
}

#[test]
fn a_budget_counts_loop_iterations_and_function_entries_exactly() {
    // count.wat passes exactly 1001 checkpoints.
    assert_eq!(
        run_watched("t_count", WasiCtx::builder(), budget(1001)).unwrap(),
        Exit::Code(0)
    );
    let result = run_watched("t_count", WasiCtx::builder(), budget(1000));
    assert!(matches!(result, Err(NativeError::CpuBudget)), "{result:?}");
    let result = run_watched("t_count", WasiCtx::builder(), budget(0));
    assert!(matches!(result, Err(NativeError::CpuBudget)), "{result:?}");
}

#[test]
fn recursion_without_loops_stops_when_its_cpu_budget_is_spent() {
    stops_when_the_budget_is_spent("t_fib", 3 * CHECK_INTERVAL);
}

#[test]
fn recursion_without_loops_stops_when_another_thread_raises_the_interrupt_flag() {
    stops_when_another_thread_raises_the_flag("t_fib");
}

#[test]
fn many_threads_stop_each_at_their_own_limit() {
    let threads: Vec<_> = (0..6)
        .map(|i| {
            std::thread::spawn(move || {
                let (ctx, limits) = match i % 3 {
                    0 => (WasiCtx::builder(), budget(2 * CHECK_INTERVAL)),
                    1 => (
                        WasiCtx::builder().deadline(Instant::now() + Duration::from_millis(10)),
                        Limits::default(),
                    ),
                    _ => (
                        WasiCtx::builder().interrupt(Arc::new(AtomicBool::new(true))),
                        Limits::default(),
                    ),
                };
                let result = run_watched(if i < 3 { "t_spin" } else { "t_fib" }, ctx, limits);
                match (i % 3, result) {
                    (0, Err(NativeError::CpuBudget))
                    | (1, Err(NativeError::Timeout))
                    | (2, Err(NativeError::Interrupted)) => {}
                    (k, other) => panic!("thread {i} (kind {k}): {other:?}"),
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

// Bulk memory: a `memory.fill` or `memory.copy` is charged one checkpoint
// per 64 bytes, a 64 KiB chunk at a time, so loops of them stop like any
// other loop. Without that each 64 MiB fill passes one checkpoint, and a
// check comes every 2^20 fills (64 TiB): the watchdog would fail these.

#[test]
fn a_loop_of_huge_memory_fills_stops_when_another_thread_raises_the_interrupt_flag() {
    stops_when_another_thread_raises_the_flag("t_fill_spin");
}

#[test]
fn a_loop_of_huge_memory_copies_stops_when_another_thread_raises_the_interrupt_flag() {
    stops_when_another_thread_raises_the_flag("t_copy_spin");
}

#[test]
fn a_loop_of_huge_memory_fills_stops_at_the_deadline() {
    stops_at_the_deadline("t_fill_spin");
}

#[test]
fn a_loop_of_huge_memory_copies_stops_when_its_cpu_budget_is_spent() {
    stops_when_the_budget_is_spent("t_copy_spin", 3 * CHECK_INTERVAL);
}

#[test]
fn a_budget_counts_bulk_memory_bytes_exactly() {
    // bulk_count.wat: 3 * 2^20 checkpoints of fills and copies, 4 others.
    let needed = 3 * CHECK_INTERVAL + 4;
    assert_eq!(
        run_watched("t_bulk_count", WasiCtx::builder(), budget(needed)).unwrap(),
        Exit::Code(0)
    );
    let result = run_watched("t_bulk_count", WasiCtx::builder(), budget(needed - 1));
    assert!(matches!(result, Err(NativeError::CpuBudget)), "{result:?}");
}

#[test]
fn a_chunked_memory_copy_of_overlapping_ranges_is_a_memmove() {
    assert_eq!(
        run_watched("t_copy_overlap", WasiCtx::builder(), Limits::default()).unwrap(),
        Exit::Code(0)
    );
}
