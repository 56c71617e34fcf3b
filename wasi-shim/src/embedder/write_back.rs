//! Writing an overlay's changes ([`Changes`]) back to its host directory,
//! through that directory's capability ([`HostDir`]) and nothing else:
//! every path of a change is walked one entry at a time from the handle,
//! entering directories with `open_dir_nofollow` and acting on the last
//! entry with `*at` calls that follow no symlink, so no write can leave the
//! mount whatever the guest built or the host holds. Only the entries the
//! changes name are touched; files are replaced atomically (a registered
//! temporary sibling renamed over the name, [`atomic`]). RATIONALE.md,
//! "Write-back as a diff".

use super::atomic;
use super::host::{same_file_content, write_data};
use crate::backend::{Change, Changes, HostDir};
use crate::fs::FsError;
use cap_fs_ext::DirExt;
use cap_std::fs::Dir;
use std::io;
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

/// What [`Changes::write_back`] did, by kind of change.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteBack {
    /// Directories made.
    pub dirs: usize,
    /// Files written (replaced or created).
    pub files: usize,
    /// Files the guest opened for writing whose bytes the host already
    /// holds: left in place (their times set if the guest changed them).
    pub unchanged: usize,
    /// Hard links made.
    pub links: usize,
    /// Symlinks made.
    pub symlinks: usize,
    /// Host entries removed (a directory with what it held counts once).
    pub removed: usize,
}

impl Changes {
    /// Applies the changes to the host directory `to` — the overlay's
    /// lower layer, through a handle that may write — in their publish
    /// order (directories, files, playlists and manifests, removals), and
    /// stops at the first that fails: what was published before stays, an
    /// index after a failed segment is not published, and no temporary
    /// file is left. The policy, entry by entry:
    ///
    /// - a file is written to a temporary sibling and renamed over its
    ///   name: a replaced file keeps its mode and its owner, holes the guest
    ///   left are not allocated, and the guest's access and modification
    ///   times are set; a file whose bytes the host already holds is left
    ///   alone (its inode, links and mode);
    /// - a file whose owner this process cannot give to a new file (not
    ///   root, not its owner) is written in place instead, keeping inode,
    ///   owner and mode (its times are the write's), or, if this process
    ///   may not write it, the write-back stops with `PermissionDenied`
    ///   (`EACCES`) and that file is left as it was;
    /// - a symlink or a hard link is made under a temporary name and
    ///   renamed over its name;
    /// - a removal removes whatever the host has at that name now (a
    ///   directory with its contents: the guest removed it only once it
    ///   saw it empty);
    /// - anything at the name of a new entry that is not of its kind (a
    ///   file where the guest made a directory, …) is removed first.
    ///
    /// `EROFS` (as an I/O error) if `to` is read-only.
    ///
    /// ```
    /// use wasi_shim::backend::{BackendDir, HostDir, OpenFile, OverlayDir};
    /// use wasi_shim::fs::Filesystem;
    /// let tmp = std::env::temp_dir().join(format!("wasi-shim-wb-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&tmp)?;
    /// std::fs::write(tmp.join("old.txt"), b"old")?;
    /// let host = HostDir::open_ambient(&tmp, false)?;
    /// let overlay = OverlayDir::new(Box::new(host.read_only_clone()?), &Filesystem::new());
    /// let new = OpenFile { create: true, write: true, ..OpenFile::default() };
    /// overlay.open_file("new.txt", new)?.write_at(0, b"new")?;
    /// overlay.remove_file("old.txt")?;
    /// assert!(tmp.join("old.txt").exists()); // nothing written yet
    /// let done = overlay.changes()?.write_back(&host)?;
    /// assert_eq!((done.files, done.removed), (1, 1));
    /// assert_eq!(std::fs::read(tmp.join("new.txt"))?, b"new");
    /// assert!(!tmp.join("old.txt").exists());
    /// # std::fs::remove_dir_all(&tmp)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_back(&self, to: &HostDir) -> Result<WriteBack, FsError> {
        let mut done = WriteBack::default();
        if to.is_read_only() {
            return Err(FsError::Host {
                op: "write back",
                path: PathBuf::from("."),
                source: io::Error::from(io::ErrorKind::ReadOnlyFilesystem),
            });
        }
        let root = to.cap_dir();
        for change in self {
            self.apply(root, change, &mut done)
                .map_err(|source| FsError::Host {
                    op: "write back",
                    path: PathBuf::from(change.path()),
                    source,
                })?;
        }
        Ok(done)
    }

    fn apply(&self, root: &Dir, change: &Change, done: &mut WriteBack) -> io::Result<()> {
        let (dir, name) = open_parent(root, change.path())?;
        let existing = match dir.symlink_metadata(&name) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let is_dir = existing.as_ref().is_some_and(|m| m.is_dir());
        match change {
            Change::Dir { .. } => {
                if is_dir {
                    return Ok(());
                }
                if existing.is_some() {
                    dir.remove_file(&name)?;
                }
                dir.create_dir(&name)?;
                done.dirs += 1;
            }
            Change::File { path, .. } => {
                let (atim, mtim) = self.with_file(path, |_, a, m| (a, m)).ok_or_else(gone)?;
                if existing.as_ref().is_some_and(|m| m.is_file()) {
                    let same = self
                        .with_file(path, |data, _, _| {
                            same_file_content(open_nofollow(&dir, &name).ok(), data)
                        })
                        .ok_or_else(gone)?;
                    if same {
                        if existing.as_ref().and_then(mtime_ns) != Some(mtim) {
                            set_guest_times(&open_nofollow(&dir, &name)?, atim, mtim)?;
                        }
                        done.unchanged += 1;
                        return Ok(());
                    }
                }
                if is_dir {
                    dir.remove_dir_all(&name)?;
                }
                atomic::replace_in(&dir, name.as_ref(), |f| {
                    self.with_file(path, |data, _, _| write_data(f, data))
                        .ok_or_else(gone)??;
                    set_guest_times(f, atim, mtim)
                })?;
                done.files += 1;
            }
            Change::Link { to, .. } => {
                let (to_dir, to_name) = open_parent(root, to)?;
                if is_dir {
                    dir.remove_dir_all(&name)?;
                }
                atomic::replace_entry_in(&dir, name.as_ref(), |tmp| {
                    to_dir.hard_link(&to_name, &dir, tmp)
                })?;
                done.links += 1;
            }
            Change::Symlink { target, .. } => {
                if is_dir {
                    dir.remove_dir_all(&name)?;
                }
                #[cfg(unix)]
                atomic::replace_entry_in(&dir, name.as_ref(), |tmp| {
                    dir.symlink_contents(target, tmp)
                })?;
                #[cfg(not(unix))]
                let _ = target;
                done.symlinks += 1;
            }
            Change::Removed { .. } => {
                match existing {
                    None => return Ok(()),
                    Some(_) if is_dir => dir.remove_dir_all(&name)?,
                    Some(_) => dir.remove_file(&name)?,
                }
                done.removed += 1;
            }
        }
        Ok(())
    }
}

