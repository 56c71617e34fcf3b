//! A host directory to mount: `m/` in a fresh scratch directory, beside
//! `victim/secret.txt`, the file an escape from the mount would reach.

use std::fs;
use std::path::PathBuf;

/// The scratch directory (`root`), the mount (`root/m`) and, beside it,
/// `root/victim/secret.txt` holding `victim`. Removed when dropped.
pub struct HostMount {
    _tmp: tempfile::TempDir,
    /// The scratch directory: snapshot it to see every change, in the
    /// mount and beside it.
    pub root: PathBuf,
    /// The directory to mount.
    pub m: PathBuf,
}

impl HostMount {
    pub fn new() -> HostMount {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let m = root.join("m");
        fs::create_dir(&m).unwrap();
        fs::create_dir(root.join("victim")).unwrap();
        fs::write(root.join("victim/secret.txt"), "victim").unwrap();
        HostMount { _tmp: tmp, root, m }
    }
}
