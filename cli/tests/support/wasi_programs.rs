//! Shared helpers for the WASI conformance, differential and escape suites.
//!
//! * Builds the C programs of `tests/wasi/c/` with clang-19 for wasm32-wasi
//!   (Debian's wasi-libc) into `target/wasi-programs/`, cached by a hash of
//!   the sources and the compiler flags; WAT programs of `tests/wasi/wat/` are
//!   assembled with the `wat` crate.
//! * Creates the standard fixture (a preopened `sandbox/`, a second preopen
//!   `other/`, and a sentinel file outside both).
//! * Runs a program under `afmpeg run` (the system under test) or under
//!   wasmi + wasmi_wasi (wasi-common, the reference oracle) over a real
//!   directory.
//!
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Compiler used for the C programs (override with `WASI_CLANG`).
pub const DEFAULT_CLANG: &str = "clang-19";
/// Flags, part of the cache key.
pub const CFLAGS: &[&str] = &[
    "--target=wasm32-wasi",
    "-O2",
    "-Wall",
    "-Wno-unused-function",
];

/// Guest names of the two preopens: `/sandbox` is fd 3, `/other` is fd 4.
pub const SANDBOX_GUEST: &str = "/sandbox";
pub const OTHER_GUEST: &str = "/other";
pub const OUTSIDE_SENTINEL: &str = "OUTSIDE-SENTINEL\n";
pub const OTHER_SECRET: &str = "OTHER-SECRET\n";

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn wasi_dir() -> PathBuf {
    manifest_dir().join("tests").join("wasi")
}

/// `target/wasi-programs/` (next to `target/tmp`, which is CARGO_TARGET_TMPDIR).
pub fn programs_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .map(|p| p.join("wasi-programs"))
        .unwrap_or_else(|| tmp.join("wasi-programs"));
    fs::create_dir_all(&dir).expect("create target/wasi-programs");
    dir
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    C,
    Wat,
}

/// All programs (`c/NAME.c`, `wat/NAME.wat`), sorted by name.
pub fn all_programs() -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    for (sub, ext, kind) in [("c", "c", Kind::C), ("wat", "wat", Kind::Wat)] {
        let dir = wasi_dir().join(sub);
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) == Some(ext) {
                out.push((
                    path.file_stem().unwrap().to_str().unwrap().to_string(),
                    kind,
                ));
            }
        }
    }
    out.sort();
    out
}

pub fn kind_of(name: &str) -> Kind {
    if wasi_dir().join("c").join(format!("{name}.c")).exists() {
        Kind::C
    } else if wasi_dir().join("wat").join(format!("{name}.wat")).exists() {
        Kind::Wat
    } else {
        panic!("no program named {name} in tests/wasi/c or tests/wasi/wat")
    }
}

pub fn source_path(name: &str) -> PathBuf {
    match kind_of(name) {
        Kind::C => wasi_dir().join("c").join(format!("{name}.c")),
        Kind::Wat => wasi_dir().join("wat").join(format!("{name}.wat")),
    }
}

