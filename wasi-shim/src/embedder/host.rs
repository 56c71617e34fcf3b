//! Moving trees between the host filesystem and an in-memory [`Filesystem`].
//!
//! Import reads a host file or directory tree into memory, copying small
//! files and memory-mapping large ones (copy-on-write: the guest may write to
//! its view, the host file never changes). Export writes a subtree back to
//! the host; each file goes to a temporary sibling first and is renamed into
//! place, so an existing host file is never left half-written.

use crate::errno::Errno;
use crate::fs::file_data::{FileData, SharedBytes};
use crate::fs::tree::{Ino, NodeKind, ROOT};
use crate::fs::{err, wall_clock_ns, ExportOptions, Filesystem, FsError, ImportMode};
use crate::path;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

fn host_err(op: &'static str, p: &Path, source: std::io::Error) -> FsError {
    FsError::Host {
        op,
        path: p.to_owned(),
        source,
    }
}

fn load(host: &Path, mode: ImportMode) -> Result<FileData, FsError> {
    let meta = fs::metadata(host).map_err(|e| host_err("import", host, e))?;
    let map = match mode {
        ImportMode::Copy => false,
        ImportMode::Mmap => meta.len() > 0,
        ImportMode::MmapAbove(n) => meta.len() >= n.max(1),
    };
    if map {
        let file = fs::File::open(host).map_err(|e| host_err("import", host, e))?;
        // SAFETY: the mapping is read-only and private to this process; the
        // documented contract of `ImportMode::Mmap` is that the host file is
        // not modified while it is mapped.
        let mmap = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| host_err("mmap", host, e))?;
        let shared: SharedBytes = Arc::new(mmap);
        Ok(FileData::shared(shared))
    } else {
        let bytes = fs::read(host).map_err(|e| host_err("import", host, e))?;
        Ok(FileData::from_vec(bytes))
    }
}

impl Filesystem {
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
    /// Each file is written to a temporary sibling and renamed into place.
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
            self.export_dir(ino, guest, host, opts)
        } else {
            self.export_file(ino, guest, host, opts)
        }
    }

    fn export_dir(
        &self,
        ino: Ino,
        guest: &str,
        host: &Path,
        opts: ExportOptions,
    ) -> Result<(), FsError> {
        match fs::create_dir(host) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && host.is_dir() => {}
            Err(e) => return Err(host_err("export", host, e)),
        }
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
            if let Some(target) = link {
                #[cfg(unix)]
                {
                    if opts.overwrite && fs::symlink_metadata(&h).is_ok() {
                        fs::remove_file(&h).map_err(|e| host_err("export", &h, e))?;
                    }
                    std::os::unix::fs::symlink(&target, &h)
                        .map_err(|e| host_err("export", &h, e))?;
                }
                #[cfg(not(unix))]
                let _ = target;
            } else if is_dir {
                self.export_dir(child, &g, &h, opts)?;
            } else {
                self.export_file(child, &g, &h, opts)?;
            }
        }
        Ok(())
    }

    fn export_file(
        &self,
        ino: Ino,
        guest: &str,
        host: &Path,
        opts: ExportOptions,
    ) -> Result<(), FsError> {
        if !opts.overwrite && fs::symlink_metadata(host).is_ok() {
            return Err(host_err(
                "export",
                host,
                std::io::Error::new(std::io::ErrorKind::AlreadyExists, "exists; not replaced"),
            ));
        }
        let data = {
            let t = self.lock();
            match &t.get(ino).map_err(|e| err("export", guest, e))?.kind {
                NodeKind::File(d) => d.clone(),
                _ => return Err(err("export", guest, Errno::Inval)),
            }
        };
        write_atomically(host, &data)
    }
}

/// Writes `data` to a fresh temporary file next to `dest`, syncs it, and
/// renames it over `dest`. On any failure the temporary file is removed and
/// `dest` is untouched.
pub fn write_atomically(dest: &Path, data: &FileData) -> Result<(), FsError> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let base = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{base}.afmpeg-{}-{}-{attempt}.part",
            std::process::id(),
            wall_clock_ns()
        ));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e) => return Err(host_err("export", dest, e)),
        }
    };
    let result = (|| {
        match data.as_contiguous() {
            Some(bytes) => file.write_all(bytes)?,
            None => {
                let mut buf = vec![0u8; crate::fs::file_data::CHUNK];
                let mut off = 0u64;
                loop {
                    let n = data.read_at(off, &mut buf);
                    if n == 0 {
                        break;
                    }
                    file.write_all(&buf[..n])?;
                    off += n as u64;
                }
            }
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, dest)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        host_err("export", dest, e)
    })?;
    Ok(())
}
