//! The temporary files of exports in progress, process-wide, so that a
//! signal handler can remove them before the process exits
//! ([`remove_unfinished_exports`](crate::fs::Filesystem::remove_unfinished_exports)).
//!
//! Each file an export replaces is written to a temporary sibling and
//! renamed into place. A process killed between the two used to leave the
//! sibling (`.name.afmpeg-….part`) behind. Every temporary file is created
//! through [`create_temp`], registered until its rename is done, and
//! removing them closes the registry: an export still running afterwards
//! cannot create another one, so nothing is left however the removal and
//! the export interleave (a rename that won the race published a complete
//! file).

use cap_std::fs::Dir;
use std::io;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// Where a temporary file lives.
enum Place {
    /// A name inside a directory capability (an export of a tree).
    InDir(Dir, String),
    /// A host path (an export of one file).
    Path(PathBuf),
}

impl Place {
    fn remove(&self) {
        let _ = match self {
            Place::InDir(dir, name) => dir.remove_file(name),
            Place::Path(p) => std::fs::remove_file(p),
        };
    }
}

struct Registry {
    /// Set by [`remove_unfinished_exports`](crate::fs::Filesystem::remove_unfinished_exports): no more temporary files.
    closed: bool,
    next: u64,
    files: Vec<(u64, Place)>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    closed: false,
    next: 0,
    files: Vec::new(),
});

fn registry() -> MutexGuard<'static, Registry> {
    // Only pushes and removals happen under the lock: a panic cannot leave
    // the list half-changed.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered temporary file; dropping it unregisters it (call after the
/// rename, or after removing the file on failure).
pub(super) struct Registered(u64);

impl Drop for Registered {
    fn drop(&mut self) {
        registry().files.retain(|(id, _)| *id != self.0);
    }
}

/// Where a temporary file is created, for [`create_temp`].
pub(super) struct PlaceOf(Place);

impl PlaceOf {
    /// `name` inside `dir` (the handle is duplicated).
    pub(super) fn in_dir(dir: &Dir, name: &str) -> io::Result<PlaceOf> {
        Ok(PlaceOf(Place::InDir(dir.try_clone()?, name.to_owned())))
    }

    /// The host path `path`.
    pub(super) fn path(path: PathBuf) -> PlaceOf {
        PlaceOf(Place::Path(path))
    }
}

/// Creates the temporary file at `place` with `create` and registers it,
/// under the registry's lock: no file can be created after
/// [`remove_unfinished_exports`](crate::fs::Filesystem::remove_unfinished_exports) and escape it.
pub(super) fn create_temp<F>(
    place: PlaceOf,
    create: impl FnOnce() -> io::Result<F>,
) -> io::Result<(Registered, F)> {
    let mut r = registry();
    if r.closed {
        return Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "the process is exiting: no more files are written back",
        ));
    }
    let file = create()?;
    let id = r.next;
    r.next += 1;
    r.files.push((id, place.0));
    Ok((Registered(id), file))
}

/// Removes every registered temporary file and closes the registry.
pub(super) fn remove_all() -> usize {
    let mut r = registry();
    r.closed = true;
    let files = std::mem::take(&mut r.files);
    for (_, place) in &files {
        place.remove();
    }
    files.len()
}
