//! `fd_*`.

use super::on_backend;
use crate::abi::{advice, fdflags, filetype, rights, size, whence, Fdstat, Filestat};
use crate::backend::SetTimes;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};
use crate::fd::FdKind;
use crate::fs::tree::{Ino, NodeKind, Tree};
use crate::fs::{Buffers, MAX_FILE_SIZE};
use crate::host_stdin::GiveUp;
use crate::memory::{GuestMemory, Iovecs};
use crate::stdio::OutputWrite;

/// A guest's iovecs as the buffers of a node read or write.
pub(crate) struct GuestBuffers<'m, 'a> {
    mem: &'m mut GuestMemory<'a>,
    iovs: &'m Iovecs,
}

impl Buffers for GuestBuffers<'_, '_> {
    fn count(&self) -> u32 {
        self.iovs.count()
    }

    fn buf(&self, i: u32) -> Result<&[u8]> {
        let (buf, len) = self.mem.iovec(self.iovs, i)?;
        self.mem.slice(buf, len)
    }

    fn buf_mut(&mut self, i: u32) -> Result<&mut [u8]> {
        let (buf, len) = self.mem.iovec(self.iovs, i)?;
        self.mem.slice_mut(buf, len)
    }
}

/// `fd_read(fd, iovs, iovs_len, nread)`.
pub fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    mem.check(nread, 4)?;
    let now = ctx.clocks.file_time();
    // A read of a stream that failed: its errno, and whether it gave up
    // waiting (deadline or interrupt).
    let mut failed = None;
    let WasiCtx {
        fds,
        random,
        interrupt,
        deadline,
        ..
    } = ctx;
    let e = fds.get_mut(fd)?;
    if e.is_dir() {
        return Err(Errno::Isdir);
    }
    e.require(rights::FD_READ)?;
    let n = match &mut e.kind {
        FdKind::File { handle, offset, .. } => {
            let mut t = handle.fs.lock();
            let mut bufs = GuestBuffers { mem, iovs: &iovs };
            let n = t.read_node(handle.ino, *offset, &mut bufs, random, now)?;
            *offset += n;
            n
        }
        FdKind::BackendFile { file, offset, .. } => {
            let mut bufs = GuestBuffers { mem, iovs: &iovs };
            let n = on_backend::read(&**file, *offset, &mut bufs)?;
            *offset += n;
            n
        }
        FdKind::Input(input) => {
            let mut done = 0u64;
            for i in 0..iovs.count() {
                let (buf, len) = mem.iovec(&iovs, i)?;
                let out = mem.slice_mut(buf, len)?;
                if out.is_empty() {
                    continue;
                }
                let give_up = GiveUp {
                    interrupt: interrupt.as_deref(),
                    deadline: *deadline,
                };
                match input.read(out, give_up) {
                    Ok(n) => done += n as u64,
                    Err(e) => {
                        let waited_out = e.kind() == std::io::ErrorKind::Interrupted;
                        failed = Some((io_errno(&e), waited_out));
                    }
                }
                // Like readv on a pipe: return what one read gave.
                break;
            }
            done
        }
        FdKind::Output { .. } => return Err(Errno::Badf),
        FdKind::Dir { .. } | FdKind::BackendDir { .. } => return Err(Errno::Isdir),
    };
    if let Some((errno, waited_out)) = failed {
        // A read that stopped waiting at the run's deadline or interrupt
        // ends the run as a sleep there would.
        if waited_out {
            ctx.abort_if_waited_out();
        }
        return Err(errno);
    }
    mem.write_u32(nread, n as u32)
}