/// The directory holding the last component of `path` (relative, `/`
/// separated, entry names only), entered from `root` one real directory at
/// a time (`open_dir_nofollow`: a symlink on the way is an error, never
/// followed), and that component.
fn open_parent(root: &Dir, path: &str) -> io::Result<(Dir, String)> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    if name.is_empty()
        || parts
            .iter()
            .chain([&name])
            .any(|c| matches!(*c, "" | "." | ".."))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a path of entry names",
        ));
    }
    let mut dir = root.try_clone()?;
    for part in parts {
        dir = dir.open_dir_nofollow(part)?;
    }
    Ok((dir, name.to_owned()))
}

/// The regular file `name` of `dir`, for reading, a symlink there refused.
fn open_nofollow(dir: &Dir, name: &str) -> io::Result<cap_std::fs::File> {
    use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
    let mut o = cap_std::fs::OpenOptions::new();
    o.read(true).follow(FollowSymlinks::No);
    dir.open_with(name, &o)
}

fn gone() -> io::Error {
    io::Error::other("the overlay no longer holds the file")
}

fn mtime_ns(m: &cap_std::fs::Metadata) -> Option<u64> {
    use cap_std::fs::MetadataExt;
    let secs = u64::try_from(m.mtime()).ok()?;
    let nsec = u64::try_from(m.mtime_nsec()).ok()?;
    secs.checked_mul(1_000_000_000)?.checked_add(nsec)
}

/// Gives a written file the guest's times, where this process may: only a
/// file's owner (or root) may set given times, and a file written in place
/// because its owner could not be kept ([`atomic::replace_in`]) is not
/// ours. Its times are then those of the write (now), as for any program
/// writing a file it does not own.
fn set_guest_times(file: &cap_std::fs::File, atim: u64, mtim: u64) -> io::Result<()> {
    match set_times(file, atim, mtim) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
        other => other,
    }
}

/// Sets the access and modification times of an open file (`futimens`).
fn set_times(file: &cap_std::fs::File, atim: u64, mtim: u64) -> io::Result<()> {
    let t = std::fs::FileTimes::new()
        .set_accessed(UNIX_EPOCH + Duration::from_nanos(atim))
        .set_modified(UNIX_EPOCH + Duration::from_nanos(mtim));
    file.try_clone()?.into_std().set_times(t)
}
