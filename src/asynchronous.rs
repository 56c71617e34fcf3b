//! Jobs as futures, for tokio applications (feature `tokio`).
//!
//! A guest runs for seconds or minutes of CPU without yielding, so it must
//! not run on an async worker thread: each future here runs its job on
//! tokio's blocking pool ([`tokio::task::spawn_blocking`]) and resolves to
//! what the blocking call would return, with the same failure convention
//! (a non-zero exit is [`Error::Ffmpeg`]).
//!
//! Futures are lazy: the job starts when the future is first polled.
//! **Dropping the future cancels the job** — an abandoned request, a
//! `select!` that took another branch, a `timeout` that elapsed — within
//! the [`CancelToken`]'s bound (well under 100 ms); the blocking thread is
//! then free again. Each job gets its own [child](CancelToken::child) of
//! the options' token, so a drop cancels that job alone, while cancelling
//! the options' token still cancels every job holding it.
//!
//! The blocking pool's threads have tokio's stack size (2 MiB unless the
//! runtime sets [`thread_stack_size`](tokio::runtime::Builder::thread_stack_size)),
//! which FFmpeg's jobs fit in optimised builds of the interpreter (the dev
//! profile of this workspace optimises it too).
//!
//! ```no_run
//! use afmpeg::tasks::{Task, Transcode};
//! use afmpeg::{Filesystem, RunOptions, Runtime};
//!
//! # async fn serve() -> afmpeg::Result<()> {
//! let rt = Runtime::from_default_location()?;
//! let fs = Filesystem::new();
//! rt.run_async(&fs, &["-f", "lavfi", "-i", "testsrc=d=5", "/in.mp4"], &RunOptions::new())
//!     .await?;
//! let info = rt.probe_async(&fs, "/in.mp4").await?;
//! assert_eq!(info.video_streams().count(), 1);
//! let out = Transcode::new("/in.mp4", "/out.mp4")
//!     .crf(28)
//!     .run_async(&rt, &fs, &RunOptions::new())
//!     .await?;
//! println!("{} bytes", out.size);
//! # Ok(())
//! # }
//! ```

use crate::cancel::CancelToken;
use crate::error::{Error, Result};
use crate::job::batch::panic_message;
use crate::job::{RunOptions, RunOutput, Tool};
use crate::media_info::MediaInfo;
use crate::{Filesystem, Runtime};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A job running (or about to run) on tokio's blocking pool; resolves to
/// the job's result. Dropping it before it resolves cancels the job.
///
/// ```no_run
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// # async fn f() -> afmpeg::Result<()> {
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let job = rt.run_async(&fs, &["-f", "lavfi", "-i", "testsrc=d=3600", "/long.mp4"], &RunOptions::new());
/// let token = job.cancel_token(); // to cancel it without dropping it
/// let task = tokio::spawn(job);
/// tokio::task::yield_now().await; // the job starts
/// task.abort(); // drops the future, which cancels the job
/// assert!(task.await.unwrap_err().is_cancelled());
/// assert!(token.is_cancelled());
/// # Ok(())
/// # }
/// ```
#[must_use = "a job future does nothing unless awaited, and dropping it cancels the job"]
pub struct JobFuture<T> {
    state: State<T>,
    cancel: CancelToken,
}

type Work<T> = Box<dyn FnOnce() -> Result<T> + Send>;

enum State<T> {
    /// Not polled yet: nothing runs.
    Waiting(Work<T>),
    Running(tokio::task::JoinHandle<Result<T>>),
    /// Resolved (or failed to start): dropping cancels nothing.
    Finished,
}

impl<T: Send + 'static> JobFuture<T> {
    /// A future that runs `job` with `opts`, given a child of `opts`'s
    /// cancellation token that the future cancels when dropped.
    pub(crate) fn new(
        opts: &RunOptions,
        job: impl FnOnce(&RunOptions) -> Result<T> + Send + 'static,
    ) -> Self {
        let cancel = match &opts.cancel {
            Some(token) => token.child(),
            None => CancelToken::new(),
        };
        let opts = opts.clone().cancel(cancel.clone());
        JobFuture {
            state: State::Waiting(Box::new(move || job(&opts))),
            cancel,
        }
    }
}

