//! `make demo`: an FFmpeg transcode entirely in memory.
//!
//! 1. compile the FFmpeg module (once),
//! 2. generate a short test clip inside the guest (lavfi → H.264/FLAC in Matroska),
//! 3. transcode it to H.264/AAC MP4 with live progress,
//! 4. probe the result,
//! 5. write only the final MP4 to the host and print a summary with timings.
//!
//! Output path: `$AFMPEG_DEMO_OUT`, default `target/afmpeg-demo.mp4`.

use afmpeg::command::{Command, InputFile, LogLevel, OutputFile, Time};
use afmpeg::wasi_shim::fs::ExportOptions;
use afmpeg::{Filesystem, RunOptions, Runtime};
use std::io::Write;
use std::time::Instant;

const SECONDS: u32 = 3;

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
            "testsrc2=size=640x360:rate=25:duration={SECONDS}"
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
                    "\r3. transcoding ... {:>5.1}%  frame {:>4}  speed {:>5.2}x",
                    f * 100.0,
                    p.frame.unwrap_or(0),
                    p.speed.unwrap_or(0.0)
                );
                let _ = std::io::stdout().flush();
            }
        }
        println!();
    });
    let out = rt.run_command(&fs, &transcode, &opts)?;
    drop(opts);
    let _ = printer.join();
    if !out.success() {
        return Err(format!("transcoding failed:\n{}", out.stderr_text()).into());
    }
    let transcode_time = t.elapsed();
    println!(
        "   transcoded ..................... {:>8.1} ms  ({:.2}x real time)",
        ms(transcode_time),
        f64::from(SECONDS) / transcode_time.as_secs_f64()
    );

    let t = Instant::now();
    let info = rt.probe(&fs, "/out.mp4")?;
    println!(
        "4. probed ......................... {:>8.1} ms",
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
    Ok(())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
