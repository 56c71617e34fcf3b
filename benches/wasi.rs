//! WASI layer benchmarks: afmpeg's `wasi-shim` beside the reference
//! `wasmi_wasi` (wasi-common over a real temp directory), in the same
//! criterion groups.
//!
//! Both sides run the *same* small wasm module (below, compiled with `wat`)
//! on a kept-alive wasmi instance; each iteration calls one exported
//! function that makes the WASI call(s). The interpreter cost is identical
//! on both sides, so the difference is the WASI layer (plus, for the oracle,
//! the host kernel it forwards to).
//!
//! Groups (bench ids `GROUP/ENGINE/PARAM`):
//! - `fd_write`, `fd_read`: 64 B, 4 KiB, 64 KiB and 1 MiB buffers, one
//!   `fd_write`/`fd_read` per iteration, reported as bytes/s. The writer
//!   rewinds every 16 MiB and the reader at EOF of its 4 MiB file (an
//!   extra `fd_seek` once per 16 MiB / 4 MiB, amortised).
//! - `path_open`: `path_open` + `fd_close` of `a/b/c/d/e/file`.
//! - `call_overhead`: the engine's floor (`engine/nop`, a wasm call that
//!   does nothing) and the cheapest WASI round trip (`ebadf`: `fd_write`
//!   on a closed fd), to read the other ratios against.
//! - `fd_write/memcpy`, `fd_read/memcpy`: the same memory traffic in plain
//!   Rust (copies of the same size, over the same 16 MiB / 4 MiB rotating
//!   regions), no wasm, no WASI. Both layers must move these bytes, so
//!   `oracle / (engine floor + memcpy)` is the best ratio any WASI layer
//!   could reach on this machine; the summary prints it as the "ceiling",
//!   and `(oracle - floor - memcpy) / (shim - floor - memcpy)`, the ratio of
//!   what each layer costs beyond those, as the "own-cost ratio".
//! - `fd_readdir`: full listing of a directory with 10,000 entries through a
//!   64 KiB buffer, looping over cookies as wasi-libc does.
//!
//! The shim runs over each kind of mount (bench ids `GROUP/ENGINE/PARAM`
//! with ENGINE `afmpeg-shim` for the in-memory tree, `shim-memorydir`,
//! `shim-hostdir`, `shim-overlaydir` for the backends of
//! `wasi_shim::backend` over the same files), so one run measures every
//! backend against the tree.
//!
//! After the groups ran, a table of the medians and ratios (oracle / shim
//! over the tree) and one of each backend against the tree are printed and
//! written to `<criterion dir>/wasi-summary.md`.
//!
//! Run: `cargo bench --bench wasi` (about 3 minutes once built);
//! a subset: `cargo bench --bench wasi -- fd_write`.

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use wasmi::{AsContextMut, Engine, Instance, Linker, Memory, Module, Store, TypedFunc};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;
/// Sizes of the I/O benches. 64 bytes (a log line, a small header) shows
/// the per-call cost, where no copy dominates; the issue's sizes follow.
const IO_SIZES: [(usize, &str); 4] = [
    (64, "64B"),
    (4 * KIB, "4KiB"),
    (64 * KIB, "64KiB"),
    (MIB, "1MiB"),
];
/// Size of the file the read bench reads (a multiple of every I/O size).
const READ_FILE: usize = 4 * MIB;
/// Entries in the readdir bench's directory.
const DIR_ENTRIES: usize = 10_000;
const DEEP_PATH: &str = "a/b/c/d/e/file";
/// The writer's rotating region (the WAT module rewinds at this size).
const WRITE_REGION: usize = 16 * MIB;

/// Where the module keeps path strings written by the host.
const PATH_AREA: u32 = 256;

// WASI rights bits used below.
const FD_READ: i64 = 1 << 1;
const FD_SEEK: i64 = 1 << 2;
const FD_TELL: i64 = 1 << 5;
const FD_WRITE: i64 = 1 << 6;
const FD_READDIR: i64 = 1 << 14;
// oflags.
const O_CREAT: i32 = 1;
const O_DIRECTORY: i32 = 2;
const O_TRUNC: i32 = 8;

