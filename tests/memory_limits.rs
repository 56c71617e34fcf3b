//! Guest memory that only a real limit stops (issue #14, part 1): the
//! interpreter's fuel slices never make a `memory.grow`, a `table.grow` or
//! a long `start` section fail; at the job's budget the guest sees -1 (the
//! WebAssembly specification's answer) and the run records that the limit
//! was reached; tables count against the same budget.
//!
//! The WAT guests are small and need no module; the FFmpeg case needs the
//! guest module (`make guest`) and fails without it.

mod support;

use afmpeg::engine::FUEL_SLICE;
use afmpeg::wasi_shim::WasiCtx;
use afmpeg::{Error, ExecLimits, Filesystem, LimitKind, Limits, RunOptions, Runtime};

fn runtime_of(wat: &str) -> Runtime {
    Runtime::from_bytes(wat::parse_str(wat).unwrap()).unwrap()
}

fn run(rt: &Runtime, limits: &ExecLimits) -> afmpeg::Result<afmpeg::Exit> {
    let ctx = WasiCtx::builder().build().unwrap();
    rt.run_wasi(ctx, limits).0
}

const PAGE: u64 = 64 << 10;

/// Grows by `$step` pages until `memory.grow` says -1 or `$pages` pages
/// are reached; exits 0 when it reached `$pages`, 1 when refused before.
fn grower(step: u32, pages: u32) -> String {
    format!(
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (block $done
              (loop $more
                (br_if $done (i32.ge_u (memory.size) (i32.const {pages})))
                (br_if $done (i32.eq (memory.grow (i32.const {step})) (i32.const -1)))
                (br $more)))
            (call $exit (i32.lt_u (memory.size) (i32.const {pages})))))"#
    )
}

/// Page by page to 1,300 MiB: was killed at 1,207 MiB with "guest memory
/// limit of 0 bytes reached" when a grow fell where a fuel slice could not
/// pay for it; now such a grow pauses like any instruction and resumes.
#[test]
fn growing_page_by_page_succeeds_across_fuel_slices() {
    let pages = 1_300 * 16;
    let exit = run(&runtime_of(&grower(1, pages)), &ExecLimits::default()).unwrap();
    assert_eq!(exit.code, 0, "a grow was refused before {pages} pages");
    assert_eq!(exit.guest_memory, u64::from(pages) * PAGE);
    assert!(!exit.memory_limit_reached);
}

/// One grow of 19,532 pages (1.28 GB), which costs more fuel than a whole
/// slice: always failed at once.
#[test]
fn one_grow_larger_than_a_fuel_slice_succeeds() {
    let step = 19_532;
    assert!(u64::from(step) * 1024 > FUEL_SLICE);
    let exit = run(&runtime_of(&grower(step, step + 1)), &ExecLimits::default()).unwrap();
    assert_eq!(exit.code, 0);
    assert_eq!(exit.guest_memory, u64::from(step + 1) * PAGE);
}

/// wasmi leaves a native frame per `memory.grow` executed until the run
/// next pauses (see `GUEST_STACK`): a loop of dynamic zero-page grows, the
/// cheapest grow there is, for many slices, must not overflow the stack —
/// here called from a thread with a 256 KiB stack, the guest's own thread
/// has the room.
#[test]
fn a_loop_of_grows_does_not_overflow_the_host_stack() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (local $zero i32) (local $n i32)
        (loop $l
          (drop (memory.grow (local.get $zero)))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $n) (i32.const 5000000))))
        (call $exit (i32.const 7))))"#;
    let rt = runtime_of(wat);
    let exit = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || run(&rt, &ExecLimits::default()))
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(exit.code, 7, "the loop ran to its end");
}

/// At the budget the guest is told no (-1) and goes on: it exits 1 by its
/// own choice here, and the run says the limit was reached.
#[test]
fn at_the_budget_the_guest_sees_minus_one_and_the_run_says_so() {
    let limits = ExecLimits {
        max_memory: Some(64 << 20),
        ..ExecLimits::default()
    };
    let exit = run(&runtime_of(&grower(1, 4096)), &limits).unwrap();
    assert_eq!(exit.code, 1, "the guest saw its grow refused and said so");
    assert!(exit.memory_limit_reached);
    assert_eq!(
        exit.guest_memory,
        64 << 20,
        "grown up to the budget, exactly"
    );
}

/// A budget that is never reached is not reported.
#[test]
fn a_budget_that_is_not_reached_is_not_reported() {
    let limits = ExecLimits {
        max_memory: Some(64 << 20),
        ..ExecLimits::default()
    };
    let exit = run(&runtime_of(&grower(16, 512)), &limits).unwrap();
    assert_eq!(exit.code, 0);
    assert!(!exit.memory_limit_reached);
}

