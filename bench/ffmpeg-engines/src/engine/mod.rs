//! The engines compared, behind one small interface.

mod afmpeg;
mod native;
#[cfg(feature = "native-tier")]
mod native_tier;
mod wasmi_wasi;
#[cfg(feature = "wasmtime")]
mod wasmtime;

use crate::workload::Job;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(feature = "wasmtime")]
pub use self::wasmtime::{precompile, Flavor};

/// What a wasmtime engine compiles the module to (nothing to compile without
/// the `wasmtime` feature).
#[cfg(not(feature = "wasmtime"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Pulley,
    Cranelift,
    CraneliftEpoch,
}

/// Without the `wasmtime` feature there is nothing to precompile for.
#[cfg(not(feature = "wasmtime"))]
pub fn precompile(_setup: &Setup, _flavor: Flavor) -> Result<Option<std::time::Duration>> {
    bail!("built without the `wasmtime` feature: no pulley or cranelift engine")
}

/// Fails unless the native tier compiled in was translated from the module
/// under test (a no-op without the `native-tier` feature: `load` fails then).
pub fn check_native_tier(setup: &Setup) -> Result<()> {
    #[cfg(feature = "native-tier")]
    native_tier::check_module(setup)?;
    let _ = setup;
    Ok(())
}

/// Which engine runs a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
pub enum EngineKind {
    /// Our Runtime API: wasmi + wasi-shim (in-memory filesystem).
    Afmpeg,
    /// The same wasmi, same config, with wasi-common over a tmpfs directory.
    WasmiWasi,
    /// `wasmi-wasi` with fuel metering off (the fuel lever; not in the default set).
    WasmiWasiNofuel,
    /// wasmtime's Pulley interpreter (`pulley64`) + wasmtime-wasi preview1.
    Pulley,
    /// wasmtime with Cranelift (a JIT) + wasmtime-wasi preview1.
    Cranelift,
    /// `cranelift` with epoch interruption on: the checks a stoppable guest
    /// pays, like the native tier's checkpoints (not in the default set).
    CraneliftEpoch,
    /// afmpeg's native tier: the module translated to C by wasm2c, compiled
    /// in (feature `native-tier`; not in the default set).
    NativeTier,
    /// Native Debian ffmpeg, one thread, C code paths only.
    NativeC,
    /// Native Debian ffmpeg with its defaults (asm, threads).
    Native,
}

impl EngineKind {
    #[cfg(not(feature = "native-tier"))]
    pub const DEFAULT: [EngineKind; 6] = [
        EngineKind::Afmpeg,
        EngineKind::WasmiWasi,
        EngineKind::Pulley,
        EngineKind::Cranelift,
        EngineKind::NativeC,
        EngineKind::Native,
    ];
    /// With the native tier built in, it is measured by default too.
    #[cfg(feature = "native-tier")]
    pub const DEFAULT: [EngineKind; 7] = [
        EngineKind::Afmpeg,
        EngineKind::WasmiWasi,
        EngineKind::Pulley,
        EngineKind::Cranelift,
        EngineKind::NativeTier,
        EngineKind::NativeC,
        EngineKind::Native,
    ];

    /// The wasmtime engines, and what each compiles the module to.
    pub fn flavor(self) -> Option<Flavor> {
        match self {
            EngineKind::Pulley => Some(Flavor::Pulley),
            EngineKind::Cranelift => Some(Flavor::Cranelift),
            EngineKind::CraneliftEpoch => Some(Flavor::CraneliftEpoch),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Afmpeg => "afmpeg",
            EngineKind::WasmiWasi => "wasmi-wasi",
            EngineKind::WasmiWasiNofuel => "wasmi-wasi-nofuel",
            EngineKind::Pulley => "pulley",
            EngineKind::Cranelift => "cranelift",
            EngineKind::CraneliftEpoch => "cranelift-epoch",
            EngineKind::NativeTier => "native-tier",
            EngineKind::NativeC => "native-c",
            EngineKind::Native => "native",
        }
    }
}

/// Everything an engine needs to load and run.
#[derive(Debug, Clone)]
pub struct Setup {
    pub module: PathBuf,
    /// Where precompiled wasmtime modules are cached.
    pub cache: PathBuf,
    pub fixtures: PathBuf,
    /// A fresh directory for this measurement's outputs (host engines).
    pub out: PathBuf,
    pub ffmpeg: PathBuf,
    pub ffprobe: PathBuf,
}

/// A loaded engine: module ready, able to run jobs.
pub trait Engine: Sync {
    /// Runs one job to completion; an error unless it exited 0 and wrote its
    /// output.
    fn run(&self, job: &Job) -> Result<()>;

    /// Runs `jobs` at once, one per core at a time.
    fn run_parallel(&self, jobs: &[Job]) -> Result<()> {
        on_pool(jobs, |job| self.run(job))
    }

    /// Peak guest linear memory seen so far, in bytes (when the engine can
    /// tell).
    fn guest_memory(&self) -> Option<u64> {
        None
    }
}

