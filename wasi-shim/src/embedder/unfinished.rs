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
use std::sync::{Mutex, MutexGuard};

/// A temporary file: its name inside a directory handle of its own.
struct Place(Dir, std::ffi::OsString);

impl Place {
    fn remove(&self) {
        let _ = self.0.remove_file(&self.1);
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

/// Creates the temporary file `name` of `dir` with `create` and registers it
/// (with a duplicate of the handle),
/// under the registry's lock: no file can be created after
/// [`remove_unfinished_exports`](crate::fs::Filesystem::remove_unfinished_exports) and escape it.
pub(super) fn create_temp<F>(
    dir: &Dir,
    name: &std::ffi::OsStr,
    create: impl FnOnce() -> io::Result<F>,
) -> io::Result<(Registered, F)> {
    let place = Place(dir.try_clone()?, name.to_owned());
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
    r.files.push((id, place));
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
