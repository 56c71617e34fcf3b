//! Model test: random syscall sequences run against the shim's core *and*
//! against a real Linux directory (openat-style syscalls through `libc`), with
//! the same errno and the same resulting tree required at every step.
//!
//! Run: `cargo test -p afmpeg-wasi-shim --test model` (256 cases from a fixed
//! seed). Other and more cases: `PROPTEST_RNG_SEED=7 PROPTEST_CASES=5000
//! cargo test -p afmpeg-wasi-shim --test model`.
//!
//! Every case runs once per kind of preopen ([`Mount`]): a tree preopened
//! with `preopen_dir` (the syscalls' tree code), the same tree as a
//! `MemoryDir` backend, a second real directory as a `HostDir` backend, and
//! an `OverlayDir` (a read-only real directory under an in-memory upper
//! layer, whose lower directory must be unchanged at the end): the syscall
//! layer's semantics are required to be the same on every backend.
//!
//! How it works
//! - Each case starts from the same small tree on both sides (see [`SEED`]).
//! - Paths come from a tiny alphabet (`a`, `b`, `d`, `l`, `.`, `..`, trailing
//!   `/`) so operations collide: creating over existing names, renaming onto
//!   each other, symlinks to files, to directories, dangling and looping.
//! - Open fds live in "slots"; an op names a slot by index (taken modulo the
//!   number of open slots) so a shrunk sequence stays meaningful.
//! - Path ops may be relative to the root or to an open directory slot.
//! - After every op the errno (or the returned data) is compared, then the
//!   whole tree (names, types, contents, symlink targets, nlink, which names
//!   share an inode) and the shim's `check_invariants()`.
//!
//! Staying inside the temp directory: the generator never makes a path whose
//! `..` leaves its base lexically, but symlinks (and directory fds) can still
//! point a `..` outside. Before each op every path it will resolve is
//! resolved on the shim's tree with `wasi_shim::path::resolve`; if any would
//! leave its base (`EPERM`, the shim's escape errno) the op is skipped on
//! *both* sides — the shim's escape handling is the escape suite's job. As a
//! second line of defence the Linux root sits under a chain of guard
//! directories that must still be untouched at the end of each case.

use proptest::prelude::*;
use proptest::strategy::Union;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::CString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;
use wasi_shim::abi::{lookupflags, oflags, rights};
use wasi_shim::backend::{self, BackendDir, HostDir, MemoryDir, OverlayDir};
use wasi_shim::fs::tree::ROOT;
use wasi_shim::fs::{FileKind, Filesystem};
use wasi_shim::memory::GuestMemory;
use wasi_shim::syscalls::{fd as sfd, path as spath};
use wasi_shim::{Errno, WasiCtx};

// ---------------------------------------------------------------------------
// Operations and their generators
// ---------------------------------------------------------------------------

/// One syscall. `at` is `None` for the root (the preopen / the temp dir's
/// fd) or `Some(i)` for open slot `i % slots`; `slot` likewise.
#[derive(Debug, Clone)]
enum Op {
    Open {
        at: Option<usize>,
        path: String,
        creat: bool,
        excl: bool,
        trunc: bool,
        dir: bool,
        follow: bool,
        write: bool,
        append: bool,
    },
    Close {
        slot: usize,
    },
    Write {
        slot: usize,
        data: Vec<u8>,
    },
    Pwrite {
        slot: usize,
        off: u64,
        data: Vec<u8>,
    },
    Read {
        slot: usize,
        len: u32,
    },
    Pread {
        slot: usize,
        off: u64,
        len: u32,
    },
    Seek {
        slot: usize,
        delta: i64,
        whence: u8,
    },
    Truncate {
        slot: usize,
        len: u64,
    },
    /// `fd_allocate` / `fallocate(fd, 0, off, len)`.
    Allocate {
        slot: usize,
        off: u64,
        len: u64,
    },
    /// `fd_read` with several iovecs / `readv`: one read filling each
    /// buffer in turn.
    Readv {
        slot: usize,
        lens: Vec<u32>,
    },
    /// `fd_write` with several iovecs / `writev`.
    Writev {
        slot: usize,
        data: Vec<Vec<u8>>,
    },
    Fstat {
        slot: usize,
    },
    Readdir {
        slot: usize,
    },
    Mkdir {
        at: Option<usize>,
        path: String,
    },
    Rmdir {
        at: Option<usize>,
        path: String,
    },
    Unlink {
        at: Option<usize>,
        path: String,
    },
    Rename {
        at: Option<usize>,
        from: String,
        at2: Option<usize>,
        to: String,
    },
    Link {
        at: Option<usize>,
        from: String,
        follow: bool,
        at2: Option<usize>,
        to: String,
    },
    Symlink {
        target: String,
        at: Option<usize>,
        path: String,
    },
    Readlink {
        at: Option<usize>,
        path: String,
    },
    Stat {
        at: Option<usize>,
        path: String,
        follow: bool,
    },
}

/// The tree every case starts from: `a` (file), `d/` (dir), `d/b` (file),
/// `l -> d` (symlink to a dir). Names of the alphabet thus exist from op 1.
const SEED: &[(&str, Seed)] = &[
    ("a", Seed::File(b"0123456789")),
    ("d", Seed::Dir),
    ("d/b", Seed::File(b"xyz")),
    ("l", Seed::Link("d")),
];

#[derive(Clone, Copy)]
enum Seed {
    File(&'static [u8]),
    Dir,
    Link(&'static str),
}

fn component() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just("a"), 4 => Just("b"), 4 => Just("d"), 3 => Just("l"), 1 => Just("."), 2 => Just("..")]
}

/// A relative path of 1–3 components, optionally with a trailing slash,
/// whose `..` never climbs above its base lexically (such a `..` becomes `d`).
fn path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(component(), 1..=3),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(cs, slash)| {
            let mut depth = 0i32;
            let mut out = Vec::new();
            for c in cs {
                match c {
                    ".." if depth == 0 => {
                        out.push("d");
                        depth += 1;
                    }
                    ".." => {
                        out.push("..");
                        depth -= 1;
                    }
                    "." => out.push("."),
                    name => {
                        out.push(name);
                        depth += 1;
                    }
                }
            }
            let mut s = out.join("/");
            if slash {
                s.push('/');
            }
            s
        })
}

/// A symlink target: any relative path of the alphabet (it is relative to
/// the link's directory, so a leading `..` can be legitimate).
fn target() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(component(), 1..=3),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(cs, slash)| {
            let mut s = cs.join("/");
            if slash {
                s.push('/');
            }
            s
        })
}

fn at() -> impl Strategy<Value = Option<usize>> {
    prop::option::weighted(0.2, 0..8usize)
}

fn slot() -> impl Strategy<Value = usize> {
    0..8usize
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(b'A'..=b'Z', 0..12)
}

/// Offsets and sizes: mostly small, sometimes across a page or the shim's
/// 64 KiB chunk boundary.
fn offset() -> impl Strategy<Value = u64> {
    prop_oneof![8 => 0u64..48, 1 => 4090u64..4100, 1 => 65530u64..65545]
}

fn op() -> impl Strategy<Value = Op> {
    let open = (
        at(),
        path(),
        prop::bool::weighted(0.6),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(at, path, creat, excl, trunc, dir, follow, write, append)| Op::Open {
                at,
                path,
                creat,
                excl,
                trunc,
                dir,
                follow,
                write,
                append,
            },
        );
    Union::new_weighted(vec![
        (12, open.boxed()),
        (3, slot().prop_map(|slot| Op::Close { slot }).boxed()),
        (
            5,
            (slot(), data())
                .prop_map(|(slot, data)| Op::Write { slot, data })
                .boxed(),
        ),
        (
            4,
            (slot(), offset(), data())
                .prop_map(|(slot, off, data)| Op::Pwrite { slot, off, data })
                .boxed(),
        ),
        (
            3,
            (slot(), 0u32..40)
                .prop_map(|(slot, len)| Op::Read { slot, len })
                .boxed(),
        ),
        (
            3,
            (slot(), offset(), 0u32..40)
                .prop_map(|(slot, off, len)| Op::Pread { slot, off, len })
                .boxed(),
        ),
        (
            3,
            (slot(), prop_oneof![-40i64..60, 4090i64..4100], 0u8..3)
                .prop_map(|(slot, delta, whence)| Op::Seek {
                    slot,
                    delta,
                    whence,
                })
                .boxed(),
        ),
        (
            3,
            (slot(), offset())
                .prop_map(|(slot, len)| Op::Truncate { slot, len })
                .boxed(),
        ),
        (
            2,
            (
                slot(),
                prop_oneof![8 => offset(), 1 => Just(i64::MAX as u64 - 1)],
                prop_oneof![1 => Just(0u64), 8 => 1u64..40, 1 => 4090u64..4100],
            )
                .prop_map(|(slot, off, len)| Op::Allocate { slot, off, len })
                .boxed(),
        ),
        (
            2,
            (slot(), prop::collection::vec(0u32..12, 2..4))
                .prop_map(|(slot, lens)| Op::Readv { slot, lens })
                .boxed(),
        ),
        (
            2,
            (slot(), prop::collection::vec(data(), 2..4))
                .prop_map(|(slot, data)| Op::Writev { slot, data })
                .boxed(),
        ),
        (2, slot().prop_map(|slot| Op::Fstat { slot }).boxed()),
        (2, slot().prop_map(|slot| Op::Readdir { slot }).boxed()),
        (
            5,
            (at(), path())
                .prop_map(|(at, path)| Op::Mkdir { at, path })
                .boxed(),
        ),
        (
            3,
            (at(), path())
                .prop_map(|(at, path)| Op::Rmdir { at, path })
                .boxed(),
        ),
        (
            4,
            (at(), path())
                .prop_map(|(at, path)| Op::Unlink { at, path })
                .boxed(),
        ),
        (
            5,
            (at(), path(), at(), path())
                .prop_map(|(at, from, at2, to)| Op::Rename { at, from, at2, to })
                .boxed(),
        ),
        (
            4,
            (at(), path(), any::<bool>(), at(), path())
                .prop_map(|(at, from, follow, at2, to)| Op::Link {
                    at,
                    from,
                    follow,
                    at2,
                    to,
                })
                .boxed(),
        ),
        (
            4,
            (target(), at(), path())
                .prop_map(|(target, at, path)| Op::Symlink { target, at, path })
                .boxed(),
        ),
        (
            2,
            (at(), path())
                .prop_map(|(at, path)| Op::Readlink { at, path })
                .boxed(),
        ),
        (
            3,
            (at(), path(), any::<bool>())
                .prop_map(|(at, path, follow)| Op::Stat { at, path, follow })
                .boxed(),
        ),
    ])
}

