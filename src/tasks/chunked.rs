//! One long transcode split at keyframes and encoded on several cores.
//!
//! A guest is single-threaded, so one FFmpeg job uses one core however many
//! the machine has. [`ChunkedTranscode`] cuts the input's video into ranges
//! that start at keyframes, encodes every range as its own job on the batch
//! pool (each in its own instance, all reading the one shared input without
//! copying it), encodes the audio once in another job, then joins the video
//! pieces with the concat demuxer in stream copy and muxes the audio in.
//!
//! Frame accuracy: each range is read with an accurate input seek to its
//! first keyframe (`-ss T -accurate_seek`, `T` rounded *down* to the
//! microsecond so the keyframe itself is never dropped) and stops after
//! exactly its frame count (`-frames:v N`, `-fps_mode passthrough`), so every
//! source frame lands in exactly one piece. Every piece starts at time 0
//! with an IDR frame (a fresh encoder), and the concat demuxer offsets each
//! piece by the durations of those before it, so timestamps run on without a
//! gap or an overlap.

use super::Task;
use super::{base, extension, is_mp4_like, join, Produced};
use crate::command::{Command, ConcatList, InputFile, LogLevel, OutputFile, SeekMode, Time};
use crate::error::{ChunkError, Error, Result};
use crate::job::Job;
use crate::job::{RunOptions, RunOutput, Tool};
use crate::progress::Progress;
use crate::stop::StopToken;
use crate::{Filesystem, Runtime};
use std::sync::Arc;

/// One range of frames encoded as its own job.
///
/// ```no_run
/// use afmpeg::tasks::ChunkedTranscode;
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4").chunks(4)
///     .plan(&rt, &fs, &RunOptions::new())?;
/// let mut next = 0;
/// for range in &plan.chunks {
///     // The ranges cover every frame once, in order.
///     assert_eq!(range.first_frame, next);
///     next += range.frames;
///     println!("frames from {} ({})", range.first_frame, range.start);
/// }
/// assert_eq!(next, plan.frames);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    /// Index of its first frame in the input (presentation order); always a
    /// keyframe.
    pub first_frame: u64,
    /// How many frames it holds.
    pub frames: u64,
    /// Where the input seek lands: its first frame's time relative to the
    /// input's start, rounded down to the microsecond.
    pub start: Time,
}

/// What [`ChunkedTranscode::run`] produced.
///
/// ```no_run
/// use afmpeg::tasks::{ChunkedTranscode, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let out = ChunkedTranscode::new("/in.mp4", "/out.mp4").chunks(4).run(&rt, &fs)?;
/// assert!(out.chunks.len() <= 4);
/// println!("{} frames, audio: {}, {} bytes", out.frames, out.audio, out.produced.size);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkedOutput {
    /// The joined output file.
    pub produced: Produced,
    /// The ranges encoded in parallel, in order (fewer than asked for when
    /// the input has too few keyframes).
    pub chunks: Vec<ChunkRange>,
    /// Video frames in the input, and so in the output.
    pub frames: u64,
    /// Whether an audio stream was encoded and muxed in.
    pub audio: bool,
    /// Whether a stop ([`RunOptions::stop`]) ended the run early. The
    /// output is then a playable prefix of the input: the pieces that were
    /// finished in order and the piece that was running when the stop came
    /// (finished gracefully, so it ends early); [`chunks`](Self::chunks)
    /// lists those pieces only, the audio is no longer than the video (its
    /// own job may have been stopped earlier still), and
    /// [`frames`](Self::frames) still counts the input's frames.
    pub stopped: bool,
}

/// Output options that make no sense piece by piece, with the reason.
const REFUSED_OPTIONS: &[(&str, &str)] = &[
    (
        "ss",
        "the pieces are cut by the chunked mode; cut the input first (Clip)",
    ),
    (
        "sseof",
        "the pieces are cut by the chunked mode; cut the input first (Clip)",
    ),
    (
        "t",
        "the pieces are cut by the chunked mode; cut the input first (Clip)",
    ),
    (
        "to",
        "the pieces are cut by the chunked mode; cut the input first (Clip)",
    ),
    (
        "frames",
        "the pieces are cut by the chunked mode; cut the input first (Clip)",
    ),
    (
        "vframes",
        "the pieces are cut by the chunked mode; cut the input first (Clip)",
    ),
    (
        "r",
        "a frame-rate change duplicates or drops frames differently in each piece",
    ),
    (
        "fpsmax",
        "a frame-rate change duplicates or drops frames differently in each piece",
    ),
    ("vsync", "the pieces pass every frame through unchanged"),
    ("fps_mode", "the pieces pass every frame through unchanged"),
    (
        "map",
        "the chunked mode keeps the first video and the first audio stream",
    ),
    (
        "filter_complex",
        "a filter graph over several streams cannot be cut into pieces",
    ),
    (
        "lavfi",
        "a filter graph over several streams cannot be cut into pieces",
    ),
    (
        "pass",
        "two-pass encoding needs statistics of the whole stream",
    ),
    (
        "passlogfile",
        "two-pass encoding needs statistics of the whole stream",
    ),
    ("f", "the container follows the output extension"),
    (
        "vn",
        "the chunked mode encodes video; use Transcode for audio only",
    ),
    (
        "c",
        "give the video and audio codecs separately (-c:v, -c:a)",
    ),
    (
        "codec",
        "give the video and audio codecs separately (-c:v, -c:a)",
    ),
    ("itsoffset", "timestamps of the pieces are set by the join"),
    ("shortest", "the chunked mode joins whole streams"),
    ("copyts", "timestamps of the pieces are set by the join"),
];

