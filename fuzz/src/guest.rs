//! The syscall-level fuzz input (`Op`: one WASI call with small-alphabet
//! paths and random arguments) and the guest that runs it ([`Guest`]: a
//! context and its guest memory). [`Guest::exec`] lays the arguments out in
//! memory, makes the call and returns what the guest can see of it
//! ([`Outcome`]); the targets judge it: `syscall_sequence` against a model
//! of the tree, `backend_syscalls` against the same call on other backends.

use arbitrary::Arbitrary;
use wasi_shim::abi::{lookupflags, rights};
use wasi_shim::memory::GuestMemory;
use wasi_shim::syscalls::{fd, path};
use wasi_shim::{Errno, WasiCtx};

// Guest memory layout.
const OUT: u32 = 0; // 64 bytes of out-values
const PATH1: u32 = 64;
const PATH2: u32 = 1024;
const IOVS: u32 = 2048; // up to 8 iovecs
const DATA: u32 = 4096;
/// The largest read or write, in bytes.
pub const MAX_IO: u32 = 160 * 1024;
const MEM: usize = (DATA + MAX_IO) as usize;

/// The fds a sequence names: 0..12 (the contexts allow 12 open fds).
pub const FDS: u32 = 12;

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
    /// The relative path `s`, of components `a`, `b`, `c`, `.`, `..` and
    /// empty ones (for tests; panics on any other name).
    pub fn of(s: &str) -> P {
        let comps = s
            .split('/')
            .map(|c| match c {
                "a" => Comp::A,
                "b" => Comp::B,
                "c" => Comp::C,
                "." => Comp::Dot,
                ".." => Comp::DotDot,
                "" => Comp::Empty,
                other => panic!("no component {other:?} in the alphabet"),
            })
            .collect();
        P {
            comps,
            leading_slash: false,
            trailing_slash: false,
        }
    }

    /// The path as the guest passes it.
    pub fn render(&self) -> String {
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
    /// The value it stands for.
    pub fn get(self) -> u64 {
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

/// The fd an input byte names.
pub fn fd_of(x: u8) -> u32 {
    u32::from(x) % FDS
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

/// The `filestat` a call wrote, the fields that say what a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatOut {
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
}

/// What the guest sees of one call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The errno, if the call failed.
    pub errno: Option<Errno>,
    /// The number it returned: a new fd, a byte count, an offset.
    pub value: u64,
    /// The bytes it wrote into guest buffers (data read, a link target,
    /// `fd_readdir` records).
    pub bytes: Vec<u8>,
    /// The `filestat` of `path_filestat_get` / `fd_filestat_get`.
    pub stat: Option<StatOut>,
    /// The names of a complete listing (`ListAll`), in the order read.
    pub names: Vec<String>,
}

impl Outcome {
    fn of(r: Result<(), Errno>) -> Outcome {
        Outcome {
            errno: r.err(),
            ..Outcome::default()
        }
    }

    /// Whether the call succeeded.
    pub fn ok(&self) -> bool {
        self.errno.is_none()
    }
}

/// A call on one path of a directory fd: `path_create_directory`,
/// `path_remove_directory`, `path_unlink_file`.
type PathCall = fn(&mut WasiCtx, &mut GuestMemory<'_>, u32, u32, u32) -> Result<(), Errno>;

/// A context and its guest memory.
pub struct Guest {
    pub ctx: WasiCtx,
    mem: Vec<u8>,
    step: u32,
}

impl Guest {
    pub fn new(ctx: WasiCtx) -> Guest {
        Guest {
            ctx,
            mem: vec![0; MEM],
            step: 0,
        }
    }

    /// Counts a step without making a call (one skipped on this guest but
    /// made on another), so that both write the same bytes afterwards.
    pub fn skip(&mut self) {
        self.step += 1;
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

    /// The bytes a write of `len` bytes at this step writes (the same on
    /// every guest that runs the same sequence).
    fn fill_data(&mut self, len: u32) {
        let salt = self.step.wrapping_mul(31) as u8;
        for (i, b) in self.mem[DATA as usize..(DATA + len) as usize]
            .iter_mut()
            .enumerate()
        {
            *b = (i as u8).wrapping_mul(7).wrapping_add(salt) | 1;
        }
    }

    /// `len` bytes of the data area.
    pub fn data(&self, len: u32) -> &[u8] {
        &self.mem[DATA as usize..(DATA + len) as usize]
    }

    fn u32_at(&self, at: u32) -> u32 {
        u32::from_le_bytes(self.mem[at as usize..at as usize + 4].try_into().unwrap())
    }
    fn u64_at(&self, at: u32) -> u64 {
        u64::from_le_bytes(self.mem[at as usize..at as usize + 8].try_into().unwrap())
    }

    fn stat_out(&self) -> StatOut {
        StatOut {
            ino: self.u64_at(OUT + 8),
            filetype: self.mem[(OUT + 16) as usize],
            nlink: self.u64_at(OUT + 24),
            size: self.u64_at(OUT + 32),
        }
    }

    /// Makes the call `op` stands for and returns what the guest sees.
    /// Panics if a call writes past the buffer it was given.
    pub fn exec(&mut self, op: &Op) -> Outcome {
        self.step += 1;
        macro_rules! mem {
            () => {
                &mut GuestMemory::new(&mut self.mem)
            };
        }
        let follow_flag = |follow: bool| {
            if follow {
                lookupflags::SYMLINK_FOLLOW
            } else {
                0
            }
        };
        match op {
            Op::Open {
                dir,
                follow,
                path: p,
                oflags: of,
                fdflags: ff,
                rights: r,
            } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let res = path::path_open(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*dir),
                    follow_flag(*follow),
                    ptr,
                    len,
                    u32::from(*of & 0x0f),
                    rights_of(*r),
                    rights::ALL,
                    u32::from(*ff & 0x1f),
                    OUT,
                );
                self.with_value(res, |g| u64::from(g.u32_at(OUT)))
            }
            Op::Close { fd: f } => Outcome::of(fd::fd_close(&mut self.ctx, mem!(), fd_of(*f))),
            Op::Write { fd: f, len, iovs } => {
                let len = len % MAX_IO;
                self.fill_data(len);
                let n = self.put_iovs(len, *iovs);
                let res = fd::fd_write(&mut self.ctx, mem!(), fd_of(*f), IOVS, n, OUT);
                self.with_value(res, |g| u64::from(g.u32_at(OUT)))
            }
            Op::Pwrite { fd: f, len, off } => {
                let len = len % MAX_IO;
                self.fill_data(len);
                let n = self.put_iovs(len, 0);
                let res = fd::fd_pwrite(&mut self.ctx, mem!(), fd_of(*f), IOVS, n, off.get(), OUT);
                self.with_value(res, |g| u64::from(g.u32_at(OUT)))
            }
            Op::Read { fd: f, len, iovs } => {
                let len = len % MAX_IO;
                let n = self.put_iovs(len, *iovs);
                let res = fd::fd_read(&mut self.ctx, mem!(), fd_of(*f), IOVS, n, OUT);
                self.with_bytes(res, len)
            }
            Op::Pread { fd: f, len, off } => {
                let len = len % MAX_IO;
                let n = self.put_iovs(len, 0);
                let res = fd::fd_pread(&mut self.ctx, mem!(), fd_of(*f), IOVS, n, off.get(), OUT);
                self.with_bytes(res, len)
            }
            Op::Seek {
                fd: f,
                delta,
                whence,
            } => {
                let wh = u32::from(whence % 4);
                let res = fd::fd_seek(&mut self.ctx, mem!(), fd_of(*f), i64::from(*delta), wh, OUT);
                self.with_value(res, |g| g.u64_at(OUT))
            }
            Op::SetSize { fd: f, len } => Outcome::of(fd::fd_filestat_set_size(
                &mut self.ctx,
                mem!(),
                fd_of(*f),
                len.get(),
            )),
            Op::Allocate { fd: f, off, len } => Outcome::of(fd::fd_allocate(
                &mut self.ctx,
                mem!(),
                fd_of(*f),
                off.get(),
                len.get(),
            )),
            Op::SetFlags { fd: f, flags } => Outcome::of(fd::fd_fdstat_set_flags(
                &mut self.ctx,
                mem!(),
                fd_of(*f),
                u32::from(flags & 0x1f),
            )),
            Op::SetRights { fd: f, drop } => {
                let f = fd_of(*f);
                let _ = fd::fd_fdstat_get(&mut self.ctx, mem!(), f, OUT);
                let (base, inh) = (self.u64_at(OUT + 8), self.u64_at(OUT + 16));
                let bit = 1u64 << (drop % 30);
                Outcome::of(fd::fd_fdstat_set_rights(
                    &mut self.ctx,
                    mem!(),
                    f,
                    base & !bit,
                    inh & !bit,
                ))
            }
            Op::Renumber { from, to } => Outcome::of(fd::fd_renumber(
                &mut self.ctx,
                mem!(),
                fd_of(*from),
                fd_of(*to),
            )),
            Op::Mkdir { dir, path: p }
            | Op::Rmdir { dir, path: p }
            | Op::Unlink { dir, path: p } => {
                let call: PathCall = match op {
                    Op::Mkdir { .. } => path::path_create_directory,
                    Op::Rmdir { .. } => path::path_remove_directory,
                    _ => path::path_unlink_file,
                };
                let (ptr, len) = self.put_path(PATH1, p);
                Outcome::of(call(&mut self.ctx, mem!(), fd_of(*dir), ptr, len))
            }
            Op::Rename { dir1, p1, dir2, p2 } => {
                let (a, al) = self.put_path(PATH1, p1);
                let (b, bl) = self.put_path(PATH2, p2);
                Outcome::of(path::path_rename(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*dir1),
                    a,
                    al,
                    fd_of(*dir2),
                    b,
                    bl,
                ))
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
                Outcome::of(path::path_link(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*dir1),
                    follow_flag(*follow),
                    a,
                    al,
                    fd_of(*dir2),
                    b,
                    bl,
                ))
            }
            Op::Symlink {
                target,
                dir,
                path: p,
            } => {
                let (a, al) = self.put_path(PATH1, target);
                let (b, bl) = self.put_path(PATH2, p);
                Outcome::of(path::path_symlink(
                    &mut self.ctx,
                    mem!(),
                    a,
                    al,
                    fd_of(*dir),
                    b,
                    bl,
                ))
            }
            Op::Readlink {
                dir,
                path: p,
                buf_len,
            } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let bl = u32::from(*buf_len);
                let res = path::path_readlink(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*dir),
                    ptr,
                    len,
                    DATA,
                    bl,
                    OUT,
                );
                self.with_bytes(res, bl)
            }
            Op::Stat {
                dir,
                follow,
                path: p,
            } => {
                let (ptr, len) = self.put_path(PATH1, p);
                let res = path::path_filestat_get(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*dir),
                    follow_flag(*follow),
                    ptr,
                    len,
                    OUT,
                );
                self.with_stat(res)
            }
            Op::FdStat { fd: f } => {
                let res = fd::fd_filestat_get(&mut self.ctx, mem!(), fd_of(*f), OUT);
                self.with_stat(res)
            }
            Op::Readdir {
                fd: f,
                buf_len,
                cookie,
            } => {
                let bl = u32::from(*buf_len) % 4096;
                let res = fd::fd_readdir(
                    &mut self.ctx,
                    mem!(),
                    fd_of(*f),
                    DATA,
                    bl,
                    u64::from(*cookie % 16),
                    OUT,
                );
                self.with_bytes(res, bl)
            }
            Op::ListAll { fd: f, buf_len } => {
                self.list_all(fd_of(*f), u32::from(*buf_len) % 2048 + 24 + 8)
            }
        }
    }

    fn with_value(&self, res: Result<(), Errno>, value: impl Fn(&Guest) -> u64) -> Outcome {
        let mut out = Outcome::of(res);
        if out.ok() {
            out.value = value(self);
        }
        out
    }

    /// A call that wrote a count at OUT and that many bytes at DATA, into
    /// a buffer of `len`.
    fn with_bytes(&self, res: Result<(), Errno>, len: u32) -> Outcome {
        let mut out = Outcome::of(res);
        if out.ok() {
            let n = self.u32_at(OUT);
            assert!(n <= len, "{n} bytes returned into a buffer of {len}");
            out.value = u64::from(n);
            out.bytes = self.data(n).to_vec();
        }
        out
    }

    fn with_stat(&self, res: Result<(), Errno>) -> Outcome {
        let mut out = Outcome::of(res);
        if out.ok() {
            out.stat = Some(self.stat_out());
        }
        out
    }

    /// Lists directory fd `f` completely, following cookies, with a buffer
    /// of `buf_len`: the names in the order read.
    fn list_all(&mut self, f: u32, buf_len: u32) -> Outcome {
        let mut cookie = 0u64;
        let mut out = Outcome::default();
        for _ in 0..10_000 {
            if let Err(e) = fd::fd_readdir(
                &mut self.ctx,
                &mut GuestMemory::new(&mut self.mem),
                f,
                DATA,
                buf_len,
                cookie,
                OUT,
            ) {
                out.errno = Some(e);
                return out;
            }
            let used = self.u32_at(OUT);
            assert!(used <= buf_len, "readdir overran its buffer");
            let mut p = 0u32;
            let mut progressed = false;
            while p + 24 <= used {
                let namlen = self.u32_at(DATA + p + 16);
                if p + 24 + namlen > used {
                    break;
                }
                let at = (DATA + p + 24) as usize;
                out.names
                    .push(String::from_utf8(self.mem[at..at + namlen as usize].to_vec()).unwrap());
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
        out
    }
}