/// Memory map: 0 iovec, 16 nread/nwritten, 24 seek result, 32 fd out,
/// 40 bufused, 256.. path strings, 64 KiB.. readdir buffer (64 KiB),
/// 128 KiB.. data buffer (1 MiB).
const WAT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 20)
  (global $written (mut i32) (i32.const 0))

  ;; path_open(dir, SYMLINK_FOLLOW, path, oflags, base, 0, 0) -> fd, or -errno
  (func (export "open") (param $dir i32) (param $ptr i32) (param $len i32) (param $oflags i32) (param $base i64)
        (result i32)
    (local $e i32)
    (local.set $e (call $path_open (local.get $dir) (i32.const 1) (local.get $ptr) (local.get $len)
                    (local.get $oflags) (local.get $base) (i64.const 0) (i32.const 0) (i32.const 32)))
    (if (result i32) (local.get $e)
      (then (i32.sub (i32.const 0) (local.get $e)))
      (else (i32.load (i32.const 32)))))

  ;; One fd_write of $len bytes; rewinds every 16 MiB. -> errno, or -1 on a short write
  (func (export "write_n") (param $fd i32) (param $len i32) (result i32)
    (local $e i32)
    (if (i32.gt_u (i32.add (global.get $written) (local.get $len)) (i32.const 16777216))
      (then
        (local.set $e (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 24)))
        (if (local.get $e) (then (return (local.get $e))))
        (global.set $written (i32.const 0))))
    (i32.store (i32.const 0) (i32.const 131072))
    (i32.store (i32.const 4) (local.get $len))
    (local.set $e (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
    (if (local.get $e) (then (return (local.get $e))))
    (if (i32.ne (i32.load (i32.const 16)) (local.get $len)) (then (return (i32.const -1))))
    (global.set $written (i32.add (global.get $written) (local.get $len)))
    (i32.const 0))

  ;; One fd_read of $len bytes; at EOF rewinds and reads again. -> errno, or -1 on a short read
  (func (export "read_n") (param $fd i32) (param $len i32) (result i32)
    (local $e i32)
    (i32.store (i32.const 0) (i32.const 131072))
    (i32.store (i32.const 4) (local.get $len))
    (local.set $e (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
    (if (local.get $e) (then (return (local.get $e))))
    (if (i32.eqz (i32.load (i32.const 16)))
      (then
        (local.set $e (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 24)))
        (if (local.get $e) (then (return (local.get $e))))
        (local.set $e (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
        (if (local.get $e) (then (return (local.get $e))))))
    (if (i32.ne (i32.load (i32.const 16)) (local.get $len)) (then (return (i32.const -1))))
    (i32.const 0))

  ;; The engine's floor: a call into wasm that returns at once.
  (func (export "nop") (result i32) (i32.const 0))

  ;; The cheapest WASI round trip: fd_write on a closed fd (EBADF).
  (func (export "ebadf") (result i32)
    (call $fd_write (i32.const 999) (i32.const 0) (i32.const 1) (i32.const 16)))

  ;; path_open (read-only) + fd_close. -> errno
  (func (export "open_close") (param $dir i32) (param $ptr i32) (param $len i32) (result i32)
    (local $e i32)
    (local.set $e (call $path_open (local.get $dir) (i32.const 1) (local.get $ptr) (local.get $len)
                    (i32.const 0) (i64.const 38) (i64.const 0) (i32.const 0) (i32.const 32)))
    (if (local.get $e) (then (return (local.get $e))))
    (call $fd_close (i32.load (i32.const 32))))

  ;; Lists a directory completely with a 64 KiB buffer, following cookies.
  ;; -> number of entries (with . and ..), or -errno
  (func (export "readdir_all") (param $fd i32) (result i32)
    (local $cookie i64) (local $e i32) (local $used i32) (local $p i32) (local $end i32)
    (local $count i32) (local $reclen i32)
    (loop $calls
      (local.set $e (call $fd_readdir (local.get $fd) (i32.const 65536) (i32.const 65536)
                      (local.get $cookie) (i32.const 40)))
      (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
      (local.set $used (i32.load (i32.const 40)))
      (local.set $p (i32.const 65536))
      (local.set $end (i32.add (i32.const 65536) (local.get $used)))
      (block $done
        (loop $entries
          (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 24)) (local.get $end)))
          (local.set $reclen (i32.add (i32.const 24) (i32.load offset=16 (local.get $p))))
          (br_if $done (i32.gt_u (i32.add (local.get $p) (local.get $reclen)) (local.get $end)))
          (local.set $cookie (i64.load (local.get $p)))
          (local.set $count (i32.add (local.get $count) (i32.const 1)))
          (local.set $p (i32.add (local.get $p) (local.get $reclen)))
          (br $entries)))
      ;; A full buffer means there may be more entries.
      (br_if $calls (i32.eq (local.get $used) (i32.const 65536))))
    (local.get $count))
)
"#;

/// One engine's kept-alive instance and its exports.
struct Side<T: 'static> {
    store: Store<T>,
    memory: Memory,
    open: TypedFunc<(i32, i32, i32, i32, i64), i32>,
    write_n: TypedFunc<(i32, i32), i32>,
    read_n: TypedFunc<(i32, i32), i32>,
    open_close: TypedFunc<(i32, i32, i32), i32>,
    readdir_all: TypedFunc<(i32,), i32>,
    nop: TypedFunc<(), i32>,
    ebadf: TypedFunc<(), i32>,
    /// Fds opened at setup.
    out_fd: i32,
    in_fd: i32,
    big_fd: i32,
    /// Where `DEEP_PATH` sits in memory.
    deep: (i32, i32),
}

