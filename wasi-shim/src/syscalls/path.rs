//! `path_*`: every call resolves its path relative to a directory fd with
//! [`crate::path::resolve`], which never leaves that directory.
//!
//! Errno order follows Linux: bad fd, then not-a-directory, then missing
//! rights, then lookup errors (`ENOENT`, `EEXIST`, …), and only then `EROFS`
//! for a read-only mount — so a read-only mount answers like a read-only
//! Linux filesystem. On such a mount the mutation rights are absent from the
//! fd; a mutation is refused with `EROFS` rather than `EBADF` (RATIONALE.md).

use super::dircap::{
    check_symlink_target, dir_cap, read_path, rofs, strip_trailing, tree_cap, Cap,
};
use super::fd::set_times;
use super::on_backend;
use crate::abi::{fdflags, lookupflags, oflags, rights, size};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};
use crate::fd::{FdEntry, FdKind, Handle};
use crate::fs::dir::Directory;
use crate::fs::tree::NodeKind;
use crate::memory::GuestMemory;
use crate::path::{resolve, resolve_for_create, Last};

/// `path_create_directory(fd, path)`.
pub fn path_create_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ptr: u32,
    len: u32,
) -> Result<()> {
    let cap = match dir_cap(ctx, fd, rights::PATH_CREATE_DIRECTORY)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let (path, _) = strip_trailing(read_path(mem, ptr, len)?);
            return on_backend::path_create_directory(ctx, &b, path);
        }
    };
    let (path, _) = strip_trailing(read_path(mem, ptr, len)?);
    let now = ctx.clocks.file_time();
    let mut t = cap.fs.lock();
    let r = resolve(&t, cap.ino, path, false)?;
    let name = r.name(Errno::Exist)?;
    if t.lookup(r.parent, name)?.is_some() {
        return Err(Errno::Exist);
    }
    rofs(&cap)?;
    ctx.charge_file()?;
    t.create(r.parent, name, NodeKind::Dir(Directory::new(r.parent)), now)?;
    Ok(())
}

/// `path_filestat_get(fd, flags, path, stat)`.
pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    ptr: u32,
    len: u32,
    out: u32,
) -> Result<()> {
    mem.check(out, size::FILESTAT)?;
    let cap = match dir_cap(ctx, fd, rights::PATH_FILESTAT_GET)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let path = read_path(mem, ptr, len)?;
            let stat = on_backend::path_filestat_get(&b, flags, path)?;
            return mem.write(out, &stat.encode());
        }
    };
    let path = read_path(mem, ptr, len)?;
    let t = cap.fs.lock();
    if flags & !lookupflags::SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    let r = resolve(&t, cap.ino, path, flags & lookupflags::SYMLINK_FOLLOW != 0)?;
    let stat = crate::stat::filestat(&t, r.existing(&t)?)?;
    drop(t);
    mem.write(out, &stat.encode())
}

/// `path_filestat_set_times(fd, flags, path, atim, mtim, fstflags)`.
pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    ptr: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> Result<()> {
    let cap = match dir_cap(ctx, fd, rights::PATH_FILESTAT_SET_TIMES)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let path = read_path(mem, ptr, len)?;
            let now = ctx.clocks.file_time();
            return on_backend::path_filestat_set_times(&b, flags, path, atim, mtim, fst, now);
        }
    };
    let path = read_path(mem, ptr, len)?;
    let now = ctx.clocks.file_time();
    let mut t = cap.fs.lock();
    let r = resolve(&t, cap.ino, path, flags & lookupflags::SYMLINK_FOLLOW != 0)?;
    let ino = r.existing(&t)?;
    rofs(&cap)?;
    set_times(&mut t, ino, atim, mtim, fst, now)
}

