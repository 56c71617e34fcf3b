//! The generic measurement reader: any analysis filter's per-frame values,
//! as FFmpeg's `metadata=mode=print` / `ametadata=mode=print` prints them,
//! and the end-of-run summaries of `astats`, `ebur128` and `volumedetect`,
//! as typed values.
//!
//! Many filters attach their measurements to each frame as `lavfi.*`
//! metadata (`astats=metadata=1`, `ebur128=metadata=1`, `signalstats`,
//! `cropdetect`, `aphasemeter`, `silencedetect`, `scdet`, …). The
//! `(a)metadata` filter in print mode logs them, one block per frame (for
//! audio, per decoded frame: a segment of samples; `asetnsamples` sets its
//! length):
//!
//! ```text
//! [Parsed_ametadata_1 @ 0x…] frame:0    pts:0       pts_time:0
//! [Parsed_ametadata_1 @ 0x…] lavfi.astats.Overall.RMS_level=-27.104133
//! ```
//!
//! [`FrameValues`] reads those blocks; [`Measure`] runs a filter with the
//! print filter after it and returns [`Measurements`]: the frames' values
//! and the run's log, from which the typed summaries
//! ([`AudioStats`], [`Ebur128Summary`], [`VolumeStats`]) are read with the
//! same parsers as the typed helpers of [`analysis`](super::analysis).

use super::analysis::{analysis_command, analyze};
use super::filter_log::{filter_messages, num, pairs};
use super::{AudioStats, Ebur128Summary, Task, VolumeStats};
use crate::command::{Command, CommandError, StreamType};
use crate::error::Result;
use crate::job::RunOptions;
use crate::{Filesystem, Runtime};
use std::collections::BTreeMap;

/// One frame's (for audio, one segment's) metadata as `metadata=mode=print`
/// prints it: its number and time, and its `key=value` entries.
///
/// ```
/// use afmpeg::tasks::FrameValues;
/// let log = "[Parsed_ametadata_1 @ 0x1] frame:0    pts:0       pts_time:0\n\
/// [Parsed_ametadata_1 @ 0x1] lavfi.astats.Overall.RMS_level=-27.104133\n\
/// [Parsed_ametadata_1 @ 0x1] frame:1    pts:1024    pts_time:0.0213333\n\
/// [Parsed_ametadata_1 @ 0x1] lavfi.astats.Overall.RMS_level=-inf\n";
/// let frames = FrameValues::parse_log(log);
/// assert_eq!(frames.len(), 2);
/// assert_eq!((frames[1].frame, frames[1].pts, frames[1].time), (1, Some(1024), Some(0.0213333)));
/// assert_eq!(frames[0].get("lavfi.astats.Overall.RMS_level"), Some(-27.104133));
/// assert_eq!(frames[1].get("lavfi.astats.Overall.RMS_level"), Some(f64::NEG_INFINITY));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrameValues {
    /// The frame's number at the print filter (`frame:`), from 0.
    pub frame: u64,
    /// Its timestamp in its stream's time base (`pts:`); `None` for
    /// `NOPTS`.
    pub pts: Option<i64>,
    /// Its timestamp in seconds (`pts_time:`); `None` for `NOPTS`.
    pub time: Option<f64>,
    /// Its metadata entries, `key` → `value` as printed (keys may contain
    /// spaces: `lavfi.astats.1.Number of NaNs`).
    pub values: BTreeMap<String, String>,
}

impl FrameValues {
    /// The value of `key` as a number (`nan`, `inf`, `-inf` included);
    /// `None` if the frame has no such key or its value is not a number.
    ///
    /// ```
    /// use afmpeg::tasks::FrameValues;
    /// let f = &FrameValues::parse_file("frame:3    pts:120     pts_time:1.2\nlavfi.signalstats.YAVG=81.5\nlavfi.note=text\n")[0];
    /// assert_eq!(f.get("lavfi.signalstats.YAVG"), Some(81.5));
    /// assert_eq!(f.get("lavfi.note"), None);
    /// assert_eq!(f.values["lavfi.note"], "text");
    /// ```
    pub fn get(&self, key: &str) -> Option<f64> {
        self.values.get(key).and_then(|v| num(v))
    }

