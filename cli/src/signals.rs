//! SIGINT and SIGTERM during a CLI run, as native ffmpeg handles them: the
//! first asks for a graceful stop, the second cancels.

use afmpeg::{CancelToken, StopSignal, StopToken, Tool};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::Arc;

/// The tokens a run gets, driven by the process's signals.
pub struct SignalHandling {
    /// Raised by the first signal (ffmpeg only).
    pub stop: StopToken,
    /// Raised by the second signal (the first, for ffprobe, which has no
    /// graceful path: it only reads).
    pub cancel: CancelToken,
    hard: Arc<AtomicI32>,
    handle: signal_hook::iterator::Handle,
    counter: signal_hook::SigId,
    counter_term: signal_hook::SigId,
}

impl SignalHandling {
    /// Catches SIGINT and SIGTERM from now until this is dropped, for a
    /// run of `tool` (ffprobe has no graceful path: it only reads).
    pub fn install(tool: Tool) -> std::io::Result<Self> {
        Self::install_graceful(tool == Tool::Ffmpeg)
    }

    /// Catches SIGINT and SIGTERM from now until this is dropped: the first
    /// raises [`stop`](Self::stop) when `graceful`, else
    /// [`cancel`](Self::cancel); the second raises `cancel`.
    pub fn install_graceful(graceful: bool) -> std::io::Result<Self> {
        // The iterator wakes our thread but merges a signal that arrives
        // again before it is read; the counter (bumped in the handler
        // itself, which is async-signal-safe) tells one Ctrl-C from two.
        let received = Arc::new(AtomicUsize::new(0));
        let count = |r: Arc<AtomicUsize>| move || _ = r.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the action only bumps an atomic, which is async-signal-safe.
        let counter = unsafe { signal_hook::low_level::register(SIGINT, count(received.clone())) }?;
        // SAFETY: as above.
        let counter_term =
            unsafe { signal_hook::low_level::register(SIGTERM, count(received.clone())) }?;
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let (stop, cancel) = (StopToken::new(), CancelToken::new());
        let hard = Arc::new(AtomicI32::new(0));
        let (s, c, h) = (stop.clone(), cancel.clone(), hard.clone());
        std::thread::Builder::new()
            .name("afmpeg-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    if graceful && !s.is_stopped() {
                        // The stop first (it reaches the running job before
                        // `stop_with` returns), then the message: whoever
                        // reads "stopping" may rely on the job having the
                        // stop, e.g. before it closes the job's stdin.
                        s.stop_with(if sig == SIGTERM {
                            StopSignal::Terminate
                        } else {
                            StopSignal::Interrupt
                        });
                        eprintln!("\nafmpeg: stopping, FFmpeg finishes its outputs (signal again to cancel)");
                    }
                    if !graceful || received.load(Ordering::SeqCst) >= 2 {
                        h.store(sig, Ordering::SeqCst);
                        c.cancel();
                    }
                }
            })?;
        Ok(SignalHandling {
            stop,
            cancel,
            hard,
            handle,
            counter,
            counter_term,
        })
    }

    /// The signal that cancelled the run, if one did.
    pub fn hard_signal(&self) -> Option<i32> {
        match self.hard.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }
}

impl Drop for SignalHandling {
    fn drop(&mut self) {
        self.handle.close();
        signal_hook::low_level::unregister(self.counter);
        signal_hook::low_level::unregister(self.counter_term);
    }
}

/// SIGINT and SIGTERM while outputs are written back to the host: the
/// temporary file of the export in progress is removed and the process
/// exits 128 + the signal, as a shell reports a killed process. Each output
/// is renamed into place whole, so what was published is complete, what was
/// not is untouched, and no `.part` file is left (with the default action,
/// a signal between a temporary file's creation and its rename left it).
pub struct ExportSignals {
    handle: signal_hook::iterator::Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ExportSignals {
    /// Handles SIGINT and SIGTERM so from now until this is dropped.
    pub fn install() -> std::io::Result<Self> {
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let thread = std::thread::Builder::new()
            .name("afmpeg-export-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    let removed = afmpeg::Filesystem::remove_unfinished_exports();
                    eprintln!(
                        "\nafmpeg: signal {sig} while writing outputs; stopped ({removed} unfinished file(s) removed, the outputs already written are complete)"
                    );
                    std::process::exit(128 + sig);
                }
            })?;
        Ok(ExportSignals {
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for ExportSignals {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
