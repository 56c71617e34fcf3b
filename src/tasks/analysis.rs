//! Measurements returned as typed values: loudness (EBU R128), volume,
//! silence, black frames and scene-change scores, and the typed summaries
//! of `ebur128` ([`Ebur128Summary`]) and `astats` ([`AudioStats`]).
//! For any other filter, and for per-frame values, see
//! [`measurements`](super::measurements).
//!
//! Each helper decodes one stream of the input through an analysis filter
//! into the `null` muxer (`-f null -`; nothing is written) and parses what
//! the filter reports. Those reports are log lines at FFmpeg's `info` level
//! on stderr, so the command uses `-loglevel info` (with `-nostats`, and
//! per-frame logging turned off where the filter has it). The parsers are
//! public too (`parse` functions), for stderr of commands you build
//! yourself.

use super::filter_log::{filter_messages, num, pairs};
use super::Task;
use super::{base, execute, missing};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, StreamType, Time};
use crate::error::Result;
use crate::job::{self, RunOptions};
use crate::{Filesystem, Runtime};
use std::collections::BTreeMap;

/// A time interval in seconds, from an analysis filter.
///
/// ```
/// use afmpeg::tasks::analysis::parse_silence;
/// let gaps = parse_silence("[silencedetect @ 0xcde380] silence_start: 1\n[silencedetect @ 0xcde380] silence_end: 2.5 | silence_duration: 1.5\n[silencedetect @ 0xcde380] silence_start: 7\n");
/// assert_eq!(gaps[0].start, 1.0);
/// assert_eq!(gaps[0].end, Some(2.5));
/// // The last silence ran to the end of the input.
/// assert_eq!(gaps[1].end, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Start, in seconds of the input timeline.
    pub start: f64,
    /// End, in seconds; `None` when the filter reported no end (the
    /// interval ran to the end of the input and the filter did not close it).
    pub end: Option<f64>,
}

impl Interval {
    /// `end - start`, when the end is known.
    ///
    /// ```
    /// use afmpeg::tasks::Interval;
    /// assert_eq!(Interval { start: 1.0, end: Some(2.5) }.duration(), Some(1.5));
    /// assert_eq!(Interval { start: 7.0, end: None }.duration(), None);
    /// ```
    pub fn duration(&self) -> Option<f64> {
        self.end.map(|e| e - self.start)
    }
}

/// One frame's scene-change score, from the `scdet` filter.
///
/// ```
/// use afmpeg::tasks::analysis::parse_scene_scores;
/// let scores = parse_scene_scores("[scdet @ 0xcfa350] lavfi.scd.score: 42.667, lavfi.scd.time: 1\n[scdet @ 0xcfa350] lavfi.scd.score: 0.153, lavfi.scd.time: 1.04\n");
/// let cuts: Vec<f64> = scores.iter().filter(|s| s.score > 30.0).map(|s| s.time).collect();
/// assert_eq!(cuts, [1.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SceneScore {
    /// Frame time in seconds.
    pub time: f64,
    /// Score, 0..=100: how different the frame is from the previous one.
    pub score: f64,
}

/// Runs `filter` over stream `kind`:`index` of `input`, returns stderr.
pub(super) fn analyze(
    rt: &Runtime,
    fs: &Filesystem,
    opts: &RunOptions,
    cmd: &Command,
) -> Result<job::RunOutput> {
    execute(rt, fs, cmd, opts)
}

pub(super) fn analysis_command(
    input: &str,
    kind: StreamType,
    index: usize,
    filter: String,
) -> Result<Command, CommandError> {
    let mut out = OutputFile::path("-")
        .map(format!("0:{}:{index}", kind.specifier()))
        .format("null");
    out = match kind {
        StreamType::Audio => out.audio_filter(filter),
        _ => out.video_filter(filter),
    };
    let cmd = base(LogLevel::Info)
        .input(InputFile::path(input))
        .output(out);
    cmd.validate()?;
    Ok(cmd)
}

// --- loudness ------------------------------------------------------------

/// Which filter [`Loudness`] measures with.
///
/// ```
/// use afmpeg::tasks::{Loudness, LoudnessMethod};
/// let args = Loudness::new("/in.mp4").method(LoudnessMethod::Loudnorm).command()?.args()?;
/// assert!(args.windows(2).any(|w| w == ["-af", "loudnorm=print_format=json"]), "{args:?}");
/// assert_eq!(LoudnessMethod::default(), LoudnessMethod::Ebur128);
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoudnessMethod {
    /// `ebur128=peak=true`: the EBU R128 meter; its summary gives the
    /// integrated loudness, loudness range and true peak (one decimal).
    #[default]
    Ebur128,
    /// `loudnorm=print_format=json`: the first pass of two-pass loudness
    /// normalisation; its `input_*` values (two decimals) are the
    /// measurements, to feed a second `loudnorm` pass.
    Loudnorm,
}

