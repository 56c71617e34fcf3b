//! afmpeg's Rust errors as the typed Python exceptions of `afmpeg.errors`.
//!
//! The exception classes are defined in Python, so they pickle (a Ray
//! task's failure crosses processes) and carry their details as attributes
//! (`stderr_tail`, `limit`, `exit_code`, …), set here by keyword.

use afmpeg::{Error, LimitKind, NativeUnavailable};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;

/// Builds `afmpeg.errors.<class>(message, **details)`.
fn exception(py: Python<'_>, class: &str, message: String, details: &[(&str, Py<PyAny>)]) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        for (k, v) in details {
            kwargs.set_item(*k, v)?;
        }
        let cls = py.import("afmpeg.errors")?.getattr(class)?;
        Ok(PyErr::from_value(cls.call((message,), Some(&kwargs))?))
    };
    build().unwrap_or_else(|e| e)
}

fn obj<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> Py<PyAny> {
    v.into_py_any(py).unwrap_or_else(|_| py.None())
}

/// The name and the value of a limit, as `LimitError.limit` and `.value`
/// (seconds for the timeout, a count of bytes, units or files otherwise).
fn limit_details(py: Python<'_>, limit: &LimitKind) -> (&'static str, Py<PyAny>) {
    match *limit {
        LimitKind::Memory(n) => ("memory", obj(py, n)),
        LimitKind::Fuel(n) => ("fuel", obj(py, n)),
        LimitKind::Timeout(d) => ("timeout", obj(py, d.as_secs_f64())),
        LimitKind::BytesWritten(n) => ("bytes_written", obj(py, n)),
        LimitKind::FilesCreated(n) => ("files_created", obj(py, n)),
        LimitKind::Stdout(n) => ("stdout", obj(py, n)),
        LimitKind::Stderr(n) => ("stderr", obj(py, n)),
        LimitKind::OpenFiles(n) => ("open_files", obj(py, n)),
        _ => ("other", py.None()),
    }
}

/// The Python exception for `e`.
pub fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    let tail = || obj(py, e.stderr_tail().unwrap_or_default());
    match &e {
        Error::Trap { message: trap, .. } => exception(
            py,
            "TrapError",
            message.clone(),
            &[("trap", obj(py, trap.as_str())), ("stderr_tail", tail())],
        ),
        Error::Limit { limit, .. } => {
            let (name, value) = limit_details(py, limit);
            exception(
                py,
                "LimitError",
                message,
                &[
                    ("limit", obj(py, name)),
                    ("value", value),
                    ("stderr_tail", tail()),
                ],
            )
        }
        // A batch job a stop kept from starting: it was ended on purpose.
        Error::Cancelled { .. } | Error::NotStarted => {
            exception(py, "CancelledError", message, &[("stderr_tail", tail())])
        }
        Error::Ffmpeg { exit_code, .. } => exception(
            py,
            "FfmpegError",
            message,
            &[("exit_code", obj(py, *exit_code)), ("stderr_tail", tail())],
        ),
        Error::Probe {
            path, exit_code, ..
        } => exception(
            py,
            "ProbeError",
            message,
            &[
                ("path", obj(py, path.as_str())),
                ("exit_code", obj(py, *exit_code)),
                ("stderr_tail", tail()),
            ],
        ),
        Error::ProbeParse(_) => exception(py, "ProbeError", message, &[]),
        Error::UnusedOption {
            option,
            message: line,
            output,
        } => {
            let output = crate::values::run_output(py, output)
                .map(Bound::unbind)
                .unwrap_or_else(|_| py.None());
            exception(
                py,
                "UnusedOptionError",
                message.clone(),
                &[
                    ("option", obj(py, option.as_str())),
                    ("line", obj(py, line.as_str())),
                    ("output", output),
                    ("stderr_tail", tail()),
                ],
            )
        }
        Error::NativeUnavailable { reason, .. } => native_unavailable(py, reason, message),
        Error::Command(_) => exception(py, "CommandError", message, &[]),
        Error::Chunked(_) => exception(py, "ChunkError", message, &[]),
        Error::Config(_) => exception(py, "ConfigError", message, &[]),
        Error::Panic(_) => exception(py, "PanicError", message, &[]),
        Error::Fs(fs) => fs_error(py, fs),
        // Everything about finding, fetching, validating and linking a module.
        _ => exception(py, "ModuleError", message, &[]),
    }
}

/// `afmpeg.errors.NativeUnavailableError`. Without the native tier the
/// message says how to build a wheel with it (the Rust message names the
/// Rust feature, which a Python user does not build with).
fn native_unavailable(py: Python<'_>, reason: &NativeUnavailable, message: String) -> PyErr {
    let (name, message) = match reason {
        NativeUnavailable::NotBuiltIn => (
            "not_built_in",
            "this afmpeg wheel has no native tier (build it with \
             `make python PY_FEATURES=builtin-module,native`); engine=\"interpreter\" runs any module"
                .to_owned(),
        ),
        NativeUnavailable::OtherModule { .. } => ("other_module", message),
        _ => ("other", message),
    };
    exception(
        py,
        "NativeUnavailableError",
        message,
        &[("reason", obj(py, name))],
    )
}

/// `afmpeg.errors.FsError`, with the WASI errno name (`"noent"`, …) when
/// the error came from the in-memory tree.
pub fn fs_error(py: Python<'_>, e: &afmpeg::wasi_shim::fs::FsError) -> PyErr {
    let errno = e.errno().map(|n| format!("{n:?}").to_ascii_lowercase());
    exception(py, "FsError", e.to_string(), &[("errno", obj(py, errno))])
}

/// `afmpeg.errors.ModuleError` for a module this wheel cannot provide.
#[cfg(not(feature = "builtin-module"))]
pub fn module(py: Python<'_>, message: impl Into<String>) -> PyErr {
    exception(py, "ModuleError", message.into(), &[])
}

/// `afmpeg.errors.ConfigError` for a bad argument of the Python API.
pub fn config(py: Python<'_>, message: impl Into<String>) -> PyErr {
    exception(py, "ConfigError", message.into(), &[])
}
