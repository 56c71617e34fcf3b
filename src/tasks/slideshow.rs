//! A video from still images: transitions, captions, music and a voice
//! over it (the "reel").

use super::quality::{quality_setters, Quality};
use super::task::produces_one_file;
use super::{base, is_mp4_like};
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile, StreamType, Time};
use crate::error::Result;

/// One image of a [`Slideshow`], with its caption.
///
/// ```
/// use afmpeg::tasks::{Slide, Slideshow};
/// let reel = Slideshow::new([Slide::new("/a.jpg").caption("Day one"), "/b.jpg".into()], "/reel.mp4");
/// let args = reel.command()?.args()?;
/// assert!(args.windows(2).any(|w| w == ["-i", "/b.jpg"]), "{args:?}");
/// assert_eq!(args.join(" ").matches("drawtext").count(), 1);
/// # Ok::<(), afmpeg::command::CommandError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slide {
    image: String,
    caption: Option<String>,
}

impl Slide {
    /// The image at `image`, without a caption.
    ///
    /// ```
    /// use afmpeg::tasks::{Slide, Slideshow};
    /// let args = Slideshow::new([Slide::new("/a.jpg")], "/reel.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-i", "/a.jpg"]), "{args:?}");
    /// assert!(!args.join(" ").contains("drawtext"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(image: impl Into<String>) -> Slide {
        Slide {
            image: image.into(),
            caption: None,
        }
    }

    /// Draws `text` over the bottom of this slide (`drawtext`; taken
    /// literally: no `%{…}` expansion, any character allowed).
    ///
    /// ```
    /// use afmpeg::tasks::{Slide, Slideshow};
    /// let args = Slideshow::new([Slide::new("/a.jpg").caption("Summit")], "/reel.mp4").command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("drawtext=expansion=none:text=Summit"), "{graph}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn caption(mut self, text: impl Into<String>) -> Slide {
        self.caption = Some(text.into());
        self
    }
}

impl<S: Into<String>> From<S> for Slide {
    fn from(image: S) -> Slide {
        Slide::new(image)
    }
}

/// Renders still images into an H.264/AAC video: each image fitted into
/// the frame (letterboxed, never distorted) for
/// [`slide_duration`](Slideshow::slide_duration), `xfade` transitions
/// between them, optional captions (`drawtext`), and a soundtrack of
/// [`music`](Slideshow::music) and/or a [`voice`](Slideshow::voice), the
/// music ducked under the voice with `sidechaincompress`.
///
/// The length is `n × slide − (n − 1) × transition`; the soundtrack is cut
/// to it. Defaults make a vertical 1080x1920 30 fps reel with 3 s slides
/// and 0.5 s fades. Captions and ducking need the default (or full) guest
/// profile (lean has no `drawtext`, `sidechaincompress` or `apad`: its run
/// fails with "No such filter"), and for captions its font mounted where
/// drawtext looks for it (see the how-to), or
/// [`font_file`](Slideshow::font_file).
///
/// ```no_run
/// use afmpeg::command::Time;
/// use afmpeg::tasks::{Slide, Slideshow, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let reel = Slideshow::new(
///     [
///         Slide::new("/a.jpg").caption("Day one"),
///         Slide::new("/b.jpg"),
///         Slide::new("/c.jpg").caption("The summit"),
///     ],
///     "/reel.mp4",
/// )
/// .slide_duration(Time::from_secs(3))
/// .transition("slideleft", Time::from_millis(500))
/// .music("/music.mp3")
/// .voice("/voice.wav")
/// .run(&rt, &fs)?;
/// println!("{} bytes", reel.size);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slideshow {
    slides: Vec<Slide>,
    output: String,
    width: u32,
    height: u32,
    fps: u32,
    slide: Time,
    transition: Option<(String, Time)>,
    music: Option<String>,
    voice: Option<String>,
    duck: bool,
    font_file: Option<String>,
    font_size: Option<u32>,
    quality: Quality,
}

