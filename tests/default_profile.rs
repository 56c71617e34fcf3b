//! The **default** guest profile (guest/profiles/default.sh): FFmpeg's own
//! components beyond lean's, its libraries (libwebp, libvorbis, FreeType +
//! FriBidi, HarfBuzz + libass) and its default font are really there and really work.
//!
//! Run with `make test-default`, which builds (or takes from the cache) the
//! default-profile module and runs
//! `cargo test --features default-profile-tests --test default_profile` with
//! `AFMPEG_MODULE_DEFAULT` set. The file only compiles under that feature
//! (`required-features` in Cargo.toml), so `cargo test --workspace` does
//! not run it; without the module these tests fail, they never skip.
//!
//! The font comes from the module's companion data (`data/fonts/` in its
//! cache entry), put where the module's drawtext looks for it when no
//! `fontfile=` is given: [`DEFAULT_FONT`].

mod support;

use afmpeg::{Filesystem, Runtime};
use support::guest::*;

fn stdout_of(rt: &Runtime, fs: &Filesystem, args: &[&str]) -> String {
    ffmpeg_ok(rt, fs, args).stdout_text()
}

/// Whether FFmpeg's component list `list` (" V....D name description")
/// names `name`.
fn listed(list: &str, name: &str) -> bool {
    list.lines()
        .any(|l| l.split_whitespace().nth(1) == Some(name))
}

/// `info` has exactly one stream, a `codec` video of `w`x`h`.
fn assert_one_video_stream(info: &afmpeg::MediaInfo, codec: &str, w: u32, h: u32) {
    assert_eq!(info.streams.len(), 1, "{:?}", info.streams);
    let v = &info.streams[0];
    assert_eq!(v.codec_name.as_deref(), Some(codec));
    assert_eq!((v.width, v.height), (Some(w), Some(h)));
}

// ---------------------------------------------------------------- build

#[test]
fn buildconf_and_component_lists_have_the_everyday_components() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    let buildconf = stdout_of(&rt, &fs, &["-hide_banner", "-buildconf"]);
    for flag in [
        "--enable-libx264",
        "--enable-libwebp",
        "--enable-libvorbis",
        "--enable-libfreetype",
        "--enable-libfribidi",
        "--enable-libass",
    ] {
        assert!(
            buildconf.contains(flag),
            "-buildconf lacks {flag}:\n{buildconf}"
        );
    }
    // not in this profile (full has them)
    for flag in ["--enable-libvpx", "--enable-libdav1d"] {
        assert!(!buildconf.contains(flag), "-buildconf has {flag}");
    }
    let filters = stdout_of(&rt, &fs, &["-hide_banner", "-filters"]);
    for f in [
        "drawtext",
        "subtitles",
        "ass",
        "palettegen",
        "paletteuse",
        "zoompan",
        "showwaves",
        "eq",
        "unsharp",
        "boxblur",
        "reverse",
        "apad",
        "adelay",
        "acrossfade",
        "afftdn",
        "ametadata",
        "drawgrid",
        "chromakey",
        "minterpolate",
        "xfade",
        "sidechaincompress",
    ] {
        assert!(listed(&filters, f), "filter {f} missing");
    }
    let formats = stdout_of(&rt, &fs, &["-hide_banner", "-formats"]);
    // " DE avi  AVI (Audio Video Interleaved)": D = demuxer, E = muxer
    let has = |flags: &str, name: &str| {
        formats.lines().any(|l| {
            let mut w = l.split_whitespace();
            w.next()
                .is_some_and(|f| flags.chars().all(|c| f.contains(c)))
                && w.next().is_some_and(|n| n.split(',').any(|n| n == name))
        })
    };
    for (flags, name) in [
        ("DE", "avi"),
        ("DE", "flv"),
        ("DE", "gif"),
        ("E", "dash"),
        ("E", "webp"),
        ("D", "webp_pipe"),
    ] {
        assert!(
            has(flags, name),
            "format {name} ({flags}) missing:\n{formats}"
        );
    }
    let encoders = stdout_of(&rt, &fs, &["-hide_banner", "-encoders"]);
    for e in [
        "libx264",
        "libwebp",
        "libvorbis",
        "gif",
        "aac",
        "libmp3lame",
        "libopus",
    ] {
        assert!(listed(&encoders, e), "encoder {e} missing");
    }
}

