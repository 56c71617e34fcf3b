//! The native tier behind [`Runtime`](super::Runtime): a module compiled
//! into crate `afmpeg-native` (the FFmpeg module), its outcomes turned into the same
//! [`Exit`] and [`Error`] as the interpreter's.
//!
//! The WASI context carries what both tiers share (bytes and files written,
//! open files, stdio caps, the deadline of blocking calls, the interrupt
//! flag); this module adds what the native runtime enforces itself: the
//! memory limit in its `memory.grow`, and the CPU budget, timeout and
//! cancellation of a computing guest, checked by the instrumented module.

use super::classify::wasi_limit;
use super::exec::{ExecLimits, Exit, FUEL_PER_CHECKPOINT};
use crate::error::{Error, LimitKind, Result, TrapKind};
use afmpeg_native::{NativeError, NativeModule, Trap};
use wasi_shim::WasiCtx;

/// Runs `module`'s `_start` on this thread (the caller gives it a
/// [`GUEST_STACK`](super::GUEST_STACK) thread, as for the interpreter).
pub(super) fn run(
    module: &NativeModule,
    mut wasi: WasiCtx,
    limits: &ExecLimits,
) -> (Result<Exit>, WasiCtx) {
    if let Some(cancel) = &limits.cancel {
        if cancel.is_cancelled() {
            return (
                Err(Error::Cancelled {
                    stderr_tail: String::new(),
                }),
                wasi,
            );
        }
        // The native check reads the context's flag: the token's, unless the
        // embedder gave the context one of its own.
        if wasi.interrupt_flag().is_none() {
            wasi.set_interrupt(cancel.flag());
        }
    }
    let native_limits = afmpeg_native::Limits {
        max_memory: limits.max_memory,
        cpu_budget: limits.fuel.map(checkpoints_for_fuel),
    };
    let (result, wasi, usage) = module.run_reporting(wasi, &native_limits);
    let result = match result {
        Ok(exit) => Ok(Exit {
            guest_memory: usage.memory_bytes,
            memory_limit_reached: usage.memory_limit_reached,
            ..exit_of(exit)
        }),
        Err(e) => Err(error_of(e, &wasi, limits)),
    };
    (result, wasi)
}

/// The checkpoints a fuel budget buys (at least one: a budget of a few fuel
/// units still lets the guest start, as on the interpreter).
fn checkpoints_for_fuel(fuel: u64) -> u64 {
    fuel.div_ceil(FUEL_PER_CHECKPOINT).max(1)
}

fn exit_of(exit: afmpeg_native::Exit) -> Exit {
    match exit {
        afmpeg_native::Exit::Code(code) => Exit {
            code: code as i32,
            ..Exit::default()
        },
        afmpeg_native::Exit::Signal(s) => Exit {
            code: 128 + i32::from(s),
            signal: Some(s),
            ..Exit::default()
        },
    }
}

fn error_of(e: NativeError, wasi: &WasiCtx, limits: &ExecLimits) -> Error {
    let limit = |limit| Error::Limit {
        limit,
        stderr_tail: String::new(),
    };
    match e {
        NativeError::Trap(t) => Error::Trap {
            message: t.to_string(),
            kind: trap_kind(t),
            stderr_tail: String::new(),
        },
        NativeError::MemoryLimit => limit(LimitKind::Memory(limits.max_memory.unwrap_or(0))),
        NativeError::Limit(l) => limit(wasi_limit(l, wasi, limits)),
        NativeError::Interrupted => Error::Cancelled {
            stderr_tail: String::new(),
        },
        NativeError::CpuBudget => limit(LimitKind::Fuel(limits.fuel.unwrap_or(u64::MAX))),
        NativeError::Timeout => limit(LimitKind::Timeout(limits.timeout.unwrap_or_default())),
        NativeError::HostPanic(m) => Error::Panic(m),
        e @ (NativeError::NotCompiledIn { .. }
        | NativeError::Resource
        | NativeError::Nested
        | NativeError::Setup
        | NativeError::Internal(_)) => Error::Instantiate(e.to_string()),
    }
}

