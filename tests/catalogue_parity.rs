//! Byte parity with native FFmpeg for the deterministic jobs of the
//! catalogue, on the **default** guest profile: the GIF with its own
//! palette, WebP stills, a DASH package (stream copy and x264), and the
//! audiogram. Each runs the same argv (the task helper's own command where
//! the job has a helper) natively, by Debian's `ffmpeg` 5.1 with the same
//! x264 and libwebp package versions the module is built from, and in
//! afmpeg, and asserts that every output file is byte-identical.
//!
//! The options that make the comparison fair (`-cpuflags 0`, one thread,
//! x264's `asm=0`, `-fflags +bitexact`) are explained in `tests/parity.rs`.
//! libwebp is not affected by `-cpuflags`: natively it picks its SSE2/SSE4.1
//! kernels itself, while the guest's build is plain C; whether both give the
//! same bytes is what `webp_stills_from_frames_are_identical` checks. AAC is
//! left out here: its encoder goes through the
//! C library's floating-point maths (glibc natively, musl in the guest), so
//! it is compared within a tolerance by `tests/parity.rs` instead; the
//! audiogram carries PCM audio.
//!
//! Run with `make test-default` (the default module and `/usr/bin/ffmpeg`,
//! which `scripts/setup-debian.sh` installs); the file only compiles under
//! the `default-profile-tests` feature. Without either the tests fail,
//! never skip.

mod support;

use afmpeg::command::Time;
use afmpeg::tasks::{Dash, FrameSelection, Frames, Gif, ImageFormat};
use afmpeg::Filesystem;
use support::guest::*;
use support::parity::{Both, X264_PLAIN};

/// `args` with `extra` inserted before the last argument (the output path):
/// options of that output.
fn with_output_options(mut args: Vec<String>, extra: &[&str]) -> Vec<String> {
    let last = args.pop().expect("a command with an output");
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(last);
    args
}

fn run(b: &Both, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    b.run(&args);
}

/// A 3 s 160x120 10 fps H.264 clip (one keyframe a second) made once by
/// afmpeg, with a 1 kHz AAC track unless `video_only`: the shared input.
fn clip(video_only: bool) -> Vec<u8> {
    let fs = Filesystem::new();
    let mut line =
        String::from("-hide_banner -f lavfi -i testsrc2=duration=3:size=160x120:rate=10 ");
    if !video_only {
        line += "-f lavfi -i sine=frequency=1000:duration=3 -c:a aac -b:a 64k ";
    }
    line += "-c:v libx264 -preset ultrafast -g 10 -pix_fmt yuv420p /clip.mp4";
    ffmpeg_ok(&default_runtime(), &fs, &words(&line));
    fs.read("/clip.mp4").unwrap()
}

