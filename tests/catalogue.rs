//! The catalogue of everyday jobs on the **default** guest profile, each
//! output probed and checked: duration, streams, frame count, and a pixel
//! or loudness property where one says the job did what it is for. The
//! jobs with a task helper ([`Slideshow`], [`Gif`], [`Dash`]) run through
//! it.
//!
//! Run with `make test-default` (it sets `AFMPEG_MODULE_DEFAULT`); the file
//! only compiles under the `default-profile-tests` feature. Without the
//! module the tests fail, they never skip. Inputs are tiny lavfi sources
//! (1–4 s, at most 320x240): the interpreter is slow.

mod support;

use afmpeg::command::Time;
use afmpeg::tasks::{
    Dash, FrameSelection, Frames, Gif, ImageFormat, Loudness, LoudnessMethod, Measure, Slide,
    Slideshow, Task, VolumeStats,
};
use afmpeg::{Filesystem, RunOptions, Runtime};
use support::guest::*;

// ---------------------------------------------------------------- helpers

/// Runs the ffmpeg command line `line` (arguments split at white space;
/// none of this file's has one inside) and asserts that it exited 0.
fn ffmpeg_line(rt: &Runtime, fs: &Filesystem, line: &str) -> afmpeg::RunOutput {
    ffmpeg_ok(rt, fs, &words(line))
}

/// Every frame of the first video stream of `path` as 8-bit gray, `w`x`h`.
fn gray(rt: &Runtime, fs: &Filesystem, path: &str, w: usize, h: usize) -> Vec<Vec<u8>> {
    let raw = format!("{path}.gray");
    ffmpeg_line(
        rt,
        fs,
        &format!("-hide_banner -y -i {path} -map 0:v:0 -pix_fmt gray -f rawvideo {raw}"),
    );
    let bytes = fs.read(&raw).unwrap();
    fs.remove_file(&raw).unwrap();
    assert_eq!(bytes.len() % (w * h), 0, "{path}: not whole {w}x{h} frames");
    bytes.chunks(w * h).map(<[u8]>::to_vec).collect()
}

/// The pixel at (`x`, `y`) of a gray frame `w` wide.
fn px(frame: &[u8], w: usize, x: usize, y: usize) -> u8 {
    frame[y * w + x]
}

/// The brightest pixel of rows `rows` of a gray frame `w` wide.
fn brightest(frame: &[u8], w: usize, rows: std::ops::Range<usize>) -> u8 {
    frame[rows.start * w..rows.end * w]
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
}

/// `volumedetect`'s mean volume (dBFS) of `path`'s audio from `start` for
/// `secs` seconds, after `filter` (a band of interest).
fn mean_volume(
    rt: &Runtime,
    fs: &Filesystem,
    path: &str,
    start: f64,
    secs: f64,
    filter: &str,
) -> f64 {
    let (ss, t) = (start.to_string(), secs.to_string());
    let af = format!("{filter},volumedetect");
    let out = ffmpeg_line(
        rt,
        fs,
        &format!("-hide_banner -ss {ss} -t {t} -i {path} -map 0:a:0 -af {af} -f null -"),
    );
    VolumeStats::parse(&out.stderr_text())
        .unwrap_or_else(|| panic!("no volumedetect summary:\n{}", out.stderr_text()))
        .mean_volume
}

/// Three 2nd-order low-pass (or high-pass) stages: a steep band edge.
fn band(kind: &str, hz: u32) -> String {
    vec![format!("{kind}=f={hz}"); 3].join(",")
}

fn assert_near(got: f64, want: f64, tolerance: f64, what: &str) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: {got} is not within {tolerance} of {want}"
    );
}

/// Writes a one-frame PNG of the lavfi video source `source` at `path`.
fn still(rt: &Runtime, fs: &Filesystem, source: &str, path: &str) {
    ffmpeg_line(
        rt,
        fs,
        &format!("-hide_banner -f lavfi -i {source} -frames:v 1 {path}"),
    );
}

/// Writes the lavfi audio graph `source` as 48 kHz WAV at `path`.
fn wav(rt: &Runtime, fs: &Filesystem, source: &str, path: &str) {
    ffmpeg_line(
        rt,
        fs,
        &format!("-hide_banner -f lavfi -i {source} -ar 48000 {path}"),
    );
}

/// Duration of the stream of kind `kind` in `path`.
fn stream_duration(info: &afmpeg::MediaInfo, kind: afmpeg::media_info::StreamKind) -> f64 {
    info.streams
        .iter()
        .find(|s| s.kind == kind)
        .and_then(|s| s.duration)
        .unwrap_or_else(|| panic!("no {kind:?} stream duration: {:?}", info.streams))
}

/// The video encoder of every job here: fast, the picture is not judged.
const H264: &str = "-c:v libx264 -preset ultrafast";

// gray levels (full range) of the lavfi colours red, lime and blue,
// through yuv420p
const RED: u8 = 76;
const GREEN: u8 = 150;
const BLUE: u8 = 29;

