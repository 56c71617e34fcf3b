//! The `afmpeg` binary.

use afmpeg_cli as cli;

use afmpeg::Tool;
use clap::{CommandFactory, Parser};
use cli::ffmpeg;
use cli::guest_thread::on_big_stack;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let leading = cli::leading_options(&args);
    if leading.version {
        if let Some(module) = &leading.module {
            std::env::set_var(afmpeg::engine::module::MODULE_ENV, module);
        }
        std::process::exit(on_big_stack(cli::version::main));
    }
    let cli = cli::Cli::parse();
    cli::logging::init(cli.verbose);
    if let Some(module) = &cli.module {
        // Before any thread exists; the library reads it like the user's own.
        std::env::set_var(afmpeg::engine::module::MODULE_ENV, module);
    }
    let Some(command) = cli.command else {
        let _ = cli::Cli::command().print_help();
        std::process::exit(2);
    };
    let code = match command {
        cli::Command::Run(args) => cli::run::main(args),
        cli::Command::Ffmpeg(args) => on_big_stack(|| ffmpeg::main(Tool::Ffmpeg, args)),
        cli::Command::Ffprobe(args) => on_big_stack(|| ffmpeg::main(Tool::Ffprobe, args)),
        cli::Command::Probe(args) => on_big_stack(|| cli::probe::main(args)),
        cli::Command::Batch(args) => cli::batch::main(args),
        cli::Command::Completions(args) => cli::shell::completions(args),
        cli::Command::Manpage => cli::shell::manpage(),
    };
    std::process::exit(code);
}