/// Every file natively written into `dir` (relative to the native side's
/// directory) is there on afmpeg's side too, byte-identical, and no other;
/// returns the names.
fn assert_dir_identical(b: &Both, dir: &str) -> Vec<String> {
    let mut native: Vec<String> = std::fs::read_dir(b.dir.path().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    native.sort();
    let mut guest: Vec<String> =
        b.fs.read_dir(&format!("/{dir}"))
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
    guest.sort();
    assert_eq!(guest, native, "the files written into {dir}/");
    for name in &native {
        b.assert_identical(&format!("{dir}/{name}"));
    }
    native
}

/// Creates directory `dir` on both sides.
fn mkdir(b: &Both, dir: &str) {
    std::fs::create_dir_all(b.dir.path().join(dir)).unwrap();
    b.fs.create_dir_all(&format!("/{dir}")).unwrap();
}

#[test]
fn gif_with_palettegen_and_paletteuse_is_identical() {
    let b = Both::new(default_runtime());
    b.input("clip.mp4", &clip(true));
    let args = Gif::new("clip.mp4", "out.gif")
        .start(Time::from_millis(500))
        .duration(Time::from_secs(1))
        .width(96)
        .max_colors(32)
        .command()
        .unwrap()
        .args()
        .unwrap();
    run(&b, &args);
    let gif = b.assert_identical("out.gif");
    assert_eq!(&gif[..6], b"GIF89a");
    let rt = default_runtime();
    let info = probe(&rt, &b.fs, "/out.gif");
    let v = &info.streams[0];
    assert_eq!(v.codec_name.as_deref(), Some("gif"));
    assert_eq!((v.width, v.height), (Some(96), Some(72)));
    assert_eq!(count_video_frames(&rt, &b.fs, "/out.gif"), 10);
}

#[test]
fn webp_stills_from_frames_are_identical() {
    let b = Both::new(default_runtime());
    b.input("clip.mp4", &clip(true));
    mkdir(&b, "thumbs");
    let commands = Frames::new("clip.mp4", "thumbs")
        .select(FrameSelection::At(vec![
            Time::from_millis(500),
            Time::from_millis(2200),
        ]))
        .format(ImageFormat::WebP { quality: 60 })
        .scale_width(80)
        .commands()
        .unwrap();
    assert_eq!(commands.len(), 1);
    run(&b, &commands[0].args().unwrap());
    let names = assert_dir_identical(&b, "thumbs");
    assert_eq!(names, ["frame_0001.webp", "frame_0002.webp"]);
    let rt = default_runtime();
    for n in &names {
        let info = probe(&rt, &b.fs, &format!("/thumbs/{n}"));
        assert_eq!(info.streams[0].codec_name.as_deref(), Some("webp"));
        assert_eq!(
            (info.streams[0].width, info.streams[0].height),
            (Some(80), Some(60))
        );
    }
    assert_ne!(
        b.guest("thumbs/frame_0001.webp"),
        b.guest("thumbs/frame_0002.webp"),
        "two different times, one picture"
    );
}

#[test]
fn dash_package_by_stream_copy_is_identical() {
    let b = Both::new(default_runtime());
    b.input("clip.mp4", &clip(false));
    mkdir(&b, "dash");
    let args = Dash::new("clip.mp4", "dash/show.mpd")
        .segment_duration(Time::from_secs(1))
        .copy()
        .command()
        .unwrap()
        .args()
        .unwrap();
    // bitexact: the segments' "Lavf…" encoder tags.
    run(&b, &with_output_options(args, &["-fflags", "+bitexact"]));
    let names = assert_dir_identical(&b, "dash");
    assert!(names.iter().any(|n| n == "show.mpd"), "{names:?}");
    assert!(names.iter().any(|n| n == "show-init-0.m4s"), "{names:?}");
    assert!(names.iter().any(|n| n == "show-1-00003.m4s"), "{names:?}");
}

#[test]
fn dash_package_encoded_with_x264_is_identical() {
    let b = Both::new(default_runtime());
    // Video only: the helper's AAC would differ (see the module docs).
    b.input("clip.mp4", &clip(true));
    mkdir(&b, "dash");
    let args = Dash::new("clip.mp4", "dash/enc.mpd")
        .segment_duration(Time::from_secs(1))
        .preset("ultrafast")
        .command()
        .unwrap()
        .args()
        .unwrap();
    let mut extra: Vec<&str> = X264_PLAIN[2..].to_vec(); // -c:v libx264 is the helper's
    extra.extend(["-fflags", "+bitexact", "-flags:v", "+bitexact"]);
    run(&b, &with_output_options(args, &extra));
    let names = assert_dir_identical(&b, "dash");
    // one representation, 3 s in 1 s segments
    assert_eq!(
        names,
        [
            "enc-0-00001.m4s",
            "enc-0-00002.m4s",
            "enc-0-00003.m4s",
            "enc-init-0.m4s",
            "enc.mpd"
        ]
    );
    let rt = default_runtime();
    let mut whole = b.guest("dash/enc-init-0.m4s");
    for n in names.iter().filter(|n| n.starts_with("enc-0-")) {
        whole.extend(b.guest(&format!("dash/{n}")));
    }
    b.fs.write("/whole.mp4", whole).unwrap();
    assert_eq!(count_video_frames(&rt, &b.fs, "/whole.mp4"), 30);
}

#[test]
fn audiogram_is_identical() {
    let b = Both::new(default_runtime());
    let rt = default_runtime();
    let fs = Filesystem::new();
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i color=c=gray:size=160x120 -frames:v 1 /cover.png"),
    );
    ffmpeg_ok(
        &rt,
        &fs,
        &words(
            "-hide_banner -f lavfi -i sine=frequency=220:duration=2,volume=4 -ar 48000 /talk.wav",
        ),
    );
    b.input("cover.png", &fs.read("/cover.png").unwrap());
    b.input("talk.wav", &fs.read("/talk.wav").unwrap());
    let mut args = words(
        "-loop 1 -framerate 10 -i cover.png -i talk.wav -filter_complex \
         [1:a]showwaves=size=160x40:mode=cline:rate=10:colors=white[waves];\
         [0:v][waves]overlay=0:H-h:shortest=1,format=yuv420p[v] \
         -map [v] -map 1:a",
    );
    args.extend_from_slice(X264_PLAIN);
    args.extend(words(
        "-preset ultrafast -c:a pcm_s16le -shortest -fflags +bitexact -flags:v +bitexact out.mkv",
    ));
    b.run(&args);
    b.assert_identical("out.mkv");
    let info = probe(&rt, &b.fs, "/out.mkv");
    assert_eq!(info.streams.len(), 2);
    let n = count_video_frames(&rt, &b.fs, "/out.mkv");
    assert!((19..=21).contains(&n), "{n} frames");
}