// ---------------------------------------------------------------------------
// Comparable results
// ---------------------------------------------------------------------------

const FT_CHAR: u8 = 2;
const FT_DIR: u8 = 3;
const FT_FILE: u8 = 4;
const FT_LINK: u8 = 7;

/// The parts of a `stat` both sides must agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stat {
    filetype: u8,
    /// `None` for directories: their size is filesystem-specific (ext4 says
    /// 4096, tmpfs counts entries, the shim counts entries) and meaningless.
    size: Option<u64>,
    /// `None` for directories unless the host filesystem keeps the classic
    /// `2 + subdirectories` count (btrfs, for one, always says 1).
    nlink: Option<u64>,
}

/// What a successful op returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Unit,
    /// Bytes read, or a symlink target.
    Bytes(Vec<u8>),
    /// Bytes written / new offset.
    Count(u64),
    Stat(Stat),
    /// Directory listing: (name, filetype), `.` and `..` included, as a set
    /// (listing order is filesystem-specific).
    Names(BTreeSet<(String, u8)>),
}

/// Linux errno → WASI errno: the host backend's mapping, which must know
/// every errno Linux gives here (`EIO` is its answer for the others).
fn wasi_errno(e: i32) -> Errno {
    match Errno::from_io(&std::io::Error::from_raw_os_error(e)) {
        Errno::Io if e != libc::EIO => panic!("Linux errno {e} has no WASI equivalent"),
        errno => errno,
    }
}

fn last_errno() -> Errno {
    wasi_errno(
        std::io::Error::last_os_error()
            .raw_os_error()
            .expect("raw os error"),
    )
}

fn lcheck(r: libc::c_int) -> Result<libc::c_int, Errno> {
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(r)
    }
}

fn lcheck_size(r: isize) -> Result<u64, Errno> {
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(r as u64)
    }
}

fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL in generated paths")
}

fn linux_filetype(mode: u32) -> u8 {
    match mode & libc::S_IFMT {
        libc::S_IFREG => FT_FILE,
        libc::S_IFDIR => FT_DIR,
        libc::S_IFLNK => FT_LINK,
        libc::S_IFCHR => FT_CHAR,
        m => panic!("unexpected file mode {m:o}"),
    }
}

/// Whether directories on the host filesystem count `2 + subdirectories`
/// links; probed once.
fn host_dir_nlink() -> bool {
    static PROBE: OnceLock<bool> = OnceLock::new();
    *PROBE.get_or_init(|| {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(t.path().join("p/q")).expect("mkdir");
        std::fs::metadata(t.path().join("p")).expect("stat").nlink() == 3
    })
}

// ---------------------------------------------------------------------------
// The two sides
// ---------------------------------------------------------------------------

/// Guest memory layout for the shim calls.
const P1: u32 = 0; // first path
const P2: u32 = 512; // second path
const IOV: u32 = 1024; // one iovec
const IOVS: u32 = 2048; // up to 8 iovecs, each over its own 64 bytes of DATA
const OUT: u32 = 1040; // u32 / u64 results
const STAT: u32 = 1100; // filestat (64 bytes)
const LINKBUF: u32 = 1200; // readlink buffer
const LINKBUF_LEN: u32 = 256;
const DATA: u32 = 4096; // read / write data
const DIRBUF: u32 = 80 * 1024; // readdir buffer
const DIRBUF_LEN: u32 = 8192;
const MEM: usize = 96 * 1024;

const PREOPEN: u32 = 3;

struct Slot {
    shim: u32,
    linux: libc::c_int,
    /// The shim's inode, to pre-resolve paths relative to this slot.
    ino: u64,
    is_dir: bool,
}

/// What the shim's preopen is: the model runs on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mount {
    /// A tree preopened with `preopen_dir`: the syscalls' own tree code.
    Tree,
    /// The same tree mounted as a [`MemoryDir`] backend: the syscalls'
    /// backend code over the memory backend.
    MemoryBackend,
    /// A second real directory mounted as a [`HostDir`] backend.
    Host,
    /// An [`OverlayDir`]: a second real directory, read-only, under an
    /// in-memory upper layer. Renaming a directory that has a lower part is
    /// `EXDEV` there (Linux overlayfs without `redirect_dir`): such a step
    /// is not run on Linux.
    Overlay,
}

struct Harness {
    mount: Mount,
    /// The shim's tree (the in-memory mounts; empty for `Host`).
    fs: Filesystem,
    /// The shim's directory (`Host`), or its lower layer (`Overlay`).
    shim_root: Option<PathBuf>,
    /// The mount itself (`Overlay`), to walk what the guest sees.
    overlay: Option<Arc<OverlayDir>>,
    ctx: WasiCtx,
    mem: Vec<u8>,
    tmp: tempfile::TempDir,
    root: PathBuf,
    root_fd: libc::c_int,
    slots: Vec<Slot>,
    dir_nlink: bool,
}

/// Depth of the guard-directory chain above the Linux root.
const GUARDS: usize = 4;

impl Drop for Harness {
    fn drop(&mut self) {
        for s in &self.slots {
            unsafe { libc::close(s.linux) };
        }
        unsafe { libc::close(self.root_fd) };
    }
}

impl Harness {
    fn new(mount: Mount) -> Harness {
        let tmp = tempfile::tempdir().expect("tempdir");
        let guarded = |top: &str| {
            let mut root = tmp.path().join(top);
            for _ in 0..GUARDS {
                root.push("guard");
            }
            root.push("root");
            std::fs::create_dir_all(&root).expect("mkdir root");
            root
        };
        let root = guarded("linux");
        let on_host = matches!(mount, Mount::Host | Mount::Overlay);
        let shim_root = on_host.then(|| guarded("shim"));
        let fs = Filesystem::new();
        let host_roots = || std::iter::once(&root).chain(shim_root.as_ref());
        for (p, s) in SEED {
            match s {
                Seed::File(d) => {
                    if shim_root.is_none() {
                        fs.write(&format!("/{p}"), d.to_vec()).unwrap();
                    }
                    host_roots().for_each(|r| std::fs::write(r.join(p), d).unwrap());
                }
                Seed::Dir => {
                    if shim_root.is_none() {
                        fs.create_dir(&format!("/{p}")).unwrap();
                    }
                    host_roots().for_each(|r| std::fs::create_dir(r.join(p)).unwrap());
                }
                Seed::Link(t) => {
                    if shim_root.is_none() {
                        fs.symlink(t, &format!("/{p}")).unwrap();
                    }
                    host_roots().for_each(|r| std::os::unix::fs::symlink(t, r.join(p)).unwrap());
                }
            }
        }
        let overlay = match (mount, &shim_root) {
            (Mount::Overlay, Some(lower)) => {
                let lower = HostDir::open_ambient(lower, true).expect("open lower");
                Some(Arc::new(OverlayDir::new(Box::new(lower), &fs)))
            }
            _ => None,
        };
        let builder = WasiCtx::builder();
        let builder = match (mount, &shim_root) {
            (Mount::Overlay, _) => {
                let overlay = overlay.clone().expect("made above");
                builder.preopen_backend(overlay, "/", false)
            }
            (Mount::Tree, _) => builder.preopen_dir(&fs, "/"),
            (Mount::MemoryBackend, _) => builder.preopen_backend(MemoryDir::root(&fs), "/", false),
            (Mount::Host, Some(r)) => {
                builder.preopen_backend(HostDir::open_ambient(r, false).expect("open"), "/", false)
            }
            (Mount::Host, None) => unreachable!("a host mount has its directory"),
        };
        let ctx = builder.build().expect("ctx");
        let c = cstr(root.to_str().unwrap());
        let root_fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        assert!(root_fd >= 0, "open root");
        Harness {
            mount,
            fs,
            shim_root,
            overlay,
            ctx,
            mem: vec![0; MEM],
            tmp,
            root,
            root_fd,
            slots: Vec::new(),
            // An overlay directory counts the links of its upper half only.
            dir_nlink: host_dir_nlink() && mount != Mount::Overlay,
        }
    }