/// EBU R128 / ITU-R BS.1770 loudness of an audio stream.
///
/// ```
/// use afmpeg::tasks::LoudnessReport;
/// let report = LoudnessReport::parse_ebur128("[Parsed_ebur128_0 @ 0xd757d0] Summary:\n\n  Integrated loudness:\n    I:         -23.0 LUFS\n    Threshold: -33.2 LUFS\n\n  Loudness range:\n    LRA:         5.4 LU\n\n  True peak:\n    Peak:       -1.5 dBFS\n").unwrap();
/// // How far from the -16 LUFS podcast target.
/// assert_eq!(-16.0 - report.integrated, 7.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessReport {
    /// Integrated loudness, in LUFS. For a full-scale-referenced sine of
    /// 1 kHz in one channel this equals its RMS level in dBFS.
    pub integrated: f64,
    /// Loudness range (LRA), in LU.
    pub range: f64,
    /// True peak (oversampled), in dBTP.
    pub true_peak: f64,
    /// The relative gating threshold of the integrated measurement, in LUFS.
    pub threshold: f64,
}

impl LoudnessReport {
    /// Parses the summary `ebur128` prints at the end of a run (needs
    /// `peak=true` for the true peak).
    ///
    /// ```
    /// use afmpeg::tasks::LoudnessReport;
    /// let r = LoudnessReport::parse_ebur128("[Parsed_ebur128_0 @ 0xd757d0] Summary:\n\n  Integrated loudness:\n    I:         -23.0 LUFS\n    Threshold: -33.2 LUFS\n\n  Loudness range:\n    LRA:         5.4 LU\n\n  True peak:\n    Peak:       -1.5 dBFS\n").unwrap();
    /// assert_eq!((r.integrated, r.threshold, r.range, r.true_peak), (-23.0, -33.2, 5.4, -1.5));
    /// assert_eq!(LoudnessReport::parse_ebur128("no summary"), None);
    /// ```
    pub fn parse_ebur128(stderr: &str) -> Option<LoudnessReport> {
        let s = Ebur128Summary::parse(stderr)?;
        Some(LoudnessReport {
            integrated: s.integrated,
            range: s.range,
            true_peak: s.true_peak?,
            threshold: s.threshold,
        })
    }

    /// Parses the JSON block `loudnorm=print_format=json` prints.
    ///
    /// ```
    /// use afmpeg::tasks::LoudnessReport;
    /// let r = LoudnessReport::parse_loudnorm("[Parsed_loudnorm_0 @ 0xcde900] \n{\n\t\"input_i\" : \"-21.75\",\n\t\"input_tp\" : \"-18.06\",\n\t\"input_lra\" : \"0.00\",\n\t\"input_thresh\" : \"-31.75\"\n}\n").unwrap();
    /// assert_eq!((r.integrated, r.true_peak, r.range, r.threshold), (-21.75, -18.06, 0.0, -31.75));
    /// ```
    pub fn parse_loudnorm(stderr: &str) -> Option<LoudnessReport> {
        let at = stderr.rfind("\"input_i\"")?;
        let open = stderr[..at].rfind('{')?;
        let close = at + stderr[at..].find('}')?;
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&stderr[open..=close]).ok()?;
        let get = |k: &str| map.get(k).and_then(|v| num(v));
        Some(LoudnessReport {
            integrated: get("input_i")?,
            range: get("input_lra")?,
            true_peak: get("input_tp")?,
            threshold: get("input_thresh")?,
        })
    }
}

/// Measures the loudness of an audio stream.
///
/// ```no_run
/// use afmpeg::tasks::{Loudness, LoudnessMethod, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let r = Loudness::new("/song.flac").run(&rt, &fs)?;
/// println!("{:.1} LUFS, LRA {:.1} LU, peak {:.1} dBTP", r.integrated, r.range, r.true_peak);
/// let r = Loudness::new("/song.flac").method(LoudnessMethod::Loudnorm).run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loudness {
    input: String,
    stream: usize,
    method: LoudnessMethod,
}

impl Loudness {
    /// Measure the first audio stream of `input` with `ebur128`.
    ///
    /// ```
    /// use afmpeg::tasks::Loudness;
    /// let args = Loudness::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "ebur128=peak=true:framelog=verbose"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-f", "null"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:0"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>) -> Loudness {
        Loudness {
            input: input.into(),
            stream: 0,
            method: LoudnessMethod::default(),
        }
    }

    /// Which audio stream (0-based among the audio streams).
    ///
    /// ```
    /// use afmpeg::tasks::Loudness;
    /// let args = Loudness::new("/in.mp4").stream(1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream(mut self, index: usize) -> Loudness {
        self.stream = index;
        self
    }

    /// `ebur128` (default) or `loudnorm`.
    ///
    /// ```
    /// use afmpeg::tasks::{Loudness, LoudnessMethod};
    /// let args = Loudness::new("/in.mp4").method(LoudnessMethod::Loudnorm).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "loudnorm=print_format=json"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn method(mut self, method: LoudnessMethod) -> Loudness {
        self.method = method;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Loudness;
    /// let args = Loudness::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-loglevel", "info"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("-"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        let filter = match self.method {
            LoudnessMethod::Ebur128 => "ebur128=peak=true:framelog=verbose",
            LoudnessMethod::Loudnorm => "loudnorm=print_format=json",
        };
        analysis_command(&self.input, StreamType::Audio, self.stream, filter.into())
    }
}

impl Task for Loudness {
    type Output = LoudnessReport;

    /// Runs the measurement with `opts`.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<LoudnessReport> {
        let out = analyze(rt, fs, opts, &self.command()?)?;
        let text = out.stderr_text();
        let report = match self.method {
            LoudnessMethod::Ebur128 => LoudnessReport::parse_ebur128(&text),
            LoudnessMethod::Loudnorm => LoudnessReport::parse_loudnorm(&text),
        };
        report.ok_or_else(|| missing(&out, "no loudness summary in FFmpeg's log"))
    }
}