// ---------------------------------------------------------------- the reel

#[test]
fn reel_of_three_images_with_captions_xfade_music_and_ducked_voice() {
    let rt = default_runtime();
    let fs = fs_with_default_font();
    // square images into a vertical frame: letterboxed, 56 px bars
    for (colour, path) in [("red", "/a.png"), ("lime", "/b.png"), ("blue", "/c.png")] {
        still(&rt, &fs, &format!("color=c={colour}:size=144x144"), path);
    }
    soundtrack(&rt, &fs);
    let reel = Slideshow::new(
        [
            Slide::new("/a.png").caption("Day one"),
            Slide::new("/b.png"),
            Slide::new("/c.png").caption("It's 3:00, [done]; 100%"),
        ],
        "/reel.mp4",
    )
    .size(144, 256)
    .fps(10)
    .slide_duration(Time::from_millis(1500))
    .transition("fade", Time::from_millis(500))
    .font_size(20)
    .music("/music.wav")
    .voice("/voice.wav")
    .preset("ultrafast")
    .run(&rt, &fs)
    .expect("the reel renders");
    assert_eq!(reel.path, "/reel.mp4");

    let info = probe(&rt, &fs, "/reel.mp4");
    assert_eq!(info.streams.len(), 2, "{:?}", info.streams);
    let v = info.video_streams().next().unwrap();
    assert_eq!(v.codec_name.as_deref(), Some("h264"));
    assert_eq!((v.width, v.height), (Some(144), Some(256)));
    let a = info.audio_streams().next().unwrap();
    assert_eq!(a.codec_name.as_deref(), Some("aac"));
    // 3 × 1.5 s − 2 × 0.5 s of transitions
    assert_near(info.duration().unwrap(), 3.5, 0.1, "reel duration");
    assert_eq!(count_video_frames(&rt, &fs, "/reel.mp4"), 35);

    // slides, transitions: the image at the centre
    let frames = gray(&rt, &fs, "/reel.mp4", 144, 256);
    assert_eq!(frames.len(), 35);
    for (frame, want, what) in [
        (2, RED, "slide 1"),
        (17, GREEN, "slide 2"),
        (32, BLUE, "slide 3"),
    ] {
        assert_near(
            px(&frames[frame], 144, 72, 128) as f64,
            want as f64,
            8.0,
            what,
        );
    }
    // mid-fade (t = 1.2 s, 40 % into the first transition): neither image
    let fading = px(&frames[12], 144, 72, 128);
    assert!(
        fading > RED + 15 && fading < GREEN - 15,
        "mid-fade pixel {fading}"
    );
    // captions: white text in the bottom bar of slides 1 and 3 only
    let bar = 200..250;
    assert!(
        brightest(&frames[2], 144, bar.clone()) >= 200,
        "no caption on slide 1"
    );
    assert!(
        brightest(&frames[17], 144, bar.clone()) < 40,
        "a caption on slide 2"
    );
    assert!(
        brightest(&frames[32], 144, bar) >= 200,
        "no caption on slide 3"
    );
    assert!(
        brightest(&frames[2], 144, 0..56) < 40,
        "the top bar is not black"
    );

    // ducking: the music is turned down while the voice speaks
    let (alone, under_voice) = music_levels(&rt, &fs, "/reel.mp4");
    assert!(
        under_voice <= alone - 6.0,
        "music {alone} dB alone, {under_voice} dB under the voice"
    );
}

/// `/music.wav`, a 200 Hz tone, and `/voice.wav`, a 3 kHz tone from 1.5 s
/// to 2.5 s (silence around it), both 4 s.
fn soundtrack(rt: &Runtime, fs: &Filesystem) {
    wav(rt, fs, "sine=frequency=200:duration=4", "/music.wav");
    wav(
        rt,
        fs,
        "sine=frequency=3000:duration=4,volume=volume=0:enable='not(between(t,1.5,2.5))'",
        "/voice.wav",
    );
}

/// The music's level (dB, below 400 Hz) in `path` before the voice and
/// while it speaks; asserts that the voice (above 2 kHz) is there only
/// while it speaks.
fn music_levels(rt: &Runtime, fs: &Filesystem, path: &str) -> (f64, f64) {
    let high = band("highpass", 2000);
    let voice_off = mean_volume(rt, fs, path, 0.3, 0.6, &high);
    let voice_on = mean_volume(rt, fs, path, 1.8, 0.5, &high);
    assert!(
        voice_on >= voice_off + 20.0,
        "voice {voice_on} dB speaking, {voice_off} dB silent"
    );
    let low = band("lowpass", 400);
    (
        mean_volume(rt, fs, path, 0.3, 0.6, &low),
        mean_volume(rt, fs, path, 1.8, 0.5, &low),
    )
}