/// Loads `kind` (the "module ready" part of startup).
pub fn load(kind: EngineKind, setup: &Setup) -> Result<Box<dyn Engine>> {
    Ok(match kind {
        EngineKind::Afmpeg => Box::new(afmpeg::Afmpeg::load(setup)?),
        EngineKind::WasmiWasi => Box::new(wasmi_wasi::WasmiWasi::load(setup, true)?),
        EngineKind::WasmiWasiNofuel => Box::new(wasmi_wasi::WasmiWasi::load(setup, false)?),
        #[cfg(feature = "wasmtime")]
        EngineKind::Pulley => Box::new(wasmtime::Wasmtime::load(setup, Flavor::Pulley)?),
        #[cfg(feature = "wasmtime")]
        EngineKind::Cranelift => Box::new(wasmtime::Wasmtime::load(setup, Flavor::Cranelift)?),
        #[cfg(feature = "wasmtime")]
        EngineKind::CraneliftEpoch => {
            Box::new(wasmtime::Wasmtime::load(setup, Flavor::CraneliftEpoch)?)
        }
        #[cfg(not(feature = "wasmtime"))]
        EngineKind::Pulley | EngineKind::Cranelift | EngineKind::CraneliftEpoch => {
            bail!("built without the `wasmtime` feature: no pulley or cranelift engine")
        }
        #[cfg(feature = "native-tier")]
        EngineKind::NativeTier => Box::new(native_tier::NativeTier::load(setup)?),
        #[cfg(not(feature = "native-tier"))]
        EngineKind::NativeTier => bail!(
            "the native tier is not built in: build afmpeg-bench with `--features native-tier` \
             (after `make native-c`)"
        ),
        EngineKind::NativeC => Box::new(native::Native::new(setup, true)),
        EngineKind::Native => Box::new(native::Native::new(setup, false)),
    })
}

/// Threads for guest runs: wasmi recurses on the native stack for guest
/// calls; the memory is only reserved (the same size afmpeg's batch uses).
pub const STACK: usize = ::afmpeg::job::WORKER_STACK;

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `f` over `jobs` on `cores()` big-stack threads pulling from a
/// shared index; the first error wins.
pub fn on_pool(jobs: &[Job], f: impl Fn(&Job) -> Result<()> + Sync) -> Result<()> {
    let next = AtomicUsize::new(0);
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..cores().min(jobs.len()))
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(s, || -> Result<()> {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(job) = jobs.get(i) else {
                                return Ok(());
                            };
                            f(job)?;
                        }
                    })
                    .expect("spawning a worker thread")
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| bail!("worker panicked")))
            .collect()
    });
    results.into_iter().collect()
}

/// Maps a guest path (`/in/...`, `/out/...`) to the host path the
/// host-directory engines and native FFmpeg see.
pub fn host_path(setup: &Setup, arg: &str) -> String {
    if let Some(rest) = arg.strip_prefix("/in/") {
        setup.fixtures.join(rest).display().to_string()
    } else if let Some(rest) = arg.strip_prefix("/out/") {
        setup.out.join(rest).display().to_string()
    } else {
        arg.to_owned()
    }
}

/// Checks that a host-directory engine's job wrote its output.
pub fn check_host_output(setup: &Setup, job: &Job) -> Result<()> {
    if let Some(o) = &job.output {
        let p = host_path(setup, o);
        match std::fs::metadata(&p) {
            Ok(m) if m.len() > 0 => {}
            _ => bail!("{p}: missing or empty output"),
        }
    }
    Ok(())
}

/// Turns a guest exit code and captured stderr into the job's result.
pub fn exit_result(code: i32, stderr: &[u8]) -> Result<()> {
    if code != 0 {
        let s = String::from_utf8_lossy(stderr);
        let tail: String = s
            .chars()
            .rev()
            .take(600)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        bail!("exit code {code}: {}", tail.trim());
    }
    Ok(())
}

pub(crate) fn guest_argv(job: &Job) -> Vec<String> {
    std::iter::once(job.tool.argv0().to_owned())
        .chain(job.args.iter().cloned())
        .collect()
}

pub(crate) fn module_bytes(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).map_err(|e| anyhow::anyhow!("reading module {}: {e}", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn wasmtime_engines_have_a_flavor_and_only_they() {
        for kind in EngineKind::value_variants() {
            let expected = match kind {
                EngineKind::Pulley => Some(Flavor::Pulley),
                EngineKind::Cranelift => Some(Flavor::Cranelift),
                EngineKind::CraneliftEpoch => Some(Flavor::CraneliftEpoch),
                _ => None,
            };
            assert_eq!(kind.flavor(), expected, "{}", kind.name());
        }
    }

    #[test]
    fn engine_names_parse_back() {
        // `--engines` and the children's `--engine` take these names.
        for kind in EngineKind::value_variants() {
            assert_eq!(EngineKind::from_str(kind.name(), false), Ok(*kind));
        }
        assert_eq!(
            EngineKind::from_str("cranelift-epoch", false),
            Ok(EngineKind::CraneliftEpoch)
        );
    }
}
