//! The binding: every preview1 function registered in a [`wasmi::Linker`].
//!
//! Each import is a small closure that fetches the instance's linear memory
//! (looked up by name once, then cached in the [`WasiCtx`]), calls the
//! engine-agnostic syscall, and turns the result into the errno the guest
//! sees. When a call ends the guest (`proc_exit`, a fatal signal, a limit
//! with `abort_on_limit`, an interrupt), the closure returns a host error
//! carrying a [`GuestAbort`], which unwinds the wasm stack.

use crate::ctx::{Abort, WasiCtx};
use crate::errno::Result;
use crate::memory::GuestMemory;
use crate::syscalls::{args, clock, fd, path, poll, proc, sock};
use std::fmt;
use wasmi::{Caller, Error, Extern, Linker, Memory};

/// The import module name of WASI preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Every function this binding provides, by import name.
pub const FUNCTIONS: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// The host error that ends a guest through the WASI layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestAbort(pub Abort);

impl fmt::Display for GuestAbort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Abort::Exit(code) => write!(f, "guest exited with code {code}"),
            Abort::Signal(sig) => write!(f, "guest terminated by signal {sig}"),
            Abort::Limit(l) => write!(f, "guest stopped: limit reached ({l:?})"),
            Abort::Interrupted => write!(f, "guest interrupted"),
        }
    }
}

impl wasmi::errors::HostError for GuestAbort {}

/// A host function panicked (caught, so the process survives).
#[derive(Debug, Clone)]
pub struct HostPanic(pub String);

impl fmt::Display for HostPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host function panicked: {}", self.0)
    }
}

impl wasmi::errors::HostError for HostPanic {}

/// The error when the guest exports no linear memory named `memory`.
#[derive(Debug, Clone, Copy)]
pub struct NoMemoryExport;

impl fmt::Display for NoMemoryExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the module calls WASI but exports no linear memory named \"memory\"")
    }
}

impl wasmi::errors::HostError for NoMemoryExport {}

/// Finds how a run ended, from the error a call into the guest returned.
pub fn abort_of(err: &Error) -> Option<Abort> {
    err.downcast_ref::<GuestAbort>().map(|a| a.0)
}

type Getter<T> = fn(&mut T) -> &mut WasiCtx;

fn memory<T>(caller: &mut Caller<'_, T>, get: Getter<T>) -> std::result::Result<Memory, Error> {
    if let Some(m) = get(caller.data_mut()).memory {
        return Ok(m);
    }
    let m = caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| Error::host(NoMemoryExport))?;
    get(caller.data_mut()).memory = Some(m);
    Ok(m)
}

#[inline]
fn call<T>(
    caller: &mut Caller<'_, T>,
    get: Getter<T>,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> Result<()>,
) -> std::result::Result<i32, Error> {
    let m = memory(caller, get)?;
    let (bytes, data) = m.data_and_store_mut(&mut *caller);
    let ctx = get(data);
    if ctx.interrupted() {
        return Err(Error::host(GuestAbort(Abort::Interrupted)));
    }
    let mut mem = GuestMemory::new(bytes);
    // wasmi's handlers cannot unwind: a panic below (a bug, or an embedder
    // callback such as a progress sink) would abort the process. Catch it
    // and end the guest with a typed error instead.
    let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(ctx, &mut mem))) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            return Err(Error::host(HostPanic(msg)));
        }
    };
    if let Some(abort) = ctx.take_abort() {
        return Err(Error::host(GuestAbort(abort)));
    }
    Ok(match r {
        Ok(()) => 0,
        Err(e) => i32::from(e.raw()),
    })
}

macro_rules! link {
    ($linker:ident, $get:ident, $( $name:literal => |$($a:ident : $t:ty),*| $f:path [$($conv:expr),*] ; )*) => {
        $(
            $linker.func_wrap(MODULE, $name, move |mut caller: Caller<'_, T>, $($a: $t),*| {
                call(&mut caller, $get, |ctx, mem| $f(ctx, mem, $($conv),*))
            })?;
        )*
    };
}

