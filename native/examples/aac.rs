//! Workload 6 of `bench/ffmpeg-engines` on the native tier alone: a stereo
//! 44.1 kHz WAV encoded to AAC 128k. Prints the encode's CPU seconds on this
//! thread and the output's size and SHA-256, so builds of the tier (wasm2c
//! versions, the `-msimd128` module) can be compared for speed and bytes.
//!
//! `cargo run -p afmpeg-native --features ffmpeg --example aac [-- WAV]`
//!
//! WAV is a file on the host (the benchmark's fixture is a 440 Hz sine mixed
//! with noise, 300 s: bench/ffmpeg-engines/src/fixtures.rs; the lean module
//! has no `anoisesrc` to make it). Without one the guest makes 30 s of a
//! stereo 440 Hz sine first.

#[path = "../tests/support/measure.rs"]
mod measure;

use afmpeg_native::{Exit, Limits, NativeModule};
use measure::{context, thread_cpu_seconds};
use sha2::{Digest, Sha256};
use wasi_shim::fs::Filesystem;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let native = NativeModule::ffmpeg()?;
    let fs = Filesystem::new();
    let input = match std::env::args().nth(1) {
        Some(wav) => {
            fs.write("/in.wav", std::fs::read(&wav)?)?;
            wav
        }
        None => {
            let make_wav = args(&[
                "-nostdin",
                "-y",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=30:sample_rate=44100",
                "-ac",
                "2",
                "-fflags",
                "+bitexact",
                "/in.wav",
            ]);
            let (r, _) = native.run(context(&make_wav, &fs), &Limits::default());
            assert_eq!(r?, Exit::Code(0));
            "30 s of a 440 Hz sine".into()
        }
    };
    let encode = args(&[
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
    ]);
    let t = thread_cpu_seconds();
    let (r, _) = native.run(context(&encode, &fs), &Limits::default());
    assert_eq!(r?, Exit::Code(0));
    let cpu = thread_cpu_seconds() - t;
    let out = fs.read("/out.m4a")?;
    let sha: String = Sha256::digest(&out)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("{input} -> AAC 128k on the native tier: {cpu:.2} CPU s");
    println!("  output: {} bytes, sha256 {sha}", out.len());
    Ok(())
}
