//! The host mirror: where a host path lives in the guest tree, and bringing
//! host files into it.

use super::refusal::Refusal;
use afmpeg::Filesystem;
use std::path::{Component, Path, PathBuf};
use wasi_shim::fs::ImportMode;

/// Where host paths are mirrored in the guest tree (`/a/b` is `/host/a/b`).
/// Not `/`: the guest has its own `/tmp` and `/dev`.
pub const HOST_ROOT: &str = "/host";

/// `path` made absolute against `base` and normalised lexically (`.` and
/// `..` removed) — the file need not exist.
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

/// Imports the host file or directory `host` at `guest`, memory-mapped.
pub fn import(fs: &Filesystem, host: &Path, guest: &str) -> Result<(), Refusal> {
    // Follow a symlink given as input: import what it points to.
    let real = std::fs::canonicalize(host).unwrap_or_else(|_| host.to_path_buf());
    std::fs::File::open(&real)
        .map_err(|e| Refusal::Setup(format!("cannot read input {}: {e}", host.display())))?;
    fs.import_host(&real, guest, ImportMode::Mmap)
        .map_err(|e| Refusal::Setup(format!("cannot read input {}: {e}", host.display())))
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
}
