//! When function bodies are validated (`Validation`): eagerly at load by
//! default, or lazily at their first call. A body found invalid lazily ends
//! the run that calls it with a typed `Error::InvalidModule`, never a panic.

use afmpeg::wasi_shim::stdio::{Capture, Output};
use afmpeg::wasi_shim::WasiCtx;
use afmpeg::{Error, ExecLimits, ModuleSource, Runtime, Validation};
use std::sync::Arc;

/// Writes "hello\n" to stdout, then (when `call_bad`) calls `$bad`, whose
/// body returns an i64 where its type says i32: invalid, but only the code
/// section says so.
fn module(call_bad: bool) -> Arc<[u8]> {
    let call = if call_bad { "(drop (call $bad))" } else { "" };
    let wat = format!(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\10\00\00\00\06\00\00\00")
          (data (i32.const 16) "hello\n")
          (func $bad (result i32) i64.const 1)
          (func (export "_start")
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            {call}))"#
    );
    wat::parse_str(wat).expect("wat").into()
}

fn lazy(bytes: Arc<[u8]>) -> Runtime {
    Runtime::builder(ModuleSource::Bytes(bytes))
        .validation(Validation::Lazy)
        .build()
        .expect("lazy validation loads a module whose only fault is in a body")
}

/// Runs `_start`; returns the result and what the guest wrote to stdout.
fn run(rt: &Runtime) -> (afmpeg::Result<afmpeg::Exit>, Vec<u8>) {
    let out = Capture::with_cap(1 << 16);
    let ctx = WasiCtx::builder()
        .stdout(Output::Capture(out.clone()))
        .build()
        .unwrap();
    let (exit, _ctx) = rt.run_wasi(ctx, &ExecLimits::default());
    (exit, out.contents())
}

#[test]
fn eager_validation_refuses_an_invalid_body_at_load() {
    for bytes in [module(true), module(false)] {
        let e = Runtime::new(ModuleSource::Bytes(bytes.clone())).unwrap_err();
        match e {
            Error::InvalidModule { origin, reason } => {
                assert_eq!(origin, format!("<{} bytes in memory>", bytes.len()));
                assert!(reason.contains("type mismatch"), "{reason}");
            }
            other => panic!("expected InvalidModule, got {other:?}"),
        }
        let e = Runtime::builder(ModuleSource::Bytes(bytes))
            .validation(Validation::Eager)
            .build()
            .unwrap_err();
        assert!(matches!(e, Error::InvalidModule { .. }), "{e:?}");
    }
}

#[test]
fn lazy_validation_finds_an_invalid_body_at_its_first_call() {
    let bytes = module(true);
    let rt = lazy(bytes.clone());
    let (exit, stdout) = run(&rt);
    // The guest ran up to the call: what it wrote before is there.
    assert_eq!(stdout, b"hello\n");
    match exit {
        Err(Error::InvalidModule { origin, reason }) => {
            assert_eq!(origin, format!("<{} bytes in memory>", bytes.len()));
            assert!(
                reason.starts_with("invalid function body found at its first call: "),
                "{reason}"
            );
            assert!(reason.contains("type mismatch"), "{reason}");
        }
        other => panic!("expected InvalidModule, got {other:?}"),
    }
    // wasmi remembers the failure: a later run on the same runtime gets the
    // same typed error (not a trap, not a panic).
    let (exit, stdout) = run(&rt);
    assert_eq!(stdout, b"hello\n");
    assert!(
        matches!(&exit, Err(Error::InvalidModule { reason, .. }) if reason.contains("first call")),
        "{exit:?}"
    );
}

#[test]
fn lazy_validation_runs_a_module_whose_invalid_body_is_never_called() {
    let rt = lazy(module(false));
    let (exit, stdout) = run(&rt);
    let exit = exit.expect("the invalid body is never called");
    assert_eq!((exit.code, exit.signal), (0, None));
    assert_eq!(exit.guest_memory, 64 * 1024, "one page, never grown");
    assert_eq!(stdout, b"hello\n");
}

