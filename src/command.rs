//! A typed builder for `ffmpeg` command lines.
//!
//! [`Command`] collects global options, [`InputFile`]s, an optional
//! `-filter_complex` graph and [`OutputFile`]s, then renders them to the argv
//! FFmpeg expects with [`Command::args`]. Before rendering it *validates*
//! the whole command and refuses — with a [`CommandError`] naming the
//! problem — anything FFmpeg would reject, silently ignore or quietly get
//! wrong: a duration together with an end time, an end before the seek
//! point, stream copy from an accurately seeked input, an output without
//! any stream, a CRF out of range, `-vf` on a stream fed by
//! `-filter_complex`, empty paths, NUL bytes, … It never clamps or rewrites
//! a value to make it fit.
//!
//! Builder methods never fail; everything is checked at once by
//! [`Command::validate`] (which [`Command::args`] calls). The only fallible
//! constructors are those of [`Time`], which refuse negative and non-finite
//! values, and [`ConcatList::render`].
//!
//! ```
//! use afmpeg::command::{Command, InputFile, OutputFile, SeekMode, Time};
//!
//! # fn main() -> Result<(), afmpeg::command::CommandError> {
//! let cmd = Command::new()
//!     .overwrite(true)
//!     .input(InputFile::path("/in.mkv").seek(Time::from_secs(10), SeekMode::Fast))
//!     .output(
//!         OutputFile::path("/clip.mp4")
//!             .duration(Time::from_secs_f64(2.5)?)
//!             .copy()
//!             .format_option("movflags", "+faststart"),
//!     );
//! assert_eq!(
//!     cmd.args()?,
//!     [
//!         "-y", "-ss", "10.000000", "-noaccurate_seek", "-i", "/in.mkv",
//!         "-t", "2.500000", "-c", "copy", "-movflags", "+faststart", "/clip.mp4",
//!     ]
//! );
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

/// Why a [`Command`] (or a [`Time`], or a [`ConcatList`]) was refused.
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
    /// [`Command::validate`] for the exact rule.
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

/// An input or an output of a [`Command`], by index, for error messages.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time {
    micros: u64,
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
///   accuracy: an *output* `-ss` (after `-i`, see [`OutputFile::seek`]) is
///   accurate too, but decodes everything from the start of the file. It
///   needs re-encoding, so [`Command::validate`] refuses it together with
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
    num: u32,
    den: u32,
}

impl FrameRate {
    /// `num/den` fps, e.g. `FrameRate::new(30000, 1001)` for NTSC. Both must
    /// be non-zero (checked by [`Command::validate`]).
    pub const fn new(num: u32, den: u32) -> FrameRate {
        FrameRate { num, den }
    }

    fn render(self, option: &str) -> Result<String, CommandError> {
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

/// One `(option, value)` pair, option already with its leading `-`.
type Opt = (String, Option<String>);

/// Adds the leading `-` unless the caller already wrote it.
fn opt_name(name: &str) -> String {
    if name.starts_with('-') {
        name.to_owned()
    } else {
        format!("-{name}")
    }
}

fn invalid(option: &str, value: &str, reason: &'static str) -> CommandError {
    CommandError::InvalidArgument {
        option: option.to_owned(),
        value: value.to_owned(),
        reason,
    }
}

/// Any argument: no NUL byte (it would truncate the C string).
fn check_arg(option: &str, value: &str) -> Result<(), CommandError> {
    if value.contains('\0') {
        return Err(invalid(option, value, "contains a NUL byte"));
    }
    Ok(())
}

/// A path, codec, format, filter…: additionally non-empty.
fn check_nonempty(option: &str, value: &str) -> Result<(), CommandError> {
    check_arg(option, value)?;
    if value.is_empty() {
        return Err(invalid(option, value, "must not be empty"));
    }
    Ok(())
}

/// An option name: `-` plus a non-empty name without whitespace or `=`.
fn check_opt_name(name: &str) -> Result<(), CommandError> {
    check_arg("option name", name)?;
    let bare = name.strip_prefix('-').unwrap_or(name);
    if bare.is_empty() {
        return Err(invalid("option name", name, "must not be empty"));
    }
    if bare.chars().any(|c| c.is_whitespace() || c == '=') {
        return Err(invalid(
            "option name",
            name,
            "must not contain whitespace or '='",
        ));
    }
    Ok(())
}

fn check_opts(opts: &[Opt]) -> Result<(), CommandError> {
    for (name, value) in opts {
        check_opt_name(name)?;
        if let Some(v) = value {
            check_arg(name, v)?;
        }
    }
    Ok(())
}

fn push_opts(argv: &mut Vec<String>, opts: &[Opt]) {
    for (name, value) in opts {
        argv.push(name.clone());
        argv.extend(value.iter().cloned());
    }
}

/// A typed parameter value, checked by `validate` and rendered by `render`.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    /// A non-empty string.
    Text(String),
    /// `WxH`, both non-zero.
    Size(u32, u32),
    /// A frame rate, both terms non-zero.
    Rate(FrameRate),
    /// A non-zero count (sample rate, channels, bit rate).
    Count(u64),
}

impl Value {
    fn render(&self, option: &str) -> Result<String, CommandError> {
        match self {
            Value::Text(s) => check_nonempty(option, s).map(|()| s.clone()),
            Value::Size(w, h) => {
                if *w == 0 || *h == 0 {
                    Err(invalid(
                        option,
                        &format!("{w}x{h}"),
                        "width and height must be non-zero",
                    ))
                } else {
                    Ok(format!("{w}x{h}"))
                }
            }
            Value::Rate(rate) => rate.render(option),
            Value::Count(0) => Err(invalid(option, "0", "must be non-zero")),
            Value::Count(n) => Ok(n.to_string()),
        }
    }
}

/// Typed `(option, value)` parameters, rendered in order.
type Params = Vec<(&'static str, Value)>;

fn check_params(params: &Params) -> Result<(), CommandError> {
    params.iter().try_for_each(|(o, v)| v.render(o).map(drop))
}

fn push_params(argv: &mut Vec<String>, params: &Params) {
    for (option, value) in params {
        argv.push((*option).to_owned());
        argv.push(value.render(option).expect("validated before rendering"));
    }
}

/// The trimming options of an input or an output.
#[derive(Debug, Clone, Default, PartialEq)]
struct Trim {
    seek: Option<Time>,
    duration: Option<Time>,
    end: Option<Time>,
}

impl Trim {
    fn validate(&self, target: FileIndex) -> Result<(), CommandError> {
        if self.duration.is_some() && self.end.is_some() {
            return Err(CommandError::DurationAndEnd { target });
        }
        if let Some(end) = self.end {
            let seek = self.seek.unwrap_or(Time::ZERO);
            if end <= seek {
                return Err(CommandError::EndNotAfterSeek { target, seek, end });
            }
        }
        Ok(())
    }

    fn push_len(&self, argv: &mut Vec<String>) {
        if let Some(d) = self.duration {
            argv.extend(["-t".to_owned(), d.to_string()]);
        }
        if let Some(e) = self.end {
            argv.extend(["-to".to_owned(), e.to_string()]);
        }
    }
}

/// One input of a [`Command`]: the options before an `-i`.
///
/// Rendered as `[-ss T -accurate_seek|-noaccurate_seek] [-t D | -to E]
/// [-f FORMAT] [demuxer parameters] [options…] -i SOURCE`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    source: String,
    format: Option<String>,
    seek_mode: SeekMode,
    trim: Trim,
    /// Typed demuxer parameters (`-pix_fmt`, `-s`, `-r`, `-ar`, `-safe`…).
    params: Params,
    /// User options, in order.
    options: Vec<Opt>,
}

impl InputFile {
    /// A file (or anything FFmpeg opens by name, such as `pipe:0`).
    pub fn path(path: impl Into<String>) -> InputFile {
        InputFile {
            source: path.into(),
            format: None,
            seek_mode: SeekMode::Fast,
            trim: Trim::default(),
            params: Vec::new(),
            options: Vec::new(),
        }
    }

    /// A libavfilter source graph: `-f lavfi -i GRAPH`, e.g.
    /// `InputFile::lavfi("testsrc=duration=2:size=320x240:rate=25")`.
    pub fn lavfi(graph: impl Into<String>) -> InputFile {
        InputFile::path(graph).format("lavfi")
    }

    /// Headerless video frames: `-f rawvideo -pix_fmt PIX_FMT -s WxH -r FPS`.
    pub fn raw_video(
        path: impl Into<String>,
        pix_fmt: impl Into<String>,
        width: u32,
        height: u32,
        fps: impl Into<FrameRate>,
    ) -> InputFile {
        let mut input = InputFile::path(path).format("rawvideo");
        input.params = vec![
            ("-pix_fmt", Value::Text(pix_fmt.into())),
            ("-s", Value::Size(width, height)),
            ("-r", Value::Rate(fps.into())),
        ];
        input
    }

    /// Headerless PCM samples: `-f SAMPLE_FORMAT -ar RATE -ac CHANNELS`;
    /// `sample_format` names a PCM demuxer such as `s16le` or `f32le`.
    pub fn raw_audio(
        path: impl Into<String>,
        sample_format: impl Into<String>,
        sample_rate: u32,
        channels: u32,
    ) -> InputFile {
        let mut input = InputFile::path(path).format(sample_format);
        input.params = vec![
            ("-ar", Value::Count(sample_rate.into())),
            ("-ac", Value::Count(channels.into())),
        ];
        input
    }

    /// An ffconcat list file: `-f concat -safe 0 -i LIST`. `-safe 0` lets
    /// the list name absolute paths. Write the list with [`ConcatList`].
    pub fn concat(list_path: impl Into<String>) -> InputFile {
        let mut input = InputFile::path(list_path).format("concat");
        input.params = vec![("-safe", Value::Text("0".into()))];
        input
    }

    /// [`InputFile::concat`], plus the content to write to `list_path` before
    /// running, rendered from `files` by [`ConcatList::render`].
    pub fn concat_list<I, S>(
        list_path: impl Into<String>,
        files: I,
    ) -> Result<(InputFile, String), CommandError>
    where
        I: IntoIterator<Item = S>,
        S: Into<ConcatEntry>,
    {
        let content = ConcatList::new(files).render()?;
        Ok((InputFile::concat(list_path), content))
    }

