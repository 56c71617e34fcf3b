//! Parity with native FFmpeg: the same command, run by Debian's `ffmpeg`
//! (5.1.9, the very sources the guest is built from, with the same x264,
//! LAME and Opus package versions) and by afmpeg, must give byte-identical
//! files for video encodes, stills, PCM/FLAC audio, decodes and stream
//! copies. Lossy audio encoders go through the C library's maths (glibc
//! natively, musl in wasi-libc), so those are compared by codec, decoded
//! duration and loudness within a tolerance.
//!
//! # How the comparison is made fair (and not lax)
//!
//! Every command is run with the same argv on both sides, on relative paths
//! (the guest's working directory is `/` of its in-memory tree, the native
//! one a fresh temporary directory), and with these options:
//!
//! - `-cpuflags 0` (before the inputs): native FFmpeg would otherwise pick
//!   x86 SIMD kernels (DSP, swscale), which round differently from the C
//!   code the guest runs (it is built without asm). This puts native FFmpeg
//!   on the same plain C paths.
//! - `-threads 1 -filter_threads 1` (before the inputs): frame/slice
//!   threading changes x264's and the decoders' output or order; the guest
//!   is single-threaded.
//! - `-threads 1 -x264-params asm=0` on x264 outputs: x264 has its own CPU
//!   detection (not affected by `-cpuflags`); `asm=0` makes it use its C
//!   functions, like the guest's x264 (built with `--disable-asm`), and one
//!   thread avoids sliced/frame-threaded encoding.
//! - `-fflags +bitexact` on outputs whose muxer writes random ids or its
//!   version string (Matroska's segment/track UIDs are random otherwise; mp4,
//!   wav, flac write "Lavf59…" tags), and `-flags:v +bitexact`/`-flags:a
//!   +bitexact` on encoders that write their version (mjpeg's COM segment,
//!   the FLAC vendor string). The library versions are the same on both
//!   sides, so these do not hide a difference; they make the files
//!   independent of build-specific identification.
//!
//! Inputs are lavfi sources (deterministic) or files produced once and
//! handed to both sides byte for byte. If the native binary is missing, the
//! tests fail: install it with `scripts/setup-debian.sh`.

mod support;

use afmpeg::Filesystem;
use std::sync::OnceLock;
use support::guest::*;
use support::parity::{Both, X264_PLAIN};

// ---------------------------------------------------------------- video encode

#[test]
fn x264_mp4_encode_is_identical() {
    let b = Both::new(runtime());
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=1:size=160x120:rate=25",
        "-pix_fmt",
        "yuv420p",
    ];
    args.extend_from_slice(X264_PLAIN);
    // mp4: bitexact drops the "Lavf59…" encoder tag; the x264 SEI (its
    // version and options) is kept and compared.
    args.extend(["-fflags", "+bitexact", "-flags:v", "+bitexact", "out.mp4"]);
    b.run(&args);
    let out = b.assert_identical("out.mp4");
    // Not vacuous: a real 25-frame H.264 file.
    let info = probe(&runtime(), &b.fs, "/out.mp4");
    assert_eq!(info.video_streams().next().unwrap().nb_frames, Some(25));
    assert!(
        out.windows(4).any(|w| w == b"x264"),
        "no x264 SEI in the output"
    );
}

#[test]
fn x264_with_rate_control_and_b_frames_is_identical() {
    // CRF rate control, B-frames, lookahead, CABAC and psy: the float-heavy
    // parts of x264 (medium preset), over a moving, noisy picture, to .mkv.
    let b = Both::new(runtime());
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        "testsrc2=duration=1:size=192x108:rate=25",
        "-pix_fmt",
        "yuv420p",
    ];
    args.extend_from_slice(X264_PLAIN);
    args.extend([
        "-preset",
        "medium",
        "-crf",
        "28",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "out.mkv",
    ]);
    b.run(&args);
    b.assert_identical("out.mkv");
}

// ---------------------------------------------------------------- stills

