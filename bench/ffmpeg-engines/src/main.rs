//! `afmpeg-bench`: issue #5's instrument. Runs the eight whole-job workloads
//! on every engine in one run and prints side-by-side tables: median wall
//! time, ratio to afmpeg, peak RSS, startup, and the targets.
//!
//! Each (engine, workload) is measured in its own child process (this
//! binary, hidden `__child` subcommand) so peak RSS and caches don't leak
//! from one measurement into the next; the engines of a workload take their
//! repetitions in turn, round by round (see `child.rs` for why).

mod child;
mod engine;
mod fixtures;
mod report;
mod workload;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use engine::{EngineKind, Setup};
use fixtures::Fixtures;
use std::path::{Path, PathBuf};
use workload::Workload;

#[derive(Parser)]
#[command(
    name = "afmpeg-bench",
    about = "afmpeg against wasmi+wasi-common, wasmtime (Pulley, Cranelift) and native FFmpeg"
)]
struct Cli {
    #[command(subcommand)]
    child: Option<Sub>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Args)]
struct RunArgs {
    /// Repetitions per (engine, workload); the median is reported.
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Workloads to run (1-8), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = 1..=8u8)]
    workloads: Vec<u8>,
    /// Engines to run, comma-separated (wasmi-wasi-nofuel is the fuel lever).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = EngineKind::DEFAULT)]
    engines: Vec<EngineKind>,
    /// Short fixtures and workloads: a smoke run, not the figures.
    #[arg(long)]
    quick: bool,
    /// Skip the startup measurement.
    #[arg(long)]
    no_startup: bool,
    /// Also write the report as markdown here.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Also write every measurement as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Fixtures, outputs and the wasmtime compile cache (default: a directory
    /// on /dev/shm, a tmpfs, when there is one).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// The FFmpeg module (default: AFMPEG_MODULE, or where `make guest` put it).
    #[arg(long)]
    module: Option<PathBuf>,
    #[arg(long, default_value = "/usr/bin/ffmpeg")]
    ffmpeg: PathBuf,
    #[arg(long, default_value = "/usr/bin/ffprobe")]
    ffprobe: PathBuf,
}

#[derive(Subcommand)]
enum Sub {
    #[command(name = "__child", hide = true)]
    Child(ChildArgs),
    /// Compiles the module for a wasmtime engine into the cache; prints the
    /// seconds it took, or nothing when cached.
    #[command(name = "__precompile", hide = true)]
    Precompile {
        /// Which wasmtime engine: pulley, cranelift or cranelift-epoch.
        #[arg(long, value_enum)]
        engine: EngineKind,
        #[arg(long)]
        module: PathBuf,
        #[arg(long)]
        cache: PathBuf,
    },
}

#[derive(Args)]
struct ChildArgs {
    #[arg(long, value_enum)]
    engine: EngineKind,
    #[arg(long, value_parser = parse_workload)]
    workload: Workload,
    #[arg(long)]
    quick: bool,
    #[arg(long)]
    module: PathBuf,
    #[arg(long)]
    cache: PathBuf,
    #[arg(long)]
    fixtures: PathBuf,
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    ffmpeg: PathBuf,
    #[arg(long)]
    ffprobe: PathBuf,
}

fn parse_workload(s: &str) -> Result<Workload, String> {
    Workload::parse(s).ok_or_else(|| format!("unknown workload {s}"))
}

fn main() {
    let cli = Cli::parse();
    match cli.child {
        Some(Sub::Child(c)) => {
            let setup = Setup {
                module: c.module,
                cache: c.cache,
                fixtures: c.fixtures,
                out: c.out,
                ffmpeg: c.ffmpeg,
                ffprobe: c.ffprobe,
            };
            child::run_child(c.engine, c.workload, &setup, c.quick);
            return;
        }
        Some(Sub::Precompile {
            engine: kind,
            module,
            cache,
        }) => {
            let setup = Setup {
                module,
                cache,
                fixtures: PathBuf::new(),
                out: PathBuf::new(),
                ffmpeg: PathBuf::new(),
                ffprobe: PathBuf::new(),
            };
            let Some(flavor) = kind.flavor() else {
                eprintln!("afmpeg-bench: {} is not a wasmtime engine", kind.name());
                std::process::exit(2);
            };
            match engine::precompile(&setup, flavor) {
                Ok(took) => {
                    if let Some(t) = took {
                        println!("{}", t.as_secs_f64());
                    }
                }
                Err(e) => {
                    eprintln!("afmpeg-bench: precompiling: {e:#}");
                    std::process::exit(1);
                }
            }
            return;
        }
        None => {}
    }
    if let Err(e) = run(cli.run) {
        eprintln!("afmpeg-bench: {e:#}");
        std::process::exit(1);
    }
}

