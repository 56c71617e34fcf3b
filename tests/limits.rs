//! Every per-run limit, tripped on the real FFmpeg guest: each ends its job
//! with its own typed `Error::Limit`, and the same `Runtime` then runs a
//! normal job successfully (issue 6, "Limits").
//!
//! The guest module must exist (`make guest`): without it these tests fail,
//! they never skip.

mod support;

use afmpeg::job::Job;
use afmpeg::{Error, Filesystem, LimitKind, Limits, RunOptions, Runtime};
use std::time::Duration;
use support::guest::*;

fn with_limits(limits: Limits) -> RunOptions {
    RunOptions::new().limits(limits)
}

/// Runs `args` with `limits` and returns the limit that stopped it, with the
/// error's stderr tail; panics if it was not stopped by a limit.
fn tripped(rt: &Runtime, fs: &Filesystem, args: &[&str], limits: Limits) -> (LimitKind, String) {
    let r = rt.run_with(fs, args, &with_limits(limits));
    match r {
        Err(Error::Limit { limit, stderr_tail }) => (limit, stderr_tail),
        Err(e) => panic!("expected Error::Limit, got error {e:?}"),
        Ok(o) => panic!(
            "expected Error::Limit, the job completed with exit {}:\n{}",
            o.exit_code,
            o.stderr_text()
        ),
    }
}

/// A job that needs far more than 48 MiB of guest memory: 1920x1080 frames
/// through x264's lookahead.
const BIG_FRAMES: &[&str] = &[
    "-hide_banner",
    "-f",
    "lavfi",
    "-i",
    "testsrc=duration=1:size=1920x1080:rate=25",
    "-c:v",
    "libx264",
    "-preset",
    "medium",
    "-f",
    "null",
    "-",
];

