//! afmpeg: the subject, through its public API only.

use super::{exit_result, Engine, Setup};
use crate::workload::{Job, Tool};
use afmpeg::job::batch;
use afmpeg::wasi_shim::fs::ImportMode;
use afmpeg::{Filesystem, Limits, ModuleSource, RunOptions, Runtime, Validation};
use anyhow::{bail, Context, Result};

pub struct Afmpeg {
    rt: Runtime,
    setup: Setup,
}

impl Afmpeg {
    pub fn load(setup: &Setup) -> Result<Self> {
        Ok(Afmpeg {
            // The module under test is the one `make guest` installed, and
            // `Runtime::from_default_location` loads that one lazily
            // validated: measure the startup its users get. (`from_file`
            // would validate all 9.5 MB up front, ~85 ms; see
            // `afmpeg::Validation`.)
            rt: Runtime::builder(ModuleSource::File(setup.module.clone()))
                .validation(Validation::Lazy)
                .build()?,
            setup: setup.clone(),
        })
    }

    /// The job's world: its inputs memory-mapped (zero-copy) under `/in`,
    /// an empty `/out`. Built inside the timed region: it is part of a job.
    fn filesystem(&self, jobs: &[Job]) -> Result<Filesystem> {
        let fs = Filesystem::new();
        fs.create_dir_all("/out")?;
        for name in jobs.iter().flat_map(|j| &j.inputs) {
            let guest = format!("/in/{name}");
            if !fs.exists(&guest) {
                fs.import_host(
                    self.setup.fixtures.join(name),
                    &guest,
                    ImportMode::default(),
                )?;
            }
        }
        Ok(fs)
    }
}

fn options() -> RunOptions {
    // No timeout, fuel or write caps: measure the engine, not the policy.
    RunOptions::new().limits(Limits::unlimited())
}

fn tool(t: Tool) -> afmpeg::Tool {
    match t {
        Tool::Ffmpeg => afmpeg::Tool::Ffmpeg,
        Tool::Ffprobe => afmpeg::Tool::Ffprobe,
    }
}

/// Checks that a job over an in-memory filesystem (afmpeg, the native tier)
/// wrote its output.
pub(super) fn check_output(fs: &Filesystem, job: &Job) -> Result<()> {
    if let Some(o) = &job.output {
        let len = fs
            .file_data(o)
            .with_context(|| format!("{o}: no output"))?
            .len();
        if len == 0 {
            bail!("{o}: empty output");
        }
    }
    Ok(())
}

impl Engine for Afmpeg {
    fn run(&self, job: &Job) -> Result<()> {
        let fs = self.filesystem(std::slice::from_ref(job))?;
        let out = self
            .rt
            .run_tool(tool(job.tool), &fs, &job.args, &options())?;
        exit_result(out.exit_code, &out.stderr)?;
        check_output(&fs, job)
    }

    /// The batch API: `run_batch` on the rayon pool, one thread per core,
    /// all jobs over one shared filesystem.
    fn run_parallel(&self, jobs: &[Job]) -> Result<()> {
        let fs = self.filesystem(jobs)?;
        let batch: Vec<batch::Job> = jobs
            .iter()
            .map(|j| batch::Job {
                tool: tool(j.tool),
                fs: fs.clone(),
                args: j.args.clone(),
                options: options(),
            })
            .collect();
        for (job, result) in jobs.iter().zip(self.rt.run_batch(batch, 0)) {
            let out = result?;
            exit_result(out.exit_code, &out.stderr)?;
            check_output(&fs, job)?;
        }
        Ok(())
    }
}
