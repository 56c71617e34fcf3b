//! End-to-end tests of the `afmpeg` command line: `ffmpeg`, `ffprobe`,
//! `probe` and `batch` on host files in temporary directories.
//!
//! They need the FFmpeg module: `AFMPEG_MODULE`, or where `make guest` puts
//! it. Without it they fail (they never skip) and say how to build it.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use support::command::{afmpeg, describe, module, text, BIN, QUIET_NULL_JOB};

/// Makes a 0.5 s 160x120 H.264 clip (with a sine track when `audio`).
fn make_clip(dir: &Path, name: &str, audio: bool) {
    let mut args = vec![
        "ffmpeg",
        "-hide_banner",
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=0.5:size=160x120:rate=10",
    ];
    if audio {
        args.extend(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5"]);
    }
    args.extend(["-c:v", "libx264", "-preset", "ultrafast", name]);
    let o = afmpeg(dir, &args);
    assert!(o.status.success(), "{}", describe(&o));
}

/// `afmpeg ffprobe -of json -show_streams -show_format FILE` in `dir`, parsed.
fn probe_json(dir: &Path, file: &str) -> serde_json::Value {
    let p = afmpeg(
        dir,
        &[
            "ffprobe",
            "-v",
            "error",
            "-of",
            "json",
            "-show_streams",
            "-show_format",
            file,
        ],
    );
    assert!(p.status.success(), "{}", describe(&p));
    serde_json::from_slice(&p.stdout).unwrap()
}

/// The duration ffprobe gives FILE in `dir`, in seconds.
fn probed_duration(dir: &Path, file: &str) -> f64 {
    let info = probe_json(dir, file);
    info["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("{file} has no duration: {info}"))
}

/// Names of the files in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn no_temp_files(dir: &Path) {
    let temps: Vec<String> = names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(temps.is_empty(), "temporary files left: {temps:?}");
}

#[test]
fn version_names_the_module_its_ffmpeg_profile_and_engine() {
    let module = module();
    let o = Command::new(BIN)
        .args([
            "--module".as_ref(),
            module.as_os_str(),
            "--version".as_ref(),
        ])
        .env_remove("AFMPEG_MODULE")
        // The engine line names the tier a job would get: here the one asked for.
        .env("AFMPEG_ENGINE", "interpreter")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", describe(&o));
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "afmpeg 0.1.0");
    assert_eq!(lines[1], format!("module: {}", module.display()));
    // make guest writes provenance.json beside the module it built.
    let provenance: serde_json::Value = serde_json::from_slice(
        &std::fs::read(module.parent().unwrap().join("provenance.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        lines[2],
        format!("profile: {}", provenance["profile"].as_str().unwrap())
    );
    assert!(lines[3].starts_with("FFmpeg: 5.1."), "{out}");
    assert_eq!(lines[4], "engine: interpreter (wasmi, no JIT)");
    // A name that is no engine is refused, not ignored.
    let o = Command::new(BIN)
        .args([
            "--module".as_ref(),
            module.as_os_str(),
            "--version".as_ref(),
        ])
        .env("AFMPEG_ENGINE", "jit")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125), "{}", describe(&o));
    assert!(
        text(&o.stderr).contains("unknown engine \"jit\""),
        "{}",
        describe(&o)
    );
}

