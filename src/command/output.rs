//! One output of a command: the options before its path.

use super::map::{Map, MapSource};
use super::types::{CommandError, FileIndex, FrameRate, StreamType, Time};
use super::validate::{
    check_metadata, check_nonempty, check_opts, check_params, check_stream_spec, opt_name,
    push_opts, push_params, Opt, Params, Trim, Value,
};
use std::collections::BTreeSet;

/// One output of a [`Command`](crate::command::Command): the options before an output path.
///
/// Rendered in this order (FFmpeg does not care; this keeps argv readable
/// and the later, more specific codec options win over `-c copy`):
/// `[-ss] [-t|-to] [-map…] [-vn] [-an] [-sn] [-dn] [-c copy] [-c:v] [-c:a]
/// [-c:s] [-preset] [-crf] [-b:v] [-b:a] [-s] [-r] [-ar] [-ac] [-frames:v]
/// [-vf] [-af] [-bsf:…] [-map_metadata] [-map_chapters] [-metadata…]
/// [-metadata:s:…] [-disposition:…] [-f] [format options…] [options…] PATH`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    pub(super) target: String,
    pub(super) format: Option<String>,
    pub(super) trim: Trim,
    pub(super) maps: Vec<Map>,
    pub(super) explicit_maps: bool,
    pub(super) disabled: BTreeSet<StreamType>,
    pub(super) copy_all: bool,
    pub(super) video_codec: Option<String>,
    pub(super) audio_codec: Option<String>,
    pub(super) subtitle_codec: Option<String>,
    pub(super) preset: Option<String>,
    pub(super) crf: Option<u8>,
    pub(super) video_bitrate: Option<u64>,
    pub(super) audio_bitrate: Option<u64>,
    pub(super) size: Option<(u32, u32)>,
    pub(super) frame_rate: Option<FrameRate>,
    pub(super) sample_rate: Option<u32>,
    pub(super) channels: Option<u32>,
    pub(super) frames: Option<u64>,
    pub(super) video_filter: Option<String>,
    pub(super) audio_filter: Option<String>,
    pub(super) bsfs: Vec<(StreamType, String)>,
    pub(super) map_metadata: Option<MapSource>,
    pub(super) map_chapters: Option<MapSource>,
    pub(super) metadata: Vec<(String, String)>,
    pub(super) stream_metadata: Vec<(String, String, String)>,
    pub(super) dispositions: Vec<(String, String)>,
    pub(super) format_options: Vec<Opt>,
    pub(super) options: Vec<Opt>,
}

impl OutputFile {
    /// An output file (or `pipe:1`, or a pattern such as `/frames/%03d.png`).
    pub fn path(path: impl Into<String>) -> OutputFile {
        OutputFile {
            target: path.into(),
            format: None,
            trim: Trim::default(),
            maps: Vec::new(),
            explicit_maps: false,
            disabled: BTreeSet::new(),
            copy_all: false,
            video_codec: None,
            audio_codec: None,
            subtitle_codec: None,
            preset: None,
            crf: None,
            video_bitrate: None,
            audio_bitrate: None,
            size: None,
            frame_rate: None,
            sample_rate: None,
            channels: None,
            frames: None,
            video_filter: None,
            audio_filter: None,
            bsfs: Vec::new(),
            map_metadata: None,
            map_chapters: None,
            metadata: Vec::new(),
            stream_metadata: Vec::new(),
            dispositions: Vec::new(),
            format_options: Vec::new(),
            options: Vec::new(),
        }
    }

    /// Force the muxer: `-f FORMAT`.
    pub fn format(mut self, format: impl Into<String>) -> OutputFile {
        self.format = Some(format.into());
        self
    }

    /// `-c:v CODEC` (`"copy"` for stream copy).
    pub fn video_codec(mut self, codec: impl Into<String>) -> OutputFile {
        self.video_codec = Some(codec.into());
        self
    }

    /// `-c:a CODEC` (`"copy"` for stream copy).
    pub fn audio_codec(mut self, codec: impl Into<String>) -> OutputFile {
        self.audio_codec = Some(codec.into());
        self
    }

