//! `make demo`: an FFmpeg job entirely in memory, with a caption.
//!
//! 1. compile the FFmpeg module (once) — `make demo` gives it the default
//!    module and its font, on the native tier,
//! 2. generate a short test clip inside the guest (lavfi → H.264/FLAC in Matroska),
//! 3. transcode it to H.264/AAC MP4 with a `drawtext` caption (the module's
//!    own font, mounted from its companion data) and live progress,
//! 4. probe the result and look at the caption's pixels,
//! 5. write only the final MP4 to the host and print a summary with timings,
//!    after checking that the output is what the demo asked for (exit
//!    status 1 and the differences otherwise).
//!
//! The module is the one `Runtime::from_default_location` finds
//! (`$AFMPEG_MODULE`); drawtext needs a module with it and a font beside
//! it (the default profile's). Output path: `$AFMPEG_DEMO_OUT`, default
//! `target/afmpeg-demo.mp4`.

use afmpeg::command::{Command, InputFile, LogLevel, OutputFile, Time};
use afmpeg::media_info::MediaInfo;
use afmpeg::wasi_shim::fs::ExportOptions;
use afmpeg::{Filesystem, RunOptions, Runtime};
use std::io::Write;
use std::time::Instant;

const SECONDS: u32 = 3;
const FPS: u32 = 25;
const WIDTH: u32 = 640;
const HEIGHT: u32 = 360;
/// The caption's opaque black bar along the bottom of the picture.
const BAR: u32 = 64;
/// No character drawtext would expand or FFmpeg's filter parser would split on.
const CAPTION: &str = "Captioned in memory by afmpeg";

