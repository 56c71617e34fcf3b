//! The `afmpeg` command line.
//!
//! One module per subcommand (`run`, `ffmpeg` for `ffmpeg`/`ffprobe`,
//! `chunked` for `ffmpeg --chunks`, `probe`, `batch`), on shared modules
//! with one job each: `invocation` maps a tool's command line onto the host
//! mirror (`host_path`), helped by the option tables (`flags`), the filter
//! graph and concat list parsers (`filtergraph`, `concat_list`); `engine`
//! the `--engine` option;
//! `humanize` and `live` show FFmpeg's messages with the user's paths;
//! `progress_bar` draws the terminal UI; `report` holds the exit codes and
//! what a failure prints; `guest_thread` runs a guest on a big stack.

pub mod batch;
pub mod byte_count;
pub mod chunked;
pub mod concat_list;
pub mod engine;
pub mod ffmpeg;
pub mod filtergraph;
pub mod flags;
pub mod guest_thread;
pub mod host_path;
pub mod humanize;
pub mod invocation;
pub mod live;
pub mod logging;
pub mod probe;
pub mod progress_bar;
pub mod refusal;
pub mod report;
pub mod run;
pub mod shell;
pub mod signals;
pub mod span;
pub mod stats;
pub mod version;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Real FFmpeg, in memory, on a WebAssembly interpreter.
#[derive(Debug, Parser)]
// `version` + `propagate_version` give the subcommands their `-V`; the
// root's `-V/--version` is afmpeg's own report, taken before clap parses
// (see `leading_options`).
#[command(
    name = "afmpeg",
    version,
    about,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// The FFmpeg module to run (default: $AFMPEG_MODULE, else the one
    /// `make guest PROFILE=default` built, else the lean one `make guest`
    /// built). A path that is not a file is an error. The default profile's
    /// font beside it (data/fonts/) is mounted for drawtext and subtitles.
    #[arg(long, global = true, value_name = "PATH")]
    pub module: Option<PathBuf>,
    /// afmpeg's own diagnostics on stderr: -v info, -vv debug, -vvv trace
    /// (RUST_LOG overrides). Before the subcommand only: after it, `-v` is
    /// FFmpeg's own log level (`afmpeg ffmpeg -v error …`).
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run any WASI preview1 command module over an in-memory filesystem.
    Run(run::RunArgs),
    /// Run FFmpeg's `ffmpeg` on host files, in memory (a drop-in for `ffmpeg`).
    #[command(disable_help_flag = true, disable_version_flag = true)]
    Ffmpeg(ffmpeg::ToolArgs),
    /// Run FFmpeg's `ffprobe` on host files, in memory (a drop-in for `ffprobe`).
    #[command(disable_help_flag = true, disable_version_flag = true)]
    Ffprobe(ffmpeg::ToolArgs),
    /// Summarise a media file: container, duration, streams, chapters.
    Probe(probe::ProbeArgs),
    /// Run the jobs of a JSON job file in parallel, with a summary.
    Batch(batch::BatchArgs),
    /// Print the completion script for a shell (`make install-cli` installs them).
    Completions(shell::CompletionsArgs),
    /// Print the man page, afmpeg(1), in roff.
    Manpage,
}

/// The options before the subcommand that afmpeg acts on before clap parses
/// the command line: `--module PATH` and `-V`/`--version`, which prints
/// afmpeg's version, the module's path, its FFmpeg version and profile, and
/// the engine (clap's own flag would print the first line only).
#[derive(Debug, Default, PartialEq)]
pub struct LeadingOptions {
    /// `--module PATH`.
    pub module: Option<std::ffi::OsString>,
    /// `-V` or `--version`.
    pub version: bool,
}

/// Reads [`LeadingOptions`] from `args` (without `argv[0]`), up to the
/// first word that is not one of them.
pub fn leading_options(args: &[std::ffi::OsString]) -> LeadingOptions {
    let mut out = LeadingOptions::default();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.to_str() {
            Some("-V" | "--version") => out.version = true,
            Some("--module") => {
                out.module = args.get(i + 1).cloned();
                i += 1;
            }
            Some(s) if s.starts_with("--module=") => {
                out.module = Some(s["--module=".len()..].into())
            }
            _ => break,
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_options_stop_at_the_subcommand() {
        let args = |a: &[&str]| {
            a.iter()
                .map(Into::into)
                .collect::<Vec<std::ffi::OsString>>()
        };
        assert_eq!(
            leading_options(&args(&["--module", "m.wasm", "-V"])),
            LeadingOptions {
                module: Some("m.wasm".into()),
                version: true
            }
        );
        assert_eq!(
            leading_options(&args(&["--module=m.wasm", "ffmpeg", "-V"])),
            LeadingOptions {
                module: Some("m.wasm".into()),
                version: false
            }
        );
        assert_eq!(
            leading_options(&args(&["run", "-V"])),
            LeadingOptions::default()
        );
    }
}
