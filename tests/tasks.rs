//! The task helpers of `afmpeg::tasks`, run for real on the FFmpeg module.
//!
//! Fixtures are generated in memory with lavfi sources inside the guest
//! (nothing is downloaded) and kept tiny — 160x120, 25 fps, about a second
//! or two — because the interpreter is slow in debug builds. The runtime
//! is the tests' shared one (`support::guest::runtime`, on the tier
//! `AFMPEG_ENGINE` names); without the module these tests fail (they
//! never skip), telling to run `make guest`.

mod support;

use afmpeg::command::{Command, InputFile, OutputFile, Time};
use afmpeg::media_info::MediaInfo;
use afmpeg::tasks::*;
use afmpeg::{Error, Filesystem, Runtime};
use std::sync::OnceLock;

/// One frame at the fixtures' 25 fps.
const FRAME: f64 = 0.04;

fn rt() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(support::guest::runtime)
}

fn t(secs: f64) -> Time {
    Time::from_secs_f64(secs).unwrap()
}

/// Runs a fixture-generating command; it must succeed.
fn generate(fs: &Filesystem, cmd: Command) {
    let cmd = cmd.hide_banner().overwrite(true).stats(false);
    let out = rt()
        .run_command(fs, &cmd, &Default::default())
        .expect("fixture run");
    assert!(
        out.success(),
        "fixture {:?} failed: {}",
        cmd.args(),
        out.stderr_text()
    );
}

fn testsrc(secs: f64) -> InputFile {
    InputFile::lavfi(format!("testsrc=size=160x120:rate=25:duration={secs}"))
}

fn tone(secs: f64) -> InputFile {
    InputFile::lavfi(format!(
        "sine=frequency=440:sample_rate=48000:duration={secs}"
    ))
}

/// An H.264 (+ AAC unless `audio` is false) file, one keyframe a second.
fn av_file(fs: &Filesystem, path: &str, secs: f64, audio: bool) {
    let mut cmd = Command::new().input(testsrc(secs));
    let mut out = OutputFile::path(path)
        .video_codec("libx264")
        .preset("ultrafast")
        .option("g", "25")
        .option("pix_fmt", "yuv420p");
    if audio {
        cmd = cmd.input(tone(secs));
        out = out.audio_codec("aac");
    }
    generate(fs, cmd.output(out));
}

fn probe(fs: &Filesystem, path: &str) -> MediaInfo {
    rt().probe(fs, path)
        .unwrap_or_else(|e| panic!("probe {path}: {e}"))
}

fn codecs(info: &MediaInfo) -> Vec<&str> {
    info.streams
        .iter()
        .filter_map(|s| s.codec_name.as_deref())
        .collect()
}

fn video_duration(info: &MediaInfo) -> f64 {
    info.video_streams()
        .next()
        .and_then(|s| s.duration)
        .expect("video stream duration")
}

fn assert_near(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: got {got}, want {want} ± {tolerance}"
    );
}

#[test]
fn transcode_to_h264_aac_mp4() {
    let fs = Filesystem::new();
    // A source that is not H.264/AAC: MJPEG + FLAC in Matroska.
    generate(
        &fs,
        Command::new().input(testsrc(1.0)).input(tone(1.0)).output(
            OutputFile::path("/src.mkv")
                .video_codec("mjpeg")
                .audio_codec("flac"),
        ),
    );
    let out = Transcode::new("/src.mkv", "/out.mp4")
        .preset("ultrafast")
        .crf(30)
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(out.path, "/out.mp4");
    assert_eq!(out.size, fs.metadata("/out.mp4").unwrap().len);
    let info = out.probe(rt(), &fs).unwrap();
    assert_eq!(codecs(&info), ["h264", "aac"]);
    let v = info.video_streams().next().unwrap();
    assert_eq!((v.width, v.height), (Some(160), Some(120)));
    assert_eq!(v.pix_fmt.as_deref(), Some("yuv420p"));
    assert_near("duration", info.duration().unwrap(), 1.0, 0.1);

    // Scaling keeps the aspect ratio, with an even height.
    let small = Transcode::new("/src.mkv", "/small.mp4")
        .preset("ultrafast")
        .scale_width(80)
        .no_audio()
        .run(rt(), &fs)
        .unwrap();
    let info = small.probe(rt(), &fs).unwrap();
    assert_eq!(codecs(&info), ["h264"]);
    let v = info.video_streams().next().unwrap();
    assert_eq!((v.width, v.height), (Some(80), Some(60)));
}

