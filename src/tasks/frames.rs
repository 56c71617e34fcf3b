//! Still images from a video: at timestamps, at a fixed interval, on scene
//! changes, or the single most representative frame.

use super::Task;
use super::{base, ensure_dir, execute, join, missing};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, SeekMode, Time};
use crate::error::Result;
use crate::job::RunOptions;
use crate::{Filesystem, Runtime};

/// The image format of [`Frames`].
///
/// ```
/// use afmpeg::tasks::{Frames, ImageFormat};
/// let args = Frames::new("/in.mp4", "/thumbs").format(ImageFormat::Jpeg { quality: 5 }).command()?.args()?;
/// assert!(args.windows(2).any(|w| w == ["-c:v", "mjpeg"]), "{args:?}");
/// assert!(args.windows(2).any(|w| w == ["-q:v", "5"]), "{args:?}");
/// let bad = Frames::new("/in.mp4", "/thumbs").format(ImageFormat::Jpeg { quality: 1 });
/// assert!(bad.command().is_err());
/// let webp = Frames::new("/in.mp4", "/thumbs").format(ImageFormat::WebP { quality: 60 }).command()?.args()?;
/// assert!(webp.windows(2).any(|w| w == ["-c:v", "libwebp"]), "{webp:?}");
/// assert!(Frames::new("/in.mp4", "/thumbs").format(ImageFormat::WebP { quality: 101 }).command().is_err());
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// Lossless PNG.
    Png,
    /// JPEG with FFmpeg's `-q:v` quality scale: 2 (best) ..= 31 (worst).
    Jpeg {
        /// `-q:v`, 2..=31.
        quality: u8,
    },
    /// Lossy WebP through libwebp (`-c:v libwebp -quality Q`), a complete
    /// RIFF/WEBP file per image. Needs a module with libwebp: the default
    /// and full guest profiles (not lean).
    WebP {
        /// libwebp's quality, 0 (smallest) ..= 100 (best).
        quality: u8,
    },
}

impl ImageFormat {
    /// JPEG at quality 2 (the best).
    pub const JPEG: ImageFormat = ImageFormat::Jpeg { quality: 2 };

    /// WebP at libwebp's default quality, 75.
    ///
    /// ```
    /// use afmpeg::tasks::{Frames, ImageFormat};
    /// let args = Frames::new("/in.mp4", "/thumbs").format(ImageFormat::WEBP).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "libwebp"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-quality", "75"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/thumbs/frame_%04d.webp"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub const WEBP: ImageFormat = ImageFormat::WebP { quality: 75 };

    /// The file extension, without the dot.
    ///
    /// ```
    /// use afmpeg::tasks::ImageFormat;
    /// assert_eq!(ImageFormat::Png.extension(), "png");
    /// assert_eq!(ImageFormat::JPEG.extension(), "jpg");
    /// assert_eq!(ImageFormat::WEBP.extension(), "webp");
    /// ```
    pub const fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg { .. } => "jpg",
            ImageFormat::WebP { .. } => "webp",
        }
    }

    const fn codec(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg { .. } => "mjpeg",
            ImageFormat::WebP { .. } => "libwebp",
        }
    }
}

