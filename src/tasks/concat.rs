//! Join files end to end with the concat demuxer.

use super::Task;
use super::{base, execute_with_side_file, is_mp4_like, Produced};
use crate::command::{Command, CommandError, ConcatList, InputFile, LogLevel, OutputFile};
use crate::error::Result;
use crate::job::RunOptions;
use crate::{Filesystem, Runtime};

/// How [`Concat`] writes the joined streams.
///
/// ```
/// use afmpeg::tasks::{Concat, ConcatMode};
/// assert_eq!(ConcatMode::default(), ConcatMode::Reencode);
/// let args = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").mode(ConcatMode::Copy).command()?.args()?;
/// assert!(args.windows(2).any(|w| w == ["-c", "copy"]), "{args:?}");
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConcatMode {
    /// Stream copy: instant and lossless; every input must have the same
    /// streams with the same codec parameters (same codec, size, sample
    /// rate…), e.g. pieces of one encode.
    Copy,
    /// Decode and re-encode to `libx264`/`aac`: the inputs must still have
    /// the same stream layout, but may differ in codec parameters.
    #[default]
    Reencode,
}

/// Joins `inputs`, in order, into `output`.
///
/// Writes an ffconcat list (see [`ConcatList`]) into the in-memory tree
/// (`{output}.ffconcat` unless [`list_path`](Concat::list_path) is set),
/// reads it with `-f concat -safe 0`, and removes it after the run.
///
/// ```no_run
/// use afmpeg::tasks::{Concat, ConcatMode, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// Concat::new(["/a.mp4", "/b.mp4", "/c.mp4"], "/all.mp4")
///     .mode(ConcatMode::Copy)
///     .run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concat {
    inputs: Vec<String>,
    output: String,
    mode: ConcatMode,
    list_path: Option<String>,
    crf: Option<u8>,
    preset: Option<String>,
}

impl Concat {
    /// Join `inputs` into `output`, re-encoding.
    ///
    /// ```
    /// use afmpeg::tasks::{Concat, ConcatMode};
    /// let args = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "concat"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-i", "/ab.mp4.ffconcat"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "libx264"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new<I, S>(inputs: I, output: impl Into<String>) -> Concat
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Concat {
            inputs: inputs.into_iter().map(Into::into).collect(),
            output: output.into(),
            mode: ConcatMode::default(),
            list_path: None,
            crf: None,
            preset: None,
        }
    }

    /// Copy or re-encode (default).
    ///
    /// ```
    /// use afmpeg::tasks::{Concat, ConcatMode};
    /// let args = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").mode(ConcatMode::Copy).command()?.args()?;
    /// assert!(!args.iter().any(|a| a == "libx264"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn mode(mut self, mode: ConcatMode) -> Concat {
        self.mode = mode;
        self
    }

    /// Where the list file is written during the run.
    ///
    /// ```
    /// use afmpeg::tasks::{Concat, ConcatMode};
    /// let args = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").list_path("/tmp/list.txt").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-i", "/tmp/list.txt"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn list_path(mut self, path: impl Into<String>) -> Concat {
        self.list_path = Some(path.into());
        self
    }

    /// CRF when re-encoding; with [`ConcatMode::Copy`],
    /// [`command`](Concat::command) refuses it
    /// ([`CommandError::InvalidArgument`]).
    ///
    /// ```
    /// use afmpeg::tasks::{Concat, ConcatMode};
    /// let args = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").crf(20).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-crf", "20"]), "{args:?}");
    /// let copy = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").mode(ConcatMode::Copy).crf(20);
    /// assert_eq!(
    ///     copy.command().unwrap_err().to_string(),
    ///     "invalid value \"20\" for crf: a stream copy encodes nothing: encoder options need re-encoding"
    /// );
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn crf(mut self, crf: u8) -> Concat {
        self.crf = Some(crf);
        self
    }

    /// Encoder preset when re-encoding; refused with [`ConcatMode::Copy`]
    /// like [`crf`](Concat::crf).
    ///
    /// ```
    /// use afmpeg::tasks::{Concat, ConcatMode};
    /// let args = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").preset("veryfast").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-preset", "veryfast"]), "{args:?}");
    /// let copy = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").preset("veryfast").mode(ConcatMode::Copy);
    /// assert!(matches!(
    ///     copy.command(),
    ///     Err(afmpeg::command::CommandError::InvalidArgument { option, .. }) if option == "preset"
    /// ));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn preset(mut self, preset: impl Into<String>) -> Concat {
        self.preset = Some(preset.into());
        self
    }

    fn list(&self) -> String {
        self.list_path
            .clone()
            .unwrap_or_else(|| format!("{}.ffconcat", self.output))
    }

    /// The list file's content.
    ///
    /// ```
    /// use afmpeg::tasks::{Concat, ConcatMode};
    /// let list = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").list_content()?;
    /// assert_eq!(list, "ffconcat version 1.0\nfile '/a.mp4'\nfile '/b.mp4'\n");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn list_content(&self) -> Result<String, CommandError> {
        ConcatList::new(self.inputs.iter().map(String::as_str)).render()
    }

    /// The command this task runs (the list file must exist when it runs;
    /// [`run`](Concat::run) writes it).
    ///
    /// ```
    /// use afmpeg::tasks::{Concat, ConcatMode};
    /// let args = Concat::new(["/a.mp4", "/b.mp4"], "/ab.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-safe", "0"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/ab.mp4"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        let mut out = OutputFile::path(&self.output).map("0:v?").map("0:a?");
        match self.mode {
            ConcatMode::Copy => {
                // Stream copy encodes nothing: FFmpeg would ignore these
                // with a warning, and the caller would get a file that is
                // not what they asked for.
                let unused = [
                    ("crf", self.crf.map(|c| c.to_string())),
                    ("preset", self.preset.clone()),
                ];
                if let Some((option, Some(value))) = unused.into_iter().find(|(_, v)| v.is_some()) {
                    return Err(CommandError::InvalidArgument {
                        option: option.into(),
                        value,
                        reason: "a stream copy encodes nothing: encoder options need re-encoding",
                    });
                }
                out = out.copy();
            }
            ConcatMode::Reencode => {
                out = out
                    .video_codec("libx264")
                    .audio_codec("aac")
                    .option("pix_fmt", "yuv420p");
                if let Some(crf) = self.crf {
                    out = out.crf(crf);
                }
                if let Some(p) = &self.preset {
                    out = out.preset(p);
                }
            }
        }
        if is_mp4_like(&self.output, None) {
            out = out.format_option("movflags", "+faststart");
        }
        let cmd = base(LogLevel::Warning)
            .input(InputFile::concat(self.list()))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

impl Task for Concat {
    type Output = Produced;

    /// Runs the task with `opts`.
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Produced> {
        let content = self.list_content()?;
        let cmd = self.command()?;
        let out = execute_with_side_file(rt, fs, &cmd, opts, &self.list(), content)?;
        Produced::find(fs, &self.output, &out)
    }
}
