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
