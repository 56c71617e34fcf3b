//! `afmpeg run --invoke FUNC [ARGS...]`: an export called with typed
//! arguments, its results printed one per line as `wasmtime run --invoke`
//! prints them, and a clear error (exit 125, the guest not run) for a
//! missing export, a wrong argument count or a literal of the wrong type.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");

const MODULE: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello\n")
  (func (export "_start") (unreachable))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "mix") (param i64 f32 f64) (result i64 f32 f64)
    (i64.mul (local.get 0) (i64.const 2))
    (f32.div (local.get 1) (f32.const 2))
    (f64.neg (local.get 2)))
  (func (export "greet")
    (i32.store (i32.const 16) (i32.const 64))
    (i32.store (i32.const 20) (i32.const 6))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func (export "leave") (param i32) (result i32)
    (call $exit (local.get 0))
    (i32.const 99))
  (func (export "crash") (result i32) (unreachable))
  (func (export "takes_ref") (param externref))
  (global (export "answer") i32 (i32.const 42)))"#;

fn invoke(func: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("m.wasm");
    std::fs::write(&wasm, wat::parse_str(MODULE).unwrap()).unwrap();
    Command::new(BIN)
        .args(["run", "--engine", "interpreter", "--invoke", func])
        .arg(&wasm)
        .args(args)
        .env_clear()
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn the_result_is_printed() {
    let o = invoke("add", &["2", "40"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "42\n");
}

#[test]
fn negative_and_hex_integers_are_read() {
    let o = invoke("add", &["-7", "0x10"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "9\n");
}

#[test]
fn each_result_of_each_type_gets_a_line() {
    let o = invoke("mix", &["-21", "3", "0.25"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "-42\n1.5\n-0.25\n");
}

#[test]
fn a_function_without_results_prints_only_its_own_output() {
    let o = invoke("greet", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "hello\n");
}

#[test]
fn proc_exit_inside_the_function_is_the_exit_code() {
    let o = invoke("leave", &["3"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_trap_is_abnormal() {
    let o = invoke("crash", &[]);
    assert_eq!(o.status.code(), Some(134));
    assert!(stderr(&o).contains("unreachable"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_missing_export_is_named() {
    let o = invoke("nope", &[]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        "afmpeg: the module exports no function `nope`\n"
    );
}

#[test]
fn an_export_that_is_not_a_function_is_refused() {
    let o = invoke("answer", &[]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        "afmpeg: the module exports no function `answer`\n"
    );
}

#[test]
fn the_wrong_argument_count_is_refused() {
    let o = invoke("add", &["1"]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        "afmpeg: `add` takes 2 argument(s) (i32, i32), 1 given\n"
    );
    let o = invoke("greet", &["extra"]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        "afmpeg: `greet` takes 0 argument(s) (), 1 given\n"
    );
    assert_eq!(stdout(&o), "", "the guest must not run");
}

#[test]
fn a_literal_of_the_wrong_type_is_refused() {
    let o = invoke("add", &["1", "2.5"]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        "afmpeg: argument 2 of `add`: `2.5` is not an i32\n"
    );
    let o = invoke("add", &["1", "4294967296"]);
    assert_eq!(
        stderr(&o),
        "afmpeg: argument 2 of `add`: `4294967296` is not an i32\n"
    );
}

#[test]
fn a_reference_parameter_is_refused() {
    let o = invoke("takes_ref", &[]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        stderr(&o),
        "afmpeg: `takes_ref` takes or returns externref: only i32, i64, f32 and f64 can be given or printed\n"
    );
}
