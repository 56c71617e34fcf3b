//! The job handle: how one run goes (limits, progress callback) and the
//! two ways to end it early from another thread (cancel, stop).

use crate::args;
use crate::handle::{free_handle, into_handle};
use crate::status::{guard, guard_value, AfmpegStatus, Failure};
use afmpeg::{CancelToken, Limits, Progress, RunOptions, StopToken};
use std::ffi::{c_char, c_void};
use std::sync::Mutex;
use std::time::Duration;

/// The limits of a job (`afmpeg::Limits`). Start from
/// `afmpeg_limits_default()` and change what you need.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfmpegLimits {
    /// Most guest linear memory, in bytes.
    pub max_memory: u64,
    /// CPU budget in fuel units (about one per WebAssembly instruction);
    /// 0 for no budget.
    pub fuel: u64,
    /// Wall-clock timeout in milliseconds, sleeps included; 0 for none.
    pub timeout_ms: u64,
    /// Most bytes the job may write into files.
    pub max_bytes_written: u64,
    /// Most files, directories and links the job may create.
    pub max_files_created: u64,
    /// Most bytes of stdout kept.
    pub max_stdout: u64,
    /// Most bytes of stderr kept.
    pub max_stderr: u64,
    /// Most file descriptors open at once (stdio and mounts included).
    pub max_open_files: u32,
}

impl From<&Limits> for AfmpegLimits {
    fn from(l: &Limits) -> Self {
        AfmpegLimits {
            max_memory: l.max_memory,
            fuel: l.fuel.unwrap_or(0),
            timeout_ms: l
                .timeout
                .map_or(0, |t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
            max_bytes_written: l.max_bytes_written,
            max_files_created: l.max_files_created,
            max_stdout: l.max_stdout as u64,
            max_stderr: l.max_stderr as u64,
            max_open_files: l.max_open_files,
        }
    }
}

impl From<&AfmpegLimits> for Limits {
    fn from(l: &AfmpegLimits) -> Self {
        Limits {
            max_memory: l.max_memory,
            fuel: (l.fuel != 0).then_some(l.fuel),
            timeout: (l.timeout_ms != 0).then(|| Duration::from_millis(l.timeout_ms)),
            max_bytes_written: l.max_bytes_written,
            max_files_created: l.max_files_created,
            // A cap larger than the address space is no cap.
            max_stdout: usize::try_from(l.max_stdout).unwrap_or(usize::MAX),
            max_stderr: usize::try_from(l.max_stderr).unwrap_or(usize::MAX),
            max_open_files: l.max_open_files,
        }
    }
}

/// The library's default limits, safe for untrusted media.
#[no_mangle]
pub extern "C" fn afmpeg_limits_default() -> AfmpegLimits {
    let default = AfmpegLimits::from(&Limits::default());
    guard_value(default, || default)
}

/// One progress report (`afmpeg::Progress`), valid only during the
/// callback. Unknown values are -1.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AfmpegProgress {
    /// Video frames output so far, or -1.
    pub frame: i64,
    /// Current output frame rate, or -1.
    pub fps: f64,
    /// Output timestamp reached, in microseconds, or -1.
    pub out_time_us: i64,
    /// Speed relative to real time (2.0 = twice real time), or -1.
    pub speed: f64,
    /// Current output bit rate in kbit/s, or -1.
    pub bitrate_kbps: f64,
    /// Bytes output so far, or -1.
    pub total_size: i64,
    /// Fraction done, 0.0 to 1.0 (1.0 only in the final report), or -1 when
    /// the expected duration is unknown.
    pub fraction: f64,
    /// Whether this is the final report.
    pub done: bool,
}

impl From<&Progress> for AfmpegProgress {
    fn from(p: &Progress) -> Self {
        let count = |v: Option<u64>| v.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        AfmpegProgress {
            frame: count(p.frame),
            fps: p.fps.unwrap_or(-1.0),
            out_time_us: count(
                p.out_time
                    .map(|t| u64::try_from(t.as_micros()).unwrap_or(u64::MAX)),
            ),
            speed: p.speed.unwrap_or(-1.0),
            bitrate_kbps: p.bitrate_kbps.unwrap_or(-1.0),
            total_size: count(p.total_size),
            fraction: p.fraction.unwrap_or(-1.0),
            done: p.done,
        }
    }
}

/// A progress callback: called with each report and the `user_data` given
/// to `afmpeg_job_set_progress`, on the thread the job's guest runs on
/// (not the thread that called `afmpeg_run`, which waits meanwhile).
/// Keep it quick. It may call `afmpeg_job_cancel` and `afmpeg_job_stop`
/// for its job (e.g. to stop after N frames), but not run jobs.
pub type AfmpegProgressFn =
    Option<unsafe extern "C" fn(progress: *const AfmpegProgress, user_data: *mut c_void)>;

/// The caller's `user_data`, which the header makes the caller promise is
/// usable from the guest's thread.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);
impl UserData {
    /// Through a method, so a closure captures the whole (`Send`) struct,
    /// not the raw pointer field alone.
    fn get(self) -> *mut c_void {
        self.0
    }
}

// SAFETY: the documented contract of `afmpeg_job_set_progress`.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

#[derive(Clone, Default)]
struct Settings {
    limits: Limits,
    strict: bool,
    progress: Option<(
        unsafe extern "C" fn(*const AfmpegProgress, *mut c_void),
        UserData,
    )>,
}

