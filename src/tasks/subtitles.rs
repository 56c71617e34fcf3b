//! Convert subtitles between formats, or into an MP4 as a `mov_text` track.

use super::base;
use super::task::produces_one_file;
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile};
use crate::error::Result;

/// The subtitle format [`ConvertSubtitles`] writes.
///
/// ```
/// use afmpeg::tasks::SubtitleFormat;
/// assert_eq!(SubtitleFormat::WebVtt.codec(), "webvtt");
/// assert_eq!(SubtitleFormat::MovText.muxer(), "mp4");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubtitleFormat {
    /// SubRip (`.srt`).
    Srt,
    /// WebVTT (`.vtt`), for HTML5 `<track>` and HLS.
    WebVtt,
    /// Advanced SubStation Alpha (`.ass`).
    Ass,
    /// `mov_text` (3GPP timed text) inside an MP4 — the only text
    /// subtitle codec MP4 players read.
    MovText,
}

impl SubtitleFormat {
    /// The FFmpeg encoder.
    ///
    /// ```
    /// use afmpeg::tasks::SubtitleFormat;
    /// assert_eq!(SubtitleFormat::MovText.codec(), "mov_text");
    /// ```
    pub const fn codec(self) -> &'static str {
        match self {
            SubtitleFormat::Srt => "srt",
            SubtitleFormat::WebVtt => "webvtt",
            SubtitleFormat::Ass => "ass",
            SubtitleFormat::MovText => "mov_text",
        }
    }

    /// The FFmpeg muxer.
    ///
    /// ```
    /// use afmpeg::tasks::SubtitleFormat;
    /// assert_eq!(SubtitleFormat::Srt.muxer(), "srt");
    /// ```
    pub const fn muxer(self) -> &'static str {
        match self {
            SubtitleFormat::Srt => "srt",
            SubtitleFormat::WebVtt => "webvtt",
            SubtitleFormat::Ass => "ass",
            SubtitleFormat::MovText => "mp4",
        }
    }
}

/// Converts the subtitles of `input` (an `.srt`, `.vtt`, `.ass` file, or any
/// file with a text subtitle stream) to `format`.
///
/// With [`SubtitleFormat::MovText`] the output is an MP4; give
/// [`with_video`](ConvertSubtitles::with_video) to put the subtitles next to
/// the (stream-copied) video and audio of another file.
///
/// ```no_run
/// use afmpeg::tasks::{ConvertSubtitles, SubtitleFormat, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// fs.write("/subs.srt", "1\n00:00:00,500 --> 00:00:01,500\nHello\n")?;
/// ConvertSubtitles::new("/subs.srt", "/subs.vtt", SubtitleFormat::WebVtt).run(&rt, &fs)?;
/// ConvertSubtitles::new("/subs.srt", "/movie-subbed.mp4", SubtitleFormat::MovText)
///     .with_video("/movie.mp4")
///     .language("eng")
///     .run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertSubtitles {
    input: String,
    output: String,
    format: SubtitleFormat,
    video: Option<String>,
    language: Option<String>,
}

impl ConvertSubtitles {
    /// Convert the first subtitle stream of `input` to `format`.
    ///
    /// ```
    /// use afmpeg::tasks::{ConvertSubtitles, SubtitleFormat};
    /// let args = ConvertSubtitles::new("/subs.srt", "/subs.vtt", SubtitleFormat::WebVtt).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:s:0"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-c:s", "webvtt"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(
        input: impl Into<String>,
        output: impl Into<String>,
        format: SubtitleFormat,
    ) -> ConvertSubtitles {
        ConvertSubtitles {
            input: input.into(),
            output: output.into(),
            format,
            video: None,
            language: None,
        }
    }

    /// With [`SubtitleFormat::MovText`]: also copy the video and audio of
    /// `path` into the output.
    ///
    /// ```
    /// use afmpeg::tasks::{ConvertSubtitles, SubtitleFormat};
    /// let args = ConvertSubtitles::new("/subs.srt", "/out.mp4", SubtitleFormat::MovText)
    ///     .with_video("/movie.mp4")
    ///     .command()?
    ///     .args()?;
    /// assert!(args.windows(2).any(|w| w == ["-i", "/movie.mp4"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "1:s:0"]), "{args:?}");
    /// // Only an MP4 can carry the video too.
    /// let vtt = ConvertSubtitles::new("/subs.srt", "/subs.vtt", SubtitleFormat::WebVtt).with_video("/movie.mp4");
    /// assert!(vtt.command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn with_video(mut self, path: impl Into<String>) -> ConvertSubtitles {
        self.video = Some(path.into());
        self
    }

    /// Tag the subtitle stream with an ISO 639-2 language (`eng`, `fra`…).
    ///
    /// ```
    /// use afmpeg::tasks::{ConvertSubtitles, SubtitleFormat};
    /// let args = ConvertSubtitles::new("/subs.srt", "/subs.vtt", SubtitleFormat::WebVtt).language("fra").command()?.args()?;
    /// assert!(args.iter().any(|a| a == "language=fra"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn language(mut self, language: impl Into<String>) -> ConvertSubtitles {
        self.language = Some(language.into());
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::{ConvertSubtitles, SubtitleFormat};
    /// let args = ConvertSubtitles::new("/subs.vtt", "/subs.ass", SubtitleFormat::Ass).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "ass"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/subs.ass"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        let mut cmd = base(LogLevel::Warning);
        let mut out = OutputFile::path(&self.output);
        let subs = match (&self.video, self.format) {
            (Some(video), SubtitleFormat::MovText) => {
                cmd = cmd.input(InputFile::path(video));
                out = out
                    .map("0:v?")
                    .map("0:a?")
                    .video_codec("copy")
                    .audio_codec("copy");
                1
            }
            (Some(video), _) => {
                return Err(CommandError::InvalidArgument {
                    option: "with_video".into(),
                    value: video.clone(),
                    reason: "only SubtitleFormat::MovText can carry video",
                })
            }
            (None, _) => 0,
        };
        cmd = cmd.input(InputFile::path(&self.input));
        out = out
            .map(format!("{subs}:s:0"))
            .subtitle_codec(self.format.codec())
            .format(self.format.muxer());
        if let Some(lang) = &self.language {
            out = out.stream_metadata("s:0", "language", lang);
        }
        let cmd = cmd.output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

produces_one_file!(ConvertSubtitles);