    /// Force the demuxer: `-f FORMAT`.
    pub fn format(mut self, format: impl Into<String>) -> InputFile {
        self.format = Some(format.into());
        self
    }

    /// Start reading at `time`: `-ss` before `-i`; see [`SeekMode`].
    pub fn seek(mut self, time: Time, mode: SeekMode) -> InputFile {
        self.trim.seek = Some(time);
        self.seek_mode = mode;
        self
    }

    /// Read at most this long: `-t`. Excludes [`end`](InputFile::end).
    pub fn duration(mut self, duration: Time) -> InputFile {
        self.trim.duration = Some(duration);
        self
    }

    /// Stop reading at this position of the input: `-to`. Must be after the
    /// seek point, if any. Excludes [`duration`](InputFile::duration).
    pub fn end(mut self, end: Time) -> InputFile {
        self.trim.end = Some(end);
        self
    }

    /// Any input option: `.option("itsoffset", "1.5")` renders
    /// `-itsoffset 1.5` (the leading `-` is optional). Not interpreted by
    /// validation beyond syntax.
    pub fn option(mut self, name: impl AsRef<str>, value: impl Into<String>) -> InputFile {
        self.options
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// Any input flag without a value: `.flag("re")` renders `-re`.
    pub fn flag(mut self, name: impl AsRef<str>) -> InputFile {
        self.options.push((opt_name(name.as_ref()), None));
        self
    }

    /// What follows `-i`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The seek point and mode, if any.
    pub fn seek_point(&self) -> Option<(Time, SeekMode)> {
        self.trim.seek.map(|t| (t, self.seek_mode))
    }

    fn validate(&self, index: usize) -> Result<(), CommandError> {
        check_nonempty("-i", &self.source)?;
        if let Some(f) = &self.format {
            check_nonempty("-f", f)?;
        }
        check_params(&self.params)?;
        check_opts(&self.options)?;
        self.trim.validate(FileIndex::Input(index))
    }

    fn render(&self, argv: &mut Vec<String>) {
        if let Some(seek) = self.trim.seek {
            argv.extend(["-ss".to_owned(), seek.to_string()]);
            argv.push(
                match self.seek_mode {
                    SeekMode::Fast => "-noaccurate_seek",
                    SeekMode::Accurate => "-accurate_seek",
                }
                .to_owned(),
            );
        }
        self.trim.push_len(argv);
        if let Some(f) = &self.format {
            argv.extend(["-f".to_owned(), f.clone()]);
        }
        push_params(argv, &self.params);
        push_opts(argv, &self.options);
        argv.extend(["-i".to_owned(), self.source.clone()]);
    }
}

/// One `file` of a [`ConcatList`], optionally trimmed with `inpoint` /
/// `outpoint` (times within that file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcatEntry {
    path: String,
    inpoint: Option<Time>,
    outpoint: Option<Time>,
}

impl ConcatEntry {
    /// The whole file.
    pub fn new(path: impl Into<String>) -> ConcatEntry {
        ConcatEntry {
            path: path.into(),
            inpoint: None,
            outpoint: None,
        }
    }

    /// Start this file at `time` (`inpoint`).
    pub fn inpoint(mut self, time: Time) -> ConcatEntry {
        self.inpoint = Some(time);
        self
    }

    /// Stop this file at `time` (`outpoint`); must be after the inpoint.
    pub fn outpoint(mut self, time: Time) -> ConcatEntry {
        self.outpoint = Some(time);
        self
    }
}

impl From<String> for ConcatEntry {
    fn from(path: String) -> ConcatEntry {
        ConcatEntry::new(path)
    }
}

impl From<&str> for ConcatEntry {
    fn from(path: &str) -> ConcatEntry {
        ConcatEntry::new(path)
    }
}

/// The content of an ffconcat list file, for [`InputFile::concat`].
///
/// ```
/// use afmpeg::command::ConcatList;
///
/// let list = ConcatList::new(["/a.mp4", "/it's.mp4"]).render().unwrap();
/// assert_eq!(list, "ffconcat version 1.0\nfile '/a.mp4'\nfile '/it'\\''s.mp4'\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConcatList {
    entries: Vec<ConcatEntry>,
}

impl ConcatList {
    /// A list of these files, in order.
    pub fn new<I, S>(files: I) -> ConcatList
    where
        I: IntoIterator<Item = S>,
        S: Into<ConcatEntry>,
    {
        ConcatList {
            entries: files.into_iter().map(Into::into).collect(),
        }
    }

    /// Append a file.
    pub fn push(mut self, entry: impl Into<ConcatEntry>) -> ConcatList {
        self.entries.push(entry.into());
        self
    }

    /// The file content: `ffconcat version 1.0`, then one `file '…'` line
    /// per entry (plus its `inpoint`/`outpoint` lines). Paths are single
    /// quoted, a `'` inside becoming `'\''` (close, escaped quote, reopen),
    /// which is how FFmpeg's tokenizer reads them back. Refuses an empty
    /// list, empty paths, paths containing NUL or line breaks (the format is
    /// line based) and an outpoint not after its inpoint.
    pub fn render(&self) -> Result<String, CommandError> {
        if self.entries.is_empty() {
            return Err(invalid("concat list", "", "has no file"));
        }
        let mut out = String::from("ffconcat version 1.0\n");
        for entry in &self.entries {
            check_nonempty("concat file", &entry.path)?;
            if entry.path.contains(['\n', '\r']) {
                return Err(invalid(
                    "concat file",
                    &entry.path,
                    "contains a line break, which ffconcat cannot represent",
                ));
            }
            out.push_str("file '");
            out.push_str(&entry.path.replace('\'', r"'\''"));
            out.push_str("'\n");
            if let Some(t) = entry.inpoint {
                out.push_str(&format!("inpoint {t}\n"));
            }
            if let Some(t) = entry.outpoint {
                if t <= entry.inpoint.unwrap_or(Time::ZERO) {
                    return Err(invalid(
                        "outpoint",
                        &t.to_string(),
                        "must be after the inpoint",
                    ));
                }
                out.push_str(&format!("outpoint {t}\n"));
            }
        }
        Ok(out)
    }
}

/// Where `-map_metadata` / `-map_chapters` take their data from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapSource {
    Input(usize),
    Nothing,
}

impl MapSource {
    fn render(self) -> String {
        match self {
            MapSource::Input(i) => i.to_string(),
            MapSource::Nothing => "-1".to_owned(),
        }
    }
}

/// One `-map` of an output.
#[derive(Debug, Clone, PartialEq)]
struct Map {
    spec: String,
    /// For [`OutputFile::map_graph`]: the declared kind of the graph output.
    kind: Option<StreamType>,
}

/// A parsed `-map` specifier.
enum MapTarget<'a> {
    /// `[label]` of a `-filter_complex` output.
    Label(&'a str),
    /// `[-]N[:spec][?]`.
    Input { index: usize, negative: bool },
}

fn parse_map(spec: &str) -> Result<MapTarget<'_>, CommandError> {
    check_nonempty("-map", spec)?;
    if spec.chars().any(char::is_whitespace) {
        return Err(invalid("-map", spec, "must not contain whitespace"));
    }
    if let Some(inner) = spec.strip_prefix('[') {
        return match inner.strip_suffix(']') {
            Some(label) if !label.is_empty() && !label.contains(['[', ']']) => {
                Ok(MapTarget::Label(label))
            }
            _ => Err(invalid("-map", spec, "a graph label is written [name]")),
        };
    }
    let (negative, rest) = match spec.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, spec),
    };
    let digits = rest.split([':', '?']).next().unwrap_or("");
    match digits.parse::<usize>() {
        Ok(index) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(MapTarget::Input { index, negative })
        }
        _ => Err(invalid(
            "-map",
            spec,
            "must start with an input index (0, 1:a, -0:s…) or be a [label]",
        )),
    }
}

/// One output of a [`Command`]: the options before an output path.
///
/// Rendered in this order (FFmpeg does not care; this keeps argv readable
/// and the later, more specific codec options win over `-c copy`):
/// `[-ss] [-t|-to] [-map…] [-vn] [-an] [-sn] [-dn] [-c copy] [-c:v] [-c:a]
/// [-c:s] [-preset] [-crf] [-b:v] [-b:a] [-s] [-r] [-ar] [-ac] [-frames:v]
/// [-vf] [-af] [-bsf:…] [-map_metadata] [-map_chapters] [-metadata…]
/// [-metadata:s:…] [-disposition:…] [-f] [format options…] [options…] PATH`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    target: String,
    format: Option<String>,
    trim: Trim,
    maps: Vec<Map>,
    explicit_maps: bool,
    disabled: BTreeSet<StreamType>,
    copy_all: bool,
    video_codec: Option<String>,
    audio_codec: Option<String>,
    subtitle_codec: Option<String>,
    preset: Option<String>,
    crf: Option<u8>,
    video_bitrate: Option<u64>,
    audio_bitrate: Option<u64>,
    size: Option<(u32, u32)>,
    frame_rate: Option<FrameRate>,
    sample_rate: Option<u32>,
    channels: Option<u32>,
    frames: Option<u64>,
    video_filter: Option<String>,
    audio_filter: Option<String>,
    bsfs: Vec<(StreamType, String)>,
    map_metadata: Option<MapSource>,
    map_chapters: Option<MapSource>,
    metadata: Vec<(String, String)>,
    stream_metadata: Vec<(String, String, String)>,
    dispositions: Vec<(String, String)>,
    format_options: Vec<Opt>,
    options: Vec<Opt>,
}

impl OutputFile {
    /// An output file (or `pipe:1`, or a pattern such as `/frames/%03d.png`).
    pub fn path(path: impl Into<String>) -> OutputFile {
        OutputFile {
            target: path.into(),
            format: None,
            trim: Trim::default(),
            maps: Vec::new(),
            explicit_maps: false,
            disabled: BTreeSet::new(),
            copy_all: false,
            video_codec: None,
            audio_codec: None,
            subtitle_codec: None,
            preset: None,
            crf: None,
            video_bitrate: None,
            audio_bitrate: None,
            size: None,
            frame_rate: None,
            sample_rate: None,
            channels: None,
            frames: None,
            video_filter: None,
            audio_filter: None,
            bsfs: Vec::new(),
            map_metadata: None,
            map_chapters: None,
            metadata: Vec::new(),
            stream_metadata: Vec::new(),
            dispositions: Vec::new(),
            format_options: Vec::new(),
            options: Vec::new(),
        }
    }

