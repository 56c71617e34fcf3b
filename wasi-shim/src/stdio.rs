//! The guest's standard streams.
//!
//! Input comes from bytes, any `Read`, a [`Stream`] (any `Read` pumped
//! through a bounded queue, so a blocked read can be interrupted), or the
//! host's stdin. Output goes to a capped in-memory capture, any `Write` (a
//! callback is a `Write`), the host's own stdout/stderr, or nowhere.

use crate::host_stdin::GiveUp;
use std::fmt;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the guest's stdin comes from.
#[derive(Default)]
pub enum Input {
    /// End of file at once.
    #[default]
    Empty,
    /// These bytes, then end of file.
    Bytes {
        /// The bytes.
        data: Arc<[u8]>,
        /// How far the guest has read.
        pos: usize,
    },
    /// Any reader (reads may block).
    Reader(Box<dyn Read + Send>),
    /// Any reader, read ahead by a helper thread into a bounded queue; a
    /// read waiting for it ends when the stream's interrupt flag is raised.
    Stream(Stream),
    /// The host process's stdin, read as the guest asks (one read at a
    /// time, nothing ahead); a read waiting for it gives up with `EINTR` at
    /// the run's deadline or interrupt, and its bytes go to the next read.
    Inherit,
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Empty => f.write_str("Empty"),
            Input::Bytes { data, pos } => write!(f, "Bytes({} of {})", pos, data.len()),
            Input::Reader(_) => f.write_str("Reader"),
            Input::Stream(_) => f.write_str("Stream"),
            Input::Inherit => f.write_str("Inherit"),
        }
    }
}

impl Input {
    /// Input from a copy of `bytes`.
    pub fn bytes(bytes: impl Into<Arc<[u8]>>) -> Self {
        Input::Bytes {
            data: bytes.into(),
            pos: 0,
        }
    }

    /// Reads into `buf`; a read of the host's stdin that waits gives up
    /// (`Interrupted`) as `give_up` says ([`Stream`]s carry their own).
    pub(crate) fn read(&mut self, buf: &mut [u8], give_up: GiveUp<'_>) -> std::io::Result<usize> {
        match self {
            Input::Empty => Ok(0),
            Input::Bytes { data, pos } => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
            Input::Reader(r) => r.read(buf),
            Input::Stream(s) => s.read(buf),
            Input::Inherit => crate::host_stdin::read(buf, give_up),
        }
    }

    /// Bytes known to be readable without blocking, if that can be known.
    pub(crate) fn ready_bytes(&self) -> Option<u64> {
        match self {
            Input::Empty => Some(0),
            Input::Bytes { data, pos } => Some((data.len() - pos) as u64),
            Input::Stream(s) => s.ready_bytes(),
            Input::Reader(_) | Input::Inherit => None,
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self, Input::Inherit) && std::io::stdin().is_terminal()
    }
}

/// Bytes a [`Stream`]'s helper thread reads at a time.
const STREAM_CHUNK: usize = 64 * 1024;
/// Chunks a [`Stream`] holds ahead of the guest: with [`STREAM_CHUNK`], the
/// most memory a stream of any length uses (about 256 KiB plus the chunk
/// being read).
const STREAM_QUEUE: usize = 4;
/// Longest wait for the helper thread between checks of the interrupt flag.
const STREAM_WAIT_SLICE: Duration = Duration::from_millis(10);