fn main() {
    if let Err(e) = demo() {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let out_path =
        std::env::var("AFMPEG_DEMO_OUT").unwrap_or_else(|_| "target/afmpeg-demo.mp4".into());

    let t = Instant::now();
    // Mounts the font beside the module (the default profile's data/fonts/)
    // where its drawtext looks when no fontfile= is given.
    let rt = Runtime::from_default_location()?;
    let load = t.elapsed();
    println!(
        "1. module ready ({:<11}) ....... {:>8.1} ms",
        rt.engine().name(),
        ms(load)
    );

    // Everything below lives in this in-memory filesystem.
    let fs = Filesystem::new();

    let t = Instant::now();
    let generate = Command::new()
        .hide_banner()
        .loglevel(LogLevel::Error)
        .input(InputFile::lavfi(format!(
            "testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}:duration={SECONDS}"
        )))
        .input(InputFile::lavfi(format!(
            "sine=frequency=440:sample_rate=48000:duration={SECONDS}"
        )))
        .output(
            OutputFile::path("/source.mkv")
                .video_codec("libx264")
                .preset("ultrafast")
                .crf(18)
                .audio_codec("flac"),
        );
    let out = rt.run_command(&fs, &generate, &RunOptions::default())?;
    if !out.success() {
        return Err(format!("generating the source failed:\n{}", out.stderr_text()).into());
    }
    let gen_time = t.elapsed();
    let source_size = fs.metadata("/source.mkv")?.len;
    println!(
        "2. source generated in memory ..... {:>8.1} ms  ({} KiB, never on disk)",
        ms(gen_time),
        source_size / 1024
    );

    let t = Instant::now();
    let transcode = Command::new()
        .hide_banner()
        .loglevel(LogLevel::Error)
        .input(InputFile::path("/source.mkv"))
        .output(
            OutputFile::path("/out.mp4")
                .video_filter(format!(
                    "drawbox=x=0:y=ih-{BAR}:w=iw:h={BAR}:color=black:t=fill,\
                     drawtext=expansion=none:text={CAPTION}:fontsize=32:fontcolor=white:\
                     x=(w-tw)/2:y=h-{BAR}+({BAR}-th)/2"
                ))
                .video_codec("libx264")
                .preset("veryfast")
                .crf(23)
                .audio_codec("aac")
                .audio_bitrate(128_000)
                .duration(Time::from_secs(SECONDS)),
        );
    let mut opts = RunOptions::default();
    let progress = opts.progress_channel();
    let printer = std::thread::spawn(move || {
        for p in progress {
            if let Some(f) = p.fraction {
                print!(
                    "\r3. transcoding + caption ... {:>5.1}%  frame {:>4}  speed {:>5.2}x",
                    f * 100.0,
                    p.frame.unwrap_or(0),
                    p.speed.unwrap_or(0.0)
                );
                let _ = std::io::stdout().flush();
            }
        }
        println!();
    });
    let result = rt.run_command(&fs, &transcode, &opts);
    drop(opts);
    let _ = printer.join();
    // drawtext needs the default profile's module, and its font beside it.
    let hint = "transcoding with the caption failed (`make demo` runs the default module with \
                its font beside it: AFMPEG_MODULE=~/.cache/afmpeg/guest/default-crate/ffmpeg.wasm)";
    let out = result.map_err(|e| format!("{hint}: {e}"))?;
    if !out.success() {
        return Err(format!("{hint}:\n{}", out.stderr_text()).into());
    }
    let transcode_time = t.elapsed();
    println!(
        "   transcoded ..................... {:>8.1} ms  ({:.2}x real time)",
        ms(transcode_time),
        f64::from(SECONDS) / transcode_time.as_secs_f64()
    );

    let t = Instant::now();
    let info = rt.probe(&fs, "/out.mp4")?;
    let caption = caption_pixels(&rt, &fs)?;
    println!(
        "4. probed, caption looked at ...... {:>8.1} ms",
        ms(t.elapsed())
    );

    let t = Instant::now();
    if let Some(dir) = std::path::Path::new(&out_path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    fs.export_host("/out.mp4", &out_path, ExportOptions { overwrite: true })?;
    println!(
        "5. exported ....................... {:>8.1} ms  -> {out_path}",
        ms(t.elapsed())
    );

    println!();
    println!(
        "{}: {}, {:.3} s, {} bytes",
        out_path,
        info.format.format_name,
        info.duration().unwrap_or(0.0),
        fs.metadata("/out.mp4")?.len
    );
    for s in &info.streams {
        let detail = match (s.width, s.height, s.sample_rate) {
            (Some(w), Some(h), _) => format!("{w}x{h}, {} frames", s.nb_frames.unwrap_or(0)),
            (_, _, Some(rate)) => format!("{rate} Hz, {} channels", s.channels.unwrap_or(0)),
            _ => String::new(),
        };
        println!(
            "  stream #{}: {:?} {} {}",
            s.index,
            s.kind,
            s.codec_name.as_deref().unwrap_or("?"),
            detail
        );
    }
    println!(
        "  caption {CAPTION:?}: {} of the bar's {} pixels drawn white, {} black",
        caption.white, caption.total, caption.black
    );

    let wrong = check(&info, &caption);
    if !wrong.is_empty() {
        return Err(format!(
            "the output is not what the demo asked for:\n  - {}",
            wrong.join("\n  - ")
        )
        .into());
    }
    println!(
        "checked: MP4, {SECONDS}.000 s, H.264 {WIDTH}x{HEIGHT} {} frames + AAC, caption rendered",
        SECONDS * FPS
    );
    Ok(())
}

/// Luma counts of the caption's bar in the middle frame of the output.
struct Caption {
    total: usize,
    /// Text: near white.
    white: usize,
    /// The bar around the text: near black.
    black: usize,
}

/// Decodes the bar of the middle frame (inside the guest, to raw gray) and
/// counts its near-white and near-black pixels.
fn caption_pixels(rt: &Runtime, fs: &Filesystem) -> Result<Caption, Box<dyn std::error::Error>> {
    let middle = format!("{:.2}", f64::from(SECONDS) / 2.0);
    let crop = format!("crop=iw:{BAR}:0:ih-{BAR},format=gray");
    let out = rt.run(
        fs,
        &[
            "-hide_banner",
            "-loglevel",
            "error",
            "-ss",
            &middle,
            "-i",
            "/out.mp4",
            "-vf",
            &crop,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "/bar.gray",
        ],
    )?;
    if !out.success() {
        return Err(format!("decoding the caption's bar failed:\n{}", out.stderr_text()).into());
    }
    let bar = fs.read("/bar.gray")?;
    Ok(Caption {
        total: bar.len(),
        white: bar.iter().filter(|&&y| y >= 200).count(),
        black: bar.iter().filter(|&&y| y <= 40).count(),
    })
}

/// What differs from the output the demo asked for, one line each.
fn check(info: &MediaInfo, caption: &Caption) -> Vec<String> {
    let mut wrong = Vec::new();
    if !info.format.format_name.split(',').any(|f| f == "mp4") {
        wrong.push(format!("container {:?}, not MP4", info.format.format_name));
    }
    // Within one frame of the length asked for (AAC's padding may add a few ms).
    let frame = 1.0 / f64::from(FPS);
    match info.duration() {
        Some(d) if (d - f64::from(SECONDS)).abs() < frame => {}
        d => wrong.push(format!("duration {d:?} s, not {SECONDS} s")),
    }
    let video: Vec<_> = info.video_streams().collect();
    match video.as_slice() {
        [v] => {
            if v.codec_name.as_deref() != Some("h264") {
                wrong.push(format!("video codec {:?}, not h264", v.codec_name));
            }
            if (v.width, v.height) != (Some(WIDTH), Some(HEIGHT)) {
                wrong.push(format!(
                    "video size {:?}x{:?}, not {WIDTH}x{HEIGHT}",
                    v.width, v.height
                ));
            }
            if v.nb_frames != Some(u64::from(SECONDS * FPS)) {
                wrong.push(format!(
                    "{:?} video frames, not {}",
                    v.nb_frames,
                    SECONDS * FPS
                ));
            }
        }
        v => wrong.push(format!("{} video streams, not 1", v.len())),
    }
    let audio: Vec<_> = info.audio_streams().collect();
    match audio.as_slice() {
        [a] if a.codec_name.as_deref() == Some("aac") => {}
        [a] => wrong.push(format!("audio codec {:?}, not aac", a.codec_name)),
        a => wrong.push(format!("{} audio streams, not 1", a.len())),
    }
    // 32 px text in a 64 px bar: a few percent of it white, most of it black.
    let expected = (WIDTH * BAR) as usize;
    if caption.total != expected {
        wrong.push(format!(
            "the caption's bar is {} pixels, not {WIDTH}x{BAR}",
            caption.total
        ));
    } else if caption.white < expected / 100 || caption.white > expected / 3 {
        wrong.push(format!(
            "caption not rendered: {} of {expected} pixels of the bar are white",
            caption.white
        ));
    } else if caption.black < expected / 2 {
        wrong.push(format!(
            "the caption's bar is not black: {} of {expected} pixels are",
            caption.black
        ));
    }
    wrong
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
