//! `sock_*`: the context holds no sockets (the WASI layer has no network),
//! so on any open fd these fail with `ENOTSOCK`, as Linux does for a socket
//! call on a file; on a closed fd, `EBADF`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};
use crate::memory::GuestMemory;

fn not_a_socket(ctx: &WasiCtx, fd: u32) -> Result<()> {
    ctx.fds.get(fd)?;
    Err(Errno::Notsock)
}

/// `sock_accept(fd, flags, fd_out)`.
pub fn sock_accept(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _flags: u32,
    _out: u32,
) -> Result<()> {
    not_a_socket(ctx, fd)
}

/// `sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags)`.
pub fn sock_recv(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _iovs: u32,
    _iovs_len: u32,
    _flags: u32,
    _datalen: u32,
    _oflags: u32,
) -> Result<()> {
    not_a_socket(ctx, fd)
}

/// `sock_send(fd, si_data, si_data_len, si_flags, so_datalen)`.
pub fn sock_send(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _iovs: u32,
    _iovs_len: u32,
    _flags: u32,
    _datalen: u32,
) -> Result<()> {
    not_a_socket(ctx, fd)
}

/// `sock_shutdown(fd, how)`.
pub fn sock_shutdown(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _how: u32,
) -> Result<()> {
    not_a_socket(ctx, fd)
}
