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
pub mod probe;
pub mod progress_bar;
pub mod refusal;
pub mod report;
pub mod run;
pub mod signals;

use clap::{Parser, Subcommand};

/// Real FFmpeg, in memory, on a WebAssembly interpreter.
#[derive(Debug, Parser)]
#[command(name = "afmpeg", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
}
