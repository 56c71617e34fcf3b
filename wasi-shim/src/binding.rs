//! What every engine binding shares: the view of the embedder's store
//! ([`WasiView`]) and the one call wrapper ([`call`]) with its engine-neutral
//! outcome ([`CallOutcome`]).
//!
//! A binding generates one import per entry of the preview1 table
//! ([`for_each_preview1_function!`](crate::for_each_preview1_function)),
//! finds the guest's memory bytes and the [`WasiCtx`] in its engine's store,
//! and calls the syscall through [`call`]. It then maps the outcome to its
//! engine: the errno becomes the import's `i32` result; an abort or a panic
//! becomes whatever ends a guest in that engine (wasmi: a host error that
//! unwinds the wasm stack; wasm2c: a trap raised on the C side). See
//! [`preview1`](crate::preview1) for a whole binding written with public
//! items only.

use crate::ctx::{Abort, WasiCtx};
use crate::errno::Result;
use crate::memory::GuestMemory;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The embedder's store data, as a binding sees it: the WASI context, and
/// the engine's handle to the guest's linear memory.
///
/// The handle belongs to the store (like wasmtime-wasi's `WasiView`), not to
/// the [`WasiCtx`], which knows no engine. A binding may fill the slot the
/// first time a guest calls WASI (the wasmi binding looks up the `memory`
/// export then), and the embedder may fill it after instantiating and read
/// it after the run (e.g. for the memory's final size).
///
/// ```
/// use wasi_shim::{binding::WasiView, WasiCtx};
///
/// struct MyStore {
///     wasi: WasiCtx,
///     memory: Option<u32>, // an engine's memory handle
/// }
///
/// impl WasiView for MyStore {
///     type Memory = u32;
///     fn ctx(&mut self) -> &mut WasiCtx {
///         &mut self.wasi
///     }
///     fn memory(&mut self) -> &mut Option<u32> {
///         &mut self.memory
///     }
/// }
/// ```
pub trait WasiView {
    /// The engine's handle to a linear memory (e.g. `wasmi::Memory`).
    type Memory: Copy;

    /// The guest's WASI context.
    fn ctx(&mut self) -> &mut WasiCtx;

    /// The slot holding the guest's memory handle (`None` until known).
    fn memory(&mut self) -> &mut Option<Self::Memory>;
}

/// How one call into the WASI layer ended, in no engine's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    /// The call returned: the errno the guest sees (0 for success).
    Errno(i32),
    /// The call ends the guest (`proc_exit`, a fatal signal, a limit with
    /// `abort_on_limit`, the interrupt flag). The binding must not return
    /// to the guest.
    Abort(Abort),
    /// The syscall (or an embedder callback it ran, such as a progress sink)
    /// panicked; the panic was caught. The binding must end the guest.
    Panic(String),
}

/// Calls one syscall for the guest: checks the interrupt flag, runs `f` over
/// `memory` with panics contained, then turns a pending abort or the errno
/// into a [`CallOutcome`].
///
/// No allocation and no dynamic dispatch on the way: this is every
/// syscall's path (only a caught panic allocates, for its message).
#[inline]
pub fn call(
    ctx: &mut WasiCtx,
    memory: &mut [u8],
    f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> Result<()>,
) -> CallOutcome {
    if ctx.interrupted() {
        return CallOutcome::Abort(Abort::Interrupted);
    }
    let mut mem = GuestMemory::new(memory);
    // An engine's host functions cannot unwind into the guest: a panic
    // below (a bug, or an embedder callback) would abort the process (wasmi)
    // or cross a C frame (wasm2c). Catch it and end the guest with a
    // typed outcome instead.
    let r = match catch_unwind(AssertUnwindSafe(|| f(ctx, &mut mem))) {
        Ok(r) => r,
        Err(p) => return CallOutcome::Panic(panic_message(p.as_ref())),
    };
    if let Some(abort) = ctx.take_abort() {
        return CallOutcome::Abort(abort);
    }
    CallOutcome::Errno(match r {
        Ok(()) => 0,
        Err(e) => i32::from(e.raw()),
    })
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::Errno;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    fn ctx() -> WasiCtx {
        WasiCtx::builder().build().unwrap()
    }

    #[test]
    fn errno_and_success() {
        let mut c = ctx();
        assert_eq!(call(&mut c, &mut [], |_, _| Ok(())), CallOutcome::Errno(0));
        assert_eq!(
            call(&mut c, &mut [], |_, _| Err(Errno::Badf)),
            CallOutcome::Errno(8)
        );
    }

    #[test]
    fn pending_abort_wins_over_the_errno() {
        let mut c = ctx();
        let out = call(&mut c, &mut [], |ctx, mem| {
            crate::syscalls::proc::proc_exit(ctx, mem, 7)?;
            Err(Errno::Inval)
        });
        assert_eq!(out, CallOutcome::Abort(Abort::Exit(7)));
        assert_eq!(c.abort(), None, "the abort was taken");
    }

    #[test]
    fn a_panic_is_caught_with_its_message() {
        let mut c = ctx();
        let out = call(&mut c, &mut [], |_, _| panic!("boom {}", 1));
        assert_eq!(out, CallOutcome::Panic("boom 1".into()));
        let out = call(&mut c, &mut [], |_, _| std::panic::panic_any(5u8));
        assert_eq!(out, CallOutcome::Panic("unknown panic".into()));
    }

    #[test]
    fn the_interrupt_flag_stops_before_the_syscall() {
        let flag = Arc::new(AtomicBool::new(true));
        let mut c = WasiCtx::builder().interrupt(flag).build().unwrap();
        let out = call(&mut c, &mut [], |_, _| unreachable!("not called"));
        assert_eq!(out, CallOutcome::Abort(Abort::Interrupted));
    }
}
