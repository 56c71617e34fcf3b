//! The terminal's progress bars for running jobs.

use afmpeg::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// A progress bar for one job, drawn on stderr.
pub fn progress_bar(target: ProgressDrawTarget) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(1000), target);
    pb.set_style(
        ProgressStyle::with_template(
            "{prefix}{spinner} {elapsed:>4} [{bar:24}] {percent:>3}% {msg} ETA {eta}",
        )
        .expect("valid progress template")
        .progress_chars("=> "),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A progress callback that moves `pb`.
pub fn progress_callback(pb: ProgressBar) -> impl Fn(&Progress) + Send + Sync + 'static {
    move |p: &Progress| {
        if let Some(f) = p.fraction {
            pb.set_position((f * 1000.0).round() as u64);
        }
        pb.set_message(describe(p));
    }
}

fn describe(p: &Progress) -> String {
    let mut parts = Vec::new();
    if let Some(t) = p.out_time {
        let s = t.as_secs_f64();
        parts.push(format!(
            "time {:02}:{:02}:{:05.2}",
            (s / 3600.0) as u64,
            (s / 60.0) as u64 % 60,
            s % 60.0
        ));
    }
    if let Some(speed) = p.speed {
        parts.push(format!("speed {speed:.2}x"));
    }
    if let Some(frame) = p.frame.filter(|f| *f > 0) {
        parts.push(format!("frame {frame}"));
    }
    parts.join("  ")
}
