//! How much of its inputs an ffmpeg command line will process: the span the
//! progress display measures FFmpeg's `-progress` reports against.
//!
//! FFmpeg's own "Duration:" line is the input's length, not the job's (it
//! ignores `-ss`, `-t`, `-to`, `-frames`) and is missing below
//! `-loglevel info`. The span is worked out before the job instead: each
//! input's duration (probed) cut by its own `-ss`/`-sseof`/`-t`/`-to` and
//! `-stream_loop`, the longest input (the shortest with `-shortest`), then
//! each output's `-ss`/`-t`/`-to`; and the output frame count
//! (`-frames:v`, `-vframes`, `-frames`), which ends a job first when it is
//! the smaller.

use crate::flags::FFMPEG_FLAGS;
use afmpeg::{Filesystem, Limits, Progress, RunOptions, Runtime, Tool};

/// One input as the command line gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRef<'a> {
    /// Its `-i` value (guest path, URL, `-` …).
    pub path: &'a str,
    /// Its `-f`, if any.
    pub format: Option<&'a str>,
}

/// The expected extent of a job's output.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Span {
    /// Seconds of output, when known.
    pub seconds: Option<f64>,
    /// Video frames of output, when the command line limits them.
    pub frames: Option<u64>,
}

#[derive(Default)]
struct Cut {
    ss: Option<f64>,
    sseof: Option<f64>,
    t: Option<f64>,
    to: Option<f64>,
    frames: Option<u64>,
    loops: Option<i64>,
}

impl Cut {
    /// Applies the cut to a stream of `length` seconds (None: unknown).
    fn apply(&self, length: Option<f64>) -> Option<f64> {
        let start = match (self.ss, self.sseof, length) {
            (Some(ss), _, _) => ss,
            (None, Some(eof), Some(len)) => (len + eof).max(0.0),
            _ => 0.0,
        };
        let length = match (self.loops, length) {
            (Some(n), _) if n < 0 => None,
            (Some(n), Some(len)) => Some(len * (n as f64 + 1.0)),
            (_, len) => len,
        };
        let mut end = length;
        if let Some(to) = self.to {
            end = Some(end.map_or(to, |e| e.min(to)));
        }
        let span = end.map(|e| (e - start).max(0.0));
        match (span, self.t) {
            (Some(s), Some(t)) => Some(s.min(t)),
            (s, t) => s.or(t),
        }
    }

    /// Reads option `name` (no leading `-`, stream specifier kept) with
    /// `value`, if it is one of the cut options.
    fn read(&mut self, name: &str, value: &str) {
        let base = name.split(':').next().unwrap_or(name);
        match base {
            "ss" => self.ss = parse_duration(value),
            "sseof" => self.sseof = parse_duration(value),
            "t" => self.t = parse_duration(value),
            "to" => self.to = parse_duration(value),
            "stream_loop" => self.loops = value.trim().parse().ok(),
            "vframes" => self.frames = value.trim().parse().ok(),
            // `-frames` without a specifier or with a video one; `-frames:a`
            // counts audio frames, which the reports do not.
            "frames" if matches!(name, "frames" | "frames:v") || name.starts_with("frames:v:") => {
                self.frames = value.trim().parse().ok()
            }
            _ => {}
        }
    }
}

