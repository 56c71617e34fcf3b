//! Packaging for streaming: HLS (playlist + segments) and plain segments.

use super::quality::{quality_setters, Quality};
use super::Task;
use super::{base, ensure_dir, execute, join, missing, parent, stem};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, Time};
use crate::error::Result;
use crate::job::{self, RunOptions};
use crate::{Filesystem, Runtime};

/// What an [`Hls`] run wrote.
///
/// ```
/// use afmpeg::tasks::HlsOutput;
/// use afmpeg::Filesystem;
///
/// # fn main() -> afmpeg::Result<()> {
/// let fs = Filesystem::new();
/// fs.write("/index.m3u8", "#EXTM3U\n#EXTINF:6.0,\nindex_000.ts\n#EXTINF:2.5,\nindex_001.ts\n#EXT-X-ENDLIST\n")?;
/// let hls = HlsOutput::read(&fs, "/index.m3u8")?;
/// assert_eq!(hls.playlist, "/index.m3u8");
/// assert_eq!(hls.segments.len(), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HlsOutput {
    /// The media playlist (`.m3u8`).
    pub playlist: String,
    /// The segments, in playlist order, as in-memory paths.
    pub segments: Vec<String>,
}

impl HlsOutput {
    /// Reads the segment URIs of the playlist at `playlist` (lines that are
    /// neither empty nor `#` tags), resolved against its directory.
    ///
    /// ```
    /// use afmpeg::tasks::HlsOutput;
    /// use afmpeg::Filesystem;
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let fs = Filesystem::new();
    /// fs.write("/index.m3u8", "#EXTM3U\n#EXTINF:6.0,\nindex_000.ts\n#EXTINF:2.5,\nindex_001.ts\n#EXT-X-ENDLIST\n")?;
    /// let hls = HlsOutput::read(&fs, "/index.m3u8")?;
    /// assert_eq!(hls.segments, ["/index_000.ts", "/index_001.ts"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn read(fs: &Filesystem, playlist: &str) -> Result<HlsOutput> {
        let text = String::from_utf8_lossy(&fs.read(playlist)?).into_owned();
        let dir = parent(playlist);
        let segments = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|uri| {
                if uri.starts_with('/') {
                    uri.to_owned()
                } else {
                    join(dir, uri)
                }
            })
            .collect();
        Ok(HlsOutput {
            playlist: playlist.to_owned(),
            segments,
        })
    }
}

/// Encoding settings shared by [`Hls`], [`Segment`] and
/// [`Dash`](super::Dash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Encoding {
    pub(super) copy: bool,
    pub(super) video_codec: String,
    pub(super) audio_codec: String,
    pub(super) quality: Quality,
}

impl Default for Encoding {
    fn default() -> Self {
        Encoding {
            copy: false,
            video_codec: "libx264".into(),
            audio_codec: "aac".into(),
            quality: Quality::default(),
        }
    }
}

impl Encoding {
    /// Codecs and, when re-encoding, keyframes forced on segment boundaries
    /// (a segment can only start on a keyframe).
    pub(super) fn apply(&self, mut out: OutputFile, segment: Time) -> OutputFile {
        out = out.map("0:v?").map("0:a?");
        if self.copy {
            return out.copy();
        }
        out = out
            .video_codec(&self.video_codec)
            .audio_codec(&self.audio_codec)
            .option(
                "force_key_frames",
                format!("expr:gte(t,n_forced*{})", segment),
            );
        if self.video_codec == "libx264" {
            out = out.option("pix_fmt", "yuv420p");
        }
        self.quality.apply(out)
    }
}

