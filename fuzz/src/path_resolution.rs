//! Random trees (directories, files, hard links, symlinks with `..`,
//! absolute and looping targets, renames) and random paths resolved with
//! `wasi_shim::path::resolve` from a random start directory that is never
//! the root, so that there is always content outside it.
//!
//! Whatever the path, a successful resolution must stay inside the start
//! directory's subtree: the directory holding the last component, the
//! `..` target, and the named inode (if it is a directory) all reach the
//! start by walking parent pointers. Errors are fine; panics are not.

use arbitrary::Arbitrary;
use wasi_shim::fs::dir::Directory;
use wasi_shim::fs::file_data::FileData;
use wasi_shim::fs::tree::{Ino, NodeKind, Tree, ROOT};
use wasi_shim::path::{resolve, Last};

const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Comp {
    Name(u8),
    Dot,
    DotDot,
    Empty,
}

#[derive(Arbitrary, Debug, Clone)]
struct P {
    comps: Vec<Comp>,
    leading_slash: bool,
    trailing_slash: bool,
}

impl P {
    fn render(&self) -> String {
        let parts: Vec<&str> = self
            .comps
            .iter()
            .take(12)
            .map(|c| match c {
                Comp::Name(n) => NAMES[*n as usize % NAMES.len()],
                Comp::Dot => ".",
                Comp::DotDot => "..",
                Comp::Empty => "",
            })
            .collect();
        let mut s = String::new();
        if self.leading_slash {
            s.push('/');
        }
        s.push_str(&parts.join("/"));
        if self.trailing_slash {
            s.push('/');
        }
        s
    }
}

#[derive(Arbitrary, Debug)]
enum Build {
    Dir {
        parent: u8,
        name: u8,
    },
    File {
        parent: u8,
        name: u8,
    },
    Symlink {
        parent: u8,
        name: u8,
        target: P,
    },
    /// A symlink whose target climbs `ups` levels and then goes down `rest`.
    Climb {
        parent: u8,
        name: u8,
        ups: u8,
        rest: P,
    },
    HardLink {
        parent: u8,
        name: u8,
        file: u8,
    },
    Rename {
        from: u8,
        name: u8,
        to: u8,
        new_name: u8,
    },
}

#[derive(Arbitrary, Debug)]
pub struct Input {
    build: Vec<Build>,
    start: u8,
    queries: Vec<(P, bool)>,
}

/// Whether directory `dir` is `start` or below it, by parent pointers.
fn inside(t: &Tree, start: Ino, mut dir: Ino) -> bool {
    for _ in 0..=t.inode_count() {
        if dir == start {
            return true;
        }
        let Ok(d) = t.dir(dir) else { return false };
        if d.parent == dir {
            return false; // reached the root
        }
        dir = d.parent;
    }
    panic!("parent pointers loop from inode {dir}");
}

fn dirs(t: &Tree, from: Ino, out: &mut Vec<Ino>) {
    out.push(from);
    let subs: Vec<Ino> = t
        .dir(from)
        .unwrap()
        .iter()
        .map(|(_, i)| i)
        .filter(|i| t.get(*i).unwrap().is_dir())
        .collect();
    for s in subs {
        dirs(t, s, out);
    }
}

fn files(t: &Tree) -> Vec<Ino> {
    let mut all = Vec::new();
    dirs(t, ROOT, &mut all);
    let mut out = Vec::new();
    for d in all {
        for (_, i) in t.dir(d).unwrap().iter() {
            if matches!(t.get(i).unwrap().kind, NodeKind::File(_)) {
                out.push(i);
            }
        }
    }
    out
}

/// One fuzz input: panics when a property above does not hold.
pub fn run(input: Input) {
    let mut t = Tree::new(1, 0);
    // A fixed skeleton: content at the root and in siblings, so every
    // non-root start has something outside it.
    let a = t
        .create(ROOT, "a", NodeKind::Dir(Directory::new(0)), 0)
        .unwrap();
    let b = t
        .create(ROOT, "b", NodeKind::Dir(Directory::new(0)), 0)
        .unwrap();
    t.create(ROOT, "e", NodeKind::File(FileData::default()), 0)
        .unwrap();
    t.create(a, "c", NodeKind::Dir(Directory::new(0)), 0)
        .unwrap();
    t.create(b, "d", NodeKind::File(FileData::default()), 0)
        .unwrap();
    t.create(a, "e", NodeKind::Symlink("../b/d".into()), 0)
        .unwrap();

    for step in input.build.iter().take(40) {
        let mut ds = Vec::new();
        dirs(&t, ROOT, &mut ds);
        let pick = |i: u8| ds[i as usize % ds.len()];
        let name = |i: u8| NAMES[i as usize % NAMES.len()];
        let _ = match step {
            Build::Dir { parent, name: n } => t
                .create(pick(*parent), name(*n), NodeKind::Dir(Directory::new(0)), 0)
                .map(|_| ()),
            Build::File { parent, name: n } => t
                .create(
                    pick(*parent),
                    name(*n),
                    NodeKind::File(FileData::default()),
                    0,
                )
                .map(|_| ()),
            Build::Symlink {
                parent,
                name: n,
                target,
            } => {
                let target = target.render();
                if target.is_empty() {
                    continue;
                }
                t.create(pick(*parent), name(*n), NodeKind::Symlink(target.into()), 0)
                    .map(|_| ())
            }
            Build::Climb {
                parent,
                name: n,
                ups,
                rest,
            } => {
                let mut target = "../".repeat(usize::from(ups % 8) + 1);
                target.push_str(&rest.render());
                t.create(pick(*parent), name(*n), NodeKind::Symlink(target.into()), 0)
                    .map(|_| ())
            }
            Build::HardLink {
                parent,
                name: n,
                file,
            } => {
                let fs = files(&t);
                if fs.is_empty() {
                    continue;
                }
                t.link(pick(*parent), name(*n), fs[*file as usize % fs.len()], 0)
            }
            Build::Rename {
                from,
                name: n,
                to,
                new_name,
            } => t.rename(pick(*from), name(*n), pick(*to), name(*new_name), 0),
        };
        if let Err(e) = t.check_invariants() {
            panic!("tree invariant violated while building: {e}");
        }
    }

    let mut ds = Vec::new();
    dirs(&t, ROOT, &mut ds);
    ds.retain(|&d| d != ROOT);
    let start = ds[input.start as usize % ds.len()];

    for (p, follow) in input.queries.iter().take(16) {
        let path = p.render();
        let Ok(r) = resolve(&t, start, &path, *follow) else {
            continue;
        };
        assert!(
            inside(&t, start, r.parent),
            "{path:?} from {start}: parent {} is outside",
            r.parent
        );
        if let Last::DotDot(up) = r.last {
            assert!(
                inside(&t, start, up),
                "{path:?} from {start}: `..` names {up}, outside"
            );
        }
        let _ = r.existing(&t);
        if let Some(ino) = r.target() {
            if t.get(ino).is_ok_and(|n| n.is_dir()) {
                assert!(
                    inside(&t, start, ino),
                    "{path:?} from {start}: resolved to dir {ino}, outside"
                );
            }
        }
        // A path that resolved must not have been absolute.
        assert!(!path.starts_with('/'), "absolute path {path:?} resolved");
    }
}