#[test]
fn slideshow_without_ducking_keeps_the_music_level_under_the_voice() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    still(&rt, &fs, "color=c=red:size=64x64", "/a.png");
    soundtrack(&rt, &fs);
    Slideshow::new(["/a.png"], "/plain.mp4")
        .size(64, 64)
        .fps(5)
        .music("/music.wav")
        .voice("/voice.wav")
        .duck(false)
        .preset("ultrafast")
        .run(&rt, &fs)
        .expect("the slideshow renders");
    let info = probe(&rt, &fs, "/plain.mp4");
    assert_eq!(info.streams.len(), 2);
    // one slide, no transition to overlap: the slide's 3 s
    assert_near(info.duration().unwrap(), 3.0, 0.1, "duration");
    assert_eq!(count_video_frames(&rt, &fs, "/plain.mp4"), 15);
    let (alone, under_voice) = music_levels(&rt, &fs, "/plain.mp4");
    assert_near(under_voice, alone, 1.0, "music level under the voice");
}

// ---------------------------------------------------------------- GIF

#[test]
fn gif_from_a_clip_with_its_own_palette() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    make_clip(&rt, &fs, "/clip.mp4", 2, "160x120", 10);
    Gif::new("/clip.mp4", "/clip.gif")
        .start(Time::from_millis(500))
        .duration(Time::from_secs(1))
        .width(96)
        .max_colors(32)
        .run(&rt, &fs)
        .expect("the GIF renders");
    let bytes = fs.read("/clip.gif").unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    // loop forever: the NETSCAPE2.0 application extension, count 0
    let at = bytes
        .windows(11)
        .position(|w| w == b"NETSCAPE2.0")
        .expect("no loop extension");
    assert_eq!(&bytes[at + 11..at + 15], &[3, 1, 0, 0]);
    let info = probe(&rt, &fs, "/clip.gif");
    assert_eq!(info.streams.len(), 1);
    let v = &info.streams[0];
    assert_eq!(v.codec_name.as_deref(), Some("gif"));
    assert_eq!((v.width, v.height), (Some(96), Some(72)));
    assert_eq!(count_video_frames(&rt, &fs, "/clip.gif"), 10);
    // every frame drawn from a palette of at most 32 colours
    ffmpeg_line(
        &rt,
        &fs,
        "-hide_banner -i /clip.gif -pix_fmt rgb24 -f rawvideo /clip.rgb",
    );
    let rgb = fs.read("/clip.rgb").unwrap();
    assert_eq!(rgb.len(), 96 * 72 * 3 * 10);
    let colours: std::collections::BTreeSet<&[u8]> = rgb.chunks(3).collect();
    assert!(
        (8..=32).contains(&colours.len()),
        "{} colours",
        colours.len()
    );
}

// ---------------------------------------------------------------- WebP

#[test]
fn webp_thumbnails_one_per_second() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    make_clip(&rt, &fs, "/clip.mp4", 3, "320x240", 10);
    fs.create_dir_all("/thumbs").unwrap();
    ffmpeg_line(&rt, &fs, "-hide_banner -i /clip.mp4 -vf fps=1,scale=80:-1 -c:v libwebp -quality 60 /thumbs/t%02d.webp");
    let mut names: Vec<String> = fs
        .read_dir("/thumbs")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    assert_eq!(names, ["t01.webp", "t02.webp", "t03.webp"]);
    let mut previous: Option<Vec<u8>> = None;
    for n in &names {
        let path = format!("/thumbs/{n}");
        let bytes = fs.read(&path).unwrap();
        assert_eq!(
            (&bytes[..4], &bytes[8..12]),
            (&b"RIFF"[..], &b"WEBP"[..]),
            "{path}"
        );
        let info = probe(&rt, &fs, &path);
        assert_eq!(info.streams.len(), 1, "{path}");
        assert_eq!(
            info.streams[0].codec_name.as_deref(),
            Some("webp"),
            "{path}"
        );
        assert_eq!(
            (info.streams[0].width, info.streams[0].height),
            (Some(80), Some(60))
        );
        // testsrc moves: each second's thumbnail is a different picture
        assert_ne!(
            previous.as_ref(),
            Some(&bytes),
            "{path} repeats the previous one"
        );
        previous = Some(bytes);
    }
}

/// One second each of red, lime and blue, 320x240 at 10 fps (H.264): the
/// colour a frame shows says its time.
fn colour_steps(rt: &Runtime, fs: &Filesystem, path: &str) {
    ffmpeg_line(
        rt,
        fs,
        &format!(
            "-hide_banner -f lavfi -i color=c=red:size=320x240:rate=10:duration=1 \
             -f lavfi -i color=c=lime:size=320x240:rate=10:duration=1 \
             -f lavfi -i color=c=blue:size=320x240:rate=10:duration=1 \
             -filter_complex [0:v][1:v][2:v]concat=n=3:v=1:a=0[v] -map [v] {H264} -pix_fmt yuv420p {path}"
        ),
    );
}

