//! The in-memory filesystem: an inode tree behind a shareable handle, and
//! the vocabulary of the API an embedder uses to fill it before a run and
//! read it after (errors, metadata, import and export options). That API
//! itself resolves paths, so it lives above path resolution, in
//! `embedder/` (the methods of [`Filesystem`] that take a path).
//!
//! A [`Filesystem`] is a cheap, clonable handle (`Arc<Mutex<Tree>>`). Many
//! contexts — many concurrent jobs — may mount the same filesystem; each
//! syscall holds the lock only for its own duration. Large inputs need not be
//! copied at all: a file can be backed by shared bytes or a memory-mapped
//! host file (see [`FileData`]).

pub mod device;
pub mod dir;
pub mod file_data;
pub mod host_file;
pub mod ino;
mod node_io;
pub mod tree;

pub use device::Device;
pub use file_data::{FileData, SharedBytes};
pub use host_file::HostFile;
pub use node_io::MAX_FILE_SIZE;
pub(crate) use node_io::{write_start, Buffers};
use tree::Tree;

use crate::errno::Errno;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// An error of the embedder-facing filesystem API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FsError {
    /// The operation failed inside the tree, with the errno a guest would get.
    #[error("{op} {path:?}: {errno}")]
    Tree {
        /// What was attempted.
        op: &'static str,
        /// The in-memory path.
        path: String,
        /// Why it failed.
        errno: Errno,
    },
    /// A host file or directory could not be read or written.
    #[error("{op} host path {path:?}")]
    Host {
        /// What was attempted.
        op: &'static str,
        /// The host path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl FsError {
    /// The errno, when the error came from the tree.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            FsError::Tree { errno, .. } => Some(*errno),
            FsError::Host { .. } => None,
        }
    }
}

/// Metadata of one file in the tree, as the embedder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// Inode number.
    pub ino: u64,
    /// What it is.
    pub kind: FileKind,
    /// Size in bytes (for a symlink, the length of its target).
    pub len: u64,
    /// Number of names.
    pub nlink: u64,
    /// Modification time, ns since the Unix epoch.
    pub mtime: u64,
}

/// The kind of a file in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link.
    Symlink,
    /// Character device.
    CharDevice,
}

/// What the embedder API calls a node's kind. (Here, not in `tree`: the
/// tree knows nothing of the embedder API above it.)
impl From<&tree::NodeKind> for FileKind {
    fn from(kind: &tree::NodeKind) -> FileKind {
        match kind {
            tree::NodeKind::File(_) => FileKind::File,
            tree::NodeKind::Dir(_) => FileKind::Dir,
            tree::NodeKind::Symlink(_) => FileKind::Symlink,
            tree::NodeKind::CharDevice(_) => FileKind::CharDevice,
        }
    }
}

/// One entry of [`Filesystem::read_dir`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: FileKind,
}

/// How imported host files are brought into the tree.
///
/// No mode maps files into memory: a mapped host file that shrinks kills
/// the process with `SIGBUS` on the next read of the lost pages, and one
/// mapping per file stops near the kernel's map-count limit (65,530).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Read every file into a private copy now: later changes to the host
    /// file are not seen.
    Copy,
    /// Read every file on demand from the host ([`HostFile`]): nothing
    /// copied or kept open per file. A host file that shrinks while a job
    /// reads it reads as a shorter file (end of file); one replaced by
    /// another file reads as `ESTALE`. The guest's writes go to a private
    /// copy, never to the host file.
    OnDemand,
    /// Read files of at least this many bytes on demand, copy smaller ones.
    OnDemandAbove(u64),
}

impl Default for ImportMode {
    fn default() -> Self {
        ImportMode::OnDemandAbove(1 << 20)
    }
}

/// Options of [`Filesystem::export_host`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Replace host entries that already exist and differ from the guest's
    /// (otherwise: an error, and the existing entry is untouched). An entry
    /// equal to the guest's is never rewritten, with or without it.
    pub overwrite: bool,
}

static NEXT_DEV: AtomicU64 = AtomicU64::new(1);

/// A device number no other tree or mount of this process has.
pub(crate) fn next_dev() -> u64 {
    NEXT_DEV.fetch_add(1, Ordering::Relaxed)
}

pub(crate) fn wall_clock_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// A handle to an in-memory filesystem (clones share it).
///
/// ```
/// use wasi_shim::fs::Filesystem;
/// let fs = Filesystem::new();
/// fs.create_dir_all("/in/clips")?;
/// fs.write("/in/clips/a.txt", b"hello".to_vec())?;
/// assert_eq!(fs.read("/in/clips/a.txt")?, b"hello");
/// let names: Vec<_> = fs.read_dir("/in/clips")?.into_iter().map(|e| e.name).collect();
/// assert_eq!(names, ["a.txt"]);
/// # Ok::<(), wasi_shim::fs::FsError>(())
/// ```
#[derive(Clone)]
pub struct Filesystem {
    tree: Arc<Mutex<Tree>>,
}

impl fmt::Debug for Filesystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.lock();
        f.debug_struct("Filesystem")
            .field("dev", &t.dev())
            .field("inodes", &t.inode_count())
            .finish()
    }
}

impl Default for Filesystem {
    fn default() -> Self {
        Self::new()
    }
}

impl Filesystem {
    /// An empty filesystem (just a root directory).
    pub fn new() -> Self {
        let dev = next_dev();
        Filesystem {
            tree: Arc::new(Mutex::new(Tree::new(dev, wall_clock_ns()))),
        }
    }

    /// Locks the tree. A panic in another holder cannot leave the tree
    /// half-updated (tree operations check before they mutate), so a
    /// poisoned lock is taken over rather than propagated.
    pub fn lock(&self) -> MutexGuard<'_, Tree> {
        self.tree.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether two handles refer to the same filesystem.
    pub fn same(&self, other: &Filesystem) -> bool {
        Arc::ptr_eq(&self.tree, &other.tree)
    }

    /// Number of live inodes and bytes of private (non-shared) file data.
    pub fn usage(&self) -> (usize, u64) {
        let t = self.lock();
        (t.inode_count(), t.private_bytes())
    }

    /// Checks the tree's structural invariants (for tests and fuzzers).
    pub fn check_invariants(&self) -> Result<(), String> {
        self.lock().check_invariants()
    }
}

pub(crate) fn err(op: &'static str, path: &str, errno: Errno) -> FsError {
    FsError::Tree {
        op,
        path: path.to_owned(),
        errno,
    }
}