#[test]
fn failed_run_is_a_typed_error() {
    let fs = Filesystem::new();
    match Transcode::new("/missing.mkv", "/out.mp4").run(rt(), &fs) {
        Err(Error::Ffmpeg {
            exit_code,
            stderr_tail,
            ..
        }) => {
            assert_ne!(exit_code, 0);
            assert!(stderr_tail.contains("/missing.mkv"), "{stderr_tail}");
        }
        other => panic!("expected Error::Ffmpeg, got {other:?}"),
    }
    // A refused command runs nothing.
    assert!(matches!(
        Transcode::new("/a", "/b.mp4")
            .crf(60)
            .run(rt(), &fs)
            .unwrap_err(),
        Error::Command(_)
    ));
}

#[test]
fn remux_mkv_to_mp4_copies_streams() {
    let fs = Filesystem::new();
    av_file(&fs, "/in.mkv", 1.0, true);
    let before = probe(&fs, "/in.mkv");
    let out = Remux::new("/in.mkv", "/out.mp4").run(rt(), &fs).unwrap();
    let after = out.probe(rt(), &fs).unwrap();
    assert!(after.format.format_name.contains("mp4"));
    assert_eq!(codecs(&after), ["h264", "aac"]);
    assert_eq!(codecs(&before), codecs(&after));
    // Stream copy: the same number of video frames, same profile.
    let (vb, va) = (
        before.video_streams().next().unwrap(),
        after.video_streams().next().unwrap(),
    );
    assert_eq!(va.nb_frames, Some(25));
    assert_eq!(vb.profile, va.profile);
    assert_near(
        "duration",
        after.duration().unwrap(),
        before.duration().unwrap(),
        0.05,
    );
}

#[test]
fn clip_fast_and_accurate() {
    let fs = Filesystem::new();
    av_file(&fs, "/in.mp4", 2.0, false);

    // Fast: stream copy from the keyframe at or before the start.
    let fast = Clip::new("/in.mp4", "/fast.mp4", t(1.0))
        .duration(t(0.6))
        .run(rt(), &fs)
        .unwrap();
    let info = fast.probe(rt(), &fs).unwrap();
    assert_eq!(codecs(&info), ["h264"]);
    assert_near("fast clip", video_duration(&info), 0.6, 2.0 * FRAME);

    // Accurate: starts between keyframes, lasts exactly what was asked.
    let exact = Clip::new("/in.mp4", "/exact.mp4", t(0.52))
        .duration(t(0.8))
        .mode(ClipMode::Accurate)
        .preset("ultrafast")
        .run(rt(), &fs)
        .unwrap();
    let info = exact.probe(rt(), &fs).unwrap();
    assert_near("accurate clip", video_duration(&info), 0.8, FRAME);
    assert_eq!(info.video_streams().next().unwrap().nb_frames, Some(20));

    // With an end time instead of a duration.
    let to = Clip::new("/in.mp4", "/to.mp4", t(0.4))
        .end(t(1.6))
        .mode(ClipMode::Accurate)
        .preset("ultrafast")
        .run(rt(), &fs)
        .unwrap();
    let info = to.probe(rt(), &fs).unwrap();
    assert_near("accurate clip to end", video_duration(&info), 1.2, FRAME);
}