#[test]
fn a_module_asked_for_by_name_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.wasm");
    // By AFMPEG_MODULE, and by --module (before or after the subcommand):
    // an error naming it, never the cached module instead.
    for (args, env) in [
        (vec!["ffmpeg", "-version"], true),
        (
            vec!["--module", missing.to_str().unwrap(), "ffmpeg", "-version"],
            false,
        ),
        (
            vec!["ffprobe", "--module", missing.to_str().unwrap(), "-version"],
            false,
        ),
        (vec!["--version"], true),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.args(&args).current_dir(dir.path());
        if env {
            cmd.env("AFMPEG_MODULE", &missing);
        } else {
            cmd.env("AFMPEG_MODULE", module());
        }
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(125), "{args:?}: {}", describe(&o));
        let err = text(&o.stderr);
        assert!(
            err.contains(&format!(
                "AFMPEG_MODULE={} (no such file)",
                missing.display()
            )),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn generate_then_probe_json_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    make_clip(dir.path(), "clip.mp4", true);
    assert!(dir.path().join("clip.mp4").is_file());
    no_temp_files(dir.path());

    let o = afmpeg(dir.path(), &["probe", "--json", "clip.mp4"]);
    assert!(o.status.success(), "{}", describe(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("probe --json prints JSON");
    // The typed form (afmpeg::MediaInfo), numbers as numbers.
    let duration = json["format"]["duration"].as_f64().unwrap();
    assert!((duration - 0.5).abs() < 0.05, "duration {duration}");
    assert_eq!(json["format"]["nb_streams"], 2);
    let streams = json["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 2);
    assert_eq!(
        (&streams[0]["kind"], &streams[0]["codec_name"]),
        (&"video".into(), &"h264".into())
    );
    assert_eq!(
        (&streams[0]["width"], &streams[0]["height"]),
        (&160.into(), &120.into())
    );
    assert_eq!(streams[0]["frame_rate"], "10/1");
    assert_eq!(
        (&streams[1]["kind"], &streams[1]["codec_name"]),
        (&"audio".into(), &"aac".into())
    );
    assert_eq!(streams[1]["sample_rate"], 44100);
    assert_eq!(
        json["format"]["filename"], "clip.mp4",
        "guest paths are shown as the user wrote them"
    );
    let info = afmpeg::MediaInfo::from_json_bytes(&o.stdout).expect("the typed JSON reads back");
    assert_eq!(serde_json::to_value(&info).unwrap(), json);

    // ffprobe's own JSON: numbers as strings, `codec_type`.
    let o = afmpeg(dir.path(), &["probe", "--ffprobe-json", "clip.mp4"]);
    assert!(o.status.success(), "{}", describe(&o));
    let raw: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(raw["streams"][1]["codec_type"], "audio");
    assert_eq!(raw["format"]["filename"], "clip.mp4");
    let raw_duration: f64 = raw["format"]["duration"].as_str().unwrap().parse().unwrap();
    assert_eq!(raw_duration, duration);

    let o = afmpeg(dir.path(), &["probe", "clip.mp4"]);
    assert!(o.status.success(), "{}", describe(&o));
    let s = text(&o.stdout);
    assert!(s.contains("#0 video: h264") && s.contains("160x120"), "{s}");
    assert!(s.contains("#1 audio: aac"), "{s}");

    // Absolute paths work as well as relative ones, from any directory.
    let abs = dir.path().join("clip.mp4");
    let o = afmpeg(
        Path::new("/"),
        &[
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "format=nb_streams",
            abs.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    assert!(text(&o.stdout).contains("nb_streams=2"), "{}", describe(&o));
}

/// A file under `/dev` that is not one of the guest's devices is a host file
/// like any other: inputs and outputs on the tmpfs `/dev/shm` work, while
/// `/dev/null` stays the guest's device. (Before, every `/dev/...` value was
/// left to the guest, which has no `/dev/shm`: "No such file or directory".)
#[test]
fn files_on_dev_shm_are_host_files_and_dev_null_the_device() {
    let shm = Path::new("/dev/shm");
    assert!(shm.is_dir(), "this test needs a Linux /dev/shm");
    let dir = tempfile::tempdir_in(shm).unwrap();
    let clip = dir.path().join("clip.mp4");
    let copy = dir.path().join("copy.mkv");
    make_clip(dir.path(), "clip.mp4", false);
    // `ffmpeg -v error -i <clip> <output args>`, run from `/`.
    let from_clip = |output: &[&str]| {
        let mut args = vec!["ffmpeg", "-v", "error", "-i", clip.to_str().unwrap()];
        args.extend(output);
        let o = afmpeg(Path::new("/"), &args);
        assert!(o.status.success(), "{}", describe(&o));
    };
    from_clip(&["-c", "copy", copy.to_str().unwrap()]);
    assert_eq!(
        probe_json(dir.path(), "copy.mkv")["format"]["format_name"],
        "matroska,webm"
    );
    from_clip(&["-f", "null", "/dev/null"]);
    no_temp_files(dir.path());
}

#[test]
fn existing_output_needs_y() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.mp4");
    std::fs::write(&out, b"precious").unwrap();
    let gen = [
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=0.2:size=160x120:rate=10",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "out.mp4",
    ];

    let mut args = vec!["ffmpeg", "-n"];
    args.extend(gen);
    let o = afmpeg(dir.path(), &args);
    assert!(!o.status.success(), "{}", describe(&o));
    assert!(
        text(&o.stderr).contains("already exists"),
        "{}",
        describe(&o)
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");

    // Neither -y nor -n: ffmpeg would ask; we never read the terminal.
    let mut args = vec!["ffmpeg"];
    args.extend(gen);
    let o = afmpeg(dir.path(), &args);
    assert!(!o.status.success(), "{}", describe(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");

    let mut args = vec!["ffmpeg", "-y"];
    args.extend(gen);
    let o = afmpeg(dir.path(), &args);
    assert!(o.status.success(), "{}", describe(&o));
    let bytes = std::fs::read(&out).unwrap();
    assert_ne!(bytes, b"precious");
    assert_eq!(&bytes[4..8], b"ftyp");
    no_temp_files(dir.path());
}

#[test]
fn failed_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=0.2",
            "-c:v",
            "no_such_codec",
            "bad.mp4",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    assert!(
        text(&o.stderr).contains("no_such_codec"),
        "{}",
        describe(&o)
    );
    assert_eq!(names(dir.path()), Vec::<String>::new());
}

#[test]
fn strict_refuses_an_unused_option_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let args = |strict: bool| {
        let mut a = vec!["ffmpeg"];
        if strict {
            a.push("--strict");
        }
        a.extend([
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=d=0.1",
            "-crf",
            "23",
            "tone.wav",
        ]);
        a
    };
    let o = afmpeg(dir.path(), &args(true));
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    assert!(
        text(&o.stderr)
            .contains("afmpeg: option \"crf\" was not used for any stream (strict mode)"),
        "{}",
        describe(&o)
    );
    assert_eq!(names(dir.path()), Vec::<String>::new());
    // Without --strict: FFmpeg's warning, exit 0, the file written.
    let o = afmpeg(dir.path(), &args(false));
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert_eq!(names(dir.path()), ["tone.wav"]);
}

#[test]
fn image_sequence_exports_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("frames")).unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=0.5:size=160x120:rate=10",
            "frames/frame_%02d.png",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    let expected: Vec<String> = (1..=5).map(|i| format!("frame_{i:02}.png")).collect();
    assert_eq!(names(&dir.path().join("frames")), expected);

    // And back in: the sequence as an input pattern.
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-framerate",
            "10",
            "-i",
            "frames/frame_%02d.png",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "seq.mp4",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    let o = afmpeg(dir.path(), &["probe", "--json", "seq.mp4"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["streams"][0]["nb_frames"], 5, "{}", describe(&o));
}

#[test]
fn stderr_passes_through_live_when_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // A job of many seconds under the interpreter: its "Output #0" line must
    // reach our pipe while it still runs.
    let mut child = Command::new(BIN)
        .args([
            "ffmpeg",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=60:size=160x120:rate=25",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "long.mkv",
        ])
        .current_dir(dir.path())
        .env("AFMPEG_MODULE", module())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start afmpeg");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    let output_line = loop {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let status = child.wait().unwrap();
            panic!("stderr ended ({status}) before the output line:\n{seen}");
        }
        seen.push_str(&line);
        if line.starts_with("Output #0") {
            break line.clone();
        }
    };
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen.contains("ffmpeg version"), "the banner: {seen}");
    assert_eq!(
        output_line.trim_end(),
        "Output #0, matroska, to 'long.mkv':",
        "the host path as the user wrote it"
    );
    assert!(!seen.contains("/host/"), "guest paths leaked: {seen}");
    assert!(still_running, "the line came only after the job ended");
    assert!(!dir.path().join("long.mkv").exists(), "nothing exported");
}

#[test]
fn concat_list_files_are_found_relative_to_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let clips = dir.path().join("clips");
    std::fs::create_dir(&clips).unwrap();
    make_clip(&clips, "a.mp4", false);
    make_clip(dir.path(), "b.mp4", false);
    // `a.mp4` is relative to the list (not to where afmpeg runs); `b.mp4`
    // is absolute (which FFmpeg allows with -safe 0).
    let b = dir.path().join("b.mp4");
    let list = format!("ffconcat version 1.0\nfile a.mp4\nfile '{}'\n", b.display());
    std::fs::write(clips.join("list.txt"), list).unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            "clips/list.txt",
            "-c",
            "copy",
            "joined.mp4",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    assert!(!text(&o.stderr).contains("/host/"), "{}", describe(&o));
    let o = afmpeg(dir.path(), &["probe", "--json", "joined.mp4"]);
    assert!(o.status.success(), "{}", describe(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let duration = json["format"]["duration"].as_f64().unwrap();
    assert!((duration - 1.0).abs() < 0.05, "two 0.5 s clips: {duration}");
    assert_eq!(json["streams"][0]["nb_frames"], 10);
    // The list itself is left as it was.
    assert!(std::fs::read_to_string(clips.join("list.txt"))
        .unwrap()
        .contains(&format!("file '{}'", b.display())));

    // A list naming a missing file is refused before FFmpeg runs.
    std::fs::write(clips.join("bad.txt"), "file a.mp4\nfile gone.mp4\n").unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-f",
            "concat",
            "-i",
            "clips/bad.txt",
            "-c",
            "copy",
            "bad.mp4",
        ],
    );
    assert_eq!(o.status.code(), Some(125), "{}", describe(&o));
    assert_eq!(
        text(&o.stderr).trim(),
        "afmpeg: cannot map concat list clips/bad.txt, line 2: gone.mp4: no such file"
    );
    assert!(!dir.path().join("bad.mp4").exists());
}

