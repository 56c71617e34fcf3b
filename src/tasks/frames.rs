//! Still images from a video: at timestamps, at a fixed interval, on scene
//! changes, or the single most representative frame.

use super::Task;
use super::{base, ensure_dir, execute, join, missing};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, SeekMode, Time};
use crate::error::Result;
use crate::job::RunOptions;
use crate::{Filesystem, Runtime};

/// The image format of [`Frames`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// Lossless PNG.
    Png,
    /// JPEG with FFmpeg's `-q:v` quality scale: 2 (best) ..= 31 (worst).
    Jpeg {
        /// `-q:v`, 2..=31.
        quality: u8,
    },
}

impl ImageFormat {
    /// JPEG at quality 2 (the best).
    pub const JPEG: ImageFormat = ImageFormat::Jpeg { quality: 2 };

    /// The file extension, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg { .. } => "jpg",
        }
    }

    const fn codec(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg { .. } => "mjpeg",
        }
    }
}

/// Which frames [`Frames`] writes.
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
/// Files are named `{prefix}{NNNN}.{png|jpg}`, numbered from 1 (prefix
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
    pub fn select(mut self, selection: FrameSelection) -> Frames {
        self.selection = selection;
        self
    }

    /// PNG (default) or JPEG.
    pub fn format(mut self, format: ImageFormat) -> Frames {
        self.format = format;
        self
    }

    /// File name prefix (default `frame_`); must not contain `/` or `%`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Frames {
        self.prefix = prefix.into();
        self
    }

    /// Scale to exactly `width`×`height`.
    pub fn scale(mut self, width: u32, height: u32) -> Frames {
        self.scale = Some(Scale::Exact(width, height));
        self
    }

    /// Scale to `width`, keeping the aspect ratio.
    pub fn scale_width(mut self, width: u32) -> Frames {
        self.scale = Some(Scale::Width(width));
        self
    }

    /// Scale to `height`, keeping the aspect ratio.
    pub fn scale_height(mut self, height: u32) -> Frames {
        self.scale = Some(Scale::Height(height));
        self
    }

    /// Write at most `count` images (for [`FrameSelection::At`], the first
    /// `count` timestamps). [`FrameSelection::Best`] defaults to 1.
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
        if let ImageFormat::Jpeg { quality } = self.format {
            if !(2..=31).contains(&quality) {
                return Err(CommandError::InvalidArgument {
                    option: "-q:v".into(),
                    value: quality.to_string(),
                    reason: "JPEG quality must be within 2..=31",
                });
            }
            out = out.option("q:v", quality.to_string());
        }
        Ok(out)
    }

    /// The command this task runs.
    pub fn command(&self) -> Result<Command, CommandError> {
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
        let mut cmd = base(LogLevel::Warning);
        let mut chain: Vec<String> = Vec::new();
        let mut frames = self.max_frames;
        match &self.selection {
            FrameSelection::At(times) => {
                let count = self.max_frames.map_or(times.len(), |m| {
                    times.len().min(usize::try_from(m).unwrap_or(usize::MAX))
                });
                if count == 0 {
                    return Err(CommandError::NoOutputs);
                }
                // One input per timestamp, each seeked accurately (keyframe
                // jump, then decode up to the time), one single-frame output
                // each: no decoding from the start of the file.
                for (i, &t) in times.iter().take(count).enumerate() {
                    cmd = cmd.input(InputFile::path(&self.input).seek(t, SeekMode::Accurate));
                    let mut out = self
                        .image_output(join(&self.dir, &self.file_name(i + 1)))?
                        .map(format!("{i}:v:0"))
                        .frames(1)
                        .option("update", "1");
                    if let Some(scale) = self.scale_filter() {
                        out = out.video_filter(scale);
                    }
                    cmd = cmd.output(out);
                }
                cmd.validate()?;
                return Ok(cmd);
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

impl Task for Frames {
    type Output = Vec<String>;

    /// Runs the task with `opts`; returns the image paths, in time order.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Vec<String>> {
        let cmd = self.command()?;
        ensure_dir(fs, &self.dir)?;
        for entry in fs.read_dir(&self.dir)? {
            if self.is_ours(&entry.name) {
                fs.remove_file(&join(&self.dir, &entry.name))?;
            }
        }
        let out = execute(rt, fs, &cmd, opts)?;
        let mut names: Vec<String> = fs
            .read_dir(&self.dir)?
            .into_iter()
            .map(|e| e.name)
            .filter(|n| self.is_ours(n))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(missing(&out, "no frame was written"));
        }
        if let FrameSelection::At(times) = &self.selection {
            let expected = self.max_frames.map_or(times.len(), |m| {
                times.len().min(usize::try_from(m).unwrap_or(usize::MAX))
            });
            if names.len() != expected {
                return Err(missing(
                    &out,
                    &format!(
                        "{} of {expected} frames written (a timestamp past the end?)",
                        names.len()
                    ),
                ));
            }
        }
        Ok(names.iter().map(|n| join(&self.dir, n)).collect())
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
