//! Filesystem backends: what stands behind a preopen.
//!
//! A backend is reached only through directory capabilities
//! ([`BackendDir`]), as in cap-std: every call names **one entry** of the
//! directory it is called on — never a path, never `.` or `..` — and
//! follows no symlink. Walking a path (components, `..`, symlink targets,
//! the loop limit) is done above the backend, by [`resolve`], over a stack
//! of directory handles it opened itself: `..` pops that stack and is never
//! sent to a backend, so no backend can be asked to leave its root. A
//! backend that honours "one name, no follow" is contained by construction.
//!
//! Two backends come with the crate:
//! - [`MemoryDir`]: the in-memory inode tree of a [`Filesystem`](crate::fs::Filesystem);
//! - [`HostDir`]: a live host directory through a cap-std `Dir` (nothing
//!   imported: reads and writes go to the host files).
//!
//! An embedder supplies its own (an asset store, an object store) by
//! implementing the two traits.
//!
//! ```
//! use wasi_shim::backend::{self, BackendDir, HostDir, OpenFile};
//! let tmp = std::env::temp_dir().join(format!("wasi-shim-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&tmp)?;
//! let root = HostDir::open_ambient(&tmp, false)?;
//! let (dir, name) = backend::resolve_new(&root, "hello.txt")?;
//! let file = dir.open_file(&name, OpenFile { create: true, write: true, ..OpenFile::default() })?;
//! file.write_at(0, b"hi")?;
//! assert_eq!(std::fs::read(tmp.join("hello.txt"))?, b"hi");
//! // `..` cannot leave the capability, whatever the host has above it.
//! assert_eq!(backend::resolve(&root, "../x", false).err(), Some(wasi_shim::Errno::Perm));
//! # std::fs::remove_dir_all(&tmp)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cookies;
pub mod host;
pub mod memory;
pub mod overlay;
mod resolve;
pub mod script;

pub use cookies::ReaddirCookies;
pub use host::HostDir;
pub use memory::MemoryDir;
pub use overlay::{Change, Changes, OverlayDir};
pub use resolve::{resolve, resolve_for_create, resolve_new, DirRef, Resolved};

use crate::abi::fstflags;
use crate::errno::{Errno, Result};
use crate::fs::FileKind;
use std::any::Any;
use std::fmt;

/// What a directory says of one of its entries (not following a symlink).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryMeta {
    /// What it is.
    pub kind: FileKind,
    /// Size in bytes (for a symlink, the length of its target).
    pub len: u64,
}

/// One entry of a directory listing ([`BackendDir::entries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Its name.
    pub name: String,
    /// What it is (not following a symlink).
    pub kind: FileKind,
    /// Its inode number as [`BackendDir::stat`] reports it (0: none).
    pub ino: u64,
}

impl DirEntry {
    /// An entry of a backend without inode numbers.
    pub fn new(name: impl Into<String>, kind: FileKind) -> Self {
        DirEntry {
            name: name.into(),
            kind,
            ino: 0,
        }
    }
}

/// What `filestat` reports of an entry, but its device (the mount's).
///
/// The defaults of [`BackendDir::stat`] and [`BackendFile::stat`] build one
/// from what a backend must answer anyway (kind, length): inode 0, one link,
/// times 0 — a backend with real inode numbers, links or times overrides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// What it is.
    pub kind: FileKind,
    /// Size in bytes (for a symlink, the length of its target).
    pub len: u64,
    /// Inode number (0: the backend has none).
    pub ino: u64,
    /// Number of names.
    pub nlink: u64,
    /// Access time, ns since the Unix epoch.
    pub atim: u64,
    /// Modification time, ns since the Unix epoch.
    pub mtim: u64,
    /// Status change time, ns since the Unix epoch.
    pub ctim: u64,
}

impl Stat {
    /// A stat of what `meta` says, with no inode, one link and no times.
    pub fn from_meta(meta: EntryMeta) -> Self {
        Stat {
            kind: meta.kind,
            len: meta.len,
            ino: 0,
            nlink: 1,
            atim: 0,
            mtim: 0,
            ctim: 0,
        }
    }
}

/// New access and modification times for `set_times`: `None` leaves one as
/// it is. (`NOW` is turned into a time by the syscall layer, from the run's
/// clock, before a backend is called.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetTimes {
    /// New access time, ns since the Unix epoch.
    pub atim: Option<u64>,
    /// New modification time, ns since the Unix epoch.
    pub mtim: Option<u64>,
}

