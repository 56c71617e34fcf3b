//! The eight workloads, as engine-neutral jobs.
//!
//! A job names its files by guest path: inputs under `/in/` (the fixture
//! directory), outputs under `/out/` (a fresh per-run directory, or the
//! in-memory filesystem for afmpeg). Every engine maps these prefixes its
//! own way, so all engines run exactly the same command lines.

use crate::fixtures::Fixtures;
use serde::{Deserialize, Serialize};

/// Which program of the multicall module a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Ffmpeg,
    Ffprobe,
}

impl Tool {
    pub fn argv0(self) -> &'static str {
        match self {
            Tool::Ffmpeg => "ffmpeg",
            Tool::Ffprobe => "ffprobe",
        }
    }
}

/// One run of `ffmpeg` or `ffprobe`.
#[derive(Debug, Clone)]
pub struct Job {
    pub tool: Tool,
    /// Arguments without `argv[0]`; paths are `/in/...` and `/out/...`.
    pub args: Vec<String>,
    /// File names inside the fixture directory this job reads.
    pub inputs: Vec<String>,
    /// The guest path of the output that must exist and be non-empty.
    pub output: Option<String>,
}

/// What one measured repetition does: jobs one after another, or all at
/// once on as many threads (or processes) as there are cores.
#[derive(Debug, Clone)]
pub struct Task {
    pub jobs: Vec<Job>,
    pub parallel: bool,
}

/// A measured item: the startup probe, one of the eight workloads, or the
/// sequential baseline of the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Workload {
    /// Module ready + first instance (a `-version` run).
    Startup,
    /// Workload `n` (1..=8) of the issue.
    W(u8),
    /// Workload 8's eight jobs run one after another (the batch baseline).
    BatchSequential,
}

impl Workload {
    pub fn label(self) -> String {
        match self {
            Workload::Startup => "startup".into(),
            Workload::W(n) => n.to_string(),
            Workload::BatchSequential => "8-seq".into(),
        }
    }

