//! The whole command line: global options, inputs, complex filter graphs
//! and outputs, validated together and rendered to ffmpeg's argv.

use super::input::InputFile;
use super::map::{parse_map, MapSource, MapTarget};
use super::output::OutputFile;
use super::types::{CommandError, LogLevel, SeekMode, StreamType};
use super::validate::{check_arg, check_nonempty, check_opts, opt_name, push_opts, Opt};
use std::collections::BTreeSet;

/// A whole `ffmpeg` command line: global options, inputs, complex filter
/// graphs and outputs. See the [module documentation](crate::command) for an example.
///
/// Rendered as `[-hide_banner] [-loglevel L] [-y|-n] [-stats|-nostats]
/// [global options…] [raw arguments…] INPUTS… [-filter_complex G…] OUTPUTS…`,
/// without `argv[0]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Command {
    pub(super) hide_banner: bool,
    pub(super) loglevel: Option<LogLevel>,
    pub(super) overwrite: Option<bool>,
    pub(super) stats: Option<bool>,
    pub(super) globals: Vec<Opt>,
    pub(super) raw: Vec<String>,
    pub(super) inputs: Vec<InputFile>,
    pub(super) filter_complex: Vec<String>,
    pub(super) outputs: Vec<OutputFile>,
}

impl Command {
    /// An empty command (which does not validate until it has an input and
    /// an output).
    pub fn new() -> Command {
        Command::default()
    }

    /// Add an input; inputs are numbered from 0 in the order added.
    pub fn input(mut self, input: InputFile) -> Command {
        self.inputs.push(input);
        self
    }

    /// Add an output; outputs are numbered from 0 in the order added.
    pub fn output(mut self, output: OutputFile) -> Command {
        self.outputs.push(output);
        self
    }

    /// Add a `-filter_complex GRAPH`; map its labelled outputs with
    /// [`OutputFile::map_graph`] or [`OutputFile::map`]`("[label]")`.
    pub fn filter_complex(mut self, graph: impl Into<String>) -> Command {
        self.filter_complex.push(graph.into());
        self
    }

    /// `-y` (replace existing outputs) when `true`, `-n` (never replace;
    /// fail instead) when `false`. Neither is rendered unless called.
    pub fn overwrite(mut self, overwrite: bool) -> Command {
        self.overwrite = Some(overwrite);
        self
    }

    /// `-hide_banner`.
    pub fn hide_banner(mut self) -> Command {
        self.hide_banner = true;
        self
    }

    /// `-loglevel LEVEL`.
    pub fn loglevel(mut self, level: LogLevel) -> Command {
        self.loglevel = Some(level);
        self
    }

    /// `-stats` when `true`, `-nostats` when `false`.
    pub fn stats(mut self, stats: bool) -> Command {
        self.stats = Some(stats);
        self
    }

    /// A global option with a value: `.global("filter_threads", "1")`
    /// renders `-filter_threads 1` (the leading `-` is optional).
    pub fn global(mut self, name: impl AsRef<str>, value: impl Into<String>) -> Command {
        self.globals
            .push((opt_name(name.as_ref()), Some(value.into())));
        self
    }

    /// A global flag without a value: `.global_flag("nostdin")`.
    pub fn global_flag(mut self, name: impl AsRef<str>) -> Command {
        self.globals.push((opt_name(name.as_ref()), None));
        self
    }

