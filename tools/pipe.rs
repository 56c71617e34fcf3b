//! Memory of a long pipe through the CLI (`make bench-pipe`, issue #14).
//!
//! `cat big.ts | afmpeg ffmpeg -i - -c copy -f mpegts - | cat > /dev/null`,
//! with the peak RSS of the `afmpeg` process sampled from `/proc/PID/status`
//! while it runs (VmHWM, the kernel's own peak). Streams are bounded, so the
//! peak must not grow with the input: target under 150 MB for 1 GB.
//!
//! The input is made by the CLI itself: a short lossless H.264 clip, then
//! `-stream_loop` copies of it (timestamps kept increasing) streamed to a
//! file until it reaches `PIPE_GB` gigabytes (default 1). The `afmpeg`
//! binary is `AFMPEG_BIN`, or the one beside this example's directory.

#[path = "../tests/support/mod.rs"]
mod support;
use support::cli_bin::afmpeg_bin;
use support::proc_status::pid_status_bytes;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MB: u64 = 1_000_000;
const TARGET_PEAK: u64 = 150 * MB;
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// Runs `afmpeg ARGS` with stdout to `out` (a file), failing on a non-zero exit.
fn run_to_file(bin: &Path, args: &[&str], out: &Path) -> Result<(), String> {
    let file = std::fs::File::create(out).map_err(|e| e.to_string())?;
    let o = Command::new(bin)
        .args(args)
        .stdout(file)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!(
            "afmpeg {args:?}: {}\n{}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(())
}

fn main() -> Result<(), String> {
    let gb: f64 = std::env::var("PIPE_GB")
        .ok()
        .map(|v| v.parse().map_err(|e| format!("PIPE_GB={v}: {e}")))
        .transpose()?
        .unwrap_or(1.0);
    let bin = afmpeg_bin()?;
    let dir = std::env::temp_dir().join(format!("afmpeg-bench-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (base, big) = (dir.join("base.ts"), dir.join("big.ts"));

    run_to_file(
        &bin,
        &[
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25:duration=4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-qp",
            "0",
            "-f",
            "mpegts",
            "-",
        ],
        &base,
    )?;
    let base_len = std::fs::metadata(&base).map_err(|e| e.to_string())?.len();
    let loops = ((gb * 1e9) / base_len as f64).ceil().max(1.0) as u64 - 1;
    let loops = loops.to_string();
    let base_arg = base.to_string_lossy().into_owned();
    run_to_file(
        &bin,
        &[
            "ffmpeg",
            "-loglevel",
            "error",
            "-stream_loop",
            &loops,
            "-i",
            &base_arg,
            "-c",
            "copy",
            "-f",
            "mpegts",
            "-",
        ],
        &big,
    )?;
    let input_len = std::fs::metadata(&big).map_err(|e| e.to_string())?.len();

    let start = Instant::now();
    let mut child = Command::new(&bin)
        .args([
            "ffmpeg",
            "-loglevel",
            "error",
            "-i",
            "-",
            "-c",
            "copy",
            "-f",
            "mpegts",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id();
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let big_for_cat = big.clone();
    let cat_in = std::thread::spawn(move || -> std::io::Result<()> {
        let mut f = std::fs::File::open(big_for_cat)?;
        std::io::copy(&mut f, &mut stdin)?;
        stdin.flush()
    });
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let cat_out = std::thread::spawn(move || -> std::io::Result<u64> {
        let mut n = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match stdout.read(&mut buf)? {
                0 => return Ok(n),
                k => n += k as u64,
            }
        }
    });
    let (mut peak, mut samples) = (0u64, 0u64);
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if let Ok(hwm) = pid_status_bytes(pid, "VmHWM") {
            peak = peak.max(hwm);
            samples += 1;
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    cat_in
        .join()
        .map_err(|_| "stdin writer panicked")?
        .map_err(|e| e.to_string())?;
    let out_len = cat_out
        .join()
        .map_err(|_| "stdout reader panicked")?
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() {
        return Err(format!("the pipe job failed: {status}"));
    }
    println!(
        "pipe: {:.2} GB in, {:.2} GB out in {:.1} s ({:.0} MB/s); peak RSS {:.0} MB \
         ({samples} samples); target < {} MB: {}",
        input_len as f64 / 1e9,
        out_len as f64 / 1e9,
        elapsed.as_secs_f64(),
        input_len as f64 / MB as f64 / elapsed.as_secs_f64(),
        peak as f64 / MB as f64,
        TARGET_PEAK / MB,
        if peak < TARGET_PEAK { "PASS" } else { "FAIL" }
    );
    if peak >= TARGET_PEAK {
        std::process::exit(1);
    }
    Ok(())
}
