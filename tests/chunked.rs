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
use afmpeg::{Error, Filesystem};
use support::guest::{
    chunk_fixture as fixture, count_video_frames, ffmpeg_ok, framemd5, probe, runtime,
};

/// The fixture: 100 frames, keyframes at 0, 25, 50, 75.
const FRAMES: u64 = 100;
const FRAME: f64 = 0.04;

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

/// A stop while the second of four pieces encodes (one at a time): the
/// first piece and what the second had are joined, the last two never
/// start; the output is a playable prefix, longer than the first piece's
/// second and shorter than the input, with its audio; `stopped` is set and
/// `chunks` lists the two pieces it holds.
#[test]
fn a_stopped_chunked_transcode_joins_the_pieces_encoded_so_far() {
    let rt = runtime();
    let fs = Filesystem::new();
    fixture(&rt, &fs, "/in.mp4", true);
    let stop = afmpeg::StopToken::new();
    let s = stop.clone();
    let out = ChunkedTranscode::new("/in.mp4", "/out.mp4")
        .chunks(4)
        .threads(1)
        .video_args(["-c:v", "libx264", "-preset", "ultrafast"])
        .piece_progress(move |piece, p| {
            if piece == 1 && p.frame.unwrap_or(0) > 0 {
                s.stop();
            }
        })
        .run_with(&rt, &fs, &afmpeg::RunOptions::new().stop(stop))
        .unwrap();
    assert!(out.stopped);
    assert_eq!(out.chunks.len(), 2, "{:?}", out.chunks);
    assert_eq!(out.frames, FRAMES);
    let info = probe(&rt, &fs, "/out.mp4");
    let d = info.duration().expect("a duration");
    assert!(
        d > 25.0 * FRAME && d < FRAMES as f64 * FRAME,
        "duration {d}"
    );
    assert_eq!(info.audio_streams().count(), 1);
    let frames = count_video_frames(&rt, &fs, "/out.mp4");
    assert!(frames > 25 && frames <= 50, "{frames} frames");
    assert!(
        !fs.exists("/out.mp4.chunks"),
        "the work directory is removed"
    );
}
