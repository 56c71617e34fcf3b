//! Helpers shared by the guest-dependent integration tests (`api`, `limits`,
//! `parity`, `chunked`, `load`, `soak`, `full_profile`).
//!
//! These tests need the FFmpeg guest module. When it is missing they FAIL
//! (never skip): a green run must mean the tests ran.

#![allow(dead_code)]

use afmpeg::{
    Engine, Error, Filesystem, MediaInfo, RunOptions, RunOutput, Runtime, RuntimeBuilder,
};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable choosing the tier the FFmpeg tests run on:
/// `native` or `interpreter`. `make test` runs every suite that runs FFmpeg
/// once with each (tests built with the `native` feature). The CLI reads
/// it too (the default of `--engine`), so the `afmpeg` processes the CLI
/// tests start run on the same tier. Unset: the runtime's default (native
/// when built in, else the interpreter).
pub const ENGINE_ENV: &str = "AFMPEG_ENGINE";

/// The tier [`ENGINE_ENV`] asks for, if any (a bad value fails the test).
pub fn test_engine() -> Option<Engine> {
    let v = std::env::var(ENGINE_ENV).ok().filter(|v| !v.is_empty())?;
    Some(v.parse().unwrap_or_else(|e| panic!("{ENGINE_ENV}: {e}")))
}

/// `builder` on the tier of [`test_engine`]; fails (never falls back to
/// the other tier) when that tier cannot run the module.
pub fn build_on_test_engine(builder: RuntimeBuilder) -> Runtime {
    let builder = match test_engine() {
        Some(e) => builder.engine(e),
        None => builder,
    };
    match builder.build() {
        Ok(rt) => rt,
        Err(e @ Error::NativeUnavailable { .. }) => panic!(
            "{ENGINE_ENV}=native: {e}; build the tests with `--features native` (`make test` \
             does); these tests do not skip"
        ),
        Err(e) => panic!("cannot load the FFmpeg guest module: {e}"),
    }
}

/// The runtime over the default module (`AFMPEG_MODULE`, or the one `make
/// guest` built) on the tier of [`test_engine`], compiled once per test
/// binary and cloned for each test.
pub fn runtime() -> Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        let builder = match Runtime::default_location_builder() {
            Ok(b) => b,
            Err(e @ Error::ModuleNotFound { .. }) => panic!(
                "the FFmpeg guest module is missing: run `make guest` first (or set \
                 AFMPEG_MODULE to a module file); these tests do not skip. ({e})"
            ),
            Err(e) => panic!("cannot load the FFmpeg guest module: {e}"),
        };
        let rt = build_on_test_engine(builder);
        eprintln!("[afmpeg] FFmpeg tests on the {} tier", rt.engine());
        rt
    })
    .clone()
}

/// The words of a command line written as one string (`"-f lavfi -i
/// testsrc=d=1 /out.mp4"`), for argument lists without spaces inside an
/// argument.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The environment variable naming the full-profile module for the
/// `full_profile` tests (`make test-full` sets it).
pub const FULL_MODULE_ENV: &str = "AFMPEG_MODULE_FULL";

/// The runtime over the **full**-profile module: `AFMPEG_MODULE_FULL`, else
/// where `make guest PROFILE=full` leaves it (next to the lean one:
/// `<cache>/afmpeg/guest/full/ffmpeg.wasm`). Fails, never skips, when it is
/// missing.
pub fn full_runtime() -> Runtime {
    profile_runtime("full", FULL_MODULE_ENV, "test-full")
}

/// The module file of guest profile `profile`: the environment variable
/// `env` when set, else where `make guest PROFILE=<profile>` leaves it, next
/// to the lean one (`<cache>/afmpeg/guest/<profile>/ffmpeg.wasm`). Fails,
/// never skips, when it is missing; `make_target` is the make target that
/// builds it and runs its tests.
pub fn profile_module(profile: &str, env: &str, make_target: &str) -> std::path::PathBuf {
    std::env::var_os(env)
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| afmpeg::engine::module::profile_module_path(profile))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "the {profile}-profile FFmpeg guest module is missing: run `make {make_target}` \
                 (it builds it), or `make guest PROFILE={profile}`, or set {env} to a \
                 {profile}-profile module file; these tests do not skip"
            )
        })
}