    /// Runs `f` on the shim with a fresh view of guest memory.
    fn shim<R>(&mut self, f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> R) -> R {
        let mut mem = GuestMemory::new(&mut self.mem);
        f(&mut self.ctx, &mut mem)
    }

    fn put(&mut self, ptr: u32, bytes: &[u8]) {
        self.mem[ptr as usize..ptr as usize + bytes.len()].copy_from_slice(bytes);
    }

    fn u32_at(&self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.mem[ptr as usize..ptr as usize + 4].try_into().unwrap())
    }

    fn u64_at(&self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.mem[ptr as usize..ptr as usize + 8].try_into().unwrap())
    }

    fn bytes_at(&self, ptr: u32, len: u32) -> Vec<u8> {
        self.mem[ptr as usize..(ptr + len) as usize].to_vec()
    }

    fn slot(&self, i: usize) -> Option<&Slot> {
        if self.slots.is_empty() {
            None
        } else {
            Some(&self.slots[i % self.slots.len()])
        }
    }

    /// (shim fd, Linux dirfd, shim inode) of an `at` argument.
    fn base(&self, at: Option<usize>) -> (u32, libc::c_int, u64) {
        match at.and_then(|i| self.slot(i)) {
            Some(s) => (s.shim, s.linux, s.ino),
            None => (PREOPEN, self.root_fd, ROOT),
        }
    }

    /// Whether resolving `path` from `at` — the way the op will, or with
    /// its trailing slashes split off and the last symlink not followed —
    /// would leave the base directory. Such an op is skipped on both sides.
    fn escapes(&self, at: Option<usize>, path: &str, follow: bool) -> bool {
        let (_, linux_fd, start) = self.base(at);
        let stripped = match path.trim_end_matches('/') {
            "" => path,
            s => s,
        };
        let tries = [(path, follow), (stripped, false)];
        if matches!(self.mount, Mount::Host | Mount::Overlay) {
            // The shim's tree is a host directory: walk the Linux side,
            // the same tree, with the backends' resolver.
            let dup = unsafe { libc::dup(linux_fd) };
            assert!(dup >= 0, "dup");
            let file = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(dup) };
            let dir = HostDir::new(cap_std::fs::Dir::from_std_file(file), true);
            return tries
                .into_iter()
                .any(|(p, f)| matches!(backend::resolve(&dir, p, f), Err(Errno::Perm)));
        }
        let t = self.fs.lock();
        tries
            .into_iter()
            .any(|(p, f)| matches!(wasi_shim::path::resolve(&t, start, p, f), Err(Errno::Perm)))
    }

    fn out_of_bounds(&self, op: &Op) -> bool {
        match op {
            Op::Open {
                at,
                path,
                creat,
                excl,
                follow,
                ..
            } => self.escapes(*at, path, *follow && !(*creat && *excl)),
            // A trailing slash makes `resolve` follow a final symlink, which
            // covers unlink("x/")'s second, following lookup.
            Op::Mkdir { at, path }
            | Op::Rmdir { at, path }
            | Op::Unlink { at, path }
            | Op::Readlink { at, path } => self.escapes(*at, path, false),
            Op::Symlink { at, path, .. } => self.escapes(*at, path, false),
            Op::Stat { at, path, follow } => self.escapes(*at, path, *follow),
            Op::Rename { at, from, at2, to } => {
                self.escapes(*at, from, false) || self.escapes(*at2, to, false)
            }
            Op::Link {
                at,
                from,
                follow,
                at2,
                to,
            } => self.escapes(*at, from, *follow) || self.escapes(*at2, to, false),
            _ => false,
        }
    }

    // --- shim side -------------------------------------------------------

    fn shim_stat_at(&mut self, ptr: u32) -> Stat {
        let ft = self.mem[ptr as usize + 16];
        let nlink = self.u64_at(ptr + 24);
        let size = self.u64_at(ptr + 32);
        self.stat_view(ft, size, nlink)
    }

    fn stat_view(&self, filetype: u8, size: u64, nlink: u64) -> Stat {
        let dir = filetype == FT_DIR;
        Stat {
            filetype,
            size: (!dir).then_some(size),
            nlink: (!dir || self.dir_nlink).then_some(nlink),
        }
    }

    fn shim_readdir(&mut self, fd: u32) -> Result<Out, Errno> {
        self.shim(|c, m| sfd::fd_readdir(c, m, fd, DIRBUF, DIRBUF_LEN, 0, OUT))?;
        let used = self.u32_at(OUT);
        assert!(
            used < DIRBUF_LEN,
            "readdir buffer too small for the model's trees"
        );
        let mut names = BTreeSet::new();
        let mut p = DIRBUF;
        while p < DIRBUF + used {
            let namlen = self.u32_at(p + 16);
            let ft = self.mem[p as usize + 20];
            let name = String::from_utf8(self.bytes_at(p + 24, namlen)).unwrap();
            names.insert((name, ft));
            p += 24 + namlen;
        }
        Ok(Out::Names(names))
    }

    /// iovecs at [`IOVS`], the `i`th over `DATA + 64 * i`.
    fn shim_iovs(&mut self, lens: &[u32]) {
        for (i, len) in lens.iter().enumerate() {
            let mut iov = [0u8; 8];
            iov[..4].copy_from_slice(&(DATA + 64 * i as u32).to_le_bytes());
            iov[4..].copy_from_slice(&len.to_le_bytes());
            self.put(IOVS + 8 * i as u32, &iov);
        }
    }

    fn shim_iov(&mut self, data_len: u32) {
        let mut iov = [0u8; 8];
        iov[..4].copy_from_slice(&DATA.to_le_bytes());
        iov[4..].copy_from_slice(&data_len.to_le_bytes());
        self.put(IOV, &iov);
    }

    /// Runs `op` on the shim; `Open` returns the new fd in `Count`.
    fn shim_op(&mut self, op: &Op) -> Result<Out, Errno> {
        match op {
            Op::Open {
                at,
                path,
                creat,
                excl,
                trunc,
                dir,
                follow,
                write,
                append,
            } => {
                let (fd, _, _) = self.base(*at);
                self.put(P1, path.as_bytes());
                let mut of = 0u32;
                for (on, bit) in [
                    (creat, oflags::CREAT),
                    (excl, oflags::EXCL),
                    (trunc, oflags::TRUNC),
                    (dir, oflags::DIRECTORY),
                ] {
                    if *on {
                        of |= u32::from(bit);
                    }
                }
                // Everything a file or directory can use (what wasi-libc asks
                // for), minus the write rights for a read-only open.
                let all = rights::DIRECTORY_INHERITING;
                let base = if *write {
                    all
                } else {
                    all & !(rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE)
                };
                let lf = if *follow {
                    lookupflags::SYMLINK_FOLLOW
                } else {
                    0
                };
                let ff = if *append {
                    u32::from(wasi_shim::abi::fdflags::APPEND)
                } else {
                    0
                };
                let len = path.len() as u32;
                self.shim(|c, m| spath::path_open(c, m, fd, lf, P1, len, of, base, all, ff, OUT))?;
                Ok(Out::Count(u64::from(self.u32_at(OUT))))
            }
            Op::Close { slot } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim(|c, m| sfd::fd_close(c, m, fd)).map(|_| Out::Unit)
            }
            Op::Write { slot, data } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.put(DATA, data);
                self.shim_iov(data.len() as u32);
                self.shim(|c, m| sfd::fd_write(c, m, fd, IOV, 1, OUT))?;
                Ok(Out::Count(u64::from(self.u32_at(OUT))))
            }
            Op::Pwrite { slot, off, data } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.put(DATA, data);
                self.shim_iov(data.len() as u32);
                self.shim(|c, m| sfd::fd_pwrite(c, m, fd, IOV, 1, *off, OUT))?;
                Ok(Out::Count(u64::from(self.u32_at(OUT))))
            }
            Op::Read { slot, len } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim_iov(*len);
                self.shim(|c, m| sfd::fd_read(c, m, fd, IOV, 1, OUT))?;
                let n = self.u32_at(OUT);
                Ok(Out::Bytes(self.bytes_at(DATA, n)))
            }
            Op::Pread { slot, off, len } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim_iov(*len);
                self.shim(|c, m| sfd::fd_pread(c, m, fd, IOV, 1, *off, OUT))?;
                let n = self.u32_at(OUT);
                Ok(Out::Bytes(self.bytes_at(DATA, n)))
            }
            Op::Seek {
                slot,
                delta,
                whence,
            } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim(|c, m| sfd::fd_seek(c, m, fd, *delta, u32::from(*whence), OUT))?;
                Ok(Out::Count(self.u64_at(OUT)))
            }
            Op::Truncate { slot, len } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim(|c, m| sfd::fd_filestat_set_size(c, m, fd, *len))
                    .map(|_| Out::Unit)
            }
            Op::Allocate { slot, off, len } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim(|c, m| sfd::fd_allocate(c, m, fd, *off, *len))
                    .map(|_| Out::Unit)
            }
            Op::Readv { slot, lens } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim_iovs(lens);
                let n = lens.len() as u32;
                self.shim(|c, m| sfd::fd_read(c, m, fd, IOVS, n, OUT))?;
                let mut left = self.u32_at(OUT);
                let mut got = Vec::new();
                for (i, len) in lens.iter().enumerate() {
                    let take = left.min(*len);
                    got.extend(self.bytes_at(DATA + 64 * i as u32, take));
                    left -= take;
                }
                Ok(Out::Bytes(got))
            }
            Op::Writev { slot, data } => {
                let fd = self.slot(*slot).unwrap().shim;
                for (i, d) in data.iter().enumerate() {
                    self.put(DATA + 64 * i as u32, d);
                }
                let lens: Vec<u32> = data.iter().map(|d| d.len() as u32).collect();
                self.shim_iovs(&lens);
                let n = lens.len() as u32;
                self.shim(|c, m| sfd::fd_write(c, m, fd, IOVS, n, OUT))?;
                Ok(Out::Count(u64::from(self.u32_at(OUT))))
            }
            Op::Fstat { slot } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim(|c, m| sfd::fd_filestat_get(c, m, fd, STAT))?;
                Ok(Out::Stat(self.shim_stat_at(STAT)))
            }
            Op::Readdir { slot } => {
                let fd = self.slot(*slot).unwrap().shim;
                self.shim_readdir(fd)
            }
            Op::Mkdir { at, path } => self.shim_path1(*at, path, spath::path_create_directory),
            Op::Rmdir { at, path } => self.shim_path1(*at, path, spath::path_remove_directory),
            Op::Unlink { at, path } => self.shim_path1(*at, path, spath::path_unlink_file),
            Op::Rename { at, from, at2, to } => {
                let (fd, _, _) = self.base(*at);
                let (fd2, _, _) = self.base(*at2);
                self.put(P1, from.as_bytes());
                self.put(P2, to.as_bytes());
                let (l1, l2) = (from.len() as u32, to.len() as u32);
                self.shim(|c, m| spath::path_rename(c, m, fd, P1, l1, fd2, P2, l2))
                    .map(|_| Out::Unit)
            }
            Op::Link {
                at,
                from,
                follow,
                at2,
                to,
            } => {
                let (fd, _, _) = self.base(*at);
                let (fd2, _, _) = self.base(*at2);
                self.put(P1, from.as_bytes());
                self.put(P2, to.as_bytes());
                let (l1, l2) = (from.len() as u32, to.len() as u32);
                let lf = if *follow {
                    lookupflags::SYMLINK_FOLLOW
                } else {
                    0
                };
                self.shim(|c, m| spath::path_link(c, m, fd, lf, P1, l1, fd2, P2, l2))
                    .map(|_| Out::Unit)
            }
            Op::Symlink { target, at, path } => {
                let (fd, _, _) = self.base(*at);
                self.put(P1, target.as_bytes());
                self.put(P2, path.as_bytes());
                let (l1, l2) = (target.len() as u32, path.len() as u32);
                self.shim(|c, m| spath::path_symlink(c, m, P1, l1, fd, P2, l2))
                    .map(|_| Out::Unit)
            }
            Op::Readlink { at, path } => {
                let (fd, _, _) = self.base(*at);
                self.put(P1, path.as_bytes());
                let len = path.len() as u32;
                self.shim(|c, m| {
                    spath::path_readlink(c, m, fd, P1, len, LINKBUF, LINKBUF_LEN, OUT)
                })?;
                let n = self.u32_at(OUT);
                Ok(Out::Bytes(self.bytes_at(LINKBUF, n)))
            }
            Op::Stat { at, path, follow } => {
                let (fd, _, _) = self.base(*at);
                self.put(P1, path.as_bytes());
                let len = path.len() as u32;
                let lf = if *follow {
                    lookupflags::SYMLINK_FOLLOW
                } else {
                    0
                };
                self.shim(|c, m| spath::path_filestat_get(c, m, fd, lf, P1, len, STAT))?;
                Ok(Out::Stat(self.shim_stat_at(STAT)))
            }
        }
    }

    fn shim_path1(
        &mut self,
        at: Option<usize>,
        path: &str,
        f: fn(&mut WasiCtx, &mut GuestMemory<'_>, u32, u32, u32) -> Result<(), Errno>,
    ) -> Result<Out, Errno> {
        let (fd, _, _) = self.base(at);
        self.put(P1, path.as_bytes());
        let len = path.len() as u32;
        self.shim(|c, m| f(c, m, fd, P1, len)).map(|_| Out::Unit)
    }

    // --- Linux side ------------------------------------------------------

    fn linux_fstat(&self, fd: libc::c_int) -> Result<libc::stat, Errno> {
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        lcheck(unsafe { libc::fstat(fd, &mut st) })?;
        Ok(st)
    }

    fn linux_stat_view(&self, st: &libc::stat) -> Stat {
        self.stat_view(linux_filetype(st.st_mode), st.st_size as u64, st.st_nlink)
    }

    fn linux_readdir(&self, fd: libc::c_int) -> Result<Out, Errno> {
        // Rewind first (the fd's offset is Linux's readdir cursor); only a
        // directory, so that a file's read offset is left alone.
        let st = self.linux_fstat(fd)?;
        if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
            lcheck_size(unsafe { libc::lseek(fd, 0, libc::SEEK_SET) } as isize)?;
        }
        let mut names = BTreeSet::new();
        let mut buf = vec![0u8; 8192];
        loop {
            let n = unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) };
            let n = lcheck_size(n as isize)? as usize;
            if n == 0 {
                break;
            }
            let mut p = 0;
            while p < n {
                let reclen = u16::from_ne_bytes([buf[p + 16], buf[p + 17]]) as usize;
                let dtype = buf[p + 18];
                let name_bytes = &buf[p + 19..p + reclen];
                let end = name_bytes
                    .iter()
                    .position(|&b| b == 0)
                    .unwrap_or(name_bytes.len());
                let name = String::from_utf8(name_bytes[..end].to_vec()).unwrap();
                let ft = match dtype {
                    libc::DT_REG => FT_FILE,
                    libc::DT_DIR => FT_DIR,
                    libc::DT_LNK => FT_LINK,
                    libc::DT_CHR => FT_CHAR,
                    other => panic!("d_type {other} (the host filesystem must fill d_type)"),
                };
                names.insert((name, ft));
                p += reclen;
            }
        }
        // Rewind again: at ext4's end-of-htree offset (i64::MAX) even read()
        // fails with EINVAL (rw_verify_area) instead of EISDIR, and a shim
        // directory fd has no offset at all.
        lcheck_size(unsafe { libc::lseek(fd, 0, libc::SEEK_SET) } as isize)?;
        Ok(Out::Names(names))
    }

    /// Runs `op` on Linux; `Open` returns the new fd in `Count`.
    fn linux_op(&self, op: &Op) -> Result<Out, Errno> {
        let slot_fd = |i: usize| self.slot(i).unwrap().linux;
        match op {
            Op::Open {
                at,
                path,
                creat,
                excl,
                trunc,
                dir,
                follow,
                write,
                append,
            } => {
                let (_, dfd, _) = self.base(*at);
                let mut fl = libc::O_CLOEXEC | if *write { libc::O_RDWR } else { libc::O_RDONLY };
                for (on, bit) in [
                    (*creat, libc::O_CREAT),
                    (*excl, libc::O_EXCL),
                    (*trunc, libc::O_TRUNC),
                    (*dir, libc::O_DIRECTORY),
                    (!*follow, libc::O_NOFOLLOW),
                    (*append, libc::O_APPEND),
                ] {
                    if on {
                        fl |= bit;
                    }
                }
                let c = cstr(path);
                let fd =
                    lcheck(unsafe { libc::openat(dfd, c.as_ptr(), fl, 0o644 as libc::c_uint) })?;
                Ok(Out::Count(fd as u64))
            }
            Op::Close { slot } => lcheck(unsafe { libc::close(slot_fd(*slot)) }).map(|_| Out::Unit),
            Op::Write { slot, data } => {
                let n = unsafe { libc::write(slot_fd(*slot), data.as_ptr().cast(), data.len()) };
                lcheck_size(n).map(Out::Count)
            }
            Op::Pwrite { slot, off, data } => {
                let n = unsafe {
                    libc::pwrite(
                        slot_fd(*slot),
                        data.as_ptr().cast(),
                        data.len(),
                        *off as libc::off_t,
                    )
                };
                lcheck_size(n).map(Out::Count)
            }
            Op::Read { slot, len } => {
                let mut buf = vec![0u8; *len as usize];
                let n = lcheck_size(unsafe {
                    libc::read(slot_fd(*slot), buf.as_mut_ptr().cast(), buf.len())
                })?;
                buf.truncate(n as usize);
                Ok(Out::Bytes(buf))
            }
            Op::Pread { slot, off, len } => {
                let mut buf = vec![0u8; *len as usize];
                let n = unsafe {
                    libc::pread(
                        slot_fd(*slot),
                        buf.as_mut_ptr().cast(),
                        buf.len(),
                        *off as libc::off_t,
                    )
                };
                let n = lcheck_size(n)?;
                buf.truncate(n as usize);
                Ok(Out::Bytes(buf))
            }
            Op::Seek {
                slot,
                delta,
                whence,
            } => {
                // WASI's whence numbering is Linux's (SET 0, CUR 1, END 2).
                let r = unsafe { libc::lseek(slot_fd(*slot), *delta, libc::c_int::from(*whence)) };
                lcheck_size(r as isize).map(Out::Count)
            }
            Op::Truncate { slot, len } => {
                lcheck(unsafe { libc::ftruncate(slot_fd(*slot), *len as libc::off_t) })
                    .map(|_| Out::Unit)
            }
            Op::Allocate { slot, off, len } => lcheck(unsafe {
                libc::fallocate(slot_fd(*slot), 0, *off as libc::off_t, *len as libc::off_t)
            })
            .map(|_| Out::Unit),
            Op::Readv { slot, lens } => {
                let mut bufs: Vec<Vec<u8>> = lens.iter().map(|l| vec![0u8; *l as usize]).collect();
                let iov: Vec<libc::iovec> = bufs
                    .iter_mut()
                    .map(|b| libc::iovec {
                        iov_base: b.as_mut_ptr().cast(),
                        iov_len: b.len(),
                    })
                    .collect();
                let mut left = lcheck_size(unsafe {
                    libc::readv(slot_fd(*slot), iov.as_ptr(), iov.len() as libc::c_int)
                })? as usize;
                let mut got = Vec::new();
                for b in &bufs {
                    let take = left.min(b.len());
                    got.extend_from_slice(&b[..take]);
                    left -= take;
                }
                Ok(Out::Bytes(got))
            }
            Op::Writev { slot, data } => {
                let iov: Vec<libc::iovec> = data
                    .iter()
                    .map(|d| libc::iovec {
                        iov_base: d.as_ptr() as *mut libc::c_void,
                        iov_len: d.len(),
                    })
                    .collect();
                let n =
                    unsafe { libc::writev(slot_fd(*slot), iov.as_ptr(), iov.len() as libc::c_int) };
                lcheck_size(n).map(Out::Count)
            }
            Op::Fstat { slot } => Ok(Out::Stat(
                self.linux_stat_view(&self.linux_fstat(slot_fd(*slot))?),
            )),
            Op::Readdir { slot } => self.linux_readdir(slot_fd(*slot)),
            Op::Mkdir { at, path } => {
                let c = cstr(path);
                lcheck(unsafe { libc::mkdirat(self.base(*at).1, c.as_ptr(), 0o755) })
                    .map(|_| Out::Unit)
            }
            Op::Rmdir { at, path } => {
                let c = cstr(path);
                lcheck(unsafe { libc::unlinkat(self.base(*at).1, c.as_ptr(), libc::AT_REMOVEDIR) })
                    .map(|_| Out::Unit)
            }
            Op::Unlink { at, path } => {
                let c = cstr(path);
                lcheck(unsafe { libc::unlinkat(self.base(*at).1, c.as_ptr(), 0) })
                    .map(|_| Out::Unit)
            }
            Op::Rename { at, from, at2, to } => {
                let (a, b) = (cstr(from), cstr(to));
                lcheck(unsafe {
                    libc::renameat(self.base(*at).1, a.as_ptr(), self.base(*at2).1, b.as_ptr())
                })
                .map(|_| Out::Unit)
            }
            Op::Link {
                at,
                from,
                follow,
                at2,
                to,
            } => {
                let (a, b) = (cstr(from), cstr(to));
                let fl = if *follow { libc::AT_SYMLINK_FOLLOW } else { 0 };
                lcheck(unsafe {
                    libc::linkat(
                        self.base(*at).1,
                        a.as_ptr(),
                        self.base(*at2).1,
                        b.as_ptr(),
                        fl,
                    )
                })
                .map(|_| Out::Unit)
            }
            Op::Symlink { target, at, path } => {
                let (t, p) = (cstr(target), cstr(path));
                lcheck(unsafe { libc::symlinkat(t.as_ptr(), self.base(*at).1, p.as_ptr()) })
                    .map(|_| Out::Unit)
            }
            Op::Readlink { at, path } => {
                let c = cstr(path);
                let mut buf = vec![0u8; LINKBUF_LEN as usize];
                let n = unsafe {
                    libc::readlinkat(
                        self.base(*at).1,
                        c.as_ptr(),
                        buf.as_mut_ptr().cast(),
                        buf.len(),
                    )
                };
                buf.truncate(lcheck_size(n)? as usize);
                Ok(Out::Bytes(buf))
            }
            Op::Stat { at, path, follow } => {
                let c = cstr(path);
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                let fl = if *follow {
                    0
                } else {
                    libc::AT_SYMLINK_NOFOLLOW
                };
                lcheck(unsafe { libc::fstatat(self.base(*at).1, c.as_ptr(), &mut st, fl) })?;
                Ok(Out::Stat(self.linux_stat_view(&st)))
            }
        }
    }

    // --- one step --------------------------------------------------------

    fn needs_slot(op: &Op) -> Option<usize> {
        match op {
            Op::Close { slot }
            | Op::Write { slot, .. }
            | Op::Pwrite { slot, .. }
            | Op::Read { slot, .. }
            | Op::Pread { slot, .. }
            | Op::Seek { slot, .. }
            | Op::Truncate { slot, .. }
            | Op::Allocate { slot, .. }
            | Op::Readv { slot, .. }
            | Op::Writev { slot, .. }
            | Op::Fstat { slot }
            | Op::Readdir { slot } => Some(*slot),
            _ => None,
        }
    }

    /// Known, legitimate differences between a WASI fd and a Linux fd,
    /// each a policy recorded in RATIONALE.md and matched exactly (op,
    /// shim errno, Linux errno). There is no list of tolerated bugs: a
    /// divergence is fixed in the shim or recorded here with its reason.
    fn excused(op: &Op, shim: &Result<Out, Errno>, linux: &Result<Out, Errno>) -> bool {
        // (Seeking a directory fd is handled in `step`.) symlink("x",
        // "file/"): POSIX and the WASI test suite say ENOTDIR, Linux EEXIST
        // (RATIONALE.md, "Where the WASI test suite and Linux disagree").
        matches!(
            (op, shim, linux),
            (Op::Symlink { path, .. }, Err(Errno::Notdir), Err(Errno::Exist)) if path.ends_with('/')
        )
    }

    /// Applies one op to both sides and compares.
    fn step(&mut self, i: usize, op: &Op) -> Result<(), TestCaseError> {
        if Self::needs_slot(op).is_some() && self.slots.is_empty() {
            return Ok(());
        }
        if self.out_of_bounds(op) {
            return Ok(());
        }
        let shim = self.shim_op(op);
        if self.mount == Mount::Overlay
            && matches!(op, Op::Rename { .. })
            && shim == Err(Errno::Xdev)
        {
            // A directory with a lower part: the overlay's documented refusal.
            return Ok(());
        }
        if let Op::Seek { slot, .. } = op {
            if self.slot(*slot).is_some_and(|s| s.is_dir) {
                // WASI directory fds carry no FD_SEEK/FD_TELL right (the WASI
                // test suite's `directory_seek` expects EBADF; RATIONALE.md:
                // missing rights are EBADF), while Linux lets you lseek a
                // directory. Not run on Linux: the directory offset would then
                // leak into later reads (ext4's end offset makes read() EINVAL).
                prop_assert_eq!(&shim, &Err(Errno::Badf), "op #{} {:?}", i, op);
                return Ok(());
            }
        }
        let linux = self.linux_op(op);
        match op {
            Op::Open { .. } => {
                let pair = match (&shim, &linux) {
                    (Ok(Out::Count(s)), Ok(Out::Count(l))) => Some((*s as u32, *l as libc::c_int)),
                    (Ok(Out::Count(s)), Err(_)) => {
                        let fd = *s as u32;
                        let _ = self.shim(|c, m| sfd::fd_close(c, m, fd));
                        None
                    }
                    (Err(_), Ok(Out::Count(l))) => {
                        unsafe { libc::close(*l as libc::c_int) };
                        None
                    }
                    _ => None,
                };
                let norm = |r: &Result<Out, Errno>| r.as_ref().map(|_| Out::Unit).map_err(|e| *e);
                if !Self::excused(op, &shim, &linux) {
                    prop_assert_eq!(
                        norm(&shim),
                        norm(&linux),
                        "op #{} {:?}: shim (left) vs Linux (right)",
                        i,
                        op
                    );
                }
                if let Some((s, l)) = pair {
                    self.shim(|c, m| sfd::fd_filestat_get(c, m, s, STAT))
                        .expect("fstat of a new fd");
                    let ino = self.u64_at(STAT + 8);
                    let is_dir = self.mem[STAT as usize + 16] == FT_DIR;
                    self.slots.push(Slot {
                        shim: s,
                        linux: l,
                        ino,
                        is_dir,
                    });
                }
            }
            Op::Close { slot } => {
                prop_assert_eq!(&shim, &linux, "op #{} {:?}", i, op);
                let n = self.slots.len();
                self.slots.remove(slot % n);
            }
            _ => {
                if !Self::excused(op, &shim, &linux) {
                    prop_assert_eq!(
                        &shim,
                        &linux,
                        "op #{} {:?}: shim (left) vs Linux (right)",
                        i,
                        op
                    );
                }
            }
        }
        self.fs
            .check_invariants()
            .map_err(|e| TestCaseError::fail(format!("after op #{i} {op:?}: {e}")))?;
        let (s, l) = (self.shim_tree(), self.linux_tree());
        if s != l {
            return Err(TestCaseError::fail(format!(
                "after op #{i} {op:?} the trees differ:\n{}",
                tree_diff(&s, &l)
            )));
        }
        Ok(())
    }

    // --- whole-tree comparison -------------------------------------------

    fn linux_tree(&self) -> Tree {
        let mut out = Tree::new();
        let mut inos: BTreeMap<u64, String> = BTreeMap::new();
        walk_linux(&self.root, "", self.dir_nlink, &mut out, &mut inos);
        normalise(&mut out);
        out
    }

    fn shim_tree(&mut self) -> Tree {
        let mut out = Tree::new();
        let mut inos: BTreeMap<u64, String> = BTreeMap::new();
        if let Some(overlay) = &self.overlay {
            walk_backend(&**overlay, "", &mut out, &mut inos);
            normalise(&mut out);
            return out;
        }
        if let Some(root) = &self.shim_root {
            walk_linux(root, "", self.dir_nlink, &mut out, &mut inos);
            normalise(&mut out);
            return out;
        }
        let mut stack = vec![String::new()];
        while let Some(dir) = stack.pop() {
            let entries = self.fs.read_dir(&format!("/{dir}")).expect("read_dir");
            for e in entries {
                let rel = if dir.is_empty() {
                    e.name.clone()
                } else {
                    format!("{dir}/{}", e.name)
                };
                let md = self
                    .fs
                    .metadata_of(&format!("/{rel}"), false)
                    .expect("metadata");
                let group = inos.entry(md.ino).or_insert_with(|| rel.clone()).clone();
                let entry = match e.kind {
                    FileKind::Dir => {
                        stack.push(rel.clone());
                        Entry {
                            kind: 'd',
                            nlink: self.dir_nlink.then_some(md.nlink),
                            data: Vec::new(),
                            same_as: group,
                        }
                    }
                    FileKind::File => Entry {
                        kind: 'f',
                        nlink: Some(md.nlink),
                        data: self.fs.read(&format!("/{rel}")).expect("read"),
                        same_as: group,
                    },
                    FileKind::Symlink => {
                        self.put(P1, rel.as_bytes());
                        let len = rel.len() as u32;
                        self.shim(|c, m| {
                            spath::path_readlink(c, m, PREOPEN, P1, len, LINKBUF, LINKBUF_LEN, OUT)
                        })
                        .expect("readlink");
                        let n = self.u32_at(OUT);
                        Entry {
                            kind: 'l',
                            nlink: Some(md.nlink),
                            data: self.bytes_at(LINKBUF, n),
                            same_as: group,
                        }
                    }
                    FileKind::CharDevice => panic!("no devices in the model"),
                };
                out.insert(rel, entry);
            }
        }
        // The root directory's own link count.
        if self.dir_nlink {
            let md = self.fs.metadata_of("/", false).expect("metadata /");
            out.insert(
                ".".into(),
                Entry {
                    kind: 'd',
                    nlink: Some(md.nlink),
                    data: Vec::new(),
                    same_as: ".".into(),
                },
            );
        }
        normalise(&mut out);
        out
    }

    /// Open fds: type, size, nlink and full contents must agree.
    fn compare_open_files(&mut self) -> Result<(), TestCaseError> {
        for i in 0..self.slots.len() {
            let op = Op::Fstat { slot: i };
            let (s, l) = (self.shim_op(&op), self.linux_op(&op));
            prop_assert_eq!(&s, &l, "fstat of open slot {}", i);
            if let Ok(Out::Stat(Stat {
                filetype: FT_FILE,
                size: Some(size),
                ..
            })) = s
            {
                let op = Op::Pread {
                    slot: i,
                    off: 0,
                    len: size as u32,
                };
                if size as usize <= DIRBUF as usize - DATA as usize {
                    prop_assert_eq!(
                        self.shim_op(&op),
                        self.linux_op(&op),
                        "contents of open slot {}",
                        i
                    );
                }
            }
        }
        Ok(())
    }

    /// The overlay's lower directory, as it is now (`None` for other mounts).
    fn overlay_lower(&self) -> Option<Tree> {
        let root = self.shim_root.as_ref().filter(|_| self.overlay.is_some())?;
        let mut out = Tree::new();
        walk_linux(root, "", self.dir_nlink, &mut out, &mut BTreeMap::new());
        Some(out)
    }

    /// The guard directories above the Linux root (and the shim's host
    /// root) hold nothing but the chain.
    fn check_guards(&self) -> Result<(), TestCaseError> {
        let tops: &[&str] = if self.shim_root.is_some() {
            &["linux", "shim"]
        } else {
            &["linux"]
        };
        let names: Vec<_> = std::fs::read_dir(self.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        prop_assert_eq!(names.len(), tops.len(), "escaped: {:?}", names);
        for top in tops {
            self.check_guard_chain(&self.tmp.path().join(top))?;
        }
        Ok(())
    }

    fn check_guard_chain(&self, top: &Path) -> Result<(), TestCaseError> {
        let mut p = top.to_path_buf();
        for level in 0..=GUARDS {
            let names: Vec<_> = std::fs::read_dir(&p)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            let expect = if level == GUARDS { "root" } else { "guard" };
            prop_assert!(
                names.len() == 1 && names[0] == expect,
                "a side escaped its root: {:?} holds {:?}",
                p,
                names
            );
            p.push(expect);
        }
        Ok(())
    }
}