#[test]
fn png_still_is_identical() {
    let b = Both::new(runtime());
    b.run(&words(
        "-f lavfi -i testsrc2=size=160x120 -frames:v 1 -c:v png out.png",
    ));
    let png = b.assert_identical("out.png");
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn png_still_after_scaling_is_identical() {
    // swscale (bicubic down-scale) on its C path, into a palette-free rgb24 PNG.
    let b = Both::new(runtime());
    b.run(&words("-f lavfi -i testsrc2=size=320x240 -frames:v 1 -vf scale=150:100 -c:v png -pix_fmt rgb24 out.png"));
    b.assert_identical("out.png");
}

#[test]
fn mjpeg_still_is_identical() {
    let b = Both::new(runtime());
    // bitexact: the encoder's "Lavc…" COM segment.
    b.run(&words("-f lavfi -i testsrc2=size=160x120 -frames:v 1 -c:v mjpeg -q:v 3 -flags:v +bitexact out.jpg"));
    let jpg = b.assert_identical("out.jpg");
    assert_eq!(&jpg[..2], &[0xff, 0xd8]);
}

// ---------------------------------------------------------------- PCM / FLAC

#[test]
fn pcm_wav_is_identical() {
    let b = Both::new(runtime());
    // bitexact: the wav muxer's LIST/INFO "ISFT Lavf…" chunk.
    b.run(&words("-f lavfi -i sine=frequency=1000:sample_rate=48000:duration=1 -c:a pcm_s16le -fflags +bitexact out.wav"));
    let wav = b.assert_identical("out.wav");
    assert!(wav.len() > 96_000);
}

#[test]
fn flac_is_identical() {
    let b = Both::new(runtime());
    // bitexact: the VORBIS_COMMENT vendor string and the muxer's tags.
    b.run(&words("-f lavfi -i sine=frequency=440:sample_rate=44100:duration=1 -af volume=0.5 -c:a flac -compression_level 8 -fflags +bitexact -flags:a +bitexact out.flac"));
    let flac = b.assert_identical("out.flac");
    assert_eq!(&flac[..4], b"fLaC");
}

// ---------------------------------------------------------------- decode

/// An H.264/AAC mp4 (with B-frames) made once by afmpeg, as a shared input.
fn h264_input() -> Vec<u8> {
    static CLIP: OnceLock<Vec<u8>> = OnceLock::new();
    CLIP.get_or_init(|| {
        let fs = Filesystem::new();
        let rt = runtime();
        ffmpeg_ok(
            &rt,
            &fs,
            &words("-hide_banner -f lavfi -i testsrc2=duration=1:size=160x120:rate=25 -f lavfi -i sine=frequency=440:duration=1 -c:v libx264 -preset fast -bf 2 -pix_fmt yuv420p -c:a aac -b:a 64k /in.mp4"),
        );
        fs.read("/in.mp4").unwrap()
    })
    .clone()
}

#[test]
fn h264_decode_to_framemd5_is_identical() {
    let b = Both::new(runtime());
    b.input("in.mp4", &h264_input());
    b.run(&words("-i in.mp4 -map 0:v -f framemd5 out.framemd5"));
    let text = b.assert_identical("out.framemd5");
    let frames = String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count();
    assert_eq!(frames, 25, "framemd5 lists {frames} frames");
}

#[test]
fn h264_decode_to_rawvideo_is_identical() {
    let b = Both::new(runtime());
    b.input("in.mp4", &h264_input());
    b.run(&words(
        "-i in.mp4 -map 0:v -f rawvideo -pix_fmt yuv420p out.yuv",
    ));
    let raw = b.assert_identical("out.yuv");
    assert_eq!(raw.len(), 160 * 120 * 3 / 2 * 25);
}

#[test]
fn flac_decode_to_framemd5_is_identical() {
    let b = Both::new(runtime());
    let fs = Filesystem::new();
    ffmpeg_ok(
        &runtime(),
        &fs,
        &words("-hide_banner -f lavfi -i sine=duration=1 -c:a flac /in.flac"),
    );
    b.input("in.flac", &fs.read("/in.flac").unwrap());
    b.run(&words("-i in.flac -f framemd5 out.framemd5"));
    b.assert_identical("out.framemd5");
}

// ---------------------------------------------------------------- stream copy

#[test]
fn mp4_to_mkv_stream_copy_is_identical() {
    let b = Both::new(runtime());
    b.input("in.mp4", &h264_input());
    // bitexact: Matroska's random segment/track UIDs and "Lavf…" app strings.
    b.run(&words("-i in.mp4 -map 0 -c copy -fflags +bitexact out.mkv"));
    b.assert_identical("out.mkv");
}

#[test]
fn mkv_to_mp4_stream_copy_is_identical() {
    let b = Both::new(runtime());
    // The mkv is made by afmpeg from the shared mp4 input, then both sides
    // remux that same mkv back to mp4.
    let fs = Filesystem::new();
    fs.write("/in.mp4", h264_input()).unwrap();
    ffmpeg_ok(
        &runtime(),
        &fs,
        &words("-hide_banner -i /in.mp4 -c copy /in.mkv"),
    );
    b.input("in.mkv", &fs.read("/in.mkv").unwrap());
    b.run(&words("-i in.mkv -map 0 -c copy -fflags +bitexact out.mp4"));
    b.assert_identical("out.mp4");
}

// ---------------------------------------------------------------- lossy audio

/// Codec, decoded sample count and RMS level (dBFS) of an audio file,
/// decoded by afmpeg (the same decoder for both versions, so only the
/// encoders are compared).
fn decoded(fs: &Filesystem, path: &str) -> (String, usize, f64) {
    let rt = runtime();
    let info = probe(&rt, fs, path);
    let codec = info
        .audio_streams()
        .next()
        .and_then(|s| s.codec_name.clone())
        .expect("an audio stream");
    // (The lean guest has no raw `s16le` muxer: decode to WAV and read its data chunk.)
    ffmpeg_ok(
        &rt,
        fs,
        &[
            "-hide_banner",
            "-y",
            "-i",
            path,
            "-ac",
            "1",
            "-c:a",
            "pcm_s16le",
            "/decoded.wav",
        ],
    );
    let wav = fs.read("/decoded.wav").unwrap();
    let samples: Vec<i16> = wav_data(&wav)
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mean_sq = samples
        .iter()
        .map(|&s| (s as f64 / 32768.0).powi(2))
        .sum::<f64>()
        / samples.len().max(1) as f64;
    (codec, samples.len(), 10.0 * mean_sq.log10())
}

/// The `data` chunk of a RIFF/WAVE file.
fn wav_data(wav: &[u8]) -> &[u8] {
    assert_eq!(&wav[..4], b"RIFF");
    let mut at = 12;
    while at + 8 <= wav.len() {
        let len = u32::from_le_bytes(wav[at + 4..at + 8].try_into().unwrap()) as usize;
        if &wav[at..at + 4] == b"data" {
            return &wav[at + 8..(at + 8 + len).min(wav.len())];
        }
        at += 8 + len + (len & 1);
    }
    panic!("no data chunk in the WAV file");
}

fn lossy(name: &str, codec_args: &[&str], codec: &str) {
    let b = Both::new(runtime());
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000:duration=2",
        "-af",
        "volume=-14dB",
    ];
    args.extend_from_slice(codec_args);
    args.extend(["-fflags", "+bitexact", "-flags:a", "+bitexact", name]);
    b.run(&args);
    let (native, guest) = (b.native(name), b.guest(name));
    eprintln!(
        "[parity] {name}: byte-identical: {} ({} vs {} bytes)",
        native == guest,
        native.len(),
        guest.len()
    );
    let fs = Filesystem::new();
    fs.write("/native", native).unwrap();
    let (nc, nn, nl) = decoded(&fs, "/native");
    let (gc, gn, gl) = decoded(&b.fs, &format!("/{name}"));
    eprintln!("[parity] {name}: native {nc} {nn} samples {nl:.3} dBFS; afmpeg {gc} {gn} samples {gl:.3} dBFS");
    assert_eq!(nc, codec);
    assert_eq!(gc, codec);
    // The same number of decoded samples: the same framing, padding, delay.
    assert_eq!(gn, nn, "decoded durations differ");
    assert!(
        (gn as f64 / 48_000.0 - 2.0).abs() < 0.1,
        "decoded duration {gn} samples"
    );
    // A -14 dB sine at the sine source's level of 1/8 full scale (-18 dBFS
    // peak, -21 dBFS RMS): about -35 dBFS, equal on both sides within 0.1 dB.
    assert!(
        (gl - nl).abs() < 0.1,
        "loudness differs: native {nl} dBFS, afmpeg {gl} dBFS"
    );
    assert!((-40.0..-30.0).contains(&gl), "implausible level {gl} dBFS");
}

#[test]
fn aac_matches_within_tolerance() {
    lossy("out.m4a", &["-c:a", "aac", "-b:a", "96k"], "aac");
}

#[test]
fn mp3_matches_within_tolerance() {
    lossy("out.mp3", &["-c:a", "libmp3lame", "-b:a", "128k"], "mp3");
}

#[test]
fn opus_matches_within_tolerance() {
    lossy("out.opus", &["-c:a", "libopus", "-b:a", "64k"], "opus");
}
