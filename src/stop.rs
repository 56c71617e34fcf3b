//! Asking a running job to stop cleanly (the library's Ctrl-C).

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

/// Which signal a [`StopToken`] delivers to FFmpeg: it shows in FFmpeg's
/// closing line ("Exiting normally, received signal 2.").
///
/// ```
/// use afmpeg::{StopSignal, StopToken};
/// let stop = StopToken::new();
/// stop.stop_with(StopSignal::Terminate);
/// assert_eq!(stop.signal(), Some(StopSignal::Terminate.number()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// `SIGINT` (2), what Ctrl-C sends.
    Interrupt,
    /// `SIGTERM` (15).
    Terminate,
}

impl StopSignal {
    /// The signal's number.
    ///
    /// ```
    /// assert_eq!(afmpeg::StopSignal::Interrupt.number(), 2);
    /// ```
    pub fn number(self) -> u8 {
        match self {
            StopSignal::Interrupt => 2,
            StopSignal::Terminate => 15,
        }
    }
}

type Watcher = Box<dyn Fn(u8) + Send>;

#[derive(Default)]
struct Inner {
    /// The signal number once stopped, 0 before.
    signal: AtomicU8,
    next_id: AtomicU64,
    watchers: Mutex<Vec<(u64, Watcher)>>,
}

/// A token that asks the ffmpeg jobs it was given to stop *gracefully*, as
/// native ffmpeg does on its first Ctrl-C: FFmpeg stops reading its inputs,
/// finishes its outputs (trailers written, files playable), prints
/// "Exiting normally, received signal 2." and exits with code 255 (so the
/// run returns [`Error::Ffmpeg`](crate::Error::Ffmpeg), as for any non-zero
/// exit). The partial outputs are in the filesystem like after any run.
///
/// Beside it, [`CancelToken`](crate::CancelToken) ends a job at once and
/// leaves its outputs partial. A job can hold both: stop first, and cancel
/// if it has not ended in the time you allow (the CLI does this on a second
/// Ctrl-C).
///
/// `stop` may be called from anywhere, the job's own progress callback
/// included ("stop after N frames").
///
/// A stopped job's stdin (a [`StdinStream`](crate::job::StdinStream)) reads
/// as ended. ffprobe jobs ignore the token. Stopping needs the guest
/// module's stop hook (guest patch `ffmpeg-0002`); a module without it runs
/// on to its normal end.
///
/// ```no_run
/// use afmpeg::{Filesystem, RunOptions, Runtime, StopToken};
///
/// let rt = Runtime::from_default_location()?;
/// let fs = Filesystem::new();
/// let stop = StopToken::new();
/// let mut opts = RunOptions::new().stop(stop.clone());
/// let progress = opts.progress_channel();
/// std::thread::spawn(move || {
///     // Stop after the first progress report.
///     if progress.recv().is_ok() {
///         stop.stop();
///     }
/// });
/// // Exit code 255 is an error like any non-zero exit: take it as a value.
/// let out = rt
///     .run_with(&fs, &["-f", "lavfi", "-i", "testsrc=d=3600", "/long.mp4"], &opts)
///     .or_else(afmpeg::Error::into_exit_output)?;
/// assert_eq!(out.exit_code, 255);
/// assert!(out.stderr_text().contains("Exiting normally, received signal 2."));
/// assert!(rt.probe(&fs, "/long.mp4")?.duration().unwrap_or(0.0) > 0.0);
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct StopToken(Arc<Inner>);

impl std::fmt::Debug for StopToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopToken")
            .field("signal", &self.signal())
            .finish_non_exhaustive()
    }
}

impl StopToken {
    /// FFmpeg's exit code after a graceful stop, as native ffmpeg's
    /// (`exit_program(received_nb_signals ? 255 : …)`): a stopped job's
    /// outputs are finished although the code is not 0.
    ///
    /// ```
    /// assert_eq!(afmpeg::StopToken::EXIT_CODE, 255);
    /// ```
    pub const EXIT_CODE: i32 = 255;

    /// A token not yet stopped.
    ///
    /// ```
    /// let stop = afmpeg::StopToken::new();
    /// assert!(!stop.is_stopped());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every job holding this token to stop, as on `SIGINT`.
    ///
    /// ```
    /// let stop = afmpeg::StopToken::new();
    /// stop.stop();
    /// assert_eq!(stop.signal(), Some(2));
    /// ```
    pub fn stop(&self) {
        self.stop_with(StopSignal::Interrupt);
    }

    /// Asks every job holding this token to stop, as on `signal`. Only the
    /// first call counts.
    ///
    /// ```
    /// use afmpeg::{StopSignal, StopToken};
    /// let stop = StopToken::new();
    /// stop.stop_with(StopSignal::Terminate);
    /// stop.stop(); // too late: the first stop counts
    /// assert_eq!(stop.signal(), Some(15));
    /// ```
    pub fn stop_with(&self, signal: StopSignal) {
        let n = signal.number();
        let _ = self
            .0
            .signal
            .compare_exchange(0, n, Ordering::SeqCst, Ordering::SeqCst);
        let n = self.0.signal.load(Ordering::SeqCst);
        for (_, w) in self.lock().iter() {
            w(n);
        }
    }

    /// Whether a stop was asked.
    ///
    /// ```
    /// let stop = afmpeg::StopToken::new();
    /// assert!(!stop.is_stopped());
    /// stop.clone().stop();
    /// assert!(stop.is_stopped());
    /// ```
    pub fn is_stopped(&self) -> bool {
        self.signal().is_some()
    }

    /// The signal number of the stop, if one was asked.
    ///
    /// ```
    /// let stop = afmpeg::StopToken::new();
    /// assert_eq!(stop.signal(), None);
    /// ```
    pub fn signal(&self) -> Option<u8> {
        match self.0.signal.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Watcher)>> {
        self.0.watchers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Calls `f` with the signal number when a stop is asked (at once if it
    /// already was), until the returned guard is dropped.
    pub(crate) fn watch(&self, f: impl Fn(u8) + Send + 'static) -> StopWatch {
        let id = self.0.next_id.fetch_add(1, Ordering::SeqCst);
        let mut watchers = self.lock();
        if let Some(n) = self.signal() {
            f(n);
        }
        watchers.push((id, Box::new(f)));
        StopWatch {
            token: self.clone(),
            id,
        }
    }
}

/// Keeps a job's reaction to a stop registered while the job runs.
pub(crate) struct StopWatch {
    token: StopToken,
    id: u64,
}

impl Drop for StopWatch {
    fn drop(&mut self) {
        self.token.lock().retain(|(id, _)| *id != self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn watchers_see_the_first_signal_and_nothing_after_their_guard_drops() {
        let token = StopToken::new();
        let seen = Arc::new(AtomicUsize::new(0));
        let s = seen.clone();
        let guard = token.watch(move |n| {
            s.store(n as usize, Ordering::SeqCst);
        });
        token.stop_with(StopSignal::Terminate);
        token.stop();
        assert_eq!(
            seen.load(Ordering::SeqCst),
            15,
            "only the first stop counts"
        );
        assert_eq!(token.signal(), Some(15));
        drop(guard);
        seen.store(0, Ordering::SeqCst);
        token.stop();
        assert_eq!(seen.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_watcher_registered_after_the_stop_is_called_at_once() {
        let token = StopToken::new();
        token.stop();
        let seen = Arc::new(AtomicUsize::new(0));
        let s = seen.clone();
        let _guard = token.watch(move |n| s.store(n as usize, Ordering::SeqCst));
        assert_eq!(seen.load(Ordering::SeqCst), 2);
    }
}
