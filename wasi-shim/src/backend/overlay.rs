//! The overlay backend: a read-only lower [`BackendDir`] (a host directory,
//! another tree) under an in-memory upper layer. Nothing is ever written to
//! the lower layer: a file is copied up on its first change, a removed
//! lower entry is hidden by a whiteout, and a directory made where a lower
//! one was removed is opaque (the lower one's entries stay hidden). The
//! upper layer is therefore exactly what the guest changed — the diff a
//! write-back needs.
//!
//! Like Linux overlayfs without `redirect_dir`, renaming a directory that
//! exists in the lower layer is `EXDEV` (a program falls back to copying),
//! and two lower names of one inode become two files when one is copied up.

use super::memory::MemoryDir;
use super::{BackendDir, BackendFile, DirEntry, EntryMeta, OpenFile, SetTimes, Stat};
use crate::errno::{Errno, Result};
use crate::fs::tree::{check_name, Ino};
use crate::fs::{FileKind, Filesystem};
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

mod diff;
pub use diff::{Change, Changes, INDEX_EXTENSIONS};

/// Set in the inode number of an entry the guest sees from the lower layer:
/// the upper layer's inode numbers (small, counted from 1) and the lower
/// one's must not meet, or a program that pairs hard links by inode (tar,
/// rsync) would pair two different files. (Linux overlayfs's `xino` does
/// the same with the high bits.)
pub const LOWER_INO: u64 = 1 << 63;

/// Whiteouts and opaque directories of one overlay, keyed by the upper
/// directory's inode.
#[derive(Debug, Default)]
struct Marks {
    whiteouts: HashMap<Ino, HashSet<String>>,
    opaque: HashSet<Ino>,
    /// Lower files copied up, by the lower layer's inode number: where an
    /// fd opened on the lower file before the copy-up now reads (Linux
    /// overlayfs since 4.19 shows such an fd the copy, too).
    copied_up: HashMap<u64, Box<dyn BackendFile>>,
    /// [`OverlayDir::copying_up_renamed_dirs`]: a directory with a lower
    /// part is copied up whole when renamed, not refused with `EXDEV`.
    copy_up_renamed_dirs: bool,
}

/// A directory of an overlay: its upper directory, and the lower one when
/// there is one and it is not hidden.
pub struct OverlayDir {
    upper: MemoryDir,
    lower: Option<Box<dyn BackendDir>>,
    marks: Arc<Mutex<Marks>>,
}

impl fmt::Debug for OverlayDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OverlayDir")
            .field("upper", &self.upper)
            .field("lower", &self.lower)
            .finish()
    }
}

/// Where a visible entry lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Upper,
    Lower,
}

const READ: OpenFile = OpenFile {
    create: false,
    exclusive: false,
    truncate: false,
    write: false,
};

impl OverlayDir {
    /// An overlay of `lower` (never written) under the root of `upper`,
    /// which receives every change.
    pub fn new(lower: Box<dyn BackendDir>, upper: &Filesystem) -> Self {
        let upper = MemoryDir::root(upper);
        // The root shows the lower root's times, as every directory does
        // until the guest changes it (a lower layer without times: 0).
        if let Ok(st) = lower.stat_self() {
            let _ = upper.set_times_self(times_of(&st));
        }
        OverlayDir {
            upper,
            lower: Some(lower),
            marks: Arc::new(Mutex::new(Marks::default())),
        }
    }

