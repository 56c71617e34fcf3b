//! Host inputs that change under a job (issue #15): an input imported from
//! the host and truncated while FFmpeg reads it ends the job cleanly (end
//! of file), alone and inside a batch whose other jobs complete. With the
//! memory-mapped imports these replace, the truncation killed the whole
//! process with SIGBUS.
//!
//! The truncation is deterministic: it happens inside the job's first
//! progress report (the guest's write to the progress device calls the
//! callback on the guest's own thread), not after a sleep. The guest
//! module must exist (`make guest`): without it these tests fail.

mod support;

use afmpeg::job::Job;
use afmpeg::wasi_shim::fs::ImportMode;
use afmpeg::{Filesystem, Progress, RunOptions, RunOutput};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use support::guest::*;

const W: usize = 64;
const H: usize = 48;
const FRAMES: usize = 60;

/// `FRAMES` rgb24 frames of `W`x`H`, frame `f` all bytes `4f`, at `dir/name`.
fn write_raw_input(dir: &Path, name: &str) -> PathBuf {
    let mut raw = Vec::with_capacity(W * H * 3 * FRAMES);
    for f in 0..FRAMES {
        raw.extend(std::iter::repeat_n((f * 4) as u8, W * H * 3));
    }
    let p = dir.join(name);
    std::fs::write(&p, raw).unwrap();
    p
}

/// A filesystem with the host file `host` imported on demand at `/in.rgb`.
fn fs_with_input(host: &Path) -> Filesystem {
    let fs = Filesystem::new();
    fs.import_host(host, "/in.rgb", ImportMode::OnDemand)
        .unwrap();
    fs
}

fn raw_to_raw() -> Vec<String> {
    argv(&words(
        "-hide_banner -f rawvideo -pix_fmt rgb24 -video_size 64x48 -framerate 10 -i /in.rgb -c:v rawvideo -f rawvideo /out.rgb",
    ))
}

/// Options whose first progress report truncates `host` to 0 bytes.
fn truncate_on_first_report(host: &Path) -> RunOptions {
    let host = host.to_owned();
    let once = Arc::new(Once::new());
    RunOptions::new().progress(move |_: &Progress| {
        once.call_once(|| {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&host)
                .unwrap()
                .set_len(0)
                .unwrap();
        });
    })
}

/// Frames in the job's output, which must be the input's first frames,
/// byte for byte.
fn frames(fs: &Filesystem) -> usize {
    let out = fs.read("/out.rgb").unwrap();
    let frame = W * H * 3;
    assert_eq!(out.len() % frame, 0, "a partial frame");
    for (f, bytes) in out.chunks(frame).enumerate() {
        assert!(bytes.iter().all(|&b| b == (f * 4) as u8), "frame {f}");
    }
    out.len() / frame
}

fn assert_ended_early(out: &RunOutput, fs: &Filesystem, host: &Path) {
    assert!(
        out.success(),
        "exit {}:\n{}",
        out.exit_code,
        out.stderr_text()
    );
    let n = frames(fs);
    assert!(
        (1..FRAMES).contains(&n),
        "{n} frames after the input was truncated mid-job (of {FRAMES})"
    );
    assert_eq!(std::fs::metadata(host).unwrap().len(), 0, "truncated");
}

#[test]
fn an_input_truncated_mid_job_reads_as_end_of_file() {
    let (_g, rt, _) = shared_job();
    let dir = tempfile::tempdir().unwrap();
    // The same job on an input nobody touches: every frame.
    let whole = write_raw_input(dir.path(), "whole.rgb");
    let fs = fs_with_input(&whole);
    let out = rt.run(&fs, &raw_to_raw()).unwrap();
    assert!(out.success(), "{}", out.stderr_text());
    assert_eq!(frames(&fs), FRAMES);

    let host = write_raw_input(dir.path(), "in.rgb");
    let fs = fs_with_input(&host);
    let out = rt
        .run_with(&fs, &raw_to_raw(), &truncate_on_first_report(&host))
        .unwrap();
    assert_ended_early(&out, &fs, &host);
}

#[test]
fn a_batch_with_a_truncated_input_completes_the_other_jobs() {
    let (_g, rt, _) = shared_job();
    let dir = tempfile::tempdir().unwrap();
    let cut = write_raw_input(dir.path(), "cut.rgb");
    let cut_fs = fs_with_input(&cut);
    let mut jobs =
        vec![Job::ffmpeg(&cut_fs, raw_to_raw()).with_options(truncate_on_first_report(&cut))];
    let mut others = Vec::new();
    for i in 0..3 {
        let fs = fs_with_input(&write_raw_input(dir.path(), &format!("in{i}.rgb")));
        jobs.push(Job::ffmpeg(&fs, raw_to_raw()));
        others.push(fs);
    }
    let results = rt.run_batch(jobs, 2);
    let mut results = results.into_iter();
    let first = results.next().unwrap().unwrap();
    assert_ended_early(&first, &cut_fs, &cut);
    for (result, fs) in results.zip(&others) {
        let out = result.unwrap();
        assert!(out.success(), "{}", out.stderr_text());
        assert_eq!(frames(fs), FRAMES);
    }
}
