//! The FFmpeg module on the native tier: it runs, and its output is byte for
//! byte the interpreter tier's (afmpeg's `Runtime` over the very module the C
//! was translated from, same argv, same deterministic clock and seed).
//!
//! Needs the module's C compiled in: `make native-c`, then
//! `cargo test -p afmpeg-native --features ffmpeg`. Without it every test
//! here fails with that instruction.

#[path = "support/jobs.rs"]
mod jobs;

use afmpeg_native::{Exit, Limits, NativeModule};
use std::path::PathBuf;
use std::sync::OnceLock;
use wasi_shim::fs::Filesystem;
use wasi_shim::stdio::{Capture, Output};
use wasi_shim::WasiCtx;

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn native() -> NativeModule {
    NativeModule::ffmpeg().unwrap_or_else(|e| panic!("{e}"))
}

/// The interpreter over the module the native C came from.
fn interpreter() -> &'static afmpeg::Runtime {
    static RT: OnceLock<afmpeg::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        let source = native().source();
        // Asked for explicitly: with afmpeg's `native` feature the default
        // for this module would be the native tier itself.
        afmpeg::Runtime::builder(afmpeg::ModuleSource::File(source.into()))
            .engine(afmpeg::Engine::Interpreter)
            .build()
            .unwrap_or_else(|e| panic!("interpreter over {source}: {e}; run `make guest`"))
    })
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    fs: Filesystem,
}

fn context(args: &[&str], fs: &Filesystem) -> (WasiCtx, Capture, Capture) {
    let out = Capture::with_cap(1 << 20);
    let err = Capture::with_cap(1 << 20);
    let ctx = WasiCtx::builder()
        .arg("ffmpeg")
        .args(args.iter().copied())
        .stdout(Output::Capture(out.clone()))
        .stderr(Output::Capture(err.clone()))
        .preopen_dir(fs, "/")
        .deterministic(7)
        .build()
        .expect("context");
    (ctx, out, err)
}

fn run_native(args: &[&str]) -> Run {
    run_native_in(Filesystem::new(), args)
}

fn run_native_in(fs: Filesystem, args: &[&str]) -> Run {
    let (ctx, out, err) = context(args, &fs);
    let (result, _ctx) = native().run(ctx, &Limits::default());
    let code = match result.unwrap_or_else(|e| panic!("native run of {args:?}: {e}")) {
        Exit::Code(c) => c as i32,
        Exit::Signal(s) => panic!("native run of {args:?} ended by signal {s}"),
    };
    Run {
        code,
        stdout: out.contents(),
        stderr: err.contents(),
        fs,
    }
}

fn run_interpreter(args: &[&str]) -> Run {
    run_interpreter_in(Filesystem::new(), args)
}

fn run_interpreter_in(fs: Filesystem, args: &[&str]) -> Run {
    let (ctx, out, err) = context(args, &fs);
    let (result, _ctx) = interpreter().run_wasi(ctx, &afmpeg::ExecLimits::default());
    let exit = result.unwrap_or_else(|e| panic!("interpreter run of {args:?}: {e}"));
    Run {
        code: exit.code,
        stdout: out.contents(),
        stderr: err.contents(),
        fs,
    }
}

fn x264_job() -> Vec<String> {
    jobs::x264_to_mp4("testsrc=d=1:s=320x240:r=25")
}

#[test]
fn version_runs() {
    let r = run_native(&["-version"]);
    assert_eq!(r.code, 0, "stderr: {}", String::from_utf8_lossy(&r.stderr));
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.starts_with("ffmpeg version 5.1."), "stdout: {text}");
    assert!(text.contains("--enable-libx264"), "stdout: {text}");
}

#[test]
fn version_output_is_the_interpreters() {
    let n = run_native(&["-version"]);
    let i = run_interpreter(&["-version"]);
    assert_eq!((n.code, &n.stdout), (i.code, &i.stdout));
}

#[test]
fn x264_encode_is_byte_identical_to_the_interpreter() {
    let n = run_native(&refs(&x264_job()));
    assert_eq!(
        n.code,
        0,
        "native stderr: {}",
        String::from_utf8_lossy(&n.stderr)
    );
    let i = run_interpreter(&refs(&x264_job()));
    assert_eq!(
        i.code,
        0,
        "interpreter stderr: {}",
        String::from_utf8_lossy(&i.stderr)
    );
    let native_mp4 = n.fs.read("/out.mp4").expect("native wrote /out.mp4");
    let interp_mp4 = i.fs.read("/out.mp4").expect("interpreter wrote /out.mp4");
    assert_eq!(&native_mp4[4..8], b"ftyp");
    assert!(native_mp4.len() > 4096, "{} bytes", native_mp4.len());
    assert!(
        native_mp4 == interp_mp4,
        "outputs differ: {} vs {} bytes",
        native_mp4.len(),
        interp_mp4.len()
    );
}

#[test]
fn two_jobs_on_two_threads_at_once_give_the_serial_output() {
    let serial = run_native(&refs(&x264_job()))
        .fs
        .read("/out.mp4")
        .expect("serial output");
    let threads: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(|| {
                run_native(&refs(&x264_job()))
                    .fs
                    .read("/out.mp4")
                    .expect("output")
            })
        })
        .collect();
    for t in threads {
        assert!(
            t.join().expect("thread") == serial,
            "a concurrent job's output differs"
        );
    }
}

#[test]
fn a_bad_option_exits_with_ffmpegs_error_code() {
    let n = run_native(&["-no-such-option"]);
    let i = run_interpreter(&["-no-such-option"]);
    assert_ne!(n.code, 0);
    assert_eq!((n.code, &n.stderr), (i.code, &i.stderr));
}

/// The parity tests compare against the interpreter over `source()`: that
/// file must still be the module the C was translated from.
#[test]
fn the_interpreters_module_is_the_one_the_c_was_translated_from() {
    use sha2::{Digest, Sha256};
    let source = PathBuf::from(native().source());
    let bytes = std::fs::read(&source).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `make guest` and `make native-c`",
            source.display()
        )
    });
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        sha,
        native().wasm_sha256(),
        "{} changed since `make native-c`",
        source.display()
    );
}

/// Reading, seeking and decoding: the per-frame MD5s of a decoded MP4 (from
/// the native tier's own encode) are the interpreter's.
#[test]
fn decoding_an_mp4_gives_the_interpreters_frame_checksums() {
    let encoded = run_native(&refs(&x264_job()))
        .fs
        .read("/out.mp4")
        .expect("encoded");
    let decode = [
        "-nostdin",
        "-hide_banner",
        "-cpuflags",
        "0",
        "-threads",
        "1",
        "-i",
        "/in.mp4",
        "-f",
        "framemd5",
        "-",
    ];
    let with_input = || {
        let fs = Filesystem::new();
        fs.write("/in.mp4", encoded.clone()).expect("input");
        fs
    };
    let n = run_native_in(with_input(), &decode);
    let i = run_interpreter_in(with_input(), &decode);
    assert_eq!(
        n.code,
        0,
        "native stderr: {}",
        String::from_utf8_lossy(&n.stderr)
    );
    assert_eq!(
        i.code,
        0,
        "interpreter stderr: {}",
        String::from_utf8_lossy(&i.stderr)
    );
    let frames = n
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"0,"))
        .count();
    assert_eq!(frames, 25, "{}", String::from_utf8_lossy(&n.stdout));
    assert!(n.stdout == i.stdout, "framemd5 differs");
}