#[test]
fn filter_files_are_mapped_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    make_clip(dir.path(), "in.mp4", false);
    let run = [
        "ffmpeg",
        "-i",
        "in.mp4",
        "-vf",
        "scale=80:-2,subtitles=subs.srt",
        "out.mp4",
    ];
    // A file named in a filter that does not exist: refused, with its name,
    // instead of FFmpeg looking for it at a wrong path.
    let o = afmpeg(dir.path(), &run);
    assert_eq!(o.status.code(), Some(125), "{}", describe(&o));
    assert_eq!(
        text(&o.stderr).trim(),
        "afmpeg: cannot map filter subtitles: filename=subs.srt: no such file"
    );
    assert!(!dir.path().join("out.mp4").exists());

    // Once it exists it is imported and the graph rewritten; the lean module
    // has no `subtitles` filter, so FFmpeg then refuses the filter itself —
    // naming the filter, not a missing file.
    std::fs::write(
        dir.path().join("subs.srt"),
        "1\n00:00:00,000 --> 00:00:00,400\nhello\n",
    )
    .unwrap();
    let o = afmpeg(dir.path(), &run);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    assert!(
        err.contains("No such filter: 'subtitles'"),
        "{}",
        describe(&o)
    );
    assert!(!err.contains("/host/"), "{}", describe(&o));
}