impl Span {
    /// The span of ffmpeg `args` (without `argv[0]`), asking
    /// `input_length` for each input's duration in seconds.
    pub fn of(args: &[String], mut input_length: impl FnMut(&InputRef) -> Option<f64>) -> Span {
        let mut inputs: Vec<Option<f64>> = Vec::new();
        let mut outputs: Vec<Span> = Vec::new();
        let mut cut = Cut::default();
        let mut format: Option<&str> = None;
        let mut shortest = false;
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            i += 1;
            let Some(name) = a.strip_prefix('-').filter(|n| !n.is_empty()) else {
                // An output file: the options read since the last one are its own.
                let longest = longest(&inputs, shortest);
                outputs.push(Span {
                    seconds: cut.apply(longest),
                    frames: cut.frames,
                });
                cut = Cut::default();
                format = None;
                continue;
            };
            let base = name.split(':').next().unwrap_or(name);
            if FFMPEG_FLAGS.contains(&base) {
                match base {
                    "shortest" => shortest = true,
                    "noshortest" => shortest = false,
                    _ => {}
                }
                continue;
            }
            let Some(value) = args.get(i) else { break };
            i += 1;
            match base {
                "i" => {
                    let length = input_length(&InputRef {
                        path: value,
                        format,
                    });
                    inputs.push(cut.apply(length));
                    cut = Cut::default();
                    format = None;
                }
                "f" => format = Some(value),
                _ => cut.read(name, value),
            }
        }
        // Several outputs: the job lasts as long as the longest.
        let seconds = outputs
            .iter()
            .map(|o| o.seconds)
            .try_fold(0.0_f64, |m, s| s.map(|s| m.max(s)))
            .filter(|_| !outputs.is_empty());
        let frames = match outputs.as_slice() {
            [one] => one.frames,
            _ => None,
        };
        Span { seconds, frames }
    }

    /// Whether the total is known (a bar rather than a spinner).
    pub fn is_known(&self) -> bool {
        self.seconds.is_some_and(|s| s > 0.0) || self.frames.is_some_and(|f| f > 0)
    }

    /// How far `p` is into the span (0..=1), when the total is known: the
    /// further of time and frames, since whichever limit comes first ends
    /// the job.
    pub fn fraction(&self, p: &Progress) -> Option<f64> {
        if p.done {
            return self.is_known().then_some(1.0);
        }
        let by_time = match (p.out_time, self.seconds) {
            (Some(t), Some(total)) if total > 0.0 => Some(t.as_secs_f64() / total),
            _ => None,
        };
        let by_frames = match (p.frame, self.frames) {
            (Some(n), Some(total)) if total > 0 => Some(n as f64 / total as f64),
            _ => None,
        };
        let f = match (by_time, by_frames) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b)?,
        };
        // 100 % is for the final report only.
        Some(f.clamp(0.0, 0.999))
    }
}

/// The span of ffmpeg `args` over the job's tree `fs`, each input probed
/// with `limits` (and nothing else of the job's options: no stdin, signals
/// or sinks).
pub fn probed(runtime: &Runtime, fs: &Filesystem, args: &[String], limits: &Limits) -> Span {
    let probing = RunOptions::new().limits(limits.clone());
    Span::of(args, |input| probe_length(runtime, fs, &probing, input))
}

/// An input's duration in seconds, asked of ffprobe; None for what cannot
/// be read ahead of the job (stdin, a `lavfi` graph, a URL) or has no
/// duration.
fn probe_length(
    runtime: &Runtime,
    fs: &Filesystem,
    options: &RunOptions,
    input: &InputRef,
) -> Option<f64> {
    let stream = matches!(input.path, "-" | "/dev/stdin") || input.path.starts_with("pipe:");
    if stream || input.format == Some("lavfi") || input.path.contains("://") {
        return None;
    }
    let mut args = vec!["-v", "error"];
    if let Some(f) = input.format {
        args.extend(["-f", f]);
    }
    args.extend([
        "-show_entries",
        "format=duration",
        "-of",
        "default=noprint_wrappers=1:nokey=1",
        input.path,
    ]);
    let out = runtime.run_tool(Tool::Ffprobe, fs, &args, options).ok()?;
    if !out.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && *d >= 0.0)
}

/// The longest of the inputs (the shortest with `-shortest`), None when
/// one that bounds it is unknown.
fn longest(inputs: &[Option<f64>], shortest: bool) -> Option<f64> {
    if inputs.is_empty() {
        return None;
    }
    if shortest {
        inputs.iter().flatten().copied().reduce(f64::min)
    } else {
        inputs.iter().try_fold(0.0_f64, |m, s| s.map(|s| m.max(s)))
    }
}