impl SetTimes {
    /// The times WASI `fstflags` ask for (`EINVAL` for an undefined flag or
    /// a time both given and `NOW`), with `NOW` read as `now`.
    pub fn from_fstflags(atim: u64, mtim: u64, flags: u32, now: u64) -> Result<SetTimes> {
        let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
        if flags & !fstflags::ALL != 0
            || (flags & fstflags::ATIM != 0 && flags & fstflags::ATIM_NOW != 0)
            || (flags & fstflags::MTIM != 0 && flags & fstflags::MTIM_NOW != 0)
        {
            return Err(Errno::Inval);
        }
        let pick = |set: u16, set_now: u16, given: u64| {
            if flags & set != 0 {
                Some(given)
            } else if flags & set_now != 0 {
                Some(now)
            } else {
                None
            }
        };
        Ok(SetTimes {
            atim: pick(fstflags::ATIM, fstflags::ATIM_NOW, atim),
            mtim: pick(fstflags::MTIM, fstflags::MTIM_NOW, mtim),
        })
    }
}

/// How [`BackendDir::open_file`] opens an entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenFile {
    /// Create the file if it does not exist.
    pub create: bool,
    /// With `create`: fail with `EEXIST` if it exists.
    pub exclusive: bool,
    /// Truncate it to 0 bytes.
    pub truncate: bool,
    /// Open it for writing (reading is always allowed).
    pub write: bool,
}

