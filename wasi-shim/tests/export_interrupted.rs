//! `Filesystem::remove_unfinished_exports` (what the CLI's SIGINT/SIGTERM
//! handler calls before exiting) removes the temporary file of an export
//! caught between creating it and renaming it into place, and no export can
//! write afterwards. Deterministic: the guest's file is backed by bytes that
//! block when the export first reads them, after the temporary file exists.
//!
//! Its own test binary: the removal closes exports for the whole process.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use wasi_shim::fs::{ExportOptions, Filesystem, SharedBytes};

/// Bytes whose first read announces itself and waits to be released.
struct Gate {
    bytes: Vec<u8>,
    entered: Mutex<Option<Sender<()>>>,
    release: Mutex<Receiver<()>>,
}

impl AsRef<[u8]> for Gate {
    fn as_ref(&self) -> &[u8] {
        if let Some(tx) = self.entered.lock().unwrap().take() {
            tx.send(()).unwrap();
            self.release.lock().unwrap().recv().unwrap();
        }
        &self.bytes
    }
}

fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn unfinished_exports_are_removed_and_no_export_writes_after() {
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("keep.txt"), b"the user's file").unwrap();
    let (entered_tx, entered) = channel();
    let (release, release_rx) = channel();
    let gate: SharedBytes = Arc::new(Gate {
        bytes: vec![7u8; 1 << 20],
        entered: Mutex::new(Some(entered_tx)),
        release: Mutex::new(release_rx),
    });
    let fs = Filesystem::new();
    fs.write_shared("/out.bin", gate).unwrap();

    let dest = host.path().to_owned();
    let export = {
        let fs = fs.clone();
        std::thread::spawn(move || fs.export_host("/", dest, ExportOptions { overwrite: true }))
    };
    entered.recv().unwrap();
    let during = listing(host.path());
    assert_eq!(during.len(), 2, "{during:?}");
    assert_eq!(during[1], "keep.txt");
    assert!(
        during[0].starts_with(".out.bin.afmpeg-") && during[0].ends_with(".part"),
        "{during:?}"
    );

    assert_eq!(Filesystem::remove_unfinished_exports(), 1);
    assert_eq!(listing(host.path()), ["keep.txt"]);
    release.send(()).unwrap();
    let e = export.join().unwrap().unwrap_err();
    assert!(e.to_string().contains("out.bin"), "{e}");
    assert_eq!(listing(host.path()), ["keep.txt"], "nothing published");
    assert_eq!(
        std::fs::read(host.path().join("keep.txt")).unwrap(),
        b"the user's file"
    );

    // Exports are closed: a later one creates nothing.
    let fs = Filesystem::new();
    fs.write("/late.txt", b"late").unwrap();
    let e = fs
        .export_host(
            "/late.txt",
            host.path().join("late.txt"),
            ExportOptions::default(),
        )
        .unwrap_err();
    match e {
        wasi_shim::fs::FsError::Host { source, .. } => {
            assert_eq!(source.kind(), std::io::ErrorKind::Interrupted)
        }
        other => panic!("{other}"),
    }
    assert_eq!(listing(host.path()), ["keep.txt"]);
    assert_eq!(Filesystem::remove_unfinished_exports(), 0);
}
