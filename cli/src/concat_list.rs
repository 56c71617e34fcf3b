//! The files named by a concat-demuxer list (`-f concat -i list.txt`, or a
//! file starting `ffconcat version`), read as FFmpeg 5.1's `concatdec.c`
//! reads them.
//!
//! Each line is a directive: a keyword, then its arguments. `file PATH`
//! names a file, PATH being one `av_get_token` token (so `'…'` quotes and
//! `\` escapes). Other directives (`ffconcat`, `duration`, `inpoint`,
//! `option`, `stream`, …), comments (`#`) and blank lines are kept as they
//! are. A relative PATH is relative to the list's own location.

use super::filtergraph::{escape, get_token};

/// The first bytes of a list FFmpeg recognises without `-f concat`.
pub const MAGIC: &[u8] = b"ffconcat version ";

/// One `file` directive.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number (for messages).
    pub line: usize,
    /// The path, unescaped.
    pub path: String,
    /// Byte range of the path token in the list text.
    span: std::ops::Range<usize>,
}

/// White space as `concatdec.c`'s `SPACE_CHARS`.
const SPACE: &[char] = &[' ', '\t', '\r', '\n'];

/// The `file` directives of `list`, in order.
pub fn entries(list: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (n, line) in list.split_inclusive('\n').enumerate() {
        let body = line.trim_start_matches(SPACE);
        let lead = line.len() - body.len();
        let keyword_len = body.find(SPACE).unwrap_or(body.len());
        if &body[..keyword_len] == "file" {
            let start = offset + lead + keyword_len;
            let line_end = offset + line.trim_end_matches(['\r', '\n']).len();
            let (path, end) = get_token(&list[..line_end], start, SPACE);
            let token_start =
                start + (list[start..end].len() - list[start..end].trim_start_matches(SPACE).len());
            // An empty name is FFmpeg's error to report ("filename required").
            if !path.is_empty() {
                out.push(Entry {
                    line: n + 1,
                    path,
                    span: token_start..end,
                });
            }
        }
        offset += line.len();
    }
    out
}

/// `list` with the paths of `entries` replaced by `new_paths` (one each, in
/// order), quoted as FFmpeg reads them back.
pub fn rewrite(list: &str, entries: &[Entry], new_paths: &[String]) -> String {
    let mut out = String::with_capacity(list.len());
    let mut copied = 0;
    for (entry, path) in entries.iter().zip(new_paths) {
        out.push_str(&list[copied..entry.span.start]);
        out.push_str(&escape(path, SPACE));
        copied = entry.span.end;
    }
    out.push_str(&list[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "ffconcat version 1.0\n# clips\nfile a.mp4\n  file 'b c.mp4'  \nduration 2\nfile /abs/it\\'s.mp4\r\nfilex no\nfile\n";

    #[test]
    fn reads_file_directives() {
        let e = entries(LIST);
        let paths: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.path.as_str())).collect();
        assert_eq!(paths, [(3, "a.mp4"), (4, "b c.mp4"), (6, "/abs/it's.mp4")]);
    }

    #[test]
    fn rewrites_only_the_paths() {
        let e = entries(LIST);
        let new: Vec<String> = e.iter().map(|e| format!("/host/{}", e.path)).collect();
        let out = rewrite(LIST, &e, &new);
        assert_eq!(
            out,
            "ffconcat version 1.0\n# clips\nfile /host/a.mp4\n  file /host/b\\ c.mp4  \nduration 2\nfile /host//abs/it\\'s.mp4\r\nfilex no\nfile\n"
        );
        let back: Vec<String> = entries(&out).into_iter().map(|e| e.path).collect();
        assert_eq!(back, new);
    }
}
