//! Random guest memory, random function indices and random u32/u64
//! arguments, calling every function of the preview1 table
//! (`wasi_shim::for_each_preview1_function!`) directly, several calls per
//! input on one context. Nothing may panic (any errno is fine), and the
//! tree's invariants must hold after every call.
//!
//! Arguments are raw 64-bit values. Each argument's top two bits pick how it
//! is used, so that the fuzzer reaches both the garbage and the plausible:
//! `00` small (fds 0..16, pointers and lengths inside memory), anything else
//! the raw value truncated to the parameter's width.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wasi_shim::fs::Filesystem;
use wasi_shim::memory::GuestMemory;
use wasi_shim::stdio::{Capture, Input, Output};
use wasi_shim::{Preopen, WasiCtx};

#[derive(Arbitrary, Debug)]
struct Call {
    func: u8,
    args: [u64; 9],
}

#[derive(Arbitrary, Debug)]
struct In {
    mem_pages_hint: u16,
    mem_seed: Vec<u8>,
    calls: Vec<Call>,
}

/// The arguments of one call, taken in order: each call to a kind's method
/// consumes the next raw value.
struct A<'a> {
    raw: &'a [u64; 9],
    next: usize,
    mem_len: u64,
}

/// The preview1 table's parameter kinds (see `wasi_shim::preview1`).
impl A<'_> {
    /// The next raw value, and whether its top bits ask for a small one.
    fn take(&mut self) -> (u64, bool) {
        let v = self.raw[self.next];
        self.next += 1;
        (v, v >> 62 == 0)
    }
    /// An fd.
    fn fd(&mut self) -> u32 {
        match self.take() {
            (v, true) => (v % 16) as u32,
            (v, false) => v as u32,
        }
    }
    /// A pointer.
    fn ptr(&mut self) -> u32 {
        let mem_len = self.mem_len;
        match self.take() {
            (v, true) => (v % (mem_len + 8)) as u32,
            (v, false) => v as u32,
        }
    }
    /// A length or count.
    fn len(&mut self) -> u32 {
        match self.take() {
            (v, true) => (v % 300) as u32,
            (v, false) => v as u32,
        }
    }
    /// `poll_oneoff`'s subscription count: a length, below 64.
    fn nsubscriptions(&mut self) -> u32 {
        self.len() % 64
    }
    /// A flags word or other u32.
    fn flags(&mut self) -> u32 {
        match self.take() {
            (v, true) => (v % 64) as u32,
            (v, false) => v as u32,
        }
    }
    /// A 64-bit offset, size, rights or time.
    fn u64(&mut self) -> u64 {
        match self.take() {
            (v, true) => v % (1 << 20),
            (v, false) => v,
        }
    }
}

/// One preview1 function, called with arguments drawn by kind.
type Syscall = fn(&mut WasiCtx, &mut GuestMemory<'_>, &mut A<'_>) -> wasi_shim::errno::Result<()>;

macro_rules! syscalls {
    ($( $name:ident ( $( $p:ident : $wasm:ident as $host:ident [$kind:ident] ),* )
        -> $shape:ident = $syscall:path ; )*) => {
        /// Every preview1 function, in the table's order. (`sched_yield`
        /// takes no argument, so its `a` is unused.)
        #[allow(unused_variables)]
        const SYSCALLS: [Syscall; 46] = [$(
            |c, m, a| $syscall(c, m, $( a.$kind() as $host ),*)
        ),*];
    };
}
wasi_shim::for_each_preview1_function!(syscalls);

fn ctx(fs: &Filesystem) -> WasiCtx {
    let ro = Preopen { fs: fs.clone(), dir: "/ro".into(), guest: "/ro".into(), read_only: true };
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

fn call(c: &mut WasiCtx, m: &mut GuestMemory<'_>, func: u8, a: &mut A<'_>) {
    let _ = SYSCALLS[usize::from(func) % SYSCALLS.len()](c, m, a);
    // proc_exit / proc_raise only record an abort; the binding would end
    // the guest. Keep going, as a fuzzer may.
    c.take_abort();
}

fuzz_target!(|input: In| {
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
        let mut a = A { raw: &call_.args, next: 0, mem_len };
        let mut m = GuestMemory::new(&mut bytes);
        call(&mut c, &mut m, call_.func, &mut a);
        if let Err(e) = fs.check_invariants() {
            panic!("tree invariant violated after {call_:?}: {e}");
        }
    }
    drop(c);
    fs.check_invariants().unwrap();
});
