//! Backends mounted for a job (`RunOptions::mount`, issue #15): FFmpeg
//! writes into a live host directory and reads back from it, through an
//! overlay whose host directory is never written, and a mount point that
//! would replace the job's own mounts is refused before the job starts.
//! The guest module must exist (`make guest`): without it these tests fail.

mod support;

use afmpeg::backend::{HostDir, OverlayDir};
use afmpeg::{Error, Filesystem, RunOptions};
use support::guest::*;

const TONE: &str = "-hide_banner -f lavfi -i sine=frequency=440:duration=1 -c:a pcm_s16le";

#[test]
fn ffmpeg_writes_into_a_host_directory_mount() {
    let rt = runtime();
    let host = tempfile::tempdir().unwrap();
    let opts = RunOptions::new().mount(
        "/media",
        HostDir::open_ambient(host.path(), false).unwrap(),
        false,
    );
    let line = format!("{TONE} /media/tone.wav");
    let args = words(&line);
    rt.run_with(&Filesystem::new(), &args, &opts).unwrap();
    // 1 s of 44.1 kHz mono s16 after a 44-byte header (plus FFmpeg's LIST chunk).
    let wav = std::fs::read(host.path().join("tone.wav")).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    let data = wav.windows(4).position(|w| w == b"data").unwrap();
    let len = u32::from_le_bytes(wav[data + 4..data + 8].try_into().unwrap());
    assert_eq!(len, 44_100 * 2);
    // Read back through the mount: FFmpeg copies exactly that one second.
    let fs = Filesystem::new();
    let args = words("-hide_banner -i /media/tone.wav -c copy /copy.wav");
    rt.run_with(&fs, &args, &opts).unwrap();
    let copy = fs.read("/copy.wav").unwrap();
    let data = copy.windows(4).position(|w| w == b"data").unwrap();
    let len = u32::from_le_bytes(copy[data + 4..data + 8].try_into().unwrap());
    assert_eq!(len, 44_100 * 2);
}

#[test]
fn an_overlay_mount_leaves_the_host_directory_as_it_was() {
    let rt = runtime();
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("keep.txt"), b"untouched").unwrap();
    let upper = Filesystem::new();
    let lower = HostDir::open_ambient(host.path(), true).unwrap();
    let opts = RunOptions::new().mount("/media", OverlayDir::new(Box::new(lower), &upper), false);
    let line = format!("{TONE} -y /media/keep.txt.wav");
    let args = words(&line);
    rt.run_with(&Filesystem::new(), &args, &opts).unwrap();
    // The output is in the upper layer, and nowhere on the host.
    let names: Vec<_> = std::fs::read_dir(host.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["keep.txt"]);
    assert_eq!(
        std::fs::read(host.path().join("keep.txt")).unwrap(),
        b"untouched"
    );
    let wav = upper.read("/keep.txt.wav").unwrap();
    assert_eq!(&wav[..4], b"RIFF");
}

#[test]
fn a_mount_point_over_the_jobs_own_mounts_is_refused() {
    let rt = runtime();
    let host = tempfile::tempdir().unwrap();
    for at in ["/", "/tmp", "/dev", "/dev/x", "media"] {
        let opts =
            RunOptions::new().mount(at, HostDir::open_ambient(host.path(), true).unwrap(), true);
        let err = rt
            .run_with(&Filesystem::new(), &["-version"], &opts)
            .unwrap_err();
        assert!(
            matches!(err, Error::Config(ref m) if m.contains("cannot mount")),
            "{at}: {err:?}"
        );
    }
}
