//! An overlay's upper layer read as a diff against its lower layer: the
//! list of changes a write-back applies, and nothing else. The upper tree
//! holds exactly what the guest created, copied up or made again; the
//! whiteouts and opaque marks say what it removed. Nothing is compared
//! byte by byte here, and nothing the guest did not touch is listed.

use super::{Marks, OverlayDir};
use crate::backend::memory::MemoryDir;
use crate::backend::{BackendDir, DirEntry};
use crate::errno::Result;
use crate::fs::tree::Ino;
use crate::fs::{FileData, FileKind, Filesystem};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// File name extensions of playlists and manifests: files that name other
/// files of the same output (segments), published after every other file
/// so that no index ever names a segment not yet there.
pub const INDEX_EXTENSIONS: &[&str] = &["m3u8", "m3u", "mpd", "f4m", "ism", "ismc"];

/// One change the guest made under an overlay. Paths are relative to the
/// directory [`OverlayDir::changes`] was called on, `/`-separated, without
/// `.` or `..` (every component is an entry name the guest created or
/// looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A directory where the lower layer has none. `replaces`: the lower
    /// layer has a file or a symlink at that name, removed first.
    Dir {
        /// Where.
        path: String,
        /// Whether a lower non-directory is replaced.
        replaces: bool,
    },
    /// A regular file the guest created (`created`) or changed; its bytes
    /// and times are the upper layer's ([`Changes::file`]).
    File {
        /// Where.
        path: String,
        /// Whether the lower layer has nothing at that name.
        created: bool,
    },
    /// Another name of the file written at `to` (a hard link the guest
    /// made), published right after it.
    Link {
        /// The new name.
        path: String,
        /// The file it names, a [`Change::File`] of the same diff.
        to: String,
    },
    /// A symlink holding `target` (stored as given, never interpreted).
    Symlink {
        /// Where.
        path: String,
        /// Its target.
        target: String,
    },
    /// A lower entry the guest removed (a directory with everything in
    /// it: the guest could only remove it once it saw it empty).
    Removed {
        /// Where.
        path: String,
    },
}

impl Change {
    /// The path the change is at.
    pub fn path(&self) -> &str {
        match self {
            Change::Dir { path, .. }
            | Change::File { path, .. }
            | Change::Link { path, .. }
            | Change::Symlink { path, .. }
            | Change::Removed { path } => path,
        }
    }

    /// Whether the change publishes a playlist or manifest
    /// ([`INDEX_EXTENSIONS`], any case).
    pub fn is_index(&self) -> bool {
        is_index(self.path())
    }

    /// Where the change comes in the publish order: directories, then
    /// files, symlinks and links, then indexes and their links, then
    /// removals (an index that stopped naming a segment is published
    /// before the segment goes).
    fn phase(&self) -> u8 {
        match self {
            Change::Dir { .. } => 0,
            Change::File { path, .. } | Change::Symlink { path, .. } if is_index(path) => 3,
            Change::File { .. } | Change::Symlink { .. } => 1,
            Change::Link { to, .. } if is_index(to) => 4,
            Change::Link { .. } => 2,
            Change::Removed { .. } => 5,
        }
    }
}

fn is_index(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && INDEX_EXTENSIONS.iter().any(|i| i.eq_ignore_ascii_case(ext))
    })
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Dir { path, .. } => write!(f, "mkdir {path}"),
            Change::File { path, created } => {
                write!(f, "{} {path}", if *created { "create" } else { "modify" })
            }
            Change::Link { path, to } => write!(f, "link {path} = {to}"),
            Change::Symlink { path, target } => write!(f, "symlink {path} -> {target}"),
            Change::Removed { path } => write!(f, "remove {path}"),
        }
    }
}

/// Every change of an overlay, in publish order (see [`OverlayDir::changes`]).
pub struct Changes {
    list: Vec<Change>,
    upper: Filesystem,
    /// The upper inode of each [`Change::File`], by path.
    files: HashMap<String, Ino>,
}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.list).finish()
    }
}

impl Changes {
    /// The changes, in publish order.
    pub fn iter(&self) -> std::slice::Iter<'_, Change> {
        self.list.iter()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether the guest changed nothing.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The bytes and the (access, modification) times, in ns since the
    /// epoch, of the file of a [`Change::File`] at `path`, as the guest
    /// left it (`None` for a path with no such change). The bytes are a
    /// copy (shared bytes stay shared); [`write_back`](Self::write_back)
    /// reads them in place.
    pub fn file(&self, path: &str) -> Option<(FileData, u64, u64)> {
        self.with_file(path, |d, atim, mtim| (d.clone(), atim, mtim))
    }

