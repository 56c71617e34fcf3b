//! Faults at the CLI's export to the host (issue 6, "Faults"; issue 15): a
//! full disk and a read-only destination give a clear error, leave an
//! existing file at the destination intact and leave no temporary file
//! behind; a destination that cannot be written is refused before the job
//! runs; a multi-file output whose export fails part way never leaves a
//! playlist naming a missing segment.
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
fn read_only_destination_is_refused_before_the_job_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr, after, listing) = export_onto_mount(dir.path(), "1m", true);
    // As native ffmpeg fails to open its output: exit 1, the system's
    // message after the file name; and at once: FFmpeg never ran (it
    // would have described its input first).
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("/mnt/out.wav: Read-only file system"),
        "{stderr}"
    );
    assert!(!stderr.contains("Input #0"), "the job ran: {stderr}");
    assert_eq!(after, OLD, "the existing destination was changed");
    assert_eq!(listing.trim(), "out.wav");
}

#[test]
fn destination_under_a_file_gives_a_clear_error() {
    // No mount needed: the destination's parent is a regular file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notadir"), OLD).unwrap();
    let (code, stderr) = afmpeg_in(
        dir.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=0.2",
            "notadir/out.wav",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("notadir/out.wav: Not a directory"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notadir")).unwrap(),
        OLD
    );
}

/// Runs the CLI in `dir` with `args`; returns (exit code, stderr).
fn afmpeg_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let o = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("AFMPEG_MODULE", module())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn missing_output_directory_is_refused_before_the_job_runs() {
    let dir = tempfile::tempdir().unwrap();
    // A minute of audio: had the job run, it would describe its input.
    let (code, stderr) = afmpeg_in(
        dir.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=60",
            "no/such/out.wav",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no/such/out.wav: No such file or directory"),
        "{stderr}"
    );
    assert!(!stderr.contains("Input #0"), "the job ran: {stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

const HLS: &[&str] = &[
    "ffmpeg",
    "-hide_banner",
    "-nostdin",
    "-f",
    "lavfi",
    "-i",
    "testsrc=duration=4:size=64x48:rate=10",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "10",
    "-hls_time",
    "1",
    "-hls_list_size",
    "0",
    "out.m3u8",
];

/// The segment names an HLS playlist lists.
fn segments_named(playlist: &str) -> Vec<String> {
    playlist
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn hls_playlist_is_published_after_its_segments() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = afmpeg_in(dir.path(), HLS);
    assert_eq!(code, 0, "{stderr}");
    let playlist = std::fs::read_to_string(dir.path().join("out.m3u8")).unwrap();
    let segments = segments_named(&playlist);
    assert_eq!(
        segments,
        ["out0.ts", "out1.ts", "out2.ts", "out3.ts"],
        "{playlist}"
    );
    // Published in the order FFmpeg finished them: each segment is older
    // than the playlist that names it.
    let mtime = |n: &str| {
        std::fs::metadata(dir.path().join(n))
            .unwrap()
            .modified()
            .unwrap()
    };
    for s in &segments {
        assert!(
            mtime(s) <= mtime("out.m3u8"),
            "{s} published after the playlist"
        );
    }
}

#[test]
fn hls_export_blocked_at_a_segment_leaves_no_playlist() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the second segment goes: its export fails.
    std::fs::create_dir(dir.path().join("out1.ts")).unwrap();
    let mut args = HLS.to_vec();
    args.insert(1, "-y");
    let (code, stderr) = afmpeg_in(dir.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("out1.ts"), "{stderr}");
    assert!(
        !dir.path().join("out.m3u8").exists(),
        "a playlist names a segment that was not written"
    );
    // What was published before the failure is complete; nothing temporary.
    assert!(dir.path().join("out0.ts").is_file());
    assert!(dir.path().join("out1.ts").is_dir());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".part")), "{names:?}");
}