/// One entry of a whole-tree snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// 'f', 'd' or 'l'.
    kind: char,
    /// Link count (`None` for directories when the host does not count them).
    nlink: Option<u64>,
    /// File contents or symlink target.
    data: Vec<u8>,
    /// The first path (in walk order) naming the same inode: hard links
    /// must pair up the same way on both sides. Inode numbers themselves
    /// differ and are not compared.
    same_as: String,
}

type Tree = BTreeMap<String, Entry>;

/// What a backend directory holds, as [`walk_linux`] sees a directory (but
/// directory link counts, which an overlay counts differently).
fn walk_backend(
    dir: &dyn BackendDir,
    rel_dir: &str,
    out: &mut Tree,
    inos: &mut BTreeMap<u64, String>,
) {
    let mut names = dir.entries().expect("entries");
    names.sort_by(|a, b| a.name.cmp(&b.name));
    for wasi_shim::backend::DirEntry { name, kind, .. } in names {
        let rel = if rel_dir.is_empty() {
            name.clone()
        } else {
            format!("{rel_dir}/{name}")
        };
        let st = dir.stat(&name).expect("stat");
        let group = inos.entry(st.ino).or_insert_with(|| rel.clone()).clone();
        let entry = match kind {
            FileKind::Dir => {
                walk_backend(&*dir.open_dir(&name).expect("open_dir"), &rel, out, inos);
                Entry {
                    kind: 'd',
                    nlink: None,
                    data: Vec::new(),
                    same_as: group,
                }
            }
            FileKind::Symlink => Entry {
                kind: 'l',
                nlink: Some(st.nlink),
                data: dir.read_link(&name).expect("read_link").into_bytes(),
                same_as: group,
            },
            FileKind::File => {
                let f = dir.open_file(&name, Default::default()).expect("open");
                let mut data = vec![0u8; f.len().expect("len") as usize];
                let n = f.read_at(0, &mut data).expect("read");
                data.truncate(n);
                Entry {
                    kind: 'f',
                    nlink: Some(st.nlink),
                    data,
                    same_as: group,
                }
            }
            FileKind::CharDevice => panic!("no devices in the model"),
        };
        out.insert(rel, entry);
    }
}