#[test]
fn frames_as_webp_at_timestamps_and_every_second_with_their_times() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    colour_steps(&rt, &fs, "/steps.mp4");
    let at = [2500, 500, 1500].map(Time::from_millis);
    let stills = Frames::new("/steps.mp4", "/thumbs")
        .select(FrameSelection::At(at.to_vec()))
        .format(ImageFormat::WebP { quality: 60 })
        .scale_width(80)
        .stills(&rt, &fs, &RunOptions::new())
        .expect("WebP stills");
    let paths: Vec<&str> = stills.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/thumbs/frame_0001.webp",
            "/thumbs/frame_0002.webp",
            "/thumbs/frame_0003.webp"
        ]
    );
    let times: Vec<Option<Time>> = stills.iter().map(|s| s.time).collect();
    assert_eq!(times, at.map(Some));
    // in the order asked: blue (2.5 s), red (0.5 s), lime (1.5 s)
    for (still, want) in stills.iter().zip([BLUE, RED, GREEN]) {
        let bytes = fs.read(&still.path).unwrap();
        assert_eq!((&bytes[..4], &bytes[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
        let info = probe(&rt, &fs, &still.path);
        assert_eq!(info.streams.len(), 1, "{}", still.path);
        assert_eq!(info.streams[0].codec_name.as_deref(), Some("webp"));
        assert_eq!(
            (info.streams[0].width, info.streams[0].height),
            (Some(80), Some(60))
        );
        let frame = &gray(&rt, &fs, &still.path, 80, 60)[0];
        assert_near(px(frame, 80, 40, 30) as f64, want as f64, 8.0, &still.path);
    }

    let every = Frames::new("/steps.mp4", "/every")
        .select(FrameSelection::Every(Time::from_secs(1)))
        .format(ImageFormat::WEBP)
        .stills(&rt, &fs, &RunOptions::new())
        .expect("WebP stills every second");
    let times: Vec<Option<Time>> = every.iter().map(|s| s.time).collect();
    assert_eq!(times, [0, 1, 2].map(|s| Some(Time::from_secs(s))));
    for (still, want) in every.iter().zip([RED, GREEN, BLUE]) {
        let info = probe(&rt, &fs, &still.path);
        assert_eq!(info.streams[0].codec_name.as_deref(), Some("webp"));
        assert_eq!(
            (info.streams[0].width, info.streams[0].height),
            (Some(320), Some(240))
        );
        let frame = &gray(&rt, &fs, &still.path, 320, 240)[0];
        assert_near(
            px(frame, 320, 160, 120) as f64,
            want as f64,
            8.0,
            &still.path,
        );
    }
}

// ---------------------------------------------------------------- measurements

#[test]
fn measure_astats_per_100_ms_segment_and_its_summary() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    // 0.5 s of a 1 kHz sine (peak 1/8: RMS -21.07 dBFS), then 0.5 s of
    // silence. `volume`'s timeline is evaluated per frame, so the source's
    // frames are the segments' 4,800 samples: the mute starts exactly at 0.5 s.
    wav(
        &rt,
        &fs,
        "sine=frequency=1000:sample_rate=48000:duration=1:samples_per_frame=4800,\
         volume=volume=0:enable='gte(t,0.5)'",
        "/steps.wav",
    );
    let key = "lavfi.astats.Overall.RMS_level";
    let m = Measure::audio(
        "/steps.wav",
        "asetnsamples=n=4800,astats=metadata=1:reset=1",
    )
    .key(key)
    .run(&rt, &fs)
    .expect("the measurement runs");
    assert_eq!(m.frames.len(), 10, "{:?}", m.frames);
    for (i, f) in m.frames.iter().enumerate() {
        assert_eq!(f.frame, i as u64);
        assert_eq!(f.pts, Some(4800 * i as i64));
        // only the key asked for
        assert_eq!(f.values.keys().collect::<Vec<_>>(), [key]);
    }
    let series = m.series(key);
    assert_eq!(series.len(), 10);
    for (i, (t, level)) in series.iter().enumerate() {
        assert_near(*t, i as f64 * 0.1, 1e-9, "segment time");
        if i < 5 {
            // 100 whole periods per segment: the sine's RMS exactly
            assert_near(*level, -21.07, 0.01, &format!("segment {i} RMS"));
        } else {
            assert_eq!(*level, f64::NEG_INFINITY, "segment {i} is silent");
        }
    }
    // the same run's end-of-run summary, typed
    let stats = m.audio_stats().expect("astats' summary");
    assert_eq!(stats.channels.len(), 1);
    assert_eq!(stats.channels[0].values["Bit depth"].split('/').count(), 2);
}

#[test]
fn measure_signalstats_per_frame_from_the_log_and_from_a_file() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    // 5 black frames, then 5 white ones, lossless
    ffmpeg_line(
        &rt,
        &fs,
        "-hide_banner -f lavfi -i color=c=black:size=64x48:rate=10:duration=0.5 \
         -f lavfi -i color=c=white:size=64x48:rate=10:duration=0.5 \
         -filter_complex [0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v] -map [v] \
         -c:v rawvideo /bw.mkv",
    );
    let m = Measure::video("/bw.mkv", "signalstats")
        .run(&rt, &fs)
        .expect("the measurement runs");
    let luma = m.series("lavfi.signalstats.YAVG");
    assert_eq!(luma.len(), 10, "{:?}", m.frames);
    for (i, (t, y)) in luma.iter().enumerate() {
        assert_near(*t, i as f64 * 0.1, 1e-9, "frame time");
        // limited-range luma of black and white
        assert_eq!(*y, if i < 5 { 16.0 } else { 235.0 }, "frame {i}");
    }
    // every value signalstats sets, not only the luma average
    assert!(m.frames[0].values.len() > 20, "{:?}", m.frames[0].values);
    assert_eq!(m.frames[9].get("lavfi.signalstats.YMAX"), Some(235.0));

    // the same lines written by the print filter into a file
    ffmpeg_line(
        &rt,
        &fs,
        "-hide_banner -i /bw.mkv -vf signalstats,metadata=mode=print:file=/stats.txt -f null -",
    );
    let text = String::from_utf8(fs.read("/stats.txt").unwrap()).unwrap();
    assert_eq!(afmpeg::tasks::FrameValues::parse_file(&text), m.frames);
}

