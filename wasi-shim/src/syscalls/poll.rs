//! `poll_oneoff`.
//!
//! Every in-memory file is always ready (reads and writes never block), so a
//! poll with any fd subscription returns at once. Only a poll whose
//! subscriptions are all clocks sleeps, until the earliest deadline — in
//! slices, so that the embedder's interrupt flag can end the wait — and
//! never past the run's own deadline, where it stops the guest.

use crate::abi::{encode_event, event, size};
use crate::abort::Abort;
use crate::budget::Limit;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};
use crate::fd::FdKind;
use crate::fs::tree::NodeKind;
use crate::memory::GuestMemory;
use std::time::{Duration, Instant};

/// Longest single sleep between checks of the interrupt flag.
const SLEEP_SLICE: Duration = Duration::from_millis(10);

struct Ready {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

/// `poll_oneoff(in, out, nsubscriptions, nevents)`.
pub fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    input: u32,
    output: u32,
    nsubs: u32,
    nevents: u32,
) -> Result<()> {
    if nsubs == 0 {
        return Err(Errno::Inval);
    }
    let in_len = u32::try_from(u64::from(nsubs) * u64::from(size::SUBSCRIPTION))
        .map_err(|_| Errno::Fault)?;
    let out_len =
        u32::try_from(u64::from(nsubs) * u64::from(size::EVENT)).map_err(|_| Errno::Fault)?;
    mem.check(input, in_len)?;
    mem.check(output, out_len)?;
    mem.check(nevents, 4)?;

    let mut ready: Vec<Ready> = Vec::new();
    // (userdata, time left) of each valid clock subscription.
    let mut clocks: Vec<(u64, Duration)> = Vec::new();
    for i in 0..nsubs {
        let at = input + i * size::SUBSCRIPTION;
        let userdata = mem.read_u64(at)?;
        let tag = mem.read_u8(at + 8)?;
        match tag {
            event::CLOCK => {
                let id = mem.read_u32(at + 16)?;
                let timeout = mem.read_u64(at + 24)?;
                let flags = mem.read_u16(at + 40)?;
                let left = if flags & !event::SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                    Err(Errno::Inval)
                } else if flags & event::SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                    ctx.clocks.until(id, timeout)
                } else {
                    ctx.clocks
                        .resolution(id)
                        .map(|_| Duration::from_nanos(timeout))
                };
                match left {
                    Ok(d) => clocks.push((userdata, d)),
                    Err(e) => ready.push(Ready {
                        userdata,
                        error: e,
                        kind: tag,
                        nbytes: 0,
                        flags: 0,
                    }),
                }
            }
            event::FD_READ | event::FD_WRITE => {
                let fd = mem.read_u32(at + 16)?;
                ready.push(fd_readiness(ctx, fd, tag, userdata));
            }
            _ => return Err(Errno::Inval),
        }
    }

    // How long the call waited: with nothing else ready, until the
    // earliest clock; otherwise not at all (only expired clocks fire).
    let waited = if ready.is_empty() {
        let wait = clocks.iter().map(|c| c.1).min().unwrap_or_default();
        if ctx.clocks.sleeps_for_real() {
            let start = Instant::now();
            // A sleep too long for an `Instant` ends at the deadline, if any.
            let until = start.checked_add(wait);
            loop {
                if ctx.interrupted() {
                    ctx.abort = Some(Abort::Interrupted);
                    return Ok(());
                }
                let now = Instant::now();
                if until.is_some_and(|u| now >= u) {
                    break;
                }
                if let Some(d) = ctx.deadline {
                    if now >= d {
                        ctx.limit_hit.get_or_insert(Limit::Deadline);
                        ctx.abort = Some(Abort::Limit(Limit::Deadline));
                        return Ok(());
                    }
                }
                let mut step = SLEEP_SLICE;
                if let Some(u) = until {
                    step = step.min(u - now);
                }
                if let Some(d) = ctx.deadline {
                    step = step.min(d - now);
                }
                std::thread::sleep(step);
            }
        } else {
            ctx.clocks.advance(wait.as_nanos() as u64);
        }
        wait
    } else {
        Duration::ZERO
    };
    for (userdata, left) in &clocks {
        if *left <= waited {
            ready.push(Ready {
                userdata: *userdata,
                error: Errno::Success,
                kind: event::CLOCK,
                nbytes: 0,
                flags: 0,
            });
        }
    }

    for (i, r) in ready.iter().enumerate() {
        let ev = encode_event(r.userdata, r.error.raw(), r.kind, r.nbytes, r.flags);
        mem.write(output + i as u32 * size::EVENT, &ev)?;
    }
    mem.write_u32(nevents, ready.len() as u32)
}