/// Everything `ebur128`'s end-of-run summary reports (FFmpeg 5.1): the
/// integrated loudness and its gate, the loudness range with its gate and
/// bounds, and the peaks that were asked for (`peak=sample`, `peak=true`).
///
/// ```
/// use afmpeg::tasks::Ebur128Summary;
/// let log = "[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -27.1 LUFS\n    Threshold: -37.1 LUFS\n\n  Loudness range:\n    LRA:         0.0 LU\n    Threshold:   0.0 LUFS\n    LRA low:     0.0 LUFS\n    LRA high:    0.0 LUFS\n\n  Sample peak:\n    Peak:      -24.1 dBFS\n\n  True peak:\n    Peak:      -24.0 dBFS\n";
/// let s = Ebur128Summary::parse(log).unwrap();
/// assert_eq!((s.integrated, s.threshold, s.range), (-27.1, -37.1, 0.0));
/// assert_eq!((s.sample_peak, s.true_peak), (Some(-24.1), Some(-24.0)));
/// assert_eq!(s.range_low, Some(0.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ebur128Summary {
    /// Integrated loudness (I), in LUFS.
    pub integrated: f64,
    /// The relative gate of the integrated loudness, in LUFS.
    pub threshold: f64,
    /// Loudness range (LRA), in LU.
    pub range: f64,
    /// The relative gate of the loudness range, in LUFS.
    pub range_threshold: Option<f64>,
    /// The low end of the loudness range (10th percentile), in LUFS.
    pub range_low: Option<f64>,
    /// The high end of the loudness range (95th percentile), in LUFS.
    pub range_high: Option<f64>,
    /// Sample peak in dBFS, with `peak=sample`.
    pub sample_peak: Option<f64>,
    /// True (oversampled) peak in dBTP, with `peak=true`.
    pub true_peak: Option<f64>,
}

impl Ebur128Summary {
    /// Parses the last `Summary:` block `ebur128` printed (its lines after
    /// the first carry no `[Parsed_ebur128_N @ …]` prefix: it is one log
    /// message). `None` without a summary holding I, its threshold and LRA.
    ///
    /// ```
    /// use afmpeg::tasks::Ebur128Summary;
    /// let s = Ebur128Summary::parse("[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -23.0 LUFS\n    Threshold: -33.2 LUFS\n\n  Loudness range:\n    LRA:         5.4 LU\n").unwrap();
    /// assert_eq!((s.integrated, s.range, s.true_peak), (-23.0, 5.4, None));
    /// assert_eq!(Ebur128Summary::parse("no summary"), None);
    /// ```
    pub fn parse(stderr: &str) -> Option<Ebur128Summary> {
        let start = stderr.rfind("Summary:")?;
        let mut section = "";
        let (mut i, mut thresh, mut lra) = (None, None, None);
        let mut s = Ebur128Summary {
            integrated: 0.0,
            threshold: 0.0,
            range: 0.0,
            range_threshold: None,
            range_low: None,
            range_high: None,
            sample_peak: None,
            true_peak: None,
        };
        for line in stderr[start..].lines().skip(1) {
            let line = line.trim();
            if line.ends_with(':') {
                section = line;
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.split_whitespace().next().and_then(num);
            match (section, key.trim()) {
                ("Integrated loudness:", "I") => i = value,
                ("Integrated loudness:", "Threshold") => thresh = value,
                ("Loudness range:", "LRA") => lra = value,
                ("Loudness range:", "Threshold") => s.range_threshold = value,
                ("Loudness range:", "LRA low") => s.range_low = value,
                ("Loudness range:", "LRA high") => s.range_high = value,
                ("Sample peak:", "Peak") => s.sample_peak = value,
                ("True peak:", "Peak") => s.true_peak = value,
                _ => {}
            }
        }
        s.integrated = i?;
        s.threshold = thresh?;
        s.range = lra?;
        Some(s)
    }
}

// --- volumedetect --------------------------------------------------------

/// What `volumedetect` reports: levels relative to full scale.
///
/// ```
/// use afmpeg::tasks::VolumeStats;
/// let v = VolumeStats::parse("[Parsed_volumedetect_0 @ 0xcf5690] n_samples: 96000\n[Parsed_volumedetect_0 @ 0xcf5690] mean_volume: -38.1 dB\n[Parsed_volumedetect_0 @ 0xcf5690] max_volume: -35.1 dB\n[Parsed_volumedetect_0 @ 0xcf5690] histogram_35db: 28000\n").unwrap();
/// // Headroom before clipping.
/// assert_eq!(-v.max_volume, 35.1);
/// assert_eq!(v.histogram, [(35, 28000)]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeStats {
    /// Samples analysed (all channels).
    pub samples: u64,
    /// Mean volume in dBFS: the RMS level, `10·log10(mean(x²))` (−∞ for
    /// digital silence). For a sine, the peak level minus 3.01 dB.
    pub mean_volume: f64,
    /// Maximum absolute sample in dBFS (the sample peak).
    pub max_volume: f64,
    /// `(n, count)`: how many samples are within `n` dB below the maximum
    /// level (FFmpeg's `histogram_Ndb` lines).
    pub histogram: Vec<(u32, u64)>,
}

