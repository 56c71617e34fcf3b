//! The vocabulary of a command: why one is refused ([`CommandError`],
//! naming files by [`FileIndex`]) and the values it is made of ([`Time`],
//! [`SeekMode`], [`StreamType`], [`LogLevel`], [`FrameRate`]).
//!
//! One module because the two depend on each other: the error's variants
//! carry times and stream kinds, and a time's fallible constructors return
//! the error.

use std::fmt;
use std::time::Duration;

/// Why a [`Command`](crate::command::Command) (or a [`Time`], or a [`ConcatList`](crate::command::ConcatList)) was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The command has no input and no `-filter_complex` graph (which could
    /// have generated its streams).
    #[error("the command has no input (add an Input, or a -filter_complex graph with a source)")]
    NoInputs,
    /// The command has no output.
    #[error("the command has no output")]
    NoOutputs,
    /// A string argument cannot be passed to FFmpeg as it is.
    #[error("invalid value {value:?} for {option}: {reason}")]
    InvalidArgument {
        /// The option (or `"input"`, `"output"` for paths) the value was for.
        option: String,
        /// The offending value (the message shows it quoted and escaped).
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A time was negative.
    #[error("time {seconds} s is negative")]
    NegativeTime {
        /// The value given, in seconds.
        seconds: f64,
    },
    /// A time was NaN or infinite.
    #[error("time {seconds} s is not a finite number")]
    NonFiniteTime {
        /// The value given, in seconds.
        seconds: f64,
    },
    /// A time does not fit in 64 bits of microseconds (about 584,000 years).
    #[error("time of {seconds} s is out of range")]
    TimeOutOfRange {
        /// The value given, in seconds.
        seconds: f64,
    },
    /// Both a duration (`-t`) and an end time (`-to`) were set on the same
    /// input or output; FFmpeg would silently ignore `-to`.
    #[error("{target} has both a duration (-t) and an end time (-to); set only one")]
    DurationAndEnd {
        /// The input or output.
        target: FileIndex,
    },
    /// The end time (`-to`) is not after the seek point (`-ss`).
    #[error("{target}: end time {end} (-to) is not after the seek point {seek} (-ss)")]
    EndNotAfterSeek {
        /// The input or output.
        target: FileIndex,
        /// The seek point.
        seek: Time,
        /// The end time.
        end: Time,
    },
    /// An output stream-copies video or audio from an input that was seeked
    /// with [`SeekMode::Accurate`]: packets cannot be cut between keyframes,
    /// so the accuracy asked for cannot be delivered.
    #[error("output #{output} stream-copies {kind} from input #{input}, which is seeked with SeekMode::Accurate; stream copy can only cut at keyframes (use SeekMode::Fast, or re-encode)")]
    StreamCopyWithAccurateSeek {
        /// The output index.
        output: usize,
        /// The input index.
        input: usize,
        /// The copied stream kind.
        kind: StreamType,
    },
    /// The output would contain no stream at all.
    #[error("output #{output} has no stream: {reason}")]
    OutputWithoutStreams {
        /// The output index.
        output: usize,
        /// Why: every kind disabled, an empty map list, only negative maps.
        reason: &'static str,
    },
    /// `-crf` outside 0..=51 (the x264/x265 range for 8-bit video).
    #[error("output #{output}: CRF {crf} is out of range 0..=51")]
    CrfOutOfRange {
        /// The output index.
        output: usize,
        /// The value given.
        crf: u8,
    },
    /// Both `-crf` and a video bitrate `-b:v` were set: two rate controls.
    #[error("output #{output} sets both -crf and -b:v; choose one rate control")]
    CrfWithVideoBitrate {
        /// The output index.
        output: usize,
    },
    /// An option for a stream kind the output disables (`-vn`/`-an`/`-sn`).
    #[error("output #{output} disables {kind} but sets {option}")]
    StreamDisabled {
        /// The output index.
        output: usize,
        /// The disabled kind.
        kind: StreamType,
        /// The option that would be ignored.
        option: &'static str,
    },
    /// An encoding or filtering option for a stream kind that is copied.
    #[error("output #{output} stream-copies {kind} but sets {option}, which needs re-encoding")]
    EncodingWithStreamCopy {
        /// The output index.
        output: usize,
        /// The copied kind.
        kind: StreamType,
        /// The option that cannot apply.
        option: &'static str,
    },
    /// `-vf`/`-af` on an output whose streams of that kind (may) come from
    /// `-filter_complex`; FFmpeg refuses both on one stream. See
    /// [`Command::validate`](crate::command::Command::validate) for the exact rule.
    #[error("output #{output} sets {option} but takes {kind} from -filter_complex; put that filter into the complex graph")]
    ConflictingFilters {
        /// The output index.
        output: usize,
        /// `-vf` or `-af`.
        option: &'static str,
        /// The stream kind in conflict.
        kind: StreamType,
    },
    /// A `-map` names a filter graph label, but the command has no
    /// `-filter_complex`.
    #[error(
        "output #{output} maps the graph label [{label}] but the command has no -filter_complex"
    )]
    LabelWithoutFilterGraph {
        /// The output index.
        output: usize,
        /// The label, without brackets.
        label: String,
    },
    /// An option refers to an input index that does not exist.
    #[error("output #{output}: {option} refers to input #{index}, but the command has {inputs} input(s)")]
    InputIndexOutOfRange {
        /// The output index.
        output: usize,
        /// The option (`-map`, `-map_metadata`, `-map_chapters`).
        option: &'static str,
        /// The index given.
        index: usize,
        /// How many inputs there are.
        inputs: usize,
    },
}