/// A reader pumped by a helper thread through a bounded queue.
///
/// Why a thread: a guest blocked in `fd_read` on a pipe or a slow source must
/// still be cancellable, and a `Read` cannot be interrupted from outside. The
/// guest's read waits on the queue in short slices and gives up with `EINTR`
/// when the interrupt flag is raised (the embedder's cancellation then ends
/// the job), or returns end of file when the end flag is raised (a graceful
/// stop: the guest sees its input end and finishes its outputs). The helper
/// thread ends at the reader's end of file or error, or at its next read
/// after the stream was dropped.
pub struct Stream {
    rx: Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    eof: bool,
    interrupt: Option<Arc<AtomicBool>>,
    end: Option<Arc<AtomicBool>>,
    deadline: Option<Instant>,
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("buffered", &(self.chunk.len() - self.pos))
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

fn pump(mut reader: Box<dyn Read + Send>, tx: SyncSender<std::io::Result<Vec<u8>>>) {
    let mut buf = vec![0u8; STREAM_CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => {
                let _ = tx.send(Ok(Vec::new()));
                return;
            }
            Ok(n) => {
                if tx.send(Ok(buf[..n].to_vec())).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

impl Stream {
    /// Reads `reader` ahead on a helper thread, at most a few chunks at a time.
    pub fn new(reader: impl Read + Send + 'static) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel(STREAM_QUEUE);
        let reader: Box<dyn Read + Send> = Box::new(reader);
        std::thread::Builder::new()
            .name("wasi-shim-stdin".into())
            .spawn(move || pump(reader, tx))?;
        Ok(Stream {
            rx,
            chunk: Vec::new(),
            pos: 0,
            eof: false,
            interrupt: None,
            end: None,
            deadline: None,
        })
    }

    /// A read waiting for data gives up with `EINTR` once `flag` is raised.
    pub fn interrupt(mut self, flag: Arc<AtomicBool>) -> Self {
        self.interrupt = Some(flag);
        self
    }

    /// A read waiting for data gives up with `EINTR` from `deadline` on (the
    /// run's own deadline, which the engine then reports as its timeout).
    pub fn deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Once `flag` is raised the guest sees end of file (what is left of
    /// the source is not read).
    pub fn end_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.end = Some(flag);
        self
    }

    fn raised(flag: &Option<Arc<AtomicBool>>) -> bool {
        flag.as_ref().is_some_and(|f| f.load(Ordering::SeqCst))
    }

    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if Self::raised(&self.end) {
                self.eof = true;
            }
            if self.eof || buf.is_empty() {
                return Ok(0);
            }
            if self.pos < self.chunk.len() {
                let n = buf.len().min(self.chunk.len() - self.pos);
                buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if Self::raised(&self.interrupt) || self.deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            match self.rx.recv_timeout(STREAM_WAIT_SLICE) {
                Ok(Ok(chunk)) if chunk.is_empty() => self.eof = true,
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.eof = true;
                    return Err(e);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.eof = true,
            }
        }
    }

    fn ready_bytes(&self) -> Option<u64> {
        if self.eof || Self::raised(&self.end) {
            return Some(0);
        }
        match self.chunk.len() - self.pos {
            0 => None,
            n => Some(n as u64),
        }
    }
}

/// Which host stream an [`Output::Inherit`] writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostStream {
    /// The host's stdout.
    Stdout,
    /// The host's stderr.
    Stderr,
}

/// Where the guest's stdout or stderr goes.
#[derive(Default)]
pub enum Output {
    /// Discarded.
    #[default]
    Discard,
    /// Kept in memory, up to a cap (see [`Capture`]).
    Capture(Capture),
    /// Written to any writer as it arrives.
    Writer(Box<dyn Write + Send>),
    /// The host process's own stream.
    Inherit(HostStream),
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Discard => f.write_str("Discard"),
            Output::Capture(c) => write!(f, "Capture({} bytes)", c.len()),
            Output::Writer(_) => f.write_str("Writer"),
            Output::Inherit(s) => write!(f, "Inherit({s:?})"),
        }
    }
}

/// The outcome of a write to an [`Output`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OutputWrite {
    /// All bytes were taken.
    Written,
    /// A capture reached its cap; bytes beyond it were dropped.
    CapReached,
}

impl Output {
    /// Output delivered to `f` as it arrives.
    pub fn callback(f: impl FnMut(&[u8]) + Send + 'static) -> Self {
        struct Callback<F>(F);
        impl<F: FnMut(&[u8])> Write for Callback<F> {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                (self.0)(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        Output::Writer(Box::new(Callback(f)))
    }

    pub(crate) fn write(&mut self, data: &[u8]) -> std::io::Result<OutputWrite> {
        match self {
            Output::Discard => Ok(OutputWrite::Written),
            Output::Capture(c) => Ok(c.push(data)),
            Output::Writer(w) => w.write_all(data).map(|_| OutputWrite::Written),
            Output::Inherit(HostStream::Stdout) => {
                let mut out = std::io::stdout().lock();
                out.write_all(data)?;
                out.flush()?;
                Ok(OutputWrite::Written)
            }
            Output::Inherit(HostStream::Stderr) => std::io::stderr()
                .lock()
                .write_all(data)
                .map(|_| OutputWrite::Written),
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        match self {
            Output::Inherit(HostStream::Stdout) => std::io::stdout().is_terminal(),
            Output::Inherit(HostStream::Stderr) => std::io::stderr().is_terminal(),
            _ => false,
        }
    }
}

#[derive(Debug, Default)]
struct CaptureBuf {
    data: Vec<u8>,
    cap: usize,
    dropped: u64,
}

/// Called with each chunk the guest writes, as it writes it.
pub type Tee = Arc<dyn Fn(&[u8]) + Send + Sync>;

/// An in-memory capture of a stream, shared between the context (which
/// writes) and the embedder (which reads it during or after the run).
///
/// At most `cap` bytes are kept; what comes after is counted and dropped,
/// and the write that crossed the cap is reported so the run can be ended
/// with a limit error when the embedder asked for that.
///
/// A capture can also pass every chunk on, live, to a [`Tee`] (see
/// [`Capture::with_tee`]): the embedder then both sees the stream while the
/// guest runs and keeps the capped copy (the cap bounds memory, not what
/// the tee is shown).
#[derive(Clone, Default)]
pub struct Capture {
    inner: Arc<Mutex<CaptureBuf>>,
    tee: Option<Tee>,
}

impl fmt::Debug for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Capture")
            .field("inner", &self.inner)
            .field("tee", &self.tee.is_some())
            .finish()
    }
}

impl Capture {
    /// A capture that keeps at most `cap` bytes.
    pub fn with_cap(cap: usize) -> Self {
        Capture {
            inner: Arc::new(Mutex::new(CaptureBuf {
                cap,
                ..Default::default()
            })),
            tee: None,
        }
    }