impl<T: 'static> Side<T> {
    fn new(engine: &Engine, module: &Module, linker: &Linker<T>, data: T) -> Self {
        let mut store = Store::new(engine, data);
        let instance: Instance = linker
            .instantiate_and_start(&mut store, module)
            .expect("instantiate");
        let memory = instance
            .get_memory(&store, "memory")
            .expect("memory export");
        let mut side = Side {
            open: instance.get_typed_func(&store, "open").unwrap(),
            write_n: instance.get_typed_func(&store, "write_n").unwrap(),
            read_n: instance.get_typed_func(&store, "read_n").unwrap(),
            open_close: instance.get_typed_func(&store, "open_close").unwrap(),
            readdir_all: instance.get_typed_func(&store, "readdir_all").unwrap(),
            nop: instance.get_typed_func(&store, "nop").unwrap(),
            ebadf: instance.get_typed_func(&store, "ebadf").unwrap(),
            store,
            memory,
            out_fd: -1,
            in_fd: -1,
            big_fd: -1,
            deep: (0, 0),
        };
        let mut at = PATH_AREA;
        let mut put = |side: &mut Side<T>, s: &str| {
            side.memory
                .write(side.store.as_context_mut(), at as usize, s.as_bytes())
                .unwrap();
            let r = (at as i32, s.len() as i32);
            at += s.len() as u32 + 1;
            r
        };
        let out = put(&mut side, "out.bin");
        let input = put(&mut side, "data.bin");
        let big = put(&mut side, "big");
        side.deep = put(&mut side, DEEP_PATH);
        side.out_fd = side.open_fd(
            out,
            O_CREAT | O_TRUNC,
            FD_READ | FD_WRITE | FD_SEEK | FD_TELL,
        );
        side.in_fd = side.open_fd(input, 0, FD_READ | FD_SEEK | FD_TELL);
        side.big_fd = side.open_fd(big, O_DIRECTORY, FD_READDIR);
        // Sanity: each operation works and lists what it should.
        assert_eq!(side.call_open_close(), 0);
        assert_eq!(side.readdir(), DIR_ENTRIES as i32 + 2);
        assert_eq!(side.call_ebadf(), 8, "EBADF");
        side
    }

    fn open_fd(&mut self, (ptr, len): (i32, i32), oflags: i32, base: i64) -> i32 {
        let fd = self
            .open
            .call(&mut self.store, (3, ptr, len, oflags, base))
            .unwrap();
        assert!(fd > 0, "path_open failed: errno {}", -fd);
        fd
    }

    #[inline]
    fn write(&mut self, len: usize) {
        let e = self
            .write_n
            .call(&mut self.store, (self.out_fd, len as i32))
            .unwrap();
        debug_assert_eq!(e, 0);
        black_box(e);
    }

    #[inline]
    fn read(&mut self, len: usize) {
        let e = self
            .read_n
            .call(&mut self.store, (self.in_fd, len as i32))
            .unwrap();
        debug_assert_eq!(e, 0);
        black_box(e);
    }

    #[inline]
    fn call_open_close(&mut self) -> i32 {
        self.open_close
            .call(&mut self.store, (3, self.deep.0, self.deep.1))
            .unwrap()
    }

    #[inline]
    fn call_ebadf(&mut self) -> i32 {
        self.ebadf.call(&mut self.store, ()).unwrap()
    }

    #[inline]
    fn call_nop(&mut self) -> i32 {
        self.nop.call(&mut self.store, ()).unwrap()
    }

    #[inline]
    fn readdir(&mut self) -> i32 {
        self.readdir_all
            .call(&mut self.store, (self.big_fd,))
            .unwrap()
    }
}