/// FNV-1a 64: a stable content hash for the build cache.
fn fnv64(chunks: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for c in chunks {
        for b in c.iter() {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn clang() -> String {
    std::env::var("WASI_CLANG").unwrap_or_else(|_| DEFAULT_CLANG.to_string())
}

const INSTALL_HINT: &str =
    "the WASI conformance programs need clang-19 and Debian's wasi-libc. Install them with\n\
     \n    sudo apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32\n\n\
     (Debian 12: from bookworm-backports or the LLVM apt repository; Debian 13 has them in main), \
     or point WASI_CLANG at another clang able to target wasm32-wasi.";

/// A private sysroot made of symlinks to Debian's multiarch wasi-libc
/// (Debian has no /usr/share/wasi-sysroot).
fn sysroot() -> PathBuf {
    let root = programs_dir().join("sysroot");
    for (sub, target) in [
        ("include", "/usr/include/wasm32-wasi"),
        ("lib", "/usr/lib/wasm32-wasi"),
    ] {
        let dir = root.join(sub);
        fs::create_dir_all(&dir).unwrap();
        let link = dir.join("wasm32-wasi");
        if fs::symlink_metadata(&link).is_err() {
            if !Path::new(target).exists() {
                panic!("{target} is missing: {INSTALL_HINT}");
            }
            // Another test thread may win the race; that is fine.
            let _ = std::os::unix::fs::symlink(target, &link);
        }
    }
    root
}

/// Build (or fetch from the cache) the wasm module of a program.
pub fn wasm_for(name: &str) -> PathBuf {
    match kind_of(name) {
        Kind::C => compile_c(name),
        Kind::Wat => compile_wat(name),
    }
}

/// A temporary file name unique to this thread: the tests of one binary
/// run on several threads and may build the same program at once (two
/// writers of one temporary file left one of them renaming a file the other
/// had already moved, or reading a half-written module).
fn tmp_name(name: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{name}.wasm.tmp{}-{n}", std::process::id())
}

pub fn compile_c(name: &str) -> PathBuf {
    let src = wasi_dir().join("c").join(format!("{name}.c"));
    let header = wasi_dir().join("c").join("common.h");
    let src_bytes = fs::read(&src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
    let hdr_bytes = fs::read(&header).unwrap();
    let cc = clang();
    let flags = CFLAGS.join(" ");
    let key = fnv64(&[&src_bytes, &hdr_bytes, cc.as_bytes(), flags.as_bytes()]);
    let cache_dir = programs_dir().join(format!("{name}-{key:016x}"));
    // The module is named NAME.wasm so that argv[0] is "NAME.wasm".
    let out = cache_dir.join(format!("{name}.wasm"));
    if out.exists() {
        return out;
    }
    fs::create_dir_all(&cache_dir).unwrap();
    let tmp_out = cache_dir.join(tmp_name(name));
    let sysroot = sysroot();
    let result = Command::new(&cc)
        .args(CFLAGS)
        .arg(format!("--sysroot={}", sysroot.display()))
        .arg("-I")
        .arg(wasi_dir().join("c"))
        .arg(&src)
        .arg("-o")
        .arg(&tmp_out)
        .output();
    let output = match result {
        Ok(o) => o,
        Err(e) => panic!("cannot run `{cc}` ({e}): {INSTALL_HINT}"),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("cannot find")
            || stderr.contains("not found")
            || stderr.contains("No such file")
        {
            panic!(
                "compiling {} failed:\n{stderr}\n{INSTALL_HINT}",
                src.display()
            );
        }
        panic!("compiling {} failed:\n{stderr}", src.display());
    }
    fs::rename(&tmp_out, &out).unwrap();
    out
}

pub fn compile_wat(name: &str) -> PathBuf {
    let src = wasi_dir().join("wat").join(format!("{name}.wat"));
    let text = fs::read(&src).unwrap();
    let key = fnv64(&[&text, b"wat"]);
    let cache_dir = programs_dir().join(format!("{name}-{key:016x}"));
    let out = cache_dir.join(format!("{name}.wasm"));
    if out.exists() {
        return out;
    }
    fs::create_dir_all(&cache_dir).unwrap();
    let bytes =
        wat::parse_file(&src).unwrap_or_else(|e| panic!("assembling {}: {e}", src.display()));
    let tmp_out = cache_dir.join(tmp_name(name));
    fs::write(&tmp_out, bytes).unwrap();
    fs::rename(&tmp_out, &out).unwrap();
    out
}

/// Names of the checks of a C program: the string literal that starts the
/// argument list of every `EXPECT_*(` / `CHECK*(` macro use.
pub fn check_names(name: &str) -> Vec<String> {
    let text = fs::read_to_string(source_path(name)).unwrap();
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if (rest.starts_with("EXPECT_") || rest.starts_with("CHECK"))
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            let ident_len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            let after = rest[ident_len..].trim_start();
            if let Some(args) = after.strip_prefix('(') {
                let args = args.trim_start();
                if let Some(lit) = args.strip_prefix('"') {
                    if let Some(end) = lit.find('"') {
                        let n = lit[..end].to_string();
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                }
            }
            i += ident_len.max(1);
        } else {
            i += rest.chars().next().map(|c| c.len_utf8()).unwrap_or(1);
        }
    }
    // The macro definitions themselves are in common.h, not here.
    names
}

/// For a WAT program that failed with `code`, the `;; check N: ...` comment.
pub fn wat_check_description(name: &str, code: i32) -> String {
    let text = fs::read_to_string(source_path(name)).unwrap_or_default();
    let tag = format!(";; check {code}:");
    text.lines()
        .find(|l| l.trim_start().starts_with(&tag))
        .map(|l| l.trim().to_string())
        .unwrap_or_else(|| format!("(no `{tag}` comment in the source)"))
}

// ---------------------------------------------------------------------------
// Fixture

/// Layout (all inside one temp dir):
/// ```text
/// outside_sentinel.txt        never reachable by the guest
/// sandbox/                    preopen "/sandbox" (fd 3)
///   hello.txt                 "hello world\n"
///   subdir/inner.txt          "inner\n"
///   subdir/deeper/leaf.txt    "leaf\n"
///   empty_dir/
/// other/                      preopen "/other" (fd 4)
///   secret.txt                "OTHER-SECRET\n"
/// ```
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub sandbox: PathBuf,
    pub other: PathBuf,
}

pub fn fixture() -> Fixture {
    let tmp = tempfile::Builder::new()
        .prefix("afmpeg-wasi-")
        .tempdir()
        .unwrap();
    let root = tmp.path().to_path_buf();
    let sandbox = root.join("sandbox");
    let other = root.join("other");
    fs::create_dir_all(sandbox.join("subdir").join("deeper")).unwrap();
    fs::create_dir_all(sandbox.join("empty_dir")).unwrap();
    fs::create_dir_all(&other).unwrap();
    fs::write(root.join("outside_sentinel.txt"), OUTSIDE_SENTINEL).unwrap();
    fs::write(sandbox.join("hello.txt"), "hello world\n").unwrap();
    fs::write(sandbox.join("subdir").join("inner.txt"), "inner\n").unwrap();
    fs::write(
        sandbox.join("subdir").join("deeper").join("leaf.txt"),
        "leaf\n",
    )
    .unwrap();
    fs::write(other.join("secret.txt"), OTHER_SECRET).unwrap();
    // Links to absolute paths, which a guest cannot create (EPERM) but an
    // imported tree can hold: the escape programs check that following
    // them is refused. (On the host they dangle harmlessly.)
    let abs = sandbox.join("abs_links");
    fs::create_dir(&abs).unwrap();
    for (name, target) in [
        ("outside", "/outside_sentinel.txt"),
        ("inside", "/sandbox/hello.txt"),
        ("new", "/tmp_escape_created"),
    ] {
        std::os::unix::fs::symlink(target, abs.join(name)).unwrap();
    }
    Fixture {
        tmp,
        root,
        sandbox,
        other,
    }
}

/// A snapshot of a host tree: path -> description (type, content, link target).
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let md = fs::symlink_metadata(&p).unwrap();
            if md.file_type().is_symlink() {
                out.insert(
                    rel,
                    format!("symlink -> {}", fs::read_link(&p).unwrap().display()),
                );
            } else if md.is_dir() {
                out.insert(rel, "dir".to_string());
                walk(root, &p, out);
            } else {
                let data = fs::read(&p).unwrap();
                out.insert(
                    rel,
                    format!(
                        "file {} bytes: {:?}",
                        data.len(),
                        String::from_utf8_lossy(&data)
                    ),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

// ---------------------------------------------------------------------------
// Per-program arguments and environment

#[derive(Clone, Debug, Default)]
pub struct RunSpec {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// Arguments and environment that `args_environ.c` checks for.
pub fn args_environ_spec() -> RunSpec {
    RunSpec {
        args: vec![
            "plain".into(),
            "with space".into(),
            "quo\"te's".into(),
            "new\nline".into(),
            "eq=sign=2".into(),
            "".into(),
            "ünïcødé".into(),
        ],
        env: vec![
            ("A".into(), "1".into()),
            ("EQ".into(), "a=b=c".into()),
            ("SPACE".into(), "has space".into()),
            ("NL".into(), "line1\nline2".into()),
            ("QUOTE".into(), "\"q' \\".into()),
            ("EMPTY".into(), "".into()),
        ],
    }
}

pub fn spec_for(name: &str) -> RunSpec {
    match name {
        "args_environ" => args_environ_spec(),
        _ => RunSpec::default(),
    }
}

// ---------------------------------------------------------------------------
// Running

#[derive(Clone, Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
    pub fn failures(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("FAIL"))
            .collect()
    }
}

pub fn afmpeg_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_afmpeg"))
}

/// The `afmpeg run` command line for a module over the fixture.
pub fn afmpeg_command(wasm: &Path, fx: &Fixture, spec: &RunSpec) -> Command {
    let mut cmd = Command::new(afmpeg_bin());
    cmd.arg("run");
    cmd.arg("--dir")
        .arg(format!("{}::{}", fx.sandbox.display(), SANDBOX_GUEST));
    cmd.arg("--dir")
        .arg(format!("{}::{}", fx.other.display(), OTHER_GUEST));
    for (k, v) in &spec.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.arg(wasm);
    cmd.args(&spec.args);
    cmd.current_dir(&fx.root);
    cmd
}

pub const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Run a command with a null stdin and a timeout, capturing stdout/stderr.
pub fn run_command(mut cmd: Command) -> Outcome {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    // A hang guard, not a time assertion: a program still running after
    // RUN_TIMEOUT's worth of 5 ms polls is killed and reported.
    const POLL: Duration = Duration::from_millis(5);
    let mut status = None;
    for _ in 0..RUN_TIMEOUT.as_millis() / POLL.as_millis() {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(POLL);
    }
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let mut stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    let code = match status {
        Some(st) => {
            use std::os::unix::process::ExitStatusExt;
            st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0))
        }
        None => {
            stderr.push_str(&format!("\n[harness] killed after {RUN_TIMEOUT:?}"));
            -1
        }
    };
    Outcome {
        code,
        stdout,
        stderr,
    }
}

