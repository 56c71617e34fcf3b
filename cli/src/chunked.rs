//! `afmpeg ffmpeg --chunks N …`: one transcode split at keyframes and
//! encoded on several cores ([`afmpeg::tasks::ChunkedTranscode`]).
//!
//! Only the simple form is accepted: one input file (`-i`, no input
//! options), one output file (the last argument), and output options in
//! between. Audio options (`-c:a`, `-b:a`, `-ar`, `-ac`, `-af`, …) go to
//! the audio job, `-an` drops the audio, everything else is applied to each
//! video piece — and refused by the task when it cannot be applied piece by
//! piece (`-r`, `-t`, `-vf fps=…`, …). Host files are mapped exactly as
//! without `--chunks` (see [`super::ffmpeg`]).
//!
//! Signals: a first SIGINT or SIGTERM stops the running pieces gracefully
//! and keeps the queued ones from starting; the pieces finished in order and
//! the first one cut short are joined (the audio no longer than them), so the
//! output is a playable prefix of the input, exported as after a normal run,
//! exit 255. A second signal cancels: nothing is written, exit 128 + N.

use super::engine::EngineArg;
use super::flags::FFMPEG_FLAGS;
use super::guest_thread::cli_limits;
use super::invocation::Invocation;
use super::report::{report_error, report_refusal, EXIT_SETUP};
use super::signals::{ExportSignals, SignalHandling};
use afmpeg::tasks::{ChunkedTranscode, Task};
use afmpeg::{ChunkError, Error, RunOptions, StopToken, Tool};
use std::path::Path;

/// Where the pieces are written in the guest tree: outside the host
/// mirror, so they are never exported.
const WORK_DIR: &str = "/afmpeg-chunks";

/// Global options accepted (and left to the task) before `-i`: flags, and
/// options with a value.
const GLOBAL_FLAGS: &[&str] = &[
    "y",
    "n",
    "hide_banner",
    "nohide_banner",
    "nostdin",
    "stdin",
    "stats",
    "nostats",
];
const GLOBAL_OPTIONS: &[&str] = &["loglevel", "v"];

/// Output options that belong to the audio job.
const AUDIO_OPTIONS: &[&str] = &[
    "c:a",
    "codec:a",
    "acodec",
    "b:a",
    "ab",
    "ar",
    "ac",
    "af",
    "filter:a",
    "q:a",
    "aq",
    "profile:a",
    "sample_fmt",
    "channel_layout",
    "ch_layout",
];

/// The simple form of a command line, with guest paths.
#[derive(Debug, PartialEq, Eq)]
pub struct SimpleForm {
    /// The input file.
    pub input: String,
    /// The output file.
    pub output: String,
    /// Options for the video pieces.
    pub video: Vec<String>,
    /// Options for the audio job.
    pub audio: Vec<String>,
    /// `-an` was given.
    pub no_audio: bool,
}

/// Reads the simple form out of (mapped) ffmpeg arguments.
pub fn simple_form(args: &[String]) -> Result<SimpleForm, String> {
    let name = |a: &str| {
        a.strip_prefix('-')
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    };
    let mut i = 0;
    // Global options, then exactly one `-i`.
    let input = loop {
        let Some(a) = args.get(i) else {
            return Err("--chunks needs an input (-i FILE)".into());
        };
        i += 1;
        match name(a).as_deref() {
            Some("i") => match args.get(i) {
                Some(v) => {
                    i += 1;
                    break v.clone();
                }
                None => return Err("-i needs a file".into()),
            },
            Some(n) if GLOBAL_FLAGS.contains(&n) => {}
            Some(n) if GLOBAL_OPTIONS.contains(&n) => i += 1,
            Some(n) => {
                return Err(format!(
                    "--chunks does not support -{n} before -i (only -y, -n, -hide_banner, \
                     -nostdin, -nostats, -loglevel): the input must be a plain file"
                ))
            }
            None => return Err(format!("--chunks: unexpected {a:?} before -i")),
        }
    };
    let Some((output, rest)) = args[i..].split_last() else {
        return Err("--chunks needs an output file after the input".into());
    };
    if output.starts_with('-') || output.starts_with("pipe:") {
        return Err(format!(
            "--chunks needs an output file as the last argument, not {output:?}"
        ));
    }
    let mut form = SimpleForm {
        input,
        output: output.clone(),
        video: Vec::new(),
        audio: Vec::new(),
        no_audio: false,
    };
    let mut j = 0;
    while j < rest.len() {
        let a = &rest[j];
        j += 1;
        let Some(n) = name(a) else {
            return Err(format!(
                "--chunks supports one output file; {a:?} looks like another output"
            ));
        };
        let base = n.split(':').next().unwrap_or(&n);
        if n == "i" {
            return Err("--chunks supports exactly one input".into());
        }
        if n == "an" {
            form.no_audio = true;
            continue;
        }
        if matches!(n.as_str(), "sn" | "dn") {
            // The output has one video and one audio stream anyway.
            continue;
        }
        let value = if FFMPEG_FLAGS.contains(&base) {
            None
        } else {
            match rest.get(j) {
                Some(v) => {
                    j += 1;
                    Some(v.clone())
                }
                None => return Err(format!("-{n} needs a value")),
            }
        };
        let target = if AUDIO_OPTIONS.contains(&n.as_str()) {
            &mut form.audio
        } else {
            &mut form.video
        };
        target.push(a.clone());
        target.extend(value);
    }
    Ok(form)
}

