//! The C ABI from C: `tests/c/api_test.c` (a transcode, a probe, a
//! cancelled and a stopped job, strict mode, the limits and every error
//! path), compiled with the system `cc` against the static library and run
//! under valgrind, which must report no error and no definite or indirect
//! leak.
//!
//! Needs the FFmpeg guest module (`AFMPEG_MODULE`, or where `make guest`
//! puts it) and valgrind (`make setup` installs it); fails, never skips,
//! without them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The lean FFmpeg module, or a failure that says how to get it.
fn module() -> PathBuf {
    let path = std::env::var_os("AFMPEG_MODULE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            let home = std::env::var_os("HOME")?;
            Some(Path::new(&home).join(".cache/afmpeg/guest/lean/ffmpeg.wasm"))
        })
        .expect("neither AFMPEG_MODULE nor HOME is set");
    assert!(
        path.is_file(),
        "the FFmpeg guest module {} is missing: run `make guest` first (or set AFMPEG_MODULE \
         to a module file); this test does not skip",
        path.display()
    );
    path
}

/// `target/<profile>/deps`, where cargo builds this test and, for it, the
/// crate's `libafmpeg_ffi.a`.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    exe.parent()
        .expect("the test runs from target/<profile>/deps")
        .to_owned()
}

/// Compiles the C program `source` (relative to the crate) against the
/// static library, into the test's scratch directory.
fn build_c_program(source: &str) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = deps_dir().join("libafmpeg_ffi.a");
    assert!(lib.is_file(), "{} was not built", lib.display());
    let name = Path::new(source).file_stem().expect("a file name");
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let status = Command::new("cc")
        .args([
            "-std=gnu11",
            "-g",
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I",
        ])
        .arg(crate_dir.join("include"))
        .arg(crate_dir.join(source))
        .arg(&lib)
        // What a Rust static library needs from the system on Linux
        // (`--print native-static-libs`).
        .args([
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
            "-o",
        ])
        .arg(&exe)
        .status()
        .expect("the system C compiler `cc` runs");
    assert!(status.success(), "cc failed to build {source}");
    exe
}

/// The example of docs/reference/c-api.md: the page shows the file as it
/// is, and it builds and transcodes.
#[test]
fn the_reference_page_example_compiles_and_runs() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(crate_dir.join("examples/transcode.c")).unwrap();
    let page = std::fs::read_to_string(crate_dir.join("../docs/reference/c-api.md")).unwrap();
    assert!(
        page.contains(&format!("```c\n{example}```")),
        "docs/reference/c-api.md does not show ffi/examples/transcode.c as it is"
    );
    let exe = build_c_program("examples/transcode.c");
    let out = Command::new(&exe).arg(module()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the example failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("/out.mp4: "), "{stdout}");
    assert!(stdout.contains("\"codec_name\": \"h264\""), "{stdout}");
    assert!(stdout.contains("\"width\": 64"), "{stdout}");
}

#[test]
fn c_program_passes_under_valgrind_without_errors_or_leaks() {
    let module = module();
    let exe = build_c_program("tests/c/api_test.c");
    let suppressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valgrind.supp");
    let out = Command::new("valgrind")
        .args([
            "--error-exitcode=1",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
        ])
        .arg(format!("--suppressions={}", suppressions.display()))
        .arg(&exe)
        .arg(&module)
        .output()
        .expect("valgrind runs (install it with `make setup`, or apt-get install valgrind)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the C test failed under valgrind ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let summary = stdout.lines().last().unwrap_or_default().trim().to_owned();
    assert!(
        summary.ends_with(" passed, 0 failed") && !summary.starts_with("0 "),
        "unexpected summary {summary:?}"
    );
    assert!(
        stderr.contains("ERROR SUMMARY: 0 errors from 0 contexts"),
        "valgrind found errors:\n{stderr}"
    );
}