fn run(a: RunArgs) -> Result<()> {
    if a.reps == 0 {
        bail!("--reps must be at least 1");
    }
    let work = a.work_dir.clone().unwrap_or_else(default_work_dir);
    let module = match &a.module {
        Some(m) => m.clone(),
        None => match afmpeg::ModuleSource::default_location()? {
            afmpeg::ModuleSource::File(p) => p,
            other => bail!("the default module is not a file: {other:?}"),
        },
    };
    let load_before = loadavg();
    let started_utc = utc_now();
    let fx = Fixtures::at(&work, a.quick);
    eprintln!("afmpeg-bench: fixtures in {}", fx.dir.display());
    fx.ensure(&a.ffmpeg)?;

    let setup = Setup {
        module: module.clone(),
        cache: work.join("wasmtime-cache"),
        fixtures: fx.dir.clone(),
        out: work.join("out"),
        ffmpeg: a.ffmpeg.clone(),
        ffprobe: a.ffprobe.clone(),
    };
    if a.engines.contains(&EngineKind::NativeTier) {
        engine::check_native_tier(&setup)?;
    }
    let mut compile = Vec::new();
    for &kind in &a.engines {
        if kind.flavor().is_some() {
            eprintln!(
                "afmpeg-bench: compiling the module for {} (cached after the first run)",
                kind.name()
            );
            compile.push((kind, precompile_in_child(&setup, kind)?));
        }
    }

    let mut workloads: Vec<Workload> = Vec::new();
    if !a.no_startup {
        workloads.push(Workload::Startup);
    }
    for &n in &a.workloads {
        let w =
            Workload::parse(&n.to_string()).with_context(|| format!("no workload {n} (1-8)"))?;
        if !workloads.contains(&w) {
            workloads.push(w);
        }
        if n == 8 && a.engines.contains(&EngineKind::Afmpeg) {
            workloads.push(Workload::BatchSequential);
        }
    }

    let mut measurements = Vec::new();
    for &w in &workloads {
        eprintln!("workload {}: {}", w.label(), w.description(a.quick));
        // The sequential batch baseline is measured for afmpeg only.
        let engines: Vec<EngineKind> = a
            .engines
            .iter()
            .copied()
            .filter(|&e| w != Workload::BatchSequential || e == EngineKind::Afmpeg)
            .collect();
        // startup: one cold run plus warm ones.
        let reps = if w == Workload::Startup {
            a.reps.max(3)
        } else {
            a.reps
        };
        let out_of = |e: EngineKind| work.join("out").join(format!("{}-{}", e.name(), w.label()));
        let ms = child::measure_interleaved(&engines, w, reps, a.quick, |e| {
            let mut s = setup.clone();
            s.out = out_of(e);
            fresh_dir(&s.out)?;
            Ok(s)
        })?;
        for m in ms {
            let _ = std::fs::remove_dir_all(out_of(m.engine));
            match (&m.report.error, m.median()) {
                (Some(err), _) => eprintln!("  {:<18} error: {err}", m.engine.name()),
                (None, Some(t)) => eprintln!(
                    "  {:<18} {t:>9.3} s  ready {:>7.1} ms  peak RSS {:>6.0} MB",
                    m.engine.name(),
                    m.report.ready_s * 1e3,
                    m.peak_rss as f64 / (1024.0 * 1024.0)
                ),
                (None, None) => {}
            }
            measurements.push(m);
        }
    }

    let report = report::Report {
        started_utc,
        host: report::Host {
            cores: engine::cores(),
            load_before,
            load_after: loadavg(),
            native_ffmpeg: native_version(&a.ffmpeg),
            module_bytes: std::fs::metadata(&module).map(|m| m.len()).unwrap_or(0),
            module: module.display().to_string(),
        },
        quick: a.quick,
        reps: a.reps,
        engines: a.engines.clone(),
        workloads: workloads
            .iter()
            .map(|w| (*w, w.description(a.quick)))
            .collect(),
        wasmtime_compile_s: compile,
        measurements,
    };
    let md = report.markdown();
    println!("{md}");
    if let Some(p) = &a.markdown {
        std::fs::write(p, &md).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.json {
        std::fs::write(p, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

/// Compiling FFmpeg with Cranelift takes hundreds of MB. Done in the parent
/// it would raise every later child's peak RSS: Linux carries the RSS high
/// water mark of the spawning process into the child across `execve`. So the
/// parent stays small and compiles in a child too.
fn precompile_in_child(setup: &Setup, kind: EngineKind) -> Result<Option<f64>> {
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("__precompile")
        .arg("--module")
        .arg(&setup.module)
        .arg("--cache")
        .arg(&setup.cache);
    cmd.arg("--engine").arg(kind.name());
    let out = cmd.stderr(std::process::Stdio::inherit()).output()?;
    if !out.status.success() {
        bail!("precompiling the module failed ({})", out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.trim().parse::<f64>().ok())
}

fn default_work_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    // SAFETY: getuid has no preconditions.
    base.join(format!("afmpeg-bench-{}", unsafe { libc::getuid() }))
}

fn fresh_dir(p: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(p);
    std::fs::create_dir_all(p).with_context(|| format!("creating {}", p.display()))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn native_version(ffmpeg: &Path) -> String {
    std::process::Command::new(ffmpeg)
        .arg("-version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_else(|_| "not found".into())
}
