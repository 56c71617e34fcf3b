//! The support modules of the CLI's integration tests: [`command`] (the
//! binary with the FFmpeg module, for the CLI suites), [`host_mount`] (a
//! host directory to mount beside one an escape would reach), [`nobody`]
//! (a child run as uid 65534 over root's files), [`signals`] (a
//! child signalled at a chosen line of its stderr), [`wasi_programs`]
//! (the C/WAT programs of the WASI suites, built and run under `afmpeg run`
//! and under the wasi-common oracle) and `external` (Go's and Zig's own
//! tests, included by `wasi_external.rs` alone). The FFmpeg fixtures are the
//! library's (`tests/support/` at the workspace root).
#![allow(dead_code)]

pub mod command;
pub mod host_mount;
pub mod nobody;
pub mod signals;
pub mod wasi_programs;
