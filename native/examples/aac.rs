//! Workload 6 of `bench/ffmpeg-engines` on the native tier alone: a stereo
//! 44.1 kHz WAV (a 440 Hz sine mixed with noise, made by the guest first)
//! encoded to AAC 128k. Prints the encode's CPU seconds on this thread and
//! the output's size and SHA-256, so builds of the tier (wasm2c versions,
//! the `-msimd128` module) can be compared for speed and for identical bytes.
//!
//! `cargo run -p afmpeg-native --features ffmpeg --example aac [-- SECONDS]`
//! (default 30 s of audio; the benchmark's workload 6 is 300 s).

#[path = "../tests/support/measure.rs"]
mod measure;

use afmpeg_native::{Exit, Limits, NativeModule};
use measure::{context, thread_cpu_seconds};
use sha2::{Digest, Sha256};
use wasi_shim::fs::Filesystem;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secs = std::env::args().nth(1).unwrap_or_else(|| "30".into());
    let native = NativeModule::ffmpeg()?;
    let fs = Filesystem::new();
    // The fixture of bench/ffmpeg-engines/src/fixtures.rs (Fixtures::WAV).
    let make_wav: Vec<String> = [
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=440:duration={secs}:sample_rate=44100"),
        "-f",
        "lavfi",
        "-i",
        &format!("anoisesrc=duration={secs}:amplitude=0.1:sample_rate=44100"),
        "-filter_complex",
        "amix=inputs=2,aformat=channel_layouts=stereo",
        "-fflags",
        "+bitexact",
        "/in.wav",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (r, _) = native.run(context(&make_wav, &fs), &Limits::default());
    assert_eq!(r?, Exit::Code(0));

    let encode: Vec<String> = [
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-threads",
        "1",
        "-i",
        "/in.wav",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "/out.m4a",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let t = thread_cpu_seconds();
    let (r, _) = native.run(context(&encode, &fs), &Limits::default());
    assert_eq!(r?, Exit::Code(0));
    let cpu = thread_cpu_seconds() - t;
    let out = fs.read("/out.m4a")?;
    let sha: String = Sha256::digest(&out)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("{secs} s WAV -> AAC 128k on the native tier: {cpu:.2} CPU s");
    println!("  output: {} bytes, sha256 {sha}", out.len());
    Ok(())
}
