//! `make soak`: the long bad-media soak (issue 6).
//!
//! Generates seed files inside the guest (mp4, mkv, webm, mp3, wav, png,
//! ogg, ts, flac, srt), mutates them deterministically (bit flips,
//! truncation, splices, corrupted length fields) and runs `ffprobe` and a
//! decode to null on each case through one shared `Runtime` with limits on,
//! in parallel. Prints the outcomes by kind, the slowest run (with the case
//! seed to replay it) and the rate; exits 1 if any case failed.
//!
//! ```text
//! cargo run --locked --example soak -- --cases 10000
//! cargo run --locked --example soak -- --replay 0x1234abcd5678ef90
//! ```

#[path = "../tests/support/mod.rs"]
mod support;
use support::soak;

use afmpeg::Runtime;
use clap::Parser;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The bad-media soak.
#[derive(Debug, Parser)]
struct Args {
    /// Number of cases (each is one probe and one decode).
    #[arg(long, default_value_t = 10_000)]
    cases: usize,
    /// Base seed: the same seed gives the same cases.
    #[arg(long, default_value = "0x50a4", value_parser = parse_u64)]
    seed: u64,
    /// Run only the case of this case seed (as printed), and show its runs.
    #[arg(long, value_parser = parse_u64)]
    replay: Option<u64>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Wall-clock timeout of each run, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Fuel budget of each run.
    #[arg(long, default_value_t = soak::DEFAULT_FUEL)]
    fuel: u64,
}

fn parse_u64(s: &str) -> Result<u64, String> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    }
    .map_err(|e| format!("{s:?}: {e}"))
}

fn main() {
    let args = Args::parse();
    let rt = match Runtime::from_default_location() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let seeds = match soak::make_seeds(&rt) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("soak: cannot make the seed files: {e}");
            std::process::exit(2);
        }
    };
    let sizes: Vec<String> = seeds
        .iter()
        .map(|s| format!("{} {} B", s.name, s.bytes.len()))
        .collect();
    println!("seed files ({:.1?}): {}", t.elapsed(), sizes.join(", "));
    let limits = soak::soak_limits(Duration::from_secs_f64(args.timeout), args.fuel);
    println!(
        "limits per run: memory {} MiB, fuel {}, timeout {:?}",
        limits.max_memory >> 20,
        args.fuel,
        limits.timeout.unwrap_or_default()
    );

    if let Some(seed) = args.replay {
        let ok = soak::replay(&rt, &seeds, seed, &limits);
        std::process::exit(i32::from(!ok));
    }

    let case_seeds: Vec<u64> = (0..args.cases)
        .map(|i| soak::case_seed(args.seed, i))
        .collect();
    let start = Instant::now();
    let last = AtomicU64::new(0);
    let total = args.cases;
    let report = soak::run_cases(&rt, &seeds, &case_seeds, &limits, args.threads, |done| {
        // A progress line at most every 10 s.
        let secs = start.elapsed().as_secs();
        let prev = last.load(Ordering::Relaxed);
        if (secs >= prev + 10 || done == total)
            && last
                .compare_exchange(prev, secs, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            eprintln!(
                "[{secs:>5} s] {done}/{total} cases, {:.2} cases/s",
                done as f64 / start.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    });
    println!("base seed: {:#x}", args.seed);
    report.print();
    // A hang (a run stopped by its timeout or fuel budget) fails the soak
    // like a crash does.
    std::process::exit(i32::from(
        !report.failures.is_empty() || !report.hangs.is_empty(),
    ));
}
