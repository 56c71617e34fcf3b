//! The memory backend: directories and files of a [`Filesystem`]'s inode
//! tree. The same tree, the same checks and the same errnos as the
//! syscalls use; a handle keeps its inode alive as an open fd does.

use super::{BackendDir, BackendFile, DirEntry, EntryMeta, OpenFile, SetTimes, Stat};
use crate::errno::{Errno, Result};
use crate::fs::dir::Directory;
use crate::fs::tree::{check_name, Ino, NodeKind, ROOT};
use crate::fs::{wall_clock_ns, FileKind, Filesystem, MAX_FILE_SIZE};
use std::any::Any;
use std::fmt;

/// One inode of a tree, counted as open while the value lives (the tree
/// frees an unlinked inode only when nothing has it open).
struct Pinned {
    fs: Filesystem,
    ino: Ino,
}

impl Pinned {
    fn new(fs: Filesystem, ino: Ino) -> Self {
        fs.lock().open_ref(ino);
        Pinned { fs, ino }
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        self.fs.lock().close_ref(self.ino);
    }
}

/// A directory of an in-memory [`Filesystem`].
pub struct MemoryDir(Pinned);

impl fmt::Debug for MemoryDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MemoryDir").field(&self.0.ino).finish()
    }
}

impl MemoryDir {
    /// The root directory of `fs`.
    pub fn root(fs: &Filesystem) -> Self {
        MemoryDir(Pinned::new(fs.clone(), ROOT))
    }

    /// A second handle to this directory, as this concrete type.
    pub(crate) fn dup(&self) -> MemoryDir {
        MemoryDir(Pinned::new(self.0.fs.clone(), self.0.ino))
    }

    /// The inode of this directory (overlay bookkeeping is keyed by it).
    pub(crate) fn ino(&self) -> Ino {
        self.0.ino
    }

    /// The tree this directory is in.
    pub(crate) fn fs(&self) -> &Filesystem {
        &self.0.fs
    }

    /// The inode of entry `name`.
    pub(crate) fn child_ino(&self, name: &str) -> Result<Ino> {
        self.child(name)
    }

    /// The subdirectory `name`, as this concrete type.
    pub(crate) fn subdir(&self, name: &str) -> Result<MemoryDir> {
        let ino = self.child(name)?;
        let mut t = self.0.fs.lock();
        if !t.get(ino)?.is_dir() {
            return Err(Errno::Notdir);
        }
        // Counted open under the same lock as the lookup: the inode cannot
        // be freed in between.
        t.open_ref(ino);
        drop(t);
        Ok(MemoryDir(Pinned {
            fs: self.0.fs.clone(),
            ino,
        }))
    }

    /// Whether entry `name` is a directory that is `inner` or one of its
    /// ancestors (the rename checks of `Tree::rename`, for the overlay).
    pub(crate) fn holds(&self, name: &str, inner: &MemoryDir) -> Result<bool> {
        let t = self.0.fs.lock();
        Ok(match t.lookup(self.0.ino, name)? {
            Some(ino) => t.get(ino)?.is_dir() && t.is_ancestor(ino, inner.0.ino),
            None => false,
        })
    }

    /// Whether `name` here and `other_name` in `other` are one inode.
    pub(crate) fn same_inode(
        &self,
        name: &str,
        other: &MemoryDir,
        other_name: &str,
    ) -> Result<bool> {
        let t = self.0.fs.lock();
        let a = t.lookup(self.0.ino, name)?;
        Ok(a.is_some() && a == t.lookup(other.0.ino, other_name)?)
    }

    fn same_tree<'a>(&self, other: &'a dyn BackendDir) -> Result<&'a MemoryDir> {
        match other.as_any().downcast_ref::<MemoryDir>() {
            Some(d) if d.0.fs.same(&self.0.fs) => Ok(d),
            _ => Err(Errno::Xdev),
        }
    }

    /// The stat of inode `ino` of this tree.
    fn stat_of(&self, ino: Ino) -> Result<Stat> {
        stat_of(&self.0.fs, ino)
    }

    fn child(&self, name: &str) -> Result<Ino> {
        check_name(name)?;
        self.0
            .fs
            .lock()
            .lookup(self.0.ino, name)?
            .ok_or(Errno::Noent)
    }
}

impl BackendDir for MemoryDir {
    fn entry(&self, name: &str) -> Result<Option<EntryMeta>> {
        check_name(name)?;
        let t = self.0.fs.lock();
        let Some(ino) = t.lookup(self.0.ino, name)? else {
            return Ok(None);
        };
        let node = t.get(ino)?;
        Ok(Some(EntryMeta {
            kind: FileKind::from(&node.kind),
            len: node.size(),
        }))
    }

    fn open_dir(&self, name: &str) -> Result<Box<dyn BackendDir>> {
        Ok(Box::new(self.subdir(name)?))
    }

    fn open_file(&self, name: &str, how: OpenFile) -> Result<Box<dyn BackendFile>> {
        check_name(name)?;
        let now = wall_clock_ns();
        let mut t = self.0.fs.lock();
        let ino = match t.lookup(self.0.ino, name)? {
            Some(_) if how.create && how.exclusive => return Err(Errno::Exist),
            Some(ino) => ino,
            None if how.create => {
                t.create(self.0.ino, name, NodeKind::File(Default::default()), now)?
            }
            None => return Err(Errno::Noent),
        };
        let node = t.get_mut(ino)?;
        match &mut node.kind {
            NodeKind::File(d) => {
                if how.truncate && !d.is_empty() {
                    d.set_len(0)?;
                    node.mtim = now;
                    node.ctim = now;
                }
            }
            NodeKind::Dir(_) => return Err(Errno::Isdir),
            NodeKind::Symlink(_) => return Err(Errno::Loop),
            NodeKind::CharDevice(_) => return Err(Errno::Nodev),
        }
        t.open_ref(ino);
        drop(t);
        Ok(Box::new(MemoryFile(Pinned {
            fs: self.0.fs.clone(),
            ino,
        })))
    }

