//! What the checkpoints (RATIONALE.md, "Checkpoints") mean in time, in one
//! run on this machine:
//!
//! - how long a guest in an endless loop (`t_spin`, `t_fib`, and the loops
//!   of 64 MiB fills and 32 MiB copies `t_fill_spin`, `t_copy_spin`) keeps running
//!   after another thread raises its interrupt flag (the bound the tier
//!   promises is 100 ms);
//! - checkpoints per second of CPU for those two and for an x264 encode, and
//!   so how long [`CHECK_INTERVAL`] checkpoints take;
//! - how many checkpoints the x264 encode needs in all (the smallest
//!   `cpu_budget` it completes with, found by bisection), and how much wasmi
//!   fuel the same job needs on the interpreter (bisected to 1 %): the
//!   conversion between the two budgets.
//!
//! `cargo run -p afmpeg-native --features ffmpeg --example checkpoints [-- SIZE SECONDS]`
//! (default 320x240, 1 s of testsrc2 through x264 veryfast).

#[path = "../tests/support/jobs.rs"]
mod jobs;
#[path = "../tests/support/measure.rs"]
mod measure;

use afmpeg_native::{Exit, Limits, NativeError, NativeModule, CHECK_INTERVAL};
use measure::{context, thread_cpu_seconds};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasi_shim::fs::Filesystem;
use wasi_shim::WasiCtx;

/// Raises the flag of a guest spinning on another thread after 200 ms;
/// returns the wall time from the raise to the guest's return.
fn stop_latency(name: &str) -> Duration {
    let flag = Arc::new(AtomicBool::new(false));
    let raised = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let guest = {
        let flag = flag.clone();
        let name = name.to_owned();
        std::thread::spawn(move || {
            let module = NativeModule::get(&name).expect("test module");
            let ctx = WasiCtx::builder()
                .arg(&name)
                .interrupt(flag)
                .build()
                .unwrap();
            let (r, _) = module.run(ctx, &Limits::default());
            let back = Instant::now();
            assert!(matches!(r, Err(NativeError::Interrupted)), "{r:?}");
            back
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    *raised.lock().unwrap() = Some(Instant::now());
    flag.store(true, Ordering::Relaxed);
    let back = guest.join().unwrap();
    let raised = raised.lock().unwrap().unwrap();
    back.saturating_duration_since(raised)
}

/// Checkpoints per CPU second of a guest that runs until its budget is spent.
fn rate(name: &str, budget: u64) -> f64 {
    let module = NativeModule::get(name).expect("test module");
    let ctx = WasiCtx::builder().arg(name).build().unwrap();
    let t = thread_cpu_seconds();
    let limits = Limits {
        cpu_budget: Some(budget),
        ..Limits::default()
    };
    let (r, _) = module.run(ctx, &limits);
    assert!(matches!(r, Err(NativeError::CpuBudget)), "{r:?}");
    budget as f64 / (thread_cpu_seconds() - t)
}

fn x264(args: &[String], budget: Option<u64>) -> Result<Exit, NativeError> {
    let ctx = context(args, &Filesystem::new());
    let limits = Limits {
        cpu_budget: budget,
        ..Limits::default()
    };
    NativeModule::ffmpeg()
        .expect("built with --features ffmpeg")
        .run(ctx, &limits)
        .0
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let size = argv.next().unwrap_or_else(|| "320x240".into());
    let secs = argv.next().unwrap_or_else(|| "1".into());
    let interval = CHECK_INTERVAL as f64;
    // The bulk-memory loops write 64 bytes per checkpoint: a smaller budget
    // (4 GiB written) measures them in under a second.
    for (name, budget) in [
        ("t_spin", 1 << 30),
        ("t_fib", 1 << 30),
        ("t_fill_spin", 1 << 26),
        ("t_copy_spin", 1 << 26),
    ] {
        let worst = (0..5).map(|_| stop_latency(name)).max().unwrap();
        let r = rate(name, budget);
        println!(
            "{name}: interrupt to return, worst of 5: {:.2} ms; {:.0} M checkpoints/CPU s, \
             CHECK_INTERVAL = {:.2} ms",
            worst.as_secs_f64() * 1e3,
            r / 1e6,
            interval / r * 1e3
        );
    }

    let mut args = jobs::x264_to_mp4(&format!("testsrc2=d={secs}:s={size}:r=25"));
    args.splice(0..0, ["-loglevel".to_string(), "error".to_string()]);
    let t = thread_cpu_seconds();
    assert_eq!(x264(&args, None).unwrap(), Exit::Code(0));
    let cpu = thread_cpu_seconds() - t;
    // The smallest budget the job completes with: its checkpoints in all.
    let (mut lo, mut hi) = (0u64, 1u64 << 20);
    while !matches!(x264(&args, Some(hi)), Ok(Exit::Code(0))) {
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match x264(&args, Some(mid)) {
            Ok(Exit::Code(0)) => hi = mid,
            Err(NativeError::CpuBudget) => lo = mid,
            other => panic!("budget {mid}: {other:?}"),
        }
    }
    println!(
        "x264 {size} {secs} s: {cpu:.2} CPU s, {hi} checkpoints ({:.0} M/CPU s), \
         CHECK_INTERVAL = {:.2} ms on average",
        hi as f64 / cpu / 1e6,
        interval / (hi as f64 / cpu) * 1e3
    );
    let checkpoints = hi;

    let source = NativeModule::ffmpeg().unwrap().source();
    let rt = afmpeg::Runtime::from_file(source).expect("the interpreter loads the same module");
    let completes = |fuel: u64| {
        let ctx = context(&args, &Filesystem::new());
        let limits = afmpeg::ExecLimits {
            fuel: Some(fuel),
            ..Default::default()
        };
        matches!(rt.run_wasi(ctx, &limits).0, Ok(e) if e.code == 0)
    };
    let (mut lo, mut hi) = (checkpoints, checkpoints * 4);
    while !completes(hi) {
        lo = hi;
        hi *= 2;
    }
    while (hi - lo) * 100 > hi {
        let mid = lo + (hi - lo) / 2;
        if completes(mid) {
            hi = mid
        } else {
            lo = mid
        }
    }
    println!(
        "x264 {size} {secs} s on the interpreter: {hi} fuel (within 1 %): {:.1} fuel per checkpoint",
        hi as f64 / checkpoints as f64
    );
}
