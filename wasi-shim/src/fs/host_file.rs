//! A regular file whose bytes stay on the host, read on demand with
//! positioned reads (`pread`).
//!
//! Nothing is copied at import and nothing is mapped: a host file that
//! shrinks while a job reads it gives a short read (end of file), never a
//! `SIGBUS` that kills the process (a mapping of a truncated file does),
//! and any number of files can be imported (one mapping per file hits the
//! kernel's map-count limit near 65,530). The file keeps the size it had at
//! import: growth past it is not seen. Reads only ever reach the inode that
//! was imported: a path that names another file by the time it is opened
//! (replaced, or a symlink swapped in) is `ESTALE`. See RATIONALE.md,
//! "Host inputs are read, not mapped".
//!
//! An open host handle is kept for reuse while few are open process-wide
//! ([`MAX_CACHED_HANDLES`]); past that, each read opens and closes the file,
//! so a 100,000-file image sequence costs no descriptor per file.

use crate::errno::{Errno, Result};
use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Host handles kept open for reuse, process-wide: far below the usual
/// soft descriptor limit (1,024), so imports never starve the embedder.
pub const MAX_CACHED_HANDLES: usize = 256;

static CACHED_HANDLES: AtomicUsize = AtomicUsize::new(0);

/// A host file read on demand (see the module docs).
#[derive(Debug)]
pub struct HostFile {
    path: PathBuf,
    len: u64,
    /// `(dev, ino)` at import; every open must find the same file.
    #[cfg(unix)]
    identity: (u64, u64),
    cached: OnceLock<File>,
}

impl HostFile {
    /// The regular host file at `path`, as it is now (its size is fixed
    /// from this moment). Nothing is read and no handle is kept.
    pub fn new(path: &Path) -> std::io::Result<HostFile> {
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        Ok(HostFile {
            path: path.to_owned(),
            len: meta.len(),
            #[cfg(unix)]
            identity: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
            cached: OnceLock::new(),
        })
    }

    /// The host path it was imported from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its size at import.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it was empty at import.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads from `offset` into `buf` (never past the size at import);
    /// returns how many bytes, fewer than asked only at the end of the
    /// file (0 at or past it, or once the host file has shrunk).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(self.len - offset) as usize;
        let buf = &mut buf[..want];
        match self.cached.get() {
            Some(f) => read_full_at(f, offset, buf),
            None => {
                let f = self.open()?;
                let n = read_full_at(&f, offset, buf);
                self.keep(f);
                n
            }
        }
    }

    /// Opens the path and checks it is still the imported file.
    fn open(&self) -> Result<File> {
        let f = File::open(&self.path).map_err(|e| match e.kind() {
            ErrorKind::NotFound => Errno::Stale,
            _ => Errno::Io,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = f.metadata().map_err(|_| Errno::Io)?;
            if (m.dev(), m.ino()) != self.identity {
                return Err(Errno::Stale);
            }
        }
        Ok(f)
    }

    /// Keeps `f` for later reads if the process-wide budget allows;
    /// otherwise it is closed when dropped here.
    fn keep(&self, f: File) {
        if CACHED_HANDLES.fetch_add(1, Ordering::Relaxed) >= MAX_CACHED_HANDLES {
            CACHED_HANDLES.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        if self.cached.set(f).is_err() {
            // Another reader cached one first.
            CACHED_HANDLES.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Drop for HostFile {
    fn drop(&mut self) {
        if self.cached.get().is_some() {
            CACHED_HANDLES.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Positioned reads until `buf` is full or the end of the file.
fn read_full_at(f: &File, offset: u64, buf: &mut [u8]) -> Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match pread(f, &mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(Errno::Io),
        }
    }
    Ok(done)
}

#[cfg(unix)]
fn pread(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, offset)
}

#[cfg(windows)]
fn pread(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shrunk_file_reads_as_end_of_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.raw");
        std::fs::write(&p, vec![7u8; 10_000]).unwrap();
        let h = HostFile::new(&p).unwrap();
        let mut buf = vec![0u8; 4096];
        assert_eq!(h.read_at(0, &mut buf), Ok(4096));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&p)
            .unwrap()
            .set_len(5000)
            .unwrap();
        assert_eq!(h.read_at(4096, &mut buf), Ok(904));
        assert_eq!(h.read_at(5000, &mut buf), Ok(0));
        // Growth past the size at import is not seen.
        std::fs::write(&p, vec![1u8; 20_000]).unwrap();
        assert_eq!(h.read_at(9_000, &mut buf), Ok(1000));
        assert_eq!(h.read_at(10_000, &mut buf), Ok(0));
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.raw");
        std::fs::write(&p, b"first").unwrap();
        let h = HostFile::new(&p).unwrap();
        std::fs::write(dir.path().join("other"), b"other").unwrap();
        std::fs::rename(dir.path().join("other"), &p).unwrap();
        let mut buf = [0u8; 5];
        assert_eq!(h.read_at(0, &mut buf), Err(Errno::Stale));
        std::fs::remove_file(&p).unwrap();
        assert_eq!(h.read_at(0, &mut buf), Err(Errno::Stale));
    }
}
