//! Typed ffprobe results.
//!
//! [`MediaInfo`] is what `ffprobe -v error -print_format json -show_format
//! -show_streams -show_chapters FILE` says about a file (see
//! [`MediaInfo::probe_args`]), parsed with serde into typed values: a
//! [`Format`], its [`Stream`]s and [`Chapter`]s.
//!
//! ffprobe prints many numbers as JSON strings (`"duration": "2.000000"`,
//! `"sample_rate": "44100"`), frame rates as fractions (`"30000/1001"`, `"0/0"`
//! when unknown) and flags as `0`/`1`. The parser accepts a string or a
//! number wherever a number is expected, and reads a missing field, `null`,
//! `""` and `"N/A"` as "unknown" (`None`). A value that is present but is
//! not a number is an error, not a silent `None`.
//!
//! ```
//! use afmpeg::media_info::{MediaInfo, StreamKind};
//!
//! let json = r#"{
//!   "streams": [{ "index": 0, "codec_type": "video", "codec_name": "h264",
//!                 "width": 320, "height": 240, "r_frame_rate": "25/1",
//!                 "avg_frame_rate": "25/1", "nb_frames": "50",
//!                 "tags": { "language": "und" } }],
//!   "format": { "filename": "/t.mp4", "format_name": "mov,mp4,m4a,3gp,3g2,mj2",
//!               "nb_streams": 1, "duration": "2.000000", "size": "63058" }
//! }"#;
//! let info = MediaInfo::from_json(json)?;
//! assert_eq!(info.duration(), Some(2.0));
//! let video = info.video_streams().next().unwrap();
//! assert_eq!(video.kind, StreamKind::Video);
//! assert_eq!((video.width, video.height), (Some(320), Some(240)));
//! assert_eq!(video.frame_rate.map(|r| r.as_f64()), Some(25.0));
//! assert_eq!(video.nb_frames, Some(50));
//! assert_eq!(video.language.as_deref(), Some("und"));
//! # Ok::<(), afmpeg::media_info::ProbeParseError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Why ffprobe's output could not be read as a [`MediaInfo`].
///
/// ```
/// use afmpeg::media_info::{MediaInfo, ProbeParseError};
/// assert!(matches!(MediaInfo::from_json("{}"), Err(ProbeParseError::MissingFormat)));
/// assert!(matches!(MediaInfo::from_json("not json"), Err(ProbeParseError::Json(_))));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeParseError {
    /// The output was empty (ffprobe failed before printing; see its stderr).
    #[error("ffprobe printed no JSON (it probably failed; see its stderr)")]
    Empty,
    /// The output is not JSON, or a field has an unexpected value.
    #[error("ffprobe output is not the expected JSON")]
    Json(#[from] serde_json::Error),
    /// The JSON has no `format` section (ffprobe ran without `-show_format`).
    #[error("ffprobe output has no \"format\" section (run it with -show_format)")]
    MissingFormat,
    /// A chapter has neither a `start_time`/`end_time` nor a `start`/`end`
    /// with a `time_base`.
    #[error("chapter {id} has no usable {field} time")]
    ChapterWithoutTime {
        /// The chapter's id.
        id: i64,
        /// `"start"` or `"end"`.
        field: &'static str,
    },
}

/// A fraction such as a frame rate (`30000/1001`), a time base (`1/1000`)
/// or an aspect ratio (`4:3`). Never has a zero denominator.
///
/// ```
/// use afmpeg::media_info::Rational;
/// let fps: Rational = "30000/1001".parse()?;
/// assert!((fps.as_f64() - 29.97).abs() < 0.01);
/// # Ok::<(), afmpeg::media_info::ParseRationalError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    /// Numerator.
    pub num: u32,
    /// Denominator, never zero.
    pub den: u32,
}

impl Rational {
    /// `num/den`; `None` when `den` is zero.
    ///
    /// ```
    /// use afmpeg::media_info::Rational;
    /// assert_eq!(Rational::new(25, 1).map(Rational::as_f64), Some(25.0));
    /// assert_eq!(Rational::new(1, 0), None);
    /// ```
    pub const fn new(num: u32, den: u32) -> Option<Rational> {
        if den == 0 {
            None
        } else {
            Some(Rational { num, den })
        }
    }

