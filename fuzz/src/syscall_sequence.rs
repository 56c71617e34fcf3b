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

use arbitrary::Arbitrary;
use std::collections::HashMap;
use wasi_shim::abi::{fdflags, lookupflags, oflags, rights};
use wasi_shim::fs::tree::{Ino, NodeKind, ROOT};
use wasi_shim::fs::Filesystem;
use wasi_shim::memory::GuestMemory;
use wasi_shim::syscalls::{fd, path};
use wasi_shim::{Preopen, WasiCtx};

/// Only the first bytes of a file are modelled byte by byte; past that
/// only the length is (sparse files of many GiB are allowed).
const MODEL_CAP: u64 = 1 << 19;

// Guest memory layout.
const OUT: u32 = 0; // 64 bytes of out-values
const PATH1: u32 = 64;
const PATH2: u32 = 1024;
const IOVS: u32 = 2048; // up to 8 iovecs
const DATA: u32 = 4096;
const MAX_IO: u32 = 160 * 1024;
const MEM: usize = (DATA + MAX_IO) as usize;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Comp {
    A,
    B,
    C,
    Dot,
    DotDot,
    Empty,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct P {
    comps: Vec<Comp>,
    leading_slash: bool,
    trailing_slash: bool,
}

impl P {
    fn render(&self) -> String {
        let mut s = String::new();
        if self.leading_slash {
            s.push('/');
        }
        let parts: Vec<&str> = self
            .comps
            .iter()
            .take(6)
            .map(|c| match c {
                Comp::A => "a",
                Comp::B => "b",
                Comp::C => "c",
                Comp::Dot => ".",
                Comp::DotDot => "..",
                Comp::Empty => "",
            })
            .collect();
        s.push_str(&parts.join("/"));
        if self.trailing_slash {
            s.push('/');
        }
        s
    }
}

/// An offset or length: small, near a 64 KiB chunk boundary, or anything.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Off {
    Small(u16),
    Chunk(u8, i16),
    Big(u64),
}