/// Video filters that change timing or look at other frames than the
/// current one: each piece would restart them.
const TEMPORAL_FILTERS: &[&str] = &[
    "fps",
    "framerate",
    "select",
    "setpts",
    "trim",
    "tpad",
    "reverse",
    "loop",
    "minterpolate",
    "tblend",
    "tmix",
    "deflicker",
    "fade",
    "yadif",
    "bwdif",
    "w3fdif",
    "telecine",
    "detelecine",
    "fieldmatch",
    "decimate",
    "mpdecimate",
    "framestep",
    "interlace",
    "tinterlace",
    "hqdn3d",
    "atadenoise",
    "deshake",
    "vidstabtransform",
    "random",
    "shuffleframes",
    "freezeframes",
];

/// Transcodes `input` to `output` in parallel pieces: video split at
/// keyframes and encoded by several jobs at once, audio encoded once, the
/// pieces joined without re-encoding (see the [module](self) docs).
///
/// Options are given as FFmpeg output options, without stream selection:
/// [`video_args`](ChunkedTranscode::video_args) for the encode of every
/// video piece, [`audio_args`](ChunkedTranscode::audio_args) for the audio
/// job. Options that change the number or timing of frames (`-r`, `-t`,
/// `-vf fps=…`, …) are refused with [`ChunkError`]: each piece would apply
/// them on its own.
///
/// ```no_run
/// use afmpeg::tasks::{ChunkedTranscode, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// // … put a long "/in.mp4" into fs …
/// let out = ChunkedTranscode::new("/in.mp4", "/out.mp4")
///     .chunks(4)
///     .video_args(["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"])
///     .audio_args(["-c:a", "aac", "-b:a", "128k"])
///     .run(&rt, &fs)?;
/// println!("{} frames in {} pieces", out.frames, out.chunks.len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkedTranscode {
    input: String,
    output: String,
    chunks: usize,
    threads: usize,
    video_args: Vec<String>,
    audio_args: Vec<String>,
    no_audio: bool,
    work_dir: Option<String>,
    piece_progress: Option<PieceProgress>,
}

/// What [`ChunkedTranscode::piece_progress`] calls: the piece's index and
/// its report.
type PieceProgressFn = dyn Fn(usize, &Progress) + Send + Sync;

/// The callback of [`ChunkedTranscode::piece_progress`]; tasks compare
/// equal when they hold the same one.
#[derive(Clone)]
struct PieceProgress(Arc<PieceProgressFn>);

impl std::fmt::Debug for PieceProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PieceProgress")
    }
}

impl PartialEq for PieceProgress {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PieceProgress {}

impl ChunkedTranscode {
    /// Transcode `input` to `output`, in as many pieces as there are cores,
    /// with `libx264` (`yuv420p`) video and `aac` audio unless the
    /// arguments say otherwise.
    ///
    /// ```no_run
    /// use afmpeg::tasks::ChunkedTranscode;
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4")
    ///     .plan(&rt, &fs, &RunOptions::new())?;
    /// let video = &plan.pieces[0].args;
    /// assert!(video.windows(2).any(|w| w == ["-c:v", "libx264"]), "{video:?}");
    /// assert_eq!(plan.join.output, "/out.mp4");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(input: impl Into<String>, output: impl Into<String>) -> ChunkedTranscode {
        ChunkedTranscode {
            input: input.into(),
            output: output.into(),
            chunks: std::thread::available_parallelism().map_or(1, usize::from),
            threads: 0,
            video_args: Vec::new(),
            audio_args: Vec::new(),
            no_audio: false,
            work_dir: None,
            piece_progress: None,
        }
    }

