//! The one door to the WebAssembly engine: every use of wasmi is in this
//! module tree.
//!
//! - [`module`]: where module bytes come from, and loading them (validate,
//!   compile, check the imports against the WASI layer);
//! - [`companion`]: files a profile ships beside its module (the default
//!   profile's font), mounted for every job;
//! - [`fetch`]: modules at a URL, pinned by SHA-256, through a verified cache;
//! - `builtin` (features `builtin-module`, `builtin-module-lean`): the
//!   default and lean modules shipped inside the `afmpeg-module-default`
//!   and `afmpeg-module-lean` crates (`Runtime::builtin`, `builtin_lean`);
//! - `runtime`: [`Runtime`], a module compiled once and instantiated for
//!   each run, with its fuel slices, memory limit and timeout;
//! - `exec`: what a run is given ([`ExecLimits`]) and how it ended ([`Exit`]);
//! - `classify`: what the end of a guest call means (exit, trap, limit,
//!   cancellation), read from wasmi's typed errors;
//! - [`choice`]: which tier runs the jobs ([`Engine`]): the interpreter, or
//!   the native tier when it is compiled in and the module is its own;
//! - `native` (cargo feature `native`): the native tier of crate
//!   `afmpeg-native`, its outcomes mapped to the same [`Exit`] and
//!   [`crate::Error`].
//!
//! Everything above this layer (jobs, commands, tasks, the CLI) sees only
//! [`Runtime`], [`Exit`] and [`crate::Error`], whichever tier runs.

#[cfg(any(feature = "builtin-module", feature = "builtin-module-lean"))]
mod builtin;
pub mod choice;
mod classify;
pub mod companion;
mod exec;
pub mod fetch;
pub mod invoke;
mod limiter;
pub mod module;
#[cfg(feature = "native-tier")]
mod native;
pub mod proposals;
mod runtime;

pub use choice::{Engine, UnknownEngine};
pub use exec::{ExecLimits, Exit, FUEL_PER_CHECKPOINT, FUEL_SLICE};
pub use invoke::{BadLiteral, InvokeError, Invoked, Signature, ValueType, WasmValue};
pub use limiter::{MAX_TABLE_ELEMENTS, TABLE_ELEMENT_BYTES};
pub use module::ModuleSource;
pub(crate) use runtime::check_mount_point;
pub use runtime::{Runtime, RuntimeBuilder, Validation, GUEST_STACK};