fn module(engine: &Engine) -> Module {
    let wasm = wat::parse_str(WAT).expect("WAT");
    Module::new(engine, &wasm[..]).expect("module")
}

/// What stands behind the shim's preopen: the bench runs the shim once per
/// mount, so one run gives each backend's ratio to the in-memory tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mount {
    /// An in-memory tree preopened directly (`Preopen`): the default.
    Tree,
    /// The same tree behind `backend::MemoryDir`.
    Memory,
    /// A host temp directory (`backend::HostDir`).
    Host,
    /// A read-only `HostDir` under an in-memory upper (`backend::OverlayDir`):
    /// the output file is created in the upper, the inputs read from the lower.
    Overlay,
}

impl Mount {
    const ALL: [Mount; 4] = [Mount::Tree, Mount::Memory, Mount::Host, Mount::Overlay];

    /// The bench id's engine part (the tree keeps the name it always had).
    fn id(self) -> &'static str {
        match self {
            Mount::Tree => SHIM,
            Mount::Memory => "shim-memorydir",
            Mount::Host => "shim-hostdir",
            Mount::Overlay => "shim-overlaydir",
        }
    }
}

/// The files every side works on, in an in-memory tree.
fn seed_tree() -> wasi_shim::fs::Filesystem {
    let fs = wasi_shim::fs::Filesystem::new();
    fs.create_dir_all("/a/b/c/d/e").unwrap();
    fs.write("/a/b/c/d/e/file", b"deep".to_vec()).unwrap();
    fs.write("/data.bin", vec![0x5a; READ_FILE]).unwrap();
    fs.create_dir("/big").unwrap();
    for i in 0..DIR_ENTRIES {
        fs.write(&format!("/big/f{i:05}"), Vec::new()).unwrap();
    }
    fs
}

/// The same files in a host directory.
fn seed_host(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("a/b/c/d/e")).unwrap();
    std::fs::write(dir.join("a/b/c/d/e/file"), b"deep").unwrap();
    std::fs::write(dir.join("data.bin"), vec![0x5a; READ_FILE]).unwrap();
    std::fs::create_dir(dir.join("big")).unwrap();
    for i in 0..DIR_ENTRIES {
        std::fs::write(dir.join(format!("big/f{i:05}")), b"").unwrap();
    }
}

/// afmpeg's shim over `mount` (a host one in `dir`, empty).
fn shim_side(
    engine: &Engine,
    module: &Module,
    mount: Mount,
    dir: &std::path::Path,
) -> Side<wasi_shim::wasmi_link::WasiStore> {
    use wasi_shim::backend::{HostDir, MemoryDir, OverlayDir};
    let b = wasi_shim::WasiCtx::builder();
    let b = match mount {
        Mount::Tree => b.preopen_dir(&seed_tree(), "/"),
        Mount::Memory => b.preopen_backend(MemoryDir::root(&seed_tree()), "/", false),
        Mount::Host => {
            seed_host(dir);
            b.preopen_backend(HostDir::open_ambient(dir, false).unwrap(), "/", false)
        }
        Mount::Overlay => {
            seed_host(dir);
            let lower = HostDir::open_ambient(dir, true).unwrap();
            let upper = wasi_shim::fs::Filesystem::new();
            b.preopen_backend(OverlayDir::new(Box::new(lower), &upper), "/", false)
        }
    };
    let ctx = b.build().unwrap();
    let mut linker = Linker::<wasi_shim::wasmi_link::WasiStore>::new(engine);
    wasi_shim::wasmi_link::add_to_linker(&mut linker).unwrap();
    let data = wasi_shim::wasmi_link::WasiStore::new(ctx);
    Side::new(engine, module, &linker, data)
}