    /// Force the muxer: `-f FORMAT`.
    pub fn format(mut self, format: impl Into<String>) -> OutputFile {
        self.format = Some(format.into());
        self
    }

    /// `-c:v CODEC` (`"copy"` for stream copy).
    pub fn video_codec(mut self, codec: impl Into<String>) -> OutputFile {
        self.video_codec = Some(codec.into());
        self
    }

    /// `-c:a CODEC` (`"copy"` for stream copy).
    pub fn audio_codec(mut self, codec: impl Into<String>) -> OutputFile {
        self.audio_codec = Some(codec.into());
        self
    }

    /// `-c:s CODEC` (`"copy"` for stream copy).
    pub fn subtitle_codec(mut self, codec: impl Into<String>) -> OutputFile {
        self.subtitle_codec = Some(codec.into());
        self
    }

    /// Stream-copy every stream: `-c copy`. A kind's own codec
    /// ([`video_codec`](OutputFile::video_codec)…) still overrides it.
    pub fn copy(mut self) -> OutputFile {
        self.copy_all = true;
        self
    }

    /// No video: `-vn`.
    pub fn no_video(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Video);
        self
    }

    /// No audio: `-an`.
    pub fn no_audio(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Audio);
        self
    }

    /// No subtitles: `-sn`.
    pub fn no_subtitles(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Subtitle);
        self
    }

    /// No data streams: `-dn`.
    pub fn no_data(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Data);
        self
    }

    /// Constant rate factor, `-crf N`; must be within 0..=51 (x264/x265).
    pub fn crf(mut self, crf: u8) -> OutputFile {
        self.crf = Some(crf);
        self
    }

    /// Target video bitrate in bits per second: `-b:v N`.
    pub fn video_bitrate(mut self, bits_per_second: u64) -> OutputFile {
        self.video_bitrate = Some(bits_per_second);
        self
    }

    /// Target audio bitrate in bits per second: `-b:a N`.
    pub fn audio_bitrate(mut self, bits_per_second: u64) -> OutputFile {
        self.audio_bitrate = Some(bits_per_second);
        self
    }

    /// Encoder preset: `-preset P` (e.g. `ultrafast`, `medium`).
    pub fn preset(mut self, preset: impl Into<String>) -> OutputFile {
        self.preset = Some(preset.into());
        self
    }

    /// Add a `-map SPEC`: `"0"`, `"0:v:0"`, `"1:a?"`, `"-0:s"` (negative),
    /// or a `-filter_complex` output `"[out]"`. Input indices are checked.
    pub fn map(mut self, spec: impl Into<String>) -> OutputFile {
        self.maps.push(Map {
            spec: spec.into(),
            kind: None,
        });
        self.explicit_maps = true;
        self
    }

    /// Replace the map list with these specs. An empty list is kept as an
    /// explicit "map nothing" and refused by validation.
    pub fn maps<I, S>(mut self, specs: I) -> OutputFile
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.maps = specs
            .into_iter()
            .map(|s| Map {
                spec: s.into(),
                kind: None,
            })
            .collect();
        self.explicit_maps = true;
        self
    }

    /// Map the `-filter_complex` output `[label]` (brackets optional),
    /// declaring its kind, which lets validation tell whether a `-vf` or
    /// `-af` on this output conflicts with it (see [`Command::validate`]).
    pub fn map_graph(mut self, label: impl AsRef<str>, kind: StreamType) -> OutputFile {
        let label = label.as_ref();
        let spec = if label.starts_with('[') {
            label.to_owned()
        } else {
            format!("[{label}]")
        };
        self.maps.push(Map {
            spec,
            kind: Some(kind),
        });
        self.explicit_maps = true;
        self
    }

    /// Append a bitstream filter for one stream kind: `-bsf:v FILTER`.
    /// Several for the same kind are chained in order (`-bsf:v a,b`).
    pub fn bsf(mut self, kind: StreamType, filter: impl Into<String>) -> OutputFile {
        self.bsfs.push((kind, filter.into()));
        self
    }

    /// Global metadata: `-metadata KEY=VALUE` (an empty value removes it).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> OutputFile {
        self.metadata.push((key.into(), value.into()));
        self
    }

    /// Per-stream metadata: `-metadata:s:STREAM KEY=VALUE`, where `stream`
    /// is a stream specifier of the output such as `a:0` or `s`, e.g.
    /// `.stream_metadata("a:0", "language", "fra")`.
    pub fn stream_metadata(
        mut self,
        stream: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> OutputFile {
        self.stream_metadata
            .push((stream.into(), key.into(), value.into()));
        self
    }

    /// Stream disposition: `-disposition:STREAM VALUE`, e.g.
    /// `.disposition("s:0", "default+forced")` or `.disposition("a:1", "0")`.
    pub fn disposition(
        mut self,
        stream: impl Into<String>,
        value: impl Into<String>,
    ) -> OutputFile {
        self.dispositions.push((stream.into(), value.into()));
        self
    }

    /// Copy global metadata from input `input`: `-map_metadata N`.
    pub fn map_metadata(mut self, input: usize) -> OutputFile {
        self.map_metadata = Some(MapSource::Input(input));
        self
    }

    /// Drop the inputs' global metadata: `-map_metadata -1`.
    pub fn strip_metadata(mut self) -> OutputFile {
        self.map_metadata = Some(MapSource::Nothing);
        self
    }

    /// Copy chapters from input `input` (e.g. an ffmetadata file):
    /// `-map_chapters N`.
    pub fn map_chapters(mut self, input: usize) -> OutputFile {
        self.map_chapters = Some(MapSource::Input(input));
        self
    }

    /// Drop the inputs' chapters: `-map_chapters -1`.
    pub fn strip_chapters(mut self) -> OutputFile {
        self.map_chapters = Some(MapSource::Nothing);
        self
    }

    /// A muxer option, rendered after `-f`: `movflags` `+faststart`,
    /// `hls_time` `4`, `hls_list_size` `0`, `segment_time` `10`… The
    /// leading `-` is optional.
    pub fn format_option(mut self, name: impl AsRef<str>, value: impl Into<String>) -> OutputFile {
        self.format_options
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// Video filter chain: `-vf GRAPH`.
    pub fn video_filter(mut self, graph: impl Into<String>) -> OutputFile {
        self.video_filter = Some(graph.into());
        self
    }

    /// Audio filter chain: `-af GRAPH`.
    pub fn audio_filter(mut self, graph: impl Into<String>) -> OutputFile {
        self.audio_filter = Some(graph.into());
        self
    }

    /// Output seek, `-ss` after the inputs: decodes and drops everything
    /// before `time` (accurate, but reads from the start; prefer
    /// [`InputFile::seek`]).
    pub fn seek(mut self, time: Time) -> OutputFile {
        self.trim.seek = Some(time);
        self
    }

    /// Stop writing after this long: `-t`. Excludes [`end`](OutputFile::end).
    pub fn duration(mut self, duration: Time) -> OutputFile {
        self.trim.duration = Some(duration);
        self
    }

    /// Stop writing at this position: `-to`. Must be after the output seek
    /// point, if any. Excludes [`duration`](OutputFile::duration).
    pub fn end(mut self, end: Time) -> OutputFile {
        self.trim.end = Some(end);
        self
    }

    /// Stop after this many video frames: `-frames:v N`.
    pub fn frames(mut self, frames: u64) -> OutputFile {
        self.frames = Some(frames);
        self
    }

    /// Scale to this frame size: `-s WxH`.
    pub fn size(mut self, width: u32, height: u32) -> OutputFile {
        self.size = Some((width, height));
        self
    }

    /// Output frame rate: `-r FPS`.
    pub fn frame_rate(mut self, fps: impl Into<FrameRate>) -> OutputFile {
        self.frame_rate = Some(fps.into());
        self
    }

    /// Audio sample rate in Hz: `-ar N`.
    pub fn sample_rate(mut self, hz: u32) -> OutputFile {
        self.sample_rate = Some(hz);
        self
    }

    /// Audio channel count: `-ac N`.
    pub fn channels(mut self, channels: u32) -> OutputFile {
        self.channels = Some(channels);
        self
    }

    /// Any output option, rendered just before the path:
    /// `.option("x264-params", "asm=0")`. The leading `-` is optional. Not
    /// interpreted by validation beyond syntax.
    pub fn option(mut self, name: impl AsRef<str>, value: impl Into<String>) -> OutputFile {
        self.options
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// Any output flag without a value: `.flag("shortest")` renders
    /// `-shortest`.
    pub fn flag(mut self, name: impl AsRef<str>) -> OutputFile {
        self.options.push((opt_name(name.as_ref()), None));
        self
    }

    /// The output path.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The codec set for `kind`, `-c copy` applying where none is.
    fn codec(&self, kind: StreamType) -> Option<&str> {
        let own = match kind {
            StreamType::Video => self.video_codec.as_deref(),
            StreamType::Audio => self.audio_codec.as_deref(),
            StreamType::Subtitle => self.subtitle_codec.as_deref(),
            StreamType::Data => None,
        };
        own.or(self.copy_all.then_some("copy"))
    }

    /// Whether streams of `kind` are stream-copied (and not disabled).
    fn copies(&self, kind: StreamType) -> bool {
        !self.disabled.contains(&kind) && self.codec(kind) == Some("copy")
    }

    /// The options set for `kind` streams, by name.
    fn options_for(&self, kind: StreamType) -> Vec<&'static str> {
        let mut set = Vec::new();
        let mut add = |present: bool, name: &'static str| {
            if present {
                set.push(name);
            }
        };
        let has_bsf = self.bsfs.iter().any(|(k, _)| *k == kind);
        match kind {
            StreamType::Video => {
                add(self.video_codec.is_some(), "-c:v");
                add(self.preset.is_some(), "-preset");
                add(self.crf.is_some(), "-crf");
                add(self.video_bitrate.is_some(), "-b:v");
                add(self.size.is_some(), "-s");
                add(self.frame_rate.is_some(), "-r");
                add(self.frames.is_some(), "-frames:v");
                add(self.video_filter.is_some(), "-vf");
                add(has_bsf, "-bsf:v");
            }
            StreamType::Audio => {
                add(self.audio_codec.is_some(), "-c:a");
                add(self.audio_bitrate.is_some(), "-b:a");
                add(self.sample_rate.is_some(), "-ar");
                add(self.channels.is_some(), "-ac");
                add(self.audio_filter.is_some(), "-af");
                add(has_bsf, "-bsf:a");
            }
            StreamType::Subtitle => {
                add(self.subtitle_codec.is_some(), "-c:s");
                add(has_bsf, "-bsf:s");
            }
            StreamType::Data => add(has_bsf, "-bsf:d"),
        }
        set
    }

    /// The typed parameters after the codecs, in render order.
    fn params(&self) -> Params {
        let mut p: Params = Vec::new();
        if let Some(preset) = &self.preset {
            p.push(("-preset", Value::Text(preset.clone())));
        }
        if let Some(crf) = self.crf {
            p.push(("-crf", Value::Text(crf.to_string())));
        }
        if let Some(b) = self.video_bitrate {
            p.push(("-b:v", Value::Count(b)));
        }
        if let Some(b) = self.audio_bitrate {
            p.push(("-b:a", Value::Count(b)));
        }
        if let Some((w, h)) = self.size {
            p.push(("-s", Value::Size(w, h)));
        }
        if let Some(r) = self.frame_rate {
            p.push(("-r", Value::Rate(r)));
        }
        if let Some(ar) = self.sample_rate {
            p.push(("-ar", Value::Count(ar.into())));
        }
        if let Some(ac) = self.channels {
            p.push(("-ac", Value::Count(ac.into())));
        }
        if let Some(n) = self.frames {
            p.push(("-frames:v", Value::Text(n.to_string())));
        }
        if let Some(vf) = &self.video_filter {
            p.push(("-vf", Value::Text(vf.clone())));
        }
        if let Some(af) = &self.audio_filter {
            p.push(("-af", Value::Text(af.clone())));
        }
        p
    }

    /// The `-bsf:K a,b` chains, one per kind, in kind order.
    fn bsf_chains(&self) -> Vec<(String, String)> {
        let kinds: BTreeSet<StreamType> = self.bsfs.iter().map(|(k, _)| *k).collect();
        kinds
            .into_iter()
            .map(|kind| {
                let chain: Vec<&str> = self
                    .bsfs
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, f)| f.as_str())
                    .collect();
                (format!("-bsf:{}", kind.specifier()), chain.join(","))
            })
            .collect()
    }

    /// Syntax and self-consistency of this output alone.
    fn validate_own(&self, o: usize) -> Result<(), CommandError> {
        check_nonempty("output", &self.target)?;
        if let Some(f) = &self.format {
            check_nonempty("-f", f)?;
        }
        for (name, codec) in [
            ("-c:v", &self.video_codec),
            ("-c:a", &self.audio_codec),
            ("-c:s", &self.subtitle_codec),
        ] {
            if let Some(c) = codec {
                check_nonempty(name, c)?;
            }
        }
        check_params(&self.params())?;
        for (kind, filter) in &self.bsfs {
            check_nonempty(&format!("-bsf:{}", kind.specifier()), filter)?;
        }
        for (key, value) in &self.metadata {
            check_metadata("-metadata", key, value)?;
        }
        for (stream, key, value) in &self.stream_metadata {
            let option = format!("-metadata:s:{stream}");
            check_stream_spec(&option, stream)?;
            check_metadata(&option, key, value)?;
        }
        for (stream, value) in &self.dispositions {
            let option = format!("-disposition:{stream}");
            check_stream_spec(&option, stream)?;
            check_nonempty(&option, value)?;
        }
        check_opts(&self.format_options)?;
        check_opts(&self.options)?;
        self.trim.validate(FileIndex::Output(o))?;

        if [StreamType::Video, StreamType::Audio, StreamType::Subtitle]
            .iter()
            .all(|k| self.disabled.contains(k))
        {
            return Err(CommandError::OutputWithoutStreams {
                output: o,
                reason: "-vn, -an and -sn are all set",
            });
        }
        if let Some(crf) = self.crf {
            if crf > 51 {
                return Err(CommandError::CrfOutOfRange { output: o, crf });
            }
            if self.video_bitrate.is_some() {
                return Err(CommandError::CrfWithVideoBitrate { output: o });
            }
        }
        for &kind in &self.disabled {
            if let Some(option) = self.options_for(kind).first() {
                return Err(CommandError::StreamDisabled {
                    output: o,
                    kind,
                    option,
                });
            }
        }
        for kind in [StreamType::Video, StreamType::Audio] {
            if self.copies(kind) {
                // Options that only an encoder or a filter can honour.
                const NEED_ENCODING: [&str; 9] = [
                    "-preset", "-crf", "-b:v", "-s", "-vf", "-b:a", "-ar", "-ac", "-af",
                ];
                let encoding = self
                    .options_for(kind)
                    .into_iter()
                    .find(|opt| NEED_ENCODING.contains(opt));
                if let Some(option) = encoding {
                    return Err(CommandError::EncodingWithStreamCopy {
                        output: o,
                        kind,
                        option,
                    });
                }
            }
        }
        Ok(())
    }

    fn render(&self, argv: &mut Vec<String>) {
        if let Some(seek) = self.trim.seek {
            argv.extend(["-ss".to_owned(), seek.to_string()]);
        }
        self.trim.push_len(argv);
        for map in &self.maps {
            argv.extend(["-map".to_owned(), map.spec.clone()]);
        }
        for kind in &self.disabled {
            argv.push(format!("-{}n", kind.specifier()));
        }
        if self.copy_all {
            argv.extend(["-c".to_owned(), "copy".to_owned()]);
        }
        for (name, codec) in [
            ("-c:v", &self.video_codec),
            ("-c:a", &self.audio_codec),
            ("-c:s", &self.subtitle_codec),
        ] {
            if let Some(c) = codec {
                argv.extend([name.to_owned(), c.clone()]);
            }
        }
        push_params(argv, &self.params());
        for (name, chain) in self.bsf_chains() {
            argv.extend([name, chain]);
        }
        if let Some(src) = self.map_metadata {
            argv.extend(["-map_metadata".to_owned(), src.render()]);
        }
        if let Some(src) = self.map_chapters {
            argv.extend(["-map_chapters".to_owned(), src.render()]);
        }
        for (key, value) in &self.metadata {
            argv.extend(["-metadata".to_owned(), format!("{key}={value}")]);
        }
        for (stream, key, value) in &self.stream_metadata {
            argv.extend([format!("-metadata:s:{stream}"), format!("{key}={value}")]);
        }
        for (stream, value) in &self.dispositions {
            argv.extend([format!("-disposition:{stream}"), value.clone()]);
        }
        if let Some(f) = &self.format {
            argv.extend(["-f".to_owned(), f.clone()]);
        }
        push_opts(argv, &self.format_options);
        push_opts(argv, &self.options);
        argv.push(self.target.clone());
    }
}