    /// Reads the frames the `metadata`/`ametadata` filters logged in
    /// FFmpeg's stderr (their `mode=print` output without `file=`, at log
    /// level `info` or above); every other line is ignored. With several
    /// print filters in one graph their frames are interleaved: print with
    /// one per run.
    ///
    /// ```
    /// use afmpeg::tasks::FrameValues;
    /// let log = "size=N/A time=00:00:01.00 bitrate=N/A speed=14.7x\r\
    /// [Parsed_metadata_1 @ 0x1] frame:7    pts:7       pts_time:0.28\n\
    /// [Parsed_metadata_1 @ 0x1] lavfi.scd.score=42.5\n\
    /// [Parsed_scale_0 @ 0x2] a=b\n";
    /// let frames = FrameValues::parse_log(log);
    /// assert_eq!(frames.len(), 1);
    /// assert_eq!(frames[0].values.len(), 1);
    /// assert_eq!(frames[0].get("lavfi.scd.score"), Some(42.5));
    /// ```
    pub fn parse_log(stderr: &str) -> Vec<FrameValues> {
        read_blocks(filter_messages(stderr, &["metadata", "ametadata"]))
    }

    /// Reads what `metadata=mode=print:file=PATH` wrote into PATH (the same
    /// lines, without the log prefix).
    ///
    /// ```
    /// use afmpeg::tasks::FrameValues;
    /// let frames = FrameValues::parse_file("frame:0    pts:NOPTS   pts_time:NOPTS\nlavfi.r128.M=-120.691\n");
    /// assert_eq!((frames[0].pts, frames[0].time), (None, None));
    /// assert_eq!(frames[0].get("lavfi.r128.M"), Some(-120.691));
    /// ```
    pub fn parse_file(text: &str) -> Vec<FrameValues> {
        read_blocks(text.split(['\n', '\r']))
    }
}

/// Blocks of a `frame:` header line followed by `key=value` lines; lines
/// before the first header, and others, are skipped.
fn read_blocks<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<FrameValues> {
    let mut frames: Vec<FrameValues> = Vec::new();
    for line in lines {
        let line = line.trim_end();
        if line.starts_with("frame:") {
            let mut frame = FrameValues::default();
            for (key, value) in pairs(line) {
                match key {
                    "frame" => frame.frame = value.parse().unwrap_or(0),
                    "pts" => frame.pts = value.parse().ok(),
                    "pts_time" => frame.time = num(value),
                    _ => {}
                }
            }
            frames.push(frame);
        } else if let (Some(frame), Some((key, value))) = (frames.last_mut(), line.split_once('='))
        {
            frame.values.insert(key.to_owned(), value.to_owned());
        }
    }
    frames
}

/// What [`Measure`] returns: every frame's values, and the run's log for
/// the filters' end-of-run summaries.
///
/// ```
/// use afmpeg::tasks::{FrameValues, Measurements};
/// let log = "[Parsed_ametadata_1 @ 0x1] frame:0    pts:0       pts_time:0\n\
/// [Parsed_ametadata_1 @ 0x1] lavfi.r128.M=-30.5\n\
/// [Parsed_ametadata_1 @ 0x1] frame:1    pts:4800    pts_time:0.1\n\
/// [Parsed_ametadata_1 @ 0x1] lavfi.r128.M=-20.25\n";
/// let m = Measurements { frames: FrameValues::parse_log(log), log: log.into() };
/// assert_eq!(m.series("lavfi.r128.M"), [(0.0, -30.5), (0.1, -20.25)]);
/// assert_eq!(m.ebur128(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measurements {
    /// The frames that carried metadata, in output order (frames without
    /// any are not printed by FFmpeg).
    pub frames: Vec<FrameValues>,
    /// FFmpeg's stderr of the run (log level `info`).
    pub log: String,
}

impl Measurements {
    /// `(time in seconds, value)` of every frame with a time and a numeric
    /// value of `key`, in frame order.
    ///
    /// ```
    /// use afmpeg::tasks::{FrameValues, Measurements};
    /// let frames = FrameValues::parse_file("frame:0 pts:0 pts_time:0\nlavfi.a=1\nframe:1 pts:1 pts_time:0.5\nlavfi.b=2\n");
    /// let m = Measurements { frames, log: String::new() };
    /// assert_eq!(m.series("lavfi.b"), [(0.5, 2.0)]);
    /// assert!(m.series("lavfi.c").is_empty());
    /// ```
    pub fn series(&self, key: &str) -> Vec<(f64, f64)> {
        self.frames
            .iter()
            .filter_map(|f| Some((f.time?, f.get(key)?)))
            .collect()
    }

