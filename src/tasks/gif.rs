//! Animated GIF from a clip, with a palette made for the clip.

use super::base;
use super::task::produces_one_file;
use crate::command::{
    Command, CommandError, InputFile, LogLevel, OutputFile, SeekMode, StreamType, Time,
};
use crate::error::Result;

/// Turns (a piece of) `input` into an animated GIF in one filter graph:
/// `fps`, `scale`, then `split` into `palettegen` (the clip's own palette of
/// up to [`max_colors`](Gif::max_colors)) and `paletteuse` (each frame
/// mapped onto it, dithered).
///
/// A GIF holds at most 256 colours; FFmpeg's fixed default palette makes
/// most clips banded and noisy, a palette generated from the clip does not.
/// One graph (rather than two runs with a palette PNG between them) decodes
/// the input once. Needs the default (or full) guest profile: lean has no
/// GIF encoder.
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{Gif, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let gif = Gif::new("/clip.mp4", "/preview.gif")
///     .start(Time::from_secs(2))
///     .duration(Time::from_secs(3))
///     .fps(12)
///     .width(320)
///     .run(&rt, &fs)?;
/// println!("{} bytes", gif.size);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gif {
    input: String,
    output: String,
    start: Option<Time>,
    duration: Option<Time>,
    fps: u32,
    width: Option<u32>,
    max_colors: u32,
    dither: String,
    loop_count: i32,
}

impl Gif {
    /// A GIF of all of `input` at `output`: 10 fps, the input's size, 256
    /// colours, Bayer dithering, looping forever.
    ///
    /// ```
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("fps=10,split"), "{graph}");
    /// assert!(args.windows(2).any(|w| w == ["-map", "[gif]"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, output: impl Into<String>) -> Gif {
        Gif {
            input: input.into(),
            output: output.into(),
            start: None,
            duration: None,
            fps: 10,
            width: None,
            max_colors: 256,
            dither: "bayer".into(),
            loop_count: 0,
        }
    }

    /// Start this far into the input (frame-accurate: the GIF starts on the
    /// frame at `time`, not on the keyframe before it).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").start(Time::from_secs(2)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-ss", "2.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn start(mut self, time: Time) -> Gif {
        self.start = Some(time);
        self
    }

    /// Take this much of the input.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").duration(Time::from_secs(3)).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-t", "3.000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn duration(mut self, duration: Time) -> Gif {
        self.duration = Some(duration);
        self
    }

    /// Frames per second of the GIF (default 10).
    ///
    /// ```
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").fps(12).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("[0:v]fps=12,"), "{graph}");
    /// assert!(Gif::new("/clip.mp4", "/preview.gif").fps(0).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn fps(mut self, fps: u32) -> Gif {
        self.fps = fps;
        self
    }

    /// Scale to this width, keeping the aspect ratio (even height).
    ///
    /// ```
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").width(320).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("scale=320:-2:flags=lanczos"), "{graph}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn width(mut self, width: u32) -> Gif {
        self.width = Some(width);
        self
    }

    /// Colours in the generated palette, 2 to 256 (default 256; fewer
    /// makes smaller files).
    ///
    /// ```
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").max_colors(64).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("palettegen=max_colors=64"), "{graph}");
    /// assert!(Gif::new("/clip.mp4", "/preview.gif").max_colors(300).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn max_colors(mut self, colors: u32) -> Gif {
        self.max_colors = colors;
        self
    }

    /// `paletteuse` dithering: `bayer` (default), `sierra2_4a`,
    /// `floyd_steinberg`, `none`, …
    ///
    /// ```
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").dither("sierra2_4a").command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("paletteuse=dither=sierra2_4a"), "{graph}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn dither(mut self, dither: impl Into<String>) -> Gif {
        self.dither = dither.into();
        self
    }

    /// How often the GIF repeats: 0 forever (default), -1 never, N times.
    ///
    /// ```
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/once.gif").loop_count(-1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-loop", "-1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn loop_count(mut self, count: i32) -> Gif {
        self.loop_count = count;
        self
    }

    /// The filter graph: `[0:v]` in, `[gif]` out.
    fn graph(&self) -> String {
        let scale = match self.width {
            Some(w) => format!(",scale={w}:-2:flags=lanczos"),
            None => String::new(),
        };
        format!(
            "[0:v]fps={fps}{scale},split[frames][forpalette];\
             [forpalette]palettegen=max_colors={colors}:stats_mode=diff[palette];\
             [frames][palette]paletteuse=dither={dither}[gif]",
            fps = self.fps,
            colors = self.max_colors,
            dither = self.dither,
        )
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Gif;
    /// let args = Gif::new("/clip.mp4", "/preview.gif").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "gif"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/preview.gif"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        let invalid = |option: &str, value: String, reason| CommandError::InvalidArgument {
            option: option.into(),
            value,
            reason,
        };
        if !(2..=256).contains(&self.max_colors) {
            return Err(invalid(
                "max colors",
                self.max_colors.to_string(),
                "a GIF palette has 2 to 256 colours",
            ));
        }
        if self.fps == 0 || self.fps > 100 {
            return Err(invalid(
                "fps",
                self.fps.to_string(),
                "GIF frame delays are in 1/100 s: 1 to 100 fps",
            ));
        }
        if self.width == Some(0) {
            return Err(invalid("width", "0".into(), "must be non-zero"));
        }
        if self.dither.is_empty()
            || !self
                .dither
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(invalid(
                "dither",
                self.dither.clone(),
                "a paletteuse dither mode name",
            ));
        }
        if self.loop_count < -1 {
            return Err(invalid(
                "loop count",
                self.loop_count.to_string(),
                "-1 (play once), 0 (forever) or a repeat count",
            ));
        }
        let mut input = InputFile::path(&self.input);
        if let Some(t) = self.start {
            input = input.seek(t, SeekMode::Accurate);
        }
        if let Some(d) = self.duration {
            input = input.duration(d);
        }
        let out = OutputFile::path(&self.output)
            .map_graph("gif", StreamType::Video)
            .format("gif")
            .format_option("loop", self.loop_count.to_string());
        let cmd = base(LogLevel::Warning)
            .input(input)
            .filter_complex(self.graph())
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

produces_one_file!(Gif);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gif_argv() {
        let args = Gif::new("/in.mp4", "/out.gif")
            .width(160)
            .max_colors(64)
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ");
        assert!(
            args.contains(
                "-filter_complex [0:v]fps=10,scale=160:-2:flags=lanczos,split[frames][forpalette];\
                 [forpalette]palettegen=max_colors=64:stats_mode=diff[palette];\
                 [frames][palette]paletteuse=dither=bayer[gif]"
            ),
            "{args}"
        );
        assert!(args.contains("-map [gif]"), "{args}");
        assert!(args.ends_with("-f gif -loop 0 /out.gif"), "{args}");
    }

    #[test]
    fn gif_refuses_impossible_settings() {
        for gif in [
            Gif::new("/i", "/o.gif").max_colors(1),
            Gif::new("/i", "/o.gif").max_colors(257),
            Gif::new("/i", "/o.gif").fps(0),
            Gif::new("/i", "/o.gif").width(0),
            Gif::new("/i", "/o.gif").dither("bayer:bayer_scale=9"),
            Gif::new("/i", "/o.gif").loop_count(-2),
        ] {
            assert!(
                matches!(gif.command(), Err(CommandError::InvalidArgument { .. })),
                "{gif:?}"
            );
        }
    }
}
