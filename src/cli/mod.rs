//! The `afmpeg` command line.

pub mod batch;
pub mod chunked;
pub mod concat_list;
pub mod ffmpeg;
pub mod filtergraph;
pub mod live;
pub mod probe;
pub mod run;

use clap::{Parser, Subcommand};

/// Exit code for a guest that did not complete: a trap, a limit, a cancellation.
pub const EXIT_ABNORMAL: i32 = 134;
/// Exit code when afmpeg itself fails before the guest runs (bad module, bad
/// `--dir`, …), distinct from any code a guest would commonly use.
pub const EXIT_SETUP: i32 = 125;

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

/// Parses a byte count: a plain number, or one with a K/M/G/T suffix
/// (powers of 1024; an optional trailing `B` or `iB` is accepted).
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("unknown size suffix in {s:?} (use K, M, G or T)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a byte count: {s:?}"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("byte count too large: {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn byte_counts() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("64M"), Ok(64 << 20));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("1kB"), Ok(1024));
        assert!(parse_bytes("12Q").is_err());
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999T").is_err());
    }
}
