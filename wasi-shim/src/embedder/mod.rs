//! The embedder's API to a [`Filesystem`]: create, write, read, list,
//! rename, remove, link and add devices by path, from the root of the tree,
//! with the same resolver the guest uses (symlinks, `..`, trailing
//! slashes); and moving trees between the host and memory ([`host`]).
//!
//! These are inherent methods of [`Filesystem`], documented there. They live
//! here, above path resolution, because they resolve paths: the tree and its
//! handle (`fs`) sit below the resolver and must not call it.

mod atomic;
mod host;
mod unfinished;
mod write_back;

pub use atomic::write_file_atomically;
pub use write_back::WriteBack;

use crate::errno::Errno;
use crate::fs::dir::Directory;
use crate::fs::tree::{Ino, NodeKind, Tree, ROOT};
use crate::fs::{
    err, wall_clock_ns, Device, DirEntry, FileData, FileKind, Filesystem, FsError, Metadata,
    SharedBytes,
};
use crate::path::{self, Resolved};

impl Filesystem {
    fn resolve<'p>(
        tree: &Tree,
        op: &'static str,
        p: &'p str,
        follow: bool,
    ) -> Result<Resolved<'p>, FsError> {
        let rel = p.trim_start_matches('/');
        let rel = if rel.is_empty() { "." } else { rel };
        path::resolve(tree, ROOT, rel, follow).map_err(|errno| err(op, p, errno))
    }

    fn existing(tree: &Tree, op: &'static str, p: &str, follow: bool) -> Result<Ino, FsError> {
        let r = Self::resolve(tree, op, p, follow)?;
        r.existing(tree).map_err(|errno| err(op, p, errno))
    }

    fn create_node(&self, op: &'static str, p: &str, kind: NodeKind) -> Result<Ino, FsError> {
        let mut t = self.lock();
        let r = Self::resolve(&t, op, p, false)?;
        let name = r.name(Errno::Exist).map_err(|e| err(op, p, e))?;
        t.create(r.parent, name, kind, wall_clock_ns())
            .map_err(|e| err(op, p, e))
    }

    /// Creates a directory and any missing parents (like `mkdir -p`).
    pub fn create_dir_all(&self, p: &str) -> Result<(), FsError> {
        let mut t = self.lock();
        let mut cur = ROOT;
        for comp in p.split('/').filter(|c| !c.is_empty() && *c != ".") {
            let next = match t
                .lookup(cur, comp)
                .map_err(|e| err("create_dir_all", p, e))?
            {
                Some(ino) => {
                    let r = path::resolve(&t, cur, comp, true).and_then(|r| r.existing(&t));
                    let ino = r.unwrap_or(ino);
                    if !t.get(ino).map(|n| n.is_dir()).unwrap_or(false) {
                        return Err(err("create_dir_all", p, Errno::Notdir));
                    }
                    ino
                }
                None => t
                    .create(
                        cur,
                        comp,
                        NodeKind::Dir(Directory::new(cur)),
                        wall_clock_ns(),
                    )
                    .map_err(|e| err("create_dir_all", p, e))?,
            };
            cur = next;
        }
        Ok(())
    }

    /// Creates a directory (parents must exist).
    pub fn create_dir(&self, p: &str) -> Result<(), FsError> {
        self.create_node("create_dir", p, NodeKind::Dir(Directory::new(ROOT)))
            .map(|_| ())
    }

    /// Creates or replaces the file `p` with a private copy of `data`.
    pub fn write(&self, p: &str, data: impl Into<Vec<u8>>) -> Result<(), FsError> {
        self.put_file(p, FileData::from_vec(data.into()))
    }

    /// Creates or replaces the file `p` with shared bytes: no copy is made
    /// until someone writes to the file.
    pub fn write_shared(&self, p: &str, data: SharedBytes) -> Result<(), FsError> {
        self.put_file(p, FileData::shared(data))
    }

    /// Creates or replaces the file `p` with `data`.
    pub fn put_file(&self, p: &str, data: FileData) -> Result<(), FsError> {
        let mut t = self.lock();
        let r = Self::resolve(&t, "write", p, true)?;
        let now = wall_clock_ns();
        match r.target() {
            Some(ino) => {
                let node = t.get_mut(ino).map_err(|e| err("write", p, e))?;
                match &mut node.kind {
                    NodeKind::File(d) => *d = data,
                    NodeKind::Dir(_) => return Err(err("write", p, Errno::Isdir)),
                    _ => return Err(err("write", p, Errno::Inval)),
                }
                node.mtim = now;
                node.ctim = now;
                Ok(())
            }
            None => {
                let name = r
                    .name(Errno::Isdir)
                    .map_err(|e| err("write", p, e))?
                    .to_owned();
                if r.trailing_slash {
                    return Err(err("write", p, Errno::Isdir));
                }
                t.create(r.parent, &name, NodeKind::File(data), now)
                    .map(|_| ())
                    .map_err(|e| err("write", p, e))
            }
        }
    }

    /// The contents of the file `p` (symlinks followed).
    pub fn read(&self, p: &str) -> Result<Vec<u8>, FsError> {
        self.file_data(p)?.to_vec().map_err(|e| err("read", p, e))
    }

    /// The file `p`'s data handle: cheap to clone (shared bytes stay shared).
    pub fn file_data(&self, p: &str) -> Result<FileData, FsError> {
        let t = self.lock();
        let ino = Self::existing(&t, "read", p, true)?;
        match &t.get(ino).map_err(|e| err("read", p, e))?.kind {
            NodeKind::File(d) => Ok(d.clone()),
            NodeKind::Dir(_) => Err(err("read", p, Errno::Isdir)),
            _ => Err(err("read", p, Errno::Inval)),
        }
    }

    /// The entries of directory `p`, in listing order (without `.` and `..`).
    pub fn read_dir(&self, p: &str) -> Result<Vec<DirEntry>, FsError> {
        let t = self.lock();
        let ino = Self::existing(&t, "read_dir", p, true)?;
        let d = t.dir(ino).map_err(|e| err("read_dir", p, e))?;
        Ok(d.iter()
            .filter_map(|(name, child)| {
                let kind = kind_of(&t.get(child).ok()?.kind);
                Some(DirEntry {
                    name: name.to_owned(),
                    kind,
                })
            })
            .collect())
    }

    /// Metadata of `p`; symlinks are followed when `follow` is true.
    pub fn metadata_of(&self, p: &str, follow: bool) -> Result<Metadata, FsError> {
        let t = self.lock();
        let ino = Self::existing(&t, "metadata", p, follow)?;
        let n = t.get(ino).map_err(|e| err("metadata", p, e))?;
        Ok(Metadata {
            ino,
            kind: kind_of(&n.kind),
            len: n.size(),
            nlink: n.nlink,
            mtime: n.mtim,
        })
    }

    /// Metadata of `p`, symlinks followed.
    pub fn metadata(&self, p: &str) -> Result<Metadata, FsError> {
        self.metadata_of(p, true)
    }

    /// Whether `p` exists (symlinks followed).
    pub fn exists(&self, p: &str) -> bool {
        self.metadata(p).is_ok()
    }

    /// Removes the file, symlink or device `p`.
    pub fn remove_file(&self, p: &str) -> Result<(), FsError> {
        self.remove_entry("remove_file", p, Errno::Isdir, |t, dir, name| {
            t.unlink(dir, name, wall_clock_ns()).map(|_| ())
        })
    }

    /// Removes the empty directory `p`.
    pub fn remove_dir(&self, p: &str) -> Result<(), FsError> {
        self.remove_entry("remove_dir", p, Errno::Busy, |t, dir, name| {
            t.rmdir(dir, name, wall_clock_ns()).map(|_| ())
        })
    }

    /// Removes `p` and, if it is a directory, everything below it.
    pub fn remove_dir_all(&self, p: &str) -> Result<(), FsError> {
        self.remove_entry("remove_dir_all", p, Errno::Busy, remove_recursive)
    }

    /// Resolves `p` (a final symlink not followed) to its parent and name,
    /// and removes that entry with `remove`. `no_name` is the errno when
    /// the path ends without a name (`/`, `..`).
    fn remove_entry(
        &self,
        op: &'static str,
        p: &str,
        no_name: Errno,
        remove: impl FnOnce(&mut Tree, Ino, &str) -> Result<(), Errno>,
    ) -> Result<(), FsError> {
        let mut t = self.lock();
        let r = Self::resolve(&t, op, p, false)?;
        let name = r.name(no_name).map_err(|e| err(op, p, e))?.to_owned();
        remove(&mut t, r.parent, &name).map_err(|e| err(op, p, e))
    }

    /// Renames `from` to `to` (POSIX `rename` semantics).
    pub fn rename(&self, from: &str, to: &str) -> Result<(), FsError> {
        let mut t = self.lock();
        let a = Self::resolve(&t, "rename", from, false)?;
        let b = Self::resolve(&t, "rename", to, false)?;
        let an = a
            .name(Errno::Busy)
            .map_err(|e| err("rename", from, e))?
            .to_owned();
        let bn = b
            .name(Errno::Busy)
            .map_err(|e| err("rename", to, e))?
            .to_owned();
        t.rename(a.parent, &an, b.parent, &bn, wall_clock_ns())
            .map_err(|e| err("rename", from, e))
    }

    /// Creates the symlink `p` pointing at `target` (stored verbatim).
    ///
    /// Any target is accepted here, absolute ones too (a guest's
    /// `path_symlink` refuses those with `EPERM`); a guest that follows a
    /// link to an absolute target gets `EPERM`, so such a link is readable
    /// with `path_readlink` but leads nowhere.
    pub fn symlink(&self, target: &str, p: &str) -> Result<(), FsError> {
        self.create_node("symlink", p, NodeKind::Symlink(target.into()))
            .map(|_| ())
    }

    /// Creates `new` as another name of the file `existing`.
    pub fn hard_link(&self, existing: &str, new: &str) -> Result<(), FsError> {
        let mut t = self.lock();
        let src = Self::existing(&t, "hard_link", existing, false)?;
        let r = Self::resolve(&t, "hard_link", new, false)?;
        let name = r
            .name(Errno::Exist)
            .map_err(|e| err("hard_link", new, e))?
            .to_owned();
        t.link(r.parent, &name, src, wall_clock_ns())
            .map_err(|e| err("hard_link", new, e))
    }

    /// Creates the character device `p` (e.g. `/dev/urandom`).
    pub fn add_device(&self, p: &str, device: Device) -> Result<(), FsError> {
        self.create_node("add_device", p, NodeKind::CharDevice(device))
            .map(|_| ())
    }

    /// Creates `dir` (and parents) holding the standard devices `null`,
    /// `zero`, `full`, `urandom` and `random`.
    pub fn add_standard_devices(&self, dir: &str) -> Result<(), FsError> {
        self.create_dir_all(dir)?;
        let base = dir.trim_end_matches('/');
        for (name, dev) in [
            ("null", Device::Null),
            ("zero", Device::Zero),
            ("full", Device::Full),
            ("urandom", Device::Random),
            ("random", Device::Random),
        ] {
            self.add_device(&format!("{base}/{name}"), dev)?;
        }
        Ok(())
    }
}

fn remove_recursive(t: &mut Tree, parent: Ino, name: &str) -> Result<(), Errno> {
    let ino = t.lookup(parent, name)?.ok_or(Errno::Noent)?;
    if t.get(ino)?.is_dir() {
        let children: Vec<String> = t.dir(ino)?.iter().map(|(n, _)| n.to_owned()).collect();
        for c in children {
            remove_recursive(t, ino, &c)?;
        }
        t.rmdir(parent, name, wall_clock_ns())?;
    } else {
        t.unlink(parent, name, wall_clock_ns())?;
    }
    Ok(())
}

pub(crate) fn kind_of(k: &NodeKind) -> FileKind {
    FileKind::from(k)
}