/// Which frames [`Frames`] writes.
///
/// ```
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{FrameSelection, Frames};
/// let every = Frames::new("/in.mp4", "/thumbs").select(FrameSelection::Every(Time::from_secs(5)));
/// let args = every.command()?.args()?;
/// assert!(args.windows(2).any(|w| w == ["-vf", "fps=1000000/5000000"]), "{args:?}");
/// let scenes = Frames::new("/in.mp4", "/thumbs").select(FrameSelection::SceneChanges { threshold: 0.4 });
/// let args = scenes.command()?.args()?;
/// assert!(args.windows(2).any(|w| w == ["-vf", "select='gt(scene,0.4)'"]), "{args:?}");
/// let best = Frames::new("/in.mp4", "/thumbs").select(FrameSelection::Best { batch: 50 });
/// let args = best.command()?.args()?;
/// assert!(args.windows(2).any(|w| w == ["-vf", "thumbnail=n=50"]), "{args:?}");
/// assert!(args.windows(2).any(|w| w == ["-frames:v", "1"]), "{args:?}");
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum FrameSelection {
    /// One image per timestamp, in the order given: the first frame shown at
    /// or after each time (accurate seek). A timestamp past the end of the
    /// video is an error.
    At(Vec<Time>),
    /// One image every interval, from the start (`fps=1/interval`).
    Every(Time),
    /// Frames whose scene-change score exceeds `threshold` (0.0..=1.0;
    /// 0.3–0.4 suits most material): `select='gt(scene,T)'`.
    SceneChanges {
        /// Scene score threshold, 0.0..=1.0.
        threshold: f64,
    },
    /// The most representative frame of each batch of `batch` frames, by
    /// the `thumbnail` filter (a histogram closest to the batch average);
    /// with the default count cap of 1, "the best thumbnail" of the video's
    /// first `batch` frames.
    Best {
        /// Frames per batch (the filter's `n`; FFmpeg's default is 100).
        batch: u32,
    },
}

/// Timestamps per FFmpeg run of [`FrameSelection::At`]: each is one input
/// (one open file), and a job may hold 256 open files.
pub const TIMESTAMPS_PER_RUN: usize = 128;

/// One image written by [`Frames`]: its path and the time it shows.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{FrameSelection, Frames};
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let stills = Frames::new("/in.mp4", "/thumbs")
///     .select(FrameSelection::Every(Time::from_secs(10)))
///     .stills(&rt, &fs, &RunOptions::new())?;
/// for still in &stills {
///     println!("{} shows {:?}", still.path, still.time);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Still {
    /// The image's path in the in-memory tree.
    pub path: String,
    /// For [`FrameSelection::At`], the requested timestamp (the image is
    /// the first frame shown at or after it); for
    /// [`FrameSelection::Every`], `k × interval` (the `fps` filter's grid);
    /// `None` for scene changes and the best thumbnail.
    pub time: Option<Time>,
}

/// How [`Frames`] scales the images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    Exact(u32, u32),
    Width(u32),
    Height(u32),
}

/// Writes still images of `input` into the directory `dir` and returns
/// their paths, in time order.
///
/// Files are named `{prefix}{NNNN}.{png|jpg|webp}`, numbered from 1 (prefix
/// `frame_` by default). The directory is created if needed, and files of
/// that naming scheme already in it are removed first, so the result lists
/// exactly the images of this run.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{FrameSelection, Frames, ImageFormat, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let thumbs = Frames::new("/in.mp4", "/thumbs")
///     .select(FrameSelection::At(vec![Time::from_secs(1), Time::from_millis(2500)]))
///     .format(ImageFormat::JPEG)
///     .scale_width(320)
///     .run(&rt, &fs)?;
/// assert_eq!(thumbs, ["/thumbs/frame_0001.jpg", "/thumbs/frame_0002.jpg"]);
/// let best = Frames::new("/in.mp4", "/best")
///     .select(FrameSelection::Best { batch: 100 })
///     .run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Frames {
    input: String,
    dir: String,
    prefix: String,
    selection: FrameSelection,
    format: ImageFormat,
    scale: Option<Scale>,
    max_frames: Option<u64>,
}

