//! Load helpers (issue 6, "Load"): the process's resident memory, and a mix
//! of small real FFmpeg jobs whose outcome is known from a single run.
//!
//! Shared by `tests/load.rs` (500 sequential jobs) and `tools/load.rs`
//! (`make load`: concurrent workers for minutes).
#![allow(dead_code)]

use afmpeg::{Error, Filesystem, RunOutput, Runtime, Tool};

use super::proc_status;

/// Resident set size of this process in bytes (`VmRSS` of
/// `/proc/self/status`; Linux only).
pub fn rss_bytes() -> u64 {
    proc_status::status_bytes("VmRSS").unwrap_or_else(|e| panic!("{e}"))
}

/// A tiny real job: 0.2 s of 32x32 testsrc encoded with x264 into an MP4 in
/// a fresh in-memory filesystem; returns the output's bytes.
pub fn tiny_encode(rt: &Runtime) -> Result<Vec<u8>, String> {
    generate(
        rt,
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=32x32:rate=10:duration=0.2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ],
        "/out.mp4",
    )
}

/// The kinds of job in the concurrent mix.
pub const MIX: &[&str] = &["encode", "probe", "decode", "bad-input"];

/// The input every job of the mix reads: a 0.5 s 64x48 H.264/AAC MP4.
pub fn mix_input(rt: &Runtime) -> Result<Vec<u8>, String> {
    generate(
        rt,
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10:duration=0.5",
            "-f",
            "lavfi",
            "-i",
            "sine=sample_rate=8000:duration=0.5",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
        ],
        "/in.mp4",
    )
}

/// Runs `ffmpeg -hide_banner -nostdin {args} {out}` in a fresh in-memory
/// filesystem (the inputs are lavfi sources) and returns the bytes it
/// wrote to `out`.
fn generate(rt: &Runtime, args: &[&str], out: &str) -> Result<Vec<u8>, String> {
    let fs = Filesystem::new();
    let mut argv = vec!["-hide_banner", "-nostdin"];
    argv.extend_from_slice(args);
    argv.push(out);
    let run = rt.run(&fs, &argv).map_err(|e| e.to_string())?;
    if !run.success() {
        return Err(format!("exit {}: {}", run.exit_code, run.stderr_text()));
    }
    fs.read(out).map_err(|e| e.to_string())
}

/// Runs job `kind` of the mix over a fresh filesystem holding `input`.
pub fn run_mix_job(rt: &Runtime, kind: &str, input: &[u8]) -> afmpeg::Result<RunOutput> {
    let fs = Filesystem::new();
    fs.write("/in.mp4", input.to_vec())?;
    // Half of the input: a truncated file FFmpeg must refuse or cut short.
    fs.write("/bad.mp4", input[..input.len() / 2].to_vec())?;
    let args: Vec<&str> = match kind {
        "encode" => vec![
            "-hide_banner",
            "-nostdin",
            "-i",
            "/in.mp4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "/out.mp4",
        ],
        "probe" => vec![
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "/in.mp4",
        ],
        "decode" => vec![
            "-hide_banner",
            "-nostdin",
            "-i",
            "/in.mp4",
            "-f",
            "null",
            "-",
        ],
        "bad-input" => vec![
            "-hide_banner",
            "-nostdin",
            "-i",
            "/bad.mp4",
            "-f",
            "null",
            "-",
        ],
        other => panic!("unknown job kind {other}"),
    };
    let tool = if kind == "probe" {
        Tool::Ffprobe
    } else {
        Tool::Ffmpeg
    };
    rt.run_tool(tool, &fs, &args, &afmpeg::RunOptions::default())
}

/// What a run's outcome is compared by: the exit code (and stdout size for
/// a probe), or the error's kind.
pub fn signature(kind: &str, r: &afmpeg::Result<RunOutput>) -> String {
    match r {
        Ok(o) if kind == "probe" => format!("exit {} ({} B JSON)", o.exit_code, o.stdout.len()),
        Ok(o) => format!("exit {}", o.exit_code),
        Err(Error::Limit { limit, .. }) => format!("limit {limit}"),
        Err(e) => format!("error {e}"),
    }
}