impl VolumeStats {
    /// Parses `volumedetect`'s report.
    ///
    /// ```
    /// use afmpeg::tasks::VolumeStats;
    /// let v = VolumeStats::parse("[Parsed_volumedetect_0 @ 0xcf5690] n_samples: 96000\n[Parsed_volumedetect_0 @ 0xcf5690] mean_volume: -38.1 dB\n[Parsed_volumedetect_0 @ 0xcf5690] max_volume: -35.1 dB\n[Parsed_volumedetect_0 @ 0xcf5690] histogram_35db: 28000\n").unwrap();
    /// assert_eq!((v.samples, v.mean_volume, v.max_volume), (96000, -38.1, -35.1));
    /// assert!(VolumeStats::parse("no report").is_none());
    /// ```
    pub fn parse(stderr: &str) -> Option<VolumeStats> {
        let (mut samples, mut mean, mut max) = (None, None, None);
        let mut histogram = Vec::new();
        for msg in filter_messages(stderr, &["volumedetect"]) {
            for (key, value) in pairs(msg) {
                match key {
                    "n_samples" => samples = value.parse().ok(),
                    "mean_volume" => mean = num(value),
                    "max_volume" => max = num(value),
                    _ => {
                        if let Some(db) = key
                            .strip_prefix("histogram_")
                            .and_then(|k| k.strip_suffix("db"))
                            .and_then(|k| k.parse().ok())
                        {
                            if let Ok(n) = value.parse() {
                                histogram.push((db, n));
                            }
                        }
                    }
                }
            }
        }
        Some(VolumeStats {
            samples: samples?,
            mean_volume: mean?,
            max_volume: max?,
            histogram,
        })
    }
}

/// Measures the mean (RMS) and peak volume of an audio stream with
/// `volumedetect`.
///
/// ```no_run
/// use afmpeg::tasks::{Task, VolumeDetect};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let v = VolumeDetect::new("/song.flac").run(&rt, &fs)?;
/// println!("RMS {:.1} dBFS, peak {:.1} dBFS", v.mean_volume, v.max_volume);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeDetect {
    input: String,
    stream: usize,
}

impl VolumeDetect {
    /// Measure the first audio stream of `input`.
    ///
    /// ```
    /// use afmpeg::tasks::VolumeDetect;
    /// let args = VolumeDetect::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "volumedetect"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:0"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>) -> VolumeDetect {
        VolumeDetect {
            input: input.into(),
            stream: 0,
        }
    }

    /// Which audio stream (0-based among the audio streams).
    ///
    /// ```
    /// use afmpeg::tasks::VolumeDetect;
    /// let args = VolumeDetect::new("/in.mp4").stream(2).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:2"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream(mut self, index: usize) -> VolumeDetect {
        self.stream = index;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::VolumeDetect;
    /// let args = VolumeDetect::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "null"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("-"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        analysis_command(
            &self.input,
            StreamType::Audio,
            self.stream,
            "volumedetect".into(),
        )
    }
}

impl Task for VolumeDetect {
    type Output = VolumeStats;

    /// Runs the measurement with `opts`. An input without any audio sample
    /// gets no report, which is an [`Error::Ffmpeg`](crate::Error::Ffmpeg).
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<VolumeStats> {
        let out = analyze(rt, fs, opts, &self.command()?)?;
        VolumeStats::parse(&out.stderr_text())
            .ok_or_else(|| missing(&out, "no volumedetect report in FFmpeg's log"))
    }
}

// --- astats --------------------------------------------------------------

/// One channel's (or all channels') statistics from `astats`' end-of-run
/// summary. The common measures are typed fields (`None` when the filter
/// did not print them, e.g. with `measure_perchannel`/`measure_overall`
/// set); [`values`](ChannelStats::values) holds every line as printed, by
/// its label (`"Bit depth"` → `"17/17"`).
///
/// ```
/// use afmpeg::tasks::AudioStats;
/// let log = "[Parsed_astats_0 @ 0x1] Channel: 1\n[Parsed_astats_0 @ 0x1] RMS level dB: -27.094579\n[Parsed_astats_0 @ 0x1] Bit depth: 17/17\n[Parsed_astats_0 @ 0x1] Overall\n[Parsed_astats_0 @ 0x1] RMS level dB: -27.094579\n[Parsed_astats_0 @ 0x1] Number of samples: 44100\n";
/// let stats = AudioStats::parse(log).unwrap();
/// let ch = &stats.channels[0];
/// assert_eq!(ch.rms_level_db, Some(-27.094579));
/// assert_eq!(ch.values["Bit depth"], "17/17");
/// assert_eq!(stats.overall.samples, Some(44100.0));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelStats {
    /// Mean sample value (`DC offset`), full scale 1.0.
    pub dc_offset: Option<f64>,
    /// Lowest sample value (`Min level`), full scale 1.0.
    pub min_level: Option<f64>,
    /// Highest sample value (`Max level`), full scale 1.0.
    pub max_level: Option<f64>,
    /// Sample peak (`Peak level dB`), in dBFS.
    pub peak_level_db: Option<f64>,
    /// RMS level (`RMS level dB`), in dBFS.
    pub rms_level_db: Option<f64>,
    /// Highest RMS over the filter's window (`RMS peak dB`), in dBFS.
    pub rms_peak_db: Option<f64>,
    /// Lowest RMS over the filter's window (`RMS trough dB`), in dBFS.
    pub rms_trough_db: Option<f64>,
    /// Peak to RMS ratio (`Crest factor`, linear; per channel only).
    pub crest_factor: Option<f64>,
    /// Consecutive samples at the peak level (`Flat factor`): clipping.
    pub flat_factor: Option<f64>,
    /// Samples at the peak level (`Peak count`).
    pub peak_count: Option<f64>,
    /// Lowest local peak (`Noise floor dB`), in dBFS.
    pub noise_floor_db: Option<f64>,
    /// Shannon entropy of the sample values (`Entropy`), 0..=1.
    pub entropy: Option<f64>,
    /// Dynamic range (`Dynamic range`), in dB (per channel only).
    pub dynamic_range: Option<f64>,
    /// Sign changes (`Zero crossings`; per channel only).
    pub zero_crossings: Option<f64>,
    /// Sign changes per sample (`Zero crossings rate`; per channel only).
    pub zero_crossings_rate: Option<f64>,
    /// Samples per channel analysed (`Number of samples`; overall only).
    pub samples: Option<f64>,
    /// Every `label: value` line of this section, as printed.
    pub values: BTreeMap<String, String>,
}