    /// The value as a float, e.g. `29.97002997002997` for `30000/1001`.
    ///
    /// ```
    /// assert_eq!(afmpeg::media_info::Rational::new(1, 4).unwrap().as_f64(), 0.25);
    /// ```
    pub fn as_f64(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// The error of [`Rational::from_str`].
///
/// ```
/// use afmpeg::media_info::Rational;
/// let err = "25".parse::<Rational>().unwrap_err();
/// assert_eq!(err.to_string(), "\"25\" is not a fraction like 25/1 or 4:3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a fraction like 25/1 or 4:3")]
pub struct ParseRationalError(String);

/// Serialized as text, `"30000/1001"`, as ffprobe writes it.
impl Serialize for Rational {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl FromStr for Rational {
    type Err = ParseRationalError;

    /// Parses `num/den` or `num:den`; a zero denominator is an error.
    fn from_str(s: &str) -> Result<Rational, ParseRationalError> {
        let err = || ParseRationalError(s.to_owned());
        let (num, den) = s.split_once(['/', ':']).ok_or_else(err)?;
        let num = num.trim().parse().map_err(|_| err())?;
        let den = den.trim().parse().map_err(|_| err())?;
        Rational::new(num, den).ok_or_else(err)
    }
}

/// What a stream carries (ffprobe's `codec_type`).
///
/// ```
/// use afmpeg::media_info::StreamKind;
/// assert_eq!(StreamKind::Audio.to_string(), "audio");
/// assert_eq!(StreamKind::default(), StreamKind::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    /// `video` (including cover art, see [`Disposition::attached_pic`]).
    Video,
    /// `audio`
    Audio,
    /// `subtitle`
    Subtitle,
    /// `data`
    Data,
    /// `attachment` (e.g. fonts in Matroska)
    Attachment,
    /// Missing or anything else.
    #[default]
    #[serde(other)]
    Unknown,
}

impl StreamKind {
    /// ffprobe's name for it (`"unknown"` for [`Unknown`](StreamKind::Unknown)).
    ///
    /// ```
    /// assert_eq!(afmpeg::media_info::StreamKind::Subtitle.as_str(), "subtitle");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            StreamKind::Video => "video",
            StreamKind::Audio => "audio",
            StreamKind::Subtitle => "subtitle",
            StreamKind::Data => "data",
            StreamKind::Attachment => "attachment",
            StreamKind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for StreamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stream's disposition flags (ffprobe prints each as `0` or `1`).
/// Flags FFmpeg 5.1 does not know are ignored; missing ones are `false`.
///
/// ```
/// let json = r#"{
///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
///                 "tags": { "TITLE": "Holiday" } },
///     "streams": [
///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
///           "channels": 2, "tags": { "language": "eng" } }
///     ],
///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
/// }"#;
/// let info = afmpeg::MediaInfo::from_json(json)?;
/// let d = info.video_streams().next().unwrap().disposition;
/// assert!(d.default && !d.attached_pic);
/// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Disposition {
    /// The stream players pick by default.
    #[serde(deserialize_with = "flag")]
    pub default: bool,
    /// A dubbed (translated) track.
    #[serde(deserialize_with = "flag")]
    pub dub: bool,
    /// The original-language track.
    #[serde(deserialize_with = "flag")]
    pub original: bool,
    /// A commentary track.
    #[serde(deserialize_with = "flag")]
    pub comment: bool,
    /// Lyrics.
    #[serde(deserialize_with = "flag")]
    pub lyrics: bool,
    /// A karaoke track.
    #[serde(deserialize_with = "flag")]
    pub karaoke: bool,
    /// Subtitles to show even when subtitles are off (e.g. foreign dialogue).
    #[serde(deserialize_with = "flag")]
    pub forced: bool,
    /// For the hearing impaired.
    #[serde(deserialize_with = "flag")]
    pub hearing_impaired: bool,
    /// For the visually impaired (audio description).
    #[serde(deserialize_with = "flag")]
    pub visual_impaired: bool,
    /// Music and effects only, no dialogue.
    #[serde(deserialize_with = "flag")]
    pub clean_effects: bool,
    /// Cover art: a still picture attached to an audio file.
    #[serde(deserialize_with = "flag")]
    pub attached_pic: bool,
    /// Thumbnails at timestamps.
    #[serde(deserialize_with = "flag")]
    pub timed_thumbnails: bool,
    /// Captions (transcribed dialogue and sounds).
    #[serde(deserialize_with = "flag")]
    pub captions: bool,
    /// Textual descriptions of the video.
    #[serde(deserialize_with = "flag")]
    pub descriptions: bool,
    /// Timed metadata.
    #[serde(deserialize_with = "flag")]
    pub metadata: bool,
    /// Only meaningful together with another stream.
    #[serde(deserialize_with = "flag")]
    pub dependent: bool,
    /// A still image in a video stream.
    #[serde(deserialize_with = "flag")]
    pub still_image: bool,
}

/// Container-level facts (ffprobe's `format` section).
///
/// ```
/// let json = r#"{
///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
///                 "tags": { "TITLE": "Holiday" } },
///     "streams": [
///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
///           "channels": 2, "tags": { "language": "eng" } }
///     ],
///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
/// }"#;
/// let info = afmpeg::MediaInfo::from_json(json)?;
/// assert_eq!((info.format.filename.as_str(), info.format.duration), ("/in.mkv", Some(12.5)));
/// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Format {
    /// The path as ffprobe opened it.
    pub filename: String,
    /// The demuxer's name(s), comma-separated, e.g. `mov,mp4,m4a,3gp,3g2,mj2`;
    /// see [`Format::format_names`].
    pub format_name: String,
    /// The demuxer's description, e.g. `QuickTime / MOV`.
    #[serde(deserialize_with = "text")]
    pub format_long_name: Option<String>,
    /// Number of streams.
    #[serde(deserialize_with = "count")]
    pub nb_streams: u32,
    /// Number of programs (MPEG-TS).
    #[serde(deserialize_with = "count")]
    pub nb_programs: u32,
    /// First timestamp, in seconds.
    #[serde(deserialize_with = "number")]
    pub start_time: Option<f64>,
    /// Duration, in seconds.
    #[serde(deserialize_with = "number")]
    pub duration: Option<f64>,
    /// File size, in bytes.
    #[serde(deserialize_with = "number")]
    pub size: Option<u64>,
    /// Overall bit rate, in bits per second.
    #[serde(deserialize_with = "number")]
    pub bit_rate: Option<u64>,
    /// How sure the demuxer was (0–100).
    #[serde(deserialize_with = "number")]
    pub probe_score: Option<u32>,
    /// Global metadata, keys as stored (Matroska upper-cases most of them;
    /// see [`Format::tag`]).
    #[serde(deserialize_with = "tags")]
    pub tags: BTreeMap<String, String>,
}

impl Format {
    /// The demuxer names in [`format_name`](Format::format_name).
    ///
    /// ```
    /// let json = r#"{
    ///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
    ///                 "tags": { "TITLE": "Holiday" } },
    ///     "streams": [
    ///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
    ///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
    ///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
    ///           "channels": 2, "tags": { "language": "eng" } }
    ///     ],
    ///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
    /// }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// assert_eq!(info.format.format_names().collect::<Vec<_>>(), ["matroska", "webm"]);
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn format_names(&self) -> impl Iterator<Item = &str> {
        self.format_name.split(',').filter(|s| !s.is_empty())
    }

    /// A tag by key, ignoring ASCII case (`title` finds `TITLE`).
    ///
    /// ```
    /// let info = afmpeg::MediaInfo::from_json(r#"{ "format": { "format_name": "matroska", "tags": { "ENCODER": "Lavf59" } } }"#)?;
    /// assert_eq!(info.format.tag("encoder"), Some("Lavf59"));
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn tag(&self, key: &str) -> Option<&str> {
        find_tag(&self.tags, key)
    }

