//! The host process's stdin as a guest reads it ([`Input::Inherit`](crate::stdio::Input::Inherit)).
//!
//! Why a helper thread that reads *on demand*: a read of a pipe or a
//! terminal can block for ever, and a blocked `read(2)` cannot be
//! interrupted from outside, so a guest waiting for its stdin would outlive
//! its timeout and its cancellation. Here the guest's read asks the thread
//! for one read of at most the guest's buffer and waits for the answer in
//! short slices, giving up with `EINTR` at the run's deadline or interrupt.
//! The thread reads only when asked, so nothing is taken from the host's
//! stdin before a guest wants it (a runner inside `while read …; do …`
//! leaves the rest of the loop's input alone) and at most one read is in
//! flight: a stream of any length costs one buffer. A read given up on is
//! not lost: its bytes are handed to the guest's next read.
//!
//! The host's stdin is one per process, so there is one thread and one
//! state for every guest of the process.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Most bytes one read of the host's stdin takes.
const MAX_READ: usize = 64 * 1024;
/// Longest wait for the helper thread between checks of the deadline and
/// the interrupt flag.
const WAIT_SLICE: Duration = Duration::from_millis(10);

/// When a guest's read stops waiting.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GiveUp<'a> {
    /// The run's interrupt flag.
    pub interrupt: Option<&'a AtomicBool>,
    /// The run's deadline.
    pub deadline: Option<Instant>,
}

impl GiveUp<'_> {
    fn now(&self) -> bool {
        self.interrupt.is_some_and(|f| f.load(Ordering::SeqCst))
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

struct HostStdin {
    requests: Sender<usize>,
    replies: Receiver<std::io::Result<Vec<u8>>>,
    /// A read was asked for and its answer not yet taken.
    pending: bool,
    /// The answer of a read, beyond what the guest's buffer took.
    left: Vec<u8>,
}

fn serve(requests: Receiver<usize>, replies: Sender<std::io::Result<Vec<u8>>>) {
    let mut buf = vec![0u8; MAX_READ];
    for len in requests {
        let len = len.clamp(1, MAX_READ);
        let r = loop {
            match std::io::stdin().lock().read(&mut buf[..len]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                r => break r.map(|n| buf[..n].to_vec()),
            }
        };
        if replies.send(r).is_err() {
            return;
        }
    }
}

fn host_stdin() -> std::io::Result<&'static Mutex<HostStdin>> {
    static STATE: OnceLock<Mutex<HostStdin>> = OnceLock::new();
    if let Some(s) = STATE.get() {
        return Ok(s);
    }
    let (requests, asked) = std::sync::mpsc::channel();
    let (answer, replies) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("wasi-shim-host-stdin".into())
        .spawn(move || serve(asked, answer))?;
    // Two guests starting at once may both spawn a thread; the loser's ends
    // when its channel is dropped, before it ever reads.
    Ok(STATE.get_or_init(|| {
        Mutex::new(HostStdin {
            requests,
            replies,
            pending: false,
            left: Vec::new(),
        })
    }))
}

/// Reads the host's stdin into `buf`: what one `read(2)` gave (0 at end of
/// file), or `Interrupted` once `give_up` says so.
pub(crate) fn read(buf: &mut [u8], give_up: GiveUp<'_>) -> std::io::Result<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    let mut s = host_stdin()?.lock().unwrap_or_else(|e| e.into_inner());
    if s.left.is_empty() {
        if !s.pending {
            if s.requests.send(buf.len()).is_err() {
                return Ok(0);
            }
            s.pending = true;
        }
        loop {
            if give_up.now() {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            match s.replies.recv_timeout(WAIT_SLICE) {
                Ok(r) => {
                    s.pending = false;
                    s.left = r?;
                    break;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(0),
            }
        }
    }
    let n = buf.len().min(s.left.len());
    buf[..n].copy_from_slice(&s.left[..n]);
    s.left.drain(..n);
    Ok(n)
}
