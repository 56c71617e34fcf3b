//! `clock_res_get`, `clock_time_get`.

use crate::ctx::WasiCtx;
use crate::errno::Result;
use crate::memory::GuestMemory;

/// `clock_res_get(id, resolution)`.
pub fn clock_res_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    out: u32,
) -> Result<()> {
    mem.check(out, 8)?;
    let r = ctx.clocks.resolution(id)?;
    mem.write_u64(out, r)
}

/// `clock_time_get(id, precision, time)`. The precision hint is accepted and
/// ignored: the clocks are always read at full resolution.
pub fn clock_time_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    _precision: u64,
    out: u32,
) -> Result<()> {
    mem.check(out, 8)?;
    let t = ctx.clocks.now(id)?;
    mem.write_u64(out, t)
}
