//! The `afmpeg` command line.
//!
//! One module per subcommand (`run`, `ffmpeg` for `ffmpeg`/`ffprobe`,
//! `chunked` for `ffmpeg --chunks`, `probe`, `batch`), on shared modules
//! with one job each: `invocation` maps a tool's command line onto the host
//! mirror (`host_path`), helped by the option tables (`flags`), the filter
//! graph and concat list parsers (`filtergraph`, `concat_list`);
//! `humanize` and `live` show FFmpeg's messages with the user's paths;
//! `progress_bar` draws the terminal UI; `report` holds the exit codes and
//! what a failure prints; `guest_thread` runs a guest on a big stack.

pub mod batch;
pub mod byte_count;
pub mod chunked;
pub mod concat_list;
pub mod ffmpeg;
pub mod filtergraph;
pub mod flags;
pub mod guest_thread;
pub mod host_path;
pub mod humanize;
pub mod invocation;
pub mod live;
pub mod probe;
pub mod progress_bar;
pub mod refusal;
pub mod report;
pub mod run;
pub mod signals;
pub mod span;
pub mod stats;
pub mod version;

use clap::{ArgAction, Parser, Subcommand};
use std::path::PathBuf;

/// Real FFmpeg, in memory, on a WebAssembly interpreter.
#[derive(Debug, Parser)]
#[command(
    name = "afmpeg",
    about,
    disable_version_flag = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// The FFmpeg module to run (default: $AFMPEG_MODULE, else the one
    /// `make guest` built). A path that is not a file is an error.
    #[arg(long, global = true, value_name = "PATH")]
    pub module: Option<PathBuf>,
    /// Print afmpeg's version, the module's path, FFmpeg version and
    /// profile, and the engine.
    #[arg(short = 'V', long, action = ArgAction::SetTrue)]
    pub version: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run any WASI preview1 command module over an in-memory filesystem.
    #[command(version)]
    Run(run::RunArgs),
    /// Run FFmpeg's `ffmpeg` on host files, in memory (a drop-in for `ffmpeg`).
    #[command(disable_help_flag = true, disable_version_flag = true)]
    Ffmpeg(ffmpeg::ToolArgs),
    /// Run FFmpeg's `ffprobe` on host files, in memory (a drop-in for `ffprobe`).
    #[command(disable_help_flag = true, disable_version_flag = true)]
    Ffprobe(ffmpeg::ToolArgs),
    /// Summarise a media file: container, duration, streams, chapters.
    #[command(version)]
    Probe(probe::ProbeArgs),
    /// Run the jobs of a JSON job file in parallel, with a summary.
    #[command(version)]
    Batch(batch::BatchArgs),
}