// ---------------------------------------------------------------- DASH

#[test]
fn dash_package_manifest_parses_and_segments_play() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    make_clip(&rt, &fs, "/clip.mp4", 4, "160x120", 10);
    let dash = Dash::new("/clip.mp4", "/dash/show.mpd")
        .segment_duration(Time::from_secs(1))
        .preset("ultrafast")
        .run(&rt, &fs)
        .expect("the package is written");
    assert_eq!(dash.manifest, "/dash/show.mpd");
    let ids: Vec<&str> = dash.representations.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["0", "1"]);

    let text = String::from_utf8(fs.read("/dash/show.mpd").unwrap()).expect("UTF-8 manifest");
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    let mpd = doc.root_element();
    assert_eq!(mpd.tag_name().name(), "MPD");
    assert_eq!(mpd.attribute("type"), Some("static"));
    assert_eq!(mpd.attribute("mediaPresentationDuration"), Some("PT4.0S"));
    let sets: Vec<_> = mpd
        .descendants()
        .filter(|n| n.has_tag_name("AdaptationSet"))
        .collect();
    assert_eq!(sets.len(), 2, "{text}");
    let mut codecs = Vec::new();
    for set in &sets {
        let template = set
            .descendants()
            .find(|n| n.has_tag_name("SegmentTemplate"))
            .expect("a SegmentTemplate");
        assert_eq!(
            template.attribute("initialization"),
            Some("show-init-$RepresentationID$.m4s")
        );
        assert_eq!(
            template.attribute("media"),
            Some("show-$RepresentationID$-$Number%05d$.m4s")
        );
        for rep in set.children().filter(|n| n.has_tag_name("Representation")) {
            let id = rep.attribute("id").unwrap();
            assert!(
                ids.contains(&id),
                "representation {id} not found by the helper"
            );
            codecs.push(rep.attribute("codecs").unwrap().to_owned());
        }
    }
    assert!(codecs[0].starts_with("avc1."), "{codecs:?}");
    assert_eq!(codecs[1], "mp4a.40.2");

    // each representation: init + its segments are one fragmented MP4
    for (rep, want_kind) in dash.representations.iter().zip(["video", "audio"]) {
        assert!(rep.segments.len() >= 4, "{}: {:?}", rep.id, rep.segments);
        let mut whole = fs.read(&rep.init).unwrap();
        for s in &rep.segments {
            whole.extend(fs.read(s).unwrap());
        }
        let path = format!("/whole-{}.mp4", rep.id);
        fs.write(&path, whole).unwrap();
        let info = probe(&rt, &fs, &path);
        assert_eq!(info.streams.len(), 1, "{path}");
        assert_eq!(info.streams[0].kind.as_str(), want_kind, "{path}");
        assert_near(info.duration().unwrap(), 4.0, 0.1, &path);
    }
    assert_eq!(count_video_frames(&rt, &fs, "/whole-0.mp4"), 40);
}

// ---------------------------------------------------------------- audiogram

