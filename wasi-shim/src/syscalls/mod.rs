//! Every `wasi_snapshot_preview1` function, as plain Rust over
//! `(&mut WasiCtx, &mut GuestMemory, args…) -> Result<(), Errno>`.
//!
//! Nothing here knows about an engine: the binding in [`crate::wasmi_link`]
//! (or a fuzzer, or a unit test) supplies the memory. Out-pointers are
//! checked before any side effect, so a call that fails with `EFAULT` has not
//! consumed input or changed the tree.

// Each function takes exactly the arguments of its preview1 import, so some
// take more than clippy's default of seven.
#![allow(clippy::too_many_arguments)]

pub mod args;
pub mod clock;
mod dircap;
pub mod fd;
mod on_backend;
pub mod path;
pub mod poll;
pub mod proc;
pub mod sock;

use crate::errno::{Errno, Result};

pub use crate::fs::MAX_FILE_SIZE;

/// Copies a list of strings (args or environ) the way `args_get` lays them
/// out: a pointer array at `ptrs`, NUL-terminated bytes at `buf`.
pub(crate) fn write_string_list(
    mem: &mut crate::memory::GuestMemory<'_>,
    list: &[String],
    ptrs: u32,
    buf: u32,
) -> Result<()> {
    let total: u64 = list.iter().map(|s| s.len() as u64 + 1).sum();
    mem.check(
        ptrs,
        u32::try_from(list.len() as u64 * 4).map_err(|_| Errno::Fault)?,
    )?;
    mem.check(buf, u32::try_from(total).map_err(|_| Errno::Fault)?)?;
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        mem.write_u32(ptrs + 4 * i as u32, at)?;
        mem.write(at, s.as_bytes())?;
        mem.write(at + s.len() as u32, &[0])?;
        at += s.len() as u32 + 1;
    }
    Ok(())
}