fn walk_linux(
    root: &Path,
    dir: &str,
    dir_nlink: bool,
    out: &mut Tree,
    inos: &mut BTreeMap<u64, String>,
) {
    if dir.is_empty() && dir_nlink {
        let md = std::fs::symlink_metadata(root).unwrap();
        out.insert(
            ".".into(),
            Entry {
                kind: 'd',
                nlink: Some(md.nlink()),
                data: Vec::new(),
                same_as: ".".into(),
            },
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut subdirs = Vec::new();
    for name in names {
        let rel = if dir.is_empty() {
            name.clone()
        } else {
            format!("{dir}/{name}")
        };
        let p = root.join(&rel);
        let md = std::fs::symlink_metadata(&p).unwrap();
        let group = inos.entry(md.ino()).or_insert_with(|| rel.clone()).clone();
        let ft = md.file_type();
        let entry = if ft.is_dir() {
            subdirs.push(rel.clone());
            Entry {
                kind: 'd',
                nlink: dir_nlink.then_some(md.nlink()),
                data: Vec::new(),
                same_as: group,
            }
        } else if ft.is_symlink() {
            let t = std::fs::read_link(&p).unwrap();
            Entry {
                kind: 'l',
                nlink: Some(md.nlink()),
                data: t.as_os_str().as_encoded_bytes().to_vec(),
                same_as: group,
            }
        } else {
            Entry {
                kind: 'f',
                nlink: Some(md.nlink()),
                data: std::fs::read(&p).unwrap(),
                same_as: group,
            }
        };
        out.insert(rel, entry);
    }
    for d in subdirs {
        walk_linux(root, &d, dir_nlink, out, inos);
    }
}

/// A readable diff of two snapshots (shim vs Linux).
fn tree_diff(shim: &Tree, linux: &Tree) -> String {
    let mut s = String::new();
    let keys: BTreeSet<&String> = shim.keys().chain(linux.keys()).collect();
    for k in keys {
        let (a, b) = (shim.get(k), linux.get(k));
        if a != b {
            s.push_str(&format!(
                "  {k}:\n    shim:  {}\n    linux: {}\n",
                summary(a),
                summary(b)
            ));
            if let (Some(a), Some(b)) = (a, b) {
                if a.data != b.data {
                    let at = a
                        .data
                        .iter()
                        .zip(&b.data)
                        .position(|(x, y)| x != y)
                        .unwrap_or(a.data.len().min(b.data.len()));
                    s.push_str(&format!("    data first differs at byte {at}\n"));
                }
            }
        }
    }
    s
}

/// An entry in a line: long data is cut to its first and last bytes.
fn summary(e: Option<&Entry>) -> String {
    let Some(e) = e else {
        return "(missing)".into();
    };
    let d = &e.data;
    let data = if d.len() <= 48 {
        format!("{:?}", String::from_utf8_lossy(d))
    } else {
        format!(
            "{:?}…{:?} ({} bytes)",
            String::from_utf8_lossy(&d[..24]),
            String::from_utf8_lossy(&d[d.len() - 16..]),
            d.len()
        )
    };
    format!(
        "{} nlink={:?} same_as={:?} data={data}",
        e.kind, e.nlink, e.same_as
    )
}

/// The `same_as` groups depend on walk order; normalise them so the two
/// sides' differing walk orders do not matter: each group is named by its
/// smallest path.
fn normalise(t: &mut Tree) {
    let mut smallest: BTreeMap<String, String> = BTreeMap::new();
    for (k, e) in t.iter() {
        let s = smallest
            .entry(e.same_as.clone())
            .or_insert_with(|| k.clone());
        if k < s {
            *s = k.clone();
        }
    }
    for e in t.values_mut() {
        e.same_as = smallest[&e.same_as].clone();
    }
}

fn run(ops: &[Op], mount: Mount) -> Result<(), TestCaseError> {
    let mut h = Harness::new(mount);
    let lower_before = h.overlay_lower();
    for (i, op) in ops.iter().enumerate() {
        h.step(i, op)?;
    }
    h.compare_open_files()?;
    h.check_guards()?;
    // Nothing is ever written to an overlay's lower layer.
    prop_assert_eq!(h.overlay_lower(), lower_before, "the lower layer changed");
    // Closing everything must leave a consistent tree (unlinked-but-open
    // inodes are freed on the last close).
    while let Some(s) = h.slots.pop() {
        let fd = s.shim;
        h.shim(|c, m| sfd::fd_close(c, m, fd)).expect("close");
        unsafe { libc::close(s.linux) };
    }
    h.fs.check_invariants()
        .map_err(|e| TestCaseError::fail(format!("after closing all fds: {e}")))?;
    Ok(())
}

proptest! {
    #![proptest_config(model_config())]

    #[test]
    fn shim_matches_linux(ops in prop::collection::vec(op(), 1..=40)) {
        run(&ops, Mount::Tree)?;
    }

    #[test]
    fn memory_backend_matches_linux(ops in prop::collection::vec(op(), 1..=40)) {
        run(&ops, Mount::MemoryBackend)?;
    }

    #[test]
    fn host_backend_matches_linux(ops in prop::collection::vec(op(), 1..=40)) {
        run(&ops, Mount::Host)?;
    }

    #[test]
    fn overlay_backend_matches_linux(ops in prop::collection::vec(op(), 1..=40)) {
        run(&ops, Mount::Overlay)?;
    }
}

/// The seed tree alone agrees (a sanity check of the harness itself).
#[test]
fn seed_trees_agree() {
    for mount in MOUNTS {
        let mut h = Harness::new(mount);
        let (s, l) = (h.shim_tree(), h.linux_tree());
        assert_eq!(s, l, "{mount:?}: {}", tree_diff(&s, &l));
    }
}

/// Every kind of preopen the model runs on.
const MOUNTS: [Mount; 4] = [
    Mount::Tree,
    Mount::MemoryBackend,
    Mount::Host,
    Mount::Overlay,
];

/// 256 cases from a fixed seed, so that `make test` is repeatable: a
/// divergence found once is found on every run (and then pinned in
/// [`known_sequences`]). Explore other sequences with `PROPTEST_RNG_SEED=N`
/// and `PROPTEST_CASES=N`.
fn model_config() -> ProptestConfig {
    let env = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            env.cases
        } else {
            256
        },
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
            env.rng_seed
        } else {
            proptest::test_runner::RngSeed::Fixed(0x00af_3e60)
        },
        ..env
    }
}

