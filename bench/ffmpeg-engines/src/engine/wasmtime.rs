//! wasmtime, with its Pulley interpreter or Cranelift, and wasmtime-wasi
//! preview1 over host directories.
//!
//! Compiling FFmpeg with Cranelift (for either target) takes far longer than
//! any workload, so the module is compiled once per engine into the cache
//! (`precompile`) and every measurement deserializes it — the way wasmtime
//! is deployed. The one-off compile time is reported separately.

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

fn engine(pulley: bool) -> Result<WtEngine> {
    let mut config = Config::new();
    if pulley {
        config.target("pulley64").wt()?;
    }
    WtEngine::new(&config).wt()
}

/// Where the compiled module for this module file and target is cached.
fn cache_path(setup: &Setup, pulley: bool) -> Result<PathBuf> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    module_bytes(&setup.module)?.hash(&mut h);
    let target = if pulley { "pulley64" } else { "native" };
    Ok(setup.cache.join(format!(
        "ffmpeg-{:016x}-wasmtime-48.0.8-{target}.cwasm",
        h.finish()
    )))
}

/// Compiles the module for the engine unless cached; returns how long the
/// compile took (None: cached).
pub fn precompile(setup: &Setup, pulley: bool) -> Result<Option<Duration>> {
    let path = cache_path(setup, pulley)?;
    if path.is_file() {
        return Ok(None);
    }
    let t = Instant::now();
    let bytes = engine(pulley)?
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
    pub fn load(setup: &Setup, pulley: bool) -> Result<Self> {
        let engine = engine(pulley)?;
        let path = cache_path(setup, pulley)?;
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