impl ChannelStats {
    fn from_values(values: BTreeMap<String, String>) -> ChannelStats {
        let get = |label: &str| values.get(label).and_then(|v| num(v));
        ChannelStats {
            dc_offset: get("DC offset"),
            min_level: get("Min level"),
            max_level: get("Max level"),
            peak_level_db: get("Peak level dB"),
            rms_level_db: get("RMS level dB"),
            rms_peak_db: get("RMS peak dB"),
            rms_trough_db: get("RMS trough dB"),
            crest_factor: get("Crest factor"),
            flat_factor: get("Flat factor"),
            peak_count: get("Peak count"),
            noise_floor_db: get("Noise floor dB"),
            entropy: get("Entropy"),
            dynamic_range: get("Dynamic range"),
            zero_crossings: get("Zero crossings"),
            zero_crossings_rate: get("Zero crossings rate"),
            samples: get("Number of samples"),
            values,
        }
    }
}

/// What `astats` reports at the end of a run: a section per channel
/// (`Channel: N`, in channel order) and one over all channels (`Overall`).
/// For per-frame values, give `astats` `metadata=1` and read them with
/// [`Measure`](super::Measure).
///
/// ```
/// use afmpeg::tasks::AudioStats;
/// let log = "[Parsed_astats_0 @ 0x1] Channel: 1\n[Parsed_astats_0 @ 0x1] Peak level dB: -24.084520\n[Parsed_astats_0 @ 0x1] Channel: 2\n[Parsed_astats_0 @ 0x1] Peak level dB: -30.1\n[Parsed_astats_0 @ 0x1] Overall\n[Parsed_astats_0 @ 0x1] Peak level dB: -24.084520\n";
/// let stats = AudioStats::parse(log).unwrap();
/// assert_eq!(stats.channels.len(), 2);
/// assert_eq!(stats.channels[1].peak_level_db, Some(-30.1));
/// assert_eq!(stats.overall.peak_level_db, Some(-24.08452));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudioStats {
    /// One entry per channel, in channel order.
    pub channels: Vec<ChannelStats>,
    /// Over all channels.
    pub overall: ChannelStats,
}

impl AudioStats {
    /// Parses the last summary `astats` printed; `None` without one (no
    /// `Overall` section).
    ///
    /// ```
    /// use afmpeg::tasks::AudioStats;
    /// assert_eq!(AudioStats::parse("[Parsed_astats_0 @ 0x1] Channel: 1\n"), None);
    /// let only_overall = AudioStats::parse("[astats @ 0x1] Overall\n[astats @ 0x1] DC offset: 0.000000\n").unwrap();
    /// assert!(only_overall.channels.is_empty());
    /// assert_eq!(only_overall.overall.dc_offset, Some(0.0));
    /// ```
    pub fn parse(stderr: &str) -> Option<AudioStats> {
        // Sections in log order; a new "Channel: 1" starts another summary
        // (several astats in one graph): the last one wins.
        let mut channels: Vec<BTreeMap<String, String>> = Vec::new();
        let mut overall: Option<BTreeMap<String, String>> = None;
        // Which section the next `label: value` line belongs to: a channel
        // (its index) or the overall one.
        let mut in_channel: Option<usize> = None;
        for msg in filter_messages(stderr, &["astats"]) {
            let msg = msg.trim_end();
            if msg == "Overall" {
                overall = Some(BTreeMap::new());
                in_channel = None;
                continue;
            }
            let Some((label, value)) = msg.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if label == "Channel" {
                if value == "1" {
                    channels.clear();
                    overall = None;
                }
                channels.push(BTreeMap::new());
                in_channel = Some(channels.len() - 1);
                continue;
            }
            let section = match in_channel {
                Some(i) => channels.get_mut(i),
                None => overall.as_mut(),
            };
            if let Some(section) = section {
                section.insert(label.trim().to_owned(), value.to_owned());
            }
        }
        Some(AudioStats {
            overall: ChannelStats::from_values(overall?),
            channels: channels
                .into_iter()
                .map(ChannelStats::from_values)
                .collect(),
        })
    }
}

// --- silencedetect -------------------------------------------------------

