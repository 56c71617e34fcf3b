//! The guest's standard streams.
//!
//! Input comes from bytes, any `Read`, or the host's stdin. Output goes to a
//! capped in-memory capture, any `Write` (a callback is a `Write`), the host's
//! own stdout/stderr, or nowhere.

use std::fmt;
use std::io::{IsTerminal, Read, Write};
use std::sync::{Arc, Mutex};

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
    /// The host process's stdin.
    Inherit,
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Empty => f.write_str("Empty"),
            Input::Bytes { data, pos } => write!(f, "Bytes({} of {})", pos, data.len()),
            Input::Reader(_) => f.write_str("Reader"),
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

    pub(crate) fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Input::Empty => Ok(0),
            Input::Bytes { data, pos } => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
            Input::Reader(r) => r.read(buf),
            Input::Inherit => std::io::stdin().lock().read(buf),
        }
    }

    /// Bytes known to be readable without blocking, if that can be known.
    pub(crate) fn ready_bytes(&self) -> Option<u64> {
        match self {
            Input::Empty => Some(0),
            Input::Bytes { data, pos } => Some((data.len() - pos) as u64),
            Input::Reader(_) | Input::Inherit => None,
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self, Input::Inherit) && std::io::stdin().is_terminal()
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

#[cfg(test)]
mod tests {
    use super::*;

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