impl Slideshow {
    /// A slideshow of `slides` (images, or [`Slide`]s with captions) at
    /// `output`.
    ///
    /// ```
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("scale=1080:1920:force_original_aspect_ratio=decrease"), "{graph}");
    /// assert!(graph.contains("xfade=transition=fade:duration=0.500000:offset=2.500000"), "{graph}");
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "libx264"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new<I, S>(slides: I, output: impl Into<String>) -> Slideshow
    where
        I: IntoIterator<Item = S>,
        S: Into<Slide>,
    {
        Slideshow {
            slides: slides.into_iter().map(Into::into).collect(),
            output: output.into(),
            width: 1080,
            height: 1920,
            fps: 30,
            slide: Time::from_secs(3),
            transition: Some(("fade".into(), Time::from_millis(500))),
            music: None,
            voice: None,
            duck: true,
            font_file: None,
            font_size: None,
            quality: Quality::default(),
        }
    }

    /// Frame size (default 1080x1920, vertical).
    ///
    /// ```
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").size(1920, 1080).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("pad=1920:1080:"), "{graph}");
    /// // H.264 4:2:0 needs even sizes.
    /// assert!(Slideshow::new(["/a.jpg"], "/reel.mp4").size(1919, 1080).command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Slideshow {
        self.width = width;
        self.height = height;
        self
    }

    /// Frames per second (default 30).
    ///
    /// ```
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").fps(25).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(args.windows(2).any(|w| w == ["-r", "25"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-framerate", "25"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn fps(mut self, fps: u32) -> Slideshow {
        self.fps = fps;
        self
    }

    /// How long each image is on screen, transitions included (default 3 s).
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").slide_duration(Time::from_secs(5)).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("offset=4.500000"), "{graph}");
    /// let reel = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").slide_duration(Time::from_secs(5));
    /// assert_eq!(reel.duration(), Time::from_millis(9_500));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn slide_duration(mut self, duration: Time) -> Slideshow {
        self.slide = duration;
        self
    }

    /// An `xfade` transition (`fade`, `wipeleft`, `slideleft`, `dissolve`,
    /// `circleopen`, …) of `duration` between slides (default `fade`,
    /// 0.5 s); it must be shorter than a slide.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").transition("slideleft", Time::from_secs(1)).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("xfade=transition=slideleft:duration=1.000000:offset=2.000000"), "{graph}");
    /// let too_long = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").transition("fade", Time::from_secs(3));
    /// assert!(too_long.command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn transition(mut self, kind: impl Into<String>, duration: Time) -> Slideshow {
        self.transition = Some((kind.into(), duration));
        self
    }

    /// Cut from one slide to the next, without a transition.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").no_transition().command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("[s0][s1]concat=n=2:v=1:a=0[video]"), "{graph}");
    /// let reel = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").no_transition();
    /// assert_eq!(reel.duration(), Time::from_secs(6));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn no_transition(mut self) -> Slideshow {
        self.transition = None;
        self
    }

    /// Background music (its first audio stream).
    ///
    /// ```
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").music("/music.mp3").command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(args.windows(2).any(|w| w == ["-i", "/music.mp3"]), "{args:?}");
    /// assert!(graph.contains("[2:a]aformat=sample_rates=48000:channel_layouts=stereo[audio]"), "{graph}");
    /// assert!(args.windows(2).any(|w| w == ["-c:a", "aac"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn music(mut self, path: impl Into<String>) -> Slideshow {
        self.music = Some(path.into());
        self
    }

    /// A voice-over (its first audio stream), mixed over the music.
    ///
    /// ```
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").music("/music.mp3").voice("/voice.wav").command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(args.windows(2).any(|w| w == ["-i", "/voice.wav"]), "{args:?}");
    /// assert!(graph.contains("sidechaincompress"), "{graph}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn voice(mut self, path: impl Into<String>) -> Slideshow {
        self.voice = Some(path.into());
        self
    }

    /// Whether the music is turned down while the voice speaks (default
    /// `true`; applies when there are both).
    ///
    /// ```
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").music("/music.mp3").voice("/voice.wav").duck(false).command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(graph.contains("[music][voice]amix=inputs=2:duration=longest"), "{graph}");
    /// assert!(!graph.contains("sidechaincompress"), "{graph}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn duck(mut self, duck: bool) -> Slideshow {
        self.duck = duck;
        self
    }

    /// The font of the captions (default: drawtext's default font of the
    /// guest profile).
    ///
    /// ```
    /// use afmpeg::tasks::{Slide, Slideshow};
    /// let reel = Slideshow::new([Slide::new("/a.jpg").caption("Hi")], "/reel.mp4").font_file("/fonts/sans.ttf");
    /// let graph = reel.command()?.args()?.join(" ");
    /// assert!(graph.contains(":fontfile=/fonts/sans.ttf:"), "{graph}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn font_file(mut self, path: impl Into<String>) -> Slideshow {
        self.font_file = Some(path.into());
        self
    }

    /// Caption size in pixels (default 1/20 of the frame height).
    ///
    /// ```
    /// use afmpeg::tasks::{Slide, Slideshow};
    /// let reel = Slideshow::new([Slide::new("/a.jpg").caption("Hi")], "/reel.mp4").font_size(64);
    /// let graph = reel.command()?.args()?.join(" ");
    /// assert!(graph.contains(":fontsize=64:"), "{graph}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn font_size(mut self, pixels: u32) -> Slideshow {
        self.font_size = Some(pixels);
        self
    }

    /// The length of the video.
    ///
    /// ```
    /// use afmpeg::command::Time;
    /// use afmpeg::tasks::Slideshow;
    /// // 3 slides of 3 s, overlapping by two 0.5 s fades: 3 × 3 − 2 × 0.5.
    /// let reel = Slideshow::new(["/a.jpg", "/b.jpg", "/c.jpg"], "/reel.mp4");
    /// assert_eq!(reel.duration(), Time::from_secs(8));
    /// ```
    pub fn duration(&self) -> Time {
        let n = self.slides.len() as u64;
        let overlap = self.transition.as_ref().map_or(0, |(_, d)| d.as_micros());
        Time::from_micros(
            (n * self.slide.as_micros()).saturating_sub(n.saturating_sub(1) * overlap),
        )
    }

    fn check(&self) -> Result<(), CommandError> {
        let invalid = |option: &str, value: String, reason| {
            Err(CommandError::InvalidArgument {
                option: option.into(),
                value,
                reason,
            })
        };
        if self.slides.is_empty() {
            return invalid("slides", String::new(), "a slideshow needs an image");
        }
        if self.width == 0 || self.height == 0 || self.width % 2 == 1 || self.height % 2 == 1 {
            return invalid(
                "size",
                format!("{}x{}", self.width, self.height),
                "H.264 4:2:0 needs an even, non-zero width and height",
            );
        }
        if self.fps == 0 {
            return invalid("fps", "0".into(), "must be non-zero");
        }
        if self.slide.as_micros() == 0 {
            return invalid("slide duration", self.slide.to_string(), "must be non-zero");
        }
        if let Some((kind, d)) = &self.transition {
            if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric()) {
                return invalid("transition", kind.clone(), "an xfade transition name");
            }
            if d.as_micros() == 0 || *d >= self.slide {
                return invalid(
                    "transition duration",
                    d.to_string(),
                    "must be non-zero and shorter than a slide",
                );
            }
        }
        Ok(())
    }

    /// The drawtext filter for `caption`, or nothing.
    fn caption_filter(&self, caption: Option<&str>) -> String {
        let Some(text) = caption else {
            return String::new();
        };
        let size = self.font_size.unwrap_or(self.height / 20).max(1);
        let font = match &self.font_file {
            Some(f) => format!(":fontfile={}", filter_value(f)),
            None => String::new(),
        };
        format!(
            ",drawtext=expansion=none:text={}{font}:fontsize={size}:fontcolor=white:\
             borderw={border}:bordercolor=black:x=(w-text_w)/2:y=h-text_h-h/10",
            filter_value(text),
            border = (size / 16).max(1),
        )
    }

    /// The video part of the graph: `[i:v]` of each slide in, `[video]` out.
    fn video_graph(&self) -> Vec<String> {
        let (w, h, fps) = (self.width, self.height, self.fps);
        let mut chains: Vec<String> = self
            .slides
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!(
                    "[{i}:v]scale={w}:{h}:force_original_aspect_ratio=decrease,\
                     pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={fps},format=yuv420p{}[s{i}]",
                    self.caption_filter(s.caption.as_deref())
                )
            })
            .collect();
        let n = self.slides.len();
        match &self.transition {
            _ if n == 1 => chains.push("[s0]null[video]".into()),
            None => {
                let inputs: String = (0..n).map(|i| format!("[s{i}]")).collect();
                chains.push(format!("{inputs}concat=n={n}:v=1:a=0[video]"));
            }
            Some((kind, d)) => {
                let step = self.slide.as_micros() - d.as_micros();
                let mut prev = "s0".to_owned();
                for i in 1..n {
                    let next = if i == n - 1 {
                        "video".to_owned()
                    } else {
                        format!("x{i}")
                    };
                    chains.push(format!(
                        "[{prev}][s{i}]xfade=transition={kind}:duration={d}:offset={}[{next}]",
                        Time::from_micros(step * i as u64)
                    ));
                    prev = next;
                }
            }
        }
        chains
    }

    /// The audio part of the graph, `[audio]` out, given the input index of
    /// the music and of the voice.
    fn audio_graph(music: Option<usize>, voice: Option<usize>, duck: bool) -> Vec<String> {
        // one rate and layout for every input: sidechaincompress and amix
        // need them to agree
        let fmt = "aformat=sample_rates=48000:channel_layouts=stereo";
        match (music, voice) {
            (None, None) => Vec::new(),
            (Some(i), None) | (None, Some(i)) => vec![format!("[{i}:a]{fmt}[audio]")],
            (Some(m), Some(v)) if duck => vec![
                format!("[{m}:a]{fmt}[music]"),
                // padded with silence: the music goes on after the voice ends
                format!("[{v}:a]{fmt},apad,asplit[key][voice]"),
                "[music][key]sidechaincompress=threshold=0.02:ratio=10:attack=20:release=250[ducked]"
                    .into(),
                "[ducked][voice]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[audio]"
                    .into(),
            ],
            (Some(m), Some(v)) => vec![
                format!("[{m}:a]{fmt}[music]"),
                format!("[{v}:a]{fmt}[voice]"),
                "[music][voice]amix=inputs=2:duration=longest:dropout_transition=0:normalize=0[audio]"
                    .into(),
            ],
        }
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Slideshow;
    /// let args = Slideshow::new(["/a.jpg", "/b.jpg"], "/reel.mp4").command()?.args()?;
    /// let graph = args.join(" ");
    /// assert!(args.windows(2).any(|w| w == ["-map", "[video]"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-t", "5.500000"]), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/reel.mp4"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        self.check()?;
        let mut cmd = base(LogLevel::Warning);
        for s in &self.slides {
            cmd = cmd.input(
                InputFile::path(&s.image)
                    .option("loop", "1")
                    .option("framerate", self.fps.to_string())
                    .duration(self.slide),
            );
        }
        let mut next = self.slides.len();
        let mut add_audio = |cmd: Command, path: &Option<String>| match path {
            Some(p) => {
                next += 1;
                (cmd.input(InputFile::path(p)), Some(next - 1))
            }
            None => (cmd, None),
        };
        let (cmd, music) = add_audio(cmd, &self.music);
        let (cmd, voice) = add_audio(cmd, &self.voice);
        let mut graph = self.video_graph();
        graph.extend(Self::audio_graph(music, voice, self.duck));
        let mut out = OutputFile::path(&self.output)
            .map_graph("video", StreamType::Video)
            .video_codec("libx264")
            .option("pix_fmt", "yuv420p")
            .option("r", self.fps.to_string())
            .duration(self.duration());
        if music.is_some() || voice.is_some() {
            out = out.map_graph("audio", StreamType::Audio).audio_codec("aac");
        }
        out = self.quality.apply(out);
        if is_mp4_like(&self.output, None) {
            out = out.format_option("movflags", "+faststart");
        }
        let cmd = cmd.filter_complex(graph.join(";")).output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

quality_setters!(
    Slideshow.quality,
    "(x264)",
    r#"(["/a.jpg", "/b.jpg"], "/reel.mp4")"#
);

produces_one_file!(Slideshow);

/// `text` as one filter option value inside a filter graph: escaped for
/// the option parser (`\`, `'`, `:`), then again for the graph parser
/// (`\`, `'`, `[`, `]`, `,`, `;`), white space at both levels, so that
/// FFmpeg reads back exactly `text`.
fn filter_value(text: &str) -> String {
    fn escape(text: &str, special: &[char]) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '\\' || c == '\'' || c.is_whitespace() || special.contains(&c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
    escape(&escape(text, &[':']), &['[', ']', ',', ';'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caption_text_is_escaped_twice() {
        assert_eq!(filter_value("a:b"), "a\\\\:b");
        assert_eq!(filter_value("it's"), "it\\\\\\'s");
        assert_eq!(filter_value("x,y"), "x\\,y");
        assert_eq!(filter_value("a b"), "a\\\\\\ b");
    }

    #[test]
    fn duration_and_xfade_offsets() {
        let show = Slideshow::new(["/a.png", "/b.png", "/c.png"], "/r.mp4")
            .slide_duration(Time::from_millis(1500))
            .transition("fade", Time::from_millis(500));
        assert_eq!(show.duration(), Time::from_millis(3500));
        let args = show.command().unwrap().args().unwrap().join(" ");
        assert!(
            args.contains(
                "[s0][s1]xfade=transition=fade:duration=0.500000:offset=1.000000[x1];\
                 [x1][s2]xfade=transition=fade:duration=0.500000:offset=2.000000[video]"
            ),
            "{args}"
        );
        assert!(args.contains("-t 3.500000"), "{args}");
        let cut = Slideshow::new(["/a.png", "/b.png"], "/r.mp4").no_transition();
        assert_eq!(cut.duration(), Time::from_secs(6));
        assert!(cut
            .command()
            .unwrap()
            .args()
            .unwrap()
            .join(" ")
            .contains("[s0][s1]concat=n=2:v=1:a=0[video]"));
    }

    #[test]
    fn refuses_impossible_settings() {
        let three = || Slideshow::new(["/a.png", "/b.png", "/c.png"], "/r.mp4");
        for show in [
            Slideshow::new(Vec::<Slide>::new(), "/r.mp4"),
            three().size(1081, 1920),
            three().fps(0),
            three().slide_duration(Time::from_secs(0)),
            three().transition("fade", Time::from_secs(3)),
            three().transition("fade,split", Time::from_millis(500)),
        ] {
            assert!(
                matches!(show.command(), Err(CommandError::InvalidArgument { .. })),
                "{show:?}"
            );
        }
    }
}