    /// Renaming a directory that has a lower part copies it up first —
    /// everything below it, into memory — and then moves it, instead of
    /// answering `EXDEV` (Linux overlayfs without `redirect_dir`, the
    /// default). For guests that rename directories and do not fall back
    /// to copying on `EXDEV`, as they could on a plain directory: the
    /// cost is the size of the tree moved. On every handle of this overlay.
    ///
    /// ```
    /// use wasi_shim::backend::{BackendDir, MemoryDir, OverlayDir};
    /// use wasi_shim::fs::Filesystem;
    /// use wasi_shim::Errno;
    /// let lower = Filesystem::new();
    /// lower.create_dir_all("/d/e")?;
    /// lower.write("/d/e/f", b"f".to_vec())?;
    /// let plain = OverlayDir::new(Box::new(MemoryDir::root(&lower)), &Filesystem::new());
    /// assert_eq!(plain.rename("d", &plain, "moved"), Err(Errno::Xdev));
    /// let o = OverlayDir::new(Box::new(MemoryDir::root(&lower)), &Filesystem::new())
    ///     .copying_up_renamed_dirs();
    /// o.rename("d", &o, "moved")?;
    /// assert!(o.entry("d")?.is_none());
    /// assert!(o.open_dir("moved")?.open_dir("e")?.entry("f")?.is_some());
    /// assert!(lower.exists("/d/e/f")); // the lower layer is never written
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn copying_up_renamed_dirs(self) -> Self {
        self.marks().copy_up_renamed_dirs = true;
        self
    }

    fn marks(&self) -> MutexGuard<'_, Marks> {
        self.marks.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn whited_out(&self, name: &str) -> bool {
        self.marks()
            .whiteouts
            .get(&self.upper.ino())
            .is_some_and(|w| w.contains(name))
    }

    fn set_whiteout(&self, name: &str, on: bool) {
        let mut m = self.marks();
        let w = m.whiteouts.entry(self.upper.ino()).or_default();
        if on {
            w.insert(name.to_owned());
        } else {
            w.remove(name);
        }
    }

    /// The lower layer's entry `name`, unless hidden.
    fn lower_entry(&self, name: &str) -> Result<Option<EntryMeta>> {
        match &self.lower {
            Some(l) if !self.whited_out(name) => l.entry(name),
            _ => Ok(None),
        }
    }

    /// Whether the lower layer has a directory `name`, whited out or not.
    fn lower_has_dir(&self, name: &str) -> Result<bool> {
        match &self.lower {
            Some(l) => Ok(l.entry(name)?.map(|m| m.kind) == Some(FileKind::Dir)),
            None => Ok(false),
        }
    }

    /// The entry `name` as the guest sees it, and its layer.
    fn visible(&self, name: &str) -> Result<Option<(EntryMeta, Layer)>> {
        if let Some(m) = self.upper.entry(name)? {
            return Ok(Some((m, Layer::Upper)));
        }
        Ok(self.lower_entry(name)?.map(|m| (m, Layer::Lower)))
    }

