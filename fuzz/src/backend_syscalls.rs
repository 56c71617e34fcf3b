//! One sequence of syscalls (the `syscall_sequence` input) run on the same
//! starting tree behind four kinds of preopen: the in-memory tree itself
//! (the reference: `syscall_sequence` checks it against a model), and the
//! backends of `wasi_shim::backend` — `MemoryDir`, `HostDir` (a temporary
//! host directory) and `OverlayDir` (a read-only `HostDir` lower under an
//! in-memory upper). Each context has the root read-write (fd 3) and `a`
//! read-only (fd 4), as two preopens of one mount.
//!
//! After every step, on every backend: the same outcome as on the tree
//! (exact errno, new fd, byte counts, bytes read, link targets, seek
//! offsets, the `filestat` fields that do not depend on the mount — kind,
//! and size and link count of what is not a directory — and the names of a
//! complete listing), and the same whole tree (`script::dump`: names,
//! kinds, sizes, contents, link targets). At the end the overlay's lower
//! directory is unchanged and nothing was written beside the host
//! directories (a guard file each). Of a partial `fd_readdir` only the
//! errno is compared: its records are in the mount's order (a backend's
//! is by cookie, a hash of the name) and hold the mount's inode numbers.
//!
//! One documented difference is allowed: renaming a directory with a lower
//! part is `EXDEV` on the overlay (as on Linux overlayfs); the step is then
//! skipped on the others.

use crate::guest::{Guest, Op, Outcome, FDS};
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;
use wasi_shim::abi::filetype;
use wasi_shim::backend::script::{apply, dump, Op as Change};
use wasi_shim::backend::{BackendDir, HostDir, MemoryDir, OverlayDir};
use wasi_shim::fs::Filesystem;
use wasi_shim::{Errno, Preopen, WasiCtx};

/// The starting tree, made through a backend: the tree of
/// `syscall_sequence` without its devices (which only the tree has).
fn seed(root: &dyn BackendDir) {
    for change in [
        Change::Mkdir("a".into()),
        Change::Mkdir("a/b".into()),
        Change::Write("a/c".into(), b"hello".to_vec()),
        Change::Write("b".into(), vec![7u8; 70_000]),
        Change::Write("c".into(), b"shared bytes".to_vec()),
        Change::Symlink("a/b".into(), "a/b/c".into()),
    ] {
        apply(root, &change).expect("seed");
    }
}

/// The kinds of preopen, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tree,
    Memory,
    Host,
    Overlay,
}

/// One context with its mount.
struct Mount {
    kind: Kind,
    guest: Guest,
    /// The root of the mount, for `dump`.
    root: Arc<dyn BackendDir>,
    /// What must not change: the in-memory trees' invariants hold.
    trees: Vec<Filesystem>,
    /// The host directories (`root` and a `guard` file in each).
    hosts: Vec<TempDir>,
}

fn context(root: Arc<dyn BackendDir>) -> WasiCtx {
    let ro: Arc<dyn BackendDir> = Arc::from(root.open_dir("a").expect("open a"));
    WasiCtx::builder()
        .deterministic(1)
        .max_open_fds(FDS)
        .preopen_backend(root, "/", false)
        .preopen_backend(ro, "/ro", true)
        .build()
        .expect("context")
}

/// A temporary directory holding a seeded `root` and a `guard` file.
fn host_dir() -> TempDir {
    let base = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(base.path().join("root")).expect("mkdir");
    std::fs::write(base.path().join("guard"), b"guard").expect("guard");
    seed(&HostDir::open_ambient(&base.path().join("root"), false).expect("open"));
    base
}

fn open_host(base: &Path, read_only: bool) -> HostDir {
    HostDir::open_ambient(&base.join("root"), read_only).expect("open")
}

impl Mount {
    fn new(kind: Kind) -> Mount {
        match kind {
            Kind::Tree => {
                let fs = Filesystem::new();
                seed(&MemoryDir::root(&fs));
                let ctx = WasiCtx::builder()
                    .deterministic(1)
                    .max_open_fds(FDS)
                    .preopen_dir(&fs, "/")
                    .preopen(Preopen {
                        fs: fs.clone(),
                        dir: "/a".into(),
                        guest: "/ro".into(),
                        read_only: true,
                    })
                    .build()
                    .expect("context");
                Mount {
                    kind,
                    guest: Guest::new(ctx),
                    root: Arc::new(MemoryDir::root(&fs)),
                    trees: vec![fs],
                    hosts: Vec::new(),
                }
            }
            Kind::Memory => {
                let fs = Filesystem::new();
                let root: Arc<dyn BackendDir> = Arc::new(MemoryDir::root(&fs));
                seed(&*root);
                Mount {
                    kind,
                    guest: Guest::new(context(root.clone())),
                    root,
                    trees: vec![fs],
                    hosts: Vec::new(),
                }
            }
            Kind::Host => {
                let base = host_dir();
                let root: Arc<dyn BackendDir> = Arc::new(open_host(base.path(), false));
                Mount {
                    kind,
                    guest: Guest::new(context(root.clone())),
                    root,
                    trees: Vec::new(),
                    hosts: vec![base],
                }
            }
            Kind::Overlay => {
                let lower = host_dir();
                let upper = Filesystem::new();
                let root: Arc<dyn BackendDir> = Arc::new(OverlayDir::new(
                    Box::new(open_host(lower.path(), true)),
                    &upper,
                ));
                Mount {
                    kind,
                    guest: Guest::new(context(root.clone())),
                    root,
                    trees: vec![upper],
                    hosts: vec![lower],
                }
            }
        }
    }

