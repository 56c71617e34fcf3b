//! # wasi-shim
//!
//! A complete WASI preview1 (`wasi_snapshot_preview1`) implementation over an
//! **in-memory inode tree**, with a thin binding into [`wasmi`]. Nothing the
//! guest does touches the host filesystem, network or environment unless the
//! embedder put it there.
//!
//! ## Layers
//!
//! Data flows one way:
//!
//! ```text
//! guest ─▶ wasmi_link (binding) ─▶ syscalls ─▶ fd (table) ─▶ path (resolution) ─▶ fs::tree (inodes)
//! ```
//!
//! - [`fs`]: the inode tree ([`fs::tree::Tree`]) behind a shareable
//!   [`fs::Filesystem`] handle, plus the embedder API to fill and read it
//!   (including host import with memory-mapping and atomic export).
//! - [`path`]: capability-relative path resolution (cap-std's model: `..`
//!   can never leave the directory an fd refers to).
//! - [`fd`]: the fd table, rights and per-fd state.
//! - [`syscalls`]: every preview1 function as plain Rust over a guest-memory
//!   byte slice — testable and fuzzable without any wasm.
//! - [`preview1`]: the table of the 46 functions
//!   ([`for_each_preview1_function!`]) every binding is generated from.
//! - [`binding`]: what every engine binding shares: the call wrapper
//!   ([`binding::call`]) and the view of the embedder's store
//!   ([`binding::WasiView`]).
//! - [`wasmi_link`]: the wasmi binding, registering all 46 functions in a
//!   `wasmi::Linker`.
//!
//! ## Example
//!
//! ```
//! use wasi_shim::{fs::Filesystem, stdio::{Capture, Output}, WasiCtx};
//!
//! let fs = Filesystem::new();
//! fs.write("/hello.txt", b"hi".to_vec())?;
//! let out = Capture::with_cap(1 << 20);
//! let mut ctx = WasiCtx::builder()
//!     .arg("cat")
//!     .stdout(Output::Capture(out.clone()))
//!     .preopen_dir(&fs, "/")
//!     .build()?;
//!
//! // Drive the syscalls directly (a wasm engine would do this through the binding).
//! let mut memory = vec![0u8; 256];
//! let mut mem = wasi_shim::memory::GuestMemory::new(&mut memory);
//! mem.write(0, b"hello.txt")?;
//! wasi_shim::syscalls::path::path_open(&mut ctx, &mut mem, 3, 0, 0, 9, 0, !0, !0, 0, 16)?;
//! let fd = mem.read_u32(16)?;
//! mem.write(32, &[64, 0, 0, 0, 8, 0, 0, 0])?; // one iovec: 8 bytes at 64
//! wasi_shim::syscalls::fd::fd_read(&mut ctx, &mut mem, fd, 32, 1, 40)?;
//! assert_eq!(mem.read_u32(40)?, 2);
//! assert_eq!(mem.slice(64, 2)?, b"hi");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Why each non-obvious choice was made (errnos, cookies, rights) is written
//! down in `RATIONALE.md` next to this crate's manifest.

#![deny(missing_docs)]
#![warn(clippy::all)]

pub mod abi;
pub mod binding;
pub mod clock;
pub mod ctx;
pub mod errno;
pub mod fd;
pub mod fs;
pub mod memory;
pub mod path;
pub mod preview1;
pub mod random;
pub mod stdio;
pub mod syscalls;
#[cfg(feature = "wasmi")]
pub mod wasmi_link;

pub use ctx::{Abort, BuildError, Limit, Preopen, WasiCtx, WasiCtxBuilder};
pub use errno::Errno;
