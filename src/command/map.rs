//! `-map` specifiers: parsing the ones given as text, and where
//! `-map_metadata` / `-map_chapters` take their data from.

use super::types::{invalid, CommandError, StreamType};
use super::validate::check_nonempty;

/// Where `-map_metadata` / `-map_chapters` take their data from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MapSource {
    Input(usize),
    Nothing,
}

impl MapSource {
    pub(super) fn render(self) -> String {
        match self {
            MapSource::Input(i) => i.to_string(),
            MapSource::Nothing => "-1".to_owned(),
        }
    }
}

/// One `-map` of an output.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Map {
    pub(super) spec: String,
    /// For [`OutputFile::map_graph`](crate::command::OutputFile::map_graph): the declared kind of the graph output.
    pub(super) kind: Option<StreamType>,
}

/// A parsed `-map` specifier.
pub(super) enum MapTarget<'a> {
    /// `[label]` of a `-filter_complex` output.
    Label(&'a str),
    /// `[-]N[:spec][?]`.
    Input { index: usize, negative: bool },
}

pub(super) fn parse_map(spec: &str) -> Result<MapTarget<'_>, CommandError> {
    check_nonempty("-map", spec)?;
    if spec.chars().any(char::is_whitespace) {
        return Err(invalid("-map", spec, "must not contain whitespace"));
    }
    if let Some(inner) = spec.strip_prefix('[') {
        return match inner.strip_suffix(']') {
            Some(label) if !label.is_empty() && !label.contains(['[', ']']) => {
                Ok(MapTarget::Label(label))
            }
            _ => Err(invalid("-map", spec, "a graph label is written [name]")),
        };
    }
    let (negative, rest) = match spec.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, spec),
    };
    let digits = rest.split([':', '?']).next().unwrap_or("");
    match digits.parse::<usize>() {
        Ok(index) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(MapTarget::Input { index, negative })
        }
        _ => Err(invalid(
            "-map",
            spec,
            "must start with an input index (0, 1:a, -0:s…) or be a [label]",
        )),
    }
}
