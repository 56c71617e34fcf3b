//! Running a job: ffmpeg or ffprobe with an argument vector over a
//! filesystem, and probing a file to ffprobe's JSON.

use crate::args::{self, Out};
use crate::buffers::AfmpegBytes;
use crate::c_string::new_c_string;
use crate::fs::AfmpegFs;
use crate::job::AfmpegJob;
use crate::runtime::AfmpegRuntime;
use crate::status::{guard, guard_value, AfmpegStatus, Failure};
use afmpeg::media_info::MediaInfo;
use afmpeg::{Error, RunOptions, RunOutput, Tool};
use std::ffi::c_char;

/// How much of stderr the message of a failed run carries.
const STDERR_TAIL: usize = 2048;

/// Which program of the module a run starts (`afmpeg::Tool`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfmpegTool {
    /// `ffmpeg`.
    Ffmpeg = 0,
    /// `ffprobe`.
    Ffprobe = 1,
}

impl AfmpegTool {
    fn from_raw(raw: u32) -> Option<Tool> {
        match raw {
            0 => Some(Tool::Ffmpeg),
            1 => Some(Tool::Ffprobe),
            _ => None,
        }
    }
}

/// What a run that completed produced. The caller owns the buffers and
/// frees them with `afmpeg_output_free`.
#[repr(C)]
#[derive(Debug)]
pub struct AfmpegOutput {
    /// FFmpeg's exit code.
    pub exit_code: i32,
    /// What it wrote to stdout (up to the `max_stdout` limit).
    pub stdout_bytes: AfmpegBytes,
    /// What it wrote to stderr: its log (up to the `max_stderr` limit).
    pub stderr_bytes: AfmpegBytes,
    /// The size the guest's memory reached, in bytes.
    pub guest_memory: u64,
}

impl AfmpegOutput {
    const EMPTY: AfmpegOutput = AfmpegOutput {
        exit_code: -1,
        stdout_bytes: AfmpegBytes::EMPTY,
        stderr_bytes: AfmpegBytes::EMPTY,
        guest_memory: 0,
    };
}

/// The options of a run: the job's, or the defaults without one.
///
/// # Safety
/// `job` is NULL or a live job.
unsafe fn options(job: *const AfmpegJob) -> RunOptions {
    // SAFETY: the caller's contract.
    match unsafe { job.as_ref() } {
        Some(job) => job.options(),
        None => RunOptions::default(),
    }
}

/// The status of a run that completed: non-zero exits fail, with the tail
/// of stderr, except the exit of a graceful stop.
fn completed(out: &RunOutput, stopped: bool) -> Result<(), Failure> {
    if out.success() {
        return Ok(());
    }
    let tail = String::from_utf8_lossy(&out.stderr);
    let tail = tail.trim_end();
    let mut from = tail.len().saturating_sub(STDERR_TAIL);
    while !tail.is_char_boundary(from) {
        from += 1;
    }
    let tail = &tail[from..];
    if stopped {
        return Err(Failure::new(
            AfmpegStatus::Stopped,
            format!(
                "job stopped gracefully: ffmpeg exited with {}: {tail}",
                out.exit_code
            ),
        ));
    }
    Err(Failure::new(
        AfmpegStatus::Ffmpeg,
        format!("ffmpeg failed (exit code {}): {tail}", out.exit_code),
    ))
}

