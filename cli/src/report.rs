//! Exit codes, and what the user is told when a run cannot start or does
//! not complete.

use super::refusal::Refusal;
use afmpeg::Error;

/// Exit code for a guest that did not complete: a trap, a limit, a cancellation.
pub const EXIT_ABNORMAL: i32 = 134;
/// Exit code when afmpeg itself fails before the guest runs (bad module, bad
/// `--dir`, …), distinct from any code a guest would commonly use.
pub const EXIT_SETUP: i32 = 125;

/// How many lines of FFmpeg's stderr are shown after a failure on a terminal.
pub const FAILURE_TAIL_LINES: usize = 30;

/// Keeps only what a terminal would finally show of each line that FFmpeg
/// rewrote with carriage returns (its `frame=… speed=…` status line).
pub fn collapse_carriage_returns(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let shown = body
            .trim_end_matches('\r')
            .rsplit('\r')
            .next()
            .unwrap_or(body);
        out.push_str(shown);
        out.push_str(nl);
    }
    out
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> &str {
    let trimmed = text.trim_end();
    let mut start = trimmed.len();
    for _ in 0..n {
        match trimmed[..start].rfind('\n') {
            Some(i) => start = i,
            None => return trimmed,
        }
    }
    &trimmed[start + 1..]
}

/// Reports a runtime error (trap, limit, cancellation) or a setup error;
/// returns the exit code.
pub fn report_error(e: &Error) -> i32 {
    report_run_error(e, false)
}

/// [`report_error`], without repeating the stderr tail when FFmpeg's
/// stderr was already shown live.
pub fn report_run_error(e: &Error, stderr_shown: bool) -> i32 {
    match e {
        Error::Trap { .. } | Error::Limit { .. } | Error::Cancelled { .. } | Error::Panic(_) => {
            if let Some(tail) = e.stderr_tail().filter(|t| !t.is_empty() && !stderr_shown) {
                eprintln!(
                    "{}",
                    last_lines(&collapse_carriage_returns(tail), FAILURE_TAIL_LINES)
                );
            }
            eprintln!("afmpeg: {}", with_causes(e));
            EXIT_ABNORMAL
        }
        // `--strict`: FFmpeg ran; the job failed as a failed FFmpeg run does.
        Error::UnusedOption { .. } => {
            eprintln!("afmpeg: {}", with_causes(e));
            1
        }
        _ => {
            eprintln!("afmpeg: {}", with_causes(e));
            EXIT_SETUP
        }
    }
}

/// `e`'s message followed by each of its causes: an error's message never
/// repeats its `source()` (afmpeg's errors, wasi-shim's), so the chain is
/// walked here.
pub fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Prints a refusal as one line on stderr; returns the exit code: 125 for
/// what afmpeg refuses, 1 for what FFmpeg itself would refuse.
pub fn report_refusal(r: Refusal) -> i32 {
    match r {
        Refusal::Setup(m) => {
            eprintln!("afmpeg: {m}");
            EXIT_SETUP
        }
        Refusal::Unmapped(m) => {
            eprintln!("afmpeg: cannot map {m}");
            EXIT_SETUP
        }
        Refusal::Ffmpeg(m) => {
            eprintln!("{m}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carriage_returns_collapse() {
        assert_eq!(
            collapse_carriage_returns("a\nframe=1\rframe=2\r\nb\n"),
            "a\nframe=2\nb\n"
        );
        assert_eq!(last_lines("1\n2\n3\n", 2), "2\n3");
        assert_eq!(last_lines("1\n2\n3\n", 5), "1\n2\n3");
    }
}