impl Frames {
    /// Images of `input` into `dir`; by default one PNG per 10 seconds.
    ///
    /// ```
    /// use afmpeg::tasks::Frames;
    /// let args = Frames::new("/in.mp4", "/thumbs").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "fps=1000000/10000000"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "png"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/thumbs/frame_%04d.png"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, dir: impl Into<String>) -> Frames {
        Frames {
            input: input.into(),
            dir: dir.into(),
            prefix: "frame_".into(),
            selection: FrameSelection::Every(Time::from_secs(10)),
            format: ImageFormat::Png,
            scale: None,
            max_frames: None,
        }
    }

    /// Which frames.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{FrameSelection, Frames};
    /// let at = Frames::new("/in.mp4", "/thumbs").select(FrameSelection::At(vec![Time::from_secs(1), Time::from_secs(7)]));
    /// let args = at.command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-ss", "7.000000"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/thumbs/frame_0002.png"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn select(mut self, selection: FrameSelection) -> Frames {
        self.selection = selection;
        self
    }

    /// PNG (default), JPEG or WebP.
    ///
    /// ```
    /// use afmpeg::tasks::{Frames, ImageFormat};
    /// let args = Frames::new("/in.mp4", "/thumbs").format(ImageFormat::JPEG).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-q:v", "2"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/thumbs/frame_%04d.jpg"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn format(mut self, format: ImageFormat) -> Frames {
        self.format = format;
        self
    }

    /// File name prefix (default `frame_`); must not contain `/` or `%`.
    ///
    /// ```
    /// use afmpeg::tasks::Frames;
    /// let args = Frames::new("/in.mp4", "/thumbs").prefix("thumb-").command()?.args()?;
    /// assert_eq!(args.last().map(String::as_str), Some("/thumbs/thumb-%04d.png"));
    /// assert!(Frames::new("/in.mp4", "/thumbs").prefix("a/b").command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Frames {
        self.prefix = prefix.into();
        self
    }

    /// Scale to exactly `width`×`height`.
    ///
    /// ```
    /// use afmpeg::tasks::Frames;
    /// let args = Frames::new("/in.mp4", "/thumbs").scale(160, 90).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "fps=1000000/10000000,scale=160:90"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn scale(mut self, width: u32, height: u32) -> Frames {
        self.scale = Some(Scale::Exact(width, height));
        self
    }

    /// Scale to `width`, keeping the aspect ratio.
    ///
    /// ```
    /// use afmpeg::tasks::Frames;
    /// let args = Frames::new("/in.mp4", "/thumbs").scale_width(320).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "fps=1000000/10000000,scale=320:-1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn scale_width(mut self, width: u32) -> Frames {
        self.scale = Some(Scale::Width(width));
        self
    }

    /// Scale to `height`, keeping the aspect ratio.
    ///
    /// ```
    /// use afmpeg::tasks::Frames;
    /// let args = Frames::new("/in.mp4", "/thumbs").scale_height(240).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "fps=1000000/10000000,scale=-1:240"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn scale_height(mut self, height: u32) -> Frames {
        self.scale = Some(Scale::Height(height));
        self
    }

    /// Write at most `count` images (for [`FrameSelection::At`], the first
    /// `count` timestamps). [`FrameSelection::Best`] defaults to 1.
    ///
    /// ```
    /// use afmpeg::tasks::Frames;
    /// let args = Frames::new("/in.mp4", "/thumbs").max_frames(20).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-frames:v", "20"]), "{args:?}");
    /// assert!(Frames::new("/in.mp4", "/thumbs").max_frames(0).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn max_frames(mut self, count: u64) -> Frames {
        self.max_frames = Some(count);
        self
    }

    fn file_name(&self, n: usize) -> String {
        format!("{}{n:04}.{}", self.prefix, self.format.extension())
    }

    fn is_ours(&self, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(self.prefix.as_str()) else {
            return false;
        };
        let Some(digits) = rest.strip_suffix(&format!(".{}", self.format.extension())) else {
            return false;
        };
        digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit())
    }

    fn scale_filter(&self) -> Option<String> {
        self.scale.map(|s| match s {
            Scale::Exact(w, h) => format!("scale={w}:{h}"),
            Scale::Width(w) => format!("scale={w}:-1"),
            Scale::Height(h) => format!("scale=-1:{h}"),
        })
    }

    fn image_output(&self, path: String) -> Result<OutputFile, CommandError> {
        let mut out = OutputFile::path(path)
            .no_audio()
            .no_subtitles()
            .video_codec(self.format.codec())
            .format("image2");
        match self.format {
            ImageFormat::Png => {}
            ImageFormat::Jpeg { quality } => {
                if !(2..=31).contains(&quality) {
                    return Err(CommandError::InvalidArgument {
                        option: "-q:v".into(),
                        value: quality.to_string(),
                        reason: "JPEG quality must be within 2..=31",
                    });
                }
                out = out.option("q:v", quality.to_string());
            }
            ImageFormat::WebP { quality } => {
                if quality > 100 {
                    return Err(CommandError::InvalidArgument {
                        option: "-quality".into(),
                        value: quality.to_string(),
                        reason: "WebP quality must be within 0..=100",
                    });
                }
                out = out.option("quality", quality.to_string());
            }
        }
        Ok(out)
    }

    /// How many timestamps of [`FrameSelection::At`] are taken (the cap
    /// applied).
    fn at_count(&self) -> usize {
        match &self.selection {
            FrameSelection::At(times) => self.max_frames.map_or(times.len(), |m| {
                times.len().min(usize::try_from(m).unwrap_or(usize::MAX))
            }),
            _ => 0,
        }
    }

    /// [`FrameSelection::At`]: one input per timestamp, each seeked
    /// accurately (keyframe jump, then decode up to the time), one
    /// single-frame output each — no decoding from the start of the file —,
    /// [`TIMESTAMPS_PER_RUN`] per command.
    fn at_commands(&self) -> Result<Vec<Command>, CommandError> {
        let FrameSelection::At(times) = &self.selection else {
            return Ok(Vec::new());
        };
        let count = self.at_count();
        if count == 0 {
            return Err(CommandError::NoOutputs);
        }
        let taken: Vec<(usize, Time)> = times.iter().copied().take(count).enumerate().collect();
        let mut commands = Vec::new();
        for batch in taken.chunks(TIMESTAMPS_PER_RUN) {
            let mut cmd = base(LogLevel::Warning);
            for (input, &(i, t)) in batch.iter().enumerate() {
                cmd = cmd.input(InputFile::path(&self.input).seek(t, SeekMode::Accurate));
                let mut out = self
                    .image_output(join(&self.dir, &self.file_name(i + 1)))?
                    .map(format!("{input}:v:0"))
                    .frames(1)
                    .option("update", "1");
                if let Some(scale) = self.scale_filter() {
                    out = out.video_filter(scale);
                }
                cmd = cmd.output(out);
            }
            cmd.validate()?;
            commands.push(cmd);
        }
        Ok(commands)
    }

    /// The commands this task runs, in order: one, except for more than
    /// [`TIMESTAMPS_PER_RUN`] timestamps, which run in batches of that many.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{FrameSelection, Frames, TIMESTAMPS_PER_RUN};
    /// let times = (0..300).map(Time::from_secs).collect();
    /// let frames = Frames::new("/in.mp4", "/thumbs").select(FrameSelection::At(times));
    /// assert_eq!(TIMESTAMPS_PER_RUN, 128);
    /// assert_eq!(frames.commands()?.len(), 3);
    /// // One command cannot hold them all.
    /// assert!(frames.command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn commands(&self) -> Result<Vec<Command>, CommandError> {
        match self.selection {
            FrameSelection::At(_) => {
                self.check()?;
                self.at_commands()
            }
            _ => Ok(vec![self.command()?]),
        }
    }

    fn check(&self) -> Result<(), CommandError> {
        if self.prefix.contains(['/', '%']) {
            return Err(CommandError::InvalidArgument {
                option: "frame prefix".into(),
                value: self.prefix.clone(),
                reason: "must not contain '/' or '%'",
            });
        }
        if self.max_frames == Some(0) {
            return Err(CommandError::InvalidArgument {
                option: "max frames".into(),
                value: "0".into(),
                reason: "must be non-zero",
            });
        }
        Ok(())
    }

    /// The command this task runs; refused for more than
    /// [`TIMESTAMPS_PER_RUN`] timestamps, which take several (see
    /// [`commands`](Frames::commands)).
    ///
    /// ```
    /// use afmpeg::tasks::Frames;
    /// let args = Frames::new("/in.mp4", "/thumbs").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-fps_mode", "vfr"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-start_number", "1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        self.check()?;
        let mut cmd = base(LogLevel::Warning);
        let mut chain: Vec<String> = Vec::new();
        let mut frames = self.max_frames;
        match &self.selection {
            FrameSelection::At(_) => {
                let mut commands = self.at_commands()?;
                if commands.len() > 1 {
                    return Err(CommandError::InvalidArgument {
                        option: "frame timestamps".into(),
                        value: self.at_count().to_string(),
                        reason: "more timestamps than one run takes: see Frames::commands",
                    });
                }
                return Ok(commands.remove(0));
            }
            FrameSelection::Every(interval) => {
                if interval.as_micros() == 0 {
                    return Err(CommandError::InvalidArgument {
                        option: "frame interval".into(),
                        value: interval.to_string(),
                        reason: "must be non-zero",
                    });
                }
                chain.push(format!("fps=1000000/{}", interval.as_micros()));
            }
            FrameSelection::SceneChanges { threshold } => {
                if !(0.0..=1.0).contains(threshold) {
                    return Err(CommandError::InvalidArgument {
                        option: "scene threshold".into(),
                        value: threshold.to_string(),
                        reason: "must be within 0.0..=1.0",
                    });
                }
                chain.push(format!("select='gt(scene,{threshold})'"));
            }
            FrameSelection::Best { batch } => {
                if *batch < 2 {
                    return Err(CommandError::InvalidArgument {
                        option: "thumbnail batch".into(),
                        value: batch.to_string(),
                        reason: "must be at least 2",
                    });
                }
                chain.push(format!("thumbnail=n={batch}"));
                frames = Some(frames.unwrap_or(1));
            }
        }
        chain.extend(self.scale_filter());
        let pattern = join(
            &self.dir,
            &format!("{}%04d.{}", self.prefix, self.format.extension()),
        );
        let mut out = self
            .image_output(pattern)?
            .map("0:v:0")
            .video_filter(chain.join(","))
            .option("fps_mode", "vfr")
            .option("start_number", "1");
        if let Some(n) = frames {
            out = out.frames(n);
        }
        cmd = cmd.input(InputFile::path(&self.input)).output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

