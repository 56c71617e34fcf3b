//! Many jobs at once on one [`Runtime`].
//!
//! Jobs run on scoped worker threads (std, no thread-pool crate), in the
//! order given, each in its own instance with its own memory and WASI world. A job that fails — or panics — yields its own
//! `Err` in its slot; the others are not affected.

use super::{RunOptions, RunOutput, Tool};
use crate::engine::Runtime;
use crate::error::{Error, Result};
use crate::stop::StopToken;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use wasi_shim::fs::Filesystem;

/// One job of a batch.
///
/// ```no_run
/// use afmpeg::{Filesystem, Job, Limits, RunOptions, Runtime, Tool};
///
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let encode = Job::ffmpeg(&fs, ["-f", "lavfi", "-i", "testsrc=d=1", "/a.mp4"])
///     .with_options(RunOptions::new().limits(Limits { max_memory: 256 << 20, ..Limits::default() }));
/// let version = Job { tool: Tool::Ffprobe, ..Job::ffmpeg(&fs, ["-version"]) };
/// for result in rt.run_batch(vec![encode, version], 2) {
///     println!("{}", result?.stderr_text());
/// }
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Job {
    /// `ffmpeg` or `ffprobe`.
    pub tool: Tool,
    /// The filesystem it runs over (jobs may share one).
    pub fs: Filesystem,
    /// Arguments without `argv[0]`.
    pub args: Vec<String>,
    /// Its options.
    pub options: RunOptions,
}

impl Job {
    /// An `ffmpeg` job with default options.
    ///
    /// ```
    /// let job = afmpeg::Job::ffmpeg(&afmpeg::Filesystem::new(), ["-i", "/in.mp4", "/out.mkv"]);
    /// assert_eq!(job.args, ["-i", "/in.mp4", "/out.mkv"]);
    /// ```
    pub fn ffmpeg<S: Into<String>>(fs: &Filesystem, args: impl IntoIterator<Item = S>) -> Self {
        Job {
            tool: Tool::Ffmpeg,
            fs: fs.clone(),
            args: args.into_iter().map(Into::into).collect(),
            options: RunOptions::default(),
        }
    }

    /// The same job with `options`.
    ///
    /// ```
    /// use afmpeg::{CancelToken, Filesystem, Job, RunOptions};
    /// let cancel = CancelToken::new();
    /// let job = Job::ffmpeg(&Filesystem::new(), ["-version"]).with_options(RunOptions::new().cancel(cancel));
    /// # let _ = job;
    /// ```
    pub fn with_options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }
}

/// Stack size of batch worker threads. wasmi's interpreter recurses on the
/// native stack for guest calls, much deeper than a default thread's 2 MiB
/// allows in unoptimised builds; the memory is only reserved, not committed.
pub const WORKER_STACK: usize = 512 << 20;

/// A job's slot; a poisoned lock only means another job's thread panicked
/// while holding it, which never leaves the slot half-written.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a caught panic said.
pub(crate) fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

impl Runtime {
    /// Runs `jobs` in parallel on `threads` threads (0: one per core) and
    /// returns one result per job, in the order given.
    ///
    /// ```no_run
    /// use afmpeg::{Filesystem, Job, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let jobs: Vec<Job> = (0..4)
    ///     .map(|i| Job::ffmpeg(&fs, ["-f", "lavfi", "-i", "testsrc=duration=1", &format!("/out{i}.mp4")]))
    ///     .collect();
    /// for result in rt.run_batch(jobs, 0) {
    ///     assert!(result?.success());
    /// }
    /// # Ok::<(), afmpeg::Error>(())
    /// ```
    pub fn run_batch(&self, jobs: Vec<Job>, threads: usize) -> Vec<Result<RunOutput>> {
        self.run_batch_with(jobs, threads, |_, _| {})
    }

    /// Like [`run_batch`](Self::run_batch), calling `done(index, &result)`
    /// as each job finishes (from the worker thread).
    pub fn run_batch_with<F>(
        &self,
        jobs: Vec<Job>,
        threads: usize,
        done: F,
    ) -> Vec<Result<RunOutput>>
    where
        F: Fn(usize, &Result<RunOutput>) + Sync,
    {
        self.run_batch_observed(jobs, threads, |_| {}, done)
    }

    /// Like [`run_batch_with`](Self::run_batch_with), also calling
    /// `started(index)` (from the worker thread) just before each job starts,
    /// e.g. to time jobs that wait for a free thread.
    ///
    /// A job whose [`StopToken`] was stopped before its turn is not started:
    /// its result (and `done`'s) is [`Error::NotStarted`], and `started` is
    /// not called for it. Give every job one token to stop a whole batch
    /// gracefully: the running jobs finish their outputs, the rest never
    /// start.
    pub fn run_batch_observed<S, F>(
        &self,
        jobs: Vec<Job>,
        threads: usize,
        started: S,
        done: F,
    ) -> Vec<Result<RunOutput>>
    where
        S: Fn(usize) + Sync,
        F: Fn(usize, &Result<RunOutput>) + Sync,
    {
        // A queue of coarse jobs needs no work stealing: scoped threads take
        // the next index in turn, so jobs start in the order given (the
        // chunked transcode puts its shortest job first on purpose).
        let n = jobs.len();
        let queue: Vec<Mutex<Option<Job>>> =
            jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
        let results: Vec<Mutex<Option<Result<RunOutput>>>> =
            (0..n).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let work = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = queue.get(i).and_then(|slot| lock(slot).take()) else {
                break;
            };
            // After a graceful stop the jobs still queued do not start: a
            // stop means "no new work", and a job started only to stop at
            // once would write an empty output.
            let r = if job.options.stop.as_ref().is_some_and(StopToken::is_stopped) {
                Err(Error::NotStarted)
            } else {
                started(i);
                catch_unwind(AssertUnwindSafe(|| {
                    self.run_tool(job.tool, &job.fs, &job.args, &job.options)
                }))
                .unwrap_or_else(|p| Err(Error::Panic(panic_message(p))))
            };
            // A panicking callback is contained to its job too.
            let r = match catch_unwind(AssertUnwindSafe(|| done(i, &r))) {
                Ok(()) => r,
                Err(p) => Err(Error::Panic(panic_message(p))),
            };
            *lock(&results[i]) = Some(r);
        };
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
        .min(n);
        std::thread::scope(|scope| {
            let spawned = (0..threads)
                .filter(|_| {
                    std::thread::Builder::new()
                        .name("afmpeg-batch".into())
                        .stack_size(WORKER_STACK)
                        .spawn_scoped(scope, work)
                        .is_ok()
                })
                .count();
            // No thread could be started (resource limits): run them here.
            if spawned == 0 {
                work();
            }
        });
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(PoisonError::into_inner)
                    .unwrap_or_else(|| Err(Error::Panic("batch job never ran".into())))
            })
            .collect()
    }
}
