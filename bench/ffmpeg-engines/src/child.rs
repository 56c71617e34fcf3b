//! One measurement = one child process (this binary, hidden `__child`
//! subcommand), so that each (engine, workload) pair gets its own peak RSS,
//! read by the parent from `wait4`'s rusage, and a cold engine.
//!
//! The parent drives the repetitions: it starts the children of one workload
//! (one per engine, one after another, so module loads do not overlap), then
//! asks each for one repetition in turn, round by round, each round starting
//! with the next engine. The engines are thus
//! measured interleaved: the host's speed drifts by ±20 % over minutes on a
//! shared virtual machine, and measuring engine after engine turned that
//! drift into a fake difference between engines. The protocol, one JSON line
//! each way on the child's stdin and stdout: the child says `{"ready_s":..}`
//! once loaded; each `run` line from the parent gets one repetition and
//! `{"time_s":..}` or `{"error":..}` back; at end of input the child prints
//! its whole [`ChildReport`] and exits.

use crate::engine::{self, EngineKind, Setup};
use crate::fixtures::Fixtures;
use crate::workload::Workload;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
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

/// One line from the child between the reports.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Line {
    ready_s: Option<f64>,
    time_s: Option<f64>,
    error: Option<String>,
}

fn say(line: &Line) {
    let mut out = std::io::stdout().lock();
    // The parent reads line by line: one JSON object per line, flushed.
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string(line).expect("a line serializes")
    );
    let _ = out.flush();
}

/// The child side: load, then one repetition per `run` line on stdin, then
/// the report.
pub fn run_child(kind: EngineKind, workload: Workload, setup: &Setup, quick: bool) {
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
                say(&Line {
                    ready_s: Some(r.ready_s),
                    ..Line::default()
                });
                for cmd in std::io::stdin().lock().lines() {
                    if cmd? != "run" {
                        bail!("unknown command from the parent");
                    }
                    let t = Instant::now();
                    let run = if task.parallel {
                        e.run_parallel(&task.jobs)
                    } else {
                        task.jobs.iter().try_for_each(|job| e.run(job))
                    };
                    if let Err(err) = run {
                        say(&Line {
                            error: Some(format!("{err:#}")),
                            ..Line::default()
                        });
                        return Err(err);
                    }
                    r.times_s.push(t.elapsed().as_secs_f64());
                    say(&Line {
                        time_s: r.times_s.last().copied(),
                        ..Line::default()
                    });
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

/// A running measurement child, as the parent sees it.
struct Running {
    kind: EngineKind,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    failed: bool,
}

impl Running {
    fn read_line(&mut self) -> Result<Line> {
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        serde_json::from_str(line.trim()).context("the measurement child stopped answering")
    }

    /// One repetition, unless the child has failed (its report says why).
    fn run_once(&mut self) -> Result<()> {
        if self.failed {
            return Ok(());
        }
        let stdin = self.stdin.as_mut().expect("open until finish");
        writeln!(stdin, "run")?;
        stdin.flush()?;
        let line = self.read_line()?;
        self.failed = line.time_s.is_none();
        Ok(())
    }

    /// Ends the child: its report and peak RSS.
    fn finish(mut self, workload: Workload) -> Result<Measurement> {
        drop(self.stdin.take());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest)?;
        let (status, peak_rss) = wait4(self.child.id())?;
        let report = match serde_json::from_str::<ChildReport>(rest.trim()) {
            Ok(r) => r,
            Err(_) => ChildReport {
                error: Some(format!("child failed ({status}) without a report")),
                ..ChildReport::default()
            },
        };
        Ok(Measurement {
            engine: self.kind,
            workload,
            report,
            peak_rss,
        })
    }
}

/// Starts the child of one (engine, workload) and waits until its engine is
/// loaded.
fn start(kind: EngineKind, workload: Workload, setup: &Setup, quick: bool) -> Result<Running> {
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
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the measurement child")?;
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut running = Running {
        kind,
        child,
        stdin: Some(stdin),
        stdout,
        failed: false,
    };
    // A child that fails to load prints its report instead of `ready_s`.
    let first = running.read_line();
    running.failed = !matches!(
        first,
        Ok(Line {
            ready_s: Some(_),
            ..
        })
    );
    Ok(running)
}

/// Measures `workload` on every engine of `engines`: `reps` rounds, each
/// asking every engine for one repetition in turn, the first engine of a
/// round rotating. `prepare` gives each
/// engine's setup (its own, empty output directory).
pub fn measure_interleaved(
    engines: &[EngineKind],
    workload: Workload,
    reps: usize,
    quick: bool,
    mut prepare: impl FnMut(EngineKind) -> Result<Setup>,
) -> Result<Vec<Measurement>> {
    let mut running = Vec::new();
    for &kind in engines {
        running.push(start(kind, workload, &prepare(kind)?, quick)?);
    }
    // Round r starts with engine r (mod n): no engine always runs first
    // (right after a fixture write, or on a host that drifts within a
    // round), so a bias of the position cannot pass for a difference of
    // the engines.
    let n = running.len();
    for round in 0..reps {
        for i in 0..n {
            running[(round + i) % n].run_once()?;
        }
    }
    running.into_iter().map(|r| r.finish(workload)).collect()
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
