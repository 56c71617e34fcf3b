//! A sequence of syscalls, with small-alphabet paths and random arguments,
//! applied to one context. After every step:
//! - the tree's invariants hold (`nlink`, no cycles, no dangling entries,
//!   nothing unreachable left allocated),
//! - every regular file the sequence touched holds exactly the bytes a
//!   simple model says were written (size and contents),
//! - every file an fd is open on still exists (unlinked-but-open files live),
//! - read results and write counts agree with the model.
//!
//! Fds are shadowed (inode, offset, append) so the model knows where
//! `fd_write` and `fd_read` act; a syscall that fails is assumed to have
//! had no effect, and the model check catches it if it had one.

use std::collections::HashMap;
use wasi_shim::abi::{fdflags, oflags};
use wasi_shim::fs::tree::{Ino, NodeKind, ROOT};
use wasi_shim::fs::Filesystem;
use wasi_shim::{Preopen, WasiCtx};

use crate::guest::{fd_of, Guest, Outcome, MAX_IO};
pub use crate::guest::{Off, Op, P};

/// Only the first bytes of a file are modelled byte by byte; past that
/// only the length is (sparse files of many GiB are allowed).
const MODEL_CAP: u64 = 1 << 19;

#[derive(Debug, Clone, Copy)]
enum Shadow {
    File { ino: Ino, offset: u64, append: bool },
    Dir { ino: Ino },
    Other,
}

#[derive(Default, Clone)]
struct ModelFile {
    len: u64,
    /// The first `min(len, MODEL_CAP)` bytes.
    data: Vec<u8>,
}

impl ModelFile {
    fn write(&mut self, at: u64, bytes: &[u8]) {
        // Writing nothing changes nothing, even past the end (POSIX
        // write(2)); the model once extended the file here (a false finding,
        // now pinned by cli/tests/wasi/c/seek.c).
        if bytes.is_empty() {
            return;
        }
        let end = at + bytes.len() as u64;
        self.set_len(self.len.max(end));
        if at < MODEL_CAP {
            let n = ((MODEL_CAP - at) as usize).min(bytes.len());
            self.data[at as usize..at as usize + n].copy_from_slice(&bytes[..n]);
        }
    }
    fn set_len(&mut self, len: u64) {
        self.len = len;
        self.data.resize(len.min(MODEL_CAP) as usize, 0);
    }
}

struct World {
    fs: Filesystem,
    guest: Guest,
    fds: HashMap<u32, Shadow>,
    files: HashMap<Ino, ModelFile>,
    step: u32,
}

impl World {
    fn new() -> World {
        let fs = Filesystem::new();
        fs.create_dir_all("/a/b").unwrap();
        fs.write("/a/c", b"hello".to_vec()).unwrap();
        fs.write("/b", vec![7u8; 70_000]).unwrap();
        fs.write_shared("/c", std::sync::Arc::new(b"shared bytes".to_vec()))
            .unwrap();
        fs.symlink("a/b", "/a/b/c").unwrap();
        fs.add_standard_devices("/a/b/a").unwrap();
        let ro = Preopen {
            fs: fs.clone(),
            dir: "/a".into(),
            guest: "/ro".into(),
            read_only: true,
        };
        let ctx = WasiCtx::builder()
            .deterministic(1)
            .max_open_fds(12)
            .preopen_dir(&fs, "/")
            .preopen(ro)
            .build()
            .unwrap();
        let mut fds = HashMap::new();
        for i in 0..3 {
            fds.insert(i, Shadow::Other);
        }
        fds.insert(3, Shadow::Dir { ino: ROOT });
        let a = fs.metadata("/a").unwrap().ino;
        fds.insert(4, Shadow::Dir { ino: a });
        let mut w = World {
            fs,
            guest: Guest::new(ctx),
            fds,
            files: HashMap::new(),
            step: 0,
        };
        // Model the initial files from their contents.
        for p in ["/a/c", "/b", "/c"] {
            let ino = w.fs.metadata(p).unwrap().ino;
            let data = w.fs.read(p).unwrap();
            let mut m = ModelFile::default();
            m.write(0, &data);
            w.files.insert(ino, m);
        }
        w
    }

    /// Moves the shadow offset of file fd `f` to `to`.
    fn set_offset(&mut self, f: u32, to: u64) {
        if let Some(Shadow::File { offset, .. }) = self.fds.get_mut(&f) {
            *offset = to;
        }
    }

    fn dir_ino(&self, fd: u32) -> Option<Ino> {
        match self.fds.get(&fd) {
            Some(Shadow::Dir { ino }) => Some(*ino),
            _ => None,
        }
    }

    fn is_regular(&self, ino: Ino) -> bool {
        matches!(
            self.fs.lock().get(ino).map(|n| &n.kind),
            Ok(NodeKind::File(_))
        )
    }

