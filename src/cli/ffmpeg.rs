//! `afmpeg ffmpeg` and `afmpeg ffprobe`: drop-in replacements for the native
//! tools that work on host files.
//!
//! The argument list is scanned just enough to find the host files it names:
//!
//! - **inputs** (`-i X`, ffprobe's positional file, `-filter_script`,
//!   `-filter_complex_script`, `-attach`, pass-1 logs of `-pass 2`) are
//!   imported read-only and memory-mapped at a guest path that mirrors their
//!   absolute host path under [`HOST_ROOT`](super::host_path::HOST_ROOT) (`in.mp4` run from `/home/me`
//!   becomes `/host/home/me/in.mp4`); image-sequence and glob patterns import
//!   the matching files of their directory;
//! - **outputs** (the positional arguments of ffmpeg, ffprobe's `-o`, and the
//!   values of `-progress`, `-passlogfile`, `-vstats_file`, `-sdp_file`,
//!   `-hls_segment_filename`, `-segment_list`, `-dump_attachment`) are
//!   rewritten to the same mirror, so FFmpeg writes them in memory.
//!
//! File names inside filter graphs ([`super::filtergraph`]) and concat lists
//! ([`super::concat_list`]) are mapped too, or refused ([`Refusal::Unmapped`]).
//!
//! After FFmpeg exits 0, every file under [`HOST_ROOT`](super::host_path::HOST_ROOT) that is new or was
//! changed by the run is exported to the host path it mirrors, each one
//! atomically (a temporary sibling renamed into place). That covers
//! `%03d` image sequences, HLS segments and anything else a muxer writes
//! next to its output. Nothing is exported after a failure.
//!
//! Existing files are replaced only with `-y`. With `-n`, or neither (where
//! native ffmpeg would prompt — we never read the terminal), an existing
//! output ends the command with FFmpeg's message and exit code 1, without
//! touching it.
//!
//! `-` / `pipe:` / `pipe:1` / `/dev/stdout` as output go to our stdout as
//! they are written (nothing is kept); `/dev/stderr` to our stderr; `-` /
//! `pipe:` / `pipe:0` as input read our stdin as FFmpeg asks (a few chunks
//! ahead), so a pipe of any length costs bounded memory.
//!
//! Signals ([`super::signals`]): a first SIGINT or SIGTERM asks FFmpeg to
//! stop as native ffmpeg does (outputs finished and exported, "Exiting
//! normally, received signal N.", exit 255); a second one cancels the run at
//! once: nothing is exported, existing files are untouched, exit 128+N.

use super::chunked;
use super::guest_thread::cli_limits;
use super::invocation::Invocation;
use super::live::LiveText;
use super::progress_bar::{progress_bar, progress_callback};
use super::refusal::Refusal;
use super::report::{
    collapse_carriage_returns, last_lines, report_error, report_refusal, report_run_error,
    EXIT_SETUP, FAILURE_TAIL_LINES,
};
use super::signals::SignalHandling;
use afmpeg::job::StdinStream;
use afmpeg::{Error, RunOptions, RunOutput, Runtime, Tool};
use clap::Args;
use indicatif::ProgressDrawTarget;
use std::io::{IsTerminal, Write};

/// Arguments of `afmpeg ffmpeg` and `afmpeg ffprobe`: everything after the
/// subcommand, passed to the tool as written.
#[derive(Debug, Args)]
pub struct ToolArgs {
    /// ffmpeg only: split the video at keyframes into N pieces encoded in
    /// parallel, then join them (one input file, one output file, output
    /// options only; see `afmpeg ffmpeg --chunks N -i IN [OPTIONS] OUT`).
    #[arg(long, value_name = "N")]
    pub chunks: Option<usize>,
    /// The tool's arguments, exactly as for the native program.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub args: Vec<String>,
}

