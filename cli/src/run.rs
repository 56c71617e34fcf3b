//! `afmpeg run`: any wasip1 command module over host directories, each
//! mounted as an overlay: the host directory as its read-only lower layer
//! (nothing imported: the guest reads only what it opens), every change in
//! memory, and `--write-back` applying exactly those changes to the host
//! through the directory's capability.

use super::byte_count::parse_bytes;
use super::engine::EngineArg;
use super::report::{with_causes, EXIT_ABNORMAL, EXIT_SETUP};
use afmpeg::{Error, ExecLimits};
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use wasi_shim::backend::{HostDir, OverlayDir};
use wasi_shim::fs::Filesystem;
use wasi_shim::stdio::{HostStream, Input, Output};
use wasi_shim::{Preopen, WasiCtx};

/// Arguments of `afmpeg run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Preopen the host directory HOST as GUEST (`HOST::GUEST`, or just
    /// `DIR` for the same name); the first is fd 3. The guest reads the host
    /// files it opens, nothing else; its changes stay in memory (the host is
    /// never written) unless --write-back.
    #[arg(long = "dir", value_name = "HOST::GUEST")]
    pub dirs: Vec<String>,
    /// Like --dir, but read-only: every modification fails with EROFS.
    #[arg(long = "dir-ro", value_name = "HOST::GUEST")]
    pub dirs_ro: Vec<String>,
    /// Set a guest environment variable: `NAME=VALUE`, or `NAME` alone to
    /// pass the host's value on (nothing when the host has none). Nothing
    /// else is inherited.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
    /// Call the export FUNC instead of `_start`, with the words after the
    /// module as its arguments (one per parameter, parsed by its type:
    /// integers in decimal or `0x` hex, floats), and print its results one
    /// per line, as `wasmtime run --invoke`. Interpreter only.
    #[arg(long, value_name = "FUNC")]
    pub invoke: Option<String>,
    /// The guest's `argv[0]` (default: the module's file name).
    #[arg(long = "argv0", value_name = "NAME")]
    pub argv0: Option<String>,
    /// Stop the guest after this wall-clock time (`10s`, `1m30s`, `500ms`):
    /// exit 134 with a timeout error.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// CPU budget in fuel units (about one per wasm instruction).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Most guest linear memory, in bytes (K/M/G suffixes accepted).
    #[arg(long = "max-memory", value_name = "BYTES", value_parser = parse_bytes)]
    pub max_memory: Option<u64>,
    /// After the guest finishes (any exit code, no trap), apply what it
    /// changed under each --dir to the host directory: only the files and
    /// directories it created, changed or removed, each file replaced
    /// atomically (keeping its mode), playlists and manifests last.
    #[arg(long = "write-back")]
    pub write_back: bool,
    /// Preopen `/dev` with null, zero, full, urandom and random.
    #[arg(long = "dev")]
    pub dev: bool,
    /// Deterministic clocks and random bytes from this seed.
    #[arg(long, value_name = "SEED")]
    pub deterministic: Option<u64>,
    /// Which tier runs the module: `native` (only the FFmpeg module
    /// compiled in with `make native`) or `interpreter`. Default: native
    /// for that module when built in, else interpreter.
    #[arg(long, value_name = "ENGINE", value_parser = str::parse::<afmpeg::Engine>)]
    pub engine: Option<afmpeg::Engine>,
    /// The module to run, then the arguments the guest gets after `argv[0]`:
    /// everything after the module, untouched (`-V`, `--help`, `--dir` too).
    // One positional for both: clap's trailing_var_arg takes every word as a
    // value only once the positional's first value is seen, so with the
    // arguments a positional of their own, a `-V` right after the module
    // would still be afmpeg's own flag.
    #[arg(
        value_name = "MODULE [ARGS]",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    command: Vec<String>,
}

/// A `--dir` mount whose changes are written back after the run.
struct WriteBackMount {
    host: PathBuf,
    overlay: Arc<OverlayDir>,
    /// The same directory, through a handle that may write.
    target: HostDir,
}

fn split_dir(spec: &str) -> (PathBuf, String) {
    match spec.split_once("::") {
        Some((h, g)) => (PathBuf::from(h), g.to_owned()),
        None => (PathBuf::from(spec), spec.to_owned()),
    }
}

fn setup_error(msg: impl std::fmt::Display) -> i32 {
    eprintln!("afmpeg: {msg}");
    EXIT_SETUP
}

impl RunArgs {
    /// The module to run.
    pub fn module(&self) -> PathBuf {
        PathBuf::from(&self.command[0])
    }

    /// The arguments the guest gets after `argv[0]`.
    pub fn guest_args(&self) -> &[String] {
        &self.command[1..]
    }
}

