//! Directory entries with readdir cookies that survive changes.
//!
//! Each entry gets a sequence number when it is inserted; sequence numbers
//! only grow. A readdir cookie is "the sequence number of the last entry
//! returned", so a listing resumed with an old cookie after other entries
//! were added or removed neither repeats nor skips an entry that stayed
//! (new entries appear at the end). Cookies 0, 1 and 2 are reserved:
//! 0 = start, 1 = after `.`, 2 = after `..` (see RATIONALE.md).
//!
//! Most directories hold a handful of entries, and path resolution looks a
//! name up in every directory it walks through, so a small directory is a
//! plain vector searched linearly: comparing a few short names costs less
//! than hashing one. Past [`SMALL_MAX`] entries a directory switches, once
//! and for good, to a hash index by name plus an ordered index by cookie.

use super::ino::Ino;
use hashbrown::HashMap;
use std::collections::BTreeMap;

/// First sequence number handed to a real entry.
pub const FIRST_ENTRY_COOKIE: u64 = 3;

/// Most entries a directory keeps as a plain vector.
pub const SMALL_MAX: usize = 8;

/// A directory's entries (without `.` and `..`).
#[derive(Debug, Clone)]
pub struct Directory {
    /// The directory that `..` names. The root of a tree is its own parent.
    pub parent: Ino,
    entries: Entries,
    next_seq: u64,
}

#[derive(Debug, Clone)]
enum Entries {
    /// Up to [`SMALL_MAX`] entries in cookie order, searched linearly.
    Small(Vec<Entry>),
    /// More: indexed by name, and by cookie for readdir.
    Indexed {
        by_name: HashMap<Box<str>, (u64, Ino)>,
        by_seq: BTreeMap<u64, Box<str>>,
    },
}

#[derive(Debug, Clone)]
struct Entry {
    seq: u64,
    name: Box<str>,
    ino: Ino,
}

impl Directory {
    /// An empty directory whose `..` is `parent`.
    pub fn new(parent: Ino) -> Self {
        Directory {
            parent,
            entries: Entries::Small(Vec::new()),
            next_seq: FIRST_ENTRY_COOKIE,
        }
    }