/// FFmpeg's duration syntax (`av_parse_time` with duration=1):
/// `[-][HH:]MM:SS[.m…]` or `[-]S+[.m…][s|ms|us]`.
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text),
    };
    let value = if body.contains(':') {
        let mut total = 0.0;
        let parts: Vec<&str> = body.split(':').collect();
        if parts.len() > 3 {
            return None;
        }
        for part in parts {
            if part.is_empty() || part.starts_with(['+', '-']) {
                return None;
            }
            total = total * 60.0 + part.parse::<f64>().ok()?;
        }
        total
    } else {
        let (number, scale) = if let Some(n) = body.strip_suffix("ms") {
            (n, 1e-3)
        } else if let Some(n) = body.strip_suffix("us") {
            (n, 1e-6)
        } else if let Some(n) = body.strip_suffix('s') {
            (n, 1.0)
        } else {
            (body, 1.0)
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        number.parse::<f64>().ok()? * scale
    };
    value.is_finite().then_some(sign * value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn span(args: &[&str], length: Option<f64>) -> Span {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        Span::of(&args, |input| match input.format {
            Some("lavfi") => None,
            _ => length,
        })
    }

    #[test]
    fn durations_parse_as_ffmpeg_does() {
        assert_eq!(parse_duration("14"), Some(14.0));
        assert_eq!(parse_duration("1:02.5"), Some(62.5));
        assert_eq!(parse_duration("01:00:00"), Some(3600.0));
        assert_eq!(parse_duration("-2.5"), Some(-2.5));
        assert_eq!(parse_duration("1500ms"), Some(1.5));
        assert_eq!(parse_duration("250000us"), Some(0.25));
        assert_eq!(parse_duration("3s"), Some(3.0));
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration("1:2:3:4"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn seek_and_duration_options_cut_the_input() {
        let whole = span(&["-i", "in.mp4", "out.mp4"], Some(20.0));
        assert_eq!(whole.seconds, Some(20.0));
        assert_eq!(
            span(&["-ss", "14", "-i", "in.mp4", "o.mp4"], Some(20.0)).seconds,
            Some(6.0)
        );
        assert_eq!(
            span(&["-i", "in.mp4", "-t", "5", "o.mp4"], Some(20.0)).seconds,
            Some(5.0)
        );
        assert_eq!(
            span(
                &["-ss", "2", "-to", "8", "-i", "in.mp4", "o.mp4"],
                Some(20.0)
            )
            .seconds,
            Some(6.0)
        );
        assert_eq!(
            span(&["-sseof", "-3", "-i", "in.mp4", "o.mp4"], Some(20.0)).seconds,
            Some(3.0)
        );
        assert_eq!(
            span(&["-stream_loop", "2", "-i", "in.mp4", "o.mp4"], Some(20.0)).seconds,
            Some(60.0)
        );
        assert_eq!(
            span(&["-stream_loop", "-1", "-i", "in.mp4", "o.mp4"], Some(20.0)).seconds,
            None
        );
        // Output -ss skips output time; -to on an output is a timestamp.
        assert_eq!(
            span(&["-i", "in.mp4", "-ss", "5", "o.mp4"], Some(20.0)).seconds,
            Some(15.0)
        );
        assert_eq!(
            span(&["-i", "in.mp4", "-to", "4", "o.mp4"], Some(20.0)).seconds,
            Some(4.0)
        );
    }

    #[test]
    fn unknown_inputs_make_an_unknown_span_unless_bounded() {
        let lavfi = ["-f", "lavfi", "-i", "testsrc", "o.mp4"];
        assert_eq!(span(&lavfi, Some(20.0)).seconds, None);
        assert!(!span(&lavfi, Some(20.0)).is_known());
        assert_eq!(
            span(&["-f", "lavfi", "-i", "testsrc", "-t", "3", "o.mp4"], None).seconds,
            Some(3.0)
        );
        // -shortest: the known input bounds the job.
        assert_eq!(
            span(
                &[
                    "-f",
                    "lavfi",
                    "-i",
                    "color",
                    "-i",
                    "a.mp3",
                    "-shortest",
                    "o.mp4"
                ],
                Some(7.0)
            )
            .seconds,
            Some(7.0)
        );
    }

    #[test]
    fn frame_limits_and_fraction() {
        let s = span(&["-i", "in.mp4", "-frames:v", "50", "o.mp4"], Some(20.0));
        assert_eq!(s.frames, Some(50));
        let s2 = span(&["-i", "in.mp4", "-vframes", "10", "o.mp4"], Some(20.0));
        assert_eq!(s2.frames, Some(10));
        assert_eq!(
            span(&["-i", "in.mp4", "-frames:a", "10", "o.mp4"], None).frames,
            None
        );
        let at = |secs: f64, frame: u64| Progress {
            out_time: Some(Duration::from_secs_f64(secs)),
            frame: Some(frame),
            ..Progress::default()
        };
        // 25 of 50 frames is further than 1 s of 20 s.
        assert_eq!(s.fraction(&at(1.0, 25)), Some(0.5));
        assert_eq!(s.fraction(&at(30.0, 1)), Some(0.999));
        let done = Progress {
            done: true,
            ..Progress::default()
        };
        assert_eq!(s.fraction(&done), Some(1.0));
        assert_eq!(Span::default().fraction(&at(1.0, 1)), None);
        assert_eq!(
            Span::default().fraction(&done),
            None,
            "a spinner to the end"
        );
    }
}
