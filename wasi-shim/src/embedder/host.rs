//! Moving trees between the host filesystem and an in-memory [`Filesystem`].
//!
//! Import brings a host file or directory tree into memory, copying small
//! files and reading large ones on demand (copy-on-write: the guest may
//! write to its view, the host file never changes). Export writes a subtree back to
//! the host; each file goes to a temporary sibling first and is renamed into
//! place, so an existing host file is never left half-written.

use super::{atomic, unfinished};
use crate::errno::Errno;
use crate::fs::file_data::FileData;
use crate::fs::host_file::HostFile;
use crate::fs::tree::{Ino, NodeKind, ROOT};
use crate::fs::{err, ExportOptions, Filesystem, FsError, ImportMode};
use crate::path;
use cap_fs_ext::DirExt;
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

fn host_err(op: &'static str, p: &Path, source: std::io::Error) -> FsError {
    FsError::Host {
        op,
        path: p.to_owned(),
        source,
    }
}

fn load(host: &Path, mode: ImportMode) -> Result<FileData, FsError> {
    let meta = fs::metadata(host).map_err(|e| host_err("import", host, e))?;
    let on_demand = match mode {
        ImportMode::Copy => false,
        ImportMode::OnDemand => meta.len() > 0,
        ImportMode::OnDemandAbove(n) => meta.len() >= n.max(1),
    };
    if on_demand {
        let file = HostFile::new(host).map_err(|e| host_err("import", host, e))?;
        Ok(FileData::host(file))
    } else {
        let bytes = fs::read(host).map_err(|e| host_err("import", host, e))?;
        Ok(FileData::from_vec(bytes))
    }
}

impl Filesystem {
    /// Removes the temporary file of every export in progress in this
    /// process and makes later exports fail (`ErrorKind::Interrupted`)
    /// instead of writing; returns how many files were removed.
    ///
    /// For a handler of SIGINT or SIGTERM about to exit the process: each
    /// file an export replaces is written to a temporary sibling and renamed
    /// into place, so after this call no half-written `.part` file survives
    /// and no destination is half-replaced (each was renamed whole, or not
    /// at all). See RATIONALE.md, "No temporary file survives a signal".
    ///
    /// ```
    /// use wasi_shim::fs::Filesystem;
    /// // In a signal-handling thread, before `std::process::exit(128 + sig)`:
    /// let removed = Filesystem::remove_unfinished_exports();
    /// assert_eq!(removed, 0); // no export was running
    /// ```
    pub fn remove_unfinished_exports() -> usize {
        unfinished::remove_all()
    }

