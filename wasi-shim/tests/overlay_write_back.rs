//! An overlay over a live host directory, as `afmpeg run --dir` mounts it:
//! a guest run over a 10,000-file tree opens only the host files it opens
//! (counted by the `HostDir` mount, no tracing), a copied-up sparse file
//! stays sparse, and the write-back of the overlay's changes stays inside
//! the mount and publishes no index when a segment fails — the host tree
//! outside snapshotted before and after.
//!
//! Run: `cargo test -p afmpeg-wasi-shim --test overlay_write_back`.
#![cfg(all(unix, feature = "wasmi"))]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasi_shim::backend::{self, BackendDir, Change, HostDir, OpenFile, OverlayDir};
use wasi_shim::fs::Filesystem;
use wasi_shim::wasmi_link::{self, WasiStore};
use wasi_shim::{Abort, WasiCtx};
use wasmi::{Engine, Linker, Module, Store};

const NEW: OpenFile = OpenFile {
    create: true,
    exclusive: false,
    truncate: true,
    write: true,
};

/// An overlay of `host` as the CLI builds it: the lower layer a read-only
/// handle of the mount whose writable handle is returned with it.
fn overlay(host: &Path) -> (Arc<OverlayDir>, HostDir) {
    let target = HostDir::open_ambient(host, false).unwrap();
    let lower = target.read_only_clone().unwrap();
    let o =
        Arc::new(OverlayDir::new(Box::new(lower), &Filesystem::new()).copying_up_renamed_dirs());
    (o, target)
}

fn write(root: &dyn BackendDir, path: &str, data: &[u8]) {
    let (dir, name) = backend::resolve_new(root, path).unwrap();
    dir.open_file(&name, NEW)
        .unwrap()
        .write_at(0, data)
        .unwrap();
}

/// (path, ino, mtime, bytes) of every entry under `root`, not following links.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, i64, i64, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let bytes = if m.file_type().is_symlink() {
                std::fs::read_link(&p)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else if m.is_dir() {
                stack.push(p.clone());
                Vec::new()
            } else {
                std::fs::read(&p).unwrap()
            };
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            out.insert(rel, (m.ino(), m.mtime(), m.mtime_nsec(), bytes));
        }
    }
    out
}

/// Lists fd 3 (`fd_readdir`, 64 KiB of entries), stats `d42/f7` and reads
/// it; exits with the errno of the first call that fails, 100 if the file
/// does not read `file 4207`, else 0.
const LIST_AND_READ_ONE: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "d42/f7")
  (data (i32.const 32) "file 4207")
  (func $check (param $e i32)
    (if (local.get $e) (then (call $exit (local.get $e)))))
  (func (export "_start")
    (call $check (call $readdir (i32.const 3) (i32.const 65536) (i32.const 65536)
      (i64.const 0) (i32.const 0)))
    (call $check (call $stat (i32.const 3) (i32.const 1) (i32.const 16) (i32.const 6)
      (i32.const 256)))
    ;; rights FD_READ
    (call $check (call $open (i32.const 3) (i32.const 1) (i32.const 16) (i32.const 6)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
    (i32.store (i32.const 8) (i32.const 512))
    (i32.store (i32.const 12) (i32.const 64))
    (call $check (call $read (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 4)))
    (if (i32.ne (i32.load (i32.const 4)) (i32.const 9)) (then (call $exit (i32.const 100))))
    (if (i64.ne (i64.load (i32.const 512)) (i64.load (i32.const 32)))
      (then (call $exit (i32.const 100))))
    (call $exit (i32.const 0))))
"#;

#[test]
fn a_run_over_a_10000_file_tree_opens_only_the_file_the_guest_opens() {
    let tmp = tempfile::tempdir().unwrap();
    for d in 0..100 {
        let dir = tmp.path().join(format!("d{d}"));
        std::fs::create_dir(&dir).unwrap();
        for f in 0..100 {
            std::fs::write(dir.join(format!("f{f}")), format!("file {d}{f:02}")).unwrap();
        }
    }
    let (o, target) = overlay(tmp.path());
    let ctx = WasiCtx::builder()
        .preopen_backend(o.clone(), "/m", false)
        .build()
        .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(LIST_AND_READ_ONE).unwrap()[..]).unwrap();
    let mut linker = Linker::<WasiStore>::new(&engine);
    wasmi_link::add_to_linker(&mut linker).unwrap();
    let mut store = Store::new(&engine, WasiStore::new(ctx));
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
    let err = start
        .call(&mut store, ())
        .expect_err("the guest ends with proc_exit");
    assert_eq!(wasmi_link::abort_of(&err), Some(Abort::Exit(0)), "{err}");
    assert_eq!(target.files_opened(), 1);
    assert!(o.changes().unwrap().is_empty());
}

