//! File names inside FFmpeg filter graphs (`-vf subtitles=subs.srt`,
//! `-filter_complex "amovie=a.wav[a]"`, `-f lavfi -i movie=in.mp4`), found
//! and rewritten with FFmpeg 5.1's own parsing rules.
//!
//! A graph is read in two levels, as libavfilter reads it:
//!
//! 1. the graph (`graphparser.c`): chains separated by `;`, filters by `,`,
//!    each `[in]name@id=ARGS[out]`, where ARGS is one token of
//!    `av_get_token(…, "[],;")`: `\` escapes the next character, `'…'`
//!    quotes, surrounding white space is dropped;
//! 2. the filter's arguments (`process_options` / `av_opt_get_key_value`):
//!    `key=value` pairs separated by `:`, each value again an
//!    `av_get_token(…, ":")`; leading values without a key are the filter's
//!    options in declaration order ("shorthand"), until the first `key=`.
//!
//! Only the arguments of the filters in [`FILE_OPTIONS`] are rewritten, and
//! only when one of their file options names a host file; everything else in
//! the graph is left byte for byte as written.

/// Characters `av_get_token` skips before a token and trims after it.
const WHITESPACE: &[char] = &[' ', '\n', '\t', '\r'];

/// Whether a file option is read or written by its filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Read: the host file is imported read-only.
    Input,
    /// Written: the file is exported after the run like any output.
    Output,
}

/// A filter option that names a file.
#[derive(Debug)]
pub struct FileOption {
    /// The filter's name.
    pub filter: &'static str,
    /// The option's names (the first is the canonical one; the others are
    /// its aliases).
    pub names: &'static [&'static str],
    /// Its place among the filter's shorthand (positional) options, if any.
    pub position: Option<usize>,
    /// Read or written.
    pub direction: Direction,
}

const fn opt(
    filter: &'static str,
    names: &'static [&'static str],
    position: Option<usize>,
    direction: Direction,
) -> FileOption {
    FileOption {
        filter,
        names,
        position,
        direction,
    }
}

/// The file-taking options of FFmpeg 5.1's filters (from their `AVOption`
/// tables; `position` counts options with distinct storage, as
/// `process_options` does). Whether a filter exists depends on how the
/// module was built; mapping its file does no harm when it does not.
pub const FILE_OPTIONS: &[FileOption] = &[
    opt("movie", &["filename"], Some(0), Direction::Input),
    opt("amovie", &["filename"], Some(0), Direction::Input),
    opt("subtitles", &["filename", "f"], Some(0), Direction::Input),
    opt("subtitles", &["fontsdir"], Some(2), Direction::Input),
    opt("ass", &["filename", "f"], Some(0), Direction::Input),
    opt("ass", &["fontsdir"], Some(2), Direction::Input),
    opt("drawtext", &["fontfile"], None, Direction::Input),
    opt("drawtext", &["textfile"], None, Direction::Input),
    opt("lut3d", &["file"], Some(0), Direction::Input),
    opt("lut1d", &["file"], Some(0), Direction::Input),
    opt("removelogo", &["filename", "f"], Some(0), Direction::Input),
    opt("cover_rect", &["cover"], Some(0), Direction::Input),
    opt("find_rect", &["object"], Some(0), Direction::Input),
    opt("arnndn", &["model", "m"], Some(0), Direction::Input),
    opt("sendcmd", &["filename", "f"], Some(1), Direction::Input),
    opt("asendcmd", &["filename", "f"], Some(1), Direction::Input),
    opt("curves", &["psfile"], None, Direction::Input),
    opt("curves", &["plot"], None, Direction::Output),
    opt("psnr", &["stats_file", "f"], Some(0), Direction::Output),
    opt("ssim", &["stats_file", "f"], Some(0), Direction::Output),
    opt("metadata", &["file"], None, Direction::Output),
    opt("ametadata", &["file"], None, Direction::Output),
];

