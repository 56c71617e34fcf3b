//! The host backend: a live host directory through a cap-std [`Dir`].
//!
//! Every call is one `*at` system call relative to an open directory
//! handle, on one entry name that [`check_name`] has let through (no `/`,
//! not `.` or `..`), with `O_NOFOLLOW` semantics: cap-std's `*_nofollow`
//! and `symlink_metadata` calls, `symlink_contents`/`read_link_contents`
//! (which store and return targets without interpreting them). Nothing is
//! imported or copied; a symlink is only ever interpreted by the shim's
//! resolver, inside the capability.

use super::{BackendDir, BackendFile, DirEntry, EntryMeta, OpenFile, SetTimes, Stat};
use crate::errno::{Errno, Result};
use crate::fs::tree::check_name;
use crate::fs::FileKind;
use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, SystemTimeSpec};
use cap_std::fs::{Dir, File, FileType, Metadata, MetadataExt, OpenOptions};
use std::any::Any;
use std::path::Path;
#[cfg(any(target_os = "linux", target_os = "android"))]
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn io(e: std::io::Error) -> Errno {
    Errno::from_io(&e)
}

#[cfg(unix)]
fn rx(e: rustix::io::Errno) -> Errno {
    io(e.into())
}

/// What a `d_type` or `st_mode` says an entry is.
#[cfg(unix)]
fn kind_of_rx(t: rustix::fs::FileType) -> FileKind {
    use rustix::fs::FileType as T;
    match t {
        T::Directory => FileKind::Dir,
        T::Symlink => FileKind::Symlink,
        T::RegularFile => FileKind::File,
        // FIFOs, sockets and devices: never opened as files (`ENODEV`).
        _ => FileKind::CharDevice,
    }
}

/// Whether `openat2` may still be tried: cleared the first time the kernel
/// (before 5.6) or a seccomp filter refuses the call itself.
#[cfg(any(target_os = "linux", target_os = "android"))]
static OPENAT2: AtomicBool = AtomicBool::new(true);

fn kind_of(t: FileType) -> FileKind {
    if t.is_dir() {
        FileKind::Dir
    } else if t.is_symlink() {
        FileKind::Symlink
    } else if t.is_file() {
        FileKind::File
    } else {
        // FIFOs, sockets and devices: never opened as files (`ENODEV`).
        FileKind::CharDevice
    }
}

/// A time in ns since the Unix epoch from seconds and nanoseconds (0 for
/// one before the epoch, which WASI's unsigned times cannot hold).
fn ns(secs: i64, nsec: i64) -> u64 {
    u64::try_from(secs)
        .ok()
        .and_then(|s| s.checked_mul(1_000_000_000))
        .and_then(|s| s.checked_add(u64::try_from(nsec).unwrap_or(0)))
        .unwrap_or(0)
}

fn stat_of(m: &Metadata) -> Stat {
    Stat {
        kind: kind_of(m.file_type()),
        len: m.len(),
        ino: m.ino(),
        nlink: m.nlink(),
        atim: ns(m.atime(), m.atime_nsec()),
        mtim: ns(m.mtime(), m.mtime_nsec()),
        ctim: ns(m.ctime(), m.ctime_nsec()),
    }
}

fn spec(t: Option<u64>) -> Option<SystemTimeSpec> {
    system_time(t).map(|t| SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(t)))
}

fn system_time(t: Option<u64>) -> Option<SystemTime> {
    t.map(|ns| UNIX_EPOCH + Duration::from_nanos(ns))
}

/// What the handles of one mount share: its identity (renames and hard
/// links stay within one mount, `EXDEV` across, as between two preopens)
/// and how many host files it has opened.
#[derive(Debug, Default)]
struct Mount {
    files_opened: AtomicU64,
}

/// A directory of a live host directory tree.
#[derive(Debug)]
pub struct HostDir {
    dir: Dir,
    read_only: bool,
    mount: Arc<Mount>,
}

impl HostDir {
    /// Wraps an open directory capability. With `read_only`, every change
    /// fails with `EROFS` before the host is asked.
    pub fn new(dir: Dir, read_only: bool) -> Self {
        HostDir {
            dir,
            read_only,
            mount: Arc::new(Mount::default()),
        }
    }

