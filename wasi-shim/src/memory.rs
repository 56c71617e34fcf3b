//! Bounds-checked access to the guest's linear memory.
//!
//! Every pointer a guest hands us is untrusted: each access goes through a
//! checked range (`ptr + len <= memory.len()` computed in `u64`, so it cannot
//! overflow), and a bad one becomes `EFAULT` rather than a host panic.
//! Unaligned pointers are accepted: wasm memory has no alignment faults and
//! Linux has no such errno for user pointers (see RATIONALE.md).

use crate::errno::{Errno, Result};
use std::ops::Range;

/// A view of the guest's linear memory for the duration of one syscall.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    /// Wraps the bytes of a linear memory.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    /// The memory's size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the memory has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn range(&self, ptr: u32, len: u32) -> Result<Range<usize>> {
        let end = u64::from(ptr) + u64::from(len);
        if end > self.bytes.len() as u64 {
            return Err(Errno::Fault);
        }
        Ok(ptr as usize..end as usize)
    }

    /// `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    /// `len` writable bytes at `ptr`.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// Copies `data` to `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> Result<()> {
        let len = u32::try_from(data.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    /// Checks that `[ptr, ptr+len)` is inside memory without touching it.
    pub fn check(&self, ptr: u32, len: u32) -> Result<()> {
        self.range(ptr, len).map(|_| ())
    }

    /// Reads a little-endian `u8`.
    pub fn read_u8(&self, ptr: u32) -> Result<u8> {
        Ok(self.slice(ptr, 1)?[0])
    }

    /// Reads a little-endian `u16`.
    pub fn read_u16(&self, ptr: u32) -> Result<u16> {
        let s = self.slice(ptr, 2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }

    /// Reads a little-endian `u32`.
    pub fn read_u32(&self, ptr: u32) -> Result<u32> {
        let s = self.slice(ptr, 4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// Reads a little-endian `u64`.
    pub fn read_u64(&self, ptr: u32) -> Result<u64> {
        let s = self.slice(ptr, 8)?;
        let mut b = [0u8; 8];
        b.copy_from_slice(s);
        Ok(u64::from_le_bytes(b))
    }

    /// Writes a little-endian `u32`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> Result<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u64`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> Result<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A path or other string argument: `EILSEQ` if it is not UTF-8.
    pub fn read_str(&self, ptr: u32, len: u32) -> Result<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// Validates an array of `count` iovecs at `ptr` and returns it.
    ///
    /// The array itself must lie in memory (`count * 8` is computed without
    /// overflow); each buffer is checked when it is used.
    pub fn iovecs(&self, ptr: u32, count: u32) -> Result<Iovecs> {
        let bytes = u64::from(count) * 8;
        let bytes = u32::try_from(bytes).map_err(|_| Errno::Fault)?;
        self.check(ptr, bytes)?;
        Ok(Iovecs { base: ptr, count })
    }

    /// The `(buf, buf_len)` pair of iovec `i` of `iovs`.
    pub fn iovec(&self, iovs: &Iovecs, i: u32) -> Result<(u32, u32)> {
        let at = iovs.base + i * 8;
        Ok((self.read_u32(at)?, self.read_u32(at + 4)?))
    }

    /// The sum of the lengths of `iovs`, or `EINVAL` if it overflows `u32`
    /// (POSIX `readv`/`writev` refuse a total above `SSIZE_MAX`).
    pub fn iovecs_total(&self, iovs: &Iovecs) -> Result<u64> {
        let mut total = 0u64;
        for i in 0..iovs.count {
            let (buf, len) = self.iovec(iovs, i)?;
            self.check(buf, len)?;
            total += u64::from(len);
        }
        if total > u64::from(i32::MAX as u32) {
            return Err(Errno::Inval);
        }
        Ok(total)
    }
}

/// A validated iovec array (see [`GuestMemory::iovecs`]).
#[derive(Debug, Clone, Copy)]
pub struct Iovecs {
    base: u32,
    count: u32,
}

impl Iovecs {
    /// How many iovecs the array holds.
    pub fn count(&self) -> u32 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_efault_not_panic() {
        let mut buf = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut buf);
        assert_eq!(m.read_u32(13), Err(Errno::Fault));
        assert_eq!(m.read_u32(12), Ok(0));
        assert_eq!(m.slice(u32::MAX, 2).err(), Some(Errno::Fault));
        assert_eq!(m.write_u64(9, 1), Err(Errno::Fault));
        assert_eq!(m.iovecs(0, u32::MAX).err(), Some(Errno::Fault));
        assert_eq!(m.iovecs(8, 1).map(|i| i.count()), Ok(1));
    }

    #[test]
    fn strings_must_be_utf8() {
        let mut buf = vec![b'a', 0xff, b'b'];
        let m = GuestMemory::new(&mut buf);
        assert_eq!(m.read_str(0, 1), Ok("a"));
        assert_eq!(m.read_str(0, 3), Err(Errno::Ilseq));
    }
}