    fn model(&mut self, ino: Ino) -> Option<&mut ModelFile> {
        if !self.is_regular(ino) {
            return None;
        }
        Some(self.files.entry(ino).or_default())
    }

    fn apply(&mut self, op: &Op) {
        self.step += 1;
        let out = self.guest.exec(op);
        if !out.ok() {
            if let Op::Close { fd: f } = op {
                let f = fd_of(*f);
                assert!(!self.fds.contains_key(&f), "close of open fd {f} failed");
            }
            return;
        }
        match op {
            Op::Open {
                dir,
                path: p,
                oflags: of,
                fdflags: ff,
                ..
            } => {
                let new = out.value as u32;
                assert!(
                    !self.fds.contains_key(&new),
                    "path_open returned fd {new} which is already open"
                );
                let dir_ino = self
                    .dir_ino(fd_of(*dir))
                    .expect("path_open succeeded on a non-directory fd");
                let path = p.render();
                let ino = {
                    let t = self.fs.lock();
                    wasi_shim::path::resolve(&t, dir_ino, &path, true)
                        .and_then(|r| r.existing(&t))
                        .unwrap_or_else(|e| {
                            panic!("opened {path:?} but it does not resolve: {e:?}")
                        })
                };
                let is_dir = self.fs.lock().get(ino).unwrap().is_dir();
                let shadow = if is_dir {
                    Shadow::Dir { ino }
                } else {
                    Shadow::File {
                        ino,
                        offset: 0,
                        append: u16::from(*ff & 0x1f) & fdflags::APPEND != 0,
                    }
                };
                self.fds.insert(new, shadow);
                if u16::from(*of & 0x0f) & oflags::TRUNC != 0 {
                    if let Some(m) = self.model(ino) {
                        m.set_len(0);
                    }
                } else if self.is_regular(ino) && !self.files.contains_key(&ino) {
                    // A file created by this call.
                    self.files.insert(ino, ModelFile::default());
                }
            }
            Op::Close { fd: f } => {
                let f = fd_of(*f);
                assert!(
                    self.fds.remove(&f).is_some(),
                    "closed fd {f} that was not open"
                );
            }
            Op::Write { fd: f, len, .. } => {
                let f = fd_of(*f);
                let len = len % MAX_IO;
                let written = out.value;
                if let Some(Shadow::File {
                    ino,
                    offset,
                    append,
                }) = self.fds.get(&f).copied()
                {
                    let data = self.guest.data(len).to_vec();
                    if let Some(m) = self.model(ino) {
                        assert_eq!(written, u64::from(len), "short write to a file");
                        // An empty write leaves even an O_APPEND offset alone (Linux).
                        let at = if append && written > 0 { m.len } else { offset };
                        m.write(at, &data);
                        self.set_offset(f, at + written);
                    }
                }
            }
            Op::Pwrite { fd: f, len, off } => {
                let len = len % MAX_IO;
                let written = out.value;
                if let Some(Shadow::File { ino, append, .. }) = self.fds.get(&fd_of(*f)).copied() {
                    let data = self.guest.data(len).to_vec();
                    if let Some(m) = self.model(ino) {
                        assert_eq!(written, u64::from(len), "short pwrite to a file");
                        let at = if append { m.len } else { off.get() };
                        m.write(at, &data);
                    }
                }
            }
            Op::Read { fd: f, len, .. } => {
                let f = fd_of(*f);
                let len = len % MAX_IO;
                if let Some(Shadow::File { ino, offset, .. }) = self.fds.get(&f).copied() {
                    if let Some(m) = self.model(ino) {
                        check_read(m, offset, len, &out.bytes);
                        self.set_offset(f, offset + out.value);
                    }
                }
            }
            Op::Pread { fd: f, len, off } => {
                if let Some(Shadow::File { ino, .. }) = self.fds.get(&fd_of(*f)).copied() {
                    if let Some(m) = self.model(ino) {
                        check_read(m, off.get(), len % MAX_IO, &out.bytes);
                    }
                }
            }
            Op::Seek {
                fd: f,
                delta,
                whence,
            } => {
                let f = fd_of(*f);
                let new = out.value;
                if let Some(Shadow::File { ino, offset, .. }) = self.fds.get(&f).copied() {
                    if let Some(m) = self.model(ino) {
                        let base = match whence % 4 {
                            0 => 0i128,
                            1 => i128::from(offset),
                            _ => i128::from(m.len),
                        };
                        assert_eq!(i128::from(new), base + i128::from(*delta), "seek result");
                        self.set_offset(f, new);
                    }
                }
            }
            Op::SetSize { fd: f, len } => {
                if let Some(Shadow::File { ino, .. }) = self.fds.get(&fd_of(*f)).copied() {
                    if let Some(m) = self.model(ino) {
                        m.set_len(len.get());
                    }
                }
            }
            Op::Allocate { fd: f, off, len } => {
                if let Some(Shadow::File { ino, .. }) = self.fds.get(&fd_of(*f)).copied() {
                    if let Some(m) = self.model(ino) {
                        let end = off.get() + len.get();
                        if end > m.len {
                            m.set_len(end);
                        }
                    }
                }
            }
            Op::SetFlags { fd: f, flags } => {
                let f = fd_of(*f);
                if let Some(Shadow::File { append, .. }) = self.fds.get_mut(&f) {
                    *append = u16::from(flags & 0x1f) & fdflags::APPEND != 0;
                }
            }
            Op::Renumber { from, to } => {
                let moved = self
                    .fds
                    .remove(&fd_of(*from))
                    .expect("renumbered a closed fd");
                self.fds.insert(fd_of(*to), moved);
            }
            Op::Stat { .. } | Op::FdStat { .. } => self.check_stat(&out),
            Op::ListAll { fd: f, .. } => self.check_listing(fd_of(*f), &out),
            Op::SetRights { .. }
            | Op::Mkdir { .. }
            | Op::Rmdir { .. }
            | Op::Unlink { .. }
            | Op::Rename { .. }
            | Op::Link { .. }
            | Op::Symlink { .. }
            | Op::Readlink { .. }
            | Op::Readdir { .. } => {}
        }
    }