    /// How many pieces to cut the video into (at most; the input may have
    /// fewer keyframes). Default: the number of cores.
    ///
    /// ```no_run
    /// use afmpeg::tasks::ChunkedTranscode;
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4").chunks(8)
    ///     .plan(&rt, &fs, &RunOptions::new())?;
    /// assert!(plan.pieces.len() <= 8);
    /// assert_eq!(plan.pieces.len(), plan.chunks.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn chunks(mut self, chunks: usize) -> ChunkedTranscode {
        self.chunks = chunks;
        self
    }

    /// Threads of the job pool (0, the default: one per core).
    ///
    /// ```no_run
    /// use afmpeg::tasks::{ChunkedTranscode, Task};
    /// use afmpeg::{Filesystem, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// // Eight pieces, two encoding at a time.
    /// let out = ChunkedTranscode::new("/in.mp4", "/out.mp4").chunks(8).threads(2).run(&rt, &fs)?;
    /// println!("{} pieces", out.chunks.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn threads(mut self, threads: usize) -> ChunkedTranscode {
        self.threads = threads;
        self
    }

    /// FFmpeg output options for each video piece, e.g.
    /// `["-c:v", "libx264", "-preset", "veryfast"]`. An option is a `-name`
    /// followed by its value, unless the next argument is another option.
    ///
    /// ```no_run
    /// use afmpeg::tasks::ChunkedTranscode;
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4")
    ///     .video_args(["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"])
    ///     .plan(&rt, &fs, &RunOptions::new())?;
    /// for piece in &plan.pieces {
    ///     assert!(piece.args.windows(2).any(|w| w == ["-crf", "23"]), "{:?}", piece.args);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn video_args<I, S>(mut self, args: I) -> ChunkedTranscode
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.video_args = args.into_iter().map(Into::into).collect();
        self
    }

    /// FFmpeg output options for the audio, e.g. `["-c:a", "libopus"]`.
    ///
    /// ```no_run
    /// use afmpeg::tasks::ChunkedTranscode;
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4")
    ///     .audio_args(["-c:a", "aac", "-b:a", "128k"])
    ///     .plan(&rt, &fs, &RunOptions::new())?;
    /// if let Some(audio) = &plan.audio {
    ///     assert!(audio.args.windows(2).any(|w| w == ["-b:a", "128k"]), "{:?}", audio.args);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn audio_args<I, S>(mut self, args: I) -> ChunkedTranscode
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audio_args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Drop the audio: the output has video only.
    ///
    /// ```no_run
    /// use afmpeg::tasks::ChunkedTranscode;
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4").no_audio()
    ///     .plan(&rt, &fs, &RunOptions::new())?;
    /// assert!(plan.audio.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn no_audio(mut self) -> ChunkedTranscode {
        self.no_audio = true;
        self
    }

    /// Where the pieces are written while the job runs, in the in-memory
    /// tree (must not exist; removed afterwards). Default:
    /// `{output}.chunks`.
    ///
    /// ```no_run
    /// use afmpeg::tasks::ChunkedTranscode;
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4").work_dir("/scratch/pieces")
    ///     .plan(&rt, &fs, &RunOptions::new())?;
    /// assert_eq!(plan.work_dir, "/scratch/pieces");
    /// assert!(plan.pieces.iter().all(|p| p.output.starts_with("/scratch/pieces/")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn work_dir(mut self, dir: impl Into<String>) -> ChunkedTranscode {
        self.work_dir = Some(dir.into());
        self
    }

    /// Calls `f(piece, report)` with each video piece's progress reports
    /// (`piece` counts from 0 in the order of [`ChunkPlan::pieces`]; times
    /// and frames are the piece's own). The task's own
    /// [`RunOptions::progress`] is not called: the pieces run at once and
    /// report separately.
    ///
    /// ```no_run
    /// use afmpeg::tasks::{ChunkedTranscode, Task};
    /// use afmpeg::{Filesystem, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// ChunkedTranscode::new("/in.mp4", "/out.mp4")
    ///     .piece_progress(|piece, p| eprintln!("piece {piece}: frame {:?}", p.frame))
    ///     .run(&rt, &fs)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn piece_progress(
        mut self,
        f: impl Fn(usize, &Progress) + Send + Sync + 'static,
    ) -> ChunkedTranscode {
        self.piece_progress = Some(PieceProgress(Arc::new(f)));
        self
    }

    fn dir(&self) -> String {
        self.work_dir
            .clone()
            .unwrap_or_else(|| format!("{}.chunks", self.output))
    }

    /// Checks the settings without running anything; returns the output
    /// extension.
    fn check(&self) -> Result<String, ChunkError> {
        if self.chunks == 0 {
            return Err(ChunkError::NoChunks);
        }
        let ext = extension(&self.output).ok_or_else(|| ChunkError::NoExtension {
            path: self.output.clone(),
        })?;
        for (name, value) in parse_options(&self.video_args)
            .into_iter()
            .chain(parse_options(&self.audio_args))
        {
            let bare = name.trim_start_matches('-');
            // `-c`/`-codec` alone set every stream's codec; with a stream
            // specifier (`-c:v`) they are fine.
            let base = match bare.split_once(':') {
                Some(("c" | "codec", _)) => "c:",
                Some((b, _)) => b,
                None => bare,
            };
            if let Some((_, reason)) = REFUSED_OPTIONS.iter().find(|(n, _)| *n == base) {
                return Err(ChunkError::UnsupportedOption {
                    option: name.clone(),
                    reason,
                });
            }
            if matches!(base, "vf" | "filter") && !is_audio_only(&name) {
                if let Some(f) = value.as_deref().and_then(temporal_filter) {
                    return Err(ChunkError::TemporalFilter { filter: f });
                }
            }
        }
        Ok(ext)
    }

    /// Probes `input` and plans the run without running any encode: the
    /// ranges, and the argv of every job (audio, pieces, join). What
    /// [`run_with`](Task::run_with) does on one machine, a distributed
    /// runner can do across many: run the audio job and the pieces anywhere
    /// (each reads only the input and writes only its own output), then run
    /// [`ChunkPlan::join`] where all their outputs are. Only the probe runs,
    /// with `opts`; nothing is written.
    ///
    /// ```no_run
    /// use afmpeg::tasks::ChunkedTranscode;
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4").chunks(4)
    ///     .plan(&rt, &fs, &RunOptions::new())?;
    /// // Run the audio and the pieces anywhere, then the join where their outputs are.
    /// fs.create_dir_all(&plan.work_dir)?;
    /// for job in plan.audio.iter().chain(&plan.pieces) {
    ///     rt.run(&fs, &job.args)?;
    /// }
    /// let (list_path, list) = &plan.join_list;
    /// fs.write(list_path, list.as_str())?;
    /// rt.run(&fs, &plan.join.args)?;
    /// assert!(fs.exists("/out.mp4"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn plan(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<ChunkPlan> {
        let ext = self.check()?;
        let dir = self.dir();
        if fs.exists(&dir) {
            return Err(ChunkError::WorkDirExists { path: dir }.into());
        }
        let layout = probe_layout(rt, fs, &self.input, opts)?;
        let chunks = plan(&layout, self.chunks);
        let has_audio = layout.has_audio && !self.no_audio;

        let pieces: Vec<PlannedJob> = chunks
            .iter()
            .enumerate()
            .map(|(i, range)| {
                let path = join(&dir, &format!("video{i:04}.{ext}"));
                let last = i + 1 == chunks.len();
                PlannedJob::of(self.piece_command(range, &path, last)?, path)
            })
            .collect::<Result<_>>()?;
        let audio_path = join(&dir, &format!("audio.{ext}"));
        let audio = match has_audio {
            true => Some(PlannedJob::of(
                self.audio_command(&audio_path)?,
                audio_path.clone(),
            )?),
            false => None,
        };

        let list_path = join(&dir, "pieces.ffconcat");
        let list = ConcatList::new(pieces.iter().map(|p| p.output.as_str())).render()?;
        let mut out = OutputFile::path(&self.output).map("0:v:0").copy();
        let mut cmd = base(LogLevel::Warning).input(InputFile::concat(&list_path));
        if has_audio {
            cmd = cmd.input(InputFile::path(&audio_path));
            out = out.map("1:a:0");
        }
        if is_mp4_like(&self.output, None) {
            out = out.format_option("movflags", "+faststart");
        }
        let cmd = cmd.output(out);
        cmd.validate()?;
        Ok(ChunkPlan {
            input: self.input.clone(),
            work_dir: dir,
            chunks,
            frames: layout.frames,
            audio,
            pieces,
            join: PlannedJob::of(cmd, self.output.clone())?,
            join_list: (list_path, list),
        })
    }

    /// The encode of one range of frames.
    fn piece_command(&self, range: &ChunkRange, path: &str, last: bool) -> Result<Command> {
        let mut input = InputFile::path(&self.input);
        if range.first_frame > 0 {
            input = input.seek(range.start, SeekMode::Accurate);
        }
        let mut out = OutputFile::path(path)
            .map("0:v:0")
            .no_audio()
            .no_subtitles()
            .no_data()
            .strip_metadata()
            .strip_chapters()
            .option("fps_mode", "passthrough");
        if !last {
            out = out.frames(range.frames);
        }
        let given = parse_options(&self.video_args);
        let codec = given
            .iter()
            .rev()
            .find(|(n, _)| is_video_codec_option(n))
            .and_then(|(_, v)| v.clone());
        if codec.is_none() {
            out = out.video_codec("libx264");
        }
        // As `Transcode`: x264 in 4:2:0, what every player decodes, unless
        // the arguments choose a pixel format.
        let x264 = codec.as_deref().is_none_or(|c| c == "libx264");
        if x264 && !given.iter().any(|(n, _)| n.starts_with("-pix_fmt")) {
            out = out.option("pix_fmt", "yuv420p");
        }
        out = with_options(out, given);
        let cmd = base(LogLevel::Warning).input(input).output(out);
        cmd.validate()?;
        Ok(cmd)
    }

    /// The audio encode.
    fn audio_command(&self, path: &str) -> Result<Command> {
        let mut out = OutputFile::path(path).map("0:a:0").no_video();
        let given = parse_options(&self.audio_args);
        if !given.iter().any(|(n, _)| is_audio_codec_option(n)) {
            out = out.audio_codec("aac");
        }
        out = with_options(out, given);
        let cmd = base(LogLevel::Warning)
            .input(InputFile::path(&self.input))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

impl Task for ChunkedTranscode {
    type Output = ChunkedOutput;

    /// Runs the task; the limits and the cancellation token of `opts`
    /// apply to every job (each job gets the full limits). Its stop token
    /// stops the encode gracefully: the pieces encoded so far are joined
    /// ([`ChunkedOutput::stopped`]). Progress reports are not forwarded: the
    /// pieces report separately ([`ChunkedTranscode::piece_progress`]).
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<ChunkedOutput> {
        let plan = self.plan(rt, fs, opts)?;
        let opts = RunOptions {
            progress: None,
            ..opts.clone()
        };
        fs.create_dir_all(&plan.work_dir)?;
        let result = plan.execute(rt, fs, &opts, self.threads, self.piece_progress.as_ref());
        let cleanup = fs.remove_dir_all(&plan.work_dir);
        let (produced, stopped_at) = result?;
        cleanup?;
        let mut chunks = plan.chunks;
        if let Some(joined) = stopped_at {
            chunks.truncate(joined);
        }
        Ok(ChunkedOutput {
            produced,
            audio: plan.audio.is_some(),
            chunks,
            frames: plan.frames,
            stopped: stopped_at.is_some(),
        })
    }
}

/// One FFmpeg job of a [`ChunkPlan`]: its arguments (without `argv[0]`)
/// and the one file it writes.
///
/// ```no_run
/// use afmpeg::tasks::ChunkedTranscode;
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4")
///     .plan(&rt, &fs, &RunOptions::new())?;
/// for job in plan.audio.iter().chain(&plan.pieces) {
///     println!("ffmpeg {} -> {}", job.args.join(" "), job.output);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedJob {
    /// FFmpeg's arguments, without `argv[0]`.
    pub args: Vec<String>,
    /// The in-memory path it writes.
    pub output: String,
}

