//! What every `path_*` call starts with: the directory its fd refers to,
//! with the fd's rights checked ([`dir_cap`]), and its path arguments read
//! from guest memory.

use crate::abi::rights;
use crate::backend::BackendDir;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, Result};
use crate::fd::DirAt;
use crate::fs::tree::Ino;
use crate::fs::Filesystem;
use crate::memory::GuestMemory;
use crate::path::PATH_MAX;
use std::sync::Arc;

/// A tree's directory an fd refers to, after checking `right`.
pub(crate) struct DirCap {
    pub(crate) fs: Filesystem,
    pub(crate) ino: Ino,
    pub(crate) read_only: bool,
    pub(crate) inheriting: u64,
}

/// A backend's directory an fd refers to, after checking `right`.
pub(crate) struct BackendCap {
    pub(crate) dir: Arc<dyn BackendDir>,
    /// The device number of its mount.
    pub(crate) dev: u64,
    pub(crate) read_only: bool,
    pub(crate) inheriting: u64,
}

impl BackendCap {
    /// `EROFS` on a read-only mount (checked after the lookup, as Linux does).
    pub(crate) fn rofs(&self) -> Result<()> {
        if self.read_only {
            Err(Errno::Rofs)
        } else {
            Ok(())
        }
    }
}

/// The directory an fd refers to, after checking `right`: a tree's, whose
/// calls are `syscalls::path`'s own code on the tree, or a backend's, whose
/// calls are `syscalls::on_backend`'s.
pub(crate) enum Cap {
    Tree(DirCap),
    Backend(BackendCap),
}

pub(crate) fn dir_cap(ctx: &WasiCtx, fd: u32, right: u64) -> Result<Cap> {
    let e = ctx.fds.get(fd)?;
    let at = e.dir()?;
    // A read-only mount lacks the mutation rights; its mutations fail later
    // with EROFS, once the lookup has succeeded. A missing *directory* right
    // is EPERM: the operation is not permitted through this capability (what
    // the WASI test suite expects, e.g. `truncation_rights`).
    if !(e.read_only && right & rights::MUTATING != 0) {
        e.require(right).map_err(|_| Errno::Perm)?;
    }
    Ok(match at {
        DirAt::Tree { fs, ino } => Cap::Tree(DirCap {
            fs,
            ino,
            read_only: e.read_only,
            inheriting: e.inheriting,
        }),
        DirAt::Backend { dir, dev } => Cap::Backend(BackendCap {
            dir,
            dev,
            read_only: e.read_only,
            inheriting: e.inheriting,
        }),
    })
}

impl Cap {
    pub(crate) fn read_only(&self) -> bool {
        match self {
            Cap::Tree(c) => c.read_only,
            Cap::Backend(b) => b.read_only,
        }
    }

    pub(crate) fn inheriting(&self) -> u64 {
        match self {
            Cap::Tree(c) => c.inheriting,
            Cap::Backend(b) => b.inheriting,
        }
    }
}

/// [`dir_cap`] for the second directory of a tree's `path_link` or
/// `path_rename`: a backend's is another filesystem (`EXDEV`).
pub(crate) fn tree_cap(ctx: &WasiCtx, fd: u32, right: u64) -> Result<DirCap> {
    match dir_cap(ctx, fd, right)? {
        Cap::Tree(c) => Ok(c),
        Cap::Backend(_) => Err(Errno::Xdev),
    }
}

pub(crate) fn rofs(cap: &DirCap) -> Result<()> {
    if cap.read_only {
        Err(Errno::Rofs)
    } else {
        Ok(())
    }
}

/// Splits trailing slashes off a path that names something to create or
/// remove: the entry itself is what the call acts on, and the slash only
/// says it must be a directory. A path of only slashes is left alone (it is
/// absolute and will be refused).
pub(crate) fn strip_trailing(path: &str) -> (&str, bool) {
    let stripped = path.trim_end_matches('/');
    if stripped.is_empty() || stripped.len() == path.len() {
        (path, false)
    } else {
        (stripped, true)
    }
}

pub(crate) fn read_path<'m>(mem: &'m GuestMemory<'_>, ptr: u32, len: u32) -> Result<&'m str> {
    if len as usize >= PATH_MAX {
        mem.check(ptr, len)?;
        return Err(Errno::Nametoolong);
    }
    mem.read_str(ptr, len)
}

/// Checks the target of a symlink a guest makes. A guest cannot make a
/// link to an absolute path (RATIONALE.md: "Where the WASI test suite and
/// Linux disagree"); following one that exists anyway (imported, made by
/// the embedder) is refused too.
pub(crate) fn check_symlink_target(target: &str) -> Result<()> {
    if target.is_empty() {
        return Err(Errno::Noent);
    }
    if target.contains('\0') {
        return Err(Errno::Inval);
    }
    if target.starts_with('/') {
        return Err(Errno::Perm);
    }
    Ok(())
}
