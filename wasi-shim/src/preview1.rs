//! The table of the 46 `wasi_snapshot_preview1` functions: the one place
//! their import names, wasm signatures and syscalls are written down.
//!
//! [`for_each_preview1_function!`](crate::for_each_preview1_function) hands
//! the whole table to a macro of the caller's, which generates whatever an
//! engine needs: the wasmi binding ([`crate::wasmi_link`]), the raw-ABI
//! fuzzer, [`NAMES`] and [`SIGNATURES`] here, or the `extern "C"` imports of
//! wasm2c-generated code. Each entry reads
//!
//! ```text
//! fd_seek(fd: i32 as u32 [fd], offset: i64 as i64 [u64], whence: i32 as u32 [flags], newoffset: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_seek;
//! ```
//!
//! - the import name, as an identifier;
//! - per parameter: its name, its wasm type (`i32` or `i64`), the Rust type
//!   the syscall takes (`as u32`, `as u64`, `as i64`: convert with `as`), and
//!   its kind in brackets, for tools that pick values (the fuzzer):
//!   `fd`, `ptr` (a guest address), `len` (a byte length or element count),
//!   `flags` (any other 32-bit word: flags, a clock id, a whence, a signal,
//!   an exit code), `u64` (an offset, size, rights mask or time) or
//!   `nsubscriptions` (`poll_oneoff`'s count of 48-byte records);
//! - the return shape: `errno` (the wasm function returns the errno as
//!   `i32`, 0 for success) or `noreturn` (no wasm result: `proc_exit`, which
//!   always ends the guest);
//! - the syscall, a path to a function
//!   `fn(&mut WasiCtx, &mut GuestMemory, params…) -> Result<(), Errno>`,
//!   called with the converted parameters in order. Call it through
//!   [`binding::call`](crate::binding::call), which every binding shares.
//!
//! The table is in the order of the preview1 witx. Invoke it as
//! `for_each_preview1_function!(my_macro)` or, to pass tokens of your own
//! in front of the entries, `for_each_preview1_function!(my_macro, tokens…)`,
//! which expands to `my_macro! { tokens… ; entries… }`.
//!
//! ## A binding for another engine, with public items only
//!
//! This toy engine keeps linear memory in a `Vec` and calls imports by name
//! with raw `u64` arguments. It is all a binding needs: the table, the call
//! wrapper and the outcome (this example compiles outside the crate, so
//! nothing in it is private).
//!
//! ```
//! use wasi_shim::binding::{call, CallOutcome};
//! use wasi_shim::{fs::Filesystem, Abort, WasiCtx};
//!
//! struct Toy {
//!     wasi: WasiCtx,
//!     memory: Vec<u8>,
//! }
//!
//! macro_rules! toy_imports {
//!     ($( $name:ident ( $( $p:ident : $wasm:ident as $host:ident [$kind:ident] ),* )
//!         -> $shape:ident = $syscall:path ; )*) => {
//!         /// Calls import `name`; `None` if there is no such import or too few arguments.
//!         fn call_import(toy: &mut Toy, name: &str, args: &[u64]) -> Option<CallOutcome> {
//!             match name {
//!                 $( stringify!($name) => {
//!                     let mut args = args.iter().copied();
//!                     $( let $p = args.next()? as $wasm as $host; )*
//!                     Some(call(&mut toy.wasi, &mut toy.memory, |ctx, mem| {
//!                         $syscall(ctx, mem, $($p),*)
//!                     }))
//!                 } )*
//!                 _ => None,
//!             }
//!         }
//!     };
//! }
//! wasi_shim::for_each_preview1_function!(toy_imports);
//!
//! let fs = Filesystem::new();
//! fs.write("/hello.txt", b"hi".to_vec())?;
//! let wasi = WasiCtx::builder().preopen_dir(&fs, "/").build()?;
//! let mut toy = Toy { wasi, memory: vec![0; 256] };
//! toy.memory[..9].copy_from_slice(b"hello.txt");
//! // path_open(3, 0, "hello.txt", 0, FD_READ, 0, 0, &fd at 16)
//! let open = call_import(&mut toy, "path_open", &[3, 0, 0, 9, 0, 2, 0, 0, 16]);
//! assert_eq!(open, Some(CallOutcome::Errno(0)));
//! assert_eq!(toy.memory[16], 4); // the new fd
//! // fd_close(99): EBADF
//! assert_eq!(call_import(&mut toy, "fd_close", &[99]), Some(CallOutcome::Errno(8)));
//! // proc_exit(3) ends the guest through the same wrapper.
//! let exit = call_import(&mut toy, "proc_exit", &[3]);
//! assert_eq!(exit, Some(CallOutcome::Abort(Abort::Exit(3))));
//! assert_eq!(call_import(&mut toy, "no_such_import", &[]), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// The import module name of WASI preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Hands the table of the 46 preview1 functions to the macro `$callback`.
///
/// `for_each_preview1_function!(cb)` expands to `cb! { entries… }`;
/// `for_each_preview1_function!(cb, tokens…)` to `cb! { tokens… ; entries… }`.
/// The shape of an entry is described in [`preview1`](crate::preview1).
#[macro_export]
macro_rules! for_each_preview1_function {
    ($callback:ident) => {
        $crate::for_each_preview1_function! { @entries $callback [] }
    };
    ($callback:ident, $($prefix:tt)*) => {
        $crate::for_each_preview1_function! { @entries $callback [$($prefix)* ;] }
    };
    (@entries $callback:ident [$($prefix:tt)*]) => {
        $callback! { $($prefix)*
            args_get(argv: i32 as u32 [ptr], argv_buf: i32 as u32 [ptr]) -> errno = $crate::syscalls::args::args_get;
            args_sizes_get(argc: i32 as u32 [ptr], argv_buf_size: i32 as u32 [ptr]) -> errno = $crate::syscalls::args::args_sizes_get;
            environ_get(environ: i32 as u32 [ptr], environ_buf: i32 as u32 [ptr]) -> errno = $crate::syscalls::args::environ_get;
            environ_sizes_get(environc: i32 as u32 [ptr], environ_buf_size: i32 as u32 [ptr]) -> errno = $crate::syscalls::args::environ_sizes_get;
            clock_res_get(id: i32 as u32 [flags], resolution: i32 as u32 [ptr]) -> errno = $crate::syscalls::clock::clock_res_get;
            clock_time_get(id: i32 as u32 [flags], precision: i64 as u64 [u64], time: i32 as u32 [ptr]) -> errno = $crate::syscalls::clock::clock_time_get;
            fd_advise(fd: i32 as u32 [fd], offset: i64 as u64 [u64], len: i64 as u64 [u64], advice: i32 as u32 [flags]) -> errno = $crate::syscalls::fd::fd_advise;
            fd_allocate(fd: i32 as u32 [fd], offset: i64 as u64 [u64], len: i64 as u64 [u64]) -> errno = $crate::syscalls::fd::fd_allocate;
            fd_close(fd: i32 as u32 [fd]) -> errno = $crate::syscalls::fd::fd_close;
            fd_datasync(fd: i32 as u32 [fd]) -> errno = $crate::syscalls::fd::fd_datasync;
            fd_fdstat_get(fd: i32 as u32 [fd], stat: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_fdstat_get;
            fd_fdstat_set_flags(fd: i32 as u32 [fd], flags: i32 as u32 [flags]) -> errno = $crate::syscalls::fd::fd_fdstat_set_flags;
            fd_fdstat_set_rights(fd: i32 as u32 [fd], fs_rights_base: i64 as u64 [u64], fs_rights_inheriting: i64 as u64 [u64]) -> errno = $crate::syscalls::fd::fd_fdstat_set_rights;
            fd_filestat_get(fd: i32 as u32 [fd], buf: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_filestat_get;
            fd_filestat_set_size(fd: i32 as u32 [fd], size: i64 as u64 [u64]) -> errno = $crate::syscalls::fd::fd_filestat_set_size;
            fd_filestat_set_times(fd: i32 as u32 [fd], atim: i64 as u64 [u64], mtim: i64 as u64 [u64], fst_flags: i32 as u32 [flags]) -> errno = $crate::syscalls::fd::fd_filestat_set_times;
            fd_pread(fd: i32 as u32 [fd], iovs: i32 as u32 [ptr], iovs_len: i32 as u32 [len], offset: i64 as u64 [u64], nread: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_pread;
            fd_prestat_get(fd: i32 as u32 [fd], buf: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_prestat_get;
            fd_prestat_dir_name(fd: i32 as u32 [fd], path: i32 as u32 [ptr], path_len: i32 as u32 [len]) -> errno = $crate::syscalls::fd::fd_prestat_dir_name;
            fd_pwrite(fd: i32 as u32 [fd], iovs: i32 as u32 [ptr], iovs_len: i32 as u32 [len], offset: i64 as u64 [u64], nwritten: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_pwrite;
            fd_read(fd: i32 as u32 [fd], iovs: i32 as u32 [ptr], iovs_len: i32 as u32 [len], nread: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_read;
            fd_readdir(fd: i32 as u32 [fd], buf: i32 as u32 [ptr], buf_len: i32 as u32 [len], cookie: i64 as u64 [u64], bufused: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_readdir;
            fd_renumber(fd: i32 as u32 [fd], to: i32 as u32 [fd]) -> errno = $crate::syscalls::fd::fd_renumber;
            fd_seek(fd: i32 as u32 [fd], offset: i64 as i64 [u64], whence: i32 as u32 [flags], newoffset: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_seek;
            fd_sync(fd: i32 as u32 [fd]) -> errno = $crate::syscalls::fd::fd_sync;
            fd_tell(fd: i32 as u32 [fd], offset: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_tell;
            fd_write(fd: i32 as u32 [fd], iovs: i32 as u32 [ptr], iovs_len: i32 as u32 [len], nwritten: i32 as u32 [ptr]) -> errno = $crate::syscalls::fd::fd_write;
            path_create_directory(fd: i32 as u32 [fd], path: i32 as u32 [ptr], path_len: i32 as u32 [len]) -> errno = $crate::syscalls::path::path_create_directory;
            path_filestat_get(fd: i32 as u32 [fd], flags: i32 as u32 [flags], path: i32 as u32 [ptr], path_len: i32 as u32 [len], buf: i32 as u32 [ptr]) -> errno = $crate::syscalls::path::path_filestat_get;
            path_filestat_set_times(fd: i32 as u32 [fd], flags: i32 as u32 [flags], path: i32 as u32 [ptr], path_len: i32 as u32 [len], atim: i64 as u64 [u64], mtim: i64 as u64 [u64], fst_flags: i32 as u32 [flags]) -> errno = $crate::syscalls::path::path_filestat_set_times;
            path_link(old_fd: i32 as u32 [fd], old_flags: i32 as u32 [flags], old_path: i32 as u32 [ptr], old_path_len: i32 as u32 [len], new_fd: i32 as u32 [fd], new_path: i32 as u32 [ptr], new_path_len: i32 as u32 [len]) -> errno = $crate::syscalls::path::path_link;
            path_open(fd: i32 as u32 [fd], dirflags: i32 as u32 [flags], path: i32 as u32 [ptr], path_len: i32 as u32 [len], oflags: i32 as u32 [flags], fs_rights_base: i64 as u64 [u64], fs_rights_inheriting: i64 as u64 [u64], fdflags: i32 as u32 [flags], opened_fd: i32 as u32 [ptr]) -> errno = $crate::syscalls::path::path_open;
            path_readlink(fd: i32 as u32 [fd], path: i32 as u32 [ptr], path_len: i32 as u32 [len], buf: i32 as u32 [ptr], buf_len: i32 as u32 [len], bufused: i32 as u32 [ptr]) -> errno = $crate::syscalls::path::path_readlink;
            path_remove_directory(fd: i32 as u32 [fd], path: i32 as u32 [ptr], path_len: i32 as u32 [len]) -> errno = $crate::syscalls::path::path_remove_directory;
            path_rename(fd: i32 as u32 [fd], old_path: i32 as u32 [ptr], old_path_len: i32 as u32 [len], new_fd: i32 as u32 [fd], new_path: i32 as u32 [ptr], new_path_len: i32 as u32 [len]) -> errno = $crate::syscalls::path::path_rename;
            path_symlink(old_path: i32 as u32 [ptr], old_path_len: i32 as u32 [len], fd: i32 as u32 [fd], new_path: i32 as u32 [ptr], new_path_len: i32 as u32 [len]) -> errno = $crate::syscalls::path::path_symlink;
            path_unlink_file(fd: i32 as u32 [fd], path: i32 as u32 [ptr], path_len: i32 as u32 [len]) -> errno = $crate::syscalls::path::path_unlink_file;
            poll_oneoff(subscriptions: i32 as u32 [ptr], events: i32 as u32 [ptr], nsubscriptions: i32 as u32 [nsubscriptions], nevents: i32 as u32 [ptr]) -> errno = $crate::syscalls::poll::poll_oneoff;
            proc_exit(rval: i32 as u32 [flags]) -> noreturn = $crate::syscalls::proc::proc_exit;
            proc_raise(sig: i32 as u32 [flags]) -> errno = $crate::syscalls::proc::proc_raise;
            sched_yield() -> errno = $crate::syscalls::proc::sched_yield;
            random_get(buf: i32 as u32 [ptr], buf_len: i32 as u32 [len]) -> errno = $crate::syscalls::proc::random_get;
            sock_accept(fd: i32 as u32 [fd], flags: i32 as u32 [flags], fd_out: i32 as u32 [ptr]) -> errno = $crate::syscalls::sock::sock_accept;
            sock_recv(fd: i32 as u32 [fd], ri_data: i32 as u32 [ptr], ri_data_len: i32 as u32 [len], ri_flags: i32 as u32 [flags], ro_datalen: i32 as u32 [ptr], ro_flags: i32 as u32 [ptr]) -> errno = $crate::syscalls::sock::sock_recv;
            sock_send(fd: i32 as u32 [fd], si_data: i32 as u32 [ptr], si_data_len: i32 as u32 [len], si_flags: i32 as u32 [flags], so_datalen: i32 as u32 [ptr]) -> errno = $crate::syscalls::sock::sock_send;
            sock_shutdown(fd: i32 as u32 [fd], how: i32 as u32 [flags]) -> errno = $crate::syscalls::sock::sock_shutdown;
        }
    };
}

/// A wasm value type of a preview1 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

/// The wasm signature of one preview1 import, for tools that describe the
/// imports rather than call them (a C header, an import check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// The import name, e.g. `"fd_read"`.
    pub name: &'static str,
    /// The parameter types in order.
    pub params: &'static [ValType],
    /// The result types: `[I32]` (the errno) or `[]` (`proc_exit`).
    pub results: &'static [ValType],
}

macro_rules! val_type {
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
}

macro_rules! results {
    (errno) => {
        &[ValType::I32]
    };
    (noreturn) => {
        &[]
    };
}

macro_rules! describe {
    ($( $name:ident ( $( $p:ident : $wasm:ident as $host:ident [$kind:ident] ),* )
        -> $shape:ident = $syscall:path ; )*) => {
        /// Every preview1 import name, in the table's order.
        pub const NAMES: [&str; 46] = [$( stringify!($name) ),*];

        /// Every preview1 signature, in the table's order.
        pub const SIGNATURES: [Signature; 46] = [$(
            Signature {
                name: stringify!($name),
                params: &[$( val_type!($wasm) ),*],
                results: results!($shape),
            }
        ),*];
    };
}

crate::for_each_preview1_function!(describe);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_signatures_follow_them() {
        let mut sorted = NAMES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 46);
        for (name, sig) in NAMES.iter().zip(SIGNATURES.iter()) {
            assert_eq!(*name, sig.name);
        }
        let seek = SIGNATURES.iter().find(|s| s.name == "fd_seek").unwrap();
        use ValType::{I32, I64};
        assert_eq!(seek.params, &[I32, I64, I32, I32]);
        assert_eq!(seek.results, &[I32]);
        let exit = SIGNATURES.iter().find(|s| s.name == "proc_exit").unwrap();
        assert_eq!(exit.params, &[I32]);
        assert!(exit.results.is_empty());
    }
}