impl PlannedJob {
    fn of(cmd: Command, output: String) -> Result<PlannedJob> {
        Ok(PlannedJob {
            args: cmd.args()?,
            output,
        })
    }
}

/// A chunked transcode, planned: see [`ChunkedTranscode::plan`].
///
/// Every path is in the in-memory tree. The audio job and the pieces read
/// [`input`](ChunkPlan::input) and write their own output under
/// [`work_dir`](ChunkPlan::work_dir) (which must exist); the join reads
/// the concat list [`join_list`](ChunkPlan::join_list) (written beside the
/// pieces) and every piece and the audio, and writes the final output.
///
/// ```no_run
/// use afmpeg::tasks::ChunkedTranscode;
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let plan = ChunkedTranscode::new("/in.mp4", "/out.mp4").chunks(2)
///     .plan(&rt, &fs, &RunOptions::new())?;
/// assert_eq!(plan.input, "/in.mp4");
/// assert!(plan.join_list.0.starts_with(&plan.work_dir));
/// println!("{} frames in {} pieces", plan.frames, plan.pieces.len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkPlan {
    /// The input every piece and the audio job read.
    pub input: String,
    /// Where the pieces, the audio and the concat list are written.
    pub work_dir: String,
    /// The ranges, in order.
    pub chunks: Vec<ChunkRange>,
    /// Video frames in the input, and so in the output.
    pub frames: u64,
    /// The audio encode, when the output has audio.
    pub audio: Option<PlannedJob>,
    /// One encode per range, in order.
    pub pieces: Vec<PlannedJob>,
    /// The lossless join of the pieces (and the audio) into the output.
    pub join: PlannedJob,
    /// The concat list the join reads: its path and its content.
    pub join_list: (String, String),
}