pub fn run_afmpeg(wasm: &Path, fx: &Fixture, spec: &RunSpec) -> Outcome {
    run_command(afmpeg_command(wasm, fx, spec))
}

/// What stands behind the two preopens of [`run_in_process`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The fixture's directories imported into in-memory trees, as
    /// `afmpeg run --dir` does (a `Preopen` of a `Filesystem`).
    Tree,
    /// The same trees behind `wasi_shim::backend::MemoryDir`.
    Memory,
    /// The fixture's directories themselves (`HostDir`).
    Host,
    /// Each directory read-only (`HostDir`) under an in-memory upper
    /// layer (`OverlayDir`).
    Overlay,
}

/// The backends the differential and conformance suites run in process
/// besides the `afmpeg run` command line (whose mounts are trees).
pub const BACKENDS: [Backend; 3] = [Backend::Memory, Backend::Host, Backend::Overlay];

/// Checks a backend fails by design (wasi-shim/RATIONALE.md): (program,
/// backend, checks, reason). Each listed check must still FAIL on that
/// backend (and pass under the oracle and everywhere else), so the list
/// cannot rot.
pub const BACKEND_DIVERGENCES: &[(&str, Backend, &[&str], &str)] = &[(
    "escape_fds",
    Backend::Overlay,
    &[
        "rename_parent_of_open_dir",
        "rename_open_dir_to_root",
        "write_via_moved_fd_lands_inside",
    ],
    "renaming a directory that has a lower part is EXDEV on the overlay (Linux overlayfs without \
     redirect_dir); the two later checks use the directory that rename would have moved",
)];

