//! `afmpeg --version`: afmpeg's version, and what a job would run: the
//! module's path, its FFmpeg version (asked of the module itself), its guest
//! profile (from the `provenance.json` that `make guest` writes beside it)
//! and the engine.

use crate::report::{report_error, EXIT_SETUP};
use afmpeg::{Engine, ModuleSource, Runtime};
use std::path::Path;

/// Prints the version lines; returns the exit code (125 when there is no
/// usable module).
pub fn main() -> i32 {
    println!("afmpeg {}", env!("CARGO_PKG_VERSION"));
    let source = match ModuleSource::default_location() {
        Ok(source) => source,
        Err(e) => return report_error(&e),
    };
    let path = match &source {
        ModuleSource::File(p) => p.clone(),
        other => {
            println!("module: {}", other.origin());
            return EXIT_SETUP;
        }
    };
    println!("module: {}", path.display());
    println!("profile: {}", profile(&path));
    // The engine a job would get: AFMPEG_ENGINE, else the default (native
    // when this build has it and the module is the compiled-in one).
    let chosen = match std::env::var("AFMPEG_ENGINE")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(name) => match name.parse::<Engine>() {
            Ok(e) => Some(e),
            Err(e) => {
                eprintln!("afmpeg: AFMPEG_ENGINE: {e}");
                return EXIT_SETUP;
            }
        },
        None => None,
    };
    let runtime = match Runtime::default_location_builder().and_then(|b| match chosen {
        Some(e) => b.engine(e).build(),
        None => b.build(),
    }) {
        Ok(rt) => rt,
        Err(e) => return report_error(&e),
    };
    let fs = afmpeg::Filesystem::new();
    let ffmpeg = match runtime.run(&fs, &["-hide_banner", "-version"]) {
        Ok(out) if out.success() => first_line_version(&out.stdout_text()),
        Ok(out) => format!("unknown (ffmpeg -version exited {})", out.exit_code),
        Err(e) => format!("unknown ({e})"),
    };
    println!("FFmpeg: {ffmpeg}");
    println!(
        "engine: {}",
        match runtime.engine() {
            Engine::Interpreter => "interpreter (wasmi, no JIT)",
            Engine::Native => "native (translated to C ahead of time and compiled in, no JIT)",
            _ => "another engine",
        }
    );
    0
}

/// `5.1.9` from `ffmpeg version 5.1.9 Copyright …`.
fn first_line_version(text: &str) -> String {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("ffmpeg version "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("unknown")
        .to_owned()
}

/// The `profile` of the `provenance.json` beside the module.
fn profile(module: &Path) -> String {
    let Some(file) = module.parent().map(|d| d.join("provenance.json")) else {
        return "unknown".to_owned();
    };
    let read = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    match read.as_ref().and_then(|v| v["profile"].as_str()) {
        Some(p) => {
            let simd = read.as_ref().and_then(|v| v["simd"].as_bool()) == Some(true);
            format!("{p}{}", if simd { " (simd)" } else { "" })
        }
        None => "unknown (no provenance.json beside the module)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_read_from_the_banner() {
        assert_eq!(
            first_line_version("ffmpeg version 5.1.9 Copyright (c) 2000-2025\nbuilt with"),
            "5.1.9"
        );
        assert_eq!(first_line_version("nonsense"), "unknown");
    }
}