#[test]
fn frames_at_timestamps_and_every_interval() {
    let fs = Filesystem::new();
    av_file(&fs, "/in.mp4", 2.0, false);

    let at = Frames::new("/in.mp4", "/stills")
        .select(FrameSelection::At(vec![t(0.2), t(0.9), t(1.5)]))
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(
        at,
        [
            "/stills/frame_0001.png",
            "/stills/frame_0002.png",
            "/stills/frame_0003.png"
        ]
    );
    for path in &at {
        let info = probe(&fs, path);
        let v = info.video_streams().next().unwrap();
        assert_eq!(codecs(&info), ["png"]);
        assert_eq!((v.width, v.height), (Some(160), Some(120)), "{path}");
    }
    // The three stills differ (testsrc moves).
    assert_ne!(fs.read(&at[0]).unwrap(), fs.read(&at[1]).unwrap());

    let every = Frames::new("/in.mp4", "/every")
        .select(FrameSelection::Every(t(0.5)))
        .format(ImageFormat::JPEG)
        .scale_width(80)
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(every.len(), 4, "{every:?}");
    for path in &every {
        assert!(path.ends_with(".jpg"));
        let info = probe(&fs, path);
        let v = info.video_streams().next().unwrap();
        assert_eq!(codecs(&info), ["mjpeg"]);
        assert_eq!((v.width, v.height), (Some(80), Some(60)), "{path}");
    }

    // The count cap; a rerun replaces the previous files.
    let capped = Frames::new("/in.mp4", "/every")
        .select(FrameSelection::Every(t(0.5)))
        .format(ImageFormat::JPEG)
        .max_frames(2)
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(capped.len(), 2);
    assert_eq!(fs.read_dir("/every").unwrap().len(), 2);
}

#[test]
fn frames_at_4096_timestamps_with_their_times() {
    // 4,096 distinct frames (testsrc repeats every 150 frames at this size,
    // so each frame is also turned a little further), raw in Matroska,
    // and each frame decoded to PNG as the reference.
    const N: u64 = 4096;
    let fs = Filesystem::new();
    generate(
        &fs,
        Command::new()
            .input(InputFile::lavfi(
                "testsrc=size=32x32:rate=25,rotate=a=n*2*PI/4100",
            ))
            .output(
                OutputFile::path("/n.mkv")
                    .video_codec("rawvideo")
                    .option("pix_fmt", "yuv420p")
                    .frames(N),
            ),
    );
    fs.create_dir("/ref").unwrap();
    generate(
        &fs,
        Command::new()
            .input(InputFile::path("/n.mkv"))
            .output(OutputFile::path("/ref/%04d.png").option("fps_mode", "passthrough")),
    );
    let distinct: std::collections::HashSet<Vec<u8>> = (1..=N)
        .map(|n| fs.read(&format!("/ref/{n:04}.png")).unwrap())
        .collect();
    assert_eq!(
        distinct.len(),
        N as usize,
        "the reference frames all differ"
    );

    // Frame (i × 1031) mod 4096 for the i-th timestamp: every frame once,
    // out of order, across 32 runs.
    let frames: Vec<u64> = (0..N).map(|i| i * 1031 % N).collect();
    let times: Vec<Time> = frames
        .iter()
        .map(|f| Time::from_micros(f * 40_000))
        .collect();
    let stills = Frames::new("/n.mkv", "/many")
        .select(FrameSelection::At(times.clone()))
        .stills(rt(), &fs, &Default::default())
        .unwrap();
    assert_eq!(stills.len(), N as usize);
    assert_eq!(fs.read_dir("/many").unwrap().len(), N as usize);
    for (i, (still, f)) in stills.iter().zip(&frames).enumerate() {
        assert_eq!(still.path, format!("/many/frame_{:04}.png", i + 1));
        assert_eq!(still.time, Some(times[i]));
        assert!(
            fs.read(&still.path).unwrap() == fs.read(&format!("/ref/{:04}.png", f + 1)).unwrap(),
            "{} is not frame {f}",
            still.path
        );
    }
}

