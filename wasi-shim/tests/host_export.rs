//! Write-back of an in-memory tree to a host directory
//! (`Filesystem::export_host`): nothing may be written outside the
//! destination, whatever links the host tree or the guest made, and only
//! what the guest changed may be touched.
//!
//! Each test plays what a guest did between import and export with the
//! embedder API (the same tree operations the syscalls make), so the host
//! side is checked exactly, with a real directory, without an engine.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;
use wasi_shim::fs::{ExportOptions, Filesystem, ImportMode};

const OVERWRITE: ExportOptions = ExportOptions { overwrite: true };

/// Everything observable about every entry below `root` (not following
/// links): kind, mode, inode, link count, size, allocated blocks, mtime,
/// and the bytes or link target.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            let content = if m.file_type().is_symlink() {
                format!("-> {}", fs::read_link(&p).unwrap().display())
            } else if m.is_dir() {
                stack.push(p.clone());
                "dir".to_owned()
            } else {
                format!("{:?}", fs::read(&p).unwrap())
            };
            out.insert(
                p.strip_prefix(root).unwrap().display().to_string(),
                format!(
                    "mode={:o} ino={} nlink={} size={} blocks={} mtime={}.{} {content}",
                    m.mode(),
                    m.ino(),
                    m.nlink(),
                    m.size(),
                    m.blocks(),
                    m.mtime(),
                    m.mtime_nsec()
                ),
            );
        }
    }
    out
}

/// A host directory `root/m` (the mount) next to `root/victim/secret.txt`.
fn fixture() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m");
    let victim = tmp.path().join("victim");
    fs::create_dir(&m).unwrap();
    fs::create_dir(&victim).unwrap();
    fs::write(victim.join("secret.txt"), "victim").unwrap();
    (tmp, m, victim)
}

fn import(m: &Path) -> Filesystem {
    let fs = Filesystem::new();
    fs.import_host(m, "/", ImportMode::Copy).unwrap();
    fs
}

fn assert_victim_untouched(victim: &Path) {
    let names: Vec<_> = fs::read_dir(victim)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["secret.txt"], "files appeared outside the mount");
    assert_eq!(
        fs::read_to_string(victim.join("secret.txt")).unwrap(),
        "victim"
    );
}

/// Form 1: a symlink already in the mount points outside; the guest
/// replaces it by a directory holding a file.
#[test]
fn host_symlink_replaced_by_a_guest_directory_is_not_followed() {
    let (_tmp, m, victim) = fixture();
    symlink(&victim, m.join("link")).unwrap();
    let fs = import(&m);
    fs.remove_file("/link").unwrap();
    fs.create_dir("/link").unwrap();
    fs.write("/link/secret.txt", "guest").unwrap();
    fs.export_host("/", &m, OVERWRITE).unwrap();
    assert_victim_untouched(&victim);
    let link = fs::symlink_metadata(m.join("link")).unwrap();
    assert!(link.is_dir(), "the link itself is replaced by a directory");
    assert_eq!(
        fs::read_to_string(m.join("link/secret.txt")).unwrap(),
        "guest"
    );
}

/// Form 2: a first run plants a relative symlink `link -> ../victim`, a
/// second run replaces it by a directory with a file.
#[test]
fn planted_relative_symlink_is_not_followed_by_a_later_run() {
    let (_tmp, m, victim) = fixture();
    let first = import(&m);
    first.symlink("../victim", "/link").unwrap();
    first.export_host("/", &m, OVERWRITE).unwrap();
    assert_eq!(
        fs::read_link(m.join("link")).unwrap(),
        Path::new("../victim")
    );

    let second = import(&m);
    second.remove_file("/link").unwrap();
    second.create_dir("/link").unwrap();
    second.write("/link/secret.txt", "guest").unwrap();
    second.write("/link/new.txt", "guest").unwrap();
    second.export_host("/", &m, OVERWRITE).unwrap();
    assert_victim_untouched(&victim);
    assert!(fs::symlink_metadata(m.join("link")).unwrap().is_dir());
}

