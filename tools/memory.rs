//! Memory of jobs against the targets (`make bench-memory`).
//!
//! Each measurement runs in a child process of its own (this program run
//! with `--child NAME`), so its peak RSS (`VmHWM` of `/proc/self/status`)
//! is the peak of that scenario alone:
//!
//! - `one`: one typical job (workload 1: 320x240, 2 s testsrc + sine →
//!   x264 ultrafast + AAC mp4). Target: peak RSS of the process ≤ the size
//!   the guest's linear memory reached + 20 MB.
//! - `eight`: a 100 MB file in one shared [`Filesystem`], read in full by
//!   eight concurrent jobs (rawvideo stream copy to the null muxer; each
//!   must count every frame).
//!   Target: the RSS growth holds the input once — growth ≤ input + the
//!   eight jobs' own allowance (guest memory + 20 MB each), where eight
//!   copies of the input would add 700 MB more.

#[path = "../tests/support/mod.rs"]
mod support;
use support::proc_status;

use afmpeg::{Filesystem, ModuleSource, Runtime, Validation};
use std::process::Command;
use std::sync::Arc;

const MB: u64 = 1_000_000;
/// What the targets allow on top of a job's guest memory.
const SLACK: u64 = 20 * MB;
const INPUT: usize = 100 * 1_000_000;
const JOBS: usize = 8;
/// One 320x240 gray frame.
const FRAME: usize = 320 * 240;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--child" {
        return child(&args[2]);
    }
    let exe = std::env::current_exe()?;
    let mut failed = false;
    for scenario in ["one", "eight"] {
        let out = Command::new(&exe).args(["--child", scenario]).output()?;
        if !out.status.success() {
            return Err(format!(
                "scenario {scenario} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let text = String::from_utf8(out.stdout)?;
        print!("{text}");
        failed |= text.contains("FAIL");
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}

fn runtime() -> Result<Runtime, afmpeg::Error> {
    Runtime::builder(ModuleSource::default_location()?)
        .validation(Validation::Lazy)
        .build()
}

fn child(scenario: &str) -> Result<(), Box<dyn std::error::Error>> {
    let start = status_field("VmRSS");
    let rt = runtime()?;
    let loaded = status_field("VmRSS");
    match scenario {
        "one" => {
            let fs = Filesystem::new();
            let out = rt.run(
                &fs,
                &[
                    "-hide_banner",
                    "-f",
                    "lavfi",
                    "-i",
                    "testsrc=duration=2:size=320x240:rate=25",
                    "-f",
                    "lavfi",
                    "-i",
                    "sine=duration=2",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "ultrafast",
                    "-c:a",
                    "aac",
                    "/out.mp4",
                ],
            )?;
            if !out.success() {
                return Err(out.stderr_text().into());
            }
            let peak = status_field("VmHWM");
            let guest = out.guest_memory;
            println!("one job (workload 1):");
            println!(
                "  process RSS at start                 {:>8.1} MB",
                mb(start)
            );
            println!(
                "  after Runtime::new (Lazy)            {:>8.1} MB",
                mb(loaded)
            );
            println!(
                "  guest linear memory at the end       {:>8.1} MB",
                mb(guest)
            );
            println!(
                "  peak RSS of the process              {:>8.1} MB",
                mb(peak)
            );
            println!(
                "  peak RSS - guest memory              {:>8.1} MB (of which {:.1} MB before the job)",
                mb(peak.saturating_sub(guest)),
                mb(loaded)
            );
            verdict("peak RSS ≤ guest memory + 20 MB", peak, guest + SLACK);
        }
        "eight" => {
            let fs = Filesystem::new();
            // Pseudo-random bytes, all written: every page is resident.
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            let data: Arc<[u8]> = (0..INPUT)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            fs.write_shared("/in.raw", Arc::new(data))?;
            let with_input = status_field("VmRSS");
            let guests: Vec<u64> = std::thread::scope(|s| {
                let jobs: Vec<_> = (0..JOBS)
                    .map(|i| {
                        let (rt, fs) = (rt.clone(), fs.clone());
                        s.spawn(move || {
                            let out = rt
                                .run(
                                    &fs,
                                    &[
                                        "-hide_banner",
                                        "-f",
                                        "rawvideo",
                                        "-pix_fmt",
                                        "gray",
                                        "-s",
                                        "320x240",
                                        "-i",
                                        "/in.raw",
                                        "-c",
                                        "copy",
                                        "-f",
                                        "null",
                                        "-",
                                    ],
                                )
                                .expect("job runs");
                            assert!(out.success(), "{}", out.stderr_text());
                            // Every job read every frame of the input (a
                            // short last one is a packet too).
                            let frames = INPUT.div_ceil(FRAME);
                            let stats = out.stderr_text();
                            assert!(
                                stats.contains(&format!("frame= {frames}")),
                                "job {i}: expected {frames} frames: {stats}"
                            );
                            out.guest_memory
                        })
                    })
                    .collect();
                jobs.into_iter().map(|j| j.join().expect("job")).collect()
            });
            let peak = status_field("VmHWM");
            let growth = peak.saturating_sub(loaded);
            let guest_sum: u64 = guests.iter().sum();
            println!(
                "eight concurrent jobs on one {} MB input:",
                INPUT as u64 / MB
            );
            println!(
                "  after Runtime::new (Lazy)            {:>8.1} MB",
                mb(loaded)
            );
            println!(
                "  after creating the input             {:>8.1} MB",
                mb(with_input)
            );
            println!(
                "  jobs' guest memory, total            {:>8.1} MB ({} jobs, {} frames read by each)",
                mb(guest_sum),
                JOBS,
                INPUT.div_ceil(FRAME)
            );
            println!(
                "  peak RSS of the process              {:>8.1} MB",
                mb(peak)
            );
            println!(
                "  peak RSS growth over the runtime     {:>8.1} MB",
                mb(growth)
            );
            println!(
                "  growth - input - guest memory        {:>8.1} MB ({:.1} MB per job)",
                mb(growth.saturating_sub(INPUT as u64 + guest_sum)),
                mb(growth.saturating_sub(INPUT as u64 + guest_sum)) / JOBS as f64
            );
            verdict(
                "growth ≤ one input + 8 × (guest memory + 20 MB)",
                growth,
                INPUT as u64 + guest_sum + JOBS as u64 * SLACK,
            );
        }
        other => return Err(format!("unknown scenario {other}").into()),
    }
    Ok(())
}

fn verdict(what: &str, value: u64, bound: u64) {
    println!(
        "  {what}: {:.1} MB ≤ {:.1} MB: {}",
        mb(value),
        mb(bound),
        if value <= bound { "PASS" } else { "FAIL" }
    );
}

/// A `/proc/self/status` field, in bytes (0 where it cannot be read).
fn status_field(field: &str) -> u64 {
    proc_status::status_bytes(field).unwrap_or(0)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / MB as f64
}
