//! `afmpeg ffmpeg --chunks N`: the chunked transcode from the command line
//! (the task itself is tested in the library's tests/chunked.rs, with the
//! same fixture).

#[path = "../../tests/support/guest.rs"]
mod guest;

use afmpeg::Filesystem;
use guest::{chunk_fixture as fixture, framemd5, probe, runtime};

/// Runs the `afmpeg` binary in `dir` (the module from [`runtime`]'s
/// default location).
fn afmpeg_cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_afmpeg"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("cannot start afmpeg")
}

#[test]
fn cli_chunks_flag() {
    let rt = runtime();
    let fs = Filesystem::new();
    fixture(&rt, &fs, "/in.mp4", true);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.mp4"), fs.read("/in.mp4").unwrap()).unwrap();

    let o = afmpeg_cli(
        dir.path(),
        &[
            "ffmpeg",
            "--chunks",
            "2",
            "-y",
            "-i",
            "in.mp4",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-qp",
            "0",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "out.mp4",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("100 frames encoded in 2 pieces of [50, 50] frames plus audio"),
        "{err}"
    );
    // Only the output was written next to the input: no pieces, no temporaries.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["in.mp4", "out.mp4"]);
    fs.write(
        "/cli.mp4",
        std::fs::read(dir.path().join("out.mp4")).unwrap(),
    )
    .unwrap();
    let info = probe(&rt, &fs, "/cli.mp4");
    assert_eq!(info.video_streams().count(), 1);
    assert_eq!(info.audio_streams().count(), 1);
    assert_eq!(
        info.audio_streams().next().unwrap().codec_name.as_deref(),
        Some("aac")
    );
    assert_eq!(
        framemd5(&rt, &fs, "/cli.mp4"),
        framemd5(&rt, &fs, "/in.mp4")
    );

    // Without -y an existing output is kept, as with plain ffmpeg.
    let before = std::fs::read(dir.path().join("out.mp4")).unwrap();
    let o = afmpeg_cli(
        dir.path(),
        &["ffmpeg", "--chunks", "2", "-i", "in.mp4", "out.mp4"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    assert_eq!(std::fs::read(dir.path().join("out.mp4")).unwrap(), before);
}

#[test]
fn cli_chunks_refusals() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.mp4"), b"not read").unwrap();
    for (args, says) in [
        (
            &[
                "ffmpeg", "--chunks", "2", "-f", "lavfi", "-i", "testsrc", "o.mp4",
            ][..],
            "before -i",
        ),
        (
            &[
                "ffmpeg", "--chunks", "2", "-i", "in.mp4", "-i", "in.mp4", "o.mp4",
            ],
            "exactly one input",
        ),
        (
            &["ffmpeg", "--chunks", "2", "-i", "in.mp4", "a.mp4", "b.mp4"],
            "one output file",
        ),
        (
            &["ffmpeg", "--chunks", "2", "-i", "in.mp4", "-f", "mp4", "-"],
            "output file",
        ),
        (
            &[
                "ffmpeg", "--chunks", "2", "-i", "in.mp4", "-r", "10", "o.mp4",
            ],
            "-r cannot be used",
        ),
        (
            &[
                "ffmpeg", "--chunks", "2", "-i", "in.mp4", "-vf", "fps=5", "o.mp4",
            ],
            "\"fps\"",
        ),
        (
            &["ffmpeg", "--chunks", "0", "-i", "in.mp4", "o.mp4"],
            "at least 1",
        ),
        (
            &["ffprobe", "--chunks", "2", "in.mp4"],
            "`afmpeg ffmpeg` only",
        ),
    ] {
        let o = afmpeg_cli(dir.path(), args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(125), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!dir.path().join("o.mp4").exists());
    }
}