/// One token as `av_get_token(buf, term)` reads it from `s[from..]`: the
/// unescaped text and where reading stopped (at a terminator or the end).
pub fn get_token(s: &str, from: usize, term: &[char]) -> (String, usize) {
    let rest = &s[from..];
    let start = rest.len() - rest.trim_start_matches(WHITESPACE).len();
    let mut out = String::new();
    // Length of `out` up to which trailing white space is kept (escaped or
    // quoted text).
    let mut keep = 0;
    let mut chars = rest[start..].char_indices().peekable();
    let mut stop = rest.len();
    while let Some((i, c)) = chars.next() {
        if term.contains(&c) {
            stop = start + i;
            break;
        }
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                    keep = out.len();
                }
            }
            '\'' => {
                let mut closed = false;
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        closed = true;
                        break;
                    }
                    out.push(q);
                }
                if closed {
                    keep = out.len();
                }
            }
            _ => out.push(c),
        }
    }
    let trimmed = out[keep..].trim_end_matches(WHITESPACE).len();
    out.truncate(keep + trimmed);
    (out, from + stop)
}

/// `text` escaped so that `av_get_token(…, term)` reads it back unchanged:
/// a backslash before `\`, `'`, white space and every terminator.
pub fn escape(text: &str, term: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\\' || c == '\'' || WHITESPACE.contains(&c) || term.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Terminators of a filter's arguments in a graph.
const ARGS_TERM: &[char] = &['[', ']', ',', ';'];
/// Terminators of a filter name.
const NAME_TERM: &[char] = &['=', ',', ';', '['];
/// Terminator of one argument value.
const VALUE_TERM: &[char] = &[':'];
/// What separates a key from its value.
const KEY_TERM: &[char] = &['=', ':'];

/// A file option found in a graph, and what it is to become.
#[derive(Debug, PartialEq, Eq)]
pub struct FileRef<'a> {
    /// The filter (`subtitles`).
    pub filter: &'a str,
    /// The option as written (`filename`, `f`, or the canonical name for a
    /// positional value).
    pub option: &'a str,
    /// The file name, unescaped.
    pub value: String,
    /// Read or written.
    pub direction: Direction,
}

/// `(key, value)` pairs of a filter's arguments; `None` keys are positional.
type Pairs = Vec<(Option<String>, String)>;

/// Splits a filter's (graph-level unescaped) arguments as
/// `process_options` does.
fn split_args(args: &str) -> Pairs {
    let mut pairs = Vec::new();
    let mut pos = 0;
    while pos < args.len() {
        let key = explicit_key(&args[pos..]);
        if let Some((_, after)) = &key {
            pos += after;
        }
        let (value, end) = get_token(args, pos, VALUE_TERM);
        pairs.push((key.map(|(k, _)| k), value));
        pos = end;
        if pos < args.len() {
            pos += 1; // the ':'
        }
    }
    pairs
}

/// `get_key` of libavutil/opt.c: key characters (`[A-Za-z0-9_./-]`), then
/// optional white space and `=`. Returns the key and the length read.
fn explicit_key(s: &str) -> Option<(String, usize)> {
    let lead = s.len() - s.trim_start_matches(WHITESPACE).len();
    let body = &s[lead..];
    let key_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_/.".contains(c)))
        .unwrap_or(body.len());
    let after = &body[key_len..];
    let ws = after.len() - after.trim_start_matches(WHITESPACE).len();
    (after[ws..].starts_with('=') && key_len > 0)
        .then(|| (body[..key_len].to_owned(), lead + key_len + ws + 1))
}

/// The file option a pair of `filter`'s arguments sets, if any.
fn file_option(filter: &str, key: Option<&str>, position: usize) -> Option<&'static FileOption> {
    FILE_OPTIONS.iter().find(|o| {
        o.filter == filter
            && match key {
                Some(k) => o.names.contains(&k),
                None => o.position == Some(position),
            }
    })
}

