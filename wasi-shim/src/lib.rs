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
//! guest ─▶ wasmi_link ─▶ binding::call ─▶ syscalls ─▶ fd (table) ─▶ path (resolution) ─▶ fs (inode tree)
//!          (generated from the preview1 table)  │            │                                ▲
//!                                               │            └▶ a backend preopen's fds: backend::resolve ─▶ BackendDir
//!                                               └─ ctx: the run's state (fds, clocks, budget)
//! embedder ─▶ Filesystem::write, import_host, … (embedder API) ─▶ path ─▶ fs
//! embedder ─▶ backend::resolve ─▶ BackendDir: MemoryDir (─▶ fs) │ HostDir (─▶ cap-std Dir) │ OverlayDir
//! ```
//!
//! Imports only go down this list (a module uses only modules after it):
//! `wasmi_link`, `preview1`, `binding`, `syscalls`, `ctx`, the embedder API,
//! `fd`, `stat`, `backend`, `path`, `fs`, then the leaves `abort`, `budget`, `memory`,
//! `clock`, `random`, `stdio`, `abi`, `errno`.
//!
//! - [`wasmi_link`]: the wasmi binding, registering all 46 functions in a
//!   `wasmi::Linker`, generated from the table.
//! - [`preview1`]: the table of the 46 functions
//!   ([`for_each_preview1_function!`]) every binding is generated from.
//! - [`binding`]: what every engine binding shares: the call wrapper
//!   ([`binding::call`], its outcome [`binding::CallOutcome`]) and the view
//!   of the embedder's store ([`binding::WasiView`]).
//! - [`syscalls`]: every preview1 function as plain Rust over a guest-memory
//!   byte slice — testable and fuzzable without any wasm.
//! - [`ctx`]: the per-run [`WasiCtx`] and its builder.
//! - the embedder API: the path-taking methods of [`fs::Filesystem`]
//!   (`write`, `create_dir_all`, `read`, `import_host`, `export_host`, …),
//!   which resolve paths from the root with the guest's resolver.
//! - [`fd`]: the fd table, rights and per-fd state.
//! - [`stat`]: what the guest sees of an inode (WASI file type, `filestat`).
//! - [`backend`]: filesystem backends as directory capabilities asked
//!   about one entry name at a time ([`backend::BackendDir`]): the memory
//!   tree, a live host directory, an overlay; paths walked over them by
//!   [`backend::resolve`] with the rules of [`path`]. A preopen may be one
//!   ([`WasiCtxBuilder::preopen_backend`]).
//! - [`path`]: capability-relative path resolution (cap-std's model: `..`
//!   can never leave the directory an fd refers to).
//! - [`fs`]: the inode tree ([`fs::tree::Tree`]), node I/O, file data and
//!   devices behind the shareable [`fs::Filesystem`] handle.
//! - leaves: [`abort`] (why a guest stopped), [`budget`] (limits and the
//!   write budget), [`memory`] (bounds-checked guest memory), [`clock`],
//!   [`random`], [`stdio`], [`abi`] (WASI's byte layout), [`errno`].
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
pub mod abort;
pub mod backend;
pub mod binding;
pub mod budget;
pub mod clock;
pub mod ctx;
mod embedder;
pub mod errno;
pub mod fd;
pub mod fs;
mod host_stdin;
pub mod memory;
pub mod path;
pub mod preview1;
pub mod random;
pub mod stat;
pub mod stdio;
pub mod syscalls;
#[cfg(feature = "wasmi")]
pub mod wasmi_link;

pub use abort::Abort;
pub use budget::{Limit, WriteBudget};
pub use ctx::{BuildError, Preopen, WasiCtx, WasiCtxBuilder};
pub use embedder::{write_file_atomically, WriteBack};
pub use errno::Errno;
