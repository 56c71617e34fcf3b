//! `afmpeg ffmpeg` and `afmpeg ffprobe`: drop-in replacements for the native
//! tools that work on host files.
//!
//! The argument list is scanned just enough to find the host files it names:
//!
//! - **inputs** (`-i X`, ffprobe's positional file, `-filter_script`,
//!   `-filter_complex_script`, `-attach`, pass-1 logs of `-pass 2`) are
//!   imported read-only and memory-mapped at a guest path that mirrors their
//!   absolute host path under [`HOST_ROOT`] (`in.mp4` run from `/home/me`
//!   becomes `/host/home/me/in.mp4`); image-sequence and glob patterns import
//!   the matching files of their directory;
//! - **outputs** (the positional arguments of ffmpeg, ffprobe's `-o`, and the
//!   values of `-progress`, `-passlogfile`, `-vstats_file`, `-sdp_file`,
//!   `-hls_segment_filename`, `-segment_list`, `-dump_attachment`) are
//!   rewritten to the same mirror, so FFmpeg writes them in memory.
//!
//! File names inside filter graphs ([`super::filtergraph`]) and concat lists
//! ([`super::concat_list`]) are mapped too, or refused ([`Refusal::Unmapped`]).
//!
//! After FFmpeg exits 0, every file under [`HOST_ROOT`] that is new or was
//! changed by the run is exported to the host path it mirrors, each one
//! atomically (a temporary sibling renamed into place). That covers
//! `%03d` image sequences, HLS segments and anything else a muxer writes
//! next to its output. Nothing is exported after a failure.
//!
//! Existing files are replaced only with `-y`. With `-n`, or neither (where
//! native ffmpeg would prompt — we never read the terminal), an existing
//! output ends the command with FFmpeg's message and exit code 1, without
//! touching it.
//!
//! `-` / `pipe:` / `pipe:1` as output go to our stdout; `-` / `pipe:` /
//! `pipe:0` as input read our stdin (all of it, before the run).

use super::concat_list;
use super::filtergraph::{self, Direction};
use super::live::LiveText;
use super::{EXIT_ABNORMAL, EXIT_SETUP};
use afmpeg::progress::ProgressFn;
use afmpeg::{Error, Filesystem, Limits, Output, Progress, RunOptions, Runtime, Tool};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wasi_shim::fs::{ExportOptions, FileKind, ImportMode};

/// Where host paths are mirrored in the guest tree (`/a/b` is `/host/a/b`).
/// Not `/`: the guest has its own `/tmp` and `/dev`.
pub const HOST_ROOT: &str = "/host";

/// How many lines of FFmpeg's stderr are shown after a failure on a terminal.
const FAILURE_TAIL_LINES: usize = 30;

/// Arguments of `afmpeg ffmpeg` and `afmpeg ffprobe`: everything after the
/// subcommand, passed to the tool as written.
#[derive(Debug, Args)]
pub struct ToolArgs {
    /// ffmpeg only: split the video at keyframes into N pieces encoded in
    /// parallel, then join them (one input file, one output file, output
    /// options only; see `afmpeg ffmpeg --chunks N -i IN [OPTIONS] OUT`).
    #[arg(long, value_name = "N")]
    pub chunks: Option<usize>,
    /// The tool's arguments, exactly as for the native program.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub args: Vec<String>,
}

/// ffmpeg 5.1 options that take no value (boolean options, their `no`
/// forms, and the information options). Every other option takes one.
pub(super) const FFMPEG_FLAGS: &[&str] = &[
    "y",
    "n",
    "hide_banner",
    "nohide_banner",
    "stdin",
    "nostdin",
    "stats",
    "nostats",
    "shortest",
    "noshortest",
    "an",
    "vn",
    "sn",
    "dn",
    "re",
    "copyts",
    "nocopyts",
    "start_at_zero",
    "benchmark",
    "benchmark_all",
    "dump",
    "hex",
    "xerror",
    "ignore_unknown",
    "copy_unknown",
    "accurate_seek",
    "noaccurate_seek",
    "seek_timestamp",
    "autorotate",
    "noautorotate",
    "autoscale",
    "noautoscale",
    "fix_sub_duration",
    "debug_ts",
    "qphist",
    "psnr",
    "vstats",
    "bitexact",
    "report",
    "recast_media",
    "copyinkf",
    "nocopyinkf",
    "version",
    "buildconf",
    "formats",
    "muxers",
    "demuxers",
    "devices",
    "codecs",
    "decoders",
    "encoders",
    "bsfs",
    "protocols",
    "filters",
    "pix_fmts",
    "layouts",
    "sample_fmts",
    "colors",
    "hwaccels",
    "L",
    "dispositions",
];

/// ffprobe 5.1 options that take no value.
const FFPROBE_FLAGS: &[&str] = &[
    "hide_banner",
    "nohide_banner",
    "show_format",
    "show_streams",
    "show_chapters",
    "show_frames",
    "show_packets",
    "show_programs",
    "show_error",
    "show_data",
    "show_private_data",
    "noprivate",
    "private",
    "count_frames",
    "count_packets",
    "show_pixel_formats",
    "show_program_version",
    "show_library_versions",
    "show_versions",
    "pretty",
    "unit",
    "prefix",
    "byte_binary_prefix",
    "sexagesimal",
    "bitexact",
    "sections",
    "report",
    "version",
    "buildconf",
    "formats",
    "muxers",
    "demuxers",
    "devices",
    "codecs",
    "decoders",
    "encoders",
    "bsfs",
    "protocols",
    "filters",
    "pix_fmts",
    "layouts",
    "sample_fmts",
    "colors",
    "hwaccels",
    "L",
    "dispositions",
];