/// `-i -` and `-i pipe:0` read our stdin: a WAV piped in is transcoded to
/// FLAC on the host, and the result probes as the input's format.
#[test]
fn stdin_input() {
    let dir = tempfile::tempdir().unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=0.5:sample_rate=22050",
            "-ac",
            "2",
            "-c:a",
            "pcm_s16le",
            "in.wav",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    let wav = std::fs::File::open(dir.path().join("in.wav")).unwrap();
    for (input, out) in [("-", "a.flac"), ("pipe:0", "b.flac")] {
        let o = Command::new(BIN)
            .args(["ffmpeg", "-hide_banner", "-f", "wav", "-i", input, out])
            .current_dir(dir.path())
            .env("AFMPEG_MODULE", module())
            .stdin(wav.try_clone().unwrap())
            .output()
            .unwrap();
        // Each run reads the file from where the previous one left it: rewind.
        use std::io::Seek;
        (&wav).rewind().unwrap();
        assert!(o.status.success(), "{input}: {}", describe(&o));
        let info = probe_json(dir.path(), out);
        let s = &info["streams"][0];
        assert_eq!(
            (
                s["codec_name"].as_str(),
                s["sample_rate"].as_str(),
                s["channels"].as_u64()
            ),
            (Some("flac"), Some("22050"), Some(2)),
            "{input}: {s}"
        );
        let d: f64 = info["format"]["duration"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((d - 0.5).abs() < 0.01, "{input}: duration {d}");
    }
}

#[test]
fn stdout_output() {
    let dir = tempfile::tempdir().unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=0.1:sample_rate=8000",
            "-f",
            "wav",
            "-",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    assert_eq!(&o.stdout[..4], b"RIFF");
    assert!(o.stdout.len() >= 800 * 2 + 44, "{} bytes", o.stdout.len());
    assert_eq!(names(dir.path()), Vec::<String>::new());
}

#[test]
fn batch_runs_all_jobs_and_reports_failures() {
    let dir = tempfile::tempdir().unwrap();
    make_clip(dir.path(), "in.mp4", false);
    let jobs = r#"{
      "defaults": { "overwrite": true,
                    "limits": { "timeout_secs": 300, "max_memory": "1G", "max_files_created": 1 } },
      "jobs": [
        { "name": "thumb", "args": ["-i", "in.mp4", "-frames:v", "1", "thumb.png"] },
        { "name": "capped", "args": ["-i", "in.mp4", "-frames:v", "2", "capped%d.png"] },
        { "name": "allowed", "args": ["-i", "in.mp4", "-frames:v", "2", "allowed%d.png"],
          "limits": { "max_files_created": 5 } },
        { "name": "starved", "args": ["-f", "lavfi", "-i", "testsrc=duration=3600", "starved.mkv"],
          "limits": { "fuel": 100000 } },
        { "name": "broken", "args": ["-i", "in.mp4", "-c:v", "no_such_codec", "broken.mp4"] },
        { "name": "info", "tool": "ffprobe", "args": ["-v", "error", "-of", "json", "-show_format", "in.mp4"],
          "stdout": "out/info.json" }
      ]
    }"#;
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("jobs.json"), jobs).unwrap();
    // Run from elsewhere: paths are relative to the job file.
    let o = afmpeg(
        Path::new("/"),
        &[
            "batch",
            dir.path().join("jobs.json").to_str().unwrap(),
            "-j",
            "3",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    let summary = text(&o.stdout);
    for name in ["thumb", "broken", "info"] {
        assert!(
            summary.lines().any(|l| l.starts_with(name)),
            "{name} missing from summary:\n{summary}"
        );
    }
    assert!(
        summary
            .lines()
            .any(|l| l.starts_with("broken") && l.contains("failed")),
        "{summary}"
    );
    assert!(summary.contains("thumb.png"), "{summary}");
    // The limits apply: the defaults' one-file cap stops `capped` at its
    // second image, `allowed` raises it for itself, `starved`'s own fuel
    // budget stops it; each says which limit.
    let err = text(&o.stderr);
    for (name, why) in [
        (
            "capped",
            "job capped: job stopped: limit of 1 files created reached",
        ),
        (
            "starved",
            "job starved: job stopped: CPU budget of 100000 fuel units reached",
        ),
    ] {
        assert!(
            summary
                .lines()
                .any(|l| l.starts_with(name) && l.contains("error")),
            "{summary}"
        );
        assert!(err.contains(why), "{}", describe(&o));
    }
    assert!(
        summary
            .lines()
            .any(|l| l.starts_with("allowed") && l.contains("allowed1.png, allowed2.png")),
        "{summary}"
    );
    for f in ["capped1.png", "capped2.png", "starved.mkv"] {
        assert!(!dir.path().join(f).exists(), "{f} written by a stopped job");
    }
    assert!(dir.path().join("thumb.png").is_file());
    assert!(!dir.path().join("broken.mp4").exists());
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/info.json")).unwrap()).unwrap();
    assert_eq!(info["format"]["nb_streams"], 1);
    no_temp_files(dir.path());
}

#[test]
fn missing_module_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(BIN)
        .args(["ffmpeg", "-f", "lavfi", "-i", "testsrc", "out.mp4"])
        .current_dir(dir.path())
        .env("AFMPEG_MODULE", dir.path().join("missing.wasm"))
        .env("HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125), "{}", describe(&o));
    let err = text(&o.stderr);
    assert!(err.contains("make guest"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

#[test]
fn unreadable_input_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = afmpeg(dir.path(), &["probe", "nothing-here.mp4"]);
    assert_eq!(o.status.code(), Some(125), "{}", describe(&o));
    assert_eq!(
        text(&o.stderr).trim().lines().count(),
        1,
        "{}",
        describe(&o)
    );
}

/// A tone, quick to make: `-y` over the output name that follows.
const TONE_JOB: [&str; 10] = [
    "ffmpeg",
    "-y",
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "sine=d=0.1",
    "-c:a",
    "pcm_s16le",
];

/// A tone, quick to make: `-y` over `out`.
fn tone(dir: &Path, out: &str) -> Output {
    afmpeg(dir, &[&TONE_JOB[..], &[out]].concat())
}

/// `-y` over an existing 0600 output keeps its mode, as native ffmpeg's
/// open(O_TRUNC) does (issue #15).
#[test]
fn replaced_output_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.wav");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = tone(tmp.path(), "out.wav");
    assert!(o.status.success(), "{}", describe(&o));
    let meta = std::fs::metadata(&out).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    assert!(meta.len() > 44, "the new WAV was written");
    no_temp_files(tmp.path());
}

/// A scratch directory `nobody` may enter, holding a copy of the module it
/// can read (root's cache is closed to it) and a 0777 `out/` directory
/// with a root-owned `out.wav` of mode `mode`.
struct NobodyScratch {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    module: std::path::PathBuf,
    out: std::path::PathBuf,
}

fn nobody_scratch(mode: u32) -> NobodyScratch {
    use support::nobody::{chmod, NOBODY};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    chmod(&root, 0o755);
    let module_copy = root.join("ffmpeg.wasm");
    std::fs::copy(module(), &module_copy).unwrap();
    chmod(&module_copy, 0o644);
    std::fs::create_dir(root.join("home")).unwrap();
    std::os::unix::fs::chown(root.join("home"), Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::create_dir(root.join("out")).unwrap();
    chmod(&root.join("out"), 0o777);
    let out = root.join("out/out.wav");
    std::fs::write(&out, "root's old bytes").unwrap();
    chmod(&out, mode);
    std::os::unix::fs::chown(&out, Some(0), Some(0)).unwrap();
    NobodyScratch {
        _tmp: tmp,
        root,
        module: module_copy,
        out,
    }
}

/// `afmpeg ffmpeg -y ... out.wav` (a tone) run as `nobody` in `out/`.
fn tone_as_nobody(s: &NobodyScratch) -> Output {
    let mut cmd = Command::new(BIN);
    support::nobody::as_nobody(&mut cmd, &s.root.join("home"))
        .args(TONE_JOB)
        .arg("out.wav")
        .current_dir(s.root.join("out"))
        .env("AFMPEG_MODULE", &s.module)
        .output()
        .unwrap()
}

/// Owner, group, mode, inode and bytes of `p`.
fn owned(p: &Path) -> (u32, u32, u32, u64, Vec<u8>) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(p).unwrap();
    (
        m.uid(),
        m.gid(),
        m.mode() & 0o7777,
        m.ino(),
        std::fs::read(p).unwrap(),
    )
}

/// `-y` by a user over root's 0666 output: written in place, as native
/// ffmpeg's open(O_TRUNC) writes it — the owner stays root, the mode 0666,
/// the inode the same — not replaced by a file of the user's (issue #15).
#[test]
fn replaced_output_of_another_owner_is_written_in_place() {
    support::nobody::require_root();
    let s = nobody_scratch(0o666);
    let (uid, gid, mode, ino, bytes) = owned(&s.out);
    assert_eq!(
        (uid, gid, mode, bytes.as_slice()),
        (0, 0, 0o666, &b"root's old bytes"[..])
    );
    let o = tone_as_nobody(&s);
    assert!(o.status.success(), "{}", describe(&o));
    let (uid, gid, mode, ino_after, bytes) = owned(&s.out);
    assert_eq!(
        (uid, gid, mode, ino_after),
        (0, 0, 0o666, ino),
        "{}",
        describe(&o)
    );
    assert_eq!(&bytes[..4], b"RIFF", "the new WAV was written");
    assert!(bytes.len() > 44);
    assert_eq!(names(&s.root.join("out")), ["out.wav"]);
}

/// `-y` by a user over root's 0644 output, which it may not write: refused
/// before the run with FFmpeg's message, the file untouched.
#[test]
fn replaced_output_the_user_may_not_write_is_refused_untouched() {
    support::nobody::require_root();
    let s = nobody_scratch(0o644);
    let before = owned(&s.out);
    let o = tone_as_nobody(&s);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    assert_eq!(text(&o.stderr).trim(), "out.wav: Permission denied");
    assert_eq!(owned(&s.out), before);
    assert_eq!(names(&s.root.join("out")), ["out.wav"]);
}

/// `afmpeg ffmpeg -i dir/in.wav` where `dir` also holds 10,000 other files,
/// a FIFO and a file whose name is not UTF-8: the CLI maps the input alone
/// (it mounts no directory: RATIONALE.md, "The ffmpeg CLI maps the files
/// it names, not their directories"). The guest opens the input's mirror
/// path; the mirror path of a sibling, a valid WAV on the host, is "No such
/// file or directory" in the guest, and so is the FIFO's, which nothing
/// opens (a blocking open would hang the run past the harness's guard). An
/// import of the directory would have failed on the FIFO and on the name.
#[test]
fn an_input_among_10000_files_and_a_fifo_is_the_only_file_mapped() {
    use std::os::unix::ffi::OsStrExt;
    use support::wasi_programs::{run_command, Outcome};
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    let dir = root.join("dir");
    std::fs::create_dir(&dir).unwrap();
    let o = tone(&root, "dir/in.wav");
    assert!(o.status.success(), "{}", describe(&o));
    std::fs::copy(dir.join("in.wav"), dir.join("sibling.wav")).unwrap();
    for i in 0..10_000 {
        std::fs::write(dir.join(format!("f{i:05}.wav")), b"x").unwrap();
    }
    let fifo =
        std::ffi::CString::new(dir.join("pipe.wav").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o666) }, 0);
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"not-utf8-\xff.wav")),
        b"x",
    )
    .unwrap();
    // The guest's name for a host file: its mirror under /host.
    let mirror = |name: &str| format!("/host{}/{name}", dir.display());
    let run = |second: &str| -> Outcome {
        let mut cmd = Command::new(BIN);
        cmd.args(["ffmpeg", "-v", "error", "-i", "dir/in.wav", "-i"])
            .arg(second)
            .args(["-map", "0", "-map", "1", "-f", "null", "-"])
            .current_dir(&root)
            .env("AFMPEG_MODULE", module());
        run_command(cmd)
    };
    let said = |o: &Outcome| format!("exit {}\n{}\n{}", o.code, o.stdout, o.stderr);
    // The control: the input itself, named by its mirror path, opens.
    let o = run(&mirror("in.wav"));
    assert_eq!(o.code, 0, "{}", said(&o));
    for sibling in ["sibling.wav", "pipe.wav", "f00000.wav"] {
        let o = run(&mirror(sibling));
        assert_eq!(o.code, 1, "{sibling}: {}", said(&o));
        // FFmpeg's message, with the mirror shown as the host path (as
        // every guest path in afmpeg's output).
        assert_eq!(
            o.stderr.trim(),
            format!("{}/{sibling}: No such file or directory", dir.display()),
            "{sibling}"
        );
    }
}