    /// The summary of an `astats` in the measured filter.
    ///
    /// ```
    /// use afmpeg::tasks::Measurements;
    /// let m = Measurements { frames: vec![], log: "[Parsed_astats_0 @ 0x1] Overall\n[Parsed_astats_0 @ 0x1] Peak count: 400.000000\n".into() };
    /// assert_eq!(m.audio_stats().unwrap().overall.peak_count, Some(400.0));
    /// ```
    pub fn audio_stats(&self) -> Option<AudioStats> {
        AudioStats::parse(&self.log)
    }

    /// The summary of an `ebur128` in the measured filter.
    ///
    /// ```
    /// use afmpeg::tasks::Measurements;
    /// let m = Measurements { frames: vec![], log: "[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -23.0 LUFS\n    Threshold: -33.2 LUFS\n\n  Loudness range:\n    LRA:         5.4 LU\n".into() };
    /// assert_eq!(m.ebur128().unwrap().integrated, -23.0);
    /// ```
    pub fn ebur128(&self) -> Option<Ebur128Summary> {
        Ebur128Summary::parse(&self.log)
    }

    /// The report of a `volumedetect` in the measured filter.
    ///
    /// ```
    /// use afmpeg::tasks::Measurements;
    /// let m = Measurements { frames: vec![], log: "[Parsed_volumedetect_0 @ 0x1] n_samples: 96000\n[Parsed_volumedetect_0 @ 0x1] mean_volume: -38.1 dB\n[Parsed_volumedetect_0 @ 0x1] max_volume: -35.1 dB\n".into() };
    /// assert_eq!(m.volume().unwrap().max_volume, -35.1);
    /// ```
    pub fn volume(&self) -> Option<VolumeStats> {
        VolumeStats::parse(&self.log)
    }
}

/// Runs any analysis filter (chain) over one stream and reads what it
/// measured: each frame's metadata, printed by an `ametadata=mode=print`
/// (audio) or `metadata=mode=print` (video) appended to the chain, and the
/// log with the filters' end-of-run summaries. Nothing is written (`-f
/// null`).
///
/// ```no_run
/// use afmpeg::tasks::{Measure, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// // Momentary loudness every 100 ms, and the integrated loudness at the end.
/// let m = Measure::audio("/talk.wav", "ebur128=metadata=1")
///     .key("lavfi.r128.M")
///     .run(&rt, &fs)?;
/// for (t, lufs) in m.series("lavfi.r128.M") {
///     println!("{t:.1} s: {lufs:.1} LUFS");
/// }
/// println!("I = {:?}", m.ebur128().map(|s| s.integrated));
/// // The mean luma of every frame.
/// let v = Measure::video("/clip.mp4", "signalstats").run(&rt, &fs)?;
/// let luma = v.series("lavfi.signalstats.YAVG");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    input: String,
    kind: StreamType,
    stream: usize,
    filter: String,
    key: Option<String>,
    per_frame: bool,
}

