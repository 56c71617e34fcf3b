//! The **full** guest profile: the external libraries it adds (libvpx,
//! libwebp, libvorbis, libdav1d, FreeType + FriBidi + HarfBuzz + libass)
//! are really linked and really work.
//!
//! Run with `make test-full`, which builds (or takes from the cache) the
//! full-profile module and runs
//! `cargo test --features full-profile-tests --test full_profile` with
//! `AFMPEG_MODULE_FULL` set. The file only compiles under that feature
//! (`required-features` in Cargo.toml), so `cargo test --workspace` does
//! not run it; without the module these tests fail, they never skip.
//!
//! Fixtures are generated at test time: lavfi inside the guest, an `.srt`
//! written here, the DejaVu Sans font from Debian's `fonts-dejavu-core`
//! (installed by `scripts/setup-debian.sh`) and an AV1 clip encoded by
//! Debian's native ffmpeg (libaom).

mod support;

use afmpeg::{Filesystem, Runtime};
use std::path::Path;
use std::process::Command;
use support::guest::*;

/// The font the drawtext and subtitles tests draw with.
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Frame height of the drawing tests ([`gray_frames`]).
const H: usize = GRAY_H;

/// `fs` with DejaVuSans.ttf at `/fonts/DejaVuSans.ttf`.
fn fs_with_font() -> Filesystem {
    let bytes = std::fs::read(FONT).unwrap_or_else(|e| {
        panic!("{FONT}: {e}; install Debian's fonts-dejavu-core (scripts/setup-debian.sh)")
    });
    let fs = Filesystem::new();
    fs.create_dir_all("/fonts").unwrap();
    fs.write("/fonts/DejaVuSans.ttf", bytes).unwrap();
    fs
}

/// Runs ffmpeg on the lavfi source `source` with the output arguments
/// `args` (ending in the output path); fails the test unless it succeeds.
fn encode_lavfi(rt: &Runtime, fs: &Filesystem, source: &str, args: &[&str]) {
    let mut argv = vec!["-hide_banner", "-f", "lavfi", "-i", source];
    argv.extend_from_slice(args);
    ffmpeg_ok(rt, fs, &argv);
}

fn stdout_of(rt: &Runtime, fs: &Filesystem, args: &[&str]) -> String {
    ffmpeg_ok(rt, fs, args).stdout_text()
}

// ---------------------------------------------------------------- build

#[test]
fn version_buildconf_and_component_lists_name_the_full_libraries() {
    let rt = full_runtime();
    let fs = Filesystem::new();
    let version = stdout_of(&rt, &fs, &["-version"]);
    assert!(version.starts_with("ffmpeg version 5.1."), "{version}");
    let buildconf = stdout_of(&rt, &fs, &["-hide_banner", "-buildconf"]);
    for flag in [
        "--enable-libvpx",
        "--enable-libwebp",
        "--enable-libvorbis",
        "--enable-libdav1d",
        "--enable-libfreetype",
        "--enable-libfribidi",
        "--enable-libass",
        "--enable-libx264",
    ] {
        assert!(version.contains(flag), "-version lacks {flag}:\n{version}");
        assert!(
            buildconf.contains(flag),
            "-buildconf lacks {flag}:\n{buildconf}"
        );
    }
    // The component lists, as FFmpeg prints them (" V....D libvpx-vp9 ...").
    let listed = |list: &str, name: &str| {
        list.lines()
            .any(|l| l.split_whitespace().nth(1) == Some(name))
    };
    let encoders = stdout_of(&rt, &fs, &["-hide_banner", "-encoders"]);
    for e in ["libvpx", "libvpx-vp9", "libwebp", "libvorbis", "libx264"] {
        assert!(listed(&encoders, e), "encoder {e} missing:\n{encoders}");
    }
    let decoders = stdout_of(&rt, &fs, &["-hide_banner", "-decoders"]);
    assert!(listed(&decoders, "libdav1d"), "decoder libdav1d missing");
    let filters = stdout_of(&rt, &fs, &["-hide_banner", "-filters"]);
    for f in ["drawtext", "subtitles", "ass"] {
        assert!(listed(&filters, f), "filter {f} missing");
    }
}