/// Rewrites the file names in `graph`: `map` gets each one and returns the
/// name to use instead. Returns the graph unchanged (byte for byte) when no
/// file option is set, and `None` when the graph cannot be parsed (FFmpeg
/// will report the syntax error itself).
pub fn rewrite<E>(
    graph: &str,
    mut map: impl FnMut(&FileRef<'_>) -> Result<String, E>,
) -> Result<Option<String>, E> {
    let mut out = String::with_capacity(graph.len());
    let mut copied = 0;
    let mut pos = 0;
    loop {
        let Some(name_start) = skip_labels(graph, pos) else {
            return Ok(None);
        };
        let (name, end) = get_token(graph, name_start, NAME_TERM);
        pos = end;
        if graph[pos..].starts_with('=') {
            let args_start = pos + 1;
            let (args, args_end) = get_token(graph, args_start, ARGS_TERM);
            let filter = name.split('@').next().unwrap_or(&name);
            if let Some(new_args) = rewrite_args(filter, &args, &mut map)? {
                out.push_str(&graph[copied..args_start]);
                out.push_str(&escape(&new_args, ARGS_TERM));
                copied = args_end;
            }
            pos = args_end;
        }
        let Some(p) = skip_labels(graph, pos) else {
            return Ok(None);
        };
        let rest = &graph[p..];
        let ws = rest.len() - rest.trim_start_matches(WHITESPACE).len();
        pos = p + ws;
        match graph[pos..].chars().next() {
            None => break,
            Some(',' | ';') => pos += 1,
            Some(_) => return Ok(None),
        }
    }
    out.push_str(&graph[copied..]);
    Ok(Some(out))
}

/// Skips white space and `[label]`s from `pos`; `None` on an unclosed label.
fn skip_labels(graph: &str, mut pos: usize) -> Option<usize> {
    loop {
        let rest = &graph[pos..];
        pos += rest.len() - rest.trim_start_matches(WHITESPACE).len();
        if !graph[pos..].starts_with('[') {
            return Some(pos);
        }
        pos += graph[pos..].find(']')? + 1;
    }
}

/// The filter's arguments with their file names mapped, or `None` when
/// nothing changed.
fn rewrite_args<E>(
    filter: &str,
    args: &str,
    map: &mut impl FnMut(&FileRef<'_>) -> Result<String, E>,
) -> Result<Option<String>, E> {
    if !FILE_OPTIONS.iter().any(|o| o.filter == filter) {
        return Ok(None);
    }
    let mut pairs = split_args(args);
    let mut changed = false;
    let mut positional = true;
    for (i, (key, value)) in pairs.iter_mut().enumerate() {
        positional &= key.is_none();
        if key.is_none() && !positional {
            continue; // FFmpeg refuses a value without a key after a key.
        }
        let Some(option) = file_option(filter, key.as_deref(), i) else {
            continue;
        };
        let file = FileRef {
            filter,
            option: key.as_deref().unwrap_or(option.names[0]),
            value: value.clone(),
            direction: option.direction,
        };
        let mapped = map(&file)?;
        if mapped != *value {
            *value = mapped;
            changed = true;
        }
    }
    Ok(changed.then(|| {
        pairs
            .iter()
            .map(|(key, value)| {
                let value = escape(value, KEY_TERM);
                match key {
                    Some(k) => format!("{k}={value}"),
                    None => value,
                }
            })
            .collect::<Vec<_>>()
            .join(":")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(graph: &str) -> Vec<(String, String, String)> {
        let mut found = Vec::new();
        rewrite::<()>(graph, |f| {
            found.push((f.filter.to_owned(), f.option.to_owned(), f.value.clone()));
            Ok(f.value.clone())
        })
        .unwrap()
        .unwrap();
        found
    }

    fn upper(graph: &str) -> String {
        rewrite::<()>(graph, |f| Ok(format!("/host/{}", f.value)))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn tokens_as_av_get_token() {
        assert_eq!(get_token("  a b  ,x", 0, &[',']), ("a b".into(), 7));
        assert_eq!(get_token(r"a\,b,c", 0, &[',']), ("a,b".into(), 4));
        assert_eq!(get_token("'a, b ' ,c", 0, &[',']), ("a, b ".into(), 8));
        assert_eq!(get_token(r"a\ ", 0, &[',']), ("a ".into(), 3));
        assert_eq!(get_token("x", 1, &[',']), (String::new(), 1));
        for s in [
            "plain",
            "a b",
            "it's",
            r"back\slash",
            "a:b=c[d],e;f",
            " lead",
            "trail ",
        ] {
            let e = escape(s, ARGS_TERM);
            assert_eq!(get_token(&e, 0, ARGS_TERM), (s.to_owned(), e.len()), "{e}");
        }
    }

    #[test]
    fn finds_file_options_by_position_key_and_alias() {
        assert_eq!(
            files("subtitles=subs.srt:force_style='Fontsize=20'"),
            [("subtitles".into(), "filename".into(), "subs.srt".into())]
        );
        assert_eq!(
            files("[0:v]scale=320:-2,subtitles=f=a b.srt[v];amovie=x.wav[a]"),
            [
                ("subtitles".into(), "f".into(), "a b.srt".into()),
                ("amovie".into(), "filename".into(), "x.wav".into())
            ]
        );
        assert_eq!(
            // Two levels of escaping: the graph's, then the option's.
            files("movie@logo=/tmp/it\\\\\\'s.png,overlay"),
            [("movie".into(), "filename".into(), "/tmp/it's.png".into())]
        );
        // Positional values after a key are not options; the shorthand index
        // counts: sendcmd's second positional is its file.
        assert_eq!(
            files("sendcmd=c=x:f.txt,sendcmd='':cmds.txt"),
            [("sendcmd".into(), "filename".into(), "cmds.txt".into())]
        );
        assert!(files("scale=320:240,drawbox=x=1").is_empty());
    }

    #[test]
    fn rewrites_only_the_file_values() {
        // Untouched graphs are returned byte for byte.
        let g = "[0:v] scale=320:-2 [v] ; [1:a]volume=0.5";
        assert_eq!(upper(g), g);
        assert_eq!(
            upper("scale=2:2,subtitles=subs.srt:force_style='Fontsize=20'[out]"),
            r"scale=2:2,subtitles=/host/subs.srt:force_style=Fontsize\\=20[out]"
        );
        assert_eq!(
            upper("movie=a b:c.mp4 [logo]"),
            // `a b` is the positional file, `c.mp4` an invalid second
            // positional value left as it was (unescaped then re-escaped).
            r"movie=/host/a\\\ b:c.mp4[logo]"
        );
        // A rewritten file name with every special character reads back.
        let weird = "/host/d i r/it's:[x],y;z=\\.srt";
        let g = rewrite::<()>("subtitles=x.srt,null", |_| Ok(weird.to_owned()))
            .unwrap()
            .unwrap();
        assert_eq!(
            files(&g),
            [("subtitles".into(), "filename".into(), weird.into())]
        );
        assert!(g.ends_with(",null"), "{g}");
    }

    #[test]
    fn unparsable_graphs_are_left_to_ffmpeg() {
        assert_eq!(
            rewrite::<()>("[0:v", |f| Ok(f.value.clone())).unwrap(),
            None
        );
        assert_eq!(
            rewrite::<()>("scale=1:1[a] x", |f| Ok(f.value.clone())).unwrap(),
            None
        );
    }

    #[test]
    fn map_errors_propagate() {
        assert_eq!(rewrite("amovie=a.wav", |_| Err("no")), Err("no"));
        // Quotes do not nest backslashes: FFmpeg reads `/tmp/it\s.png,x`
        // at the graph level and `/tmp/its.png,x` as the option.
        assert_eq!(
            files("movie='/tmp/it\\'s.png',x"),
            [("movie".into(), "filename".into(), "/tmp/its.png,x".into())]
        );
    }
}