    fn tree(&self) -> Vec<String> {
        dump(&*self.root).unwrap_or_else(|e| panic!("{:?}: dump: {e:?}", self.kind))
    }

    fn check_invariants(&self, step: usize) {
        for fs in &self.trees {
            if let Err(e) = fs.check_invariants() {
                panic!(
                    "{:?}: tree invariant violated after step {step}: {e}",
                    self.kind
                );
            }
        }
    }

    /// What of `out` (this mount's, or the tree's for the same call) must
    /// be the same on this mount as on the tree.
    fn portable(&self, op: &Op, out: &Outcome) -> Outcome {
        let mut o = out.clone();
        if let Some(s) = &mut o.stat {
            // Inode numbers are the mount's; a directory's size and link
            // count are the host filesystem's.
            s.ino = 0;
            if s.filetype == filetype::DIRECTORY {
                s.size = 0;
                s.nlink = 0;
            }
        }
        match op {
            Op::Readdir { .. } => {
                // Records hold inode numbers and cookies, in an order of
                // the mount's (a backend's is its cookies', a name hash).
                o.bytes.clear();
                if self.kind != Kind::Tree {
                    o.value = 0;
                }
            }
            Op::ListAll { .. } => o.names.sort(),
            _ => {}
        }
        o
    }
}

/// One fuzz input: panics when a backend and the tree disagree.
pub fn run(ops: Vec<Op>) {
    outcomes(&ops);
}

/// Runs `ops` (the first 64) on every mount, checking as [`run`] says; the
/// tree's outcomes, step by step (the overlay's for a step it refused with
/// `EXDEV` and the others skipped).
fn outcomes(ops: &[Op]) -> Vec<Outcome> {
    let mut seen = Vec::new();
    let mut mounts: Vec<Mount> = [Kind::Tree, Kind::Memory, Kind::Host, Kind::Overlay]
        .into_iter()
        .map(Mount::new)
        .collect();
    let overlay_lower = open_host(mounts[3].hosts[0].path(), true);
    let lower_before = dump(&overlay_lower).expect("dump lower");
    let start = mounts[0].tree();
    for m in &mounts[1..] {
        assert_eq!(m.tree(), start, "{:?}: the starting tree", m.kind);
    }
    for (i, op) in ops.iter().take(64).enumerate() {
        let overlay = mounts[3].guest.exec(op);
        let skip = matches!(op, Op::Rename { .. }) && overlay.errno == Some(Errno::Xdev);
        let mut outs = Vec::new();
        for m in &mut mounts[..3] {
            if skip {
                m.guest.skip();
            } else {
                outs.push(m.guest.exec(op));
            }
        }
        if skip {
            seen.push(overlay);
            continue;
        }
        outs.push(overlay);
        let tree = mounts[0].tree();
        for (m, out) in mounts.iter().zip(&outs).skip(1) {
            // Both seen as this mount can be compared.
            let want = m.portable(op, &outs[0]);
            assert_eq!(m.portable(op, out), want, "{:?}: step {i} {op:?}", m.kind);
            assert_eq!(m.tree(), tree, "{:?}: tree after step {i} {op:?}", m.kind);
        }
        for m in &mounts {
            m.check_invariants(i);
        }
        seen.push(outs.swap_remove(0));
    }
    // Closing everything (unlinked-but-open files go) leaves the trees sound.
    for m in &mut mounts {
        for f in 0..FDS {
            m.guest.exec(&Op::Close { fd: f as u8 });
        }
        m.check_invariants(usize::MAX);
    }
    assert_eq!(
        dump(&overlay_lower).expect("dump lower"),
        lower_before,
        "the overlay's lower directory changed"
    );
    for m in &mounts {
        for base in &m.hosts {
            let guard = std::fs::read(base.path().join("guard")).expect("guard");
            assert_eq!(guard, b"guard", "{:?}: the guard file changed", m.kind);
            let names = std::fs::read_dir(base.path()).expect("base").count();
            assert_eq!(
                names, 2,
                "{:?}: something was made beside the mount",
                m.kind
            );
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::P;
    use wasi_shim::abi::filetype;

    /// A hand-written sequence, whose answers are known, agrees on every
    /// backend (checked by `outcomes`) and is what the tree answers.
    #[test]
    fn every_backend_answers_known_calls() {
        let ops = [
            // fd 5 on the 70,000 sevens, all rights.
            Op::Open {
                dir: 3,
                follow: false,
                path: P::of("b"),
                oflags: 0,
                fdflags: 0,
                rights: 4,
            },
            Op::Read {
                fd: 5,
                len: 4,
                iovs: 1,
            },
            Op::Stat {
                dir: 3,
                follow: false,
                path: P::of("a/b/c"),
            },
            Op::Unlink {
                dir: 4,
                path: P::of("c"),
            },
            Op::Mkdir {
                dir: 3,
                path: P::of("c/a"),
            },
            Op::ListAll { fd: 4, buf_len: 0 },
        ];
        let out = outcomes(&ops);
        assert_eq!(out[0].errno, None);
        assert_eq!(out[0].value, 5, "the lowest free fd");
        assert_eq!((out[1].value, &out[1].bytes[..]), (4, &[7u8; 4][..]));
        let link = out[2].stat.expect("a stat");
        assert_eq!((link.filetype, link.size), (filetype::SYMBOLIC_LINK, 3));
        assert_eq!(
            out[3].errno,
            Some(Errno::Rofs),
            "unlink on the read-only mount"
        );
        assert_eq!(out[4].errno, Some(Errno::Notdir), "mkdir under a file");
        let mut names = out[5].names.clone();
        names.sort();
        assert_eq!(names, [".", "..", "b", "c"]);
    }
}