/// `path_link(old_fd, old_flags, old_path, new_fd, new_path)`.
pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_flags: u32,
    old_ptr: u32,
    old_len: u32,
    new_fd: u32,
    new_ptr: u32,
    new_len: u32,
) -> Result<()> {
    // Linux linkat: the old path is looked up completely first, then the
    // new name; "source is a directory" comes last.
    if old_flags & !lookupflags::SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    let src = match dir_cap(ctx, old_fd, rights::PATH_LINK_SOURCE)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let old_path = read_path(mem, old_ptr, old_len)?;
            let new_path = read_path(mem, new_ptr, new_len)?;
            return on_backend::path_link(ctx, &b, old_flags, old_path, new_fd, new_path);
        }
    };
    let old_path = read_path(mem, old_ptr, old_len)?;
    let target = {
        let t = src.fs.lock();
        let s = resolve(
            &t,
            src.ino,
            old_path,
            old_flags & lookupflags::SYMLINK_FOLLOW != 0,
        )?;
        s.existing(&t)?
    };
    let dst = tree_cap(ctx, new_fd, rights::PATH_LINK_TARGET)?;
    let (new_path, new_trailing) = strip_trailing(read_path(mem, new_ptr, new_len)?);
    if !src.fs.same(&dst.fs) {
        return Err(Errno::Xdev);
    }
    let now = ctx.clocks.file_time();
    let mut t = src.fs.lock();
    let d = resolve(&t, dst.ino, new_path, false)?;
    let name = d.name(Errno::Exist)?;
    if t.lookup(d.parent, name)?.is_some() {
        return Err(Errno::Exist);
    }
    if new_trailing {
        return Err(Errno::Noent);
    }
    if t.get(target)?.is_dir() {
        return Err(Errno::Perm);
    }
    rofs(&src)?;
    rofs(&dst)?;
    ctx.charge_file()?;
    t.link(d.parent, name, target, now)
}

