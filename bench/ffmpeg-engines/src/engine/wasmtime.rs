//! wasmtime, with its Pulley interpreter or Cranelift, and wasmtime-wasi
//! preview1 over host directories.
//!
//! Compiling FFmpeg with Cranelift (for either target) takes far longer than
//! any workload, so the module is compiled once per engine into the cache
//! (`precompile`) and every measurement deserializes it — the way wasmtime
//! is deployed. The one-off compile time is reported separately.
//!
//! `cranelift-epoch` is Cranelift with epoch interruption on: a load and a
//! compare of the engine's epoch at every function entry and loop head, the
//! way an embedder makes a guest that computes stoppable (a cancel, a
//! deadline). It is the like-for-like baseline of afmpeg's native tier, whose
//! checkpoints sit at the same places; plain `cranelift` has no such check.

use super::{check_host_output, exit_result, guest_argv, module_bytes, Engine, Setup};
use crate::workload::Job;
use anyhow::{anyhow, Result};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wasmtime::{Config, Engine as WtEngine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

pub struct Wasmtime {
    engine: WtEngine,
    module: Module,
    linker: Linker<WasiP1Ctx>,
    setup: Setup,
    flavor: Flavor,
}

/// wasmtime's own error type (its `anyhow` feature is off) into ours.
trait Wt<T> {
    fn wt(self) -> Result<T>;
}

impl<T> Wt<T> for wasmtime::Result<T> {
    fn wt(self) -> Result<T> {
        self.map_err(|e| anyhow!("{e:?}"))
    }
}

/// What a wasmtime engine compiles the module to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Pulley bytecode, run by wasmtime's interpreter.
    Pulley,
    /// Cranelift's native code, no interruption checks.
    Cranelift,
    /// Cranelift's native code with epoch checks (see the module docs).
    CraneliftEpoch,
}

impl Flavor {
    /// The name of the compiled module's target in the cache.
    fn cache_tag(self) -> &'static str {
        match self {
            Flavor::Pulley => "pulley64",
            Flavor::Cranelift => "native",
            Flavor::CraneliftEpoch => "native-epoch",
        }
    }
}

fn engine(flavor: Flavor) -> Result<WtEngine> {
    let mut config = Config::new();
    match flavor {
        Flavor::Pulley => {
            config.target("pulley64").wt()?;
        }
        Flavor::Cranelift => {}
        Flavor::CraneliftEpoch => {
            config.epoch_interruption(true);
        }
    }
    WtEngine::new(&config).wt()
}

/// Where the compiled module for this module file and target is cached.
fn cache_path(setup: &Setup, flavor: Flavor) -> Result<PathBuf> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    module_bytes(&setup.module)?.hash(&mut h);
    Ok(setup.cache.join(format!(
        "ffmpeg-{:016x}-wasmtime-48.0.8-{}.cwasm",
        h.finish(),
        flavor.cache_tag()
    )))
}

/// Compiles the module for the engine unless cached; returns how long the
/// compile took (None: cached).
pub fn precompile(setup: &Setup, flavor: Flavor) -> Result<Option<Duration>> {
    let path = cache_path(setup, flavor)?;
    if path.is_file() {
        return Ok(None);
    }
    let t = Instant::now();
    let bytes = engine(flavor)?
        .precompile_module(&module_bytes(&setup.module)?)
        .wt()?;
    let took = t.elapsed();
    std::fs::create_dir_all(&setup.cache)?;
    let tmp = path.with_extension(format!("partial.{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &path)?;
    Ok(Some(took))
}

impl Wasmtime {
    pub fn load(setup: &Setup, flavor: Flavor) -> Result<Self> {
        let engine = engine(flavor)?;
        let path = cache_path(setup, flavor)?;
        // SAFETY: the file was written by `precompile` with this wasmtime
        // version and engine configuration (both are in its name).
        let module = unsafe { Module::deserialize_file(&engine, &path) }
            .map_err(|e| anyhow!("{}: {e} (run without --no-precompile)", path.display()))?;
        let mut linker = Linker::new(&engine);
        p1::add_to_linker_sync(&mut linker, |c| c).wt()?;
        Ok(Wasmtime {
            engine,
            module,
            linker,
            setup: setup.clone(),
            flavor,
        })
    }
}

impl Engine for Wasmtime {
    fn run(&self, job: &Job) -> Result<()> {
        let stderr = MemoryOutputPipe::new(1 << 20);
        let mut b = WasiCtxBuilder::new();
        b.args(&guest_argv(job))
            .stdout(MemoryOutputPipe::new(64 << 20))
            .stderr(stderr.clone());
        for (host, guest) in [(&self.setup.fixtures, "/in"), (&self.setup.out, "/out")] {
            b.preopened_dir(host, guest, FsPerms::ReadWrite).wt()?;
        }
        let mut store = Store::new(&self.engine, b.build_p1());
        if self.flavor == Flavor::CraneliftEpoch {
            // Nothing advances the epoch: every check runs and none fires,
            // which is what a job that is not cancelled costs.
            store.set_epoch_deadline(1 << 62);
        }
        let instance = self.linker.instantiate(&mut store, &self.module).wt()?;
        let start = instance
            .get_typed_func::<(), ()>(&mut store, "_start")
            .wt()?;
        let code = match start.call(&mut store, ()) {
            Ok(()) => 0,
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(I32Exit(c)) => *c,
                None => return Err(anyhow!("trap: {e:?}")),
            },
        };
        drop(store);
        exit_result(code, &stderr.contents())?;
        check_host_output(&self.setup, job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flavor_has_its_own_compiled_module() {
        // A module compiled with epoch checks must never be loaded as plain
        // Cranelift (or the reverse): the file names differ by flavor.
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("m.wasm");
        std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
        let setup = Setup {
            module,
            cache: dir.path().join("cache"),
            fixtures: PathBuf::new(),
            out: PathBuf::new(),
            ffmpeg: PathBuf::new(),
            ffprobe: PathBuf::new(),
        };
        let paths: Vec<PathBuf> = [Flavor::Pulley, Flavor::Cranelift, Flavor::CraneliftEpoch]
            .into_iter()
            .map(|f| cache_path(&setup, f).unwrap())
            .collect();
        assert!(paths[0].to_string_lossy().ends_with("-pulley64.cwasm"));
        assert!(paths[1].to_string_lossy().ends_with("-native.cwasm"));
        assert!(paths[2].to_string_lossy().ends_with("-native-epoch.cwasm"));
    }
}
