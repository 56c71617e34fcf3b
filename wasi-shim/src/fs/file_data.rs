//! The bytes of a regular file.
//!
//! Three representations:
//! - `Shared`: immutable bytes owned elsewhere (an `Arc<[u8]>`, bytes the
//!   embedder owns, …). Many files — in many trees, for many concurrent
//!   jobs — can point at the same bytes without a copy.
//! - `Host`: a host file read on demand ([`HostFile`]): nothing copied or
//!   mapped, and a host file that shrinks reads as a shorter file.
//! - `Chunked`: private, writable data in fixed-size chunks. Growth never
//!   copies what is already written (no quadratic re-allocation on append), a
//!   chunk that was never written is a hole that reads as zeros (so seeking
//!   past EOF and writing costs only the chunk written), and sizes up to and
//!   beyond 4 GiB need no contiguous allocation.
//!
//! A `Shared` or `Host` file becomes `Chunked` on its first modification
//! (copy-on-write): the sharers, and the host file, never observe the change.
//! Reading a `Host` file can fail (`EIO`, `ESTALE`), so reads and the writes
//! that copy first return a `Result`.

use super::host_file::HostFile;
use crate::errno::{Errno, Result};
use std::fmt;
use std::sync::Arc;

/// Bytes that can back a file without being copied.
pub type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Size of one chunk of private file data.
pub const CHUNK: usize = 64 * 1024;

/// The contents of a regular file.
#[derive(Clone)]
pub enum FileData {
    /// Immutable bytes shared with others.
    Shared(SharedBytes),
    /// A host file, read on demand.
    Host(Arc<HostFile>),
    /// Private, writable, possibly sparse data.
    Chunked(Chunks),
}

/// Private file data (see the module docs).
#[derive(Clone, Default)]
pub struct Chunks {
    len: u64,
    /// Chunk `i` holds bytes `[i*CHUNK, (i+1)*CHUNK)`. `None` is a hole; a
    /// chunk shorter than `CHUNK` is zero beyond its end.
    chunks: Vec<Option<Vec<u8>>>,
}

impl fmt::Debug for FileData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileData::Shared(b) => write!(f, "Shared({} bytes)", (**b).as_ref().len()),
            FileData::Host(h) => write!(f, "Host({} bytes, {:?})", h.len(), h.path()),
            FileData::Chunked(c) => write!(f, "Chunked({} bytes)", c.len),
        }
    }
}

impl Default for FileData {
    fn default() -> Self {
        FileData::Chunked(Chunks::default())
    }
}