    /// Runs `f` on the bytes and the (access, modification) times of the
    /// file of a [`Change::File`] at `path` under the tree's lock, without
    /// copying them (`None`: no such change).
    pub(crate) fn with_file<T>(
        &self,
        path: &str,
        f: impl FnOnce(&FileData, u64, u64) -> T,
    ) -> Option<T> {
        let ino = *self.files.get(path)?;
        let t = self.upper.lock();
        let node = t.get(ino).ok()?;
        match &node.kind {
            crate::fs::tree::NodeKind::File(d) => Some(f(d, node.atim, node.mtim)),
            _ => None,
        }
    }
}

impl IntoIterator for Changes {
    type Item = Change;
    type IntoIter = std::vec::IntoIter<Change>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = &'a Change;
    type IntoIter = std::slice::Iter<'a, Change>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl OverlayDir {
    /// What the guest changed under this directory (the mount's root)
    /// against the lower layer: directories made, files created or
    /// changed, hard links and symlinks made, lower entries removed — in
    /// the order a write-back publishes them: directories (parents first),
    /// files, links and symlinks, then playlists and manifests
    /// ([`INDEX_EXTENSIONS`]), then removals. Reads only the directories
    /// the guest looked into (the lower layer's listing only where the
    /// guest removed a whole directory and made it again).
    ///
    /// ```
    /// use wasi_shim::backend::{self, BackendDir, Change, MemoryDir, OpenFile, OverlayDir};
    /// use wasi_shim::fs::Filesystem;
    /// let lower = Filesystem::new();
    /// lower.write("/keep.txt", b"kept".to_vec())?;
    /// lower.write("/old.txt", b"old".to_vec())?;
    /// let overlay = OverlayDir::new(Box::new(MemoryDir::root(&lower)), &Filesystem::new());
    /// let new = OpenFile { create: true, write: true, ..OpenFile::default() };
    /// overlay.open_file("new.m3u8", new)?.write_at(0, b"#EXTM3U\n")?;
    /// overlay.open_file("seg0.ts", new)?.write_at(0, b"G")?;
    /// overlay.remove_file("old.txt")?;
    /// let changes = overlay.changes()?;
    /// let listed: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    /// assert_eq!(listed, ["create seg0.ts", "create new.m3u8", "remove old.txt"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn changes(&self) -> Result<Changes> {
        let marks = self.marks();
        let mut walk = Walk {
            marks: &marks,
            list: Vec::new(),
            files: HashMap::new(),
            seen: HashMap::new(),
        };
        walk.dir(&self.upper, self.lower.as_deref(), false, "")?;
        let Walk {
            mut list, files, ..
        } = walk;
        drop(marks);
        // Stable: parents stay before children within a phase.
        list.sort_by_key(Change::phase);
        Ok(Changes {
            list,
            upper: self.upper.fs().clone(),
            files,
        })
    }
}

struct Walk<'m> {
    marks: &'m Marks,
    list: Vec<Change>,
    files: HashMap<String, Ino>,
    /// The first path of each upper file inode met: a second name is a link.
    seen: HashMap<Ino, String>,
}

