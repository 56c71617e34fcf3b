//! Path resolution, relative to a directory capability.
//!
//! The model is cap-std's: a path is resolved starting at the directory an
//! fd refers to, and resolution keeps the chain of directories it walked
//! through. `..` pops that chain; popping past the start is refused with
//! `EPERM` at the moment it happens, so a path can never leave its
//! capability, not even transiently (`sub/../../sub/x` fails). Absolute paths
//! and absolute symlink targets are refused the same way. Because the chain
//! is the *walked* path and not the directories' parent pointers, renaming a
//! directory while an fd is open inside it cannot widen what that fd reaches.
//!
//! Intermediate symlinks are always followed; the last component only when
//! the caller asks (`SYMLINK_FOLLOW`) or the path ends in `/`. More than
//! [`SYMLOOP_MAX`] expansions give `ELOOP`, as on Linux.

use crate::errno::{Errno, Result};
use crate::fs::tree::{Ino, NodeKind, Tree, NAME_MAX};
use std::borrow::Cow;

/// Most symlink expansions in one resolution (Linux: 40).
pub const SYMLOOP_MAX: u32 = 40;

/// Longest path accepted, in bytes (Linux `PATH_MAX`, including the NUL).
pub const PATH_MAX: usize = 4096;

/// What the last component of a resolved path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Last<'p> {
    /// A name in the parent directory; it may or may not exist. Borrowed
    /// from the path when it came from there (no allocation on the hot
    /// path), owned when it came from a symlink's target in the tree, so
    /// that the caller may go on to change the tree.
    Name(Cow<'p, str>),
    /// `.`: the parent directory itself.
    Dot,
    /// `..`: the given directory (still inside the capability).
    DotDot(Ino),
}

/// A resolved path: the directory holding its last component, and that component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<'p> {
    /// Directory the last component lives in.
    pub parent: Ino,
    /// The last component.
    pub last: Last<'p>,
    /// The path (or a symlink target it ended in) had a trailing `/`, so the
    /// object must be a directory.
    pub trailing_slash: bool,
    /// What the last component named when the path was resolved: the walk
    /// has looked it up already, and callers use it before they change the
    /// tree, so it is not looked up twice.
    found: Option<Ino>,
}

impl Resolved<'_> {
    /// The inode the path names, if it exists.
    pub fn target(&self) -> Option<Ino> {
        self.found
    }

    /// The inode the path names; `ENOENT` if there is none, `ENOTDIR` if a
    /// trailing slash asked for a directory and it is something else.
    pub fn existing(&self, tree: &Tree) -> Result<Ino> {
        let ino = self.found.ok_or(Errno::Noent)?;
        if self.trailing_slash && !tree.get(ino)?.is_dir() {
            return Err(Errno::Notdir);
        }
        Ok(ino)
    }

    /// The name of the last component, for calls that create or remove an
    /// entry; `.` and `..` get the errno `dot_errno`.
    pub fn name(&self, dot_errno: Errno) -> Result<&str> {
        match &self.last {
            Last::Name(n) => Ok(n),
            _ => Err(dot_errno),
        }
    }
}

/// Checks a guest path before resolution.
pub(crate) fn validate(path: &str) -> Result<()> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::Nametoolong);
    }
    if path.as_bytes().contains(&0) {
        return Err(Errno::Inval);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    Ok(())
}

/// One component and where it came from.
enum Component<'p, 't> {
    /// From the guest's path.
    Path(&'p str),
    /// From a symlink's target in the tree.
    Link(&'t str),
}

impl<'p> Component<'p, '_> {
    fn as_str(&self) -> &str {
        match self {
            Component::Path(s) | Component::Link(s) => s,
        }
    }

    /// The component as the name a [`Resolved`] keeps: borrowed from the
    /// path when possible.
    fn into_name(self) -> Cow<'p, str> {
        match self {
            Component::Path(s) => Cow::Borrowed(s),
            Component::Link(s) => Cow::Owned(s.to_owned()),
        }
    }
}