/// Options that print help and may take an optional topic: with one of
/// these the command line is passed through without any file mapping.
const HELP_OPTIONS: &[&str] = &["h", "?", "help", "-help", "sources", "sinks"];

/// Protocols FFmpeg knows; a value starting with one of these and a colon
/// is a URL, not a file name (except `file:`, handled as a path).
const PROTOCOLS: &[&str] = &[
    "async",
    "bluray",
    "cache",
    "concat",
    "concatf",
    "crypto",
    "data",
    "fd",
    "ftp",
    "gopher",
    "gophers",
    "hls",
    "http",
    "httpproxy",
    "https",
    "icecast",
    "ipfs",
    "ipns",
    "md5",
    "mmsh",
    "mmst",
    "prompeg",
    "rtmp",
    "rtmpe",
    "rtmps",
    "rtmpt",
    "rtmpte",
    "rtmpts",
    "rtp",
    "rtsp",
    "sctp",
    "srt",
    "srtp",
    "subfile",
    "tcp",
    "tee",
    "tls",
    "udp",
    "udplite",
    "unix",
    "zmq",
];

/// A command-line problem found before FFmpeg runs.
#[derive(Debug)]
pub enum Refusal {
    /// afmpeg could not prepare the run (an unreadable input, a path that is
    /// not UTF-8, …): exit [`EXIT_SETUP`].
    Setup(String),
    /// FFmpeg itself would refuse (an existing output without `-y`): the
    /// message is FFmpeg's, the exit code 1.
    Ffmpeg(String),
    /// A host file named inside a filter graph or a concat list cannot be
    /// given to FFmpeg (it does not exist, or its name cannot be mirrored):
    /// running anyway would make FFmpeg look for the wrong file. Exit
    /// [`EXIT_SETUP`].
    Unmapped(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Setup(m) | Refusal::Ffmpeg(m) | Refusal::Unmapped(m) => f.write_str(m),
        }
    }
}

/// What a value of the command line refers to.
enum Target<'a> {
    /// Standard input or output (`-`, `pipe:`, `pipe:N`); `Some(n)` for `pipe:N`.
    Pipe(Option<u32>),
    /// A URL of another protocol, or a device (`/dev/null`): left as is.
    Other,
    /// A host file, possibly written `file:PATH`.
    Path { file_prefix: bool, path: &'a str },
}

fn classify(value: &str) -> Target<'_> {
    if value == "-" {
        return Target::Pipe(None);
    }
    if let Some(rest) = value.strip_prefix("pipe:") {
        return Target::Pipe(rest.parse().ok());
    }
    if let Some(path) = value.strip_prefix("file:") {
        return Target::Path {
            file_prefix: true,
            path,
        };
    }
    if let Some((proto, _)) = value.split_once(':') {
        if PROTOCOLS.contains(&proto) {
            return Target::Other;
        }
    }
    if value.starts_with("/dev/") || value.is_empty() {
        return Target::Other;
    }
    Target::Path {
        file_prefix: false,
        path: value,
    }
}

/// `path` made absolute against `base` and normalised lexically (`.` and
/// `..` removed) — the file need not exist.
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The guest path mirroring the absolute host path `host`.
pub fn guest_path(host: &Path) -> Result<String, Refusal> {
    let s = host
        .to_str()
        .ok_or_else(|| Refusal::Setup(format!("{}: path is not UTF-8", host.display())))?;
    Ok(format!("{HOST_ROOT}{s}"))
}

/// Whether the file at `host` is a concat list FFmpeg recognises by its
/// first line (`ffconcat version 1.0`).
fn is_ffconcat(host: &Path) -> bool {
    let mut head = [0u8; concat_list::MAGIC.len()];
    std::fs::File::open(host)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == concat_list::MAGIC)
}

/// Whether a file name is an image-sequence (`%03d`) or glob pattern.
fn is_pattern(name: &str) -> bool {
    name.contains('%') || name.contains('*') || name.contains('?') || name.contains('[')
}

/// Whether `name` may be matched by `pattern` (a `%d` sequence or a glob):
/// same literal prefix before the first pattern character and same suffix
/// after the last one. A superset of the true matches, which is harmless:
/// the extra files are only mapped into memory.
fn may_match(pattern: &str, name: &str) -> bool {
    let special = |c: char| matches!(c, '%' | '*' | '?' | '[' | ']');
    let Some(first) = pattern.find(special) else {
        return pattern == name;
    };
    let prefix = &pattern[..first];
    let last = pattern.rfind(special).unwrap_or(first);
    let mut suffix = &pattern[last + 1..];
    if pattern[last..].starts_with('%') {
        suffix = suffix
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .strip_prefix('d')
            .unwrap_or(suffix);
    }
    name.len() >= prefix.len() + suffix.len() && name.starts_with(prefix) && name.ends_with(suffix)
}

/// One file of the guest tree before the run, to tell what the run changed.
type Stamp = (u64, u64, u64);

/// A tool invocation mapped onto an in-memory tree, ready to run.
#[derive(Debug)]
pub struct Invocation {
    /// Which program.
    pub tool: Tool,
    /// The tree the run sees as `/`, with the inputs imported.
    pub fs: Filesystem,
    /// The arguments with host paths rewritten to guest paths.
    pub args: Vec<String>,
    /// `-y` was given.
    pub overwrite: bool,
    /// `-n` was given.
    pub no_overwrite: bool,
    /// Output files named literally, as written and as host paths (checked
    /// before the run, as FFmpeg checks them).
    pub outputs: Vec<(String, PathBuf)>,
    /// An input is our stdin.
    pub reads_stdin: bool,
    /// The command line has its own `-progress`.
    pub own_progress: bool,
    /// Guest paths and how the user wrote them, to show FFmpeg's messages
    /// with the user's names.
    renames: Vec<(String, String)>,
    before: HashMap<String, Stamp>,
}