/// How jobs run (opaque): limits, strict mode, a progress callback, and the tokens that
/// end them early. Pass it to `afmpeg_run` / `afmpeg_probe`; from another
/// thread, `afmpeg_job_cancel` and `afmpeg_job_stop` end the runs using it.
/// Cancel and stop are final: a run started with a cancelled job ends at
/// once; create a new job for the next run. Free it with `afmpeg_job_free`
/// once no run uses it.
pub struct AfmpegJob {
    settings: Mutex<Settings>,
    cancel: CancelToken,
    stop: StopToken,
}

impl AfmpegJob {
    /// The options of one run with this job.
    pub(crate) fn options(&self) -> RunOptions {
        let settings = self
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut options = RunOptions::new()
            .limits(settings.limits)
            .strict(settings.strict)
            .cancel(self.cancel.clone())
            .stop(self.stop.clone());
        if let Some((callback, user_data)) = settings.progress {
            options = options.progress(move |p: &Progress| {
                let report = AfmpegProgress::from(p);
                // SAFETY: the caller's contract of `afmpeg_job_set_progress`:
                // the function and its data are valid while the job runs.
                unsafe { callback(&report, user_data.get()) };
            });
        }
        options
    }

    /// Whether `afmpeg_job_stop` was called.
    pub(crate) fn stopped(&self) -> bool {
        self.stop.is_stopped()
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Does `action` to the job argument of a call.
///
/// # Safety
/// `job` NULL or a live job; `message` NULL or writable.
unsafe fn with_job(
    job: *const AfmpegJob,
    message: *mut *mut c_char,
    action: impl FnOnce(&AfmpegJob) -> Result<(), Failure>,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for both pointers.
    unsafe { guard(message, || action(args::handle(job, "job")?)) }
}

/// A new job with the default limits and no progress callback. Never NULL
/// (allocation failure aborts).
#[no_mangle]
pub extern "C" fn afmpeg_job_new() -> *mut AfmpegJob {
    guard_value(std::ptr::null_mut(), || {
        into_handle(AfmpegJob {
            settings: Mutex::new(Settings::default()),
            cancel: CancelToken::new(),
            stop: StopToken::new(),
        })
    })
}

/// Frees a job. NULL is ignored. No run may be using it.
///
/// # Safety
/// `job` is NULL or a job from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_job_free(job: *mut AfmpegJob) {
    // SAFETY: the caller's contract.
    unsafe { free_handle(job) }
}

/// Sets the limits of the job's next runs (`*limits` is copied).
///
/// # Safety
/// `job` NULL or a live job; `limits` NULL or readable; `message` NULL or
/// writable (see `afmpeg_runtime_from_file`).
#[no_mangle]
pub unsafe extern "C" fn afmpeg_job_set_limits(
    job: *const AfmpegJob,
    limits: *const AfmpegLimits,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract, for all of the arguments.
    unsafe {
        with_job(job, message, |job| {
            job.settings().limits = Limits::from(args::handle(limits, "limits")?);
            Ok(())
        })
    }
}

/// Turns strict mode on (`strict` true) or off for the job's next ffmpeg
/// runs: a run in which FFmpeg ignored an option it was given (an encoder
/// option no output stream uses, e.g. `-crf` for a WAV file) returns
/// `AFMPEG_STATUS_UNUSED_OPTION` instead of `AFMPEG_STATUS_OK`, with the
/// option named in the message. Off by default.
///
/// # Safety
/// `job` NULL or a live job; `message` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_job_set_strict(
    job: *const AfmpegJob,
    strict: bool,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract.
    unsafe {
        with_job(job, message, |job| {
            job.settings().strict = strict;
            Ok(())
        })
    }
}

/// Sets (or, with `callback` NULL, removes) the progress callback of the
/// job's next ffmpeg runs; see `AfmpegProgressFn` for the thread it is
/// called on. `user_data` is passed to it untouched: it must stay valid,
/// and be usable from that thread, until the runs return.
///
/// # Safety
/// `job` NULL or a live job; `callback` NULL or a function of that type;
/// `message` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_job_set_progress(
    job: *const AfmpegJob,
    callback: AfmpegProgressFn,
    user_data: *mut c_void,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract.
    unsafe {
        with_job(job, message, |job| {
            job.settings().progress = callback.map(|f| (f, UserData(user_data)));
            Ok(())
        })
    }
}

/// Cancels the job's runs at once (hard): FFmpeg is stopped where it is,
/// within about 100 ms, and `afmpeg_run` returns
/// `AFMPEG_STATUS_CANCELLED`; files it was writing stay, partial. Callable
/// from any thread, any number of times.
///
/// # Safety
/// `job` NULL or a live job; `message` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_job_cancel(
    job: *const AfmpegJob,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract.
    unsafe {
        with_job(job, message, |job| {
            job.cancel.cancel();
            Ok(())
        })
    }
}

/// Asks the job's ffmpeg runs to stop gracefully, as on Ctrl-C: FFmpeg
/// stops reading, finishes its outputs (playable files) and exits; the run
/// returns `AFMPEG_STATUS_STOPPED` with its output. ffprobe runs ignore
/// it. Callable from any thread, the job's progress callback included.
///
/// # Safety
/// `job` NULL or a live job; `message` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn afmpeg_job_stop(
    job: *const AfmpegJob,
    message: *mut *mut c_char,
) -> AfmpegStatus {
    // SAFETY: the caller's contract.
    unsafe {
        with_job(job, message, |job| {
            job.stop.stop();
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_trip_through_the_c_struct() {
        let l = Limits {
            fuel: Some(7),
            timeout: None,
            ..Limits::default()
        };
        let back = Limits::from(&AfmpegLimits::from(&l));
        assert_eq!(back, l);
    }
}
