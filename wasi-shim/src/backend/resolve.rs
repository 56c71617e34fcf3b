//! Path resolution over any [`BackendDir`], with the rules of
//! [`crate::path`]: relative only, `..` pops the directories this walk
//! opened and is refused (`EPERM`) past the start, symlinks expanded by the
//! walk (at most [`SYMLOOP_MAX`]), absolute targets refused. The backend is
//! only ever asked about one name in a directory handle the walk holds.

use super::{BackendDir, EntryMeta};
use crate::errno::{Errno, Result};
use crate::fs::tree::NAME_MAX;
use crate::fs::FileKind;
use crate::path::{split_first, validate, SYMLOOP_MAX};
use std::ops::Deref;

/// A directory a resolution ended in: the start itself, or one it opened.
#[derive(Debug)]
pub enum DirRef<'a> {
    /// The directory the path was resolved from.
    Start(&'a dyn BackendDir),
    /// A directory below it.
    Opened(Box<dyn BackendDir>),
}

impl<'a> Deref for DirRef<'a> {
    type Target = dyn BackendDir + 'a;

    fn deref(&self) -> &Self::Target {
        match self {
            DirRef::Start(d) => *d,
            DirRef::Opened(d) => &**d,
        }
    }
}

/// A resolved path: the directory holding its last component, and that
/// component's name — `None` when the path names the directory itself
/// (it ended in `.` or `..`).
#[derive(Debug)]
pub struct Resolved<'a> {
    /// The directory.
    pub dir: DirRef<'a>,
    /// The last component, if the path does not name `dir` itself.
    pub name: Option<String>,
    /// The path (or a symlink target it ended in) ended in `/`.
    pub trailing_slash: bool,
    /// What the walk found at `name` (it looks there anyway, for a symlink).
    last: Option<EntryMeta>,
}

impl Resolved<'_> {
    /// The entry `name` as the walk saw it (`None`: there is none, or the
    /// path names `dir` itself): the answer `dir.entry(name)` would give,
    /// without asking the backend a second time.
    pub fn entry(&self) -> Option<EntryMeta> {
        self.last
    }
}

/// A directory the walk opened, and the names that lead to it from the one
/// below it on the stack (one, or several opened in one step by
/// [`BackendDir::open_dir_path`]).
struct Level {
    dir: Box<dyn BackendDir>,
    names: Vec<String>,
}

/// Resolves `path` from `start`. `follow_last` follows a symlink in the
/// last position; a trailing `/` follows it regardless.
pub fn resolve<'a>(
    start: &'a dyn BackendDir,
    path: &str,
    follow_last: bool,
) -> Result<Resolved<'a>> {
    walk(start, path, follow_last, false)
}

/// [`resolve`] for `O_CREAT`: a last component with a trailing slash (its
/// own, or the end of a symlink target the walk expanded) is returned as it
/// is, not followed, because Linux answers `EISDIR` there before following
/// anything (`open_last_lookups`), as [`crate::path::resolve_for_create`].
pub fn resolve_for_create<'a>(
    start: &'a dyn BackendDir,
    path: &str,
    follow_last: bool,
) -> Result<Resolved<'a>> {
    walk(start, path, follow_last, true)
}

fn walk<'a>(
    start: &'a dyn BackendDir,
    path: &str,
    follow_last: bool,
    create: bool,
) -> Result<Resolved<'a>> {
    validate(path)?;
    let mut stack: Vec<Level> = Vec::new();
    // Components still to walk, the next one last.
    let mut pending: Vec<String> = components(path);
    let mut trailing = path.ends_with('/');
    let mut links = 0u32;
    let here = |stack: &mut Vec<Level>| match stack.pop() {
        Some(l) => DirRef::Opened(l.dir),
        None => DirRef::Start(start),
    };
    while let Some(comp) = pending.pop() {
        let is_last = pending.is_empty();
        match comp.as_str() {
            "." => {}
            ".." => {
                let level = stack.pop().ok_or(Errno::Perm)?;
                // A level of several names: `..` is the one before its last.
                let mut names = level.names;
                names.pop();
                for name in names {
                    let below: &dyn BackendDir = stack.last().map_or(start, |l| &*l.dir);
                    let dir = below.open_dir(&name)?;
                    stack.push(Level {
                        dir,
                        names: vec![name],
                    });
                }
            }
            name => {
                if name.len() > NAME_MAX {
                    return Err(Errno::Nametoolong);
                }
                let cur: &dyn BackendDir = stack.last().map_or(start, |l| &*l.dir);
                if !is_last {
                    // This name and the plain names after it, but the last
                    // component: opened in one step where the backend can.
                    let run: Vec<&str> = std::iter::once(name)
                        .chain(
                            pending[1..]
                                .iter()
                                .rev()
                                .map(String::as_str)
                                .take_while(|c| *c != "." && *c != ".." && c.len() <= NAME_MAX),
                        )
                        .collect();
                    if let Some(dir) = cur.open_dir_path(&run)? {
                        let names: Vec<String> = run.iter().map(|n| n.to_string()).collect();
                        pending.truncate(pending.len() + 1 - names.len());
                        stack.push(Level { dir, names });
                        continue;
                    }
                }
                let meta = cur.entry(name)?;
                let kind = meta.map(|m| m.kind);
                let expand = kind == Some(FileKind::Symlink)
                    && (!is_last || ((follow_last || trailing) && !(create && trailing)));
                if expand {
                    links += 1;
                    if links > SYMLOOP_MAX {
                        return Err(Errno::Loop);
                    }
                    let target = cur.read_link(name)?;
                    if target.is_empty() {
                        return Err(Errno::Noent);
                    }
                    if target.starts_with('/') {
                        return Err(Errno::Perm);
                    }
                    if is_last {
                        trailing |= target.ends_with('/');
                    }
                    pending.extend(components(&target));
                    continue;
                }
                if is_last {
                    return Ok(Resolved {
                        dir: here(&mut stack),
                        name: Some(comp),
                        trailing_slash: trailing,
                        last: meta,
                    });
                }
                match kind {
                    None => return Err(Errno::Noent),
                    Some(FileKind::Dir) => {
                        let dir = cur.open_dir(name)?;
                        stack.push(Level {
                            dir,
                            names: vec![comp],
                        });
                    }
                    Some(_) => return Err(Errno::Notdir),
                }
            }
        }
    }
    // The path ended in `.` or `..`: it names the directory reached.
    Ok(Resolved {
        dir: here(&mut stack),
        name: None,
        trailing_slash: trailing,
        last: None,
    })
}

/// Resolves `path` for creating or removing its last entry (a symlink
/// there is not followed): the directory and the name. A path naming a
/// directory itself (`.`, `..`) is `EEXIST`, as `mkdir(".")` is.
pub fn resolve_new<'a>(start: &'a dyn BackendDir, path: &str) -> Result<(DirRef<'a>, String)> {
    let r = resolve(start, path.trim_end_matches('/'), false)?;
    match r.name {
        Some(name) => Ok((r.dir, name)),
        None => Err(Errno::Exist),
    }
}

/// The components of `path`, the first one last (a stack to pop).
fn components(path: &str) -> Vec<String> {
    let mut rest = path;
    let mut out = Vec::new();
    while let Some(c) = split_first(&mut rest) {
        out.push(c.to_owned());
    }
    out.reverse();
    out
}
