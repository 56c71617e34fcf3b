//! afmpeg's own diagnostics (not FFmpeg's log): `tracing` events on stderr,
//! off unless asked for. `-v` shows `info` (the module loaded, each job's
//! mapping, span and outcome), `-vv` `debug`, `-vvv` `trace`; `RUST_LOG`
//! (e.g. `RUST_LOG=afmpeg_cli=debug`) overrides `-v`. Colour only on a
//! terminal and never with `NO_COLOR` set.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the subscriber for `verbose` (the count of `-v`).
pub fn init(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "afmpeg={level},afmpeg_cli={level},wasi_shim={level}"
        ))
    });
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // A second init (never done) would only be refused: nothing to report.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}