/// The checks of program `name` that `backend` fails by design.
pub fn backend_divergence(name: &str, backend: Option<Backend>) -> &'static [&'static str] {
    BACKEND_DIVERGENCES
        .iter()
        .find(|(n, b, _, _)| *n == name && Some(*b) == backend)
        .map_or(&[], |(_, _, checks, _)| checks)
}

/// Runs a module in process, through the afmpeg library (interpreter), with
/// the fixture's `sandbox` and `other` behind `backend`, stdin empty and
/// stdout/stderr captured: exit codes as `afmpeg run` maps them (the
/// guest's, or 134 for a trap).
pub fn run_in_process(wasm: &Path, fx: &Fixture, spec: &RunSpec, backend: Backend) -> Outcome {
    use afmpeg::{ExecLimits, ModuleSource, Runtime};
    use wasi_shim::backend::{HostDir, MemoryDir, OverlayDir};
    use wasi_shim::fs::{Filesystem, ImportMode};
    use wasi_shim::stdio::{Capture, Input, Output};
    use wasi_shim::{Preopen, WasiCtx};

    let argv0 = wasm.file_name().unwrap().to_str().unwrap().to_string();
    // (A default capture keeps nothing: its cap is 0.)
    let stdout = Capture::with_cap(16 << 20);
    let stderr = Capture::with_cap(16 << 20);
    let mut b = WasiCtx::builder()
        .arg(argv0)
        .args(spec.args.iter().cloned())
        .stdin(Input::bytes(Vec::new()))
        .stdout(Output::Capture(stdout.clone()))
        .stderr(Output::Capture(stderr.clone()));
    for (k, v) in &spec.env {
        b = b.env(k, v);
    }
    let imported = |dir: &Path| {
        let fs = Filesystem::new();
        fs.import_host(dir, "/", ImportMode::default())
            .unwrap_or_else(|e| panic!("import {}: {e}", dir.display()));
        fs
    };
    let host = |dir: &Path, read_only: bool| {
        HostDir::open_ambient(dir, read_only)
            .unwrap_or_else(|e| panic!("open {}: {e}", dir.display()))
    };
    for (dir, guest) in [(&fx.sandbox, SANDBOX_GUEST), (&fx.other, OTHER_GUEST)] {
        b = match backend {
            Backend::Tree => b.preopen(Preopen {
                fs: imported(dir),
                dir: "/".into(),
                guest: guest.into(),
                read_only: false,
            }),
            Backend::Memory => b.preopen_backend(MemoryDir::root(&imported(dir)), guest, false),
            Backend::Host => b.preopen_backend(host(dir, false), guest, false),
            Backend::Overlay => b.preopen_backend(
                OverlayDir::new(Box::new(host(dir, true)), &Filesystem::new()),
                guest,
                false,
            ),
        };
    }
    let ctx = b.build().expect("context");
    let runtime = Runtime::builder(ModuleSource::File(wasm.to_path_buf()))
        .build()
        .unwrap_or_else(|e| panic!("load {}: {e}", wasm.display()));
    let (result, ctx) = runtime.run_wasi(ctx, &ExecLimits::default());
    drop(ctx);
    let mut err = String::from_utf8_lossy(&stderr.contents()).into_owned();
    let code = match result {
        Ok(exit) => exit.code,
        Err(e @ (afmpeg::Error::Trap { .. } | afmpeg::Error::Limit { .. })) => {
            err.push_str(&format!("\n[in process] {e}"));
            134
        }
        Err(e) => panic!("{backend:?}: {}: {e}", wasm.display()),
    };
    Outcome {
        code,
        stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
        stderr: err,
    }
}