/// `path_open(fd, dirflags, path, oflags, base, inheriting, fdflags, fd_out)`.
///
/// The new fd's access follows the open mode the requested rights express
/// (read, write), bounded only by what the guest itself took away from the
/// directory's inheriting rights with `fd_fdstat_set_rights`, the mount's
/// read-only flag and what the file type supports (RATIONALE.md, "rights").
/// Asking for more than that is not an error: the fd simply lacks it.
pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    ptr: u32,
    len: u32,
    oflags: u32,
    base: u64,
    inheriting: u64,
    fdflags: u32,
    out: u32,
) -> Result<()> {
    mem.check(out, 4)?;
    // Linux do_sys_openat2 checks the flags (build_open_flags) before it
    // looks at the dirfd: bad flags are EINVAL even on a file or bad fd.
    let oflags = u16::try_from(oflags).map_err(|_| Errno::Inval)?;
    let fdflags = u16::try_from(fdflags).map_err(|_| Errno::Inval)?;
    if oflags & !oflags::ALL != 0
        || fdflags & !fdflags::ALL != 0
        || dirflags & !lookupflags::SYMLINK_FOLLOW != 0
    {
        return Err(Errno::Inval);
    }
    // open(2) on Linux 6.4+: O_CREAT|O_DIRECTORY is refused before any lookup.
    if oflags & oflags::CREAT != 0 && oflags & oflags::DIRECTORY != 0 {
        return Err(Errno::Inval);
    }
    let any_cap = dir_cap(ctx, fd, rights::PATH_OPEN)?;
    let creat = oflags & oflags::CREAT != 0;
    let excl = oflags & oflags::EXCL != 0;
    let trunc = oflags & oflags::TRUNC != 0;
    let want_dir = oflags & oflags::DIRECTORY != 0;
    {
        let e = ctx.fds.get(fd)?;
        if !any_cap.read_only() {
            if creat {
                e.require(rights::PATH_CREATE_FILE)
                    .map_err(|_| Errno::Perm)?;
            }
            if trunc {
                e.require(rights::PATH_FILESTAT_SET_SIZE)
                    .map_err(|_| Errno::Perm)?;
            }
        }
    }
    // A full fd table is the open-files limit: record it (which ends the
    // run when the embedder asked for that), and the guest sees EMFILE.
    if let Err(e) = ctx.fds.check_room() {
        ctx.hit_limit(crate::budget::Limit::OpenFiles);
        return Err(e);
    }
    let path = read_path(mem, ptr, len)?;
    // The requested rights say only the open mode; the directory's
    // inheriting rights bound it (masked, not refused) and are whatever the
    // guest left of them with fd_fdstat_set_rights (RATIONALE.md, "rights").
    let requested = base & any_cap.inheriting();
    let wants_read = requested & rights::OPEN_READ != 0;
    let wants_write = requested & rights::OPEN_WRITE != 0;
    let writes_dir = requested & rights::WRITE_ACCESS != 0;
    let follow = dirflags & lookupflags::SYMLINK_FOLLOW != 0 && !(creat && excl);
    let cap = match any_cap {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let how = on_backend::Open {
                creat,
                excl,
                trunc,
                want_dir,
                follow,
                wants_write,
                writes_dir,
            };
            let (kind, is_dir) = on_backend::path_open(ctx, &b, path, how)?;
            let (new_base, new_inheriting) = open_rights(
                is_dir,
                false,
                wants_read,
                wants_write,
                inheriting,
                b.inheriting,
                b.read_only,
            );
            let entry = FdEntry {
                kind,
                base: new_base,
                inheriting: new_inheriting,
                flags: fdflags,
                read_only: b.read_only,
            };
            let new_fd = ctx.fds.insert(entry)?;
            return mem.write_u32(out, new_fd);
        }
    };

    let mut t = cap.fs.lock();
    // Linux open_last_lookups: O_CREAT on a name with a trailing slash is
    // EISDIR, whether it exists or not, and before a final symlink is followed.
    if creat
        && strip_trailing(path).1
        && matches!(
            resolve(&t, cap.ino, strip_trailing(path).0, false)?.last,
            Last::Name(_)
        )
    {
        return Err(Errno::Isdir);
    }
    let r = if creat {
        resolve_for_create(&t, cap.ino, path, follow)?
    } else {
        resolve(&t, cap.ino, path, follow)?
    };
    if creat && r.trailing_slash && matches!(r.last, Last::Name(_)) {
        // The same, for a followed symlink whose target ends in a slash.
        return Err(Errno::Isdir);
    }
    let ino = match r.target() {
        Some(ino) => {
            if creat && excl {
                return Err(Errno::Exist);
            }
            let node = t.get(ino)?;
            match &node.kind {
                NodeKind::Symlink(_) if want_dir => return Err(Errno::Notdir),
                NodeKind::Symlink(_) => return Err(Errno::Loop),
                NodeKind::Dir(_) => {
                    if trunc || writes_dir || creat {
                        return Err(Errno::Isdir);
                    }
                }
                NodeKind::File(_) | NodeKind::CharDevice(_) => {
                    if want_dir || r.trailing_slash {
                        return Err(Errno::Notdir);
                    }
                    if trunc || wants_write {
                        rofs(&cap)?;
                    }
                }
            }
            if trunc {
                let node = t.get_mut(ino)?;
                if let NodeKind::File(d) = &mut node.kind {
                    if !d.is_empty() {
                        // The clock is read only when a time is set: an
                        // open that changes nothing does not pay for it.
                        let now = ctx.clocks.file_time();
                        d.set_len(0)?;
                        node.mtim = now;
                        node.ctim = now;
                    }
                }
            }
            ino
        }
        None => {
            if !creat {
                return Err(Errno::Noent);
            }
            if r.trailing_slash {
                return Err(Errno::Isdir);
            }
            if want_dir {
                return Err(Errno::Inval);
            }
            let name = r.name(Errno::Exist)?;
            rofs(&cap)?;
            ctx.charge_file()?;
            let now = ctx.clocks.file_time();
            t.create(r.parent, name, NodeKind::File(Default::default()), now)?
        }
    };
    let node = t.get(ino)?;
    let device = matches!(node.kind, NodeKind::CharDevice(_));
    let is_dir = matches!(node.kind, NodeKind::Dir(_));
    let (new_base, new_inheriting) = open_rights(
        is_dir,
        device,
        wants_read,
        wants_write,
        inheriting,
        cap.inheriting,
        cap.read_only,
    );
    let handle = Handle::new_locked(cap.fs.clone(), &mut t, ino);
    drop(t);
    let kind = if is_dir {
        FdKind::Dir {
            handle,
            preopen: None,
        }
    } else {
        FdKind::File {
            handle,
            offset: 0,
            device,
        }
    };
    let entry = FdEntry {
        kind,
        base: new_base,
        inheriting: new_inheriting,
        flags: fdflags,
        read_only: cap.read_only,
    };
    let new_fd = ctx.fds.insert(entry)?;
    mem.write_u32(out, new_fd)
}