/// The re-encoding setters of a packaging helper with an `encoding:`
/// [`Encoding`] field (`copy`, `video_codec`, `audio_codec`, `crf`,
/// `preset`), written once; `$copy` documents what stream copy needs.
macro_rules! encoding_setters {
    ($task:ident, $copy:literal) => {
        impl $task {
            #[doc = concat!("Stream-copy instead of re-encoding (", $copy, ").")]
            ///
            /// ```
            #[doc = concat!("let pkg = afmpeg::tasks::", stringify!($task), "::new(\"/in.mp4\", \"/pkg/index\").copy();")]
            /// let args = pkg.command()?.args()?;
            /// assert!(args.windows(2).any(|w| w == ["-c", "copy"]), "{args:?}");
            /// assert!(!args.iter().any(|a| a == "libx264"), "{args:?}");
            /// # Ok::<(), afmpeg::command::CommandError>(())
            /// ```
            pub fn copy(mut self) -> $task {
                self.encoding.copy = true;
                self
            }

            /// Video encoder when re-encoding (default `libx264`).
            ///
            /// ```
            #[doc = concat!("let pkg = afmpeg::tasks::", stringify!($task), "::new(\"/in.mp4\", \"/pkg/index\").video_codec(\"mpeg4\");")]
            /// let args = pkg.command()?.args()?;
            /// assert!(args.windows(2).any(|w| w == ["-c:v", "mpeg4"]), "{args:?}");
            /// # Ok::<(), afmpeg::command::CommandError>(())
            /// ```
            pub fn video_codec(mut self, codec: impl Into<String>) -> $task {
                self.encoding.video_codec = codec.into();
                self
            }

            /// Audio encoder when re-encoding (default `aac`).
            ///
            /// ```
            #[doc = concat!("let pkg = afmpeg::tasks::", stringify!($task), "::new(\"/in.mp4\", \"/pkg/index\").audio_codec(\"libopus\");")]
            /// let args = pkg.command()?.args()?;
            /// assert!(args.windows(2).any(|w| w == ["-c:a", "libopus"]), "{args:?}");
            /// # Ok::<(), afmpeg::command::CommandError>(())
            /// ```
            pub fn audio_codec(mut self, codec: impl Into<String>) -> $task {
                self.encoding.audio_codec = codec.into();
                self
            }
        }
        $crate::tasks::quality::quality_setters!(
            $task.encoding.quality,
            "when re-encoding",
            r#"("/in.mp4", "/pkg/index")"#
        );
    };
}
pub(super) use encoding_setters;

/// Runs the packaging command `cmd` whose index file (playlist,
/// manifest) is `index`: creates its directory first, and fails when the
/// run did not write it.
pub(super) fn execute_package(
    rt: &Runtime,
    fs: &Filesystem,
    opts: &RunOptions,
    cmd: &Command,
    index: &str,
    what: &str,
) -> Result<job::RunOutput> {
    ensure_dir(fs, parent(index))?;
    let out = execute(rt, fs, cmd, opts)?;
    if !fs.exists(index) {
        return Err(missing(&out, &format!("no {what} written")));
    }
    Ok(out)
}

pub(super) fn check_segment_time(t: Time) -> Result<(), CommandError> {
    if t.as_micros() == 0 {
        return Err(CommandError::InvalidArgument {
            option: "segment duration".into(),
            value: t.to_string(),
            reason: "must be non-zero",
        });
    }
    Ok(())
}

/// Packages `input` as a video-on-demand HLS stream: a media playlist
/// (`-f hls -hls_playlist_type vod -hls_list_size 0`) and MPEG-TS segments
/// of about [`segment_duration`](Hls::segment_duration) each.
///
/// Re-encodes to H.264/AAC by default, forcing a keyframe at every segment
/// boundary so segments have the requested length; with
/// [`copy`](Hls::copy) segments can only be cut at the input's keyframes.
/// Segments are written next to the playlist, as `{playlist stem}_NNN.ts`.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{Hls, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let hls = Hls::new("/in.mp4", "/hls/index.m3u8")
///     .segment_duration(Time::from_secs(4))
///     .run(&rt, &fs)?;
/// println!("{} segments, first {}", hls.segments.len(), hls.segments[0]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hls {
    input: String,
    playlist: String,
    segment: Time,
    segment_pattern: Option<String>,
    encoding: Encoding,
}