/// Run a module under wasmi + wasmi_wasi (wasi-common over the real fixture
/// directories), mapping the result like `afmpeg run` does: proc_exit code,
/// 0 when `_start` returns, 134 on a trap.
pub fn run_oracle(wasm: &Path, fx: &Fixture, spec: &RunSpec) -> Outcome {
    // wasmi and wasi-common need more stack than a test thread has in debug builds.
    let (wasm, sandbox, other, spec) = (
        wasm.to_path_buf(),
        fx.sandbox.clone(),
        fx.other.clone(),
        spec.clone(),
    );
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run_oracle_inner(&wasm, &sandbox, &other, &spec))
        .unwrap()
        .join()
        .expect("oracle thread panicked")
}

fn run_oracle_inner(wasm: &Path, sandbox_dir: &Path, other_dir: &Path, spec: &RunSpec) -> Outcome {
    use wasmi::{Engine, Linker, Module, Store};
    use wasmi_wasi::sync::{ambient_authority, Dir, WasiCtxBuilder};
    use wasmi_wasi::wasi_common::pipe::{ReadPipe, WritePipe};

    let engine = Engine::default();
    let bytes = fs::read(wasm).unwrap();
    // SAFETY: `new_unchecked` skips validation (the workspace builds wasmi
    // without its `validate` feature). The modules are our own clang/wat
    // output, which is valid by construction.
    let module =
        unsafe { Module::new_unchecked(&engine, &bytes[..]) }.expect("oracle: compile module");
    let stdout = WritePipe::new_in_memory();
    let stderr = WritePipe::new_in_memory();
    let mut builder = WasiCtxBuilder::new();
    let arg0 = wasm.file_name().unwrap().to_str().unwrap().to_string();
    builder.arg(&arg0).unwrap();
    for a in &spec.args {
        builder.arg(a).unwrap();
    }
    for (k, v) in &spec.env {
        builder.env(k, v).unwrap();
    }
    builder.stdin(Box::new(ReadPipe::from(Vec::<u8>::new())));
    builder.stdout(Box::new(stdout.clone()));
    builder.stderr(Box::new(stderr.clone()));
    let sandbox = Dir::open_ambient_dir(sandbox_dir, ambient_authority()).unwrap();
    let other = Dir::open_ambient_dir(other_dir, ambient_authority()).unwrap();
    builder.preopened_dir(sandbox, SANDBOX_GUEST).unwrap();
    builder.preopened_dir(other, OTHER_GUEST).unwrap();
    let ctx = builder.build();

    let mut store = Store::new(&engine, ctx);
    let mut linker = <Linker<wasmi_wasi::WasiCtx>>::new(&engine);
    wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx).unwrap();
    let mut trap_msg = String::new();
    let code = match linker.instantiate_and_start(&mut store, &module) {
        Err(e) => {
            trap_msg = format!("oracle: instantiate: {e}\n");
            134
        }
        Ok(instance) => {
            let start = instance
                .get_typed_func::<(), ()>(&store, "_start")
                .expect("_start");
            match start.call(&mut store, ()) {
                Ok(()) => 0,
                Err(e) => match e.i32_exit_status() {
                    Some(c) => c,
                    None => {
                        trap_msg = format!("oracle: trap: {e}\n");
                        134
                    }
                },
            }
        }
    };
    drop(store);
    let out = stdout
        .try_into_inner()
        .unwrap_or_else(|_| panic!("stdout pipe still shared"))
        .into_inner();
    let err = stderr
        .try_into_inner()
        .unwrap_or_else(|_| panic!("stderr pipe still shared"))
        .into_inner();
    Outcome {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned() + &trap_msg,
    }
}