    fn same_overlay<'a>(&self, other: &'a dyn BackendDir) -> Result<&'a OverlayDir> {
        match other.as_any().downcast_ref::<OverlayDir>() {
            Some(d) if Arc::ptr_eq(&d.marks, &self.marks) => Ok(d),
            _ => Err(Errno::Xdev),
        }
    }

    /// Copies the lower non-directory `name` into the upper layer.
    fn copy_up(&self, name: &str, kind: FileKind) -> Result<()> {
        let lower = self.lower.as_ref().ok_or(Errno::Noent)?;
        match kind {
            FileKind::Symlink => self.upper.symlink(&lower.read_link(name)?, name),
            FileKind::File => {
                let src = lower.open_file(name, READ)?;
                let dst = self.upper.open_file(
                    name,
                    OpenFile {
                        create: true,
                        exclusive: true,
                        write: true,
                        truncate: false,
                    },
                )?;
                // Block by block, a block of zeros left a hole (the upper
                // tree stores no chunk for it), and the length set at the
                // end: a sparse lower file stays sparse in memory and on
                // its write-back (`stored_runs`), even once one block of
                // it changes.
                let mut buf = vec![0u8; crate::fs::file_data::CHUNK];
                let mut at = 0u64;
                loop {
                    let n = src.read_at(at, &mut buf)?;
                    if n == 0 {
                        break;
                    }
                    if buf[..n].iter().any(|&b| b != 0) {
                        dst.write_at(at, &buf[..n])?;
                    }
                    at += n as u64;
                }
                dst.set_len(at)?;
                // The copy is the same file, not a new one (as overlayfs):
                // a file opened for writing and left alone is not a change
                // of times, and a write-back leaves its times alone.
                let lower_stat = src.stat()?;
                dst.set_times(times_of(&lower_stat))?;
                // 0: the lower layer has no inode numbers to key by.
                let ino = lower_stat.ino;
                if ino != 0 {
                    self.marks().copied_up.insert(ino, dst);
                }
                Ok(())
            }
            FileKind::Dir => Err(Errno::Isdir),
            FileKind::CharDevice => Err(Errno::Nodev),
        }
    }

    /// Makes `name` (visible, a non-directory) an upper entry.
    fn upper_copy_of(&self, name: &str) -> Result<FileKind> {
        let (m, layer) = self.visible(name)?.ok_or(Errno::Noent)?;
        if layer == Layer::Lower && m.kind != FileKind::Dir {
            self.copy_up(name, m.kind)?;
        }
        Ok(m.kind)
    }

    /// Whether the directory `name` (visible) has no visible entry.
    fn dir_is_empty(&self, name: &str) -> Result<bool> {
        Ok(self.open_dir(name)?.entries()?.is_empty())
    }

    /// The subdirectory `name` (visible), as this concrete type.
    fn subdir(&self, name: &str) -> Result<OverlayDir> {
        let (m, layer) = self.visible(name)?.ok_or(Errno::Noent)?;
        if m.kind != FileKind::Dir {
            return Err(Errno::Notdir);
        }
        if layer == Layer::Lower {
            // The directory's upper half, to hold what will change in it.
            self.make_upper_half(name)?;
        }
        let upper = self.upper.subdir(name)?;
        let hidden = self.marks().opaque.contains(&upper.ino());
        let lower = match (&self.lower, hidden) {
            (Some(l), false) if self.lower_entry(name)?.map(|m| m.kind) == Some(FileKind::Dir) => {
                Some(l.open_dir(name)?)
            }
            _ => None,
        };
        Ok(OverlayDir {
            upper,
            lower,
            marks: self.marks.clone(),
        })
    }

    /// Creates the upper half of the lower directory `name`. Not a change
    /// the guest made: the half takes the lower directory's times and this
    /// directory keeps its own, so a directory looked into does not show a
    /// new mtime (`fstest.TestFS` compares a listing's times with `stat`'s).
    fn make_upper_half(&self, name: &str) -> Result<()> {
        let lower = self.lower.as_ref().ok_or(Errno::Noent)?.stat(name)?;
        let here = self.upper.stat_self()?;
        self.upper.create_dir(name)?;
        self.upper.set_times(name, times_of(&lower))?;
        self.upper.set_times_self(times_of(&here))
    }

    /// [`BackendDir::open_dir_path`] where every name already has its
    /// upper directory (made by the guest, or by an earlier look inside):
    /// the upper directories are found in memory and the lower one, if it
    /// shows through every level, opened in one step by the lower layer.
    /// `None` where that does not apply (a name with no upper directory
    /// yet, or a symlink on the lower path): the walk does it.
    fn open_known_dir_path(&self, names: &[&str]) -> Result<Option<OverlayDir>> {
        let mut upper = self.upper.dup();
        let mut lower_shows = self.lower.is_some();
        for name in names {
            if upper.entry(name)?.map(|m| m.kind) != Some(FileKind::Dir) {
                return Ok(None);
            }
            let hidden = {
                let marks = self.marks();
                let sub_ino = upper.child_ino(name)?;
                marks
                    .whiteouts
                    .get(&upper.ino())
                    .is_some_and(|w| w.contains(*name))
                    || marks.opaque.contains(&sub_ino)
            };
            lower_shows &= !hidden;
            upper = upper.subdir(name)?;
        }
        let lower = match &self.lower {
            Some(l) if lower_shows => match l.open_dir_path(names) {
                Ok(Some(d)) => Some(d),
                Ok(None) => return Ok(None),
                // No directory there in the lower layer: `subdir` would
                // have none either, at that level and below.
                Err(Errno::Noent | Errno::Notdir) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        Ok(Some(OverlayDir {
            upper,
            lower,
            marks: self.marks.clone(),
        }))
    }

    /// Copies everything the directory `dir` shows from its lower layer
    /// into its upper one, below it too, and makes it opaque: from then on
    /// it depends on no lower directory and can move (`ENODEV`-free trees
    /// only: a FIFO or device below it is `EXDEV`, as before).
    fn copy_up_tree(dir: &OverlayDir) -> Result<()> {
        for DirEntry { name, kind, .. } in dir.entries()? {
            match (kind, dir.visible(&name)?) {
                (FileKind::Dir, _) => {
                    let sub = dir.subdir(&name)?;
                    if sub.lower.is_some() {
                        Self::copy_up_tree(&sub)?;
                    }
                }
                (FileKind::CharDevice, _) => return Err(Errno::Xdev),
                (_, Some((_, Layer::Lower))) => dir.copy_up(&name, kind)?,
                _ => {}
            }
        }
        let ino = dir.upper.ino();
        dir.marks().opaque.insert(ino);
        Ok(())
    }
}

impl BackendDir for OverlayDir {
    fn entry(&self, name: &str) -> Result<Option<EntryMeta>> {
        Ok(self.visible(name)?.map(|(m, _)| m))
    }

    fn open_dir(&self, name: &str) -> Result<Box<dyn BackendDir>> {
        Ok(Box::new(self.subdir(name)?))
    }

    fn open_dir_path(&self, names: &[&str]) -> Result<Option<Box<dyn BackendDir>>> {
        match self.open_known_dir_path(names)? {
            Some(d) => Ok(Some(Box::new(d))),
            None => super::walk_dir_path(self, names),
        }
    }

    fn open_file(&self, name: &str, how: OpenFile) -> Result<Box<dyn BackendFile>> {
        check_name(name)?;
        match self.visible(name)? {
            Some(_) if how.create && how.exclusive => Err(Errno::Exist),
            Some((m, Layer::Lower)) => {
                if !(how.write || how.truncate) {
                    // Read from the lower layer itself: nothing copied.
                    let file = self
                        .lower
                        .as_ref()
                        .ok_or(Errno::Noent)?
                        .open_file(name, READ)?;
                    let lower_ino = file.stat()?.ino;
                    return Ok(Box::new(LowerFile {
                        file,
                        lower_ino,
                        marks: self.marks.clone(),
                    }));
                }
                match m.kind {
                    FileKind::File => self.copy_up(name, m.kind)?,
                    // What the lower entry is decides the errno; nothing
                    // is copied for an open that fails.
                    FileKind::Dir => return Err(Errno::Isdir),
                    FileKind::Symlink => return Err(Errno::Loop),
                    FileKind::CharDevice => return Err(Errno::Nodev),
                }
                self.upper.open_file(
                    name,
                    OpenFile {
                        create: false,
                        ..how
                    },
                )
            }
            Some((_, Layer::Upper)) => self.upper.open_file(name, how),
            None if how.create => {
                let f = self.upper.open_file(name, how)?;
                self.set_whiteout(name, false);
                Ok(f)
            }
            None => Err(Errno::Noent),
        }
    }

    fn read_link(&self, name: &str) -> Result<String> {
        match self.visible(name)? {
            Some((_, Layer::Upper)) => self.upper.read_link(name),
            Some((_, Layer::Lower)) => self.lower.as_ref().ok_or(Errno::Noent)?.read_link(name),
            None => Err(Errno::Noent),
        }
    }

    fn create_dir(&self, name: &str) -> Result<()> {
        check_name(name)?;
        if self.visible(name)?.is_some() {
            return Err(Errno::Exist);
        }
        self.upper.create_dir(name)?;
        if self.whited_out(name) {
            // A new directory where a lower one was removed: the lower
            // one's entries must not show through.
            let ino = self.upper.subdir(name)?.ino();
            self.marks().opaque.insert(ino);
            self.set_whiteout(name, false);
        }
        Ok(())
    }

    fn symlink(&self, target: &str, name: &str) -> Result<()> {
        check_name(name)?;
        if target.is_empty() {
            return Err(Errno::Noent);
        }
        if self.visible(name)?.is_some() {
            return Err(Errno::Exist);
        }
        self.upper.symlink(target, name)?;
        self.set_whiteout(name, false);
        Ok(())
    }

    fn remove_file(&self, name: &str) -> Result<()> {
        check_name(name)?;
        let (m, layer) = self.visible(name)?.ok_or(Errno::Noent)?;
        if m.kind == FileKind::Dir {
            return Err(Errno::Isdir);
        }
        if layer == Layer::Upper {
            self.upper.remove_file(name)?;
        }
        if self.lower_entry(name)?.is_some() {
            self.set_whiteout(name, true);
        }
        Ok(())
    }

    fn remove_dir(&self, name: &str) -> Result<()> {
        check_name(name)?;
        let (m, _) = self.visible(name)?.ok_or(Errno::Noent)?;
        if m.kind != FileKind::Dir {
            return Err(Errno::Notdir);
        }
        if !self.dir_is_empty(name)? {
            return Err(Errno::Notempty);
        }
        // Looking inside made the directory's upper half, if it had none.
        if self.upper.entry(name)?.is_some() {
            self.upper.remove_dir(name)?;
        }
        if self.lower_entry(name)?.is_some() {
            self.set_whiteout(name, true);
        }
        Ok(())
    }

    fn rename(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        let to = self.same_overlay(to)?;
        check_name(name)?;
        check_name(to_name)?;
        let (m, _) = self.visible(name)?.ok_or(Errno::Noent)?;
        let from_lower = self.lower_entry(name)?.is_some();
        let moves_lower_dir = m.kind == FileKind::Dir && from_lower;
        if moves_lower_dir && !self.marks().copy_up_renamed_dirs {
            // overlayfs without redirect_dir: the caller copies instead.
            return Err(Errno::Xdev);
        }
        let dest = to.visible(to_name)?;
        if self.upper.same_inode(name, &to.upper, to_name)? {
            // One inode (or one name): POSIX says do nothing.
            return Ok(());
        }
        // The tree's order (Linux's): a directory into itself is EINVAL, a
        // destination holding the source ENOTEMPTY, before the types.
        if m.kind == FileKind::Dir && self.upper.holds(name, &to.upper)? {
            return Err(Errno::Inval);
        }
        if to.upper.holds(to_name, &self.upper)? {
            return Err(Errno::Notempty);
        }
        if let Some((d, _)) = dest {
            match (m.kind == FileKind::Dir, d.kind == FileKind::Dir) {
                (true, false) => return Err(Errno::Notdir),
                (false, true) => return Err(Errno::Isdir),
                (true, true) if !to.dir_is_empty(to_name)? => return Err(Errno::Notempty),
                _ => {}
            }
        }
        if moves_lower_dir {
            Self::copy_up_tree(&self.subdir(name)?)?;
        }
        self.upper_copy_of(name)?;
        // An upper directory moved over a lower one must hide it.
        let hides_lower_dir = m.kind == FileKind::Dir && to.lower_has_dir(to_name)?;
        self.upper.rename(name, &to.upper, to_name)?;
        if from_lower {
            self.set_whiteout(name, true);
        }
        to.set_whiteout(to_name, false);
        if hides_lower_dir {
            let ino = to.upper.subdir(to_name)?.ino();
            self.marks().opaque.insert(ino);
        }
        Ok(())
    }

    fn hard_link(&self, name: &str, to: &dyn BackendDir, to_name: &str) -> Result<()> {
        let to = self.same_overlay(to)?;
        check_name(name)?;
        check_name(to_name)?;
        let (m, _) = self.visible(name)?.ok_or(Errno::Noent)?;
        if m.kind == FileKind::Dir {
            return Err(Errno::Perm);
        }
        if to.visible(to_name)?.is_some() {
            return Err(Errno::Exist);
        }
        self.upper_copy_of(name)?;
        self.upper.hard_link(name, &to.upper, to_name)?;
        to.set_whiteout(to_name, false);
        Ok(())
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        let mut out = self.upper.entries()?;
        if let Some(lower) = &self.lower {
            let upper: HashSet<String> = out.iter().map(|e| e.name.clone()).collect();
            let marks = self.marks();
            let hidden = marks.whiteouts.get(&self.upper.ino());
            for e in lower.entries()? {
                if !upper.contains(&e.name) && !hidden.is_some_and(|h| h.contains(&e.name)) {
                    // The inode number `stat` shows for a lower entry.
                    out.push(DirEntry {
                        ino: e.ino | LOWER_INO,
                        ..e
                    });
                }
            }
        }
        Ok(out)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn try_clone(&self) -> Result<Box<dyn BackendDir>> {
        Ok(Box::new(OverlayDir {
            upper: self.upper.dup(),
            lower: self.lower.as_ref().map(|l| l.try_clone()).transpose()?,
            marks: self.marks.clone(),
        }))
    }

    fn stat(&self, name: &str) -> Result<Stat> {
        match self.visible(name)? {
            Some((_, Layer::Upper)) => self.upper.stat(name),
            Some((_, Layer::Lower)) => {
                let stat = self.lower.as_ref().ok_or(Errno::Noent)?.stat(name)?;
                Ok(Stat {
                    ino: stat.ino | LOWER_INO,
                    ..stat
                })
            }
            None => Err(Errno::Noent),
        }
    }

    fn stat_self(&self) -> Result<Stat> {
        self.upper.stat_self()
    }

    fn set_times(&self, name: &str, times: SetTimes) -> Result<()> {
        check_name(name)?;
        let (m, layer) = self.visible(name)?.ok_or(Errno::Noent)?;
        if layer == Layer::Lower {
            if m.kind == FileKind::Dir {
                // The directory's upper half carries its new times.
                self.make_upper_half(name)?;
            } else {
                self.copy_up(name, m.kind)?;
            }
        }
        self.upper.set_times(name, times)
    }

    fn set_times_self(&self, times: SetTimes) -> Result<()> {
        self.upper.set_times_self(times)
    }
}

/// The access and modification times of `st`, to give another entry.
fn times_of(st: &Stat) -> SetTimes {
    SetTimes {
        atim: Some(st.atim),
        mtim: Some(st.mtim),
    }
}

/// A file of the lower layer, open for reading: its inode number as the
/// overlay shows it ([`LOWER_INO`]); once the file is copied up (through
/// another fd or name), what this fd reads is the copy. Nothing is written
/// through it: the fd's rights already refuse writes, and setting times
/// through such an fd, which overlayfs answers by a copy-up, is `EROFS`
/// here (the handle has no name to copy up by).
#[derive(Debug)]
struct LowerFile {
    file: Box<dyn BackendFile>,
    lower_ino: u64,
    marks: Arc<Mutex<Marks>>,
}

impl LowerFile {
    /// Runs `f` on the copy if the file was copied up, else on the lower file.
    fn current<T>(&self, f: impl FnOnce(&dyn BackendFile) -> Result<T>) -> Result<T> {
        let marks = self.marks.lock().unwrap_or_else(|e| e.into_inner());
        match marks.copied_up.get(&self.lower_ino) {
            Some(copy) if self.lower_ino != 0 => f(&**copy),
            _ => {
                drop(marks);
                f(&*self.file)
            }
        }
    }
}

impl BackendFile for LowerFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        self.current(|f| f.read_at(offset, buf))
    }

    fn write_at(&self, _offset: u64, _data: &[u8]) -> Result<()> {
        Err(Errno::Badf)
    }

    fn len(&self) -> Result<u64> {
        self.current(|f| f.len())
    }

    fn set_len(&self, _len: u64) -> Result<()> {
        Err(Errno::Badf)
    }

    fn stat(&self) -> Result<Stat> {
        let copied = self
            .marks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .copied_up
            .contains_key(&self.lower_ino);
        let stat = self.current(|f| f.stat())?;
        Ok(if copied && self.lower_ino != 0 {
            stat
        } else {
            Stat {
                ino: stat.ino | LOWER_INO,
                ..stat
            }
        })
    }

    fn set_times(&self, _times: SetTimes) -> Result<()> {
        Err(Errno::Rofs)
    }
}