impl ChunkPlan {
    /// Runs the plan on this machine: the audio job and the pieces on the
    /// batch pool (`threads`, 0: one per core), then the join. The work
    /// directory must exist; it is left for the caller to remove. Returns
    /// the output and, after a graceful stop (`opts.stop`), how many pieces
    /// it joined: the ones encoded so far.
    fn execute(
        &self,
        rt: &Runtime,
        fs: &Filesystem,
        opts: &RunOptions,
        threads: usize,
        piece_progress: Option<&PieceProgress>,
    ) -> Result<(Produced, Option<usize>)> {
        let piece_options = |i: usize| match piece_progress {
            Some(PieceProgress(f)) => {
                let f = f.clone();
                opts.clone().progress(move |p| f(i, p))
            }
            None => opts.clone(),
        };
        // The audio job first: it is usually the shortest, and starting it
        // early keeps it from being the last one running alone.
        let jobs = self
            .audio
            .iter()
            .map(|j| Job::ffmpeg(fs, &j.args).with_options(opts.clone()))
            .chain(
                self.pieces
                    .iter()
                    .enumerate()
                    .map(|(i, j)| Job::ffmpeg(fs, &j.args).with_options(piece_options(i))),
            )
            .collect();
        let mut results = rt.run_batch(jobs, threads).into_iter();
        if !opts.stop.as_ref().is_some_and(StopToken::is_stopped) {
            for out in results {
                out?;
            }
            return self
                .run_join(rt, fs, opts, self.pieces.len())
                .map(|p| (p, None));
        }
        // Stopped: the running jobs finished their outputs early, the queued
        // ones never started. The pieces finished in order, and the first
        // one cut short, make a prefix of the video without a gap.
        if self.audio.is_some() {
            if let Some(audio) = results.next() {
                stopped_output(audio)?;
            }
        }
        let (mut joined, mut cut_short) = (0, false);
        for out in results {
            match stopped_output(out)? {
                Some(complete) => {
                    joined += 1;
                    if !complete {
                        cut_short = true;
                        break;
                    }
                }
                None => break,
            }
        }
        // The join runs to its end: the stop was for the encode. A second
        // signal's cancellation still applies.
        let opts = RunOptions {
            stop: None,
            ..opts.clone()
        };
        if joined == 0 {
            return Err(ChunkError::StoppedBeforeOutput.into());
        }
        match self.run_join(rt, fs, &opts, joined) {
            Ok(p) => Ok((p, Some(joined))),
            // A piece stopped before its first frame holds no video, which
            // the concat demuxer refuses: join the pieces before it.
            Err(Error::Ffmpeg { .. }) if cut_short && joined > 1 => self
                .run_join(rt, fs, &opts, joined - 1)
                .map(|p| (p, Some(joined - 1))),
            Err(Error::Ffmpeg { .. }) if cut_short => Err(ChunkError::StoppedBeforeOutput.into()),
            Err(e) => Err(e),
        }
    }

