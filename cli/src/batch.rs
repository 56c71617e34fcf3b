//! `afmpeg batch JOBS.json [-j N]`: many ffmpeg/ffprobe jobs in parallel.
//!
//! The job file format is documented in `docs/reference/batch-file.md`.
//! Each job is mapped onto its own in-memory tree exactly as
//! `afmpeg ffmpeg` maps a command line (see [`super::ffmpeg`]), with
//! relative paths taken against the job file's directory; all jobs then run
//! at once on one [`Runtime`], and each job's outputs are exported as soon
//! as it succeeds. A summary table follows; the exit code is 0 only if
//! every job succeeded.
//!
//! Signals: a first SIGINT or SIGTERM stops every running ffmpeg job as
//! native ffmpeg stops (outputs finished and exported, status `stopped`),
//! and the queued jobs do not start (`not started`); the exit code is then
//! 255.
//! A second one cancels the jobs still running: they export nothing, the
//! files they would have replaced are untouched, and the exit code is
//! 128 + the signal.

use super::byte_count::parse_bytes;
use super::engine::EngineArg;
use super::ffmpeg::report_left_out;
use super::guest_thread::cli_limits;
use super::host_path::{absolute, guest_path, import};
use super::invocation::Invocation;
use super::progress_bar::{self, progress_bar, progress_callback};
use super::refusal::Refusal;
use super::report::{last_lines, report_error, with_causes, EXIT_SETUP};
use super::signals::SignalHandling;
use super::span::{self, Span};
use afmpeg::job::Job;
use afmpeg::{Error, Limits, RunOptions, RunOutput, Runtime, StopToken, Tool};
use clap::Args;
use comfy_table::Table;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};
use serde::{Deserialize, Serialize};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Arguments of `afmpeg batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The job file (JSON; see docs/reference/batch-file.md).
    pub file: PathBuf,
    /// How many jobs run at once (0: one per CPU core).
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    /// Print the summary as JSON on stdout (jobs with name, status,
    /// exit_code, time_secs, outputs, reason; ok, stopped, not_started and
    /// failed counts).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArg,
}

/// A job file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFile {
    /// Settings every job inherits unless it sets its own.
    #[serde(default)]
    pub defaults: Defaults,
    /// The jobs, in the order of the summary.
    pub jobs: Vec<JobSpec>,
}

/// Defaults of a job file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// The program of jobs that name none (default: `ffmpeg`).
    pub tool: Option<ToolName>,
    /// Replace existing outputs, as `-y` does (default: false).
    pub overwrite: Option<bool>,
    /// Limits of every job; a job's own limits override them field by field.
    #[serde(default)]
    pub limits: LimitsSpec,
}

/// One job of a job file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Its name in the progress display and the summary (default: `job-N`).
    pub name: Option<String>,
    /// `ffmpeg` or `ffprobe`.
    pub tool: Option<ToolName>,
    /// The arguments after the program name, as on the command line.
    pub args: Vec<String>,
    /// More host files or directories to import, relative to the job
    /// file's directory (and inside it), for names the arguments do not show
    /// as files (`subtitles=subs.srt`, `movie=logo.png`): each is imported
    /// both at its mirror path and at `/` + its relative path, where a
    /// relative name inside a filter resolves.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Save the tool's stdout to this file (e.g. ffprobe's JSON).
    pub stdout: Option<String>,
    /// Replace existing outputs, as `-y` does.
    pub overwrite: Option<bool>,
    /// This job's limits.
    #[serde(default)]
    pub limits: LimitsSpec,
}

/// The program a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolName {
    /// `ffmpeg`.
    Ffmpeg,
    /// `ffprobe`.
    Ffprobe,
}

impl From<ToolName> for Tool {
    fn from(t: ToolName) -> Tool {
        match t {
            ToolName::Ffmpeg => Tool::Ffmpeg,
            ToolName::Ffprobe => Tool::Ffprobe,
        }
    }
}

/// Limits of a job; every field is optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// Wall-clock timeout in seconds (default: none).
    pub timeout_secs: Option<f64>,
    /// Most guest memory: bytes, or a string such as `"512M"` (default: 4G).
    pub max_memory: Option<ByteSize>,
    /// CPU budget in fuel units, about one per wasm instruction (default: none).
    pub fuel: Option<u64>,
    /// Most bytes written to files (default: unlimited).
    pub max_bytes_written: Option<ByteSize>,
    /// Most files created (default: unlimited).
    pub max_files_created: Option<u64>,
}

impl LimitsSpec {
    /// `self`, with the fields it does not set taken from `fallback`.
    fn or(&self, fallback: &LimitsSpec) -> LimitsSpec {
        LimitsSpec {
            timeout_secs: self.timeout_secs.or(fallback.timeout_secs),
            max_memory: self.max_memory.or(fallback.max_memory),
            fuel: self.fuel.or(fallback.fuel),
            max_bytes_written: self.max_bytes_written.or(fallback.max_bytes_written),
            max_files_created: self.max_files_created.or(fallback.max_files_created),
        }
    }

    fn to_limits(&self) -> Result<Limits, String> {
        let mut l = cli_limits();
        if let Some(t) = self.timeout_secs {
            if !(t.is_finite() && t > 0.0) {
                return Err(format!(
                    "timeout_secs must be a positive number of seconds, not {t}"
                ));
            }
            l.timeout = Some(Duration::from_secs_f64(t));
        }
        if let Some(ByteSize(m)) = self.max_memory {
            l.max_memory = m;
        }
        l.fuel = self.fuel.or(l.fuel);
        if let Some(ByteSize(b)) = self.max_bytes_written {
            l.max_bytes_written = b;
        }
        l.max_files_created = self.max_files_created.unwrap_or(l.max_files_created);
        Ok(l)
    }
}

/// A byte count: a JSON number, or a string with an optional K/M/G/T suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) => Ok(ByteSize(n)),
            Raw::Text(s) => parse_bytes(&s)
                .map(ByteSize)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// How a job ended.
#[derive(Debug, Clone)]
enum Status {
    /// Exit 0 and outputs exported.
    Ok,
    /// Stopped gracefully by a signal (FFmpeg's exit 255): its outputs
    /// finished early and exported.
    Stopped,
    /// The tool exited non-zero.
    Failed,
    /// The run was stopped (trap, limit, …) or its outputs could not be written.
    Error(String),
    /// Refused before running.
    NotRun(String),
    /// Still queued when a signal stopped the batch: never started.
    NotStarted,
}

#[derive(Debug, Clone)]
struct Outcome {
    status: Status,
    exit_code: Option<i32>,
    time: Option<Duration>,
    outputs: Vec<PathBuf>,
    /// The last line FFmpeg wrote, for a failed job.
    reason: String,
}

impl Outcome {
    fn not_run(why: String) -> Outcome {
        Outcome {
            status: Status::NotRun(why),
            exit_code: None,
            time: None,
            outputs: Vec::new(),
            reason: String::new(),
        }
    }
}

/// A job mapped and ready to run.
struct Prepared {
    index: usize,
    inv: Invocation,
    stdout: Option<PathBuf>,
    /// The job's limits (also in `options`: the span probe runs under them).
    limits: Limits,
    options: RunOptions,
}

/// Maps one job onto its tree.
fn prepare(
    index: usize,
    spec: &JobSpec,
    defaults: &Defaults,
    base: &Path,
) -> Result<Prepared, String> {
    let tool: Tool = spec
        .tool
        .or(defaults.tool)
        .unwrap_or(ToolName::Ffmpeg)
        .into();
    let limits = spec.limits.or(&defaults.limits).to_limits()?;
    let mut inv = Invocation::prepare(tool, &spec.args, base).map_err(|e| e.to_string())?;
    if spec.overwrite.or(defaults.overwrite).unwrap_or(false) {
        inv.overwrite = true;
    }
    for input in &spec.inputs {
        let rel = Path::new(input);
        let host = absolute(base, rel);
        let inside = host
            .strip_prefix(base)
            .map_err(|_| format!("input {input:?} is not inside {}", base.display()))?;
        let top = inside
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("");
        if matches!(top, "" | "tmp" | "dev" | "host") {
            return Err(format!(
                "input {input:?}: cannot be imported at /{} in the job's tree",
                inside.display()
            ));
        }
        import(
            &inv.fs,
            &host,
            &guest_path(&host).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let at_root = format!(
            "/{}",
            inside
                .to_str()
                .ok_or_else(|| format!("input {input:?}: path is not UTF-8"))?
        );
        import(&inv.fs, &host, &at_root).map_err(|e| e.to_string())?;
    }
    inv.remember_working_dir();
    let stdout = spec.stdout.as_ref().map(|s| absolute(base, Path::new(s)));
    if let Some(path) = &stdout {
        inv.outputs
            .push((spec.stdout.clone().unwrap_or_default(), path.clone()));
    }
    inv.check_outputs().map_err(|e| e.to_string())?;
    Ok(Prepared {
        index,
        inv,
        stdout,
        options: RunOptions::new().limits(limits.clone()),
        limits,
    })
}

/// After a job ran: exports its outputs if it succeeded, or if a graceful
/// stop (`stopped`) ended it and FFmpeg finished them.
fn finish(
    runtime: &Runtime,
    p: &Prepared,
    result: &Result<RunOutput, Error>,
    time: Option<Duration>,
    stopped: bool,
) -> Outcome {
    if let Err(Error::NotStarted) = result {
        return Outcome {
            status: Status::NotStarted,
            ..Outcome::not_run(String::new())
        };
    }
    let mut outcome = Outcome {
        status: Status::Ok,
        exit_code: None,
        time,
        outputs: Vec::new(),
        reason: String::new(),
    };
    // A non-zero exit (an error carrying the run's output) is a failed job
    // with an exit code, not an error of the batch.
    let out = match (result, result.as_ref().err().and_then(Error::output)) {
        (Ok(out), _) | (Err(_), Some(out)) => out,
        (Err(e), None) => {
            outcome.status = Status::Error(with_causes(e));
            outcome.reason = e
                .stderr_tail()
                .map(|t| last_lines(t, 1).to_owned())
                .unwrap_or_default();
            return outcome;
        }
    };
    outcome.exit_code = Some(out.exit_code);
    if stopped && out.exit_code == StopToken::EXIT_CODE {
        outcome.status = Status::Stopped;
    } else if !out.success() {
        outcome.status = Status::Failed;
        let text = String::from_utf8_lossy(&p.inv.humanize(&out.stderr)).into_owned();
        outcome.reason = last_lines(&text, 1).trim().to_owned();
        return outcome;
    }
    let exported = (|| {
        if let Some(host) = &p.stdout {
            let guest = guest_path(host)?;
            if let Some((parent, _)) = guest.rsplit_once('/') {
                p.inv
                    .fs
                    .create_dir_all(parent)
                    .map_err(|e| Refusal::Setup(e.to_string()))?;
            }
            p.inv
                .fs
                .write(&guest, stdout_text(&p.inv, &out.stdout))
                .map_err(|e| Refusal::Setup(e.to_string()))?;
        }
        match outcome.status {
            Status::Stopped => p.inv.export_stopped(runtime).map(|(files, left_out)| {
                report_left_out(&left_out);
                files
            }),
            _ => p.inv.export(),
        }
    })();
    match exported {
        Ok(files) => outcome.outputs = files,
        Err(e) => outcome.status = Status::Error(e.to_string()),
    }
    outcome
}

/// A job's stdout as saved: ffprobe's report with the user's paths (see
/// [`Humanizer::with_escaped_forms`](super::humanize::Humanizer::with_escaped_forms)),
/// ffmpeg's bytes as they are.
fn stdout_text(inv: &Invocation, stdout: &[u8]) -> Vec<u8> {
    match inv.tool {
        Tool::Ffprobe => inv.humanizer().with_escaped_forms().humanize(stdout),
        Tool::Ffmpeg => stdout.to_vec(),
    }
}

fn setup_error(msg: impl std::fmt::Display) -> i32 {
    eprintln!("afmpeg: {msg}");
    EXIT_SETUP
}

/// Runs `afmpeg batch`; returns the process exit code.
pub fn main(args: BatchArgs) -> i32 {
    let runtime = match args.engine.default_runtime() {
        Ok(rt) => rt,
        Err(e) => return report_error(&e),
    };
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => return setup_error(format!("cannot read {}: {e}", args.file.display())),
    };
    let file: JobFile = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => return setup_error(format!("{}: {e}", args.file.display())),
    };
    let base = match std::env::current_dir().map(|cwd| absolute(&cwd, &args.file)) {
        Ok(path) => {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            std::fs::canonicalize(&dir).unwrap_or(dir)
        }
        Err(e) => return setup_error(format!("cannot read the current directory: {e}")),
    };

    let names: Vec<String> = file
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| j.name.clone().unwrap_or_else(|| format!("job-{}", i + 1)))
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; file.jobs.len()];
    let mut ready = Vec::new();
    for (i, spec) in file.jobs.iter().enumerate() {
        match prepare(i, spec, &file.defaults, &base) {
            Ok(p) => ready.push(p),
            Err(why) => outcomes[i] = Some(Outcome::not_run(why)),
        }
    }

    let terminal = std::io::stderr().is_terminal();
    let multi = terminal.then(MultiProgress::new);
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let bars: Vec<Option<ProgressBar>> = ready
        .iter()
        .map(|p| {
            multi.as_ref().map(|m| {
                let pb = m.add(progress_bar(ProgressDrawTarget::hidden()));
                pb.set_prefix(format!("{:<width$} ", names[p.index]));
                progress_bar::queued(&pb);
                pb
            })
        })
        .collect();
    // Each job's span is probed on its worker, just before it starts.
    let spans: Vec<Arc<OnceLock<Span>>> = ready.iter().map(|_| Arc::default()).collect();
    let jobs: Vec<Job> = ready
        .iter()
        .zip(&bars)
        .zip(&spans)
        .map(|((p, bar), span)| {
            let mut options = p.options.clone();
            match (bar, p.inv.tool, p.inv.own_progress) {
                (Some(pb), Tool::Ffmpeg, false) => {
                    options = options.progress(progress_callback(pb.clone(), span.clone()));
                }
                // Without a terminal, `-vv` logs each job's progress: what a
                // log of an unattended batch (or a test) follows.
                (None, Tool::Ffmpeg, false) if tracing::enabled!(tracing::Level::DEBUG) => {
                    let job = names[p.index].clone();
                    options = options.progress(move |r| {
                        tracing::debug!(%job, frame = r.frame.unwrap_or(0), "progress");
                    });
                }
                _ => {}
            }
            Job {
                tool: p.inv.tool,
                fs: p.inv.fs.clone(),
                args: p.inv.args.clone(),
                options,
            }
        })
        .collect();

    let total = file.jobs.len();
    let started: Vec<Mutex<Option<Instant>>> = ready.iter().map(|_| Mutex::new(None)).collect();
    let finished: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; ready.len()]);
    let done_count = Mutex::new(total - ready.len());
    // A first signal stops every running job gracefully (their outputs are
    // finished and exported as they end) and keeps the queued ones from
    // starting; a second cancels what still runs (nothing more exported).
    // Each export is a whole file renamed into place, and a signal no longer
    // ends the process, so none is left half-written.
    let signals = match SignalHandling::install_graceful(true) {
        Ok(s) => s,
        Err(e) => return setup_error(format!("cannot handle signals: {e}")),
    };
    let jobs: Vec<Job> = jobs
        .into_iter()
        .map(|mut job| {
            job.options = job
                .options
                .stop(signals.stop.clone())
                .cancel(signals.cancel.clone());
            job
        })
        .collect();
    let stop = signals.stop.clone();
    runtime.run_batch_observed(
        jobs,
        args.jobs,
        |k| {
            *started[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            if let Some(pb) = &bars[k] {
                progress_bar::started(pb);
                let p = &ready[k];
                if p.inv.tool == Tool::Ffmpeg {
                    let _ = spans[k].set(span::probed(&runtime, &p.inv.fs, &p.inv.args, &p.limits));
                }
            }
        },
        |k, result| {
            let time = started[k]
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .map(|t| t.elapsed());
            let outcome = finish(&runtime, &ready[k], result, time, stop.is_stopped());
            let status = status_text(&outcome);
            let name = &names[ready[k].index];
            match &bars[k] {
                Some(pb) => progress_bar::finished(pb, status),
                None => {
                    let mut n = done_count.lock().unwrap_or_else(|e| e.into_inner());
                    *n += 1;
                    eprintln!("[{}/{total}] {name}: {status}{}", *n, seconds(outcome.time));
                }
            }
            finished.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(outcome);
        },
    );
    for (p, outcome) in ready
        .iter()
        .zip(finished.into_inner().unwrap_or_else(|e| e.into_inner()))
    {
        outcomes[p.index] = outcome;
    }
    if let Some(m) = &multi {
        let _ = m.clear();
    }

    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::not_run("did not run".to_owned())))
        .collect();
    let rows = summary_rows(&names, &outcomes, &base);
    let ok = rows.iter().filter(|r| r.status == "ok").count();
    let stopped = rows.iter().filter(|r| r.status == "stopped").count();
    let not_started = rows.iter().filter(|r| r.status == "not started").count();
    let failed = rows.len() - ok - stopped - not_started;
    if args.json {
        let summary = serde_json::json!({
            "jobs": rows,
            "ok": ok,
            "stopped": stopped,
            "not_started": not_started,
            "failed": failed,
        });
        println!("{summary:#}");
    } else {
        print!("{}", summary_table(&rows));
    }
    for r in &rows {
        if let Some(why) = &r.reason {
            eprintln!("afmpeg: job {}: {why}", r.name);
        }
    }
    if !args.json {
        let stop = match (stopped, not_started) {
            (0, 0) => String::new(),
            (s, n) => format!(", {s} stopped, {n} not started"),
        };
        println!("{} jobs: {ok} ok{stop}, {failed} failed", rows.len());
    }
    match (signals.hard_signal(), signals.stop.signal()) {
        (Some(n), _) => {
            eprintln!("afmpeg: cancelled by signal {n}; the jobs that had not ended wrote nothing");
            128 + n
        }
        // As native ffmpeg after a graceful stop.
        (None, Some(_)) => StopToken::EXIT_CODE,
        (None, None) => i32::from(failed > 0),
    }
}

/// Why a job did not succeed (None when it did).
fn failure_reason(o: &Outcome) -> Option<String> {
    let why = match &o.status {
        Status::Ok | Status::Stopped => return None,
        Status::NotStarted => "a stop was asked before it started".to_owned(),
        Status::NotRun(m) | Status::Error(m) if o.reason.is_empty() => m.clone(),
        Status::NotRun(m) | Status::Error(m) => format!("{m}: {}", o.reason),
        Status::Failed => o.reason.clone(),
    };
    Some(why)
}

fn status_text(o: &Outcome) -> String {
    match (&o.status, o.exit_code) {
        (Status::Ok, _) => "ok".to_owned(),
        (Status::Stopped, _) => "stopped".to_owned(),
        (Status::Failed, Some(code)) => format!("failed (exit {code})"),
        (Status::Failed, None) => "failed".to_owned(),
        (Status::Error(_), _) => "error".to_owned(),
        (Status::NotRun(_), _) => "not run".to_owned(),
        (Status::NotStarted, _) => "not started".to_owned(),
    }
}

fn seconds(t: Option<Duration>) -> String {
    t.map(|t| format!(" ({:.1} s)", t.as_secs_f64()))
        .unwrap_or_default()
}

/// One row of the summary; `afmpeg batch --json` prints them as JSON.
#[derive(Debug, Serialize)]
struct SummaryRow {
    name: String,
    /// `ok`, `stopped` (by a signal, outputs finished early and written),
    /// `not started` (queued when a signal stopped the batch), `failed`,
    /// `error` or `not run`.
    status: &'static str,
    exit_code: Option<i32>,
    time_secs: Option<f64>,
    /// Host paths written, relative to the job file's directory when inside it.
    outputs: Vec<String>,
    /// Why a job did not succeed: FFmpeg's last log line, or the error.
    reason: Option<String>,
}

fn summary_rows(names: &[String], outcomes: &[Outcome], base: &Path) -> Vec<SummaryRow> {
    names
        .iter()
        .zip(outcomes)
        .map(|(name, o)| SummaryRow {
            name: name.clone(),
            status: match &o.status {
                Status::Ok => "ok",
                Status::Stopped => "stopped",
                Status::Failed => "failed",
                Status::Error(_) => "error",
                Status::NotRun(_) => "not run",
                Status::NotStarted => "not started",
            },
            exit_code: o.exit_code,
            time_secs: o.time.map(|t| t.as_secs_f64()),
            outputs: o
                .outputs
                .iter()
                .map(|p| p.strip_prefix(base).unwrap_or(p).display().to_string())
                .collect(),
            reason: failure_reason(o),
        })
        .collect()
}

/// The summary table: one row per job, columns apart by two spaces.
fn summary_table(rows: &[SummaryRow]) -> String {
    let mut table = Table::new();
    table.load_style(comfy_table::presets::NOTHING);
    table.set_header(["NAME", "STATUS", "EXIT", "TIME", "OUTPUTS"]);
    for r in rows {
        table.add_row([
            r.name.clone(),
            r.status.to_owned(),
            r.exit_code.map_or("-".to_owned(), |c| c.to_string()),
            r.time_secs.map_or("-".to_owned(), |t| format!("{t:.1}s")),
            if r.outputs.is_empty() {
                "-".to_owned()
            } else {
                r.outputs.join(", ")
            },
        ]);
    }
    let last = table.column_count().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if i == last { 0 } else { 2 }));
    }
    let mut text: String = table
        .lines()
        .map(|l| l.trim_end().to_owned() + "\n")
        .collect();
    if text.is_empty() {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_file_parses_with_defaults() {
        let f: JobFile = serde_json::from_str(
            r#"{ "defaults": { "overwrite": true, "limits": { "max_memory": "512M", "timeout_secs": 60 } },
                 "jobs": [ { "name": "a", "args": ["-i", "in.mp4", "out.mkv"], "limits": { "max_memory": 1024 } },
                           { "tool": "ffprobe", "args": ["in.mp4"], "stdout": "in.txt" } ] }"#,
        )
        .unwrap();
        assert_eq!(f.jobs.len(), 2);
        let l = f.jobs[0].limits.or(&f.defaults.limits).to_limits().unwrap();
        assert_eq!(l.max_memory, 1024);
        assert_eq!(l.timeout, Some(Duration::from_secs(60)));
        let l = f.jobs[1].limits.or(&f.defaults.limits).to_limits().unwrap();
        assert_eq!(l.max_memory, 512 << 20);
        assert_eq!(f.jobs[1].tool, Some(ToolName::Ffprobe));
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(
            serde_json::from_str::<JobFile>(r#"{ "jobs": [ { "args": [], "argz": [] } ] }"#)
                .is_err()
        );
        assert!(serde_json::from_str::<JobFile>(
            r#"{ "jobs": [ { "args": [], "limits": { "max_memory": "9Q" } } ] }"#
        )
        .is_err());
    }
}
