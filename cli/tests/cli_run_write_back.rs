//! `afmpeg run --dir HOST::GUEST --write-back`: the host directory is the
//! lower layer of an overlay and the write-back applies only what the guest
//! changed (issue #15). Each test snapshots the host tree — every entry's
//! kind, mode, owner, inode, link count, mtime, size, allocated blocks and
//! content or link target — before and after a run of
//! tests/wasi/c/writeback_diff.c, and requires exactly the guest's changes.
//!
//! Needs clang-19 + Debian's wasi-libc (see tests/support/wasi_programs.rs).
#![cfg(unix)]

mod support;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::host_mount::HostMount;
use support::wasi_programs::{afmpeg_bin, describe, run_command, wasm_for, Outcome};

/// What the snapshot knows of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    kind: &'static str,
    mode: u32,
    uid: u32,
    gid: u32,
    ino: u64,
    nlink: u64,
    mtime_ns: i128,
    size: u64,
    blocks: u64,
    /// The bytes of a file up to 64 KiB (a hash of the first 64 KiB and
    /// the size say enough of larger ones, with `blocks`), or a link's target.
    content: Vec<u8>,
}

fn entry(p: &Path) -> Entry {
    let m = fs::symlink_metadata(p).unwrap();
    let ft = m.file_type();
    let (kind, content) = if ft.is_symlink() {
        (
            "symlink",
            fs::read_link(p)
                .unwrap()
                .into_os_string()
                .into_encoded_bytes(),
        )
    } else if ft.is_dir() {
        ("dir", Vec::new())
    } else {
        use std::io::Read;
        let mut head = Vec::new();
        fs::File::open(p)
            .unwrap()
            .take(64 << 10)
            .read_to_end(&mut head)
            .unwrap();
        ("file", head)
    };
    Entry {
        kind,
        mode: m.permissions().mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
        ino: m.ino(),
        nlink: m.nlink(),
        mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        size: if ft.is_dir() { 0 } else { m.len() },
        blocks: if ft.is_dir() { 0 } else { m.blocks() },
        content,
    }
}

/// Every entry under `root` (not following links), by relative path.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let en = entry(&p);
            if en.kind == "dir" {
                stack.push(p.clone());
            }
            out.insert(rel, en);
        }
    }
    out
}

/// The mount `m/` (beside `victim/`) holding a 0600 key, a 0755 script, a
/// hard-linked pair, a subdirectory and a symlink, all with old mtimes.
fn host() -> HostMount {
    let h = HostMount::new();
    let m = h.m.clone();
    let put = |name: &str, bytes: &[u8], mode: u32| {
        fs::write(m.join(name), bytes).unwrap();
        fs::set_permissions(m.join(name), fs::Permissions::from_mode(mode)).unwrap();
    };
    put("key", b"key!", 0o600);
    put("run.sh", b"#!/bin/sh\necho hi\n", 0o755);
    put("pair_a", b"linked pair", 0o644);
    fs::hard_link(m.join("pair_a"), m.join("pair_b")).unwrap();
    fs::create_dir(m.join("sub")).unwrap();
    put("sub/inner.txt", b"inner", 0o640);
    std::os::unix::fs::symlink("key", m.join("key.link")).unwrap();
    // Times in the past, so a rewrite (which would take the time of the
    // write-back) cannot keep them by chance.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    for name in ["key", "run.sh", "pair_a", "sub/inner.txt"] {
        let f = fs::File::options().write(true).open(m.join(name)).unwrap();
        f.set_modified(old).unwrap();
    }
    h
}

/// A sparse file of `len` bytes, all a hole.
fn sparse(p: &Path, len: u64) {
    fs::File::create(p).unwrap().set_len(len).unwrap();
}

/// `afmpeg run --write-back` of writeback_diff.c in `mode`, with `dirs` as
/// `--dir` specs.
fn run(mode: &str, dirs: &[String]) -> Outcome {
    let mut cmd = Command::new(afmpeg_bin());
    cmd.arg("run").arg("--write-back");
    for d in dirs {
        cmd.arg("--dir").arg(d);
    }
    cmd.arg(wasm_for("writeback_diff")).arg(mode);
    run_command(cmd)
}

fn assert_guest_ok(out: &Outcome) {
    assert_eq!(out.code, 0, "{}", describe("afmpeg run", out));
    assert!(out.failures().is_empty(), "{}", describe("afmpeg run", out));
}

#[test]
fn write_back_after_a_guest_that_changed_nothing_changes_nothing() {
    let h = host();
    // 1 GiB of holes: rewritten, it would take 1 GiB of disk.
    sparse(&h.m.join("sparse.img"), 1 << 30);
    let before = snapshot(&h.root);
    assert!(before[Path::new("m/sparse.img")].blocks < 64);
    let out = run("read", &[format!("{}::/m", h.m.display())]);
    assert_guest_ok(&out);
    assert_eq!(
        snapshot(&h.root),
        before,
        "{}",
        describe("afmpeg run", &out)
    );
}

