//! How quickly a job stops (`make bench-latency`): the figures the tests no
//! longer assert, because a test asserts order and outcome, never speed.
//!
//! Prints, for each of `LATENCY_ITERS` runs (default 3) and their best:
//! - cancel latency: a 60 s 1280x720 x264 job is cancelled from its first
//!   progress report with output written; the time from `cancel()` to
//!   `run_with` returning `Err(Cancelled)` (target: 100 ms);
//! - timeout overshoot: the same kind of job with a 500 ms timeout, and an
//!   FFmpeg job sleeping on a real-time input (`-re`, one frame a minute)
//!   with a 1.5 s timeout; the time past the timeout at which the job
//!   returned (it must never be negative: the tests check the outcome, this
//!   checks that it does not come early);
//! - a token cancelled before the run: the time `run_with` takes to return.

use afmpeg::{CancelToken, Error, Filesystem, LimitKind, Limits, RunOptions, Runtime};
use std::time::{Duration, Instant};

const LONG_JOB: &str = "-hide_banner -f lavfi -i testsrc2=size=1280x720:rate=25:duration=60 -c:v libx264 -preset ultrafast -f null -";
const REALTIME_JOB: &str =
    "-hide_banner -re -f lavfi -i testsrc=size=32x32:rate=1/60:duration=600 -f null -";

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

fn cancel_latency(rt: &Runtime) -> Duration {
    let token = CancelToken::new();
    let mut opts = RunOptions::new().cancel(token.clone());
    let rx = opts.progress_channel();
    let job = {
        let rt = rt.clone();
        std::thread::spawn(move || {
            let r = rt.run_with(&Filesystem::new(), &words(LONG_JOB), &opts);
            (r, Instant::now())
        })
    };
    for p in rx.iter() {
        if p.frame.is_some_and(|f| f > 0) {
            break;
        }
    }
    let cancelled_at = Instant::now();
    token.cancel();
    let (r, returned_at) = job.join().unwrap();
    assert!(matches!(r, Err(Error::Cancelled { .. })), "{r:?}");
    returned_at.duration_since(cancelled_at)
}

/// Signed milliseconds past `timeout` at which a job with that timeout
/// returned.
fn timeout_overshoot(rt: &Runtime, args: &str, timeout: Duration) -> f64 {
    let opts = RunOptions::new().limits(Limits {
        timeout: Some(timeout),
        ..Limits::default()
    });
    let t = Instant::now();
    let r = rt.run_with(&Filesystem::new(), &words(args), &opts);
    let took = t.elapsed();
    match r {
        Err(Error::Limit {
            limit: LimitKind::Timeout(_),
            ..
        }) => {}
        other => panic!("expected the timeout, got {other:?}"),
    }
    (took.as_secs_f64() - timeout.as_secs_f64()) * 1e3
}

fn pre_cancelled(rt: &Runtime) -> Duration {
    let token = CancelToken::new();
    token.cancel();
    let opts = RunOptions::new().cancel(token);
    let t = Instant::now();
    let r = rt.run_with(&Filesystem::new(), &words(LONG_JOB), &opts);
    let took = t.elapsed();
    assert!(matches!(r, Err(Error::Cancelled { .. })), "{r:?}");
    took
}

fn print_row(name: &str, unit: &str, samples: &[f64]) {
    let best = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let all: Vec<String> = samples.iter().map(|v| format!("{v:.1}")).collect();
    println!(
        "  {name:<52} best {best:>8.1} {unit}   runs: {}",
        all.join(", ")
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iters: usize = std::env::var("LATENCY_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let rt = Runtime::from_default_location()?;
    println!("job stop latency, {iters} runs each (best = least disturbed by the machine):");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let cancel: Vec<f64> = (0..iters).map(|_| ms(cancel_latency(&rt))).collect();
    print_row("cancel -> Err(Cancelled) (target 100 ms)", "ms", &cancel);
    let t1: Vec<f64> = (0..iters)
        .map(|_| timeout_overshoot(&rt, LONG_JOB, Duration::from_millis(500)))
        .collect();
    print_row("500 ms timeout, encoding: returned past it by", "ms", &t1);
    let t2: Vec<f64> = (0..iters)
        .map(|_| timeout_overshoot(&rt, REALTIME_JOB, Duration::from_millis(1500)))
        .collect();
    print_row(
        "1.5 s timeout, sleeping on -re: returned past it by",
        "ms",
        &t2,
    );
    let pre: Vec<f64> = (0..iters).map(|_| ms(pre_cancelled(&rt))).collect();
    print_row("token cancelled before the run: returned after", "ms", &pre);
    if t1.iter().chain(&t2).any(|v| *v < 0.0) {
        eprintln!("a job returned before its timeout");
        std::process::exit(1);
    }
    Ok(())
}
