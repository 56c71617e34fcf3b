//! The file-descriptor table.
//!
//! An fd is an index into a vector; the lowest free index is reused, as POSIX
//! requires of `open`. Each entry carries what it refers to, its rights (base:
//! what this fd may do; inheriting: what fds opened through it may get), its
//! fdflags, and for files its own offset — there is no `dup` in preview1, so
//! offsets are never shared between fds.

use crate::abi::{filetype, rights};
use crate::backend::{BackendDir, BackendFile, ReaddirCookies};
use crate::errno::{Errno, Result};
use crate::fs::tree::{Ino, Tree};
use crate::fs::Filesystem;
use crate::stdio::{Input, Output};
use std::sync::Arc;

/// A reference to an inode that keeps it alive while open: the tree frees an
/// unlinked inode only when its last `Handle` is dropped.
pub struct Handle {
    /// The filesystem the inode lives in.
    pub fs: Filesystem,
    /// The inode.
    pub ino: Ino,
}

impl Handle {
    /// Opens a handle (counts one more open file description).
    pub fn new(fs: Filesystem, ino: Ino) -> Self {
        fs.lock().open_ref(ino);
        Handle { fs, ino }
    }

    /// Opens a handle while the caller already holds `tree`, the locked tree
    /// of `fs`: the inode cannot be freed between lookup and open.
    pub fn new_locked(fs: Filesystem, tree: &mut Tree, ino: Ino) -> Self {
        tree.open_ref(ino);
        Handle { fs, ino }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // Never called with the tree locked: fds are dropped by fd_close,
        // fd_renumber and context teardown, none of which hold the lock.
        self.fs.lock().close_ref(self.ino);
    }
}

/// What an fd refers to.
pub enum FdKind {
    /// A regular file or character device in a tree.
    File {
        /// The inode.
        handle: Handle,
        /// Current offset.
        offset: u64,
        /// The inode is a character device. An inode never changes type,
        /// so this is read once at open instead of under the tree's lock on
        /// every write (device writes are not charged to the output quota).
        device: bool,
    },
    /// A directory in a tree.
    Dir {
        /// The inode.
        handle: Handle,
        /// The guest path this directory was preopened as, if it was.
        preopen: Option<String>,
    },
    /// A directory of a backend mounted as a preopen ([`crate::backend`]).
    BackendDir {
        /// The directory capability.
        dir: Arc<dyn BackendDir>,
        /// The device number the guest sees for everything in the mount.
        dev: u64,
        /// The guest path this directory was preopened as, if it was.
        preopen: Option<String>,
        /// The readdir cookies this fd handed out (cookies are per fd).
        cookies: ReaddirCookies,
    },
    /// A regular file of a backend.
    BackendFile {
        /// The open file.
        file: Arc<dyn BackendFile>,
        /// The device number of its mount.
        dev: u64,
        /// Current offset.
        offset: u64,
    },
    /// The guest's stdin (or whatever fd it was renumbered to).
    Input(Input),
    /// The guest's stdout or stderr; `limit` names which, for the cap.
    Output {
        /// Where the bytes go.
        out: Output,
        /// The limit reported when a capture's cap is reached.
        limit: crate::budget::Limit,
    },
}

/// The directory a directory fd refers to, held apart from the fd table so
/// that a syscall may change the table (open an fd, charge the budget)
/// while it works in the directory.
#[derive(Clone)]
pub enum DirAt {
    /// An inode of an in-memory tree: the syscalls' own code, on the tree.
    Tree {
        /// The tree.
        fs: Filesystem,
        /// The directory's inode.
        ino: Ino,
    },
    /// A backend's directory: the syscalls through the backend traits.
    Backend {
        /// The capability.
        dir: Arc<dyn BackendDir>,
        /// Its mount's device number.
        dev: u64,
    },
}

/// One open fd.
pub struct FdEntry {
    /// What it refers to.
    pub kind: FdKind,
    /// Rights of this fd.
    pub base: u64,
    /// Rights fds opened through this one may have.
    pub inheriting: u64,
    /// `fdflags`.
    pub flags: u16,
    /// Whether it lives in a read-only mount: writes fail with `EROFS`.
    pub read_only: bool,
}

impl FdEntry {
    /// A stdio entry.
    pub fn stream(kind: FdKind) -> Self {
        let base = rights::CHARACTER_DEVICE_BASE & !(rights::FD_SEEK | rights::FD_TELL);
        FdEntry {
            kind,
            base,
            inheriting: 0,
            flags: 0,
            read_only: false,
        }
    }