// ---------------------------------------------------------------- encoders

#[test]
fn libvpx_vp9_encode_probes_as_vp9_with_every_frame() {
    let rt = full_runtime();
    let fs = Filesystem::new();
    encode_lavfi(
        &rt,
        &fs,
        "testsrc=duration=0.4:size=160x120:rate=25",
        &[
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "200k",
            "/out.webm",
        ],
    );
    let info = probe(&rt, &fs, "/out.webm");
    assert!(
        info.format.format_name.contains("webm"),
        "{}",
        info.format.format_name
    );
    assert_eq!(info.streams.len(), 1);
    let v = info.video_streams().next().expect("a video stream");
    assert_eq!(v.codec_name.as_deref(), Some("vp9"));
    assert_eq!((v.width, v.height), (Some(160), Some(120)));
    assert_eq!(count_video_frames(&rt, &fs, "/out.webm"), 10);
}

#[test]
fn libwebp_still_is_a_webp_file_of_the_right_size() {
    let rt = full_runtime();
    let fs = Filesystem::new();
    encode_lavfi(
        &rt,
        &fs,
        "testsrc=size=320x240:rate=1",
        &["-frames:v", "1", "-c:v", "libwebp", "/still.webp"],
    );
    let bytes = fs.read("/still.webp").unwrap();
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let info = probe(&rt, &fs, "/still.webp");
    let v = info.video_streams().next().expect("a video stream");
    assert_eq!(v.codec_name.as_deref(), Some("webp"));
    assert_eq!((v.width, v.height), (Some(320), Some(240)));
}

#[test]
fn libvorbis_encode_probes_as_one_second_of_vorbis() {
    let rt = full_runtime();
    let fs = Filesystem::new();
    encode_lavfi(
        &rt,
        &fs,
        "sine=frequency=440:sample_rate=44100:duration=1",
        &["-c:a", "libvorbis", "-q:a", "3", "/out.ogg"],
    );
    let info = probe(&rt, &fs, "/out.ogg");
    assert_eq!(info.format.format_name, "ogg");
    let a = info.audio_streams().next().expect("an audio stream");
    assert_eq!(a.codec_name.as_deref(), Some("vorbis"));
    assert_eq!(a.sample_rate, Some(44100));
    assert_eq!(a.channels, Some(1));
    let d = info.duration().expect("duration");
    assert!((0.99..=1.03).contains(&d), "duration {d}");
}

// ---------------------------------------------------------------- text

#[test]
fn drawtext_with_a_dejavu_font_draws_only_where_the_text_is() {
    let rt = full_runtime();
    let fs = fs_with_font();
    assert_text_drawn_only_in_rows_0_to_60(
        &rt,
        &fs,
        "drawtext=fontfile=/fonts/DejaVuSans.ttf:text=afmpeg:fontsize=32:fontcolor=white:x=8:y=8",
    );
}

#[test]
fn subtitles_burn_in_changes_frames_only_while_the_subtitle_shows() {
    let rt = full_runtime();
    let fs = fs_with_font();
    fs.write(
        "/sub.srt",
        "1\n00:00:00,000 --> 00:00:00,500\nafmpeg subtitle\n\n",
    )
    .unwrap();
    // libass has no fontconfig here: fonts come from fontsdir, selected by
    // family name.
    let filter =
        "subtitles=filename=/sub.srt:fontsdir=/fonts:force_style='FontName=DejaVu Sans,FontSize=24'";
    let plain = gray_frames(&rt, &fs, None, 10);
    let burnt = gray_frames(&rt, &fs, Some(filter), 10);
    // 10 fps: frames 0..=3 are inside 0.0-0.5 s, frames 6..=9 after it
    // (frames 4 and 5 sit on the boundary and are not asserted).
    for i in 0..=3 {
        let bottom = differing_pixels(&plain[i], &burnt[i], H / 2..H);
        assert!(bottom > 300, "frame {i}: only {bottom} pixels of subtitle");
        assert_eq!(
            differing_pixels(&plain[i], &burnt[i], 0..H / 2),
            0,
            "frame {i}: the subtitle reached the top half"
        );
    }
    for i in 6..=9 {
        assert_eq!(
            plain[i], burnt[i],
            "frame {i} changed after the subtitle ended"
        );
    }
}

