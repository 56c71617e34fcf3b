//! The inode tree: an arena of nodes addressed by inode number.
//!
//! Directory entries name inodes; `nlink` counts those names (plus, for a
//! directory, its own `.` and each child's `..`, as on Linux). Open file
//! descriptions are counted separately, so an unlinked file that is still
//! open keeps its data until the last descriptor is closed (POSIX).
//!
//! The tree knows nothing about fds, rights or paths: callers (path
//! resolution, the syscalls, the embedder API) hand it directory inodes and
//! single names. Every mutation takes `now`, the caller's clock reading, and
//! updates timestamps as POSIX says.

use super::device::Device;
use super::dir::Directory;
use super::file_data::FileData;
pub use super::ino::{Ino, ROOT};
use crate::errno::{Errno, Result};
use hashbrown::HashMap;

/// Longest name of one directory entry, in bytes (Linux `NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// What an inode is.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A regular file.
    File(FileData),
    /// A directory.
    Dir(Directory),
    /// A symbolic link and its target text.
    Symlink(Box<str>),
    /// A character device.
    CharDevice(Device),
}

/// One inode.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its contents.
    pub kind: NodeKind,
    /// Names that refer to it (see the module docs).
    pub nlink: u64,
    /// Open file descriptions that refer to it.
    pub(crate) open: u32,
    /// Last access, in nanoseconds since the Unix epoch.
    pub atim: u64,
    /// Last modification of the contents.
    pub mtim: u64,
    /// Last change of the inode (contents, names, times).
    pub ctim: u64,
}

impl Node {
    fn new(kind: NodeKind, now: u64) -> Self {
        Node {
            kind,
            nlink: 0,
            open: 0,
            atim: now,
            mtim: now,
            ctim: now,
        }
    }

    /// The size `stat` reports.
    pub fn size(&self) -> u64 {
        match &self.kind {
            NodeKind::File(d) => d.len(),
            NodeKind::Dir(d) => 4096.max(d.len() as u64 * 32),
            NodeKind::Symlink(t) => t.len() as u64,
            NodeKind::CharDevice(_) => 0,
        }
    }

    /// The directory, if this is one.
    pub fn as_dir(&self) -> Option<&Directory> {
        match &self.kind {
            NodeKind::Dir(d) => Some(d),
            _ => None,
        }
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        matches!(self.kind, NodeKind::Dir(_))
    }
}

/// An in-memory filesystem: the arena of inodes with the root at [`ROOT`].
#[derive(Debug, Clone)]
pub struct Tree {
    nodes: HashMap<Ino, Node>,
    next_ino: Ino,
    dev: u64,
}

impl Tree {
    /// A tree holding only an empty root directory; `dev` is the device id
    /// `stat` reports for every inode in it.
    pub fn new(dev: u64, now: u64) -> Self {
        let mut root = Node::new(NodeKind::Dir(Directory::new(ROOT)), now);
        root.nlink = 2;
        let mut nodes = HashMap::new();
        nodes.insert(ROOT, root);
        Tree {
            nodes,
            next_ino: ROOT + 1,
            dev,
        }
    }

    /// The device id of this tree.
    pub fn dev(&self) -> u64 {
        self.dev
    }

    /// Number of live inodes.
    pub fn inode_count(&self) -> usize {
        self.nodes.len()
    }

    /// The node `ino`.
    pub fn get(&self, ino: Ino) -> Result<&Node> {
        self.nodes.get(&ino).ok_or(Errno::Noent)
    }

    /// The node `ino`, mutably.
    pub fn get_mut(&mut self, ino: Ino) -> Result<&mut Node> {
        self.nodes.get_mut(&ino).ok_or(Errno::Noent)
    }

    /// Sets the access and/or modification time of `ino` (`None` keeps
    /// one), and its status change time to `now`.
    pub fn set_times(
        &mut self,
        ino: Ino,
        atim: Option<u64>,
        mtim: Option<u64>,
        now: u64,
    ) -> Result<()> {
        let node = self.get_mut(ino)?;
        if let Some(a) = atim {
            node.atim = a;
        }
        if let Some(m) = mtim {
            node.mtim = m;
        }
        node.ctim = now;
        Ok(())
    }

    /// The directory `ino` (`ENOTDIR` if it is something else).
    pub fn dir(&self, ino: Ino) -> Result<&Directory> {
        self.get(ino)?.as_dir().ok_or(Errno::Notdir)
    }