/// An output named through a symlink is written through it (the link stays,
/// its target gets the bytes), as native ffmpeg does.
#[test]
fn output_named_through_a_symlink_writes_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("real")).unwrap();
    std::fs::write(tmp.path().join("real/target.wav"), "old").unwrap();
    std::os::unix::fs::symlink("real/target.wav", tmp.path().join("link.wav")).unwrap();
    let o = tone(tmp.path(), "link.wav");
    assert!(o.status.success(), "{}", describe(&o));
    let link = std::fs::symlink_metadata(tmp.path().join("link.wav")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let bytes = std::fs::read(tmp.path().join("real/target.wav")).unwrap();
    assert_eq!(&bytes[..4], b"RIFF", "the target holds the new WAV");
}

/// `sl/../x.wav`, where `sl` is a symlinked directory, is the file the
/// kernel names: `x.wav` beside the link's target, not `./x.wav`.
#[test]
fn dot_dot_after_a_symlinked_directory_names_what_the_kernel_names() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("a/b")).unwrap();
    std::os::unix::fs::symlink("a/b", tmp.path().join("sl")).unwrap();
    let o = tone(tmp.path(), "sl/../x.wav");
    assert!(o.status.success(), "{}", describe(&o));
    assert!(
        tmp.path().join("a/x.wav").is_file(),
        "{:?}",
        names(tmp.path())
    );
    assert!(
        !tmp.path().join("x.wav").exists(),
        "written lexically to ./x.wav"
    );
}

/// `afmpeg ffmpeg -y`: a 160x120 10 fps testsrc of `seconds` to H.264 with
/// x264's `preset` (output options and name to be added).
fn testsrc_x264(seconds: &str, preset: &str) -> Vec<String> {
    let source = format!("testsrc=duration={seconds}:size=160x120:rate=10");
    ["ffmpeg", "-hide_banner", "-y", "-f", "lavfi", "-i", &source]
        .into_iter()
        .chain(["-c:v", "libx264", "-preset", preset])
        .map(str::to_owned)
        .collect()
}

/// Arguments of a 1 s H.264 MPEG-TS job writing to `out`.
fn ts_job(out: &str) -> Vec<String> {
    let mut args = testsrc_x264("1", "ultrafast");
    args.extend(["-f", "mpegts", out].map(str::to_owned));
    args
}

/// `/dev/stdout` (it wrote 0 bytes and exited 0), `pipe:1` and `-` all reach
/// our stdout with the bytes the same job writes to a file; `/dev/stderr`
/// reaches our stderr.
#[test]
fn every_name_of_stdout_gives_the_file_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let o = afmpeg(dir.path(), &ts_job("file.ts"));
    assert!(o.status.success(), "{}", describe(&o));
    let file = std::fs::read(dir.path().join("file.ts")).unwrap();
    assert!(file.len() > 10_000, "{} bytes", file.len());
    for name in ["/dev/stdout", "pipe:1", "-"] {
        let o = afmpeg(dir.path(), &ts_job(name));
        assert!(o.status.success(), "{name}: {}", describe(&o));
        assert!(o.stdout == file, "{name}: {} bytes", o.stdout.len());
    }
    let mut args = ts_job("/dev/stderr");
    args.splice(1..1, ["-loglevel", "quiet"].map(str::to_owned));
    let o = afmpeg(dir.path(), &args);
    assert!(o.status.success(), "exit {:?}", o.status.code());
    assert!(o.stderr == file, "/dev/stderr: {} bytes", o.stderr.len());
    assert_eq!(names(dir.path()), ["file.ts"], "no stray files");
}

/// `cat file.ts | afmpeg ffmpeg -i - -c copy -f mpegts -`: stdin streamed in,
/// stdout streamed out, the same bytes as the remux of the file itself.
#[test]
fn a_pipe_through_gives_the_file_remux() {
    let dir = tempfile::tempdir().unwrap();
    let o = afmpeg(dir.path(), &ts_job("in.ts"));
    assert!(o.status.success(), "{}", describe(&o));
    fn remux(input: &str) -> Vec<&str> {
        vec!["ffmpeg", "-i", input, "-c", "copy", "-f", "mpegts", "-"]
    }
    let from_file = afmpeg(dir.path(), &remux("in.ts"));
    assert!(from_file.status.success(), "{}", describe(&from_file));
    let mut child = Command::new(BIN)
        .args(remux("-"))
        .current_dir(dir.path())
        .env("AFMPEG_MODULE", module())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let data = std::fs::read(dir.path().join("in.ts")).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Small writes, so the job reads a pipe that fills as it goes.
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        for chunk in data.chunks(1000) {
            stdin.write_all(chunk).unwrap();
        }
    });
    let piped = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(piped.status.success(), "{}", describe(&piped));
    assert!(
        piped.stdout == from_file.stdout,
        "{} bytes",
        piped.stdout.len()
    );
}

/// Status lines after a stop that mean the job did not stop.
const STATUS_LINES_AFTER_A_STOP: usize = 40;
const NO_STOP_HOOK: &str = "\n[test] killed, still encoding after the stop: the module needs the \
     stop hook (guest patch ffmpeg-0002); rebuild it with `make guest`\n";

/// Starts an hour-long encode to `out` in `dir` and returns once FFmpeg
/// has printed its first status line (`frame=`), with a receiver told when
/// stderr shows `stopping`, and the thread that returns the whole stderr.
/// `preset` sets how long x264 takes to flush its lookahead after a stop.
fn start_long_encode(
    dir: &Path,
    out: &str,
    preset: &str,
) -> (
    std::process::Child,
    std::sync::mpsc::Receiver<()>,
    std::thread::JoinHandle<String>,
) {
    use std::io::Read;
    let mut child = Command::new(BIN)
        .args(testsrc_x264("3600", preset))
        .arg(out)
        .current_dir(dir)
        .env("AFMPEG_MODULE", module())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start afmpeg");
    let mut stderr = child.stderr.take().unwrap();
    let (progress_tx, progress_rx) = std::sync::mpsc::channel();
    let (stopping_tx, stopping_rx) = std::sync::mpsc::channel();
    let pid = child.id().to_string();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        let (mut progress, mut stopping) = (false, false);
        loop {
            let n = stderr.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            let t = text(&seen);
            if !progress && t.contains("frame=") {
                progress = true;
                let _ = progress_tx.send(());
            }
            if !stopping && t.contains("afmpeg: stopping") {
                stopping = true;
                let _ = stopping_tx.send(());
            }
            // A module without the stop hook encodes on for the hour.
            let after_stop = t.split("afmpeg: stopping").nth(1).unwrap_or("");
            if after_stop.matches("frame=").count() > STATUS_LINES_AFTER_A_STOP {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
                seen.extend_from_slice(NO_STOP_HOOK.as_bytes());
                break;
            }
        }
        text(&seen)
    });
    if progress_rx.recv().is_err() {
        let _ = child.wait();
        panic!("no progress line:\n{}", reader.join().unwrap());
    }
    (child, stopping_rx, reader)
}