impl Walk<'_> {
    /// Lists the changes in `upper`, whose lower directory (whatever the
    /// marks say: the host's, for a write-back) is `lower`. `hidden`: the
    /// lower directory does not show through (this directory or one above
    /// it was removed and made again), so each of its entries the upper one
    /// lacks was removed.
    fn dir(
        &mut self,
        upper: &MemoryDir,
        lower: Option<&dyn BackendDir>,
        hidden: bool,
        prefix: &str,
    ) -> Result<()> {
        let hidden = hidden || self.marks.opaque.contains(&upper.ino());
        let entries = upper.entries()?;
        let names: HashSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        for DirEntry { name, kind, .. } in &entries {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let lower_kind = match lower {
                Some(l) => l.entry(name)?.map(|m| m.kind),
                None => None,
            };
            match kind {
                FileKind::Dir => {
                    let sub = upper.subdir(name)?;
                    let sub_lower = match lower {
                        Some(l) if lower_kind == Some(FileKind::Dir) => Some(l.open_dir(name)?),
                        _ => None,
                    };
                    if lower_kind != Some(FileKind::Dir) {
                        self.list.push(Change::Dir {
                            path: path.clone(),
                            replaces: lower_kind.is_some(),
                        });
                    }
                    self.dir(&sub, sub_lower.as_deref(), hidden, &path)?;
                }
                FileKind::File => {
                    let ino = upper.child_ino(name)?;
                    if let Some(first) = self.seen.get(&ino) {
                        self.list.push(Change::Link {
                            path,
                            to: first.clone(),
                        });
                    } else {
                        self.seen.insert(ino, path.clone());
                        self.files.insert(path.clone(), ino);
                        self.list.push(Change::File {
                            path,
                            created: lower_kind.is_none(),
                        });
                    }
                }
                FileKind::Symlink => {
                    let target = upper.read_link(name)?;
                    let unchanged = match lower {
                        Some(l) if !hidden && lower_kind == Some(FileKind::Symlink) => {
                            l.read_link(name)? == target
                        }
                        _ => false,
                    };
                    if !unchanged {
                        self.list.push(Change::Symlink { path, target });
                    }
                }
                // A guest cannot make a device; the embedder's are not the
                // guest's changes.
                FileKind::CharDevice => {}
            }
        }
        let Some(lower) = lower else {
            return Ok(());
        };
        let mut removed: Vec<String> = if hidden {
            lower.entries()?.into_iter().map(|e| e.name).collect()
        } else {
            self.marks
                .whiteouts
                .get(&upper.ino())
                .map(|w| w.iter().cloned().collect())
                .unwrap_or_default()
        };
        removed.retain(|n| !names.contains(n.as_str()));
        removed.sort();
        for name in removed {
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            self.list.push(Change::Removed { path });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{MemoryDir, OpenFile};

    const NEW: OpenFile = OpenFile {
        create: true,
        exclusive: false,
        truncate: true,
        write: true,
    };

    fn listed(o: &OverlayDir) -> Vec<String> {
        o.changes().unwrap().iter().map(|c| c.to_string()).collect()
    }

    fn lower() -> Filesystem {
        let fs = Filesystem::new();
        fs.create_dir_all("/a/b").unwrap();
        fs.write("/a/b/f", b"f".to_vec()).unwrap();
        fs.write("/a/g", b"g".to_vec()).unwrap();
        fs.write("/top", b"t".to_vec()).unwrap();
        fs.symlink("a/g", "/ln").unwrap();
        fs
    }

    #[test]
    fn looking_and_reading_change_nothing() {
        let low = lower();
        let o = OverlayDir::new(Box::new(MemoryDir::root(&low)), &Filesystem::new());
        let a = o.open_dir("a").unwrap();
        let b = a.open_dir("b").unwrap();
        let mut buf = [0u8; 1];
        b.open_file("f", OpenFile::default())
            .unwrap()
            .read_at(0, &mut buf)
            .unwrap();
        assert_eq!(o.read_link("ln").unwrap(), "a/g");
        assert!(o.changes().unwrap().is_empty());
    }

    #[test]
    fn each_kind_of_change_once_in_publish_order() {
        let low = lower();
        let o = OverlayDir::new(Box::new(MemoryDir::root(&low)), &Filesystem::new());
        let a = o.open_dir("a").unwrap();
        a.open_file("g", NEW).unwrap().write_at(0, b"G").unwrap();
        a.hard_link("g", &*a, "g2").unwrap();
        o.create_dir("new").unwrap();
        o.open_dir("new")
            .unwrap()
            .open_file("out.mpd", NEW)
            .unwrap();
        o.symlink("new/out.mpd", "latest").unwrap();
        o.remove_file("top").unwrap();
        o.remove_file("ln").unwrap();
        o.create_dir("ln").unwrap();
        assert_eq!(
            listed(&o),
            [
                "mkdir new",
                "mkdir ln",
                "modify a/g",
                "symlink latest -> new/out.mpd",
                "link a/g2 = a/g",
                "create new/out.mpd",
                "remove top",
            ]
        );
        assert!(o
            .changes()
            .unwrap()
            .iter()
            .any(|c| matches!(c, Change::Dir { path, replaces: true } if path == "ln")));
    }

    #[test]
    fn a_directory_removed_and_made_again_removes_what_it_held() {
        let low = lower();
        let o = OverlayDir::new(Box::new(MemoryDir::root(&low)), &Filesystem::new());
        let a = o.open_dir("a").unwrap();
        let b = a.open_dir("b").unwrap();
        b.remove_file("f").unwrap();
        a.remove_dir("b").unwrap();
        a.remove_file("g").unwrap();
        o.remove_dir("a").unwrap();
        o.create_dir("a").unwrap();
        let a = o.open_dir("a").unwrap();
        a.create_dir("b").unwrap();
        a.open_dir("b").unwrap().open_file("h", NEW).unwrap();
        // `a` and `a/b` exist below: not made; their old entries go.
        assert_eq!(listed(&o), ["create a/b/h", "remove a/b/f", "remove a/g"]);
    }

    #[test]
    fn a_removed_directory_is_one_removal() {
        let low = lower();
        let o = OverlayDir::new(Box::new(MemoryDir::root(&low)), &Filesystem::new());
        let a = o.open_dir("a").unwrap();
        let b = a.open_dir("b").unwrap();
        b.remove_file("f").unwrap();
        a.remove_dir("b").unwrap();
        assert_eq!(listed(&o), ["remove a/b"]);
    }

    #[test]
    fn indexes_are_recognised_by_extension() {
        assert!(is_index("x/live.M3U8"));
        assert!(is_index("manifest.mpd"));
        assert!(!is_index("seg.ts"));
        assert!(!is_index(".m3u8"));
        assert!(!is_index("m3u8"));
    }
}
