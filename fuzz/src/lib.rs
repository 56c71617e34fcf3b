//! The fuzz targets' bodies, one module per target: each `run` takes the
//! target's structured input (decoded by `arbitrary`) and panics when a
//! property does not hold. The targets in `fuzz_targets/` call them under
//! libFuzzer; `corpus_replay` (a unit test) calls them on the committed corpus
//! (`corpus/<target>/`) as an ordinary test, no libFuzzer or nightly needed.

pub mod backend_syscalls;
pub mod guest;
pub mod overlay_sequence;
pub mod path_resolution;
pub mod raw_abi;
pub mod syscall_sequence;

#[cfg(test)]
mod corpus_replay;