    /// This capture, also passing each chunk to `tee` as it arrives (before
    /// the cap: the tee sees every byte the guest wrote).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use wasi_shim::stdio::Capture;
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let s = seen.clone();
    /// let capture = Capture::with_cap(1024)
    ///     .with_tee(Arc::new(move |chunk: &[u8]| s.lock().unwrap().extend_from_slice(chunk)));
    /// # let _ = &capture;
    /// ```
    pub fn with_tee(mut self, tee: Tee) -> Self {
        self.tee = Some(tee);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CaptureBuf> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, data: &[u8]) -> OutputWrite {
        if let Some(tee) = &self.tee {
            tee(data);
        }
        let mut b = self.lock();
        let room = b.cap.saturating_sub(b.data.len());
        let take = room.min(data.len());
        b.data.extend_from_slice(&data[..take]);
        if take < data.len() {
            b.dropped += (data.len() - take) as u64;
            OutputWrite::CapReached
        } else {
            OutputWrite::Written
        }
    }

    /// A copy of what was captured so far.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().data.clone()
    }

    /// Takes what was captured, leaving the capture empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut self.lock().data)
    }

    /// Bytes captured so far.
    pub fn len(&self) -> usize {
        self.lock().data.len()
    }

    /// Whether nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes that arrived after the cap was reached and were dropped.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }
}

/// Writes push to the capture like the guest's own writes do: past the cap
/// bytes are counted in [`Capture::dropped`], never refused (so a device that
/// shares the capture, such as `/dev/stdout`, behaves like the fd).
impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields `data` a few bytes per read, pausing before each.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
    }
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            std::thread::sleep(Duration::from_millis(1));
            let n = buf.len().min(7).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    /// Never yields: a pipe nobody writes to.
    struct Stuck;
    impl Read for Stuck {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            std::thread::park();
            Ok(0)
        }
    }

    #[test]
    fn stream_delivers_a_slow_source_byte_for_byte_then_eof() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 251) as u8).collect();
        let mut input = Input::Stream(
            Stream::new(Trickle {
                data: data.clone(),
                pos: 0,
            })
            .unwrap(),
        );
        let mut got = Vec::new();
        let mut buf = [0u8; 1000];
        loop {
            let n = input.read(&mut buf, GiveUp::default()).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, data);
        assert_eq!(input.ready_bytes(), Some(0), "end of file is known");
        assert_eq!(input.read(&mut buf, GiveUp::default()).unwrap(), 0);
    }

    #[test]
    fn a_read_blocked_on_a_stream_ends_with_eintr_when_interrupted() {
        let flag = Arc::new(AtomicBool::new(false));
        let mut input = Input::Stream(Stream::new(Stuck).unwrap().interrupt(flag.clone()));
        assert_eq!(input.ready_bytes(), None, "nothing known yet");
        let raiser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            flag.store(true, Ordering::SeqCst);
        });
        let err = input.read(&mut [0u8; 16], GiveUp::default()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
        raiser.join().unwrap();
    }

    #[test]
    fn a_stream_reads_as_ended_once_its_end_flag_is_raised() {
        let end = Arc::new(AtomicBool::new(false));
        let mut input = Input::Stream(Stream::new(&b"abc"[..]).unwrap().end_on(end.clone()));
        let mut buf = [0u8; 2];
        assert_eq!(input.read(&mut buf, GiveUp::default()).unwrap(), 2);
        assert_eq!(&buf, b"ab");
        end.store(true, Ordering::SeqCst);
        assert_eq!(input.ready_bytes(), Some(0));
        assert_eq!(
            input.read(&mut buf, GiveUp::default()).unwrap(),
            0,
            "the rest is not read"
        );
    }

    #[test]
    fn capture_as_a_writer_counts_what_passes_the_cap() {
        let mut capture = Capture::with_cap(3);
        capture.write_all(b"hello").unwrap();
        assert_eq!(capture.contents(), b"hel");
        assert_eq!(capture.dropped(), 2);
    }

    #[test]
    fn tee_sees_every_chunk_and_the_capture_keeps_its_cap() {
        let seen = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
        let s = seen.clone();
        let capture = Capture::with_cap(4)
            .with_tee(Arc::new(move |c: &[u8]| s.lock().unwrap().push(c.to_vec())));
        let mut out = Output::Capture(capture.clone());
        assert_eq!(out.write(b"abc").unwrap(), OutputWrite::Written);
        assert_eq!(
            *seen.lock().unwrap(),
            [b"abc".to_vec()],
            "live, before the run ends"
        );
        assert_eq!(out.write(b"def").unwrap(), OutputWrite::CapReached);
        assert_eq!(*seen.lock().unwrap(), [b"abc".to_vec(), b"def".to_vec()]);
        assert_eq!(capture.contents(), b"abcd");
        assert_eq!(capture.dropped(), 2);
    }
}
