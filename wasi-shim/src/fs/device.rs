//! Character devices: `/dev/null`, `/dev/zero`, `/dev/full`, `/dev/urandom`,
//! `/dev/random`, and sinks that hand what the guest writes to the embedder.

use std::fmt;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// What a character-device inode does on read and write.
#[derive(Clone)]
pub enum Device {
    /// Reads return EOF; writes are discarded.
    Null,
    /// Reads return zeros; writes are discarded.
    Zero,
    /// Reads return zeros; writes fail with `ENOSPC`.
    Full,
    /// Reads return random bytes from the context's random source
    /// (deterministic when the context is); writes are discarded.
    Random,
    /// Reads return EOF; writes are delivered, as they happen, to the
    /// embedder's writer (e.g. FFmpeg's `-progress` output read live).
    Sink(Sink),
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Device::Null => "Null",
            Device::Zero => "Zero",
            Device::Full => "Full",
            Device::Random => "Random",
            Device::Sink(_) => "Sink",
        })
    }
}

/// A shared writer behind a [`Device::Sink`].
#[derive(Clone)]
pub struct Sink(Arc<Mutex<dyn Write + Send>>);

impl Sink {
    /// A sink delivering writes to `w`.
    pub fn new(w: impl Write + Send + 'static) -> Self {
        Sink(Arc::new(Mutex::new(w)))
    }

    /// Writes all of `data`; a failing writer makes the guest's write fail with `EIO`.
    pub fn write_all(&self, data: &[u8]) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write_all(data)
    }
}

impl Device {
    /// The device's conventional name under `/dev`, for the standard ones.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Device::Null => Some("null"),
            Device::Zero => Some("zero"),
            Device::Full => Some("full"),
            Device::Random => Some("urandom"),
            Device::Sink(_) => None,
        }
    }
}