impl Frames {
    /// Runs the task with `opts` and returns each image with the time it
    /// shows, in time order (for [`FrameSelection::At`], in the order the
    /// timestamps were given). Each run of a batch gets `opts` (its limits
    /// and timeout apply per run).
    ///
    /// ```no_run
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::{FrameSelection, Frames};
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// # fn main() -> afmpeg::Result<()> {
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// // One still per second of an hour: 3,600 timestamps, in runs of 128.
    /// let times = (0..3600).map(Time::from_secs).collect();
    /// let stills = Frames::new("/in.mp4", "/thumbs")
    ///     .select(FrameSelection::At(times))
    ///     .scale_width(160)
    ///     .stills(&rt, &fs, &RunOptions::new())?;
    /// assert_eq!(stills[61].time, Some(Time::from_secs(61)));
    /// assert_eq!(stills[61].path, "/thumbs/frame_0062.png");
    /// # Ok(())
    /// # }
    /// ```
    pub fn stills(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Vec<Still>> {
        let commands = self.commands()?;
        ensure_dir(fs, &self.dir)?;
        for entry in fs.read_dir(&self.dir)? {
            if self.is_ours(&entry.name) {
                fs.remove_file(&join(&self.dir, &entry.name))?;
            }
        }
        let mut last = None;
        for cmd in &commands {
            last = Some(execute(rt, fs, cmd, opts)?);
        }
        let Some(out) = last else {
            return Err(CommandError::NoOutputs.into());
        };
        if let FrameSelection::At(times) = &self.selection {
            let expected = self.at_count();
            let stills: Vec<Still> = times
                .iter()
                .take(expected)
                .enumerate()
                .map(|(i, &t)| Still {
                    path: join(&self.dir, &self.file_name(i + 1)),
                    time: Some(t),
                })
                .filter(|s| fs.exists(&s.path))
                .collect();
            if stills.len() != expected {
                return Err(missing(
                    &out,
                    &format!(
                        "{} of {expected} frames written (a timestamp past the end?)",
                        stills.len()
                    ),
                ));
            }
            return Ok(stills);
        }
        let mut names: Vec<String> = fs
            .read_dir(&self.dir)?
            .into_iter()
            .map(|e| e.name)
            .filter(|n| self.is_ours(n))
            .collect();
        // Same prefix and extension: numeric order is shorter first.
        names.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        if names.is_empty() {
            return Err(missing(&out, "no frame was written"));
        }
        let every = match self.selection {
            FrameSelection::Every(interval) => Some(interval),
            _ => None,
        };
        Ok(names
            .iter()
            .enumerate()
            .map(|(k, n)| Still {
                path: join(&self.dir, n),
                time: every.map(|i| Time::from_micros(i.as_micros().saturating_mul(k as u64))),
            })
            .collect())
    }
}

impl Task for Frames {
    type Output = Vec<String>;