#[test]
fn frames_on_scene_changes_and_best_thumbnail() {
    let fs = Filesystem::new();
    black_then_pattern(&fs, "/cut.mp4");
    let scenes = Frames::new("/cut.mp4", "/scenes")
        .select(FrameSelection::SceneChanges { threshold: 0.3 })
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(scenes.len(), 1, "one cut, black to pattern: {scenes:?}");

    let best = Frames::new("/cut.mp4", "/best")
        .select(FrameSelection::Best { batch: 50 })
        .scale(64, 48)
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(best, ["/best/frame_0001.png"]);
    let info = probe(&fs, &best[0]);
    let v = info.video_streams().next().unwrap();
    assert_eq!((v.width, v.height), (Some(64), Some(48)));

    // Which frames: every frame of the clip decoded to PNG (frame n shows
    // t = (n - 1) / 25 s), full size and at 64x48; each extracted image is
    // byte for byte one of them.
    for (dir, vf) in [("/ref", "null"), ("/ref64", "scale=64:48")] {
        fs.create_dir(dir).unwrap();
        generate(
            &fs,
            Command::new().input(InputFile::path("/cut.mp4")).output(
                OutputFile::path(format!("{dir}/%04d.png"))
                    .video_filter(vf)
                    .option("fps_mode", "passthrough"),
            ),
        );
    }
    let frame_of = |image: &str, dir: &str| -> Vec<usize> {
        let bytes = fs.read(image).unwrap();
        (1..=50)
            .filter(|n| fs.read(&format!("{dir}/{n:04}.png")).ok().as_ref() == Some(&bytes))
            .collect()
    };
    // The scene change is the first pattern frame, t = 1.00 s (frame 26):
    // the 25 black frames before it are all the same image, so the match
    // must be unique.
    assert_eq!(frame_of(&scenes[0], "/ref"), [26], "{scenes:?}");
    assert_ne!(
        fs.read("/ref/0025.png").unwrap(),
        fs.read("/ref/0026.png").unwrap()
    );
    // The best thumbnail of the 50 frames is a pattern frame, never black:
    // the `thumbnail` filter's pick for this clip is frame 48 (t = 1.88 s).
    assert_eq!(frame_of(&best[0], "/ref64"), [48], "best thumbnail");
}

#[test]
fn extract_audio_to_mp3_and_opus() {
    let fs = Filesystem::new();
    av_file(&fs, "/in.mp4", 1.0, true);
    for (format, path, codec) in [
        (AudioFormat::Mp3, "/a.mp3", "mp3"),
        (AudioFormat::Opus, "/a.opus", "opus"),
    ] {
        let out = ExtractAudio::new("/in.mp4", path, format)
            .bitrate(64_000)
            .run(rt(), &fs)
            .unwrap();
        let info = out.probe(rt(), &fs).unwrap();
        assert_eq!(codecs(&info), [codec], "{path}");
        assert_eq!(info.video_streams().count(), 0);
        assert_near(path, info.duration().unwrap(), 1.0, 0.1);
    }
    // Lossless formats take no bitrate.
    assert!(ExtractAudio::new("/in.mp4", "/a.flac", AudioFormat::Flac)
        .bitrate(1)
        .command()
        .is_err());
}

/// Slideshow on the lean profile: transitions and mixed audio work; the
/// ducking (sidechaincompress, apad) and captions (drawtext) need the
/// default profile (tests/catalogue.rs), and lean says so with a typed
/// error.
#[test]
fn slideshow_on_lean_without_captions_or_ducking() {
    let fs = Filesystem::new();
    for (colour, path) in [("red", "/a.png"), ("blue", "/b.png")] {
        generate(
            &fs,
            Command::new()
                .input(InputFile::lavfi(format!("color=c={colour}:size=96x64")))
                .output(OutputFile::path(path).frames(1)),
        );
    }
    for path in ["/music.wav", "/voice.wav"] {
        generate(
            &fs,
            Command::new()
                .input(tone(2.0))
                .output(OutputFile::path(path)),
        );
    }
    let show = || {
        Slideshow::new(["/a.png", "/b.png"], "/show.mp4")
            .size(96, 64)
            .fps(10)
            .slide_duration(t(1.0))
            .transition("wipeleft", t(0.5))
            .music("/music.wav")
            .voice("/voice.wav")
            .preset("ultrafast")
    };
    let out = show().duck(false).run(rt(), &fs).unwrap();
    let info = probe(&fs, &out.path);
    assert_eq!(codecs(&info), ["h264", "aac"]);
    assert_near("slideshow", info.duration().unwrap(), 1.5, 0.1);
    assert_near("slideshow video", video_duration(&info), 1.5, 0.05);
    match show().run(rt(), &fs) {
        Err(Error::Ffmpeg { stderr_tail, .. }) => assert!(
            stderr_tail.contains("No such filter: 'apad'"),
            "{stderr_tail}"
        ),
        other => panic!("ducking ran on lean: {other:?}"),
    }
}

