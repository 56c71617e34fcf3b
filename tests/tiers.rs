//! The two tiers side by side in one process (needs the `native` feature;
//! `make test` builds it): which tier a runtime chooses, and FFmpeg jobs
//! whose outputs are byte-identical between them.
//!
//! The other suites that run FFmpeg run whole on either tier (`make test`
//! runs them once with `AFMPEG_ENGINE=interpreter`, once with `native`);
//! this one compares the tiers directly.

mod support;

use afmpeg::{
    Engine, Error, Filesystem, ModuleSource, NativeUnavailable, RunOptions, Runtime, Validation,
};
use std::sync::OnceLock;
use support::guest::words;

fn module() -> std::path::PathBuf {
    match ModuleSource::default_location() {
        Ok(ModuleSource::File(p)) => p,
        other => panic!("the FFmpeg guest module is missing: run `make guest` ({other:?})"),
    }
}

fn on(engine: Engine) -> &'static Runtime {
    static RTS: OnceLock<[Runtime; 2]> = OnceLock::new();
    let rts = RTS.get_or_init(|| {
        Engine::ALL.map(|e| {
            Runtime::builder(ModuleSource::File(module()))
                .validation(Validation::Lazy)
                .engine(e)
                .build()
                .unwrap_or_else(|err| panic!("the FFmpeg module on the {e} tier: {err}"))
        })
    });
    &rts[Engine::ALL.iter().position(|e| *e == engine).unwrap()]
}

#[test]
fn the_compiled_in_module_runs_natively_by_default() {
    let rt = Runtime::from_file(module()).unwrap();
    assert_eq!(rt.engine(), Engine::Native);
    assert_eq!(on(Engine::Interpreter).engine(), Engine::Interpreter);
    assert_eq!(on(Engine::Native).engine(), Engine::Native);
}

#[test]
fn another_module_runs_on_the_interpreter_and_native_is_a_typed_error() {
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "_start")))"#)
        .unwrap();
    let rt = Runtime::from_bytes(wasm.clone()).unwrap();
    assert_eq!(rt.engine(), Engine::Interpreter);
    let err = Runtime::builder(ModuleSource::Bytes(wasm.into()))
        .engine(Engine::Native)
        .build()
        .unwrap_err();
    match err {
        Error::NativeUnavailable {
            reason:
                NativeUnavailable::OtherModule {
                    compiled_in,
                    loaded,
                },
            ..
        } => {
            assert_eq!(compiled_in.len(), 64, "{compiled_in}");
            assert_eq!(loaded.len(), 64, "{loaded}");
            assert_ne!(compiled_in, loaded);
        }
        other => panic!("expected NativeUnavailable::OtherModule, got {other:?}"),
    }
}

/// Runs `args` on both tiers, each in a fresh filesystem with the same
/// deterministic seed; asserts the exit codes, stdout and every file written
/// are byte-identical, and returns the native tier's filesystem.
fn same_on_both(args: &[&str]) -> Filesystem {
    let opts = RunOptions::new().deterministic(7);
    let runs = Engine::ALL.map(|e| {
        let fs = Filesystem::new();
        let out = on(e)
            .run_with(&fs, args, &opts)
            .unwrap_or_else(|err| panic!("{e}: ffmpeg {args:?}: {err}"));
        assert!(out.success(), "{e}: {}", out.stderr_text());
        (fs, out)
    });
    let [(fs_i, out_i), (fs_n, out_n)] = runs;
    assert_eq!(out_i.exit_code, out_n.exit_code);
    assert_eq!(
        out_i.stdout, out_n.stdout,
        "stdout differs between the tiers"
    );
    let names = |fs: &Filesystem| {
        let mut n: Vec<String> = fs
            .read_dir("/")
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        n.sort();
        n
    };
    let files = names(&fs_i);
    assert!(!files.is_empty(), "the job wrote no file");
    assert_eq!(files, names(&fs_n), "the tiers wrote different files");
    for name in &files {
        let path = format!("/{name}");
        assert!(
            fs_i.read(&path).unwrap() == fs_n.read(&path).unwrap(),
            "{path} differs between the tiers"
        );
    }
    fs_n
}

#[test]
fn x264_and_aac_in_mp4_are_byte_identical_between_the_tiers() {
    let fs = same_on_both(&words(
        "-hide_banner -f lavfi -i testsrc2=d=1:s=320x240:r=25 -f lavfi -i sine=d=1 \
         -c:v libx264 -preset veryfast -c:a aac -b:a 64k -shortest /out.mp4",
    ));
    let info = on(Engine::Native).probe(&fs, "/out.mp4").unwrap();
    assert_eq!(info.video_streams().count(), 1);
    assert_eq!(info.audio_streams().count(), 1);
}

#[test]
fn a_filter_graph_to_mp3_and_png_frames_is_byte_identical_between_the_tiers() {
    same_on_both(&words(
        "-hide_banner -f lavfi -i testsrc=d=0.4:s=160x120:r=10 -f lavfi -i sine=d=0.4 \
         -filter_complex [0:v]scale=80:60,hflip[v] -map [v] /f%02d.png \
         -map 1:a -c:a libmp3lame /a.mp3",
    ));
}

#[test]
fn ffprobe_json_is_byte_identical_between_the_tiers() {
    let fs = Filesystem::new();
    support::guest::ffmpeg_ok(
        on(Engine::Interpreter),
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=d=0.5:s=64x48 -c:v libx264 /in.mp4"),
    );
    let args = words("-v error -show_format -show_streams -of json /in.mp4");
    let [i, n] = Engine::ALL.map(|e| on(e).ffprobe(&fs, &args).unwrap());
    assert!(i.success(), "{}", i.stderr_text());
    assert_eq!(i.stdout, n.stdout);
}