// ---------------------------------------------------------------- text

#[test]
fn drawtext_without_fontfile_renders_with_the_shipped_font() {
    let rt = default_runtime();
    let fs = fs_with_default_font();
    assert_text_drawn_only_in_rows_0_to_60(
        &rt,
        &fs,
        "drawtext=text='Hello':fontsize=32:fontcolor=white:x=8:y=8",
    );
}

#[test]
fn drawtext_without_the_font_mounted_fails_naming_the_path() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    let out = rt
        .run(
            &fs,
            &words("-hide_banner -f lavfi -i color=black:size=64x48:rate=10 -vf drawtext=text=x -frames:v 1 -f null -"),
        )
;
    let out = exited(out, afmpeg::Tool::Ffmpeg, 1);
    assert!(
        contains_ci(&out.stderr, DEFAULT_FONT),
        "the error does not name {DEFAULT_FONT}:\n{}",
        out.stderr_text()
    );
}

/// A runtime over the module file with its companion data
/// (`RuntimeBuilder::with_companion_data`, what `from_default_location` and
/// the CLI do) draws text from an empty filesystem: the font is mounted
/// read-only beside the job's own files, which it never enters.
#[test]
fn the_companion_font_beside_the_module_file_is_mounted_for_every_job() {
    let module = profile_module("default", "AFMPEG_MODULE_DEFAULT", "test-default");
    let rt = Runtime::builder(afmpeg::ModuleSource::File(module))
        .with_companion_data()
        .expect("the companion data reads")
        .build()
        .expect("the module loads");
    let fs = Filesystem::new();
    assert_text_drawn_only_in_rows_0_to_60(
        &rt,
        &fs,
        "drawtext=text='Hello':fontsize=32:fontcolor=white:x=8:y=8",
    );
    assert!(
        !fs.exists("/usr"),
        "the font was copied into the job's filesystem"
    );
    // a WAV: its muxer opens the file at the start, so FFmpeg prints the
    // errno (image2 opens each file late and prints only "I/O error")
    let out = rt
        .run(
            &fs,
            &words("-hide_banner -f lavfi -i anullsrc -t 0.1 /usr/share/fonts/afmpeg/x.wav"),
        )
        .or_else(afmpeg::Error::into_exit_output)
        .expect("the job runs");
    assert!(!out.success(), "wrote into the read-only font mount");
    assert!(
        contains_ci(&out.stderr, "Read-only file system"),
        "{}",
        out.stderr_text()
    );
}

// ---------------------------------------------------------------- formats

#[test]
fn gif_with_palettegen_and_paletteuse() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    ffmpeg_ok(
        &rt,
        &fs,
        &words(
            "-hide_banner -f lavfi -i testsrc=duration=1:size=96x64:rate=10 -filter_complex \
             [0:v]split[a][b];[a]palettegen=max_colors=64[p];[b][p]paletteuse /out.gif",
        ),
    );
    let info = probe(&rt, &fs, "/out.gif");
    assert!(
        info.format.format_names().any(|n| n == "gif"),
        "{}",
        info.format.format_name
    );
    assert_one_video_stream(&info, "gif", 96, 64);
    assert_eq!(count_video_frames(&rt, &fs, "/out.gif"), 10);
}

#[test]
fn webp_thumbnail_with_libwebp() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=1:size=320x240:rate=10 -vf scale=160:-1 -frames:v 1 -c:v libwebp /thumb.webp"),
    );
    let bytes = fs.read("/thumb.webp").unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let info = probe(&rt, &fs, "/thumb.webp");
    assert_one_video_stream(&info, "webp", 160, 120);
}

