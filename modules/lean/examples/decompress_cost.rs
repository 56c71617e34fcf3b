//! What `afmpeg_module_lean::wasm()` costs: wall time and the growth of the
//! process's peak resident memory (`VmHWM`, Linux), for the README's
//! figures. `make bench-builtin-module` runs it in the release profile;
//! `cargo run -p afmpeg-module-lean --example decompress_cost` in a dev
//! profile shows an unoptimised decoder's figure.

use std::time::Instant;

/// Peak resident set size in KiB, from /proc/self/status.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), afmpeg_module_lean::Error> {
    let before = peak_rss_kib();
    let start = Instant::now();
    let wasm = afmpeg_module_lean::wasm()?;
    let elapsed = start.elapsed();
    let after = peak_rss_kib();
    println!(
        "decompressed and verified {} -> {} bytes in {:.1} ms",
        afmpeg_module_lean::COMPRESSED.len(),
        wasm.len(),
        elapsed.as_secs_f64() * 1e3
    );
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "peak RSS: {:.1} MiB before, {:.1} MiB after (+{:.1} MiB)",
            b as f64 / 1024.0,
            a as f64 / 1024.0,
            (a - b) as f64 / 1024.0
        ),
        _ => println!("peak RSS: not available (no /proc/self/status)"),
    }
    Ok(())
}
