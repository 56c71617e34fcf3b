//! `afmpeg.Runtime`: the module compiled once, then any number of jobs —
//! raw argv, probes, the task helpers — each with the GIL released.

use crate::fs::PyFilesystem;
use crate::options::{run_released, JobOptions, PyCancelToken};
use crate::tasks::{self, Encoding, FrameChoice, Shape};
use crate::{errors, values};
use afmpeg::job::Tool;
use afmpeg::tasks::{ChunkedTranscode, Task};
use afmpeg::{Engine, ModuleSource, Runtime, RuntimeBuilder, Validation};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::sync::Arc;

/// FFmpeg 5.1 compiled to WebAssembly, loaded once; run jobs on it from any
/// number of threads at once.
#[pyclass(name = "Runtime", module = "afmpeg", frozen)]
pub struct PyRuntime {
    inner: Runtime,
}

/// The filesystem of a call: the caller's, or a fresh one.
fn fs_or_new(fs: Option<&PyFilesystem>) -> afmpeg::Filesystem {
    fs.map(|f| f.inner.clone()).unwrap_or_default()
}

impl PyRuntime {
    /// Runs `job` (with the options of `opts`) with the GIL released.
    fn released<T: Send>(
        &self,
        py: Python<'_>,
        opts: &JobOptions,
        job: impl FnOnce(&Runtime, &afmpeg::RunOptions) -> afmpeg::Result<T> + Send,
    ) -> PyResult<T> {
        let (options, cancel, failed) = opts.run_options(py)?;
        let rt = &self.inner;
        run_released(py, &cancel, &failed, || job(rt, &options))
    }

    /// Runs a task helper.
    fn task<T>(
        &self,
        py: Python<'_>,
        fs: &PyFilesystem,
        task: T,
        opts: &JobOptions,
    ) -> PyResult<T::Output>
    where
        T: Task + Send + Sync,
        T::Output: Send,
    {
        let fs = &fs.inner;
        self.released(py, opts, |rt, o| task.run_with(rt, fs, o))
    }
}

fn job_options(
    limits: Option<Py<PyAny>>,
    progress: Option<Py<PyAny>>,
    cancel: Option<Py<PyCancelToken>>,
) -> JobOptions {
    JobOptions {
        limits,
        progress,
        cancel,
        stdin: None,
        deterministic: None,
        strict: false,
    }
}

/// The options of a task helper that takes encoder settings.
fn strict_options(
    limits: Option<Py<PyAny>>,
    progress: Option<Py<PyAny>>,
    cancel: Option<Py<PyCancelToken>>,
    strict: bool,
) -> JobOptions {
    JobOptions {
        strict,
        ..job_options(limits, progress, cancel)
    }
}

/// `engine="native"|"interpreter"` as an [`Engine`]; another name is a
/// `ConfigError`.
fn parse_engine(py: Python<'_>, engine: Option<&str>) -> PyResult<Option<Engine>> {
    engine
        .map(|e| e.parse::<Engine>())
        .transpose()
        .map_err(|e| errors::config(py, e.to_string()))
}

/// The builder with the choices the caller made (the rest default).
fn configured(
    builder: RuntimeBuilder,
    validation: Option<Validation>,
    engine: Option<Engine>,
) -> RuntimeBuilder {
    let builder = match validation {
        Some(v) => builder.validation(v),
        None => builder,
    };
    match engine {
        Some(e) => builder.engine(e),
        None => builder,
    }
}

/// The module built into the wheel, on `engine`.
#[cfg(feature = "builtin-module")]
fn builtin_runtime(py: Python<'_>, engine: Option<Engine>) -> PyResult<Runtime> {
    py.detach(|| configured(Runtime::builtin_builder()?, None, engine).build())
        .map_err(|e| errors::to_py(py, e))
}

/// Without the module built in: the error says how to get a wheel with it.
#[cfg(not(feature = "builtin-module"))]
fn builtin_runtime(py: Python<'_>, _engine: Option<Engine>) -> PyResult<Runtime> {
    Err(errors::module(
        py,
        "this afmpeg wheel was built without the built-in module (build it with the \
         python crate's `builtin-module` feature, as `make python` does)",
    ))
}