impl Hls {
    /// HLS of `input` with the playlist at `playlist`, 6 s segments.
    ///
    /// ```
    /// use afmpeg::tasks::Hls;
    /// let args = Hls::new("/in.mp4", "/hls/index.m3u8").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-hls_time", "6.000000"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-hls_segment_filename", "/hls/index_%03d.ts"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, playlist: impl Into<String>) -> Hls {
        Hls {
            input: input.into(),
            playlist: playlist.into(),
            segment: Time::from_secs(6),
            segment_pattern: None,
            encoding: Encoding::default(),
        }
    }

    /// Target segment length (`-hls_time`; default 6 s).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Hls;
    /// let args = Hls::new("/in.mp4", "/hls/index.m3u8").segment_duration(Time::from_secs(4)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-hls_time", "4.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn segment_duration(mut self, duration: Time) -> Hls {
        self.segment = duration;
        self
    }

    /// Segment file name pattern in the playlist's directory, with a
    /// `%d`-style number, e.g. `seg_%05d.ts` (default `{stem}_%03d.ts`).
    ///
    /// ```
    /// use afmpeg::tasks::Hls;
    /// let args = Hls::new("/in.mp4", "/hls/index.m3u8").segment_pattern("seg_%05d.ts").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-hls_segment_filename", "/hls/seg_%05d.ts"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn segment_pattern(mut self, pattern: impl Into<String>) -> Hls {
        self.segment_pattern = Some(pattern.into());
        self
    }

    fn segment_path(&self) -> String {
        let name = self
            .segment_pattern
            .clone()
            .unwrap_or_else(|| format!("{}_%03d.ts", stem(&self.playlist)));
        join(parent(&self.playlist), &name)
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Hls;
    /// let args = Hls::new("/in.mp4", "/hls/index.m3u8").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-hls_playlist_type", "vod"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/hls/index.m3u8"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        check_segment_time(self.segment)?;
        let out = self
            .encoding
            .apply(OutputFile::path(&self.playlist), self.segment)
            .format("hls")
            .format_option("hls_time", self.segment.to_string())
            .format_option("hls_list_size", "0")
            .format_option("hls_playlist_type", "vod")
            .format_option("hls_segment_filename", self.segment_path());
        let cmd = base(LogLevel::Warning)
            .input(InputFile::path(&self.input))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

encoding_setters!(
    Hls,
    "the input must be H.264/AAC or other codecs MPEG-TS takes; segments cut at its keyframes"
);

impl Task for Hls {
    type Output = HlsOutput;

    /// Runs the task with `opts`; returns the playlist and its segments.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<HlsOutput> {
        let out = execute_package(rt, fs, opts, &self.command()?, &self.playlist, "playlist")?;
        let hls = HlsOutput::read(fs, &self.playlist)?;
        if let Some(absent) = hls.segments.iter().find(|s| !fs.exists(s)) {
            return Err(missing(
                &out,
                &format!("the playlist names {absent}, which was not written"),
            ));
        }
        Ok(hls)
    }
}

/// Splits `input` into files of about
/// [`segment_duration`](Segment::segment_duration) each with the `segment`
/// muxer (`-reset_timestamps 1`, so each file starts at 0), and returns
/// their paths in order (read from the muxer's own segment list).
///
/// `pattern` is an output path with a `%d`-style number, e.g.
/// `/parts/part_%03d.mp4`; its extension picks the container. Re-encodes
/// with keyframes at the boundaries by default; see [`copy`](Segment::copy).
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{Segment, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let parts = Segment::new("/in.mp4", "/parts/part_%03d.mp4")
///     .segment_duration(Time::from_secs(60))
///     .copy()
///     .run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    input: String,
    pattern: String,
    segment: Time,
    encoding: Encoding,
}

