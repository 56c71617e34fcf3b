//! What a Python call says about how a job runs — limits, progress,
//! cancellation, stdin — as afmpeg's `RunOptions`, and running a job with
//! the GIL released while staying interruptible.
//!
//! The one place that builds `RunOptions` (see [`JobOptions::run_options`]):
//! when the Rust options change shape, only it follows.

use crate::errors;
use afmpeg::{CancelToken, Limits, Progress, RunOptions};
use pyo3::prelude::*;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// A token that cancels the jobs it is given to, from any thread.
#[pyclass(name = "CancelToken", module = "afmpeg", frozen)]
#[derive(Clone, Default)]
pub struct PyCancelToken {
    pub inner: CancelToken,
}

#[pymethods]
impl PyCancelToken {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Cancels every job holding this token: each stops within
    /// milliseconds with `afmpeg.CancelledError`.
    fn cancel(&self) {
        self.inner.cancel();
    }

    /// Whether `cancel()` was called.
    #[getter]
    fn cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

/// The keyword arguments every job-running method shares.
pub struct JobOptions {
    pub limits: Option<Py<PyAny>>,
    pub progress: Option<Py<PyAny>>,
    pub cancel: Option<Py<PyCancelToken>>,
    pub stdin: Option<Vec<u8>>,
    pub deterministic: Option<u64>,
    /// An option FFmpeg did not use is an `UnusedOptionError`.
    pub strict: bool,
}

/// The first exception a progress callback raised, re-raised after the job.
type CallbackError = Arc<Mutex<Option<PyErr>>>;

impl JobOptions {
    /// The Rust options, the token that cancels the job, and where a
    /// failing progress callback leaves its exception.
    pub fn run_options(
        &self,
        py: Python<'_>,
    ) -> PyResult<(RunOptions, CancelToken, CallbackError)> {
        let cancel = self
            .cancel
            .as_ref()
            .map(|t| t.get().inner.clone())
            .unwrap_or_default();
        let failed: CallbackError = Arc::default();
        let mut options = RunOptions::new()
            .limits(match &self.limits {
                Some(l) => limits(l.bind(py))?,
                None => Limits::default(),
            })
            .cancel(cancel.clone())
            .strict(self.strict);
        if let Some(cb) = &self.progress {
            let report = progress_fn(cb.clone_ref(py), failed.clone());
            options = options.progress(move |p| report(p));
        }
        if let Some(bytes) = &self.stdin {
            options = options.stdin(bytes.clone());
        }
        if let Some(seed) = self.deterministic {
            options = options.deterministic(seed);
        }
        Ok((options, cancel, failed))
    }
}

/// Reads an `afmpeg.Limits` (or any object with its attributes).
fn limits(l: &Bound<'_, PyAny>) -> PyResult<Limits> {
    let py = l.py();
    let timeout: Option<f64> = l.getattr("timeout")?.extract()?;
    let timeout = match timeout {
        Some(t) if !(t.is_finite() && t >= 0.0) => {
            return Err(errors::config(
                py,
                format!("timeout must be a number of seconds >= 0, not {t}"),
            ))
        }
        t => t.map(Duration::from_secs_f64),
    };
    Ok(Limits {
        max_memory: l.getattr("max_memory")?.extract()?,
        fuel: l.getattr("fuel")?.extract()?,
        timeout,
        max_bytes_written: l.getattr("max_bytes_written")?.extract()?,
        max_files_created: l.getattr("max_files_created")?.extract()?,
        max_stdout: l.getattr("max_stdout")?.extract()?,
        max_stderr: l.getattr("max_stderr")?.extract()?,
        max_open_files: l.getattr("max_open_files")?.extract()?,
    })
}

/// A progress callback that calls `callback` with an `afmpeg.Progress`,
/// taking the GIL on the job's thread for the call.
fn progress_fn(callback: Py<PyAny>, failed: CallbackError) -> afmpeg::progress::ProgressFn {
    Arc::new(move |p: &Progress| {
        Python::attach(|py| {
            let r = crate::values::progress(py, p).and_then(|v| callback.call1(py, (v,)));
            if let Err(e) = r {
                let mut first = failed.lock().unwrap_or_else(|e| e.into_inner());
                first.get_or_insert(e);
            }
        })
    })
}

/// Runs `job` with the GIL released. While it runs, the calling thread
/// checks for signals every 50 ms: a `KeyboardInterrupt` (Ctrl-C, or Ray's
/// `ray.cancel`) cancels the job through `cancel` and is raised once the
/// job has stopped. A progress callback's exception is raised after the job.
pub fn run_released<T: Send>(
    py: Python<'_>,
    cancel: &CancelToken,
    failed: &CallbackError,
    job: impl FnOnce() -> afmpeg::Result<T> + Send,
) -> PyResult<T> {
    let (result, interrupted) = std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        s.spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                .unwrap_or_else(|_| Err(afmpeg::Error::Panic("the job panicked".into())));
            let _ = tx.send(r);
        });
        py.detach(move || {
            let mut interrupted: Option<PyErr> = None;
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(r) => return (r, interrupted),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            cancel.cancel();
                            interrupted.get_or_insert(e);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        let lost =
                            afmpeg::Error::Panic("the job's thread ended without a result".into());
                        return (Err(lost), interrupted);
                    }
                }
            }
        })
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    if let Some(e) = failed.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e);
    }
    result.map_err(|e| errors::to_py(py, e))
}