    /// Runs the task with `opts`; returns the image paths, in time order
    /// ([`stills`](Frames::stills) returns their times too).
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Vec<String>> {
        Ok(self
            .stills(rt, fs, opts)?
            .into_iter()
            .map(|s| s.path)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming() {
        let f = Frames::new("/i", "/d").format(ImageFormat::JPEG);
        assert_eq!(f.file_name(3), "frame_0003.jpg");
        assert!(f.is_ours("frame_0003.jpg"));
        assert!(f.is_ours("frame_12345.jpg"));
        assert!(!f.is_ours("frame_0003.png"));
        assert!(!f.is_ours("frame_03.jpg"));
        assert!(!f.is_ours("other_0003.jpg"));
    }

    #[test]
    fn timestamps_render_one_input_each() {
        let args = Frames::new("/i.mp4", "/d")
            .select(FrameSelection::At(vec![
                Time::from_secs(1),
                Time::from_secs(2),
            ]))
            .scale(80, 60)
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        assert!(
            args.contains("-ss 1.000000 -accurate_seek -i /i.mp4 -ss 2.000000"),
            "{args}"
        );
        assert!(args.contains("-map 1:v:0"), "{args}");
        assert!(args.contains("/d/frame_0002.png"), "{args}");
        assert!(args.contains("-vf scale=80:60"), "{args}");
    }

    #[test]
    fn many_timestamps_run_in_batches() {
        let times: Vec<Time> = (0..300).map(|i| Time::from_millis(i * 40)).collect();
        let f = Frames::new("/i.mp4", "/d").select(FrameSelection::At(times));
        assert!(matches!(
            f.command(),
            Err(CommandError::InvalidArgument { .. })
        ));
        let commands = f.commands().unwrap();
        assert_eq!(commands.len(), 3);
        let last = commands[2].args().unwrap().join(" ");
        assert!(
            last.contains("-ss 10.240000 -accurate_seek -i /i.mp4"),
            "{last}"
        );
        assert!(last.contains("-map 0:v:0"), "{last}");
        assert!(last.contains("/d/frame_0257.png"), "{last}");
        assert!(last.contains("/d/frame_0300.png"), "{last}");
        assert!(!last.contains("/d/frame_0256.png"), "{last}");
        let capped = f.max_frames(128).commands().unwrap();
        assert_eq!(capped.len(), 1);
    }

    #[test]
    fn refusals() {
        let f = || Frames::new("/i", "/d");
        assert!(f().prefix("a/b").command().is_err());
        assert!(f().max_frames(0).command().is_err());
        assert!(f()
            .select(FrameSelection::Every(Time::ZERO))
            .command()
            .is_err());
        assert!(f()
            .select(FrameSelection::SceneChanges { threshold: 2.0 })
            .command()
            .is_err());
        assert!(f()
            .format(ImageFormat::Jpeg { quality: 1 })
            .command()
            .is_err());
        assert!(f().select(FrameSelection::At(vec![])).command().is_err());
    }
}