fn open(path: &str, creat: bool, dir: bool, write: bool) -> Op {
    Op::Open {
        at: None,
        path: path.into(),
        creat,
        excl: false,
        trunc: false,
        dir,
        follow: false,
        write,
        append: false,
    }
}

/// Hand-picked sequences: the divergences the random test found (kept as
/// regression cases) and corners the generator reaches only rarely.
#[test]
fn known_sequences() {
    let cases: Vec<Vec<Op>> = vec![
        // Fixed: O_CREAT through a symlink whose target ends in a slash and
        // leads back to itself is EISDIR (Linux checks the slash before
        // following), not ELOOP.
        vec![
            Op::Symlink {
                target: "d/../b/".into(),
                at: None,
                path: "b".into(),
            },
            Op::Open {
                at: None,
                path: "b".into(),
                creat: true,
                excl: false,
                trunc: false,
                dir: false,
                follow: true,
                write: false,
                append: false,
            },
        ],
        // Fixed: a zero-length write on an O_APPEND fd leaves its offset
        // where it was (found by shim_matches_linux in CI).
        vec![
            Op::Open {
                at: None,
                path: "a".into(),
                creat: false,
                excl: false,
                trunc: false,
                dir: false,
                follow: false,
                write: true,
                append: true,
            },
            Op::Write {
                slot: 0,
                data: vec![],
            },
            Op::Read { slot: 0, len: 1 },
        ],
        // Formerly excused unless MODEL_STRICT (now always strict). 1:
        // link("d", "a"), d a directory, a a file: the new name's lookup
        // (EEXIST) comes before "source is a directory" (EPERM).
        vec![Op::Link {
            at: None,
            from: "d".into(),
            follow: false,
            at2: None,
            to: "a".into(),
        }],
        // 2: O_CREAT|O_DIRECTORY is EINVAL before any lookup (Linux >= 6.4),
        // on an existing directory, a file and a missing name.
        vec![open("d", true, true, false)],
        vec![open("a", true, true, false)],
        vec![open("x", true, true, false)],
        // 3: ftruncate of an fd opened read-only, and of a directory: EINVAL.
        vec![
            open("a", false, false, false),
            Op::Truncate { slot: 0, len: 0 },
        ],
        vec![
            open("d", false, true, false),
            Op::Truncate { slot: 0, len: 0 },
        ],
        // 4: the old path is resolved (ENOENT) before the new dirfd is found
        // to be a file (ENOTDIR), for link; rename looks up only the old
        // path's parent first, so there the file dirfd (ENOTDIR) wins; and
        // a missing parent of the old path is ENOENT for both.
        vec![
            open("b", true, false, true),
            Op::Link {
                at: None,
                from: "d/d".into(),
                follow: false,
                at2: Some(0),
                to: "a".into(),
            },
            Op::Rename {
                at: None,
                from: "d/d".into(),
                at2: Some(0),
                to: "a".into(),
            },
            Op::Rename {
                at: None,
                from: "x/d".into(),
                at2: Some(0),
                to: "a".into(),
            },
        ],
        // 5: fd_readdir of a directory removed while open: ENOENT (below,
        // "A removed directory, still open").
        // O_CREAT|O_DIRECTORY through a file fd: the flags are EINVAL before
        // the dirfd is found not to be a directory (ENOTDIR).
        vec![
            open("a", false, false, false),
            Op::Open {
                at: Some(0),
                path: "a".into(),
                creat: true,
                excl: false,
                trunc: false,
                dir: true,
                follow: false,
                write: false,
                append: false,
            },
        ],
        // fd_allocate (fallocate): a zero length is EINVAL before the fd's
        // mode (a read-only file, a directory: EBADF); it grows a file with
        // zeros, never shrinks it; readv/writev over several buffers.
        vec![
            open("d", false, true, false),
            Op::Allocate {
                slot: 0,
                off: 0,
                len: 0,
            },
            Op::Allocate {
                slot: 0,
                off: 0,
                len: 5,
            },
            open("a", false, false, false),
            Op::Allocate {
                slot: 1,
                off: 0,
                len: 0,
            },
            Op::Allocate {
                slot: 1,
                off: 0,
                len: 5,
            },
            open("a", false, false, true),
            Op::Allocate {
                slot: 2,
                off: 10,
                len: 5,
            },
            Op::Allocate {
                slot: 2,
                off: 0,
                len: 3,
            },
            Op::Allocate {
                slot: 2,
                off: i64::MAX as u64 - 1,
                len: 2,
            },
            Op::Writev {
                slot: 2,
                data: vec![b"AB".to_vec(), vec![], b"CDE".to_vec()],
            },
            Op::Readv {
                slot: 1,
                lens: vec![3, 0, 4, 40],
            },
        ],
        // Fixed: O_CREAT on an existing directory is EISDIR.
        vec![open("d", true, false, false)],
        // Fixed: O_CREAT with a trailing slash is EISDIR, before the final
        // symlink is followed.
        vec![open("d/b/", true, false, false)],
        vec![
            Op::Symlink {
                target: "a/a".into(),
                at: None,
                path: "d/l".into(),
            },
            Op::Symlink {
                target: "d".into(),
                at: None,
                path: "b".into(),
            },
            open("b/l/", true, false, false),
        ],
        // Fixed: unlink("l/") of a symlink to a directory is ENOTDIR.
        vec![Op::Unlink {
            at: None,
            path: "l/".into(),
        }],
        // Fixed: rename onto an ancestor of the source is ENOTEMPTY.
        vec![Op::Rename {
            at: None,
            from: "d/b".into(),
            at2: None,
            to: "d".into(),
        }],
        // A removed directory, still open: listing, creating in it.
        vec![
            open("d", false, true, false),
            Op::Unlink {
                at: None,
                path: "d/b".into(),
            },
            Op::Rmdir {
                at: None,
                path: "d".into(),
            },
            Op::Readdir { slot: 0 },
            Op::Mkdir {
                at: Some(0),
                path: "x".into(),
            },
            Op::Open {
                at: Some(0),
                path: "y".into(),
                creat: true,
                excl: false,
                trunc: false,
                dir: false,
                follow: false,
                write: true,
                append: false,
            },
        ],
        // An unlinked file, still open: writes, nlink 0, then a hard link attempt.
        vec![
            open("a", false, false, true),
            Op::Unlink {
                at: None,
                path: "a".into(),
            },
            Op::Pwrite {
                slot: 0,
                off: 65535,
                data: b"Z".to_vec(),
            },
            Op::Fstat { slot: 0 },
            Op::Pread {
                slot: 0,
                off: 0,
                len: 30,
            },
        ],
        // Append, seek past EOF, truncate.
        vec![
            Op::Open {
                at: None,
                path: "a".into(),
                creat: false,
                excl: false,
                trunc: false,
                dir: false,
                follow: false,
                write: true,
                append: true,
            },
            Op::Seek {
                slot: 0,
                delta: 3,
                whence: 0,
            },
            Op::Write {
                slot: 0,
                data: b"AB".to_vec(),
            },
            Op::Pwrite {
                slot: 0,
                off: 1,
                data: b"CD".to_vec(),
            },
            Op::Truncate { slot: 0, len: 4095 },
            Op::Seek {
                slot: 0,
                delta: 10,
                whence: 2,
            },
            Op::Read { slot: 0, len: 5 },
        ],
    ];
    for ops in cases {
        for mount in MOUNTS {
            if let Err(e) = run(&ops, mount) {
                panic!("{mount:?}: {ops:#?}\n{e}");
            }
        }
    }
}

