//! The checked-in header, `include/afmpeg.h`, is what cbindgen makes of
//! the crate now: this test fails when it is stale. `make ffi-header`
//! (this test with `AFMPEG_WRITE_HEADER=1`) rewrites it. And the header
//! compiles on its own as C99 and as C++17.

use std::path::Path;
use std::process::Command;

#[test]
fn checked_in_header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("ffi/cbindgen.toml");
    // From the sources alone (`with_src` follows `mod` items): no `cargo
    // metadata` run inside a test.
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = dir.join("include/afmpeg.h");
    if std::env::var_os("AFMPEG_WRITE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write ffi/include/afmpeg.h");
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "ffi/include/afmpeg.h is stale: run `make ffi-header` and commit it"
    );
}

/// The header is valid C99 and C++17 on its own, warnings as errors: what
/// a C caller, an Objective-C++ file or a JNI bridge includes.
#[test]
fn header_compiles_as_c_and_cpp() {
    let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/afmpeg.h");
    for (compiler, args) in [
        ("cc", ["-std=c99", "-pedantic", "-x", "c"]),
        ("c++", ["-std=c++17", "-pedantic", "-x", "c++"]),
    ] {
        let out = Command::new(compiler)
            .args(["-fsyntax-only", "-Wall", "-Wextra", "-Werror"])
            .args(args)
            .arg(&header)
            .output()
            .unwrap_or_else(|e| panic!("the system compiler `{compiler}` runs: {e}"));
        assert!(
            out.status.success(),
            "{compiler} refuses ffi/include/afmpeg.h:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
