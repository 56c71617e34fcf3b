//! Random guest memory, random function indices and random u32/u64
//! arguments, calling every `syscalls::*` function directly, several calls
//! per input on one context. Nothing may panic (any errno is fine), and the
//! tree's invariants must hold after every call.
//!
//! Arguments are raw 64-bit values. Each argument's top two bits pick how it
//! is used, so that the fuzzer reaches both the garbage and the plausible:
//! `00` small (fds 0..16, pointers and lengths inside memory), anything else
//! the raw value truncated to the parameter's width.

use arbitrary::Arbitrary;
use wasi_shim::fs::Filesystem;
use wasi_shim::memory::GuestMemory;
use wasi_shim::stdio::{Capture, Input, Output};
use wasi_shim::syscalls::{args, clock, fd, path, poll, proc, sock};
use wasi_shim::{Preopen, WasiCtx};

#[derive(Arbitrary, Debug)]
struct Call {
    func: u8,
    args: [u64; 9],
}

#[derive(Arbitrary, Debug)]
pub struct In {
    mem_pages_hint: u16,
    mem_seed: Vec<u8>,
    calls: Vec<Call>,
}

struct A<'a> {
    raw: &'a [u64; 9],
    mem_len: u64,
}

impl A<'_> {
    fn small(&self, i: usize) -> bool {
        self.raw[i] >> 62 == 0
    }
    /// An fd.
    fn fd(&self, i: usize) -> u32 {
        if self.small(i) {
            (self.raw[i] % 16) as u32
        } else {
            self.raw[i] as u32
        }
    }
    /// A pointer.
    fn ptr(&self, i: usize) -> u32 {
        if self.small(i) {
            (self.raw[i] % (self.mem_len + 8)) as u32
        } else {
            self.raw[i] as u32
        }
    }
    /// A length or count.
    fn len(&self, i: usize) -> u32 {
        if self.small(i) {
            (self.raw[i] % 300) as u32
        } else {
            self.raw[i] as u32
        }
    }
    /// A flags word or other u32.
    fn u32(&self, i: usize) -> u32 {
        if self.small(i) {
            (self.raw[i] % 64) as u32
        } else {
            self.raw[i] as u32
        }
    }
    /// A 64-bit offset, size, rights or time.
    fn u64(&self, i: usize) -> u64 {
        if self.small(i) {
            self.raw[i] % (1 << 20)
        } else {
            self.raw[i]
        }
    }
}

fn ctx(fs: &Filesystem) -> WasiCtx {
    let ro = Preopen {
        fs: fs.clone(),
        dir: "/ro".into(),
        guest: "/ro".into(),
        read_only: true,
    };
    let other = Filesystem::new();
    other.write("/x", b"other fs".to_vec()).unwrap();
    WasiCtx::builder()
        .arg("prog")
        .arg("an argument")
        .env("K", "V=W")
        .deterministic(7)
        .stdin(Input::bytes(&b"some stdin bytes"[..]))
        .stdout(Output::Capture(Capture::with_cap(4096)))
        .stderr(Output::Capture(Capture::with_cap(16)))
        .max_open_fds(16)
        .max_bytes_written(8 << 20)
        .max_files_created(256)
        .preopen_dir(fs, "/")
        .preopen(ro)
        .preopen_dir(&other, "/other")
        .build()
        .unwrap()
}

