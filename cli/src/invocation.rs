//! A tool's command line mapped onto an in-memory tree: the host files it
//! names imported at their mirror paths, the arguments rewritten to them,
//! and after the run the files it wrote exported back (see
//! [`super::ffmpeg`] for the rules).

use super::concat_list;
use super::filtergraph::{self, Direction};
use super::flags::{asks_for_help, FFMPEG_FLAGS, FFPROBE_FLAGS, PROTOCOLS};
use super::host_path::{absolute, guest_path, import, HOST_ROOT};
use super::humanize::Humanizer;
use super::refusal::Refusal;
use super::report::with_causes;
use afmpeg::{Filesystem, Runtime, Tool};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use wasi_shim::fs::{ExportOptions, FileKind};

/// What a value of the command line refers to.
enum ArgKind<'a> {
    /// Standard input or output (`-`, `pipe:`, `pipe:N`); `Some(n)` for `pipe:N`.
    Pipe(Option<u32>),
    /// A URL of another protocol, or one of the guest's devices
    /// (`/dev/null`, [`GUEST_DEVICES`]): left as is.
    Other,
    /// A host file, possibly written `file:PATH`.
    Path { file_prefix: bool, path: &'a str },
}

fn classify(value: &str) -> ArgKind<'_> {
    if value == "-" {
        return ArgKind::Pipe(None);
    }
    if let Some(rest) = value.strip_prefix("pipe:") {
        return ArgKind::Pipe(rest.parse().ok());
    }
    if let Some(path) = value.strip_prefix("file:") {
        return ArgKind::Path {
            file_prefix: true,
            path,
        };
    }
    if let Some((proto, _)) = value.split_once(':') {
        if PROTOCOLS.contains(&proto) {
            return ArgKind::Other;
        }
    }
    if value.is_empty() || is_guest_device(value) {
        return ArgKind::Other;
    }
    ArgKind::Path {
        file_prefix: false,
        path: value,
    }
}

/// What the guest's own `/dev` holds: the standard devices and the standard
/// streams. A value naming one of them is the guest's device, as it would be
/// native ffmpeg's (`-f null /dev/null`, `/dev/stdout`). Any other path under
/// `/dev` is a host file like any other — an input on the tmpfs `/dev/shm`
/// — and is mapped like one (under the host root, so it cannot collide with
/// the guest's `/dev`).
const GUEST_DEVICES: &[&str] = &[
    "null", "zero", "full", "urandom", "random", "stdin", "stdout", "stderr",
];

fn is_guest_device(value: &str) -> bool {
    value
        .strip_prefix("/dev/")
        .is_some_and(|name| GUEST_DEVICES.contains(&name))
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

/// The files a pattern names, as a glob (globset): FFmpeg's `%d`/`%03d`
/// sequence fields become `*` (a superset of the true matches, which is
/// harmless: extra files are only mapped into memory), `%%` a literal `%`.
/// None when the pattern is no valid glob.
fn pattern_matcher(pattern: &str) -> Option<globset::GlobMatcher> {
    let mut glob = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find('%') {
        glob.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let field = after.trim_start_matches(|c: char| c.is_ascii_digit());
        rest = match (after.strip_prefix('%'), field.strip_prefix('d')) {
            (Some(r), _) => {
                glob.push('%');
                r
            }
            (None, Some(r)) => {
                glob.push('*');
                r
            }
            (None, None) => {
                glob.push('%');
                after
            }
        };
    }
    glob.push_str(rest);
    globset::Glob::new(&glob).ok().map(|g| g.compile_matcher())
}

/// Whether `path` names a playlist or manifest (published after the files
/// it lists).
fn is_playlist(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("m3u8" | "m3u" | "mpd" | "ffconcat" | "csv")
    )
}

