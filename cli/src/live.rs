//! FFmpeg's stderr passed through while the job runs, with guest paths
//! shown as the user wrote them.
//!
//! The guest writes in chunks that need not end at a line; a path could be
//! cut in two. So text is held back until a line ends (`\n`, or the `\r`
//! FFmpeg ends its status line with), each finished line is humanized and
//! written at once, and whatever is left is written by
//! [`LiveText::finish`]. Under a progress bar, FFmpeg's own status lines
//! (those it ends with `\r` to rewrite them) are dropped: the bar stands for
//! them; its final summary line, which ends with `\n`, stays.

use super::humanize::Humanizer;
use afmpeg::OutputSink;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A line-buffered, humanizing pass-through to a writer.
pub struct LiveText<W: Write + Send + 'static> {
    inner: Arc<Mutex<State<W>>>,
}

struct State<W> {
    humanizer: Humanizer,
    pending: Vec<u8>,
    out: W,
    hide_status_lines: bool,
}

impl<W: Write + Send + 'static> LiveText<W> {
    /// Writes to `out`, rewriting paths with `humanizer`.
    pub fn new(humanizer: Humanizer, out: W) -> Self {
        LiveText {
            inner: Arc::new(Mutex::new(State {
                humanizer,
                pending: Vec::new(),
                out,
                hide_status_lines: false,
            })),
        }
    }

    /// Drops the status lines (`frame=… \r`) when `hide` (a bar shows progress).
    pub fn hide_status_lines(self, hide: bool) -> Self {
        self.lock().hide_status_lines = hide;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<W>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The sink to give the job ([`afmpeg::RunOptions::stderr_sink`]).
    pub fn sink(&self) -> OutputSink {
        let inner = self.inner.clone();
        Arc::new(move |chunk: &[u8]| {
            let mut state = inner.lock().unwrap_or_else(|e| e.into_inner());
            state.push(chunk);
        })
    }

    /// Writes what is left (a last line without its end).
    pub fn finish(&self) {
        let mut state = self.lock();
        let rest = std::mem::take(&mut state.pending);
        state.emit(&rest);
    }

    /// The writer, once the job is over.
    #[cfg(test)]
    fn with_out<T>(&self, f: impl FnOnce(&W) -> T) -> T {
        f(&self.lock().out)
    }
}

impl<W: Write> State<W> {
    fn push(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
        let Some(end) = self.pending.iter().rposition(|&b| b == b'\n' || b == b'\r') else {
            return;
        };
        let lines: Vec<u8> = self.pending.drain(..=end).collect();
        self.emit(&lines);
    }

    fn emit(&mut self, text: &[u8]) {
        let kept: Vec<u8>;
        let text = if self.hide_status_lines {
            kept = text
                .split_inclusive(|&b| b == b'\n' || b == b'\r')
                .filter(|line| line.last() != Some(&b'\r'))
                .flatten()
                .copied()
                .collect();
            &kept[..]
        } else {
            text
        };
        if text.is_empty() {
            return;
        }
        let shown = self.humanizer.humanize(text);
        let _ = self.out.write_all(&shown);
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invocation::Invocation;
    use afmpeg::Tool;

    #[test]
    fn lines_are_humanized_even_when_a_path_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in.wav"), b"RIFF").unwrap();
        let args = ["-i", "in.wav", "out.mp4"].map(String::from);
        let inv = Invocation::prepare(Tool::Ffmpeg, &args, dir.path()).unwrap();
        let guest = &inv.args[1];
        assert!(guest.starts_with("/host/"), "{guest}");

        let live = LiveText::new(inv.humanizer(), Vec::new());
        let sink = live.sink();
        let line = format!("Input #0, wav, from '{guest}':\n");
        let (a, b) = line.as_bytes().split_at(20);
        sink(a);
        assert!(live.with_out(|o| o.is_empty()), "held until the line ends");
        sink(b);
        assert_eq!(
            live.with_out(|o| o.clone()),
            b"Input #0, wav, from 'in.wav':\n",
            "written as soon as the line ended"
        );
        sink(b"frame=  1\r");
        sink(b"no newline");
        assert!(live.with_out(|o| o.ends_with(b"frame=  1\r")));
        live.finish();
        assert!(live.with_out(|o| o.ends_with(b"frame=  1\rno newline")));
    }

    #[test]
    fn status_lines_are_dropped_under_a_bar() {
        let live = LiveText::new(Humanizer::new(Vec::new()), Vec::new()).hide_status_lines(true);
        let sink = live.sink();
        sink(b"Stream mapping:\nframe=  1 fps=0.0\rframe=  2 fps=0.0\r[mp4 @ 0x1] warn");
        sink(b"ing\nframe=  3 fps=1.0 Lsize=1kB\n");
        live.finish();
        assert_eq!(
            live.with_out(|o| o.clone()),
            b"Stream mapping:\n[mp4 @ 0x1] warning\nframe=  3 fps=1.0 Lsize=1kB\n"
        );
    }
}