#[test]
fn a_sparse_lower_file_changed_in_one_block_stays_sparse() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("sparse.img");
    std::fs::File::create(&img)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let upper = Filesystem::new();
    let target = HostDir::open_ambient(tmp.path(), false).unwrap();
    let o = OverlayDir::new(Box::new(target.read_only_clone().unwrap()), &upper);
    let f = o
        .open_file(
            "sparse.img",
            OpenFile {
                write: true,
                ..OpenFile::default()
            },
        )
        .unwrap();
    f.write_at(32 << 20, b"X").unwrap();
    drop(f);
    // In memory: one chunk, not 64 MiB.
    let changes = o.changes().unwrap();
    let (data, _, _) = changes.file("sparse.img").unwrap();
    let stored: usize = data.stored_runs().unwrap().map(|(_, b)| b.len()).sum();
    assert!(stored <= 64 << 10, "{stored} bytes stored");
    let done = changes.write_back(&target).unwrap();
    assert_eq!(done.files, 1);
    let m = std::fs::metadata(&img).unwrap();
    assert_eq!(m.len(), 64 << 20);
    assert!(m.blocks() * 512 <= 1 << 20, "{} blocks", m.blocks());
    let bytes = std::fs::read(&img).unwrap();
    assert_eq!(bytes[32 << 20], b'X');
    assert_eq!(bytes.iter().filter(|&&b| b != 0).count(), 1);
}

/// A directory of the mount swapped for a symlink to the outside between
/// the run and the write-back (the race the capability must win): the
/// segment before it is published, the one in it fails, the playlist
/// naming both is never published, nothing outside changes and no
/// temporary file is left.
#[test]
fn write_back_through_a_directory_swapped_for_a_symlink_stays_inside_and_publishes_no_index() {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m");
    let outside = tmp.path().join("outside");
    for d in [&m, &m.join("a"), &m.join("b"), &outside] {
        std::fs::create_dir(d).unwrap();
    }
    std::fs::write(outside.join("seg1.ts"), "outside").unwrap();
    let (o, target) = overlay(&m);
    write(&*o, "a/seg0.ts", b"segment 0");
    write(&*o, "b/seg1.ts", b"segment 1");
    write(&*o, "out.m3u8", b"#EXTM3U\na/seg0.ts\nb/seg1.ts\n");
    let changes = o.changes().unwrap();
    let order: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        order,
        ["create a/seg0.ts", "create b/seg1.ts", "create out.m3u8"]
    );
    let outside_before = snapshot(&outside);
    std::fs::rename(m.join("b"), m.join("b.old")).unwrap();
    std::os::unix::fs::symlink("../outside", m.join("b")).unwrap();
    let err = changes.write_back(&target).unwrap_err();
    let wasi_shim::fs::FsError::Host { path, source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, Path::new("b/seg1.ts"));
    // open_dir_nofollow on a symlink: ELOOP or ENOTDIR, never followed.
    assert!(
        matches!(
            source.raw_os_error(),
            Some(libc::ELOOP) | Some(libc::ENOTDIR)
        ),
        "{source}"
    );
    assert_eq!(snapshot(&outside), outside_before);
    assert_eq!(std::fs::read(m.join("a/seg0.ts")).unwrap(), b"segment 0");
    assert!(!m.join("out.m3u8").exists());
    let mut names: Vec<PathBuf> = snapshot(&m).into_keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            PathBuf::from("a"),
            PathBuf::from("a/seg0.ts"),
            PathBuf::from("b"),
            PathBuf::from("b.old")
        ]
    );
}

#[test]
fn write_back_through_a_read_only_handle_is_erofs_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, target) = overlay(tmp.path());
    write(&*o, "new.txt", b"x");
    let ro = target.read_only_clone().unwrap();
    let err = o.changes().unwrap().write_back(&ro).unwrap_err();
    let wasi_shim::fs::FsError::Host { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), std::io::ErrorKind::ReadOnlyFilesystem);
    assert!(snapshot(tmp.path()).is_empty());
}

#[test]
fn a_lower_file_replaced_by_a_directory_and_a_directory_by_a_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("was_file"), "f").unwrap();
    std::fs::create_dir(tmp.path().join("was_dir")).unwrap();
    std::fs::write(tmp.path().join("was_dir/inner"), "i").unwrap();
    let (o, target) = overlay(tmp.path());
    o.remove_file("was_file").unwrap();
    o.create_dir("was_file").unwrap();
    write(&*o, "was_file/in", b"new");
    o.open_dir("was_dir").unwrap().remove_file("inner").unwrap();
    o.remove_dir("was_dir").unwrap();
    o.symlink("was_file/in", "was_dir").unwrap();
    let changes = o.changes().unwrap();
    assert!(changes.iter().any(|c| *c
        == Change::Dir {
            path: "was_file".into(),
            replaces: true
        }));
    changes.write_back(&target).unwrap();
    assert_eq!(
        std::fs::read(tmp.path().join("was_file/in")).unwrap(),
        b"new"
    );
    assert_eq!(
        std::fs::read_link(tmp.path().join("was_dir")).unwrap(),
        Path::new("was_file/in")
    );
}