    /// The `title` tag.
    ///
    /// ```
    /// let json = r#"{
    ///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
    ///                 "tags": { "TITLE": "Holiday" } },
    ///     "streams": [
    ///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
    ///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
    ///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
    ///           "channels": 2, "tags": { "language": "eng" } }
    ///     ],
    ///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
    /// }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// assert_eq!(info.format.title(), Some("Holiday"));
    /// assert_eq!(info.format.tag("title"), info.format.tag("TITLE"));
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn title(&self) -> Option<&str> {
        self.tag("title")
    }
}

/// One elementary stream (an entry of ffprobe's `streams`).
///
/// Fields that do not apply to the stream's kind (a width for audio) or that
/// the container does not record are `None`.
///
/// ```
/// let json = r#"{
///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
///                 "tags": { "TITLE": "Holiday" } },
///     "streams": [
///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
///           "channels": 2, "tags": { "language": "eng" } }
///     ],
///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
/// }"#;
/// let info = afmpeg::MediaInfo::from_json(json)?;
/// let s = &info.streams[1];
/// assert_eq!((s.index, s.kind.as_str(), s.sample_rate), (1, "audio", Some(48000)));
/// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Stream {
    /// Index in the file, as in `-map 0:INDEX`.
    pub index: u32,
    /// Video, audio, subtitle…
    pub kind: StreamKind,
    /// Codec short name, e.g. `h264`, `aac`, `subrip`.
    pub codec_name: Option<String>,
    /// Codec description.
    pub codec_long_name: Option<String>,
    /// Codec profile, e.g. `High`, `LC`.
    pub profile: Option<String>,
    /// Frame width in pixels.
    pub width: Option<u32>,
    /// Frame height in pixels.
    pub height: Option<u32>,
    /// Pixel format, e.g. `yuv420p`.
    pub pix_fmt: Option<String>,
    /// Sample (pixel) aspect ratio, e.g. `1:1`; `None` when unknown (`0:1`).
    pub sample_aspect_ratio: Option<Rational>,
    /// Display aspect ratio, e.g. `4:3`; `None` when unknown.
    pub display_aspect_ratio: Option<Rational>,
    /// Frame rate: ffprobe's `avg_frame_rate`, or `r_frame_rate` when the
    /// average is unknown; `None` for streams without frames (`0/0`).
    pub frame_rate: Option<Rational>,
    /// ffprobe's `r_frame_rate`: the lowest rate that represents every
    /// timestamp exactly (differs from the average for variable frame rate).
    pub real_frame_rate: Option<Rational>,
    /// Time base of the stream's timestamps.
    pub time_base: Option<Rational>,
    /// Audio sample format, e.g. `fltp`, `s16`.
    pub sample_fmt: Option<String>,
    /// Audio sample rate in Hz.
    pub sample_rate: Option<u32>,
    /// Audio channel count.
    pub channels: Option<u32>,
    /// Audio channel layout, e.g. `stereo`.
    pub channel_layout: Option<String>,
    /// The `language` tag, ISO 639-2 (`eng`, `fra`, or `und` for
    /// "undetermined", kept as written).
    pub language: Option<String>,
    /// The `title` tag.
    pub title: Option<String>,
    /// Disposition flags.
    pub disposition: Disposition,
    /// All stream tags, keys as stored.
    pub tags: BTreeMap<String, String>,
    /// First timestamp, in seconds.
    pub start_time: Option<f64>,
    /// Duration in seconds: ffprobe's `duration`, or else the `DURATION`
    /// tag Matroska muxers write (`00:00:02.002000000`).
    pub duration: Option<f64>,
    /// Number of frames (packets for audio), where the container records it.
    pub nb_frames: Option<u64>,
    /// Bit rate in bits per second, where known.
    pub bit_rate: Option<u64>,
}

impl Stream {
    /// A tag by key, ignoring ASCII case.
    ///
    /// ```
    /// let json = r#"{ "format": {}, "streams": [ { "index": 0, "tags": { "LANGUAGE": "fra" } } ] }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// assert_eq!(info.streams[0].tag("language"), Some("fra"));
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn tag(&self, key: &str) -> Option<&str> {
        find_tag(&self.tags, key)
    }
}

/// One chapter (an entry of ffprobe's `chapters`).
///
/// ```
/// let json = r#"{
///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
///                 "tags": { "TITLE": "Holiday" } },
///     "streams": [
///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
///           "channels": 2, "tags": { "language": "eng" } }
///     ],
///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
/// }"#;
/// let info = afmpeg::MediaInfo::from_json(json)?;
/// let c = &info.chapters[0];
/// assert_eq!((c.start, c.end, c.title.as_deref()), (0.0, 5.0, Some("Intro")));
/// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Chapter {
    /// The chapter id (Matroska writes large random ids).
    pub id: i64,
    /// Start, in seconds (`start_time` in JSON, ffprobe's name: its
    /// `start` counts ticks of the chapter's time base).
    #[serde(rename = "start_time")]
    pub start: f64,
    /// End, in seconds (`end_time` in JSON).
    #[serde(rename = "end_time")]
    pub end: f64,
    /// The `title` tag.
    pub title: Option<String>,
    /// All chapter tags.
    pub tags: BTreeMap<String, String>,
}

/// What ffprobe says about a file: container, streams and chapters.
///
/// Deserializes from ffprobe's JSON (so `serde_json::from_slice::<MediaInfo>`
/// works too); [`MediaInfo::from_json`] gives the typed error.
///
/// Serializes to its own JSON: the field names of these types (a stream's
/// `kind`, `frame_rate`, `language`…, a chapter's `start_time`/`end_time`
/// in seconds), numbers as JSON numbers, fractions as `"num/den"` strings,
/// unknown values as `null`. That JSON is read back by
/// [`MediaInfo::from_json`] into an equal value (it is what `afmpeg probe
/// --json` prints; see docs/reference/cli.md).
///
/// ```
/// use afmpeg::media_info::MediaInfo;
///
/// let ffprobe = r#"{ "format": { "filename": "/a.wav", "format_name": "wav",
///                                "duration": "1.500000" },
///                    "streams": [{ "index": 0, "codec_type": "audio",
///                                  "codec_name": "pcm_s16le", "sample_rate": "48000",
///                                  "channels": 1 }] }"#;
/// let info = MediaInfo::from_json(ffprobe)?;
/// let json: serde_json::Value = serde_json::to_value(&info)?;
/// assert_eq!(json["format"]["duration"], 1.5);
/// assert_eq!(json["streams"][0]["kind"], "audio");
/// assert_eq!(json["streams"][0]["sample_rate"], 48000);
/// assert_eq!(MediaInfo::from_json(&json.to_string())?, info);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```no_run
/// use afmpeg::{Filesystem, Runtime};
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// rt.run(&fs, &["-f", "lavfi", "-i", "testsrc=d=2", "-f", "lavfi", "-i", "sine=d=2", "/av.mp4"])?;
/// let info = rt.probe(&fs, "/av.mp4")?;
/// assert_eq!((info.video_streams().count(), info.audio_streams().count()), (1, 1));
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "RawMediaInfo")]
pub struct MediaInfo {
    /// The container.
    pub format: Format,
    /// The streams, in file order.
    pub streams: Vec<Stream>,
    /// The chapters, in file order (empty when none).
    pub chapters: Vec<Chapter>,
}

impl MediaInfo {
    /// The ffprobe arguments (after `argv[0]`) whose output
    /// [`from_json`](MediaInfo::from_json) reads.
    ///
    /// ```
    /// let args = afmpeg::MediaInfo::probe_args("/in.mp4");
    /// assert_eq!(args.last().map(String::as_str), Some("/in.mp4"));
    /// ```
    pub fn probe_args(path: &str) -> Vec<String> {
        [
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_chapters",
            path,
        ]
        .map(str::to_owned)
        .to_vec()
    }

    /// Parses ffprobe's JSON output.
    ///
    /// ```
    /// use afmpeg::MediaInfo;
    ///
    /// let json = r#"{ "format": { "format_name": "wav", "duration": "1.500000" },
    ///                 "streams": [ { "index": 0, "codec_type": "audio", "codec_name": "pcm_s16le",
    ///                                "sample_rate": "48000", "channels": 2 } ] }"#;
    /// let info = MediaInfo::from_json(json)?;
    /// assert_eq!(info.duration(), Some(1.5));
    /// let audio = info.audio_streams().next().unwrap();
    /// assert_eq!((audio.sample_rate, audio.channels), (Some(48000), Some(2)));
    /// assert_eq!(info.video_streams().count(), 0);
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<MediaInfo, ProbeParseError> {
        if json.trim().is_empty() {
            return Err(ProbeParseError::Empty);
        }
        let raw: RawMediaInfo = serde_json::from_str(json)?;
        MediaInfo::try_from(raw)
    }

