//! `afmpeg::tasks::ChunkedTranscode`, run for real on the FFmpeg module.
//!
//! The fixture is a 4 s 320x240 25 fps H.264 (with B-frames, a keyframe
//! every 25 frames) + AAC mp4, made in the guest. Continuity at the joins is
//! checked bit for bit: with lossless x264 (`-qp 0`) the decoded frames of
//! the chunked output must be the decoded source frames, with the same
//! timestamps and durations (FFmpeg's `framemd5`), and the same as those of
//! a single-job encode with the same settings.

mod support;

use afmpeg::tasks::{ChunkError, ChunkedTranscode, Task};
use afmpeg::{Error, Filesystem, Runtime};
use std::sync::OnceLock;
use support::guest::{count_video_frames, ffmpeg_ok, probe, runtime};

/// The fixture: 100 frames, keyframes at 0, 25, 50, 75.
const FRAMES: u64 = 100;
const FRAME: f64 = 0.04;

/// Writes the fixture (with or without audio) to `path`; made once per
/// variant and test binary.
fn fixture(rt: &Runtime, fs: &Filesystem, path: &str, audio: bool) {
    static MADE: [OnceLock<Vec<u8>>; 2] = [OnceLock::new(), OnceLock::new()];
    let bytes = MADE[audio as usize].get_or_init(|| {
        let tmp = Filesystem::new();
        make_fixture(rt, &tmp, "/f.mp4", audio);
        tmp.read("/f.mp4").unwrap()
    });
    fs.write(path, bytes.clone()).unwrap();
}

fn make_fixture(rt: &Runtime, fs: &Filesystem, path: &str, audio: bool) {
    let mut args = vec![
        "-hide_banner",
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=4:size=320x240:rate=25",
    ];
    if audio {
        args.extend(["-f", "lavfi", "-i", "sine=frequency=1000:duration=4"]);
    }
    args.extend([
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        "25",
        "-keyint_min",
        "25",
        "-sc_threshold",
        "0",
        "-pix_fmt",
        "yuv420p",
    ]);
    if audio {
        args.extend(["-c:a", "aac", "-shortest"]);
    }
    args.push(path);
    ffmpeg_ok(rt, fs, &args);
}

/// The `framemd5` lines (timestamps, durations, sizes and hashes of the
/// decoded frames) of the first video stream of `path`.
fn framemd5(rt: &Runtime, fs: &Filesystem, path: &str) -> Vec<String> {
    let out = ffmpeg_ok(
        rt,
        fs,
        &[
            "-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "pipe:1",
        ],
    );
    out.stdout_text()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The presentation times (`pts` column) of framemd5 lines.
fn pts(lines: &[String]) -> Vec<i64> {
    lines
        .iter()
        .map(|l| l.split(',').nth(2).unwrap().trim().parse().unwrap())
        .collect()
}

#[test]
fn lossless_chunks_are_the_source_frames() {
    let rt = runtime();
    let fs = Filesystem::new();
    fixture(&rt, &fs, "/in.mp4", true);
    let lossless = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"];

    let out = ChunkedTranscode::new("/in.mp4", "/out.mp4")
        .chunks(3)
        .video_args(lossless)
        .run(&rt, &fs)
        .unwrap();
    assert_eq!(out.frames, FRAMES);
    assert!(out.audio);
    let firsts: Vec<u64> = out.chunks.iter().map(|c| c.first_frame).collect();
    assert_eq!(firsts, [0, 25, 75], "{:?}", out.chunks);
    assert_eq!(out.chunks.iter().map(|c| c.frames).sum::<u64>(), FRAMES);
    assert!(!fs.exists("/out.mp4.chunks"), "the pieces are removed");

    // Stream layout and duration.
    let info = probe(&rt, &fs, "/out.mp4");
    assert_eq!(info.video_streams().count(), 1);
    assert_eq!(info.audio_streams().count(), 1);
    assert_eq!(info.streams.len(), 2);
    let v = info.video_streams().next().unwrap();
    assert_eq!(v.codec_name.as_deref(), Some("h264"));
    let vdur = v.duration.expect("video duration");
    assert!((vdur - 4.0).abs() <= FRAME, "video duration {vdur}");
    let dur = info.duration().unwrap();
    assert!((dur - 4.0).abs() < 0.1, "duration {dur}");
    assert_eq!(count_video_frames(&rt, &fs, "/out.mp4"), FRAMES);

    // Every frame, at its time, exactly once: the decoded output is the
    // decoded source, and a single-job encode with the same settings.
    let source = framemd5(&rt, &fs, "/in.mp4");
    assert_eq!(source.len() as u64, FRAMES);
    let chunked = framemd5(&rt, &fs, "/out.mp4");
    assert_eq!(chunked, source);
    let mut single = vec!["-v", "error", "-i", "/in.mp4", "-map", "0:v:0"];
    single.extend(lossless);
    single.push("/single.mp4");
    ffmpeg_ok(&rt, &fs, &single);
    assert_eq!(chunked, framemd5(&rt, &fs, "/single.mp4"));

    // Each piece began with an IDR frame: the output has a keyframe exactly
    // at each chunk start.
    let keys = rt
        .ffprobe(
            &fs,
            &[
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "packet=pts,flags",
                "-of",
                "csv=p=0",
                "/out.mp4",
            ],
        )
        .unwrap()
        .stdout_text();
    let mut times: Vec<(i64, bool)> = keys
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (p, f) = l.split_once(',').unwrap();
            (p.parse().unwrap(), f.starts_with('K'))
        })
        .collect();
    times.sort();
    let key_frames: Vec<usize> = times
        .iter()
        .enumerate()
        .filter(|(_, (_, k))| *k)
        .map(|(i, _)| i)
        .collect();
    for c in &out.chunks {
        assert!(
            key_frames.contains(&(c.first_frame as usize)),
            "no keyframe at frame {} ({key_frames:?})",
            c.first_frame
        );
    }
}

