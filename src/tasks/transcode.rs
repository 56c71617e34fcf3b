//! Re-encode a file: H.264/AAC MP4 by default, or any codecs and container.

use super::task::produces_one_file;
use super::{base, is_mp4_like};
use crate::command::{CommandError, FrameRate, InputFile, LogLevel, OutputFile};
use crate::error::Result;

/// Re-encodes `input` into `output`.
///
/// Defaults: video `libx264` in `yuv420p` (what every player decodes), audio
/// `aac`, every other setting left to the encoder (x264: CRF 23, preset
/// `medium`), the container chosen from the output extension, and
/// `-movflags +faststart` for MP4/MOV outputs. Only the first video and the
/// first audio stream are kept (FFmpeg's default stream selection).
///
/// ```no_run
/// use afmpeg::tasks::{Task, Transcode};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// // … put "/in.mkv" into fs …
/// let out = Transcode::new("/in.mkv", "/out.mp4")
///     .crf(20)
///     .preset("veryfast")
///     .scale_width(640)
///     .audio_bitrate(128_000)
///     .run(&rt, &fs)?;
/// assert_eq!(out.path, "/out.mp4");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Transcode {
    input: String,
    output: String,
    format: Option<String>,
    video_codec: Option<String>,
    audio_codec: Option<String>,
    pixel_format: Option<String>,
    crf: Option<u8>,
    preset: Option<String>,
    video_bitrate: Option<u64>,
    audio_bitrate: Option<u64>,
    size: Option<(u32, u32)>,
    scale_width: Option<u32>,
    frame_rate: Option<FrameRate>,
    sample_rate: Option<u32>,
    channels: Option<u32>,
    no_video: bool,
    no_audio: bool,
    faststart: bool,
}