    /// `-c:s CODEC` (`"copy"` for stream copy).
    pub fn subtitle_codec(mut self, codec: impl Into<String>) -> OutputFile {
        self.subtitle_codec = Some(codec.into());
        self
    }

    /// Stream-copy every stream: `-c copy`. A kind's own codec
    /// ([`video_codec`](OutputFile::video_codec)…) still overrides it.
    pub fn copy(mut self) -> OutputFile {
        self.copy_all = true;
        self
    }

    /// No video: `-vn`.
    pub fn no_video(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Video);
        self
    }

    /// No audio: `-an`.
    pub fn no_audio(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Audio);
        self
    }

    /// No subtitles: `-sn`.
    pub fn no_subtitles(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Subtitle);
        self
    }

    /// No data streams: `-dn`.
    pub fn no_data(mut self) -> OutputFile {
        self.disabled.insert(StreamType::Data);
        self
    }

    /// Constant rate factor, `-crf N`; must be within 0..=51 (x264/x265).
    pub fn crf(mut self, crf: u8) -> OutputFile {
        self.crf = Some(crf);
        self
    }

    /// Target video bitrate in bits per second: `-b:v N`.
    pub fn video_bitrate(mut self, bits_per_second: u64) -> OutputFile {
        self.video_bitrate = Some(bits_per_second);
        self
    }

    /// Target audio bitrate in bits per second: `-b:a N`.
    pub fn audio_bitrate(mut self, bits_per_second: u64) -> OutputFile {
        self.audio_bitrate = Some(bits_per_second);
        self
    }

    /// Encoder preset: `-preset P` (e.g. `ultrafast`, `medium`).
    pub fn preset(mut self, preset: impl Into<String>) -> OutputFile {
        self.preset = Some(preset.into());
        self
    }

    /// Add a `-map SPEC`: `"0"`, `"0:v:0"`, `"1:a?"`, `"-0:s"` (negative),
    /// or a `-filter_complex` output `"[out]"`. Input indices are checked.
    pub fn map(mut self, spec: impl Into<String>) -> OutputFile {
        self.maps.push(Map {
            spec: spec.into(),
            kind: None,
        });
        self.explicit_maps = true;
        self
    }

    /// Replace the map list with these specs. An empty list is kept as an
    /// explicit "map nothing" and refused by validation.
    pub fn maps<I, S>(mut self, specs: I) -> OutputFile
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.maps = specs
            .into_iter()
            .map(|s| Map {
                spec: s.into(),
                kind: None,
            })
            .collect();
        self.explicit_maps = true;
        self
    }

    /// Map the `-filter_complex` output `[label]` (brackets optional),
    /// declaring its kind, which lets validation tell whether a `-vf` or
    /// `-af` on this output conflicts with it (see [`Command::validate`](crate::command::Command::validate)).
    pub fn map_graph(mut self, label: impl AsRef<str>, kind: StreamType) -> OutputFile {
        let label = label.as_ref();
        let spec = if label.starts_with('[') {
            label.to_owned()
        } else {
            format!("[{label}]")
        };
        self.maps.push(Map {
            spec,
            kind: Some(kind),
        });
        self.explicit_maps = true;
        self
    }

    /// Append a bitstream filter for one stream kind: `-bsf:v FILTER`.
    /// Several for the same kind are chained in order (`-bsf:v a,b`).
    pub fn bsf(mut self, kind: StreamType, filter: impl Into<String>) -> OutputFile {
        self.bsfs.push((kind, filter.into()));
        self
    }

    /// Global metadata: `-metadata KEY=VALUE` (an empty value removes it).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> OutputFile {
        self.metadata.push((key.into(), value.into()));
        self
    }

    /// Per-stream metadata: `-metadata:s:STREAM KEY=VALUE`, where `stream`
    /// is a stream specifier of the output such as `a:0` or `s`, e.g.
    /// `.stream_metadata("a:0", "language", "fra")`.
    pub fn stream_metadata(
        mut self,
        stream: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> OutputFile {
        self.stream_metadata
            .push((stream.into(), key.into(), value.into()));
        self
    }

    /// Stream disposition: `-disposition:STREAM VALUE`, e.g.
    /// `.disposition("s:0", "default+forced")` or `.disposition("a:1", "0")`.
    pub fn disposition(
        mut self,
        stream: impl Into<String>,
        value: impl Into<String>,
    ) -> OutputFile {
        self.dispositions.push((stream.into(), value.into()));
        self
    }

    /// Copy global metadata from input `input`: `-map_metadata N`.
    pub fn map_metadata(mut self, input: usize) -> OutputFile {
        self.map_metadata = Some(MapSource::Input(input));
        self
    }

    /// Drop the inputs' global metadata: `-map_metadata -1`.
    pub fn strip_metadata(mut self) -> OutputFile {
        self.map_metadata = Some(MapSource::Nothing);
        self
    }

    /// Copy chapters from input `input` (e.g. an ffmetadata file):
    /// `-map_chapters N`.
    pub fn map_chapters(mut self, input: usize) -> OutputFile {
        self.map_chapters = Some(MapSource::Input(input));
        self
    }

    /// Drop the inputs' chapters: `-map_chapters -1`.
    pub fn strip_chapters(mut self) -> OutputFile {
        self.map_chapters = Some(MapSource::Nothing);
        self
    }

    /// A muxer option, rendered after `-f`: `movflags` `+faststart`,
    /// `hls_time` `4`, `hls_list_size` `0`, `segment_time` `10`… The
    /// leading `-` is optional.
    pub fn format_option(mut self, name: impl AsRef<str>, value: impl Into<String>) -> OutputFile {
        self.format_options
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// Video filter chain: `-vf GRAPH`.
    pub fn video_filter(mut self, graph: impl Into<String>) -> OutputFile {
        self.video_filter = Some(graph.into());
        self
    }

    /// Audio filter chain: `-af GRAPH`.
    pub fn audio_filter(mut self, graph: impl Into<String>) -> OutputFile {
        self.audio_filter = Some(graph.into());
        self
    }

    /// Output seek, `-ss` after the inputs: decodes and drops everything
    /// before `time` (accurate, but reads from the start; prefer
    /// [`InputFile::seek`](crate::command::InputFile::seek)).
    pub fn seek(mut self, time: Time) -> OutputFile {
        self.trim.seek = Some(time);
        self
    }

    /// Stop writing after this long: `-t`. Excludes [`end`](OutputFile::end).
    pub fn duration(mut self, duration: Time) -> OutputFile {
        self.trim.duration = Some(duration);
        self
    }

    /// Stop writing at this position: `-to`. Must be after the output seek
    /// point, if any. Excludes [`duration`](OutputFile::duration).
    pub fn end(mut self, end: Time) -> OutputFile {
        self.trim.end = Some(end);
        self
    }

    /// Stop after this many video frames: `-frames:v N`.
    pub fn frames(mut self, frames: u64) -> OutputFile {
        self.frames = Some(frames);
        self
    }

    /// Scale to this frame size: `-s WxH`.
    pub fn size(mut self, width: u32, height: u32) -> OutputFile {
        self.size = Some((width, height));
        self
    }

    /// Output frame rate: `-r FPS`.
    pub fn frame_rate(mut self, fps: impl Into<FrameRate>) -> OutputFile {
        self.frame_rate = Some(fps.into());
        self
    }

    /// Audio sample rate in Hz: `-ar N`.
    pub fn sample_rate(mut self, hz: u32) -> OutputFile {
        self.sample_rate = Some(hz);
        self
    }

    /// Audio channel count: `-ac N`.
    pub fn channels(mut self, channels: u32) -> OutputFile {
        self.channels = Some(channels);
        self
    }

    /// Any output option, rendered just before the path:
    /// `.option("x264-params", "asm=0")`. The leading `-` is optional. Not
    /// interpreted by validation beyond syntax.
    pub fn option(mut self, name: impl AsRef<str>, value: impl Into<String>) -> OutputFile {
        self.options
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// Any output flag without a value: `.flag("shortest")` renders
    /// `-shortest`.
    pub fn flag(mut self, name: impl AsRef<str>) -> OutputFile {
        self.options.push((opt_name(name.as_ref()), None));
        self
    }

    /// The output path.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The codec set for `kind`, `-c copy` applying where none is.
    pub(super) fn codec(&self, kind: StreamType) -> Option<&str> {
        let own = match kind {
            StreamType::Video => self.video_codec.as_deref(),
            StreamType::Audio => self.audio_codec.as_deref(),
            StreamType::Subtitle => self.subtitle_codec.as_deref(),
            StreamType::Data => None,
        };
        own.or(self.copy_all.then_some("copy"))
    }

    /// Whether streams of `kind` are stream-copied (and not disabled).
    pub(super) fn copies(&self, kind: StreamType) -> bool {
        !self.disabled.contains(&kind) && self.codec(kind) == Some("copy")
    }

    /// The options set for `kind` streams, by name.
    pub(super) fn options_for(&self, kind: StreamType) -> Vec<&'static str> {
        let mut set = Vec::new();
        let mut add = |present: bool, name: &'static str| {
            if present {
                set.push(name);
            }
        };
        let has_bsf = self.bsfs.iter().any(|(k, _)| *k == kind);
        match kind {
            StreamType::Video => {
                add(self.video_codec.is_some(), "-c:v");
                add(self.preset.is_some(), "-preset");
                add(self.crf.is_some(), "-crf");
                add(self.video_bitrate.is_some(), "-b:v");
                add(self.size.is_some(), "-s");
                add(self.frame_rate.is_some(), "-r");
                add(self.frames.is_some(), "-frames:v");
                add(self.video_filter.is_some(), "-vf");
                add(has_bsf, "-bsf:v");
            }
            StreamType::Audio => {
                add(self.audio_codec.is_some(), "-c:a");
                add(self.audio_bitrate.is_some(), "-b:a");
                add(self.sample_rate.is_some(), "-ar");
                add(self.channels.is_some(), "-ac");
                add(self.audio_filter.is_some(), "-af");
                add(has_bsf, "-bsf:a");
            }
            StreamType::Subtitle => {
                add(self.subtitle_codec.is_some(), "-c:s");
                add(has_bsf, "-bsf:s");
            }
            StreamType::Data => add(has_bsf, "-bsf:d"),
        }
        set
    }

    /// The typed parameters after the codecs, in render order.
    pub(super) fn params(&self) -> Params {
        let mut p: Params = Vec::new();
        if let Some(preset) = &self.preset {
            p.push(("-preset", Value::Text(preset.clone())));
        }
        if let Some(crf) = self.crf {
            p.push(("-crf", Value::Text(crf.to_string())));
        }
        if let Some(b) = self.video_bitrate {
            p.push(("-b:v", Value::Count(b)));
        }
        if let Some(b) = self.audio_bitrate {
            p.push(("-b:a", Value::Count(b)));
        }
        if let Some((w, h)) = self.size {
            p.push(("-s", Value::Size(w, h)));
        }
        if let Some(r) = self.frame_rate {
            p.push(("-r", Value::Rate(r)));
        }
        if let Some(ar) = self.sample_rate {
            p.push(("-ar", Value::Count(ar.into())));
        }
        if let Some(ac) = self.channels {
            p.push(("-ac", Value::Count(ac.into())));
        }
        if let Some(n) = self.frames {
            p.push(("-frames:v", Value::Text(n.to_string())));
        }
        if let Some(vf) = &self.video_filter {
            p.push(("-vf", Value::Text(vf.clone())));
        }
        if let Some(af) = &self.audio_filter {
            p.push(("-af", Value::Text(af.clone())));
        }
        p
    }

    /// The `-bsf:K a,b` chains, one per kind, in kind order.
    pub(super) fn bsf_chains(&self) -> Vec<(String, String)> {
        let kinds: BTreeSet<StreamType> = self.bsfs.iter().map(|(k, _)| *k).collect();
        kinds
            .into_iter()
            .map(|kind| {
                let chain: Vec<&str> = self
                    .bsfs
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, f)| f.as_str())
                    .collect();
                (format!("-bsf:{}", kind.specifier()), chain.join(","))
            })
            .collect()
    }

    /// Syntax and self-consistency of this output alone.
    pub(super) fn validate_own(&self, o: usize) -> Result<(), CommandError> {
        check_nonempty("output", &self.target)?;
        if let Some(f) = &self.format {
            check_nonempty("-f", f)?;
        }
        for (name, codec) in [
            ("-c:v", &self.video_codec),
            ("-c:a", &self.audio_codec),
            ("-c:s", &self.subtitle_codec),
        ] {
            if let Some(c) = codec {
                check_nonempty(name, c)?;
            }
        }
        check_params(&self.params())?;
        for (kind, filter) in &self.bsfs {
            check_nonempty(&format!("-bsf:{}", kind.specifier()), filter)?;
        }
        for (key, value) in &self.metadata {
            check_metadata("-metadata", key, value)?;
        }
        for (stream, key, value) in &self.stream_metadata {
            let option = format!("-metadata:s:{stream}");
            check_stream_spec(&option, stream)?;
            check_metadata(&option, key, value)?;
        }
        for (stream, value) in &self.dispositions {
            let option = format!("-disposition:{stream}");
            check_stream_spec(&option, stream)?;
            check_nonempty(&option, value)?;
        }
        check_opts(&self.format_options)?;
        check_opts(&self.options)?;
        self.trim.validate(FileIndex::Output(o))?;

        if [StreamType::Video, StreamType::Audio, StreamType::Subtitle]
            .iter()
            .all(|k| self.disabled.contains(k))
        {
            return Err(CommandError::OutputWithoutStreams {
                output: o,
                reason: "-vn, -an and -sn are all set",
            });
        }
        if let Some(crf) = self.crf {
            if crf > 51 {
                return Err(CommandError::CrfOutOfRange { output: o, crf });
            }
            if self.video_bitrate.is_some() {
                return Err(CommandError::CrfWithVideoBitrate { output: o });
            }
        }
        for &kind in &self.disabled {
            if let Some(option) = self.options_for(kind).first() {
                return Err(CommandError::StreamDisabled {
                    output: o,
                    kind,
                    option,
                });
            }
        }
        for kind in [StreamType::Video, StreamType::Audio] {
            if self.copies(kind) {
                // Options that only an encoder or a filter can honour.
                const NEED_ENCODING: [&str; 9] = [
                    "-preset", "-crf", "-b:v", "-s", "-vf", "-b:a", "-ar", "-ac", "-af",
                ];
                let encoding = self
                    .options_for(kind)
                    .into_iter()
                    .find(|opt| NEED_ENCODING.contains(opt));
                if let Some(option) = encoding {
                    return Err(CommandError::EncodingWithStreamCopy {
                        output: o,
                        kind,
                        option,
                    });
                }
            }
        }
        Ok(())
    }

    pub(super) fn render(&self, argv: &mut Vec<String>) {
        if let Some(seek) = self.trim.seek {
            argv.extend(["-ss".to_owned(), seek.to_string()]);
        }
        self.trim.push_len(argv);
        for map in &self.maps {
            argv.extend(["-map".to_owned(), map.spec.clone()]);
        }
        for kind in &self.disabled {
            argv.push(format!("-{}n", kind.specifier()));
        }
        if self.copy_all {
            argv.extend(["-c".to_owned(), "copy".to_owned()]);
        }
        for (name, codec) in [
            ("-c:v", &self.video_codec),
            ("-c:a", &self.audio_codec),
            ("-c:s", &self.subtitle_codec),
        ] {
            if let Some(c) = codec {
                argv.extend([name.to_owned(), c.clone()]);
            }
        }
        push_params(argv, &self.params());
        for (name, chain) in self.bsf_chains() {
            argv.extend([name, chain]);
        }
        if let Some(src) = self.map_metadata {
            argv.extend(["-map_metadata".to_owned(), src.render()]);
        }
        if let Some(src) = self.map_chapters {
            argv.extend(["-map_chapters".to_owned(), src.render()]);
        }
        for (key, value) in &self.metadata {
            argv.extend(["-metadata".to_owned(), format!("{key}={value}")]);
        }
        for (stream, key, value) in &self.stream_metadata {
            argv.extend([format!("-metadata:s:{stream}"), format!("{key}={value}")]);
        }
        for (stream, value) in &self.dispositions {
            argv.extend([format!("-disposition:{stream}"), value.clone()]);
        }
        if let Some(f) = &self.format {
            argv.extend(["-f".to_owned(), f.clone()]);
        }
        push_opts(argv, &self.format_options);
        push_opts(argv, &self.options);
        argv.push(self.target.clone());
    }
}