/// Runs `afmpeg ffmpeg` / `afmpeg ffprobe`; returns the process exit code.
pub fn main(tool: Tool, args: ToolArgs) -> i32 {
    if let Some(chunks) = args.chunks {
        if tool != Tool::Ffmpeg {
            eprintln!("afmpeg: --chunks applies to `afmpeg ffmpeg` only");
            return EXIT_SETUP;
        }
        return match std::env::current_dir() {
            Ok(cwd) => chunked::main(chunks, &args.args, &cwd),
            Err(e) => {
                eprintln!("afmpeg: cannot read the current directory: {e}");
                EXIT_SETUP
            }
        };
    }
    let runtime = match Runtime::from_default_location() {
        Ok(rt) => rt,
        Err(e) => return report_error(&e),
    };
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("afmpeg: cannot read the current directory: {e}");
            return EXIT_SETUP;
        }
    };
    let inv = match Invocation::prepare(tool, &args.args, &cwd)
        .and_then(|inv| inv.check_outputs().map(|()| inv))
    {
        Ok(inv) => inv,
        Err(r) => return report_refusal(r),
    };

    let mut options = RunOptions::new().limits(cli_limits());
    if inv.reads_stdin {
        options = options.stdin_stream(StdinStream::new(std::io::stdin()));
    }
    let signals = match SignalHandling::install(tool) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("afmpeg: cannot handle signals: {e}");
            return EXIT_SETUP;
        }
    };
    options = options
        .stop(signals.stop.clone())
        .cancel(signals.cancel.clone());
    let terminal = std::io::stderr().is_terminal();
    let bar = (tool == Tool::Ffmpeg && !inv.own_progress && terminal)
        .then(|| progress_bar(ProgressDrawTarget::stderr()));
    if let Some(pb) = &bar {
        options = options.progress(progress_callback(pb.clone()));
    }
    // Without a progress bar, FFmpeg's stderr goes out as it is written
    // (its status line included), like native ffmpeg's; stdout always does.
    let live_stderr = bar
        .is_none()
        .then(|| LiveText::new(inv.humanizer(), std::io::stderr()));
    if let Some(live) = &live_stderr {
        let sink = live.sink();
        options = options.stderr_sink(move |chunk| sink(chunk));
    }
    options = options.stdout_sink_only(|chunk| {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(chunk);
        let _ = out.flush();
    });

    let result = runtime
        .run_tool(tool, &inv.fs, &inv.args, &options)
        .or_else(Error::into_exit_output);
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    if let Some(live) = &live_stderr {
        live.finish();
    }
    let out = match result {
        Ok(out) => out,
        Err(Error::Cancelled { .. }) if signals.hard_signal().is_some() => {
            let n = signals.hard_signal().unwrap_or(0);
            eprintln!("afmpeg: cancelled by signal {n}; nothing was written");
            return 128 + n;
        }
        Err(e) => return report_run_error(&e, live_stderr.is_some()),
    };
    if bar.is_some() {
        show_tidied_stderr(&inv, &out);
    }
    // Native ffmpeg exits 255 after a graceful stop, its outputs complete.
    let stopped = signals.stop.is_stopped() && out.exit_code == FFMPEG_STOPPED;
    if !out.success() && !stopped {
        return out.exit_code;
    }
    match inv.export() {
        Ok(_) => out.exit_code,
        Err(Refusal::Ffmpeg(m)) => {
            eprintln!("{m}");
            1
        }
        Err(Refusal::Setup(m) | Refusal::Unmapped(m)) => {
            eprintln!("afmpeg: {m}");
            1
        }
    }
}

/// FFmpeg's exit code after a signal (`exit_program(received_nb_signals ? 255 : …)`).
const FFMPEG_STOPPED: i32 = 255;

/// Writes the tool's stderr to ours after a run that a progress bar stood
/// for: tidied (the status lines collapsed), and only its tail after a
/// failure.
fn show_tidied_stderr(inv: &Invocation, out: &RunOutput) {
    let stderr = inv.humanize(&out.stderr);
    let mut err = std::io::stderr().lock();
    let text = collapse_carriage_returns(&String::from_utf8_lossy(&stderr));
    let shown = if out.success() {
        text.trim_end()
    } else {
        last_lines(&text, FAILURE_TAIL_LINES)
    };
    if !shown.is_empty() {
        let _ = writeln!(err, "{shown}");
    }
    let _ = err.flush();
}