impl Off {
    fn get(self) -> u64 {
        match self {
            Off::Small(n) => u64::from(n),
            Off::Chunk(k, d) => (u64::from(k % 6) * 65536).saturating_add_signed(i64::from(d)),
            Off::Big(n) => n,
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    Open {
        dir: u8,
        follow: bool,
        path: P,
        oflags: u8,
        fdflags: u8,
        rights: u8,
    },
    Close {
        fd: u8,
    },
    Write {
        fd: u8,
        len: u32,
        iovs: u8,
    },
    Pwrite {
        fd: u8,
        len: u32,
        off: Off,
    },
    Read {
        fd: u8,
        len: u32,
        iovs: u8,
    },
    Pread {
        fd: u8,
        len: u32,
        off: Off,
    },
    Seek {
        fd: u8,
        delta: i32,
        whence: u8,
    },
    SetSize {
        fd: u8,
        len: Off,
    },
    Allocate {
        fd: u8,
        off: Off,
        len: Off,
    },
    SetFlags {
        fd: u8,
        flags: u8,
    },
    SetRights {
        fd: u8,
        drop: u8,
    },
    Renumber {
        from: u8,
        to: u8,
    },
    Mkdir {
        dir: u8,
        path: P,
    },
    Rmdir {
        dir: u8,
        path: P,
    },
    Unlink {
        dir: u8,
        path: P,
    },
    Rename {
        dir1: u8,
        p1: P,
        dir2: u8,
        p2: P,
    },
    Link {
        dir1: u8,
        follow: bool,
        p1: P,
        dir2: u8,
        p2: P,
    },
    Symlink {
        target: P,
        dir: u8,
        path: P,
    },
    Readlink {
        dir: u8,
        path: P,
        buf_len: u8,
    },
    Stat {
        dir: u8,
        follow: bool,
        path: P,
    },
    FdStat {
        fd: u8,
    },
    Readdir {
        fd: u8,
        buf_len: u16,
        cookie: u8,
    },
    ListAll {
        fd: u8,
        buf_len: u16,
    },
}

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
    ctx: WasiCtx,
    mem: Vec<u8>,
    fds: HashMap<u32, Shadow>,
    files: HashMap<Ino, ModelFile>,
    step: u32,
}

fn fd_of(x: u8) -> u32 {
    u32::from(x % 12)
}

fn rights_of(x: u8) -> u64 {
    let mut r = rights::FD_READ
        | rights::FD_SEEK
        | rights::FD_TELL
        | rights::FD_FILESTAT_GET
        | rights::FD_READDIR;
    if x & 1 != 0 {
        r |= rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE;
    }
    if x & 2 != 0 {
        r &= !rights::FD_READ;
    }
    if x & 4 != 0 {
        r = rights::ALL;
    }
    if x & 8 != 0 {
        r |= rights::FD_FDSTAT_SET_FLAGS;
    }
    r
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
            ctx,
            mem: vec![0; MEM],
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

    fn put_path(&mut self, at: u32, p: &P) -> (u32, u32) {
        let s = p.render();
        self.mem[at as usize..at as usize + s.len()].copy_from_slice(s.as_bytes());
        (at, s.len() as u32)
    }

    /// Lays out `len` bytes at DATA as `n` iovecs (some possibly empty).
    fn put_iovs(&mut self, len: u32, n: u8) -> u32 {
        let n = u32::from(n % 4) + 1;
        let mut at = DATA;
        let mut left = len;
        for i in 0..n {
            let piece = if i == n - 1 { left } else { left / 2 };
            let base = (IOVS + i * 8) as usize;
            self.mem[base..base + 4].copy_from_slice(&at.to_le_bytes());
            self.mem[base + 4..base + 8].copy_from_slice(&piece.to_le_bytes());
            at += piece;
            left -= piece;
        }
        n
    }

    fn fill_data(&mut self, len: u32) {
        let salt = self.step.wrapping_mul(31) as u8;
        for (i, b) in self.mem[DATA as usize..(DATA + len) as usize]
            .iter_mut()
            .enumerate()
        {
            *b = (i as u8).wrapping_mul(7).wrapping_add(salt) | 1;
        }
    }

    fn u32_at(&self, at: u32) -> u32 {
        u32::from_le_bytes(self.mem[at as usize..at as usize + 4].try_into().unwrap())
    }
    fn u64_at(&self, at: u32) -> u64 {
        u64::from_le_bytes(self.mem[at as usize..at as usize + 8].try_into().unwrap())
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
        macro_rules! mem {
            () => {
                &mut GuestMemory::new(&mut self.mem)
            };
        }
        match op {
            Op::Open {
                dir,
                follow,
                path: p,
                oflags: of,
                fdflags: ff,
                rights: r,
            } => {
                let dirfd = fd_of(*dir);
                let (ptr, len) = self.put_path(PATH1, p);
                let of = u32::from(*of & 0x0f);
                let ff = u32::from(*ff & 0x1f);
                let dirflags = if *follow {
                    lookupflags::SYMLINK_FOLLOW
                } else {
                    0
                };
                let res = path::path_open(
                    &mut self.ctx,
                    mem!(),
                    dirfd,
                    dirflags,
                    ptr,
                    len,
                    of,
                    rights_of(*r),
                    rights::ALL,
                    ff,
                    OUT,
                );
                if res.is_ok() {
                    let new = self.u32_at(OUT);
                    assert!(
                        !self.fds.contains_key(&new),
                        "path_open returned fd {new} which is already open"
                    );
                    let dir_ino = self
                        .dir_ino(dirfd)
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
                            append: ff as u16 & fdflags::APPEND != 0,
                        }
                    };
                    self.fds.insert(new, shadow);
                    if of as u16 & oflags::TRUNC != 0 {
                        if let Some(m) = self.model(ino) {
                            m.set_len(0);
                        }
                    } else if self.is_regular(ino) && !self.files.contains_key(&ino) {
                        // A file created by this call.
                        self.files.insert(ino, ModelFile::default());
                    }
                }
            }
            Op::Close { fd: f } => {
                let f = fd_of(*f);
                if fd::fd_close(&mut self.ctx, mem!(), f).is_ok() {
                    assert!(
                        self.fds.remove(&f).is_some(),
                        "closed fd {f} that was not open"
                    );
                } else {
                    assert!(!self.fds.contains_key(&f), "close of open fd {f} failed");
                }
            }
            Op::Write { fd: f, len, iovs } => {
                let f = fd_of(*f);
                let len = len % MAX_IO;
                self.fill_data(len);
                let n = self.put_iovs(len, *iovs);
                if fd::fd_write(&mut self.ctx, mem!(), f, IOVS, n, OUT).is_ok() {
                    let written = self.u32_at(OUT);
                    if let Some(Shadow::File {
                        ino,
                        offset,
                        append,
                    }) = self.fds.get(&f).copied()
                    {
                        let data = self.mem[DATA as usize..(DATA + len) as usize].to_vec();
                        if let Some(m) = self.model(ino) {
                            assert_eq!(written, len, "short write to a file");
                            // An empty write leaves even an O_APPEND offset alone (Linux).
                            let at = if append && written > 0 { m.len } else { offset };
                            m.write(at, &data);
                            let end = at + u64::from(written);
                            self.fds.insert(
                                f,
                                Shadow::File {
                                    ino,
                                    offset: end,
                                    append,
                                },
                            );
                        }
                    }
                }
            }
            Op::Pwrite { fd: f, len, off } => {
                let f = fd_of(*f);
                let len = len % MAX_IO;
                self.fill_data(len);
                let n = self.put_iovs(len, 0);
                let off = off.get();
                if fd::fd_pwrite(&mut self.ctx, mem!(), f, IOVS, n, off, OUT).is_ok() {
                    let written = self.u32_at(OUT);
                    if let Some(Shadow::File { ino, append, .. }) = self.fds.get(&f).copied() {
                        let data = self.mem[DATA as usize..(DATA + len) as usize].to_vec();
                        if let Some(m) = self.model(ino) {
                            assert_eq!(written, len, "short pwrite to a file");
                            let at = if append { m.len } else { off };
                            m.write(at, &data);
                        }
                    }
                }
            }
            Op::Read { fd: f, len, iovs } => {
                let f = fd_of(*f);
                let len = len % MAX_IO;
                let n = self.put_iovs(len, *iovs);
                if fd::fd_read(&mut self.ctx, mem!(), f, IOVS, n, OUT).is_ok() {
                    let got = self.u32_at(OUT);
                    assert!(got <= len, "read {got} bytes into {len}");
                    if let Some(Shadow::File {
                        ino,
                        offset,
                        append,
                    }) = self.fds.get(&f).copied()
                    {
                        let bytes = self.mem[DATA as usize..(DATA + got) as usize].to_vec();
                        if let Some(m) = self.model(ino) {
                            check_read(m, offset, len, &bytes);
                            self.fds.insert(
                                f,
                                Shadow::File {
                                    ino,
                                    offset: offset + u64::from(got),
                                    append,
                                },
                            );
                        }
                    }
                }
            }
            Op::Pread { fd: f, len, off } => {
                let f = fd_of(*f);
                let len = len % MAX_IO;
                let n = self.put_iovs(len, 0);
                let off = off.get();
                if fd::fd_pread(&mut self.ctx, mem!(), f, IOVS, n, off, OUT).is_ok() {
                    let got = self.u32_at(OUT);
                    if let Some(Shadow::File { ino, .. }) = self.fds.get(&f).copied() {
                        let bytes = self.mem[DATA as usize..(DATA + got) as usize].to_vec();
                        if let Some(m) = self.model(ino) {
                            check_read(m, off, len, &bytes);
                        }
                    }
                }
            }
            Op::Seek {
                fd: f,
                delta,
                whence,
            } => {
                let f = fd_of(*f);
                let wh = u32::from(whence % 4);
                if fd::fd_seek(&mut self.ctx, mem!(), f, i64::from(*delta), wh, OUT).is_ok() {
                    let new = self.u64_at(OUT);
                    if let Some(Shadow::File {
                        ino,
                        offset,
                        append,
                    }) = self.fds.get(&f).copied()
                    {
                        if let Some(m) = self.model(ino) {
                            let base = match wh {
                                0 => 0i128,
                                1 => i128::from(offset),
                                _ => i128::from(m.len),
                            };
                            assert_eq!(i128::from(new), base + i128::from(*delta), "seek result");
                            self.fds.insert(
                                f,
                                Shadow::File {
                                    ino,
                                    offset: new,
                                    append,
                                },
                            );
                        }
                    }
                }
            }
            Op::SetSize { fd: f, len } => {
                let f = fd_of(*f);
                let len = len.get();
                if fd::fd_filestat_set_size(&mut self.ctx, mem!(), f, len).is_ok() {
                    if let Some(Shadow::File { ino, .. }) = self.fds.get(&f).copied() {
                        if let Some(m) = self.model(ino) {
                            m.set_len(len);
                        }
                    }
                }
            }
            Op::Allocate { fd: f, off, len } => {
                let f = fd_of(*f);
                let (off, len) = (off.get(), len.get());
                if fd::fd_allocate(&mut self.ctx, mem!(), f, off, len).is_ok() {
                    if let Some(Shadow::File { ino, .. }) = self.fds.get(&f).copied() {
                        if let Some(m) = self.model(ino) {
                            let end = off + len;
                            if end > m.len {
                                m.set_len(end);
                            }
                        }
                    }
                }
            }
            Op::SetFlags { fd: f, flags } => {
                let f = fd_of(*f);
                let flags = u32::from(flags & 0x1f);
                if fd::fd_fdstat_set_flags(&mut self.ctx, mem!(), f, flags).is_ok() {
                    if let Some(Shadow::File { ino, offset, .. }) = self.fds.get(&f).copied() {
                        let append = flags as u16 & fdflags::APPEND != 0;
                        self.fds.insert(
                            f,
                            Shadow::File {
                                ino,
                                offset,
                                append,
                            },
                        );
                    }
                }
            }
            Op::SetRights { fd: f, drop } => {
                let f = fd_of(*f);
                let _ = fd::fd_fdstat_get(&mut self.ctx, mem!(), f, OUT);
                let (base, inh) = (self.u64_at(OUT + 8), self.u64_at(OUT + 16));
                let bit = 1u64 << (drop % 30);
                let _ = fd::fd_fdstat_set_rights(&mut self.ctx, mem!(), f, base & !bit, inh & !bit);
            }
            Op::Renumber { from, to } => {
                let (from, to) = (fd_of(*from), fd_of(*to));
                if fd::fd_renumber(&mut self.ctx, mem!(), from, to).is_ok() {
                    let moved = self.fds.remove(&from).expect("renumbered a closed fd");
                    self.fds.insert(to, moved);
                }
            }
            Op::Mkdir { dir, path: p } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let _ = path::path_create_directory(&mut self.ctx, mem!(), fd_of(*dir), ptr, len);
            }
            Op::Rmdir { dir, path: p } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let _ = path::path_remove_directory(&mut self.ctx, mem!(), fd_of(*dir), ptr, len);
            }
            Op::Unlink { dir, path: p } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let _ = path::path_unlink_file(&mut self.ctx, mem!(), fd_of(*dir), ptr, len);
            }
            Op::Rename { dir1, p1, dir2, p2 } => {
                let (a, al) = self.put_path(PATH1, p1);
                let (b, bl) = self.put_path(PATH2, p2);
                let _ = path::path_rename(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*dir1),
                    a,
                    al,
                    fd_of(*dir2),
                    b,
                    bl,
                );
            }
            Op::Link {
                dir1,
                follow,
                p1,
                dir2,
                p2,
            } => {
                let (a, al) = self.put_path(PATH1, p1);
                let (b, bl) = self.put_path(PATH2, p2);
                let fl = if *follow {
                    lookupflags::SYMLINK_FOLLOW
                } else {
                    0
                };
                let _ = path::path_link(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*dir1),
                    fl,
                    a,
                    al,
                    fd_of(*dir2),
                    b,
                    bl,
                );
            }
            Op::Symlink {
                target,
                dir,
                path: p,
            } => {
                let (a, al) = self.put_path(PATH1, target);
                let (b, bl) = self.put_path(PATH2, p);
                let _ = path::path_symlink(&mut self.ctx, mem!(), a, al, fd_of(*dir), b, bl);
            }
            Op::Readlink {
                dir,
                path: p,
                buf_len,
            } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let bl = u32::from(*buf_len);
                if path::path_readlink(&mut self.ctx, mem!(), fd_of(*dir), ptr, len, DATA, bl, OUT)
                    .is_ok()
                {
                    assert!(self.u32_at(OUT) <= bl, "readlink overran its buffer");
                }
            }
            Op::Stat {
                dir,
                follow,
                path: p,
            } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let fl = if *follow {
                    lookupflags::SYMLINK_FOLLOW
                } else {
                    0
                };
                if path::path_filestat_get(&mut self.ctx, mem!(), fd_of(*dir), fl, ptr, len, OUT)
                    .is_ok()
                {
                    self.check_stat();
                }
            }
            Op::FdStat { fd: f } => {
                if fd::fd_filestat_get(&mut self.ctx, mem!(), fd_of(*f), OUT).is_ok() {
                    self.check_stat();
                }
            }
            Op::Readdir {
                fd: f,
                buf_len,
                cookie,
            } => {
                let bl = u32::from(*buf_len) % 4096;
                if fd::fd_readdir(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*f),
                    DATA,
                    bl,
                    u64::from(*cookie % 16),
                    OUT,
                )
                .is_ok()
                {
                    assert!(self.u32_at(OUT) <= bl, "readdir overran its buffer");
                }
            }
            Op::ListAll { fd: f, buf_len } => {
                self.list_all(fd_of(*f), u32::from(*buf_len) % 2048 + 24 + 8)
            }
        }
    }

    /// Checks a filestat at OUT against the model (size of modelled files).
    fn check_stat(&self) {
        let ino = self.u64_at(OUT + 8);
        let filetype = self.mem[(OUT + 16) as usize];
        let size = self.u64_at(OUT + 32);
        if filetype == wasi_shim::abi::filetype::REGULAR_FILE {
            if let Some(m) = self.files.get(&ino) {
                assert_eq!(size, m.len, "stat size of inode {ino}");
            }
        }
    }

    /// Lists a directory fd completely, following cookies, and compares the
    /// names with the tree: `.`, `..`, then every entry exactly once.
    fn list_all(&mut self, f: u32, buf_len: u32) {
        let Some(dir_ino) = self.dir_ino(f) else {
            return;
        };
        let mut cookie = 0u64;
        let mut names = Vec::new();
        for _ in 0..10_000 {
            if fd::fd_readdir(
                &mut self.ctx,
                &mut GuestMemory::new(&mut self.mem),
                f,
                DATA,
                buf_len,
                cookie,
                OUT,
            )
            .is_err()
            {
                return;
            }
            let used = self.u32_at(OUT);
            assert!(used <= buf_len);
            let mut p = 0u32;
            let mut progressed = false;
            while p + 24 <= used {
                let namlen = self.u32_at(DATA + p + 16);
                if p + 24 + namlen > used {
                    break;
                }
                let at = (DATA + p + 24) as usize;
                names.push(String::from_utf8(self.mem[at..at + namlen as usize].to_vec()).unwrap());
                cookie = self.u64_at(DATA + p);
                p += 24 + namlen;
                progressed = true;
            }
            if used < buf_len {
                break;
            }
            assert!(
                progressed,
                "a full buffer without one whole entry (buf_len {buf_len})"
            );
        }
        let t = self.fs.lock();
        let node = t.get(dir_ino).unwrap();
        let mut expect: Vec<String> = Vec::new();
        if node.nlink > 0 {
            expect.push(".".into());
            expect.push("..".into());
            expect.extend(node.as_dir().unwrap().iter().map(|(n, _)| n.to_owned()));
        }
        assert_eq!(names, expect, "full listing of directory inode {dir_ino}");
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
        let _ = fd::fd_close(&mut w.ctx, &mut GuestMemory::new(&mut w.mem), f);
    }
    w.fds.clear();
    w.check();
}
