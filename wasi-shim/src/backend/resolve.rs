//! Path resolution over any [`BackendDir`], with the rules of
//! [`crate::path`]: relative only, `..` pops the directories this walk
//! opened and is refused (`EPERM`) past the start, symlinks expanded by the
//! walk (at most [`SYMLOOP_MAX`]), absolute targets refused. The backend is
//! only ever asked about one name in a directory handle the walk holds.

use super::BackendDir;
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
    let mut stack: Vec<Box<dyn BackendDir>> = Vec::new();
    // Components still to walk, the next one last.
    let mut pending: Vec<String> = components(path);
    let mut trailing = path.ends_with('/');
    let mut links = 0u32;
    let here = |stack: &mut Vec<Box<dyn BackendDir>>| match stack.pop() {
        Some(d) => DirRef::Opened(d),
        None => DirRef::Start(start),
    };
    while let Some(comp) = pending.pop() {
        let is_last = pending.is_empty();
        match comp.as_str() {
            "." => {}
            ".." => {
                if stack.pop().is_none() {
                    return Err(Errno::Perm);
                }
            }
            name => {
                if name.len() > NAME_MAX {
                    return Err(Errno::Nametoolong);
                }
                let cur: &dyn BackendDir = stack.last().map_or(start, |d| &**d);
                let kind = cur.entry(name)?.map(|m| m.kind);
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
                    });
                }
                match kind {
                    None => return Err(Errno::Noent),
                    Some(FileKind::Dir) => {
                        let sub = cur.open_dir(name)?;
                        stack.push(sub);
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
