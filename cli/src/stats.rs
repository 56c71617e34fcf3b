//! Whether native ffmpeg would show its status line (`frame= … speed=`) for
//! a command line: afmpeg's progress display stands in for that line, so it
//! appears exactly where the line would.
//!
//! FFmpeg 5.1 (`print_report`): with `-stats` the line is printed whatever
//! the log level; by default it is logged at `info`, so `-loglevel warning`
//! or below hides it; `-nostats` turns it off (the final summary line still
//! comes, at `info`).

use crate::flags::FFMPEG_FLAGS;

/// FFmpeg's `AV_LOG_INFO`.
const INFO: i32 = 32;

/// Whether ffmpeg run with `args` shows its periodic status line.
pub fn shows_status_line(args: &[String]) -> bool {
    let mut stats: Option<bool> = None;
    let mut level = INFO;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        let Some(name) = a.strip_prefix('-').filter(|n| !n.is_empty()) else {
            continue;
        };
        match name {
            "stats" => stats = Some(true),
            "nostats" => stats = Some(false),
            _ if FFMPEG_FLAGS.contains(&name.split(':').next().unwrap_or(name)) => {}
            _ => {
                let Some(value) = args.get(i) else { break };
                i += 1;
                if matches!(name, "v" | "loglevel") {
                    if let Some(l) = log_level(value) {
                        level = l;
                    }
                }
            }
        }
    }
    stats.unwrap_or(level >= INFO)
}

/// The level of a `-loglevel` value: a name or a number, after optional
/// `+flag`/`-flag` prefixes (`repeat+level+warning`).
fn log_level(value: &str) -> Option<i32> {
    // FFmpeg reads the flags, then the level after the last `+`/`-` token.
    let level = value
        .rsplit(['+', '-'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(value);
    let named = match level {
        "quiet" => -8,
        "panic" => 0,
        "fatal" => 8,
        "error" => 16,
        "warning" => 24,
        "info" => 32,
        "verbose" => 40,
        "debug" => 48,
        "trace" => 56,
        // Only flags (`+repeat`): the level is unchanged.
        "repeat" | "level" => return None,
        number => return number.parse().ok(),
    };
    Some(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shows(args: &[&str]) -> bool {
        shows_status_line(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn status_line_as_native_ffmpeg_decides() {
        assert!(shows(&["-i", "a.mp4", "b.mp4"]));
        assert!(!shows(&["-nostats", "-i", "a.mp4", "b.mp4"]));
        assert!(!shows(&["-loglevel", "error", "-i", "a.mp4", "b.mp4"]));
        assert!(!shows(&["-v", "quiet", "-i", "a.mp4", "b.mp4"]));
        assert!(shows(&[
            "-loglevel",
            "error",
            "-stats",
            "-i",
            "a.mp4",
            "b.mp4"
        ]));
        assert!(!shows(&["-stats", "-nostats", "-i", "a.mp4", "b.mp4"]));
        assert!(shows(&["-v", "verbose", "-i", "a.mp4", "b.mp4"]));
        assert!(!shows(&[
            "-v",
            "repeat+level+warning",
            "-i",
            "a.mp4",
            "b.mp4"
        ]));
        assert!(!shows(&["-v", "16", "-i", "a.mp4", "b.mp4"]));
        assert!(shows(&["-v", "+repeat", "-i", "a.mp4", "b.mp4"]));
        // A value that looks like an option is still a value.
        assert!(shows(&["-metadata", "-nostats", "-i", "a.mp4", "b.mp4"]));
    }
}
