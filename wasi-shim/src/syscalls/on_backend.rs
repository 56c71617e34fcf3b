//! The `path_*` and `fd_*` calls on the fds of a backend's mount
//! ([`crate::backend`]): the same checks, in the same order, with the same
//! errnos as the calls on a tree (`syscalls::path`, `syscalls::fd`), but
//! every path walked by [`backend::resolve`] and every change made by the
//! backend, one entry name at a time.
//!
//! The calls of those modules check the fd, its rights and the guest's
//! arguments, then hand a [`BackendCap`] (or an open [`BackendFile`]) and
//! the paths, already read from guest memory, to the functions here.

use super::dircap::{check_symlink_target, dir_cap, strip_trailing, BackendCap, Cap};
use crate::abi::{filetype, lookupflags, rights, Filestat};
use crate::backend::{self, BackendFile, OpenFile, ReaddirCookies, Resolved, SetTimes, Stat};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};
use crate::fd::FdKind;
use crate::fs::{write_start, Buffers, FileKind};
use std::sync::Arc;

/// What `path_open` asks for, its flags and rights decoded.
#[derive(Debug, Clone, Copy)]
pub(super) struct Open {
    pub creat: bool,
    pub excl: bool,
    pub trunc: bool,
    pub want_dir: bool,
    pub follow: bool,
    pub wants_write: bool,
    pub writes_dir: bool,
}

/// The WASI file type of a backend entry.
pub(super) fn filetype_of(kind: FileKind) -> u8 {
    match kind {
        FileKind::File => filetype::REGULAR_FILE,
        FileKind::Dir => filetype::DIRECTORY,
        FileKind::Symlink => filetype::SYMBOLIC_LINK,
        FileKind::CharDevice => filetype::CHARACTER_DEVICE,
    }
}

/// The guest's `filestat` of `stat`, on device `dev`.
pub(super) fn filestat(dev: u64, stat: Stat) -> Filestat {
    Filestat {
        dev,
        ino: stat.ino,
        filetype: filetype_of(stat.kind),
        nlink: stat.nlink,
        size: stat.len,
        atim: stat.atim,
        mtim: stat.mtim,
        ctim: stat.ctim,
    }
}

/// What a resolved path names; `ENOENT` if nothing, `ENOTDIR` if a
/// trailing slash asked for a directory and it is something else.
fn existing(r: &Resolved<'_>) -> Result<Stat> {
    let stat = match &r.name {
        Some(name) => r.dir.stat(name)?,
        None => r.dir.stat_self()?,
    };
    if r.trailing_slash && stat.kind != FileKind::Dir {
        return Err(Errno::Notdir);
    }
    Ok(stat)
}

/// The backend directory `fd` refers to, for the second path of
/// `path_link` / `path_rename`: a tree's is another filesystem (`EXDEV`).
fn second_cap(ctx: &WasiCtx, fd: u32, right: u64) -> Result<BackendCap> {
    match dir_cap(ctx, fd, right)? {
        Cap::Backend(b) => Ok(b),
        Cap::Tree(_) => Err(Errno::Xdev),
    }
}

/// `path_create_directory` (`path` without its trailing slashes).
pub(super) fn path_create_directory(ctx: &mut WasiCtx, cap: &BackendCap, path: &str) -> Result<()> {
    let r = backend::resolve(&*cap.dir, path, false)?;
    let name = r.name.as_deref().ok_or(Errno::Exist)?;
    if r.entry().is_some() {
        return Err(Errno::Exist);
    }
    cap.rofs()?;
    ctx.charge_file()?;
    r.dir.create_dir(name)
}

/// `path_filestat_get`.
pub(super) fn path_filestat_get(cap: &BackendCap, flags: u32, path: &str) -> Result<Filestat> {
    if flags & !lookupflags::SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    let follow = flags & lookupflags::SYMLINK_FOLLOW != 0;
    let r = backend::resolve(&*cap.dir, path, follow)?;
    Ok(filestat(cap.dev, existing(&r)?))
}

