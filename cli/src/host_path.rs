//! The host mirror: where a host path lives in the guest tree, and bringing
//! host files into it.

use super::refusal::Refusal;
use super::report::with_causes;
use afmpeg::Filesystem;
use std::path::{Component, Path, PathBuf};
use wasi_shim::fs::ImportMode;

/// Where host paths are mirrored in the guest tree (`/a/b` is `/host/a/b`).
/// Not `/`: the guest has its own `/tmp` and `/dev`.
pub const HOST_ROOT: &str = "/host";

/// `path` made absolute against `base`, with `.` removed and `..` resolved
/// as the kernel resolves it: `..` after a symlink names the parent of the
/// link's target (so `sl/../x.mp4` is the file `open(2)` would create), and
/// lexically where the path does not exist yet. The last component is not
/// followed: an output named through a symlink is written through it at
/// export time.
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                if let Ok(real) = std::fs::canonicalize(&out) {
                    out = real;
                }
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The guest path mirroring the absolute host path `host`.
pub fn guest_path(host: &Path) -> Result<String, Refusal> {
    let s = host
        .to_str()
        .ok_or_else(|| Refusal::Setup(format!("{}: path is not UTF-8", host.display())))?;
    Ok(format!("{HOST_ROOT}{s}"))
}

/// Imports the host file or directory `host` at `guest`, read on demand
/// (nothing copied or mapped: an input that shrinks during the run reads as
/// a shorter file, and any number of files can be imported).
pub fn import(fs: &Filesystem, host: &Path, guest: &str) -> Result<(), Refusal> {
    // Follow a symlink given as input: import what it points to.
    let real = std::fs::canonicalize(host).unwrap_or_else(|_| host.to_path_buf());
    std::fs::File::open(&real)
        .map_err(|e| Refusal::Setup(format!("cannot read input {}: {e}", host.display())))?;
    fs.import_host(&real, guest, ImportMode::OnDemand)
        .map_err(|e| {
            Refusal::Setup(format!(
                "cannot read input {}: {}",
                host.display(),
                with_causes(&e)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_normalises() {
        let base = Path::new("/work/a");
        assert_eq!(
            absolute(base, Path::new("../b/./c.mp4")),
            PathBuf::from("/work/b/c.mp4")
        );
        assert_eq!(absolute(base, Path::new("/x/y")), PathBuf::from("/x/y"));
    }

    #[cfg(unix)]
    #[test]
    fn dot_dot_after_a_symlink_is_the_parent_of_its_target() {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::os::unix::fs::symlink("a/b", root.join("sl")).unwrap();
        assert_eq!(
            absolute(&root, Path::new("sl/../x.mp4")),
            root.join("a/x.mp4")
        );
        // The last component stays as named (a link there is written
        // through at export).
        assert_eq!(absolute(&root, Path::new("sl")), root.join("sl"));
    }
}
