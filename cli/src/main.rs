//! The `afmpeg` binary.

use afmpeg_cli as cli;

use afmpeg::Tool;
use clap::Parser;
use cli::ffmpeg;
use cli::guest_thread::on_big_stack;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Run(args) => cli::run::main(args),
        cli::Command::Ffmpeg(args) => on_big_stack(|| ffmpeg::main(Tool::Ffmpeg, args)),
        cli::Command::Ffprobe(args) => on_big_stack(|| ffmpeg::main(Tool::Ffprobe, args)),
        cli::Command::Probe(args) => on_big_stack(|| cli::probe::main(args)),
        cli::Command::Batch(args) => cli::batch::main(args),
    };
    std::process::exit(code);
}
