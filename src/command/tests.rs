use super::builder::Command;
use super::concat_list::{ConcatEntry, ConcatList};
use super::input::InputFile;
use super::output::OutputFile;
use super::types::{CommandError, FileIndex, FrameRate, LogLevel, SeekMode, StreamType, Time};
use std::time::Duration;

fn t(secs: f64) -> Time {
    Time::from_secs_f64(secs).unwrap()
}

fn argv(cmd: &Command) -> Vec<String> {
    cmd.args().unwrap_or_else(|e| panic!("refused: {e}"))
}

fn err(cmd: &Command) -> CommandError {
    let e = cmd.args().unwrap_err();
    assert_eq!(cmd.validate().unwrap_err(), e);
    e
}

fn simple(output: OutputFile) -> Command {
    Command::new()
        .input(InputFile::path("/in.mp4"))
        .output(output)
}

// --- Time -------------------------------------------------------------

#[test]
fn time_renders_microseconds() {
    assert_eq!(t(12.5).to_string(), "12.500000");
    assert_eq!(t(0.0).to_string(), "0.000000");
    assert_eq!(t(1.0000004).to_string(), "1.000000");
    assert_eq!(t(1.0000006).to_string(), "1.000001");
    assert_eq!(Time::from_secs(3600).to_string(), "3600.000000");
    assert_eq!(Time::from_millis(1500).to_string(), "1.500000");
    assert_eq!(Time::from_micros(7).to_string(), "0.000007");
    assert_eq!(t(-0.0), Time::ZERO);
    assert_eq!(t(2.25).as_secs_f64(), 2.25);
    assert_eq!(t(2.25).as_micros(), 2_250_000);
    assert_eq!(
        Time::try_from(Duration::from_millis(250)).unwrap(),
        Time::from_millis(250)
    );
    assert_eq!(Duration::from(t(1.5)), Duration::from_millis(1500));
}

#[test]
fn time_refuses_bad_values() {
    assert_eq!(
        Time::from_secs_f64(-1.0),
        Err(CommandError::NegativeTime { seconds: -1.0 })
    );
    assert!(matches!(
        Time::from_secs_f64(f64::NAN),
        Err(CommandError::NonFiniteTime { .. })
    ));
    assert_eq!(
        Time::from_secs_f64(f64::INFINITY),
        Err(CommandError::NonFiniteTime {
            seconds: f64::INFINITY
        })
    );
    assert!(matches!(
        Time::from_secs_f64(1e14),
        Err(CommandError::TimeOutOfRange { .. })
    ));
    assert!(matches!(
        Time::try_from(Duration::MAX),
        Err(CommandError::TimeOutOfRange { .. })
    ));
}

// --- argv -------------------------------------------------------------

#[test]
fn minimal() {
    assert_eq!(
        argv(&simple(OutputFile::path("/out.mkv"))),
        ["-i", "/in.mp4", "/out.mkv"]
    );
}

#[test]
fn globals_in_order() {
    let cmd = Command::new()
        .hide_banner()
        .loglevel(LogLevel::Error)
        .overwrite(false)
        .stats(false)
        .global("filter_threads", "1")
        .global_flag("-nostdin")
        .raw(["-cpuflags", "0"])
        .input(InputFile::path("/a.wav"))
        .output(OutputFile::path("/b.flac"));
    assert_eq!(
        argv(&cmd),
        [
            "-hide_banner",
            "-loglevel",
            "error",
            "-n",
            "-nostats",
            "-filter_threads",
            "1",
            "-nostdin",
            "-cpuflags",
            "0",
            "-i",
            "/a.wav",
            "/b.flac"
        ]
    );
    let cmd = cmd.overwrite(true).stats(true).loglevel(LogLevel::Trace);
    let a = argv(&cmd);
    assert_eq!(
        &a[..5],
        ["-hide_banner", "-loglevel", "trace", "-y", "-stats"]
    );
}

