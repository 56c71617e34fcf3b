//! An `afmpeg` child process that a test signals at a chosen moment: its
//! stderr is read line by line on a thread, the test waits for the line it
//! needs (a job's progress, the "stopping" notice), then sends a signal.
//! afmpeg's own debug log (`RUST_LOG=afmpeg_cli=debug`) gives the progress
//! lines of runs that print none without a terminal (`batch`, `--chunks`).

use super::command::{module, BIN};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

/// A running `afmpeg` and its stderr. Its stdin is a pipe that stays open
/// and empty until [`finish`](Watched::finish): a job reading stdin waits.
pub struct Watched {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
    reader: JoinHandle<()>,
}

/// Starts `afmpeg ARGS` in `dir` with the module and afmpeg's debug log.
pub fn spawn_watched(dir: &Path, args: &[&str]) -> Watched {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("AFMPEG_MODULE", module())
        .env("RUST_LOG", "afmpeg_cli=debug")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start afmpeg");
    let stdin = child.stdin.take();
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, lines) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Watched {
        child,
        stdin,
        lines,
        seen: Vec::new(),
        reader,
    }
}

/// The frame count of a debug `progress` line whose fields include `key`
/// (`job=long`, `piece=0`).
pub fn progress_frame(line: &str, key: &str) -> Option<u64> {
    if !line.contains(" progress ") || !line.split(' ').any(|w| w == key) {
        return None;
    }
    line.split(' ')
        .find_map(|w| w.strip_prefix("frame="))
        .and_then(|n| n.parse().ok())
}

impl Watched {
    /// Waits for a stderr line that `wanted` accepts; panics with the
    /// stderr so far if the process ends first.
    pub fn wait_for(&mut self, what: &str, wanted: impl Fn(&str) -> bool) {
        for line in self.lines.iter() {
            let found = wanted(&line);
            self.seen.push(line);
            if found {
                return;
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        panic!(
            "afmpeg ended before {what}; its stderr:\n{}",
            self.seen.join("\n")
        );
    }

    /// Sends `SIGname` (`INT`, `TERM`) to the process.
    pub fn signal(&self, name: &str) {
        let st = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("cannot run kill");
        assert!(st.success(), "kill -{name} failed");
    }

    /// Ctrl-C twice: a first SIGINT, a second once afmpeg says it is
    /// stopping (the kernel merges a signal sent while the same one is
    /// still pending), then [`finish`](Watched::finish).
    pub fn interrupt_twice(mut self) -> (ExitStatus, String, String) {
        self.signal("INT");
        self.wait_for("the stopping notice", |l| l.contains("afmpeg: stopping"));
        self.signal("INT");
        self.finish()
    }

    /// Waits for the process to end: its status, stdout and whole stderr.
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        drop(self.stdin.take());
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            let _ = std::io::Read::read_to_string(&mut out, &mut stdout);
        }
        let status = self.child.wait().expect("cannot wait for afmpeg");
        let _ = self.reader.join();
        self.seen.extend(self.lines.try_iter());
        (status, stdout, self.seen.join("\n"))
    }
}