    /// Fails with `EBADF` unless this fd has every right in `needed`.
    ///
    /// `EBADF` and not `ENOTCAPABLE`: on Linux, using an fd for something it
    /// was not opened for (reading a write-only fd, …) is `EBADF`, and the
    /// WASI test suite expects that in its strict mode (see RATIONALE.md).
    pub fn require(&self, needed: u64) -> Result<()> {
        if self.base & needed == needed {
            Ok(())
        } else {
            Err(Errno::Badf)
        }
    }

    /// The WASI file type of what the fd refers to.
    pub fn filetype(&self) -> u8 {
        match &self.kind {
            FdKind::File { handle, .. } => {
                let t = handle.fs.lock();
                t.get(handle.ino)
                    .map(crate::stat::filetype)
                    .unwrap_or(filetype::UNKNOWN)
            }
            FdKind::Dir { .. } | FdKind::BackendDir { .. } => filetype::DIRECTORY,
            FdKind::BackendFile { .. } => filetype::REGULAR_FILE,
            FdKind::Input(i) if i.is_terminal() => filetype::CHARACTER_DEVICE,
            FdKind::Output { out, .. } if out.is_terminal() => filetype::CHARACTER_DEVICE,
            FdKind::Input(_) | FdKind::Output { .. } => filetype::UNKNOWN,
        }
    }

    /// The directory this fd refers to, or `ENOTDIR`.
    pub fn dir(&self) -> Result<DirAt> {
        match &self.kind {
            FdKind::Dir { handle, .. } => Ok(DirAt::Tree {
                fs: handle.fs.clone(),
                ino: handle.ino,
            }),
            FdKind::BackendDir { dir, dev, .. } => Ok(DirAt::Backend {
                dir: dir.clone(),
                dev: *dev,
            }),
            _ => Err(Errno::Notdir),
        }
    }

    /// Whether this is a directory (of a tree or a backend).
    pub fn is_dir(&self) -> bool {
        matches!(self.kind, FdKind::Dir { .. } | FdKind::BackendDir { .. })
    }

    /// The guest path of a preopened directory.
    pub fn preopen(&self) -> Option<&str> {
        match &self.kind {
            FdKind::Dir { preopen, .. } | FdKind::BackendDir { preopen, .. } => preopen.as_deref(),
            _ => None,
        }
    }

    /// Whether this refers to a character device inode.
    pub fn is_device(&self) -> bool {
        matches!(self.kind, FdKind::File { device: true, .. })
    }
}

/// The table of open fds of one context.
pub struct FdTable {
    entries: Vec<Option<FdEntry>>,
    max_open: u32,
    open: u32,
}

impl FdTable {
    /// An empty table admitting at most `max_open` open fds (stdio included).
    pub fn new(max_open: u32) -> Self {
        FdTable {
            entries: Vec::new(),
            max_open,
            open: 0,
        }
    }

    /// The entry of `fd`, or `EBADF`.
    pub fn get(&self, fd: u32) -> Result<&FdEntry> {
        self.entries
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(Errno::Badf)
    }

    /// The entry of `fd`, mutably, or `EBADF`.
    pub fn get_mut(&mut self, fd: u32) -> Result<&mut FdEntry> {
        self.entries
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::Badf)
    }

    /// Places `entry` at the lowest free fd (`EMFILE` if the table is full).
    pub fn insert(&mut self, entry: FdEntry) -> Result<u32> {
        if self.open >= self.max_open {
            return Err(Errno::Mfile);
        }
        let slot = match self.entries.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.entries.push(None);
                self.entries.len() - 1
            }
        };
        self.entries[slot] = Some(entry);
        self.open += 1;
        Ok(slot as u32)
    }

    /// Removes `fd`, returning its entry (drop it outside any tree lock).
    pub fn remove(&mut self, fd: u32) -> Result<FdEntry> {
        let e = self
            .entries
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(Errno::Badf)?;
        self.open -= 1;
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
        }
        Ok(e)
    }

    /// `fd_renumber`: moves `from` onto `to`, closing what `to` was.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<Option<FdEntry>> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(None);
        }
        let moved = self.entries[from as usize].take();
        let old = std::mem::replace(&mut self.entries[to as usize], moved);
        self.open -= 1;
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
        }
        Ok(old)
    }

    /// `EMFILE` unless another fd can be opened.
    pub fn check_room(&self) -> Result<()> {
        if self.open >= self.max_open {
            Err(Errno::Mfile)
        } else {
            Ok(())
        }
    }

    /// Number of open fds.
    pub fn open_count(&self) -> u32 {
        self.open
    }

    /// The open fds, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &FdEntry)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i as u32, e)))
    }
}