#[test]
fn hls_packaging() {
    let fs = Filesystem::new();
    av_file(&fs, "/in.mp4", 2.0, true);
    let hls = Hls::new("/in.mp4", "/hls/index.m3u8")
        .segment_duration(t(1.0))
        .preset("ultrafast")
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(hls.playlist, "/hls/index.m3u8");
    let playlist = String::from_utf8(fs.read(&hls.playlist).unwrap()).unwrap();
    assert!(playlist.starts_with("#EXTM3U"), "{playlist}");
    assert!(playlist.contains("#EXT-X-ENDLIST"), "{playlist}");
    assert_eq!(hls.segments.len(), 2, "{playlist}");
    let mut total = 0.0;
    for seg in &hls.segments {
        assert!(
            seg.starts_with("/hls/index_") && seg.ends_with(".ts"),
            "{seg}"
        );
        let info = probe(&fs, seg);
        assert_eq!(info.format.format_name, "mpegts");
        assert_eq!(codecs(&info), ["h264", "aac"]);
        total += info.duration().unwrap();
    }
    assert_near("segments", total, 2.0, 0.15);

    let parts = Segment::new("/in.mp4", "/parts/part_%03d.mp4")
        .segment_duration(t(1.0))
        .copy()
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(parts, ["/parts/part_000.mp4", "/parts/part_001.mp4"]);
    for p in &parts {
        assert_eq!(codecs(&probe(&fs, p)), ["h264", "aac"]);
    }
}

#[test]
fn concat_three_inputs() {
    let fs = Filesystem::new();
    let lengths = [0.4, 0.6, 0.8];
    for (i, secs) in lengths.iter().enumerate() {
        av_file(&fs, &format!("/part{i}.mp4"), *secs, false);
    }
    let inputs = ["/part0.mp4", "/part1.mp4", "/part2.mp4"];
    let sum: f64 = lengths.iter().sum();

    let copied = Concat::new(inputs, "/copy.mp4")
        .mode(ConcatMode::Copy)
        .run(rt(), &fs)
        .unwrap();
    assert!(!fs.exists("/copy.mp4.ffconcat"), "the list is removed");
    let info = copied.probe(rt(), &fs).unwrap();
    assert_near("copied", video_duration(&info), sum, FRAME);
    assert_eq!(info.video_streams().next().unwrap().nb_frames, Some(45));

    let encoded = Concat::new(inputs, "/enc.mp4")
        .preset("ultrafast")
        .run(rt(), &fs)
        .unwrap();
    let info = encoded.probe(rt(), &fs).unwrap();
    assert_eq!(codecs(&info), ["h264"]);
    assert_near("re-encoded", video_duration(&info), sum, FRAME);
}

const SRT: &str = "1\n00:00:00,500 --> 00:00:01,200\nHello <i>world</i>\n\n\
2\n00:00:01,500 --> 00:00:01,900\nSecond cue\non two lines\n\n";