/// The runtime over the module of guest profile `profile` (see
/// [`profile_module`]), compiled once per test binary and profile.
pub fn profile_runtime(profile: &str, env: &str, make_target: &str) -> Runtime {
    static RTS: std::sync::Mutex<Vec<(String, Runtime)>> = std::sync::Mutex::new(Vec::new());
    let mut rts = RTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, rt)) = rts.iter().find(|(p, _)| p == profile) {
        return rt.clone();
    }
    let path = profile_module(profile, env, make_target);
    let rt = Runtime::from_file(&path).unwrap_or_else(|e| {
        panic!(
            "cannot load the {profile}-profile module {}: {e}",
            path.display()
        )
    });
    rts.push((profile.to_owned(), rt.clone()));
    rt
}

// ------------------------------------------------- the default profile

/// Where the default profile's drawtext finds its font without `fontfile=`
/// (guest/profiles/default.d/patches/ffmpeg-0001-drawtext-default-font.patch).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/afmpeg/DejaVuSans.ttf";

pub fn default_runtime() -> Runtime {
    profile_runtime("default", "AFMPEG_MODULE_DEFAULT", "test-default")
}

/// `fs` with the module's companion font at [`DEFAULT_FONT`], as an
/// embedder provides it.
pub fn fs_with_default_font() -> Filesystem {
    let module = profile_module("default", "AFMPEG_MODULE_DEFAULT", "test-default");
    let font = module
        .parent()
        .expect("the module is in its cache entry")
        .join("data/fonts/DejaVuSans.ttf");
    let bytes = std::fs::read(&font).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the default profile's companion font is missing (rebuild: make test-default)",
            font.display()
        )
    });
    let fs = Filesystem::new();
    fs.create_dir_all("/usr/share/fonts/afmpeg").unwrap();
    fs.write(DEFAULT_FONT, bytes).unwrap();
    fs
}

/// Frame size of [`gray_frames`] (one byte per pixel).
pub const GRAY_W: usize = 320;
pub const GRAY_H: usize = 240;

/// Renders `frames` frames of a black 320x240 clip at 10 fps through
/// `filter` (None: no filter) and returns them as 8-bit gray frames.
pub fn gray_frames(
    rt: &Runtime,
    fs: &Filesystem,
    filter: Option<&str>,
    frames: usize,
) -> Vec<Vec<u8>> {
    let src = format!("color=black:size={GRAY_W}x{GRAY_H}:rate=10");
    let n = frames.to_string();
    let mut args = vec!["-hide_banner", "-y", "-f", "lavfi", "-i", &src];
    if let Some(f) = filter {
        args.extend(["-vf", f]);
    }
    args.extend([
        "-frames:v",
        &n,
        "-pix_fmt",
        "gray",
        "-f",
        "rawvideo",
        "/out.gray",
    ]);
    ffmpeg_ok(rt, fs, &args);
    let raw = fs.read("/out.gray").unwrap();
    assert_eq!(raw.len(), GRAY_W * GRAY_H * frames, "raw gray output size");
    raw.chunks(GRAY_W * GRAY_H).map(<[u8]>::to_vec).collect()
}

/// Pixels of rows `rows` that differ between two gray frames.
pub fn differing_pixels(a: &[u8], b: &[u8], rows: std::ops::Range<usize>) -> usize {
    rows.map(|y| {
        (0..GRAY_W)
            .filter(|&x| a[y * GRAY_W + x] != b[y * GRAY_W + x])
            .count()
    })
    .sum()
}