/// Runs `tool` (an `AfmpegTool`) with the `argc` arguments of `argv`
/// (without `argv[0]`, each NUL-terminated UTF-8) over `fs`, with `job`'s
/// limits, progress callback and tokens (NULL: default limits, no
/// callback, no way to cancel). Blocks until the run ends; the guest runs
/// on a thread of its own meanwhile.
///
/// `*out` receives the exit code, stdout and stderr when the run completed:
/// with `AFMPEG_STATUS_OK` (exit code 0), `AFMPEG_STATUS_FFMPEG` (non-zero
/// exit), `AFMPEG_STATUS_STOPPED` (exit after `afmpeg_job_stop`) and
/// `AFMPEG_STATUS_UNUSED_OPTION` (strict mode, `afmpeg_job_set_strict`). Free
/// it with `afmpeg_output_free` after any status (it is zeroed, exit code
/// -1, when the run did not complete: cancelled, a limit, a trap, …).
///
/// # Safety
/// `runtime`, `fs`, `job` NULL or live handles; `argv` NULL (only with
/// `argc` 0) or readable for `argc` pointers to NUL-terminated strings;
/// `out` NULL or writable; `message` NULL or writable (see
/// `afmpeg_runtime_from_file`).
#[no_mangle]
pub unsafe extern "C" fn afmpeg_run(
    runtime: *const AfmpegRuntime,
    fs: *const AfmpegFs,
    job: *const AfmpegJob,
    tool: u32,
    argv: *const *const c_char,
    argc: usize,
    out: *mut AfmpegOutput,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        guard(message, || {
            let out = Out::new(out, "out", AfmpegOutput::EMPTY)?;
            let runtime = args::handle(runtime, "runtime")?;
            let fs = args::handle(fs, "fs")?;
            let tool = args::enum_value(tool, "tool", AfmpegTool::from_raw)?;
            let argv = args::argv(argv, argc)?;
            let options = options(job);
            // A non-zero exit is `Error::Ffmpeg` holding the run's output:
            // the C caller gets that output with `AFMPEG_STATUS_FFMPEG`;
            // likewise an unused option in strict mode.
            let ran = runtime
                .0
                .run_tool(tool, &fs.0, &argv, &options)
                .or_else(Error::into_exit_output);
            let (result, status) = match ran {
                Ok(result) => {
                    let stopped = job.as_ref().is_some_and(AfmpegJob::stopped);
                    let status = completed(&result, stopped);
                    (result, status)
                }
                Err(Error::UnusedOption {
                    option,
                    message: line,
                    output,
                }) => {
                    let text = format!(
                        "option {option:?} was not used for any stream (strict mode): {line}"
                    );
                    (*output, Err(Failure::new(AfmpegStatus::UnusedOption, text)))
                }
                Err(e) => return Err(e.into()),
            };
            out.set(AfmpegOutput {
                exit_code: result.exit_code,
                stdout_bytes: AfmpegBytes::from_vec(result.stdout),
                stderr_bytes: AfmpegBytes::from_vec(result.stderr),
                guest_memory: result.guest_memory,
            });
            status
        })
    }
}

/// Probes the file `path` of `fs` with ffprobe and stores its JSON
/// (`-show_format -show_streams -show_chapters`, ffprobe's own field names)
/// in `*json`, NUL-terminated, which the caller frees with
/// `afmpeg_string_free` (NULL on failure). `job` may be NULL; its limits and
/// cancel apply, its progress callback and stop do not (ffprobe has none).
/// `AFMPEG_STATUS_PROBE` when ffprobe cannot read the file.
///
/// # Safety
/// As for `afmpeg_run`; `path` NULL or a NUL-terminated string; `json` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_probe(
    runtime: *const AfmpegRuntime,
    fs: *const AfmpegFs,
    job: *const AfmpegJob,
    path: *const c_char,
    json: *mut *mut c_char,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        guard(message, || {
            let json = Out::new(json, "json", std::ptr::null_mut())?;
            let runtime = args::handle(runtime, "runtime")?;
            let fs = args::handle(fs, "fs")?;
            let path = args::string(path, "path")?;
            let options = options(job);
            let result = runtime
                .0
                .run_tool(Tool::Ffprobe, &fs.0, &MediaInfo::probe_args(path), &options)
                .or_else(Error::into_exit_output)?;
            if !result.success() {
                return Err(Error::Probe {
                    path: path.to_owned(),
                    exit_code: result.exit_code,
                    stderr_tail: String::from_utf8_lossy(&result.stderr)
                        .trim_end()
                        .to_owned(),
                }
                .into());
            }
            // Only JSON the library can read is handed on: what ffprobe
            // printed is the guest's output, not to be trusted blindly.
            MediaInfo::from_json_bytes(&result.stdout).map_err(Error::from)?;
            let text = String::from_utf8(result.stdout).map_err(|e| {
                Failure::new(
                    AfmpegStatus::ProbeParse,
                    format!("ffprobe's JSON is not UTF-8: {e}"),
                )
            })?;
            json.set(new_c_string(&text));
            Ok(())
        })
    }
}

/// Frees the buffers of `*output` and zeroes it, so a second call is
/// harmless. NULL is ignored.
///
/// # Safety
/// `output` is NULL or points to an `AfmpegOutput` filled by `afmpeg_run`,
/// not modified since.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_output_free(output: *mut AfmpegOutput) {
    guard_value((), || {
        // SAFETY: the caller's contract.
        if let Some(o) = unsafe { output.as_mut() } {
            // SAFETY: the caller's contract: both filled by `from_vec`.
            unsafe {
                o.stdout_bytes.release();
                o.stderr_bytes.release();
            }
            *o = AfmpegOutput::EMPTY;
        }
    })
}
