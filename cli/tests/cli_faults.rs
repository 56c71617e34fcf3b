//! Faults at the CLI's export to the host (issue 6, "Faults"): a full disk
//! and a read-only destination give a clear error, leave an existing file
//! at the destination intact and leave no temporary file behind.
//!
//! A real full disk and a real read-only filesystem: a 64 KiB tmpfs and a
//! tmpfs remounted read-only, mounted in a private mount namespace
//! (`unshare --map-root-user --mount`, util-linux), so nothing on the host
//! changes and the mounts vanish with the process. (Permission bits would
//! not do: root ignores them.) Without `unshare` or user namespaces these
//! tests fail with the reason; they do not skip.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");
const OLD: &str = "the user's old file, to be kept";

fn module() -> String {
    match afmpeg::ModuleSource::default_location() {
        Ok(afmpeg::ModuleSource::File(p)) => p.display().to_string(),
        other => panic!("the FFmpeg module is missing: run `make guest` ({other:?})"),
    }
}

/// In a private mount namespace: mounts a tmpfs of `size` on `dir/mnt`,
/// puts the old file there as `out.wav` (and remounts it read-only when
/// `read_only`), runs `afmpeg ffmpeg -y … mnt/out.wav` (2 s of 16-bit PCM,
/// 172 KiB), and records its exit code, stderr, the destination's content
/// and the directory listing into files of `dir`.
fn export_onto_mount(dir: &Path, size: &str, read_only: bool) -> (i32, String, String, String) {
    let script = r#"
set -eu
d="$1"; size="$2"; ro="$3"; bin="$4"
mkdir -p "$d/mnt"
mount -t tmpfs -o "size=$size" tmpfs "$d/mnt"
printf '%s' "$OLD" > "$d/mnt/out.wav"
if [ "$ro" = 1 ]; then mount -o remount,ro "$d/mnt"; fi
set +e
"$bin" ffmpeg -hide_banner -nostdin -y -f lavfi -i sine=duration=2 -c:a pcm_s16le "$d/mnt/out.wav" 2> "$d/stderr"
echo $? > "$d/exit"
set -e
cat "$d/mnt/out.wav" > "$d/after"
ls -A "$d/mnt" > "$d/listing"
"#;
    let o = Command::new("unshare")
        .args(["--map-root-user", "--mount", "sh", "-c", script, "sh"])
        .arg(dir)
        .args([size, if read_only { "1" } else { "0" }, BIN])
        .env("OLD", OLD)
        .env("AFMPEG_MODULE", module())
        .output()
        .expect("cannot start `unshare` (util-linux): these tests need it");
    assert!(
        o.status.success(),
        "cannot set up the mount namespace (unshare --map-root-user --mount; needs user \
         namespaces or root): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    (
        read("exit").trim().parse().unwrap(),
        read("stderr"),
        read("after"),
        read("listing"),
    )
}

#[test]
fn full_disk_gives_a_clear_error_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr, after, listing) = export_onto_mount(dir.path(), "64k", false);
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("cannot write output") && stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert!(
        stderr.contains("out.wav"),
        "the error names the file: {stderr}"
    );
    assert_eq!(after, OLD, "the existing destination was changed");
    assert_eq!(
        listing.trim(),
        "out.wav",
        "a temporary file was left behind"
    );
}

#[test]
fn read_only_destination_gives_a_clear_error_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr, after, listing) = export_onto_mount(dir.path(), "1m", true);
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("cannot write output") && stderr.contains("Read-only file system"),
        "{stderr}"
    );
    assert_eq!(after, OLD, "the existing destination was changed");
    assert_eq!(listing.trim(), "out.wav");
}

#[test]
fn destination_under_a_file_gives_a_clear_error() {
    // No mount needed: the destination's parent is a regular file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notadir"), OLD).unwrap();
    let o = Command::new(BIN)
        .args([
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=0.2",
            "notadir/out.wav",
        ])
        .current_dir(dir.path())
        .env("AFMPEG_MODULE", module())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{stderr}");
    assert!(stderr.contains("notadir"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notadir")).unwrap(),
        OLD
    );
}