    pub fn parse(s: &str) -> Option<Workload> {
        match s {
            "startup" => Some(Workload::Startup),
            "8-seq" => Some(Workload::BatchSequential),
            n => n
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=8).contains(n))
                .map(Workload::W),
        }
    }

    pub fn description(self, quick: bool) -> String {
        let d = Durations::new(quick);
        match self {
            Workload::Startup => "module ready + first instance (`ffmpeg -version`)".into(),
            Workload::W(1) => "320x240 2 s testsrc+sine -> x264 ultrafast + aac mp4".into(),
            Workload::W(2) => format!("1280x720 {} s testsrc2 -> x264 veryfast mp4", d.w2),
            Workload::W(3) => format!("decode 1280x720 H.264 ({} s) -> -f null", d.decode),
            Workload::W(4) => format!("remux (stream copy) {} MB mkv -> mp4", d.remux_mb),
            Workload::W(5) => format!("ffprobe of {PROBE_FILES} files"),
            Workload::W(6) => format!("{} s WAV -> AAC", d.wav),
            Workload::W(7) => format!("{THUMBNAILS} thumbnails of a {} s 720p file", d.long),
            Workload::W(8) => "batch of 8 workload-1 jobs, in parallel".into(),
            Workload::W(_) => unreachable!("workloads are 1..=8"),
            Workload::BatchSequential => "the 8 jobs of workload 8, one after another".into(),
        }
    }

    /// The work of one repetition.
    pub fn task(self, fx: &Fixtures) -> Task {
        let d = Durations::new(fx.quick);
        let seq = |jobs| Task {
            jobs,
            parallel: false,
        };
        match self {
            Workload::Startup => seq(vec![Job {
                tool: Tool::Ffmpeg,
                args: vec!["-hide_banner".into(), "-version".into()],
                inputs: vec![],
                output: None,
            }]),
            Workload::W(1) => seq(vec![small_encode("/out/w1.mp4")]),
            Workload::W(2) => seq(vec![ffmpeg(
                &[
                    "-f",
                    "lavfi",
                    "-i",
                    &format!("testsrc2=size=1280x720:rate=25:duration={}", d.w2),
                    "-c:v",
                    "libx264",
                    "-preset",
                    "veryfast",
                    "-pix_fmt",
                    "yuv420p",
                    "/out/w2.mp4",
                ],
                &[],
            )]),
            Workload::W(3) => seq(vec![ffmpeg(
                &["-i", &fx.guest(Fixtures::DECODE), "-f", "null", "-"],
                &[Fixtures::DECODE],
            )]),
            Workload::W(4) => seq(vec![ffmpeg(
                &[
                    "-i",
                    &fx.guest(Fixtures::REMUX),
                    "-c",
                    "copy",
                    "/out/w4.mp4",
                ],
                &[Fixtures::REMUX],
            )]),
            Workload::W(5) => seq(fx
                .probe_files()
                .into_iter()
                .map(|name| Job {
                    tool: Tool::Ffprobe,
                    args: [
                        "-v",
                        "error",
                        "-show_format",
                        "-show_streams",
                        "-of",
                        "json",
                        &fx.guest(&name),
                    ]
                    .map(String::from)
                    .to_vec(),
                    inputs: vec![name],
                    output: None,
                })
                .collect()),
            Workload::W(6) => seq(vec![ffmpeg(
                &[
                    "-i",
                    &fx.guest(Fixtures::WAV),
                    "-c:a",
                    "aac",
                    "-b:a",
                    "128k",
                    "/out/w6.m4a",
                ],
                &[Fixtures::WAV],
            )]),
            Workload::W(7) => seq((0..THUMBNAILS)
                .map(|i| {
                    let t = d.long as f64 * (i as f64 + 0.5) / THUMBNAILS as f64;
                    ffmpeg(
                        &[
                            "-ss",
                            &format!("{t:.2}"),
                            "-i",
                            &fx.guest(Fixtures::LONG),
                            "-frames:v",
                            "1",
                            "-vf",
                            "scale=320:-2",
                            &format!("/out/thumb{i}.jpg"),
                        ],
                        &[Fixtures::LONG],
                    )
                })
                .collect()),
            Workload::W(8) => Task {
                jobs: batch_jobs(),
                parallel: true,
            },
            Workload::W(_) => unreachable!("workloads are 1..=8"),
            Workload::BatchSequential => seq(batch_jobs()),
        }
    }
}

pub const PROBE_FILES: usize = 20;
pub const THUMBNAILS: usize = 10;
pub const BATCH_JOBS: usize = 8;

/// Fixture and workload lengths: the issue's, or short ones for a smoke run.
pub struct Durations {
    pub w2: f64,
    pub decode: u32,
    pub remux_mb: u64,
    pub wav: u32,
    pub long: u32,
}

impl Durations {
    pub fn new(quick: bool) -> Self {
        if quick {
            Durations {
                w2: 0.4,
                decode: 1,
                remux_mb: 8,
                wav: 20,
                long: 10,
            }
        } else {
            Durations {
                w2: 2.0,
                decode: 5,
                remux_mb: 52,
                wav: 300,
                long: 60,
            }
        }
    }
}

fn ffmpeg(args: &[&str], inputs: &[&str]) -> Job {
    let mut a: Vec<String> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        .map(String::from)
        .to_vec();
    a.extend(args.iter().map(|s| s.to_string()));
    let output = args
        .last()
        .filter(|o| o.starts_with("/out/"))
        .map(|o| o.to_string());
    Job {
        tool: Tool::Ffmpeg,
        args: a,
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
        output,
    }
}

/// Workload 1: everything is generated inside FFmpeg (lavfi).
fn small_encode(out: &str) -> Job {
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=25:duration=2",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            out,
        ],
        &[],
    )
}

fn batch_jobs() -> Vec<Job> {
    (0..BATCH_JOBS)
        .map(|i| small_encode(&format!("/out/w8_{i}.mp4")))
        .collect()
}