    /// Parses ffprobe's JSON output as bytes (a run's captured stdout).
    ///
    /// ```
    /// use afmpeg::media_info::{MediaInfo, ProbeParseError};
    /// assert!(matches!(MediaInfo::from_json_bytes(b""), Err(ProbeParseError::Empty)));
    /// let info = MediaInfo::from_json_bytes(br#"{ "format": { "format_name": "wav" } }"#)?;
    /// assert_eq!(info.format.format_name, "wav");
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn from_json_bytes(json: &[u8]) -> Result<MediaInfo, ProbeParseError> {
        if json.trim_ascii().is_empty() {
            return Err(ProbeParseError::Empty);
        }
        let raw: RawMediaInfo = serde_json::from_slice(json)?;
        MediaInfo::try_from(raw)
    }

    /// The streams of one kind, in file order.
    ///
    /// ```
    /// let json = r#"{
    ///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
    ///                 "tags": { "TITLE": "Holiday" } },
    ///     "streams": [
    ///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
    ///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
    ///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
    ///           "channels": 2, "tags": { "language": "eng" } }
    ///     ],
    ///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
    /// }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// use afmpeg::media_info::StreamKind;
    /// assert_eq!(info.streams_of(StreamKind::Subtitle).count(), 0);
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn streams_of(&self, kind: StreamKind) -> impl Iterator<Item = &Stream> {
        self.streams.iter().filter(move |s| s.kind == kind)
    }

    /// The video streams (cover art included; see
    /// [`Disposition::attached_pic`]).
    ///
    /// ```
    /// let json = r#"{
    ///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
    ///                 "tags": { "TITLE": "Holiday" } },
    ///     "streams": [
    ///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
    ///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
    ///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
    ///           "channels": 2, "tags": { "language": "eng" } }
    ///     ],
    ///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
    /// }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// let v = info.video_streams().next().unwrap();
    /// assert_eq!((v.width, v.height), (Some(640), Some(360)));
    /// assert!(v.disposition.default);
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn video_streams(&self) -> impl Iterator<Item = &Stream> {
        self.streams_of(StreamKind::Video)
    }

    /// The audio streams.
    ///
    /// ```
    /// let json = r#"{
    ///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
    ///                 "tags": { "TITLE": "Holiday" } },
    ///     "streams": [
    ///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
    ///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
    ///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
    ///           "channels": 2, "tags": { "language": "eng" } }
    ///     ],
    ///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
    /// }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// let a = info.audio_streams().next().unwrap();
    /// assert_eq!((a.codec_name.as_deref(), a.tag("LANGUAGE")), (Some("opus"), Some("eng")));
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn audio_streams(&self) -> impl Iterator<Item = &Stream> {
        self.streams_of(StreamKind::Audio)
    }

    /// The subtitle streams.
    ///
    /// ```
    /// let json = r#"{
    ///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
    ///                 "tags": { "TITLE": "Holiday" } },
    ///     "streams": [
    ///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
    ///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
    ///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
    ///           "channels": 2, "tags": { "language": "eng" } }
    ///     ],
    ///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
    /// }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// assert_eq!(info.subtitle_streams().count(), 0);
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn subtitle_streams(&self) -> impl Iterator<Item = &Stream> {
        self.streams_of(StreamKind::Subtitle)
    }

    /// The duration in seconds: the container's, or else the longest
    /// stream's; `None` when nothing records one.
    ///
    /// ```
    /// let json = r#"{
    ///     "format": { "filename": "/in.mkv", "format_name": "matroska,webm", "duration": "12.500000",
    ///                 "tags": { "TITLE": "Holiday" } },
    ///     "streams": [
    ///         { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
    ///           "avg_frame_rate": "25/1", "disposition": { "default": 1 } },
    ///         { "index": 1, "codec_type": "audio", "codec_name": "opus", "sample_rate": "48000",
    ///           "channels": 2, "tags": { "language": "eng" } }
    ///     ],
    ///     "chapters": [ { "id": 0, "start_time": "0.000000", "end_time": "5.000000", "tags": { "title": "Intro" } } ]
    /// }"#;
    /// let info = afmpeg::MediaInfo::from_json(json)?;
    /// assert_eq!(info.duration(), Some(12.5));
    /// # Ok::<(), afmpeg::media_info::ProbeParseError>(())
    /// ```
    pub fn duration(&self) -> Option<f64> {
        self.format.duration.or_else(|| {
            self.streams
                .iter()
                .filter_map(|s| s.duration)
                .reduce(f64::max)
        })
    }
}

impl FromStr for MediaInfo {
    type Err = ProbeParseError;

    fn from_str(json: &str) -> Result<MediaInfo, ProbeParseError> {
        MediaInfo::from_json(json)
    }
}

