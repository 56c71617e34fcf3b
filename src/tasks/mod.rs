//! Task helpers: the everyday FFmpeg jobs as small typed APIs.
//!
//! Each helper is a plain builder that renders to a validated
//! [`Command`] (see its `command()` method, handy to
//! look at the argv) and runs it through the [`Task`] trait, with
//! `run(&runtime, &fs)` or `run_with(&runtime, &fs, &options)`, over an
//! in-memory [`Filesystem`]. A
//! run whose FFmpeg exits non-zero is an [`Error::Ffmpeg`] carrying the tail
//! of FFmpeg's stderr; a command the builder refuses is an
//! [`Error::Command`] and nothing runs.
//!
//! | Task | Helper | Result |
//! |------|--------|--------|
//! | re-encode (H.264/AAC mp4, …) | [`Transcode`] | [`Produced`] |
//! | re-encode one long file on all cores | [`ChunkedTranscode`] | [`ChunkedOutput`] |
//! | change container, stream copy | [`Remux`] | [`Produced`] |
//! | cut a piece, fast or frame-accurate | [`Clip`] | [`Produced`] |
//! | audio only, as mp3/opus/aac/flac/wav | [`ExtractAudio`] | [`Produced`] |
//! | stills: timestamps, every N s, scenes, best | [`Frames`] | paths, or [`Still`]s with times |
//! | HLS packaging / plain segments | [`Hls`], [`Segment`] | [`HlsOutput`], paths |
//! | DASH packaging | [`Dash`] | [`DashOutput`] |
//! | animated GIF with its own palette | [`Gif`] | [`Produced`] |
//! | video from images: transitions, captions, music, voice | [`Slideshow`] | [`Produced`] |
//! | join files | [`Concat`] | [`Produced`] |
//! | subtitle conversion | [`ConvertSubtitles`] | [`Produced`] |
//! | tags and authored chapters | [`Metadata`] | [`Produced`] |
//! | loudness, volume, silence, black, scenes, audio stats | [`analysis`] | typed values |
//! | any filter's per-frame values and summaries | [`Measure`] | [`Measurements`] |
//!
//! ```no_run
//! use afmpeg::tasks::{FrameSelection, Frames, Task, Transcode};
//! use afmpeg::command::Time;
//! use afmpeg::{Filesystem, Runtime};
//!
//! # fn main() -> afmpeg::Result<()> {
//! let rt = Runtime::from_default_location()?;
//! let fs = Filesystem::new();
//! fs.write("/in.mkv", std::fs::read("in.mkv").unwrap())?;
//! let out = Transcode::new("/in.mkv", "/out.mp4").crf(23).run(&rt, &fs)?;
//! println!("{} bytes", out.size);
//! let stills = Frames::new("/out.mp4", "/stills")
//!     .select(FrameSelection::Every(Time::from_secs(10)))
//!     .run(&rt, &fs)?;
//! println!("{stills:?}");
//! # Ok(())
//! # }
//! ```

pub mod analysis;
pub mod audio;
pub mod chunked;
pub mod clip;
pub mod concat;
pub mod dash;
mod filter_log;
pub mod frames;
pub mod gif;
pub mod hls;
pub mod measurements;
pub mod metadata;
mod quality;
pub mod remux;
pub mod slideshow;
pub mod subtitles;
mod task;
pub mod transcode;

pub use crate::error::ChunkError;
pub use analysis::{
    AudioStats, BlackDetect, ChannelStats, Ebur128Summary, Interval, Loudness, LoudnessMethod,
    LoudnessReport, SceneScore, SceneScores, SilenceDetect, VolumeDetect, VolumeStats,
};
pub use audio::{AudioFormat, ExtractAudio};
pub use chunked::{ChunkPlan, ChunkRange, ChunkedOutput, ChunkedTranscode, PlannedJob};
pub use clip::{Clip, ClipMode};
pub use concat::{Concat, ConcatMode};
pub use dash::{Dash, DashOutput, DashRepresentation};
pub use frames::{FrameSelection, Frames, ImageFormat, Still, TIMESTAMPS_PER_RUN};
pub use gif::Gif;
pub use hls::{Hls, HlsOutput, Segment};
pub use measurements::{FrameValues, Measure, Measurements};
pub use metadata::{ChapterSpec, Metadata};
pub use remux::Remux;
pub use slideshow::{Slide, Slideshow};
pub use subtitles::{ConvertSubtitles, SubtitleFormat};
pub use task::Task;
pub use transcode::Transcode;

use crate::command::{Command, LogLevel};
use crate::error::{Error, Result};
use crate::job::{self, RunOptions};
use crate::{Filesystem, Runtime};