fn call(c: &mut WasiCtx, m: &mut GuestMemory<'_>, func: u8, a: &A<'_>) {
    let _ = match func % 46 {
        0 => args::args_get(c, m, a.ptr(0), a.ptr(1)),
        1 => args::args_sizes_get(c, m, a.ptr(0), a.ptr(1)),
        2 => args::environ_get(c, m, a.ptr(0), a.ptr(1)),
        3 => args::environ_sizes_get(c, m, a.ptr(0), a.ptr(1)),
        4 => clock::clock_res_get(c, m, a.u32(0), a.ptr(1)),
        5 => clock::clock_time_get(c, m, a.u32(0), a.u64(1), a.ptr(2)),
        6 => fd::fd_advise(c, m, a.fd(0), a.u64(1), a.u64(2), a.u32(3)),
        7 => fd::fd_allocate(c, m, a.fd(0), a.u64(1), a.u64(2)),
        8 => fd::fd_close(c, m, a.fd(0)),
        9 => fd::fd_datasync(c, m, a.fd(0)),
        10 => fd::fd_fdstat_get(c, m, a.fd(0), a.ptr(1)),
        11 => fd::fd_fdstat_set_flags(c, m, a.fd(0), a.u32(1)),
        12 => fd::fd_fdstat_set_rights(c, m, a.fd(0), a.u64(1), a.u64(2)),
        13 => fd::fd_filestat_get(c, m, a.fd(0), a.ptr(1)),
        14 => fd::fd_filestat_set_size(c, m, a.fd(0), a.u64(1)),
        15 => fd::fd_filestat_set_times(c, m, a.fd(0), a.u64(1), a.u64(2), a.u32(3)),
        16 => fd::fd_pread(c, m, a.fd(0), a.ptr(1), a.len(2), a.u64(3), a.ptr(4)),
        17 => fd::fd_prestat_get(c, m, a.fd(0), a.ptr(1)),
        18 => fd::fd_prestat_dir_name(c, m, a.fd(0), a.ptr(1), a.len(2)),
        19 => fd::fd_pwrite(c, m, a.fd(0), a.ptr(1), a.len(2), a.u64(3), a.ptr(4)),
        20 => fd::fd_read(c, m, a.fd(0), a.ptr(1), a.len(2), a.ptr(3)),
        21 => fd::fd_readdir(c, m, a.fd(0), a.ptr(1), a.len(2), a.u64(3), a.ptr(4)),
        22 => fd::fd_renumber(c, m, a.fd(0), a.fd(1)),
        23 => fd::fd_seek(c, m, a.fd(0), a.u64(1) as i64, a.u32(2), a.ptr(3)),
        24 => fd::fd_sync(c, m, a.fd(0)),
        25 => fd::fd_tell(c, m, a.fd(0), a.ptr(1)),
        26 => fd::fd_write(c, m, a.fd(0), a.ptr(1), a.len(2), a.ptr(3)),
        27 => path::path_create_directory(c, m, a.fd(0), a.ptr(1), a.len(2)),
        28 => path::path_filestat_get(c, m, a.fd(0), a.u32(1), a.ptr(2), a.len(3), a.ptr(4)),
        29 => path::path_filestat_set_times(
            c,
            m,
            a.fd(0),
            a.u32(1),
            a.ptr(2),
            a.len(3),
            a.u64(4),
            a.u64(5),
            a.u32(6),
        ),
        30 => path::path_link(
            c,
            m,
            a.fd(0),
            a.u32(1),
            a.ptr(2),
            a.len(3),
            a.fd(4),
            a.ptr(5),
            a.len(6),
        ),
        31 => path::path_open(
            c,
            m,
            a.fd(0),
            a.u32(1),
            a.ptr(2),
            a.len(3),
            a.u32(4),
            a.u64(5),
            a.u64(6),
            a.u32(7),
            a.ptr(8),
        ),
        32 => path::path_readlink(
            c,
            m,
            a.fd(0),
            a.ptr(1),
            a.len(2),
            a.ptr(3),
            a.len(4),
            a.ptr(5),
        ),
        33 => path::path_remove_directory(c, m, a.fd(0), a.ptr(1), a.len(2)),
        34 => path::path_rename(
            c,
            m,
            a.fd(0),
            a.ptr(1),
            a.len(2),
            a.fd(3),
            a.ptr(4),
            a.len(5),
        ),
        35 => path::path_symlink(c, m, a.ptr(0), a.len(1), a.fd(2), a.ptr(3), a.len(4)),
        36 => path::path_unlink_file(c, m, a.fd(0), a.ptr(1), a.len(2)),
        37 => poll::poll_oneoff(c, m, a.ptr(0), a.ptr(1), a.len(2) % 64, a.ptr(3)),
        38 => proc::proc_exit(c, m, a.u32(0)),
        39 => proc::proc_raise(c, m, a.u32(0)),
        40 => proc::sched_yield(c, m),
        41 => proc::random_get(c, m, a.ptr(0), a.len(1)),
        42 => sock::sock_accept(c, m, a.fd(0), a.u32(1), a.ptr(2)),
        43 => sock::sock_recv(
            c,
            m,
            a.fd(0),
            a.ptr(1),
            a.len(2),
            a.u32(3),
            a.ptr(4),
            a.ptr(5),
        ),
        44 => sock::sock_send(c, m, a.fd(0), a.ptr(1), a.len(2), a.u32(3), a.ptr(4)),
        _ => sock::sock_shutdown(c, m, a.fd(0), a.u32(1)),
    };
    // proc_exit / proc_raise only record an abort; the binding would end
    // the guest. Keep going, as a fuzzer may.
    c.take_abort();
}

/// One fuzz input: panics when a property above does not hold.
pub fn run(input: In) {
    let fs = Filesystem::new();
    fs.create_dir_all("/d/e").unwrap();
    fs.create_dir_all("/ro/sub").unwrap();
    fs.write("/f", b"0123456789".to_vec()).unwrap();
    fs.write("/ro/g", vec![1u8; 100]).unwrap();
    fs.symlink("d/e", "/s").unwrap();
    fs.symlink("../..", "/d/up").unwrap();
    fs.add_standard_devices("/dev").unwrap();
    let mut c = ctx(&fs);

    // Memory: 0 to 64 KiB (sometimes empty), filled from the input.
    let len = usize::from(input.mem_pages_hint) % (64 * 1024 + 1);
    let mut bytes = vec![0u8; len];
    if !input.mem_seed.is_empty() {
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = input.mem_seed[i % input.mem_seed.len()];
        }
    }
    let mem_len = len as u64;
    for call_ in input.calls.iter().take(32) {
        let a = A {
            raw: &call_.args,
            mem_len,
        };
        let mut m = GuestMemory::new(&mut bytes);
        call(&mut c, &mut m, call_.func, &a);
        if let Err(e) = fs.check_invariants() {
            panic!("tree invariant violated after {call_:?}: {e}");
        }
    }
    drop(c);
    fs.check_invariants().unwrap();
}
