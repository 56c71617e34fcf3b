//! The `afmpeg` binary.

use afmpeg_cli as cli;

use afmpeg::Tool;
use clap::{CommandFactory, Parser};
use cli::ffmpeg;
use cli::flags::asks_for_help;
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
        cli::Command::Ffmpeg(args) => tool(Tool::Ffmpeg, args),
        cli::Command::Ffprobe(args) => tool(Tool::Ffprobe, args),
        cli::Command::Probe(args) => on_big_stack(|| cli::probe::main(args)),
        cli::Command::Batch(args) => cli::batch::main(args),
        cli::Command::Completions(args) => cli::shell::completions(args, cli::Cli::command()),
        cli::Command::Manpage => cli::shell::manpage(cli::Cli::command()),
    };
    std::process::exit(code);
}

/// `afmpeg ffmpeg`/`afmpeg ffprobe`; after the tool's own help, afmpeg's
/// options of the subcommand.
fn tool(tool: Tool, args: cli::ffmpeg::ToolArgs) -> i32 {
    let help = asks_for_help(&args.args);
    let code = on_big_stack(move || ffmpeg::main(tool, args));
    if help {
        println!(
            "\n{}",
            cli::shell::own_options_help(cli::Cli::command(), tool.argv0())
        );
    }
    code
}
