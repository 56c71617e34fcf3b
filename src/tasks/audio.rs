//! Extract the audio of a file to an audio-only format.

use super::base;
use super::task::produces_one_file;
use crate::command::{Command, CommandError, InputFile, LogLevel, OutputFile};
use crate::error::Result;

/// The audio file an [`ExtractAudio`] writes: codec and container.
///
/// ```
/// use afmpeg::tasks::AudioFormat;
/// assert_eq!(AudioFormat::Opus.codec(), "libopus");
/// assert_eq!(AudioFormat::Opus.muxer(), "opus");
/// assert_eq!(AudioFormat::Opus.extension(), "opus");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioFormat {
    /// MP3 (`libmp3lame`, `mp3` muxer).
    Mp3,
    /// Opus in Ogg (`libopus`, `opus` muxer; resampled to 48 kHz).
    Opus,
    /// AAC in raw ADTS (`aac`, `adts` muxer, `.aac`).
    Aac,
    /// AAC in MPEG-4 audio (`aac`, `ipod` muxer, `.m4a`).
    M4a,
    /// FLAC (lossless).
    Flac,
    /// WAV with 16-bit PCM (lossless for 16-bit sources).
    Wav,
}

impl AudioFormat {
    /// The FFmpeg encoder.
    ///
    /// ```
    /// use afmpeg::tasks::AudioFormat;
    /// assert_eq!(AudioFormat::Mp3.codec(), "libmp3lame");
    /// assert_eq!(AudioFormat::M4a.codec(), "aac");
    /// ```
    pub const fn codec(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "libmp3lame",
            AudioFormat::Opus => "libopus",
            AudioFormat::Aac | AudioFormat::M4a => "aac",
            AudioFormat::Flac => "flac",
            AudioFormat::Wav => "pcm_s16le",
        }
    }

    /// The FFmpeg muxer.
    ///
    /// ```
    /// use afmpeg::tasks::AudioFormat;
    /// assert_eq!(AudioFormat::Aac.muxer(), "adts");
    /// assert_eq!(AudioFormat::M4a.muxer(), "ipod");
    /// ```
    pub const fn muxer(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "mp3",
            AudioFormat::Opus => "opus",
            AudioFormat::Aac => "adts",
            AudioFormat::M4a => "ipod",
            AudioFormat::Flac => "flac",
            AudioFormat::Wav => "wav",
        }
    }

    /// The usual file extension, without the dot.
    ///
    /// ```
    /// use afmpeg::tasks::AudioFormat;
    /// let out = format!("/sound.{}", AudioFormat::M4a.extension());
    /// assert_eq!(out, "/sound.m4a");
    /// ```
    pub const fn extension(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "mp3",
            AudioFormat::Opus => "opus",
            AudioFormat::Aac => "aac",
            AudioFormat::M4a => "m4a",
            AudioFormat::Flac => "flac",
            AudioFormat::Wav => "wav",
        }
    }

    /// Whether the codec is lossy (a bitrate applies).
    ///
    /// ```
    /// use afmpeg::tasks::AudioFormat;
    /// assert!(AudioFormat::Mp3.is_lossy());
    /// assert!(!AudioFormat::Flac.is_lossy());
    /// ```
    pub const fn is_lossy(self) -> bool {
        !matches!(self, AudioFormat::Flac | AudioFormat::Wav)
    }
}

/// Writes one audio stream of `input` to an audio-only file.
///
/// ```no_run
/// use afmpeg::tasks::{AudioFormat, ExtractAudio, Task};
/// use afmpeg::{Filesystem, Runtime};
///
/// # fn main() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// ExtractAudio::new("/movie.mp4", "/sound.mp3", AudioFormat::Mp3)
///     .bitrate(192_000)
///     .run(&rt, &fs)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractAudio {
    input: String,
    output: String,
    format: AudioFormat,
    stream: usize,
    bitrate: Option<u64>,
    sample_rate: Option<u32>,
    channels: Option<u32>,
}

