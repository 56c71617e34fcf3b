//! `afmpeg probe FILE [--json | --ffprobe-json]`: what a media file contains.

use super::engine::EngineArg;
use super::guest_thread::cli_limits;
use super::host_path::{absolute, guest_path, import};
use super::report::{last_lines, report_error, with_causes, EXIT_SETUP};
use afmpeg::media_info::{MediaInfo, Stream, StreamKind};
use afmpeg::{Error, Filesystem, RunOptions, Tool};
use clap::Args;
use indicatif::{FormattedDuration, HumanBytes};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `afmpeg probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Print the typed media info as JSON (afmpeg's `MediaInfo`: format,
    /// streams, chapters) instead of a summary.
    #[arg(long, conflicts_with = "ffprobe_json")]
    pub json: bool,
    /// Print ffprobe's own JSON, unchanged but for the file name.
    #[arg(long)]
    pub ffprobe_json: bool,
    #[command(flatten)]
    pub engine: EngineArg,
    /// The media file.
    pub file: PathBuf,
}

/// Runs `afmpeg probe`; returns the process exit code.
pub fn main(args: ProbeArgs) -> i32 {
    let runtime = match args.engine.default_runtime() {
        Ok(rt) => rt,
        Err(e) => return report_error(&e),
    };
    let setup = || -> Result<(Filesystem, String), String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        let host = absolute(&cwd, &args.file);
        let guest = guest_path(&host).map_err(|e| e.to_string())?;
        let fs = Filesystem::new();
        import(&fs, &host, &guest).map_err(|e| e.to_string())?;
        Ok((fs, guest))
    };
    let (fs, guest) = match setup() {
        Ok(v) => v,
        Err(m) => {
            eprintln!("afmpeg: {m}");
            return EXIT_SETUP;
        }
    };
    let options = RunOptions::new().limits(cli_limits());
    let out = match runtime
        .run_tool(Tool::Ffprobe, &fs, &MediaInfo::probe_args(&guest), &options)
        .or_else(Error::into_exit_output)
    {
        Ok(out) => out,
        Err(e) => return report_error(&e),
    };
    let file = args.file.display().to_string();
    if !out.success() {
        let why = out.stderr_text().replace(&guest, &file);
        eprintln!("afmpeg: cannot probe {file}: {}", last_lines(&why, 1));
        return out.exit_code;
    }
    let text = if args.ffprobe_json {
        out.stdout_text().replace(&guest, &file)
    } else {
        let mut info = match MediaInfo::from_json_bytes(&out.stdout) {
            Ok(info) => info,
            Err(e) => {
                eprintln!("afmpeg: cannot probe {file}: {}", with_causes(&e));
                return 1;
            }
        };
        if args.json {
            info.format.filename = file;
            match serde_json::to_string_pretty(&info) {
                Ok(json) => json + "\n",
                Err(e) => {
                    eprintln!("afmpeg: cannot print {}: {e}", args.file.display());
                    return 1;
                }
            }
        } else {
            summary(&file, &info)
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    0
}

/// `seconds` as `HH:MM:SS.mmm`.
fn hms(seconds: f64) -> String {
    let d = Duration::from_secs_f64(seconds.max(0.0));
    format!("{}.{:03}", FormattedDuration(d), d.subsec_millis())
}

/// A frame rate without needless decimals: `25`, `29.97`.
fn fps(rate: f64) -> String {
    let s = format!("{rate:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// One line describing a stream.
fn stream_line(s: &Stream) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut codec = s
        .codec_name
        .clone()
        .unwrap_or_else(|| "unknown codec".to_owned());
    if let Some(p) = &s.profile {
        codec.push_str(&format!(" ({p})"));
    }
    parts.push(codec);
    if let (Some(w), Some(h)) = (s.width, s.height) {
        parts.push(format!("{w}x{h}"));
    }
    if let Some(p) = &s.pix_fmt {
        parts.push(p.clone());
    }
    if s.kind == StreamKind::Video {
        if let Some(r) = s.frame_rate {
            parts.push(format!("{} fps", fps(r.as_f64())));
        }
    }
    if let Some(r) = s.sample_rate {
        parts.push(format!("{r} Hz"));
    }
    if let Some(c) = s.channels {
        parts.push(format!("{c} ch"));
    }
    if let Some(l) = &s.channel_layout {
        parts.push(l.clone());
    }
    if let Some(b) = s.bit_rate {
        parts.push(format!("{:.0} kb/s", b as f64 / 1000.0));
    }
    if let Some(l) = &s.language {
        parts.push(format!("lang {l}"));
    }
    if let Some(t) = &s.title {
        parts.push(format!("\"{t}\""));
    }
    let d = &s.disposition;
    for (on, name) in [
        (d.default, "default"),
        (d.forced, "forced"),
        (d.attached_pic, "cover art"),
    ] {
        if on {
            parts.push(name.to_owned());
        }
    }
    format!("  #{} {}: {}", s.index, s.kind, parts.join(", "))
}

/// The readable summary of `afmpeg probe`.
pub fn summary(file: &str, info: &MediaInfo) -> String {
    let f = &info.format;
    let mut out = String::new();
    let _ = writeln!(out, "File:       {file}");
    match &f.format_long_name {
        Some(long) => {
            let _ = writeln!(out, "Container:  {} ({long})", f.format_name);
        }
        None => {
            let _ = writeln!(out, "Container:  {}", f.format_name);
        }
    }
    if let Some(d) = info.duration() {
        let _ = writeln!(out, "Duration:   {} ({d:.3} s)", hms(d));
    }
    if let Some(size) = f.size {
        let _ = writeln!(out, "Size:       {} ({size} bytes)", HumanBytes(size));
    }
    if let Some(b) = f.bit_rate {
        let _ = writeln!(out, "Bit rate:   {:.1} kb/s", b as f64 / 1000.0);
    }
    if let Some(t) = f.title() {
        let _ = writeln!(out, "Title:      {t}");
    }
    let _ = writeln!(out, "Streams:    {}", info.streams.len());
    for s in &info.streams {
        let _ = writeln!(out, "{}", stream_line(s));
    }
    if !info.chapters.is_empty() {
        let _ = writeln!(out, "Chapters:   {}", info.chapters.len());
        for (i, c) in info.chapters.iter().enumerate() {
            let title = c
                .title
                .as_deref()
                .map(|t| format!("  \"{t}\""))
                .unwrap_or_default();
            let _ = writeln!(out, "  #{i} {} - {}{title}", hms(c.start), hms(c.end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lists_streams() {
        let json = r#"{
          "streams": [
            { "index": 0, "codec_type": "video", "codec_name": "h264", "profile": "High",
              "width": 160, "height": 120, "pix_fmt": "yuv420p", "avg_frame_rate": "25/1",
              "disposition": { "default": 1 }, "tags": { "language": "und" } },
            { "index": 1, "codec_type": "audio", "codec_name": "aac", "sample_rate": "44100",
              "channels": 2, "channel_layout": "stereo" }
          ],
          "format": { "filename": "/host/x.mp4", "format_name": "mov,mp4", "duration": "1.500000",
                      "size": "2048", "bit_rate": "10922" }
        }"#;
        let info = MediaInfo::from_json(json).unwrap();
        let s = summary("x.mp4", &info);
        assert!(s.contains("Duration:   00:00:01.500"), "{s}");
        assert!(s.contains("Size:       2.00 KiB (2048 bytes)"), "{s}");
        assert!(
            s.contains("#0 video: h264 (High), 160x120, yuv420p, 25 fps, lang und, default"),
            "{s}"
        );
        assert!(s.contains("#1 audio: aac, 44100 Hz, 2 ch, stereo"), "{s}");
    }
}