    /// The inode named `name`.
    pub fn get(&self, name: &str) -> Option<Ino> {
        match &self.entries {
            Entries::Small(v) => v.iter().find(|e| *e.name == *name).map(|e| e.ino),
            Entries::Indexed { by_name, .. } => by_name.get(name).map(|&(_, ino)| ino),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.entries {
            Entries::Small(v) => v.len(),
            Entries::Indexed { by_name, .. } => by_name.len(),
        }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `name`. The caller has checked it does not exist.
    pub fn insert(&mut self, name: &str, ino: Ino) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Entries::Small(v) = &mut self.entries {
            if v.len() < SMALL_MAX {
                v.push(Entry {
                    seq,
                    name: name.into(),
                    ino,
                });
                return;
            }
            let by_seq = v.iter().map(|e| (e.seq, e.name.clone())).collect();
            let by_name = v.drain(..).map(|e| (e.name, (e.seq, e.ino))).collect();
            self.entries = Entries::Indexed { by_name, by_seq };
        }
        if let Entries::Indexed { by_name, by_seq } = &mut self.entries {
            by_name.insert(name.into(), (seq, ino));
            by_seq.insert(seq, name.into());
        }
    }

    /// Points an existing `name` at another inode, keeping its place.
    pub fn replace(&mut self, name: &str, ino: Ino) -> Option<Ino> {
        let slot = match &mut self.entries {
            Entries::Small(v) => &mut v.iter_mut().find(|e| *e.name == *name)?.ino,
            Entries::Indexed { by_name, .. } => &mut by_name.get_mut(name)?.1,
        };
        Some(std::mem::replace(slot, ino))
    }

    /// Removes `name`, returning the inode it named.
    pub fn remove(&mut self, name: &str) -> Option<Ino> {
        match &mut self.entries {
            Entries::Small(v) => {
                let i = v.iter().position(|e| *e.name == *name)?;
                // `remove`, not `swap_remove`: the vector stays in cookie order.
                Some(v.remove(i).ino)
            }
            Entries::Indexed { by_name, by_seq } => {
                let (seq, ino) = by_name.remove(name)?;
                by_seq.remove(&seq);
                Some(ino)
            }
        }
    }

    /// Entries strictly after `cookie`, in cookie order: `(cookie, name, ino)`.
    pub fn entries_after(&self, cookie: u64) -> impl Iterator<Item = (u64, &str, Ino)> + '_ {
        let from = cookie.max(FIRST_ENTRY_COOKIE - 1);
        let (small, indexed) = match &self.entries {
            Entries::Small(v) => {
                let start = v.partition_point(|e| e.seq <= from);
                let rest = v[start..].iter().map(|e| (e.seq, &*e.name, e.ino));
                (Some(rest), None)
            }
            Entries::Indexed { by_name, by_seq } => {
                let rest = by_seq
                    .range(from + 1..)
                    .map(move |(&seq, name)| (seq, &**name, by_name[&**name].1));
                (None, Some(rest))
            }
        };
        small
            .into_iter()
            .flatten()
            .chain(indexed.into_iter().flatten())
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

    fn names_after(d: &Directory, cookie: u64) -> Vec<String> {
        d.entries_after(cookie)
            .map(|(_, n, _)| n.to_owned())
            .collect()
    }

    #[test]
    fn a_listing_resumes_across_the_switch_to_an_index() {
        let mut d = Directory::new(1);
        for i in 0..5 {
            d.insert(&format!("s{i}"), 10 + i);
        }
        let (cookie, name, _) = d.entries_after(2).nth(2).unwrap();
        assert_eq!(name, "s2");
        for i in 0..SMALL_MAX as u64 {
            d.insert(&format!("n{i}"), 100 + i);
        }
        assert!(matches!(d.entries, Entries::Indexed { .. }));
        d.remove("s3");
        d.remove("s0");
        let mut expected = vec!["s4".to_owned()];
        expected.extend((0..SMALL_MAX).map(|i| format!("n{i}")));
        assert_eq!(names_after(&d, cookie), expected);
    }

    #[test]
    fn small_and_indexed_directories_answer_alike() {
        for n in [SMALL_MAX, SMALL_MAX + 1, 50] {
            let mut d = Directory::new(1);
            for i in 0..n {
                d.insert(&format!("f{i}"), i as Ino);
            }
            assert_eq!(d.len(), n);
            assert_eq!(d.replace("f1", 1000), Some(1));
            assert_eq!(d.replace("nope", 1), None);
            for i in (0..n).step_by(3) {
                assert_eq!(d.remove(&format!("f{i}")), Some(i as Ino));
            }
            assert_eq!(d.remove("f0"), None);
            let kept: Vec<usize> = (0..n).filter(|i| i % 3 != 0).collect();
            assert_eq!(d.len(), kept.len());
            assert_eq!(d.get("f1"), Some(1000));
            assert_eq!(d.get("f0"), None);
            let listed: Vec<(String, Ino)> = d.iter().map(|(s, i)| (s.to_owned(), i)).collect();
            let expected: Vec<(String, Ino)> = kept
                .iter()
                .map(|&i| (format!("f{i}"), if i == 1 { 1000 } else { i as Ino }))
                .collect();
            assert_eq!(listed, expected, "{n} entries");
            // Cookies are the insertion sequence numbers, also after removals.
            let cookies: Vec<u64> = d.entries_after(0).map(|(c, _, _)| c).collect();
            let expected: Vec<u64> = kept
                .iter()
                .map(|&i| FIRST_ENTRY_COOKIE + i as u64)
                .collect();
            assert_eq!(cookies, expected, "{n} entries");
        }
    }
}