impl Measure {
    /// Measure the first audio stream of `input` with the filter chain
    /// `filter` (e.g. `astats=metadata=1:reset=1`).
    ///
    /// ```
    /// use afmpeg::tasks::Measure;
    /// let args = Measure::audio("/in.wav", "astats=metadata=1:reset=1").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "astats=metadata=1:reset=1,ametadata=mode=print"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:0"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn audio(input: impl Into<String>, filter: impl Into<String>) -> Measure {
        Measure::new(input.into(), StreamType::Audio, filter.into())
    }

    /// Measure the first video stream of `input` with the filter chain
    /// `filter` (e.g. `signalstats`, `cropdetect`).
    ///
    /// ```
    /// use afmpeg::tasks::Measure;
    /// let args = Measure::video("/in.mp4", "signalstats").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "signalstats,metadata=mode=print"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:v:0"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn video(input: impl Into<String>, filter: impl Into<String>) -> Measure {
        Measure::new(input.into(), StreamType::Video, filter.into())
    }

    fn new(input: String, kind: StreamType, filter: String) -> Measure {
        Measure {
            input,
            kind,
            stream: 0,
            filter,
            key: None,
            per_frame: true,
        }
    }

    /// Which stream (0-based among the streams of its kind).
    ///
    /// ```
    /// use afmpeg::tasks::Measure;
    /// let args = Measure::audio("/in.mkv", "astats").stream(1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream(mut self, index: usize) -> Measure {
        self.stream = index;
        self
    }

    /// Print only this metadata key of each frame (`key=` of the print
    /// filter): a shorter log for a filter that sets many. Letters, digits
    /// and `._-` only.
    ///
    /// ```
    /// use afmpeg::tasks::Measure;
    /// let args = Measure::audio("/in.wav", "ebur128=metadata=1").key("lavfi.r128.M").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.M"]), "{args:?}");
    /// assert!(Measure::audio("/in.wav", "astats").key("a:b").command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn key(mut self, key: impl Into<String>) -> Measure {
        self.key = Some(key.into());
        self
    }

    /// Only the end-of-run summaries, no per-frame values: the filter runs
    /// alone, without the print filter ([`Measurements::frames`] is empty).
    /// For a filter that logs a summary (`astats`, `ebur128`,
    /// `volumedetect`) on a module without the `metadata` filters.
    ///
    /// ```
    /// use afmpeg::tasks::Measure;
    /// let args = Measure::audio("/in.wav", "astats").summary_only().command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-af", "astats"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn summary_only(mut self) -> Measure {
        self.per_frame = false;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Measure;
    /// let args = Measure::video("/in.mp4", "cropdetect").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-loglevel", "info"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-f", "null"]), "{args:?}");
    /// assert!(Measure::video("/in.mp4", " ").command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        if self.filter.trim().is_empty() {
            return Err(CommandError::InvalidArgument {
                option: "measure filter".into(),
                value: self.filter.clone(),
                reason: "must name a filter",
            });
        }
        let mut chain = self.filter.clone();
        if self.per_frame {
            let print = match self.kind {
                StreamType::Audio => "ametadata",
                _ => "metadata",
            };
            chain = format!("{chain},{print}=mode=print");
            if let Some(key) = &self.key {
                if key.is_empty()
                    || !key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                {
                    return Err(CommandError::InvalidArgument {
                        option: "measure key".into(),
                        value: key.clone(),
                        reason: "must be letters, digits, '.', '_' or '-'",
                    });
                }
                chain = format!("{chain}:key={key}");
            }
        }
        analysis_command(&self.input, self.kind, self.stream, chain)
    }
}

impl Task for Measure {
    type Output = Measurements;

    /// Runs the measurement with `opts`. A filter that measured nothing
    /// gives empty [`Measurements::frames`] (not an error); a filter the
    /// module lacks is [`Error::Ffmpeg`](crate::Error::Ffmpeg) ("No such
    /// filter").
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Measurements> {
        let out = analyze(rt, fs, opts, &self.command()?)?;
        let log = out.stderr_text();
        Ok(Measurements {
            frames: FrameValues::parse_log(&log),
            log,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_real_ametadata_output() {
        // Native FFmpeg 5.1.9: astats=metadata=1:reset=1,ametadata=mode=print.
        let log = "Press [q] to stop, [?] for help\n\
[Parsed_ametadata_1 @ 0x55e18c1b1200] frame:0    pts:0       pts_time:0\n\
[Parsed_ametadata_1 @ 0x55e18c1b1200] lavfi.astats.1.DC_offset=0.000318\n\
[Parsed_ametadata_1 @ 0x55e18c1b1200] lavfi.astats.1.Noise_floor=nan\n\
[Parsed_ametadata_1 @ 0x55e18c1b1200] lavfi.astats.1.Number of NaNs=0.000000\n\
[Parsed_ametadata_1 @ 0x55e18c1b1200] lavfi.astats.Overall.Number_of_samples=1024.000000\n\
Output #0, null, to 'pipe:':\n";
        let frames = FrameValues::parse_log(log);
        assert_eq!(frames.len(), 1);
        let f = &frames[0];
        assert_eq!((f.frame, f.pts, f.time), (0, Some(0), Some(0.0)));
        assert_eq!(f.values.len(), 4);
        assert_eq!(f.get("lavfi.astats.1.Number of NaNs"), Some(0.0));
        assert!(f.get("lavfi.astats.1.Noise_floor").unwrap().is_nan());
        assert_eq!(
            f.get("lavfi.astats.Overall.Number_of_samples"),
            Some(1024.0)
        );
    }

    #[test]
    fn values_before_any_frame_are_ignored() {
        assert!(FrameValues::parse_file("lavfi.x=1\n").is_empty());
    }
}
