//! `afmpeg completions SHELL` and `afmpeg manpage`: shell completions and
//! the man page, generated from the command-line definitions themselves
//! (clap_complete, clap_mangen), so they never drift from them; and the
//! epilogue of `afmpeg ffmpeg -h` with afmpeg's own options. The binary
//! passes the definitions in (`Cli::command()`): the subcommands' modules
//! do not reach back to the crate root.
//! `make install-cli` installs both.

use crate::report::EXIT_SETUP;
use clap::Args;
use clap_complete::Shell;
use std::io::Write;

/// Arguments of `afmpeg completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    pub shell: Shell,
}

/// Writes the completion script of `cli` (the whole command line,
/// `Cli::command()`) for `args.shell` to stdout.
pub fn completions(args: CompletionsArgs, mut cli: clap::Command) -> i32 {
    // Into memory first: the generator panics on a failed write (a closed
    // pipe), which must not reach the user.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "afmpeg", &mut script);
    print(&script)
}

/// Writes the man page of `cli` (roff, section 1) to stdout.
pub fn manpage(cli: clap::Command) -> i32 {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(cli).render(&mut page) {
        eprintln!("afmpeg: cannot render the man page: {e}");
        return EXIT_SETUP;
    }
    print(&page)
}

/// afmpeg's own options of `afmpeg ffmpeg`/`afmpeg ffprobe` (the
/// subcommand `name` of `cli`), shown after the tool's help, which knows
/// nothing of them.
pub fn own_options_help(mut cli: clap::Command, name: &str) -> String {
    cli.build();
    let help = cli
        .find_subcommand_mut(name)
        .map(|sub| sub.render_help().to_string())
        .unwrap_or_default();
    format!("afmpeg's own options (before the {name} options):\n{help}")
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
