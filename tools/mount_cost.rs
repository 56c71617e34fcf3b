//! What `afmpeg run --dir` of a 10,000-file tree adds to a run
//! (`make bench-mount`, issue #15): the mount is an overlay over the live
//! host directory, so nothing is imported and the cost must not grow with
//! the tree (targets: under 20 ms and under 5 MB added).
//!
//! One guest (a WAT module that exits 0) is run, alternately and `RUNS`
//! times each (default 20), as `afmpeg run GUEST`, `afmpeg run --dir
//! TREE::/t GUEST` and `afmpeg run --dir TREE::/t --write-back GUEST`. For
//! each run the wall time (spawn to exit), the CPU time and the peak RSS
//! (`wait4`'s `ru_maxrss`) of the `afmpeg` process are taken; the medians
//! are printed with what `--dir` adds and the ratio to the run without it,
//! measured in the same run, with the load average. The `afmpeg` binary is
//! `AFMPEG_BIN`, or the one beside this example's directory.

#[path = "../tests/support/mod.rs"]
mod support;
use support::cli_bin::afmpeg_bin;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 10_000;
const TARGET_ADDED_MS: f64 = 20.0;
const TARGET_ADDED_MB: f64 = 5.0;

/// Exits 0 at once: the run's cost is the runner's and the mount's.
const GUEST: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 0))))"#;

/// One run: wall time, CPU time (user + system), peak RSS in bytes.
struct Sample {
    wall: Duration,
    cpu: Duration,
    rss: u64,
}

fn run(bin: &Path, args: &[&str]) -> Result<Sample, String> {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child's pid, with valid out-pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if pid < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("afmpeg {args:?}: wait status {status}"));
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Sample {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        rss: usage.ru_maxrss as u64 * 1024,
    })
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

struct Summary {
    wall: Duration,
    cpu: Duration,
    rss: u64,
}

fn summary(samples: &[Sample]) -> Summary {
    Summary {
        wall: median(samples.iter().map(|s| s.wall).collect()),
        cpu: median(samples.iter().map(|s| s.cpu).collect()),
        rss: median(samples.iter().map(|s| s.rss).collect()),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> Result<(), String> {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .map(|v| v.parse().map_err(|e| format!("RUNS={v}: {e}")))
        .transpose()?
        .unwrap_or(20);
    let bin = afmpeg_bin()?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let tree = tmp.path().join("tree");
    for d in 0..FILES / 100 {
        let dir = tree.join(format!("d{d:02}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for f in 0..100 {
            std::fs::write(dir.join(format!("f{f:02}.txt")), vec![b'x'; 4096])
                .map_err(|e| e.to_string())?;
        }
    }
    let guest = tmp.path().join("exit0.wasm");
    std::fs::write(&guest, wat::parse_str(GUEST).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let guest = guest.to_str().ok_or("temp path is not UTF-8")?;
    let spec = format!("{}::/t", tree.display());
    let variants: [(&str, Vec<&str>); 3] = [
        ("afmpeg run GUEST", vec!["run", guest]),
        (
            "afmpeg run --dir TREE::/t GUEST",
            vec!["run", "--dir", &spec, guest],
        ),
        (
            "afmpeg run --dir TREE::/t --write-back GUEST",
            vec!["run", "--dir", &spec, "--write-back", guest],
        ),
    ];
    let mut samples: Vec<Vec<Sample>> = variants.iter().map(|_| Vec::new()).collect();
    // One warm-up of each (page cache, dentry cache), then alternate.
    for (_, args) in &variants {
        run(&bin, args)?;
    }
    for _ in 0..runs {
        for (i, (_, args)) in variants.iter().enumerate() {
            samples[i].push(run(&bin, args)?);
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "afmpeg run over a {FILES}-file tree ({} MB of files), median of {runs} runs each; load average {}",
        FILES * 4096 / 1_000_000,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let base = summary(&samples[0]);
    println!(
        "{:<46} {:>9} {:>9} {:>9}",
        "", "wall ms", "cpu ms", "peak RSS MB"
    );
    let mut ok = true;
    for (i, (name, _)) in variants.iter().enumerate() {
        let s = summary(&samples[i]);
        println!(
            "{name:<46} {:>9.1} {:>9.1} {:>9.1}",
            ms(s.wall),
            ms(s.cpu),
            s.rss as f64 / 1e6
        );
        if i > 0 {
            let added_ms = ms(s.wall) - ms(base.wall);
            let added_mb = (s.rss as f64 - base.rss as f64) / 1e6;
            println!(
                "  added: {added_ms:+.1} ms wall ({:.2}x), {:+.1} ms cpu ({:.2}x), {added_mb:+.2} MB RSS ({:.2}x)",
                s.wall.as_secs_f64() / base.wall.as_secs_f64(),
                ms(s.cpu) - ms(base.cpu),
                s.cpu.as_secs_f64() / base.cpu.as_secs_f64().max(1e-9),
                s.rss as f64 / base.rss as f64
            );
            ok &= added_ms < TARGET_ADDED_MS && added_mb < TARGET_ADDED_MB;
        }
    }
    println!(
        "targets: under {TARGET_ADDED_MS} ms and {TARGET_ADDED_MB} MB added: {}",
        if ok { "met" } else { "MISSED" }
    );
    Ok(())
}