impl ExtractAudio {
    /// Extract the first audio stream of `input` as `format`.
    ///
    /// ```
    /// use afmpeg::tasks::{AudioFormat, ExtractAudio};
    /// let args = ExtractAudio::new("/movie.mp4", "/sound.flac", AudioFormat::Flac).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:0"]), "{args:?}");
    /// assert!(args.windows(2).any(|w| w == ["-c:a", "flac"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn new(input: impl Into<String>, output: impl Into<String>, format: AudioFormat) -> Self {
        ExtractAudio {
            input: input.into(),
            output: output.into(),
            format,
            stream: 0,
            bitrate: None,
            sample_rate: None,
            channels: None,
        }
    }

    /// Which audio stream (0-based among the audio streams; default 0).
    ///
    /// ```
    /// use afmpeg::tasks::{AudioFormat, ExtractAudio};
    /// let args = ExtractAudio::new("/movie.mkv", "/commentary.opus", AudioFormat::Opus).stream(1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-map", "0:a:1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn stream(mut self, index: usize) -> Self {
        self.stream = index;
        self
    }

    /// Bitrate in bits per second, for lossy formats. Refused by
    /// [`command`](ExtractAudio::command) for FLAC and WAV.
    ///
    /// ```
    /// use afmpeg::tasks::{AudioFormat, ExtractAudio};
    /// let mp3 = ExtractAudio::new("/movie.mp4", "/sound.mp3", AudioFormat::Mp3).bitrate(192_000);
    /// let args = mp3.command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-b:a", "192000"]), "{args:?}");
    /// let wav = ExtractAudio::new("/movie.mp4", "/sound.wav", AudioFormat::Wav).bitrate(192_000);
    /// assert!(wav.command().is_err());
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn bitrate(mut self, bits_per_second: u64) -> Self {
        self.bitrate = Some(bits_per_second);
        self
    }

    /// Resample to this rate in Hz.
    ///
    /// ```
    /// use afmpeg::tasks::{AudioFormat, ExtractAudio};
    /// let args = ExtractAudio::new("/movie.mp4", "/sound.wav", AudioFormat::Wav).sample_rate(16_000).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-ar", "16000"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn sample_rate(mut self, hz: u32) -> Self {
        self.sample_rate = Some(hz);
        self
    }

    /// Down- or up-mix to this many channels.
    ///
    /// ```
    /// use afmpeg::tasks::{AudioFormat, ExtractAudio};
    /// let args = ExtractAudio::new("/movie.mp4", "/mono.mp3", AudioFormat::Mp3).channels(1).command()?.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-ac", "1"]), "{args:?}");
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn channels(mut self, channels: u32) -> Self {
        self.channels = Some(channels);
        self
    }

    /// The command this task runs.
    ///
    /// ```
    /// use afmpeg::tasks::{AudioFormat, ExtractAudio};
    /// let cmd = ExtractAudio::new("/movie.mp4", "/sound.m4a", AudioFormat::M4a).command()?;
    /// let args = cmd.args()?;
    /// assert!(args.windows(2).any(|w| w == ["-f", "ipod"]), "{args:?}");
    /// assert!(args.iter().any(|a| a == "-vn"), "{args:?}");
    /// assert_eq!(args.last().map(String::as_str), Some("/sound.m4a"));
    /// # Ok::<(), afmpeg::command::CommandError>(())
    /// ```
    pub fn command(&self) -> Result<Command, CommandError> {
        let mut out = OutputFile::path(&self.output)
            .map(format!("0:a:{}", self.stream))
            .no_video()
            .audio_codec(self.format.codec())
            .format(self.format.muxer());
        if let Some(b) = self.bitrate {
            if !self.format.is_lossy() {
                return Err(CommandError::InvalidArgument {
                    option: "-b:a".into(),
                    value: b.to_string(),
                    reason: "a bitrate applies to lossy formats only",
                });
            }
            out = out.audio_bitrate(b);
        }
        if let Some(ar) = self.sample_rate {
            out = out.sample_rate(ar);
        }
        if let Some(ac) = self.channels {
            out = out.channels(ac);
        }
        let cmd = base(LogLevel::Warning)
            .input(InputFile::path(&self.input))
            .output(out);
        cmd.validate()?;
        Ok(cmd)
    }
}

produces_one_file!(ExtractAudio);
