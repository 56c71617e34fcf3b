//! Cut a piece out of a file: fast (keyframe stream copy) or frame-accurate
//! (re-encode).

use super::quality::{quality_setters, Quality};
use super::task::produces_one_file;
use super::{base, is_mp4_like};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, SeekMode, Time};
use crate::error::Result;

/// How a [`Clip`] cuts.
///
/// ```
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{Clip, ClipMode};
/// assert_eq!(ClipMode::default(), ClipMode::Fast);
/// let exact = Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(5)).mode(ClipMode::Accurate);
/// assert!(exact.command()?.args()?.iter().any(|a| a == "libx264"));
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClipMode {
    /// Stream copy from the keyframe at or before the start: instant and
    /// lossless, but the clip may start (and so last) a little earlier than
    /// asked, up to one GOP.
    #[default]
    Fast,
    /// Decode, drop the frames before the start, re-encode: the clip starts
    /// and ends on the requested frames.
    Accurate,
}

/// Where a [`Clip`] stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    Duration(Time),
    End(Time),
    ToEnd,
}

/// Cuts `input` from `start` for a duration or up to an end time.
///
/// Renders an *input* seek (`-ss T -i IN`, see [`SeekMode`]) so that only
/// the part needed is read, and `-t`/`-to` on the input (`-to` is a position
/// in the input). [`ClipMode::Accurate`] re-encodes with `libx264`/`aac` by
/// default (see [`video_codec`](Clip::video_codec)).
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{Clip, ClipMode, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// Clip::new("/in.mp4", "/fast.mp4", Time::from_secs(60))
///     .duration(Time::from_secs(10))
///     .run(&rt, &fs)?;
/// Clip::new("/in.mp4", "/exact.mp4", Time::from_millis(61_250))
///     .end(Time::from_secs(70))
///     .mode(ClipMode::Accurate)
///     .crf(18)
///     .run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    input: String,
    output: String,
    start: Time,
    length: Length,
    mode: ClipMode,
    video_codec: String,
    audio_codec: String,
    quality: Quality,
}

impl Clip {
    /// A clip of `input` from `start` to the end of the input, in
    /// [`ClipMode::Fast`]; set a [`duration`](Clip::duration) or an
    /// [`end`](Clip::end).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{Clip, ClipMode};
    /// let args = Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(60)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-ss", "60.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, output: impl Into<String>, start: Time) -> Clip {
        Clip {
            input: input.into(),
            output: output.into(),
            start,
            length: Length::ToEnd,
            mode: ClipMode::Fast,
            video_codec: "libx264".into(),
            audio_codec: "aac".into(),
            quality: Quality::default(),
        }
    }

    /// Clip length (`-t`).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{Clip, ClipMode};
    /// let args = Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(60)).duration(Time::from_secs(10)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-t", "10.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn duration(mut self, duration: Time) -> Clip {
        self.length = Length::Duration(duration);
        self
    }

    /// End position in the input (`-to`); must be after the start.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{Clip, ClipMode};
    /// let args = Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(60)).end(Time::from_secs(70)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-to", "70.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn end(mut self, end: Time) -> Clip {
        self.length = Length::End(end);
        self
    }

    /// Fast (default) or accurate.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{Clip, ClipMode};
    /// let args = Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(60)).mode(ClipMode::Accurate).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "libx264"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-c:a", "aac"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn mode(mut self, mode: ClipMode) -> Clip {
        self.mode = mode;
        self
    }

    /// Video encoder in accurate mode (default `libx264`).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{Clip, ClipMode};
    /// let args = Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(60)).mode(ClipMode::Accurate).video_codec("mpeg4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "mpeg4"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn video_codec(mut self, codec: impl Into<String>) -> Clip {
        self.video_codec = codec.into();
        self
    }

    /// Audio encoder in accurate mode (default `aac`).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{Clip, ClipMode};
    /// let args = Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(60)).mode(ClipMode::Accurate).audio_codec("libopus").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c:a", "libopus"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn audio_codec(mut self, codec: impl Into<String>) -> Clip {
        self.audio_codec = codec.into();
        self
    }

    /// The command this task runs. Encoding settings with
    /// [`ClipMode::Fast`] are refused (they would need re-encoding).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Clip;
    /// // Encoding settings need re-encoding, which the fast mode does not do.
    /// assert!(Clip::new("/in.mp4", "/cut.mp4", Time::from_secs(60)).crf(18).command().is_err());
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        let seek_mode = match self.mode {
            ClipMode::Fast => SeekMode::Fast,
            ClipMode::Accurate => SeekMode::Accurate,
        };
        let mut input = InputFile::path(&self.input).seek(self.start, seek_mode);
        input = match self.length {
            Length::Duration(d) => input.duration(d),
            Length::End(e) => input.end(e),
            Length::ToEnd => input,
        };
        let mut out = OutputFile::path(&self.output).map("0:v?").map("0:a?");
        match self.mode {
            ClipMode::Fast => {
                // Refused by the command's validation: a copy has no
                // encoder to take them.
                out = self
                    .quality
                    .apply(out.copy().option("avoid_negative_ts", "make_zero"));
            }
            ClipMode::Accurate => {
                out = self.quality.apply(
                    out.video_codec(&self.video_codec)
                        .audio_codec(&self.audio_codec),
                );
            }
        }
        if is_mp4_like(&self.output, None) {
            out = out.format_option("movflags", "+faststart");
        }
        let cmd = base(LogLevel::Warning).input(input).output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

quality_setters!(
    Clip.quality,
    "in accurate mode",
    r#"("/in.mp4", "/cut.mp4", afmpeg::command::Time::from_secs(60)).mode(afmpeg::tasks::ClipMode::Accurate)"#
);

produces_one_file!(Clip);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_is_copy_accurate_encodes() {
        let fast = Clip::new("/i.mp4", "/o.mp4", Time::from_secs(1))
            .duration(Time::from_secs(2))
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        assert!(
            fast.contains("-ss 1.000000 -noaccurate_seek -t 2.000000 -i /i.mp4"),
            "{fast}"
        );
        assert!(fast.contains("-c copy"), "{fast}");
        let exact = Clip::new("/i.mp4", "/o.mp4", Time::from_secs(1))
            .end(Time::from_secs(3))
            .mode(ClipMode::Accurate)
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        assert!(
            exact.contains("-ss 1.000000 -accurate_seek -to 3.000000 -i"),
            "{exact}"
        );
        assert!(exact.contains("-c:v libx264 -c:a aac"), "{exact}");
        // Encoding settings in fast mode are refused.
        assert!(Clip::new("/i", "/o.mp4", Time::ZERO)
            .crf(20)
            .command()
            .is_err());
        // End before start is refused.
        assert!(Clip::new("/i", "/o.mp4", Time::from_secs(5))
            .end(Time::from_secs(4))
            .command()
            .is_err());
    }
}
