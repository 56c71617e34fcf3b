//! The progress display of `afmpeg ffmpeg` on a terminal (a pseudo-TTY):
//! measured against the job's real span, a spinner when that is unknown,
//! nothing where native ffmpeg shows no status line, and FFmpeg's log
//! streamed above it while the job runs.

mod support;

use std::path::Path;
use std::process::Command;
use support::command::{afmpeg, describe, lavfi_x264_job, module, BIN, QUIET_NULL_JOB};

/// Makes a 20 s 160x120 10 fps H.264 clip `in.mp4` in `dir`.
fn twenty_seconds(dir: &Path) {
    let o = afmpeg(
        dir,
        &[
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=20:size=160x120:rate=10",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "in.mp4",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
}

/// Runs `afmpeg ARGS` in `dir` on a pseudo-terminal; returns all it wrote
/// (stdout and stderr share the terminal) once it exited 0.
fn on_tty(dir: &Path, args: &[&str]) -> String {
    on_tty_with(dir, args, &[])
}

/// [`on_tty`] with more environment variables.
fn on_tty_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("AFMPEG_MODULE", module())
        .env("COLUMNS", "120")
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied());
    let mut session = rexpect::session::spawn_command(cmd, None).expect("cannot start on a pty");
    // rexpect hands back each byte as a char: make it UTF-8 text again.
    let bytes: Vec<u8> = session
        .exp_eof()
        .expect("reading the pty")
        .chars()
        .map(|c| u8::try_from(c).expect("a byte"))
        .collect();
    let out = String::from_utf8_lossy(&bytes).into_owned();
    let status = session.process().wait().expect("waiting for afmpeg");
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{args:?}: {status:?}\n{out}"
    );
    out
}

/// One drawing of the bar.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Drawn {
    percent: u32,
    /// The output time shown, in whole seconds (truncated).
    secs: u32,
    frame: u32,
}

/// Each drawing of the bar, in order.
fn bar_states(out: &str) -> Vec<Drawn> {
    // Rows of a multi-bar are apart by cursor moves, not line ends.
    out.split(['\r', '\n', '\x1b'])
        .filter_map(|line| {
            let (_, after) = line.split_once("] ")?;
            let (percent, rest) = after.trim_start().split_once("% time ")?;
            let hms = rest.split_whitespace().next()?;
            let secs = hms
                .split(':')
                .try_fold(0u32, |t, p| p.parse::<u32>().ok().map(|p| t * 60 + p))?;
            let frame = rest.split_once("frame ")?.1.split_whitespace().next()?;
            Some(Drawn {
                percent: percent.parse().ok()?,
                secs,
                frame: frame.parse().ok()?,
            })
        })
        .collect()
}

/// Whether a spinner or bar was drawn (indicatif's braille spinner glyphs).
fn drew_progress(out: &str) -> bool {
    out.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c))
}

/// Asserts the bar measured the job with `expected` (the percent range a
/// drawing's time and frame stand for): no drawing ahead of it, the last
/// drawing of each report within it (the message is set before the
/// position, so a redraw in between may lag, never lead); that it got
/// somewhere between 0 and 100 %, and never promised "ETA 0s".
fn assert_measured(out: &str, expected: impl Fn(&Drawn) -> std::ops::RangeInclusive<u32>) {
    let states = bar_states(out);
    assert!(
        states.iter().any(|d| d.percent > 0 && d.percent < 100),
        "no bar between 0 and 100 %:\n{out}"
    );
    // (100 % is drawn only if a redraw comes before the bar is cleared.)
    for (i, d) in states.iter().enumerate() {
        if d.percent == 100 {
            continue;
        }
        let range = expected(d);
        assert!(
            d.percent <= *range.end(),
            "{d:?} is ahead of {range:?}:\n{out}"
        );
        // The final report's position may never be drawn: the bar is
        // cleared as the job ends.
        let last_of_report = states
            .get(i + 1)
            .is_some_and(|next| (next.secs, next.frame) != (d.secs, d.frame));
        if last_of_report {
            assert!(
                range.contains(&d.percent),
                "{d:?} is not in {range:?}:\n{out}"
            );
        }
    }
    assert!(!out.contains("ETA 0s"), "{out}");
}

/// The range for a span of `span` seconds.
fn of_seconds(span: u32) -> impl Fn(&Drawn) -> std::ops::RangeInclusive<u32> {
    // Shown percents are rounded.
    move |d| d.secs * 100 / span..=((d.secs + 1) * 100).div_ceil(span)
}

#[test]
fn seek_makes_the_span_the_rest_of_the_input() {
    let dir = tempfile::tempdir().unwrap();
    twenty_seconds(dir.path());
    let out = on_tty(
        dir.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            // FFmpeg reports every 0.5 s by default; a fast run finishes
            // these 6 s in less, with no report between 0 and 100 %. (Far
            // more often, and a report may come before the bar has drawn
            // the last one's position.)
            "-stats_period",
            "0.25",
            "-ss",
            "14",
            "-i",
            "in.mp4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "out.mp4",
        ],
    );
    // 6 s of output: 50 % at 3 s, not 15 %.
    assert_measured(&out, of_seconds(6));
    // The log came while the job ran, before the bar's last drawing.
    let mapping = out.find("Stream mapping:").expect("the log was shown");
    let last_bar = out.rfind("% time").expect("a bar was drawn");
    assert!(mapping < last_bar, "{out}");
    // FFmpeg's own status line is replaced, its final summary kept.
    assert!(out.contains("Lsize="), "{out}");
    // (Its periodic lines say " size=", the final one "Lsize=".)
    assert!(!out.contains(" size="), "{out}");
}

