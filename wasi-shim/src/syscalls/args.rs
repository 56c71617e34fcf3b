//! `args_*` and `environ_*`.

use super::write_string_list;
use crate::ctx::WasiCtx;
use crate::errno::Result;
use crate::memory::GuestMemory;

fn sizes(list: &[String]) -> (u32, u32) {
    let bytes: usize = list.iter().map(|s| s.len() + 1).sum();
    (list.len() as u32, bytes as u32)
}

/// `args_get(argv, argv_buf)`.
pub fn args_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, argv: u32, buf: u32) -> Result<()> {
    write_string_list(mem, &ctx.args, argv, buf)
}

/// `args_sizes_get(argc, argv_buf_size)`.
pub fn args_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    argc: u32,
    size: u32,
) -> Result<()> {
    let (n, bytes) = sizes(&ctx.args);
    mem.check(argc, 4)?;
    mem.check(size, 4)?;
    mem.write_u32(argc, n)?;
    mem.write_u32(size, bytes)
}

/// `environ_get(environ, environ_buf)`.
pub fn environ_get(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, env: u32, buf: u32) -> Result<()> {
    write_string_list(mem, &ctx.env, env, buf)
}

/// `environ_sizes_get(count, buf_size)`.
pub fn environ_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    count: u32,
    size: u32,
) -> Result<()> {
    let (n, bytes) = sizes(&ctx.env);
    mem.check(count, 4)?;
    mem.check(size, 4)?;
    mem.write_u32(count, n)?;
    mem.write_u32(size, bytes)
}
