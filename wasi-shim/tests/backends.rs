//! The filesystem backends: the same scenario on the memory and the host
//! backend with the same results (exact errnos, bytes, listings), and
//! escape attempts on the host backend with the host tree snapshotted
//! (names, modes, inodes, mtimes, contents, link targets) before and after.
//!
//! Run: `cargo test -p wasi-shim --test backends`.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use wasi_shim::backend::{self, BackendDir, HostDir, MemoryDir, OpenFile, OverlayDir};
use wasi_shim::fs::{FileKind, Filesystem};
use wasi_shim::Errno;

const CREATE: OpenFile = OpenFile {
    create: true,
    exclusive: false,
    truncate: false,
    write: true,
};
const READ: OpenFile = OpenFile {
    create: false,
    exclusive: false,
    truncate: false,
    write: false,
};

fn write(root: &dyn BackendDir, path: &str, data: &[u8]) -> Result<(), Errno> {
    let (dir, name) = backend::resolve_new(root, path)?;
    let f = dir.open_file(&name, CREATE)?;
    f.set_len(0)?;
    f.write_at(0, data)
}

fn read(root: &dyn BackendDir, path: &str) -> Result<Vec<u8>, Errno> {
    let r = backend::resolve(root, path, true)?;
    let f = r
        .dir
        .open_file(r.name.as_deref().ok_or(Errno::Isdir)?, READ)?;
    let mut buf = vec![0; f.len()? as usize];
    let n = f.read_at(0, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

fn listing(dir: &dyn BackendDir) -> Vec<(String, FileKind)> {
    let mut v: Vec<(String, FileKind)> = dir
        .entries()
        .expect("entries")
        .into_iter()
        .map(|e| (e.name, e.kind))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// One scenario, every step's result asserted exactly; run on each backend.
fn conformance(root: &dyn BackendDir) {
    assert_eq!(root.create_dir("d"), Ok(()));
    assert_eq!(root.create_dir("d"), Err(Errno::Exist));
    assert_eq!(write(root, "d/f", b"hello"), Ok(()));
    assert_eq!(read(root, "d/f"), Ok(b"hello".to_vec()));
    assert_eq!(read(root, "d/./f"), Ok(b"hello".to_vec()));
    assert_eq!(read(root, "d/../d/f"), Ok(b"hello".to_vec()));
    assert_eq!(root.open_file("d", READ).err(), Some(Errno::Isdir));
    assert_eq!(root.open_file("nope", READ).err(), Some(Errno::Noent));
    assert_eq!(root.open_dir("nope").err(), Some(Errno::Noent));
    assert_eq!(root.entry("nope"), Ok(None));
    let d = root.open_dir("d").expect("open d");
    assert_eq!(
        d.open_file(
            "f",
            OpenFile {
                exclusive: true,
                ..CREATE
            }
        )
        .err(),
        Some(Errno::Exist)
    );
    assert_eq!(d.open_dir("f").err(), Some(Errno::Notdir));
    assert_eq!(
        root.entry("d").map(|m| m.map(|m| m.kind)),
        Ok(Some(FileKind::Dir))
    );
    assert_eq!(
        d.entry("f").map(|m| m.map(|m| (m.kind, m.len))),
        Ok(Some((FileKind::File, 5)))
    );

    // Symlinks: stored as given, followed only by the resolver.
    assert_eq!(root.symlink("d/f", "l"), Ok(()));
    assert_eq!(root.read_link("l"), Ok("d/f".to_owned()));
    assert_eq!(root.read_link("d"), Err(Errno::Inval));
    assert_eq!(
        root.entry("l").map(|m| m.map(|m| (m.kind, m.len))),
        Ok(Some((FileKind::Symlink, 3)))
    );
    assert_eq!(root.open_file("l", READ).err(), Some(Errno::Loop));
    assert_eq!(root.open_dir("l").err(), Some(Errno::Notdir));
    assert_eq!(read(root, "l"), Ok(b"hello".to_vec()));
    assert_eq!(root.symlink("..", "up"), Ok(()));
    assert_eq!(root.symlink("/etc/passwd", "abs"), Ok(()));
    assert_eq!(root.symlink("loop", "loop"), Ok(()));
    assert_eq!(root.symlink("", "empty"), Err(Errno::Noent));
    assert_eq!(
        backend::resolve(root, "up/x", false).err(),
        Some(Errno::Perm)
    );
    assert_eq!(backend::resolve(root, "abs", true).err(), Some(Errno::Perm));
    assert_eq!(
        backend::resolve(root, "loop", true).err(),
        Some(Errno::Loop)
    );
    assert_eq!(
        backend::resolve(root, "../x", false).err(),
        Some(Errno::Perm)
    );
    assert_eq!(
        backend::resolve(root, "d/../../d", false).err(),
        Some(Errno::Perm)
    );
    assert_eq!(backend::resolve(root, "/d", false).err(), Some(Errno::Perm));
    assert_eq!(
        backend::resolve(root, "d/f/x", false).err(),
        Some(Errno::Notdir)
    );
    assert_eq!(
        backend::resolve(root, "x/y", false).err(),
        Some(Errno::Noent)
    );
    assert_eq!(backend::resolve_new(root, "d/..").err(), Some(Errno::Exist));

    // Names are single entries: a path never reaches a backend.
    for bad in ["a/b", "../x", ""] {
        assert_eq!(root.create_dir(bad), Err(Errno::Inval), "{bad:?}");
        assert_eq!(root.open_file(bad, CREATE).err(), Some(Errno::Inval));
    }
    assert_eq!(root.entry(".."), Err(Errno::Exist));
    assert_eq!(root.entry(&"n".repeat(256)), Err(Errno::Nametoolong));

    // Removal rules.
    assert_eq!(root.remove_dir("d"), Err(Errno::Notempty));
    assert_eq!(root.remove_file("d"), Err(Errno::Isdir));
    assert_eq!(root.remove_dir("l"), Err(Errno::Notdir));
    assert_eq!(root.remove_file("nope"), Err(Errno::Noent));
    for l in ["up", "abs", "loop"] {
        assert_eq!(root.remove_file(l), Ok(()));
    }

    // Rename, hard links, truncation.
    assert_eq!(d.rename("f", root, "g"), Ok(()));
    assert_eq!(d.entries(), Ok(vec![]));
    assert_eq!(root.hard_link("g", root, "h"), Ok(()));
    assert_eq!(root.hard_link("d", root, "dd"), Err(Errno::Perm));
    assert_eq!(write(root, "h", b"linked"), Ok(()));
    assert_eq!(read(root, "g"), Ok(b"linked".to_vec()));
    assert_eq!(root.rename("g", root, "d"), Err(Errno::Isdir));
    assert_eq!(root.rename("d", root, "g"), Err(Errno::Notdir));
    let f = root
        .open_file(
            "g",
            OpenFile {
                truncate: true,
                ..READ
            },
        )
        .expect("truncate g");
    assert_eq!(f.len(), Ok(0));
    assert_eq!(f.set_len(4), Ok(()));
    let mut buf = [9u8; 8];
    assert_eq!(f.read_at(0, &mut buf), Ok(4));
    assert_eq!(buf[..4], [0, 0, 0, 0]);
    assert_eq!(f.write_at(6, b"xy"), Ok(()));
    assert_eq!(read(root, "h"), Ok(b"\0\0\0\0\0\0xy".to_vec()));
    assert_eq!(
        listing(root),
        vec![
            ("d".to_owned(), FileKind::Dir),
            ("g".to_owned(), FileKind::File),
            ("h".to_owned(), FileKind::File),
            ("l".to_owned(), FileKind::Symlink),
        ]
    );
    // A removed file stays readable through a handle still open.
    assert_eq!(root.remove_file("g"), Ok(()));
    assert_eq!(root.remove_file("h"), Ok(()));
    assert_eq!(f.len(), Ok(8));
    assert_eq!(root.remove_file("l"), Ok(()));
    drop(d);
    assert_eq!(root.remove_dir("d"), Ok(()));
    assert_eq!(root.entries(), Ok(vec![]));
}

#[test]
fn memory_backend_conformance() {
    let fs = Filesystem::new();
    conformance(&MemoryDir::root(&fs));
    fs.check_invariants().expect("tree invariants");
}

#[test]
fn host_backend_conformance() {
    let tmp = tempfile::tempdir().expect("tempdir");
    conformance(&HostDir::open_ambient(tmp.path(), false).expect("open"));
    assert_eq!(std::fs::read_dir(tmp.path()).expect("read_dir").count(), 0);
}

#[test]
fn overlay_backend_conformance() {
    // Over an empty host directory: every change lands in the upper layer.
    let tmp = tempfile::tempdir().expect("tempdir");
    let lower = HostDir::open_ambient(tmp.path(), true).expect("open");
    let upper = Filesystem::new();
    conformance(&OverlayDir::new(Box::new(lower), &upper));
    assert_eq!(std::fs::read_dir(tmp.path()).expect("read_dir").count(), 0);
    upper.check_invariants().expect("upper invariants");
    // Over an empty tree.
    let lower = Filesystem::new();
    let upper = Filesystem::new();
    conformance(&OverlayDir::new(Box::new(MemoryDir::root(&lower)), &upper));
    assert_eq!(lower.usage().0, 1);
}

#[test]
fn overlay_copies_up_whites_out_and_hides_under_new_dirs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let b = tmp.path();
    std::fs::create_dir_all(b.join("d/sub")).expect("mkdir");
    for (p, c) in [
        ("a.txt", "A"),
        ("c.txt", "C"),
        ("u.txt", "U"),
        ("d/in.txt", "in"),
        ("d/sub/x", "x"),
    ] {
        std::fs::write(b.join(p), c).expect("write");
    }
    std::os::unix::fs::symlink("a.txt", b.join("link")).expect("symlink");
    let before = snapshot(b);
    let upper = Filesystem::new();
    let lower = HostDir::open_ambient(b, true).expect("open");
    let root = OverlayDir::new(Box::new(lower), &upper);
    let names = |d: &dyn BackendDir| listing(d).into_iter().map(|(n, _)| n).collect::<Vec<_>>();

    assert_eq!(read(&root, "link"), Ok(b"A".to_vec()));
    assert_eq!(names(&root), ["a.txt", "c.txt", "d", "link", "u.txt"]);
    // An open that fails copies nothing up.
    assert_eq!(root.open_file("link", CREATE).err(), Some(Errno::Loop));
    assert_eq!(root.open_file("d", CREATE).err(), Some(Errno::Isdir));
    assert_eq!(upper.read_dir("/").expect("upper").len(), 0);
    // Copy-up on the first change; the lower file is never written.
    assert_eq!(write(&root, "a.txt", b"changed"), Ok(()));
    assert_eq!(read(&root, "link"), Ok(b"changed".to_vec()));
    // Whiteouts.
    assert_eq!(root.remove_file("d"), Err(Errno::Isdir));
    assert_eq!(write(&root, "d/in.txt", b"new"), Ok(()));
    let d = root.open_dir("d").expect("d");
    assert_eq!(d.remove_file("in.txt"), Ok(()));
    assert_eq!(names(d.as_ref()), ["sub"]);
    assert_eq!(read(&root, "d/in.txt"), Err(Errno::Noent));
    assert_eq!(d.remove_dir("sub"), Err(Errno::Notempty));
    assert_eq!(write(&root, "d/in.txt", b"again"), Ok(()));
    assert_eq!(read(&root, "d/in.txt"), Ok(b"again".to_vec()));
    assert_eq!(read(&root, "d/sub/x"), Ok(b"x".to_vec()));
    assert_eq!(
        backend::resolve_new(&root, "d/sub/x").and_then(|(dir, n)| dir.remove_file(&n)),
        Ok(())
    );
    assert_eq!(d.remove_dir("sub"), Ok(()));
    assert_eq!(d.entry("sub"), Ok(None));
    // A directory made where a lower one was removed is opaque.
    assert_eq!(d.create_dir("sub"), Ok(()));
    assert_eq!(
        names(d.open_dir("sub").expect("sub").as_ref()),
        Vec::<String>::new()
    );
    // Renames: lower directories are EXDEV (as overlayfs), files copy up.
    assert_eq!(root.rename("d", &root, "e"), Err(Errno::Xdev));
    assert_eq!(root.rename("a.txt", &root, "b.txt"), Ok(()));
    assert_eq!(root.rename("b.txt", &root, "b.txt"), Ok(()));
    assert_eq!(read(&root, "b.txt"), Ok(b"changed".to_vec()));
    assert_eq!(read(&root, "link"), Err(Errno::Noent));
    assert_eq!(root.rename("link", &root, "l2"), Ok(()));
    assert_eq!(root.read_link("l2"), Ok("a.txt".to_owned()));
    // Hard links of a lower file: one copy, two names.
    assert_eq!(root.hard_link("c.txt", &root, "c2"), Ok(()));
    assert_eq!(write(&root, "c2", b"linked"), Ok(()));
    assert_eq!(read(&root, "c.txt"), Ok(b"linked".to_vec()));
    assert_eq!(names(&root), ["b.txt", "c.txt", "c2", "d", "l2", "u.txt"]);
    // The upper layer holds only what changed; the lower is untouched.
    let mut up: Vec<_> = upper
        .read_dir("/")
        .expect("upper")
        .into_iter()
        .map(|e| e.name)
        .collect();
    up.sort();
    assert_eq!(up, ["b.txt", "c.txt", "c2", "d", "l2"]);
    assert_eq!(upper.read("/b.txt").expect("upper b"), b"changed");
    upper.check_invariants().expect("upper invariants");
    assert_eq!(snapshot(b), before);
}

#[test]
fn overlay_over_a_host_directory_does_not_escape() {
    let h = Host::new();
    std::os::unix::fs::symlink("../victim", h.m().join("rel")).expect("symlink");
    let before = snapshot(h.tmp.path());
    let upper = Filesystem::new();
    let root = OverlayDir::new(Box::new(h.mount(true)), &upper);
    assert_eq!(write(&root, "rel/secret", b"pwned"), Err(Errno::Perm));
    assert_eq!(read(&root, "rel/secret"), Err(Errno::Perm));
    assert_eq!(root.remove_file("rel"), Ok(()));
    assert_eq!(root.create_dir("rel"), Ok(()));
    assert_eq!(write(&root, "rel/secret", b"guest"), Ok(()));
    assert_eq!(write(&root, "d/in.txt", b"guest"), Ok(()));
    assert_eq!(upper.read("/rel/secret").expect("upper"), b"guest");
    assert_eq!(snapshot(h.tmp.path()), before);
}

#[test]
fn rename_and_link_across_backends_is_exdev() {
    let fs = Filesystem::new();
    let mem = MemoryDir::root(&fs);
    let tmp = tempfile::tempdir().expect("tempdir");
    let host = HostDir::open_ambient(tmp.path(), false).expect("open");
    let other = Filesystem::new();
    let mem2 = MemoryDir::root(&other);
    assert_eq!(write(&mem, "f", b"x"), Ok(()));
    assert_eq!(write(&host, "f", b"x"), Ok(()));
    assert_eq!(mem.rename("f", &host, "g"), Err(Errno::Xdev));
    assert_eq!(host.rename("f", &mem, "g"), Err(Errno::Xdev));
    assert_eq!(mem.rename("f", &mem2, "g"), Err(Errno::Xdev));
    assert_eq!(mem.hard_link("f", &host, "g"), Err(Errno::Xdev));
    assert_eq!(host.hard_link("f", &mem, "g"), Err(Errno::Xdev));
}

// ---- escapes from a host directory ----

/// Everything under `root` as the kernel sees it, symlinks not followed:
/// kind, mode, inode, mtime, size, and the content or link target.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            let m = std::fs::symlink_metadata(&p).expect("lstat");
            let what = if m.file_type().is_symlink() {
                format!("link {:?}", std::fs::read_link(&p).expect("readlink"))
            } else if m.is_dir() {
                walk(base, &p, out);
                "dir".to_owned()
            } else {
                format!("file {:?}", std::fs::read(&p).expect("read"))
            };
            let key = p.strip_prefix(base).expect("under base").to_owned();
            let meta = format!(
                "{what} mode={:o} ino={} mtime={}.{} len={}",
                m.mode(),
                m.ino(),
                m.mtime(),
                m.mtime_nsec(),
                m.len()
            );
            out.insert(key, meta);
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A host layout: `base/m` is mounted; `base/victim/secret` (0600) and
/// `base/outside.txt` must never change.
struct Host {
    tmp: tempfile::TempDir,
}

impl Host {
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let b = tmp.path();
        std::fs::create_dir_all(b.join("m/d")).expect("mkdir");
        std::fs::create_dir(b.join("victim")).expect("mkdir");
        std::fs::write(b.join("victim/secret"), b"key").expect("write");
        std::fs::set_permissions(
            b.join("victim/secret"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");
        std::fs::write(b.join("outside.txt"), b"outside").expect("write");
        std::fs::write(b.join("m/d/in.txt"), b"in").expect("write");
        Host { tmp }
    }

    fn m(&self) -> PathBuf {
        self.tmp.path().join("m")
    }

    fn mount(&self, read_only: bool) -> HostDir {
        HostDir::open_ambient(&self.m(), read_only).expect("mount")
    }

    /// The snapshot of everything outside the mount.
    fn outside(&self) -> BTreeMap<PathBuf, String> {
        let mut s = snapshot(self.tmp.path());
        s.retain(|k, _| !k.starts_with("m"));
        assert_eq!(s.len(), 3, "victim, victim/secret, outside.txt: {s:?}");
        s
    }
}

#[test]
fn escape_through_a_symlink_already_in_the_mount() {
    let h = Host::new();
    std::os::unix::fs::symlink("../victim", h.m().join("rel")).expect("symlink");
    std::os::unix::fs::symlink(h.tmp.path().join("victim"), h.m().join("abs")).expect("symlink");
    std::os::unix::fs::symlink("../victim/secret", h.m().join("file")).expect("symlink");
    let before = h.outside();
    let root = h.mount(false);
    for l in ["rel", "abs"] {
        assert_eq!(
            write(&root, &format!("{l}/secret"), b"pwned"),
            Err(Errno::Perm)
        );
        assert_eq!(
            write(&root, &format!("{l}/new"), b"pwned"),
            Err(Errno::Perm)
        );
        assert_eq!(read(&root, &format!("{l}/secret")), Err(Errno::Perm));
        assert_eq!(backend::resolve(&root, l, true).err(), Some(Errno::Perm));
    }
    // Opening the link itself for writing never follows it.
    assert_eq!(root.open_file("file", CREATE).err(), Some(Errno::Loop));
    assert_eq!(
        root.open_file(
            "file",
            OpenFile {
                truncate: true,
                ..READ
            }
        )
        .err(),
        Some(Errno::Loop)
    );
    assert_eq!(read(&root, "file"), Err(Errno::Perm));
    // Form (1) of issue #15: the guest replaces the link by a directory
    // holding a file; the file lands in the mount.
    assert_eq!(root.remove_file("rel"), Ok(()));
    assert_eq!(root.create_dir("rel"), Ok(()));
    assert_eq!(write(&root, "rel/secret", b"guest"), Ok(()));
    assert_eq!(
        std::fs::read(h.m().join("rel/secret")).expect("read"),
        b"guest"
    );
    assert_eq!(h.outside(), before);
}

#[test]
fn escape_through_a_symlink_planted_by_an_earlier_run() {
    // Form (2): a first run plants `link -> ../victim`, a second replaces it
    // by a directory and writes files into it.
    let h = Host::new();
    let before = h.outside();
    {
        let first = h.mount(false);
        assert_eq!(first.symlink("../victim", "link"), Ok(()));
        assert_eq!(first.symlink("../../victim", "d/deep"), Err(Errno::Inval));
        let d = first.open_dir("d").expect("d");
        assert_eq!(d.symlink("../../victim", "deep"), Ok(()));
    }
    assert_eq!(
        std::fs::read_link(h.m().join("link")).expect("stored as given"),
        Path::new("../victim")
    );
    let second = h.mount(false);
    assert_eq!(write(&second, "link/secret", b"pwned"), Err(Errno::Perm));
    assert_eq!(write(&second, "d/deep/secret", b"pwned"), Err(Errno::Perm));
    assert_eq!(second.remove_file("link"), Ok(()));
    assert_eq!(second.create_dir("link"), Ok(()));
    assert_eq!(write(&second, "link/secret", b"guest"), Ok(()));
    assert_eq!(
        std::fs::read(h.m().join("link/secret")).expect("read"),
        b"guest"
    );
    assert_eq!(h.outside(), before);
}

#[test]
fn escape_through_the_same_directory_mounted_twice() {
    // Form (3): two mounts of one host directory in one run.
    let h = Host::new();
    let before = h.outside();
    let a = h.mount(false);
    let b = h.mount(false);
    assert_eq!(a.symlink("../victim", "x"), Ok(()));
    assert_eq!(write(&b, "x/secret", b"pwned"), Err(Errno::Perm));
    assert_eq!(b.remove_file("x"), Ok(()));
    assert_eq!(a.create_dir("x"), Ok(()));
    assert_eq!(write(&b, "x/f", b"via b"), Ok(()));
    assert_eq!(read(&a, "x/f"), Ok(b"via b".to_vec()));
    // Renames and links between the two mounts are refused, as between
    // any two preopens.
    assert_eq!(a.rename("x", &b, "y"), Err(Errno::Xdev));
    assert_eq!(a.hard_link("d", &b, "y"), Err(Errno::Xdev));
    assert_eq!(h.outside(), before);
}

#[test]
fn escape_by_rename_or_hard_link_out_of_the_mount() {
    let h = Host::new();
    let before = h.outside();
    let root = h.mount(false);
    let d = root.open_dir("d").expect("d");
    for out in ["../x", "../victim/secret", "../../outside.txt", "/tmp/x"] {
        assert_eq!(d.rename("in.txt", &root, out), Err(Errno::Inval), "{out}");
        assert_eq!(
            d.hard_link("in.txt", &root, out),
            Err(Errno::Inval),
            "{out}"
        );
        assert_eq!(
            backend::resolve_new(&root, out).err(),
            Some(Errno::Perm),
            "{out}"
        );
    }
    assert_eq!(root.rename("..", &root, "x"), Err(Errno::Exist));
    // A hard link to a symlink pointing out links the symlink, not its target.
    assert_eq!(root.symlink("../victim/secret", "s"), Ok(()));
    assert_eq!(root.hard_link("s", &root, "s2"), Ok(()));
    assert_eq!(read(&root, "s2"), Err(Errno::Perm));
    assert_eq!(h.outside(), before);
}

#[test]
fn escape_by_swapping_a_directory_for_a_symlink() {
    let h = Host::new();
    let before = h.outside();
    let root = h.mount(false);
    // Between the walk's lookup of `d` and its use: an open handle stays
    // on the directory it opened, whatever the name names now.
    let d = root.open_dir("d").expect("d");
    std::fs::rename(h.m().join("d"), h.m().join("d2")).expect("rename");
    std::os::unix::fs::symlink("../victim", h.m().join("d")).expect("symlink");
    assert_eq!(write(d.as_ref(), "secret", b"pwned"), Ok(()));
    assert_eq!(
        std::fs::read(h.m().join("d2/secret")).expect("read"),
        b"pwned"
    );
    // Between the lookup and the open: the open refuses the symlink.
    assert_eq!(root.open_dir("d").err(), Some(Errno::Notdir));
    assert_eq!(root.open_file("d", CREATE).err(), Some(Errno::Loop));
    assert_eq!(h.outside(), before);
}

#[test]
fn read_only_mount_changes_nothing() {
    let h = Host::new();
    std::os::unix::fs::symlink("d/in.txt", h.m().join("l")).expect("symlink");
    let before = snapshot(h.tmp.path());
    let root = h.mount(true);
    let d = root.open_dir("d").expect("d");
    assert_eq!(read(&root, "l"), Ok(b"in".to_vec()));
    assert_eq!(root.create_dir("x"), Err(Errno::Rofs));
    assert_eq!(root.open_file("x", CREATE).err(), Some(Errno::Rofs));
    assert_eq!(
        d.open_file(
            "in.txt",
            OpenFile {
                write: true,
                ..READ
            }
        )
        .err(),
        Some(Errno::Rofs)
    );
    assert_eq!(
        d.open_file(
            "in.txt",
            OpenFile {
                truncate: true,
                ..READ
            }
        )
        .err(),
        Some(Errno::Rofs)
    );
    assert_eq!(root.symlink("d", "y"), Err(Errno::Rofs));
    assert_eq!(root.remove_file("l"), Err(Errno::Rofs));
    assert_eq!(root.remove_dir("d"), Err(Errno::Rofs));
    assert_eq!(d.rename("in.txt", &root, "z"), Err(Errno::Rofs));
    assert_eq!(d.hard_link("in.txt", &root, "z"), Err(Errno::Rofs));
    let f = d.open_file("in.txt", READ).expect("read-only open");
    assert_eq!(f.write_at(0, b"x"), Err(Errno::Rofs));
    assert_eq!(f.set_len(0), Err(Errno::Rofs));
    assert_eq!(snapshot(h.tmp.path()), before);
}

/// A small tree on `root`: `d/e/f` (file), `d/s -> e` (symlink), `d/x` (file).
fn deep_tree(root: &dyn BackendDir) {
    root.create_dir("d").expect("mkdir d");
    let d = root.open_dir("d").expect("open d");
    d.create_dir("e").expect("mkdir e");
    d.symlink("e", "s").expect("symlink");
    write(root, "d/e/f", b"f").expect("f");
    write(root, "d/x", b"x").expect("x");
}

/// `entries` gives each entry's kind and the inode number `stat` reports,
/// and `open_dir_path` reaches a directory in one call, stops at a symlink
/// (`None`: the resolver expands it) and answers the walk's errnos.
fn entries_and_dir_paths(root: &dyn BackendDir) {
    deep_tree(root);
    let d = root.open_dir("d").expect("open d");
    let mut entries = d.entries().expect("entries");
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let got: Vec<(&str, FileKind, u64)> = entries
        .iter()
        .map(|e| (e.name.as_str(), e.kind, e.ino))
        .collect();
    let ino = |n: &str| d.stat(n).expect("stat").ino;
    assert_eq!(
        got,
        [
            ("e", FileKind::Dir, ino("e")),
            ("s", FileKind::Symlink, ino("s")),
            ("x", FileKind::File, ino("x")),
        ]
    );
    let e = root
        .open_dir_path(&["d", "e"])
        .expect("d/e")
        .expect("no symlink");
    assert_eq!(e.entry("f").expect("f").map(|m| m.len), Some(1));
    assert!(root.open_dir_path(&["d", "s"]).expect("d/s").is_none());
    assert_eq!(root.open_dir_path(&["d", "nope"]).err(), Some(Errno::Noent));
    // A file on the way: ENOTDIR, or `None` and the walk says ENOTDIR.
    let through_file = root.open_dir_path(&["d", "x", "y"]);
    assert!(
        matches!(through_file, Ok(None) | Err(Errno::Notdir)),
        "{through_file:?}"
    );
    assert_eq!(read(root, "d/x/y/z").err(), Some(Errno::Notdir));
    // Through the resolver: the symlink expanded, `..` after a multi-name
    // step back in `d`.
    assert_eq!(read(root, "d/s/f"), Ok(b"f".to_vec()));
    assert_eq!(read(root, "d/e/../x"), Ok(b"x".to_vec()));
    assert_eq!(read(root, "d/e/../s/../e/f"), Ok(b"f".to_vec()));
    assert_eq!(
        backend::resolve(root, "d/e/../../..", false).err(),
        Some(Errno::Perm)
    );
}

#[test]
fn entries_and_dir_paths_on_every_backend() {
    let fs = Filesystem::new();
    entries_and_dir_paths(&MemoryDir::root(&fs));
    let tmp = tempfile::tempdir().expect("tempdir");
    entries_and_dir_paths(&HostDir::open_ambient(tmp.path(), false).expect("open"));
    // An overlay whose lower layer holds the tree: lower inode numbers.
    let lower_dir = tempfile::tempdir().expect("tempdir");
    deep_tree(&HostDir::open_ambient(lower_dir.path(), false).expect("open"));
    let lower = HostDir::open_ambient(lower_dir.path(), true).expect("open");
    let o = OverlayDir::new(Box::new(lower), &Filesystem::new());
    let entries = o.open_dir("d").expect("d").entries().expect("entries");
    let d = o.open_dir("d").expect("d");
    for e in &entries {
        assert_eq!(e.ino, d.stat(&e.name).expect("stat").ino, "{}", e.name);
    }
    assert_eq!(read(&o, "d/s/f"), Ok(b"f".to_vec()));
    // Once `d` and `d/e` have upper directories, the overlay opens the
    // lower `d/e` in one step; what it shows is the same.
    let e = o
        .open_dir_path(&["d", "e"])
        .expect("d/e")
        .expect("no symlink");
    assert_eq!(e.entry("f").expect("f").map(|m| m.len), Some(1));
    write(&o, "d/e/new", b"n").expect("new");
    let e = o
        .open_dir_path(&["d", "e"])
        .expect("d/e")
        .expect("no symlink");
    let mut names: Vec<String> = e
        .entries()
        .expect("entries")
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    assert_eq!(names, ["f", "new"]);
    assert!(!lower_dir.path().join("d/e/new").exists());
}