#[test]
fn quiet_log_with_stats_still_knows_the_total() {
    let dir = tempfile::tempdir().unwrap();
    twenty_seconds(dir.path());
    let out = on_tty(
        dir.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-stats",
            "-i",
            "in.mp4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "out.mp4",
        ],
    );
    // No "Duration:" line to read: the total came from probing the input.
    assert!(!out.contains("Duration:"), "{out}");
    assert_measured(&out, of_seconds(20));
}

#[test]
fn nothing_is_drawn_where_native_ffmpeg_shows_no_status_line() {
    let dir = tempfile::tempdir().unwrap();
    twenty_seconds(dir.path());
    let base = [
        "-hide_banner",
        "-i",
        "in.mp4",
        "-t",
        "3",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-y",
        "out.mp4",
    ];
    for quiet in [&["-loglevel", "error"][..], &["-v", "quiet"], &["-nostats"]] {
        let args: Vec<&str> = ["ffmpeg"]
            .iter()
            .chain(quiet)
            .chain(&base)
            .copied()
            .collect();
        let out = on_tty(dir.path(), &args);
        assert!(!drew_progress(&out), "{quiet:?}:\n{out}");
        assert!(bar_states(&out).is_empty(), "{quiet:?}:\n{out}");
        if quiet == ["-nostats"] {
            // The log still streams; only the status line is off.
            assert!(out.contains("Stream mapping:"), "{out}");
        } else {
            assert_eq!(out.trim(), "", "{quiet:?}");
        }
    }
}

#[test]
fn unknown_duration_is_a_spinner() {
    let dir = tempfile::tempdir().unwrap();
    let out = on_tty(
        dir.path(),
        &lavfi_x264_job("testsrc=duration=4:size=160x120:rate=10", &[]),
    );
    assert!(drew_progress(&out), "{out}");
    assert!(
        out.contains("time 00:00:0"),
        "the spinner shows the output time:\n{out}"
    );
    assert!(
        bar_states(&out).is_empty(),
        "no percentage without a total:\n{out}"
    );
    assert!(!out.contains("ETA"), "{out}");
}

#[test]
fn a_frame_limit_is_a_total() {
    let dir = tempfile::tempdir().unwrap();
    let out = on_tty(
        dir.path(),
        &lavfi_x264_job("testsrc=size=160x120:rate=10", &["-frames:v", "40"]),
    );
    // 40 frames, whatever the time: frame 10 is 25 %.
    assert_measured(&out, |d| {
        let percent = d.frame * 100 / 40;
        percent.saturating_sub(1)..=(d.frame * 100).div_ceil(40)
    });
}

#[test]
fn batch_rows_say_queued_and_done_without_an_estimate() {
    let dir = tempfile::tempdir().unwrap();
    twenty_seconds(dir.path());
    let job = |out: &str| {
        format!(
            r#"{{ "name": "{out}", "args": ["-stats_period", "0.05", "-i", "in.mp4", "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "{out}"] }}"#
        )
    };
    std::fs::write(
        dir.path().join("jobs.json"),
        format!(r#"{{ "jobs": [ {}, {} ] }}"#, job("a.mp4"), job("b.mp4")),
    )
    .unwrap();
    // One at a time: the second job waits, queued.
    let out = on_tty(dir.path(), &["batch", "-j", "1", "jobs.json"]);
    assert!(out.contains("b.mp4   queued"), "{out}");
    assert!(!out.contains("ETA 0s"), "{out}");
    assert!(
        !out.contains("queued ETA") && !out.contains("ok ETA"),
        "{out}"
    );
    // Each job was measured against its own 4 s (rows are redrawn in any
    // order, so only "never ahead" holds for every drawing).
    let states = bar_states(&out);
    assert!(
        states.iter().any(|d| d.percent > 0 && d.percent < 100),
        "{out}"
    );
    for d in states {
        assert!(
            d.percent <= *of_seconds(4)(&d).end() || d.percent == 100,
            "{d:?}:\n{out}"
        );
    }
    assert!(out.contains("2 jobs: 2 ok, 0 failed"), "{out}");
}

/// afmpeg's own diagnostics (`-v`) are coloured on a terminal, never with
/// `NO_COLOR` set.
#[test]
fn no_color_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = ["-v", "ffmpeg"].into_iter().chain(QUIET_NULL_JOB).collect();
    let coloured = on_tty_with(dir.path(), &args, &[]);
    assert!(coloured.contains("module loaded"), "{coloured}");
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    let plain = on_tty_with(dir.path(), &args, &[("NO_COLOR", "1")]);
    assert!(plain.contains("INFO module loaded"), "{plain}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
}
