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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

    fn real_now() -> u64 {
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