#[test]
fn default_validation_is_lazy_only_for_pinned_urls() {
    let bytes = ModuleSource::Bytes(module(false));
    assert_eq!(Validation::default_for(&bytes), Validation::Eager);
    let file = ModuleSource::File("ffmpeg.wasm".into());
    assert_eq!(Validation::default_for(&file), Validation::Eager);
    let url = ModuleSource::url("http://127.0.0.1:9/m.wasm", &"ab".repeat(32)).unwrap();
    assert_eq!(Validation::default_for(&url), Validation::Lazy);
}

#[test]
fn the_default_location_module_is_validated_lazily() {
    // The only test of this binary that reads AFMPEG_MODULE.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ffmpeg.wasm");
    std::fs::write(&path, module(false)).unwrap();
    std::env::set_var("AFMPEG_MODULE", &path);
    // Eager validation would refuse this module at load.
    let rt = Runtime::from_default_location().expect("loads lazily");
    let (exit, stdout) = run(&rt);
    assert_eq!(exit.expect("runs").code, 0);
    assert_eq!(stdout, b"hello\n");
}

/// Throws and catches with the exception-handling proposal's `try_table`
/// (what LLVM's `-fwasm-exceptions` emits today).
const TRY_TABLE: &str = r#"(module
  (tag $e (param i32))
  (memory (export "memory") 1)
  (func (export "_start")
    (block $h (result i32)
      (try_table (catch $e $h)
        (throw $e (i32.const 1)))
      (i32.const 0))
    drop))"#;

/// The same with the legacy `try`/`catch` instructions.
const LEGACY_TRY: &str = r#"(module
  (tag $e (param i32))
  (memory (export "memory") 1)
  (func (export "_start")
    try
      i32.const 1
      throw $e
    catch $e
      drop
    end))"#;

#[test]
fn exception_handling_is_refused_naming_the_proposal() {
    for (what, wat) in [("try_table", TRY_TABLE), ("legacy try", LEGACY_TRY)] {
        let bytes: Arc<[u8]> = wat::parse_str(wat).expect("wat").into();
        for validation in [Validation::Eager, Validation::Lazy] {
            let e = Runtime::builder(ModuleSource::Bytes(bytes.clone()))
                .validation(validation)
                .build()
                .unwrap_err();
            match &e {
                Error::UnsupportedFeature {
                    origin,
                    feature,
                    used_by,
                    ..
                } => {
                    assert_eq!(
                        origin,
                        &format!("<{} bytes in memory>", bytes.len()),
                        "{what}"
                    );
                    assert_eq!(*feature, "exception-handling", "{what}");
                    // The tag section comes before the code.
                    assert_eq!(used_by, "a tag section", "{what}");
                }
                other => panic!("{what}: expected UnsupportedFeature, got {other:?}"),
            }
            let msg = e.to_string();
            assert!(
                msg.contains("exception-handling") && msg.contains("wasmtime"),
                "{what}: {msg}"
            );
        }
    }
}

/// Without a tag, the instructions themselves name the proposal (a module
/// that only rethrows what a callee threw has none of its own).
#[test]
fn exception_instruction_without_a_tag_is_named() {
    let wat = r#"(module
      (func (export "_start")
        try
          nop
        catch_all
        end))"#;
    let bytes: Arc<[u8]> = wat::parse_str(wat).expect("wat").into();
    let e = Runtime::new(ModuleSource::Bytes(bytes)).unwrap_err();
    match e {
        Error::UnsupportedFeature {
            feature, used_by, ..
        } => {
            assert_eq!(feature, "exception-handling");
            assert_eq!(used_by, "the `try` instruction");
        }
        other => panic!("expected UnsupportedFeature, got {other:?}"),
    }
}
