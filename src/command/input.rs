//! One input of a command: the options before an `-i`.

use super::concat_list::{ConcatEntry, ConcatList};
use super::types::{CommandError, FileIndex, FrameRate, SeekMode, Time};
use super::validate::{
    check_nonempty, check_opts, check_params, opt_name, push_opts, push_params, Opt, Params, Trim,
    Value,
};

/// One input of a [`Command`](crate::command::Command): the options before an `-i`.
///
/// Rendered as `[-ss T -accurate_seek|-noaccurate_seek] [-t D | -to E]
/// [-f FORMAT] [demuxer parameters] [options…] -i SOURCE`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    pub(super) source: String,
    pub(super) format: Option<String>,
    pub(super) seek_mode: SeekMode,
    pub(super) trim: Trim,
    /// Typed demuxer parameters (`-pix_fmt`, `-s`, `-r`, `-ar`, `-safe`…).
    pub(super) params: Params,
    /// User options, in order.
    pub(super) options: Vec<Opt>,
}

impl InputFile {
    /// A file (or anything FFmpeg opens by name, such as `pipe:0`).
    pub fn path(path: impl Into<String>) -> InputFile {
        InputFile {
            source: path.into(),
            format: None,
            seek_mode: SeekMode::Fast,
            trim: Trim::default(),
            params: Vec::new(),
            options: Vec::new(),
        }
    }

    /// A libavfilter source graph: `-f lavfi -i GRAPH`, e.g.
    /// `InputFile::lavfi("testsrc=duration=2:size=320x240:rate=25")`.
    pub fn lavfi(graph: impl Into<String>) -> InputFile {
        InputFile::path(graph).format("lavfi")
    }

    /// Headerless video frames: `-f rawvideo -pix_fmt PIX_FMT -s WxH -r FPS`.
    pub fn raw_video(
        path: impl Into<String>,
        pix_fmt: impl Into<String>,
        width: u32,
        height: u32,
        fps: impl Into<FrameRate>,
    ) -> InputFile {
        let mut input = InputFile::path(path).format("rawvideo");
        input.params = vec![
            ("-pix_fmt", Value::Text(pix_fmt.into())),
            ("-s", Value::Size(width, height)),
            ("-r", Value::Rate(fps.into())),
        ];
        input
    }

    /// Headerless PCM samples: `-f SAMPLE_FORMAT -ar RATE -ac CHANNELS`;
    /// `sample_format` names a PCM demuxer such as `s16le` or `f32le`.
    pub fn raw_audio(
        path: impl Into<String>,
        sample_format: impl Into<String>,
        sample_rate: u32,
        channels: u32,
    ) -> InputFile {
        let mut input = InputFile::path(path).format(sample_format);
        input.params = vec![
            ("-ar", Value::Count(sample_rate.into())),
            ("-ac", Value::Count(channels.into())),
        ];
        input
    }

    /// An ffconcat list file: `-f concat -safe 0 -i LIST`. `-safe 0` lets
    /// the list name absolute paths. Write the list with [`ConcatList`].
    pub fn concat(list_path: impl Into<String>) -> InputFile {
        let mut input = InputFile::path(list_path).format("concat");
        input.params = vec![("-safe", Value::Text("0".into()))];
        input
    }

    /// [`InputFile::concat`], plus the content to write to `list_path` before
    /// running, rendered from `files` by [`ConcatList::render`].
    pub fn concat_list<I, S>(
        list_path: impl Into<String>,
        files: I,
    ) -> Result<(InputFile, String), CommandError>
    where
        I: IntoIterator<Item = S>,
        S: Into<ConcatEntry>,
    {
        let content = ConcatList::new(files).render()?;
        Ok((InputFile::concat(list_path), content))
    }

    /// Force the demuxer: `-f FORMAT`.
    pub fn format(mut self, format: impl Into<String>) -> InputFile {
        self.format = Some(format.into());
        self
    }

    /// Start reading at `time`: `-ss` before `-i`; see [`SeekMode`].
    pub fn seek(mut self, time: Time, mode: SeekMode) -> InputFile {
        self.trim.seek = Some(time);
        self.seek_mode = mode;
        self
    }

    /// Read at most this long: `-t`. Excludes [`end`](InputFile::end).
    pub fn duration(mut self, duration: Time) -> InputFile {
        self.trim.duration = Some(duration);
        self
    }

    /// Stop reading at this position of the input: `-to`. Must be after the
    /// seek point, if any. Excludes [`duration`](InputFile::duration).
    pub fn end(mut self, end: Time) -> InputFile {
        self.trim.end = Some(end);
        self
    }

    /// Any input option: `.option("itsoffset", "1.5")` renders
    /// `-itsoffset 1.5` (the leading `-` is optional). Not interpreted by
    /// validation beyond syntax.
    pub fn option(mut self, name: impl AsRef<str>, value: impl Into<String>) -> InputFile {
        self.options
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// Any input flag without a value: `.flag("re")` renders `-re`.
    pub fn flag(mut self, name: impl AsRef<str>) -> InputFile {
        self.options.push((opt_name(name.as_ref()), None));
        self
    }

    /// What follows `-i`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The seek point and mode, if any.
    pub fn seek_point(&self) -> Option<(Time, SeekMode)> {
        self.trim.seek.map(|t| (t, self.seek_mode))
    }

    pub(super) fn validate(&self, index: usize) -> Result<(), CommandError> {
        check_nonempty("-i", &self.source)?;
        if let Some(f) = &self.format {
            check_nonempty("-f", f)?;
        }
        check_params(&self.params)?;
        check_opts(&self.options)?;
        self.trim.validate(FileIndex::Input(index))
    }

    pub(super) fn render(&self, argv: &mut Vec<String>) {
        if let Some(seek) = self.trim.seek {
            argv.extend(["-ss".to_owned(), seek.to_string()]);
            argv.push(
                match self.seek_mode {
                    SeekMode::Fast => "-noaccurate_seek",
                    SeekMode::Accurate => "-accurate_seek",
                }
                .to_owned(),
            );
        }
        self.trim.push_len(argv);
        if let Some(f) = &self.format {
            argv.extend(["-f".to_owned(), f.clone()]);
        }
        push_params(argv, &self.params);
        push_opts(argv, &self.options);
        argv.extend(["-i".to_owned(), self.source.clone()]);
    }
}