/// [`CommandError::InvalidArgument`] for `value` of `option`.
pub(super) fn invalid(option: &str, value: &str, reason: &'static str) -> CommandError {
    CommandError::InvalidArgument {
        option: option.to_owned(),
        value: value.to_owned(),
        reason,
    }
}

/// An input or an output of a [`Command`](crate::command::Command), by index, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileIndex {
    /// The input with this index (as in `-map N:…`).
    Input(usize),
    /// The output with this index.
    Output(usize),
}

impl fmt::Display for FileIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileIndex::Input(i) => write!(f, "input #{i}"),
            FileIndex::Output(i) => write!(f, "output #{i}"),
        }
    }
}

/// A point in time or a length, in whole microseconds, never negative.
///
/// Rendered as seconds with six decimals (`12.500000`), which FFmpeg's time
/// parser accepts everywhere a time is expected.
///
/// ```
/// use afmpeg::command::Time;
/// use std::time::Duration;
///
/// assert_eq!(Time::from_secs(90), Time::from_millis(90_000));
/// assert_eq!(Time::from_secs_f64(1.25)?.as_micros(), 1_250_000);
/// assert_eq!(Time::try_from(Duration::from_millis(500))?.as_secs_f64(), 0.5);
/// assert!(Time::from_secs_f64(-1.0).is_err());
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time {
    pub(super) micros: u64,
}

impl Time {
    /// Zero seconds.
    pub const ZERO: Time = Time { micros: 0 };

    /// From seconds with a fractional part, rounded to the nearest
    /// microsecond. Refuses negative, NaN and infinite values, and values
    /// beyond 64 bits of microseconds.
    pub fn from_secs_f64(seconds: f64) -> Result<Time, CommandError> {
        if !seconds.is_finite() {
            return Err(CommandError::NonFiniteTime { seconds });
        }
        if seconds < 0.0 {
            return Err(CommandError::NegativeTime { seconds });
        }
        let micros = (seconds * 1e6).round();
        // 2^64 is exactly representable; anything at or above it overflows.
        if micros >= 18_446_744_073_709_551_616.0 {
            return Err(CommandError::TimeOutOfRange { seconds });
        }
        Ok(Time {
            micros: micros as u64,
        })
    }

    /// From whole seconds.
    pub const fn from_secs(seconds: u32) -> Time {
        Time {
            micros: seconds as u64 * 1_000_000,
        }
    }

    /// From milliseconds.
    pub const fn from_millis(millis: u64) -> Time {
        Time {
            micros: millis.saturating_mul(1_000),
        }
    }

    /// From microseconds.
    pub const fn from_micros(micros: u64) -> Time {
        Time { micros }
    }

    /// The time in microseconds.
    pub const fn as_micros(self) -> u64 {
        self.micros
    }

    /// The time in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.micros as f64 / 1e6
    }
}

impl TryFrom<Duration> for Time {
    type Error = CommandError;