/// The components still to walk: the rest of the guest's path, and the
/// rests of the symlink targets being expanded (innermost last), which are
/// walked first. They borrow from the path and from the tree, so a walk
/// without symlinks allocates nothing.
struct Components<'p, 't> {
    path: &'p str,
    links: Vec<&'t str>,
}

/// Splits the first component off `rest`; `None` if only slashes are left.
pub(crate) fn split_first<'a>(rest: &mut &'a str) -> Option<&'a str> {
    // Bytes, not chars: `/` is ASCII and never part of a multi-byte char,
    // so these indices are char boundaries.
    let bytes = rest.as_bytes();
    let Some(start) = bytes.iter().position(|&b| b != b'/') else {
        *rest = "";
        return None;
    };
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'/')
        .map_or(bytes.len(), |n| start + n);
    let comp = &rest[start..end];
    *rest = &rest[end..];
    Some(comp)
}

impl<'p, 't> Components<'p, 't> {
    fn new(path: &'p str) -> Self {
        Components {
            path,
            links: Vec::new(),
        }
    }

    fn next(&mut self) -> Option<Component<'p, 't>> {
        while let Some(top) = self.links.last_mut() {
            let mut rest: &'t str = top;
            let comp = split_first(&mut rest);
            *top = rest;
            match comp {
                Some(c) => return Some(Component::Link(c)),
                None => {
                    self.links.pop();
                }
            }
        }
        let mut rest: &'p str = self.path;
        let comp = split_first(&mut rest);
        self.path = rest;
        comp.map(Component::Path)
    }

    /// Whether no component is left.
    fn is_empty(&self) -> bool {
        let only_slashes = |s: &str| s.bytes().all(|b| b == b'/');
        only_slashes(self.path) && self.links.iter().all(|s| only_slashes(s))
    }

    /// Walks `target` (a symlink's) before what is left.
    fn expand(&mut self, links: &mut u32, target: &'t str) -> Result<()> {
        *links += 1;
        if *links > SYMLOOP_MAX {
            return Err(Errno::Loop);
        }
        if target.is_empty() {
            return Err(Errno::Noent);
        }
        if target.starts_with('/') {
            return Err(Errno::Perm);
        }
        // Not empty and not absolute: it has at least one component.
        self.links.push(target);
        Ok(())
    }
}

/// The directories walked through, the start first; `..` pops it. Held
/// inline for ordinary depths (resolution is on every path syscall's hot
/// path); deeper walks spill to the heap.
struct Walked {
    inline: [Ino; Walked::INLINE],
    len: usize,
    spill: Vec<Ino>,
}

impl Walked {
    const INLINE: usize = 16;

    fn new(start: Ino) -> Self {
        let mut inline = [0; Self::INLINE];
        inline[0] = start;
        Walked {
            inline,
            len: 1,
            spill: Vec::new(),
        }
    }

    fn at(&self, i: usize) -> Ino {
        if i < Self::INLINE {
            self.inline[i]
        } else {
            self.spill[i - Self::INLINE]
        }
    }

    fn last(&self) -> Ino {
        self.at(self.len - 1)
    }

    fn push(&mut self, ino: Ino) {
        if self.len < Self::INLINE {
            self.inline[self.len] = ino;
        } else {
            self.spill.push(ino);
        }
        self.len += 1;
    }

    /// Pops the last directory; the start is never popped (`false`).
    fn pop(&mut self) -> bool {
        if self.len == 1 {
            return false;
        }
        self.len -= 1;
        if self.len >= Self::INLINE {
            self.spill.pop();
        }
        true
    }
}

/// Resolves `path` relative to directory `start` in `tree`.
///
/// `follow_last` follows a symlink in the last position (lookupflags
/// `SYMLINK_FOLLOW`); a trailing `/` follows it regardless.
pub fn resolve<'p>(
    tree: &Tree,
    start: Ino,
    path: &'p str,
    follow_last: bool,
) -> Result<Resolved<'p>> {
    walk(tree, start, path, follow_last, false)
}

