//! The one support module of the integration tests, the operational tools
//! (`tools/`) and anything else that runs the guest outside a unit test.
//!
//! Test crates include it with `mod support;`; the tools with
//! `#[path = "../tests/support/mod.rs"] mod support;`. Each crate uses the
//! part it needs (hence `allow(dead_code)`):
//!
//! - [`guest`]: the FFmpeg runtime (failing, never skipping, when the module
//!   is missing), job helpers, and the lock that keeps memory-measuring
//!   tests alone;
//! - [`load`]: the mixed small jobs of the load test and `make load`;
//! - [`soak`]: the bad-media soak of `tests/soak.rs` and `make soak`;
//! - [`parity`]: the same command run by native FFmpeg and by afmpeg,
//!   outputs compared byte for byte;
//! - [`proc_status`]: the process's memory from `/proc/self/status`;
//! - [`cli_bin`]: the `afmpeg` binary, for the tools that run it.
//!
//! The WASI suites, which run the `afmpeg` binary, are the CLI crate's
//! (`cli/tests/`, with their own support module).
#![allow(dead_code)]

pub mod cli_bin;
pub mod guest;
pub mod load;
pub mod parity;
pub mod proc_status;
pub mod soak;
