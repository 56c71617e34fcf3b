//! Random operation sequences (`wasi_shim::backend::script`) on an
//! overlay (`OverlayDir`: a random in-memory lower tree under an in-memory
//! upper one) and, as the oracle, on a plain in-memory copy of the lower
//! tree. After every step: the same result (bytes or exact errno) and the
//! same whole tree on both, the upper tree's invariants hold, and the lower
//! tree is never changed. One documented difference is allowed: renaming a
//! directory with a lower part is `EXDEV` on the overlay (then the oracle
//! skips the step).

use arbitrary::Arbitrary;
use wasi_shim::backend::script::{apply, dump, Op};
use wasi_shim::backend::{MemoryDir, OverlayDir};
use wasi_shim::fs::Filesystem;
use wasi_shim::Errno;

const COMPS: [&str; 7] = ["a", "b", "c", "l", ".", "..", ""];

#[derive(Arbitrary, Debug, Clone)]
struct P(Vec<u8>);

impl P {
    fn render(&self) -> String {
        let parts: Vec<&str> = self
            .0
            .iter()
            .take(6)
            .map(|c| COMPS[*c as usize % COMPS.len()])
            .collect();
        parts.join("/")
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum FuzzOp {
    Mkdir(P),
    Write(P, u8),
    Read(P),
    Unlink(P),
    Rmdir(P),
    Rename(P, P),
    Link(P, P),
    Symlink(P, P),
    Readlink(P),
}

impl FuzzOp {
    fn op(&self) -> Op {
        match self {
            FuzzOp::Mkdir(p) => Op::Mkdir(p.render()),
            FuzzOp::Write(p, b) => Op::Write(p.render(), vec![*b]),
            FuzzOp::Read(p) => Op::Read(p.render()),
            FuzzOp::Unlink(p) => Op::Unlink(p.render()),
            FuzzOp::Rmdir(p) => Op::Rmdir(p.render()),
            FuzzOp::Rename(a, b) => Op::Rename(a.render(), b.render()),
            FuzzOp::Link(a, b) => Op::Link(a.render(), b.render()),
            FuzzOp::Symlink(a, b) => Op::Symlink(a.render(), b.render()),
            FuzzOp::Readlink(p) => Op::Readlink(p.render()),
        }
    }
}

/// The lower tree's making, then the sequence run on the overlay.
#[derive(Arbitrary, Debug)]
pub struct Input {
    lower: Vec<FuzzOp>,
    ops: Vec<FuzzOp>,
}

pub fn run(input: Input) {
    let lower = Filesystem::new();
    let oracle = Filesystem::new();
    for f in input.lower.iter().take(24) {
        let op = f.op();
        // Both made by the same operations: the same tree (errors are fine).
        let a = apply(&MemoryDir::root(&lower), &op);
        let b = apply(&MemoryDir::root(&oracle), &op);
        assert_eq!(a, b, "seeding {op:?}");
    }
    let lower_before = dump(&MemoryDir::root(&lower)).expect("dump lower");
    let upper = Filesystem::new();
    let overlay = OverlayDir::new(Box::new(MemoryDir::root(&lower)), &upper);
    let reference = MemoryDir::root(&oracle);
    for (i, f) in input.ops.iter().take(48).enumerate() {
        let op = f.op();
        let got = apply(&overlay, &op);
        if matches!(op, Op::Rename(..)) && got == Err(Errno::Xdev) {
            continue;
        }
        let want = apply(&reference, &op);
        assert_eq!(got, want, "step {i} {op:?}");
        assert_eq!(
            dump(&overlay).expect("dump overlay"),
            dump(&reference).expect("dump oracle"),
            "tree after step {i} {op:?}"
        );
        upper.check_invariants().expect("upper invariants");
    }
    assert_eq!(
        dump(&MemoryDir::root(&lower)).expect("dump lower"),
        lower_before,
        "the lower tree changed"
    );
    lower.check_invariants().expect("lower invariants");
}