/// `path_filestat_set_times`.
pub(super) fn path_filestat_set_times(
    cap: &BackendCap,
    flags: u32,
    path: &str,
    atim: u64,
    mtim: u64,
    fst: u32,
    now: u64,
) -> Result<()> {
    let follow = flags & lookupflags::SYMLINK_FOLLOW != 0;
    let r = backend::resolve(&*cap.dir, path, follow)?;
    existing(&r)?;
    cap.rofs()?;
    let times = SetTimes::from_fstflags(atim, mtim, fst, now)?;
    match &r.name {
        Some(name) => r.dir.set_times(name, times),
        None => r.dir.set_times_self(times),
    }
}

/// `path_link`: the old path looked up completely first, then the new
/// name; "source is a directory" comes last (Linux `linkat`).
pub(super) fn path_link(
    ctx: &mut WasiCtx,
    cap: &BackendCap,
    old_flags: u32,
    old_path: &str,
    new_fd: u32,
    new_path: &str,
) -> Result<()> {
    let follow = old_flags & lookupflags::SYMLINK_FOLLOW != 0;
    let s = backend::resolve(&*cap.dir, old_path, follow)?;
    let source = existing(&s)?;
    let dst = second_cap(ctx, new_fd, rights::PATH_LINK_TARGET)?;
    let (new_path, new_trailing) = strip_trailing(new_path);
    let d = backend::resolve(&*dst.dir, new_path, false)?;
    let name = d.name.as_deref().ok_or(Errno::Exist)?;
    if d.entry().is_some() {
        return Err(Errno::Exist);
    }
    if new_trailing {
        return Err(Errno::Noent);
    }
    if source.kind == FileKind::Dir {
        return Err(Errno::Perm);
    }
    cap.rofs()?;
    dst.rofs()?;
    ctx.charge_file()?;
    // A path that names its directory itself names a directory: refused above.
    let from = s.name.as_deref().ok_or(Errno::Perm)?;
    s.dir.hard_link(from, &*d.dir, name)
}

/// `path_open`: the new fd's kind, and whether it is a directory.
pub(super) fn path_open(
    ctx: &mut WasiCtx,
    cap: &BackendCap,
    path: &str,
    how: Open,
) -> Result<(FdKind, bool)> {
    let start = &*cap.dir;
    // Linux open_last_lookups: O_CREAT on a name with a trailing slash is
    // EISDIR, whether it exists or not, and before a final symlink is followed.
    let (stripped, slash) = strip_trailing(path);
    if how.creat && slash && backend::resolve(start, stripped, false)?.name.is_some() {
        return Err(Errno::Isdir);
    }
    let r = if how.creat {
        backend::resolve_for_create(start, path, how.follow)?
    } else {
        backend::resolve(start, path, how.follow)?
    };
    if how.creat && r.trailing_slash && r.name.is_some() {
        // The same, for a followed symlink whose target ends in a slash.
        return Err(Errno::Isdir);
    }
    let dir_fd = |dir: Box<dyn backend::BackendDir>| {
        Ok((
            FdKind::BackendDir {
                dir: Arc::from(dir),
                dev: cap.dev,
                preopen: None,
                cookies: ReaddirCookies::new(),
            },
            true,
        ))
    };
    let Some(name) = r.name.as_deref() else {
        // `.` or `..`: the directory the walk ended in.
        if how.creat && how.excl {
            return Err(Errno::Exist);
        }
        if how.trunc || how.writes_dir || how.creat {
            return Err(Errno::Isdir);
        }
        return dir_fd(r.dir.try_clone()?);
    };
    let file = match r.entry() {
        Some(meta) => {
            if how.creat && how.excl {
                return Err(Errno::Exist);
            }
            match meta.kind {
                FileKind::Symlink if how.want_dir => return Err(Errno::Notdir),
                FileKind::Symlink => return Err(Errno::Loop),
                FileKind::Dir => {
                    if how.trunc || how.writes_dir || how.creat {
                        return Err(Errno::Isdir);
                    }
                    return dir_fd(r.dir.open_dir(name)?);
                }
                FileKind::File | FileKind::CharDevice => {
                    if how.want_dir || r.trailing_slash {
                        return Err(Errno::Notdir);
                    }
                    if how.trunc || how.wants_write {
                        cap.rofs()?;
                    }
                    r.dir.open_file(
                        name,
                        OpenFile {
                            create: false,
                            exclusive: false,
                            truncate: how.trunc,
                            write: how.wants_write,
                        },
                    )?
                }
            }
        }
        None => {
            if !how.creat {
                return Err(Errno::Noent);
            }
            if r.trailing_slash {
                return Err(Errno::Isdir);
            }
            if how.want_dir {
                return Err(Errno::Inval);
            }
            cap.rofs()?;
            ctx.charge_file()?;
            r.dir.open_file(
                name,
                OpenFile {
                    create: true,
                    exclusive: how.excl,
                    truncate: how.trunc,
                    write: true,
                },
            )?
        }
    };
    Ok((
        FdKind::BackendFile {
            file: Arc::from(file),
            dev: cap.dev,
            offset: 0,
        },
        false,
    ))
}