/// Parses `silencedetect`'s `silence_start` / `silence_end` lines.
///
/// ```
/// use afmpeg::tasks::analysis::parse_silence;
/// use afmpeg::tasks::Interval;
/// let gaps = parse_silence("[silencedetect @ 0xcde380] silence_start: 1\n[silencedetect @ 0xcde380] silence_end: 2.5 | silence_duration: 1.5\n[silencedetect @ 0xcde380] silence_start: 7\n");
/// assert_eq!(gaps, [Interval { start: 1.0, end: Some(2.5) }, Interval { start: 7.0, end: None }]);
/// ```
pub fn parse_silence(stderr: &str) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::new();
    for msg in filter_messages(stderr, &["silencedetect"]) {
        for (key, value) in pairs(msg) {
            match (key, num(value)) {
                ("silence_start", Some(start)) => out.push(Interval { start, end: None }),
                ("silence_end", Some(end)) => match out.last_mut() {
                    Some(open) if open.end.is_none() => open.end = Some(end),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    out
}

/// Finds silent stretches of an audio stream with `silencedetect`.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{SilenceDetect, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let gaps = SilenceDetect::new("/talk.wav")
///     .noise_db(-50.0)
///     .min_duration(Time::from_millis(300))
///     .run(&rt, &fs)?;
/// for gap in gaps {
///     println!("{:.2}–{:?}", gap.start, gap.end);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceDetect {
    input: String,
    stream: usize,
    noise_db: f64,
    min_duration: Time,
}

impl SilenceDetect {
    /// Silence below −60 dBFS lasting at least 0.5 s, in the first audio
    /// stream of `input`.
    ///
    /// ```
    /// use afmpeg::tasks::SilenceDetect;
    /// let args = SilenceDetect::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "silencedetect=noise=-60dB:duration=0.500000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>) -> SilenceDetect {
        SilenceDetect {
            input: input.into(),
            stream: 0,
            noise_db: -60.0,
            min_duration: Time::from_millis(500),
        }
    }

    /// Which audio stream (0-based among the audio streams).
    ///
    /// ```
    /// use afmpeg::tasks::SilenceDetect;
    /// let args = SilenceDetect::new("/in.mp4").stream(1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream(mut self, index: usize) -> SilenceDetect {
        self.stream = index;
        self
    }

    /// The level under which a sample counts as silent, in dBFS (≤ 0).
    ///
    /// ```
    /// use afmpeg::tasks::SilenceDetect;
    /// let args = SilenceDetect::new("/in.mp4").noise_db(-50.0).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "silencedetect=noise=-50dB:duration=0.500000"]), "{args:?}");
    /// assert!(afmpeg::tasks::SilenceDetect::new("/in.mp4").noise_db(3.0).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn noise_db(mut self, db: f64) -> SilenceDetect {
        self.noise_db = db;
        self
    }

    /// The shortest silence reported.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::SilenceDetect;
    /// let args = SilenceDetect::new("/in.mp4").min_duration(Time::from_millis(300)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "silencedetect=noise=-60dB:duration=0.300000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn min_duration(mut self, duration: Time) -> SilenceDetect {
        self.min_duration = duration;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::SilenceDetect;
    /// let args = SilenceDetect::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:0"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-f", "null"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        if !self.noise_db.is_finite() || self.noise_db > 0.0 {
            return Err(CommandError::InvalidArgument {
                option: "silencedetect noise".into(),
                value: self.noise_db.to_string(),
                reason: "must be a finite level in dBFS, at most 0",
            });
        }
        analysis_command(
            &self.input,
            StreamType::Audio,
            self.stream,
            format!(
                "silencedetect=noise={}dB:duration={}",
                self.noise_db, self.min_duration
            ),
        )
    }
}

impl Task for SilenceDetect {
    type Output = Vec<Interval>;

    /// Runs the detection with `opts`; the silences in time order.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Vec<Interval>> {
        let out = analyze(rt, fs, opts, &self.command()?)?;
        Ok(parse_silence(&out.stderr_text()))
    }
}

// --- blackdetect ---------------------------------------------------------

/// Parses `blackdetect`'s `black_start:… black_end:…` lines.
///
/// ```
/// use afmpeg::tasks::analysis::parse_black;
/// use afmpeg::tasks::Interval;
/// assert_eq!(parse_black("[blackdetect @ 0xcfa0e0] black_start:0 black_end:1.5 black_duration:1.5\n"), [Interval { start: 0.0, end: Some(1.5) }]);
/// ```
pub fn parse_black(stderr: &str) -> Vec<Interval> {
    let mut out = Vec::new();
    for msg in filter_messages(stderr, &["blackdetect"]) {
        let p = pairs(msg);
        let get = |k: &str| {
            p.iter()
                .find(|(key, _)| *key == k)
                .and_then(|(_, v)| num(v))
        };
        if let Some(start) = get("black_start") {
            out.push(Interval {
                start,
                end: get("black_end"),
            });
        }
    }
    out
}

/// Finds black stretches of a video stream with `blackdetect`.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{BlackDetect, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let black = BlackDetect::new("/movie.mp4").min_duration(Time::from_millis(500)).run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BlackDetect {
    input: String,
    stream: usize,
    min_duration: Time,
    picture_threshold: f64,
    pixel_threshold: f64,
}

