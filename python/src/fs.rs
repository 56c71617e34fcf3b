//! `afmpeg.Filesystem`: the in-memory tree a job reads and writes.

use crate::errors;
use afmpeg::wasi_shim::fs::{FileKind, FsError, SharedBytes};
use afmpeg::Filesystem;
use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::Arc;

/// A read-only, contiguous Python buffer (`bytes`, a read-only
/// `memoryview`, a NumPy array from Ray's object store) lent to a file
/// without a copy. Holding the `PyBuffer` keeps the exporter alive and its
/// memory where it is.
struct LentBuffer(PyBuffer<u8>);

impl AsRef<[u8]> for LentBuffer {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: the buffer was checked read-only and C-contiguous when it
        // was lent, and a held `PyBuffer` pins the exporter's memory (the
        // buffer protocol forbids resizing or freeing it until release).
        unsafe { std::slice::from_raw_parts(self.0.buf_ptr().cast(), self.0.len_bytes()) }
    }
}

/// Either the buffer itself, lent, or a copy of a writable one (which the
/// caller may change after the call).
fn file_bytes(data: &Bound<'_, PyAny>) -> PyResult<Result<SharedBytes, Vec<u8>>> {
    let buf = PyBuffer::<u8>::get(data)?;
    if buf.readonly() && buf.is_c_contiguous() {
        return Ok(Ok(Arc::new(LentBuffer(buf))));
    }
    Ok(Err(buf.to_vec(data.py())?))
}

/// An in-memory filesystem. Clones of a handle (`fs.clone()`, or passing it
/// to several jobs) share one tree.
#[pyclass(name = "Filesystem", module = "afmpeg", frozen)]
#[derive(Clone)]
pub struct PyFilesystem {
    pub inner: Filesystem,
}

/// Runs a tree operation with the GIL released (see the crate docs).
fn detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, FsError> + Send) -> PyResult<T> {
    py.detach(f).map_err(|e| errors::fs_error(py, &e))
}

#[pymethods]
impl PyFilesystem {
    #[new]
    fn new() -> Self {
        PyFilesystem {
            inner: Filesystem::new(),
        }
    }

    /// Another handle to the same tree.
    fn clone_handle(&self) -> Self {
        self.clone()
    }

    /// Creates or replaces the file `path` with `data` (any bytes-like
    /// object). Read-only buffers (`bytes`, a read-only `memoryview`, a
    /// read-only NumPy array) are shared, not copied; writable ones are
    /// copied. Missing parent directories are created. A read-only view of
    /// a mutable object (`memoryview(bytearray).toreadonly()`) is shared
    /// too: do not change the object while the file exists.
    fn write(&self, py: Python<'_>, path: &str, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = file_bytes(data)?;
        let fs = &self.inner;
        detached(py, || {
            if let Some((dir, _)) = path.rsplit_once('/') {
                if !dir.is_empty() && !fs.exists(dir) {
                    fs.create_dir_all(dir)?;
                }
            }
            match bytes {
                Ok(shared) => fs.write_shared(path, shared),
                Err(copy) => fs.write(path, copy),
            }
        })
    }

    /// The contents of the file `path`.
    fn read<'py>(&self, py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyBytes>> {
        let data = detached(py, || self.inner.file_data(path))?;
        let len = data.len() as usize;
        PyBytes::new_with(py, len, |buf| {
            // A file imported from the host is read on demand: it may have
            // shrunk or been replaced since (then fewer bytes, or an errno).
            match data.read_at(0, buf) {
                Ok(n) if n == buf.len() => Ok(()),
                Ok(n) => Err(pyo3::exceptions::PyOSError::new_err(format!(
                    "{path}: the host file shrank while it was read ({n} of {len} bytes)"
                ))),
                Err(e) => Err(pyo3::exceptions::PyOSError::new_err(format!("{path}: {e}"))),
            }
        })
    }

    /// The names in directory `path` (default `/`), sorted; directories end
    /// with `/`.
    #[pyo3(signature = (path = "/"))]
    fn list(&self, py: Python<'_>, path: &str) -> PyResult<Vec<String>> {
        let entries = detached(py, || self.inner.read_dir(path))?;
        let mut names: Vec<String> = entries
            .into_iter()
            .map(|e| match e.kind {
                FileKind::Dir => format!("{}/", e.name),
                _ => e.name,
            })
            .collect();
        names.sort();
        Ok(names)
    }

    /// Removes the file `path`, or the directory `path` with everything in
    /// it.
    fn remove(&self, py: Python<'_>, path: &str) -> PyResult<()> {
        detached(py, || match self.inner.metadata_of(path, false)?.kind {
            FileKind::Dir => self.inner.remove_dir_all(path),
            _ => self.inner.remove_file(path),
        })
    }

    /// Creates the directory `path` and its parents.
    fn mkdir(&self, py: Python<'_>, path: &str) -> PyResult<()> {
        detached(py, || self.inner.create_dir_all(path))
    }

    /// Whether `path` exists.
    fn exists(&self, py: Python<'_>, path: &str) -> bool {
        py.detach(|| self.inner.exists(path))
    }

    /// The size of the file `path` in bytes.
    fn size(&self, py: Python<'_>, path: &str) -> PyResult<u64> {
        detached(py, || self.inner.metadata(path).map(|m| m.len))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let (inodes, bytes) = py.detach(|| self.inner.usage());
        format!("<afmpeg.Filesystem: {inodes} inodes, {bytes} private bytes>")
    }
}
