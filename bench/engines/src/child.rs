//! One measurement = one child process (this binary, hidden `__child`
//! subcommand), so that each (engine, workload) pair gets its own peak RSS,
//! read by the parent from `wait4`'s rusage, and a cold engine.

use crate::engine::{self, EngineKind, Setup};
use crate::fixtures::Fixtures;
use crate::workload::Workload;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

/// What the child prints (one JSON line on stdout).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ChildReport {
    /// Module ready: engine created, module compiled/deserialized, linker set up.
    pub ready_s: f64,
    /// Wall time of each repetition (for `startup`: the first is the first
    /// instance, cold).
    pub times_s: Vec<f64>,
    /// Peak guest linear memory, when the engine reports it.
    pub guest_memory: Option<u64>,
    pub error: Option<String>,
}

/// A finished measurement, as the parent sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    pub engine: EngineKind,
    pub workload: Workload,
    #[serde(flatten)]
    pub report: ChildReport,
    /// Peak resident set of the child and its descendants, bytes.
    pub peak_rss: u64,
}

impl Measurement {
    pub fn median(&self) -> Option<f64> {
        if self.report.error.is_some() {
            return None;
        }
        median(&self.report.times_s)
    }
}

pub fn median(v: &[f64]) -> Option<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[n / 2]),
        n => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The child side: load, run `reps` repetitions, report.
pub fn run_child(kind: EngineKind, workload: Workload, reps: usize, setup: &Setup, quick: bool) {
    let mut report = ChildReport::default();
    let result = std::thread::Builder::new()
        .stack_size(engine::STACK)
        .spawn({
            let setup = setup.clone();
            move || -> Result<ChildReport> {
                let mut r = ChildReport::default();
                let task = workload.task(&Fixtures {
                    dir: setup.fixtures.clone(),
                    quick,
                });
                let t = Instant::now();
                let e = engine::load(kind, &setup)?;
                r.ready_s = t.elapsed().as_secs_f64();
                for _ in 0..reps {
                    let t = Instant::now();
                    if task.parallel {
                        e.run_parallel(&task.jobs)?;
                    } else {
                        for job in &task.jobs {
                            e.run(job)?;
                        }
                    }
                    r.times_s.push(t.elapsed().as_secs_f64());
                }
                r.guest_memory = e.guest_memory();
                Ok(r)
            }
        })
        .expect("spawning the measurement thread")
        .join();
    match result {
        Ok(Ok(r)) => report = r,
        Ok(Err(e)) => report.error = Some(format!("{e:#}")),
        Err(_) => report.error = Some("panicked".into()),
    }
    println!(
        "{}",
        serde_json::to_string(&report).expect("a report serializes")
    );
}

/// The parent side: runs one measurement in a child and reads its rusage.
pub fn measure(
    kind: EngineKind,
    workload: Workload,
    reps: usize,
    setup: &Setup,
    quick: bool,
) -> Result<Measurement> {
    let exe = std::env::current_exe()?;
    let p = |p: &PathBuf| p.display().to_string();
    let mut cmd = Command::new(exe);
    cmd.args([
        "__child",
        "--engine",
        kind.name(),
        "--workload",
        &workload.label(),
    ])
    .args(["--reps", &reps.to_string()])
    .args(["--module", &p(&setup.module), "--cache", &p(&setup.cache)])
    .args(["--fixtures", &p(&setup.fixtures), "--out", &p(&setup.out)])
    .args([
        "--ffmpeg",
        &p(&setup.ffmpeg),
        "--ffprobe",
        &p(&setup.ffprobe),
    ]);
    if quick {
        cmd.arg("--quick");
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the measurement child")?;
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut stdout)?;
    let (status, peak_rss) = wait4(child.id())?;
    let report = match serde_json::from_str::<ChildReport>(stdout.trim()) {
        Ok(r) => r,
        Err(_) => ChildReport {
            error: Some(format!("child failed ({status}) without a report")),
            ..ChildReport::default()
        },
    };
    Ok(Measurement {
        engine: kind,
        workload,
        report,
        peak_rss,
    })
}

/// Reaps `pid`; returns its wait status and peak RSS in bytes (Linux
/// reports the maximum over the child and the descendants it waited for).
fn wait4(pid: u32) -> Result<(i32, u64)> {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to locals; pid is our own unreaped child.
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if r < 0 {
        bail!("wait4: {}", std::io::Error::last_os_error());
    }
    Ok((status, usage.ru_maxrss as u64 * 1024))
}