/// Registers all 46 preview1 functions in `linker`; `get` finds the
/// [`WasiCtx`] inside the store's data.
///
/// ```
/// use wasi_shim::{wasmi_link, WasiCtx};
/// let engine = wasmi::Engine::default();
/// let mut linker = wasmi::Linker::<WasiCtx>::new(&engine);
/// wasmi_link::add_to_linker(&mut linker, |ctx| ctx)?;
/// # Ok::<(), wasmi::Error>(())
/// ```
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: Getter<T>,
) -> std::result::Result<(), Error> {
    link! { linker, get,
        "args_get" => |a: i32, b: i32| args::args_get [a as u32, b as u32];
        "args_sizes_get" => |a: i32, b: i32| args::args_sizes_get [a as u32, b as u32];
        "environ_get" => |a: i32, b: i32| args::environ_get [a as u32, b as u32];
        "environ_sizes_get" => |a: i32, b: i32| args::environ_sizes_get [a as u32, b as u32];
        "clock_res_get" => |a: i32, b: i32| clock::clock_res_get [a as u32, b as u32];
        "clock_time_get" => |a: i32, p: i64, b: i32| clock::clock_time_get [a as u32, p as u64, b as u32];
        "fd_advise" => |f: i32, o: i64, l: i64, a: i32| fd::fd_advise [f as u32, o as u64, l as u64, a as u32];
        "fd_allocate" => |f: i32, o: i64, l: i64| fd::fd_allocate [f as u32, o as u64, l as u64];
        "fd_close" => |f: i32| fd::fd_close [f as u32];
        "fd_datasync" => |f: i32| fd::fd_datasync [f as u32];
        "fd_fdstat_get" => |f: i32, o: i32| fd::fd_fdstat_get [f as u32, o as u32];
        "fd_fdstat_set_flags" => |f: i32, fl: i32| fd::fd_fdstat_set_flags [f as u32, fl as u32];
        "fd_fdstat_set_rights" => |f: i32, b: i64, i: i64| fd::fd_fdstat_set_rights [f as u32, b as u64, i as u64];
        "fd_filestat_get" => |f: i32, o: i32| fd::fd_filestat_get [f as u32, o as u32];
        "fd_filestat_set_size" => |f: i32, s: i64| fd::fd_filestat_set_size [f as u32, s as u64];
        "fd_filestat_set_times" => |f: i32, a: i64, m: i64, fl: i32| fd::fd_filestat_set_times [f as u32, a as u64, m as u64, fl as u32];
        "fd_pread" => |f: i32, v: i32, n: i32, o: i64, r: i32| fd::fd_pread [f as u32, v as u32, n as u32, o as u64, r as u32];
        "fd_prestat_get" => |f: i32, o: i32| fd::fd_prestat_get [f as u32, o as u32];
        "fd_prestat_dir_name" => |f: i32, p: i32, l: i32| fd::fd_prestat_dir_name [f as u32, p as u32, l as u32];
        "fd_pwrite" => |f: i32, v: i32, n: i32, o: i64, r: i32| fd::fd_pwrite [f as u32, v as u32, n as u32, o as u64, r as u32];
        "fd_read" => |f: i32, v: i32, n: i32, r: i32| fd::fd_read [f as u32, v as u32, n as u32, r as u32];
        "fd_readdir" => |f: i32, b: i32, l: i32, c: i64, u: i32| fd::fd_readdir [f as u32, b as u32, l as u32, c as u64, u as u32];
        "fd_renumber" => |f: i32, t: i32| fd::fd_renumber [f as u32, t as u32];
        "fd_seek" => |f: i32, d: i64, w: i32, o: i32| fd::fd_seek [f as u32, d, w as u32, o as u32];
        "fd_sync" => |f: i32| fd::fd_sync [f as u32];
        "fd_tell" => |f: i32, o: i32| fd::fd_tell [f as u32, o as u32];
        "fd_write" => |f: i32, v: i32, n: i32, r: i32| fd::fd_write [f as u32, v as u32, n as u32, r as u32];
        "path_create_directory" => |f: i32, p: i32, l: i32| path::path_create_directory [f as u32, p as u32, l as u32];
        "path_filestat_get" => |f: i32, fl: i32, p: i32, l: i32, o: i32| path::path_filestat_get [f as u32, fl as u32, p as u32, l as u32, o as u32];
        "path_filestat_set_times" => |f: i32, fl: i32, p: i32, l: i32, a: i64, m: i64, st: i32| path::path_filestat_set_times [f as u32, fl as u32, p as u32, l as u32, a as u64, m as u64, st as u32];
        "path_link" => |of: i32, ofl: i32, op: i32, ol: i32, nf: i32, np: i32, nl: i32| path::path_link [of as u32, ofl as u32, op as u32, ol as u32, nf as u32, np as u32, nl as u32];
        "path_open" => |f: i32, df: i32, p: i32, l: i32, of: i32, b: i64, i: i64, ff: i32, o: i32| path::path_open [f as u32, df as u32, p as u32, l as u32, of as u32, b as u64, i as u64, ff as u32, o as u32];
        "path_readlink" => |f: i32, p: i32, l: i32, b: i32, bl: i32, u: i32| path::path_readlink [f as u32, p as u32, l as u32, b as u32, bl as u32, u as u32];
        "path_remove_directory" => |f: i32, p: i32, l: i32| path::path_remove_directory [f as u32, p as u32, l as u32];
        "path_rename" => |f: i32, op: i32, ol: i32, nf: i32, np: i32, nl: i32| path::path_rename [f as u32, op as u32, ol as u32, nf as u32, np as u32, nl as u32];
        "path_symlink" => |op: i32, ol: i32, f: i32, np: i32, nl: i32| path::path_symlink [op as u32, ol as u32, f as u32, np as u32, nl as u32];
        "path_unlink_file" => |f: i32, p: i32, l: i32| path::path_unlink_file [f as u32, p as u32, l as u32];
        "poll_oneoff" => |i: i32, o: i32, n: i32, e: i32| poll::poll_oneoff [i as u32, o as u32, n as u32, e as u32];
        "proc_raise" => |s: i32| proc::proc_raise [s as u32];
        "sched_yield" => | | proc::sched_yield [];
        "random_get" => |b: i32, l: i32| proc::random_get [b as u32, l as u32];
        "sock_accept" => |f: i32, fl: i32, o: i32| sock::sock_accept [f as u32, fl as u32, o as u32];
        "sock_recv" => |f: i32, v: i32, n: i32, fl: i32, d: i32, of: i32| sock::sock_recv [f as u32, v as u32, n as u32, fl as u32, d as u32, of as u32];
        "sock_send" => |f: i32, v: i32, n: i32, fl: i32, d: i32| sock::sock_send [f as u32, v as u32, n as u32, fl as u32, d as u32];
        "sock_shutdown" => |f: i32, h: i32| sock::sock_shutdown [f as u32, h as u32];
    }
    // proc_exit returns nothing: it always ends the guest.
    linker.func_wrap(
        MODULE,
        "proc_exit",
        move |mut caller: Caller<'_, T>, code: i32| -> std::result::Result<(), Error> {
            let ctx = get(caller.data_mut());
            ctx.abort = Some(Abort::Exit(code as u32));
            let abort = ctx.take_abort().unwrap_or(Abort::Exit(code as u32));
            Err(Error::host(GuestAbort(abort)))
        },
    )?;
    Ok(())
}