impl FileData {
    /// A file holding a private copy of `bytes`.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        let mut c = Chunks::default();
        c.write_at(0, &bytes);
        FileData::Chunked(c)
    }

    /// A file read on demand from the host (no copy, no mapping).
    pub fn host(file: HostFile) -> Self {
        FileData::Host(Arc::new(file))
    }

    /// A file backed by shared bytes (no copy).
    pub fn shared(bytes: SharedBytes) -> Self {
        FileData::Shared(bytes)
    }

    /// The file's size.
    pub fn len(&self) -> u64 {
        match self {
            FileData::Shared(b) => (**b).as_ref().len() as u64,
            FileData::Host(h) => h.len(),
            FileData::Chunked(c) => c.len,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the bytes are held elsewhere (shared, or on the host):
    /// copy-on-write pending.
    pub fn is_shared(&self) -> bool {
        !matches!(self, FileData::Chunked(_))
    }

    /// Copies bytes from `offset` into `buf`; returns how many (0 at or past
    /// EOF, fewer than asked past the end of a host file that shrank).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        match self {
            FileData::Shared(b) => {
                let b = (**b).as_ref();
                if offset >= b.len() as u64 {
                    return Ok(0);
                }
                let start = offset as usize;
                let n = buf.len().min(b.len() - start);
                buf[..n].copy_from_slice(&b[start..start + n]);
                Ok(n)
            }
            FileData::Host(h) => h.read_at(offset, buf),
            FileData::Chunked(c) => Ok(c.read_at(offset, buf)),
        }
    }

    /// Writes `data` at `offset`, zero-filling any gap past the old end.
    pub fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<()> {
        self.make_private()?.write_at(offset, data);
        Ok(())
    }

    /// Shrinks or extends (with zeros) to `len`.
    pub fn set_len(&mut self, len: u64) -> Result<()> {
        if len == self.len() {
            return Ok(());
        }
        if len == 0 {
            // Nothing of the old bytes survives: no copy to make first.
            *self = FileData::default();
            return Ok(());
        }
        self.make_private()?.set_len(len);
        Ok(())
    }

    /// The whole contents as one vector.
    pub fn to_vec(&self) -> Result<Vec<u8>> {
        match self {
            FileData::Shared(b) => Ok((**b).as_ref().to_vec()),
            FileData::Host(h) => {
                let mut v = vec![0u8; h.len() as usize];
                let n = h.read_at(0, &mut v)?;
                v.truncate(n);
                Ok(v)
            }
            FileData::Chunked(c) => {
                let mut v = vec![0u8; c.len as usize];
                c.read_at(0, &mut v);
                Ok(v)
            }
        }
    }

    /// The contents as contiguous borrowed bytes, when they are stored that way.
    pub fn as_contiguous(&self) -> Option<&[u8]> {
        match self {
            FileData::Shared(b) => Some((**b).as_ref()),
            FileData::Host(_) => None,
            FileData::Chunked(c) if c.chunks.len() <= 1 => {
                let first = c.chunks.first().and_then(|c| c.as_deref()).unwrap_or(&[]);
                (first.len() as u64 == c.len).then_some(first)
            }
            FileData::Chunked(_) => None,
        }
    }

    /// The stored runs of a sparse file, in order, as `(offset, bytes)`;
    /// everything else up to [`len`](Self::len) reads as zeros (the holes a
    /// copy can leave unallocated). `None` when the data is not stored
    /// sparsely (shared bytes, a host file): read it whole instead.
    pub fn stored_runs(&self) -> Option<impl Iterator<Item = (u64, &[u8])> + '_> {
        let FileData::Chunked(c) = self else {
            return None;
        };
        Some(c.chunks.iter().enumerate().filter_map(move |(i, chunk)| {
            let start = i as u64 * CHUNK as u64;
            // A chunk may hold bytes past a length that shrank inside it.
            let bytes = chunk.as_deref()?;
            let keep = (bytes.len() as u64).min(c.len.saturating_sub(start)) as usize;
            (keep > 0).then(|| (start, &bytes[..keep]))
        }))
    }

    /// The private chunks, copying shared or host bytes first. A host file
    /// that can no longer be read whole (it shrank, or is gone) is an error,
    /// not a silently shorter copy.
    fn make_private(&mut self) -> Result<&mut Chunks> {
        match self {
            FileData::Chunked(_) => {}
            FileData::Shared(b) => {
                let mut c = Chunks::default();
                c.write_at(0, (**b).as_ref());
                *self = FileData::Chunked(c);
            }
            FileData::Host(h) => {
                let mut c = Chunks::default();
                let mut buf = vec![0u8; CHUNK];
                let mut off = 0u64;
                while off < h.len() {
                    let n = h.read_at(off, &mut buf)?;
                    if n == 0 {
                        return Err(Errno::Io);
                    }
                    c.write_at(off, &buf[..n]);
                    off += n as u64;
                }
                *self = FileData::Chunked(c);
            }
        }
        match self {
            FileData::Chunked(c) => Ok(c),
            _ => unreachable!("made private above"),
        }
    }
}

