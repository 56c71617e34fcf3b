//! The wasi-testsuite runtime adapter (tests/wasi/testsuite-adapter/afmpeg.py):
//! the command lines it builds for the suite's runner, loaded as the runner
//! loads it (a Python module), and the version it reports.
//!
//! Needs python3 (`scripts/setup-debian.sh` installs it).

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_afmpeg");

fn adapter() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/wasi/testsuite-adapter/afmpeg.py")
}

/// Runs `script` in python3 with the adapter loaded as `adapter`, the way the
/// runner's `importlib` does, and returns its stdout.
fn python(script: &str, env: &[(&str, &str)]) -> String {
    let prelude = format!(
        "import importlib.util, json\n\
         spec = importlib.util.spec_from_file_location('afmpeg', {:?})\n\
         adapter = importlib.util.module_from_spec(spec)\n\
         spec.loader.exec_module(adapter)\n",
        adapter().display().to_string()
    );
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(format!("{prelude}{script}"));
    for key in ["ERRNO_MODE_UNIX", "ERRNO_MODE_MACOS", "ERRNO_MODE_WINDOWS"] {
        cmd.env_remove(key);
    }
    cmd.env("AFMPEG", BIN);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run python3 ({e}): install it with `sudo apt-get install python3`")
    });
    assert!(
        out.status.success(),
        "python3 failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The argv the adapter builds for a test at `path` (one JSON list per line).
fn argv_for(path: &str, errno_mode_unix: bool) -> Vec<String> {
    let script = format!(
        "print(json.dumps(adapter.compute_argv({path:?}, (['arg 1'], {{'a': 'b'}}, \
         [('/host/fs-tests.dir', '/')]), [], 'wasm32-wasip1')))"
    );
    let env: &[(&str, &str)] = if errno_mode_unix {
        &[("ERRNO_MODE_UNIX", "1")]
    } else {
        &[]
    };
    serde_json::from_str(&python(&script, env))
        .expect("the adapter's argv is a JSON list of strings")
}

fn expected(path: &str, with_errno_mode: bool) -> Vec<String> {
    let mut v = vec![BIN, "run", "--env", "a=b"];
    if with_errno_mode {
        v.extend(["--env", "ERRNO_MODE_UNIX=1"]);
    }
    v.extend(["--dir", "/host/fs-tests.dir::/", path, "arg 1"]);
    v.into_iter().map(str::to_string).collect()
}

const RUST_TEST: &str = "/suite/tests/rust/testsuite/wasm32-wasip1/fd_readdir.wasm";
const AS_TEST: &str =
    "/suite/tests/assemblyscript/testsuite/wasm32-wasip1/environ_sizes_get-no-variables.wasm";
const C_TEST: &str = "/suite/tests/c/testsuite/wasm32-wasip1/lseek.wasm";

#[test]
fn normal_mode_passes_only_the_tests_own_environment() {
    for path in [RUST_TEST, AS_TEST, C_TEST] {
        assert_eq!(argv_for(path, false), expected(path, false), "{path}");
    }
}

#[test]
fn strict_mode_reaches_the_rust_suite() {
    assert_eq!(argv_for(RUST_TEST, true), expected(RUST_TEST, true));
    // A layout that names no suite is taken for a Rust test: strict mode is
    // never silently dropped.
    let elsewhere = "/elsewhere/fd_readdir.wasm";
    assert_eq!(argv_for(elsewhere, true), expected(elsewhere, true));
}

/// The AssemblyScript environ tests assert the exact environment
/// (`environ_sizes_get-no-variables` expects none), and the C suite never
/// reads ERRNO_MODE_UNIX: it must not be added to their environment.
#[test]
fn strict_mode_leaves_the_c_and_assemblyscript_environments_exact() {
    assert_eq!(argv_for(AS_TEST, true), expected(AS_TEST, false));
    assert_eq!(argv_for(C_TEST, true), expected(C_TEST, false));
}

/// The runner first runs the adapter as a script and treats any output as the
/// mark of a legacy adapter; then it asks the module for its version.
#[test]
fn loads_as_a_module_and_reports_the_version() {
    let out = Command::new("python3")
        .arg(adapter())
        .arg("--version")
        .env("AFMPEG", BIN)
        .output()
        .expect("run python3");
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let version = python(
        "print(adapter.get_name(), adapter.get_version(), adapter.get_wasi_versions())",
        &[],
    );
    assert_eq!(
        version.trim(),
        format!("afmpeg {} ['wasm32-wasip1']", env!("CARGO_PKG_VERSION"))
    );
}
