//! Replacing a host file atomically: the one implementation behind every
//! write to the host — exports of a tree and of one file, and any embedder
//! file that must be absent or complete, never half-written
//! ([`write_file_atomically`], e.g. afmpeg's module cache).
//!
//! The new content goes to a temporary sibling created inside the same
//! directory handle, is synced, and is renamed over the name: same
//! directory (so the rename is atomic), nothing followed below the handle
//! (a symlink at the name is replaced, not written through), the replaced
//! file's permission bits and owner kept, and the temporary file registered
//! so a signal handler can remove it ([`unfinished`](super::unfinished)).
//! Where the temporary file cannot be given the replaced file's owner (this
//! process is not root and not its owner), the existing file is written in
//! place instead, as `open(O_TRUNC)` would: never a file silently handed to
//! another owner (RATIONALE.md, "The owner is kept: in place when it cannot
//! be given").
//! `tempfile` works on paths, not directory handles, and `cap-tempfile`
//! keeps its names private, so no registry could see them: hence this,
//! on cap-std (see RATIONALE.md, "No temporary file survives a signal").

use super::unfinished;
use crate::fs::wall_clock_ns;
use cap_std::ambient_authority;
use cap_std::fs::{Dir, File, OpenOptions};
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::path::Path;

/// The name of a temporary sibling of `base` (unique per process and call;
/// `create_new` and a retry settle a collision).
fn temp_name(base: &OsStr, attempt: u32) -> OsString {
    let mut name = OsString::from(".");
    name.push(base);
    name.push(format!(
        ".afmpeg-{}-{}-{attempt}.part",
        std::process::id(),
        wall_clock_ns()
    ));
    name
}

