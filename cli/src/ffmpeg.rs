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
//! Files FFmpeg writes by a relative name in its own working directory (the
//! tree's root: `-report` logs, `-dump_attachment:t ""` names) are exported
//! to the user's working directory; `-report` logs after a failure too.
//!
//! The output files the command line names are checked before the run, as
//! ffmpeg checks them: an existing one is replaced only with `-y`; with
//! `-n`, or neither (where native ffmpeg would prompt — we never read the
//! terminal), the command ends with FFmpeg's message and exit code 1,
//! without touching it. What FFmpeg derives from a name (image sequences,
//! segments) and the `-progress`, `-passlogfile`, `-vstats_file` files
//! replace existing files, as native ffmpeg's do.
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
use super::engine::EngineArg;
use super::guest_thread::cli_limits;
use super::invocation::Invocation;
use super::live::LiveText;
use super::progress_bar::{progress_bar, progress_callback, AboveBar};
use super::refusal::Refusal;
use super::report::{report_error, report_refusal, report_run_error, EXIT_SETUP};
use super::signals::{ExportSignals, SignalHandling};
use super::span;
use super::stats::shows_status_line;
use afmpeg::job::StdinStream;
use afmpeg::{Error, RunOptions, StopToken, Tool};
use clap::Args;
use indicatif::ProgressDrawTarget;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, OnceLock};

/// Arguments of `afmpeg ffmpeg` and `afmpeg ffprobe`: everything after the
/// subcommand, passed to the tool as written.
#[derive(Debug, Args)]
pub struct ToolArgs {
    /// ffmpeg only: split the video at keyframes into N pieces encoded in
    /// parallel, then join them (one input file, one output file, output
    /// options only; see `afmpeg ffmpeg --chunks N -i IN [OPTIONS] OUT`).
    #[arg(long, value_name = "N")]
    pub chunks: Option<usize>,
    /// ffmpeg only: fail (exit 1, nothing written back) when FFmpeg says an
    /// option "has not been used for any stream" — it had no effect.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub engine: EngineArg,
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
            Ok(cwd) => chunked::main(chunks, &args.args, &cwd, args.engine),
            Err(e) => {
                eprintln!("afmpeg: cannot read the current directory: {e}");
                EXIT_SETUP
            }
        };
    }
    let runtime = match args.engine.default_runtime() {
        Ok(rt) => rt,
        Err(e) => return report_error(&e),
    };
    tracing::info!(tool = tool.argv0(), "module loaded");
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

    if args.strict && tool != Tool::Ffmpeg {
        eprintln!("afmpeg: --strict applies to `afmpeg ffmpeg` only");
        return EXIT_SETUP;
    }
    let mut options = RunOptions::new().limits(cli_limits()).strict(args.strict);
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
    // On a terminal, a progress display stands in for FFmpeg's status line,
    // where native ffmpeg would show that line (not with -nostats, nor
    // below -loglevel info without -stats); the log streams above it.
    let bar = (tool == Tool::Ffmpeg
        && !inv.own_progress
        && std::io::stderr().is_terminal()
        && shows_status_line(&inv.args))
    .then(|| progress_bar(ProgressDrawTarget::stderr()));
    if let Some(pb) = &bar {
        let span = span::probed(&runtime, &inv.fs, &inv.args, &cli_limits());
        tracing::info!(seconds = ?span.seconds, frames = ?span.frames, "job span");
        options = options.progress(progress_callback(
            pb.clone(),
            Arc::new(OnceLock::from(span)),
        ));
    }
    let live_stderr =
        LiveText::new(inv.humanizer(), AboveBar::new(bar.clone())).hide_status_lines(bar.is_some());
    let stderr_sink = live_stderr.sink();
    options = options.stderr_sink(move |chunk| stderr_sink(chunk));
    // ffprobe's report names the files: with the user's paths, in whatever
    // writer escapes them. ffmpeg's stdout is media, passed on untouched.
    let live_stdout = (tool == Tool::Ffprobe)
        .then(|| LiveText::new(inv.humanizer().with_escaped_forms(), std::io::stdout()));
    options = match &live_stdout {
        Some(live) => {
            let sink = live.sink();
            options.stdout_sink_only(move |chunk| sink(chunk))
        }
        None => options.stdout_sink_only(|chunk| {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(chunk);
            let _ = out.flush();
        }),
    };

    tracing::info!(args = ?inv.args, outputs = inv.outputs.len(), "running");
    let result = runtime
        .run_tool(tool, &inv.fs, &inv.args, &options)
        .or_else(Error::into_exit_output);
    match &result {
        Ok(out) => tracing::info!(exit_code = out.exit_code, "finished"),
        Err(e) => tracing::info!(error = %e, "did not finish"),
    }
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    live_stderr.finish();
    if let Some(live) = &live_stdout {
        live.finish();
    }
    let out = match result {
        Ok(out) => out,
        Err(Error::Cancelled { .. }) if signals.hard_signal().is_some() => {
            let n = signals.hard_signal().unwrap_or(0);
            eprintln!("afmpeg: cancelled by signal {n}; nothing was written");
            return 128 + n;
        }
        Err(Error::NotStarted) => {
            eprintln!("afmpeg: stopped before FFmpeg started; nothing was written");
            return StopToken::EXIT_CODE;
        }
        Err(e) => return report_run_error(&e, true),
    };
    // Native ffmpeg exits 255 after a graceful stop, its outputs complete.
    let stopped = signals.stop.is_stopped() && out.exit_code == StopToken::EXIT_CODE;
    if !out.success() && !stopped {
        // A -report log is most wanted after a failure.
        if let Err(Refusal::Setup(m) | Refusal::Unmapped(m) | Refusal::Ffmpeg(m)) =
            inv.export_reports()
        {
            eprintln!("afmpeg: {m}");
        }
        return out.exit_code;
    }
    // From here a signal no longer asks FFmpeg to stop: it ends the write-back.
    drop(signals);
    let _export_signals = ExportSignals::install();
    let exported = match stopped {
        true => inv.export_stopped(&runtime).map(|(files, left_out)| {
            report_left_out(&left_out);
            files
        }),
        false => inv.export(),
    };
    match exported {
        Ok(files) => {
            tracing::info!(?files, "exported");
            out.exit_code
        }
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

/// Says which outputs a stop left unreadable and so were not written back.
pub fn report_left_out(left_out: &[std::path::PathBuf]) {
    for host in left_out {
        eprintln!(
            "afmpeg: {}: stopped before its first frame, FFmpeg left a Matroska file no player can read; not written (an existing file is untouched)",
            host.display()
        );
    }
}