/// The oracle: wasmi_wasi (wasi-common) over a real temp directory.
fn oracle_side(
    engine: &Engine,
    module: &Module,
    dir: &std::path::Path,
) -> Side<wasmi_wasi::WasiCtx> {
    use wasmi_wasi::sync::{ambient_authority, Dir, WasiCtxBuilder};
    seed_host(dir);
    let mut b = WasiCtxBuilder::new();
    b.preopened_dir(
        Dir::open_ambient_dir(dir, ambient_authority()).unwrap(),
        "/",
    )
    .unwrap();
    let ctx = b.build();
    let mut linker = Linker::<wasmi_wasi::WasiCtx>::new(engine);
    wasmi_wasi::add_to_linker(&mut linker, |c| c).unwrap();
    Side::new(engine, module, &linker, ctx)
}

struct Sides {
    /// The shim over each mount, in [`Mount::ALL`]'s order.
    shims: Vec<(Mount, Side<wasi_shim::wasmi_link::WasiStore>)>,
    oracle: Side<wasmi_wasi::WasiCtx>,
    _tmp: tempfile::TempDir,
}

impl Sides {
    /// The shim over the in-memory tree.
    fn shim(&mut self) -> &mut Side<wasi_shim::wasmi_link::WasiStore> {
        &mut self.shims[0].1
    }
}

fn sides() -> Sides {
    let engine = Engine::default();
    let module = module(&engine);
    let tmp = tempfile::tempdir().unwrap();
    let shims = Mount::ALL
        .into_iter()
        .map(|m| {
            let dir = tmp.path().join(m.id());
            std::fs::create_dir(&dir).unwrap();
            (m, shim_side(&engine, &module, m, &dir))
        })
        .collect();
    let oracle_dir = tmp.path().join(ORACLE);
    std::fs::create_dir(&oracle_dir).unwrap();
    Sides {
        shims,
        oracle: oracle_side(&engine, &module, &oracle_dir),
        _tmp: tmp,
    }
}

const SHIM: &str = "afmpeg-shim";
const ORACLE: &str = "wasmi_wasi";
const MEMCPY: &str = "memcpy";

/// The bytes the I/O benches move, moved by plain Rust: the floor under
/// both WASI layers.
struct CopyFloor {
    file: Vec<u8>,
    region: Vec<u8>,
    buf: Vec<u8>,
    read_at: usize,
    write_at: usize,
}

impl CopyFloor {
    fn new() -> Self {
        CopyFloor {
            file: vec![0x5a; READ_FILE],
            region: vec![0; WRITE_REGION],
            buf: vec![0x33; MIB],
            read_at: 0,
            write_at: 0,
        }
    }

    #[inline]
    fn read(&mut self, len: usize) {
        if self.read_at + len > self.file.len() {
            self.read_at = 0;
        }
        self.buf[..len].copy_from_slice(&self.file[self.read_at..self.read_at + len]);
        self.read_at += len;
        black_box(&mut self.buf);
    }

    #[inline]
    fn write(&mut self, len: usize) {
        if self.write_at + len > self.region.len() {
            self.write_at = 0;
        }
        self.region[self.write_at..self.write_at + len].copy_from_slice(&self.buf[..len]);
        self.write_at += len;
        black_box(&mut self.region);
    }
}

/// What both sides pay anyway: the engine's call into wasm (`nop`, measured
/// once: it does not touch WASI) and the cheapest WASI round trip (`ebadf`).
fn overhead_benches(c: &mut Criterion, s: &mut Sides) {
    let mut g = c.benchmark_group("call_overhead");
    g.warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    g.bench_function(BenchmarkId::new("engine", "nop"), |b| {
        b.iter(|| black_box(s.shim().call_nop()))
    });
    for (m, side) in &mut s.shims {
        g.bench_function(BenchmarkId::new(m.id(), "ebadf"), |b| {
            b.iter(|| black_box(side.call_ebadf()))
        });
    }
    g.bench_function(BenchmarkId::new(ORACLE, "ebadf"), |b| {
        b.iter(|| black_box(s.oracle.call_ebadf()))
    });
    g.finish();
}