    fn dir_mut(&mut self, ino: Ino) -> Result<&mut Directory> {
        match &mut self.get_mut(ino)?.kind {
            NodeKind::Dir(d) => Ok(d),
            _ => Err(Errno::Notdir),
        }
    }

    /// Looks `name` up in directory `dir`.
    pub fn lookup(&self, dir: Ino, name: &str) -> Result<Option<Ino>> {
        Ok(self.dir(dir)?.get(name))
    }

    /// Checks that `dir` can receive a new entry `name`.
    fn check_new_entry(&self, dir: Ino, name: &str) -> Result<()> {
        check_name(name)?;
        let node = self.get(dir)?;
        let d = node.as_dir().ok_or(Errno::Notdir)?;
        // A removed directory accepts no new entries (Linux: ENOENT).
        if node.nlink == 0 {
            return Err(Errno::Noent);
        }
        if d.get(name).is_some() {
            return Err(Errno::Exist);
        }
        Ok(())
    }

    /// Creates `name` in `dir` as a new inode of `kind`.
    pub fn create(&mut self, dir: Ino, name: &str, kind: NodeKind, now: u64) -> Result<Ino> {
        self.check_new_entry(dir, name)?;
        let is_dir = matches!(kind, NodeKind::Dir(_));
        let kind = match kind {
            NodeKind::Dir(_) => NodeKind::Dir(Directory::new(dir)),
            k => k,
        };
        let ino = self.next_ino;
        self.next_ino += 1;
        let mut node = Node::new(kind, now);
        node.nlink = if is_dir { 2 } else { 1 };
        self.nodes.insert(ino, node);
        self.dir_mut(dir)?.insert(name, ino);
        let parent = self.get_mut(dir)?;
        if is_dir {
            parent.nlink += 1;
        }
        parent.mtim = now;
        parent.ctim = now;
        Ok(ino)
    }

    /// Adds the name `name` in `dir` for the existing non-directory `target`.
    pub fn link(&mut self, dir: Ino, name: &str, target: Ino, now: u64) -> Result<()> {
        let t = self.get(target)?;
        if t.is_dir() {
            return Err(Errno::Perm);
        }
        if t.nlink == 0 {
            // linkat of an unlinked file: Linux refuses with ENOENT.
            return Err(Errno::Noent);
        }
        self.check_new_entry(dir, name)?;
        self.dir_mut(dir)?.insert(name, target);
        let t = self.get_mut(target)?;
        t.nlink += 1;
        t.ctim = now;
        let d = self.get_mut(dir)?;
        d.mtim = now;
        d.ctim = now;
        Ok(())
    }

    /// Removes the non-directory entry `name` of `dir`.
    pub fn unlink(&mut self, dir: Ino, name: &str, now: u64) -> Result<Ino> {
        let ino = self.lookup(dir, name)?.ok_or(Errno::Noent)?;
        if self.get(ino)?.is_dir() {
            // unlinkat(2) without AT_REMOVEDIR on a directory: Linux says EISDIR.
            return Err(Errno::Isdir);
        }
        self.dir_mut(dir)?.remove(name);
        let d = self.get_mut(dir)?;
        d.mtim = now;
        d.ctim = now;
        self.drop_link(ino, now);
        Ok(ino)
    }

    /// Removes the empty directory entry `name` of `dir`.
    pub fn rmdir(&mut self, dir: Ino, name: &str, now: u64) -> Result<Ino> {
        let ino = self.lookup(dir, name)?.ok_or(Errno::Noent)?;
        let node = self.get(ino)?;
        let sub = node.as_dir().ok_or(Errno::Notdir)?;
        if !sub.is_empty() {
            return Err(Errno::Notempty);
        }
        self.dir_mut(dir)?.remove(name);
        let d = self.get_mut(dir)?;
        d.nlink -= 1;
        d.mtim = now;
        d.ctim = now;
        let n = self.get_mut(ino)?;
        n.nlink = 0;
        n.ctim = now;
        self.maybe_free(ino);
        Ok(ino)
    }

