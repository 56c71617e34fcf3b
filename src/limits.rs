//! Per-run limits and their defaults.
//!
//! The defaults are meant to be safe for a server running untrusted media:
//! one job cannot take more than 1 GiB of guest memory, run longer than
//! 10 minutes, write more than 4 GiB, or flood the host with output. Every
//! limit, when reached, ends the job with [`crate::Error::Limit`] naming it;
//! the [`crate::Runtime`] stays usable for the next job.

use std::time::Duration;

/// Limits of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most guest linear memory, in bytes. Default: 1 GiB.
    pub max_memory: u64,
    /// CPU budget in fuel units (about one per executed wasm instruction);
    /// `None` for no budget. Default: `None` (the timeout bounds the job).
    /// The native tier counts checkpoints (one per loop iteration and per
    /// call) and charges each as
    /// [`FUEL_PER_CHECKPOINT`](crate::engine::FUEL_PER_CHECKPOINT) units,
    /// FFmpeg's average: the same budget buys about the same work on both
    /// tiers, exactly on the interpreter, approximately on the native one.
    /// Either way a job that spends it ends with
    /// [`LimitKind::Fuel`](crate::LimitKind::Fuel).
    pub fuel: Option<u64>,
    /// Wall-clock timeout, sleeps included (a sleeping guest is stopped at
    /// the deadline); `None` for none. Default: 10 minutes.
    pub timeout: Option<Duration>,
    /// Most bytes the job may write into files. Default: 4 GiB.
    pub max_bytes_written: u64,
    /// Most files, directories and links the job may create. Default: 10,000.
    pub max_files_created: u64,
    /// Most bytes of stdout kept. Default: 64 MiB.
    pub max_stdout: usize,
    /// Most bytes of stderr kept. Default: 16 MiB.
    pub max_stderr: usize,
    /// Most file descriptors open at once (stdio and mounts included). Default: 256.
    pub max_open_files: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory: 1 << 30,
            fuel: None,
            timeout: Some(Duration::from_secs(600)),
            max_bytes_written: 4 << 30,
            max_files_created: 10_000,
            max_stdout: 64 << 20,
            max_stderr: 16 << 20,
            max_open_files: 256,
        }
    }
}

impl Limits {
    /// No limits beyond what the machine imposes (for trusted batch work).
    pub fn unlimited() -> Self {
        Limits {
            max_memory: 4 << 30,
            fuel: None,
            timeout: None,
            max_bytes_written: u64::MAX,
            max_files_created: u64::MAX,
            max_stdout: usize::MAX,
            max_stderr: usize::MAX,
            max_open_files: 1 << 16,
        }
    }
}