/// `path_readlink`: the whole target (the caller cuts it to the buffer).
pub(super) fn path_readlink(cap: &BackendCap, path: &str) -> Result<String> {
    let r = backend::resolve(&*cap.dir, path, false)?;
    existing(&r)?;
    let name = r.name.as_deref().ok_or(Errno::Inval)?;
    r.dir.read_link(name)
}

/// The last component of `path` (`.` or `..` when the walk ended in a
/// directory itself).
fn last_component(path: &str) -> &str {
    path.rsplit('/').find(|c| !c.is_empty()).unwrap_or("")
}

/// `path_remove_directory` (`path` without its trailing slashes).
pub(super) fn path_remove_directory(cap: &BackendCap, path: &str) -> Result<()> {
    let r = backend::resolve(&*cap.dir, path, false)?;
    let Some(name) = r.name.as_deref() else {
        return Err(if last_component(path) == "." {
            Errno::Inval
        } else {
            Errno::Notempty
        });
    };
    let meta = r.entry().ok_or(Errno::Noent)?;
    if meta.kind != FileKind::Dir {
        return Err(Errno::Notdir);
    }
    if !r.dir.open_dir(name)?.entries()?.is_empty() {
        return Err(Errno::Notempty);
    }
    cap.rofs()?;
    r.dir.remove_dir(name)
}

/// `path_rename`: the old path's parent is looked up before the new fd is
/// looked at, then the new path's parent; the names only after both
/// (Linux `do_renameat2`).
pub(super) fn path_rename(
    ctx: &mut WasiCtx,
    cap: &BackendCap,
    old_path: &str,
    new_fd: u32,
    new_path: &str,
) -> Result<()> {
    let (old_path, old_trailing) = strip_trailing(old_path);
    let (new_path, new_trailing) = strip_trailing(new_path);
    let a = backend::resolve(&*cap.dir, old_path, false)?;
    let dst = second_cap(ctx, new_fd, rights::PATH_RENAME_TARGET)?;
    let b = backend::resolve(&*dst.dir, new_path, false)?;
    let an = a.name.as_deref().ok_or(Errno::Busy)?;
    let bn = b.name.as_deref().ok_or(Errno::Busy)?;
    let meta = a.entry().ok_or(Errno::Noent)?;
    if (old_trailing || new_trailing) && meta.kind != FileKind::Dir {
        return Err(Errno::Notdir);
    }
    cap.rofs()?;
    dst.rofs()?;
    a.dir.rename(an, &*b.dir, bn)
}

/// `path_symlink`: the target is stored as given (an absolute one is
/// refused, as on a tree).
pub(super) fn path_symlink(
    ctx: &mut WasiCtx,
    cap: &BackendCap,
    target: &str,
    new_raw: &str,
) -> Result<()> {
    let (new_path, trailing) = strip_trailing(new_raw);
    check_symlink_target(target)?;
    let start = &*cap.dir;
    let r = backend::resolve(start, new_path, false)?;
    let name = r.name.as_deref().ok_or(Errno::Exist)?;
    if r.entry().is_some() {
        if trailing {
            existing(&backend::resolve(start, new_raw, false)?)?;
        }
        return Err(Errno::Exist);
    }
    if trailing {
        return Err(Errno::Noent);
    }
    cap.rofs()?;
    ctx.charge_file()?;
    r.dir.symlink(target, name)
}

/// `path_unlink_file`.
pub(super) fn path_unlink_file(cap: &BackendCap, raw: &str) -> Result<()> {
    let (path, trailing) = strip_trailing(raw);
    let r = backend::resolve(&*cap.dir, path, false)?;
    let name = r.name.as_deref().ok_or(Errno::Isdir)?;
    let meta = r.entry().ok_or(Errno::Noent)?;
    let is_dir = meta.kind == FileKind::Dir;
    if trailing {
        return Err(if is_dir { Errno::Isdir } else { Errno::Notdir });
    }
    if is_dir {
        return Err(Errno::Isdir);
    }
    cap.rofs()?;
    r.dir.remove_file(name)
}