/// `fd_pread(fd, iovs, iovs_len, offset, nread)`.
pub fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    mem.check(nread, 4)?;
    let now = ctx.clocks.file_time();
    let WasiCtx { fds, random, .. } = ctx;
    let e = fds.get(fd)?;
    match &e.kind {
        FdKind::Dir { .. } | FdKind::BackendDir { .. } => return Err(Errno::Isdir),
        FdKind::Input(_) | FdKind::Output { .. } => return Err(Errno::Spipe),
        FdKind::File { .. } | FdKind::BackendFile { .. } => {}
    }
    e.require(rights::FD_READ | rights::FD_SEEK)?;
    if offset > i64::MAX as u64 {
        return Err(Errno::Inval);
    }
    let handle = match &e.kind {
        FdKind::File { handle, .. } => handle,
        FdKind::BackendFile { file, .. } => {
            let mut bufs = GuestBuffers { mem, iovs: &iovs };
            let n = on_backend::read(&**file, offset, &mut bufs)?;
            return mem.write_u32(nread, n as u32);
        }
        _ => unreachable!("checked above"),
    };
    let mut t = handle.fs.lock();
    let mut bufs = GuestBuffers { mem, iovs: &iovs };
    let n = t.read_node(handle.ino, offset, &mut bufs, random, now)?;
    drop(t);
    mem.write_u32(nread, n as u32)
}

fn io_errno(e: &std::io::Error) -> Errno {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => Errno::Pipe,
        std::io::ErrorKind::WouldBlock => Errno::Again,
        std::io::ErrorKind::Interrupted => Errno::Intr,
        _ => Errno::Io,
    }
}

/// `fd_write(fd, iovs, iovs_len, nwritten)`.
pub fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    mem.check(nwritten, 4)?;
    let total = mem.iovecs_total(&iovs)?;
    let e = ctx.fds.get(fd)?;
    if e.is_dir() {
        return Err(Errno::Badf);
    }
    e.require(rights::FD_WRITE)?;
    let is_file =
        matches!(e.kind, FdKind::File { .. } | FdKind::BackendFile { .. }) && !e.is_device();
    if is_file {
        ctx.charge_bytes(total)?;
    }
    let now = ctx.clocks.file_time();
    let e = ctx.fds.get_mut(fd)?;
    let append = e.flags & fdflags::APPEND != 0;
    let mut cap_reached = None;
    let n = match &mut e.kind {
        FdKind::File { handle, offset, .. } => {
            let bufs = GuestBuffers { mem, iovs: &iovs };
            let (n, end) = handle
                .fs
                .write_node(handle.ino, *offset, append, total, &bufs, now)?;
            *offset = end;
            n
        }
        FdKind::BackendFile { file, offset, .. } => {
            let bufs = GuestBuffers { mem, iovs: &iovs };
            let (n, end) = on_backend::write(&**file, *offset, append, total, &bufs)?;
            *offset = end;
            n
        }
        FdKind::Output { out, limit } => {
            for i in 0..iovs.count() {
                let (buf, len) = mem.iovec(&iovs, i)?;
                if len == 0 {
                    continue;
                }
                if out.write(mem.slice(buf, len)?).map_err(|e| io_errno(&e))?
                    == OutputWrite::CapReached
                {
                    cap_reached = Some(*limit);
                }
            }
            total
        }
        FdKind::Input(_) => return Err(Errno::Badf),
        FdKind::Dir { .. } | FdKind::BackendDir { .. } => return Err(Errno::Badf),
    };
    if let Some(limit) = cap_reached {
        ctx.hit_limit(limit);
    }
    mem.write_u32(nwritten, n as u32)
}

/// `fd_pwrite(fd, iovs, iovs_len, offset, nwritten)`. On an `APPEND` fd the
/// data goes to the end of the file whatever the offset, as on Linux.
pub fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, iovs_len)?;
    mem.check(nwritten, 4)?;
    let total = mem.iovecs_total(&iovs)?;
    let e = ctx.fds.get(fd)?;
    match &e.kind {
        FdKind::Dir { .. } | FdKind::BackendDir { .. } => return Err(Errno::Badf),
        FdKind::Input(_) | FdKind::Output { .. } => return Err(Errno::Spipe),
        FdKind::File { .. } | FdKind::BackendFile { .. } => {}
    }
    e.require(rights::FD_WRITE | rights::FD_SEEK)?;
    if offset > i64::MAX as u64 {
        return Err(Errno::Inval);
    }
    if !e.is_device() {
        ctx.charge_bytes(total)?;
    }
    let now = ctx.clocks.file_time();
    let e = ctx.fds.get(fd)?;
    let append = e.flags & fdflags::APPEND != 0;
    let bufs = GuestBuffers { mem, iovs: &iovs };
    let handle = match &e.kind {
        FdKind::File { handle, .. } => handle,
        FdKind::BackendFile { file, .. } => {
            let (n, _) = on_backend::write(&**file, offset, append, total, &bufs)?;
            return mem.write_u32(nwritten, n as u32);
        }
        _ => unreachable!("checked above"),
    };
    let (n, _) = handle
        .fs
        .write_node(handle.ino, offset, append, total, &bufs, now)?;
    mem.write_u32(nwritten, n as u32)
}