    /// A second handle to this directory, of the same mount, that refuses
    /// every change (`EROFS`): the lower layer of an overlay whose
    /// write-back goes through this handle.
    pub fn read_only_clone(&self) -> std::io::Result<HostDir> {
        Ok(HostDir {
            dir: self.dir.try_clone()?,
            read_only: true,
            mount: self.mount.clone(),
        })
    }

    /// Whether every change is refused with `EROFS`.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// How many regular files the handles of this mount have opened (for
    /// reading or writing) since it was opened: what a run cost the host,
    /// without tracing it. Directories looked into are not counted.
    ///
    /// ```
    /// use wasi_shim::backend::{BackendDir, HostDir, OpenFile};
    /// let tmp = std::env::temp_dir().join(format!("wasi-shim-opened-{}", std::process::id()));
    /// std::fs::create_dir_all(&tmp)?;
    /// std::fs::write(tmp.join("a"), b"a")?;
    /// std::fs::write(tmp.join("b"), b"b")?;
    /// let root = HostDir::open_ambient(&tmp, true)?;
    /// assert_eq!(root.entries()?.len(), 2); // listing opens no file
    /// root.open_file("a", OpenFile::default())?;
    /// assert_eq!(root.files_opened(), 1);
    /// # std::fs::remove_dir_all(&tmp)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn files_opened(&self) -> u64 {
        self.mount.files_opened.load(Ordering::Relaxed)
    }

    /// The directory capability itself, for the write-back of an overlay
    /// (`embedder`), which works relative to it and to nothing else.
    pub(crate) fn cap_dir(&self) -> &Dir {
        &self.dir
    }

    /// Opens the host directory `path` (the one use of ambient authority:
    /// naming the mount).
    pub fn open_ambient(path: &Path, read_only: bool) -> std::io::Result<Self> {
        let dir = Dir::open_ambient_dir(path, cap_std::ambient_authority())?;
        Ok(Self::new(dir, read_only))
    }

    fn name<'n>(&self, name: &'n str) -> Result<&'n str> {
        check_name(name)?;
        Ok(name)
    }

    /// `name`, checked, for a call that changes the tree.
    fn name_to_change<'n>(&self, name: &'n str) -> Result<&'n str> {
        check_name(name)?;
        if self.read_only {
            return Err(Errno::Rofs);
        }
        Ok(name)
    }

    fn same_mount<'a>(&self, other: &'a dyn BackendDir) -> Result<&'a HostDir> {
        match other.as_any().downcast_ref::<HostDir>() {
            Some(d) if Arc::ptr_eq(&d.mount, &self.mount) => Ok(d),
            _ => Err(Errno::Xdev),
        }
    }

    fn lstat(&self, name: &str) -> Result<Option<cap_std::fs::Metadata>> {
        match self.dir.symlink_metadata(name) {
            Ok(m) => Ok(Some(m)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }
}

impl BackendDir for HostDir {
    fn entry(&self, name: &str) -> Result<Option<EntryMeta>> {
        let name = self.name(name)?;
        Ok(self.lstat(name)?.map(|m| EntryMeta {
            kind: kind_of(m.file_type()),
            len: m.len(),
        }))
    }

    fn open_dir(&self, name: &str) -> Result<Box<dyn BackendDir>> {
        let name = self.name(name)?;
        let dir = self.dir.open_dir_nofollow(name).map_err(|e| match io(e) {
            // O_DIRECTORY|O_NOFOLLOW on a symlink: "not a directory" here,
            // as the memory backend says.
            Errno::Loop => Errno::Notdir,
            other => other,
        })?;
        Ok(Box::new(HostDir {
            dir,
            read_only: self.read_only,
            mount: self.mount.clone(),
        }))
    }

    fn open_file(&self, name: &str, how: OpenFile) -> Result<Box<dyn BackendFile>> {
        let changes = how.create || how.truncate || how.write;
        let name = if changes {
            self.name_to_change(name)
        } else {
            self.name(name)
        }?;
        // The errno of the memory backend for what is not a regular file,
        // before the host is asked to open it (a FIFO would block).
        match self.lstat(name)? {
            Some(_) if how.create && how.exclusive => return Err(Errno::Exist),
            Some(m) if m.is_dir() => return Err(Errno::Isdir),
            Some(m) if m.file_type().is_symlink() => return Err(Errno::Loop),
            Some(m) if !m.is_file() => return Err(Errno::Nodev),
            None if !how.create => return Err(Errno::Noent),
            _ => {}
        }
        let mut o = OpenOptions::new();
        o.read(true)
            .write(how.write || how.truncate)
            .truncate(how.truncate)
            .follow(FollowSymlinks::No);
        if how.create {
            // Created here only if it is still missing: a name that turned
            // into anything since the check is opened as what it is now,
            // and a symlink is refused by the kernel (O_NOFOLLOW).
            o.create(true).write(true);
        }
        let file = self.dir.open_with(name, &o).map_err(io)?;
        self.mount.files_opened.fetch_add(1, Ordering::Relaxed);
        let m = file.metadata().map_err(io)?;
        if !m.is_file() {
            return Err(if m.is_dir() {
                Errno::Isdir
            } else {
                Errno::Nodev
            });
        }
        Ok(Box::new(HostFile {
            file,
            read_only: self.read_only,
        }))
    }

    fn read_link(&self, name: &str) -> Result<String> {
        let name = self.name(name)?;
        let target = self.dir.read_link_contents(name).map_err(io)?;
        // A target that is not UTF-8 cannot be walked by a WASI guest.
        target
            .into_os_string()
            .into_string()
            .map_err(|_| Errno::Ilseq)
    }

    fn create_dir(&self, name: &str) -> Result<()> {
        let name = self.name_to_change(name)?;
        self.dir.create_dir(name).map_err(io)
    }

    fn symlink(&self, target: &str, name: &str) -> Result<()> {
        let name = self.name_to_change(name)?;
        if target.is_empty() {
            return Err(Errno::Noent);
        }
        self.dir.symlink_contents(target, name).map_err(io)
    }

    fn remove_file(&self, name: &str) -> Result<()> {
        let name = self.name_to_change(name)?;
        if self.lstat(name)?.is_some_and(|m| m.is_dir()) {
            // unlinkat without AT_REMOVEDIR: Linux says EISDIR.
            return Err(Errno::Isdir);
        }
        self.dir.remove_file(name).map_err(io)
    }

    fn remove_dir(&self, name: &str) -> Result<()> {
        let name = self.name_to_change(name)?;
        self.dir.remove_dir(name).map_err(io)
    }

    fn rename(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        let to = self.same_mount(to)?;
        let name = self.name_to_change(name)?;
        let to_name = to.name_to_change(to_name)?;
        self.dir.rename(name, &to.dir, to_name).map_err(io)
    }

    fn hard_link(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        let to = self.same_mount(to)?;
        let name = self.name_to_change(name)?;
        let to_name = to.name_to_change(to_name)?;
        if self.lstat(name)?.is_some_and(|m| m.is_dir()) {
            return Err(Errno::Perm);
        }
        // linkat without AT_SYMLINK_FOLLOW: a symlink is linked, not its target.
        self.dir.hard_link(name, &to.dir, to_name).map_err(io)
    }

    #[cfg(unix)]
    fn entries(&self) -> Result<Vec<DirEntry>> {
        use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags};
        // getdents on a descriptor of our own (the handle may be O_PATH, and
        // its position is not ours to move): names, d_type and d_ino of
        // many entries per call, no stat per entry.
        let fd = rfs::openat(
            &self.dir,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(rx)?;
        let mut dir = rfs::Dir::new(fd).map_err(rx)?;
        let mut out = Vec::new();
        while let Some(e) = dir.read() {
            let e = e.map_err(rx)?;
            let name = e.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            // A name that is not UTF-8 cannot be named by a WASI guest.
            let Ok(name) = std::str::from_utf8(name) else {
                continue;
            };
            let kind = match e.file_type() {
                // A filesystem without d_type (some network and FUSE ones):
                // ask, not following a symlink.
                FileType::Unknown => {
                    match rfs::statat(&self.dir, name, AtFlags::SYMLINK_NOFOLLOW) {
                        Ok(st) => kind_of_rx(FileType::from_raw_mode(st.st_mode)),
                        // Removed since getdents saw it: not listed.
                        Err(rustix::io::Errno::NOENT) => continue,
                        Err(e) => return Err(rx(e)),
                    }
                }
                t => kind_of_rx(t),
            };
            out.push(DirEntry {
                name: name.to_owned(),
                kind,
                ino: e.ino(),
            });
        }
        Ok(out)
    }

    /// Without getdents: cap-std's listing, an inode from a stat per entry.
    #[cfg(not(unix))]
    fn entries(&self) -> Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        for e in self.dir.entries().map_err(io)? {
            let e = e.map_err(io)?;
            // A name that is not UTF-8 cannot be named by a WASI guest.
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            let kind = kind_of(e.file_type().map_err(io)?);
            let ino = self.stat(&name).map(|s| s.ino).unwrap_or(0);
            out.push(DirEntry { name, kind, ino });
        }
        Ok(out)
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn open_dir_path(&self, names: &[&str]) -> Result<Option<Box<dyn BackendDir>>> {
        use rustix::fs::{Mode, OFlags, ResolveFlags};
        if names.is_empty() || !OPENAT2.load(Ordering::Relaxed) {
            return Ok(None);
        }
        // One openat2 for the whole path, walked by the kernel: beneath this
        // handle, through no symlink at all (a symlink is ELOOP, and our own
        // walker then expands it inside the capability, as before).
        let path = names.join("/");
        let how = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rustix::fs::openat2(&self.dir, path.as_str(), flags, Mode::empty(), how) {
            Ok(fd) => Ok(Some(Box::new(HostDir {
                dir: Dir::from(fd),
                read_only: self.read_only,
                mount: self.mount.clone(),
            }))),
            // What the step-by-step walk answers for the same names: a
            // name missing (a symlink, even a dangling one, is ELOOP first).
            Err(rustix::io::Errno::NOENT) => Err(Errno::Noent),
            Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => {
                // No openat2 here (kernel before 5.6, or a seccomp filter):
                // walk, from now on.
                OPENAT2.store(false, Ordering::Relaxed);
                Ok(None)
            }
            // ELOOP (a symlink on the way), ENOTDIR (which the kernel also
            // answers for some symlinks), EAGAIN (a rename raced the
            // lookup), EXDEV, EACCES and the rest: the walk decides, with
            // the errno it would have answered anyway.
            Err(_) => Ok(None),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn try_clone(&self) -> Result<Box<dyn BackendDir>> {
        Ok(Box::new(HostDir {
            dir: self.dir.try_clone().map_err(io)?,
            read_only: self.read_only,
            mount: self.mount.clone(),
        }))
    }

    fn stat(&self, name: &str) -> Result<Stat> {
        let name = self.name(name)?;
        Ok(stat_of(&self.lstat(name)?.ok_or(Errno::Noent)?))
    }

    fn stat_self(&self) -> Result<Stat> {
        Ok(stat_of(&self.dir.dir_metadata().map_err(io)?))
    }

    fn set_times(&self, name: &str, times: SetTimes) -> Result<()> {
        let name = self.name_to_change(name)?;
        self.dir
            .set_symlink_times(name, spec(times.atim), spec(times.mtim))
            .map_err(io)
    }

    fn set_times_self(&self, times: SetTimes) -> Result<()> {
        if self.read_only {
            return Err(Errno::Rofs);
        }
        self.dir
            .set_times(".", spec(times.atim), spec(times.mtim))
            .map_err(io)
    }
}

/// An open regular file of a host directory.
#[derive(Debug)]
pub struct HostFile {
    file: File,
    read_only: bool,
}

impl HostFile {
    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Errno::Rofs)
        } else {
            Ok(())
        }
    }
}

impl BackendFile for HostFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        use cap_std::fs::FileExt;
        loop {
            match self.file.read_at(buf, offset) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r.map_err(io),
            }
        }
    }

    fn write_at(&self, offset: u64, data: &[u8]) -> Result<()> {
        use cap_std::fs::FileExt;
        self.writable()?;
        self.file.write_all_at(data, offset).map_err(io)
    }

    fn len(&self) -> Result<u64> {
        Ok(self.file.metadata().map_err(io)?.len())
    }

    fn set_len(&self, len: u64) -> Result<()> {
        self.writable()?;
        self.file.set_len(len).map_err(io)
    }

    fn stat(&self) -> Result<Stat> {
        Ok(stat_of(&self.file.metadata().map_err(io)?))
    }

    fn set_times(&self, times: SetTimes) -> Result<()> {
        self.writable()?;
        // futimens on this fd: a second descriptor of the same open file.
        let mut t = std::fs::FileTimes::new();
        if let Some(a) = system_time(times.atim) {
            t = t.set_accessed(a);
        }
        if let Some(m) = system_time(times.mtim) {
            t = t.set_modified(m);
        }
        let file = self.file.try_clone().map_err(io)?.into_std();
        file.set_times(t).map_err(io)
    }
}