fn check_metadata(option: &str, key: &str, value: &str) -> Result<(), CommandError> {
    check_nonempty(option, key)?;
    if key.contains('=') {
        return Err(invalid(option, key, "a metadata key must not contain '='"));
    }
    check_arg(option, value)
}

fn check_stream_spec(option: &str, spec: &str) -> Result<(), CommandError> {
    check_nonempty(option, spec)?;
    if spec.chars().any(char::is_whitespace) {
        return Err(invalid(
            option,
            spec,
            "a stream specifier must not contain whitespace",
        ));
    }
    Ok(())
}

/// A whole `ffmpeg` command line: global options, inputs, complex filter
/// graphs and outputs. See the [module documentation](self) for an example.
///
/// Rendered as `[-hide_banner] [-loglevel L] [-y|-n] [-stats|-nostats]
/// [global options…] [raw arguments…] INPUTS… [-filter_complex G…] OUTPUTS…`,
/// without `argv[0]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Command {
    hide_banner: bool,
    loglevel: Option<LogLevel>,
    overwrite: Option<bool>,
    stats: Option<bool>,
    globals: Vec<Opt>,
    raw: Vec<String>,
    inputs: Vec<InputFile>,
    filter_complex: Vec<String>,
    outputs: Vec<OutputFile>,
}

impl Command {
    /// An empty command (which does not validate until it has an input and
    /// an output).
    pub fn new() -> Command {
        Command::default()
    }

    /// Add an input; inputs are numbered from 0 in the order added.
    pub fn input(mut self, input: InputFile) -> Command {
        self.inputs.push(input);
        self
    }

    /// Add an output; outputs are numbered from 0 in the order added.
    pub fn output(mut self, output: OutputFile) -> Command {
        self.outputs.push(output);
        self
    }

    /// Add a `-filter_complex GRAPH`; map its labelled outputs with
    /// [`OutputFile::map_graph`] or [`OutputFile::map`]`("[label]")`.
    pub fn filter_complex(mut self, graph: impl Into<String>) -> Command {
        self.filter_complex.push(graph.into());
        self
    }

    /// `-y` (replace existing outputs) when `true`, `-n` (never replace;
    /// fail instead) when `false`. Neither is rendered unless called.
    pub fn overwrite(mut self, overwrite: bool) -> Command {
        self.overwrite = Some(overwrite);
        self
    }

    /// `-hide_banner`.
    pub fn hide_banner(mut self) -> Command {
        self.hide_banner = true;
        self
    }

    /// `-loglevel LEVEL`.
    pub fn loglevel(mut self, level: LogLevel) -> Command {
        self.loglevel = Some(level);
        self
    }

    /// `-stats` when `true`, `-nostats` when `false`.
    pub fn stats(mut self, stats: bool) -> Command {
        self.stats = Some(stats);
        self
    }

