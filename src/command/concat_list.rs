//! The concat demuxer's list file format (`ffconcat version 1.0`), written
//! with every path quoted so any file name survives.

use super::types::{invalid, CommandError, Time};
use super::validate::check_nonempty;

/// One `file` of a [`ConcatList`], optionally trimmed with `inpoint` /
/// `outpoint` (times within that file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcatEntry {
    pub(super) path: String,
    pub(super) inpoint: Option<Time>,
    pub(super) outpoint: Option<Time>,
}

impl ConcatEntry {
    /// The whole file.
    pub fn new(path: impl Into<String>) -> ConcatEntry {
        ConcatEntry {
            path: path.into(),
            inpoint: None,
            outpoint: None,
        }
    }

    /// Start this file at `time` (`inpoint`).
    pub fn inpoint(mut self, time: Time) -> ConcatEntry {
        self.inpoint = Some(time);
        self
    }

    /// Stop this file at `time` (`outpoint`); must be after the inpoint.
    pub fn outpoint(mut self, time: Time) -> ConcatEntry {
        self.outpoint = Some(time);
        self
    }
}

impl From<String> for ConcatEntry {
    fn from(path: String) -> ConcatEntry {
        ConcatEntry::new(path)
    }
}

impl From<&str> for ConcatEntry {
    fn from(path: &str) -> ConcatEntry {
        ConcatEntry::new(path)
    }
}

/// The content of an ffconcat list file, for [`InputFile::concat`](crate::command::InputFile::concat).
///
/// ```
/// use afmpeg::command::ConcatList;
///
/// let list = ConcatList::new(["/a.mp4", "/it's.mp4"]).render().unwrap();
/// assert_eq!(list, "ffconcat version 1.0\nfile '/a.mp4'\nfile '/it'\\''s.mp4'\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConcatList {
    pub(super) entries: Vec<ConcatEntry>,
}

impl ConcatList {
    /// A list of these files, in order.
    pub fn new<I, S>(files: I) -> ConcatList
    where
        I: IntoIterator<Item = S>,
        S: Into<ConcatEntry>,
    {
        ConcatList {
            entries: files.into_iter().map(Into::into).collect(),
        }
    }

    /// Append a file.
    pub fn push(mut self, entry: impl Into<ConcatEntry>) -> ConcatList {
        self.entries.push(entry.into());
        self
    }

    /// The file content: `ffconcat version 1.0`, then one `file '…'` line
    /// per entry (plus its `inpoint`/`outpoint` lines). Paths are single
    /// quoted, a `'` inside becoming `'\''` (close, escaped quote, reopen),
    /// which is how FFmpeg's tokenizer reads them back. Refuses an empty
    /// list, empty paths, paths containing NUL or line breaks (the format is
    /// line based) and an outpoint not after its inpoint.
    pub fn render(&self) -> Result<String, CommandError> {
        if self.entries.is_empty() {
            return Err(invalid("concat list", "", "has no file"));
        }
        let mut out = String::from("ffconcat version 1.0\n");
        for entry in &self.entries {
            check_nonempty("concat file", &entry.path)?;
            if entry.path.contains(['\n', '\r']) {
                return Err(invalid(
                    "concat file",
                    &entry.path,
                    "contains a line break, which ffconcat cannot represent",
                ));
            }
            out.push_str("file '");
            out.push_str(&entry.path.replace('\'', r"'\''"));
            out.push_str("'\n");
            if let Some(t) = entry.inpoint {
                out.push_str(&format!("inpoint {t}\n"));
            }
            if let Some(t) = entry.outpoint {
                if t <= entry.inpoint.unwrap_or(Time::ZERO) {
                    return Err(invalid(
                        "outpoint",
                        &t.to_string(),
                        "must be after the inpoint",
                    ));
                }
                out.push_str(&format!("outpoint {t}\n"));
            }
        }
        Ok(out)
    }
}