    /// Checks a filestat against the model (size of modelled files).
    fn check_stat(&self, out: &Outcome) {
        let Some(s) = out.stat else { return };
        if s.filetype == wasi_shim::abi::filetype::REGULAR_FILE {
            if let Some(m) = self.files.get(&s.ino) {
                assert_eq!(s.size, m.len, "stat size of inode {}", s.ino);
            }
        }
    }

    /// Compares a complete listing of directory fd `f` with the tree:
    /// `.`, `..`, then every entry exactly once.
    fn check_listing(&self, f: u32, out: &Outcome) {
        let Some(dir_ino) = self.dir_ino(f) else {
            return;
        };
        let t = self.fs.lock();
        let node = t.get(dir_ino).unwrap();
        let mut expect: Vec<String> = Vec::new();
        if node.nlink > 0 {
            expect.push(".".into());
            expect.push("..".into());
            expect.extend(node.as_dir().unwrap().iter().map(|(n, _)| n.to_owned()));
        }
        assert_eq!(
            out.names, expect,
            "full listing of directory inode {dir_ino}"
        );
    }

    fn check(&mut self) {
        if let Err(e) = self.fs.check_invariants() {
            panic!("tree invariant violated after step {}: {e}", self.step);
        }
        let t = self.fs.lock();
        for (fd, s) in &self.fds {
            if let Shadow::File { ino, .. } | Shadow::Dir { ino } = s {
                assert!(
                    t.get(*ino).is_ok(),
                    "inode {ino} freed while fd {fd} is open on it"
                );
            }
        }
        self.files.retain(|ino, m| {
            let Ok(node) = t.get(*ino) else { return false };
            let NodeKind::File(data) = &node.kind else {
                panic!("inode {ino} changed kind")
            };
            assert_eq!(data.len(), m.len, "size of inode {ino}");
            let mut buf = vec![0u8; m.data.len()];
            let n = data.read_at(0, &mut buf).expect("in-memory data reads");
            assert_eq!(n, buf.len());
            if buf != m.data {
                let at = buf.iter().zip(&m.data).position(|(a, b)| a != b).unwrap();
                panic!("contents of inode {ino} differ from the model at byte {at}");
            }
            true
        });
    }
}

fn check_read(m: &ModelFile, at: u64, len: u32, got: &[u8]) {
    let expect_n = m.len.saturating_sub(at).min(u64::from(len));
    assert_eq!(
        got.len() as u64,
        expect_n,
        "bytes read at {at} (file size {})",
        m.len
    );
    // `got` is non-empty only if `at < m.len`, so the slice below is in bounds.
    if at < MODEL_CAP && !got.is_empty() {
        let n = ((MODEL_CAP - at) as usize).min(got.len());
        assert_eq!(
            &got[..n],
            &m.data[at as usize..at as usize + n],
            "bytes read at {at}"
        );
    }
}

/// One fuzz input: panics when a property above does not hold.
pub fn run(ops: Vec<Op>) {
    let mut w = World::new();
    for op in ops.iter().take(64) {
        w.apply(op);
        w.check();
    }
    // Closing everything frees every unlinked file.
    let open: Vec<u32> = w.fds.keys().copied().collect();
    for f in open {
        w.guest.exec(&Op::Close { fd: f as u8 });
    }
    w.fds.clear();
    w.check();
}
