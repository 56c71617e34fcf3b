//! Python bindings of afmpeg: the extension module `afmpeg._afmpeg`.
//!
//! The Python package `afmpeg` (python/afmpeg/) re-exports these classes;
//! its pure-Python modules hold what is plain data (limits, results, probe
//! results, exceptions), so that it pickles — Ray ships it between
//! processes — and reads as ordinary Python. This crate only moves values
//! across the boundary and releases the GIL while FFmpeg runs.
//!
//! One rule keeps the two locks of a job apart: the GIL is never held
//! while a filesystem lock is taken (every `Filesystem`
//! method detaches first), because a job's thread holding the filesystem
//! lock may need the GIL to release a Python buffer a file was sharing.

use pyo3::prelude::*;

mod errors;
mod fs;
mod options;
mod runtime;
mod tasks;
mod values;

#[pymodule]
fn _afmpeg(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<runtime::PyRuntime>()?;
    m.add_class::<fs::PyFilesystem>()?;
    m.add_class::<options::PyCancelToken>()?;
    // What this wheel was built with: `Runtime(engine="native")` and
    // `Runtime.builtin()` need them.
    m.add("HAS_NATIVE_TIER", afmpeg::Engine::native_built_in())?;
    m.add("HAS_BUILTIN_MODULE", cfg!(feature = "builtin-module"))?;
    Ok(())
}