impl BlackDetect {
    /// FFmpeg's defaults: at least 2 s, 98 % of the pixels darker than 10 %
    /// luminance; first video stream of `input`.
    ///
    /// ```
    /// use afmpeg::tasks::BlackDetect;
    /// let args = BlackDetect::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "blackdetect=d=2.000000:pic_th=0.98:pix_th=0.1"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:v:0"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>) -> BlackDetect {
        BlackDetect {
            input: input.into(),
            stream: 0,
            min_duration: Time::from_secs(2),
            picture_threshold: 0.98,
            pixel_threshold: 0.10,
        }
    }

    /// Which video stream (0-based among the video streams).
    ///
    /// ```
    /// use afmpeg::tasks::BlackDetect;
    /// let args = BlackDetect::new("/in.mp4").stream(1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:v:1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream(mut self, index: usize) -> BlackDetect {
        self.stream = index;
        self
    }

    /// The shortest black stretch reported (`d`).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::BlackDetect;
    /// let args = BlackDetect::new("/in.mp4").min_duration(Time::from_millis(500)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "blackdetect=d=0.500000:pic_th=0.98:pix_th=0.1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn min_duration(mut self, duration: Time) -> BlackDetect {
        self.min_duration = duration;
        self
    }

    /// Share of black pixels for a frame to count as black (`pic_th`,
    /// 0.0..=1.0).
    ///
    /// ```
    /// use afmpeg::tasks::BlackDetect;
    /// let args = BlackDetect::new("/in.mp4").picture_threshold(0.9).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "blackdetect=d=2.000000:pic_th=0.9:pix_th=0.1"]), "{args:?}");
    /// assert!(afmpeg::tasks::BlackDetect::new("/in.mp4").picture_threshold(1.5).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn picture_threshold(mut self, share: f64) -> BlackDetect {
        self.picture_threshold = share;
        self
    }

    /// Luminance under which a pixel is black (`pix_th`, 0.0..=1.0).
    ///
    /// ```
    /// use afmpeg::tasks::BlackDetect;
    /// let args = BlackDetect::new("/in.mp4").pixel_threshold(0.05).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "blackdetect=d=2.000000:pic_th=0.98:pix_th=0.05"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn pixel_threshold(mut self, level: f64) -> BlackDetect {
        self.pixel_threshold = level;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::BlackDetect;
    /// let args = BlackDetect::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-loglevel", "info"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("-"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        for (option, v) in [
            ("blackdetect pic_th", self.picture_threshold),
            ("blackdetect pix_th", self.pixel_threshold),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(CommandError::InvalidArgument {
                    option: option.into(),
                    value: v.to_string(),
                    reason: "must be within 0.0..=1.0",
                });
            }
        }
        analysis_command(
            &self.input,
            StreamType::Video,
            self.stream,
            format!(
                "blackdetect=d={}:pic_th={}:pix_th={}",
                self.min_duration, self.picture_threshold, self.pixel_threshold
            ),
        )
    }
}

impl Task for BlackDetect {
    type Output = Vec<Interval>;

    /// Runs the detection with `opts`; the black stretches in time order.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Vec<Interval>> {
        let out = analyze(rt, fs, opts, &self.command()?)?;
        Ok(parse_black(&out.stderr_text()))
    }
}

// --- scene scores --------------------------------------------------------

/// Parses `scdet`'s `lavfi.scd.score: S, lavfi.scd.time: T` lines.
///
/// ```
/// use afmpeg::tasks::analysis::parse_scene_scores;
/// let scores = parse_scene_scores("[scdet @ 0xcfa350] lavfi.scd.score: 42.667, lavfi.scd.time: 1\n[scdet @ 0xcfa350] lavfi.scd.score: 0.153, lavfi.scd.time: 1.04\n");
/// assert_eq!(scores.len(), 2);
/// assert_eq!((scores[1].time, scores[1].score), (1.04, 0.153));
/// ```
pub fn parse_scene_scores(stderr: &str) -> Vec<SceneScore> {
    filter_messages(stderr, &["scdet"])
        .filter_map(|msg| {
            let p = pairs(msg);
            let get = |k: &str| {
                p.iter()
                    .find(|(key, _)| *key == k)
                    .and_then(|(_, v)| num(v))
            };
            Some(SceneScore {
                time: get("lavfi.scd.time")?,
                score: get("lavfi.scd.score")?,
            })
        })
        .collect()
}

/// Scene-change scores of a video stream, by the `scdet` filter.
///
/// `scdet` reports the frames whose score is above its threshold; the
/// default threshold here is 0, so every frame that differs at all from
/// the previous one is listed (FFmpeg's own default, 10, keeps only likely
/// cuts).
///
/// ```no_run
/// use afmpeg::tasks::{SceneScores, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let cuts = SceneScores::new("/movie.mp4").threshold(10.0).run(&rt, &fs)?;
/// for c in cuts {
///     println!("cut at {:.2} s (score {:.1})", c.time, c.score);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SceneScores {
    input: String,
    stream: usize,
    threshold: f64,
}