#[pymethods]
impl PyRuntime {
    /// Loads the FFmpeg module: `module` is a path (str or os.PathLike),
    /// the module's bytes, or None for the module installed with afmpeg
    /// (`AFMPEG_MODULE`, or where `make guest` put it). `lazy=True`
    /// validates each function body on first use instead of at load (for
    /// modules you trust; the default for None). `engine` is `"native"` or
    /// `"interpreter"`; by default the native tier when the wheel has it
    /// and this is its module.
    #[new]
    #[pyo3(signature = (module = None, *, lazy = None, engine = None))]
    fn new(
        py: Python<'_>,
        module: Option<&Bound<'_, PyAny>>,
        lazy: Option<bool>,
        engine: Option<&str>,
    ) -> PyResult<Self> {
        let source = match module {
            None => None,
            Some(m) if m.is_instance_of::<PyString>() || m.hasattr("__fspath__")? => {
                let path: std::path::PathBuf =
                    py.import("os")?.call_method1("fspath", (m,))?.extract()?;
                Some(ModuleSource::File(path))
            }
            Some(m) => {
                let bytes: Vec<u8> = pyo3::buffer::PyBuffer::<u8>::get(m)?.to_vec(py)?;
                Some(ModuleSource::Bytes(Arc::from(bytes)))
            }
        };
        let validation = lazy.map(|l| {
            if l {
                Validation::Lazy
            } else {
                Validation::Eager
            }
        });
        let engine = parse_engine(py, engine)?;
        let inner = py.detach(|| {
            let builder = match source {
                None => Runtime::default_location_builder()?,
                Some(s) => Runtime::builder(s),
            };
            configured(builder, validation, engine).build()
        });
        Ok(PyRuntime {
            inner: inner.map_err(|e| errors::to_py(py, e))?,
        })
    }

    /// The default FFmpeg module shipped inside the wheel (built with the
    /// python crate's `builtin-module` feature, as `make python` does):
    /// decompressed and checked against its recorded SHA-256, then loaded
    /// with lazy validation, its font mounted for `drawtext` and
    /// `subtitles`. Needs no `make guest`. A `ModuleError` when the wheel
    /// was built without it.
    #[staticmethod]
    #[pyo3(signature = (*, engine = None))]
    fn builtin(py: Python<'_>, engine: Option<&str>) -> PyResult<Self> {
        let engine = parse_engine(py, engine)?;
        Ok(PyRuntime {
            inner: builtin_runtime(py, engine)?,
        })
    }