    /// Checks, before a run, that [`export_host`](Self::export_host) to
    /// `host` could write there, so that a job does not run for an hour to
    /// fail at its end: the directory that will hold the result exists and
    /// this process may create files in it, and a file already at `host`
    /// may be written. That directory is `host` itself when it is a
    /// directory (an export of a tree), otherwise its parent; symlinks are
    /// followed as the export follows them. The error carries the
    /// operating system's own error (`NotFound`, `PermissionDenied`,
    /// read-only file system, …), as `open(2)` would have reported it.
    ///
    /// ```
    /// use wasi_shim::fs::Filesystem;
    /// let dir = std::env::temp_dir();
    /// Filesystem::check_export_target(dir.join("out.mp4"))?;
    /// let missing = dir.join("no-such-directory-afmpeg/out.mp4");
    /// let e = Filesystem::check_export_target(&missing).unwrap_err();
    /// assert!(matches!(e, wasi_shim::fs::FsError::Host { ref source, .. }
    ///     if source.kind() == std::io::ErrorKind::NotFound));
    /// # Ok::<(), wasi_shim::fs::FsError>(())
    /// ```
    pub fn check_export_target(host: impl AsRef<Path>) -> Result<(), FsError> {
        let host = host.as_ref();
        let fail = |e| host_err("check", host, e);
        let dest = resolve_host_path(host).map_err(fail)?;
        let dir = match fs::metadata(&dest) {
            Ok(m) if m.is_dir() => dest.clone(),
            Ok(_) => {
                writable(&dest).map_err(fail)?;
                parent_of(&dest)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => parent_of(&dest),
            Err(e) => return Err(fail(e)),
        };
        if !fs::metadata(&dir).map_err(fail)?.is_dir() {
            return Err(fail(std::io::Error::from(
                std::io::ErrorKind::NotADirectory,
            )));
        }
        writable(&dir).map_err(fail)
    }

    /// Imports the host file or directory tree `host` as `guest` (parents
    /// are created). Symlinks are copied as symlinks, verbatim; other special
    /// files are refused.
    pub fn import_host(
        &self,
        host: impl AsRef<Path>,
        guest: &str,
        mode: ImportMode,
    ) -> Result<(), FsError> {
        let host = host.as_ref();
        let meta = fs::symlink_metadata(host).map_err(|e| host_err("import", host, e))?;
        if let Some((parent, _)) = guest.trim_end_matches('/').rsplit_once('/') {
            if !parent.is_empty() {
                self.create_dir_all(parent)?;
            }
        }
        let ft = meta.file_type();
        if ft.is_dir() {
            if !self.exists(guest) {
                self.create_dir(guest)?;
            }
            let mut entries: Vec<_> = fs::read_dir(host)
                .map_err(|e| host_err("import", host, e))?
                .collect::<Result<_, _>>()
                .map_err(|e| host_err("import", host, e))?;
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let name = entry.file_name();
                let name = name.to_str().ok_or_else(|| {
                    host_err(
                        "import",
                        &entry.path(),
                        std::io::Error::other("file name is not UTF-8"),
                    )
                })?;
                let child = format!("{}/{}", guest.trim_end_matches('/'), name);
                self.import_host(entry.path(), &child, mode)?;
            }
            Ok(())
        } else if ft.is_file() {
            self.put_file(guest, load(host, mode)?)
        } else if ft.is_symlink() {
            let target = fs::read_link(host).map_err(|e| host_err("import", host, e))?;
            let target = target.to_str().ok_or_else(|| {
                host_err(
                    "import",
                    host,
                    std::io::Error::other("symlink target is not UTF-8"),
                )
            })?;
            self.symlink(target, guest)
        } else {
            Err(host_err(
                "import",
                host,
                std::io::Error::other("not a file, directory or symlink"),
            ))
        }
    }

