//! What a job that ran to completion produced.

/// How much of stderr an error carries.
const STDERR_TAIL: usize = 4096;

/// What a finished job produced. A non-zero exit code is a `RunOutput` too:
/// FFmpeg ran and said no (look at `stderr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    /// FFmpeg's exit code.
    pub exit_code: i32,
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// What it wrote to stderr (logs, errors).
    pub stderr: Vec<u8>,
    /// The size the guest's linear memory reached, in bytes: most of the
    /// job's own memory (see `docs/explanation/performance.md`).
    pub guest_memory: u64,
}

impl RunOutput {
    /// Whether the exit code is 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// stderr as text (lossy).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// stdout as text (lossy).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// The last `STDERR_TAIL` bytes of stderr, starting at a line boundary.
pub(crate) fn tail(stderr: &[u8]) -> String {
    let from = stderr.len().saturating_sub(STDERR_TAIL);
    let mut s = &stderr[from..];
    if from > 0 {
        if let Some(nl) = s.iter().position(|&b| b == b'\n') {
            s = &s[nl + 1..];
        }
    }
    String::from_utf8_lossy(s).trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_starts_at_a_line() {
        let mut s = vec![b'x'; 5000];
        s.extend_from_slice(b"\nlast line\n");
        assert_eq!(tail(&s), "last line");
        assert_eq!(tail(b"short\n"), "short");
    }
}