    /// Escape hatch: arguments inserted verbatim after the global options
    /// and before the first input. Only checked for NUL bytes.
    pub fn raw<I, S>(mut self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.raw.extend(args.into_iter().map(Into::into));
        self
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[InputFile] {
        &self.inputs
    }

    /// The outputs, in order.
    pub fn outputs(&self) -> &[OutputFile] {
        &self.outputs
    }

    /// Checks the command without rendering it. Refused, in this order:
    ///
    /// * no input and no `-filter_complex` ([`NoInputs`](CommandError::NoInputs));
    ///   no output ([`NoOutputs`](CommandError::NoOutputs));
    /// * NUL bytes anywhere; empty paths, formats, codecs, presets, filters,
    ///   graphs, map and stream specifiers, metadata keys; option names that
    ///   are empty or contain whitespace or `=`; metadata keys with `=`;
    ///   zero sizes, frame rates, sample rates, channel counts and bitrates
    ///   ([`InvalidArgument`](CommandError::InvalidArgument));
    /// * per input and output: `-t` together with `-to`
    ///   ([`DurationAndEnd`](CommandError::DurationAndEnd)), `-to` not after
    ///   `-ss` ([`EndNotAfterSeek`](CommandError::EndNotAfterSeek));
    /// * per output: `-vn -an -sn` all set, an explicitly empty map list
    ///   or only negative maps ([`OutputWithoutStreams`](CommandError::OutputWithoutStreams));
    ///   CRF above 51 ([`CrfOutOfRange`](CommandError::CrfOutOfRange)), CRF
    ///   with `-b:v` ([`CrfWithVideoBitrate`](CommandError::CrfWithVideoBitrate));
    ///   a video/audio/subtitle option on a kind that is disabled
    ///   ([`StreamDisabled`](CommandError::StreamDisabled)); `-preset`,
    ///   `-crf`, `-b:v`, `-s`, `-vf` with video copy or `-b:a`, `-ar`, `-ac`,
    ///   `-af` with audio copy ([`EncodingWithStreamCopy`](CommandError::EncodingWithStreamCopy));
    /// * `-map`, `-map_metadata`, `-map_chapters` naming a missing input
    ///   ([`InputIndexOutOfRange`](CommandError::InputIndexOutOfRange)), a
    ///   `[label]` map without any graph ([`LabelWithoutFilterGraph`](CommandError::LabelWithoutFilterGraph));
    /// * **filters** ([`ConflictingFilters`](CommandError::ConflictingFilters)):
    ///   FFmpeg refuses `-vf`/`-af` on a stream fed by `-filter_complex`.
    ///   The kind of a graph output is only known when it is mapped with
    ///   [`OutputFile::map_graph`]; so an output with `-vf` (`-af`) is refused
    ///   when it maps a graph label declared video (audio) or mapped with a
    ///   plain [`OutputFile::map`] (kind unknown), or when it is output #0
    ///   without any `-map` while the command has a graph (FFmpeg sends
    ///   unlabelled graph outputs there). Put such filters into the graph;
    /// * **stream copy after accurate seek**
    ///   ([`StreamCopyWithAccurateSeek`](CommandError::StreamCopyWithAccurateSeek)):
    ///   an output that copies video or audio (through `-c copy` or
    ///   `-c:v/-c:a copy`) while reading an input seeked with
    ///   [`SeekMode::Accurate`]. The output reads every input when it has no
    ///   `-map`, else the inputs its positive maps name.
    ///
    /// Options given through [`raw`](Command::raw) or the `option`/`flag`
    /// methods are passed through and not interpreted.
    pub fn validate(&self) -> Result<(), CommandError> {
        if self.inputs.is_empty() && self.filter_complex.is_empty() {
            return Err(CommandError::NoInputs);
        }
        if self.outputs.is_empty() {
            return Err(CommandError::NoOutputs);
        }
        check_opts(&self.globals)?;
        for arg in &self.raw {
            check_arg("raw argument", arg)?;
        }
        for graph in &self.filter_complex {
            check_nonempty("-filter_complex", graph)?;
        }
        for (i, input) in self.inputs.iter().enumerate() {
            input.validate(i)?;
        }
        for (o, output) in self.outputs.iter().enumerate() {
            output.validate_own(o)?;
            self.validate_links(o, output)?;
        }
        Ok(())
    }

    /// The checks of one output that involve inputs and graphs.
    pub(super) fn validate_links(&self, o: usize, output: &OutputFile) -> Result<(), CommandError> {
        let n_inputs = self.inputs.len();
        let in_range = |option: &'static str, index: usize| {
            if index < n_inputs {
                Ok(())
            } else {
                Err(CommandError::InputIndexOutOfRange {
                    output: o,
                    option,
                    index,
                    inputs: n_inputs,
                })
            }
        };

        // Maps: syntax, input indices, labels; which inputs are read.
        let mut used_inputs = BTreeSet::new();
        let mut graph_kinds = Vec::new();
        let mut positive = false;
        for map in &output.maps {
            match parse_map(&map.spec)? {
                MapTarget::Label(label) => {
                    if self.filter_complex.is_empty() {
                        return Err(CommandError::LabelWithoutFilterGraph {
                            output: o,
                            label: label.to_owned(),
                        });
                    }
                    graph_kinds.push(map.kind);
                    positive = true;
                }
                MapTarget::Input { index, negative } => {
                    in_range("-map", index)?;
                    if !negative {
                        used_inputs.insert(index);
                        positive = true;
                    }
                }
            }
        }
        if output.explicit_maps && output.maps.is_empty() {
            return Err(CommandError::OutputWithoutStreams {
                output: o,
                reason: "its -map list is empty",
            });
        }
        if !output.maps.is_empty() && !positive {
            return Err(CommandError::OutputWithoutStreams {
                output: o,
                reason: "every -map is negative",
            });
        }
        if output.maps.is_empty() {
            used_inputs.extend(0..n_inputs);
        }
        for (option, source) in [
            ("-map_metadata", output.map_metadata),
            ("-map_chapters", output.map_chapters),
        ] {
            if let Some(MapSource::Input(index)) = source {
                in_range(option, index)?;
            }
        }

        // -vf / -af against -filter_complex.
        if !self.filter_complex.is_empty() {
            let fed_unlabelled = o == 0 && output.maps.is_empty();
            for (option, kind, set) in [
                ("-vf", StreamType::Video, output.video_filter.is_some()),
                ("-af", StreamType::Audio, output.audio_filter.is_some()),
            ] {
                let from_graph = graph_kinds.iter().any(|k| k.is_none_or(|k| k == kind));
                if set && (fed_unlabelled || from_graph) {
                    return Err(CommandError::ConflictingFilters {
                        output: o,
                        option,
                        kind,
                    });
                }
            }
        }

        // Stream copy from an accurately seeked input.
        for kind in [StreamType::Video, StreamType::Audio] {
            if !output.copies(kind) {
                continue;
            }
            let accurate = used_inputs
                .iter()
                .copied()
                .find(|&i| matches!(self.inputs[i].seek_point(), Some((_, SeekMode::Accurate))));
            if let Some(input) = accurate {
                return Err(CommandError::StreamCopyWithAccurateSeek {
                    output: o,
                    input,
                    kind,
                });
            }
        }
        Ok(())
    }

    /// Validates the command, then renders its argv (without `argv[0]`).
    pub fn args(&self) -> Result<Vec<String>, CommandError> {
        self.validate()?;
        let mut argv = Vec::new();
        if self.hide_banner {
            argv.push("-hide_banner".to_owned());
        }
        if let Some(level) = self.loglevel {
            argv.extend(["-loglevel".to_owned(), level.as_str().to_owned()]);
        }
        if let Some(overwrite) = self.overwrite {
            argv.push(if overwrite { "-y" } else { "-n" }.to_owned());
        }
        if let Some(stats) = self.stats {
            argv.push(if stats { "-stats" } else { "-nostats" }.to_owned());
        }
        push_opts(&mut argv, &self.globals);
        argv.extend(self.raw.iter().cloned());
        for input in &self.inputs {
            input.render(&mut argv);
        }
        for graph in &self.filter_complex {
            argv.extend(["-filter_complex".to_owned(), graph.clone()]);
        }
        for output in &self.outputs {
            output.render(&mut argv);
        }
        Ok(argv)
    }
}
