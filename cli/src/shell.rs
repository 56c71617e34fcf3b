//! `afmpeg completions SHELL` and `afmpeg manpage`: shell completions and
//! the man page, generated from the command-line definitions themselves
//! (clap_complete, clap_mangen), so they never drift from them.
//! `make install-cli` installs both.

use crate::report::EXIT_SETUP;
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;

/// Arguments of `afmpeg completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn completions(args: CompletionsArgs) -> i32 {
    // Into memory first: the generator panics on a failed write (a closed
    // pipe), which must not reach the user.
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut crate::Cli::command(),
        "afmpeg",
        &mut script,
    );
    print(&script)
}

/// Writes the man page (roff, section 1) to stdout.
pub fn manpage() -> i32 {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(crate::Cli::command()).render(&mut page) {
        eprintln!("afmpeg: cannot render the man page: {e}");
        return EXIT_SETUP;
    }
    print(&page)
}

fn print(bytes: &[u8]) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => 0,
        // A reader that stopped early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("afmpeg: {e}");
            EXIT_SETUP
        }
    }
}