/// Reads `file` at `offset` into `bufs`, filling each in turn, as `readv`.
pub(super) fn read(file: &dyn BackendFile, offset: u64, bufs: &mut impl Buffers) -> Result<u64> {
    bufs.read_from(offset, |at, out| file.read_at(at, out))
}

/// Writes `bufs` (`total` bytes) to `file` at `offset`, or at its end for
/// an `APPEND` fd with something to write; returns the bytes written and
/// the offset after them.
pub(super) fn write(
    file: &dyn BackendFile,
    offset: u64,
    append: bool,
    total: u64,
    bufs: &impl Buffers,
) -> Result<(u64, u64)> {
    let start = write_start(offset, append, total, || file.len())?;
    let pos = bufs.write_to(start, |at, buf| file.write_at(at, buf))?;
    Ok((pos - start, pos))
}

/// `fd_readdir` on a backend directory: `put(next_cookie, ino, type, name)`
/// for `.` (cookie 1), `..` (2), then the entries after `cookie` in the
/// order and with the cookies of the fd's [`ReaddirCookies`], until `put`
/// returns `false` (that entry did not fit).
pub(super) fn readdir(
    dir: &dyn backend::BackendDir,
    cookies: &mut ReaddirCookies,
    cookie: u64,
    mut put: impl FnMut(u64, u64, u8, &str) -> bool,
) -> Result<()> {
    let this = dir.stat_self()?;
    // getdents(2) on a directory removed while open: ENOENT (Linux).
    if this.nlink == 0 {
        return Err(Errno::Noent);
    }
    if cookie == 0 && !put(1, this.ino, filetype::DIRECTORY, ".") {
        return Ok(());
    }
    // The parent is outside what this handle may look at: no inode.
    if cookie <= 1 && !put(2, 0, filetype::DIRECTORY, "..") {
        return Ok(());
    }
    match cookies.list_after(dir, cookie, |next, e| {
        put(next, e.ino, filetype_of(e.kind), &e.name)
    }) {
        // Out of cookies after `.` and `..`: those two are the answer, as
        // getdents returns what it filled before its EOVERFLOW.
        Err(Errno::Overflow) if cookie <= 1 => Ok(()),
        r => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{BackendDir, MemoryDir};
    use crate::fs::Filesystem;

    /// The whole answer of [`readdir`] from `cookie`.
    fn list(dir: &dyn BackendDir, c: &mut ReaddirCookies, cookie: u64) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        readdir(dir, c, cookie, |next, _, _, name| {
            out.push((next, name.to_owned()));
            true
        })
        .unwrap();
        out
    }

    fn names(list: &[(u64, String)]) -> Vec<&str> {
        list.iter().map(|d| d.1.as_str()).collect()
    }

    /// A listing resumed after other entries were removed returns every
    /// entry not yet listed exactly once (found by the conformance program
    /// `readdir_mutation` run on a `MemoryDir`: cookies were positions in
    /// the listing, so each removal shifted a later entry out of it).
    #[test]
    fn cookies_survive_removals() {
        let fs = Filesystem::new();
        let dir = MemoryDir::root(&fs);
        for i in 0..20 {
            fs.write(&format!("/f{i:02}"), Vec::new()).unwrap();
        }
        let mut c = ReaddirCookies::new();
        let all = list(&dir, &mut c, 0);
        assert_eq!(names(&all)[..2], [".", ".."]);
        assert_eq!(all.len(), 22);
        // Read the first 8, remove them, resume after the 8th's cookie.
        let (read, rest) = all.split_at(10);
        for d in &read[2..] {
            dir.remove_file(&d.1).unwrap();
        }
        let resumed = list(&dir, &mut c, read[9].0);
        assert_eq!(names(&resumed), names(rest));
        // Cookies are small and increase along a first listing: `.` 1,
        // `..` 2, then 3, 4, 5… (what a wasm32 `long` from telldir holds).
        let cookies: Vec<u64> = all.iter().map(|d| d.0).collect();
        assert_eq!(cookies, (1..=22).collect::<Vec<u64>>());
    }
}