/// Runs `afmpeg ffmpeg --chunks N ARGS`; returns the process exit code.
pub fn main(chunks: usize, args: &[String], cwd: &Path, engine: EngineArg) -> i32 {
    let inv = match Invocation::prepare(Tool::Ffmpeg, args, cwd)
        .and_then(|inv| inv.check_outputs().map(|()| inv))
    {
        Ok(inv) => inv,
        Err(r) => return report_refusal(r),
    };
    let form = match simple_form(&inv.args) {
        Ok(f) => f,
        Err(m) => {
            eprintln!("afmpeg: {m}");
            return EXIT_SETUP;
        }
    };
    let runtime = match engine.default_runtime() {
        Ok(rt) => rt,
        Err(e) => return report_error(&e),
    };
    let mut task = ChunkedTranscode::new(&form.input, &form.output)
        .chunks(chunks)
        .video_args(form.video)
        .audio_args(form.audio)
        .work_dir(WORK_DIR);
    if form.no_audio {
        task = task.no_audio();
    }
    // `-vv` logs each piece's progress: what a log of an unattended run (or
    // a test) follows.
    if tracing::enabled!(tracing::Level::DEBUG) {
        task = task.piece_progress(|piece, p| {
            tracing::debug!(piece, frame = p.frame.unwrap_or(0), "progress");
        });
    }
    let signals = match SignalHandling::install(Tool::Ffmpeg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("afmpeg: cannot handle signals: {e}");
            return EXIT_SETUP;
        }
    };
    let options = RunOptions::new()
        .limits(cli_limits())
        .stop(signals.stop.clone())
        .cancel(signals.cancel.clone());
    let started = std::time::Instant::now();
    let code = match task.run_with(&runtime, &inv.fs, &options) {
        Ok(out) if out.stopped => {
            eprintln!(
                "afmpeg: stopped by signal {}: the output holds the input's first {} piece(s), up to where the stop came",
                signals.stop.signal().unwrap_or(0),
                out.chunks.len(),
            );
            StopToken::EXIT_CODE
        }
        Ok(out) => {
            let sizes: Vec<u64> = out.chunks.iter().map(|c| c.frames).collect();
            eprintln!(
                "afmpeg: {} frames encoded in {} pieces of {sizes:?} frames{} in {:.1?}",
                out.frames,
                out.chunks.len(),
                if out.audio { " plus audio" } else { "" },
                started.elapsed()
            );
            0
        }
        Err(Error::Cancelled { .. }) if signals.hard_signal().is_some() => {
            let n = signals.hard_signal().unwrap_or(0);
            eprintln!("afmpeg: cancelled by signal {n}; nothing was written");
            return 128 + n;
        }
        Err(e @ Error::Chunked(ChunkError::StoppedBeforeOutput)) => {
            eprintln!("afmpeg: {e}");
            return StopToken::EXIT_CODE;
        }
        Err(Error::Ffmpeg {
            exit_code,
            stderr_tail,
            ..
        }) => {
            eprintln!(
                "{}",
                String::from_utf8_lossy(&inv.humanize(stderr_tail.as_bytes()))
            );
            return exit_code;
        }
        Err(e) => return report_error(&e),
    };
    // From here a signal no longer stops the encode: it ends the write-back.
    drop(signals);
    let _export_signals = ExportSignals::install();
    match inv.export() {
        Ok(_) => code,
        Err(r) => {
            report_refusal(r);
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn splits_video_and_audio_options() {
        let f = simple_form(&argv(&[
            "-y",
            "-hide_banner",
            "-i",
            "/host/in.mp4",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
            "-bitexact",
            "/host/out.mp4",
        ]))
        .unwrap();
        assert_eq!(f.input, "/host/in.mp4");
        assert_eq!(f.output, "/host/out.mp4");
        assert_eq!(
            f.video,
            argv(&["-c:v", "libx264", "-preset", "veryfast", "-bitexact"])
        );
        assert_eq!(f.audio, argv(&["-c:a", "aac", "-b:a", "96k"]));
        assert!(!f.no_audio);
        let f = simple_form(&argv(&["-i", "/a", "-an", "/b.mkv"])).unwrap();
        assert!(f.no_audio && f.video.is_empty());
    }

    #[test]
    fn refuses_what_is_not_the_simple_form() {
        for args in [
            &["-f", "lavfi", "-i", "testsrc", "/o.mp4"][..],
            &["-ss", "3", "-i", "/a", "/o.mp4"],
            &["-i", "/a", "-i", "/b", "/o.mp4"],
            &["-i", "/a", "/o1.mp4", "/o2.mp4"],
            &["-i", "/a", "-c:v", "libx264", "pipe:1"],
            &["-i", "/a"],
            &["/o.mp4"],
            &["-i", "/a", "-crf"],
        ] {
            assert!(simple_form(&argv(args)).is_err(), "{args:?}");
        }
    }
}