fn find_tag<'a>(tags: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    tags.get(key)
        .or_else(|| {
            tags.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .map(String::as_str)
}

/// Parses Matroska's `DURATION` tag: `HH:MM:SS.fffffffff`.
fn parse_hms(s: &str) -> Option<f64> {
    let mut parts = s.trim().splitn(3, ':');
    let h: u64 = parts.next()?.parse().ok()?;
    let m: u64 = parts.next()?.parse().ok()?;
    let sec: f64 = parts.next()?.parse().ok()?;
    (m < 60 && (0.0..60.0).contains(&sec)).then(|| (h * 3600 + m * 60) as f64 + sec)
}

// ---------------------------------------------------------------------------
// ffprobe's shape, converted to the public types.

#[derive(Deserialize)]
struct RawMediaInfo {
    format: Option<Format>,
    #[serde(default)]
    streams: Vec<RawStream>,
    #[serde(default)]
    chapters: Vec<RawChapter>,
}

impl TryFrom<RawMediaInfo> for MediaInfo {
    type Error = ProbeParseError;

    fn try_from(raw: RawMediaInfo) -> Result<MediaInfo, ProbeParseError> {
        Ok(MediaInfo {
            format: raw.format.ok_or(ProbeParseError::MissingFormat)?,
            streams: raw.streams.into_iter().map(Stream::from).collect(),
            chapters: raw
                .chapters
                .into_iter()
                .map(Chapter::try_from)
                .collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStream {
    #[serde(deserialize_with = "count")]
    index: u32,
    /// `kind` is this field's name in [`MediaInfo`]'s own JSON.
    #[serde(alias = "kind")]
    codec_type: StreamKind,
    #[serde(deserialize_with = "text")]
    codec_name: Option<String>,
    #[serde(deserialize_with = "text")]
    codec_long_name: Option<String>,
    #[serde(deserialize_with = "text")]
    profile: Option<String>,
    #[serde(deserialize_with = "number")]
    width: Option<u32>,
    #[serde(deserialize_with = "number")]
    height: Option<u32>,
    #[serde(deserialize_with = "text")]
    pix_fmt: Option<String>,
    #[serde(deserialize_with = "fraction")]
    sample_aspect_ratio: Option<Rational>,
    #[serde(deserialize_with = "fraction")]
    display_aspect_ratio: Option<Rational>,
    /// Only in [`MediaInfo`]'s own JSON (ffprobe has no such field).
    #[serde(deserialize_with = "fraction")]
    frame_rate: Option<Rational>,
    #[serde(deserialize_with = "fraction", alias = "real_frame_rate")]
    r_frame_rate: Option<Rational>,
    #[serde(deserialize_with = "fraction")]
    avg_frame_rate: Option<Rational>,
    #[serde(deserialize_with = "fraction")]
    time_base: Option<Rational>,
    #[serde(deserialize_with = "text")]
    sample_fmt: Option<String>,
    #[serde(deserialize_with = "number")]
    sample_rate: Option<u32>,
    #[serde(deserialize_with = "number")]
    channels: Option<u32>,
    #[serde(deserialize_with = "text")]
    channel_layout: Option<String>,
    #[serde(deserialize_with = "number")]
    start_time: Option<f64>,
    #[serde(deserialize_with = "number")]
    duration: Option<f64>,
    #[serde(deserialize_with = "number")]
    nb_frames: Option<u64>,
    #[serde(deserialize_with = "number")]
    bit_rate: Option<u64>,
    disposition: Disposition,
    #[serde(deserialize_with = "tags")]
    tags: BTreeMap<String, String>,
}

impl From<RawStream> for Stream {
    fn from(raw: RawStream) -> Stream {
        let tag = |key| find_tag(&raw.tags, key).map(str::to_owned);
        let duration = raw
            .duration
            .or_else(|| find_tag(&raw.tags, "DURATION").and_then(parse_hms));
        Stream {
            index: raw.index,
            kind: raw.codec_type,
            codec_name: raw.codec_name,
            codec_long_name: raw.codec_long_name,
            profile: raw.profile,
            width: raw.width,
            height: raw.height,
            pix_fmt: raw.pix_fmt,
            sample_aspect_ratio: raw.sample_aspect_ratio,
            display_aspect_ratio: raw.display_aspect_ratio,
            frame_rate: raw.frame_rate.or(raw.avg_frame_rate).or(raw.r_frame_rate),
            real_frame_rate: raw.r_frame_rate,
            time_base: raw.time_base,
            sample_fmt: raw.sample_fmt,
            sample_rate: raw.sample_rate,
            channels: raw.channels,
            channel_layout: raw.channel_layout,
            language: tag("language"),
            title: tag("title"),
            disposition: raw.disposition,
            start_time: raw.start_time,
            duration,
            nb_frames: raw.nb_frames,
            bit_rate: raw.bit_rate,
            tags: raw.tags,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawChapter {
    #[serde(deserialize_with = "number")]
    id: Option<i64>,
    #[serde(deserialize_with = "fraction")]
    time_base: Option<Rational>,
    #[serde(deserialize_with = "number")]
    start: Option<i64>,
    #[serde(deserialize_with = "number")]
    start_time: Option<f64>,
    #[serde(deserialize_with = "number")]
    end: Option<i64>,
    #[serde(deserialize_with = "number")]
    end_time: Option<f64>,
    #[serde(deserialize_with = "tags")]
    tags: BTreeMap<String, String>,
}

impl TryFrom<RawChapter> for Chapter {
    type Error = ProbeParseError;

    fn try_from(raw: RawChapter) -> Result<Chapter, ProbeParseError> {
        let id = raw.id.unwrap_or(0);
        // Seconds as printed, or else the tick count times the time base.
        let seconds = |secs: Option<f64>, ticks: Option<i64>, field| {
            secs.or_else(|| {
                let tb = raw.time_base?;
                Some(ticks? as f64 * tb.as_f64())
            })
            .ok_or(ProbeParseError::ChapterWithoutTime { id, field })
        };
        Ok(Chapter {
            id,
            start: seconds(raw.start_time, raw.start, "start")?,
            end: seconds(raw.end_time, raw.end, "end")?,
            title: find_tag(&raw.tags, "title").map(str::to_owned),
            tags: raw.tags,
        })
    }
}

// ---------------------------------------------------------------------------
// Lenient field deserializers.
//
// Hand-written on purpose (issue #19 asked for serde_with): its adapters
// cover part of each rule only. `PickFirst<(_, DisplayFromStr)>` reads a
// number or a numeric string but not `"N/A"`/`""` as unknown, nor `480.0` as
// a `u32` (ffprobe prints both); `BoolFromInt` reads `0`/`1` but not `"1"`,
// `true` or `null`; no adapter keeps a numeric tag as its JSON text. Each
// field would need serde_with plus a wrapper of ours, in the library's
// default tree, for no fewer lines.

/// A number ffprobe may print as a JSON number or as a string.
trait Lenient: Sized + FromStr {
    fn from_u64(v: u64) -> Option<Self>;
    fn from_i64(v: i64) -> Option<Self>;
    fn from_f64(v: f64) -> Option<Self>;
}

macro_rules! lenient_int {
    ($($t:ty),*) => {$(
        impl Lenient for $t {
            fn from_u64(v: u64) -> Option<Self> {
                v.try_into().ok()
            }
            fn from_i64(v: i64) -> Option<Self> {
                v.try_into().ok()
            }
            fn from_f64(v: f64) -> Option<Self> {
                // Only integral values in range.
                (v.fract() == 0.0 && v >= <$t>::MIN as f64 && v <= <$t>::MAX as f64)
                    .then_some(v as $t)
            }
        }
    )*};
}

lenient_int!(u32, u64, i64);

impl Lenient for f64 {
    fn from_u64(v: u64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v)
    }
}

/// Whether a string means "no value" to ffprobe.
fn is_unknown(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s == "N/A"
}

struct NumberVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for NumberVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a string holding one, or \"N/A\"")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        T::from_u64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        T::from_i64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        T::from_f64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        if is_unknown(v) {
            return Ok(None);
        }
        v.trim()
            .parse()
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(self)
    }
}

/// `Option<number>` from a number, a numeric string, `"N/A"`, `""` or `null`.
fn number<'de, D: Deserializer<'de>, T: Lenient>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_any(NumberVisitor(PhantomData))
}

/// A count that is 0 when unknown.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    number(d).map(Option::unwrap_or_default)
}

/// `Option<String>` from a string or a number; `"N/A"`, `""`, `null` → `None`.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) if is_unknown(&s) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => {
            return Err(de::Error::invalid_type(
                de::Unexpected::Other(&other.to_string()),
                &"a string",
            ))
        }
    })
}

