//! Readdir cookies of one backend directory fd.
//!
//! `fd_readdir` lists `.` (its cookie, the place after it, is 1), `..` (2),
//! then the backend's entries in name order. The cookie of an entry is a
//! small number this fd gives the entry's name the first time it lists it:
//! 3, 4, 5… in listing order, so a first scan hands out positions. A cookie
//! stands for "after this name", not for an index, so a listing resumed
//! after entries were removed or added does not shift: an entry neither
//! added nor removed is returned exactly once, and resuming after a name
//! that has since been deleted starts at the next name in order.
//!
//! Why small numbers: wasi-libc's `telldir` returns the cookie as a `long`
//! and `seekdir` gives it back, and a `long` is 32 bits on wasm32. A cookie
//! must therefore fit in 31 bits; past [`MAX_COOKIE`] the fd answers
//! `EOVERFLOW`, as 32-bit Linux `getdents` does for an offset it cannot
//! return.
//!
//! A full scan lists the directory once: the listing taken when a scan
//! starts (cookie 0, 1 or 2) is kept and reused by the next call if it
//! continues where the previous one stopped; any other cookie (a `seekdir`,
//! a resumption after changes) lists again.

use super::{BackendDir, DirEntry};
use crate::errno::{Errno, Result};
use std::collections::HashMap;
use std::sync::Arc;

/// The cookie of the first entry after `..`.
pub const FIRST_COOKIE: u64 = 3;

/// The largest cookie handed out: `i32::MAX`, what a wasm32 `long` holds.
pub const MAX_COOKIE: u64 = i32::MAX as u64;

/// The cookies one backend directory fd has handed out, and the listing of
/// its current scan.
#[derive(Debug)]
pub struct ReaddirCookies {
    /// `names[c - FIRST_COOKIE]`: the name cookie `c` follows.
    names: Vec<Arc<str>>,
    /// The cookie of each name in `names`.
    by_name: HashMap<Arc<str>, u64>,
    /// The listing of the current scan, sorted by name, and the cookie a
    /// call continuing that scan starts from.
    scan: Option<(Vec<DirEntry>, u64)>,
    /// The largest cookie this fd may hand out ([`MAX_COOKIE`]).
    max: u64,
}

impl Default for ReaddirCookies {
    fn default() -> Self {
        Self::with_max(MAX_COOKIE)
    }
}

impl ReaddirCookies {
    /// Cookies for a newly opened directory fd.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cookies up to `max` (at most `i32::MAX`; lower, to test the limit).
    pub fn with_max(max: u64) -> Self {
        ReaddirCookies {
            names: Vec::new(),
            by_name: HashMap::new(),
            scan: None,
            max: max.min(MAX_COOKIE),
        }
    }

    /// The cookie of `name` (the place after it), given now if it has none.
    fn cookie_of(&mut self, name: &str) -> Result<u64> {
        if let Some(&c) = self.by_name.get(name) {
            return Ok(c);
        }
        let c = FIRST_COOKIE + self.names.len() as u64;
        if c > self.max {
            return Err(Errno::Overflow);
        }
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.by_name.insert(name, c);
        Ok(c)
    }

