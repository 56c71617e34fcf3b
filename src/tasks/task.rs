//! The one way every task helper runs.

use crate::engine::Runtime;
use crate::error::Result;
use crate::job::RunOptions;
use crate::Filesystem;

/// A task helper: a typed FFmpeg job with a typed result.
///
/// Every helper of [`crate::tasks`] implements it; bring it into scope
/// (`use afmpeg::tasks::Task;`, or `use afmpeg::tasks::*;`) to call
/// [`run`](Task::run) and [`run_with`](Task::run_with).
///
/// ```no_run
/// use afmpeg::tasks::{Remux, Task};
/// use afmpeg::{Filesystem, RunOptions, Runtime};
///
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let produced = Remux::new("/in.mkv", "/out.mp4").run(&rt, &fs)?;
/// let again = Remux::new("/in.mkv", "/out2.mp4").run_with(&rt, &fs, &RunOptions::default())?;
/// assert_eq!(produced.size, again.size);
/// # Ok::<(), afmpeg::Error>(())
/// ```
pub trait Task {
    /// What the task returns when it succeeded.
    type Output;

    /// Runs the task with `opts`. A non-zero FFmpeg exit, or a run that did
    /// not produce what the task expects, is an
    /// [`Error::Ffmpeg`](crate::Error::Ffmpeg).
    fn run_with(&self, rt: &Runtime, fs: &Filesystem, opts: &RunOptions) -> Result<Self::Output>;

    /// Runs the task with default [`RunOptions`].
    fn run(&self, rt: &Runtime, fs: &Filesystem) -> Result<Self::Output> {
        self.run_with(rt, fs, &RunOptions::default())
    }

    /// Runs the task with `opts` as a future on tokio's blocking pool
    /// (feature `tokio`); dropping the future cancels the task's jobs. See
    /// [`crate::asynchronous`].
    ///
    /// ```no_run
    /// # async fn f() -> afmpeg::Result<()> {
    /// use afmpeg::tasks::{Remux, Task};
    /// use afmpeg::{Filesystem, RunOptions, Runtime};
    ///
    /// let rt = Runtime::from_default_location()?;
    /// let fs = Filesystem::new();
    /// let produced = Remux::new("/in.mkv", "/out.mp4")
    ///     .run_async(&rt, &fs, &RunOptions::new())
    ///     .await?;
    /// println!("{} bytes", produced.size);
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tokio")]
    fn run_async(
        self,
        rt: &Runtime,
        fs: &Filesystem,
        opts: &RunOptions,
    ) -> crate::asynchronous::JobFuture<Self::Output>
    where
        Self: Sized + Send + 'static,
        Self::Output: Send + 'static,
    {
        let (rt, fs) = (rt.clone(), fs.clone());
        crate::asynchronous::JobFuture::new(opts, move |opts| self.run_with(&rt, &fs, opts))
    }
}

/// Implements [`Task`] for helpers that run their `command()` once and
/// whose result is the one file at `self.output`: the same `run_with` for
/// each, written once.
macro_rules! produces_one_file {
    ($task:ty) => {
        impl $crate::tasks::Task for $task {
            type Output = $crate::tasks::Produced;

            /// Runs the task with `opts` (limits, progress, cancellation);
            /// returns the file it wrote.
            fn run_with(
                &self,
                rt: &$crate::Runtime,
                fs: &$crate::Filesystem,
                opts: &$crate::RunOptions,
            ) -> $crate::Result<$crate::tasks::Produced> {
                let out = $crate::tasks::execute(rt, fs, &self.command()?, opts)?;
                $crate::tasks::Produced::find(fs, &self.output, &out)
            }
        }
    };
}
pub(super) use produces_one_file;
