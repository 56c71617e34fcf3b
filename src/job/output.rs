//! What a job that ran to completion produced.

/// How much of stderr an error carries.
const STDERR_TAIL: usize = 4096;

/// What a finished job produced: `Ok` from a run means exit code 0; a
/// non-zero exit is [`Error::Ffmpeg`](crate::Error::Ffmpeg), which carries
/// the `RunOutput` too ([`Error::output`](crate::Error::output)).
///
/// ```no_run
/// use afmpeg::{Filesystem, Runtime};
///
/// let rt = Runtime::from_default_location()?;
/// let out = rt.ffprobe(&Filesystem::new(), &["-version"])?;
/// assert!(out.success());
/// assert!(out.stdout_text().starts_with("ffprobe version"));
/// println!("guest memory: {} MiB", out.guest_memory >> 20);
/// # Ok::<(), afmpeg::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
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

/// The streams as text, not as byte arrays (an error's `{:?}` prints it).
impl std::fmt::Debug for RunOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOutput")
            .field("exit_code", &self.exit_code)
            .field("stdout", &format_args!("{} bytes", self.stdout.len()))
            .field("stderr", &self.stderr_text())
            .field("guest_memory", &self.guest_memory)
            .finish()
    }
}

impl RunOutput {
    /// Whether the exit code is 0.
    ///
    /// ```
    /// let out = afmpeg::RunOutput { exit_code: 0, stdout: Vec::new(), stderr: b"done\n".to_vec(), guest_memory: 0 };
    /// assert!(out.success());
    /// assert_eq!(out.stderr_text(), "done\n");
    /// assert_eq!(out.stdout_text(), "");
    /// ```
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// stderr as text (lossy).
    ///
    /// ```
    /// let out = afmpeg::RunOutput { exit_code: 0, stdout: Vec::new(), stderr: b"Output #0\n".to_vec(), guest_memory: 0 };
    /// assert!(out.stderr_text().contains("Output #0"));
    /// ```
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// stdout as text (lossy).
    ///
    /// ```
    /// let out = afmpeg::RunOutput { exit_code: 0, stdout: b"{}".to_vec(), stderr: Vec::new(), guest_memory: 0 };
    /// assert_eq!(out.stdout_text(), "{}");
    /// ```
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