/// A table of a billion entries made the host allocate 3.9 GB whatever
/// the budget. With a budget it counts against it; without one a table is
/// limited to the web engines' 10,000,000 entries.
#[test]
fn tables_count_against_the_memory_budget() {
    let bomb = r#"(module (table 1000000000 funcref) (memory (export "memory") 1)
                  (func (export "_start")))"#;
    let rt = runtime_of(bomb);
    let budget = ExecLimits {
        max_memory: Some(64 << 20),
        ..ExecLimits::default()
    };
    match run(&rt, &budget) {
        Err(Error::Limit {
            limit: LimitKind::Memory(m),
            ..
        }) => assert_eq!(m, 64 << 20),
        other => panic!("expected the memory limit, got {other:?}"),
    }
    match run(&rt, &ExecLimits::default()) {
        Err(Error::Instantiate(msg)) => assert!(!msg.is_empty()),
        other => panic!("expected the table to be refused, got {other:?}"),
    }
    // `table.grow` at run time: -1 past the budget, counted with memory.
    let grow = r#"(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (table $t 1 funcref) (memory (export "memory") 1)
        (func (export "_start")
          (call $exit (i32.eq (table.grow $t (ref.null func) (i32.const 100000000))
                              (i32.const -1)))))"#;
    let exit = run(&runtime_of(grow), &budget).unwrap();
    assert_eq!(exit.code, 1, "table.grow past the budget returns -1");
    assert!(exit.memory_limit_reached);
    // Within the budget it is granted: 1,000,000 entries are 8 MB.
    let small = grow.replace("100000000", "1000000");
    let exit = run(&runtime_of(&small), &budget).unwrap();
    assert_eq!(exit.code, 0, "table.grow within the budget is granted");
}

/// A `start` section that runs longer than one fuel slice: stopped with
/// "CPU budget of 18446744073709551615 fuel units reached".
#[test]
fn a_start_section_longer_than_a_fuel_slice_completes() {
    let iterations = FUEL_SLICE; // several instructions each
    let wat = format!(
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (global $done (mut i32) (i32.const 0))
          (func $init (local $i i64)
            (loop $l
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br_if $l (i64.lt_u (local.get $i) (i64.const {iterations}))))
            (global.set $done (i32.const 1)))
          (start $init)
          (func (export "_start") (call $exit (i32.eqz (global.get $done)))))"#
    );
    let exit = run(&runtime_of(&wat), &ExecLimits::default()).unwrap();
    assert_eq!(exit.code, 0, "the start section ran to its end");
    // A real CPU budget still stops it, with the budget it was given.
    match run(
        &runtime_of(&wat),
        &ExecLimits {
            fuel: Some(1_000_000),
            ..ExecLimits::default()
        },
    ) {
        Err(Error::Limit {
            limit: LimitKind::Fuel(f),
            ..
        }) => assert_eq!(f, 1_000_000),
        other => panic!("expected the CPU budget, got {other:?}"),
    }
}

/// The FFmpeg job of the issue: one 10000x10000 frame (a 150 MB buffer)
/// failed in 0.1 s with a memory "limit" that was a fuel slice; native
/// FFmpeg succeeds. Under a budget too small for it, the job is an
/// `Error::Limit` — never a success, whatever FFmpeg exits with.
#[test]
fn ffmpeg_scales_to_a_huge_frame_and_a_small_budget_is_never_a_success() {
    let _g = support::guest::shared();
    let rt = support::guest::runtime();
    let fs = Filesystem::new();
    let args = [
        "-f",
        "lavfi",
        "-i",
        "color=s=16x16:d=0.04",
        "-frames:v",
        "1",
        "-sws_flags",
        "neighbor",
        "-vf",
        "scale=10000:10000",
        "-f",
        "null",
        "-",
    ];
    let out = rt.run(&fs, &args).unwrap();
    assert!(out.success(), "{}", out.stderr_text());
    assert!(
        out.stderr_text().contains("frame=    1"),
        "one frame went through:\n{}",
        out.stderr_text()
    );
    assert!(out.guest_memory > 150_000_000, "{}", out.guest_memory);
    let opts = RunOptions::new().limits(Limits {
        max_memory: 96 << 20,
        ..Limits::default()
    });
    match rt.run_with(&fs, &args, &opts) {
        Err(Error::Limit {
            limit: LimitKind::Memory(m),
            ..
        }) => assert_eq!(m, 96 << 20),
        Ok(o) => panic!(
            "a job that hit its memory budget was reported with exit {}",
            o.exit_code
        ),
        Err(e) => panic!("expected the memory limit, got {e:?}"),
    }
}
