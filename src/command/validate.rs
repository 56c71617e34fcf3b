//! The checks every option and value passes before it is rendered (no
//! empty values, no NUL bytes, well-formed option names, metadata keys and
//! stream specifiers), and the shared `(option, value)` plumbing of inputs
//! and outputs (options, demuxer/muxer parameters, the `-ss`/`-t`/`-to`
//! window).

use super::types::{invalid, CommandError, FileIndex, FrameRate, Time};

/// One `(option, value)` pair, option already with its leading `-`.
pub(super) type Opt = (String, Option<String>);

/// Adds the leading `-` unless the caller already wrote it.
pub(super) fn opt_name(name: &str) -> String {
    if name.starts_with('-') {
        name.to_owned()
    } else {
        format!("-{name}")
    }
}

/// Any argument: no NUL byte (it would truncate the C string).
pub(super) fn check_arg(option: &str, value: &str) -> Result<(), CommandError> {
    if value.contains('\0') {
        return Err(invalid(option, value, "contains a NUL byte"));
    }
    Ok(())
}

/// A path, codec, format, filter…: additionally non-empty.
pub(super) fn check_nonempty(option: &str, value: &str) -> Result<(), CommandError> {
    check_arg(option, value)?;
    if value.is_empty() {
        return Err(invalid(option, value, "must not be empty"));
    }
    Ok(())
}

/// An option name: `-` plus a non-empty name without whitespace or `=`.
pub(super) fn check_opt_name(name: &str) -> Result<(), CommandError> {
    check_arg("option name", name)?;
    let bare = name.strip_prefix('-').unwrap_or(name);
    if bare.is_empty() {
        return Err(invalid("option name", name, "must not be empty"));
    }
    if bare.chars().any(|c| c.is_whitespace() || c == '=') {
        return Err(invalid(
            "option name",
            name,
            "must not contain whitespace or '='",
        ));
    }
    Ok(())
}

pub(super) fn check_opts(opts: &[Opt]) -> Result<(), CommandError> {
    for (name, value) in opts {
        check_opt_name(name)?;
        if let Some(v) = value {
            check_arg(name, v)?;
        }
    }
    Ok(())
}

pub(super) fn push_opts(argv: &mut Vec<String>, opts: &[Opt]) {
    for (name, value) in opts {
        argv.push(name.clone());
        argv.extend(value.iter().cloned());
    }
}

/// A typed parameter value, checked by `validate` and rendered by `render`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// A non-empty string.
    Text(String),
    /// `WxH`, both non-zero.
    Size(u32, u32),
    /// A frame rate, both terms non-zero.
    Rate(FrameRate),
    /// A non-zero count (sample rate, channels, bit rate).
    Count(u64),
}

impl Value {
    pub(super) fn render(&self, option: &str) -> Result<String, CommandError> {
        match self {
            Value::Text(s) => check_nonempty(option, s).map(|()| s.clone()),
            Value::Size(w, h) => {
                if *w == 0 || *h == 0 {
                    Err(invalid(
                        option,
                        &format!("{w}x{h}"),
                        "width and height must be non-zero",
                    ))
                } else {
                    Ok(format!("{w}x{h}"))
                }
            }
            Value::Rate(rate) => rate.render(option),
            Value::Count(0) => Err(invalid(option, "0", "must be non-zero")),
            Value::Count(n) => Ok(n.to_string()),
        }
    }
}

/// Typed `(option, value)` parameters, rendered in order.
pub(super) type Params = Vec<(&'static str, Value)>;

pub(super) fn check_params(params: &Params) -> Result<(), CommandError> {
    params.iter().try_for_each(|(o, v)| v.render(o).map(drop))
}

pub(super) fn push_params(argv: &mut Vec<String>, params: &Params) {
    for (option, value) in params {
        argv.push((*option).to_owned());
        argv.push(value.render(option).expect("validated before rendering"));
    }
}

/// The trimming options of an input or an output.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Trim {
    pub(super) seek: Option<Time>,
    pub(super) duration: Option<Time>,
    pub(super) end: Option<Time>,
}

impl Trim {
    pub(super) fn validate(&self, target: FileIndex) -> Result<(), CommandError> {
        if self.duration.is_some() && self.end.is_some() {
            return Err(CommandError::DurationAndEnd { target });
        }
        if let Some(end) = self.end {
            let seek = self.seek.unwrap_or(Time::ZERO);
            if end <= seek {
                return Err(CommandError::EndNotAfterSeek { target, seek, end });
            }
        }
        Ok(())
    }

    pub(super) fn push_len(&self, argv: &mut Vec<String>) {
        if let Some(d) = self.duration {
            argv.extend(["-t".to_owned(), d.to_string()]);
        }
        if let Some(e) = self.end {
            argv.extend(["-to".to_owned(), e.to_string()]);
        }
    }
}

pub(super) fn check_metadata(option: &str, key: &str, value: &str) -> Result<(), CommandError> {
    check_nonempty(option, key)?;
    if key.contains('=') {
        return Err(invalid(option, key, "a metadata key must not contain '='"));
    }
    check_arg(option, value)
}

pub(super) fn check_stream_spec(option: &str, spec: &str) -> Result<(), CommandError> {
    check_nonempty(option, spec)?;
    if spec.chars().any(char::is_whitespace) {
        return Err(invalid(
            option,
            spec,
            "a stream specifier must not contain whitespace",
        ));
    }
    Ok(())
}
