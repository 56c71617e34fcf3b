//! Results as the plain Python values of `afmpeg.types` (dataclasses that
//! pickle and have `to_dict()`).

use afmpeg::job::RunOutput;
use afmpeg::tasks::{HlsOutput, Produced};
use afmpeg::{MediaInfo, Progress};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("afmpeg.types")?.getattr(name)
}

/// `afmpeg.Progress`.
pub fn progress<'py>(py: Python<'py>, p: &Progress) -> PyResult<Bound<'py, PyAny>> {
    let kw = PyDict::new(py);
    kw.set_item("frame", p.frame)?;
    kw.set_item("fps", p.fps)?;
    kw.set_item("out_time", p.out_time.map(|t| t.as_secs_f64()))?;
    kw.set_item("speed", p.speed)?;
    kw.set_item("bitrate_kbps", p.bitrate_kbps)?;
    kw.set_item("total_size", p.total_size)?;
    kw.set_item("fraction", p.fraction)?;
    kw.set_item("done", p.done)?;
    class(py, "Progress")?.call((), Some(&kw))
}

/// `afmpeg.RunOutput`.
pub fn run_output<'py>(py: Python<'py>, o: &RunOutput) -> PyResult<Bound<'py, PyAny>> {
    class(py, "RunOutput")?.call1((
        o.exit_code,
        PyBytes::new(py, &o.stdout),
        PyBytes::new(py, &o.stderr),
        o.guest_memory,
    ))
}

/// `afmpeg.MediaInfo`, from the same JSON the Rust type serializes to.
pub fn media_info<'py>(py: Python<'py>, info: &MediaInfo) -> PyResult<Bound<'py, PyAny>> {
    // A MediaInfo always serializes (plain data); were it ever not to, a
    // RuntimeError says so (this module builds values and raises nothing of
    // afmpeg's own: the exceptions, in crate::errors, are built from values).
    let json = serde_json::to_string(info).map_err(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("cannot serialize the probe: {e}"))
    })?;
    let dict = py.import("json")?.call_method1("loads", (json,))?;
    class(py, "MediaInfo")?.call_method1("from_dict", (dict,))
}

/// `afmpeg.Produced`.
pub fn produced<'py>(py: Python<'py>, p: &Produced) -> PyResult<Bound<'py, PyAny>> {
    class(py, "Produced")?.call1((p.path.as_str(), p.size))
}

/// `afmpeg.HlsOutput`.
pub fn hls_output<'py>(py: Python<'py>, h: &HlsOutput) -> PyResult<Bound<'py, PyAny>> {
    class(py, "HlsOutput")?.call1((h.playlist.as_str(), h.segments.clone()))
}