#[test]
fn subtitles_srt_to_webvtt_and_mov_text() {
    let fs = Filesystem::new();
    fs.write("/subs.srt", SRT).unwrap();
    ConvertSubtitles::new("/subs.srt", "/subs.vtt", SubtitleFormat::WebVtt)
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(
        String::from_utf8(fs.read("/subs.vtt").unwrap()).unwrap(),
        "WEBVTT\n\n00:00.500 --> 00:01.200\nHello <i>world</i>\n\n\
         00:01.500 --> 00:01.900\nSecond cue\non two lines\n"
    );

    // Subtitles alone in an MP4.
    let out = ConvertSubtitles::new("/subs.srt", "/subs.mp4", SubtitleFormat::MovText)
        .run(rt(), &fs)
        .unwrap();
    let info = out.probe(rt(), &fs).unwrap();
    assert_eq!(codecs(&info), ["mov_text"]);

    // Next to a video, tagged with a language.
    av_file(&fs, "/video.mp4", 2.0, true);
    let out = ConvertSubtitles::new("/subs.srt", "/subbed.mp4", SubtitleFormat::MovText)
        .with_video("/video.mp4")
        .language("eng")
        .run(rt(), &fs)
        .unwrap();
    let info = out.probe(rt(), &fs).unwrap();
    assert_eq!(codecs(&info), ["h264", "aac", "mov_text"]);
    let s = info.subtitle_streams().next().unwrap();
    assert_eq!(s.language.as_deref(), Some("eng"));

    // ASS.
    ConvertSubtitles::new("/subs.srt", "/subs.ass", SubtitleFormat::Ass)
        .run(rt(), &fs)
        .unwrap();
    let ass = String::from_utf8(fs.read("/subs.ass").unwrap()).unwrap();
    assert!(ass.contains("[Script Info]"), "{ass}");
    assert!(ass.contains("Dialogue: 0,0:00:00.50,0:00:01.20,"), "{ass}");
}

#[test]
fn metadata_and_authored_chapters() {
    let fs = Filesystem::new();
    av_file(&fs, "/in.mp4", 2.0, true);
    let tricky = "Intro; part=1 #a \\ b";
    let out = Metadata::new("/in.mp4", "/tagged.mp4")
        .tag("title", "My = film; #1")
        .tag("comment", "two\nlines")
        .stream_tag("a:0", "language", "fra")
        .chapter(ChapterSpec::new(Time::ZERO, t(0.75), tricky))
        .chapter(ChapterSpec::new(t(0.75), t(2.0), "Main"))
        .run(rt(), &fs)
        .unwrap();
    assert!(!fs.exists("/tagged.mp4.ffmetadata"), "side file removed");
    let info = out.probe(rt(), &fs).unwrap();
    assert_eq!(info.format.tag("title"), Some("My = film; #1"));
    assert_eq!(info.format.tag("comment"), Some("two\nlines"));
    let a = info.audio_streams().next().unwrap();
    assert_eq!(a.language.as_deref(), Some("fra"));
    let chapters: Vec<(f64, f64, Option<&str>)> = info
        .chapters
        .iter()
        .map(|c| (c.start, c.end, c.title.as_deref()))
        .collect();
    assert_eq!(chapters.len(), 2, "{chapters:?}");
    assert_eq!(chapters[0].2, Some(tricky));
    assert_eq!(chapters[1].2, Some("Main"));
    assert_near("chapter 1 start", chapters[0].0, 0.0, 0.001);
    assert_near("chapter 1 end", chapters[0].1, 0.75, 0.001);
    assert_near("chapter 2 start", chapters[1].0, 0.75, 0.001);
    assert_near("chapter 2 end", chapters[1].1, 2.0, 0.001);
    // The streams are copied; MP4 stores chapters in an extra QuickTime
    // chapter track as well (ffprobe shows it as a `bin_data` stream).
    assert_eq!(codecs(&info)[..2], ["h264", "aac"]);

    // Authored global tags survive with replace_tags, via the ffmetadata input.
    let out = Metadata::new("/in.mp4", "/replaced.mkv")
        .tag("title", "Only = this")
        .replace_tags()
        .run(rt(), &fs)
        .unwrap();
    let info = out.probe(rt(), &fs).unwrap();
    assert_eq!(info.format.tag("title"), Some("Only = this"));
    assert!(info.chapters.is_empty());
}