#[test]
fn loglevel_names() {
    let all = [
        (LogLevel::Quiet, "quiet"),
        (LogLevel::Panic, "panic"),
        (LogLevel::Fatal, "fatal"),
        (LogLevel::Error, "error"),
        (LogLevel::Warning, "warning"),
        (LogLevel::Info, "info"),
        (LogLevel::Verbose, "verbose"),
        (LogLevel::Debug, "debug"),
        (LogLevel::Trace, "trace"),
    ];
    for (level, name) in all {
        assert_eq!(level.as_str(), name);
    }
}

#[test]
fn transcode_h264_aac() {
    let cmd = Command::new()
        .overwrite(true)
        .input(InputFile::lavfi("testsrc=duration=2:size=320x240:rate=25"))
        .input(InputFile::lavfi("sine=duration=2"))
        .output(
            OutputFile::path("/t.mp4")
                .video_codec("libx264")
                .preset("ultrafast")
                .crf(23)
                .audio_codec("aac")
                .audio_bitrate(128_000)
                .format_option("movflags", "+faststart")
                .option("x264-params", "asm=0"),
        );
    assert_eq!(
        argv(&cmd),
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=2",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            "-preset",
            "ultrafast",
            "-crf",
            "23",
            "-b:a",
            "128000",
            "-movflags",
            "+faststart",
            "-x264-params",
            "asm=0",
            "/t.mp4"
        ]
    );
}

#[test]
fn input_seek_modes_and_trims() {
    let fast = InputFile::path("/in.mp4")
        .seek(t(5.0), SeekMode::Fast)
        .duration(t(2.0));
    let accurate = InputFile::path("/in.mp4")
        .seek(t(5.0), SeekMode::Accurate)
        .end(t(7.5));
    let cmd = Command::new()
        .input(fast)
        .input(accurate)
        .output(OutputFile::path("/o.mp4").map("0:v").map("1:a"));
    assert_eq!(
        argv(&cmd),
        [
            "-ss",
            "5.000000",
            "-noaccurate_seek",
            "-t",
            "2.000000",
            "-i",
            "/in.mp4",
            "-ss",
            "5.000000",
            "-accurate_seek",
            "-to",
            "7.500000",
            "-i",
            "/in.mp4",
            "-map",
            "0:v",
            "-map",
            "1:a",
            "/o.mp4"
        ]
    );
}

#[test]
fn input_options_format_and_flags() {
    let cmd = Command::new()
        .input(
            InputFile::path("/in.ts")
                .format("mpegts")
                .option("itsoffset", "0.5")
                .flag("re"),
        )
        .output(OutputFile::path("/o.mkv"));
    assert_eq!(
        argv(&cmd),
        [
            "-f",
            "mpegts",
            "-itsoffset",
            "0.5",
            "-re",
            "-i",
            "/in.ts",
            "/o.mkv"
        ]
    );
    assert_eq!(cmd.inputs()[0].source(), "/in.ts");
    assert_eq!(cmd.inputs()[0].seek_point(), None);
    assert_eq!(cmd.outputs()[0].target(), "/o.mkv");
}

#[test]
fn raw_video_and_audio_inputs() {
    let cmd = Command::new()
        .input(InputFile::raw_video(
            "/f.rgb",
            "rgb24",
            64,
            48,
            FrameRate::new(30000, 1001),
        ))
        .input(InputFile::raw_audio("/s.pcm", "s16le", 48000, 2))
        .output(OutputFile::path("/o.mp4").video_codec("libx264"));
    assert_eq!(
        argv(&cmd),
        [
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            "64x48",
            "-r",
            "30000/1001",
            "-i",
            "/f.rgb",
            "-f",
            "s16le",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-i",
            "/s.pcm",
            "-c:v",
            "libx264",
            "/o.mp4"
        ]
    );
    let cmd = Command::new()
        .input(InputFile::raw_video("/f.rgb", "rgb24", 2, 2, 25))
        .output(OutputFile::path("/o.png"));
    assert_eq!(argv(&cmd)[7], "25");
}

