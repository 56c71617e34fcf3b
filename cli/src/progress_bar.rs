//! The terminal's progress display for running jobs, and the writer that
//! prints FFmpeg's log above it.
//!
//! A job starts as a spinner; its first `-progress` report turns it into a
//! bar when the job's [`Span`] is known (percent and an ETA once there is a
//! rate to estimate from), and it stays a spinner with the output time,
//! speed and frame count when it is not (a `lavfi` source, a pipe). A batch
//! row reads "queued" until its job starts and only its status once done.

use crate::span::Span;
use afmpeg::Progress;
use indicatif::{
    FormattedDuration, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Steps of a bar: per mille.
const STEPS: u64 = 1000;

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("valid progress template")
        .progress_chars("=> ")
        .with_key("eta", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            // No estimate before there is a rate, nor once under a second.
            if s.pos() > 0 && s.pos() < STEPS && s.eta() >= Duration::from_secs(1) {
                let _ = write!(w, " ETA {:#}", HumanDuration(s.eta()));
            }
        })
}

fn spinner_style() -> ProgressStyle {
    style("{prefix}{spinner} {elapsed:>4} {msg}")
}

fn bar_style() -> ProgressStyle {
    style("{prefix}{spinner} {elapsed:>4} [{bar:20}] {percent:>3}% {msg}{eta}")
}

/// A job's display, drawn on `target`; a spinner until a report says more.
pub fn progress_bar(target: ProgressDrawTarget) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(None, target);
    pb.set_style(spinner_style());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A batch row waiting for a free thread: no spinner, no clock.
pub fn queued(pb: &ProgressBar) {
    pb.set_style(style("{prefix}  {msg}"));
    pb.set_message("queued");
}

/// A batch row whose job started.
pub fn started(pb: &ProgressBar) {
    pb.reset_elapsed();
    pb.set_style(spinner_style());
    pb.set_message("running");
}

/// A batch row whose job ended, with `status` ("ok", "failed (exit 1)" …).
pub fn finished(pb: &ProgressBar, status: String) {
    pb.set_style(style("{prefix}  {msg}"));
    pb.abandon_with_message(status);
}

/// A progress callback moving `pb` against the job's span (set before the
/// first report, or never: then it stays a spinner).
pub fn progress_callback(
    pb: ProgressBar,
    span: Arc<OnceLock<Span>>,
) -> impl Fn(&Progress) + Send + Sync + 'static {
    let shown_as_bar = Mutex::new(false);
    move |p: &Progress| {
        // The message first: a redraw between the two never shows a
        // position ahead of the time and frame it stands for.
        pb.set_message(describe(p));
        let span = span.get().copied().unwrap_or_default();
        if let Some(f) = span.fraction(p) {
            let mut bar = shown_as_bar.lock().unwrap_or_else(|e| e.into_inner());
            if !*bar {
                pb.set_style(bar_style());
                pb.set_length(STEPS);
                *bar = true;
            }
            let position = (f * STEPS as f64).round() as u64;
            // Never backwards: seeking decoders report out_time unevenly.
            if position > pb.position() {
                pb.set_position(position);
            }
        }
    }
}

fn describe(p: &Progress) -> String {
    let mut parts = Vec::new();
    if let Some(t) = p.out_time {
        parts.push(format!("time {}", FormattedDuration(t)));
    }
    if let Some(speed) = p.speed {
        parts.push(format!("speed {speed:.2}x"));
    }
    if let Some(frame) = p.frame.filter(|f| *f > 0) {
        parts.push(format!("frame {frame}"));
    }
    parts.join("  ")
}

/// stderr, written with the bar (if any) lifted out of the way, so that
/// FFmpeg's log scrolls above it as it is written.
pub struct AboveBar {
    bar: Option<ProgressBar>,
}

impl AboveBar {
    /// Writes above `bar`, or straight to stderr without one.
    pub fn new(bar: Option<ProgressBar>) -> Self {
        AboveBar { bar }
    }
}

impl Write for AboveBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let write = || {
            let mut err = std::io::stderr().lock();
            err.write_all(buf).and_then(|()| err.flush())
        };
        match &self.bar {
            Some(pb) => pb.suspend(write)?,
            None => write()?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