/// A directory capability of a backend. Every method takes one entry name
/// (no `/`, not `.` or `..`, at most `NAME_MAX` bytes: anything else is
/// `EINVAL`, `EEXIST` or `ENAMETOOLONG` as `check_name` says) and never
/// follows a symlink in that position.
pub trait BackendDir: Send + Sync + fmt::Debug {
    /// The entry `name`, or `None` if there is none.
    fn entry(&self, name: &str) -> Result<Option<EntryMeta>>;
    /// The subdirectory `name` as a capability of its own (`ENOTDIR` if it
    /// is something else, a symlink included).
    fn open_dir(&self, name: &str) -> Result<Box<dyn BackendDir>>;
    /// The regular file `name` (`EISDIR` for a directory, `ELOOP` for a
    /// symlink).
    fn open_file(&self, name: &str, how: OpenFile) -> Result<Box<dyn BackendFile>>;
    /// The target of symlink `name`, as stored (`EINVAL` if not a symlink).
    fn read_link(&self, name: &str) -> Result<String>;
    /// Creates the empty directory `name`.
    fn create_dir(&self, name: &str) -> Result<()>;
    /// Creates the symlink `name` holding `target` (stored as given; it is
    /// only ever interpreted by [`resolve`]).
    fn symlink(&self, target: &str, name: &str) -> Result<()>;
    /// Removes the non-directory `name`.
    fn remove_file(&self, name: &str) -> Result<()>;
    /// Removes the empty directory `name`.
    fn remove_dir(&self, name: &str) -> Result<()>;
    /// Moves `name` to `to_name` in `to`, which must be of the same backend
    /// instance (`EXDEV` otherwise).
    fn rename(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()>;
    /// Gives the non-directory `name` the new name `to_name` in `to` (same
    /// backend instance, `EXDEV` otherwise).
    fn hard_link(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()>;
    /// The entries, without `.` and `..`, in the backend's order.
    fn entries(&self) -> Result<Vec<DirEntry>>;
    /// For [`rename`](Self::rename) and [`hard_link`](Self::hard_link): the
    /// concrete type, to check that both ends are of the same backend.
    fn as_any(&self) -> &dyn Any;
    /// A second handle to this same directory (for an fd opened on `.`).
    fn try_clone(&self) -> Result<Box<dyn BackendDir>>;
    /// The entry `name` in full (`ENOENT` if there is none). The default
    /// is [`Stat::from_meta`] of [`entry`](Self::entry).
    fn stat(&self, name: &str) -> Result<Stat> {
        Ok(Stat::from_meta(self.entry(name)?.ok_or(Errno::Noent)?))
    }
    /// This directory itself in full. The default has no inode or times.
    fn stat_self(&self) -> Result<Stat> {
        Ok(Stat::from_meta(EntryMeta {
            kind: FileKind::Dir,
            len: 0,
        }))
    }
    /// Sets the times of entry `name` (not following a symlink). The
    /// default is `ENOTSUP`: a backend without times cannot keep them.
    fn set_times(&self, name: &str, times: SetTimes) -> Result<()> {
        let _ = (name, times);
        Err(Errno::Notsup)
    }
    /// Sets the times of this directory itself (default `ENOTSUP`).
    fn set_times_self(&self, times: SetTimes) -> Result<()> {
        let _ = times;
        Err(Errno::Notsup)
    }
    /// The directory `names[0]/names[1]/…` below this one (each a checked
    /// entry name), if every one of them is a directory and not a symlink:
    /// what [`resolve`] would reach by opening them one by one, in fewer
    /// calls where the backend can. `Ok(None)` when a symlink is on the way
    /// (or the backend cannot tell): the resolver then walks the names
    /// itself, expanding the symlink. The errors are the walk's: `ENOENT`
    /// for a missing name, `ENOTDIR` for one that is something else.
    ///
    /// The default walks: [`entry`](Self::entry) then
    /// [`open_dir`](Self::open_dir) for each name.
    fn open_dir_path(&self, names: &[&str]) -> Result<Option<Box<dyn BackendDir>>> {
        walk_dir_path(self, names)
    }
}

/// [`BackendDir::open_dir_path`] by [`BackendDir::entry`] and
/// [`BackendDir::open_dir`], one name at a time (the default, and the
/// fallback of a backend whose shortcut does not apply).
pub(crate) fn walk_dir_path<D: BackendDir + ?Sized>(
    dir: &D,
    names: &[&str],
) -> Result<Option<Box<dyn BackendDir>>> {
    let Some((first, rest)) = names.split_first() else {
        return dir.try_clone().map(Some);
    };
    let Some(mut cur) = subdir_step(dir, first)? else {
        return Ok(None);
    };
    for name in rest {
        match subdir_step(&*cur, name)? {
            Some(d) => cur = d,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

/// One step of [`BackendDir::open_dir_path`]'s walk: the subdirectory
/// `name`, `None` for a symlink.
fn subdir_step<D: BackendDir + ?Sized>(dir: &D, name: &str) -> Result<Option<Box<dyn BackendDir>>> {
    match dir.entry(name)?.map(|m| m.kind) {
        None => Err(Errno::Noent),
        Some(FileKind::Dir) => dir.open_dir(name).map(Some),
        Some(FileKind::Symlink) => Ok(None),
        Some(_) => Err(Errno::Notdir),
    }
}

/// A shared directory is the directory: the embedder keeps one `Arc` of
/// a mount (to read an overlay's changes after the run, say) and gives the
/// context another.
impl<T: BackendDir + ?Sized> BackendDir for std::sync::Arc<T> {
    fn entry(&self, name: &str) -> Result<Option<EntryMeta>> {
        (**self).entry(name)
    }
    fn open_dir(&self, name: &str) -> Result<Box<dyn BackendDir>> {
        (**self).open_dir(name)
    }
    fn open_file(&self, name: &str, how: OpenFile) -> Result<Box<dyn BackendFile>> {
        (**self).open_file(name, how)
    }
    fn read_link(&self, name: &str) -> Result<String> {
        (**self).read_link(name)
    }
    fn create_dir(&self, name: &str) -> Result<()> {
        (**self).create_dir(name)
    }
    fn symlink(&self, target: &str, name: &str) -> Result<()> {
        (**self).symlink(target, name)
    }
    fn remove_file(&self, name: &str) -> Result<()> {
        (**self).remove_file(name)
    }
    fn remove_dir(&self, name: &str) -> Result<()> {
        (**self).remove_dir(name)
    }
    fn rename(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        (**self).rename(name, to, to_name)
    }
    fn hard_link(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        (**self).hard_link(name, to, to_name)
    }
    fn entries(&self) -> Result<Vec<DirEntry>> {
        (**self).entries()
    }
    fn open_dir_path(&self, names: &[&str]) -> Result<Option<Box<dyn BackendDir>>> {
        (**self).open_dir_path(names)
    }
    fn as_any(&self) -> &dyn Any {
        // The concrete directory, so that `rename` and `hard_link` see
        // through the `Arc` when they check both ends are one backend.
        (**self).as_any()
    }
    fn try_clone(&self) -> Result<Box<dyn BackendDir>> {
        (**self).try_clone()
    }
    fn stat(&self, name: &str) -> Result<Stat> {
        (**self).stat(name)
    }
    fn stat_self(&self) -> Result<Stat> {
        (**self).stat_self()
    }
    fn set_times(&self, name: &str, times: SetTimes) -> Result<()> {
        (**self).set_times(name, times)
    }
    fn set_times_self(&self, times: SetTimes) -> Result<()> {
        (**self).set_times_self(times)
    }
}

/// An open regular file of a backend.
pub trait BackendFile: Send + Sync + fmt::Debug {
    /// Reads at `offset` into `buf`; returns how many bytes (0 at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize>;
    /// Writes all of `data` at `offset` (zero-filling a gap past the end).
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<()>;
    /// The file's size.
    fn len(&self) -> Result<u64>;
    /// Whether the file is empty.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }
    /// Shrinks or extends (with zeros) to `len`.
    fn set_len(&self, len: u64) -> Result<()>;
    /// The file in full. The default has no inode, one link, no times.
    fn stat(&self) -> Result<Stat> {
        Ok(Stat::from_meta(EntryMeta {
            kind: FileKind::File,
            len: self.len()?,
        }))
    }
    /// Sets the file's times (default `ENOTSUP`).
    fn set_times(&self, times: SetTimes) -> Result<()> {
        let _ = times;
        Err(Errno::Notsup)
    }
}