impl<T> JobFuture<T> {
    /// The job's own cancellation token: cancelling it ends this job (and
    /// no other) as [`Error::Cancelled`], as dropping the future does.
    ///
    /// ```no_run
    /// # async fn f() -> afmpeg::Result<()> {
    /// use afmpeg::{Error, Filesystem, RunOptions, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let job = rt.run_async(&Filesystem::new(), &["-f", "lavfi", "-i", "testsrc=d=3600", "/x.mp4"], &RunOptions::new());
    /// job.cancel_token().cancel();
    /// assert!(matches!(job.await, Err(Error::Cancelled { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }
}

impl<T: Send + 'static> Future for JobFuture<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let mut handle = match std::mem::replace(&mut self.state, State::Finished) {
            // Without a runtime `spawn_blocking` would panic: say so instead.
            State::Waiting(work) => match tokio::runtime::Handle::try_current() {
                Ok(runtime) => runtime.spawn_blocking(work),
                Err(_) => {
                    return Poll::Ready(Err(Error::Config(
                        "afmpeg's async jobs need a tokio runtime: poll them from inside one"
                            .into(),
                    )))
                }
            },
            State::Running(handle) => handle,
            State::Finished => {
                return Poll::Ready(Err(Error::Config(
                    "a job future was polled after it resolved".into(),
                )))
            }
        };
        let Poll::Ready(result) = Pin::new(&mut handle).poll(cx) else {
            self.state = State::Running(handle);
            return Poll::Pending;
        };
        Poll::Ready(match result {
            Ok(r) => r,
            Err(e) if e.is_panic() => Err(Error::Panic(panic_message(e.into_panic()))),
            // The runtime shut down before the job could run.
            Err(_) => Err(Error::Cancelled {
                stderr_tail: String::new(),
            }),
        })
    }
}

impl<T> Drop for JobFuture<T> {
    fn drop(&mut self) {
        if let State::Running(_) = self.state {
            self.cancel.cancel();
        }
    }
}

impl<T> std::fmt::Debug for JobFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Waiting(_) => "waiting",
            State::Running(_) => "running",
            State::Finished => "finished",
        };
        f.debug_struct("JobFuture")
            .field("state", &state)
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl Runtime {
    /// [`run_with`](Runtime::run_with) as a future on tokio's blocking
    /// pool; dropping the future cancels the job.
    ///
    /// ```no_run
    /// # async fn f() -> afmpeg::Result<()> {
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let opts = RunOptions::new().progress(|p| eprintln!("{:?}", p.out_time));
    /// rt.run_async(&fs, &["-f", "lavfi", "-i", "sine=d=1", "/a.wav"], &opts).await?;
    /// assert!(fs.exists("/a.wav"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn run_async<S: AsRef<str>>(
        &self,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> JobFuture<RunOutput> {
        self.run_tool_async(Tool::Ffmpeg, fs, args, opts)
    }

    /// [`run_tool`](Runtime::run_tool) as a future on tokio's blocking
    /// pool; dropping the future cancels the job.
    ///
    /// ```no_run
    /// # async fn f() -> afmpeg::Result<()> {
    /// use afmpeg::{Filesystem, RunOptions, Runtime, Tool};
    /// let rt = Runtime::from_default_location()?;
    /// let out = rt
    ///     .run_tool_async(Tool::Ffprobe, &Filesystem::new(), &["-version"], &RunOptions::new())
    ///     .await?;
    /// assert!(out.stdout_text().starts_with("ffprobe version"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn run_tool_async<S: AsRef<str>>(
        &self,
        tool: Tool,
        fs: &Filesystem,
        args: &[S],
        opts: &RunOptions,
    ) -> JobFuture<RunOutput> {
        let (rt, fs) = (self.clone(), fs.clone());
        let args: Vec<String> = args.iter().map(|a| a.as_ref().to_owned()).collect();
        JobFuture::new(opts, move |opts| rt.run_tool(tool, &fs, &args, opts))
    }

    /// [`probe`](Runtime::probe) as a future on tokio's blocking pool;
    /// dropping the future cancels the probe.
    ///
    /// ```no_run
    /// # async fn f() -> afmpeg::Result<()> {
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// rt.run_async(&fs, &["-f", "lavfi", "-i", "sine=d=1", "/a.wav"], &RunOptions::new()).await?;
    /// assert_eq!(rt.probe_async(&fs, "/a.wav").await?.audio_streams().count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn probe_async(&self, fs: &Filesystem, path: &str) -> JobFuture<MediaInfo> {
        let (rt, fs, path) = (self.clone(), fs.clone(), path.to_owned());
        JobFuture::new(&RunOptions::new(), move |opts| {
            rt.probe_with(&fs, &path, opts)
        })
    }
}