fn send_sigint(child: &std::process::Child) {
    send_signal(child, "INT");
}

fn send_signal(child: &std::process::Child, name: &str) {
    let st = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

/// The first Ctrl-C does what native ffmpeg does: FFmpeg finishes the
/// output, says "Exiting normally, received signal 2.", exits 255, and the
/// file is exported, playable, with a probed duration above 0.
#[test]
fn first_sigint_stops_gracefully_and_exports_a_playable_output() {
    first_signal_stops_gracefully("INT", 2);
}

/// SIGTERM takes the same graceful path, and FFmpeg names it.
#[test]
fn first_sigterm_stops_gracefully_too() {
    first_signal_stops_gracefully("TERM", 15);
}

fn first_signal_stops_gracefully(name: &str, number: u8) {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _, stderr) = start_long_encode(dir.path(), "long.mp4", "ultrafast");
    send_signal(&child, name);
    let status = child.wait().unwrap();
    let err = stderr.join().unwrap();
    assert_eq!(status.code(), Some(255), "{err}");
    assert!(
        err.contains(&format!("Exiting normally, received signal {number}.")),
        "{err}"
    );
    assert!(
        !err.contains("Press [q]"),
        "q cannot work, so it is not offered: {err}"
    );
    let d = probed_duration(dir.path(), "long.mp4");
    assert!(d > 0.0 && d < 3600.0, "duration {d}");
    no_temp_files(dir.path());
}

/// A second Ctrl-C, while FFmpeg finishes after the first, cancels at once:
/// exit 130, and the existing output that `-y` would have replaced is
/// untouched. (The second signal is sent once the first was taken: the
/// kernel merges a signal sent while the same one is still pending. The
/// `medium` preset's lookahead makes finishing long enough to interrupt.)
#[test]
fn second_sigint_cancels_and_leaves_the_old_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.mp4"), b"old bytes").unwrap();
    let (mut child, stopping, stderr) = start_long_encode(dir.path(), "old.mp4", "medium");
    send_sigint(&child);
    stopping.recv().expect("the first signal was taken");
    send_sigint(&child);
    let status = child.wait().unwrap();
    let err = stderr.join().unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("afmpeg: cancelled by signal 2; nothing was written"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("old.mp4")).unwrap(),
        b"old bytes"
    );
    assert_eq!(names(dir.path()), ["old.mp4"]);
}

/// A batch of two hour-long encodes, one at a time, the first running with
/// frames encoded; returns the child once it has shown that progress.
fn start_long_batch(dir: &Path, first_out: &str) -> support::signals::Watched {
    let job = |name: &str, out: &str| {
        let mut args = testsrc_x264("3600", "medium");
        args.remove(0);
        args.push(out.to_owned());
        serde_json::json!({ "name": name, "args": args })
    };
    std::fs::write(
        dir.join("jobs.json"),
        serde_json::json!({ "defaults": { "overwrite": true },
                            "jobs": [job("long", first_out), job("queued", "queued.mp4")] })
        .to_string(),
    )
    .unwrap();
    let mut child = support::signals::spawn_watched(dir, &["batch", "-j", "1", "jobs.json"]);
    child.wait_for("the long job's first frames", |l| {
        support::signals::progress_frame(l, "job=long").is_some_and(|f| f > 0)
    });
    child
}

/// `afmpeg batch`: the first signal stops the running job as native
/// ffmpeg would (its output finished, exported, playable), the queued job
/// never starts, the summary says so, and the exit code is 255.
#[test]
fn batch_first_signal_stops_running_jobs_and_starts_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let child = start_long_batch(dir.path(), "long.mp4");
    child.signal("INT");
    let (status, stdout, err) = child.finish();
    assert_eq!(status.code(), Some(255), "{stdout}\n{err}");
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.starts_with(&["long", "stopped", "255"]) && r.last() == Some(&"long.mp4")),
        "{stdout}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with(&["queued", "not", "started"])),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 jobs: 0 ok, 1 stopped, 1 not started, 0 failed"),
        "{stdout}"
    );
    assert!(
        err.contains("afmpeg: job queued: a stop was asked before it started"),
        "{err}"
    );
    let d = probed_duration(dir.path(), "long.mp4");
    assert!(d > 0.0 && d < 3600.0, "duration {d}");
    assert_eq!(names(dir.path()), ["jobs.json", "long.mp4"]);
}

/// `afmpeg batch`: a second signal, while the stopped job finishes,
/// cancels it: exit 130, and the file it would have replaced is untouched.
#[test]
fn batch_second_signal_cancels_and_leaves_old_files_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.mp4"), b"old bytes").unwrap();
    let (status, stdout, err) = start_long_batch(dir.path(), "old.mp4").interrupt_twice();
    assert_eq!(status.code(), Some(130), "{stdout}\n{err}");
    assert!(
        err.contains("afmpeg: cancelled by signal 2; the jobs that had not ended wrote nothing"),
        "{err}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("long") && l.contains("error")),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("old.mp4")).unwrap(),
        b"old bytes"
    );
    assert_eq!(names(dir.path()), ["jobs.json", "old.mp4"]);
}

/// A stop before FFmpeg's first frame (FFmpeg waits for an empty stdin
/// that stays open, so no frame can come first): FFmpeg 5.1's matroska
/// muxer then leaves a file no demuxer reads (native ffmpeg too: "End of
/// file"), so afmpeg does not write it back — the old `out.mkv` is
/// untouched, and afmpeg says why.
#[test]
fn a_stop_before_the_first_frame_does_not_publish_an_unreadable_mkv() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.mkv"), b"old bytes").unwrap();
    let mut child = support::signals::spawn_watched(
        dir.path(),
        &[
            "ffmpeg",
            "-y",
            "-f",
            "rawvideo",
            "-video_size",
            "16x16",
            "-pix_fmt",
            "gray",
            "-framerate",
            "10",
            "-i",
            "-",
            "-c:v",
            "libx264",
            "out.mkv",
        ],
    );
    child.wait_for("FFmpeg's banner", |l| l.contains("ffmpeg version"));
    child.signal("INT");
    // `finish` closes stdin, which ends the input: an empty input that ends
    // before the stop arrives is a finished job, not a stopped one (native
    // ffmpeg too exits 0 then). So the pipe stays open until afmpeg says the
    // stop has reached the job, as it stays open in a terminal on Ctrl-C.
    child.wait_for("afmpeg taking the stop", |l| l.contains("afmpeg: stopping"));
    let (status, _, err) = child.finish();
    assert_eq!(status.code(), Some(255), "{err}");
    assert!(
        err.contains("out.mkv: stopped before its first frame, FFmpeg left a Matroska file no player can read; not written"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("out.mkv")).unwrap(),
        b"old bytes"
    );
    assert_eq!(names(dir.path()), ["out.mkv"]);
}