/// A fraction string (`25/1`, `4:3`); `0/0`, `0/1`, `0:1`, `N/A` and missing
/// mean unknown, and so do negative or oversized terms: FFmpeg's rationals
/// are signed `int`s, and damaged media gives values such as a sample aspect
/// ratio of `-1048576:1` (found by the bad-media soak), which describe
/// nothing.
fn fraction<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Rational>, D::Error> {
    let Some(s) = text(d)? else {
        return Ok(None);
    };
    let Some((num, den)) = s.split_once(['/', ':']) else {
        return Err(de::Error::invalid_value(
            de::Unexpected::Str(&s),
            &"a fraction like 25/1",
        ));
    };
    match (num.trim().parse::<i64>(), den.trim().parse::<i64>()) {
        (Ok(num), Ok(den)) => match (u32::try_from(num), u32::try_from(den)) {
            (Ok(0), _) | (_, Ok(0)) | (Err(_), _) | (_, Err(_)) => Ok(None),
            (Ok(num), Ok(den)) => Ok(Rational::new(num, den)),
        },
        _ => Err(de::Error::invalid_value(
            de::Unexpected::Str(&s),
            &"a fraction like 25/1",
        )),
    }
}

/// A disposition flag: `0`/`1` (or a bool, or a string of either).
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::Number(n) => Ok(n.as_f64().is_some_and(|v| v != 0.0)),
        serde_json::Value::String(s) => match s.trim() {
            "1" | "true" => Ok(true),
            "0" | "false" | "" | "N/A" => Ok(false),
            _ => Err(de::Error::invalid_value(de::Unexpected::Str(&s), &"0 or 1")),
        },
        serde_json::Value::Null => Ok(false),
        other => Err(de::Error::invalid_type(
            de::Unexpected::Other(&other.to_string()),
            &"0 or 1",
        )),
    }
}