    /// A global option with a value: `.global("filter_threads", "1")`
    /// renders `-filter_threads 1` (the leading `-` is optional).
    pub fn global(mut self, name: impl AsRef<str>, value: impl Into<String>) -> Command {
        self.globals
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// A global flag without a value: `.global_flag("nostdin")`.
    pub fn global_flag(mut self, name: impl AsRef<str>) -> Command {
        self.globals.push((opt_name(name.as_ref()), None));
        self
    }

    /// Escape hatch: arguments inserted verbatim after the global options
    /// and before the first input. Only checked for NUL bytes.
    pub fn raw<I, S>(mut self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.raw.extend(args.into_iter().map(Into::into));
        self
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[InputFile] {
        &self.inputs
    }

    /// The outputs, in order.
    pub fn outputs(&self) -> &[OutputFile] {
        &self.outputs
    }

    /// Checks the command without rendering it. Refused, in this order:
    ///
    /// * no input and no `-filter_complex` ([`NoInputs`](CommandError::NoInputs));
    ///   no output ([`NoOutputs`](CommandError::NoOutputs));
    /// * NUL bytes anywhere; empty paths, formats, codecs, presets, filters,
    ///   graphs, map and stream specifiers, metadata keys; option names that
    ///   are empty or contain whitespace or `=`; metadata keys with `=`;
    ///   zero sizes, frame rates, sample rates, channel counts and bitrates
    ///   ([`InvalidArgument`](CommandError::InvalidArgument));
    /// * per input and output: `-t` together with `-to`
    ///   ([`DurationAndEnd`](CommandError::DurationAndEnd)), `-to` not after
    ///   `-ss` ([`EndNotAfterSeek`](CommandError::EndNotAfterSeek));
    /// * per output: `-vn -an -sn` all set, an explicitly empty map list
    ///   or only negative maps ([`OutputWithoutStreams`](CommandError::OutputWithoutStreams));
    ///   CRF above 51 ([`CrfOutOfRange`](CommandError::CrfOutOfRange)), CRF
    ///   with `-b:v` ([`CrfWithVideoBitrate`](CommandError::CrfWithVideoBitrate));
    ///   a video/audio/subtitle option on a kind that is disabled
    ///   ([`StreamDisabled`](CommandError::StreamDisabled)); `-preset`,
    ///   `-crf`, `-b:v`, `-s`, `-vf` with video copy or `-b:a`, `-ar`, `-ac`,
    ///   `-af` with audio copy ([`EncodingWithStreamCopy`](CommandError::EncodingWithStreamCopy));
    /// * `-map`, `-map_metadata`, `-map_chapters` naming a missing input
    ///   ([`InputIndexOutOfRange`](CommandError::InputIndexOutOfRange)), a
    ///   `[label]` map without any graph ([`LabelWithoutFilterGraph`](CommandError::LabelWithoutFilterGraph));
    /// * **filters** ([`ConflictingFilters`](CommandError::ConflictingFilters)):
    ///   FFmpeg refuses `-vf`/`-af` on a stream fed by `-filter_complex`.
    ///   The kind of a graph output is only known when it is mapped with
    ///   [`OutputFile::map_graph`]; so an output with `-vf` (`-af`) is refused
    ///   when it maps a graph label declared video (audio) or mapped with a
    ///   plain [`OutputFile::map`] (kind unknown), or when it is output #0
    ///   without any `-map` while the command has a graph (FFmpeg sends
    ///   unlabelled graph outputs there). Put such filters into the graph;
    /// * **stream copy after accurate seek**
    ///   ([`StreamCopyWithAccurateSeek`](CommandError::StreamCopyWithAccurateSeek)):
    ///   an output that copies video or audio (through `-c copy` or
    ///   `-c:v/-c:a copy`) while reading an input seeked with
    ///   [`SeekMode::Accurate`]. The output reads every input when it has no
    ///   `-map`, else the inputs its positive maps name.
    ///
    /// Options given through [`raw`](Command::raw) or the `option`/`flag`
    /// methods are passed through and not interpreted.
    pub fn validate(&self) -> Result<(), CommandError> {
        if self.inputs.is_empty() && self.filter_complex.is_empty() {
            return Err(CommandError::NoInputs);
        }
        if self.outputs.is_empty() {
            return Err(CommandError::NoOutputs);
        }
        check_opts(&self.globals)?;
        for arg in &self.raw {
            check_arg("raw argument", arg)?;
        }
        for graph in &self.filter_complex {
            check_nonempty("-filter_complex", graph)?;
        }
        for (i, input) in self.inputs.iter().enumerate() {
            input.validate(i)?;
        }
        for (o, output) in self.outputs.iter().enumerate() {
            output.validate_own(o)?;
            self.validate_links(o, output)?;
        }
        Ok(())
    }

    /// The checks of one output that involve inputs and graphs.
    fn validate_links(&self, o: usize, output: &OutputFile) -> Result<(), CommandError> {
        let n_inputs = self.inputs.len();
        let in_range = |option: &'static str, index: usize| {
            if index < n_inputs {
                Ok(())
            } else {
                Err(CommandError::InputIndexOutOfRange {
                    output: o,
                    option,
                    index,
                    inputs: n_inputs,
                })
            }
        };

        // Maps: syntax, input indices, labels; which inputs are read.
        let mut used_inputs = BTreeSet::new();
        let mut graph_kinds = Vec::new();
        let mut positive = false;
        for map in &output.maps {
            match parse_map(&map.spec)? {
                MapTarget::Label(label) => {
                    if self.filter_complex.is_empty() {
                        return Err(CommandError::LabelWithoutFilterGraph {
                            output: o,
                            label: label.to_owned(),
                        });
                    }
                    graph_kinds.push(map.kind);
                    positive = true;
                }
                MapTarget::Input { index, negative } => {
                    in_range("-map", index)?;
                    if !negative {
                        used_inputs.insert(index);
                        positive = true;
                    }
                }
            }
        }
        if output.explicit_maps && output.maps.is_empty() {
            return Err(CommandError::OutputWithoutStreams {
                output: o,
                reason: "its -map list is empty",
            });
        }
        if !output.maps.is_empty() && !positive {
            return Err(CommandError::OutputWithoutStreams {
                output: o,
                reason: "every -map is negative",
            });
        }
        if output.maps.is_empty() {
            used_inputs.extend(0..n_inputs);
        }
        for (option, source) in [
            ("-map_metadata", output.map_metadata),
            ("-map_chapters", output.map_chapters),
        ] {
            if let Some(MapSource::Input(index)) = source {
                in_range(option, index)?;
            }
        }

        // -vf / -af against -filter_complex.
        if !self.filter_complex.is_empty() {
            let fed_unlabelled = o == 0 && output.maps.is_empty();
            for (option, kind, set) in [
                ("-vf", StreamType::Video, output.video_filter.is_some()),
                ("-af", StreamType::Audio, output.audio_filter.is_some()),
            ] {
                let from_graph = graph_kinds.iter().any(|k| k.is_none_or(|k| k == kind));
                if set && (fed_unlabelled || from_graph) {
                    return Err(CommandError::ConflictingFilters {
                        output: o,
                        option,
                        kind,
                    });
                }
            }
        }

        // Stream copy from an accurately seeked input.
        for kind in [StreamType::Video, StreamType::Audio] {
            if !output.copies(kind) {
                continue;
            }
            let accurate = used_inputs
                .iter()
                .copied()
                .find(|&i| matches!(self.inputs[i].seek_point(), Some((_, SeekMode::Accurate))));
            if let Some(input) = accurate {
                return Err(CommandError::StreamCopyWithAccurateSeek {
                    output: o,
                    input,
                    kind,
                });
            }
        }
        Ok(())
    }

    /// Validates the command, then renders its argv (without `argv[0]`).
    pub fn args(&self) -> Result<Vec<String>, CommandError> {
        self.validate()?;
        let mut argv = Vec::new();
        if self.hide_banner {
            argv.push("-hide_banner".to_owned());
        }
        if let Some(level) = self.loglevel {
            argv.extend(["-loglevel".to_owned(), level.as_str().to_owned()]);
        }
        if let Some(overwrite) = self.overwrite {
            argv.push(if overwrite { "-y" } else { "-n" }.to_owned());
        }
        if let Some(stats) = self.stats {
            argv.push(if stats { "-stats" } else { "-nostats" }.to_owned());
        }
        push_opts(&mut argv, &self.globals);
        argv.extend(self.raw.iter().cloned());
        for input in &self.inputs {
            input.render(&mut argv);
        }
        for graph in &self.filter_complex {
            argv.extend(["-filter_complex".to_owned(), graph.clone()]);
        }
        for output in &self.outputs {
            output.render(&mut argv);
        }
        Ok(argv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: f64) -> Time {
        Time::from_secs_f64(secs).unwrap()
    }

    fn argv(cmd: &Command) -> Vec<String> {
        cmd.args().unwrap_or_else(|e| panic!("refused: {e}"))
    }

    fn err(cmd: &Command) -> CommandError {
        let e = cmd.args().unwrap_err();
        assert_eq!(cmd.validate().unwrap_err(), e);
        e
    }

    fn simple(output: OutputFile) -> Command {
        Command::new()
            .input(InputFile::path("/in.mp4"))
            .output(output)
    }

    // --- Time -------------------------------------------------------------

    #[test]
    fn time_renders_microseconds() {
        assert_eq!(t(12.5).to_string(), "12.500000");
        assert_eq!(t(0.0).to_string(), "0.000000");
        assert_eq!(t(1.0000004).to_string(), "1.000000");
        assert_eq!(t(1.0000006).to_string(), "1.000001");
        assert_eq!(Time::from_secs(3600).to_string(), "3600.000000");
        assert_eq!(Time::from_millis(1500).to_string(), "1.500000");
        assert_eq!(Time::from_micros(7).to_string(), "0.000007");
        assert_eq!(t(-0.0), Time::ZERO);
        assert_eq!(t(2.25).as_secs_f64(), 2.25);
        assert_eq!(t(2.25).as_micros(), 2_250_000);
        assert_eq!(
            Time::try_from(Duration::from_millis(250)).unwrap(),
            Time::from_millis(250)
        );
        assert_eq!(Duration::from(t(1.5)), Duration::from_millis(1500));
    }

    #[test]
    fn time_refuses_bad_values() {
        assert_eq!(
            Time::from_secs_f64(-1.0),
            Err(CommandError::NegativeTime { seconds: -1.0 })
        );
        assert!(matches!(
            Time::from_secs_f64(f64::NAN),
            Err(CommandError::NonFiniteTime { .. })
        ));
        assert_eq!(
            Time::from_secs_f64(f64::INFINITY),
            Err(CommandError::NonFiniteTime {
                seconds: f64::INFINITY
            })
        );
        assert!(matches!(
            Time::from_secs_f64(1e14),
            Err(CommandError::TimeOutOfRange { .. })
        ));
        assert!(matches!(
            Time::try_from(Duration::MAX),
            Err(CommandError::TimeOutOfRange { .. })
        ));
    }

    // --- argv -------------------------------------------------------------

    #[test]
    fn minimal() {
        assert_eq!(
            argv(&simple(OutputFile::path("/out.mkv"))),
            ["-i", "/in.mp4", "/out.mkv"]
        );
    }

    #[test]
    fn globals_in_order() {
        let cmd = Command::new()
            .hide_banner()
            .loglevel(LogLevel::Error)
            .overwrite(false)
            .stats(false)
            .global("filter_threads", "1")
            .global_flag("-nostdin")
            .raw(["-cpuflags", "0"])
            .input(InputFile::path("/a.wav"))
            .output(OutputFile::path("/b.flac"));
        assert_eq!(
            argv(&cmd),
            [
                "-hide_banner",
                "-loglevel",
                "error",
                "-n",
                "-nostats",
                "-filter_threads",
                "1",
                "-nostdin",
                "-cpuflags",
                "0",
                "-i",
                "/a.wav",
                "/b.flac"
            ]
        );
        let cmd = cmd.overwrite(true).stats(true).loglevel(LogLevel::Trace);
        let a = argv(&cmd);
        assert_eq!(
            &a[..5],
            ["-hide_banner", "-loglevel", "trace", "-y", "-stats"]
        );
    }

    #[test]
    fn loglevel_names() {
        let all = [
            (LogLevel::Quiet, "quiet"),
            (LogLevel::Panic, "panic"),
            (LogLevel::Fatal, "fatal"),
            (LogLevel::Error, "error"),
            (LogLevel::Warning, "warning"),
            (LogLevel::Info, "info"),
            (LogLevel::Verbose, "verbose"),
            (LogLevel::Debug, "debug"),
            (LogLevel::Trace, "trace"),
        ];
        for (level, name) in all {
            assert_eq!(level.as_str(), name);
        }
    }

    #[test]
    fn transcode_h264_aac() {
        let cmd = Command::new()
            .overwrite(true)
            .input(InputFile::lavfi("testsrc=duration=2:size=320x240:rate=25"))
            .input(InputFile::lavfi("sine=duration=2"))
            .output(
                OutputFile::path("/t.mp4")
                    .video_codec("libx264")
                    .preset("ultrafast")
                    .crf(23)
                    .audio_codec("aac")
                    .audio_bitrate(128_000)
                    .format_option("movflags", "+faststart")
                    .option("x264-params", "asm=0"),
            );
        assert_eq!(
            argv(&cmd),
            [
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=2:size=320x240:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=2",
                "-c:v",
                "libx264",
                "-c:a",
                "aac",
                "-preset",
                "ultrafast",
                "-crf",
                "23",
                "-b:a",
                "128000",
                "-movflags",
                "+faststart",
                "-x264-params",
                "asm=0",
                "/t.mp4"
            ]
        );
    }

    #[test]
    fn input_seek_modes_and_trims() {
        let fast = InputFile::path("/in.mp4")
            .seek(t(5.0), SeekMode::Fast)
            .duration(t(2.0));
        let accurate = InputFile::path("/in.mp4")
            .seek(t(5.0), SeekMode::Accurate)
            .end(t(7.5));
        let cmd = Command::new()
            .input(fast)
            .input(accurate)
            .output(OutputFile::path("/o.mp4").map("0:v").map("1:a"));
        assert_eq!(
            argv(&cmd),
            [
                "-ss",
                "5.000000",
                "-noaccurate_seek",
                "-t",
                "2.000000",
                "-i",
                "/in.mp4",
                "-ss",
                "5.000000",
                "-accurate_seek",
                "-to",
                "7.500000",
                "-i",
                "/in.mp4",
                "-map",
                "0:v",
                "-map",
                "1:a",
                "/o.mp4"
            ]
        );
    }

    #[test]
    fn input_options_format_and_flags() {
        let cmd = Command::new()
            .input(
                InputFile::path("/in.ts")
                    .format("mpegts")
                    .option("itsoffset", "0.5")
                    .flag("re"),
            )
            .output(OutputFile::path("/o.mkv"));
        assert_eq!(
            argv(&cmd),
            [
                "-f",
                "mpegts",
                "-itsoffset",
                "0.5",
                "-re",
                "-i",
                "/in.ts",
                "/o.mkv"
            ]
        );
        assert_eq!(cmd.inputs()[0].source(), "/in.ts");
        assert_eq!(cmd.inputs()[0].seek_point(), None);
        assert_eq!(cmd.outputs()[0].target(), "/o.mkv");
    }

    #[test]
    fn raw_video_and_audio_inputs() {
        let cmd = Command::new()
            .input(InputFile::raw_video(
                "/f.rgb",
                "rgb24",
                64,
                48,
                FrameRate::new(30000, 1001),
            ))
            .input(InputFile::raw_audio("/s.pcm", "s16le", 48000, 2))
            .output(OutputFile::path("/o.mp4").video_codec("libx264"));
        assert_eq!(
            argv(&cmd),
            [
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-s",
                "64x48",
                "-r",
                "30000/1001",
                "-i",
                "/f.rgb",
                "-f",
                "s16le",
                "-ar",
                "48000",
                "-ac",
                "2",
                "-i",
                "/s.pcm",
                "-c:v",
                "libx264",
                "/o.mp4"
            ]
        );
        let cmd = Command::new()
            .input(InputFile::raw_video("/f.rgb", "rgb24", 2, 2, 25))
            .output(OutputFile::path("/o.png"));
        assert_eq!(argv(&cmd)[7], "25");
    }

    #[test]
    fn concat_list_and_input() {
        let (input, list) = InputFile::concat_list(
            "/list.txt",
            ["/a.mp4", "/dir with space/b.mp4", "/it's.mp4"],
        )
        .unwrap();
        assert_eq!(
            list,
            "ffconcat version 1.0\n\
             file '/a.mp4'\n\
             file '/dir with space/b.mp4'\n\
             file '/it'\\''s.mp4'\n"
        );
        let cmd = Command::new()
            .input(input)
            .output(OutputFile::path("/all.mp4").copy());
        assert_eq!(
            argv(&cmd),
            [
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                "/list.txt",
                "-c",
                "copy",
                "/all.mp4"
            ]
        );
    }

    #[test]
    fn concat_entries_with_points() {
        let list = ConcatList::new(["/a.mp4"])
            .push(ConcatEntry::new("/b.mp4").inpoint(t(1.0)).outpoint(t(2.5)))
            .push(String::from("/c.mp4"))
            .render()
            .unwrap();
        assert_eq!(
            list,
            "ffconcat version 1.0\nfile '/a.mp4'\nfile '/b.mp4'\ninpoint 1.000000\n\
             outpoint 2.500000\nfile '/c.mp4'\n"
        );
    }

    #[test]
    fn concat_list_refusals() {
        let reason = |list: ConcatList| match list.render() {
            Err(CommandError::InvalidArgument { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(ConcatList::default()), "has no file");
        assert_eq!(reason(ConcatList::new([""])), "must not be empty");
        assert_eq!(reason(ConcatList::new(["/a\0b"])), "contains a NUL byte");
        assert!(reason(ConcatList::new(["/a\nb"])).contains("line break"));
        assert!(reason(ConcatList::new(["/a\rb"])).contains("line break"));
        assert_eq!(
            reason(ConcatList::new([ConcatEntry::new("/a")
                .inpoint(t(2.0))
                .outpoint(t(2.0))])),
            "must be after the inpoint"
        );
        assert!(InputFile::concat_list("/l.txt", Vec::<String>::new()).is_err());
    }

    #[test]
    fn full_output_option_order() {
        let out = OutputFile::path("/o.mkv")
            .seek(t(1.0))
            .end(t(3.0))
            .map("0:v:0")
            .map("0:a?")
            .no_subtitles()
            .no_data()
            .video_codec("libx264")
            .audio_codec("flac")
            .preset("medium")
            .video_bitrate(1_000_000)
            .size(320, 240)
            .frame_rate(25)
            .sample_rate(44100)
            .channels(2)
            .frames(50)
            .video_filter("hflip")
            .audio_filter("volume=0.5")
            .bsf(StreamType::Audio, "null")
            .bsf(StreamType::Video, "h264_metadata=level=4.1")
            .bsf(StreamType::Video, "null")
            .map_metadata(0)
            .map_chapters(0)
            .metadata("title", "A = B")
            .metadata("comment", "")
            .stream_metadata("a:0", "language", "fra")
            .disposition("a:0", "default")
            .format("matroska")
            .format_option("-cluster_size_limit", "1000000")
            .flag("shortest");
        let a = argv(&simple(out));
        assert_eq!(
            a[2..],
            [
                "-ss",
                "1.000000",
                "-to",
                "3.000000",
                "-map",
                "0:v:0",
                "-map",
                "0:a?",
                "-sn",
                "-dn",
                "-c:v",
                "libx264",
                "-c:a",
                "flac",
                "-preset",
                "medium",
                "-b:v",
                "1000000",
                "-s",
                "320x240",
                "-r",
                "25",
                "-ar",
                "44100",
                "-ac",
                "2",
                "-frames:v",
                "50",
                "-vf",
                "hflip",
                "-af",
                "volume=0.5",
                "-bsf:v",
                "h264_metadata=level=4.1,null",
                "-bsf:a",
                "null",
                "-map_metadata",
                "0",
                "-map_chapters",
                "0",
                "-metadata",
                "title=A = B",
                "-metadata",
                "comment=",
                "-metadata:s:a:0",
                "language=fra",
                "-disposition:a:0",
                "default",
                "-f",
                "matroska",
                "-cluster_size_limit",
                "1000000",
                "-shortest",
                "/o.mkv"
            ]
        );
    }

    #[test]
    fn extract_audio_and_strip() {
        let out = OutputFile::path("/a.mp3")
            .no_video()
            .audio_codec("libmp3lame")
            .audio_bitrate(192_000)
            .strip_metadata()
            .strip_chapters();
        assert_eq!(
            argv(&simple(out))[2..],
            [
                "-vn",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "192000",
                "-map_metadata",
                "-1",
                "-map_chapters",
                "-1",
                "/a.mp3"
            ]
        );
    }

    #[test]
    fn copy_with_codec_override_and_bsf() {
        let out = OutputFile::path("/o.ts")
            .copy()
            .audio_codec("aac")
            .bsf(StreamType::Video, "h264_mp4toannexb")
            .format("mpegts");
        assert_eq!(
            argv(&simple(out))[2..],
            [
                "-c",
                "copy",
                "-c:a",
                "aac",
                "-bsf:v",
                "h264_mp4toannexb",
                "-f",
                "mpegts",
                "/o.ts"
            ]
        );
    }

    #[test]
    fn hls_packaging() {
        let out = OutputFile::path("/hls/index.m3u8")
            .video_codec("libx264")
            .audio_codec("aac")
            .format("hls")
            .format_option("hls_time", "2")
            .format_option("hls_list_size", "0")
            .format_option("hls_segment_filename", "/hls/seg_%03d.ts");
        assert_eq!(
            argv(&simple(out))[2..],
            [
                "-c:v",
                "libx264",
                "-c:a",
                "aac",
                "-f",
                "hls",
                "-hls_time",
                "2",
                "-hls_list_size",
                "0",
                "-hls_segment_filename",
                "/hls/seg_%03d.ts",
                "/hls/index.m3u8"
            ]
        );
    }

    #[test]
    fn thumbnails_frames() {
        let out = OutputFile::path("/thumb_%03d.png")
            .video_filter("fps=1,scale=160:-1")
            .frames(3)
            .video_codec("png");
        assert_eq!(
            argv(&simple(out))[2..],
            [
                "-c:v",
                "png",
                "-frames:v",
                "3",
                "-vf",
                "fps=1,scale=160:-1",
                "/thumb_%03d.png"
            ]
        );
    }

    #[test]
    fn filter_complex_two_outputs() {
        let cmd = Command::new()
            .input(InputFile::path("/a.mp4"))
            .input(InputFile::path("/b.png"))
            .filter_complex("[0:v][1:v]overlay=10:10,split[v1][v2]")
            .output(
                OutputFile::path("/big.mp4")
                    .map_graph("v1", StreamType::Video)
                    .map("0:a")
                    .audio_filter("volume=2")
                    .video_codec("libx264"),
            )
            .output(
                OutputFile::path("/small.mp4")
                    .map_graph("[v2]", StreamType::Video)
                    .size(160, 120),
            );
        assert_eq!(
            argv(&cmd),
            [
                "-i",
                "/a.mp4",
                "-i",
                "/b.png",
                "-filter_complex",
                "[0:v][1:v]overlay=10:10,split[v1][v2]",
                "-map",
                "[v1]",
                "-map",
                "0:a",
                "-c:v",
                "libx264",
                "-af",
                "volume=2",
                "/big.mp4",
                "-map",
                "[v2]",
                "-s",
                "160x120",
                "/small.mp4"
            ]
        );
    }

    #[test]
    fn graph_without_inputs_and_subtitles() {
        let cmd = Command::new()
            .filter_complex("testsrc=d=1[out]")
            .output(OutputFile::path("/o.mp4").map("[out]"));
        assert_eq!(
            argv(&cmd),
            [
                "-filter_complex",
                "testsrc=d=1[out]",
                "-map",
                "[out]",
                "/o.mp4"
            ]
        );
        let cmd = Command::new()
            .input(InputFile::path("/s.srt"))
            .output(OutputFile::path("/s.vtt").subtitle_codec("webvtt"));
        assert_eq!(argv(&cmd), ["-i", "/s.srt", "-c:s", "webvtt", "/s.vtt"]);
    }

    #[test]
    fn metadata_and_chapters_from_ffmetadata() {
        let cmd = Command::new()
            .input(InputFile::path("/in.mp4"))
            .input(InputFile::path("/meta.txt").format("ffmetadata"))
            .output(
                OutputFile::path("/out.mkv")
                    .map("0")
                    .map_metadata(1)
                    .map_chapters(1)
                    .copy(),
            );
        assert_eq!(
            argv(&cmd),
            [
                "-i",
                "/in.mp4",
                "-f",
                "ffmetadata",
                "-i",
                "/meta.txt",
                "-map",
                "0",
                "-c",
                "copy",
                "-map_metadata",
                "1",
                "-map_chapters",
                "1",
                "/out.mkv"
            ]
        );
    }

    #[test]
    fn accepted_edge_cases() {
        // Fast seek with stream copy is the keyframe clip.
        let fast = Command::new()
            .input(InputFile::path("/in.mp4").seek(t(3.0), SeekMode::Fast))
            .output(OutputFile::path("/o.mp4").copy());
        assert!(fast.validate().is_ok());
        // Accurate seek is fine when the copied output does not read it.
        let other = Command::new()
            .input(InputFile::path("/a.mp4"))
            .input(InputFile::path("/b.mp4").seek(t(3.0), SeekMode::Accurate))
            .output(OutputFile::path("/o.mp4").map("0").map("-1:v").copy());
        assert!(other.validate().is_ok());
        // Subtitle copy after an accurate seek; audio disabled, so not copied.
        let subs = Command::new()
            .input(InputFile::path("/in.mkv").seek(t(3.0), SeekMode::Accurate))
            .output(
                OutputFile::path("/o.mkv")
                    .video_codec("libx264")
                    .no_audio()
                    .subtitle_codec("copy"),
            );
        assert!(subs.validate().is_ok());
        // -vf is fine when the graph output mapped here is audio.
        let audio_graph = Command::new()
            .input(InputFile::path("/a.mp4"))
            .filter_complex("[0:a]volume=2[a]")
            .output(
                OutputFile::path("/o.mp4")
                    .map("0:v")
                    .map_graph("a", StreamType::Audio)
                    .video_filter("hflip"),
            );
        assert!(audio_graph.validate().is_ok());
        // Output seek and end: -to must be after -ss, which it is.
        let out_trim = simple(OutputFile::path("/o.mp4").seek(t(1.0)).end(t(1.5)));
        assert!(out_trim.validate().is_ok());
        // Frames and frame rate are allowed with stream copy.
        let copy_frames = simple(OutputFile::path("/o.mp4").copy().frames(10).frame_rate(25));
        assert!(copy_frames.validate().is_ok());
    }

    // --- refusals ---------------------------------------------------------

    #[test]
    fn no_inputs_no_outputs() {
        assert_eq!(err(&Command::new()), CommandError::NoInputs);
        assert_eq!(
            err(&Command::new().output(OutputFile::path("/o.mp4"))),
            CommandError::NoInputs
        );
        assert_eq!(
            err(&Command::new().input(InputFile::path("/i.mp4"))),
            CommandError::NoOutputs
        );
    }

    #[test]
    fn duration_and_end() {
        let cmd = Command::new()
            .input(InputFile::path("/i.mp4").duration(t(1.0)).end(t(2.0)))
            .output(OutputFile::path("/o.mp4"));
        assert_eq!(
            err(&cmd),
            CommandError::DurationAndEnd {
                target: FileIndex::Input(0)
            }
        );
        let cmd = simple(OutputFile::path("/o.mp4").duration(t(1.0)).end(t(2.0)));
        assert_eq!(
            err(&cmd),
            CommandError::DurationAndEnd {
                target: FileIndex::Output(0)
            }
        );
        assert_eq!(
            err(&cmd).to_string(),
            "output #0 has both a duration (-t) and an end time (-to); set only one"
        );
    }

    #[test]
    fn end_not_after_seek() {
        let cmd = Command::new()
            .input(InputFile::path("/i.mp4"))
            .input(
                InputFile::path("/j.mp4")
                    .seek(t(5.0), SeekMode::Accurate)
                    .end(t(4.0)),
            )
            .output(OutputFile::path("/o.mp4"));
        assert_eq!(
            err(&cmd),
            CommandError::EndNotAfterSeek {
                target: FileIndex::Input(1),
                seek: t(5.0),
                end: t(4.0)
            }
        );
        let cmd = simple(OutputFile::path("/o.mp4").seek(t(2.0)).end(t(2.0)));
        assert!(matches!(
            err(&cmd),
            CommandError::EndNotAfterSeek {
                target: FileIndex::Output(0),
                ..
            }
        ));
        let cmd = simple(OutputFile::path("/o.mp4").end(Time::ZERO));
        assert!(matches!(err(&cmd), CommandError::EndNotAfterSeek { .. }));
    }

    #[test]
    fn stream_copy_with_accurate_seek() {
        let accurate = || InputFile::path("/i.mp4").seek(t(3.0), SeekMode::Accurate);
        let cmd = Command::new()
            .input(accurate())
            .output(OutputFile::path("/o.mp4").copy());
        assert_eq!(
            err(&cmd),
            CommandError::StreamCopyWithAccurateSeek {
                output: 0,
                input: 0,
                kind: StreamType::Video
            }
        );
        // Video re-encoded, audio copied.
        let cmd = Command::new()
            .input(InputFile::path("/x.mp4"))
            .input(accurate())
            .output(
                OutputFile::path("/o.mp4")
                    .video_codec("libx264")
                    .audio_codec("copy"),
            );
        assert_eq!(
            err(&cmd),
            CommandError::StreamCopyWithAccurateSeek {
                output: 0,
                input: 1,
                kind: StreamType::Audio
            }
        );
        // Through an explicit map.
        let cmd = Command::new()
            .input(InputFile::path("/x.mp4"))
            .input(accurate())
            .output(OutputFile::path("/o.mp4").map("1:v?").video_codec("copy"));
        assert!(matches!(
            err(&cmd),
            CommandError::StreamCopyWithAccurateSeek { input: 1, .. }
        ));
    }

    #[test]
    fn output_without_streams() {
        let reason = |cmd: &Command| match err(cmd) {
            CommandError::OutputWithoutStreams { output: 0, reason } => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason(&simple(
                OutputFile::path("/o.mp4")
                    .no_video()
                    .no_audio()
                    .no_subtitles()
            )),
            "-vn, -an and -sn are all set"
        );
        assert_eq!(
            reason(&simple(
                OutputFile::path("/o.mp4").maps(Vec::<String>::new())
            )),
            "its -map list is empty"
        );
        assert_eq!(
            reason(&simple(OutputFile::path("/o.mp4").map("-0:v").map("-0:a"))),
            "every -map is negative"
        );
    }

    #[test]
    fn crf_rules() {
        assert_eq!(
            err(&simple(OutputFile::path("/o.mp4").crf(52))),
            CommandError::CrfOutOfRange { output: 0, crf: 52 }
        );
        assert!(simple(OutputFile::path("/o.mp4").crf(51))
            .validate()
            .is_ok());
        assert!(simple(OutputFile::path("/o.mp4").crf(0)).validate().is_ok());
        assert_eq!(
            err(&simple(
                OutputFile::path("/o.mp4").crf(20).video_bitrate(1000)
            )),
            CommandError::CrfWithVideoBitrate { output: 0 }
        );
    }

    #[test]
    fn options_for_disabled_streams() {
        let cases: [(OutputFile, StreamType, &str); 6] = [
            (
                OutputFile::path("/o").no_video().video_codec("libx264"),
                StreamType::Video,
                "-c:v",
            ),
            (
                OutputFile::path("/o").no_video().video_filter("hflip"),
                StreamType::Video,
                "-vf",
            ),
            (
                OutputFile::path("/o").no_video().frames(1),
                StreamType::Video,
                "-frames:v",
            ),
            (
                OutputFile::path("/o").no_audio().sample_rate(8000),
                StreamType::Audio,
                "-ar",
            ),
            (
                OutputFile::path("/o")
                    .no_audio()
                    .bsf(StreamType::Audio, "null"),
                StreamType::Audio,
                "-bsf:a",
            ),
            (
                OutputFile::path("/o").no_subtitles().subtitle_codec("srt"),
                StreamType::Subtitle,
                "-c:s",
            ),
        ];
        for (out, kind, option) in cases {
            assert_eq!(
                err(&simple(out)),
                CommandError::StreamDisabled {
                    output: 0,
                    kind,
                    option
                }
            );
        }
    }

    #[test]
    fn encoding_options_with_stream_copy() {
        let cases: [(OutputFile, StreamType, &str); 5] = [
            (
                OutputFile::path("/o").copy().crf(20),
                StreamType::Video,
                "-crf",
            ),
            (
                OutputFile::path("/o").video_codec("copy").size(2, 2),
                StreamType::Video,
                "-s",
            ),
            (
                OutputFile::path("/o").copy().video_filter("hflip"),
                StreamType::Video,
                "-vf",
            ),
            (
                OutputFile::path("/o")
                    .video_codec("libx264")
                    .copy()
                    .audio_filter("volume=2"),
                StreamType::Audio,
                "-af",
            ),
            (
                OutputFile::path("/o").audio_codec("copy").channels(1),
                StreamType::Audio,
                "-ac",
            ),
        ];
        for (out, kind, option) in cases {
            assert_eq!(
                err(&simple(out)),
                CommandError::EncodingWithStreamCopy {
                    output: 0,
                    kind,
                    option
                }
            );
        }
        // Re-encoding the video lifts it for video options.
        assert!(
            simple(OutputFile::path("/o").copy().video_codec("libx264").crf(20))
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn conflicting_filters() {
        let graph = |out: OutputFile| {
            Command::new()
                .input(InputFile::path("/a.mp4"))
                .input(InputFile::path("/b.mp4"))
                .filter_complex("[0:v][1:v]overlay[v]")
                .output(out)
        };
        // Declared video graph output + -vf.
        assert_eq!(
            err(&graph(
                OutputFile::path("/o.mp4")
                    .map_graph("v", StreamType::Video)
                    .video_filter("hflip")
            )),
            CommandError::ConflictingFilters {
                output: 0,
                option: "-vf",
                kind: StreamType::Video
            }
        );
        // Undeclared kind: conflicts with either.
        assert_eq!(
            err(&graph(
                OutputFile::path("/o.mp4")
                    .map("[v]")
                    .map("0:a")
                    .audio_filter("volume=2")
            )),
            CommandError::ConflictingFilters {
                output: 0,
                option: "-af",
                kind: StreamType::Audio
            }
        );
        // First output without maps receives unlabelled graph outputs.
        let cmd = Command::new()
            .input(InputFile::path("/a.mp4"))
            .filter_complex("[0:v]hflip")
            .output(OutputFile::path("/o.mp4").video_filter("vflip"));
        assert!(matches!(
            err(&cmd),
            CommandError::ConflictingFilters { output: 0, .. }
        ));
        // …but a second output without maps does not.
        let cmd = Command::new()
            .input(InputFile::path("/a.mp4"))
            .filter_complex("[0:v]hflip[h]")
            .output(OutputFile::path("/h.mp4").map("[h]"))
            .output(OutputFile::path("/o.mp4").video_filter("vflip"));
        assert!(cmd.validate().is_ok());
    }

    #[test]
    fn label_without_graph_and_index_ranges() {
        assert_eq!(
            err(&simple(OutputFile::path("/o.mp4").map("[v]"))),
            CommandError::LabelWithoutFilterGraph {
                output: 0,
                label: "v".into()
            }
        );
        assert_eq!(
            err(&simple(OutputFile::path("/o.mp4").map("1:a"))),
            CommandError::InputIndexOutOfRange {
                output: 0,
                option: "-map",
                index: 1,
                inputs: 1
            }
        );
        assert_eq!(
            err(&simple(OutputFile::path("/o.mp4").map_metadata(2))),
            CommandError::InputIndexOutOfRange {
                output: 0,
                option: "-map_metadata",
                index: 2,
                inputs: 1
            }
        );
        assert!(matches!(
            err(&simple(OutputFile::path("/o.mp4").map_chapters(5))),
            CommandError::InputIndexOutOfRange {
                option: "-map_chapters",
                ..
            }
        ));
        // The second output is checked too.
        let cmd = simple(OutputFile::path("/a.mp4")).output(OutputFile::path("/b.mp4").map("-3"));
        assert!(matches!(
            err(&cmd),
            CommandError::InputIndexOutOfRange {
                output: 1,
                index: 3,
                ..
            }
        ));
    }

    #[test]
    fn invalid_arguments() {
        let check = |cmd: Command, option: &str, reason: &str| match err(&cmd) {
            CommandError::InvalidArgument {
                option: o,
                reason: r,
                ..
            } => {
                assert_eq!((o.as_str(), r), (option, reason), "{cmd:?}");
            }
            other => panic!("{other:?}"),
        };
        let empty = "must not be empty";
        let nul = "contains a NUL byte";
        check(simple(OutputFile::path("")), "output", empty);
        check(
            Command::new()
                .input(InputFile::path(""))
                .output(OutputFile::path("/o")),
            "-i",
            empty,
        );
        check(
            Command::new()
                .input(InputFile::path("/a\0b"))
                .output(OutputFile::path("/o")),
            "-i",
            nul,
        );
        check(simple(OutputFile::path("/o\0")), "output", nul);
        check(
            simple(OutputFile::path("/o").video_codec("")),
            "-c:v",
            empty,
        );
        check(simple(OutputFile::path("/o").format("")), "-f", empty);
        check(simple(OutputFile::path("/o").preset("")), "-preset", empty);
        check(
            simple(OutputFile::path("/o").video_filter("")),
            "-vf",
            empty,
        );
        check(
            simple(OutputFile::path("/o").metadata("", "x")),
            "-metadata",
            empty,
        );
        check(
            simple(OutputFile::path("/o").metadata("a=b", "x")),
            "-metadata",
            "a metadata key must not contain '='",
        );
        check(
            simple(OutputFile::path("/o").metadata("k", "v\0")),
            "-metadata",
            nul,
        );
        check(
            simple(OutputFile::path("/o").stream_metadata("a 0", "k", "v")),
            "-metadata:s:a 0",
            "a stream specifier must not contain whitespace",
        );
        check(
            simple(OutputFile::path("/o").disposition("s:0", "")),
            "-disposition:s:0",
            empty,
        );
        check(
            simple(OutputFile::path("/o").bsf(StreamType::Video, "")),
            "-bsf:v",
            empty,
        );
        check(
            simple(OutputFile::path("/o").size(0, 10)),
            "-s",
            "width and height must be non-zero",
        );
        check(
            simple(OutputFile::path("/o").frame_rate(FrameRate::new(25, 0))),
            "-r",
            "frame rate numerator and denominator must be non-zero",
        );
        check(
            simple(OutputFile::path("/o").sample_rate(0)),
            "-ar",
            "must be non-zero",
        );
        check(
            simple(OutputFile::path("/o").video_bitrate(0)),
            "-b:v",
            "must be non-zero",
        );
        check(
            Command::new()
                .input(InputFile::raw_audio("/s.pcm", "s16le", 48000, 0))
                .output(OutputFile::path("/o")),
            "-ac",
            "must be non-zero",
        );
        check(
            simple(OutputFile::path("/o").option("", "x")),
            "option name",
            empty,
        );
        check(
            simple(OutputFile::path("/o").option("bad name", "x")),
            "option name",
            "must not contain whitespace or '='",
        );
        check(
            simple(OutputFile::path("/o").option("-k", "a\0")),
            "-k",
            nul,
        );
        check(
            simple(OutputFile::path("/o")).global("x=y", "1"),
            "option name",
            "must not contain whitespace or '='",
        );
        check(
            simple(OutputFile::path("/o")).raw(["\0"]),
            "raw argument",
            nul,
        );
        check(
            Command::new()
                .filter_complex("")
                .output(OutputFile::path("/o")),
            "-filter_complex",
            empty,
        );
        check(simple(OutputFile::path("/o").map("")), "-map", empty);
        check(
            simple(OutputFile::path("/o").map("v:0")),
            "-map",
            "must start with an input index (0, 1:a, -0:s…) or be a [label]",
        );
        check(
            simple(OutputFile::path("/o").map("0 :v")),
            "-map",
            "must not contain whitespace",
        );
        check(
            simple(OutputFile::path("/o").map("[]")),
            "-map",
            "a graph label is written [name]",
        );
        // NUL values are shown escaped in the error.
        let e = err(&simple(OutputFile::path("/o\0")));
        assert!(e.to_string().contains(r#""/o\0""#), "{e}");
    }
}
