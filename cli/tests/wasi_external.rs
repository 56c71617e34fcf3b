//! Go's and Zig's own file-system tests as WASI conformance tests, under
//! `afmpeg run` and under the reference (wasmi + wasi-common): every test
//! that passes under the reference must pass under afmpeg.
//!
//! The short subset runs in `make test`: Go's `os` TestRoot* (os.Root opens
//! its directory read-only and creates files through it) and the Zig
//! scenario program. `make test-wasi-external` runs the `full` test: all ten
//! Go packages and the Zig scenarios, printing the figures table of
//! docs/reference/wasi.md.
//!
//! Needs the toolchains of `scripts/setup-wasi-toolchains.sh` (part of
//! `make setup`); a missing one fails with that instruction.

#[path = "support/external.rs"]
mod external;
use external::*;

/// The Go packages of the full run.
#[cfg(feature = "wasi-external-tests")]
const GO_PACKAGES: &[&str] = &[
    "os",
    "io/fs",
    "path/filepath",
    "io/ioutil",
    "testing/fstest",
    "syscall",
    "time",
    "archive/tar",
    "archive/zip",
    "compress/gzip",
];

fn assert_no_regressions(c: &Comparison) {
    assert!(
        !c.reference.is_empty() && !c.afmpeg.is_empty(),
        "{}: a runner reported no tests (see the stderr above)",
        c.name
    );
    assert!(
        c.regressions.is_empty(),
        "{}: {} test(s) pass under the reference but not under afmpeg run: {:?}",
        c.name,
        c.regressions.len(),
        c.regressions
    );
}

#[test]
fn go_os_root() {
    let tc = toolchains();
    let wasm = go_test_binary(&tc, "os");
    let setup = go_setup(&tc, "os", &["-test.run", "^TestRoot"]);
    let c = compare("os TestRoot*", &wasm, &setup, parse_go);
    println!("{}", c.row());
    assert_no_regressions(&c);
    // What issue #17 found failing (EPERM from O_TRUNC through a directory
    // Go opened read-only) passes, under both runners.
    for name in [
        "TestRootCreate",
        "TestRootWriteReadFile",
        "TestRootName",
        "TestRootMultiCreate",
        "TestRootMultiMkdir",
    ] {
        for (runner, verdicts) in [("afmpeg", &c.afmpeg), ("reference", &c.reference)] {
            assert_eq!(
                verdicts.get(name),
                Some(&Verdict::Pass),
                "{name} under {runner}"
            );
        }
    }
    assert!(
        c.afmpeg.keys().all(|k| k.starts_with("TestRoot")),
        "-test.run selected only TestRoot*"
    );
}

#[test]
fn zig_fs_scenarios() {
    let tc = toolchains();
    let wasm = zig_scenarios_binary(&tc);
    let setup = zig_setup();
    let c = compare("zig fs_scenarios", &wasm, &setup, parse_checks);
    println!("{}", c.row());
    assert_no_regressions(&c);
    // Our own scenarios: every one of them passes under afmpeg, and every
    // one the source declares reported.
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi/zig/fs_scenarios.zig"),
    )
    .unwrap();
    let declared: Vec<&str> = src
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".{ \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(
        declared.len() >= 12,
        "scenario table not found: {declared:?}"
    );
    for name in &declared {
        assert_eq!(
            c.afmpeg.get(*name),
            Some(&Verdict::Pass),
            "scenario {name} under afmpeg"
        );
    }
    assert_eq!(c.afmpeg.len(), declared.len(), "{:?}", c.afmpeg);
}

/// The Zig scenario program works in a writable `/work` directory.
fn zig_setup() -> Setup {
    Setup {
        dirs: vec![(None, "/work".into())],
        env: vec![],
        args: vec![],
    }
}

/// The long run of `make test-wasi-external` (all ten Go packages): a
/// feature, so `cargo test` neither runs nor lists it as skipped.
#[cfg(feature = "wasi-external-tests")]
#[test]
fn full() {
    let tc = toolchains();
    let mut rows = vec![
        "| program | afmpeg pass / reported | reference pass / reported | afmpeg wall | reference wall | reference / afmpeg |".to_owned(),
        "| --- | --- | --- | --- | --- | --- |".to_owned(),
    ];
    let mut failures = Vec::new();
    let (mut ours, mut theirs) = (0.0, 0.0);
    let mut comparisons = Vec::new();
    for pkg in GO_PACKAGES {
        let wasm = go_test_binary(&tc, pkg);
        comparisons.push(compare(pkg, &wasm, &go_setup(&tc, pkg, &[]), parse_go));
    }
    let wasm = zig_scenarios_binary(&tc);
    comparisons.push(compare(
        "zig fs_scenarios",
        &wasm,
        &zig_setup(),
        parse_checks,
    ));
    for c in &comparisons {
        rows.push(c.row());
        ours += c.afmpeg_wall.as_secs_f64();
        theirs += c.reference_wall.as_secs_f64();
        if !c.improvements.is_empty() {
            println!("{}: pass under afmpeg only: {:?}", c.name, c.improvements);
        }
        if !c.regressions.is_empty() {
            failures.push(format!("{}: {:?}", c.name, c.regressions));
        }
    }
    rows.push(format!(
        "| total | | | {ours:.1} s | {theirs:.1} s | {:.2} |",
        theirs / ours
    ));
    println!(
        "Go {} / Zig {}\n{}",
        tc.go_version,
        tc.zig_version,
        rows.join("\n")
    );
    assert!(
        failures.is_empty(),
        "tests passing under the reference but not under afmpeg run:\n{}",
        failures.join("\n")
    );
}