fn io_benches(c: &mut Criterion, s: &mut Sides) {
    let mut floor = CopyFloor::new();
    let mut g = c.benchmark_group("fd_write");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    for (len, name) in IO_SIZES {
        g.throughput(Throughput::Bytes(len as u64));
        for (m, side) in &mut s.shims {
            g.bench_function(BenchmarkId::new(m.id(), name), |b| {
                b.iter(|| side.write(len))
            });
        }
        g.bench_function(BenchmarkId::new(ORACLE, name), |b| {
            b.iter(|| s.oracle.write(len))
        });
        g.bench_function(BenchmarkId::new(MEMCPY, name), |b| {
            b.iter(|| floor.write(len))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("fd_read");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    for (len, name) in IO_SIZES {
        g.throughput(Throughput::Bytes(len as u64));
        for (m, side) in &mut s.shims {
            g.bench_function(BenchmarkId::new(m.id(), name), |b| {
                b.iter(|| side.read(len))
            });
        }
        g.bench_function(BenchmarkId::new(ORACLE, name), |b| {
            b.iter(|| s.oracle.read(len))
        });
        g.bench_function(BenchmarkId::new(MEMCPY, name), |b| {
            b.iter(|| floor.read(len))
        });
    }
    g.finish();
}

fn path_benches(c: &mut Criterion, s: &mut Sides) {
    let mut g = c.benchmark_group("path_open");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    for (m, side) in &mut s.shims {
        g.bench_function(BenchmarkId::new(m.id(), "depth5"), |b| {
            b.iter(|| black_box(side.call_open_close()))
        });
    }
    g.bench_function(BenchmarkId::new(ORACLE, "depth5"), |b| {
        b.iter(|| black_box(s.oracle.call_open_close()))
    });
    g.finish();

    let mut g = c.benchmark_group("fd_readdir");
    // One listing of the oracle takes tens of ms: flat sampling, few samples.
    g.sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);
    g.throughput(Throughput::Elements(DIR_ENTRIES as u64));
    for (m, side) in &mut s.shims {
        g.bench_function(BenchmarkId::new(m.id(), "10000"), |b| {
            b.iter(|| black_box(side.readdir()))
        });
    }
    g.bench_function(BenchmarkId::new(ORACLE, "10000"), |b| {
        b.iter(|| black_box(s.oracle.readdir()))
    });
    g.finish();
}

// ---------------------------------------------------------------------------
// Summary: medians of both sides and their ratio, from criterion's output.

fn criterion_dir() -> PathBuf {
    if let Some(h) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(h);
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t).join("criterion");
    }
    // `cargo bench` runs benches from the package root; the workspace's
    // target dir is there too.
    PathBuf::from("target/criterion")
}

