//! `proc_exit`, `proc_raise`, `sched_yield`, `random_get`.

use crate::abort::Abort;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};
use crate::memory::GuestMemory;

/// `proc_exit(code)`: ends the guest; the binding turns the abort into the
/// end of the call.
pub fn proc_exit(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, code: u32) -> Result<()> {
    ctx.abort = Some(Abort::Exit(code));
    Ok(())
}

/// Signals whose default action is to ignore them (Linux `signal(7)`).
/// Numbers are WASI's `signal` enum: CHLD = 16, CONT = 17, URG = 22, WINCH = 27.
const IGNORED_BY_DEFAULT: [u8; 4] = [16, 17, 22, 27];

/// `proc_raise(sig)`: a signal with no handler takes its default action —
/// terminate the guest, or nothing for the signals ignored by default.
/// `STOP`/`TSTP`/`TTIN`/`TTOU` cannot stop a job without a shell to resume
/// it, so they are refused with `ENOTSUP`; unknown numbers are `EINVAL`.
pub fn proc_raise(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, sig: u32) -> Result<()> {
    match sig {
        0 => Ok(()),
        s if IGNORED_BY_DEFAULT.contains(&(s as u8)) && s < 31 => Ok(()),
        18..=21 => Err(Errno::Notsup),
        1..=30 => {
            ctx.abort = Some(Abort::Signal(sig as u8));
            Ok(())
        }
        _ => Err(Errno::Inval),
    }
}

/// `sched_yield()`.
pub fn sched_yield(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>) -> Result<()> {
    std::thread::yield_now();
    Ok(())
}

/// `random_get(buf, len)`.
pub fn random_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, buf: u32, len: u32) -> Result<()> {
    let out = mem.slice_mut(buf, len)?;
    ctx.random.fill(out)
}
