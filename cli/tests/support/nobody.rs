//! Running `afmpeg` as the unprivileged user `nobody` (uid and gid 65534)
//! over files owned by root: how a user rewrites a file it may write but
//! does not own. The tests run as root (as CI does) and drop privileges in
//! the child only.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// uid and gid of `nobody`.
pub const NOBODY: u32 = 65534;

/// Panics unless this process is root: only root can make a file owned by
/// another user and then drop to `nobody` (a test that skipped here would
/// pass without testing anything).
pub fn require_root() {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "this test must run as root (as CI does): it writes as uid {NOBODY} over files owned by root"
    );
}

/// Gives `path` the permission bits `mode`.
pub fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Makes `cmd` run as `nobody`, with no supplementary groups (std drops
/// them when root sets the uid) and `home` as its home and cache directory
/// (root's is closed to it).
pub fn as_nobody<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    cmd.uid(NOBODY)
        .gid(NOBODY)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home)
}