#[test]
fn metadata_value_ending_in_backslash_is_refused_not_corrupted() {
    // FFmpeg 5.1's ffmetadata reader would swallow the line after such a
    // value (here the comment, or the next chapter's header): the helper
    // refuses it before running, and writes nothing.
    let fs = Filesystem::new();
    av_file(&fs, "/in.mp4", 1.0, false);
    for m in [
        Metadata::new("/in.mp4", "/bs.mp4")
            .tag("title", "C:\\dir\\")
            .tag("comment", "kept"),
        Metadata::new("/in.mp4", "/bs.mp4")
            .chapter(ChapterSpec::new(Time::ZERO, t(0.5), "one\\"))
            .chapter(ChapterSpec::new(t(0.5), t(1.0), "two")),
    ] {
        match m.run(rt(), &fs) {
            Err(Error::Command(afmpeg::command::CommandError::InvalidArgument {
                reason, ..
            })) => assert!(reason.contains("ends in a backslash"), "{reason}"),
            other => panic!("expected the typed refusal, got {other:?}"),
        }
        assert!(!fs.exists("/bs.mp4"));
    }
    // A backslash elsewhere round-trips exactly, the next tag intact.
    let out = Metadata::new("/in.mp4", "/bs.mp4")
        .tag("title", "C:\\dir\\x")
        .replace_tags()
        .tag("comment", "kept")
        .run(rt(), &fs)
        .unwrap();
    let info = out.probe(rt(), &fs).unwrap();
    assert_eq!(info.format.tag("title"), Some("C:\\dir\\x"));
    assert_eq!(info.format.tag("comment"), Some("kept"));
}

/// A 2 s, 48 kHz mono WAV of a 1 kHz sine whose RMS is −20 dBFS.
///
/// FFmpeg's `sine` source has a peak amplitude of 1/8 (−18.06 dBFS); a
/// sine's RMS is its peak − 3.01 dB, so −21.07 dBFS; +1.07 dB brings the RMS
/// to −20.00 dBFS and the peak to −16.99 dBFS. For a 1 kHz sine in one
/// channel, BS.1770 loudness in LUFS equals the RMS level in dBFS (the
/// K-weighting gain at 1 kHz cancels the −0.691 dB constant), so the
/// integrated loudness is −20 LUFS too.
fn sine_minus_20(fs: &Filesystem, path: &str) {
    generate(
        fs,
        Command::new()
            .input(InputFile::lavfi(
                "sine=frequency=1000:sample_rate=48000:duration=2,volume=1.0721dB",
            ))
            .output(OutputFile::path(path).audio_codec("pcm_s16le")),
    );
}

/// 1 s of black, then 1 s of test pattern (with a tone, 1 s of silence in
/// the middle of 3 s of audio is another fixture).
fn black_then_pattern(fs: &Filesystem, path: &str) {
    generate(
        fs,
        Command::new()
            .input(InputFile::lavfi(
                "color=black:size=160x120:rate=25:duration=1",
            ))
            .input(testsrc(1.0))
            .filter_complex("[0:v][1:v]concat=n=2:v=1:a=0[v]")
            .output(
                OutputFile::path(path)
                    .map("[v]")
                    .video_codec("libx264")
                    .preset("ultrafast")
                    .option("pix_fmt", "yuv420p"),
            ),
    );
}

#[test]
fn loudness_and_volume_of_a_minus_20_dbfs_sine() {
    let fs = Filesystem::new();
    sine_minus_20(&fs, "/sine.wav");

    let v = VolumeDetect::new("/sine.wav").run(rt(), &fs).unwrap();
    assert_eq!(v.samples, 96_000);
    assert_near("RMS (mean_volume)", v.mean_volume, -20.0, 0.5);
    assert_near("sample peak (max_volume)", v.max_volume, -16.99, 0.5);

    let r = Loudness::new("/sine.wav").run(rt(), &fs).unwrap();
    assert_near("ebur128 integrated", r.integrated, -20.0, 0.5);
    assert_near("ebur128 true peak", r.true_peak, -16.99, 0.5);
    assert_near("ebur128 LRA", r.range, 0.0, 0.5);
    assert_near("ebur128 threshold", r.threshold, -30.0, 0.5);

    let r = Loudness::new("/sine.wav")
        .method(LoudnessMethod::Loudnorm)
        .run(rt(), &fs)
        .unwrap();
    assert_near("loudnorm integrated", r.integrated, -20.0, 0.5);
    assert_near("loudnorm true peak", r.true_peak, -16.99, 0.5);
}

