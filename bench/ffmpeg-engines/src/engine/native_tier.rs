//! afmpeg's native tier (crate afmpeg-native): the same module translated to
//! C by wasm2c and compiled in, the same WASI layer and in-memory
//! filesystem as `afmpeg`. Built with the `native-tier` feature only (it
//! needs the translated C of `make native-c`).

use super::{exit_result, Engine, Setup};
use crate::workload::Job;
use afmpeg::wasi_shim::fs::ImportMode;
use afmpeg::wasi_shim::stdio::{Capture, Output};
use afmpeg::wasi_shim::WasiCtx;
use afmpeg::Filesystem;
use afmpeg_native::{Exit, Limits, NativeModule};
use anyhow::{anyhow, bail, Context, Result};

pub struct NativeTier {
    module: NativeModule,
    setup: Setup,
}

impl NativeTier {
    pub fn load(setup: &Setup) -> Result<Self> {
        Ok(NativeTier {
            module: NativeModule::ffmpeg()?,
            setup: setup.clone(),
        })
    }
}

/// Compares like with like: the C compiled in must come from the module the
/// other engines run. Checked once by the parent, outside the timed load.
pub fn check_module(setup: &Setup) -> Result<()> {
    let module = NativeModule::ffmpeg()?;
    let measured = super::module_bytes(&setup.module)?;
    let compiled = std::fs::read(module.source()).with_context(|| {
        format!(
            "reading {}, the module the native tier was translated from",
            module.source()
        )
    })?;
    if measured != compiled {
        bail!(
            "the native tier was built from {}, not from {}: run `make native-c` and rebuild",
            module.source(),
            setup.module.display()
        );
    }
    Ok(())
}

impl Engine for NativeTier {
    fn run(&self, job: &Job) -> Result<()> {
        // The job's world, as for `afmpeg`: inputs mapped under /in, /out empty.
        let fs = Filesystem::new();
        fs.create_dir_all("/out")?;
        for name in &job.inputs {
            fs.import_host(
                self.setup.fixtures.join(name),
                &format!("/in/{name}"),
                ImportMode::default(),
            )?;
        }
        let stderr = Capture::with_cap(1 << 20);
        let ctx = WasiCtx::builder()
            .args(super::guest_argv(job))
            .preopen_dir(&fs, "/")
            .stderr(Output::Capture(stderr.clone()))
            .build()?;
        // No budget, deadline or memory cap: measure the engine, not the policy.
        let (result, _ctx) = self.module.run(ctx, &Limits::default());
        match result.map_err(|e| anyhow!("native tier: {e}"))? {
            Exit::Code(c) => exit_result(c as i32, &stderr.contents())?,
            Exit::Signal(s) => bail!("native tier: guest raised signal {s}"),
        }
        super::afmpeg::check_output(&fs, job)
    }
}