#[test]
fn dash_package_has_a_manifest_and_playable_segments() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    fs.create_dir_all("/dash").unwrap();
    ffmpeg_ok(
        &rt,
        &fs,
        &words(
            "-hide_banner -f lavfi -i testsrc=duration=4:size=160x120:rate=10 \
             -f lavfi -i sine=frequency=440:duration=4 \
             -c:v libx264 -preset ultrafast -g 10 -c:a aac -b:a 64k \
             -seg_duration 1 -use_timeline 0 -use_template 1 -f dash /dash/out.mpd",
        ),
    );
    let mpd = String::from_utf8(fs.read("/dash/out.mpd").unwrap()).expect("UTF-8 manifest");
    assert!(mpd.starts_with("<?xml"), "{mpd}");
    assert!(mpd.contains("<MPD "), "{mpd}");
    assert!(
        mpd.contains("mediaPresentationDuration=\"PT4.0S\""),
        "{mpd}"
    );
    assert_eq!(mpd.matches("<AdaptationSet ").count(), 2, "{mpd}");
    assert!(
        mpd.contains("initialization=\"init-stream$RepresentationID$.m4s\""),
        "{mpd}"
    );
    assert!(
        mpd.contains("media=\"chunk-stream$RepresentationID$-$Number%05d$.m4s\""),
        "{mpd}"
    );
    // The video representation (stream 0): init segment + its media
    // segments, concatenated, are one fragmented MP4 holding every frame.
    let mut names: Vec<String> = fs
        .read_dir("/dash")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n.starts_with("chunk-stream0-"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "video segments: {names:?}");
    let mut video = fs.read("/dash/init-stream0.m4s").unwrap();
    for n in &names {
        video.extend(fs.read(&format!("/dash/{n}")).unwrap());
    }
    fs.write("/video.mp4", video).unwrap();
    let info = probe(&rt, &fs, "/video.mp4");
    assert_eq!(info.streams.len(), 1);
    assert_eq!(info.streams[0].codec_name.as_deref(), Some("h264"));
    assert_eq!(count_video_frames(&rt, &fs, "/video.mp4"), 40);
}

#[test]
fn avi_and_flv_round_trip() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    for (path, vcodec, acodec) in [
        ("/out.avi", "mpeg4", "libmp3lame"),
        ("/out.flv", "flv1", "aac"),
    ] {
        let line = format!(
            "-hide_banner -f lavfi -i testsrc=duration=2:size=160x120:rate=10 \
             -f lavfi -i sine=frequency=440:duration=2 -c:v {vcodec} -c:a {acodec} {path}"
        );
        ffmpeg_ok(&rt, &fs, &words(&line));
        let info = probe(&rt, &fs, path);
        let ext = &path[5..];
        assert!(
            info.format.format_names().any(|n| n == ext),
            "{path}: {}",
            info.format.format_name
        );
        assert_eq!(info.streams.len(), 2, "{path}");
        // (FLV lists audio first: find the streams by kind)
        let video: Vec<_> = info.video_streams().collect();
        let audio: Vec<_> = info.audio_streams().collect();
        assert_eq!((video.len(), audio.len()), (1, 1), "{path}");
        assert_eq!(video[0].codec_name.as_deref(), Some(vcodec), "{path}");
        let want_audio = if acodec == "libmp3lame" {
            "mp3"
        } else {
            acodec
        };
        assert_eq!(audio[0].codec_name.as_deref(), Some(want_audio), "{path}");
        let d = info.duration().expect("duration");
        assert!((1.9..=2.2).contains(&d), "{path}: duration {d}");
        assert_eq!(count_video_frames(&rt, &fs, path), 20, "{path}");
        // and demuxed again into another container, stream copy
        let copy = format!("/copy-{ext}.mkv");
        ffmpeg_ok(&rt, &fs, &["-hide_banner", "-i", path, "-c", "copy", &copy]);
        assert_eq!(count_video_frames(&rt, &fs, &copy), 20, "{copy}");
    }
}
