//! `make load`: concurrent workers on one `Runtime` for minutes (issue 6).
//!
//! Runs each job of a small mix (encode, probe, decode, a truncated input)
//! once alone to learn its outcome, then `--workers` threads run the mix in
//! a loop for `--minutes` on one shared `Runtime`, each job over its own
//! in-memory filesystem. Every outcome must equal the single run's; the
//! process's RSS is sampled every `--sample-secs`. Prints the samples, jobs
//! done and outcomes; exits 1 on any difference, or if the mean RSS of the
//! second half of the run (after a warm-up minute) is more than 10% above
//! that of the first half.
//!
//! With `--sequential N` it instead runs N tiny encodes one after another
//! and compares RSS after job 50 with RSS after job N.
//!
//! ```text
//! cargo run --locked --example load -- --workers 8 --minutes 10
//! cargo run --locked --example load -- --sequential 500
//! ```

#[path = "../tests/support/mod.rs"]
mod support;
use support::load;

use afmpeg::Runtime;
use clap::Parser;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Load on one Runtime.
#[derive(Debug, Parser)]
struct Args {
    /// Concurrent workers.
    #[arg(long, default_value_t = 8)]
    workers: usize,
    /// How long the workers run.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Seconds between RSS samples.
    #[arg(long, default_value_t = 30)]
    sample_secs: u64,
    /// Instead: this many sequential jobs, RSS after job 50 vs after the last.
    #[arg(long)]
    sequential: Option<usize>,
}

fn mib(b: u64) -> f64 {
    b as f64 / (1 << 20) as f64
}

fn main() {
    let args = Args::parse();
    let rt = Runtime::from_default_location().unwrap_or_else(|e| {
        eprintln!("load: {e}");
        std::process::exit(2)
    });
    let ok = match args.sequential {
        Some(n) => sequential(&rt, n),
        None => concurrent(&rt, &args),
    };
    std::process::exit(i32::from(!ok));
}

fn sequential(rt: &Runtime, n: usize) -> bool {
    let t = Instant::now();
    let mut baseline = 0;
    for job in 1..=n {
        if let Err(e) = load::tiny_encode(rt) {
            println!("job {job} failed: {e}");
            return false;
        }
        if job == 50.min(n) {
            baseline = load::rss_bytes();
        }
    }
    let last = load::rss_bytes();
    let ratio = last as f64 / baseline as f64;
    println!(
        "{n} sequential jobs in {:.1?}: RSS after job 50 {:.1} MiB, after job {n} {:.1} MiB, ratio {ratio:.3}",
        t.elapsed(),
        mib(baseline),
        mib(last)
    );
    ratio <= 1.10
}

fn concurrent(rt: &Runtime, args: &Args) -> bool {
    let input = load::mix_input(rt).unwrap_or_else(|e| {
        eprintln!("load: cannot make the input: {e}");
        std::process::exit(2)
    });
    // The outcome of each job run alone.
    let expected: BTreeMap<&str, String> = load::MIX
        .iter()
        .map(|&k| (k, load::signature(k, &load::run_mix_job(rt, k, &input))))
        .collect();
    println!("single-run outcomes:");
    for (k, s) in &expected {
        println!("  {k:<10} {s}");
    }
    println!(
        "{} workers for {} min on one Runtime; RSS before: {:.1} MiB",
        args.workers,
        args.minutes,
        mib(load::rss_bytes())
    );

    let stop = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let outcomes: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
    let mismatches: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let start = Instant::now();
    let run_for = Duration::from_secs_f64(args.minutes * 60.0);
    let mut samples: Vec<(u64, u64, usize)> = Vec::new();
    std::thread::scope(|s| {
        for w in 0..args.workers {
            let (stop, done, outcomes, mismatches, expected, input) =
                (&stop, &done, &outcomes, &mismatches, &expected, &input);
            std::thread::Builder::new()
                .stack_size(afmpeg::job::WORKER_STACK)
                .spawn_scoped(s, move || {
                    let mut i = w;
                    while !stop.load(Ordering::Relaxed) {
                        let kind = load::MIX[i % load::MIX.len()];
                        i += 1;
                        let sig = load::signature(kind, &load::run_mix_job(rt, kind, input));
                        *outcomes
                            .lock()
                            .unwrap()
                            .entry(format!("{kind}: {sig}"))
                            .or_default() += 1;
                        if sig != expected[kind] {
                            mismatches
                                .lock()
                                .unwrap()
                                .push(format!("worker {w}, {kind}: {sig}"));
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .expect("spawning a worker");
        }
        let every = Duration::from_secs(args.sample_secs);
        let mut next = every;
        while start.elapsed() < run_for {
            std::thread::sleep(Duration::from_millis(200));
            if start.elapsed() >= next {
                let sample = (
                    start.elapsed().as_secs(),
                    load::rss_bytes(),
                    done.load(Ordering::Relaxed),
                );
                println!(
                    "[{:>4} s] RSS {:>7.1} MiB, {} jobs",
                    sample.0,
                    mib(sample.1),
                    sample.2
                );
                samples.push(sample);
                next += every;
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = start.elapsed();
    let jobs = done.load(Ordering::Relaxed);
    println!(
        "jobs done: {jobs} in {:.1?} ({:.2} jobs/s)",
        elapsed,
        jobs as f64 / elapsed.as_secs_f64()
    );
    println!("outcomes:");
    for (k, n) in outcomes.lock().unwrap().iter() {
        println!("  {k:<40} {n}");
    }
    let mismatches = mismatches.into_inner().unwrap();
    println!("outcomes different from a single run: {}", mismatches.len());
    for m in mismatches.iter().take(20) {
        println!("  {m}");
    }
    // Flat: an instantaneous sample swings with how many jobs happen to be
    // mid-run (each holds up to a few tens of MiB of guest memory), so
    // compare the mean of the first half of the samples taken after a
    // minute of warm-up with the mean of the second half.
    let warm: Vec<u64> = samples.iter().filter(|s| s.0 >= 60).map(|s| s.1).collect();
    let flat = if warm.len() >= 2 {
        let (a, b) = warm.split_at(warm.len() / 2);
        let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len() as f64;
        let ratio = mean(b) / mean(a);
        println!(
            "RSS after warm-up: first half mean {:.1} MiB, second half mean {:.1} MiB (ratio {ratio:.3}); min {:.1}, max {:.1} MiB",
            mean(a) / f64::from(1 << 20),
            mean(b) / f64::from(1 << 20),
            mib(*warm.iter().min().unwrap()),
            mib(*warm.iter().max().unwrap())
        );
        ratio <= 1.10
    } else {
        println!("too few RSS samples after the warm-up to judge");
        false
    };
    mismatches.is_empty() && flat && jobs > 0
}