/// The rights of an fd `path_open` made: a directory gets every directory
/// right the parent may pass on, a file every right its type supports except
/// the read or write half its open mode leaves out; what else was or was not
/// requested does not matter.
fn open_rights(
    is_dir: bool,
    device: bool,
    wants_read: bool,
    wants_write: bool,
    inheriting: u64,
    parent_inheriting: u64,
    read_only: bool,
) -> (u64, u64) {
    let type_base = if is_dir {
        rights::DIRECTORY_BASE
    } else if device {
        rights::CHARACTER_DEVICE_BASE | rights::FD_SEEK | rights::FD_TELL
    } else {
        rights::REGULAR_FILE_BASE
    };
    let mut new_base = type_base & parent_inheriting;
    if !is_dir {
        if !wants_read {
            new_base &= !rights::OPEN_READ;
        }
        if !wants_write {
            new_base &= !rights::WRITE_ACCESS;
        }
    }
    let mut new_inheriting = if is_dir {
        rights::DIRECTORY_INHERITING & parent_inheriting
    } else {
        inheriting & parent_inheriting
    };
    if read_only {
        new_base &= !rights::MUTATING;
        new_inheriting &= rights::ALL;
    }
    (new_base, new_inheriting)
}

/// `path_readlink(fd, path, buf, buf_len, bufused)`: a short buffer gets
/// the first `buf_len` bytes of the target (as `readlink(2)`).
pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ptr: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> Result<()> {
    mem.check(buf, buf_len)?;
    mem.check(bufused, 4)?;
    let cap = match dir_cap(ctx, fd, rights::PATH_READLINK)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let path = read_path(mem, ptr, len)?;
            let target = on_backend::path_readlink(&b, path)?;
            let n = target.len().min(buf_len as usize);
            mem.write(buf, &target.as_bytes()[..n])?;
            return mem.write_u32(bufused, n as u32);
        }
    };
    let path = read_path(mem, ptr, len)?.to_owned();
    let t = cap.fs.lock();
    let r = resolve(&t, cap.ino, &path, false)?;
    let ino = r.existing(&t)?;
    let NodeKind::Symlink(target) = &t.get(ino)?.kind else {
        return Err(Errno::Inval);
    };
    let n = target.len().min(buf_len as usize);
    let bytes = target.as_bytes()[..n].to_vec();
    drop(t);
    mem.write(buf, &bytes)?;
    mem.write_u32(bufused, n as u32)
}

/// `path_remove_directory(fd, path)`.
pub fn path_remove_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ptr: u32,
    len: u32,
) -> Result<()> {
    let cap = match dir_cap(ctx, fd, rights::PATH_REMOVE_DIRECTORY)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let (path, _) = strip_trailing(read_path(mem, ptr, len)?);
            return on_backend::path_remove_directory(&b, path);
        }
    };
    let (path, _) = strip_trailing(read_path(mem, ptr, len)?);
    let now = ctx.clocks.file_time();
    let mut t = cap.fs.lock();
    let r = resolve(&t, cap.ino, path, false)?;
    let name = match &r.last {
        Last::Name(n) => &**n,
        Last::Dot => return Err(Errno::Inval),
        Last::DotDot(_) => return Err(Errno::Notempty),
    };
    let ino = t.lookup(r.parent, name)?.ok_or(Errno::Noent)?;
    if !t.get(ino)?.is_dir() {
        return Err(Errno::Notdir);
    }
    if !t.dir(ino)?.is_empty() {
        return Err(Errno::Notempty);
    }
    rofs(&cap)?;
    t.rmdir(r.parent, name, now).map(|_| ())
}