impl Chunks {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        if offset >= self.len {
            return 0;
        }
        let n = (buf.len() as u64).min(self.len - offset) as usize;
        let mut done = 0;
        while done < n {
            let pos = offset + done as u64;
            let idx = (pos / CHUNK as u64) as usize;
            let within = (pos % CHUNK as u64) as usize;
            let take = (CHUNK - within).min(n - done);
            let out = &mut buf[done..done + take];
            match self.chunks.get(idx).and_then(|c| c.as_deref()) {
                Some(chunk) if within < chunk.len() => {
                    let have = (chunk.len() - within).min(take);
                    out[..have].copy_from_slice(&chunk[within..within + have]);
                    if have < take {
                        out[have..].fill(0);
                    }
                }
                _ => out.fill(0),
            }
            done += take;
        }
        n
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) {
        let mut done = 0;
        while done < data.len() {
            let pos = offset + done as u64;
            let idx = (pos / CHUNK as u64) as usize;
            let within = (pos % CHUNK as u64) as usize;
            let take = (CHUNK - within).min(data.len() - done);
            if self.chunks.len() <= idx {
                self.chunks.resize(idx + 1, None);
            }
            let chunk = self.chunks[idx].get_or_insert_with(Vec::new);
            let src = &data[done..done + take];
            if chunk.len() >= within + take {
                chunk[within..within + take].copy_from_slice(src);
            } else {
                // Growing the chunk (an append, typically): zero only a gap
                // before `within`, overwrite what exists, and append the
                // rest, so appended bytes are written once, not zeroed first.
                if idx > 0 {
                    // Past the first chunk the file is large: give the chunk
                    // its full size now rather than regrow it (each regrowth
                    // copies). The first chunk grows as needed, so that small
                    // files stay small.
                    chunk.reserve_exact(CHUNK - chunk.len());
                }
                if chunk.len() < within {
                    chunk.resize(within, 0);
                }
                let existing = chunk.len() - within;
                chunk[within..].copy_from_slice(&src[..existing]);
                chunk.extend_from_slice(&src[existing..]);
            }
            done += take;
        }
        let end = offset + data.len() as u64;
        if end > self.len {
            self.len = end;
        }
    }

    fn set_len(&mut self, len: u64) {
        if len < self.len {
            let keep = len.div_ceil(CHUNK as u64) as usize;
            self.chunks.truncate(keep);
            // Cut the chunk the new end falls in — if it is stored. A sparse
            // tail stores fewer chunks than `keep`, and the last stored one
            // then lies wholly before the new end: it must stay whole.
            let within = (len % CHUNK as u64) as usize;
            if within != 0 && self.chunks.len() == keep {
                if let Some(Some(last)) = self.chunks.last_mut() {
                    last.truncate(within);
                }
            }
            self.chunks.shrink_to_fit();
        }
        self.len = len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_write_reads_zeros_in_the_gap() {
        let mut f = FileData::default();
        f.write_at(3 * CHUNK as u64 + 5, b"xyz").unwrap();
        assert_eq!(f.len(), 3 * CHUNK as u64 + 8);
        let mut buf = vec![1u8; 10];
        assert_eq!(f.read_at(3 * CHUNK as u64, &mut buf).unwrap(), 8);
        assert_eq!(&buf[..8], b"\0\0\0\0\0xyz");
        assert_eq!(f.read_at(10, &mut buf).unwrap(), 10);
        assert_eq!(buf, vec![0u8; 10]);
    }

    #[test]
    fn shrinking_into_a_sparse_tail_keeps_the_stored_data() {
        // Found by the syscall_sequence fuzz target: data in chunk 0, the
        // file extended past chunk 1 without storing it, then shrunk to a
        // length inside chunk 1. Chunk 0 must stay whole.
        let mut f = FileData::default();
        let data: Vec<u8> = (0..57_629u32).map(|i| (i % 251) as u8 + 1).collect();
        f.write_at(0, &data).unwrap();
        f.set_len(177_846).unwrap();
        f.set_len(87_381).unwrap();
        assert_eq!(f.len(), 87_381);
        let v = f.to_vec().unwrap();
        assert_eq!(&v[..data.len()], &data[..]);
        assert!(v[data.len()..].iter().all(|&b| b == 0));
    }

    #[test]
    fn truncate_then_extend_zero_fills() {
        let mut f = FileData::from_vec(vec![7u8; CHUNK + 10]);
        f.set_len(5).unwrap();
        f.set_len(CHUNK as u64 + 20).unwrap();
        let v = f.to_vec().unwrap();
        assert_eq!(&v[..5], &[7u8; 5]);
        assert!(v[5..].iter().all(|&b| b == 0));
    }

    #[test]
    fn shared_bytes_are_copied_on_first_write_only() {
        let backing: SharedBytes = Arc::new(b"hello world".to_vec());
        let mut a = FileData::shared(backing.clone());
        let b = FileData::shared(backing.clone());
        assert!(a.is_shared());
        a.write_at(0, b"J").unwrap();
        assert!(!a.is_shared());
        assert_eq!(a.to_vec().unwrap(), b"Jello world");
        assert_eq!(b.to_vec().unwrap(), b"hello world");
        assert_eq!((*backing).as_ref(), b"hello world");
    }

    #[test]
    fn writes_straddling_chunks() {
        let mut f = FileData::default();
        let data: Vec<u8> = (0..3 * CHUNK).map(|i| (i % 251) as u8).collect();
        f.write_at(100, &data).unwrap();
        let mut back = vec![0u8; data.len()];
        assert_eq!(f.read_at(100, &mut back).unwrap(), data.len());
        assert_eq!(back, data);
    }

    #[test]
    fn growing_writes_match_a_flat_model() {
        // Appends, overlapping extensions, gaps inside a chunk and past it,
        // in and after the first chunk: the paths that grow a chunk.
        let mut f = FileData::default();
        let mut model: Vec<u8> = Vec::new();
        let mut state = 0x2545_f491_u32;
        let mut next = |n: u32| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state % n
        };
        for round in 0..400u32 {
            let len = model.len() as u32;
            let offset = match next(4) {
                0 => len,                                 // append
                1 => len.saturating_sub(next(5000)),      // overlap the end
                2 => len + next(3000),                    // small gap
                _ => next(len.max(1) + 2 * CHUNK as u32), // anywhere
            } as usize;
            let n = 1 + next(9000) as usize;
            let data: Vec<u8> = (0..n).map(|i| (round as usize * 7 + i) as u8).collect();
            f.write_at(offset as u64, &data).unwrap();
            if model.len() < offset + n {
                model.resize(offset + n, 0);
            }
            model[offset..offset + n].copy_from_slice(&data);
            assert_eq!(f.len(), model.len() as u64, "round {round}");
        }
        let mut back = vec![0xffu8; model.len()];
        assert_eq!(f.read_at(0, &mut back).unwrap(), model.len());
        assert_eq!(back, model);
    }
}