/// A file a task wrote into the in-memory filesystem.
///
/// ```no_run
/// use afmpeg::tasks::{Remux, Task};
/// use afmpeg::{Filesystem, Runtime};
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// rt.run(&fs, &["-f", "lavfi", "-i", "testsrc=d=1", "/in.mkv"])?;
/// let produced = Remux::new("/in.mkv", "/out.mp4").run(&rt, &fs)?;
/// assert_eq!(produced.size, fs.metadata(&produced.path)?.len);
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Produced {
    /// Its path in the in-memory filesystem.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Produced {
    /// Looks up `path` after a run; a missing (or empty) file means FFmpeg
    /// did not write what it was asked to.
    fn find(fs: &Filesystem, path: &str, out: &job::RunOutput) -> Result<Produced> {
        match fs.metadata(path) {
            Ok(meta) if meta.len > 0 => Ok(Produced {
                path: path.to_owned(),
                size: meta.len,
            }),
            _ => Err(missing(out, &format!("no output written to {path}"))),
        }
    }

    /// Probes the produced file.
    ///
    /// ```no_run
    /// use afmpeg::tasks::{Task, Transcode};
    /// use afmpeg::{Filesystem, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// rt.run(&fs, &["-f", "lavfi", "-i", "testsrc=d=1", "/in.mkv"])?;
    /// let info = Transcode::new("/in.mkv", "/out.mp4").run(&rt, &fs)?.probe(&rt, &fs)?;
    /// assert_eq!(info.video_streams().count(), 1);
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn probe(&self, rt: &Runtime, fs: &Filesystem) -> Result<crate::MediaInfo> {
        rt.probe(fs, &self.path)
    }
}

/// The start of every task command: no banner, no interactive stats, no
/// stdin, replace existing outputs, and the given log level.
fn base(level: LogLevel) -> Command {
    Command::new()
        .hide_banner()
        .loglevel(level)
        .overwrite(true)
        .stats(false)
        .global_flag("nostdin")
}

/// Runs `cmd` (a non-zero exit is [`Error::Ffmpeg`], as for every run).
fn execute(
    rt: &Runtime,
    fs: &Filesystem,
    cmd: &Command,
    opts: &RunOptions,
) -> Result<job::RunOutput> {
    rt.run_command(fs, cmd, opts)
}

/// Writes `content` to the side file `path` (a concat list, an ffmetadata
/// file) that `cmd` reads, runs it with [`execute`], and removes the side
/// file again whether or not the run succeeded.
fn execute_with_side_file(
    rt: &Runtime,
    fs: &Filesystem,
    cmd: &Command,
    opts: &RunOptions,
    path: &str,
    content: String,
) -> Result<job::RunOutput> {
    fs.write(path, content)?;
    let result = execute(rt, fs, cmd, opts);
    fs.remove_file(path)?;
    result
}

/// [`Error::Ffmpeg`] for a run that exited 0 but lacks an expected result.
fn missing(out: &job::RunOutput, what: &str) -> Error {
    Error::Ffmpeg {
        tool: job::Tool::Ffmpeg,
        exit_code: out.exit_code,
        stderr_tail: format!("{what}; stderr: {}", job::tail(&out.stderr)),
        output: Box::new(out.clone()),
    }
}

/// `dir/name`, without doubling the slash.
fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// The directory part of a path (`/` for a top-level file).
fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The file name without its directory and last extension.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// The lower-case extension of a path, if any.
fn extension(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rfind('.')
        .filter(|&i| i > 0)
        .map(|i| name[i + 1..].to_ascii_lowercase())
}

/// Whether a path names an MP4-family file (where `+faststart` applies).
fn is_mp4_like(path: &str, format: Option<&str>) -> bool {
    match format {
        Some(f) => matches!(f, "mp4" | "mov" | "ipod"),
        None => matches!(
            extension(path).as_deref(),
            Some("mp4" | "m4v" | "m4a" | "mov")
        ),
    }
}

/// Creates `dir` (and its parents) unless it exists.
fn ensure_dir(fs: &Filesystem, dir: &str) -> Result<()> {
    if dir != "/" && !fs.exists(dir) {
        fs.create_dir_all(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_helpers() {
        assert_eq!(join("/a/", "b"), "/a/b");
        assert_eq!(join("/", "b"), "/b");
        assert_eq!(parent("/a/b.m3u8"), "/a");
        assert_eq!(parent("/b.m3u8"), "/");
        assert_eq!(stem("/a/b.c.m3u8"), "b.c");
        assert_eq!(stem("/a/.hidden"), ".hidden");
        assert_eq!(extension("/a/B.MP4").as_deref(), Some("mp4"));
        assert_eq!(extension("/a/noext"), None);
        assert!(is_mp4_like("/x.mov", None));
        assert!(!is_mp4_like("/x.mp4", Some("matroska")));
    }
}