/// Form 3: the same host directory mounted twice in one run; one mount's
/// view still has the link, the other made it a directory.
#[test]
fn same_directory_mounted_twice_cannot_be_used_to_escape() {
    let (_tmp, m, victim) = fixture();
    symlink("../victim", m.join("link")).unwrap();
    let a = import(&m);
    let b = import(&m);
    b.remove_file("/link").unwrap();
    b.create_dir("/link").unwrap();
    b.write("/link/secret.txt", "guest b").unwrap();
    a.write("/a.txt", "guest a").unwrap();
    a.export_host("/", &m, OVERWRITE).unwrap();
    b.export_host("/", &m, OVERWRITE).unwrap();
    assert_victim_untouched(&victim);
    // And the other order: the link comes back as a link, never entered.
    a.export_host("/", &m, OVERWRITE).unwrap();
    assert_victim_untouched(&victim);
    assert_eq!(
        fs::read_link(m.join("link")).unwrap(),
        Path::new("../victim")
    );
}

/// A file the guest wrote where the host has a symlink to a file outside:
/// the link is replaced, its target keeps its bytes.
#[test]
fn guest_file_over_a_host_symlink_replaces_the_link() {
    let (_tmp, m, victim) = fixture();
    symlink(victim.join("secret.txt"), m.join("out.txt")).unwrap();
    let fs = import(&m);
    fs.remove_file("/out.txt").unwrap();
    fs.write("/out.txt", "guest").unwrap();
    fs.export_host("/", &m, OVERWRITE).unwrap();
    assert_victim_untouched(&victim);
    let meta = fs::symlink_metadata(m.join("out.txt")).unwrap();
    assert!(meta.is_file());
    assert_eq!(fs::read_to_string(m.join("out.txt")).unwrap(), "guest");
}

