//! Differential test of the backends: random operation sequences applied to
//! the memory backend, the host backend (a real directory) and the overlay
//! backend (a read-only host directory under an in-memory upper layer),
//! all starting from the same tree, with the same result (bytes or exact
//! errno) required at every step and the same tree (names, kinds, contents,
//! link targets) after it. Paths come from a tiny alphabet with `.`, `..`
//! and symlinks so operations collide, and escapes are attempted all the
//! time: a guard file beside each host directory must stay untouched.
//!
//! One documented difference is allowed: renaming a directory that has a
//! lower part is `EXDEV` on the overlay (as on Linux overlayfs); the step is
//! then skipped on the other backends.
//!
//! Run: `cargo test -p wasi-shim --test backend_model` (64 cases from a
//! fixed seed); more: `PROPTEST_CASES=2000 cargo test -p wasi-shim --test
//! backend_model`.

use proptest::prelude::*;
use std::path::Path;
use wasi_shim::backend::script::{self, apply, Op};
use wasi_shim::backend::{BackendDir, HostDir, MemoryDir, OverlayDir};
use wasi_shim::fs::Filesystem;
use wasi_shim::Errno;

fn path() -> impl Strategy<Value = String> {
    let comp = prop::sample::select(vec!["a", "b", "f", "g", "l", "la", "n", ".", ".."]);
    prop::collection::vec(comp, 1..4).prop_map(|c| c.join("/"))
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        path().prop_map(Op::Mkdir),
        (path(), any::<u8>()).prop_map(|(p, b)| Op::Write(p, vec![b])),
        path().prop_map(Op::Read),
        path().prop_map(Op::Unlink),
        path().prop_map(Op::Rmdir),
        (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        (path(), path()).prop_map(|(a, b)| Op::Link(a, b)),
        (path(), path()).prop_map(|(a, b)| Op::Symlink(a, b)),
        path().prop_map(Op::Readlink),
    ]
}

fn tree(root: &dyn BackendDir) -> Vec<String> {
    script::dump(root).expect("dump")
}

/// The starting tree, made through a backend.
fn seed(root: &dyn BackendDir) {
    for op in [
        Op::Mkdir("a".into()),
        Op::Mkdir("a/b".into()),
        Op::Write("f".into(), b"0".to_vec()),
        Op::Write("a/g".into(), b"1".to_vec()),
        Op::Symlink("f".into(), "l".into()),
        Op::Symlink("a".into(), "la".into()),
    ] {
        apply(root, &op).expect("seed");
    }
}

/// A host directory `root` under `base`, seeded, with a guard file beside it.
fn host_root(base: &Path, read_only: bool) -> HostDir {
    let root = base.join("root");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::write(base.join("guard"), b"guard").expect("guard");
    seed(&HostDir::open_ambient(&root, false).expect("open"));
    HostDir::open_ambient(&root, read_only).expect("open")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        rng_algorithm: prop::test_runner::RngAlgorithm::ChaCha,
        ..ProptestConfig::default()
    })]

    #[test]
    fn backends_agree(ops in prop::collection::vec(op(), 1..24)) {
        let fs = Filesystem::new();
        let mem = MemoryDir::root(&fs);
        seed(&mem);
        let host_base = tempfile::tempdir().expect("tempdir");
        let host = host_root(host_base.path(), false);
        let lower_base = tempfile::tempdir().expect("tempdir");
        let upper = Filesystem::new();
        let overlay = OverlayDir::new(Box::new(host_root(lower_base.path(), true)), &upper);
        let lower_before = tree(&HostDir::open_ambient(&lower_base.path().join("root"), true).expect("open"));
        for (i, op) in ops.iter().enumerate() {
            let o = apply(&overlay, op);
            if matches!(op, Op::Rename(..)) && o == Err(Errno::Xdev) {
                continue;
            }
            let m = apply(&mem, op);
            let h = apply(&host, op);
            prop_assert_eq!(&m, &h, "step {} {:?}: memory vs host", i, op);
            prop_assert_eq!(&m, &o, "step {} {:?}: memory vs overlay", i, op);
            let t = tree(&mem);
            prop_assert_eq!(&t, &tree(&host), "tree after step {} {:?}: memory vs host", i, op);
            prop_assert_eq!(&t, &tree(&overlay), "tree after step {} {:?}: memory vs overlay", i, op);
        }
        fs.check_invariants().map_err(TestCaseError::fail)?;
        upper.check_invariants().map_err(TestCaseError::fail)?;
        for base in [host_base.path(), lower_base.path()] {
            prop_assert_eq!(std::fs::read(base.join("guard")).expect("guard"), b"guard");
            prop_assert_eq!(std::fs::read_dir(base).expect("base").count(), 2);
        }
        let lower_after = tree(&HostDir::open_ambient(&lower_base.path().join("root"), true).expect("open"));
        prop_assert_eq!(lower_before, lower_after, "the overlay's lower layer changed");
    }
}
