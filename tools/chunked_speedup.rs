//! `make bench-chunked`: the speed-up of a chunked transcode over a single
//! job, measured in one run.
//!
//! Workload 2 of the performance issue, extended: a 1280x720 testsrc2 clip
//! (default 20 s, 25 fps, made in the guest with x264 `ultrafast`, a keyframe
//! every 2 s; not timed) transcoded to x264 `veryfast` MP4, once as one job
//! and once with [`ChunkedTranscode`] in as many pieces as there are cores
//! (or `CHUNKS`). Prints both wall times and their ratio, and checks that
//! both outputs have every frame.
//!
//! ```text
//! cargo run --release --example chunked_speedup -- [SECONDS] [CHUNKS] [RUNS]
//! ```
//!
//! With `RUNS` > 1 each mode runs that many times, alternating, and the
//! medians are compared. Run it on an otherwise idle machine: another
//! process taking a core shows up directly in the chunked time.

use afmpeg::tasks::{ChunkedTranscode, Task, Transcode};
use afmpeg::{Filesystem, Limits, RunOptions, Runtime};
use std::time::{Duration, Instant};

fn main() {
    if let Err(e) = bench() {
        eprintln!("chunked_speedup failed: {e}");
        std::process::exit(1);
    }
}

fn arg(n: usize, default: usize) -> Result<usize, String> {
    match std::env::args().nth(n) {
        Some(s) => s.parse().map_err(|_| format!("not a number: {s:?}")),
        None => Ok(default),
    }
}

/// CPU time (user + system) of this process so far. With the wall time it
/// tells how many cores a mode actually got: on a machine shared with other
/// work, fewer than it asked for.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench() -> Result<(), Box<dyn std::error::Error>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let seconds = arg(1, 20)?;
    let chunks = arg(2, cores)?;
    let runs = arg(3, 1)?.max(1);
    let rt = Runtime::from_default_location()?;
    let fs = Filesystem::new();
    // No timeout: on a loaded machine a 20 s encode takes longer than the
    // default job timeout.
    let opts = RunOptions::new().limits(Limits::unlimited());

    let t = Instant::now();
    let source = format!("testsrc2=duration={seconds}:size=1280x720:rate=25");
    let gen = rt.run_with(
        &fs,
        &[
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            &source,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "50",
            "-pix_fmt",
            "yuv420p",
            "/src.mp4",
        ],
        &opts,
    )?;
    if !gen.success() {
        return Err(gen.stderr_text().into());
    }
    println!(
        "source: {seconds} s 1280x720 testsrc2, x264 ultrafast, keyframe every 2 s (made in {:.1?}, not timed)",
        t.elapsed()
    );
    println!("machine: {cores} cores; chunks: {chunks}; runs per mode: {runs}");

    let mut single = Vec::new();
    let mut chunked = Vec::new();
    let (mut single_cpu, mut chunked_cpu) = (Vec::new(), Vec::new());
    let mut pieces = 0;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_time());
        Transcode::new("/src.mp4", "/single.mp4")
            .preset("veryfast")
            .no_audio()
            .run_with(&rt, &fs, &opts)?;
        single.push(t.elapsed());
        single_cpu.push(cpu_time() - c);

        let (t, c) = (Instant::now(), cpu_time());
        let out = ChunkedTranscode::new("/src.mp4", "/chunked.mp4")
            .chunks(chunks)
            .video_args(["-preset", "veryfast"])
            .run_with(&rt, &fs, &opts)?;
        chunked.push(t.elapsed());
        chunked_cpu.push(cpu_time() - c);
        pieces = out.chunks.len();
        let frames: Vec<u64> = out.chunks.iter().map(|c| c.frames).collect();
        println!(
            "  run: single {:.2?}, chunked {:.2?} (pieces of {frames:?} frames)",
            single.last().unwrap(),
            chunked.last().unwrap()
        );
    }

    let expected = seconds as u64 * 25;
    for path in ["/single.mp4", "/chunked.mp4"] {
        let info = rt.probe(&fs, path)?;
        let frames = info
            .video_streams()
            .next()
            .and_then(|v| v.nb_frames)
            .ok_or_else(|| format!("{path}: no frame count"))?;
        if frames != expected {
            return Err(format!("{path}: {frames} frames, expected {expected}").into());
        }
    }

    let (s, c) = (median(single), median(chunked));
    let (sc, cc) = (median(single_cpu), median(chunked_cpu));
    println!();
    println!(
        "| mode | pieces | wall time (median) | CPU time | cores used (CPU/wall) | speed-up |"
    );
    println!(
        "|------|--------|--------------------|----------|-----------------------|----------|"
    );
    println!(
        "| single job | 1 | {:.2} s | {:.2} s | {:.2} | 1.00x |",
        s.as_secs_f64(),
        sc.as_secs_f64(),
        sc.as_secs_f64() / s.as_secs_f64()
    );
    println!(
        "| chunked | {pieces} | {:.2} s | {:.2} s | {:.2} | {:.2}x |",
        c.as_secs_f64(),
        cc.as_secs_f64(),
        cc.as_secs_f64() / c.as_secs_f64(),
        s.as_secs_f64() / c.as_secs_f64()
    );
    Ok(())
}
