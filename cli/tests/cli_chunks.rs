//! `afmpeg ffmpeg --chunks N`: the chunked transcode from the command line
//! (the task itself is tested in the library's tests/chunked.rs, with the
//! same fixture).

#[path = "../../tests/support/guest.rs"]
mod guest;
mod support;

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

/// Names of the files in `dir`, sorted.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
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
    let names = names(dir.path());
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

/// A 30 s input (Motion JPEG video, every frame a keyframe, and PCM audio:
/// quick to make) that a slow x264 preset takes long enough to encode in
/// pieces for a signal to come in the middle.
fn long_input(dir: &std::path::Path) {
    let o = afmpeg_cli(
        dir,
        &[
            "ffmpeg",
            "-hide_banner",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=30:size=160x120:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=30",
            "-c:v",
            "mjpeg",
            "-c:a",
            "pcm_s16le",
            "in.mkv",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Starts `--chunks 2` on [`long_input`] to `out` and returns once the
/// first piece has encoded frames.
fn start_chunked(dir: &std::path::Path, out: &str) -> support::signals::Watched {
    let mut child = support::signals::spawn_watched(
        dir,
        &[
            "ffmpeg", "--chunks", "2", "-y", "-i", "in.mkv", "-c:v", "libx264", "-preset",
            "medium", out,
        ],
    );
    child.wait_for("the first piece's frames", |l| {
        support::signals::progress_frame(l, "piece=0").is_some_and(|f| f > 0)
    });
    child
}

/// The first signal stops the pieces gracefully and joins what they
/// encoded: a playable output, shorter than the input, with its audio (no
/// longer than the video); exit 255.
#[test]
fn cli_chunks_first_signal_publishes_the_pieces_encoded_so_far() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    long_input(dir.path());
    let child = start_chunked(dir.path(), "out.mp4");
    child.signal("INT");
    let (status, _, err) = child.finish();
    assert_eq!(status.code(), Some(255), "{err}");
    assert!(
        err.contains("afmpeg: stopped by signal 2: the output holds the input's first"),
        "{err}"
    );
    let fs = Filesystem::new();
    fs.write(
        "/out.mp4",
        std::fs::read(dir.path().join("out.mp4")).unwrap(),
    )
    .unwrap();
    let info = probe(&rt, &fs, "/out.mp4");
    let duration = info.duration().expect("a duration");
    assert!(duration > 0.0 && duration < 30.0, "duration {duration}");
    assert_eq!(info.video_streams().count(), 1);
    assert_eq!(info.audio_streams().count(), 1);
    let names = names(dir.path());
    assert_eq!(names, ["in.mkv", "out.mp4"]);
}

/// A second signal, while the pieces finish after the first, cancels:
/// exit 130, the old output untouched, nothing else written.
#[test]
fn cli_chunks_second_signal_cancels_and_leaves_the_old_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    long_input(dir.path());
    std::fs::write(dir.path().join("out.mp4"), b"old bytes").unwrap();
    let (status, _, err) = start_chunked(dir.path(), "out.mp4").interrupt_twice();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("afmpeg: cancelled by signal 2; nothing was written"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("out.mp4")).unwrap(),
        b"old bytes"
    );
    let names = names(dir.path());
    assert_eq!(names, ["in.mkv", "out.mp4"]);
}