/// Clocks and clock sleeps against Linux, where the two can be compared
/// (the CPU-time clocks' readings cannot: ours count since the context was
/// made, RATIONALE.md "CPU-time clocks"): each clock's resolution is what
/// `clock_getres` says; a realtime reading lies between two Linux readings
/// taken around it; a sleep until a realtime instant already past, and a
/// 1 ms relative monotonic sleep, end with success as
/// `clock_nanosleep` does.
#[test]
fn clocks_and_sleeps_match_linux() {
    use wasi_shim::abi::{clockid, event};
    use wasi_shim::syscalls::{clock as sclock, poll as spoll};
    let mut ctx = WasiCtx::builder().build().expect("ctx");
    let mut buf = vec![0u8; 4096];
    let linux_now = |id: libc::clockid_t| {
        let mut t: libc::timespec = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::clock_gettime(id, &mut t) }, 0);
        t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
    };
    for (wasi, linux) in [
        (clockid::REALTIME, libc::CLOCK_REALTIME),
        (clockid::MONOTONIC, libc::CLOCK_MONOTONIC),
        (clockid::PROCESS_CPUTIME_ID, libc::CLOCK_PROCESS_CPUTIME_ID),
        (clockid::THREAD_CPUTIME_ID, libc::CLOCK_THREAD_CPUTIME_ID),
    ] {
        let mut mem = GuestMemory::new(&mut buf);
        sclock::clock_res_get(&mut ctx, &mut mem, wasi, 0).expect("clock_res_get");
        let ours = u64::from_le_bytes(buf[..8].try_into().unwrap());
        let mut t: libc::timespec = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::clock_getres(linux, &mut t) }, 0);
        let theirs = t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64;
        assert_eq!(ours, theirs, "resolution of clock {wasi}");
    }
    let before = linux_now(libc::CLOCK_REALTIME);
    let mut mem = GuestMemory::new(&mut buf);
    sclock::clock_time_get(&mut ctx, &mut mem, clockid::REALTIME, 1, 0).expect("clock_time_get");
    let ours = u64::from_le_bytes(buf[..8].try_into().unwrap());
    let after = linux_now(libc::CLOCK_REALTIME);
    assert!(
        before <= ours && ours <= after,
        "realtime {ours} outside Linux's {before}..={after}"
    );

    // One clock subscription at 0 (userdata 7), its event at 256, the
    // event count at 512.
    let mut sleep = |buf: &mut Vec<u8>, id: u32, timeout: u64, abstime: bool| {
        buf[..48].fill(0);
        buf[..8].copy_from_slice(&7u64.to_le_bytes());
        buf[8] = event::CLOCK;
        buf[16..20].copy_from_slice(&id.to_le_bytes());
        buf[24..32].copy_from_slice(&timeout.to_le_bytes());
        let flags = if abstime {
            event::SUBSCRIPTION_CLOCK_ABSTIME
        } else {
            0
        };
        buf[40..42].copy_from_slice(&flags.to_le_bytes());
        let mut mem = GuestMemory::new(buf);
        spoll::poll_oneoff(&mut ctx, &mut mem, 0, 256, 1, 512).expect("poll_oneoff");
        let n = u32::from_le_bytes(buf[512..516].try_into().unwrap());
        let userdata = u64::from_le_bytes(buf[256..264].try_into().unwrap());
        let error = u16::from_le_bytes(buf[264..266].try_into().unwrap());
        (n, userdata, error, buf[266])
    };
    let past = linux_now(libc::CLOCK_REALTIME) - 1_000_000_000;
    let ts = libc::timespec {
        tv_sec: (past / 1_000_000_000) as libc::time_t,
        tv_nsec: (past % 1_000_000_000) as libc::c_long,
    };
    let linux = unsafe {
        libc::clock_nanosleep(
            libc::CLOCK_REALTIME,
            libc::TIMER_ABSTIME,
            &ts,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(linux, 0);
    assert_eq!(
        sleep(&mut buf, clockid::REALTIME, past, true),
        (1, 7, 0, event::CLOCK),
        "sleep until a realtime instant already past"
    );
    let ms = libc::timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    let linux =
        unsafe { libc::clock_nanosleep(libc::CLOCK_MONOTONIC, 0, &ms, std::ptr::null_mut()) };
    assert_eq!(linux, 0);
    assert_eq!(
        sleep(&mut buf, clockid::MONOTONIC, 1_000_000, false),
        (1, 7, 0, event::CLOCK),
        "a 1 ms monotonic sleep"
    );
}