impl Transcode {
    /// Re-encode `input` to `output` with the defaults above.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-movflags", "+faststart"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, output: impl Into<String>) -> Transcode {
        Transcode {
            input: input.into(),
            output: output.into(),
            format: None,
            video_codec: Some("libx264".into()),
            audio_codec: Some("aac".into()),
            pixel_format: Some("yuv420p".into()),
            crf: None,
            preset: None,
            video_bitrate: None,
            audio_bitrate: None,
            size: None,
            scale_width: None,
            frame_rate: None,
            sample_rate: None,
            channels: None,
            no_video: false,
            no_audio: false,
            faststart: true,
        }
    }

    /// Force the container (`-f`), e.g. `"matroska"`, instead of deriving
    /// it from the extension.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").format("matroska").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "matroska"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn format(mut self, format: impl Into<String>) -> Transcode {
        self.format = Some(format.into());
        self
    }

    /// The video encoder (`-c:v`), e.g. `"libx264"`, `"mjpeg"`; `"copy"`
    /// passes the video through. The `yuv420p` default pixel format applies
    /// to `libx264` only.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").video_codec("mjpeg").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "mjpeg"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn video_codec(mut self, codec: impl Into<String>) -> Transcode {
        self.video_codec = Some(codec.into());
        self
    }

    /// The audio encoder (`-c:a`), e.g. `"aac"`, `"libopus"`, `"flac"`;
    /// `"copy"` passes the audio through.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").audio_codec("libopus").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c:a", "libopus"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn audio_codec(mut self, codec: impl Into<String>) -> Transcode {
        self.audio_codec = Some(codec.into());
        self
    }

    /// The output pixel format (`-pix_fmt`); `None` keeps what the encoder
    /// picks from the input (x264 then may write 4:4:4 High profile, which
    /// many players refuse).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").pixel_format(None).command()?.args()?;
    /// assert!(!args.iter().any(|a| a == "-pix_fmt"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn pixel_format(mut self, pix_fmt: Option<String>) -> Transcode {
        self.pixel_format = pix_fmt;
        self
    }

    /// Constant rate factor, 0..=51 (lower is better; x264's default is 23).
    /// Excludes [`video_bitrate`](Transcode::video_bitrate).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").crf(20).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-crf", "20"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn crf(mut self, crf: u8) -> Transcode {
        self.crf = Some(crf);
        self
    }

    /// Encoder speed preset, e.g. `"ultrafast"`, `"veryfast"`, `"slow"`.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").preset("veryfast").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-preset", "veryfast"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn preset(mut self, preset: impl Into<String>) -> Transcode {
        self.preset = Some(preset.into());
        self
    }

    /// Average video bitrate in bits per second. Excludes
    /// [`crf`](Transcode::crf).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").video_bitrate(2_000_000).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-b:v", "2000000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn video_bitrate(mut self, bits_per_second: u64) -> Transcode {
        self.video_bitrate = Some(bits_per_second);
        self
    }

    /// Audio bitrate in bits per second.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").audio_bitrate(128_000).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-b:a", "128000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn audio_bitrate(mut self, bits_per_second: u64) -> Transcode {
        self.audio_bitrate = Some(bits_per_second);
        self
    }

    /// Scale to exactly `width`×`height` (`-s`), aspect ratio not kept.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").size(640, 360).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-s", "640x360"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Transcode {
        self.size = Some((width, height));
        self
    }

    /// Scale to `width`, the height following the aspect ratio (rounded to
    /// an even number, as 4:2:0 video needs): `-vf scale=W:-2`.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").scale_width(1280).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-vf", "scale=1280:-2"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn scale_width(mut self, width: u32) -> Transcode {
        self.scale_width = Some(width);
        self
    }

    /// Output frame rate (`-r`).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").frame_rate(25).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-r", "25"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn frame_rate(mut self, fps: impl Into<FrameRate>) -> Transcode {
        self.frame_rate = Some(fps.into());
        self
    }

    /// Audio sample rate in Hz (`-ar`).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").sample_rate(48_000).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-ar", "48000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn sample_rate(mut self, hz: u32) -> Transcode {
        self.sample_rate = Some(hz);
        self
    }

    /// Audio channel count (`-ac`).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").channels(2).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-ac", "2"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn channels(mut self, channels: u32) -> Transcode {
        self.channels = Some(channels);
        self
    }

    /// Drop the video (`-vn`).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.m4a").no_video().command()?.args()?;
    /// assert!(args.iter().any(|a| a == "-vn"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn no_video(mut self) -> Transcode {
        self.no_video = true;
        self
    }

    /// Drop the audio (`-an`).
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").no_audio().command()?.args()?;
    /// assert!(args.iter().any(|a| a == "-an"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn no_audio(mut self) -> Transcode {
        self.no_audio = true;
        self
    }

    /// Whether to move the MP4 index to the front (`-movflags +faststart`,
    /// for playback while downloading). Default `true`; ignored for other
    /// containers.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").faststart(false).command()?.args()?;
    /// assert!(!args.iter().any(|a| a == "+faststart"), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn faststart(mut self, faststart: bool) -> Transcode {
        self.faststart = faststart;
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::Transcode;
    /// let args = Transcode::new("/in.mkv", "/out.mp4").command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-c:v", "libx264"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<crate::command::Command, CommandError> {
        let mut out = OutputFile::path(&self.output);
        if let Some(f) = &self.format {
            out = out.format(f);
        }
        if self.no_video {
            out = out.no_video();
        } else {
            if let Some(c) = &self.video_codec {
                out = out.video_codec(c);
            }
            if let Some(crf) = self.crf {
                out = out.crf(crf);
            }
            if let Some(p) = &self.preset {
                out = out.preset(p);
            }
            if let Some(b) = self.video_bitrate {
                out = out.video_bitrate(b);
            }
            if let Some((w, h)) = self.size {
                out = out.size(w, h);
            }
            if let Some(w) = self.scale_width {
                out = out.video_filter(format!("scale={w}:-2"));
            }
            if let Some(r) = self.frame_rate {
                out = out.frame_rate(r);
            }
            if let (Some(pf), Some("libx264")) = (&self.pixel_format, self.video_codec.as_deref()) {
                out = out.option("pix_fmt", pf);
            }
        }
        if self.no_audio {
            out = out.no_audio();
        } else {
            if let Some(c) = &self.audio_codec {
                out = out.audio_codec(c);
            }
            if let Some(b) = self.audio_bitrate {
                out = out.audio_bitrate(b);
            }
            if let Some(ar) = self.sample_rate {
                out = out.sample_rate(ar);
            }
            if let Some(ac) = self.channels {
                out = out.channels(ac);
            }
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

produces_one_file!(Transcode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_argv() {
        let args = Transcode::new("/i.mkv", "/o.mp4")
            .crf(20)
            .command()
            .unwrap()
            .args()
            .unwrap();
        let tail: Vec<&str> = args.iter().map(String::as_str).skip(6).collect();
        assert_eq!(
            tail,
            [
                "-i",
                "/i.mkv",
                "-c:v",
                "libx264",
                "-c:a",
                "aac",
                "-crf",
                "20",
                "-movflags",
                "+faststart",
                "-pix_fmt",
                "yuv420p",
                "/o.mp4"
            ]
        );
    }

    #[test]
    fn refuses_crf_with_bitrate() {
        assert!(Transcode::new("/i", "/o.mp4")
            .crf(20)
            .video_bitrate(1_000_000)
            .command()
            .is_err());
    }
}