#[test]
fn silencedetect_finds_an_inserted_second_of_silence() {
    let fs = Filesystem::new();
    generate(
        &fs,
        Command::new()
            .input(tone(1.0))
            .input(InputFile::lavfi("anullsrc=r=48000:cl=mono:d=1"))
            .input(tone(1.0))
            .filter_complex("[0:a][1:a][2:a]concat=n=3:v=0:a=1[a]")
            .output(OutputFile::path("/gap.wav").map("[a]")),
    );
    let silences = SilenceDetect::new("/gap.wav").run(rt(), &fs).unwrap();
    assert_eq!(silences.len(), 1, "{silences:?}");
    assert_near("silence start", silences[0].start, 1.0, 0.1);
    assert_near("silence end", silences[0].end.unwrap(), 2.0, 0.1);
    assert_near(
        "silence duration",
        silences[0].duration().unwrap(),
        1.0,
        0.1,
    );
}

#[test]
fn blackdetect_and_scene_scores() {
    let fs = Filesystem::new();
    black_then_pattern(&fs, "/cut.mp4");
    let black = BlackDetect::new("/cut.mp4")
        .min_duration(t(0.5))
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(black.len(), 1, "{black:?}");
    assert_near("black start", black[0].start, 0.0, FRAME);
    assert_near("black end", black[0].end.unwrap(), 1.0, FRAME);

    let scores = SceneScores::new("/cut.mp4").run(rt(), &fs).unwrap();
    let top = scores
        .iter()
        .copied()
        .reduce(|a, b| if b.score > a.score { b } else { a })
        .expect("some scores");
    assert_near("cut time", top.time, 1.0, FRAME);
    assert!(top.score > 10.0, "{top:?}");
    let cuts = SceneScores::new("/cut.mp4")
        .threshold(10.0)
        .run(rt(), &fs)
        .unwrap();
    assert_eq!(cuts.len(), 1, "{cuts:?}");
}

#[test]
fn measure_summaries_of_astats_ebur128_and_volumedetect_in_one_run() {
    let fs = Filesystem::new();
    sine_minus_20(&fs, "/sine.wav");
    let m = Measure::audio("/sine.wav", "astats,ebur128=peak=sample+true,volumedetect")
        .summary_only()
        .run(rt(), &fs)
        .unwrap();
    assert!(m.frames.is_empty());

    let stats = m.audio_stats().expect("astats' summary");
    assert_eq!(stats.channels.len(), 1);
    let (ch, all) = (&stats.channels[0], &stats.overall);
    assert_near("astats RMS", ch.rms_level_db.unwrap(), -20.0, 0.01);
    assert_near("astats peak", ch.peak_level_db.unwrap(), -16.99, 0.01);
    assert_near("crest factor", ch.crest_factor.unwrap(), 2f64.sqrt(), 0.01);
    // 1 kHz for 2 s: two zero crossings a period
    assert_eq!(ch.zero_crossings, Some(4000.0));
    assert_eq!(ch.samples, None, "per channel, no sample count");
    assert_eq!(all.samples, Some(96_000.0));
    assert_eq!(all.rms_level_db, ch.rms_level_db);
    assert_eq!(all.crest_factor, None, "overall, no crest factor");
    assert_eq!(ch.values["Bit depth"], "16/16");

    let r = m.ebur128().expect("ebur128's summary");
    assert_near("integrated", r.integrated, -20.0, 0.5);
    assert_near("gate", r.threshold, -30.0, 0.5);
    // 2 s is shorter than the 3 s short-term window: no range measured
    assert_eq!(
        (r.range, r.range_threshold, r.range_low, r.range_high),
        (0.0, Some(0.0), Some(0.0), Some(0.0))
    );
    assert_near("sample peak", r.sample_peak.unwrap(), -17.0, 0.05);
    assert_near("true peak", r.true_peak.unwrap(), -17.0, 0.1);

    let v = m.volume().expect("volumedetect's report");
    assert_eq!(v.samples, 96_000);
    assert_near("mean volume", v.mean_volume, -20.0, 0.05);
}