/// Human-readable dump of an outcome for assertion messages.
pub fn describe(label: &str, o: &Outcome) -> String {
    format!(
        "--- {label}: exit {} ---\n--- stdout ---\n{}--- stderr ---\n{}",
        o.code, o.stdout, o.stderr
    )
}

/// The standard assertion of a conformance program: exit 0, no FAIL line,
/// every check named in the source reported `ok`, and a final
/// `done N 0` line whose count matches the ok lines.
pub fn assert_conformance(name: &str, label: &str, o: &Outcome) {
    assert_conformance_except(name, label, o, &[]);
}

/// [`assert_conformance`], but the checks `by_design` must FAIL (a
/// backend's documented divergence, [`BACKEND_DIVERGENCES`]): the `done`
/// line counts them, and the exit code is then 1.
pub fn assert_conformance_except(name: &str, label: &str, o: &Outcome, by_design: &[&str]) {
    let kind = kind_of(name);
    if kind == Kind::Wat {
        assert!(
            o.code == 0,
            "{name} under {label}: exit code {} -> {}\n{}",
            o.code,
            wat_check_description(name, o.code),
            describe(label, o)
        );
        return;
    }
    let mut problems = Vec::new();
    for f in o.failures() {
        if !by_design
            .iter()
            .any(|c| f.starts_with(&format!("FAIL {c}:")))
        {
            problems.push(f.to_string());
        }
    }
    for c in by_design {
        if !o
            .failures()
            .iter()
            .any(|f| f.starts_with(&format!("FAIL {c}:")))
        {
            problems.push(format!(
                "check `{c}` is listed as failing by design but did not fail"
            ));
        }
    }
    let ok_lines: Vec<&str> = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ok "))
        .collect();
    for n in check_names(name) {
        if !ok_lines.contains(&n.as_str())
            && !o
                .failures()
                .iter()
                .any(|f| f.starts_with(&format!("FAIL {n}:")))
        {
            problems.push(format!("check `{n}` never reported"));
        }
    }
    match o.stdout.lines().rev().find(|l| l.starts_with("done ")) {
        None => problems.push("no final `done` line (program crashed or exited early?)".into()),
        Some(d) => {
            let want = format!(
                "done {} {}",
                ok_lines.len() + by_design.len(),
                by_design.len()
            );
            if d != want && problems.is_empty() {
                problems.push(format!("final line `{d}`, expected `{want}`"));
            }
        }
    }
    let code = i32::from(!by_design.is_empty());
    if o.code != code {
        problems.push(format!("exit code {} (expected {code})", o.code));
    }
    assert!(
        problems.is_empty(),
        "{name} under {label}:\n  {}\n{}",
        problems.join("\n  "),
        describe(label, o)
    );
}
