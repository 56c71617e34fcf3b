//! WASI preview1 conformance programs (tests/wasi/c, tests/wasi/wat) run
//! under `afmpeg run` and in process on each backend of wasi-shim (memory,
//! host directory, overlay: `BACKENDS`), one #[test] per program. Each program prints
//! `ok NAME` / `FAIL NAME: detail` per check and `done N F`; the test asserts
//! exit 0, no FAIL and every check of the source reported.
//!
//! Needs clang-19 + Debian's wasi-libc (see tests/support/wasi_programs.rs).

mod support;
use support::wasi_programs;
use wasi_programs::*;

fn run_program(name: &str) {
    let wasm = wasm_for(name);
    let spec = spec_for(name);
    assert_conformance(name, "afmpeg run", &run_afmpeg(&wasm, &fixture(), &spec));
    // The same program with each backend of wasi-shim behind the preopens.
    for backend in BACKENDS {
        let out = run_in_process(&wasm, &fixture(), &spec, backend);
        let by_design = backend_divergence(name, Some(backend));
        assert_conformance_except(name, &format!("{backend:?} backend"), &out, by_design);
    }
    // (No "host unchanged" check here: without --write-back nothing is ever
    // exported, so it could not fail. tests/cli_run.rs checks that with a
    // guest that writes, and tests/wasi_escape.rs runs with --write-back.)
}

macro_rules! programs {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { run_program(stringify!($name)); } )*
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

programs! {
    // C
    append, args_environ, clocks, dir_fds, escape_fds, escape_paths, fd_readdir, fdflags_sync,
    fdstat_rights, filestat_times, fixture_import, hardlink, mkdir_trailing, path_open,
    poll_oneoff, pread_pwrite, preopen_renumber, random, readdir_mutation, readdir_telldir, rename,
    rights_open_mode, seek, sock_stdio, symlink_loops, symlinks, truncate_allocate, unlink_open,
    unlink_rmdir,
    // WAT
    all_imports, bad_enums, efault,
}

/// Every program in tests/wasi/{c,wat} is listed above (or handled below).
#[test]
fn every_program_is_listed() {
    let special = [
        "proc_exit",
        "trap",
        "writeback_escape",
        "writeback_diff",
        "writeback_swap",
    ];
    for (name, _) in all_programs() {
        assert!(
            LISTED.contains(&name.as_str()) || special.contains(&name.as_str()),
            "tests/wasi program `{name}` is not listed in tests/wasi_conformance.rs"
        );
    }
}

/// proc_exit codes, `return N` from main, and `_start` returning normally.
#[test]
fn proc_exit() {
    let wasm = wasm_for("proc_exit");
    let cases: &[(&[&str], i32, &str)] = &[
        (&[], 0, "ok before_deep_exit"),
        (&["exit", "0"], 0, "ok before_exit"),
        (&["exit", "1"], 1, "ok before_exit"),
        (&["exit", "42"], 42, "ok before_exit"),
        (&["exit", "125"], 125, "ok before_exit"),
        (&["return", "0"], 0, "ok before_return"),
        (&["return", "7"], 7, "ok before_return"),
    ];
    for (args, code, line) in cases {
        let fx = fixture();
        let spec = RunSpec {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![],
        };
        let out = run_afmpeg(&wasm, &fx, &spec);
        assert_eq!(
            out.code,
            *code,
            "proc_exit {args:?}\n{}",
            describe("afmpeg run", &out)
        );
        assert!(
            out.stdout.lines().any(|l| l == *line),
            "proc_exit {args:?}: missing `{line}`\n{}",
            describe("afmpeg run", &out)
        );
        assert!(
            !out.stdout.contains("FAIL"),
            "proc_exit {args:?}\n{}",
            describe("afmpeg run", &out)
        );
    }
}

/// A trap exits with 134 and one line on stderr; output before it is kept.
#[test]
fn trap() {
    let fx = fixture();
    let out = run_afmpeg(&wasm_for("trap"), &fx, &RunSpec::default());
    assert_eq!(out.code, 134, "{}", describe("afmpeg run", &out));
    assert_eq!(
        out.stdout,
        "before trap\n",
        "{}",
        describe("afmpeg run", &out)
    );
    assert_eq!(
        out.stderr.trim_end().lines().count(),
        1,
        "one-line trap message expected\n{}",
        describe("afmpeg run", &out)
    );
}