/// `path_rename(fd, old_path, new_fd, new_path)`.
pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    old_ptr: u32,
    old_len: u32,
    new_fd: u32,
    new_ptr: u32,
    new_len: u32,
) -> Result<()> {
    let src = match dir_cap(ctx, fd, rights::PATH_RENAME_SOURCE)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let old_path = read_path(mem, old_ptr, old_len)?;
            let new_path = read_path(mem, new_ptr, new_len)?;
            return on_backend::path_rename(ctx, &b, old_path, new_fd, new_path);
        }
    };
    let (old_path, old_trailing) = strip_trailing(read_path(mem, old_ptr, old_len)?);
    let (new_path, new_trailing) = strip_trailing(read_path(mem, new_ptr, new_len)?);
    let now = ctx.clocks.file_time();
    let mut t = src.fs.lock();
    // Linux do_renameat2: the old path's parent is looked up (ENOENT, …)
    // before the new dirfd is looked at (EBADF, ENOTDIR), then the new
    // path's parent; the names themselves only after both.
    let a = resolve(&t, src.ino, old_path, false)?;
    let dst = tree_cap(ctx, new_fd, rights::PATH_RENAME_TARGET)?;
    if !src.fs.same(&dst.fs) {
        return Err(Errno::Xdev);
    }
    let b = resolve(&t, dst.ino, new_path, false)?;
    let an = a.name(Errno::Busy)?;
    let bn = b.name(Errno::Busy)?;
    let ino = t.lookup(a.parent, an)?.ok_or(Errno::Noent)?;
    let is_dir = t.get(ino)?.is_dir();
    if (old_trailing || new_trailing) && !is_dir {
        return Err(Errno::Notdir);
    }
    rofs(&src)?;
    rofs(&dst)?;
    t.rename(a.parent, an, b.parent, bn, now)
}

/// `path_symlink(old_path, fd, new_path)`: the target text is stored as
/// given; an absolute or escaping target is refused when it is followed.
pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_ptr: u32,
    old_len: u32,
    fd: u32,
    new_ptr: u32,
    new_len: u32,
) -> Result<()> {
    let cap = match dir_cap(ctx, fd, rights::PATH_SYMLINK)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let target = read_path(mem, old_ptr, old_len)?;
            let new_path = read_path(mem, new_ptr, new_len)?;
            return on_backend::path_symlink(ctx, &b, target, new_path);
        }
    };
    let target = read_path(mem, old_ptr, old_len)?.to_owned();
    let new_raw = read_path(mem, new_ptr, new_len)?;
    let (new_path, trailing) = strip_trailing(new_raw);
    check_symlink_target(&target)?;
    let now = ctx.clocks.file_time();
    let mut t = cap.fs.lock();
    let r = resolve(&t, cap.ino, new_path, false)?;
    let name = r.name(Errno::Exist)?;
    if t.lookup(r.parent, name)?.is_some() {
        // "new/" must name a directory or a link to one, else its lookup's
        // error: ENOTDIR for a file, as POSIX symlink() says (Linux says
        // EEXIST; RATIONALE.md), ENOENT for a dangling link.
        if trailing {
            resolve(&t, cap.ino, new_raw, false)?.existing(&t)?;
        }
        return Err(Errno::Exist);
    }
    if trailing {
        return Err(Errno::Noent);
    }
    rofs(&cap)?;
    ctx.charge_file()?;
    t.create(r.parent, name, NodeKind::Symlink(target.into()), now)
        .map(|_| ())
}

/// `path_unlink_file(fd, path)`.
pub fn path_unlink_file(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ptr: u32,
    len: u32,
) -> Result<()> {
    let cap = match dir_cap(ctx, fd, rights::PATH_UNLINK_FILE)? {
        Cap::Tree(c) => c,
        Cap::Backend(b) => {
            let path = read_path(mem, ptr, len)?;
            return on_backend::path_unlink_file(&b, path);
        }
    };
    let (path, trailing) = strip_trailing(read_path(mem, ptr, len)?);
    let now = ctx.clocks.file_time();
    let mut t = cap.fs.lock();
    let r = resolve(&t, cap.ino, path, false)?;
    let name = r.name(Errno::Isdir)?;
    let ino = t.lookup(r.parent, name)?.ok_or(Errno::Noent)?;
    if trailing {
        // `unlink("x/")`: the slash asks for a directory, which unlink never
        // removes. Linux (do_unlinkat) looks at the entry itself, a symlink
        // is not followed: EISDIR for a directory, else ENOTDIR.
        return Err(if t.get(ino)?.is_dir() {
            Errno::Isdir
        } else {
            Errno::Notdir
        });
    }
    if t.get(ino)?.is_dir() {
        return Err(Errno::Isdir);
    }
    rofs(&cap)?;
    t.unlink(r.parent, name, now).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_are_split_off() {
        assert_eq!(strip_trailing("a/b//"), ("a/b", true));
        assert_eq!(strip_trailing("a"), ("a", false));
        assert_eq!(strip_trailing("///"), ("///", false));
    }
}
