//! Replays each target's committed corpus (`corpus/<target>/`) through the
//! target's body, the way libFuzzer would hand it over (`arbitrary`'s
//! `arbitrary_take_rest` on the whole file): an ordinary test, run by
//! `make fuzz-smoke` and `make test` (`cargo test --lib`: a unit test, so
//! the libFuzzer binaries are not built), with no libFuzzer and no nightly.
//! A file that does not decode is rejected as libFuzzer would; most must
//! decode, or the corpus tests nothing.

use arbitrary::{Arbitrary, Unstructured};
use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "{}: only {} inputs",
        dir.display(),
        files.len()
    );
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn replay<T: for<'a> Arbitrary<'a>>(target: &str, run: fn(T)) {
    let files = corpus(target);
    let mut decoded = 0;
    for (path, bytes) in &files {
        if let Ok(input) = T::arbitrary_take_rest(Unstructured::new(bytes)) {
            decoded += 1;
            eprintln!("{target}: {}", path.display());
            run(input);
        }
    }
    assert!(
        decoded * 4 >= files.len() * 3,
        "{target}: only {decoded} of {} inputs decode",
        files.len()
    );
}

#[test]
fn syscall_sequence_corpus() {
    replay("syscall_sequence", crate::syscall_sequence::run);
}

#[test]
fn overlay_sequence_corpus() {
    replay("overlay_sequence", crate::overlay_sequence::run);
}

#[test]
fn backend_syscalls_corpus() {
    replay("backend_syscalls", crate::backend_syscalls::run);
}

#[test]
fn path_resolution_corpus() {
    replay("path_resolution", crate::path_resolution::run);
}

#[test]
fn raw_abi_corpus() {
    replay("raw_abi", crate::raw_abi::run);
}
