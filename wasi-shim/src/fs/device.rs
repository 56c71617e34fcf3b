//! Character devices: `/dev/null`, `/dev/zero`, `/dev/full`, `/dev/urandom`, `/dev/random`.

/// What a character-device inode does on read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Device {
    /// The device's conventional name under `/dev`.
    pub fn name(self) -> &'static str {
        match self {
            Device::Null => "null",
            Device::Zero => "zero",
            Device::Full => "full",
            Device::Random => "urandom",
        }
    }
}