/// Writes the entry `name` of `dir` anew: `fill` writes a fresh temporary
/// file in `dir`, which is synced and renamed over `name`. A regular file
/// replaced keeps its permission bits and its owner; a symlink at `name` is
/// replaced, not followed. On failure the temporary file is removed and
/// `name` is untouched.
///
/// When the temporary file cannot be given the owner of the regular file it
/// would replace (`fchown` refused), that file is written in place instead
/// ([`write_in_place`]): its inode, owner, mode and links stay, and a
/// failure part way leaves it as far as it was written, as with any
/// program writing an existing file. `PermissionDenied` (`EACCES`) if it
/// cannot be opened for writing; nothing is touched then.
pub(crate) fn replace_in(
    dir: &Dir,
    name: &OsStr,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    // As when a program opens an existing output with O_TRUNC: its mode,
    // and its owner.
    let replaced = dir.symlink_metadata(name).ok().filter(|m| m.is_file());
    let mut attempt = 0u32;
    let (tmp, registered, mut file) = loop {
        let tmp = temp_name(name, attempt);
        let mut o = OpenOptions::new();
        o.write(true).create_new(true);
        match unfinished::create_temp(dir, &tmp, || dir.open_with(&tmp, &o)) {
            Ok((r, f)) => break (tmp, r, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    // The owner first, before any byte is written: if it cannot be given,
    // the temporary file is dropped and the bytes go in place.
    if let Some(m) = &replaced {
        if give_owner(&file, m).is_err() {
            drop(file);
            let _ = dir.remove_file(&tmp);
            drop(registered);
            return write_in_place(dir, name, fill);
        }
    }
    let result = (|| {
        fill(&mut file)?;
        if let Some(m) = &replaced {
            // After the owner: `fchown` clears the set-user-ID and
            // set-group-ID bits, which the replaced file may have.
            file.set_permissions(m.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        dir.rename(&tmp, dir, name)
    })();
    if result.is_err() {
        let _ = dir.remove_file(&tmp);
    }
    drop(registered);
    result
}

/// Gives `file` the owner and group of the file it replaces (a no-op when
/// they are already this process's; `EPERM` when this process is neither
/// root nor that file's owner, or not in its group).
#[cfg(unix)]
fn give_owner(file: &File, replaced: &cap_std::fs::Metadata) -> io::Result<()> {
    use cap_std::fs::MetadataExt;
    std::os::unix::fs::fchown(file, Some(replaced.uid()), Some(replaced.gid()))
}

#[cfg(not(unix))]
fn give_owner(_file: &File, _replaced: &cap_std::fs::Metadata) -> io::Result<()> {
    Ok(())
}

/// Writes the existing regular file `name` of `dir` in place: opened for
/// writing relative to the handle without following a symlink (and without
/// blocking, should a FIFO have been swapped in), checked to be a regular
/// file, truncated, filled, synced. The file keeps its inode, owner, mode
/// and hard links. `PermissionDenied` if this process may not write it.
fn write_in_place(
    dir: &Dir,
    name: &OsStr,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
    let mut o = OpenOptions::new();
    o.write(true).follow(FollowSymlinks::No);
    #[cfg(unix)]
    {
        use cap_std::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = dir.open_with(name, &o)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file; not written",
        ));
    }
    file.set_len(0)?;
    fill(&mut file)?;
    file.sync_all()
}

/// Puts a new entry that `make` creates under a name it is given (a
/// symlink, a hard link) at `name` of `dir`, atomically: made under a
/// registered temporary name in `dir`, then renamed over `name` (which is
/// replaced, not followed).
pub(crate) fn replace_entry_in(
    dir: &Dir,
    name: &OsStr,
    make: impl Fn(&OsStr) -> io::Result<()>,
) -> io::Result<()> {
    let mut attempt = 0u32;
    let (tmp, registered) = loop {
        let tmp = temp_name(name, attempt);
        match unfinished::create_temp(dir, &tmp, || make(&tmp)) {
            Ok((r, ())) => break (tmp, r),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = dir.rename(&tmp, dir, name);
    if result.is_err() {
        let _ = dir.remove_file(&tmp);
    }
    drop(registered);
    result
}

/// [`replace_in`] for the host path `path`: its directory is opened as the
/// handle (a symlink at `path` itself is replaced; resolve it first to
/// write through it).
pub(crate) fn replace_at(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "names no file (ends in `..`)")
    })?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = Dir::open_ambient_dir(parent, ambient_authority())?;
    replace_in(&dir, name, fill)
}

/// Writes `bytes` to the host file `path` so that it is either as it was
/// or complete: through a temporary sibling (removed on failure, and by
/// [`Filesystem::remove_unfinished_exports`](crate::fs::Filesystem::remove_unfinished_exports))
/// renamed over it. A replaced file keeps its permission bits; a symlink at
/// `path` is replaced by the file.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("atomic-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// wasi_shim::write_file_atomically(&dir.join("m.wasm"), b"\0asm")?;
/// assert_eq!(std::fs::read(dir.join("m.wasm"))?, b"\0asm");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_at(path, |f| f.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_no_temporary_file_stays() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("out.bin");
        std::fs::write(&p, b"old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file_atomically(&p, b"new bytes").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new bytes");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(names(tmp.path()), ["out.bin"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("out.bin");
        std::fs::write(&p, b"old").unwrap();
        let err = replace_at(&p, |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(names(tmp.path()), ["out.bin"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_name_is_replaced_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("target"), b"kept").unwrap();
        std::os::unix::fs::symlink("target", tmp.path().join("link")).unwrap();
        write_file_atomically(&tmp.path().join("link"), b"file").unwrap();
        assert_eq!(std::fs::read(tmp.path().join("target")).unwrap(), b"kept");
        let link = std::fs::symlink_metadata(tmp.path().join("link")).unwrap();
        assert!(link.is_file());
        assert_eq!(std::fs::read(tmp.path().join("link")).unwrap(), b"file");
    }

    #[cfg(unix)]
    #[test]
    fn in_place_keeps_the_inode_and_mode_and_truncates() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("out.bin");
        std::fs::write(&p, b"a longer old content").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o604)).unwrap();
        std::fs::hard_link(&p, tmp.path().join("twin")).unwrap();
        let ino = std::fs::metadata(&p).unwrap().ino();
        let dir = Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        write_in_place(&dir, OsStr::new("out.bin"), |f| f.write_all(b"new")).unwrap();
        let m = std::fs::metadata(&p).unwrap();
        assert_eq!((m.ino(), m.nlink(), m.mode() & 0o7777), (ino, 2, 0o604));
        assert_eq!(std::fs::read(tmp.path().join("twin")).unwrap(), b"new");
        assert_eq!(names(tmp.path()), ["out.bin", "twin"]);
    }

    #[cfg(unix)]
    #[test]
    fn in_place_follows_no_symlink_and_opens_no_fifo() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("target"), b"kept").unwrap();
        std::os::unix::fs::symlink("target", tmp.path().join("link")).unwrap();
        let fifo = std::ffi::CString::new(
            tmp.path()
                .join("fifo")
                .into_os_string()
                .into_encoded_bytes(),
        )
        .unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o666) }, 0);
        let dir = Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let mut filled = false;
        let e = write_in_place(&dir, OsStr::new("link"), |_| {
            filled = true;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ELOOP));
        // No reader: O_NONBLOCK makes the open fail (ENXIO) where a
        // blocking open would wait for one forever.
        let e = write_in_place(&dir, OsStr::new("fifo"), |_| {
            filled = true;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENXIO));
        assert!(!filled);
        assert_eq!(std::fs::read(tmp.path().join("target")).unwrap(), b"kept");
    }

    #[test]
    fn a_path_without_a_file_name_is_refused() {
        let err = write_file_atomically(Path::new("a/.."), b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