#[test]
fn write_back_applies_exactly_what_the_guest_created_changed_and_removed() {
    let h = host();
    sparse(&h.m.join("sparse.img"), 256 << 20);
    fs::write(h.m.join("gone.txt"), "to be removed").unwrap();
    fs::create_dir(h.m.join("empty")).unwrap();
    fs::create_dir(h.m.join("real")).unwrap();
    fs::write(h.m.join("real/out.bin"), "old output").unwrap();
    fs::set_permissions(h.m.join("real/out.bin"), fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("real/out.bin", h.m.join("out.link")).unwrap();
    let mut expected = snapshot(&h.root);
    let out = run("change", &[format!("{}::/m", h.m.display())]);
    assert_guest_ok(&out);
    let after = snapshot(&h.root);
    let said = describe("afmpeg run", &out);

    // Removed.
    for gone in ["m/gone.txt", "m/empty"] {
        assert!(expected.remove(Path::new(gone)).is_some());
        assert!(
            !after.contains_key(Path::new(gone)),
            "{gone} is still there\n{said}"
        );
    }
    // Changed in place: the mode (0600) and owner kept, the new bytes.
    let key = &after[Path::new("m/key")];
    let was = expected.remove(Path::new("m/key")).unwrap();
    assert_eq!((key.mode, key.uid, key.gid), (was.mode, was.uid, was.gid));
    assert_eq!(key.content, b"Key!");
    // Written through the symlink, as the kernel resolves it in the mount:
    // the link stays, its target (0640) is replaced.
    let target = &after[Path::new("m/real/out.bin")];
    expected.remove(Path::new("m/real/out.bin"));
    assert_eq!(target.content, b"through the link");
    assert_eq!(target.mode, 0o640);
    // One block written in a sparse file: it stays sparse.
    let sp = &after[Path::new("m/sparse.img")];
    expected.remove(Path::new("m/sparse.img"));
    assert_eq!(sp.size, 256 << 20);
    assert!(
        sp.blocks * 512 <= 1 << 20,
        "sparse.img grew to {} blocks",
        sp.blocks
    );
    let mut byte = [0u8; 1];
    {
        use std::os::unix::fs::FileExt;
        fs::File::open(h.m.join("sparse.img"))
            .unwrap()
            .read_exact_at(&mut byte, 128 << 20)
            .unwrap();
    }
    assert_eq!(&byte, b"X");
    // Created.
    let created: Vec<(&str, &[u8])> = vec![
        ("m/new.txt", b"created"),
        ("m/hls/seg0.ts", b"segment 0"),
        ("m/hls/seg1.ts", b"segment 1"),
        ("m/hls/out.m3u8", b"#EXTM3U\nseg0.ts\nseg1.ts\n"),
    ];
    for (p, bytes) in &created {
        assert_eq!(after[Path::new(p)].content, *bytes, "{p}\n{said}");
    }
    assert_eq!(after[Path::new("m/hls")].kind, "dir");
    // Everything else, entry for entry: the untouched files keep their
    // inode, links, mode and mtime; the outside is as it was.
    let mut rest = after.clone();
    for (p, _) in &created {
        rest.remove(Path::new(p));
    }
    for p in ["m/hls", "m/key", "m/real/out.bin", "m/sparse.img"] {
        rest.remove(Path::new(p));
    }
    // The directories whose entries changed have new mtimes, as any write
    // to them gives.
    for p in ["m", "m/real"] {
        let (a, b) = (rest.get_mut(Path::new(p)).unwrap(), &expected[Path::new(p)]);
        a.mtime_ns = b.mtime_ns;
    }
    assert_eq!(rest, expected, "{said}");
    // No temporary file is left anywhere.
    assert!(!after.keys().any(|p| p.to_string_lossy().ends_with(".part")));
}

#[test]
fn one_host_directory_mounted_twice_gets_both_writes_and_nothing_leaves_it() {
    let h = host();
    let outside = snapshot(&h.root.join("victim"));
    let before = snapshot(&h.m);
    let out = run(
        "twice",
        &[
            format!("{}::/a", h.m.display()),
            format!("{}::/b", h.m.display()),
        ],
    );
    assert_guest_ok(&out);
    let mut after = snapshot(&h.m);
    assert_eq!(
        after.remove(Path::new("a.txt")).unwrap().content,
        b"via fd 3"
    );
    assert_eq!(
        after.remove(Path::new("b.txt")).unwrap().content,
        b"via fd 4"
    );
    assert_eq!(after, before);
    assert_eq!(snapshot(&h.root.join("victim")), outside);
    let mut top: Vec<String> = fs::read_dir(&h.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    top.sort();
    assert_eq!(top, ["m", "victim"]);
}

#[test]
fn without_write_back_a_changing_guest_leaves_the_host_as_it_was() {
    let h = host();
    sparse(&h.m.join("sparse.img"), 256 << 20);
    fs::write(h.m.join("gone.txt"), "stays").unwrap();
    fs::create_dir(h.m.join("empty")).unwrap();
    fs::create_dir(h.m.join("real")).unwrap();
    fs::write(h.m.join("real/out.bin"), "old output").unwrap();
    std::os::unix::fs::symlink("real/out.bin", h.m.join("out.link")).unwrap();
    let before = snapshot(&h.root);
    let mut cmd = Command::new(afmpeg_bin());
    cmd.arg("run")
        .arg("--dir")
        .arg(format!("{}::/m", h.m.display()))
        .arg(wasm_for("writeback_diff"))
        .arg("change");
    let out = run_command(cmd);
    assert_guest_ok(&out);
    assert_eq!(snapshot(&h.root), before);
}

/// `afmpeg run --write-back` run as `nobody` of writeback_diff.c `put NAME
/// TEXT` over the mount `m/` of `h`, which `nobody` may enter and create
/// files in (its scratch directory 0755, `m/` 0777).
fn put_as_nobody(h: &HostMount, name: &str, text: &str) -> Outcome {
    use support::nobody::{as_nobody, chmod};
    chmod(&h.root, 0o755);
    chmod(&h.m, 0o777);
    let home = h.root.join("home");
    if !home.exists() {
        fs::create_dir(&home).unwrap();
        std::os::unix::fs::chown(&home, Some(support::nobody::NOBODY), None).unwrap();
    }
    let mut cmd = Command::new(afmpeg_bin());
    as_nobody(&mut cmd, &home)
        .arg("run")
        .arg("--write-back")
        .arg("--dir")
        .arg(format!("{}::/m", h.m.display()))
        .arg(wasm_for("writeback_diff"))
        .args(["put", name, text]);
    run_command(cmd)
}

/// A root-owned file, mode `mode`, holding `bytes`, in the mount.
fn root_file(h: &HostMount, name: &str, bytes: &[u8], mode: u32) {
    fs::write(h.m.join(name), bytes).unwrap();
    fs::set_permissions(h.m.join(name), fs::Permissions::from_mode(mode)).unwrap();
    std::os::unix::fs::chown(h.m.join(name), Some(0), Some(0)).unwrap();
}

/// A user rewriting root's 0666 file: the write-back cannot give a new file
/// to root, so it writes the file in place (same inode, owner root, mode
/// 0666), as native programs do, instead of replacing it by one of its own.
#[test]
fn write_back_as_another_user_writes_in_place_and_keeps_the_owner() {
    support::nobody::require_root();
    let h = host();
    root_file(&h, "shared.txt", b"root's old bytes", 0o666);
    let before = snapshot(&h.root);
    let out = put_as_nobody(&h, "shared.txt", "nobody's");
    assert_guest_ok(&out);
    let mut after = snapshot(&h.root);
    let said = describe("afmpeg run", &out);
    let (was, now) = (
        &before[Path::new("m/shared.txt")],
        &after[Path::new("m/shared.txt")],
    );
    assert_eq!(
        (now.uid, now.gid, now.mode, now.ino, now.nlink),
        (0, 0, 0o666, was.ino, was.nlink),
        "{said}"
    );
    assert_eq!(now.content, b"nobody's", "{said}");
    // Nothing else changed: no temporary file left, the mount's other
    // entries as they were.
    after.remove(Path::new("m/shared.txt"));
    after.remove(Path::new("home"));
    let mut rest = before.clone();
    rest.remove(Path::new("m/shared.txt"));
    rest.remove(Path::new("home"));
    // `m/` itself: its mode is the 0777 this test gave it after the
    // snapshot, and its times those of a temporary file that came and went.
    let (a, b) = (
        after.get_mut(Path::new("m")).unwrap(),
        &rest[Path::new("m")],
    );
    (a.mtime_ns, a.mode) = (b.mtime_ns, b.mode);
    assert_eq!(after, rest, "{said}");
}

/// A user rewriting root's 0644 file, which it may not write: the
/// write-back fails with EACCES and touches nothing (no file handed to
/// another owner, no temporary file left).
#[test]
fn write_back_as_another_user_of_a_file_it_may_not_write_is_eacces() {
    support::nobody::require_root();
    let h = host();
    root_file(&h, "kept.txt", b"root's bytes", 0o644);
    let before = snapshot(&h.m);
    let out = put_as_nobody(&h, "kept.txt", "nobody's");
    let said = describe("afmpeg run", &out);
    // The guest wrote its copy in memory; the write-back refuses.
    assert!(out.failures().is_empty(), "{said}");
    assert_eq!(out.code, 125, "{said}");
    assert!(
        out.stderr.contains("write-back to") && out.stderr.contains("Permission denied"),
        "{said}"
    );
    let after = snapshot(&h.m);
    let kept = &after[Path::new("kept.txt")];
    assert_eq!(
        (kept.uid, kept.mode, kept.ino, kept.content.as_slice()),
        (
            0,
            0o644,
            before[Path::new("kept.txt")].ino,
            &b"root's bytes"[..]
        ),
        "{said}"
    );
    // Every entry of the mount as it was: owner, mode, inode, mtime, bytes.
    assert_eq!(after, before, "{said}");
}
