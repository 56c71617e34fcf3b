//! Directory entries with readdir cookies that survive changes.
//!
//! Each entry gets a sequence number when it is inserted; sequence numbers
//! only grow. A readdir cookie is "the sequence number of the last entry
//! returned", so a listing resumed with an old cookie after other entries
//! were added or removed neither repeats nor skips an entry that stayed
//! (new entries appear at the end). Cookies 0, 1 and 2 are reserved:
//! 0 = start, 1 = after `.`, 2 = after `..` (see RATIONALE.md).

use super::tree::Ino;
use hashbrown::HashMap;
use std::collections::BTreeMap;

/// First sequence number handed to a real entry.
pub const FIRST_ENTRY_COOKIE: u64 = 3;

/// A directory's entries (without `.` and `..`).
#[derive(Debug, Clone)]
pub struct Directory {
    /// The directory that `..` names. The root of a tree is its own parent.
    pub parent: Ino,
    by_name: HashMap<Box<str>, (u64, Ino)>,
    by_seq: BTreeMap<u64, Box<str>>,
    next_seq: u64,
}

impl Directory {
    /// An empty directory whose `..` is `parent`.
    pub fn new(parent: Ino) -> Self {
        Directory {
            parent,
            by_name: HashMap::new(),
            by_seq: BTreeMap::new(),
            next_seq: FIRST_ENTRY_COOKIE,
        }
    }

    /// The inode named `name`.
    pub fn get(&self, name: &str) -> Option<Ino> {
        self.by_name.get(name).map(|&(_, ino)| ino)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Adds `name`. The caller has checked it does not exist.
    pub fn insert(&mut self, name: &str, ino: Ino) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_name.insert(name.into(), (seq, ino));
        self.by_seq.insert(seq, name.into());
    }

    /// Points an existing `name` at another inode, keeping its place.
    pub fn replace(&mut self, name: &str, ino: Ino) -> Option<Ino> {
        let slot = self.by_name.get_mut(name)?;
        Some(std::mem::replace(&mut slot.1, ino))
    }

    /// Removes `name`, returning the inode it named.
    pub fn remove(&mut self, name: &str) -> Option<Ino> {
        let (seq, ino) = self.by_name.remove(name)?;
        self.by_seq.remove(&seq);
        Some(ino)
    }

    /// Entries strictly after `cookie`, in cookie order: `(cookie, name, ino)`.
    pub fn entries_after(&self, cookie: u64) -> impl Iterator<Item = (u64, &str, Ino)> + '_ {
        let from = cookie.max(FIRST_ENTRY_COOKIE - 1);
        self.by_seq
            .range(from + 1..)
            .map(move |(&seq, name)| (seq, &**name, self.by_name[&**name].1))
    }

    /// All entries in cookie order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Ino)> + '_ {
        self.entries_after(0).map(|(_, n, i)| (n, i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_survive_removal_and_insertion() {
        let mut d = Directory::new(1);
        for (i, n) in ["a", "b", "c", "d"].iter().enumerate() {
            d.insert(n, 10 + i as u64);
        }
        let first_two: Vec<_> = d.entries_after(2).take(2).collect();
        let cookie = first_two[1].0;
        d.remove("a");
        d.remove("c");
        d.insert("e", 20);
        let rest: Vec<_> = d
            .entries_after(cookie)
            .map(|(_, n, _)| n.to_string())
            .collect();
        assert_eq!(rest, ["d", "e"]);
    }
}