/// Runs the command; returns the process exit code.
pub fn main(args: RunArgs) -> i32 {
    let module = args.module();
    let engine = EngineArg {
        engine: args.engine,
    };
    let runtime = match engine.runtime(module.clone()) {
        Ok(r) => r,
        Err(e) => return setup_error(with_causes(&e)),
    };
    let argv0 = args.argv0.clone().unwrap_or_else(|| {
        module
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| module.display().to_string())
    });
    let mut b = WasiCtx::builder()
        .arg(argv0)
        .args(args.guest_args().iter().cloned())
        .stdin(Input::Inherit)
        .stdout(Output::Inherit(HostStream::Stdout))
        .stderr(Output::Inherit(HostStream::Stderr));
    for kv in &args.env {
        match kv.split_once('=') {
            Some((k, v)) => b = b.env(k, v),
            // As wasmtime's `--env NAME`: the host's value, if it has one.
            None => match std::env::var(kv) {
                Ok(v) => b = b.env(kv, v),
                Err(std::env::VarError::NotUnicode(_)) => {
                    return setup_error(format!("--env {kv}: the host's value is not UTF-8"))
                }
                Err(std::env::VarError::NotPresent) => {}
            },
        }
    }
    let mut mounts = Vec::new();
    let specs = args
        .dirs
        .iter()
        .map(|d| (d, false))
        .chain(args.dirs_ro.iter().map(|d| (d, true)));
    for (spec, read_only) in specs {
        let (host, guest) = split_dir(spec);
        let target = match HostDir::open_ambient(&host, read_only) {
            Ok(d) => d,
            Err(e) => return setup_error(format!("--dir {spec}: {e}")),
        };
        if read_only {
            // The host directory itself: every change is EROFS before the
            // host is asked.
            b = b.preopen_backend(target, guest, true);
            continue;
        }
        let lower = match target.read_only_clone() {
            Ok(d) => d,
            Err(e) => return setup_error(format!("--dir {spec}: {e}")),
        };
        // Directory renames work as on the host directory itself (the
        // guest expects a plain directory, not overlayfs's EXDEV).
        let overlay = Arc::new(
            OverlayDir::new(Box::new(lower), &Filesystem::new()).copying_up_renamed_dirs(),
        );
        b = b.preopen_backend(overlay.clone(), guest, false);
        if args.write_back {
            // Before the guest runs, not after: a directory that cannot
            // take the write-back fails at once.
            if let Err(e) = Filesystem::check_export_target(&host) {
                return setup_error(format!("--dir {spec}: cannot write back: {e}"));
            }
            mounts.push(WriteBackMount {
                host,
                overlay,
                target,
            });
        }
    }
    if args.dev {
        let fs = Filesystem::new();
        if let Err(e) = fs.add_standard_devices("/") {
            return setup_error(e);
        }
        b = b.preopen(Preopen {
            fs,
            dir: "/".into(),
            guest: "/dev".into(),
            read_only: false,
        });
    }
    if let Some(seed) = args.deterministic {
        b = b.deterministic(seed);
    }
    let ctx = match b.build() {
        Ok(c) => c,
        Err(e) => return setup_error(e),
    };
    let limits = ExecLimits {
        max_memory: args.max_memory,
        fuel: args.fuel,
        timeout: args.timeout,
        ..Default::default()
    };
    let (result, ctx) = match &args.invoke {
        None => {
            let (r, ctx) = runtime.run_wasi(ctx, &limits);
            (r.map(|exit| (exit, None)), ctx)
        }
        Some(func) => {
            let values = match runtime
                .export_signature(func)
                .and_then(|sig| sig.parse_args(func, args.guest_args()).map_err(Error::from))
            {
                Ok(v) => v,
                Err(e) => return setup_error(with_causes(&e)),
            };
            let (r, ctx) = runtime.invoke_wasi(ctx, func, &values, &limits);
            (r.map(|i| (i.exit, i.results)), ctx)
        }
    };
    drop(ctx);
    let code = match result {
        Ok((exit, results)) => {
            // As wasmtime prints them: one result per line.
            for v in results.iter().flatten() {
                println!("{v}");
            }
            // The guest saw what the specification says (`memory.grow`
            // returned -1) and chose its exit code; say why, as a
            // runner's note, without changing it.
            if exit.memory_limit_reached {
                eprintln!(
                    "afmpeg: note: the guest asked for more than its memory limit of {} bytes (memory.grow returned -1)",
                    args.max_memory.unwrap_or(0)
                );
            }
            exit.code
        }
        Err(e @ (Error::Trap { .. } | Error::Limit { .. } | Error::Cancelled { .. })) => {
            eprintln!("afmpeg: {}", with_causes(&e));
            return EXIT_ABNORMAL;
        }
        Err(e) => return setup_error(with_causes(&e)),
    };
    let _export_signals = super::signals::ExportSignals::install();
    for m in &mounts {
        let written = m
            .overlay
            .changes()
            .map_err(|errno| format!("reading the guest's changes: {errno}"))
            .and_then(|changes| {
                changes
                    .write_back(&m.target)
                    .map_err(|e| with_causes(&e).to_string())
            });
        if let Err(e) = written {
            eprintln!("afmpeg: write-back to {}: {e}", m.host.display());
            return EXIT_SETUP;
        }
    }
    code
}