// ---------------------------------------------------------------- AV1

/// Debian's native ffmpeg (5.1, with libaom and libdav1d), or a failure
/// saying how to get it.
fn native_ffmpeg(dir: &Path, args: &[&str]) {
    let out = Command::new("/usr/bin/ffmpeg")
        .current_dir(dir)
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("native ffmpeg (/usr/bin/ffmpeg) not runnable: {e}; install ffmpeg (scripts/setup-debian.sh)")
        });
    assert!(
        out.status.success(),
        "native ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A 10-frame 128x96 AV1 clip (IVF) encoded natively with libaom, and the
/// native libdav1d decode of it as raw yuv420p (made once per test binary).
fn av1_fixture() -> &'static (Vec<u8>, Vec<u8>) {
    static FIXTURE: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(make_av1_fixture)
}

fn make_av1_fixture() -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    native_ffmpeg(
        dir.path(),
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=0.4:size=128x96:rate=25",
            "-c:v",
            "libaom-av1",
            "-usage",
            "realtime",
            "-cpu-used",
            "8",
            "-threads",
            "1",
            "-pix_fmt",
            "yuv420p",
            "in.ivf",
        ],
    );
    native_ffmpeg(
        dir.path(),
        &[
            "-c:v", "libdav1d", "-i", "in.ivf", "-f", "rawvideo", "-pix_fmt", "yuv420p", "ref.yuv",
        ],
    );
    (
        std::fs::read(dir.path().join("in.ivf")).unwrap(),
        std::fs::read(dir.path().join("ref.yuv")).unwrap(),
    )
}

#[test]
fn libdav1d_decodes_av1_bit_exactly_single_threaded() {
    let rt = full_runtime();
    let fs = Filesystem::new();
    let (ivf, reference) = av1_fixture();
    assert_eq!(reference.len(), 128 * 96 * 3 / 2 * 10, "native decode size");
    fs.write("/in.ivf", ivf.clone()).unwrap();
    let info = probe(&rt, &fs, "/in.ivf");
    assert_eq!(
        info.video_streams()
            .next()
            .and_then(|v| v.codec_name.clone())
            .as_deref(),
        Some("av1")
    );
    ffmpeg_ok(
        &rt,
        &fs,
        &[
            "-hide_banner",
            "-c:v",
            "libdav1d",
            "-i",
            "/in.ivf",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "/out.yuv",
        ],
    );
    // AV1 decoding is exact: the guest's frames are the native ones.
    let out = fs.read("/out.yuv").unwrap();
    assert_eq!(out.len(), reference.len(), "decoded size");
    assert!(
        out == *reference,
        "guest libdav1d output differs from native libdav1d"
    );
}

#[test]
fn libdav1d_with_more_than_one_thread_fails_to_open_instead_of_hanging() {
    let rt = full_runtime();
    let fs = Filesystem::new();
    let (ivf, _) = av1_fixture();
    fs.write("/in.ivf", ivf.clone()).unwrap();
    // Two threads: dav1d's pthread_create fails (guest/compat/dav1d/pthread.h)
    // and dav1d_open reports an error.
    let out = rt.run(
        &fs,
        &[
            "-hide_banner",
            "-threads",
            "2",
            "-c:v",
            "libdav1d",
            "-i",
            "/in.ivf",
            "-f",
            "null",
            "-",
        ],
    );
    let out = exited(out, afmpeg::Tool::Ffmpeg, 1);
    assert!(
        contains_ci(&out.stderr, "Error while opening decoder"),
        "{}",
        out.stderr_text()
    );
}
