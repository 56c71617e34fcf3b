//! Native Debian FFmpeg, as a child process per job.

use super::{check_host_output, host_path, Engine, Setup};
use crate::workload::{Job, Tool};
use anyhow::{Context, Result};
use std::process::{Command, Stdio};

pub struct Native {
    setup: Setup,
    /// One thread, C code paths only: the same code afmpeg runs, natively.
    c_only: bool,
}

impl Native {
    pub fn new(setup: &Setup, c_only: bool) -> Self {
        Native {
            setup: setup.clone(),
            c_only,
        }
    }

    fn argv(&self, job: &Job) -> Vec<String> {
        let args: Vec<String> = job.args.iter().map(|a| host_path(&self.setup, a)).collect();
        if self.c_only && job.tool == Tool::Ffmpeg {
            c_only_args(&args)
        } else if self.c_only {
            let mut a = vec!["-cpuflags".to_owned(), "0".to_owned()];
            a.extend(args);
            a
        } else {
            args
        }
    }
}

/// `-cpuflags 0 -filter_threads 1` up front, `-threads 1` for every input
/// and for the output, and x264's own assembly off when encoding with it.
pub fn c_only_args(args: &[String]) -> Vec<String> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut a = s(&[
        "-cpuflags",
        "0",
        "-filter_threads",
        "1",
        "-filter_complex_threads",
        "1",
    ]);
    let (output, rest) = args.split_last().expect("a job has an output");
    for arg in rest {
        if arg == "-i" {
            a.extend(s(&["-threads", "1"]));
        }
        a.push(arg.clone());
    }
    a.extend(s(&["-threads", "1"]));
    if args.iter().any(|x| x == "libx264") {
        a.extend(s(&["-x264-params", "asm=0"]));
    }
    a.push(output.clone());
    a
}

impl Engine for Native {
    fn run(&self, job: &Job) -> Result<()> {
        let bin = match job.tool {
            Tool::Ffmpeg => &self.setup.ffmpeg,
            Tool::Ffprobe => &self.setup.ffprobe,
        };
        let out = Command::new(bin)
            .args(self.argv(job))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("running {}", bin.display()))?;
        super::exit_result(out.status.code().unwrap_or(-1), &out.stderr)?;
        check_host_output(&self.setup, job)
    }
}