    fn read_link(&self, name: &str) -> Result<String> {
        let ino = self.child(name)?;
        match &self.0.fs.lock().get(ino)?.kind {
            NodeKind::Symlink(target) => Ok(target.to_string()),
            _ => Err(Errno::Inval),
        }
    }

    fn create_dir(&self, name: &str) -> Result<()> {
        let kind = NodeKind::Dir(Directory::new(self.0.ino));
        self.0
            .fs
            .lock()
            .create(self.0.ino, name, kind, wall_clock_ns())
            .map(drop)
    }

    fn symlink(&self, target: &str, name: &str) -> Result<()> {
        check_name(name)?;
        if target.is_empty() {
            return Err(Errno::Noent);
        }
        let kind = NodeKind::Symlink(target.into());
        self.0
            .fs
            .lock()
            .create(self.0.ino, name, kind, wall_clock_ns())
            .map(drop)
    }

    fn remove_file(&self, name: &str) -> Result<()> {
        check_name(name)?;
        self.0
            .fs
            .lock()
            .unlink(self.0.ino, name, wall_clock_ns())
            .map(drop)
    }

    fn remove_dir(&self, name: &str) -> Result<()> {
        check_name(name)?;
        self.0
            .fs
            .lock()
            .rmdir(self.0.ino, name, wall_clock_ns())
            .map(drop)
    }

    fn rename(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        let to = self.same_tree(to)?;
        check_name(name)?;
        self.0
            .fs
            .lock()
            .rename(self.0.ino, name, to.0.ino, to_name, wall_clock_ns())
    }

    fn hard_link(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        let to = self.same_tree(to)?;
        let ino = self.child(name)?;
        self.0
            .fs
            .lock()
            .link(to.0.ino, to_name, ino, wall_clock_ns())
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        let t = self.0.fs.lock();
        let dir = t.dir(self.0.ino)?;
        dir.iter()
            .map(|(name, ino)| {
                Ok(DirEntry {
                    name: name.to_owned(),
                    kind: FileKind::from(&t.get(ino)?.kind),
                    ino,
                })
            })
            .collect()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn try_clone(&self) -> Result<Box<dyn BackendDir>> {
        Ok(Box::new(self.dup()))
    }

    fn stat(&self, name: &str) -> Result<Stat> {
        self.stat_of(self.child(name)?)
    }

    fn stat_self(&self) -> Result<Stat> {
        self.stat_of(self.0.ino)
    }

    fn set_times(&self, name: &str, times: SetTimes) -> Result<()> {
        set_times_of(&self.0.fs, self.child(name)?, times)
    }

    fn set_times_self(&self, times: SetTimes) -> Result<()> {
        set_times_of(&self.0.fs, self.0.ino, times)
    }
}

fn stat_of(fs: &Filesystem, ino: Ino) -> Result<Stat> {
    let t = fs.lock();
    let n = t.get(ino)?;
    Ok(Stat {
        kind: FileKind::from(&n.kind),
        len: n.size(),
        ino,
        nlink: n.nlink,
        atim: n.atim,
        mtim: n.mtim,
        ctim: n.ctim,
    })
}

fn set_times_of(fs: &Filesystem, ino: Ino, times: SetTimes) -> Result<()> {
    fs.lock()
        .set_times(ino, times.atim, times.mtim, wall_clock_ns())
}

/// A regular file of an in-memory [`Filesystem`].
pub struct MemoryFile(Pinned);

impl fmt::Debug for MemoryFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MemoryFile").field(&self.0.ino).finish()
    }
}

impl MemoryFile {
    fn with_data<T>(&self, f: impl FnOnce(&mut crate::fs::FileData) -> Result<T>) -> Result<T> {
        let mut t = self.0.fs.lock();
        match &mut t.get_mut(self.0.ino)?.kind {
            NodeKind::File(d) => f(d),
            _ => Err(Errno::Badf),
        }
    }

    /// Marks the contents changed, as a write or truncation does.
    fn touch(&self) -> Result<()> {
        let now = wall_clock_ns();
        let mut t = self.0.fs.lock();
        let node = t.get_mut(self.0.ino)?;
        node.mtim = now;
        node.ctim = now;
        Ok(())
    }
}

impl BackendFile for MemoryFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        self.with_data(|d| d.read_at(offset, buf))
    }

    fn write_at(&self, offset: u64, data: &[u8]) -> Result<()> {
        let end = offset.checked_add(data.len() as u64).ok_or(Errno::Fbig)?;
        if end > MAX_FILE_SIZE {
            return Err(Errno::Fbig);
        }
        self.with_data(|d| d.write_at(offset, data))?;
        self.touch()
    }

    fn len(&self) -> Result<u64> {
        self.with_data(|d| Ok(d.len()))
    }

    fn set_len(&self, len: u64) -> Result<()> {
        if len > MAX_FILE_SIZE {
            return Err(Errno::Fbig);
        }
        self.with_data(|d| d.set_len(len))?;
        self.touch()
    }

    fn stat(&self) -> Result<Stat> {
        stat_of(&self.0.fs, self.0.ino)
    }

    fn set_times(&self, times: SetTimes) -> Result<()> {
        set_times_of(&self.0.fs, self.0.ino, times)
    }
}
