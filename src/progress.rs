//! Live progress of a job, from FFmpeg's `-progress` output.
//!
//! The job mounts a sink device at `/dev/afmpeg-progress` and passes
//! `-progress /dev/afmpeg-progress` to FFmpeg, which writes `key=value`
//! blocks there while it works; each block ends with `progress=continue`
//! (or `progress=end`), and is turned into a [`Progress`] delivered to the
//! callback at once — during the job, not after it.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasi_shim::stdio::Capture;

/// One progress report.
///
/// ```no_run
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// let rt = Runtime::from_default_location()?;
/// let opts = RunOptions::new().progress(|p| {
///     println!("frame {:?} at {:?}, {:?}x, {:?} done", p.frame, p.out_time, p.speed, p.fraction);
/// });
/// rt.run_with(&Filesystem::new(), &["-f", "lavfi", "-i", "testsrc=d=5", "/t.mp4"], &opts)?;
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// Video frames output so far.
    pub frame: Option<u64>,
    /// Current output frame rate.
    pub fps: Option<f64>,
    /// Output timestamp reached.
    pub out_time: Option<Duration>,
    /// Speed relative to real time (`2.0` = twice real time).
    pub speed: Option<f64>,
    /// Current output bit rate, in kbit/s.
    pub bitrate_kbps: Option<f64>,
    /// Bytes written so far: FFmpeg's `total_size`, the size of the first
    /// output file when the report is made (what its muxer has flushed); the
    /// final report has the finished file's size.
    pub total_size: Option<u64>,
    /// Fraction done, from `out_time` and the expected duration: never
    /// decreases, and is 1.0 only in the final report of a finished job.
    pub fraction: Option<f64>,
    /// Whether this is the final report (`progress=end`).
    pub done: bool,
}

/// A progress callback. Use a channel or a mutex inside it for state.
///
/// ```
/// use afmpeg::progress::{Progress, ProgressFn};
/// use std::sync::Arc;
///
/// let callback: ProgressFn = Arc::new(|p: &Progress| println!("{:?}", p.fraction));
/// callback(&Progress::default());
/// ```
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Parses `-progress` blocks and calls the callback per block.
pub(crate) struct ProgressParser {
    callback: ProgressFn,
    line: Vec<u8>,
    current: Progress,
    best_fraction: f64,
    expected: Option<f64>,
    /// The job's stderr, to learn the input duration from FFmpeg's
    /// `Duration:` line when the caller gave none.
    stderr: Capture,
    /// An explicit output duration (`-t`) bounds the expected duration.
    cap: Option<f64>,
}

impl ProgressParser {
    pub(crate) fn new(
        callback: ProgressFn,
        expected: Option<f64>,
        cap: Option<f64>,
        stderr: Capture,
    ) -> Self {
        ProgressParser {
            callback,
            line: Vec::new(),
            current: Progress::default(),
            best_fraction: 0.0,
            expected,
            stderr,
            cap,
        }
    }

    fn total(&mut self) -> Option<f64> {
        if self.expected.is_none() {
            self.expected = input_duration(&self.stderr.contents());
        }
        match (self.expected, self.cap) {
            (Some(e), Some(c)) => Some(e.min(c)),
            (e, c) => e.or(c),
        }
        .filter(|t| *t > 0.0)
    }

    fn handle_line(&mut self, line: &str) {
        let Some((key, value)) = line.split_once('=') else {
            return;
        };
        let value = value.trim();
        let c = &mut self.current;
        match key.trim() {
            "frame" => c.frame = value.parse().ok(),
            "fps" => c.fps = value.parse().ok(),
            "out_time_us" | "out_time_ms" => {
                // Both keys are microseconds in FFmpeg 5.1 (out_time_ms is misnamed).
                c.out_time = value
                    .parse::<i64>()
                    .ok()
                    .filter(|v| *v >= 0)
                    .map(|v| Duration::from_micros(v as u64));
            }
            "speed" => c.speed = value.trim_end_matches('x').trim().parse().ok(),
            "bitrate" => c.bitrate_kbps = value.trim_end_matches("kbits/s").trim().parse().ok(),
            "total_size" => c.total_size = value.parse().ok(),
            "progress" => {
                let done = value == "end";
                let total = self.total();
                let c = &mut self.current;
                c.done = done;
                let f = if done {
                    1.0
                } else {
                    match (c.out_time, total) {
                        (Some(t), Some(total)) => (t.as_secs_f64() / total).clamp(0.0, 0.999),
                        _ => self.best_fraction,
                    }
                };
                self.best_fraction = self.best_fraction.max(f);
                c.fraction = (total.is_some() || done).then_some(self.best_fraction);
                (self.callback)(c);
            }
            _ => {}
        }
    }
}

impl Write for ProgressParser {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            if b == b'\n' {
                let line = String::from_utf8_lossy(&self.line).into_owned();
                self.line.clear();
                self.handle_line(&line);
            } else if self.line.len() < 4096 {
                self.line.push(b);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The duration of the first input, from FFmpeg's `  Duration: HH:MM:SS.ss,` line.
pub(crate) fn input_duration(stderr: &[u8]) -> Option<f64> {
    let text = String::from_utf8_lossy(stderr);
    let at = text.find("Duration: ")? + "Duration: ".len();
    let hms = text[at..].split(',').next()?.trim();
    parse_hms(hms)
}

/// Parses `HH:MM:SS.frac` (or plain seconds) into seconds.
pub(crate) fn parse_hms(s: &str) -> Option<f64> {
    let mut total = 0.0;
    for part in s.split(':') {
        total = total * 60.0 + part.trim().parse::<f64>().ok()?;
    }
    total.is_finite().then_some(total)
}

/// Keeps the job's progress callback alive across the sink boundary.
pub(crate) fn sink(parser: ProgressParser) -> wasi_shim::fs::device::Sink {
    wasi_shim::fs::device::Sink::new(LockedParser(Arc::new(Mutex::new(parser))))
}

struct LockedParser(Arc<Mutex<ProgressParser>>);

impl Write for LockedParser {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_is_monotonic_and_one_only_at_end() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let stderr = Capture::with_cap(1 << 16);
        let mut p = ProgressParser::new(
            Arc::new(move |p: &Progress| s2.lock().unwrap().push(p.clone())),
            Some(4.0),
            None,
            stderr,
        );
        p.write_all(b"frame=10\ntotal_size=48\nout_time_us=1000000\nspeed=2.5x\nbitrate= 100.5kbits/s\nprogress=continue\n").unwrap();
        p.write_all(b"out_time_us=500000\nprogress=continue\nout_time_us=4000000\nprogress=continue\nprogress=end\n").unwrap();
        let seen = seen.lock().unwrap();
        let f: Vec<f64> = seen.iter().map(|p| p.fraction.unwrap()).collect();
        assert_eq!(f, vec![0.25, 0.25, 0.999, 1.0]);
        assert_eq!(seen[0].frame, Some(10));
        assert_eq!(seen[0].speed, Some(2.5));
        assert_eq!(seen[0].bitrate_kbps, Some(100.5));
        assert_eq!(seen[0].total_size, Some(48));
        assert!(seen[3].done && !seen[2].done);
    }

    #[test]
    fn duration_from_stderr() {
        let err = b"Input #0, mov,mp4, from 'a.mp4':\n  Duration: 00:01:02.50, start: 0.000000, bitrate: 1 kb/s\n";
        assert_eq!(input_duration(err), Some(62.5));
        assert_eq!(parse_hms("1:00:00"), Some(3600.0));
        assert_eq!(input_duration(b"nothing"), None);
    }
}