#[test]
fn audiogram_showwaves_over_a_still() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    still(&rt, &fs, "color=c=gray:size=160x120", "/cover.png");
    wav(
        &rt,
        &fs,
        "sine=frequency=220:duration=2,volume=4",
        "/talk.wav",
    );
    ffmpeg_line(
        &rt,
        &fs,
        "-hide_banner -loop 1 -framerate 10 -i /cover.png -i /talk.wav -filter_complex \
         [1:a]showwaves=size=160x40:mode=cline:rate=10:colors=white[waves];\
         [0:v][waves]overlay=0:H-h:shortest=1,format=yuv420p[v] \
         -map [v] -map 1:a -c:v libx264 -preset ultrafast -c:a aac -shortest /audiogram.mp4",
    );
    let info = probe(&rt, &fs, "/audiogram.mp4");
    assert_eq!(info.streams.len(), 2);
    assert_near(info.duration().unwrap(), 2.0, 0.15, "audiogram duration");
    let n = count_video_frames(&rt, &fs, "/audiogram.mp4");
    assert!((19..=21).contains(&n), "{n} frames");
    let frames = gray(&rt, &fs, "/audiogram.mp4", 160, 120);
    let cover = px(&frames[5], 160, 80, 20);
    // the cover above the waves, untouched; white waves in the bottom band
    assert!(
        brightest(&frames[5], 160, 0..76) <= cover + 4,
        "the cover changed"
    );
    assert!(brightest(&frames[5], 160, 80..120) >= 200, "no waves drawn");
}

// ---------------------------------------------------------------- Ken Burns

#[test]
fn ken_burns_zoompan_over_a_still() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    still(&rt, &fs, "testsrc=size=320x240", "/photo.png");
    let zoom = "zoompan=z='min(zoom+0.02,1.5)':d=20:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s=160x120:fps=10";
    ffmpeg_line(
        &rt,
        &fs,
        &format!("-hide_banner -i /photo.png -vf {zoom} {H264} /kenburns.mp4"),
    );
    let info = probe(&rt, &fs, "/kenburns.mp4");
    assert_eq!(info.streams.len(), 1);
    assert_eq!(
        (info.streams[0].width, info.streams[0].height),
        (Some(160), Some(120))
    );
    assert_near(info.duration().unwrap(), 2.0, 0.1, "Ken Burns duration");
    assert_eq!(count_video_frames(&rt, &fs, "/kenburns.mp4"), 20);
    // the picture grows: first and last frames differ in most pixels
    let frames = gray(&rt, &fs, "/kenburns.mp4", 160, 120);
    let changed = frames[0]
        .iter()
        .zip(&frames[19])
        .filter(|(a, b)| a.abs_diff(**b) > 24)
        .count();
    assert!(changed > 160 * 120 / 4, "only {changed} pixels changed");
}

// ---------------------------------------------------------------- speed

#[test]
fn speed_change_doubles_video_and_audio_tempo() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    make_clip(&rt, &fs, "/clip.mp4", 2, "160x120", 10);
    ffmpeg_line(
        &rt,
        &fs,
        &format!(
            "-hide_banner -i /clip.mp4 -filter_complex [0:v]setpts=0.5*PTS[v];[0:a]atempo=2.0[a] \
             -map [v] -map [a] -r 20 -fps_mode passthrough {H264} -c:a aac /fast.mp4"
        ),
    );
    let info = probe(&rt, &fs, "/fast.mp4");
    assert_eq!(info.streams.len(), 2);
    use afmpeg::media_info::StreamKind;
    assert_near(
        stream_duration(&info, StreamKind::Audio),
        1.0,
        0.06,
        "audio",
    );
    // every frame kept, 0.05 s apart instead of 0.1 s
    let out = rt
        .ffprobe(
            &fs,
            &words(
                "-v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 /fast.mp4",
            ),
        )
        .unwrap();
    let times: Vec<f64> = out
        .stdout_text()
        .lines()
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| !l.is_empty())
        .map(|l| l.parse().unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert_eq!(times.len(), 20, "{times:?}");
    for (i, t) in times.iter().enumerate() {
        assert_near(*t, i as f64 * 0.05, 0.001, &format!("frame {i} time"));
    }
    // atempo keeps the pitch: the 1 kHz tone is still 1 kHz, not 2 kHz
    let at_1k = mean_volume(
        &rt,
        &fs,
        "/fast.mp4",
        0.2,
        0.6,
        "bandpass=f=1000:width_type=q:w=8",
    );
    let at_2k = mean_volume(
        &rt,
        &fs,
        "/fast.mp4",
        0.2,
        0.6,
        "bandpass=f=2000:width_type=q:w=8",
    );
    assert!(
        at_1k > at_2k + 15.0,
        "1 kHz at {at_1k} dB, 2 kHz at {at_2k} dB"
    );
}

// ---------------------------------------------------------------- reverse