    /// Joins the first `pieces` pieces (and the audio) into the output;
    /// with fewer than all, the audio is cut at the video's end (`-shortest`).
    fn run_join(
        &self,
        rt: &Runtime,
        fs: &Filesystem,
        opts: &RunOptions,
        pieces: usize,
    ) -> Result<Produced> {
        let (list_path, list) = &self.join_list;
        let mut args = self.join.args.clone();
        let list = if pieces == self.pieces.len() {
            list.clone()
        } else {
            if self.audio.is_some() {
                // The output file is the last argument; `-shortest` is an
                // option of that output.
                args.insert(args.len().saturating_sub(1), "-shortest".into());
            }
            ConcatList::new(self.pieces[..pieces].iter().map(|p| p.output.as_str())).render()?
        };
        fs.write(list_path, list.as_str())?;
        let result = rt.run_with(fs, &args, opts);
        fs.remove_file(list_path)?;
        Produced::find(fs, &self.join.output, &result?)
    }
}

/// A job's result after a graceful stop: `Some(true)` if it ran to its end,
/// `Some(false)` if the stop ended it early (FFmpeg's exit code 255, its
/// output finished), `None` if it never started; any other failure is the
/// task's error.
fn stopped_output(result: Result<RunOutput>) -> Result<Option<bool>> {
    match result {
        Ok(_) => Ok(Some(true)),
        Err(Error::Ffmpeg {
            exit_code: StopToken::EXIT_CODE,
            ..
        }) => Ok(Some(false)),
        Err(Error::NotStarted) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `-name value` pairs of a flat argument list; an option followed by
/// another option (or by nothing) is a flag. Names keep their `-`.
fn parse_options(args: &[String]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let name = if args[i].starts_with('-') {
            args[i].clone()
        } else {
            format!("-{}", args[i])
        };
        let value = args.get(i + 1).filter(|v| !is_option(v)).cloned();
        i += if value.is_some() { 2 } else { 1 };
        out.push((name, value));
    }
    out
}

/// Whether an argument is an option name rather than a value (negative
/// numbers are values).
fn is_option(arg: &str) -> bool {
    let mut chars = arg.chars();
    chars.next() == Some('-')
        && chars
            .next()
            .is_some_and(|c| !c.is_ascii_digit() && c != '.')
}

fn with_options(mut out: OutputFile, options: Vec<(String, Option<String>)>) -> OutputFile {
    for (name, value) in options {
        out = match value {
            Some(v) => out.option(name, v),
            None => out.flag(name),
        };
    }
    out
}

fn is_video_codec_option(name: &str) -> bool {
    matches!(name, "-c:v" | "-codec:v" | "-vcodec")
}

fn is_audio_codec_option(name: &str) -> bool {
    matches!(name, "-c:a" | "-codec:a" | "-acodec")
}

/// Whether an option names the audio stream only (`-filter:a`).
fn is_audio_only(name: &str) -> bool {
    name.split(':').nth(1).is_some_and(|s| s.starts_with('a'))
}

/// The first filter of `graph` that [`TEMPORAL_FILTERS`] lists.
fn temporal_filter(graph: &str) -> Option<String> {
    graph
        .split([',', ';'])
        .map(|f| {
            // Drop input labels (`[in]scale`) and arguments (`fps=25`).
            let f = f.trim();
            let f = f.rsplit(']').next().unwrap_or(f);
            f.split(['=', '@', '[']).next().unwrap_or(f).trim()
        })
        .find(|name| TEMPORAL_FILTERS.contains(name))
        .map(str::to_owned)
}

/// What the split needs to know about the input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    /// Video frames (packets of the first video stream).
    frames: u64,
    /// Keyframes: index in presentation order, and start time relative to
    /// the input's start, rounded down to the microsecond.
    keyframes: Vec<(u64, Time)>,
    /// Whether there is an audio stream.
    has_audio: bool,
}

/// Lists the packets of the input with ffprobe (no decoding) and finds its
/// keyframes.
fn probe_layout(rt: &Runtime, fs: &Filesystem, input: &str, opts: &RunOptions) -> Result<Layout> {
    let args = [
        "-v",
        "error",
        "-show_entries",
        "format=start_time:stream=index,codec_type,time_base:packet=stream_index,pts,dts,flags",
        "-of",
        "csv",
        input,
    ];
    let out = rt
        .run_tool(Tool::Ffprobe, fs, &args, opts)
        .map_err(|e| e.probing(input))?;
    parse_layout(&out.stdout_text(), input)
}