/// `fd_seek(fd, offset, whence, newoffset)`.
pub fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    delta: i64,
    wh: u32,
    out: u32,
) -> Result<()> {
    mem.check(out, 8)?;
    let e = ctx.fds.get_mut(fd)?;
    if let FdKind::Input(_) | FdKind::Output { .. } = e.kind {
        return Err(Errno::Spipe);
    }
    let needed = if wh == u32::from(whence::CUR) && delta == 0 {
        rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    if e.require(needed).is_err() {
        e.require(rights::FD_SEEK)?;
    }
    let (handle, offset) = match &mut e.kind {
        FdKind::File { handle, offset, .. } => (handle, offset),
        FdKind::BackendFile { file, offset, .. } => {
            let end = match u8::try_from(wh).map_err(|_| Errno::Inval)? {
                whence::SET => 0,
                whence::CUR => i128::from(*offset),
                whence::END => i128::from(file.len()?),
                _ => return Err(Errno::Inval),
            };
            let new = seek_to(end, delta)?;
            *offset = new;
            return mem.write_u64(out, new);
        }
        _ => return Err(Errno::Badf),
    };
    let t = handle.fs.lock();
    let node = t.get(handle.ino)?;
    if let NodeKind::CharDevice(_) = node.kind {
        drop(t);
        if wh > u32::from(whence::END) {
            return Err(Errno::Inval);
        }
        return mem.write_u64(out, 0);
    }
    let base: i128 = match u8::try_from(wh).map_err(|_| Errno::Inval)? {
        whence::SET => 0,
        whence::CUR => i128::from(*offset),
        whence::END => i128::from(node.size()),
        _ => return Err(Errno::Inval),
    };
    drop(t);
    let new = seek_to(base, delta)?;
    *offset = new;
    mem.write_u64(out, new)
}

/// The offset `delta` bytes from `base`: `EINVAL` before 0, `EOVERFLOW`
/// past what an `off_t` holds.
fn seek_to(base: i128, delta: i64) -> Result<u64> {
    let new = base + i128::from(delta);
    if new < 0 {
        return Err(Errno::Inval);
    }
    if new > i128::from(i64::MAX) {
        return Err(Errno::Overflow);
    }
    Ok(new as u64)
}

/// `fd_tell(fd, offset)`.
pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> Result<()> {
    mem.check(out, 8)?;
    let e = ctx.fds.get(fd)?;
    if let FdKind::Input(_) | FdKind::Output { .. } = e.kind {
        return Err(Errno::Spipe);
    }
    e.require(rights::FD_TELL)?;
    match &e.kind {
        FdKind::File { offset, .. } | FdKind::BackendFile { offset, .. } => {
            mem.write_u64(out, *offset)
        }
        _ => Err(Errno::Badf),
    }
}

/// `fd_close(fd)`.
pub fn fd_close(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<()> {
    let entry = ctx.fds.remove(fd)?;
    drop(entry);
    Ok(())
}

/// `fd_renumber(from, to)`: `to` is closed and `from` takes its number.
pub fn fd_renumber(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    from: u32,
    to: u32,
) -> Result<()> {
    let old = ctx.fds.renumber(from, to)?;
    drop(old);
    Ok(())
}

fn sync_like(ctx: &mut WasiCtx, fd: u32, right: u64) -> Result<()> {
    let e = ctx.fds.get(fd)?;
    if let FdKind::Input(_) | FdKind::Output { .. } = e.kind {
        // fsync on a pipe or terminal: Linux says EINVAL.
        return Err(Errno::Inval);
    }
    e.require(right)
}

/// `fd_datasync(fd)`: memory is always in sync.
pub fn fd_datasync(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<()> {
    sync_like(ctx, fd, rights::FD_DATASYNC)
}

/// `fd_sync(fd)`: memory is always in sync.
pub fn fd_sync(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<()> {
    sync_like(ctx, fd, rights::FD_SYNC)
}

/// `fd_advise(fd, offset, len, advice)`: validated, then nothing to do.
pub fn fd_advise(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
    adv: u32,
) -> Result<()> {
    let e = ctx.fds.get(fd)?;
    if let FdKind::Input(_) | FdKind::Output { .. } = e.kind {
        return Err(Errno::Spipe);
    }
    e.require(rights::FD_ADVISE)?;
    if adv > u32::from(advice::NOREUSE) || offset > i64::MAX as u64 || len > i64::MAX as u64 {
        return Err(Errno::Inval);
    }
    Ok(())
}

/// `fd_allocate(fd, offset, len)`: extends the file to `offset + len` if it
/// is shorter (`posix_fallocate`).
pub fn fd_allocate(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
) -> Result<()> {
    let e = ctx.fds.get(fd)?;
    // Linux vfs_fallocate: a bad range is EINVAL before the fd's mode or
    // type is looked at (a directory, never open for writing, is EBADF).
    if len == 0 || offset > i64::MAX as u64 || len > i64::MAX as u64 {
        return Err(Errno::Inval);
    }
    match &e.kind {
        FdKind::Input(_) | FdKind::Output { .. } => return Err(Errno::Spipe),
        FdKind::Dir { .. } | FdKind::BackendDir { .. } => return Err(Errno::Badf),
        FdKind::File { .. } | FdKind::BackendFile { .. } => {}
    }
    e.require(rights::FD_ALLOCATE)?;
    let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
    if end > MAX_FILE_SIZE {
        return Err(Errno::Fbig);
    }
    resize_file(ctx, fd, Resize::AtLeast(end), Errno::Nodev)
}

/// `fd_fdstat_get(fd, stat)`.
pub fn fd_fdstat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> Result<()> {
    mem.check(out, size::FDSTAT)?;
    let e = ctx.fds.get(fd)?;
    let stat = Fdstat {
        filetype: e.filetype(),
        flags: e.flags,
        rights_base: e.base,
        rights_inheriting: e.inheriting,
    };
    mem.write(out, &stat.encode())
}

/// `fd_fdstat_set_flags(fd, flags)`. Every defined flag is stored and
/// honoured; `SYNC`/`DSYNC`/`RSYNC` cost nothing in memory.
pub fn fd_fdstat_set_flags(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
) -> Result<()> {
    let e = ctx.fds.get_mut(fd)?;
    e.require(rights::FD_FDSTAT_SET_FLAGS)?;
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    e.flags = flags;
    Ok(())
}

/// `fd_fdstat_set_rights(fd, base, inheriting)`: rights can only shrink.
pub fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> Result<()> {
    let e = ctx.fds.get_mut(fd)?;
    if base & !e.base != 0 || inheriting & !e.inheriting != 0 {
        return Err(Errno::Notcapable);
    }
    e.base = base;
    e.inheriting = inheriting;
    Ok(())
}

/// `fd_filestat_get(fd, stat)`.
pub fn fd_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> Result<()> {
    mem.check(out, size::FILESTAT)?;
    let e = ctx.fds.get(fd)?;
    e.require(rights::FD_FILESTAT_GET)?;
    let stat = match &e.kind {
        FdKind::File { handle, .. } | FdKind::Dir { handle, .. } => {
            crate::stat::filestat(&handle.fs.lock(), handle.ino)?
        }
        FdKind::BackendFile { file, dev, .. } => on_backend::filestat(*dev, file.stat()?),
        FdKind::BackendDir { dir, dev, .. } => on_backend::filestat(*dev, dir.stat_self()?),
        FdKind::Input(_) | FdKind::Output { .. } => Filestat {
            filetype: e.filetype(),
            nlink: 1,
            ..Default::default()
        },
    };
    mem.write(out, &stat.encode())
}

/// `fd_filestat_set_size(fd, size)` (`ftruncate`).
pub fn fd_filestat_set_size(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    len: u64,
) -> Result<()> {
    let e = ctx.fds.get(fd)?;
    match &e.kind {
        // ftruncate(2) on anything but a regular file: EINVAL on Linux.
        FdKind::Input(_)
        | FdKind::Output { .. }
        | FdKind::Dir { .. }
        | FdKind::BackendDir { .. } => return Err(Errno::Inval),
        FdKind::File { .. } | FdKind::BackendFile { .. } => {}
    }
    // ftruncate(2) of an fd not open for writing: EINVAL on Linux.
    e.require(rights::FD_FILESTAT_SET_SIZE)
        .map_err(|_| Errno::Inval)?;
    if len > i64::MAX as u64 {
        return Err(Errno::Inval);
    }
    if len > MAX_FILE_SIZE {
        return Err(Errno::Fbig);
    }
    resize_file(ctx, fd, Resize::To(len), Errno::Inval)
}

/// How [`resize_file`] changes a file's length.
#[derive(Clone, Copy)]
enum Resize {
    /// Grow it to at least this many bytes (`fd_allocate`).
    AtLeast(u64),
    /// Make it exactly this long (`fd_filestat_set_size`).
    To(u64),
}

/// Resizes the regular file open as `fd` (its fd kind and rights checked
/// by the caller), charging the growth to the write budget, under one lock
/// of the tree. `not_a_file` is the errno when the node is something else.
fn resize_file(ctx: &mut WasiCtx, fd: u32, resize: Resize, not_a_file: Errno) -> Result<()> {
    let WasiCtx {
        fds,
        budget,
        clocks,
        ..
    } = ctx;
    let charged = {
        let handle = match &fds.get(fd)?.kind {
            FdKind::File { handle, .. } => handle,
            FdKind::BackendFile { file, .. } => {
                let len = file.len()?;
                let (Resize::AtLeast(target) | Resize::To(target)) = resize;
                let charged = budget.charge_bytes(target.saturating_sub(len));
                if charged.is_ok() && (matches!(resize, Resize::To(_)) || target > len) {
                    file.set_len(target)?;
                }
                return charged.map_err(|limit| {
                    ctx.hit_limit(limit);
                    Errno::Nospc
                });
            }
            _ => return Err(not_a_file),
        };
        let mut t = handle.fs.lock();
        let len = t.file_len(handle.ino)?.ok_or(not_a_file)?;
        let (Resize::AtLeast(target) | Resize::To(target)) = resize;
        let charged = budget.charge_bytes(target.saturating_sub(len));
        if charged.is_ok() {
            let now = clocks.file_time();
            if matches!(resize, Resize::To(_)) || target > len {
                t.set_file_len(handle.ino, target, now)?;
            }
        }
        charged
    };
    charged.map_err(|limit| {
        ctx.hit_limit(limit);
        Errno::Nospc
    })
}

/// Applies `fstflags` to an inode (shared by `fd_` and `path_filestat_set_times`).
pub(crate) fn set_times(
    tree: &mut Tree,
    ino: Ino,
    atim: u64,
    mtim: u64,
    flags: u32,
    now: u64,
) -> Result<()> {
    let times = SetTimes::from_fstflags(atim, mtim, flags, now)?;
    tree.set_times(ino, times.atim, times.mtim, now)
}

/// `fd_filestat_set_times(fd, atim, mtim, fstflags)`.
pub fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<()> {
    let now = ctx.clocks.file_time();
    let e = ctx.fds.get(fd)?;
    e.require(rights::FD_FILESTAT_SET_TIMES)?;
    match &e.kind {
        FdKind::File { handle, .. } | FdKind::Dir { handle, .. } => {
            set_times(&mut handle.fs.lock(), handle.ino, atim, mtim, flags, now)
        }
        FdKind::BackendFile { file, .. } => {
            file.set_times(SetTimes::from_fstflags(atim, mtim, flags, now)?)
        }
        FdKind::BackendDir { dir, .. } => {
            dir.set_times_self(SetTimes::from_fstflags(atim, mtim, flags, now)?)
        }
        FdKind::Input(_) | FdKind::Output { .. } => Ok(()),
    }
}

/// `fd_prestat_get(fd, prestat)`.
pub fn fd_prestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> Result<()> {
    mem.check(out, size::PRESTAT)?;
    match ctx.fds.get(fd)?.preopen() {
        Some(name) => {
            let mut b = [0u8; 8];
            b[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
            mem.write(out, &b)
        }
        _ => Err(Errno::Badf),
    }
}

/// `fd_prestat_dir_name(fd, path, path_len)`: `ENAMETOOLONG` if the buffer
/// is shorter than the name (it would be silently truncated otherwise).
pub fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    len: u32,
) -> Result<()> {
    match ctx.fds.get(fd)?.preopen() {
        Some(name) => {
            if (len as usize) < name.len() {
                return Err(Errno::Nametoolong);
            }
            mem.write(buf, name.as_bytes())
        }
        _ => Err(Errno::Badf),
    }
}

/// The guest's readdir buffer, filled one dirent at a time; a last entry
/// that does not fit is cut at the buffer's end.
struct DirentWriter<'o> {
    out: &'o mut [u8],
    used: usize,
}

impl<'o> DirentWriter<'o> {
    fn new(out: &'o mut [u8]) -> Self {
        DirentWriter { out, used: 0 }
    }

    /// Writes one entry; `false` once the buffer is full.
    fn put(&mut self, next: u64, ino: u64, ftype: u8, name: &str) -> bool {
        let header = crate::abi::encode_dirent(next, ino, name.len() as u32, ftype);
        for part in [&header[..], name.as_bytes()] {
            let room = self.out.len() - self.used;
            let n = room.min(part.len());
            self.out[self.used..self.used + n].copy_from_slice(&part[..n]);
            self.used += n;
            if n < part.len() {
                return false;
            }
        }
        true
    }
}

/// `fd_readdir(fd, buf, buf_len, cookie, bufused)`: `.` and `..` first, then
/// the entries in cookie order; a last entry that does not fit is truncated
/// so that `bufused == buf_len` tells the caller to grow its buffer.
pub fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> Result<()> {
    mem.check(buf, buf_len)?;
    mem.check(bufused, 4)?;
    let e = ctx.fds.get_mut(fd)?;
    // The kind decides the errno before the rights do.
    let allowed = e.require(rights::FD_READDIR);
    let handle = match &mut e.kind {
        FdKind::Dir { handle, .. } => &*handle,
        FdKind::BackendDir { dir, cookies, .. } => {
            allowed?;
            let mut w = DirentWriter::new(mem.slice_mut(buf, buf_len)?);
            on_backend::readdir(&**dir, cookies, cookie, |next, ino, ftype, name| {
                w.put(next, ino, ftype, name)
            })?;
            let used = w.used;
            return mem.write_u32(bufused, used as u32);
        }
        FdKind::File { .. } | FdKind::BackendFile { .. } => return Err(Errno::Notdir),
        _ => return Err(Errno::Badf),
    };
    allowed?;
    let t = handle.fs.lock();
    let node = t.get(handle.ino)?;
    let dir = node.as_dir().ok_or(Errno::Notdir)?;
    let mut w = DirentWriter::new(mem.slice_mut(buf, buf_len)?);
    // getdents(2) on a directory removed while open: ENOENT (Linux).
    if node.nlink == 0 {
        return Err(Errno::Noent);
    }
    {
        let mut more = true;
        if cookie == 0 {
            more = w.put(1, handle.ino, filetype::DIRECTORY, ".");
        }
        if more && cookie <= 1 {
            more = w.put(2, dir.parent, filetype::DIRECTORY, "..");
        }
        if more {
            for (next, name, ino) in dir.entries_after(cookie) {
                let ftype = t
                    .get(ino)
                    .map(crate::stat::filetype)
                    .unwrap_or(filetype::UNKNOWN);
                if !w.put(next, ino, ftype, name) {
                    break;
                }
            }
        }
    }
    let used = w.used;
    drop(t);
    mem.write_u32(bufused, used as u32)
}
