//! The one door to the WebAssembly engine: every use of wasmi is in this
//! module tree.
//!
//! - [`module`]: where module bytes come from, and loading them (validate,
//!   compile, check the imports against the WASI layer);
//! - [`fetch`]: modules at a URL, pinned by SHA-256, through a verified cache;
//! - `builtin` (feature `builtin-module`): the lean module shipped inside the
//!   `afmpeg-module-lean` crate (`Runtime::builtin`);
//! - `runtime`: [`Runtime`], a module compiled once and instantiated for
//!   each run, with its fuel slices, memory limit and timeout;
//! - `exec`: what a run is given ([`ExecLimits`]) and how it ended ([`Exit`]);
//! - `classify`: what the end of a guest call means (exit, trap, limit,
//!   cancellation), read from wasmi's typed errors.
//!
//! Everything above this layer (jobs, commands, tasks, the CLI) sees only
//! [`Runtime`], [`Exit`] and [`crate::Error`]; a second engine would be a
//! second tree beside this one with the same surface.

#[cfg(feature = "builtin-module")]
mod builtin;
mod classify;
mod exec;
pub mod fetch;
mod limiter;
pub mod module;
pub mod proposals;
mod runtime;

pub use exec::{ExecLimits, Exit, FUEL_SLICE};
pub use limiter::{MAX_TABLE_ELEMENTS, TABLE_ELEMENT_BYTES};
pub use module::ModuleSource;
pub use runtime::{Runtime, RuntimeBuilder, Validation, GUEST_STACK};