/// The median (ns per iteration) of one bench, if it ran in this process.
fn median_ns(dir: &std::path::Path, since: SystemTime) -> Option<f64> {
    let file = dir.join("new/estimates.json");
    let meta = std::fs::metadata(&file).ok()?;
    if meta.modified().ok()? < since {
        return None;
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn summary(since: SystemTime) {
    let root = criterion_dir();
    let rows: [(&str, &str, Option<usize>); 11] = [
        ("call_overhead", "ebadf", None),
        ("fd_write", "64B", Some(64)),
        ("fd_write", "4KiB", Some(4 * KIB)),
        ("fd_write", "64KiB", Some(64 * KIB)),
        ("fd_write", "1MiB", Some(MIB)),
        ("fd_read", "64B", Some(64)),
        ("fd_read", "4KiB", Some(4 * KIB)),
        ("fd_read", "64KiB", Some(64 * KIB)),
        ("fd_read", "1MiB", Some(MIB)),
        ("path_open", "depth5", None),
        ("fd_readdir", "10000", None),
    ];
    let nop = median_ns(&root.join("call_overhead/engine/nop"), since);
    let mut out = String::from(
        "| bench | afmpeg shim (median) | wasmi_wasi (median) | ratio oracle/shim | ceiling | own-cost ratio |\n|---|---|---|---|---|---|\n",
    );
    let mut any = false;
    for (group, param, bytes) in rows {
        let shim = median_ns(&root.join(group).join(SHIM).join(param), since);
        let oracle = median_ns(&root.join(group).join(ORACLE).join(param), since);
        let (Some(s), Some(o)) = (shim, oracle) else {
            continue;
        };
        any = true;
        let rate = |ns: f64| match bytes {
            Some(b) => {
                let mib_s = b as f64 / ns * 1e9 / MIB as f64;
                if mib_s >= 1024.0 {
                    format!("{} ({:.2} GiB/s)", human(ns), mib_s / 1024.0)
                } else {
                    format!("{} ({mib_s:.0} MiB/s)", human(ns))
                }
            }
            None => human(ns),
        };
        let copy = median_ns(&root.join(group).join(MEMCPY).join(param), since);
        // What both layers pay whatever they do: the engine's call, plus
        // the copy of the bytes for calls that move bytes. (A listing is
        // many calls; no single-call floor applies to it.)
        let paid = match (nop, copy) {
            (Some(n), Some(c)) => Some(n + c),
            (Some(n), None) if bytes.is_none() && group != "fd_readdir" => Some(n),
            _ => None,
        };
        // The best ratio a WASI layer could reach (one costing nothing
        // beyond `paid`), and the ratio of the two layers' own costs.
        let (ceiling, own) = match paid {
            Some(p) if s > p => (
                format!("{:.1}x", o / p),
                format!("{:.1}x", (o - p) / (s - p)),
            ),
            Some(p) => (format!("{:.1}x", o / p), "-".to_owned()),
            None => ("-".to_owned(), "-".to_owned()),
        };
        out += &format!(
            "| {group} {param} | {} | {} | {:.1}x | {ceiling} | {own} |\n",
            rate(s),
            rate(o),
            o / s
        );
    }
    if !any {
        return;
    }
    if let Some(nop) = nop {
        out += &format!(
            "\nEngine floor (a wasm call that returns at once, paid by both): {}.\n\
             ceiling = oracle / (engine floor + memcpy of the same bytes): the ratio of a \
             WASI layer that cost nothing else.\n\
             own-cost ratio = (oracle - floor - memcpy) / (shim - floor - memcpy): how much \
             less the shim's own work costs than wasi-common's plus the kernel's.\n",
            human(nop)
        );
    }
    println!("\nafmpeg shim vs wasmi_wasi (medians; ratio > 1: the shim is faster)\n\n{out}");
    let backends = backend_table(&root, since, rows.map(|(g, p, _)| (g, p)));
    println!(
        "\nThe shim's backends against its in-memory tree (medians; in brackets \
         backend / tree: > 1 is slower than the tree)\n\n{backends}"
    );
    let _ = std::fs::create_dir_all(&root);
    let _ = std::fs::write(root.join("wasi-summary.md"), format!("{out}\n{backends}"));
}

/// One row per bench: the tree's median, then each other mount's with its
/// ratio to the tree's (same run, same module, same calls).
fn backend_table(
    root: &std::path::Path,
    since: SystemTime,
    rows: impl IntoIterator<Item = (&'static str, &'static str)>,
) -> String {
    let mut out = String::from("| bench | tree (median) |");
    for m in &Mount::ALL[1..] {
        out += &format!(" {m:?}Dir |");
    }
    out += "\n|---|---|---|---|---|\n";
    for (group, param) in rows {
        let at = |m: Mount| median_ns(&root.join(group).join(m.id()).join(param), since);
        let Some(tree) = at(Mount::Tree) else {
            continue;
        };
        out += &format!("| {group} {param} | {} |", human(tree));
        for m in &Mount::ALL[1..] {
            match at(*m) {
                Some(ns) => out += &format!(" {} ({:.2}x) |", human(ns), ns / tree),
                None => out += " - |",
            }
        }
        out += "\n";
    }
    out
}

fn main() {
    // wasi-common builds an `anyhow` error for every errno; with backtraces
    // enabled in the environment (RUST_BACKTRACE=1 is common on dev
    // machines) each one captures a backtrace, which would make the oracle's
    // error path look ~50x slower than it is in production. Measure it as
    // deployed. Set before any thread exists.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    let since = SystemTime::now();
    let mut s = sides();
    let mut c = Criterion::default().configure_from_args();
    overhead_benches(&mut c, &mut s);
    io_benches(&mut c, &mut s);
    path_benches(&mut c, &mut s);
    c.final_summary();
    summary(since);
}
