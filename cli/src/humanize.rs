//! FFmpeg's messages with guest paths shown as the user wrote them.

use super::host_path::HOST_ROOT;

/// Rewrites guest paths in FFmpeg's messages to the names the user wrote.
#[derive(Debug, Clone)]
pub struct Humanizer {
    /// Guest path and the user's name, longest guest path first.
    renames: Vec<(String, String)>,
}

impl Humanizer {
    /// Rewrites each guest path of `renames` to the user's name for it.
    pub fn new(mut renames: Vec<(String, String)>) -> Humanizer {
        renames.sort_by_key(|(guest, _)| std::cmp::Reverse(guest.len()));
        Humanizer { renames }
    }

    /// Also rewrites the paths as ffprobe's writers escape them (JSON's
    /// `\\` and `\"`, CSV's doubled quote, XML's entities), for its stdout.
    pub fn with_escaped_forms(mut self) -> Humanizer {
        type Escape = fn(&str) -> String;
        let escapes: [Escape; 3] = [
            |p| p.replace('\\', "\\\\").replace('"', "\\\""),
            |p| p.replace('"', "\"\""),
            |p| {
                p.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
                    .replace('\'', "&apos;")
            },
        ];
        let mut extra = Vec::new();
        for (guest, written) in &self.renames {
            for escape in escapes {
                let (g, w) = (escape(guest), escape(written));
                if g != *guest || w != *written {
                    extra.push((g, w));
                }
            }
        }
        self.renames.extend(extra);
        Humanizer::new(self.renames)
    }

    /// `text` with each guest path replaced by the user's name for it, and
    /// any other path under [`HOST_ROOT`] by its host path.
    pub fn humanize(&self, text: &[u8]) -> Vec<u8> {
        let Ok(s) = std::str::from_utf8(text) else {
            return text.to_vec();
        };
        if !s.contains(HOST_ROOT) {
            return text.to_vec();
        }
        let mut s = s.to_owned();
        for (guest, written) in &self.renames {
            s = s.replace(guest.as_str(), written);
        }
        s.replace(&format!("{HOST_ROOT}/"), "/").into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_forms_of_a_path_are_rewritten_too() {
        let h = Humanizer::new(vec![(
            "/host/d/a \"b\" & c.mp4".to_owned(),
            "a \"b\" & c.mp4".to_owned(),
        )])
        .with_escaped_forms();
        let json = br#""filename": "/host/d/a \"b\" & c.mp4","#;
        assert_eq!(h.humanize(json), br#""filename": "a \"b\" & c.mp4","#);
        let csv = br#"format,"/host/d/a ""b"" & c.mp4""#;
        assert_eq!(h.humanize(csv), br#"format,"a ""b"" & c.mp4""#);
        let xml = b"filename=\"/host/d/a &quot;b&quot; &amp; c.mp4\"";
        assert_eq!(h.humanize(xml), b"filename=\"a &quot;b&quot; &amp; c.mp4\"");
        assert_eq!(h.humanize(b"/host/d/a \"b\" & c.mp4"), b"a \"b\" & c.mp4");
    }
}