#[test]
fn lossy_chunks_keep_count_and_timestamps() {
    let rt = runtime();
    let fs = Filesystem::new();
    fixture(&rt, &fs, "/in.mp4", false);
    let out = ChunkedTranscode::new("/in.mp4", "/out.mkv")
        .chunks(2)
        .video_args(["-preset", "veryfast", "-crf", "30"])
        .run(&rt, &fs)
        .unwrap();
    assert!(!out.audio);
    assert_eq!(out.chunks.len(), 2);
    assert_eq!(out.chunks[1].first_frame, 50);
    let info = probe(&rt, &fs, "/out.mkv");
    assert_eq!(info.video_streams().count(), 1);
    assert_eq!(info.streams.len(), 1, "no audio in, no audio out");
    let dur = info.duration().unwrap();
    assert!((dur - 4.0).abs() <= FRAME, "duration {dur}");
    assert_eq!(count_video_frames(&rt, &fs, "/out.mkv"), FRAMES);
    // Lossy: frames differ, but the timeline must be the source's, one
    // frame after the other (framemd5 counts in 1/25 s) with no repeat and
    // no gap.
    let p = pts(&framemd5(&rt, &fs, "/out.mkv"));
    assert_eq!(p, pts(&framemd5(&rt, &fs, "/in.mp4")));
    assert_eq!(p, (0..FRAMES as i64).collect::<Vec<_>>());
}

#[test]
fn too_few_keyframes_means_fewer_chunks() {
    let rt = runtime();
    let fs = Filesystem::new();
    ffmpeg_ok(
        &rt,
        &fs,
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=160x120:rate=25",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "250",
            "/one_gop.mp4",
        ],
    );
    let out = ChunkedTranscode::new("/one_gop.mp4", "/out.mp4")
        .chunks(4)
        .video_args(["-preset", "ultrafast"])
        .run(&rt, &fs)
        .unwrap();
    assert_eq!(out.chunks.len(), 1);
    assert_eq!(out.chunks[0].frames, 25);
    assert_eq!(count_video_frames(&rt, &fs, "/out.mp4"), 25);
}

#[test]
fn refusals_write_nothing() {
    let rt = runtime();
    let fs = Filesystem::new();
    fixture(&rt, &fs, "/in.mp4", true);
    let t = ChunkedTranscode::new("/in.mp4", "/out.mp4");

    let e = t.clone().chunks(0).run(&rt, &fs).unwrap_err();
    assert!(matches!(e, Error::Chunked(ChunkError::NoChunks)), "{e}");
    let e = t
        .clone()
        .video_args(["-r", "10"])
        .run(&rt, &fs)
        .unwrap_err();
    assert!(
        matches!(&e, Error::Chunked(ChunkError::UnsupportedOption { option, .. }) if option == "-r"),
        "{e}"
    );
    let e = t
        .clone()
        .video_args(["-vf", "fps=10"])
        .run(&rt, &fs)
        .unwrap_err();
    assert!(
        matches!(&e, Error::Chunked(ChunkError::TemporalFilter { filter }) if filter == "fps"),
        "{e}"
    );

    // An existing working directory is left alone.
    fs.create_dir_all("/out.mp4.chunks").unwrap();
    fs.write("/out.mp4.chunks/mine", "keep").unwrap();
    let e = t.run(&rt, &fs).unwrap_err();
    assert!(
        matches!(e, Error::Chunked(ChunkError::WorkDirExists { .. })),
        "{e}"
    );
    assert_eq!(fs.read("/out.mp4.chunks/mine").unwrap(), b"keep");
    fs.remove_dir_all("/out.mp4.chunks").unwrap();

    // No video.
    ffmpeg_ok(
        &rt,
        &fs,
        &["-f", "lavfi", "-i", "sine=duration=1", "/tone.wav"],
    );
    let e = ChunkedTranscode::new("/tone.wav", "/x.mp4")
        .run(&rt, &fs)
        .unwrap_err();
    assert!(
        matches!(e, Error::Chunked(ChunkError::NoVideo { .. })),
        "{e}"
    );

    // A missing input is ffprobe's refusal.
    let e = ChunkedTranscode::new("/missing.mp4", "/x.mp4")
        .run(&rt, &fs)
        .unwrap_err();
    assert!(matches!(e, Error::Probe { .. }), "{e}");

    // An encoder FFmpeg refuses: FFmpeg's error, the pieces cleaned up.
    let e = t
        .clone()
        .video_args(["-c:v", "no_such_encoder"])
        .run(&rt, &fs)
        .unwrap_err();
    match &e {
        Error::Ffmpeg { stderr_tail, .. } => {
            assert!(stderr_tail.contains("no_such_encoder"), "{stderr_tail}")
        }
        other => panic!("expected Error::Ffmpeg, got {other}"),
    }
    assert!(!fs.exists("/out.mp4.chunks"));
    assert!(!fs.exists("/out.mp4"));
    assert!(!fs.exists("/x.mp4"));
}

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