    /// Refuses durations beyond 64 bits of microseconds.
    fn try_from(d: Duration) -> Result<Time, CommandError> {
        u64::try_from(d.as_micros())
            .map(Time::from_micros)
            .map_err(|_| CommandError::TimeOutOfRange {
                seconds: d.as_secs_f64(),
            })
    }
}

impl From<Time> for Duration {
    fn from(t: Time) -> Duration {
        Duration::from_micros(t.micros)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:06}",
            self.micros / 1_000_000,
            self.micros % 1_000_000
        )
    }
}

/// How an input seek (`-ss` before `-i`) treats the frames between the
/// keyframe the demuxer lands on and the requested time.
///
/// `-ss` placed before `-i` makes the demuxer jump to the last keyframe at
/// or before the time — cheap, whatever the position. What happens next is
/// FFmpeg's `-accurate_seek` input flag, and both modes render it
/// explicitly so the result never depends on FFmpeg's default (which is
/// "accurate"):
///
/// * [`Fast`](SeekMode::Fast): `-ss T -noaccurate_seek -i IN`. Output starts
///   at that keyframe, possibly before `T`. Stream copy always behaves like
///   this, since packets cannot be cut between keyframes.
/// * [`Accurate`](SeekMode::Accurate): `-ss T -accurate_seek -i IN`. The
///   decoded frames before `T` are decoded and dropped, so the output starts
///   exactly at `T` (frame accurate). This is the FFmpeg-correct way to get
///   accuracy: an *output* `-ss` (after `-i`, see [`OutputFile::seek`](crate::command::OutputFile::seek)) is
///   accurate too, but decodes everything from the start of the file. It
///   needs re-encoding, so [`Command::validate`](crate::command::Command::validate) refuses it together with
///   video or audio stream copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeekMode {
    /// Keyframe-aligned; the output may start slightly before the time.
    Fast,
    /// Frame-accurate; needs decoding (not possible with stream copy).
    Accurate,
}

/// A kind of elementary stream, as in FFmpeg stream specifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StreamType {
    /// `v`
    Video,
    /// `a`
    Audio,
    /// `s`
    Subtitle,
    /// `d`
    Data,
}

impl StreamType {
    /// The stream specifier letter: `v`, `a`, `s` or `d`.
    pub const fn specifier(self) -> &'static str {
        match self {
            StreamType::Video => "v",
            StreamType::Audio => "a",
            StreamType::Subtitle => "s",
            StreamType::Data => "d",
        }
    }
}

impl fmt::Display for StreamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StreamType::Video => "video",
            StreamType::Audio => "audio",
            StreamType::Subtitle => "subtitles",
            StreamType::Data => "data",
        })
    }
}

/// FFmpeg's `-loglevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogLevel {
    /// `quiet`: nothing.
    Quiet,
    /// `panic`
    Panic,
    /// `fatal`
    Fatal,
    /// `error`
    Error,
    /// `warning`
    Warning,
    /// `info` (FFmpeg's default)
    Info,
    /// `verbose`
    Verbose,
    /// `debug`
    Debug,
    /// `trace`
    Trace,
}

impl LogLevel {
    /// The name FFmpeg expects.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogLevel::Quiet => "quiet",
            LogLevel::Panic => "panic",
            LogLevel::Fatal => "fatal",
            LogLevel::Error => "error",
            LogLevel::Warning => "warning",
            LogLevel::Info => "info",
            LogLevel::Verbose => "verbose",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// A frame rate as a fraction, `num/den` frames per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameRate {
    pub(super) num: u32,
    pub(super) den: u32,
}

impl FrameRate {
    /// `num/den` fps, e.g. `FrameRate::new(30000, 1001)` for NTSC. Both must
    /// be non-zero (checked by [`Command::validate`](crate::command::Command::validate)).
    pub const fn new(num: u32, den: u32) -> FrameRate {
        FrameRate { num, den }
    }

    pub(super) fn render(self, option: &str) -> Result<String, CommandError> {
        if self.num == 0 || self.den == 0 {
            return Err(invalid(
                option,
                &format!("{}/{}", self.num, self.den),
                "frame rate numerator and denominator must be non-zero",
            ));
        }
        Ok(if self.den == 1 {
            self.num.to_string()
        } else {
            format!("{}/{}", self.num, self.den)
        })
    }
}

impl From<u32> for FrameRate {
    fn from(fps: u32) -> FrameRate {
        FrameRate::new(fps, 1)
    }
}
