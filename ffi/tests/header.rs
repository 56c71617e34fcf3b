//! The checked-in header, `include/afmpeg.h`, is what cbindgen makes of
//! the crate now: this test fails when it is stale. `make ffi-header`
//! (this test with `AFMPEG_WRITE_HEADER=1`) rewrites it.

use std::path::Path;

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