#[test]
fn reverse_plays_frames_and_samples_backwards() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    let raw_video = |filter: &str, path: &str| {
        ffmpeg_line(
            &rt,
            &fs,
            &format!(
                "-hide_banner -f lavfi -i testsrc=duration=1:size=64x48:rate=10 \
                 -vf {filter} -pix_fmt gray -f rawvideo {path}"
            ),
        );
        fs.read(path).unwrap()
    };
    let forward = raw_video("null", "/fwd.gray");
    let backward = raw_video("reverse", "/rev.gray");
    let (f, b): (Vec<_>, Vec<_>) = (
        forward.chunks(64 * 48).collect(),
        backward.chunks(64 * 48).collect(),
    );
    assert_eq!((f.len(), b.len()), (10, 10));
    assert_ne!(f[0], f[9], "testsrc does not move");
    for i in 0..10 {
        assert_eq!(b[i], f[9 - i], "frame {i}");
    }
    let raw_audio = |filter: &str, path: &str| {
        ffmpeg_line(
            &rt,
            &fs,
            &format!(
                "-hide_banner -f lavfi -i sine=frequency=300:duration=0.5:sample_rate=8000 \
                 -af {filter} -f s16le {path}"
            ),
        );
        let bytes = fs.read(path).unwrap();
        bytes
            .chunks(2)
            .map(|s| i16::from_le_bytes([s[0], s[1]]))
            .collect::<Vec<_>>()
    };
    let forward = raw_audio("anull", "/fwd.pcm");
    let mut backward = raw_audio("areverse", "/rev.pcm");
    assert_eq!(forward.len(), 4000);
    backward.reverse();
    assert_eq!(backward, forward);
}

// ---------------------------------------------------------------- watermark

#[test]
fn watermark_png_with_transparency_blends_over_the_video() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    still(
        &rt,
        &fs,
        "color=c=white@0.5:size=32x32,format=rgba",
        "/logo.png",
    );
    let logo = probe(&rt, &fs, "/logo.png");
    assert_eq!(logo.streams[0].pix_fmt.as_deref(), Some("rgba"));
    ffmpeg_line(
        &rt,
        &fs,
        &format!(
            "-hide_banner -f lavfi -i color=c=black:size=160x120:rate=10:duration=1 -i /logo.png \
             -filter_complex [0:v][1:v]overlay=x=W-w-8:y=8,format=yuv420p[v] -map [v] {H264} -qp 0 \
             /marked.mp4"
        ),
    );
    let info = probe(&rt, &fs, "/marked.mp4");
    assert_eq!(info.streams.len(), 1);
    assert_eq!(count_video_frames(&rt, &fs, "/marked.mp4"), 10);
    let frames = gray(&rt, &fs, "/marked.mp4", 160, 120);
    for (i, frame) in frames.iter().enumerate() {
        // half-transparent white over black: mid gray inside the logo
        assert_near(
            px(frame, 160, 136, 24) as f64,
            128.0,
            6.0,
            &format!("frame {i}: in the logo"),
        );
        assert!(px(frame, 160, 20, 100) <= 2, "frame {i}: outside the logo");
    }
}

// ---------------------------------------------------------------- denoise

#[test]
fn afftdn_removes_broadband_noise_and_keeps_the_tone() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    wav(
        &rt,
        &fs,
        "sine=frequency=440:duration=2[tone];anoisesrc=amplitude=0.03:duration=2:color=white[noise];\
         [tone][noise]amix=inputs=2:normalize=0",
        "/noisy.wav",
    );
    ffmpeg_line(
        &rt,
        &fs,
        "-hide_banner -i /noisy.wav -af afftdn=nr=30:nf=-30:tn=1 /clean.wav",
    );
    let info = probe(&rt, &fs, "/clean.wav");
    assert_near(info.duration().unwrap(), 2.0, 0.01, "denoised duration");
    let high = band("highpass", 3000);
    let noise_before = mean_volume(&rt, &fs, "/noisy.wav", 0.5, 1.5, &high);
    let noise_after = mean_volume(&rt, &fs, "/clean.wav", 0.5, 1.5, &high);
    assert!(
        noise_after <= noise_before - 10.0,
        "noise {noise_before} dB before, {noise_after} dB after"
    );
    let low = band("lowpass", 600);
    let tone_before = mean_volume(&rt, &fs, "/noisy.wav", 0.5, 1.5, &low);
    let tone_after = mean_volume(&rt, &fs, "/clean.wav", 0.5, 1.5, &low);
    assert_near(tone_after, tone_before, 3.0, "the tone's level");
}

// ---------------------------------------------------------------- loudness

#[test]
fn loudness_normalised_to_minus_14_lufs_measures_minus_14() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    wav(
        &rt,
        &fs,
        "sine=frequency=1000:duration=3,volume=0.3",
        "/quiet.wav",
    );
    // pass 1: measure
    let m = Loudness::new("/quiet.wav")
        .method(LoudnessMethod::Loudnorm)
        .run(&rt, &fs)
        .expect("first pass");
    assert!(m.integrated < -25.0, "the input is already loud: {m:?}");
    // pass 2: linear gain to -14 LUFS from the measurements
    let filter = format!(
        "loudnorm=I=-14:TP=-1:LRA=11:measured_I={}:measured_LRA={}:measured_TP={}:measured_thresh={}:linear=true",
        m.integrated, m.range, m.true_peak, m.threshold
    );
    ffmpeg_line(
        &rt,
        &fs,
        &format!("-hide_banner -i /quiet.wav -af {filter} -ar 48000 /loud.wav"),
    );
    let info = probe(&rt, &fs, "/loud.wav");
    assert_near(info.duration().unwrap(), 3.0, 0.01, "normalised duration");
    assert_eq!(info.streams[0].sample_rate, Some(48000));
    // measured back with the EBU R128 meter
    let r = Loudness::new("/loud.wav")
        .run(&rt, &fs)
        .expect("measure back");
    assert_near(r.integrated, -14.0, 1.0, "integrated loudness (LUFS)");
    assert!(r.true_peak <= -1.0 + 0.1, "true peak {} dBTP", r.true_peak);
}