    /// Whether directory `ancestor` is `ino` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: Ino, mut ino: Ino) -> bool {
        loop {
            if ino == ancestor {
                return true;
            }
            match self.get(ino).ok().and_then(Node::as_dir) {
                Some(d) if d.parent != ino => ino = d.parent,
                _ => return false,
            }
        }
    }

    /// `renameat(2)`: moves `src_dir/src_name` to `dst_dir/dst_name`,
    /// replacing a file, or an empty directory, that is there.
    pub fn rename(
        &mut self,
        src_dir: Ino,
        src_name: &str,
        dst_dir: Ino,
        dst_name: &str,
        now: u64,
    ) -> Result<()> {
        let src = self.lookup(src_dir, src_name)?.ok_or(Errno::Noent)?;
        check_name(dst_name)?;
        let dst_parent = self.get(dst_dir)?;
        let dst_parent_dir = dst_parent.as_dir().ok_or(Errno::Notdir)?;
        if dst_parent.nlink == 0 {
            return Err(Errno::Noent);
        }
        let existing = dst_parent_dir.get(dst_name);
        let src_is_dir = self.get(src)?.is_dir();
        if existing == Some(src) {
            // Two names of one inode (or the same name): POSIX says do nothing.
            return Ok(());
        }
        if src_is_dir && self.is_ancestor(src, dst_dir) {
            return Err(Errno::Inval);
        }
        // The target is the source's parent or one of its ancestors: Linux's
        // rename trap check says ENOTEMPTY before comparing file types.
        if existing.is_some_and(|v| self.is_ancestor(v, src_dir)) {
            return Err(Errno::Notempty);
        }
        if let Some(victim) = existing {
            let v = self.get(victim)?;
            match (src_is_dir, v.as_dir()) {
                (true, None) => return Err(Errno::Notdir),
                (false, Some(_)) => return Err(Errno::Isdir),
                (true, Some(d)) if !d.is_empty() => return Err(Errno::Notempty),
                _ => {}
            }
        }
        // All checks passed: from here on nothing fails.
        if let Some(victim) = existing {
            self.dir_mut(dst_dir)?.replace(dst_name, src);
            if src_is_dir {
                // The replaced empty directory is gone, and its `..` with it.
                self.get_mut(dst_dir)?.nlink -= 1;
                let v = self.get_mut(victim)?;
                v.nlink = 0;
                v.ctim = now;
                self.maybe_free(victim);
            } else {
                self.drop_link(victim, now);
            }
        } else {
            self.dir_mut(dst_dir)?.insert(dst_name, src);
        }
        self.dir_mut(src_dir)?.remove(src_name);
        if src_is_dir && src_dir != dst_dir {
            self.dir_mut(src)?.parent = dst_dir;
            self.get_mut(src_dir)?.nlink -= 1;
            self.get_mut(dst_dir)?.nlink += 1;
        }
        for d in [src_dir, dst_dir] {
            let n = self.get_mut(d)?;
            n.mtim = now;
            n.ctim = now;
        }
        self.get_mut(src)?.ctim = now;
        Ok(())
    }

    fn drop_link(&mut self, ino: Ino, now: u64) {
        if let Some(n) = self.nodes.get_mut(&ino) {
            n.nlink = n.nlink.saturating_sub(1);
            n.ctim = now;
        }
        self.maybe_free(ino);
    }

    /// Records one more open file description of `ino`.
    pub fn open_ref(&mut self, ino: Ino) {
        if let Some(n) = self.nodes.get_mut(&ino) {
            n.open += 1;
        }
    }

    /// Records that an open file description of `ino` was closed.
    pub fn close_ref(&mut self, ino: Ino) {
        if let Some(n) = self.nodes.get_mut(&ino) {
            n.open = n.open.saturating_sub(1);
        }
        self.maybe_free(ino);
    }

    /// Frees `ino` once no name and no descriptor refers to it.
    fn maybe_free(&mut self, ino: Ino) {
        if ino == ROOT {
            return;
        }
        let free = matches!(self.nodes.get(&ino), Some(n) if n.nlink == 0 && n.open == 0);
        if free {
            self.nodes.remove(&ino);
        }
    }

    /// Total bytes of file data held privately (not shared) by this tree.
    pub fn private_bytes(&self) -> u64 {
        self.nodes
            .values()
            .map(|n| match &n.kind {
                NodeKind::File(d) if !d.is_shared() => d.len(),
                _ => 0,
            })
            .sum()
    }

    /// Checks structural invariants; returns a description of the first
    /// violation. Used by tests and fuzzers.
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        let mut names: HashMap<Ino, u64> = HashMap::new();
        let mut subdirs: HashMap<Ino, u64> = HashMap::new();
        for (&ino, n) in &self.nodes {
            if let NodeKind::Dir(d) = &n.kind {
                for (name, child) in d.iter() {
                    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
                        return Err(format!("dir {ino} has bad entry name {name:?}"));
                    }
                    let c = self
                        .nodes
                        .get(&child)
                        .ok_or(format!("dangling entry {name:?} in {ino}"))?;
                    *names.entry(child).or_default() += 1;
                    if let NodeKind::Dir(cd) = &c.kind {
                        if cd.parent != ino {
                            return Err(format!(
                                "dir {child} is in {ino} but its parent is {}",
                                cd.parent
                            ));
                        }
                        *subdirs.entry(ino).or_default() += 1;
                    }
                }
            }
        }
        for (&ino, n) in &self.nodes {
            let linked = names.get(&ino).copied().unwrap_or(0);
            let expect = match &n.kind {
                NodeKind::Dir(_) if ino == ROOT => 2 + subdirs.get(&ino).copied().unwrap_or(0),
                NodeKind::Dir(_) if linked == 0 => 0,
                NodeKind::Dir(_) => {
                    if linked != 1 {
                        return Err(format!("dir {ino} has {linked} names"));
                    }
                    2 + subdirs.get(&ino).copied().unwrap_or(0)
                }
                _ => linked,
            };
            if n.nlink != expect {
                return Err(format!(
                    "inode {ino}: nlink {} but expected {expect}",
                    n.nlink
                ));
            }
            if n.nlink == 0 && n.open == 0 && ino != ROOT {
                return Err(format!("inode {ino} is unreachable but not freed"));
            }
            // Every directory reaches the root through its parents (no cycles).
            if n.is_dir() && n.nlink > 0 {
                let mut cur = ino;
                for _ in 0..=self.nodes.len() {
                    let d = self.nodes[&cur].as_dir().expect("dir");
                    if d.parent == cur {
                        break;
                    }
                    cur = d.parent;
                }
                if cur != ROOT {
                    return Err(format!("dir {ino} does not reach the root"));
                }
            }
        }
        Ok(())
    }
}