fn trap_kind(t: Trap) -> TrapKind {
    match t {
        Trap::OutOfBounds => TrapKind::OutOfBounds,
        Trap::IntegerOverflow => TrapKind::IntegerOverflow,
        Trap::DivisionByZero => TrapKind::DivisionByZero,
        Trap::InvalidConversion => TrapKind::InvalidConversion,
        Trap::Unreachable => TrapKind::Unreachable,
        Trap::IndirectCall => TrapKind::IndirectCall,
        Trap::UncaughtException => TrapKind::UncaughtException,
        Trap::StackExhausted => TrapKind::StackExhausted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn mapped(e: NativeError, limits: &ExecLimits) -> Error {
        let wasi = WasiCtx::builder().build().unwrap();
        error_of(e, &wasi, limits)
    }

    #[test]
    fn every_trap_kind_maps_to_its_trap_kind() {
        let kinds = [
            (Trap::OutOfBounds, TrapKind::OutOfBounds),
            (Trap::IntegerOverflow, TrapKind::IntegerOverflow),
            (Trap::DivisionByZero, TrapKind::DivisionByZero),
            (Trap::InvalidConversion, TrapKind::InvalidConversion),
            (Trap::Unreachable, TrapKind::Unreachable),
            (Trap::IndirectCall, TrapKind::IndirectCall),
            (Trap::UncaughtException, TrapKind::UncaughtException),
            (Trap::StackExhausted, TrapKind::StackExhausted),
        ];
        for (trap, kind) in kinds {
            match mapped(NativeError::Trap(trap), &ExecLimits::default()) {
                Error::Trap {
                    kind: k, message, ..
                } => {
                    assert_eq!(k, kind);
                    assert_eq!(message, trap.to_string());
                }
                other => panic!("{trap:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_runtime_limits_map_to_the_configured_values() {
        let limits = ExecLimits {
            max_memory: Some(1 << 20),
            fuel: Some(5000),
            timeout: Some(Duration::from_millis(300)),
            cancel: None,
        };
        let limit = |e| match mapped(e, &limits) {
            Error::Limit { limit, .. } => limit,
            other => panic!("{other:?}"),
        };
        assert_eq!(limit(NativeError::MemoryLimit), LimitKind::Memory(1 << 20));
        assert_eq!(limit(NativeError::CpuBudget), LimitKind::Fuel(5000));
        assert_eq!(
            limit(NativeError::Timeout),
            LimitKind::Timeout(Duration::from_millis(300))
        );
        assert!(matches!(
            mapped(NativeError::Interrupted, &limits),
            Error::Cancelled { .. }
        ));
        assert!(matches!(
            mapped(NativeError::HostPanic("boom".into()), &limits),
            Error::Panic(m) if m == "boom"
        ));
    }

    #[test]
    fn a_fuel_budget_becomes_checkpoints_rounded_up() {
        assert_eq!(checkpoints_for_fuel(0), 1);
        assert_eq!(checkpoints_for_fuel(1), 1);
        assert_eq!(checkpoints_for_fuel(FUEL_PER_CHECKPOINT), 1);
        assert_eq!(checkpoints_for_fuel(FUEL_PER_CHECKPOINT + 1), 2);
        assert_eq!(
            checkpoints_for_fuel(50_000_000),
            50_000_000u64.div_ceil(137)
        );
    }

    #[test]
    fn a_signal_exit_is_128_plus_the_signal() {
        let exit = exit_of(afmpeg_native::Exit::Signal(6));
        assert_eq!((exit.code, exit.signal), (134, Some(6)));
        assert_eq!(exit_of(afmpeg_native::Exit::Code(3)).code, 3);
    }
}