/// Write-back after a guest that changed nothing changes nothing: modes,
/// inodes, hard links, sparse files, mtimes and bytes are all as before.
#[test]
fn write_back_after_a_no_op_guest_changes_nothing() {
    let (_tmp, m, _victim) = fixture();
    fs::write(m.join("key"), "secret key").unwrap();
    fs::set_permissions(m.join("key"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(m.join("script.sh"), "#!/bin/sh\necho hi\n").unwrap();
    fs::set_permissions(m.join("script.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(m.join("sub")).unwrap();
    fs::write(m.join("sub/a"), "a").unwrap();
    fs::hard_link(m.join("sub/a"), m.join("sub/a2")).unwrap();
    let sparse = fs::File::create(m.join("sparse")).unwrap();
    sparse.set_len(64 << 20).unwrap();
    drop(sparse);
    symlink("sub/a", m.join("rel_link")).unwrap();
    let before = snapshot(&m);
    let fs = import(&m);
    fs.export_host("/", &m, OVERWRITE).unwrap();
    assert_eq!(before, snapshot(&m));
}

/// A file the guest changed is replaced atomically and keeps its mode; its
/// untouched neighbours keep everything.
#[test]
fn changed_file_keeps_its_mode_and_neighbours_are_untouched() {
    let (_tmp, m, _victim) = fixture();
    fs::write(m.join("out.mp4"), "old").unwrap();
    fs::set_permissions(m.join("out.mp4"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(m.join("other"), "other").unwrap();
    let other_before = snapshot(&m).remove("other");
    let fs = import(&m);
    fs.write("/out.mp4", "new bytes").unwrap();
    fs.export_host("/", &m, OVERWRITE).unwrap();
    let meta = fs::metadata(m.join("out.mp4")).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o600);
    assert_eq!(fs::read_to_string(m.join("out.mp4")).unwrap(), "new bytes");
    assert_eq!(snapshot(&m).remove("other"), other_before);
    let leftovers: Vec<_> = fs::read_dir(&m)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A single file exported to a path the embedder named through a symlink
/// is written through it, as a program opening that path would.
#[test]
fn file_exported_through_a_symlink_writes_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("real")).unwrap();
    fs::write(tmp.path().join("real/target.mp4"), "old").unwrap();
    symlink("real/target.mp4", tmp.path().join("link.mp4")).unwrap();
    let mem = Filesystem::new();
    mem.write("/out.mp4", "new").unwrap();
    mem.export_host("/out.mp4", tmp.path().join("link.mp4"), OVERWRITE)
        .unwrap();
    assert!(fs::symlink_metadata(tmp.path().join("link.mp4"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(tmp.path().join("real/target.mp4")).unwrap(),
        "new"
    );
}

/// `sl/../x.mp4`, where `sl` is a symlinked directory, names `x.mp4` in the
/// parent of the link's target, as the kernel resolves it.
#[test]
fn dot_dot_after_a_symlinked_directory_resolves_as_the_kernel_does() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("a/b")).unwrap();
    symlink("a/b", tmp.path().join("sl")).unwrap();
    let mem = Filesystem::new();
    mem.write("/x", "x").unwrap();
    mem.export_host("/x", tmp.path().join("sl/../x.mp4"), OVERWRITE)
        .unwrap();
    assert_eq!(fs::read_to_string(tmp.path().join("a/x.mp4")).unwrap(), "x");
    assert!(!tmp.path().join("x.mp4").exists());
}

/// A guest file with holes (written at far offsets, extended past its
/// data), as the tree holds it.
fn sparse_file(runs: &[(u64, &[u8])], len: u64) -> wasi_shim::fs::FileData {
    let mut data = wasi_shim::fs::FileData::default();
    for (offset, bytes) in runs {
        data.write_at(*offset, bytes).unwrap();
    }
    data.set_len(len).unwrap();
    data
}

/// The bytes a host file holds at `offset`, and the bytes it allocates.
fn host_bytes_at(p: &Path, offset: u64, n: usize) -> (Vec<u8>, u64) {
    use std::os::unix::fs::FileExt;
    let f = fs::File::open(p).unwrap();
    let mut buf = vec![0xAAu8; n];
    f.read_exact_at(&mut buf, offset).unwrap();
    (buf, f.metadata().unwrap().blocks() * 512)
}

/// Write-back leaves a sparse guest file's holes unallocated on the host:
/// 64 MiB of file, a few bytes of data, well under a MiB of blocks (densely
/// written it would allocate all 64 MiB). Both ways out are checked: a file
/// of an exported directory (cap-std), ending in a hole, and a single
/// exported file (a path), ending in data.
#[test]
fn sparse_guest_file_stays_sparse_on_the_host() {
    const MIB: u64 = 1 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m");
    let mem = Filesystem::new();
    let ends_in_hole = sparse_file(&[(0, b"head"), (32 * MIB, b"middle")], 64 * MIB);
    mem.put_file("/hole_at_end.bin", ends_in_hole).unwrap();
    let ends_in_data = sparse_file(&[(10, b"head"), (64 * MIB - 4, b"tail")], 64 * MIB);
    mem.put_file("/data_at_end.bin", ends_in_data).unwrap();

    mem.export_host("/", &m, OVERWRITE).unwrap();
    let single = tmp.path().join("single.bin");
    mem.export_host("/data_at_end.bin", &single, OVERWRITE)
        .unwrap();

    let p = m.join("hole_at_end.bin");
    assert_eq!(fs::metadata(&p).unwrap().len(), 64 * MIB);
    let (head, blocks) = host_bytes_at(&p, 0, 6);
    assert_eq!(head, b"head\0\0");
    assert_eq!(host_bytes_at(&p, 32 * MIB - 2, 10).0, b"\0\0middle\0\0");
    assert_eq!(host_bytes_at(&p, 64 * MIB - 3, 3).0, b"\0\0\0");
    assert!(
        blocks < MIB,
        "{blocks} bytes allocated for a file of 6 data bytes"
    );

    for p in [m.join("data_at_end.bin"), single] {
        assert_eq!(fs::metadata(&p).unwrap().len(), 64 * MIB);
        let (head, blocks) = host_bytes_at(&p, 8, 8);
        assert_eq!(head, b"\0\0head\0\0");
        assert_eq!(host_bytes_at(&p, 64 * MIB - 6, 6).0, b"\0\0tail");
        assert!(blocks < MIB, "{}: {blocks} bytes allocated", p.display());
    }
}
