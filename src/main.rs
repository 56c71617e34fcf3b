//! The `afmpeg` binary.

mod cli;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Run(args) => cli::run::main(args),
    };
    std::process::exit(code);
}