impl Segment {
    /// Segments of `input` named by `pattern`, 10 s each by default.
    ///
    /// ```
    /// use afmpeg::tasks::Segment;
    /// let args = Segment::new("/in.mp4", "/parts/part_%03d.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "segment"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-segment_time", "10.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, pattern: impl Into<String>) -> Segment {
        Segment {
            input: input.into(),
            pattern: pattern.into(),
            segment: Time::from_secs(10),
            encoding: Encoding::default(),
        }
    }

    /// Target segment length (`-segment_time`).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Segment;
    /// let args = Segment::new("/in.mp4", "/parts/part_%03d.mp4").segment_duration(Time::from_secs(60)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-segment_time", "60.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn segment_duration(mut self, duration: Time) -> Segment {
        self.segment = duration;
        self
    }

    /// Stream-copy instead of re-encoding (cuts at the input's keyframes).
    ///
    /// ```
    /// use afmpeg::tasks::Segment;
    /// let args = Segment::new("/in.mp4", "/parts/part_%03d.mp4").copy().command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c", "copy"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn copy(mut self) -> Segment {
        self.encoding.copy = true;
        self
    }

    fn list_path(&self) -> String {
        join(
            parent(&self.pattern),
            &format!(".{}.segments", stem(&self.pattern).replace('%', "")),
        )
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Segment;
    /// let args = Segment::new("/in.mp4", "/parts/part_%03d.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-segment_format", "mp4"]), "{args:?}");
    /// // The pattern needs a number.
    /// assert!(Segment::new("/in.mp4", "/parts/part.mp4").command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        check_segment_time(self.segment)?;
        if !self.pattern.contains('%') {
            return Err(CommandError::InvalidArgument {
                option: "segment pattern".into(),
                value: self.pattern.clone(),
                reason: "needs a %d-style number, e.g. part_%03d.mp4",
            });
        }
        let mut out = self
            .encoding
            .apply(OutputFile::path(&self.pattern), self.segment)
            .format("segment")
            .format_option("segment_time", self.segment.to_string())
            .format_option("reset_timestamps", "1")
            .format_option("segment_list", self.list_path())
            .format_option("segment_list_type", "flat");
        if let Some(ext) = super::extension(&self.pattern) {
            if matches!(ext.as_str(), "mp4" | "m4v" | "mov") {
                out = out.format_option("segment_format", "mp4");
            }
        }
        let cmd = base(LogLevel::Warning)
            .input(InputFile::path(&self.input))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

quality_setters!(
    Segment.encoding.quality,
    "when re-encoding",
    r#"("/in.mp4", "/parts/part_%03d.mp4")"#
);

impl Task for Segment {
    type Output = Vec<String>;

    /// Runs the task with `opts`; returns the segment paths, in order.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Vec<String>> {
        let cmd = self.command()?;
        let dir = parent(&self.pattern);
        ensure_dir(fs, dir)?;
        let list = self.list_path();
        let result = execute(rt, fs, &cmd, opts);
        let text = fs.read(&list).ok();
        if text.is_some() {
            fs.remove_file(&list)?;
        }
        let out = result?;
        let paths: Vec<String> = String::from_utf8_lossy(&text.unwrap_or_default())
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|name| join(dir, name))
            .collect();
        if paths.is_empty() {
            return Err(missing(&out, "no segment written"));
        }
        Ok(paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playlist_parsing() {
        let fs = Filesystem::new();
        fs.create_dir_all("/h").unwrap();
        fs.write(
            "/h/p.m3u8",
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:1.0,\np_000.ts\n#EXTINF:1.0,\n/abs/p_001.ts\n#EXT-X-ENDLIST\n",
        )
        .unwrap();
        let hls = HlsOutput::read(&fs, "/h/p.m3u8").unwrap();
        assert_eq!(hls.segments, ["/h/p_000.ts", "/abs/p_001.ts"]);
    }

    #[test]
    fn hls_argv() {
        let args = Hls::new("/i.mp4", "/h/p.m3u8")
            .segment_duration(Time::from_secs(2))
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        assert!(
            args.contains("-force_key_frames expr:gte(t,n_forced*2.000000)"),
            "{args}"
        );
        assert!(args.contains("-hls_time 2.000000"), "{args}");
        assert!(
            args.contains("-hls_segment_filename /h/p_%03d.ts"),
            "{args}"
        );
    }
}
