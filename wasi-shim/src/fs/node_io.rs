//! Reading, writing and resizing the contents of a node, with the times
//! POSIX says each changes. The syscalls call these under the tree's lock,
//! except a write to a sink, whose embedder writer runs after the lock is
//! released ([`Filesystem::write_node`]); the bytes come from the caller (a
//! guest's iovecs) through [`Buffers`], so the tree needs to know nothing
//! about guest memory.

use super::device::Device;
use super::ino::Ino;
use super::tree::{NodeKind, Tree};
use super::Filesystem;
use crate::errno::{Errno, Result};
use crate::random::RandomSource;

/// Largest file the tree accepts (`EFBIG` beyond): 16 GiB. Files are sparse,
/// so without a bound a single `pwrite` at a huge offset would cost memory
/// for the chunk table (see RATIONALE.md).
pub const MAX_FILE_SIZE: u64 = 16 << 30;

/// The buffers of one vectored read or write, in order (for a guest: its
/// iovecs, each checked when it is used).
pub(crate) trait Buffers {
    /// How many buffers there are.
    fn count(&self) -> u32;
    /// Buffer `i`, to write from.
    fn buf(&self, i: u32) -> Result<&[u8]>;
    /// Buffer `i`, to read into.
    fn buf_mut(&mut self, i: u32) -> Result<&mut [u8]>;

    /// Fills the buffers in turn from `read_at(position, buf)` starting at
    /// `offset`, as `readv`: a short read ends it. A file that fails after
    /// some bytes were read returns those bytes, as `readv` does; the next
    /// read reports the error. Returns the bytes read.
    fn read_from(
        &mut self,
        offset: u64,
        mut read_at: impl FnMut(u64, &mut [u8]) -> Result<usize>,
    ) -> Result<u64> {
        let mut done = 0u64;
        for i in 0..self.count() {
            let out = self.buf_mut(i)?;
            if out.is_empty() {
                continue;
            }
            let n = match read_at(offset + done, out) {
                Ok(n) => n,
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            };
            done += n as u64;
            if n < out.len() {
                break;
            }
        }
        Ok(done)
    }

    /// Writes the buffers in turn with `write_at(position, buf)` (which
    /// writes all of `buf`) from `start`, as `writev`; returns the position
    /// after the last byte.
    fn write_to(
        &self,
        start: u64,
        mut write_at: impl FnMut(u64, &[u8]) -> Result<()>,
    ) -> Result<u64> {
        let mut pos = start;
        for i in 0..self.count() {
            let buf = self.buf(i)?;
            if !buf.is_empty() {
                write_at(pos, buf)?;
                pos += buf.len() as u64;
            }
        }
        Ok(pos)
    }
}

impl Tree {
    /// Reads from inode `ino` at `offset` into `bufs`; returns bytes read.
    pub(crate) fn read_node(
        &mut self,
        ino: Ino,
        offset: u64,
        bufs: &mut impl Buffers,
        random: &mut RandomSource,
        now: u64,
    ) -> Result<u64> {
        let node = self.get_mut(ino)?;
        let mut done = 0u64;
        match &node.kind {
            NodeKind::File(data) => {
                done = bufs.read_from(offset, |at, out| data.read_at(at, out))?;
                node.atim = now;
            }
            NodeKind::CharDevice(dev) => {
                let dev = dev.clone();
                for i in 0..bufs.count() {
                    let out = bufs.buf_mut(i)?;
                    match dev {
                        Device::Null | Device::Sink(_) => break,
                        Device::Zero | Device::Full => out.fill(0),
                        Device::Random => random.fill(out)?,
                    }
                    done += out.len() as u64;
                }
            }
            NodeKind::Dir(_) => return Err(Errno::Isdir),
            NodeKind::Symlink(_) => return Err(Errno::Inval),
        }
        Ok(done)
    }

    /// The length of inode `ino` if it is a regular file, `None` if it is
    /// anything else.
    pub(crate) fn file_len(&self, ino: Ino) -> Result<Option<u64>> {
        Ok(match &self.get(ino)?.kind {
            NodeKind::File(d) => Some(d.len()),
            _ => None,
        })
    }

    /// Sets the length of the regular file `ino` (a hole when it grows) and
    /// its modification and change times.
    pub(crate) fn set_file_len(&mut self, ino: Ino, len: u64, now: u64) -> Result<()> {
        let node = self.get_mut(ino)?;
        if let NodeKind::File(d) = &mut node.kind {
            d.set_len(len)?;
        }
        node.mtim = now;
        node.ctim = now;
        Ok(())
    }
}

impl Filesystem {
    /// Writes `bufs` (`total` bytes) to inode `ino` at `offset`, or at its
    /// end when `append`; returns `(bytes written, offset after the write)`.
    ///
    /// A sink's writer is the embedder's code (a progress callback, say),
    /// and it may use this very filesystem (a stop writes its stop file
    /// into the `/dev` the progress sink lives in), so it is called after
    /// the tree's lock is released, never under it.
    pub(crate) fn write_node(
        &self,
        ino: Ino,
        offset: u64,
        append: bool,
        total: u64,
        bufs: &impl Buffers,
        now: u64,
    ) -> Result<(u64, u64)> {
        let mut tree = self.lock();
        let node = tree.get_mut(ino)?;
        match &mut node.kind {
            NodeKind::File(data) => {
                let start = write_start(offset, append, total, || Ok(data.len()))?;
                let pos = bufs.write_to(start, |at, buf| data.write_at(at, buf))?;
                if total > 0 {
                    node.mtim = now;
                    node.ctim = now;
                }
                Ok((total, pos))
            }
            NodeKind::CharDevice(Device::Sink(sink)) => {
                let sink = sink.clone();
                drop(tree);
                for i in 0..bufs.count() {
                    sink.write_all(bufs.buf(i)?).map_err(|_| Errno::Io)?;
                }
                Ok((total, offset))
            }
            NodeKind::CharDevice(Device::Full) => Err(Errno::Nospc),
            NodeKind::CharDevice(_) => Ok((total, offset)),
            NodeKind::Dir(_) => Err(Errno::Isdir),
            NodeKind::Symlink(_) => Err(Errno::Inval),
        }
    }
}

/// Where a write of `total` bytes at `offset` starts: at the end (`len`)
/// for an `APPEND` fd — only when there is something to write, as Linux
/// moves an O_APPEND offset only then (generic_write_checks returns early
/// for an empty write) — and `EFBIG` if it would end past
/// [`MAX_FILE_SIZE`].
pub(crate) fn write_start(
    offset: u64,
    append: bool,
    total: u64,
    len: impl FnOnce() -> Result<u64>,
) -> Result<u64> {
    let start = if append && total > 0 { len()? } else { offset };
    if start.saturating_add(total) > MAX_FILE_SIZE {
        return Err(Errno::Fbig);
    }
    Ok(start)
}
