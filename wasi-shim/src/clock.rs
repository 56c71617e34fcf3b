//! The guest's clocks: real, or deterministic.
//!
//! In real mode, `REALTIME` is the host's wall clock and `MONOTONIC` an
//! `Instant` taken when the context was built. The two CPU-time clocks report
//! the time the context has existed: a job runs on one host thread from start
//! to end, so that is an upper bound of its CPU time that advances while the
//! guest runs (FFmpeg measures with them), and it needs no platform calls.
//!
//! In deterministic mode every reading advances a virtual clock by a fixed
//! step, starting from a fixed time, and sleeping advances it by the amount
//! slept: reruns see identical times (see RATIONALE.md).

use crate::abi::clockid;
use crate::errno::{Errno, Result};
use std::time::{Duration, Instant};

/// How the clocks behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// The host's clocks.
    Real,
    /// A virtual clock: `start` nanoseconds since the epoch, advancing by
    /// `step` nanoseconds at each reading.
    Deterministic {
        /// Realtime at the first reading, in ns since the Unix epoch.
        start: u64,
        /// Advance per reading, in ns.
        step: u64,
    },
}

/// The clocks of one context.
#[derive(Debug, Clone)]
pub struct Clocks {
    mode: ClockMode,
    born: Instant,
    /// Virtual nanoseconds elapsed (deterministic mode).
    virtual_ns: u64,
}

impl Clocks {
    /// Clocks of the given mode, starting now.
    pub fn new(mode: ClockMode) -> Self {
        Clocks {
            mode,
            born: Instant::now(),
            virtual_ns: 0,
        }
    }

    /// The mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// The host's wall clock in ns since the epoch (0 before 1970).
    ///
    /// Every `fd_read`/`fd_write` on a file reads it (atim, mtim/ctim). On
    /// Unix it is the C library's `clock_gettime` straight (the vDSO on
    /// Linux): going through `SystemTime` and `duration_since` costs ~80
    /// more instructions of checked conversions per reading, a fifth of a
    /// small read. (The C library's, not a raw vDSO call: that one has to
    /// parse the vDSO itself, which breaks under valgrind.)
    #[cfg(unix)]
    fn real_now() -> u64 {
        // SAFETY: a timespec is plain integers, for which all-zero is valid.
        let mut t: libc::timespec = unsafe { std::mem::zeroed() };
        // SAFETY: `t` is valid and writable for the call. CLOCK_REALTIME
        // always exists; were the call to fail, `t` stays zero: 0 below.
        unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut t) };
        match (u64::try_from(t.tv_sec), u64::try_from(t.tv_nsec)) {
            (Ok(s), Ok(ns)) => s.saturating_mul(1_000_000_000).saturating_add(ns),
            _ => 0,
        }
    }

    #[cfg(not(unix))]
    fn real_now() -> u64 {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    }

    /// `clock_time_get`.
    pub fn now(&mut self, id: u32) -> Result<u64> {
        match self.mode {
            ClockMode::Real => match id {
                clockid::REALTIME => Ok(Self::real_now()),
                clockid::MONOTONIC | clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => {
                    Ok(self.born.elapsed().as_nanos() as u64)
                }
                _ => Err(Errno::Inval),
            },
            ClockMode::Deterministic { start, step } => {
                let t = self.virtual_ns;
                self.virtual_ns = self.virtual_ns.saturating_add(step);
                match id {
                    clockid::REALTIME => Ok(start.saturating_add(t)),
                    clockid::MONOTONIC
                    | clockid::PROCESS_CPUTIME_ID
                    | clockid::THREAD_CPUTIME_ID => Ok(t),
                    _ => Err(Errno::Inval),
                }
            }
        }
    }

    /// The realtime clock without advancing a deterministic clock: used for
    /// file timestamps, which must not make reruns diverge.
    pub fn file_time(&self) -> u64 {
        match self.mode {
            ClockMode::Real => Self::real_now(),
            ClockMode::Deterministic { start, .. } => start.saturating_add(self.virtual_ns),
        }
    }

    /// `clock_res_get`.
    pub fn resolution(&self, id: u32) -> Result<u64> {
        match id {
            clockid::REALTIME
            | clockid::MONOTONIC
            | clockid::PROCESS_CPUTIME_ID
            | clockid::THREAD_CPUTIME_ID => match self.mode {
                ClockMode::Real => Ok(1),
                ClockMode::Deterministic { step, .. } => Ok(step.max(1)),
            },
            _ => Err(Errno::Inval),
        }
    }

    /// Whether sleeping really waits (false: it advances the virtual clock).
    pub fn sleeps_for_real(&self) -> bool {
        self.mode == ClockMode::Real
    }

    /// Advances a deterministic clock by `ns` (a virtual sleep).
    pub fn advance(&mut self, ns: u64) {
        self.virtual_ns = self.virtual_ns.saturating_add(ns);
    }

    /// How long until clock `id` reads `deadline` (zero if it has passed).
    pub fn until(&mut self, id: u32, deadline: u64) -> Result<Duration> {
        let now = match self.mode {
            ClockMode::Real => self.now(id)?,
            ClockMode::Deterministic { start, .. } => match id {
                clockid::REALTIME => start.saturating_add(self.virtual_ns),
                clockid::MONOTONIC | clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => {
                    self.virtual_ns
                }
                _ => return Err(Errno::Inval),
            },
        };
        Ok(Duration::from_nanos(deadline.saturating_sub(now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{SystemTime, UNIX_EPOCH};

    fn system_ns() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    }

    #[test]
    fn real_file_time_is_the_host_wall_clock() {
        let clocks = Clocks::new(ClockMode::Real);
        let before = system_ns();
        let t = clocks.file_time();
        let after = system_ns();
        assert!(before <= t && t <= after, "{before} <= {t} <= {after}");
    }

    #[test]
    fn deterministic_file_time_does_not_advance_the_clock() {
        let mut clocks = Clocks::new(ClockMode::Deterministic {
            start: 1_000,
            step: 10,
        });
        assert_eq!(clocks.file_time(), 1_000);
        assert_eq!(clocks.file_time(), 1_000);
        assert_eq!(clocks.now(clockid::REALTIME), Ok(1_000));
        assert_eq!(clocks.now(clockid::REALTIME), Ok(1_010));
        assert_eq!(clocks.file_time(), 1_020);
    }
}
