//! What the end of a guest call means: an exit, or which [`Error`].
//!
//! Everything here reads wasmi's typed errors (trap codes, error kinds, the
//! host errors the WASI binding raised); no message text is matched, so a
//! reworded wasmi message cannot turn a limit into a generic failure.

use super::exec::{ExecLimits, Exit};
use crate::error::{Error, LimitKind, Result, TrapKind};
use wasi_shim::wasmi_link;
use wasi_shim::{Abort, Limit, WasiCtx};
use wasmi::errors::ErrorKind;
use wasmi::TrapCode;

/// Turns the error a call into the guest ended with into an exit (the
/// guest exited or was killed by a signal) or an error (trap, limit,
/// cancellation, invalid code). `origin` names the module for errors about
/// its code.
pub(super) fn outcome(
    e: &wasmi::Error,
    origin: &str,
    wasi: &WasiCtx,
    limits: &ExecLimits,
) -> Result<Exit> {
    // With `Validation::Lazy`, a function body is validated at its first
    // call: an invalid one surfaces here, in the run (and, as "failed
    // before", in every later run that calls it).
    if let ErrorKind::Wasm(_) | ErrorKind::Translation(_) = e.kind() {
        return Err(Error::InvalidModule {
            origin: origin.to_owned(),
            reason: format!("invalid function body found at its first call: {e}"),
        });
    }
    if let Some(p) = e.downcast_ref::<wasmi_link::HostPanic>() {
        return Err(Error::Panic(p.0.clone()));
    }
    if let Some(abort) = wasmi_link::abort_of(e) {
        return match abort {
            Abort::Exit(code) => Ok(Exit {
                code: code as i32,
                ..Exit::default()
            }),
            Abort::Signal(s) => Ok(Exit {
                code: 128 + i32::from(s),
                signal: Some(s),
                ..Exit::default()
            }),
            Abort::Limit(l) => Err(Error::Limit {
                limit: wasi_limit(l, wasi, limits),
                stderr_tail: String::new(),
            }),
            Abort::Interrupted => Err(Error::Cancelled {
                stderr_tail: String::new(),
            }),
        };
    }
    match e.as_trap_code() {
        Some(TrapCode::OutOfFuel) => Err(Error::Limit {
            limit: LimitKind::Fuel(limits.fuel.unwrap_or(u64::MAX)),
            stderr_tail: String::new(),
        }),
        Some(code) => Err(Error::Trap {
            message: code.to_string(),
            kind: trap_kind(code),
            stderr_tail: String::new(),
        }),
        None => match e.kind() {
            // (A module whose declared memory or tables exceed the budget
            // is refused before this: the runtime asks its limiter.)
            ErrorKind::Linker(_) | ErrorKind::Instantiation(_) => {
                Err(Error::Instantiate(e.to_string()))
            }
            _ => Err(Error::Trap {
                message: e.to_string(),
                kind: TrapKind::Other,
                stderr_tail: String::new(),
            }),
        },
    }
}

fn trap_kind(code: TrapCode) -> TrapKind {
    match code {
        TrapCode::MemoryOutOfBounds | TrapCode::TableOutOfBounds => TrapKind::OutOfBounds,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::IntegerDivisionByZero => TrapKind::DivisionByZero,
        TrapCode::BadConversionToInteger => TrapKind::InvalidConversion,
        TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
        TrapCode::IndirectCallToNull | TrapCode::BadSignature => TrapKind::IndirectCall,
        TrapCode::StackOverflow => TrapKind::StackExhausted,
        _ => TrapKind::Other,
    }
}

/// The [`LimitKind`] of a limit the WASI layer reported.
pub(super) fn wasi_limit(l: Limit, wasi: &WasiCtx, limits: &ExecLimits) -> LimitKind {
    let b = wasi.budget();
    match l {
        Limit::OpenFiles => LimitKind::OpenFiles(wasi.open_fds()),
        Limit::BytesWritten => LimitKind::BytesWritten(b.max_bytes.unwrap_or(0)),
        Limit::FilesCreated => LimitKind::FilesCreated(b.max_files.unwrap_or(0)),
        Limit::Stdout => LimitKind::Stdout(0),
        Limit::Stderr => LimitKind::Stderr(0),
        Limit::Deadline => LimitKind::Timeout(limits.timeout.unwrap_or_default()),
    }
}