fn fd_readiness(ctx: &WasiCtx, fd: u32, kind: u8, userdata: u64) -> Ready {
    let mut r = Ready {
        userdata,
        error: Errno::Success,
        kind,
        nbytes: 0,
        flags: 0,
    };
    let Ok(e) = ctx.fds.get(fd) else {
        r.error = Errno::Badf;
        return r;
    };
    match (&e.kind, kind) {
        (FdKind::File { handle, offset, .. }, event::FD_READ) => {
            let t = handle.fs.lock();
            r.nbytes = match t.get(handle.ino).map(|n| &n.kind) {
                Ok(NodeKind::File(d)) => d.len().saturating_sub(*offset),
                _ => 0,
            };
        }
        (FdKind::BackendFile { file, offset, .. }, event::FD_READ) => {
            r.nbytes = file.len().unwrap_or(0).saturating_sub(*offset);
        }
        (FdKind::Input(input), event::FD_READ) => match input.ready_bytes() {
            Some(0) => r.flags = event::FD_READWRITE_HANGUP,
            Some(n) => r.nbytes = n,
            None => {}
        },
        (FdKind::Input(_), _) | (FdKind::Output { .. }, event::FD_READ) => r.error = Errno::Badf,
        _ => {}
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::clockid;

    /// Polls one relative monotonic clock subscription of `ns`; returns the
    /// number of events and the time the call took.
    fn sleep(ctx: &mut WasiCtx, ns: u64) -> (u32, Duration) {
        let mut bytes = vec![0u8; 256];
        bytes[0..8].copy_from_slice(&7u64.to_le_bytes());
        bytes[8] = event::CLOCK;
        bytes[16..20].copy_from_slice(&clockid::MONOTONIC.to_le_bytes());
        bytes[24..32].copy_from_slice(&ns.to_le_bytes());
        let mut mem = GuestMemory::new(&mut bytes);
        let t = Instant::now();
        poll_oneoff(ctx, &mut mem, 0, 64, 1, 128).unwrap();
        let took = t.elapsed();
        (
            u32::from_le_bytes(bytes[128..132].try_into().unwrap()),
            took,
        )
    }

    const MINUTE: u64 = 60_000_000_000;

    #[test]
    fn a_sleep_ends_at_the_deadline_and_stops_the_guest() {
        let deadline = Instant::now() + Duration::from_millis(50);
        let mut ctx = WasiCtx::builder().deadline(deadline).build().unwrap();
        let (events, took) = sleep(&mut ctx, MINUTE);
        assert!(Instant::now() >= deadline, "woke before the deadline");
        assert!(took < Duration::from_secs(5), "slept {took:?}");
        assert_eq!(events, 0);
        assert_eq!(ctx.abort(), Some(Abort::Limit(Limit::Deadline)));
        assert_eq!(ctx.limit_hit(), Some(Limit::Deadline));
    }

    #[test]
    fn a_passed_deadline_stops_the_guest_without_sleeping() {
        let mut ctx = WasiCtx::builder().build().unwrap();
        ctx.set_deadline(Some(Instant::now()));
        let (_, took) = sleep(&mut ctx, MINUTE);
        assert!(took < Duration::from_secs(1), "slept {took:?}");
        assert_eq!(ctx.abort(), Some(Abort::Limit(Limit::Deadline)));
    }

    #[test]
    fn a_sleep_before_the_deadline_is_a_normal_sleep() {
        let mut ctx = WasiCtx::builder()
            .deadline(Instant::now() + Duration::from_secs(60))
            .build()
            .unwrap();
        let (events, took) = sleep(&mut ctx, 20_000_000);
        assert!(took >= Duration::from_millis(20), "slept only {took:?}");
        assert_eq!(events, 1);
        assert_eq!(ctx.abort(), None);
    }

    #[test]
    fn deterministic_clocks_do_not_wait_for_the_deadline() {
        let mut ctx = WasiCtx::builder()
            .deterministic(1)
            .deadline(Instant::now())
            .build()
            .unwrap();
        let (events, took) = sleep(&mut ctx, MINUTE);
        assert!(took < Duration::from_secs(1));
        assert_eq!(events, 1, "the virtual sleep completes");
        assert_eq!(ctx.abort(), None);
    }
}