impl Invocation {
    /// Maps `args` (without `argv[0]`) of `tool`, with relative paths taken
    /// against `base`, onto a fresh in-memory tree.
    pub fn prepare(tool: Tool, args: &[String], base: &Path) -> Result<Invocation, Refusal> {
        let mut inv = Invocation {
            tool,
            fs: Filesystem::new(),
            args: Vec::with_capacity(args.len()),
            overwrite: false,
            no_overwrite: false,
            outputs: Vec::new(),
            reads_stdin: false,
            own_progress: false,
            renames: Vec::new(),
            before: HashMap::new(),
        };
        inv.fs
            .create_dir_all(HOST_ROOT)
            .map_err(|e| Refusal::Setup(e.to_string()))?;
        let help = args.iter().any(|a| {
            a.strip_prefix('-')
                .is_some_and(|o| HELP_OPTIONS.contains(&o.split(':').next().unwrap_or(o)))
        });
        if help {
            inv.args = args.to_vec();
        } else {
            inv.map_args(args, base)?;
        }
        inv.before = inv.stamps();
        Ok(inv)
    }

    fn map_args(&mut self, args: &[String], base: &Path) -> Result<(), Refusal> {
        let flags = match self.tool {
            Tool::Ffmpeg => FFMPEG_FLAGS,
            Tool::Ffprobe => FFPROBE_FLAGS,
        };
        let mut format: Option<String> = None;
        let mut positional_next = false;
        let mut has_passlogfile = false;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            if a == "--" && !positional_next {
                positional_next = true;
                self.args.push(a.clone());
                continue;
            }
            let is_option = !positional_next && a.len() > 1 && a.starts_with('-');
            positional_next = false;
            if !is_option {
                let mapped = match self.tool {
                    Tool::Ffmpeg => {
                        format = None;
                        self.map_output(a, base, true)?
                    }
                    Tool::Ffprobe => self.map_input(a, format.as_deref(), base)?,
                };
                self.args.push(mapped);
                continue;
            }
            let name = &a[1..];
            let base_name = name.split(':').next().unwrap_or(name);
            self.args.push(a.clone());
            if flags.contains(&base_name) {
                match (self.tool, base_name) {
                    (Tool::Ffmpeg, "y") => self.overwrite = true,
                    (Tool::Ffmpeg, "n") => self.no_overwrite = true,
                    _ => {}
                }
                continue;
            }
            let Some(value) = args.get(i) else { break };
            i += 1;
            let mapped = match (self.tool, base_name) {
                (_, "i") => self.map_input(value, format.take().as_deref(), base)?,
                (_, "f") => {
                    format = Some(value.clone());
                    value.clone()
                }
                (Tool::Ffmpeg, "filter_script" | "filter_complex_script") => {
                    self.map_filter_script(value, base)?
                }
                (Tool::Ffmpeg, "attach" | "hls_key_info_file") => {
                    self.map_input(value, None, base)?
                }
                (Tool::Ffmpeg, "vf" | "af" | "filter" | "filter_complex" | "lavfi") => {
                    self.map_graph(value, base)?
                }
                (Tool::Ffmpeg, "progress") => {
                    self.own_progress = true;
                    self.map_output(value, base, false)?
                }
                (
                    Tool::Ffmpeg,
                    "vstats_file" | "sdp_file" | "hls_segment_filename" | "segment_list",
                )
                | (Tool::Ffprobe, "o") => self.map_output(value, base, false)?,
                (Tool::Ffmpeg, "dump_attachment") if !value.is_empty() => {
                    self.map_output(value, base, false)?
                }
                (Tool::Ffmpeg, "passlogfile") => {
                    has_passlogfile = true;
                    self.map_passlog(value, base)?
                }
                _ => value.clone(),
            };
            self.args.push(mapped);
            // Without -passlogfile, FFmpeg uses `ffmpeg2pass` in its working
            // directory: give it the mirror of ours.
            if base_name == "pass"
                && !has_passlogfile
                && !args.iter().any(|a| a.starts_with("-passlogfile"))
            {
                let log = self.map_passlog("ffmpeg2pass", base)?;
                self.args.extend(["-passlogfile".to_owned(), log]);
                has_passlogfile = true;
            }
        }
        Ok(())
    }

    fn remember(&mut self, guest: &str, written: &str) {
        self.renames.push((guest.to_owned(), written.to_owned()));
    }

    fn map_input(
        &mut self,
        value: &str,
        format: Option<&str>,
        base: &Path,
    ) -> Result<String, Refusal> {
        if format == Some("lavfi") {
            return self.map_graph(value, base);
        }
        let (file_prefix, path) = match classify(value) {
            Target::Pipe(None | Some(0)) => {
                self.reads_stdin = true;
                return Ok(value.to_owned());
            }
            Target::Pipe(_) | Target::Other => return Ok(value.to_owned()),
            Target::Path { file_prefix, path } => (file_prefix, path),
        };
        let host = absolute(base, Path::new(path));
        let guest = guest_path(&host)?;
        if host.is_file() && (format == Some("concat") || (format.is_none() && is_ffconcat(&host)))
        {
            self.map_concat_list(&host, &guest, path)?;
        } else if host.exists() {
            import(&self.fs, &host, &guest)?;
        } else if is_pattern(path) {
            self.import_matching(&host)?;
        } else {
            // Let FFmpeg say "No such file or directory" with the user's name.
            return Ok(value.to_owned());
        }
        self.remember(&guest, path);
        Ok(if file_prefix {
            format!("file:{guest}")
        } else {
            guest
        })
    }

    /// A filter graph with the host files its filters name mapped: inputs
    /// imported, outputs mirrored; see [`filtergraph`].
    fn map_graph(&mut self, graph: &str, base: &Path) -> Result<String, Refusal> {
        let mapped = filtergraph::rewrite(graph, |file| {
            let unmapped = |why: &str| {
                Refusal::Unmapped(format!(
                    "filter {}: {}={}: {why}",
                    file.filter, file.option, file.value
                ))
            };
            match (classify(&file.value), file.direction) {
                (Target::Path { .. }, Direction::Input) => {
                    let host = absolute(base, Path::new(&file.value));
                    if !host.exists() {
                        return Err(unmapped("no such file"));
                    }
                    let guest = guest_path(&host)?;
                    import(&self.fs, &host, &guest)?;
                    self.remember(&guest, &file.value);
                    Ok(guest)
                }
                (Target::Path { .. }, Direction::Output) => {
                    self.map_output(&file.value, base, false)
                }
                (Target::Pipe(_), _) => Err(unmapped("standard streams cannot be mapped here")),
                (Target::Other, _) => Ok(file.value.clone()),
            }
        })?;
        // A graph FFmpeg cannot parse is passed on for FFmpeg to report.
        Ok(mapped.unwrap_or_else(|| graph.to_owned()))
    }

    /// A `-filter_script` / `-filter_complex_script` file: imported, or,
    /// when its graph names files, written rewritten at its mirror path.
    fn map_filter_script(&mut self, value: &str, base: &Path) -> Result<String, Refusal> {
        let Target::Path { path, .. } = classify(value) else {
            return self.map_input(value, None, base);
        };
        let host = absolute(base, Path::new(path));
        let Ok(script) = std::fs::read_to_string(&host) else {
            return self.map_input(value, None, base);
        };
        let mapped = self.map_graph(&script, base)?;
        if mapped == script {
            return self.map_input(value, None, base);
        }
        let guest = guest_path(&host)?;
        self.write_guest(&guest, mapped.as_bytes())?;
        self.remember(&guest, path);
        Ok(guest)
    }

    /// A concat-demuxer list at `host`: each file it names is imported at
    /// its mirror path (relative names then resolve, from the list's mirror,
    /// to the mirrors of the files they name, and stay "safe" names for
    /// the demuxer); absolute names are rewritten to their mirrors, and the
    /// list is then written rewritten at `guest`.
    fn map_concat_list(&mut self, host: &Path, guest: &str, written: &str) -> Result<(), Refusal> {
        let text = std::fs::read(host)
            .map_err(|e| Refusal::Setup(format!("cannot read input {written}: {e}")))?;
        let Ok(text) = String::from_utf8(text) else {
            return Err(Refusal::Unmapped(format!(
                "concat list {written}: not UTF-8 text"
            )));
        };
        let dir = host.parent().unwrap_or(Path::new("/"));
        let entries = concat_list::entries(&text);
        let mut new_paths = Vec::with_capacity(entries.len());
        for entry in &entries {
            let unmapped = |why: &str| {
                Refusal::Unmapped(format!(
                    "concat list {written}, line {}: {}: {why}",
                    entry.line, entry.path
                ))
            };
            let (file_prefix, path) = match classify(&entry.path) {
                Target::Path { file_prefix, path } => (file_prefix, path),
                Target::Other => {
                    new_paths.push(entry.path.clone());
                    continue;
                }
                Target::Pipe(_) => return Err(unmapped("standard streams cannot be mapped here")),
            };
            let relative = Path::new(path).is_relative();
            if relative
                && path.split('/').filter(|c| *c == "..").count() >= dir.components().count()
            {
                return Err(unmapped("climbs above the root"));
            }
            let file = absolute(dir, Path::new(path));
            if !file.exists() {
                return Err(unmapped("no such file"));
            }
            let file_guest = guest_path(&file)?;
            import(&self.fs, &file, &file_guest)?;
            self.remember(&file_guest, &file.display().to_string());
            new_paths.push(match (relative, file_prefix) {
                (true, _) => entry.path.clone(),
                (false, true) => format!("file:{file_guest}"),
                (false, false) => file_guest,
            });
        }
        let rewritten = concat_list::rewrite(&text, &entries, &new_paths);
        if rewritten == text {
            import(&self.fs, host, guest)
        } else {
            self.write_guest(guest, rewritten.as_bytes())
        }
    }

    /// Writes `data` at `guest`, creating its directories.
    fn write_guest(&self, guest: &str, data: &[u8]) -> Result<(), Refusal> {
        if let Some((dir, _)) = guest.rsplit_once('/') {
            self.fs
                .create_dir_all(dir)
                .map_err(|e| Refusal::Setup(e.to_string()))?;
        }
        self.fs
            .write(guest, data)
            .map_err(|e| Refusal::Setup(e.to_string()))
    }

    /// Imports the files of `pattern`'s directory that may match it.
    fn import_matching(&mut self, pattern: &Path) -> Result<(), Refusal> {
        let (Some(dir), Some(name)) = (
            pattern.parent(),
            pattern.file_name().and_then(|n| n.to_str()),
        ) else {
            return Ok(());
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(n) = file_name.to_str() else {
                continue;
            };
            if may_match(name, n) && entry.path().is_file() {
                let host = dir.join(n);
                import(&self.fs, &host, &guest_path(&host)?)?;
            }
        }
        self.fs
            .create_dir_all(&guest_path(dir)?)
            .map_err(|e| Refusal::Setup(e.to_string()))
    }

    fn map_output(&mut self, value: &str, base: &Path, literal: bool) -> Result<String, Refusal> {
        let (file_prefix, path) = match classify(value) {
            Target::Path { file_prefix, path } => (file_prefix, path),
            _ => return Ok(value.to_owned()),
        };
        let host = absolute(base, Path::new(path));
        let guest = guest_path(&host)?;
        // Mirror the output's directory only if it exists on the host, so
        // that FFmpeg fails as natively on a missing directory.
        if let Some(parent) = host.parent().filter(|p| p.is_dir()) {
            self.fs
                .create_dir_all(&guest_path(parent)?)
                .map_err(|e| Refusal::Setup(e.to_string()))?;
        }
        if literal {
            self.outputs.push((value.to_owned(), host));
        }
        self.remember(&guest, path);
        Ok(if file_prefix {
            format!("file:{guest}")
        } else {
            guest
        })
    }

    /// A two-pass log prefix: its existing logs are inputs (pass 2), new
    /// ones outputs (pass 1).
    fn map_passlog(&mut self, value: &str, base: &Path) -> Result<String, Refusal> {
        let host = absolute(base, Path::new(value));
        if let (Some(dir), Some(stem)) = (host.parent(), host.file_name().and_then(|n| n.to_str()))
        {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let Some(n) = name.to_str() else { continue };
                    if n.starts_with(&format!("{stem}-"))
                        && n.contains(".log")
                        && entry.path().is_file()
                    {
                        let h = dir.join(n);
                        import(&self.fs, &h, &guest_path(&h)?)?;
                    }
                }
            }
        }
        self.map_output(value, base, false)
    }

    /// Every regular file under [`HOST_ROOT`], with what identifies its version.
    fn stamps(&self) -> HashMap<String, Stamp> {
        let mut out = HashMap::new();
        let mut stack = vec![HOST_ROOT.to_owned()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = self.fs.read_dir(&dir) else {
                continue;
            };
            for e in entries {
                let p = format!("{dir}/{}", e.name);
                match e.kind {
                    FileKind::Dir => stack.push(p),
                    FileKind::File => {
                        if let Ok(m) = self.fs.metadata(&p) {
                            out.insert(p, (m.ino, m.mtime, m.len));
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The FFmpeg-style refusal when an output exists and may not be replaced.
    fn exists_message(&self, written: &str) -> String {
        if self.no_overwrite {
            format!("File '{written}' already exists. Exiting.")
        } else {
            format!(
                "File '{written}' already exists. Not overwriting - exiting (use -y to overwrite)."
            )
        }
    }

    /// Checks the outputs before the run, as FFmpeg does: `-y` with `-n` is
    /// an error, and so is an existing output without `-y`.
    pub fn check_outputs(&self) -> Result<(), Refusal> {
        if self.overwrite && self.no_overwrite {
            return Err(Refusal::Ffmpeg(
                "Error, both -y and -n supplied. Exiting.".to_owned(),
            ));
        }
        if self.overwrite {
            return Ok(());
        }
        match self
            .outputs
            .iter()
            .find(|(_, host)| host.symlink_metadata().is_ok())
        {
            Some((written, _)) => Err(Refusal::Ffmpeg(self.exists_message(written))),
            None => Ok(()),
        }
    }

    /// The files the run created or changed: guest path and host path.
    pub fn changed_files(&self) -> Vec<(String, PathBuf)> {
        let mut files: Vec<(String, PathBuf)> = self
            .stamps()
            .into_iter()
            .filter(|(p, stamp)| self.before.get(p) != Some(stamp))
            .map(|(p, _)| {
                let host = PathBuf::from(&p[HOST_ROOT.len()..]);
                (p, host)
            })
            .collect();
        files.sort();
        files
    }

    /// Exports what the run wrote (call only after FFmpeg succeeded). Without
    /// `-y`, nothing is exported if any of the files exists on the host.
    /// Returns the host paths written.
    pub fn export(&self) -> Result<Vec<PathBuf>, Refusal> {
        let files = self.changed_files();
        if !self.overwrite {
            if let Some((_, host)) = files.iter().find(|(_, h)| h.symlink_metadata().is_ok()) {
                return Err(Refusal::Ffmpeg(
                    self.exists_message(&host.display().to_string()),
                ));
            }
        }
        for (guest, host) in &files {
            if let Some(parent) = host.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    Refusal::Setup(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            self.fs
                .export_host(guest, host, ExportOptions { overwrite: true })
                .map_err(|e| Refusal::Setup(format!("cannot write output: {e}")))?;
        }
        Ok(files.into_iter().map(|(_, h)| h).collect())
    }

    /// FFmpeg's text with guest paths shown as the user wrote them.
    pub fn humanize(&self, text: &[u8]) -> Vec<u8> {
        self.humanizer().humanize(text)
    }

    /// What [`humanize`](Invocation::humanize) does, detached from the
    /// invocation (for a live stream on another thread).
    pub fn humanizer(&self) -> Humanizer {
        let mut renames = self.renames.clone();
        renames.sort_by_key(|(guest, _)| std::cmp::Reverse(guest.len()));
        Humanizer { renames }
    }
}

/// Rewrites guest paths in FFmpeg's messages to the names the user wrote.
#[derive(Debug, Clone)]
pub struct Humanizer {
    /// Guest path and the user's name, longest guest path first.
    renames: Vec<(String, String)>,
}

impl Humanizer {
    /// `text` with each guest path replaced by the user's name for it, and
    /// any other path under [`HOST_ROOT`] by its host path.
    pub fn humanize(&self, text: &[u8]) -> Vec<u8> {
        let Ok(s) = std::str::from_utf8(text) else {
            return text.to_vec();
        };
        if !s.contains(HOST_ROOT) {
            return text.to_vec();
        }
        let mut s = s.to_owned();
        for (guest, written) in &self.renames {
            s = s.replace(guest.as_str(), written);
        }
        s.replace(&format!("{HOST_ROOT}/"), "/").into_bytes()
    }
}

/// Imports the host file or directory `host` at `guest`, memory-mapped.
pub fn import(fs: &Filesystem, host: &Path, guest: &str) -> Result<(), Refusal> {
    // Follow a symlink given as input: import what it points to.
    let real = std::fs::canonicalize(host).unwrap_or_else(|_| host.to_path_buf());
    std::fs::File::open(&real)
        .map_err(|e| Refusal::Setup(format!("cannot read input {}: {e}", host.display())))?;
    fs.import_host(&real, guest, ImportMode::Mmap)
        .map_err(|e| Refusal::Setup(format!("cannot read input {}: {e}", host.display())))
}

/// The limits of command-line runs: the user's own machine and files, so
/// no timeout and the most memory a wasm32 guest can have.
pub fn cli_limits() -> Limits {
    Limits::unlimited()
}

/// Keeps only what a terminal would finally show of each line that FFmpeg
/// rewrote with carriage returns (its `frame=… speed=…` status line).
pub fn collapse_carriage_returns(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let shown = body
            .trim_end_matches('\r')
            .rsplit('\r')
            .next()
            .unwrap_or(body);
        out.push_str(shown);
        out.push_str(nl);
    }
    out
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> &str {
    let trimmed = text.trim_end();
    let mut start = trimmed.len();
    for _ in 0..n {
        match trimmed[..start].rfind('\n') {
            Some(i) => start = i,
            None => return trimmed,
        }
    }
    &trimmed[start + 1..]
}

/// A progress bar for one job, drawn on stderr.
pub fn progress_bar(target: ProgressDrawTarget) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(1000), target);
    pb.set_style(
        ProgressStyle::with_template(
            "{prefix}{spinner} {elapsed:>4} [{bar:24}] {percent:>3}% {msg} ETA {eta}",
        )
        .expect("valid progress template")
        .progress_chars("=> "),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A progress callback that moves `pb`.
pub fn progress_callback(pb: ProgressBar) -> ProgressFn {
    Arc::new(move |p: &Progress| {
        if let Some(f) = p.fraction {
            pb.set_position((f * 1000.0).round() as u64);
        }
        pb.set_message(describe(p));
    })
}

fn describe(p: &Progress) -> String {
    let mut parts = Vec::new();
    if let Some(t) = p.out_time {
        let s = t.as_secs_f64();
        parts.push(format!(
            "time {:02}:{:02}:{:05.2}",
            (s / 3600.0) as u64,
            (s / 60.0) as u64 % 60,
            s % 60.0
        ));
    }
    if let Some(speed) = p.speed {
        parts.push(format!("speed {speed:.2}x"));
    }
    if let Some(frame) = p.frame.filter(|f| *f > 0) {
        parts.push(format!("frame {frame}"));
    }
    parts.join("  ")
}

/// Reports a runtime error (trap, limit, cancellation) or a setup error;
/// returns the exit code.
pub fn report_error(e: &Error) -> i32 {
    report_run_error(e, false)
}

/// [`report_error`], without repeating the stderr tail when FFmpeg's
/// stderr was already shown live.
fn report_run_error(e: &Error, stderr_shown: bool) -> i32 {
    match e {
        Error::Trap { .. } | Error::Limit { .. } | Error::Cancelled { .. } | Error::Panic(_) => {
            if let Some(tail) = e.stderr_tail().filter(|t| !t.is_empty() && !stderr_shown) {
                eprintln!(
                    "{}",
                    last_lines(&collapse_carriage_returns(tail), FAILURE_TAIL_LINES)
                );
            }
            eprintln!("afmpeg: {e}");
            EXIT_ABNORMAL
        }
        _ => {
            eprintln!("afmpeg: {e}");
            EXIT_SETUP
        }
    }
}

/// Prints a refusal as one line on stderr; returns the exit code: 125 for
/// what afmpeg refuses, 1 for what FFmpeg itself would refuse.
pub fn report_refusal(r: Refusal) -> i32 {
    match r {
        Refusal::Setup(m) => {
            eprintln!("afmpeg: {m}");
            EXIT_SETUP
        }
        Refusal::Unmapped(m) => {
            eprintln!("afmpeg: cannot map {m}");
            EXIT_SETUP
        }
        Refusal::Ffmpeg(m) => {
            eprintln!("{m}");
            1
        }
    }
}

/// Stack of the thread that runs a guest. wasmi's interpreter recurses on
/// the native stack for guest calls, far deeper than a main thread's 8 MiB
/// allows in unoptimised builds; the memory is only reserved, not used.
pub const GUEST_STACK: usize = afmpeg::batch::WORKER_STACK;

/// Runs `f` on a thread with a [`GUEST_STACK`]-sized stack.
pub fn on_big_stack(f: impl FnOnce() -> i32 + Send + 'static) -> i32 {
    match std::thread::Builder::new()
        .name("afmpeg".into())
        .stack_size(GUEST_STACK)
        .spawn(f)
    {
        Ok(handle) => handle.join().unwrap_or(EXIT_ABNORMAL),
        Err(e) => {
            eprintln!("afmpeg: cannot start a thread: {e}");
            EXIT_SETUP
        }
    }
}

/// Runs `afmpeg ffmpeg` / `afmpeg ffprobe`; returns the process exit code.
pub fn main(tool: Tool, args: ToolArgs) -> i32 {
    if let Some(chunks) = args.chunks {
        if tool != Tool::Ffmpeg {
            eprintln!("afmpeg: --chunks applies to `afmpeg ffmpeg` only");
            return EXIT_SETUP;
        }
        return match std::env::current_dir() {
            Ok(cwd) => super::chunked::main(chunks, &args.args, &cwd),
            Err(e) => {
                eprintln!("afmpeg: cannot read the current directory: {e}");
                EXIT_SETUP
            }
        };
    }
    let runtime = match Runtime::from_default_location() {
        Ok(rt) => rt,
        Err(e) => return report_error(&e),
    };
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("afmpeg: cannot read the current directory: {e}");
            return EXIT_SETUP;
        }
    };
    let inv = match Invocation::prepare(tool, &args.args, &cwd)
        .and_then(|inv| inv.check_outputs().map(|()| inv))
    {
        Ok(inv) => inv,
        Err(r) => return report_refusal(r),
    };

    let mut options = RunOptions {
        limits: cli_limits(),
        ..RunOptions::default()
    };
    if inv.reads_stdin {
        let mut data = Vec::new();
        if let Err(e) = std::io::stdin().lock().read_to_end(&mut data) {
            eprintln!("afmpeg: cannot read stdin: {e}");
            return EXIT_SETUP;
        }
        options.stdin = Some(data.into());
    }
    let terminal = std::io::stderr().is_terminal();
    let bar = (tool == Tool::Ffmpeg && !inv.own_progress && terminal)
        .then(|| progress_bar(ProgressDrawTarget::stderr()));
    if let Some(pb) = &bar {
        options.progress = Some(progress_callback(pb.clone()));
    }
    // Without a progress bar, FFmpeg's stderr goes out as it is written
    // (its status line included), like native ffmpeg's; stdout always does.
    let live_stderr = bar
        .is_none()
        .then(|| LiveText::new(inv.humanizer(), std::io::stderr()));
    if let Some(live) = &live_stderr {
        options.stderr_sink = Some(live.sink());
    }
    options.stdout_sink = Some(Arc::new(|chunk: &[u8]| {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(chunk);
        let _ = out.flush();
    }));

    let result = runtime.run_tool(tool, &inv.fs, &inv.args, &options);
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    if let Some(live) = &live_stderr {
        live.finish();
    }
    let out = match result {
        Ok(out) => out,
        Err(e) => return report_run_error(&e, live_stderr.is_some()),
    };
    if bar.is_some() {
        show_tidied_stderr(&inv, &out);
    }
    if !out.success() {
        return out.exit_code;
    }
    match inv.export() {
        Ok(_) => 0,
        Err(Refusal::Ffmpeg(m)) => {
            eprintln!("{m}");
            1
        }
        Err(Refusal::Setup(m) | Refusal::Unmapped(m)) => {
            eprintln!("afmpeg: {m}");
            1
        }
    }
}

/// Writes the tool's stderr to ours after a run that a progress bar stood
/// for: tidied (the status lines collapsed), and only its tail after a
/// failure.
fn show_tidied_stderr(inv: &Invocation, out: &Output) {
    let stderr = inv.humanize(&out.stderr);
    let mut err = std::io::stderr().lock();
    let text = collapse_carriage_returns(&String::from_utf8_lossy(&stderr));
    let shown = if out.success() {
        text.trim_end()
    } else {
        last_lines(&text, FAILURE_TAIL_LINES)
    };
    if !shown.is_empty() {
        let _ = writeln!(err, "{shown}");
    }
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn absolute_normalises() {
        let base = Path::new("/work/a");
        assert_eq!(
            absolute(base, Path::new("../b/./c.mp4")),
            PathBuf::from("/work/b/c.mp4")
        );
        assert_eq!(absolute(base, Path::new("/x/y")), PathBuf::from("/x/y"));
    }

    #[test]
    fn patterns_match_their_files() {
        assert!(may_match("frame_%03d.png", "frame_001.png"));
        assert!(!may_match("frame_%03d.png", "frame_001.jpg"));
        assert!(may_match("*.png", "a.png"));
        assert!(may_match("img%d.jpg", "img12.jpg"));
        assert!(!may_match("img%d.jpg", "other12.jpg"));
    }

    #[test]
    fn carriage_returns_collapse() {
        assert_eq!(
            collapse_carriage_returns("a\nframe=1\rframe=2\r\nb\n"),
            "a\nframe=2\nb\n"
        );
        assert_eq!(last_lines("1\n2\n3\n", 2), "2\n3");
        assert_eq!(last_lines("1\n2\n3\n", 5), "1\n2\n3");
    }

    #[test]
    fn outputs_and_lavfi_inputs() {
        let dir = std::env::temp_dir();
        let inv = Invocation::prepare(
            Tool::Ffmpeg,
            &argv(&[
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=d=1",
                "-c:v",
                "mpeg4",
                "out.mp4",
                "-f",
                "null",
                "-",
            ]),
            &dir,
        )
        .unwrap();
        let guest = guest_path(&dir.join("out.mp4")).unwrap();
        assert_eq!(
            inv.args,
            argv(&[
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=d=1",
                "-c:v",
                "mpeg4",
                &guest,
                "-f",
                "null",
                "-"
            ])
        );
        assert!(inv.overwrite);
        assert_eq!(inv.outputs.len(), 1);
        assert_eq!(
            inv.humanize(format!("to '{guest}':").as_bytes()),
            b"to 'out.mp4':"
        );
    }

    #[test]
    fn filter_files_are_imported_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let srt = b"1\n00:00:00,000 --> 00:00:01,000\nhi\n";
        std::fs::write(dir.path().join("my subs.srt"), srt).unwrap();
        let inv = Invocation::prepare(
            Tool::Ffmpeg,
            &argv(&[
                "-f",
                "lavfi",
                "-i",
                "testsrc=d=1",
                "-vf",
                "scale=160:-2,subtitles='my subs.srt':force_style='Fontsize=20'",
                "-filter_complex",
                "[0:v]psnr=stats_file=psnr.log",
                "out.mp4",
            ]),
            dir.path(),
        )
        .unwrap();
        let guest = guest_path(&dir.path().join("my subs.srt")).unwrap();
        let escaped = guest.replace(' ', "\\\\\\ ");
        assert_eq!(
            inv.args[5],
            format!("scale=160:-2,subtitles={escaped}:force_style=Fontsize\\\\=20")
        );
        assert_eq!(inv.fs.read(&guest).unwrap(), srt, "imported");
        let log = guest_path(&dir.path().join("psnr.log")).unwrap();
        assert_eq!(inv.args[7], format!("[0:v]psnr=stats_file={log}"));
        assert_eq!(
            inv.humanize(format!("Unable to open {guest}").as_bytes()),
            b"Unable to open my subs.srt"
        );
        // lavfi input graphs too.
        let inv = Invocation::prepare(
            Tool::Ffmpeg,
            &argv(&["-f", "lavfi", "-i", "amovie=my subs.srt", "-f", "null", "-"]),
            dir.path(),
        )
        .unwrap();
        assert_eq!(inv.args[3], format!("amovie={escaped}"));

        // Filter scripts: rewritten in memory when they name files, the
        // host script untouched; imported as they are otherwise.
        std::fs::write(dir.path().join("g.txt"), "amovie='my subs.srt' [a]").unwrap();
        std::fs::write(dir.path().join("plain.txt"), "scale=2:2").unwrap();
        let inv = Invocation::prepare(
            Tool::Ffmpeg,
            &argv(&[
                "-filter_complex_script",
                "g.txt",
                "-filter_script:v",
                "plain.txt",
                "o.mp4",
            ]),
            dir.path(),
        )
        .unwrap();
        let script = guest_path(&dir.path().join("g.txt")).unwrap();
        assert_eq!(inv.args[1], script);
        assert_eq!(
            String::from_utf8(inv.fs.read(&script).unwrap()).unwrap(),
            format!("amovie={escaped}[a]")
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("g.txt")).unwrap(),
            "amovie='my subs.srt' [a]"
        );
        let plain = guest_path(&dir.path().join("plain.txt")).unwrap();
        assert_eq!(inv.args[3], plain);
        assert_eq!(inv.fs.read(&plain).unwrap(), b"scale=2:2");
    }

    #[test]
    fn missing_filter_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let r = Invocation::prepare(
            Tool::Ffmpeg,
            &argv(&["-i", "in.mp4", "-vf", "subtitles=nope.srt", "out.mp4"]),
            dir.path(),
        );
        match r {
            Err(Refusal::Unmapped(m)) => {
                assert_eq!(m, "filter subtitles: filename=nope.srt: no such file")
            }
            other => panic!("expected Unmapped, got {other:?}"),
        }
    }

    #[test]
    fn concat_lists_import_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let clips = dir.path().join("clips");
        std::fs::create_dir(&clips).unwrap();
        std::fs::write(clips.join("a.mp4"), b"A").unwrap();
        std::fs::write(dir.path().join("b.mp4"), b"B").unwrap();
        let abs_b = dir.path().join("b.mp4");
        let list = format!("# two\nfile a.mp4\nfile '{}'\n", abs_b.display());
        std::fs::write(clips.join("list.txt"), &list).unwrap();
        let inv = Invocation::prepare(
            Tool::Ffmpeg,
            &argv(&[
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                "clips/list.txt",
                "out.mp4",
            ]),
            dir.path(),
        )
        .unwrap();
        let guest_list = guest_path(&clips.join("list.txt")).unwrap();
        assert_eq!(inv.args[5], guest_list);
        assert_eq!(
            inv.fs
                .read(&guest_path(&clips.join("a.mp4")).unwrap())
                .unwrap(),
            b"A"
        );
        let guest_b = guest_path(&abs_b).unwrap();
        assert_eq!(inv.fs.read(&guest_b).unwrap(), b"B");
        // The relative name stays (it resolves from the list's mirror); the
        // absolute one becomes its mirror.
        assert_eq!(
            String::from_utf8(inv.fs.read(&guest_list).unwrap()).unwrap(),
            format!("# two\nfile a.mp4\nfile {guest_b}\n")
        );

        // A missing file is refused with the list's line.
        std::fs::write(
            clips.join("bad.txt"),
            "ffconcat version 1.0\nfile gone.mp4\n",
        )
        .unwrap();
        // Recognised by its first line, without -f concat.
        match Invocation::prepare(
            Tool::Ffmpeg,
            &argv(&["-i", "clips/bad.txt", "o.mp4"]),
            dir.path(),
        ) {
            Err(Refusal::Unmapped(m)) => {
                assert_eq!(
                    m,
                    "concat list clips/bad.txt, line 2: gone.mp4: no such file"
                )
            }
            other => panic!("expected Unmapped, got {other:?}"),
        }
    }
}
