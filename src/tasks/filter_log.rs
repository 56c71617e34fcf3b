//! Reading what FFmpeg's filters log: the messages of named filters in
//! stderr, and the `key: value` pairs in one message. Shared by the typed
//! reports of [`analysis`](super::analysis) and the generic reader of
//! [`measurements`](super::measurements).

/// The messages of the filters `filters` in FFmpeg's stderr: the text
/// after `[NAME @ 0x…] ` on every line whose context names one of them (as
/// `filter`, `filter_N` or `Parsed_filter_N`), in log order. Lines are
/// split on `\n` and `\r` (progress lines end with a carriage return).
pub(super) fn filter_messages<'a>(
    stderr: &'a str,
    filters: &'a [&'a str],
) -> impl Iterator<Item = &'a str> + 'a {
    stderr.split(['\n', '\r']).filter_map(move |line| {
        let rest = line.strip_prefix('[')?;
        let close = rest.find("] ")?;
        let context = &rest[..close];
        let name = context.split(" @ ").next()?;
        let name = name.strip_prefix("Parsed_").unwrap_or(name);
        let base_name = match name.rsplit_once('_') {
            Some((b, n)) if n.bytes().all(|c| c.is_ascii_digit()) => b,
            _ => name,
        };
        filters.contains(&base_name).then(|| &rest[close + 2..])
    })
}

/// `key: value` or `key:value` pairs in a message, split on whitespace,
/// `|` and `,`.
pub(super) fn pairs(message: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let tokens: Vec<&str> = message
        .split(|c: char| c.is_whitespace() || c == '|' || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if let Some((k, v)) = t.split_once(':') {
            if v.is_empty() {
                if let Some(next) = tokens.get(i + 1) {
                    out.push((k, *next));
                    i += 2;
                    continue;
                }
            } else {
                out.push((k, v));
            }
        }
        i += 1;
    }
    out
}

/// A number as FFmpeg prints it (`-inf`, `nan` and `inf` included).
pub(super) fn num(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_named_filters_only() {
        let log = "[Parsed_ametadata_1 @ 0x1] frame:0    pts:0       pts_time:0\n\
[metadata @ 0x2] lavfi.x=1\r\
[Parsed_astats_0 @ 0x3] Overall\n\
no prefix\n";
        let got: Vec<&str> = filter_messages(log, &["metadata", "ametadata"]).collect();
        assert_eq!(got, ["frame:0    pts:0       pts_time:0", "lavfi.x=1"]);
        assert_eq!(
            pairs(got[0]),
            [("frame", "0"), ("pts", "0"), ("pts_time", "0")]
        );
        assert_eq!(num(" -inf"), Some(f64::NEG_INFINITY));
        assert!(num("nan").unwrap().is_nan());
        assert_eq!(num("17/17"), None);
    }
}