/// ffprobe's stdout names files as the user wrote them, in every writer
/// (with the writer's own escaping), and so do batch stdout files.
#[test]
fn ffprobe_stdout_shows_the_users_paths() {
    let dir = tempfile::tempdir().unwrap();
    let name = r#"a "quoted" & <odd>.mp4"#;
    make_clip(dir.path(), name, false);
    let abs = dir.path().join(name);
    let abs = abs.to_str().unwrap();
    let entry = ["-v", "error", "-show_entries", "format=filename"];
    for (writer, relative, absolute) in [
        (
            "default",
            format!("filename={name}"),
            format!("filename={abs}"),
        ),
        (
            "csv",
            format!("format,\"{}\"", name.replace('"', "\"\"")),
            format!("format,\"{}\"", abs.replace('"', "\"\"")),
        ),
        (
            "json",
            format!("\"filename\": \"{}\"", name.replace('"', "\\\"")),
            format!("\"filename\": \"{}\"", abs.replace('"', "\\\"")),
        ),
        (
            "xml",
            format!(
                "filename=\"{}\"",
                name.replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            ),
            format!(
                "filename=\"{}\"",
                abs.replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            ),
        ),
    ] {
        for (file, expected) in [(name, &relative), (abs, &absolute)] {
            let mut args = vec!["ffprobe"];
            args.extend(entry);
            args.extend(["-of", writer, file]);
            let o = afmpeg(dir.path(), &args);
            assert!(o.status.success(), "{}", describe(&o));
            let out = text(&o.stdout);
            assert!(out.contains(expected.as_str()), "{writer}: {out}");
            assert!(!out.contains("/host/"), "{writer}: {out}");
        }
    }

    std::fs::write(
        dir.path().join("jobs.json"),
        serde_json::json!({ "jobs": [ {
            "tool": "ffprobe",
            "args": ["-v", "error", "-show_entries", "format=filename", "-of", "json", name],
            "stdout": "report.json"
        } ] })
        .to_string(),
    )
    .unwrap();
    let o = afmpeg(dir.path(), &["batch", "jobs.json"]);
    assert!(o.status.success(), "{}", describe(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["format"]["filename"], name);
}

/// What native ffmpeg overwrites without asking (image sequences,
/// `-progress` files) is replaced here too, decided before the run; only the
/// named outputs need `-y`.
#[test]
fn derived_outputs_are_replaced_as_native_ffmpeg_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("img001.png"), b"old frame").unwrap();
    std::fs::write(dir.path().join("prog.txt"), b"old progress").unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            "-progress",
            "prog.txt",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=0.3:size=32x24:rate=10",
            "img%03d.png",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    assert_eq!(
        names(dir.path()),
        ["img001.png", "img002.png", "img003.png", "prog.txt"]
    );
    let png = std::fs::read(dir.path().join("img001.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    let progress = std::fs::read_to_string(dir.path().join("prog.txt")).unwrap();
    assert!(progress.trim_end().ends_with("progress=end"), "{progress}");
}

/// The files ffprobe writes with `-o FILE` name the inputs as the user
/// wrote them, in every writer, as its stdout does; so does a `-report`
/// log (its command line and messages).
#[test]
fn files_written_about_the_run_show_the_users_paths() {
    let dir = tempfile::tempdir().unwrap();
    let name = r#"a "quoted" & <odd>.mp4"#;
    make_clip(dir.path(), name, false);
    for (writer, expected) in [
        ("default", format!("filename={name}\n")),
        ("csv", format!("format,\"{}\"\n", name.replace('"', "\"\""))),
        (
            "json",
            format!("\"filename\": \"{}\"", name.replace('"', "\\\"")),
        ),
    ] {
        let o = afmpeg(
            dir.path(),
            &[
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=filename",
                "-of",
                writer,
                "-o",
                "probe.txt",
                name,
            ],
        );
        assert!(o.status.success(), "{}", describe(&o));
        assert_eq!(text(&o.stdout), "", "{writer}: -o takes the output");
        let written = std::fs::read_to_string(dir.path().join("probe.txt")).unwrap();
        assert!(written.contains(expected.as_str()), "{writer}: {written}");
        assert!(!written.contains("/host/"), "{writer}: {written}");
    }
    let o = afmpeg(
        dir.path(),
        &["ffprobe", "-report", "-v", "error", "-show_format", name],
    );
    assert!(o.status.success(), "{}", describe(&o));
    let logs: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("ffprobe-") && n.ends_with(".log"))
        .collect();
    assert_eq!(logs.len(), 1, "{:?}", names(dir.path()));
    let log = std::fs::read_to_string(dir.path().join(&logs[0])).unwrap();
    assert!(log.contains("Command line:"), "{log}");
    assert!(log.contains(name), "{log}");
    assert!(!log.contains("/host/"), "{log}");
}

/// `-report` leaves `ffmpeg-YYYYMMDD-HHMMSS.log` in the working directory,
/// after a success and after a failure.
#[test]
fn report_log_lands_in_the_working_directory() {
    for (encoder, ok) in [("libx264", true), ("no_such_encoder", false)] {
        let dir = tempfile::tempdir().unwrap();
        let o = afmpeg(
            dir.path(),
            &[
                "ffmpeg",
                "-report",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=0.2:size=32x24:rate=10",
                "-c:v",
                encoder,
                "out.mp4",
            ],
        );
        assert_eq!(o.status.success(), ok, "{}", describe(&o));
        let logs: Vec<String> = names(dir.path())
            .into_iter()
            .filter(|n| n.starts_with("ffmpeg-") && n.ends_with(".log"))
            .collect();
        assert_eq!(logs.len(), 1, "{:?}", names(dir.path()));
        // ffmpeg-YYYYMMDD-HHMMSS.log
        assert_eq!(
            logs[0].len(),
            "ffmpeg-20260101-120000.log".len(),
            "{logs:?}"
        );
        let log = std::fs::read_to_string(dir.path().join(&logs[0])).unwrap();
        assert!(log.contains("Command line:"), "{log}");
        assert!(log.contains(encoder), "{log}");
    }
}

