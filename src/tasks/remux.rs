//! Change the container without re-encoding (stream copy).

use super::task::produces_one_file;
use super::{base, is_mp4_like};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile};
use crate::error::Result;

/// Copies every stream of `input` into a new container: `-map 0 -c copy`.
///
/// Nothing is decoded, so it is fast and lossless — but the target container
/// must accept the codecs (e.g. MP4 takes H.264/AAC/mov_text, not SubRip or
/// Vorbis). `-movflags +faststart` is added for MP4/MOV outputs.
///
/// ```no_run
/// use afmpeg::tasks::{Remux, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let out = Remux::new("/in.mkv", "/out.mp4").run(&rt, &fs)?;
/// println!("{} bytes", out.size);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remux {
    input: String,
    output: String,
    format: Option<String>,
    maps: Vec<String>,
    faststart: bool,
}

impl Remux {
    /// Remux all streams of `input` into `output` (container from the
    /// extension).
    ///
    /// ```
    /// use afmpeg::tasks::Remux;
    /// let args = Remux::new("/in.mkv", "/out.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-movflags", "+faststart"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, output: impl Into<String>) -> Remux {
        Remux {
            input: input.into(),
            output: output.into(),
            format: None,
            maps: Vec::new(),
            faststart: true,
        }
    }

    /// Force the container (`-f`).
    ///
    /// ```
    /// use afmpeg::tasks::Remux;
    /// let args = Remux::new("/in.mkv", "/out.mp4").format("mov").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "mov"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn format(mut self, format: impl Into<String>) -> Remux {
        self.format = Some(format.into());
        self
    }

    /// Keep only streams matching these `-map` specifiers (`"0:v"`,
    /// `"0:a:1"`, `"-0:s"`…) instead of all (`"0"`).
    ///
    /// ```
    /// use afmpeg::tasks::Remux;
    /// let args = Remux::new("/in.mkv", "/out.mp4").maps(["0:v", "0:a:1"]).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:v"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:1"]), "{args:?}");
    /// assert!(!args.iter().any(|a| a == "0"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn maps<I, S>(mut self, specs: I) -> Remux
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.maps = specs.into_iter().map(Into::into).collect();
        self
    }

    /// `-movflags +faststart` for MP4/MOV outputs (default `true`).
    ///
    /// ```
    /// use afmpeg::tasks::Remux;
    /// let args = Remux::new("/in.mkv", "/out.mp4").faststart(false).command()?.args()?;
    /// assert!(!args.iter().any(|a| a == "+faststart"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn faststart(mut self, faststart: bool) -> Remux {
        self.faststart = faststart;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Remux;
    /// let args = Remux::new("/in.mkv", "/out.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-i", "/in.mkv"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/out.mp4"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        let maps = if self.maps.is_empty() {
            vec!["0".to_owned()]
        } else {
            self.maps.clone()
        };
        let mut out = OutputFile::path(&self.output).maps(maps).copy();
        if let Some(f) = &self.format {
            out = out.format(f);
        }
        if self.faststart && is_mp4_like(&self.output, self.format.as_deref()) {
            out = out.format_option("movflags", "+faststart");
        }
        let cmd = base(LogLevel::Warning)
            .input(InputFile::path(&self.input))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

produces_one_file!(Remux);
