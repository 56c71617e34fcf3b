//! The same wasmi, configured exactly as afmpeg's `Runtime` (src/runtime.rs),
//! with the reference WASI layer (wasi-common) over host directories.

use super::{check_host_output, exit_result, guest_argv, module_bytes, Engine, Setup};
use crate::workload::Job;
use afmpeg::engine::FUEL_SLICE;
use anyhow::{anyhow, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use wasmi::{Config, Engine as WasmiEngine, Linker, Module, Store, TypedResumableCall};
use wasmi_wasi::sync::{ambient_authority, Dir, WasiCtxBuilder};
use wasmi_wasi::wasi_common::pipe::WritePipe;
use wasmi_wasi::WasiCtx;

pub struct WasmiWasi {
    engine: WasmiEngine,
    module: Module,
    linker: Linker<WasiCtx>,
    setup: Setup,
    fuel: bool,
    peak_memory: AtomicU64,
}

impl WasmiWasi {
    pub fn load(setup: &Setup, fuel: bool) -> Result<Self> {
        let mut config = Config::default();
        config.consume_fuel(fuel);
        config.fuel_cost(wasmi::CustomFuelCosts {
            bytes_copied_per_fuel: 64,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
        let engine = WasmiEngine::new(&config);
        let module = Module::new(&engine, &module_bytes(&setup.module)?)?;
        let mut linker = Linker::new(&engine);
        wasmi_wasi::add_to_linker(&mut linker, |c| c)?;
        Ok(WasmiWasi {
            engine,
            module,
            linker,
            setup: setup.clone(),
            fuel,
            peak_memory: AtomicU64::new(0),
        })
    }

    fn context(&self, job: &Job, stderr: &WritePipe<std::io::Cursor<Vec<u8>>>) -> Result<WasiCtx> {
        let mut b = WasiCtxBuilder::new();
        b.args(&guest_argv(job))?;
        b.stdout(Box::new(WritePipe::new_in_memory()));
        b.stderr(Box::new(stderr.clone()));
        for (host, guest) in [(&self.setup.fixtures, "/in"), (&self.setup.out, "/out")] {
            b.preopened_dir(Dir::open_ambient_dir(host, ambient_authority())?, guest)?;
        }
        Ok(b.build())
    }

    /// `_start`, in fuel slices as afmpeg runs it (or in one call without
    /// fuel); returns the exit code.
    fn start(&self, store: &mut Store<WasiCtx>) -> Result<i32> {
        let slice = |store: &mut Store<WasiCtx>, need: u64| -> Result<()> {
            if self.fuel {
                store.set_fuel(FUEL_SLICE.max(need))?;
            }
            Ok(())
        };
        slice(store, 0)?;
        let instance = self
            .linker
            .instantiate_and_start(&mut *store, &self.module)?;
        let start = instance.get_typed_func::<(), ()>(&*store, "_start")?;
        let exit = |e: &wasmi::Error| e.i32_exit_status().ok_or_else(|| anyhow!("trap: {e}"));
        let code = if self.fuel {
            let mut call = start.call_resumable(&mut *store, ());
            loop {
                match call {
                    Ok(TypedResumableCall::Finished(())) => break 0,
                    Ok(TypedResumableCall::HostTrap(t)) => break exit(t.host_error())?,
                    Ok(TypedResumableCall::OutOfFuel(t)) => {
                        slice(store, t.required_fuel())?;
                        call = t.resume(&mut *store);
                    }
                    Err(e) => break exit(&e)?,
                }
            }
        } else {
            match start.call(&mut *store, ()) {
                Ok(()) => 0,
                Err(e) => exit(&e)?,
            }
        };
        if let Some(m) = instance.get_memory(&*store, "memory") {
            let bytes = m.size(&*store) * 65536;
            self.peak_memory.fetch_max(bytes, Ordering::Relaxed);
        }
        Ok(code)
    }
}

impl Engine for WasmiWasi {
    fn run(&self, job: &Job) -> Result<()> {
        let stderr = WritePipe::new_in_memory();
        let mut store = Store::new(&self.engine, self.context(job, &stderr)?);
        let code = self.start(&mut store)?;
        drop(store);
        let err = stderr
            .try_into_inner()
            .map(|c| c.into_inner())
            .unwrap_or_default();
        exit_result(code, &err)?;
        check_host_output(&self.setup, job)
    }

    fn guest_memory(&self) -> Option<u64> {
        Some(self.peak_memory.load(Ordering::Relaxed))
    }
}
