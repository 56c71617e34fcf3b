//! A small language of path operations over any [`BackendDir`], and a dump
//! of a whole tree: what the differential tests and the overlay fuzzer run
//! on several backends and compare (results with exact errnos, and trees).

use super::{resolve, resolve_new, BackendDir, DirEntry, OpenFile};
use crate::errno::{Errno, Result};
use crate::fs::FileKind;

/// One operation, on paths resolved from the directory it is applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `mkdir(path)`.
    Mkdir(String),
    /// Creates or truncates the file `path` (following a final symlink)
    /// and writes the bytes.
    Write(String, Vec<u8>),
    /// Reads the file `path` (following a final symlink), at most 4 KiB.
    Read(String),
    /// `unlink(path)`.
    Unlink(String),
    /// `rmdir(path)`.
    Rmdir(String),
    /// `rename(from, to)`.
    Rename(String, String),
    /// `link(from, to)` (a symlink is linked, not followed).
    Link(String, String),
    /// `symlink(target, path)`.
    Symlink(String, String),
    /// `readlink(path)`.
    Readlink(String),
}

/// Applies `op` from `root`: the bytes it read, or nothing, or the errno.
pub fn apply(root: &dyn BackendDir, op: &Op) -> Result<Option<Vec<u8>>> {
    match op {
        Op::Mkdir(p) => {
            let (d, n) = resolve_new(root, p)?;
            d.create_dir(&n).map(|()| None)
        }
        Op::Write(p, bytes) => {
            let r = resolve(root, p, true)?;
            let how = OpenFile {
                create: true,
                truncate: true,
                write: true,
                exclusive: false,
            };
            let f = r
                .dir
                .open_file(r.name.as_deref().ok_or(Errno::Isdir)?, how)?;
            f.write_at(0, bytes).map(|()| None)
        }
        Op::Read(p) => {
            let r = resolve(root, p, true)?;
            let name = r.name.as_deref().ok_or(Errno::Isdir)?;
            read_prefix(&*r.dir, name).map(Some)
        }
        Op::Unlink(p) => {
            let (d, n) = resolve_new(root, p)?;
            d.remove_file(&n).map(|()| None)
        }
        Op::Rmdir(p) => {
            let (d, n) = resolve_new(root, p)?;
            d.remove_dir(&n).map(|()| None)
        }
        Op::Rename(a, b) => {
            let (da, na) = resolve_new(root, a)?;
            let (db, nb) = resolve_new(root, b)?;
            da.rename(&na, &*db, &nb).map(|()| None)
        }
        Op::Link(a, b) => {
            let (da, na) = resolve_new(root, a)?;
            let (db, nb) = resolve_new(root, b)?;
            da.hard_link(&na, &*db, &nb).map(|()| None)
        }
        Op::Symlink(t, p) => {
            let (d, n) = resolve_new(root, p)?;
            d.symlink(t, &n).map(|()| None)
        }
        Op::Readlink(p) => {
            let (d, n) = resolve_new(root, p)?;
            d.read_link(&n).map(|t| Some(t.into_bytes()))
        }
    }
}

/// The first 4 KiB of the regular file `name` of `dir`.
fn read_prefix(dir: &dyn BackendDir, name: &str) -> Result<Vec<u8>> {
    let f = dir.open_file(name, OpenFile::default())?;
    let mut buf = vec![0; 4096];
    let n = f.read_at(0, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

/// The whole tree under `dir`, one line per entry in name order: a
/// directory as `path/`, a symlink as `path -> target`, a file as
/// `path = [bytes] (len)` (its first 4 KiB, and its size: a difference
/// past the first 4 KiB shows).
pub fn dump(dir: &dyn BackendDir) -> Result<Vec<String>> {
    let mut out = Vec::new();
    dump_into(dir, "", &mut out)?;
    Ok(out)
}

fn dump_into(dir: &dyn BackendDir, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    let mut entries = dir.entries()?;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    for DirEntry { name, kind, .. } in entries {
        let path = format!("{prefix}{name}");
        match kind {
            FileKind::Dir => {
                out.push(format!("{path}/"));
                dump_into(&*dir.open_dir(&name)?, &format!("{path}/"), out)?;
            }
            FileKind::Symlink => out.push(format!("{path} -> {}", dir.read_link(&name)?)),
            FileKind::File => {
                let len = dir.entry(&name)?.ok_or(Errno::Noent)?.len;
                out.push(format!("{path} = {:?} ({len})", read_prefix(dir, &name)?));
            }
            FileKind::CharDevice => out.push(format!("{path} (device)")),
        }
    }
    Ok(())
}