/// Parses ffprobe's CSV of [`probe_layout`].
fn parse_layout(csv: &str, input: &str) -> Result<Layout> {
    let mut video: Option<(u32, (i64, i64))> = None;
    let mut has_audio = false;
    let mut start_micros: i128 = 0;
    // (stream index, timestamp, key)
    let mut packets: Vec<(u32, Option<i64>, bool)> = Vec::new();
    for line in csv.lines() {
        let f: Vec<&str> = line.split(',').collect();
        match f.as_slice() {
            ["packet", index, pts, dts, flags] => {
                let Ok(index) = index.parse() else { continue };
                let ts = pts.parse().ok().or_else(|| dts.parse().ok());
                packets.push((index, ts, flags.starts_with('K')));
            }
            ["stream", index, kind, tb] => match *kind {
                "video" if video.is_none() => {
                    let (Ok(index), Some(tb)) = (index.parse(), parse_rational(tb)) else {
                        continue;
                    };
                    video = Some((index, tb));
                }
                "audio" => has_audio = true,
                _ => {}
            },
            ["format", start] => {
                if let Ok(s) = start.parse::<f64>() {
                    start_micros = (s * 1e6).round() as i128;
                }
            }
            _ => {}
        }
    }
    let Some((vindex, (num, den))) = video else {
        return Err(ChunkError::NoVideo {
            path: input.to_owned(),
        }
        .into());
    };
    let mut times: Vec<i64> = Vec::new();
    let mut keys: Vec<i64> = Vec::new();
    let mut frames = 0u64;
    for (index, ts, key) in packets {
        if index != vindex {
            continue;
        }
        frames += 1;
        if let Some(ts) = ts {
            times.push(ts);
            if key {
                keys.push(ts);
            }
        }
    }
    times.sort_unstable();
    keys.sort_unstable();
    keys.dedup();
    let keyframes: Vec<(u64, Time)> = keys
        .iter()
        .filter_map(|&k| {
            let index = times.partition_point(|&t| t < k) as u64;
            // floor(k * num / den seconds) in microseconds, minus the start.
            let micros = (k as i128 * num as i128 * 1_000_000).div_euclid(den as i128);
            let rel = u64::try_from(micros - start_micros).ok()?;
            Some((index, Time::from_micros(rel)))
        })
        .collect();
    if keyframes.is_empty() || times.len() as u64 != frames {
        return Err(ChunkError::NoKeyframes {
            path: input.to_owned(),
        }
        .into());
    }
    Ok(Layout {
        frames,
        keyframes,
        has_audio,
    })
}

/// `num/den` with both positive.
fn parse_rational(s: &str) -> Option<(i64, i64)> {
    let (n, d) = s.split_once('/')?;
    let (n, d): (i64, i64) = (n.parse().ok()?, d.parse().ok()?);
    (n > 0 && d > 0).then_some((n, d))
}