// ---------------------------------------------------------------- subtitles

/// An ASS script whose one style names Arial, a family the guest has no
/// font for: libass falls back to the profile's default font.
const ASS_SCRIPT: &str = "[Script Info]\nScriptType: v4.00+\nPlayResX: 160\nPlayResY: 120\n\n\
[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, \
BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, \
Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n\
Style: Default,Arial,16,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,2,\
10,10,10,1\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, \
Effect, Text\nDialogue: 0,0:00:00.50,0:00:01.00,Default,,0,0,0,,afmpeg\n";

/// Burns `filter` (reading a subtitle file in `fs`) into a black 160x120
/// clip of 10 frames at 10 fps, lossless, and returns it probed and as gray
/// frames.
fn burn_in(rt: &Runtime, fs: &Filesystem, filter: &str) -> Vec<Vec<u8>> {
    ffmpeg_line(
        rt,
        fs,
        &format!(
            "-hide_banner -f lavfi -i color=c=black:size=160x120:rate=10:duration=1 -vf {filter} \
             {H264} -qp 0 /burnt.mp4"
        ),
    );
    let info = probe(rt, fs, "/burnt.mp4");
    assert_eq!(info.streams.len(), 1);
    let v = info.video_streams().next().expect("a video stream");
    assert_eq!(v.codec_name.as_deref(), Some("h264"));
    assert_eq!((v.width, v.height), (Some(160), Some(120)));
    assert_near(info.duration().unwrap(), 1.0, 0.05, "burnt-in duration");
    assert_eq!(count_video_frames(rt, fs, "/burnt.mp4"), 10);
    gray(rt, fs, "/burnt.mp4", 160, 120)
}

/// Asserts that frames `shown` carry white text in the bottom half (the
/// default alignment) and nothing in the top half, and that every other
/// frame is black.
fn assert_caption_only_in(frames: &[Vec<u8>], shown: std::ops::Range<usize>) {
    for (i, frame) in frames.iter().enumerate() {
        let top = brightest(frame, 160, 0..60);
        let bottom = brightest(frame, 160, 60..120);
        assert!(top <= 2, "frame {i}: {top} in the top half");
        if shown.contains(&i) {
            let lit = frame[60 * 160..].iter().filter(|&&p| p > 128).count();
            assert!(
                bottom >= 235,
                "frame {i}: the caption is missing ({bottom})"
            );
            assert!(lit >= 50, "frame {i}: only {lit} caption pixels");
        } else {
            assert!(
                bottom <= 2,
                "frame {i}: {bottom} outside the caption's time"
            );
        }
    }
}

/// `subtitles` burns an SRT in with no font given: libass has no
/// fontconfig in the guest and falls back to the profile's font at
/// [`DEFAULT_FONT`] (guest patch `ffmpeg-0002`), so the caption shows in
/// frames 0–4 (0.0–0.4 s) and in none after its end at 0.5 s.
#[test]
fn subtitles_burns_an_srt_in_with_the_default_font() {
    let rt = default_runtime();
    let fs = fs_with_default_font();
    fs.write("/subs.srt", "1\n00:00:00,000 --> 00:00:00,500\nafmpeg\n\n")
        .unwrap();
    // SRT's default style is 16 px at 288 lines: larger, for a 120-line frame
    let frames = burn_in(&rt, &fs, "subtitles=/subs.srt:force_style=FontSize=40");
    assert_caption_only_in(&frames, 0..5);
}

/// The `ass` filter renders an ASS script whose style names a font the
/// guest does not have (Arial) with the default font, from 0.5 s to 1 s.
#[test]
fn ass_burns_a_styled_script_in_with_the_default_font() {
    let rt = default_runtime();
    let fs = fs_with_default_font();
    fs.write("/subs.ass", ASS_SCRIPT).unwrap();
    let frames = burn_in(&rt, &fs, "ass=/subs.ass");
    assert_caption_only_in(&frames, 5..10);
}

/// Without the companion font in the job's filesystem there is no font at
/// all: libass says so and the frames stay black; nothing crashes.
#[test]
fn subtitles_without_the_companion_font_draw_nothing() {
    let rt = default_runtime();
    let fs = Filesystem::new();
    fs.write("/subs.srt", "1\n00:00:00,000 --> 00:00:01,000\nafmpeg\n\n")
        .unwrap();
    let frames = burn_in(&rt, &fs, "subtitles=/subs.srt:force_style=FontSize=40");
    assert_caption_only_in(&frames, 0..0);
}