    /// Exports the file or directory tree `guest` to the host path `host`.
    ///
    /// A directory is written through a capability: `host` itself (the
    /// embedder's choice) is created if missing and opened, following a
    /// symlink there as any path the user names; everything below it is
    /// created, entered and replaced relative to that handle without ever
    /// following a host symlink, so no write can leave `host`, whatever the
    /// guest built and whatever links the host tree holds (RATIONALE.md,
    /// "Write-back through a directory capability").
    ///
    /// Only what differs is written: a host file whose bytes already equal
    /// the guest's, a directory that exists, and a symlink with the same
    /// target are left alone (mode, times, inode, links untouched). Each file
    /// that is written goes to a temporary sibling first and is renamed into
    /// place, keeping the replaced file's permission bits and owner; a file
    /// whose owner this process cannot give (not root, not its owner) is
    /// written in place instead, or refused with `PermissionDenied` when it
    /// may not be written (RATIONALE.md, "The owner is kept: in place when
    /// it cannot be given").
    pub fn export_host(
        &self,
        guest: &str,
        host: impl AsRef<Path>,
        opts: ExportOptions,
    ) -> Result<(), FsError> {
        let host = host.as_ref();
        let (ino, is_dir) = {
            let t = self.lock();
            let rel = guest.trim_start_matches('/');
            let rel = if rel.is_empty() { "." } else { rel };
            let ino = path::resolve(&t, ROOT, rel, true)
                .and_then(|r| r.existing(&t))
                .map_err(|e| err("export", guest, e))?;
            (
                ino,
                t.get(ino).map_err(|e| err("export", guest, e))?.is_dir(),
            )
        };
        if is_dir {
            match fs::create_dir(host) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(host_err("export", host, e)),
            }
            let dir = Dir::open_ambient_dir(host, ambient_authority())
                .map_err(|e| host_err("export", host, e))?;
            self.export_dir(&dir, host, ino, guest, opts)
        } else {
            let data = self.node_data(ino, guest)?;
            if !opts.overwrite && fs::symlink_metadata(host).is_ok() {
                return Err(exists(host));
            }
            // The embedder named this path: resolve it as the kernel would
            // open it, so a symlink is written through (its target
            // replaced, the link kept) and `..` after a symlinked directory
            // means the parent of its target.
            let dest = resolve_host_path(host).map_err(|e| host_err("export", host, e))?;
            if same_file_content(fs::File::open(&dest).ok(), &data) {
                return Ok(());
            }
            atomic::replace_at(&dest, |f| write_data(f, &data))
                .map_err(|e| host_err("export", host, e))
        }
    }

    /// Writes the children of the directory `ino` into the host directory
    /// `dir` (whose path, for messages only, is `host`).
    fn export_dir(
        &self,
        dir: &Dir,
        host: &Path,
        ino: Ino,
        guest: &str,
        opts: ExportOptions,
    ) -> Result<(), FsError> {
        let children: Vec<(String, Ino, bool, Option<String>)> = {
            let t = self.lock();
            let d = t.dir(ino).map_err(|e| err("export", guest, e))?;
            d.iter()
                .filter_map(|(name, child)| {
                    let n = t.get(child).ok()?;
                    let link = match &n.kind {
                        NodeKind::Symlink(s) => Some(s.to_string()),
                        _ => None,
                    };
                    Some((name.to_owned(), child, n.is_dir(), link))
                })
                .collect()
        };
        for (name, child, is_dir, link) in children {
            let g = format!("{}/{}", guest.trim_end_matches('/'), name);
            let h = host.join(&name);
            let ioerr = |e| host_err("export", &h, e);
            // What is there now, never following a link.
            let existing = dir.symlink_metadata(&name).ok();
            if let Some(target) = link {
                if let Some(m) = &existing {
                    if m.file_type().is_symlink()
                        && dir.read_link_contents(&name).ok().as_deref() == Some(Path::new(&target))
                    {
                        continue;
                    }
                    if !opts.overwrite {
                        return Err(exists(&h));
                    }
                    remove_entry(dir, &name, m).map_err(ioerr)?;
                }
                #[cfg(unix)]
                dir.symlink_contents(&target, &name).map_err(ioerr)?;
                #[cfg(not(unix))]
                let _ = target;
            } else if is_dir {
                match &existing {
                    Some(m) if m.is_dir() => {}
                    Some(m) => {
                        // A file or a symlink (to anything, a directory
                        // outside included) where the guest has a
                        // directory: the link itself is replaced, its
                        // target never entered.
                        if !opts.overwrite {
                            return Err(exists(&h));
                        }
                        remove_entry(dir, &name, m).map_err(ioerr)?;
                        dir.create_dir(&name).map_err(ioerr)?;
                    }
                    None => dir.create_dir(&name).map_err(ioerr)?,
                }
                // `open_dir_nofollow` refuses a symlink swapped in since the
                // check above: the recursion only ever enters real
                // directories inside `dir`.
                let sub = dir.open_dir_nofollow(&name).map_err(ioerr)?;
                self.export_dir(&sub, &h, child, &g, opts)?;
            } else {
                let data = self.node_data(child, &g)?;
                if let Some(m) = &existing {
                    if m.is_file() && same_file_content(dir.open(&name).ok(), &data) {
                        continue;
                    }
                    if !opts.overwrite {
                        return Err(exists(&h));
                    }
                    if m.is_dir() {
                        remove_entry(dir, &name, m).map_err(ioerr)?;
                    }
                }
                atomic::replace_in(dir, name.as_ref(), |f| write_data(f, &data)).map_err(ioerr)?;
            }
        }
        Ok(())
    }

    /// The bytes of the file `ino` (a cheap clone: shared chunks).
    fn node_data(&self, ino: Ino, guest: &str) -> Result<FileData, FsError> {
        let t = self.lock();
        match &t.get(ino).map_err(|e| err("export", guest, e))?.kind {
            NodeKind::File(d) => Ok(d.clone()),
            _ => Err(err("export", guest, Errno::Inval)),
        }
    }
}