/// Validates one entry name: not empty, not `.`/`..`, no `/` or NUL, at most
/// [`NAME_MAX`] bytes.
pub fn check_name(name: &str) -> Result<()> {
    if name.len() > NAME_MAX {
        return Err(Errno::Nametoolong);
    }
    if name.is_empty() || name.contains('/') || name.contains('\0') {
        return Err(Errno::Inval);
    }
    if name == "." || name == ".." {
        return Err(Errno::Exist);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> NodeKind {
        NodeKind::Dir(Directory::new(0))
    }
    fn file() -> NodeKind {
        NodeKind::File(FileData::default())
    }

    #[test]
    fn nlink_follows_links_and_subdirs() {
        let mut t = Tree::new(1, 0);
        let a = t.create(ROOT, "a", dir(), 1).unwrap();
        let f = t.create(a, "f", file(), 1).unwrap();
        t.link(ROOT, "g", f, 2).unwrap();
        assert_eq!(t.get(f).unwrap().nlink, 2);
        assert_eq!(t.get(ROOT).unwrap().nlink, 3);
        t.unlink(a, "f", 3).unwrap();
        assert_eq!(t.get(f).unwrap().nlink, 1);
        t.check_invariants().unwrap();
    }

    #[test]
    fn open_unlinked_file_lives_until_close() {
        let mut t = Tree::new(1, 0);
        let f = t.create(ROOT, "f", file(), 1).unwrap();
        t.open_ref(f);
        t.unlink(ROOT, "f", 2).unwrap();
        assert!(t.get(f).is_ok());
        t.close_ref(f);
        assert_eq!(t.get(f).err(), Some(Errno::Noent));
        t.check_invariants().unwrap();
    }

    #[test]
    fn rename_rules() {
        let mut t = Tree::new(1, 0);
        let a = t.create(ROOT, "a", dir(), 0).unwrap();
        let b = t.create(a, "b", dir(), 0).unwrap();
        t.create(ROOT, "f", file(), 0).unwrap();
        t.create(b, "x", file(), 0).unwrap();
        assert_eq!(t.rename(ROOT, "a", b, "z", 1), Err(Errno::Inval));
        assert_eq!(t.rename(ROOT, "f", ROOT, "a", 1), Err(Errno::Isdir));
        assert_eq!(t.rename(a, "b", ROOT, "f", 1), Err(Errno::Notdir));
        t.create(ROOT, "empty", dir(), 0).unwrap();
        assert_eq!(t.rename(ROOT, "empty", a, "b", 1), Err(Errno::Notempty));
        t.rename(a, "b", ROOT, "empty", 1).unwrap();
        assert_eq!(t.lookup(ROOT, "empty").unwrap(), Some(b));
        t.check_invariants().unwrap();
    }
}