#[test]
fn memory_limit_on_growth() {
    let _g = shared();
    let rt = runtime();
    // The module starts with 32 MiB; 48 MiB lets it start, then stops it
    // when it grows its memory for the big frames.
    let max = 48 << 20;
    let (limit, tail) = tripped(
        &rt,
        &Filesystem::new(),
        BIG_FRAMES,
        Limits {
            max_memory: max,
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::Memory(max));
    eprintln!("stderr tail: {tail}");
    next_job_succeeds(&rt, &Filesystem::new());
}

#[test]
fn memory_limit_below_the_initial_memory() {
    let _g = shared();
    let rt = runtime();
    // Below the module's initial 32 MiB: it cannot even be instantiated.
    let max = 4 << 20;
    let (limit, _) = tripped(
        &rt,
        &Filesystem::new(),
        &["-version"],
        Limits {
            max_memory: max,
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::Memory(max));
    next_job_succeeds(&rt, &Filesystem::new());
}

#[test]
fn fuel_limit() {
    let _g = shared();
    let rt = runtime();
    let fuel = 50_000_000;
    // An hour of video: far more than the budget on either tier (fuel units
    // on the interpreter, coarser checkpoints on the native tier).
    let (limit, _) = tripped(
        &rt,
        &Filesystem::new(),
        &words("-hide_banner -f lavfi -i testsrc=duration=3600:size=320x240 -f null -"),
        Limits {
            fuel: Some(fuel),
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::Fuel(fuel));
    // A budget that is enough is not an error.
    let fs = Filesystem::new();
    ffmpeg_ok_with(
        &rt,
        &fs,
        &["-hide_banner", "-version"],
        &with_limits(Limits {
            fuel: Some(fuel),
            ..Limits::default()
        }),
    );
    next_job_succeeds(&rt, &Filesystem::new());
}

/// Runs `args` — a job that takes minutes, hundreds of times `timeout` —
/// and asserts that the timeout stopped it. How close to the timeout it
/// stops is a figure, not an assertion: `make bench-latency` prints it.
fn stops_at_timeout(rt: &Runtime, args: &[&str], timeout: Duration) {
    let (limit, _) = tripped(
        rt,
        &Filesystem::new(),
        args,
        Limits {
            timeout: Some(timeout),
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::Timeout(timeout));
}

#[test]
fn wall_clock_timeout() {
    let _g = shared();
    let rt = runtime();
    stops_at_timeout(
        &rt,
        &words(
            "-hide_banner -f lavfi -i testsrc2=duration=60:size=1280x720 -c:v libx264 -f null -",
        ),
        Duration::from_millis(500),
    );
    next_job_succeeds(&rt, &Filesystem::new());
}

#[test]
fn bytes_written_limit() {
    let (_g, rt, fs) = shared_job();
    let max = 100_000;
    // 10 s of 44.1 kHz mono s16 WAV is 882 kB.
    let (limit, _) = tripped(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i sine=duration=10 -c:a pcm_s16le /big.wav"),
        Limits {
            max_bytes_written: max,
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::BytesWritten(max));
    // What was written stays within the limit.
    let written = fs.read("/big.wav").map(|d| d.len()).unwrap_or(0);
    assert!(
        written as u64 <= max,
        "{written} bytes written past a limit of {max}"
    );
    next_job_succeeds(&rt, &Filesystem::new());
}

#[test]
fn files_created_limit() {
    let (_g, rt, fs) = shared_job();
    let max = 5;
    // image2 writes one file per frame: 20 frames, 20 files.
    let (limit, _) = tripped(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=2:size=32x32:rate=10 /f%03d.png"),
        Limits {
            max_files_created: max,
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::FilesCreated(max));
    let created = fs.read_dir("/").unwrap().len();
    assert!(
        created as u64 <= max,
        "{created} files created past a limit of {max}"
    );
    next_job_succeeds(&rt, &Filesystem::new());
}

#[test]
fn stdout_limit() {
    let _g = shared();
    let rt = runtime();
    let max = 10_000;
    // Raw 64x48 rgb24 frames to stdout: 9216 bytes each, 25 of them.
    let (limit, _) = tripped(
        &rt,
        &Filesystem::new(),
        &words(
            "-hide_banner -f lavfi -i testsrc=duration=1:size=64x48 -f rawvideo -pix_fmt rgb24 -",
        ),
        Limits {
            max_stdout: max,
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::Stdout(max as u64));
    // Within the cap, stdout is returned whole.
    let out = ffmpeg_ok(
        &rt,
        &Filesystem::new(),
        &words(
            "-hide_banner -f lavfi -i testsrc=duration=1:size=64x48 -f rawvideo -pix_fmt rgb24 -",
        ),
    );
    assert_eq!(out.stdout.len(), 64 * 48 * 3 * 25);
    next_job_succeeds(&rt, &Filesystem::new());
}

#[test]
fn stderr_limit() {
    let _g = shared();
    let rt = runtime();
    let max = 4_000;
    let (limit, tail) = tripped(
        &rt,
        &Filesystem::new(),
        &words("-loglevel debug -f lavfi -i testsrc=duration=1:size=64x48 -f null -"),
        Limits {
            max_stderr: max,
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::Stderr(max as u64));
    assert!(
        tail.len() <= max,
        "the tail ({} bytes) is longer than what may be captured",
        tail.len()
    );
    assert!(!tail.is_empty(), "no stderr tail");
    next_job_succeeds(&rt, &Filesystem::new());
}

#[test]
fn open_files_limit() {
    let (_g, rt, fs) = shared_job();
    for i in 0..4 {
        fs.write(&format!("/in{i}.wav"), wav_header_and_silence(8000))
            .unwrap();
    }
    // stdio (3) and the three mounts (/, /tmp, /dev) take 6 descriptors;
    // 7 leaves room for one more, but this job opens four inputs at once.
    let max = 7;
    let mut args = vec!["-hide_banner"];
    let names: Vec<String> = (0..4).map(|i| format!("/in{i}.wav")).collect();
    for n in &names {
        args.extend(["-i", n.as_str()]);
    }
    args.extend(["-filter_complex", "amix=inputs=4", "/mix.wav"]);
    let (limit, _) = tripped(
        &rt,
        &fs,
        &args,
        Limits {
            max_open_files: max,
            ..Limits::default()
        },
    );
    assert_eq!(limit, LimitKind::OpenFiles(max));
    // The same job with the default limit works.
    ffmpeg_ok(&rt, &fs, &args);
    next_job_succeeds(&rt, &Filesystem::new());
}

/// A mono 8 kHz s16 WAV of `samples` zero samples.
fn wav_header_and_silence(samples: u32) -> Vec<u8> {
    let data = samples * 2;
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // PCM
    v.extend_from_slice(&1u16.to_le_bytes()); // mono
    v.extend_from_slice(&8000u32.to_le_bytes());
    v.extend_from_slice(&16000u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data.to_le_bytes());
    v.resize(v.len() + data as usize, 0);
    v
}

#[test]
fn batch_of_jobs_each_hitting_a_different_limit() {
    let (_g, rt, fs) = shared_job();
    for i in 0..4 {
        fs.write(&format!("/in{i}.wav"), wav_header_and_silence(8000))
            .unwrap();
    }
    let job = |args: &[&str], limits: Limits| {
        Job::ffmpeg(&fs, args.iter().copied()).with_options(with_limits(limits))
    };
    let d = Limits::default;
    let open_args: Vec<&str> = vec![
        "-hide_banner",
        "-i",
        "/in0.wav",
        "-i",
        "/in1.wav",
        "-i",
        "/in2.wav",
        "-i",
        "/in3.wav",
        "-filter_complex",
        "amix=inputs=4",
        "/mix.wav",
    ];
    let jobs = vec![
        job(
            BIG_FRAMES,
            Limits {
                max_memory: 48 << 20,
                ..d()
            },
        ),
        job(
            &words("-f lavfi -i testsrc=duration=3600:size=320x240 -f null -"),
            Limits {
                fuel: Some(50_000_000),
                ..d()
            },
        ),
        job(
            &words("-f lavfi -i testsrc2=duration=60:size=1280x720 -f null -"),
            Limits {
                timeout: Some(Duration::from_millis(300)),
                ..d()
            },
        ),
        job(
            &words("-f lavfi -i sine=duration=10 /b.wav"),
            Limits {
                max_bytes_written: 50_000,
                ..d()
            },
        ),
        job(
            &words("-f lavfi -i testsrc=duration=2:size=32x32:rate=10 /f%03d.png"),
            Limits {
                max_files_created: 3,
                ..d()
            },
        ),
        job(
            &words("-f lavfi -i testsrc=duration=1:size=64x48 -f rawvideo -"),
            Limits {
                max_stdout: 5_000,
                ..d()
            },
        ),
        job(
            &words("-loglevel debug -f lavfi -i testsrc=duration=1:size=64x48 -f null -"),
            Limits {
                max_stderr: 3_000,
                ..d()
            },
        ),
        job(
            &open_args,
            Limits {
                max_open_files: 7,
                ..d()
            },
        ),
        job(
            &words("-hide_banner -f lavfi -i testsrc=duration=0.2:size=32x32 /ok.mp4"),
            d(),
        ),
    ];
    let results = rt.run_batch(jobs, 0);
    let kinds: Vec<Option<LimitKind>> = results
        .iter()
        .map(|r| match r {
            Err(Error::Limit { limit, .. }) => Some(*limit),
            _ => None,
        })
        .collect();
    let expected = [
        Some(LimitKind::Memory(48 << 20)),
        Some(LimitKind::Fuel(50_000_000)),
        Some(LimitKind::Timeout(Duration::from_millis(300))),
        Some(LimitKind::BytesWritten(50_000)),
        Some(LimitKind::FilesCreated(3)),
        Some(LimitKind::Stdout(5_000)),
        Some(LimitKind::Stderr(3_000)),
        Some(LimitKind::OpenFiles(7)),
        None,
    ];
    for (i, (got, want)) in kinds.iter().zip(&expected).enumerate() {
        assert_eq!(
            got,
            want,
            "job {i}: {:?}",
            results[i].as_ref().map(|o| o.exit_code)
        );
    }
    assert!(results[8].as_ref().unwrap().success());
    next_job_succeeds(&rt, &Filesystem::new());
}

/// A WASI command that sleeps in one `poll_oneoff` on the monotonic clock:
/// a day when given an argument, 10 ms without, then exits with the errno.
/// Only a working timeout or cancellation ends the long sleep within the
/// test run: if either were ignored, the test would hang, not pass.
const SLEEPER: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $args (i32.const 200) (i32.const 204)))
    ;; subscription at 0: userdata 7, tag 0 (clock), clock id 1 (monotonic),
    ;; relative timeout, precision 0, flags 0
    (i64.store (i32.const 0) (i64.const 7))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24)
      (select (i64.const 86400000000000) (i64.const 10000000)
              (i32.gt_u (i32.load (i32.const 200)) (i32.const 1))))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0))
    (call $exit (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
"#;

fn sleeper(
    long: bool,
    interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> afmpeg::wasi_shim::WasiCtx {
    let mut b = afmpeg::wasi_shim::WasiCtx::builder().arg("sleeper");
    if long {
        b = b.arg("1day");
    }
    if let Some(flag) = interrupt {
        b = b.interrupt(flag);
    }
    b.build().unwrap()
}

fn sleeper_runtime() -> Runtime {
    Runtime::from_bytes(wat::parse_str(SLEEPER).unwrap()).unwrap()
}

/// After a stopped sleeper: the same runtime runs the short sleep to the end.
fn short_sleep_succeeds(rt: &Runtime) {
    let (r, _) = rt.run_wasi(
        sleeper(false, None),
        &afmpeg::ExecLimits {
            timeout: Some(Duration::from_secs(30)),
            ..Default::default()
        },
    );
    assert_eq!(r.unwrap().code, 0, "the 10 ms sleep returned an errno");
}

#[test]
fn poll_sleep_is_bounded_by_the_timeout() {
    let _g = shared();
    let rt = sleeper_runtime();
    let timeout = Duration::from_millis(300);
    let (r, ctx) = rt.run_wasi(
        sleeper(true, None),
        &afmpeg::ExecLimits {
            timeout: Some(timeout),
            ..Default::default()
        },
    );
    match r {
        Err(Error::Limit { limit, .. }) => assert_eq!(limit, LimitKind::Timeout(timeout)),
        other => panic!("expected the timeout, got {other:?}"),
    }
    assert_eq!(ctx.limit_hit(), Some(afmpeg::wasi_shim::Limit::Deadline));
    short_sleep_succeeds(&rt);
}

#[test]
fn poll_sleep_is_stopped_by_cancellation() {
    let _g = shared();
    let rt = sleeper_runtime();
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let raise = flag.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        raise.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    // A timeout far away: only the cancellation can end the sleep early.
    let (r, ctx) = rt.run_wasi(
        sleeper(true, Some(flag)),
        &afmpeg::ExecLimits {
            timeout: Some(Duration::from_secs(2 * 86_400)),
            ..Default::default()
        },
    );
    canceller.join().unwrap();
    assert!(matches!(r, Err(Error::Cancelled { .. })), "{r:?}");
    assert_eq!(ctx.limit_hit(), None, "cancelled, not stopped by a limit");
    short_sleep_succeeds(&rt);
}

#[test]
fn ffmpeg_waiting_for_a_realtime_input_is_stopped_at_its_timeout() {
    let _g = shared();
    let rt = runtime();
    // `-re` paces the input in real time: with one frame a minute FFmpeg
    // spends its life in short `av_usleep`s between cheap checks, so its
    // fuel slices take very long to run out; the deadline in `poll_oneoff`
    // is what stops it on time.
    stops_at_timeout(
        &rt,
        &words("-hide_banner -re -f lavfi -i testsrc=size=32x32:rate=1/60:duration=600 -f null -"),
        Duration::from_millis(1500),
    );
    next_job_succeeds(&rt, &Filesystem::new());
}