/// [`resolve`] for `O_CREAT`: a last component with a trailing slash is
/// returned as it is (`trailing_slash` set), not followed even if it is a
/// symlink, because Linux answers `EISDIR` there before following anything
/// (`open_last_lookups`) — also when the slash ends a symlink's target
/// that the walk expanded (`b -> d/../b/` is `EISDIR`, not `ELOOP`).
pub fn resolve_for_create<'p>(
    tree: &Tree,
    start: Ino,
    path: &'p str,
    follow_last: bool,
) -> Result<Resolved<'p>> {
    walk(tree, start, path, follow_last, true)
}

fn walk<'p>(
    tree: &Tree,
    start: Ino,
    path: &'p str,
    follow_last: bool,
    create: bool,
) -> Result<Resolved<'p>> {
    validate(path)?;
    // The directory being walked, at hand: one lookup per component, not two.
    let mut cur_dir = tree.dir(start)?;
    let mut walked = Walked::new(start);
    let mut pending = Components::new(path);
    let mut trailing = path.ends_with('/');
    let mut links = 0u32;

    // A path of only slashes was refused as absolute, so there is a component.
    while let Some(comp) = pending.next() {
        let is_last = pending.is_empty();
        let cur = walked.last();
        match comp.as_str() {
            "." => {
                if is_last {
                    return Ok(Resolved {
                        parent: cur,
                        last: Last::Dot,
                        trailing_slash: trailing,
                        found: Some(cur),
                    });
                }
            }
            ".." => {
                if is_last && walked.len > 1 {
                    let up = walked.at(walked.len - 2);
                    return Ok(Resolved {
                        parent: cur,
                        last: Last::DotDot(up),
                        trailing_slash: trailing,
                        found: Some(up),
                    });
                }
                if !walked.pop() {
                    return Err(Errno::Perm);
                }
                cur_dir = tree.dir(walked.last())?;
            }
            name => {
                if name.len() > NAME_MAX {
                    return Err(Errno::Nametoolong);
                }
                let found = cur_dir.get(name);
                let node = match found {
                    Some(ino) => Some((ino, &tree.get(ino)?.kind)),
                    None => None,
                };
                if is_last {
                    if let Some((_, NodeKind::Symlink(target))) = node {
                        if (follow_last || trailing) && !(create && trailing) {
                            pending.expand(&mut links, target)?;
                            trailing |= target.ends_with('/');
                            continue;
                        }
                    }
                    return Ok(Resolved {
                        parent: cur,
                        last: Last::Name(comp.into_name()),
                        trailing_slash: trailing,
                        found,
                    });
                }
                match node {
                    None => return Err(Errno::Noent),
                    Some((ino, NodeKind::Dir(d))) => {
                        walked.push(ino);
                        cur_dir = d;
                    }
                    Some((_, NodeKind::Symlink(target))) => pending.expand(&mut links, target)?,
                    Some(_) => return Err(Errno::Notdir),
                }
            }
        }
    }
    // Only reached when every component was "." (e.g. "./."): handled above,
    // since the last "." returns. A symlink target made only of "." and "/"
    // ends the same way. Anything else is a bug; answer like Linux would.
    let parent = walked.last();
    Ok(Resolved {
        parent,
        last: Last::Dot,
        trailing_slash: trailing,
        found: Some(parent),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::dir::Directory;
    use crate::fs::file_data::FileData;
    use crate::fs::tree::ROOT;

    fn tree() -> (Tree, Ino, Ino) {
        let mut t = Tree::new(1, 0);
        let a = t
            .create(ROOT, "a", NodeKind::Dir(Directory::new(0)), 0)
            .unwrap();
        let f = t
            .create(a, "f", NodeKind::File(FileData::default()), 0)
            .unwrap();
        t.create(ROOT, "up", NodeKind::Symlink("..".into()), 0)
            .unwrap();
        t.create(a, "back", NodeKind::Symlink("../a/f".into()), 0)
            .unwrap();
        t.create(ROOT, "abs", NodeKind::Symlink("/etc/passwd".into()), 0)
            .unwrap();
        t.create(ROOT, "loop", NodeKind::Symlink("loop".into()), 0)
            .unwrap();
        (t, a, f)
    }

    #[test]
    fn dotdot_cannot_leave_start_even_transiently() {
        let (t, a, _) = tree();
        assert_eq!(resolve(&t, a, "../a/f", false).err(), Some(Errno::Perm));
        assert_eq!(
            resolve(&t, ROOT, "a/../../a", false).err(),
            Some(Errno::Perm)
        );
        assert_eq!(resolve(&t, ROOT, "up/x", false).err(), Some(Errno::Perm));
        assert_eq!(resolve(&t, ROOT, "abs", true).err(), Some(Errno::Perm));
        assert_eq!(resolve(&t, ROOT, "/a", false).err(), Some(Errno::Perm));
    }

    #[test]
    fn deep_walks_spill_and_pop_back_exactly() {
        // Deeper than the inline part of the walked-directory stack.
        let mut t = Tree::new(1, 0);
        let mut dirs = vec![ROOT];
        for _ in 0..40 {
            let d = t
                .create(
                    *dirs.last().unwrap(),
                    "d",
                    NodeKind::Dir(Directory::new(0)),
                    0,
                )
                .unwrap();
            dirs.push(d);
        }
        let down = "d/".repeat(40);
        let path = format!("{down}x");
        let r = resolve(&t, ROOT, &path, false).unwrap();
        assert_eq!(r.parent, dirs[40]);
        assert_eq!(r.last, Last::Name("x".into()));
        let up = "../".repeat(25);
        let path = format!("{down}{up}x");
        let r = resolve(&t, ROOT, &path, false).unwrap();
        assert_eq!(r.parent, dirs[15]);
        let path = format!("{down}{up}..");
        let r = resolve(&t, ROOT, &path, false).unwrap();
        assert_eq!(r.last, Last::DotDot(dirs[14]));
        let all_up = "../".repeat(40);
        assert_eq!(
            resolve(&t, ROOT, &format!("{down}{all_up}d"), false)
                .unwrap()
                .existing(&t),
            Ok(dirs[1])
        );
        assert_eq!(
            resolve(&t, ROOT, &format!("{down}{all_up}.."), false).err(),
            Some(Errno::Perm)
        );
    }

    #[test]
    fn symlinks_followed_in_the_middle_and_on_request_at_the_end() {
        let (t, a, f) = tree();
        let r = resolve(&t, ROOT, "a/back", true).unwrap();
        assert_eq!(r.existing(&t), Ok(f));
        let r = resolve(&t, ROOT, "a/back", false).unwrap();
        assert_eq!(r.last, Last::Name("back".into()));
        assert_eq!(resolve(&t, ROOT, "loop", true).err(), Some(Errno::Loop));
        assert_eq!(resolve(&t, ROOT, "loop/x", false).err(), Some(Errno::Loop));
        let r = resolve(&t, ROOT, "a/./f/", false).unwrap();
        assert_eq!(r.existing(&t), Err(Errno::Notdir));
        assert_eq!(resolve(&t, ROOT, "a/f/x", false).err(), Some(Errno::Notdir));
        assert_eq!(resolve(&t, ROOT, "", false).err(), Some(Errno::Noent));
        let r = resolve(&t, ROOT, "a/..", false).unwrap();
        assert_eq!(r.existing(&t), Ok(ROOT));
        assert_eq!(resolve(&t, ROOT, "a/", false).unwrap().existing(&t), Ok(a));
    }
}