/// `-dump_attachment:t ""` writes each attachment under its own (relative)
/// name in the working directory.
#[test]
fn attachments_are_dumped_by_their_own_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"attached bytes\n").unwrap();
    let o = afmpeg(
        dir.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=0.2:size=32x24:rate=10",
            "-attach",
            "notes.txt",
            "-metadata:s:t",
            "mimetype=text/plain",
            "-c:v",
            "libx264",
            "with.mkv",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    let out = tempfile::tempdir().unwrap();
    std::fs::copy(dir.path().join("with.mkv"), out.path().join("with.mkv")).unwrap();
    let o = afmpeg(
        out.path(),
        &[
            "ffmpeg",
            "-hide_banner",
            "-dump_attachment:t",
            "",
            "-i",
            "with.mkv",
            "-f",
            "null",
            "-",
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    assert_eq!(
        std::fs::read(out.path().join("notes.txt")).unwrap(),
        b"attached bytes\n"
    );
}

/// `afmpeg ffmpeg -h` is FFmpeg's help followed by afmpeg's own options.
#[test]
fn tool_help_shows_afmpegs_own_options_too() {
    let dir = tempfile::tempdir().unwrap();
    for (tool, usage) in [("ffmpeg", "usage: ffmpeg"), ("ffprobe", "usage: ffprobe")] {
        for flag in ["-h", "--help"] {
            let o = afmpeg(dir.path(), &[tool, flag]);
            assert!(o.status.success(), "{}", describe(&o));
            let out = text(&o.stdout);
            let theirs = out.find(usage).expect("FFmpeg's help");
            let ours = out.find("afmpeg's own options").expect("afmpeg's options");
            assert!(theirs < ours, "{out}");
            assert!(out[ours..].contains("--chunks <N>"), "{out}");
            assert!(out[ours..].contains("--module <PATH>"), "{out}");
        }
    }
}

/// Completions and the man page come from the clap definitions: every
/// subcommand and afmpeg's own flags are in them.
#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(o.status.success(), "{shell}: {}", describe(&o));
        let script = text(&o.stdout);
        // (fish writes `-l module`, the others `--module`.)
        for word in [
            "ffmpeg", "ffprobe", "batch", "run", "probe", "module", "chunks",
        ] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let o = Command::new(BIN).arg("manpage").output().unwrap();
    assert!(o.status.success(), "{}", describe(&o));
    let page = text(&o.stdout);
    assert!(page.contains(".TH afmpeg 1"), "{page}");
    assert!(
        page.contains("afmpeg\\-ffmpeg(1)") || page.contains("ffmpeg"),
        "{page}"
    );
    assert!(page.contains("\\-\\-module"), "{page}");
}

/// `afmpeg batch --json`: the summary as JSON on stdout.
#[test]
fn batch_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jobs.json"),
        serde_json::json!({ "jobs": [
            { "name": "good", "args": ["-f", "lavfi", "-i", "testsrc=duration=0.2:size=32x24:rate=10", "-frames:v", "1", "good.png"] },
            { "name": "bad", "args": ["-f", "lavfi", "-i", "testsrc=duration=0.2", "-c:v", "no_such_encoder", "bad.mp4"] },
            { "name": "refused", "args": ["-f", "lavfi", "-i", "testsrc=duration=0.1", "exists.mp4"] }
        ] })
        .to_string(),
    )
    .unwrap();
    std::fs::write(dir.path().join("exists.mp4"), b"kept").unwrap();
    let o = afmpeg(dir.path(), &["batch", "--json", "jobs.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(summary["ok"], 1);
    assert_eq!(summary["failed"], 2);
    let jobs = summary["jobs"].as_array().unwrap();
    let fields: Vec<(&str, &str)> = jobs
        .iter()
        .map(|j| (j["name"].as_str().unwrap(), j["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [("good", "ok"), ("bad", "failed"), ("refused", "not run")]
    );
    assert_eq!(jobs[0]["outputs"], serde_json::json!(["good.png"]));
    assert_eq!(jobs[0]["exit_code"], 0);
    assert!(jobs[0]["time_secs"].as_f64().unwrap() > 0.0);
    assert_eq!(jobs[0]["reason"], serde_json::Value::Null);
    assert_eq!(jobs[1]["exit_code"], 1);
    assert_eq!(jobs[1]["reason"], "Unknown encoder 'no_such_encoder'");
    assert_eq!(jobs[2]["exit_code"], serde_json::Value::Null);
    assert!(
        jobs[2]["reason"]
            .as_str()
            .unwrap()
            .contains("'exists.mp4' already exists"),
        "{summary:#}"
    );
}

/// `-v` (before the subcommand) and `RUST_LOG` turn on afmpeg's own
/// diagnostics; after the subcommand `-v` stays FFmpeg's log level.
#[test]
fn verbose_and_rust_log_show_afmpegs_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let job = QUIET_NULL_JOB;
    let run = |before: &[&str], rust_log: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.args(before)
            .arg("ffmpeg")
            .args(job)
            .current_dir(dir.path())
            .env("AFMPEG_MODULE", module())
            .env_remove("RUST_LOG");
        if let Some(filter) = rust_log {
            cmd.env("RUST_LOG", filter);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", describe(&o));
        text(&o.stderr)
    };
    assert_eq!(run(&[], None), "", "quiet by default, FFmpeg at -v error");
    let info = run(&["-v"], None);
    for line in [
        "INFO module loaded",
        "INFO running",
        "INFO finished exit_code=0",
    ] {
        assert!(info.contains(line), "{info}");
    }
    assert!(!info.contains('\x1b'), "no colour off a terminal: {info:?}");
    assert!(run(&[], Some("afmpeg_cli=info")).contains("INFO module loaded"));
}

#[test]
fn engine_flag_picks_the_tier_and_refuses_native_for_another_module() {
    let dir = tempfile::tempdir().unwrap();
    // The interpreter runs the FFmpeg module whatever AFMPEG_ENGINE says.
    let o = afmpeg(
        dir.path(),
        &["ffprobe", "--engine", "interpreter", "-version"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert!(
        text(&o.stdout).starts_with("ffprobe version"),
        "{}",
        describe(&o)
    );
    // Another module cannot run natively: one line, exit 125, nothing run.
    let other = dir.path().join("other.wasm");
    std::fs::write(
        &other,
        wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "_start")))"#)
            .unwrap(),
    )
    .unwrap();
    let o = Command::new(BIN)
        .args(["probe", "--engine", "native", "x.mp4"])
        .current_dir(dir.path())
        .env("AFMPEG_MODULE", &other)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125), "{}", describe(&o));
    assert!(
        text(&o.stderr).contains("the native tier cannot run"),
        "{}",
        describe(&o)
    );
    // An unknown engine is a usage error.
    let o = afmpeg(dir.path(), &["probe", "--engine", "jit", "x.mp4"]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        text(&o.stderr).contains("unknown engine \"jit\""),
        "{}",
        describe(&o)
    );
}