    /// The tier this runtime's jobs run on: `"native"` or `"interpreter"`.
    #[getter]
    fn engine(&self) -> &'static str {
        self.inner.engine().name()
    }

    /// Runs `ffmpeg` (or `ffprobe`, when `argv[0]` is `"ffprobe"`) with
    /// `argv` over `fs` (a fresh Filesystem if None). `argv` may start with
    /// the program name. Returns a RunOutput whatever FFmpeg's exit code;
    /// raises when the run could not complete (limit, cancellation, trap),
    /// or, with `strict=True`, when FFmpeg ignored an option
    /// (`UnusedOptionError`).
    #[pyo3(signature = (argv, fs = None, *, limits = None, progress = None, cancel = None, stdin = None, deterministic = None, strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn run<'py>(
        &self,
        py: Python<'py>,
        argv: Vec<String>,
        fs: Option<PyRef<'_, PyFilesystem>>,
        limits: Option<Py<PyAny>>,
        progress: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
        stdin: Option<Vec<u8>>,
        deterministic: Option<u64>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (tool, args) = match argv.first().map(String::as_str) {
            Some("ffmpeg") => (Tool::Ffmpeg, &argv[1..]),
            Some("ffprobe") => (Tool::Ffprobe, &argv[1..]),
            _ => (Tool::Ffmpeg, &argv[..]),
        };
        let opts = JobOptions {
            stdin,
            deterministic,
            strict,
            ..job_options(limits, progress, cancel)
        };
        let fs = fs_or_new(fs.as_deref());
        // As `subprocess.run`: a non-zero exit is a value (the library's
        // `Error::Ffmpeg` carries the whole output), the helpers raise.
        let out = self.released(py, &opts, |rt, o| {
            rt.run_tool(tool, &fs, args, o)
                .or_else(afmpeg::Error::into_exit_output)
        })?;
        values::run_output(py, &out)
    }

    /// Probes `path` in `fs` with ffprobe: an `afmpeg.MediaInfo`. `limits`
    /// and `cancel` apply as for `run()` (a probe of untrusted media under
    /// a budget).
    #[pyo3(signature = (fs, path, *, limits = None, cancel = None))]
    fn probe<'py>(
        &self,
        py: Python<'py>,
        fs: PyRef<'_, PyFilesystem>,
        path: &str,
        limits: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fs = &fs.inner;
        let opts = job_options(limits, None, cancel);
        let info = self.released(py, &opts, |rt, o| rt.probe_with(fs, path, o))?;
        values::media_info(py, &info)
    }

    /// Re-encodes `input` to `output` (H.264/AAC by default for mp4):
    /// an `afmpeg.Produced`.
    #[pyo3(signature = (fs, input, output, *, video_codec = None, audio_codec = None, crf = None, preset = None, width = None, height = None, frame_rate = None, video_bitrate = None, audio_bitrate = None, no_video = false, no_audio = false, format = None, limits = None, progress = None, cancel = None, strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn transcode<'py>(
        &self,
        py: Python<'py>,
        fs: PyRef<'_, PyFilesystem>,
        input: &str,
        output: &str,
        video_codec: Option<String>,
        audio_codec: Option<String>,
        crf: Option<u8>,
        preset: Option<String>,
        width: Option<u32>,
        height: Option<u32>,
        frame_rate: Option<u32>,
        video_bitrate: Option<u64>,
        audio_bitrate: Option<u64>,
        no_video: bool,
        no_audio: bool,
        format: Option<String>,
        limits: Option<Py<PyAny>>,
        progress: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let enc = Encoding {
            video_codec,
            audio_codec,
            crf,
            preset,
        };
        let shape = Shape {
            width,
            height,
            frame_rate,
            video_bitrate,
            audio_bitrate,
            no_video,
            no_audio,
            format,
        };
        let task = tasks::transcode(input, output, &enc, &shape);
        let opts = strict_options(limits, progress, cancel, strict);
        let p = self.task(py, &fs, task, &opts)?;
        values::produced(py, &p)
    }

    /// Cuts `input` from `start` seconds, for `duration` seconds or up to
    /// `end`: stream copy from the keyframe before `start`, or frame-exact
    /// with `accurate=True` (re-encoded). An `afmpeg.Produced`.
    #[pyo3(signature = (fs, input, output, start, *, duration = None, end = None, accurate = false, video_codec = None, audio_codec = None, crf = None, preset = None, limits = None, progress = None, cancel = None, strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn clip<'py>(
        &self,
        py: Python<'py>,
        fs: PyRef<'_, PyFilesystem>,
        input: &str,
        output: &str,
        start: f64,
        duration: Option<f64>,
        end: Option<f64>,
        accurate: bool,
        video_codec: Option<String>,
        audio_codec: Option<String>,
        crf: Option<u8>,
        preset: Option<String>,
        limits: Option<Py<PyAny>>,
        progress: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let enc = Encoding {
            video_codec,
            audio_codec,
            crf,
            preset,
        };
        let task = tasks::clip(py, input, output, start, duration, end, accurate, &enc)?;
        let opts = strict_options(limits, progress, cancel, strict);
        let p = self.task(py, &fs, task, &opts)?;
        values::produced(py, &p)
    }

    /// Still images of `input` into directory `dir`: one every `every`
    /// seconds (default 10), one at each time of `at`, one per scene change
    /// above `scenes`, or the `best` thumbnail of each batch of that many
    /// frames. Returns the image paths. `format` is `"png"` (default),
    /// `"jpeg"` (`quality` 2 best ..= 31, default 2) or `"webp"` (libwebp,
    /// `quality` 0 ..= 100, default 75; needs a module with libwebp: the
    /// default profile, `Runtime.builtin()`).
    #[pyo3(signature = (fs, input, dir, *, every = None, at = None, scenes = None, best = None, format = "png", quality = None, width = None, height = None, max_frames = None, limits = None, cancel = None))]
    #[allow(clippy::too_many_arguments)]
    fn frames(
        &self,
        py: Python<'_>,
        fs: PyRef<'_, PyFilesystem>,
        input: &str,
        dir: &str,
        every: Option<f64>,
        at: Option<Vec<f64>>,
        scenes: Option<f64>,
        best: Option<u32>,
        format: &str,
        quality: Option<u8>,
        width: Option<u32>,
        height: Option<u32>,
        max_frames: Option<u64>,
        limits: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
    ) -> PyResult<Vec<String>> {
        let choice = FrameChoice {
            every,
            at,
            scenes,
            best,
        };
        let task = tasks::frames(
            py, input, dir, choice, format, quality, width, height, max_frames,
        )?;
        self.task(py, &fs, task, &job_options(limits, None, cancel))
    }

    /// Joins `inputs` into `output`: re-encoded (default), or in stream
    /// copy with `copy=True` (inputs with identical codec parameters).
    #[pyo3(signature = (fs, inputs, output, *, copy = false, crf = None, preset = None, limits = None, progress = None, cancel = None, strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn concat<'py>(
        &self,
        py: Python<'py>,
        fs: PyRef<'_, PyFilesystem>,
        inputs: Vec<String>,
        output: &str,
        copy: bool,
        crf: Option<u8>,
        preset: Option<String>,
        limits: Option<Py<PyAny>>,
        progress: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let enc = Encoding {
            crf,
            preset,
            ..Encoding::default()
        };
        let task = tasks::concat(inputs, output, copy, &enc);
        let opts = strict_options(limits, progress, cancel, strict);
        let p = self.task(py, &fs, task, &opts)?;
        values::produced(py, &p)
    }

    /// Packages `input` as HLS: the playlist `playlist` and its segments
    /// beside it. An `afmpeg.HlsOutput`.
    #[pyo3(signature = (fs, input, playlist, *, segment_duration = None, copy = false, video_codec = None, audio_codec = None, crf = None, preset = None, limits = None, progress = None, cancel = None, strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn hls<'py>(
        &self,
        py: Python<'py>,
        fs: PyRef<'_, PyFilesystem>,
        input: &str,
        playlist: &str,
        segment_duration: Option<f64>,
        copy: bool,
        video_codec: Option<String>,
        audio_codec: Option<String>,
        crf: Option<u8>,
        preset: Option<String>,
        limits: Option<Py<PyAny>>,
        progress: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let enc = Encoding {
            video_codec,
            audio_codec,
            crf,
            preset,
        };
        let task = tasks::hls(py, input, playlist, segment_duration, copy, &enc)?;
        let opts = strict_options(limits, progress, cancel, strict);
        let h = self.task(py, &fs, task, &opts)?;
        values::hls_output(py, &h)
    }

    /// Plans a chunked transcode of `input` to `output` without encoding
    /// anything: probes the input's keyframes, cuts the video into at most
    /// `chunks` ranges, and returns the argv of every job as a dict
    /// (`pieces`, `audio`, `join`, `join_list`, `work_dir`, `frames`,
    /// `chunks`). `afmpeg.ray.chunked_transcode` runs it across a cluster.
    #[pyo3(signature = (fs, input, output, *, chunks, video_args = Vec::new(), audio_args = Vec::new(), no_audio = false, work_dir = None, limits = None, cancel = None))]
    #[allow(clippy::too_many_arguments)]
    fn chunk_plan<'py>(
        &self,
        py: Python<'py>,
        fs: PyRef<'_, PyFilesystem>,
        input: &str,
        output: &str,
        chunks: usize,
        video_args: Vec<String>,
        audio_args: Vec<String>,
        no_audio: bool,
        work_dir: Option<String>,
        limits: Option<Py<PyAny>>,
        cancel: Option<Py<PyCancelToken>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut t = ChunkedTranscode::new(input, output)
            .chunks(chunks)
            .video_args(video_args)
            .audio_args(audio_args);
        if no_audio {
            t = t.no_audio();
        }
        if let Some(d) = work_dir {
            t = t.work_dir(d);
        }
        let fs = &fs.inner;
        let opts = job_options(limits, None, cancel);
        let plan = self.released(py, &opts, |rt, o| t.plan(rt, fs, o))?;
        tasks::plan_dict(py, &plan)
    }

    fn __repr__(&self) -> String {
        "<afmpeg.Runtime>".to_owned()
    }
}