fn exists(host: &Path) -> FsError {
    host_err(
        "export",
        host,
        std::io::Error::new(std::io::ErrorKind::AlreadyExists, "exists; not replaced"),
    )
}

/// The path the kernel would open for `path`: symlinks at the last
/// component followed (dangling ones too: their target is what `O_CREAT`
/// would create), and the parent directory resolved, `..` after a symlink
/// included.
fn resolve_host_path(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut p = path.to_path_buf();
    // Linux's limit on symlinks followed in one lookup.
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => {
                let name = p.file_name().map(|n| n.to_owned());
                let parent = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => std::path::PathBuf::from("."),
                };
                return match name {
                    Some(name) => Ok(fs::canonicalize(parent)?.join(name)),
                    None => fs::canonicalize(&p),
                };
            }
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

fn parent_of(p: &Path) -> std::path::PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

/// Whether this process may write `p` (for a directory: create entries in
/// it), with the kernel's answer: `access(2)` with the effective ids, which
/// also reports a read-only file system (`EROFS`).
#[cfg(unix)]
fn writable(p: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    let is_dir = fs::metadata(p).is_ok_and(|m| m.is_dir());
    let mode = if is_dir {
        libc::W_OK | libc::X_OK
    } else {
        libc::W_OK
    };
    // SAFETY: `c` is a valid NUL-terminated string for the call's duration.
    let r = unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), mode, libc::AT_EACCESS) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn writable(p: &Path) -> std::io::Result<()> {
    if fs::metadata(p)?.permissions().readonly() {
        Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
    } else {
        Ok(())
    }
}

/// Removes the entry `name` of `dir` (described by `m`, not followed): a
/// file or symlink is unlinked, a directory removed with its contents.
fn remove_entry(dir: &Dir, name: &str, m: &cap_std::fs::Metadata) -> std::io::Result<()> {
    if m.is_dir() {
        dir.remove_dir_all(name)
    } else {
        dir.remove_file_or_symlink(name)
    }
}

/// Whether the open host file `file` holds exactly `data`.
pub(super) fn same_file_content<F: std::io::Read>(file: Option<F>, data: &FileData) -> bool {
    let Some(mut file) = file else {
        return false;
    };
    let mut host = vec![0u8; crate::fs::file_data::CHUNK];
    let mut ours = vec![0u8; crate::fs::file_data::CHUNK];
    let mut off = 0u64;
    loop {
        let n = match read_full(&mut file, &mut host) {
            Ok(n) => n,
            Err(_) => return false,
        };
        let Ok(m) = data.read_at(off, &mut ours[..n.max(1)]) else {
            return false;
        };
        if n == 0 {
            return m == 0;
        }
        if m != n || host[..n] != ours[..n] {
            return false;
        }
        off += n as u64;
    }
}

/// Reads until `buf` is full or the end of the file.
fn read_full(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Copies `data` into the empty `file`, leaving holes where `data` has
/// them: only its stored runs are written, each after a seek over the hole
/// before it, and a hole at the end is made by setting the length. The
/// host file system allocates no blocks for the holes, as `cp --sparse`.
pub(super) fn write_data(file: &mut cap_std::fs::File, data: &FileData) -> std::io::Result<()> {
    if let Some(bytes) = data.as_contiguous() {
        return file.write_all(bytes);
    }
    if let Some(runs) = data.stored_runs() {
        for (offset, bytes) in runs {
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(bytes)?;
        }
        return file.set_len(data.len());
    }
    let mut buf = vec![0u8; crate::fs::file_data::CHUNK];
    let mut off = 0u64;
    loop {
        let n = data
            .read_at(off, &mut buf)
            .map_err(|e| std::io::Error::other(format!("reading the guest's file: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        file.write_all(&buf[..n])?;
        off += n as u64;
    }
}