/// Cuts the frames into at most `chunks` ranges of nearly equal length, each
/// starting at a keyframe. The first range starts at frame 0 whatever the
/// first keyframe (a decoder starts there anyway).
fn plan(layout: &Layout, chunks: usize) -> Vec<ChunkRange> {
    let total = layout.frames;
    let mut starts: Vec<(u64, Time)> = vec![(0, Time::ZERO)];
    for i in 1..chunks as u64 {
        let target = total * i / chunks as u64;
        let prev = starts.last().map_or(0, |s| s.0);
        let best = layout
            .keyframes
            .iter()
            .filter(|(idx, _)| *idx > prev && *idx < total)
            .min_by_key(|(idx, _)| idx.abs_diff(target));
        if let Some(&k) = best {
            starts.push(k);
        }
    }
    starts.dedup_by_key(|s| s.0);
    starts
        .iter()
        .enumerate()
        .map(|(i, &(first_frame, start))| {
            let end = starts.get(i + 1).map_or(total, |s| s.0);
            ChunkRange {
                first_frame,
                frames: end - first_frame,
                start,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn layout(frames: u64, keys: &[u64]) -> Layout {
        Layout {
            frames,
            keyframes: keys
                .iter()
                .map(|&k| (k, Time::from_micros(k * 40_000)))
                .collect(),
            has_audio: false,
        }
    }

    #[test]
    fn plan_balances_at_keyframes() {
        let l = layout(100, &[0, 25, 50, 75]);
        let p = plan(&l, 2);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].first_frame, p[0].frames), (0, 50));
        assert_eq!((p[1].first_frame, p[1].frames), (50, 50));
        assert_eq!(p[1].start, Time::from_secs(2));
        let p = plan(&l, 3);
        let firsts: Vec<u64> = p.iter().map(|c| c.first_frame).collect();
        assert_eq!(firsts, [0, 25, 75]);
        assert_eq!(p.iter().map(|c| c.frames).sum::<u64>(), 100);
    }

    #[test]
    fn plan_with_too_few_keyframes() {
        let p = plan(&layout(100, &[0]), 4);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].frames, 100);
        let p = plan(&layout(100, &[0, 90]), 8);
        let firsts: Vec<u64> = p.iter().map(|c| c.first_frame).collect();
        assert_eq!(firsts, [0, 90]);
    }

    #[test]
    fn layout_from_csv() {
        // B-frames: decode order differs from presentation order; an audio
        // stream and a non-zero start time.
        let csv =
            "packet,0,1024,0,K_\npacket,1,0,0,K_\npacket,0,3072,512,__\npacket,0,2048,1024,__\n\
                   packet,0,4096,1536,K_\npacket,0,5120,2048,__\n\nstream,0,video,1/12800\n\
                   stream,1,audio,1/44100\nformat,0.080000\n";
        let l = parse_layout(csv, "/in").unwrap();
        assert_eq!(l.frames, 5);
        assert!(l.has_audio);
        // 1024/12800 s = 0.08 s = the start; 4096/12800 = 0.32 s.
        assert_eq!(
            l.keyframes,
            [(0, Time::ZERO), (3, Time::from_micros(240_000))]
        );
    }

    #[test]
    fn layout_refusals() {
        let e = parse_layout("stream,0,audio,1/44100\nformat,0.0\n", "/a.wav").unwrap_err();
        assert!(
            matches!(e, Error::Chunked(ChunkError::NoVideo { .. })),
            "{e}"
        );
        let csv = "packet,0,0,0,__\npacket,0,1,1,__\nstream,0,video,1/25\n";
        let e = parse_layout(csv, "/v").unwrap_err();
        assert!(
            matches!(e, Error::Chunked(ChunkError::NoKeyframes { .. })),
            "{e}"
        );
    }

    #[test]
    fn keyframe_time_rounds_down() {
        // 25025/30000 s = 0.8341666… s: rounded down, never past the frame.
        let csv =
            "packet,0,0,0,K_\npacket,0,25025,25025,K_\nstream,0,video,1/30000\nformat,0.000000\n";
        let l = parse_layout(csv, "/v").unwrap();
        assert_eq!(l.keyframes[1], (1, Time::from_micros(834_166)));
    }

    #[test]
    fn options_and_refusals() {
        let args: Vec<String> = ["-c:v", "libx264", "-crf", "-1", "-bitexact", "-g", "25"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let o = parse_options(&args);
        assert_eq!(o[1], ("-crf".to_owned(), Some("-1".to_owned())));
        assert_eq!(o[2], ("-bitexact".to_owned(), None));
        assert_eq!(o.len(), 4);

        let t = ChunkedTranscode::new("/i.mp4", "/o.mp4");
        assert_eq!(t.clone().chunks(0).check(), Err(ChunkError::NoChunks));
        assert!(matches!(
            t.clone().video_args(["-r", "30"]).check(),
            Err(ChunkError::UnsupportedOption { option, .. }) if option == "-r"
        ));
        assert!(t.clone().video_args(["-c:v", "libx265"]).check().is_ok());
        assert!(matches!(
            t.clone().video_args(["-c", "copy"]).check(),
            Err(ChunkError::UnsupportedOption { .. })
        ));
        assert!(matches!(
            t.clone().video_args(["-frames:v", "3"]).check(),
            Err(ChunkError::UnsupportedOption { .. })
        ));
        assert_eq!(
            t.clone().video_args(["-vf", "scale=320:-2,fps=10"]).check(),
            Err(ChunkError::TemporalFilter {
                filter: "fps".into()
            })
        );
        assert!(t
            .clone()
            .video_args(["-vf", "scale=320:-2"])
            .check()
            .is_ok());
        assert!(t.clone().audio_args(["-af", "afade=t=in"]).check().is_ok());
        assert!(matches!(
            ChunkedTranscode::new("/i.mp4", "/noext").check(),
            Err(ChunkError::NoExtension { .. })
        ));
    }

    #[test]
    fn piece_commands() {
        let t = ChunkedTranscode::new("/i.mp4", "/o.mp4").video_args(["-preset", "veryfast"]);
        let range = ChunkRange {
            first_frame: 50,
            frames: 25,
            start: Time::from_secs(2),
        };
        let args = t
            .piece_command(&range, "/w/v.mp4", false)
            .unwrap()
            .args()
            .unwrap();
        let s = args.join(" ");
        assert!(s.contains("-ss 2.000000 -accurate_seek -i /i.mp4"), "{s}");
        assert!(s.contains("-frames:v 25"), "{s}");
        assert!(s.contains("-c:v libx264"), "{s}");
        assert!(s.contains("-preset veryfast"), "{s}");
        let last = t
            .piece_command(&range, "/w/v.mp4", true)
            .unwrap()
            .args()
            .unwrap();
        assert!(!last.iter().any(|a| a == "-frames:v"), "{last:?}");
        assert!(s.contains("-pix_fmt yuv420p"), "{s}");
        let piece = |args: &[&str]| {
            let t = ChunkedTranscode::new("/i.mp4", "/o.mkv").video_args(args.iter().copied());
            t.piece_command(&range, "/w/v.mkv", false)
                .unwrap()
                .args()
                .unwrap()
                .join(" ")
        };
        let s = piece(&["-c:v", "libx264"]);
        assert!(s.contains("-pix_fmt yuv420p"), "{s}");
        let s = piece(&["-c:v", "ffv1"]);
        assert!(!s.contains("pix_fmt"), "{s}");
        let s = piece(&["-pix_fmt", "yuv444p"]);
        assert!(
            s.contains("-pix_fmt yuv444p") && !s.contains("yuv420p"),
            "{s}"
        );
        let a = t
            .audio_command("/w/a.mp4")
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        assert!(a.contains("-c:a aac") && a.contains("-vn"), "{a}");
    }
}