/// Tags: string values; numbers and bools are kept as their JSON text.
fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let map = Option::<BTreeMap<String, serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            serde_json::Value::Null => None,
            other => Some((k, other.to_string())),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MP4: &str = include_str!("../tests/fixtures/ffprobe/h264_aac.mp4.json");
    const MKV: &str = include_str!("../tests/fixtures/ffprobe/chapters.mkv.json");
    const MP3: &str = include_str!("../tests/fixtures/ffprobe/stereo.mp3.json");
    const WAV: &str = include_str!("../tests/fixtures/ffprobe/pcm.wav.json");
    const SRT: &str = include_str!("../tests/fixtures/ffprobe/subtitles.srt.json");

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    fn r(num: u32, den: u32) -> Option<Rational> {
        Rational::new(num, den)
    }

    #[test]
    fn mp4_h264_aac() {
        let info = MediaInfo::from_json(MP4).unwrap();
        assert_eq!(
            info.format,
            Format {
                filename: "/w/t.mp4".into(),
                format_name: "mov,mp4,m4a,3gp,3g2,mj2".into(),
                format_long_name: s("QuickTime / MOV"),
                nb_streams: 2,
                nb_programs: 0,
                start_time: Some(0.0),
                duration: Some(2.0),
                size: Some(63058),
                bit_rate: Some(252232),
                probe_score: Some(100),
                tags: tags(&[
                    ("major_brand", "isom"),
                    ("minor_version", "512"),
                    ("compatible_brands", "isomiso2avc1mp41"),
                    ("encoder", "Lavf59.27.100"),
                ]),
            }
        );
        assert_eq!(
            info.format.format_names().collect::<Vec<_>>(),
            ["mov", "mp4", "m4a", "3gp", "3g2", "mj2"]
        );
        assert_eq!(info.duration(), Some(2.0));
        assert!(info.chapters.is_empty());
        assert_eq!(info.streams.len(), 2);

        let v = &info.streams[0];
        assert_eq!(
            *v,
            Stream {
                index: 0,
                kind: StreamKind::Video,
                codec_name: s("h264"),
                codec_long_name: s("H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10"),
                profile: s("High 4:4:4 Predictive"),
                width: Some(320),
                height: Some(240),
                pix_fmt: s("yuv444p"),
                sample_aspect_ratio: r(1, 1),
                display_aspect_ratio: r(4, 3),
                frame_rate: r(25, 1),
                real_frame_rate: r(25, 1),
                time_base: r(1, 12800),
                sample_fmt: None,
                sample_rate: None,
                channels: None,
                channel_layout: None,
                language: s("und"),
                title: None,
                disposition: Disposition {
                    default: true,
                    ..Disposition::default()
                },
                tags: tags(&[
                    ("language", "und"),
                    ("handler_name", "VideoHandler"),
                    ("vendor_id", "[0][0][0][0]"),
                    ("encoder", "Lavc59.37.100 libx264"),
                ]),
                start_time: Some(0.0),
                duration: Some(2.0),
                nb_frames: Some(50),
                bit_rate: Some(170960),
            }
        );

        let a = &info.streams[1];
        assert_eq!(a.index, 1);
        assert_eq!(a.kind, StreamKind::Audio);
        assert_eq!(a.codec_name.as_deref(), Some("aac"));
        assert_eq!(a.profile.as_deref(), Some("LC"));
        assert_eq!(a.sample_fmt.as_deref(), Some("fltp"));
        assert_eq!(a.sample_rate, Some(44100));
        assert_eq!(a.channels, Some(1));
        assert_eq!(a.channel_layout.as_deref(), Some("mono"));
        assert_eq!(
            (a.width, a.height, a.pix_fmt.as_deref()),
            (None, None, None)
        );
        assert_eq!((a.frame_rate, a.real_frame_rate), (None, None));
        assert_eq!(a.time_base, r(1, 44100));
        assert_eq!(a.duration, Some(2.0));
        assert_eq!(a.nb_frames, Some(88));
        assert_eq!(a.bit_rate, Some(69671));
        assert!(a.disposition.default);

        assert_eq!(info.video_streams().count(), 1);
        assert_eq!(
            info.audio_streams().map(|s| s.index).collect::<Vec<_>>(),
            [1]
        );
        assert_eq!(info.subtitle_streams().count(), 0);
    }

    #[test]
    fn mkv_with_chapters_languages_and_forced_subtitles() {
        let info = MediaInfo::from_json(MKV).unwrap();
        let f = &info.format;
        assert_eq!(f.format_name, "matroska,webm");
        assert_eq!(f.format_long_name.as_deref(), Some("Matroska / WebM"));
        assert_eq!(f.nb_streams, 3);
        assert_eq!(f.duration, Some(2.002));
        assert_eq!(f.size, Some(57178));
        assert_eq!(f.bit_rate, Some(228483));
        assert_eq!(f.title(), Some("Chaptered Sample"));
        // Matroska upper-cases the key; lookup ignores case.
        assert_eq!(f.tag("artist"), Some("Afmpeg Tests"));
        assert_eq!(
            f.tags.get("ARTIST").map(String::as_str),
            Some("Afmpeg Tests")
        );

        let kinds: Vec<_> = info.streams.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [StreamKind::Video, StreamKind::Audio, StreamKind::Subtitle]
        );

        let v = &info.streams[0];
        assert_eq!(v.frame_rate, r(30000, 1001));
        assert_eq!(v.frame_rate.unwrap().to_string(), "30000/1001");
        assert!((v.frame_rate.unwrap().as_f64() - 29.97003).abs() < 1e-5);
        assert_eq!((v.width, v.height), (Some(160), Some(120)));
        // No `duration` field in Matroska streams: read from the DURATION tag.
        assert_eq!(v.duration, Some(2.002));
        assert_eq!(v.nb_frames, None);
        assert_eq!(v.bit_rate, None);
        assert_eq!(v.language, None);
        assert!(!v.disposition.default);

        let a = &info.streams[1];
        assert_eq!(a.codec_name.as_deref(), Some("flac"));
        assert_eq!(a.sample_fmt.as_deref(), Some("s16"));
        assert_eq!(a.sample_rate, Some(44100));
        assert_eq!(a.language.as_deref(), Some("fra"));
        assert_eq!(a.duration, Some(2.0));
        assert_eq!(a.tag("duration"), Some("00:00:02.000000000"));

        let sub = &info.streams[2];
        assert_eq!(sub.codec_name.as_deref(), Some("subrip"));
        assert_eq!(sub.language.as_deref(), Some("eng"));
        assert_eq!(
            sub.disposition,
            Disposition {
                forced: true,
                ..Disposition::default()
            }
        );
        assert_eq!(info.subtitle_streams().count(), 1);

        assert_eq!(
            info.chapters,
            [
                Chapter {
                    id: 1,
                    start: 0.0,
                    end: 1.0,
                    title: s("Intro"),
                    tags: tags(&[("title", "Intro")]),
                },
                Chapter {
                    id: 2,
                    start: 1.0,
                    end: 2.0,
                    title: s("Main Part"),
                    tags: tags(&[("title", "Main Part")]),
                },
            ]
        );
    }

    #[test]
    fn mp3_stereo() {
        let info = MediaInfo::from_json(MP3).unwrap();
        assert_eq!(info.format.format_name, "mp3");
        assert_eq!(info.format.start_time, Some(0.025057));
        assert_eq!(info.format.duration, Some(2.037551));
        assert_eq!(info.format.probe_score, Some(51));
        assert_eq!(info.format.title(), Some("Beep"));
        let [a] = info.streams.as_slice() else {
            panic!("one stream expected")
        };
        assert_eq!(a.kind, StreamKind::Audio);
        assert_eq!(a.codec_name.as_deref(), Some("mp3"));
        assert_eq!(a.channels, Some(2));
        assert_eq!(a.channel_layout.as_deref(), Some("stereo"));
        assert_eq!(a.sample_rate, Some(44100));
        assert_eq!(a.bit_rate, Some(128000));
        assert_eq!(a.start_time, Some(0.025057));
        assert_eq!(a.duration, Some(2.037551));
        assert_eq!(a.time_base, r(1, 14112000));
        assert_eq!(a.profile, None);
        assert_eq!(a.language, None);
    }

    #[test]
    fn wav_without_layout_or_start() {
        let info = MediaInfo::from_json(WAV).unwrap();
        assert_eq!(info.format.format_name, "wav");
        assert_eq!(info.format.start_time, None);
        assert_eq!(info.format.duration, Some(1.0));
        let a = &info.streams[0];
        assert_eq!(a.codec_name.as_deref(), Some("pcm_s16le"));
        assert_eq!(a.sample_rate, Some(48000));
        assert_eq!(a.channels, Some(1));
        assert_eq!(a.channel_layout, None);
        assert_eq!(a.bit_rate, Some(768000));
        assert_eq!(a.start_time, None);
    }

    #[test]
    fn srt_without_duration() {
        let info = MediaInfo::from_json(SRT).unwrap();
        assert_eq!(info.format.format_name, "srt");
        assert_eq!(info.format.duration, None);
        assert_eq!(info.format.bit_rate, None);
        assert_eq!(info.format.size, Some(90));
        assert!(info.format.tags.is_empty());
        assert_eq!(info.duration(), None);
        let sub = &info.streams[0];
        assert_eq!(sub.kind, StreamKind::Subtitle);
        assert_eq!(sub.codec_name.as_deref(), Some("subrip"));
        assert_eq!(sub.frame_rate, None);
        assert_eq!(sub.time_base, r(1, 1000));
        assert!(sub.tags.is_empty());
    }

    #[test]
    fn bytes_serde_and_from_str_agree() {
        let a = MediaInfo::from_json(MKV).unwrap();
        assert_eq!(MediaInfo::from_json_bytes(MKV.as_bytes()).unwrap(), a);
        assert_eq!(serde_json::from_str::<MediaInfo>(MKV).unwrap(), a);
        assert_eq!(MKV.parse::<MediaInfo>().unwrap(), a);
    }

    #[test]
    fn numbers_strings_and_unknowns() {
        let json = r#"{
            "format": { "filename": "x", "format_name": "f", "nb_streams": "2",
                        "duration": 3.5, "size": "N/A", "bit_rate": "",
                        "start_time": null, "tags": { "track": 7, "n": null } },
            "streams": [
                { "index": "0", "codec_type": "video", "width": "640",
                  "height": 480.0, "r_frame_rate": "24000/1001",
                  "avg_frame_rate": "0/0", "sample_aspect_ratio": "0:1",
                  "nb_frames": 12, "duration": "N/A", "profile": 77,
                  "disposition": { "default": "1", "forced": true,
                                   "attached_pic": 0, "non_diegetic": 1 } },
                { "index": 1, "codec_type": "attachment" },
                { "index": 2, "codec_type": "something_new" },
                { "index": 3 }
            ]
        }"#;
        let info = MediaInfo::from_json(json).unwrap();
        assert_eq!(info.format.nb_streams, 2);
        assert_eq!(info.format.duration, Some(3.5));
        assert_eq!((info.format.size, info.format.bit_rate), (None, None));
        assert_eq!(info.format.start_time, None);
        assert_eq!(info.format.tags, tags(&[("track", "7")]));
        let v = &info.streams[0];
        assert_eq!((v.width, v.height), (Some(640), Some(480)));
        // avg_frame_rate unknown: fall back to r_frame_rate.
        assert_eq!(v.frame_rate, r(24000, 1001));
        assert_eq!(v.sample_aspect_ratio, None);
        assert_eq!(v.nb_frames, Some(12));
        assert_eq!(v.duration, None);
        assert_eq!(v.profile.as_deref(), Some("77"));
        assert!(v.disposition.default && v.disposition.forced);
        assert!(!v.disposition.attached_pic);
        let kinds: Vec<_> = info.streams.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                StreamKind::Video,
                StreamKind::Attachment,
                StreamKind::Unknown,
                StreamKind::Unknown
            ]
        );
        assert!(info.chapters.is_empty());
    }

    #[test]
    fn duration_falls_back_to_longest_stream() {
        let json = r#"{ "format": { "filename": "x" },
            "streams": [ { "index": 0, "duration": "1.5" },
                         { "index": 1, "duration": "2.25" },
                         { "index": 2 } ] }"#;
        assert_eq!(MediaInfo::from_json(json).unwrap().duration(), Some(2.25));
    }

    #[test]
    fn chapter_times_from_ticks() {
        let json = r#"{ "format": { "filename": "x" }, "chapters": [
            { "id": -5, "time_base": "1/1000", "start": 500, "end": 1500 } ] }"#;
        let info = MediaInfo::from_json(json).unwrap();
        assert_eq!(info.chapters[0].id, -5);
        assert_eq!((info.chapters[0].start, info.chapters[0].end), (0.5, 1.5));
        assert_eq!(info.chapters[0].title, None);
    }

    #[test]
    fn damaged_media_fractions_are_unknown() {
        // ffprobe's own output for a damaged PNG found by the soak (case seed
        // 0x323c8e48b717ec08): a negative sample aspect ratio.
        let json = r#"{ "format": {}, "streams": [ { "codec_type": "video",
            "sample_aspect_ratio": "-1048576:1", "display_aspect_ratio": "-4:3",
            "r_frame_rate": "25/-1", "avg_frame_rate": "99999999999/1",
            "time_base": "1/25" } ] }"#;
        let v = &MediaInfo::from_json(json).unwrap().streams[0];
        assert_eq!(v.sample_aspect_ratio, None);
        assert_eq!(v.display_aspect_ratio, None);
        assert_eq!(v.frame_rate, None);
        assert_eq!(v.time_base, r(1, 25));
    }

    #[test]
    fn errors() {
        assert!(matches!(
            MediaInfo::from_json(" \n"),
            Err(ProbeParseError::Empty)
        ));
        assert!(matches!(
            MediaInfo::from_json_bytes(b""),
            Err(ProbeParseError::Empty)
        ));
        assert!(matches!(
            MediaInfo::from_json("Invalid data found when processing input"),
            Err(ProbeParseError::Json(_))
        ));
        assert!(matches!(
            MediaInfo::from_json(r#"{ "streams": [] }"#),
            Err(ProbeParseError::MissingFormat)
        ));
        let chapter = r#"{ "format": {}, "chapters": [ { "id": 3, "start_time": "1.0" } ] }"#;
        assert!(matches!(
            MediaInfo::from_json(chapter),
            Err(ProbeParseError::ChapterWithoutTime {
                id: 3,
                field: "end"
            })
        ));
        for bad in [
            r#"{ "format": { "duration": "two" } }"#,
            r#"{ "format": { "size": -1 } }"#,
            r#"{ "format": { "nb_streams": 1.5 } }"#,
            r#"{ "format": {}, "streams": [ { "r_frame_rate": "fast" } ] }"#,
            r#"{ "format": {}, "streams": [ { "disposition": { "forced": "yes" } } ] }"#,
            r#"{ "format": {}, "streams": [ { "codec_name": [1] } ] }"#,
        ] {
            let err = MediaInfo::from_json(bad).unwrap_err();
            assert!(matches!(err, ProbeParseError::Json(_)), "{bad}: {err}");
        }
        // The message says what failed, its source (serde's error) why.
        let err = MediaInfo::from_json(r#"{ "format": { "duration": "two" } }"#).unwrap_err();
        let why = std::error::Error::source(&err).map(|s| s.to_string());
        assert!(
            why.as_deref().is_some_and(|w| w.contains("\"two\"")),
            "{why:?}"
        );
    }

    #[test]
    fn rational_parsing() {
        assert_eq!(
            "30000/1001".parse(),
            Ok(Rational {
                num: 30000,
                den: 1001
            })
        );
        assert_eq!("16:9".parse(), Ok(Rational { num: 16, den: 9 }));
        assert!("1/0".parse::<Rational>().is_err());
        assert!("25".parse::<Rational>().is_err());
        assert_eq!(Rational::new(1, 0), None);
        assert_eq!(Rational::new(1, 4).unwrap().as_f64(), 0.25);
    }

    #[test]
    fn hms_durations() {
        assert_eq!(parse_hms("00:00:02.002000000"), Some(2.002));
        assert_eq!(parse_hms("01:02:03.5"), Some(3723.5));
        assert_eq!(parse_hms("00:61:00"), None);
        assert_eq!(parse_hms("2.0"), None);
    }

    #[test]
    fn probe_args() {
        assert_eq!(
            MediaInfo::probe_args("/in.mp4"),
            [
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                "-show_chapters",
                "/in.mp4"
            ]
        );
    }

    #[test]
    fn own_json_round_trips() {
        for fixture in [MP4, MKV, MP3, WAV, SRT] {
            let info = MediaInfo::from_json(fixture).unwrap();
            let json = serde_json::to_string(&info).unwrap();
            assert_eq!(MediaInfo::from_json(&json).unwrap(), info, "{json}");
        }
    }

    #[test]
    fn own_json_field_names() {
        let info = MediaInfo::from_json(MKV).unwrap();
        let v = serde_json::to_value(&info).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&v), ["chapters", "format", "streams"]);
        assert_eq!(
            keys(&v["format"]),
            [
                "bit_rate",
                "duration",
                "filename",
                "format_long_name",
                "format_name",
                "nb_programs",
                "nb_streams",
                "probe_score",
                "size",
                "start_time",
                "tags"
            ]
        );
        assert_eq!(
            keys(&v["streams"][0]),
            [
                "bit_rate",
                "channel_layout",
                "channels",
                "codec_long_name",
                "codec_name",
                "display_aspect_ratio",
                "disposition",
                "duration",
                "frame_rate",
                "height",
                "index",
                "kind",
                "language",
                "nb_frames",
                "pix_fmt",
                "profile",
                "real_frame_rate",
                "sample_aspect_ratio",
                "sample_fmt",
                "sample_rate",
                "start_time",
                "tags",
                "time_base",
                "title",
                "width"
            ]
        );
        assert_eq!(
            keys(&v["chapters"][0]),
            ["end_time", "id", "start_time", "tags", "title"]
        );
        let chapter = &info.chapters[0];
        assert_eq!(v["chapters"][0]["start_time"], chapter.start);
        assert_eq!(v["chapters"][0]["end_time"], chapter.end);
        let video = info.video_streams().next().unwrap();
        assert_eq!(
            v["streams"][video.index as usize]["frame_rate"],
            video.frame_rate.unwrap().to_string()
        );
    }
}
