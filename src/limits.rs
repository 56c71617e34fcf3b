//! Per-run limits and their defaults.
//!
//! The defaults bound what one job can take from the process: no more than
//! 1 GiB of guest memory, 4 GiB written, 10,000 files, 64 MiB of captured
//! stdout. They set no time limit: how long a transcode may take is the
//! application's call (an app's hour-long encode is not a fault), so a
//! server running untrusted media sets [`Limits::timeout`] or
//! [`Limits::fuel`] itself — or cancels with a
//! [`CancelToken`](crate::CancelToken). Neither the `afmpeg` command line
//! (it runs with [`Limits::unlimited`]; Ctrl-C stops it) nor its batch mode
//! (a batch file's `timeout_secs`) adds one by default. Every limit, when
//! reached, ends the job with [`crate::Error::Limit`] naming it; the
//! [`crate::Runtime`] stays usable for the next job.

use std::time::Duration;

/// Limits of one job; set them with [`RunOptions::limits`](crate::RunOptions::limits).
///
/// ```
/// use afmpeg::{Limits, RunOptions};
/// use std::time::Duration;
///
/// // An untrusted upload: at most 512 MiB of memory and 30 s.
/// let limits = Limits {
///     max_memory: 512 << 20,
///     timeout: Some(Duration::from_secs(30)),
///     ..Limits::default()
/// };
/// assert_eq!(Limits::default().timeout, None); // no time limit by default
/// let opts = RunOptions::new().limits(limits);
/// # let _ = opts;
/// ```
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
    /// the deadline); `None` for none. Default: `None` (see the module
    /// documentation for why).
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
            timeout: None,
            max_bytes_written: 4 << 30,
            max_files_created: 10_000,
            max_stdout: 64 << 20,
            max_stderr: 16 << 20,
            max_open_files: 256,
        }
    }
}

impl Limits {
    /// No limits beyond what the machine imposes (for trusted batch work):
    /// 4 GiB of memory (the wasm32 maximum), no caps on output.
    ///
    /// ```
    /// let l = afmpeg::Limits::unlimited();
    /// assert_eq!((l.max_memory, l.timeout), (4 << 30, None));
    /// ```
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