impl SceneScores {
    /// All non-zero scores of the first video stream of `input`.
    ///
    /// ```
    /// use afmpeg::tasks::SceneScores;
    /// let args = SceneScores::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "scdet=threshold=0"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:v:0"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>) -> SceneScores {
        SceneScores {
            input: input.into(),
            stream: 0,
            threshold: 0.0,
        }
    }

    /// Which video stream (0-based among the video streams).
    ///
    /// ```
    /// use afmpeg::tasks::SceneScores;
    /// let args = SceneScores::new("/in.mp4").stream(1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:v:1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream(mut self, index: usize) -> SceneScores {
        self.stream = index;
        self
    }

    /// Report only scores above this, 0.0..=100.0.
    ///
    /// ```
    /// use afmpeg::tasks::SceneScores;
    /// let args = SceneScores::new("/in.mp4").threshold(10.0).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "scdet=threshold=10"]), "{args:?}");
    /// assert!(afmpeg::tasks::SceneScores::new("/in.mp4").threshold(101.0).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn threshold(mut self, threshold: f64) -> SceneScores {
        self.threshold = threshold;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::SceneScores;
    /// let args = SceneScores::new("/in.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "null"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        if !(0.0..=100.0).contains(&self.threshold) {
            return Err(CommandError::InvalidArgument {
                option: "scdet threshold".into(),
                value: self.threshold.to_string(),
                reason: "must be within 0.0..=100.0",
            });
        }
        analysis_command(
            &self.input,
            StreamType::Video,
            self.stream,
            format!("scdet=threshold={}", self.threshold),
        )
    }
}

impl Task for SceneScores {
    type Output = Vec<SceneScore>;

    /// Runs the analysis with `opts`; scores in time order.
    fn run_with(
        &self,
        rt: &Runtime,
        fs: &Filesystem,
        opts: &RunOptions,
    ) -> Result<Vec<SceneScore>> {
        let out = analyze(rt, fs, opts, &self.command()?)?;
        Ok(parse_scene_scores(&out.stderr_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOLUME: &str = "size=N/A time=00:00:02.00 bitrate=N/A speed= 5.2x    \r\n\
[Parsed_volumedetect_0 @ 0xcf5690] n_samples: 96000\n\
[Parsed_volumedetect_0 @ 0xcf5690] mean_volume: -38.1 dB\n\
[Parsed_volumedetect_0 @ 0xcf5690] max_volume: -35.1 dB\n\
[Parsed_volumedetect_0 @ 0xcf5690] histogram_35db: 28000\n";

    #[test]
    fn volumedetect() {
        let v = VolumeStats::parse(VOLUME).unwrap();
        assert_eq!(v.samples, 96000);
        assert_eq!(v.mean_volume, -38.1);
        assert_eq!(v.max_volume, -35.1);
        assert_eq!(v.histogram, [(35, 28000)]);
        assert!(VolumeStats::parse("nothing").is_none());
        let silent = VOLUME.replace("-38.1", "-inf");
        assert_eq!(
            VolumeStats::parse(&silent).unwrap().mean_volume,
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn ebur128_summary() {
        let log = "[Parsed_ebur128_1 @ 0xd757d0] Summary:\n\n  Integrated loudness:\n    I:         -38.1 LUFS\n    Threshold: -48.1 LUFS\n\n  Loudness range:\n    LRA:         0.0 LU\n    Threshold:   0.0 LUFS\n    LRA low:     0.0 LUFS\n    LRA high:    0.0 LUFS\n\n  True peak:\n    Peak:      -35.1 dBFS\n";
        let r = LoudnessReport::parse_ebur128(log).unwrap();
        assert_eq!(
            r,
            LoudnessReport {
                integrated: -38.1,
                range: 0.0,
                true_peak: -35.1,
                threshold: -48.1
            }
        );
    }

    #[test]
    fn loudnorm_json() {
        let log = "[Parsed_loudnorm_0 @ 0xcde900] \n{\n\t\"input_i\" : \"-21.75\",\n\t\"input_tp\" : \"-18.06\",\n\t\"input_lra\" : \"0.00\",\n\t\"input_thresh\" : \"-31.75\",\n\t\"output_i\" : \"-24.05\",\n\t\"normalization_type\" : \"linear\",\n\t\"target_offset\" : \"0.05\"\n}\n";
        let r = LoudnessReport::parse_loudnorm(log).unwrap();
        assert_eq!(r.integrated, -21.75);
        assert_eq!(r.true_peak, -18.06);
        assert_eq!(r.threshold, -31.75);
    }

    #[test]
    fn silence_black_scenes() {
        let log = "[silencedetect @ 0xcde380] silence_start: 1\n\
[silencedetect @ 0xcde380] silence_end: 2.00002 | silence_duration: 1.00002\n\
[Parsed_silencedetect_0 @ 0x1] silence_start: 3.5\n\
[blackdetect @ 0xcfa0e0] black_start:0 black_end:1 black_duration:1\n\
[scdet @ 0xcfa350] lavfi.scd.score: 42.667, lavfi.scd.time: 1\n\
[scdet @ 0xcfa350] lavfi.scd.score: 0.153, lavfi.scd.time: 1.04\n\
[other @ 0x2] silence_start: 9\n";
        let s = parse_silence(log);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].start, 1.0);
        assert_eq!(s[0].end, Some(2.00002));
        assert_eq!(
            s[1],
            Interval {
                start: 3.5,
                end: None
            }
        );
        assert_eq!(
            parse_black(log),
            [Interval {
                start: 0.0,
                end: Some(1.0)
            }]
        );
        assert_eq!(
            parse_scene_scores(log),
            [
                SceneScore {
                    time: 1.0,
                    score: 42.667
                },
                SceneScore {
                    time: 1.04,
                    score: 0.153
                }
            ]
        );
    }
}