/// The system's text for `e` as FFmpeg prints it (`strerror`, without
/// Rust's "(os error N)").
fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// A mapped path, with the `file:` prefix again when the user wrote one.
fn written_as(guest: String, file_prefix: bool) -> String {
    if file_prefix {
        format!("file:{guest}")
    } else {
        guest
    }
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
    /// Every host file the run may write (outputs, segment patterns, logs),
    /// as written and as host paths: their directories are checked before
    /// the run.
    destinations: Vec<(String, PathBuf)>,
    /// An input is our stdin.
    pub reads_stdin: bool,
    /// The command line has its own `-progress`.
    pub own_progress: bool,
    /// Guest paths and how the user wrote them, to show FFmpeg's messages
    /// with the user's names.
    renames: Vec<(String, String)>,
    before: HashMap<String, Stamp>,
    /// Guest paths of the text files a tool writes about its run (ffprobe's
    /// `-o` file): their paths are shown as the user's, as on stdout.
    text_reports: Vec<String>,
    /// The user's working directory: where FFmpeg's own relative names
    /// (`-report` logs, `-dump_attachment` names) go.
    base: PathBuf,
    /// The files at the tree's root before the run (see
    /// [`working_dir_files`](Invocation::working_dir_files)).
    root_before: HashSet<String>,
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
            destinations: Vec::new(),
            reads_stdin: false,
            own_progress: false,
            renames: Vec::new(),
            text_reports: Vec::new(),
            before: HashMap::new(),
            base: base.to_path_buf(),
            root_before: HashSet::new(),
        };
        inv.fs
            .create_dir_all(HOST_ROOT)
            .map_err(|e| Refusal::Setup(e.to_string()))?;
        if asks_for_help(args) {
            inv.args = args.to_vec();
        } else {
            inv.map_args(args, base)?;
        }
        inv.before = inv.stamps();
        inv.remember_working_dir();
        Ok(inv)
    }

    /// Notes the files now at the tree's root as not the run's (call after
    /// importing more files there).
    pub fn remember_working_dir(&mut self) {
        self.root_before = self.root_files().into_iter().collect();
    }

    fn root_files(&self) -> Vec<String> {
        self.fs
            .read_dir("/")
            .map(|entries| {
                entries
                    .into_iter()
                    .filter(|e| e.kind == FileKind::File)
                    .map(|e| e.name)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Files FFmpeg wrote by a relative name, which it resolves against its
    /// own working directory, the tree's root (`ffmpeg-20260101-120000.log`
    /// of `-report`, the attachment names of `-dump_attachment:t ""`), and
    /// where they go: the user's working directory.
    pub fn working_dir_files(&self) -> Vec<(String, PathBuf)> {
        let mut files: Vec<(String, PathBuf)> = self
            .root_files()
            .into_iter()
            .filter(|name| !self.root_before.contains(name))
            .map(|name| (format!("/{name}"), self.base.join(&name)))
            .collect();
        files.sort();
        files
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
                ) => self.map_output(value, base, false)?,
                (Tool::Ffprobe, "o") => {
                    let guest = self.map_output(value, base, false)?;
                    self.text_reports.push(guest.clone());
                    guest
                }
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
            ArgKind::Pipe(None | Some(0)) => {
                self.reads_stdin = true;
                return Ok(value.to_owned());
            }
            ArgKind::Pipe(_) | ArgKind::Other => return Ok(value.to_owned()),
            ArgKind::Path { file_prefix, path } => (file_prefix, path),
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
        Ok(written_as(guest, file_prefix))
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
                (ArgKind::Path { .. }, Direction::Input) => {
                    let host = absolute(base, Path::new(&file.value));
                    if !host.exists() {
                        return Err(unmapped("no such file"));
                    }
                    let guest = guest_path(&host)?;
                    import(&self.fs, &host, &guest)?;
                    self.remember(&guest, &file.value);
                    Ok(guest)
                }
                (ArgKind::Path { .. }, Direction::Output) => {
                    self.map_output(&file.value, base, false)
                }
                (ArgKind::Pipe(_), _) => Err(unmapped("standard streams cannot be mapped here")),
                (ArgKind::Other, _) => Ok(file.value.clone()),
            }
        })?;
        // A graph FFmpeg cannot parse is passed on for FFmpeg to report.
        Ok(mapped.unwrap_or_else(|| graph.to_owned()))
    }

    /// A `-filter_script` / `-filter_complex_script` file: imported, or,
    /// when its graph names files, written rewritten at its mirror path.
    fn map_filter_script(&mut self, value: &str, base: &Path) -> Result<String, Refusal> {
        let ArgKind::Path { path, .. } = classify(value) else {
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
                ArgKind::Path { file_prefix, path } => (file_prefix, path),
                ArgKind::Other => {
                    new_paths.push(entry.path.clone());
                    continue;
                }
                ArgKind::Pipe(_) => return Err(unmapped("standard streams cannot be mapped here")),
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
        let matcher = pattern_matcher(name);
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(n) = file_name.to_str() else {
                continue;
            };
            let matches = matcher.as_ref().map_or(name == n, |m| m.is_match(n));
            if matches && entry.path().is_file() {
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
            ArgKind::Path { file_prefix, path } => (file_prefix, path),
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
        self.destinations.push((path.to_owned(), host.clone()));
        if literal {
            self.outputs.push((value.to_owned(), host));
        }
        self.remember(&guest, path);
        Ok(written_as(guest, file_prefix))
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
    /// an error, so is an existing output without `-y`, and so is a
    /// destination that cannot be written (a missing or read-only
    /// directory, a read-only file), with the system's message as FFmpeg
    /// prints it when its open fails — at once, not after the encode.
    pub fn check_outputs(&self) -> Result<(), Refusal> {
        if self.overwrite && self.no_overwrite {
            return Err(Refusal::Ffmpeg(
                "Error, both -y and -n supplied. Exiting.".to_owned(),
            ));
        }
        for (written, host) in &self.destinations {
            if let Err(wasi_shim::fs::FsError::Host { source, .. }) =
                Filesystem::check_export_target(host)
            {
                return Err(Refusal::Ffmpeg(format!("{written}: {}", strerror(&source))));
            }
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

    /// Exports what the run wrote (call only after FFmpeg succeeded) and
    /// returns the host paths written. The outputs the command line names
    /// were checked before the run ([`check_outputs`](Invocation::check_outputs));
    /// what FFmpeg derives from them (image sequences, segments, playlists)
    /// and the files of `-progress`, `-passlogfile`, `-vstats_file` replace
    /// existing files, as native ffmpeg's do. Files written by a relative
    /// name in FFmpeg's own working directory are checked as FFmpeg checks
    /// `-dump_attachment` names: not replaced without `-y`.
    ///
    /// Files are published in the order FFmpeg last wrote them, so a file
    /// that names others (an HLS or DASH playlist, a segment list, rewritten
    /// after each segment) comes after everything it names; playlists go
    /// last on a tie. An export that fails part way thus never leaves a
    /// playlist naming a missing segment.
    pub fn export(&self) -> Result<Vec<PathBuf>, Refusal> {
        self.export_except(&[])
    }

    /// [`export`](Invocation::export) after a graceful stop, except the
    /// Matroska files (`.mkv`, `.mka`, `.mk3d`, `.webm`) that no demuxer can
    /// read, which are left out (an existing host file stays as it was).
    /// Why: FFmpeg 5.1's matroska muxer, when no packet reached a file,
    /// writes one whose SeekHead runs into the next element ("End of file"
    /// when read); native ffmpeg does the same when a Ctrl-C comes before
    /// the first frame (or with `-frames:v 0`). Other muxers' empty files
    /// (MP4: a valid file of no duration) are published. Returns the host
    /// paths written and those left out.
    pub fn export_stopped(
        &self,
        runtime: &Runtime,
    ) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Refusal> {
        let unreadable: Vec<(String, PathBuf)> = self
            .changed_files()
            .into_iter()
            .filter(|(guest, host)| is_matroska(host) && runtime.probe(&self.fs, guest).is_err())
            .collect();
        let skip: Vec<String> = unreadable.iter().map(|(g, _)| g.clone()).collect();
        let written = self.export_except(&skip)?;
        Ok((written, unreadable.into_iter().map(|(_, h)| h).collect()))
    }

    /// [`export`](Invocation::export) without the guest paths in `skip`.
    fn export_except(&self, skip: &[String]) -> Result<Vec<PathBuf>, Refusal> {
        let mut files = self.changed_files();
        files.retain(|(guest, _)| !skip.contains(guest));
        let working = self.working_dir_files();
        if !self.overwrite {
            if let Some((_, host)) = working.iter().find(|(_, h)| h.symlink_metadata().is_ok()) {
                return Err(Refusal::Ffmpeg(
                    self.exists_message(&host.display().to_string()),
                ));
            }
        }
        files.extend(working);
        files.sort_by_cached_key(|(guest, _)| {
            let mtime = self.fs.metadata(guest).map(|m| m.mtime).unwrap_or(0);
            (mtime, is_playlist(guest))
        });
        self.export_files(&files)?;
        Ok(files.into_iter().map(|(_, h)| h).collect())
    }

    /// Exports the `-report` logs, which native ffmpeg leaves whether or not
    /// the run succeeded (call after a failure; [`export`](Invocation::export)
    /// covers them after a success).
    pub fn export_reports(&self) -> Result<Vec<PathBuf>, Refusal> {
        let logs: Vec<(String, PathBuf)> = self
            .working_dir_files()
            .into_iter()
            .filter(|(g, _)| self.is_report_log(g))
            .collect();
        self.export_files(&logs)?;
        Ok(logs.into_iter().map(|(_, h)| h).collect())
    }

    /// Whether the guest file `guest` is a `-report` log
    /// (`/ffmpeg-20260101-120000.log` in FFmpeg's working directory).
    fn is_report_log(&self, guest: &str) -> bool {
        guest.starts_with(&format!("/{}-", self.tool.argv0()))
            && guest.ends_with(".log")
            && !guest[1..].contains('/')
    }

    /// Rewrites the guest paths in the text file `guest` that the tool
    /// wrote about its run (a `-report` log, ffprobe's `-o` file) to the
    /// user's paths, as its stdout and stderr show them. Media outputs are
    /// never touched.
    fn humanize_text_report(&self, guest: &str) -> Result<(), Refusal> {
        let humanizer = if self.text_reports.iter().any(|r| r == guest) {
            // What ffprobe's writers print: JSON, CSV and XML escapes too.
            self.humanizer().with_escaped_forms()
        } else if self.is_report_log(guest) {
            self.humanizer()
        } else {
            return Ok(());
        };
        let failed = |e: wasi_shim::fs::FsError| {
            Refusal::Setup(format!("cannot write output: {}", with_causes(&e)))
        };
        let text = self.fs.read(guest).map_err(failed)?;
        let shown = humanizer.humanize(&text);
        if shown != text {
            self.fs.write(guest, shown).map_err(failed)?;
        }
        Ok(())
    }

    fn export_files(&self, files: &[(String, PathBuf)]) -> Result<(), Refusal> {
        for (guest, host) in files {
            self.humanize_text_report(guest)?;
            if let Some(parent) = host.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    Refusal::Setup(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            self.fs
                .export_host(guest, host, ExportOptions { overwrite: true })
                .map_err(|e| Refusal::Setup(format!("cannot write output: {}", with_causes(&e))))?;
        }
        Ok(())
    }

    /// FFmpeg's text with guest paths shown as the user wrote them.
    pub fn humanize(&self, text: &[u8]) -> Vec<u8> {
        self.humanizer().humanize(text)
    }

    /// What [`humanize`](Invocation::humanize) does, detached from the
    /// invocation (for a live stream on another thread).
    pub fn humanizer(&self) -> Humanizer {
        Humanizer::new(self.renames.clone())
    }
}

/// Whether `path` names a Matroska file (by its extension, as FFmpeg
/// chooses the muxer).
fn is_matroska(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["mkv", "mka", "mk3d", "webm"].contains(&e.to_ascii_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn only_the_guest_devices_are_left_as_they_are() {
        for dev in [
            "/dev/null",
            "/dev/stdout",
            "/dev/stderr",
            "/dev/stdin",
            "/dev/urandom",
        ] {
            assert!(matches!(classify(dev), ArgKind::Other), "{dev}");
        }
        // A file on a host tmpfs, or a host device the guest has not got.
        for host in ["/dev/shm/in.wav", "/dev/nullx", "/dev/fd/3", "/dev/sda"] {
            assert!(
                matches!(classify(host), ArgKind::Path { path, .. } if path == host),
                "{host}"
            );
        }
    }

    #[test]
    fn patterns_match_their_files() {
        let may_match = |p: &str, n: &str| pattern_matcher(p).is_some_and(|m| m.is_match(n));
        assert!(may_match("frame_%03d.png", "frame_001.png"));
        assert!(!may_match("frame_%03d.png", "frame_001.jpg"));
        assert!(may_match("*.png", "a.png"));
        assert!(may_match("img%d.jpg", "img12.jpg"));
        assert!(!may_match("img%d.jpg", "other12.jpg"));
        assert!(may_match("100%%_%02d.png", "100%_07.png"));
        assert!(may_match("shot[0-9].png", "shot3.png"));
        assert!(!may_match("shot[0-9].png", "shotx.png"));
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