#[test]
fn concat_list_and_input() {
    let (input, list) = InputFile::concat_list(
        "/list.txt",
        ["/a.mp4", "/dir with space/b.mp4", "/it's.mp4"],
    )
    .unwrap();
    assert_eq!(
        list,
        "ffconcat version 1.0\n\
         file '/a.mp4'\n\
         file '/dir with space/b.mp4'\n\
         file '/it'\\''s.mp4'\n"
    );
    let cmd = Command::new()
        .input(input)
        .output(OutputFile::path("/all.mp4").copy());
    assert_eq!(
        argv(&cmd),
        [
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            "/list.txt",
            "-c",
            "copy",
            "/all.mp4"
        ]
    );
}

#[test]
fn concat_entries_with_points() {
    let list = ConcatList::new(["/a.mp4"])
        .push(ConcatEntry::new("/b.mp4").inpoint(t(1.0)).outpoint(t(2.5)))
        .push(String::from("/c.mp4"))
        .render()
        .unwrap();
    assert_eq!(
        list,
        "ffconcat version 1.0\nfile '/a.mp4'\nfile '/b.mp4'\ninpoint 1.000000\n\
         outpoint 2.500000\nfile '/c.mp4'\n"
    );
}

#[test]
fn concat_list_refusals() {
    let reason = |list: ConcatList| match list.render() {
        Err(CommandError::InvalidArgument { reason, .. }) => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(reason(ConcatList::default()), "has no file");
    assert_eq!(reason(ConcatList::new([""])), "must not be empty");
    assert_eq!(reason(ConcatList::new(["/a\0b"])), "contains a NUL byte");
    assert!(reason(ConcatList::new(["/a\nb"])).contains("line break"));
    assert!(reason(ConcatList::new(["/a\rb"])).contains("line break"));
    assert_eq!(
        reason(ConcatList::new([ConcatEntry::new("/a")
            .inpoint(t(2.0))
            .outpoint(t(2.0))])),
        "must be after the inpoint"
    );
    assert!(InputFile::concat_list("/l.txt", Vec::<String>::new()).is_err());
}

#[test]
fn full_output_option_order() {
    let out = OutputFile::path("/o.mkv")
        .seek(t(1.0))
        .end(t(3.0))
        .map("0:v:0")
        .map("0:a?")
        .no_subtitles()
        .no_data()
        .video_codec("libx264")
        .audio_codec("flac")
        .preset("medium")
        .video_bitrate(1_000_000)
        .size(320, 240)
        .frame_rate(25)
        .sample_rate(44100)
        .channels(2)
        .frames(50)
        .video_filter("hflip")
        .audio_filter("volume=0.5")
        .bsf(StreamType::Audio, "null")
        .bsf(StreamType::Video, "h264_metadata=level=4.1")
        .bsf(StreamType::Video, "null")
        .map_metadata(0)
        .map_chapters(0)
        .metadata("title", "A = B")
        .metadata("comment", "")
        .stream_metadata("a:0", "language", "fra")
        .disposition("a:0", "default")
        .format("matroska")
        .format_option("-cluster_size_limit", "1000000")
        .flag("shortest");
    let a = argv(&simple(out));
    assert_eq!(
        a[2..],
        [
            "-ss",
            "1.000000",
            "-to",
            "3.000000",
            "-map",
            "0:v:0",
            "-map",
            "0:a?",
            "-sn",
            "-dn",
            "-c:v",
            "libx264",
            "-c:a",
            "flac",
            "-preset",
            "medium",
            "-b:v",
            "1000000",
            "-s",
            "320x240",
            "-r",
            "25",
            "-ar",
            "44100",
            "-ac",
            "2",
            "-frames:v",
            "50",
            "-vf",
            "hflip",
            "-af",
            "volume=0.5",
            "-bsf:v",
            "h264_metadata=level=4.1,null",
            "-bsf:a",
            "null",
            "-map_metadata",
            "0",
            "-map_chapters",
            "0",
            "-metadata",
            "title=A = B",
            "-metadata",
            "comment=",
            "-metadata:s:a:0",
            "language=fra",
            "-disposition:a:0",
            "default",
            "-f",
            "matroska",
            "-cluster_size_limit",
            "1000000",
            "-shortest",
            "/o.mkv"
        ]
    );
}

#[test]
fn extract_audio_and_strip() {
    let out = OutputFile::path("/a.mp3")
        .no_video()
        .audio_codec("libmp3lame")
        .audio_bitrate(192_000)
        .strip_metadata()
        .strip_chapters();
    assert_eq!(
        argv(&simple(out))[2..],
        [
            "-vn",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "192000",
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "/a.mp3"
        ]
    );
}

#[test]
fn copy_with_codec_override_and_bsf() {
    let out = OutputFile::path("/o.ts")
        .copy()
        .audio_codec("aac")
        .bsf(StreamType::Video, "h264_mp4toannexb")
        .format("mpegts");
    assert_eq!(
        argv(&simple(out))[2..],
        [
            "-c",
            "copy",
            "-c:a",
            "aac",
            "-bsf:v",
            "h264_mp4toannexb",
            "-f",
            "mpegts",
            "/o.ts"
        ]
    );
}

#[test]
fn hls_packaging() {
    let out = OutputFile::path("/hls/index.m3u8")
        .video_codec("libx264")
        .audio_codec("aac")
        .format("hls")
        .format_option("hls_time", "2")
        .format_option("hls_list_size", "0")
        .format_option("hls_segment_filename", "/hls/seg_%03d.ts");
    assert_eq!(
        argv(&simple(out))[2..],
        [
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            "-f",
            "hls",
            "-hls_time",
            "2",
            "-hls_list_size",
            "0",
            "-hls_segment_filename",
            "/hls/seg_%03d.ts",
            "/hls/index.m3u8"
        ]
    );
}

#[test]
fn thumbnails_frames() {
    let out = OutputFile::path("/thumb_%03d.png")
        .video_filter("fps=1,scale=160:-1")
        .frames(3)
        .video_codec("png");
    assert_eq!(
        argv(&simple(out))[2..],
        [
            "-c:v",
            "png",
            "-frames:v",
            "3",
            "-vf",
            "fps=1,scale=160:-1",
            "/thumb_%03d.png"
        ]
    );
}

#[test]
fn filter_complex_two_outputs() {
    let cmd = Command::new()
        .input(InputFile::path("/a.mp4"))
        .input(InputFile::path("/b.png"))
        .filter_complex("[0:v][1:v]overlay=10:10,split[v1][v2]")
        .output(
            OutputFile::path("/big.mp4")
                .map_graph("v1", StreamType::Video)
                .map("0:a")
                .audio_filter("volume=2")
                .video_codec("libx264"),
        )
        .output(
            OutputFile::path("/small.mp4")
                .map_graph("[v2]", StreamType::Video)
                .size(160, 120),
        );
    assert_eq!(
        argv(&cmd),
        [
            "-i",
            "/a.mp4",
            "-i",
            "/b.png",
            "-filter_complex",
            "[0:v][1:v]overlay=10:10,split[v1][v2]",
            "-map",
            "[v1]",
            "-map",
            "0:a",
            "-c:v",
            "libx264",
            "-af",
            "volume=2",
            "/big.mp4",
            "-map",
            "[v2]",
            "-s",
            "160x120",
            "/small.mp4"
        ]
    );
}

#[test]
fn graph_without_inputs_and_subtitles() {
    let cmd = Command::new()
        .filter_complex("testsrc=d=1[out]")
        .output(OutputFile::path("/o.mp4").map("[out]"));
    assert_eq!(
        argv(&cmd),
        [
            "-filter_complex",
            "testsrc=d=1[out]",
            "-map",
            "[out]",
            "/o.mp4"
        ]
    );
    let cmd = Command::new()
        .input(InputFile::path("/s.srt"))
        .output(OutputFile::path("/s.vtt").subtitle_codec("webvtt"));
    assert_eq!(argv(&cmd), ["-i", "/s.srt", "-c:s", "webvtt", "/s.vtt"]);
}

#[test]
fn metadata_and_chapters_from_ffmetadata() {
    let cmd = Command::new()
        .input(InputFile::path("/in.mp4"))
        .input(InputFile::path("/meta.txt").format("ffmetadata"))
        .output(
            OutputFile::path("/out.mkv")
                .map("0")
                .map_metadata(1)
                .map_chapters(1)
                .copy(),
        );
    assert_eq!(
        argv(&cmd),
        [
            "-i",
            "/in.mp4",
            "-f",
            "ffmetadata",
            "-i",
            "/meta.txt",
            "-map",
            "0",
            "-c",
            "copy",
            "-map_metadata",
            "1",
            "-map_chapters",
            "1",
            "/out.mkv"
        ]
    );
}

#[test]
fn accepted_edge_cases() {
    // Fast seek with stream copy is the keyframe clip.
    let fast = Command::new()
        .input(InputFile::path("/in.mp4").seek(t(3.0), SeekMode::Fast))
        .output(OutputFile::path("/o.mp4").copy());
    assert!(fast.validate().is_ok());
    // Accurate seek is fine when the copied output does not read it.
    let other = Command::new()
        .input(InputFile::path("/a.mp4"))
        .input(InputFile::path("/b.mp4").seek(t(3.0), SeekMode::Accurate))
        .output(OutputFile::path("/o.mp4").map("0").map("-1:v").copy());
    assert!(other.validate().is_ok());
    // Subtitle copy after an accurate seek; audio disabled, so not copied.
    let subs = Command::new()
        .input(InputFile::path("/in.mkv").seek(t(3.0), SeekMode::Accurate))
        .output(
            OutputFile::path("/o.mkv")
                .video_codec("libx264")
                .no_audio()
                .subtitle_codec("copy"),
        );
    assert!(subs.validate().is_ok());
    // -vf is fine when the graph output mapped here is audio.
    let audio_graph = Command::new()
        .input(InputFile::path("/a.mp4"))
        .filter_complex("[0:a]volume=2[a]")
        .output(
            OutputFile::path("/o.mp4")
                .map("0:v")
                .map_graph("a", StreamType::Audio)
                .video_filter("hflip"),
        );
    assert!(audio_graph.validate().is_ok());
    // Output seek and end: -to must be after -ss, which it is.
    let out_trim = simple(OutputFile::path("/o.mp4").seek(t(1.0)).end(t(1.5)));
    assert!(out_trim.validate().is_ok());
    // Frames and frame rate are allowed with stream copy.
    let copy_frames = simple(OutputFile::path("/o.mp4").copy().frames(10).frame_rate(25));
    assert!(copy_frames.validate().is_ok());
}

// --- refusals ---------------------------------------------------------

#[test]
fn no_inputs_no_outputs() {
    assert_eq!(err(&Command::new()), CommandError::NoInputs);
    assert_eq!(
        err(&Command::new().output(OutputFile::path("/o.mp4"))),
        CommandError::NoInputs
    );
    assert_eq!(
        err(&Command::new().input(InputFile::path("/i.mp4"))),
        CommandError::NoOutputs
    );
}

#[test]
fn duration_and_end() {
    let cmd = Command::new()
        .input(InputFile::path("/i.mp4").duration(t(1.0)).end(t(2.0)))
        .output(OutputFile::path("/o.mp4"));
    assert_eq!(
        err(&cmd),
        CommandError::DurationAndEnd {
            target: FileIndex::Input(0)
        }
    );
    let cmd = simple(OutputFile::path("/o.mp4").duration(t(1.0)).end(t(2.0)));
    assert_eq!(
        err(&cmd),
        CommandError::DurationAndEnd {
            target: FileIndex::Output(0)
        }
    );
    assert_eq!(
        err(&cmd).to_string(),
        "output #0 has both a duration (-t) and an end time (-to); set only one"
    );
}

#[test]
fn end_not_after_seek() {
    let cmd = Command::new()
        .input(InputFile::path("/i.mp4"))
        .input(
            InputFile::path("/j.mp4")
                .seek(t(5.0), SeekMode::Accurate)
                .end(t(4.0)),
        )
        .output(OutputFile::path("/o.mp4"));
    assert_eq!(
        err(&cmd),
        CommandError::EndNotAfterSeek {
            target: FileIndex::Input(1),
            seek: t(5.0),
            end: t(4.0)
        }
    );
    let cmd = simple(OutputFile::path("/o.mp4").seek(t(2.0)).end(t(2.0)));
    assert!(matches!(
        err(&cmd),
        CommandError::EndNotAfterSeek {
            target: FileIndex::Output(0),
            ..
        }
    ));
    let cmd = simple(OutputFile::path("/o.mp4").end(Time::ZERO));
    assert!(matches!(err(&cmd), CommandError::EndNotAfterSeek { .. }));
}

#[test]
fn stream_copy_with_accurate_seek() {
    let accurate = || InputFile::path("/i.mp4").seek(t(3.0), SeekMode::Accurate);
    let cmd = Command::new()
        .input(accurate())
        .output(OutputFile::path("/o.mp4").copy());
    assert_eq!(
        err(&cmd),
        CommandError::StreamCopyWithAccurateSeek {
            output: 0,
            input: 0,
            kind: StreamType::Video
        }
    );
    // Video re-encoded, audio copied.
    let cmd = Command::new()
        .input(InputFile::path("/x.mp4"))
        .input(accurate())
        .output(
            OutputFile::path("/o.mp4")
                .video_codec("libx264")
                .audio_codec("copy"),
        );
    assert_eq!(
        err(&cmd),
        CommandError::StreamCopyWithAccurateSeek {
            output: 0,
            input: 1,
            kind: StreamType::Audio
        }
    );
    // Through an explicit map.
    let cmd = Command::new()
        .input(InputFile::path("/x.mp4"))
        .input(accurate())
        .output(OutputFile::path("/o.mp4").map("1:v?").video_codec("copy"));
    assert!(matches!(
        err(&cmd),
        CommandError::StreamCopyWithAccurateSeek { input: 1, .. }
    ));
}

#[test]
fn output_without_streams() {
    let reason = |cmd: &Command| match err(cmd) {
        CommandError::OutputWithoutStreams { output: 0, reason } => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        reason(&simple(
            OutputFile::path("/o.mp4")
                .no_video()
                .no_audio()
                .no_subtitles()
        )),
        "-vn, -an and -sn are all set"
    );
    assert_eq!(
        reason(&simple(
            OutputFile::path("/o.mp4").maps(Vec::<String>::new())
        )),
        "its -map list is empty"
    );
    assert_eq!(
        reason(&simple(OutputFile::path("/o.mp4").map("-0:v").map("-0:a"))),
        "every -map is negative"
    );
}

#[test]
fn crf_rules() {
    assert_eq!(
        err(&simple(OutputFile::path("/o.mp4").crf(52))),
        CommandError::CrfOutOfRange { output: 0, crf: 52 }
    );
    assert!(simple(OutputFile::path("/o.mp4").crf(51))
        .validate()
        .is_ok());
    assert!(simple(OutputFile::path("/o.mp4").crf(0)).validate().is_ok());
    assert_eq!(
        err(&simple(
            OutputFile::path("/o.mp4").crf(20).video_bitrate(1000)
        )),
        CommandError::CrfWithVideoBitrate { output: 0 }
    );
}

#[test]
fn options_for_disabled_streams() {
    let cases: [(OutputFile, StreamType, &str); 6] = [
        (
            OutputFile::path("/o").no_video().video_codec("libx264"),
            StreamType::Video,
            "-c:v",
        ),
        (
            OutputFile::path("/o").no_video().video_filter("hflip"),
            StreamType::Video,
            "-vf",
        ),
        (
            OutputFile::path("/o").no_video().frames(1),
            StreamType::Video,
            "-frames:v",
        ),
        (
            OutputFile::path("/o").no_audio().sample_rate(8000),
            StreamType::Audio,
            "-ar",
        ),
        (
            OutputFile::path("/o")
                .no_audio()
                .bsf(StreamType::Audio, "null"),
            StreamType::Audio,
            "-bsf:a",
        ),
        (
            OutputFile::path("/o").no_subtitles().subtitle_codec("srt"),
            StreamType::Subtitle,
            "-c:s",
        ),
    ];
    for (out, kind, option) in cases {
        assert_eq!(
            err(&simple(out)),
            CommandError::StreamDisabled {
                output: 0,
                kind,
                option
            }
        );
    }
}

#[test]
fn encoding_options_with_stream_copy() {
    let cases: [(OutputFile, StreamType, &str); 5] = [
        (
            OutputFile::path("/o").copy().crf(20),
            StreamType::Video,
            "-crf",
        ),
        (
            OutputFile::path("/o").video_codec("copy").size(2, 2),
            StreamType::Video,
            "-s",
        ),
        (
            OutputFile::path("/o").copy().video_filter("hflip"),
            StreamType::Video,
            "-vf",
        ),
        (
            OutputFile::path("/o")
                .video_codec("libx264")
                .copy()
                .audio_filter("volume=2"),
            StreamType::Audio,
            "-af",
        ),
        (
            OutputFile::path("/o").audio_codec("copy").channels(1),
            StreamType::Audio,
            "-ac",
        ),
    ];
    for (out, kind, option) in cases {
        assert_eq!(
            err(&simple(out)),
            CommandError::EncodingWithStreamCopy {
                output: 0,
                kind,
                option
            }
        );
    }
    // Re-encoding the video lifts it for video options.
    assert!(
        simple(OutputFile::path("/o").copy().video_codec("libx264").crf(20))
            .validate()
            .is_ok()
    );
}

#[test]
fn conflicting_filters() {
    let graph = |out: OutputFile| {
        Command::new()
            .input(InputFile::path("/a.mp4"))
            .input(InputFile::path("/b.mp4"))
            .filter_complex("[0:v][1:v]overlay[v]")
            .output(out)
    };
    // Declared video graph output + -vf.
    assert_eq!(
        err(&graph(
            OutputFile::path("/o.mp4")
                .map_graph("v", StreamType::Video)
                .video_filter("hflip")
        )),
        CommandError::ConflictingFilters {
            output: 0,
            option: "-vf",
            kind: StreamType::Video
        }
    );
    // Undeclared kind: conflicts with either.
    assert_eq!(
        err(&graph(
            OutputFile::path("/o.mp4")
                .map("[v]")
                .map("0:a")
                .audio_filter("volume=2")
        )),
        CommandError::ConflictingFilters {
            output: 0,
            option: "-af",
            kind: StreamType::Audio
        }
    );
    // First output without maps receives unlabelled graph outputs.
    let cmd = Command::new()
        .input(InputFile::path("/a.mp4"))
        .filter_complex("[0:v]hflip")
        .output(OutputFile::path("/o.mp4").video_filter("vflip"));
    assert!(matches!(
        err(&cmd),
        CommandError::ConflictingFilters { output: 0, .. }
    ));
    // …but a second output without maps does not.
    let cmd = Command::new()
        .input(InputFile::path("/a.mp4"))
        .filter_complex("[0:v]hflip[h]")
        .output(OutputFile::path("/h.mp4").map("[h]"))
        .output(OutputFile::path("/o.mp4").video_filter("vflip"));
    assert!(cmd.validate().is_ok());
}

#[test]
fn label_without_graph_and_index_ranges() {
    assert_eq!(
        err(&simple(OutputFile::path("/o.mp4").map("[v]"))),
        CommandError::LabelWithoutFilterGraph {
            output: 0,
            label: "v".into()
        }
    );
    assert_eq!(
        err(&simple(OutputFile::path("/o.mp4").map("1:a"))),
        CommandError::InputIndexOutOfRange {
            output: 0,
            option: "-map",
            index: 1,
            inputs: 1
        }
    );
    assert_eq!(
        err(&simple(OutputFile::path("/o.mp4").map_metadata(2))),
        CommandError::InputIndexOutOfRange {
            output: 0,
            option: "-map_metadata",
            index: 2,
            inputs: 1
        }
    );
    assert!(matches!(
        err(&simple(OutputFile::path("/o.mp4").map_chapters(5))),
        CommandError::InputIndexOutOfRange {
            option: "-map_chapters",
            ..
        }
    ));
    // The second output is checked too.
    let cmd = simple(OutputFile::path("/a.mp4")).output(OutputFile::path("/b.mp4").map("-3"));
    assert!(matches!(
        err(&cmd),
        CommandError::InputIndexOutOfRange {
            output: 1,
            index: 3,
            ..
        }
    ));
}

#[test]
fn invalid_arguments() {
    let check = |cmd: Command, option: &str, reason: &str| match err(&cmd) {
        CommandError::InvalidArgument {
            option: o,
            reason: r,
            ..
        } => {
            assert_eq!((o.as_str(), r), (option, reason), "{cmd:?}");
        }
        other => panic!("{other:?}"),
    };
    let empty = "must not be empty";
    let nul = "contains a NUL byte";
    check(simple(OutputFile::path("")), "output", empty);
    check(
        Command::new()
            .input(InputFile::path(""))
            .output(OutputFile::path("/o")),
        "-i",
        empty,
    );
    check(
        Command::new()
            .input(InputFile::path("/a\0b"))
            .output(OutputFile::path("/o")),
        "-i",
        nul,
    );
    check(simple(OutputFile::path("/o\0")), "output", nul);
    check(
        simple(OutputFile::path("/o").video_codec("")),
        "-c:v",
        empty,
    );
    check(simple(OutputFile::path("/o").format("")), "-f", empty);
    check(simple(OutputFile::path("/o").preset("")), "-preset", empty);
    check(
        simple(OutputFile::path("/o").video_filter("")),
        "-vf",
        empty,
    );
    check(
        simple(OutputFile::path("/o").metadata("", "x")),
        "-metadata",
        empty,
    );
    check(
        simple(OutputFile::path("/o").metadata("a=b", "x")),
        "-metadata",
        "a metadata key must not contain '='",
    );
    check(
        simple(OutputFile::path("/o").metadata("k", "v\0")),
        "-metadata",
        nul,
    );
    check(
        simple(OutputFile::path("/o").stream_metadata("a 0", "k", "v")),
        "-metadata:s:a 0",
        "a stream specifier must not contain whitespace",
    );
    check(
        simple(OutputFile::path("/o").disposition("s:0", "")),
        "-disposition:s:0",
        empty,
    );
    check(
        simple(OutputFile::path("/o").bsf(StreamType::Video, "")),
        "-bsf:v",
        empty,
    );
    check(
        simple(OutputFile::path("/o").size(0, 10)),
        "-s",
        "width and height must be non-zero",
    );
    check(
        simple(OutputFile::path("/o").frame_rate(FrameRate::new(25, 0))),
        "-r",
        "frame rate numerator and denominator must be non-zero",
    );
    check(
        simple(OutputFile::path("/o").sample_rate(0)),
        "-ar",
        "must be non-zero",
    );
    check(
        simple(OutputFile::path("/o").video_bitrate(0)),
        "-b:v",
        "must be non-zero",
    );
    check(
        Command::new()
            .input(InputFile::raw_audio("/s.pcm", "s16le", 48000, 0))
            .output(OutputFile::path("/o")),
        "-ac",
        "must be non-zero",
    );
    check(
        simple(OutputFile::path("/o").option("", "x")),
        "option name",
        empty,
    );
    check(
        simple(OutputFile::path("/o").option("bad name", "x")),
        "option name",
        "must not contain whitespace or '='",
    );
    check(
        simple(OutputFile::path("/o").option("-k", "a\0")),
        "-k",
        nul,
    );
    check(
        simple(OutputFile::path("/o")).global("x=y", "1"),
        "option name",
        "must not contain whitespace or '='",
    );
    check(
        simple(OutputFile::path("/o")).raw(["\0"]),
        "raw argument",
        nul,
    );
    check(
        Command::new()
            .filter_complex("")
            .output(OutputFile::path("/o")),
        "-filter_complex",
        empty,
    );
    check(simple(OutputFile::path("/o").map("")), "-map", empty);
    check(
        simple(OutputFile::path("/o").map("v:0")),
        "-map",
        "must start with an input index (0, 1:a, -0:s…) or be a [label]",
    );
    check(
        simple(OutputFile::path("/o").map("0 :v")),
        "-map",
        "must not contain whitespace",
    );
    check(
        simple(OutputFile::path("/o").map("[]")),
        "-map",
        "a graph label is written [name]",
    );
    // NUL values are shown escaped in the error.
    let e = err(&simple(OutputFile::path("/o\0")));
    assert!(e.to_string().contains(r#""/o\0""#), "{e}");
}