/// Draws white 32 px text at (8, 8) on black with `filter` (a drawtext
/// filter) and checks that it changed pixels in rows 0..60, with a bright
/// pixel among them, and none below.
pub fn assert_text_drawn_only_in_rows_0_to_60(rt: &Runtime, fs: &Filesystem, filter: &str) {
    let plain = gray_frames(rt, fs, None, 1);
    let text = gray_frames(rt, fs, Some(filter), 1);
    // 32 px glyphs drawn at y = 8: the text lies within rows 8..48.
    let inside = differing_pixels(&plain[0], &text[0], 0..60);
    assert!(
        inside > 300,
        "only {inside} pixels changed where the text is"
    );
    let max = text[0][..60 * GRAY_W].iter().max().copied().unwrap_or(0);
    assert!(max >= 200, "the white text's brightest pixel is {max}");
    assert_eq!(
        differing_pixels(&plain[0], &text[0], 60..GRAY_H),
        0,
        "drawtext changed pixels below the text"
    );
}

/// `args` as owned strings.
pub fn argv(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Runs ffmpeg and asserts that it ran and exited 0; prints the run time.
pub fn ffmpeg_ok(rt: &Runtime, fs: &Filesystem, args: &[&str]) -> RunOutput {
    ffmpeg_ok_with(rt, fs, args, &RunOptions::default())
}

/// Like [`ffmpeg_ok`], with options.
pub fn ffmpeg_ok_with(
    rt: &Runtime,
    fs: &Filesystem,
    args: &[&str],
    opts: &RunOptions,
) -> RunOutput {
    let t = Instant::now();
    let out = rt.run_with(fs, args, opts).unwrap_or_else(|e| {
        panic!(
            "ffmpeg {args:?} failed to run: {e}\n{}",
            e.stderr_tail().unwrap_or("")
        )
    });
    eprintln!("[afmpeg] {:>8.2?}  ffmpeg {}", t.elapsed(), args.join(" "));
    assert!(
        out.success(),
        "ffmpeg {args:?} exited {}:\n{}",
        out.exit_code,
        out.stderr_text()
    );
    out
}

/// The output of a run that must have exited with `code`: a non-zero exit
/// is always `Error::Ffmpeg`, naming the program, with the exit code, the
/// tail of stderr and the whole output.
pub fn exited(r: afmpeg::Result<RunOutput>, tool: afmpeg::Tool, code: i32) -> RunOutput {
    match r {
        Err(Error::Ffmpeg {
            tool: t,
            exit_code,
            stderr_tail,
            output,
        }) => {
            assert_eq!((t, exit_code), (tool, code), "{stderr_tail}");
            assert_eq!(output.exit_code, code);
            assert!(
                output.stderr_text().trim_end().ends_with(&stderr_tail),
                "the tail is the end of stderr: {stderr_tail:?}"
            );
            *output
        }
        other => panic!("expected {tool} to exit {code} (Error::Ffmpeg), got {other:?}"),
    }
}

/// After a job that failed, was stopped by a limit or was cancelled: the
/// same runtime runs a normal job on `fs` that succeeds, and its output
/// (`/next.mp4`) has every frame.
pub fn next_job_succeeds(rt: &Runtime, fs: &Filesystem) -> RunOutput {
    let out = ffmpeg_ok(
        rt,
        fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=0.4:size=64x48:rate=10 -c:v libx264 -preset ultrafast /next.mp4"),
    );
    assert_eq!(count_video_frames(rt, fs, "/next.mp4"), 4);
    out
}

/// Probes `path`, panicking with the reason when it cannot.
pub fn probe(rt: &Runtime, fs: &Filesystem, path: &str) -> MediaInfo {
    rt.probe(fs, path)
        .unwrap_or_else(|e| panic!("probe {path}: {e}"))
}

/// Counts the decoded frames of the first video stream with
/// `ffprobe -count_frames` (exact, independent of container metadata).
pub fn count_video_frames(rt: &Runtime, fs: &Filesystem, path: &str) -> u64 {
    let out = rt
        .ffprobe(
            fs,
            &[
                "-v",
                "error",
                "-count_frames",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=nb_read_frames",
                "-of",
                "csv=p=0",
                path,
            ],
        )
        .unwrap_or_else(|e| panic!("ffprobe -count_frames {path}: {e}"));
    assert!(
        out.success(),
        "ffprobe -count_frames {path}: {}",
        out.stderr_text()
    );
    out.stdout_text()
        .trim()
        .trim_end_matches(',')
        .parse()
        .unwrap_or_else(|e| {
            panic!(
                "ffprobe -count_frames {path}: cannot parse {:?}: {e}",
                out.stdout_text()
            )
        })
}

/// Some lowercase words of `stderr`, for assertions that a message is there.
pub fn contains_ci(haystack: &[u8], needle: &str) -> bool {
    String::from_utf8_lossy(haystack)
        .to_lowercase()
        .contains(&needle.to_lowercase())
}

/// Elapsed-time printer.
pub fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let r = f();
    let d = t.elapsed();
    eprintln!("[timing] {what}: {d:.2?}");
    (r, d)
}