    /// Calls `put(next_cookie, entry)` for the entries of `dir` after
    /// `cookie` (0, 1 and 2 start at the first entry: `.` and `..` are the
    /// caller's), in name order, until `put` returns `false` (that entry
    /// did not fit: the scan continues from the one before). A cookie this
    /// fd never handed out is the end of the directory. `EOVERFLOW` if an
    /// entry needs a cookie past the limit before any entry was put.
    pub fn list_after(
        &mut self,
        dir: &dyn BackendDir,
        cookie: u64,
        mut put: impl FnMut(u64, &DirEntry) -> bool,
    ) -> Result<()> {
        let start = if cookie < FIRST_COOKIE {
            None
        } else {
            let i = usize::try_from(cookie - FIRST_COOKIE).map_err(|_| Errno::Inval)?;
            match self.names.get(i) {
                Some(name) => Some(name.clone()),
                None => return Ok(()),
            }
        };
        let listing = match self.scan.take() {
            // A scan starts at 0, 1 or 2 (`rewinddir`): always a new listing.
            Some((listing, next)) if next == cookie && start.is_some() => listing,
            _ => {
                let mut l = dir.entries()?;
                l.sort_unstable_by(|a, b| a.name.cmp(&b.name));
                l
            }
        };
        let from = match &start {
            None => 0,
            Some(after) => listing.partition_point(|e| *e.name <= **after),
        };
        let mut last = cookie;
        let mut any = false;
        let mut result = Ok(());
        for e in &listing[from..] {
            let next = match self.cookie_of(&e.name) {
                Ok(c) => c,
                Err(err) => {
                    if !any {
                        result = Err(err);
                    }
                    break;
                }
            };
            if !put(next, e) {
                break;
            }
            any = true;
            last = next;
        }
        self.scan = Some((listing, last));
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::MemoryDir;
    use crate::fs::Filesystem;

    fn list(
        c: &mut ReaddirCookies,
        dir: &dyn BackendDir,
        cookie: u64,
    ) -> Result<Vec<(u64, String)>> {
        let mut out = Vec::new();
        c.list_after(dir, cookie, |next, e| {
            out.push((next, e.name.clone()));
            true
        })?;
        Ok(out)
    }

    /// A tree whose root holds the empty files `names`, and its root.
    fn dir_with(names: impl IntoIterator<Item = String>) -> (Filesystem, MemoryDir) {
        let fs = Filesystem::new();
        for n in names {
            fs.write(&format!("/{n}"), Vec::new()).unwrap();
        }
        let dir = MemoryDir::root(&fs);
        (fs, dir)
    }

    /// `f0`, `f1`… `f{n-1}`.
    fn files(n: usize) -> impl Iterator<Item = String> {
        (0..n).map(|i| format!("f{i}"))
    }

    fn names(l: &[(u64, String)]) -> Vec<&str> {
        l.iter().map(|(_, n)| n.as_str()).collect()
    }

    #[test]
    fn first_scan_hands_out_positions_in_name_order() {
        let (_fs, dir) = dir_with(["c", "a", "b"].map(String::from));
        let mut c = ReaddirCookies::new();
        let all = list(&mut c, &dir, 2).unwrap();
        assert_eq!(
            all,
            [
                (3, "a".to_owned()),
                (4, "b".to_owned()),
                (5, "c".to_owned())
            ]
        );
        // Resuming after "a", and after a cookie never handed out.
        assert_eq!(names(&list(&mut c, &dir, 3).unwrap()), ["b", "c"]);
        assert_eq!(list(&mut c, &dir, 99).unwrap(), []);
    }

    #[test]
    fn resumes_after_a_deleted_name_and_keeps_cookies() {
        let (fs, dir) = dir_with(files(6));
        let mut c = ReaddirCookies::new();
        let all = list(&mut c, &dir, 0).unwrap();
        let after_f2 = all[2].0;
        dir.remove_file("f2").unwrap();
        dir.remove_file("f4").unwrap();
        fs.write("/f3a", Vec::new()).unwrap();
        let rest = list(&mut c, &dir, after_f2).unwrap();
        assert_eq!(names(&rest), ["f3", "f3a", "f5"]);
        // Names keep their cookies; the new one gets the next number.
        assert_eq!(rest[0].0, all[3].0);
        assert_eq!(rest[1].0, 9);
        assert_eq!(rest[2].0, all[5].0);
    }

    #[test]
    fn a_continuing_scan_lists_once_and_a_seek_lists_again() {
        let (_fs, dir) = dir_with(files(4));
        let mut c = ReaddirCookies::new();
        let mut first = Vec::new();
        c.list_after(&dir, 2, |next, e| {
            // Room for two entries.
            if first.len() == 2 {
                return false;
            }
            first.push((next, e.name.clone()));
            true
        })
        .unwrap();
        // Removed after the scan started: a continuing call may still show
        // it (POSIX leaves that open); resuming elsewhere does not.
        dir.remove_file("f3").unwrap();
        assert_eq!(
            names(&list(&mut c, &dir, first[1].0).unwrap()),
            ["f2", "f3"]
        );
        assert_eq!(
            names(&list(&mut c, &dir, first[0].0).unwrap()),
            ["f1", "f2"]
        );
    }

    #[test]
    fn past_the_limit_is_eoverflow() {
        let (_fs, dir) = dir_with(files(4));
        let mut c = ReaddirCookies::with_max(FIRST_COOKIE + 1);
        // Two cookies fit: the call returns them and stops.
        let got = list(&mut c, &dir, 0).unwrap();
        assert_eq!(names(&got), ["f0", "f1"]);
        // The next entry has none to get.
        assert_eq!(list(&mut c, &dir, got[1].0), Err(Errno::Overflow));
    }
}
