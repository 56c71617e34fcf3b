//! The preview1 table drives a C-ABI binding from outside the crate, the
//! shape wasm2c-generated code imports: one `extern "C"` function per
//! preview1 function, named `Z_wasi_snapshot_preview1Z_<name>`, taking the
//! host instance pointer first, then `u32`/`u64` for wasm `i32`/`i64`, and
//! returning the errno as `u32`. A non-zero status word on the instance
//! tells the C side to trap (an abort or a caught panic).

use wasi_shim::binding::{call, CallOutcome};
use wasi_shim::fs::Filesystem;
use wasi_shim::preview1::{ValType, NAMES, SIGNATURES};
use wasi_shim::{Abort, WasiCtx};

/// What wasm2c's generated code would pass as the import's instance.
struct HostInstance {
    wasi: WasiCtx,
    memory: Vec<u8>,
    /// Why the guest must stop, for the C side to trap on.
    stopped: Option<Stop>,
}

#[derive(Debug, PartialEq)]
enum Stop {
    Abort(Abort),
    Panic(String),
}

macro_rules! c_type {
    (i32) => {
        u32
    };
    (i64) => {
        u64
    };
}

macro_rules! c_abi {
    ($( $name:ident ( $( $p:ident : $wasm:ident as $host:ident [$kind:ident] ),* )
        -> $shape:ident = $syscall:path ; )*) => {
        $(
            /// The wasm2c import of this preview1 function.
            ///
            /// # Safety
            /// `instance` points to a live `HostInstance` no one else borrows.
            #[export_name = concat!("Z_wasi_snapshot_preview1Z_", stringify!($name))]
            pub unsafe extern "C" fn $name(instance: *mut HostInstance, $($p: c_type!($wasm)),*) -> u32 {
                let instance = unsafe { &mut *instance };
                match call(&mut instance.wasi, &mut instance.memory, |ctx, mem| {
                    $syscall(ctx, mem, $($p as $host),*)
                }) {
                    CallOutcome::Errno(e) => e as u32,
                    CallOutcome::Abort(a) => {
                        instance.stopped = Some(Stop::Abort(a));
                        u32::MAX
                    }
                    CallOutcome::Panic(m) => {
                        instance.stopped = Some(Stop::Panic(m));
                        u32::MAX
                    }
                }
            }
        )*

        /// The import names, as the macro saw them.
        pub const GENERATED: [&str; 46] = [$( stringify!($name) ),*];
    };
}

mod imports {
    use super::*;
    wasi_shim::for_each_preview1_function!(c_abi);
}

fn instance() -> HostInstance {
    let fs = Filesystem::new();
    fs.write("/in.txt", b"0123456789".to_vec()).unwrap();
    let wasi = WasiCtx::builder().preopen_dir(&fs, "/").build().unwrap();
    HostInstance {
        wasi,
        memory: vec![0; 1024],
        stopped: None,
    }
}

#[test]
fn the_table_generates_46_c_imports_in_witx_order() {
    assert_eq!(imports::GENERATED, NAMES);
    assert_eq!(NAMES[0], "args_get");
    assert_eq!(NAMES[45], "sock_shutdown");
    let i64_params: usize = SIGNATURES
        .iter()
        .map(|s| s.params.iter().filter(|t| **t == ValType::I64).count())
        .sum();
    // clock_time_get 1, fd_advise 2, fd_allocate 2, fd_fdstat_set_rights 2,
    // fd_filestat_set_size 1, fd_filestat_set_times 2, fd_pread 1,
    // fd_pwrite 1, fd_readdir 1, fd_seek 1, path_filestat_set_times 2,
    // path_open 2.
    assert_eq!(i64_params, 18);
}

#[test]
fn c_imports_open_read_and_fail_with_linux_errnos() {
    let mut inst = instance();
    inst.memory[..6].copy_from_slice(b"in.txt");
    let p: *mut HostInstance = &mut inst;
    // path_open(3, 0, "in.txt", 0, FD_READ|FD_SEEK, 0, 0, &fd at 16)
    let e = unsafe { imports::path_open(p, 3, 0, 0, 6, 0, 2 | 4, 0, 0, 16) };
    assert_eq!(e, 0);
    let fd = u32::from_le_bytes(inst.memory[16..20].try_into().unwrap());
    assert_eq!(fd, 4);
    // fd_seek(fd, -4, END, &pos at 24): an i64 passed as u64.
    let e = unsafe { imports::fd_seek(p, fd, (-4i64) as u64, 2, 24) };
    assert_eq!(e, 0);
    assert_eq!(&inst.memory[24..32], &6u64.to_le_bytes());
    // fd_read(fd, one iovec at 32 -> 8 bytes at 64, &n at 40)
    inst.memory[32..40].copy_from_slice(&[64, 0, 0, 0, 8, 0, 0, 0]);
    let e = unsafe { imports::fd_read(p, fd, 32, 1, 40) };
    assert_eq!(e, 0);
    assert_eq!(&inst.memory[40..44], &4u32.to_le_bytes());
    assert_eq!(&inst.memory[64..68], b"6789");
    // EBADF, EFAULT, ENOENT.
    assert_eq!(unsafe { imports::fd_close(p, 99) }, 8);
    assert_eq!(unsafe { imports::fd_tell(p, fd, 1021) }, 21);
    inst.memory[..4].copy_from_slice(b"nope");
    let e = unsafe { imports::path_open(p, 3, 0, 0, 4, 0, 2, 0, 0, 16) };
    assert_eq!(e, 44);
    assert_eq!(inst.stopped, None);
}

#[test]
fn proc_exit_and_fatal_signals_stop_through_the_same_wrapper() {
    let mut inst = instance();
    let p: *mut HostInstance = &mut inst;
    assert_eq!(unsafe { imports::proc_exit(p, 42) }, u32::MAX);
    assert_eq!(inst.stopped, Some(Stop::Abort(Abort::Exit(42))));
    let mut inst = instance();
    let p: *mut HostInstance = &mut inst;
    // SIGCHLD (16) is ignored by default; SIGTERM (15) terminates.
    assert_eq!(unsafe { imports::proc_raise(p, 16) }, 0);
    assert_eq!(inst.stopped, None);
    assert_eq!(unsafe { imports::proc_raise(p, 15) }, u32::MAX);
    assert_eq!(inst.stopped, Some(Stop::Abort(Abort::Signal(15))));
}
