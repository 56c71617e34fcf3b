//! Why the CLI refuses a command line before FFmpeg runs.

/// A command-line problem found before FFmpeg runs.
#[derive(Debug)]
pub enum Refusal {
    /// afmpeg could not prepare the run (an unreadable input, a path that is
    /// not UTF-8, …): exit [`EXIT_SETUP`](super::report::EXIT_SETUP).
    Setup(String),
    /// FFmpeg itself would refuse (an existing output without `-y`): the
    /// message is FFmpeg's, the exit code 1.
    Ffmpeg(String),
    /// A host file named inside a filter graph or a concat list cannot be
    /// given to FFmpeg (it does not exist, or its name cannot be mirrored):
    /// running anyway would make FFmpeg look for the wrong file. Exit
    /// [`EXIT_SETUP`](super::report::EXIT_SETUP).
    Unmapped(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Setup(m) | Refusal::Ffmpeg(m) | Refusal::Unmapped(m) => f.write_str(m),
        }
    }
}