/// `-filter_complex`-free lavfi H.264/AAC clip: `secs` seconds of
/// `size` testsrc at `rate` fps plus a 1 kHz sine, into `path` (mp4).
pub fn make_clip(rt: &Runtime, fs: &Filesystem, path: &str, secs: u32, size: &str, rate: u32) {
    let v = format!("testsrc=duration={secs}:size={size}:rate={rate}");
    let a = format!("sine=frequency=1000:duration={secs}");
    ffmpeg_ok(
        rt,
        fs,
        &[
            "-hide_banner",
            "-f",
            "lavfi",
            "-i",
            &v,
            "-f",
            "lavfi",
            "-i",
            &a,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-shortest",
            path,
        ],
    );
}

/// Tests that measure latency take this exclusively, every other guest test
/// of the same binary takes it shared: the timing is then not disturbed by
/// interpreter jobs of concurrently running tests (cargo runs the tests of
/// one binary on parallel threads).
pub fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    TIMING.write().unwrap_or_else(|e| e.into_inner())
}

/// See [`exclusive`].
pub fn shared() -> std::sync::RwLockReadGuard<'static, ()> {
    TIMING.read().unwrap_or_else(|e| e.into_inner())
}

/// What most guest tests start with: the [`shared`] guard (keep it for the
/// whole test), the runtime and a fresh filesystem.
pub fn shared_job() -> (std::sync::RwLockReadGuard<'static, ()>, Runtime, Filesystem) {
    (shared(), runtime(), Filesystem::new())
}

/// [`shared_job`] for a test that measures time: with the [`exclusive`] guard.
pub fn exclusive_job() -> (
    std::sync::RwLockWriteGuard<'static, ()>,
    Runtime,
    Filesystem,
) {
    (exclusive(), runtime(), Filesystem::new())
}

static TIMING: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Writes the chunked-transcode fixture to `path`: a 4 s 320x240 25 fps
/// H.264 (B-frames, a keyframe every 25 frames: 100 frames) + AAC (when
/// `audio`) mp4; made once per variant and test binary.
pub fn chunk_fixture(rt: &Runtime, fs: &Filesystem, path: &str, audio: bool) {
    static MADE: [OnceLock<Vec<u8>>; 2] = [OnceLock::new(), OnceLock::new()];
    let bytes = MADE[audio as usize].get_or_init(|| {
        let tmp = Filesystem::new();
        make_chunk_fixture(rt, &tmp, "/f.mp4", audio);
        tmp.read("/f.mp4").unwrap()
    });
    fs.write(path, bytes.clone()).unwrap();
}

fn make_chunk_fixture(rt: &Runtime, fs: &Filesystem, path: &str, audio: bool) {
    let mut args = vec![
        "-hide_banner",
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=4:size=320x240:rate=25",
    ];
    if audio {
        args.extend(["-f", "lavfi", "-i", "sine=frequency=1000:duration=4"]);
    }
    args.extend([
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        "25",
        "-keyint_min",
        "25",
        "-sc_threshold",
        "0",
        "-pix_fmt",
        "yuv420p",
    ]);
    if audio {
        args.extend(["-c:a", "aac", "-shortest"]);
    }
    args.push(path);
    ffmpeg_ok(rt, fs, &args);
}

/// The `framemd5` lines (timestamps, durations, sizes and hashes of the
/// decoded frames) of the first video stream of `path`.
pub fn framemd5(rt: &Runtime, fs: &Filesystem, path: &str) -> Vec<String> {
    let out = ffmpeg_ok(
        rt,
        fs,
        &[
            "-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "pipe:1",
        ],
    );
    out.stdout_text()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}
