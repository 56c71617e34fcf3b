//! Streams and graceful stops in the library (issue #14 parts 2 and 3):
//! stdout only streamed to a sink, `/dev/stdout` and `/dev/stderr`, stdin
//! from a reader read as the guest asks, cancellation of a job blocked on
//! stdin, and `StopToken`.
//!
//! They need the FFmpeg guest module (`make guest`); without it they fail
//! and say so. The stop tests need the module's stop hook (guest patch
//! `ffmpeg-0002`): with an older module they fail on the exit code.

mod support;

use afmpeg::job::StdinStream;
use afmpeg::{CancelToken, Error, LimitKind, Limits, OutputSink, RunOptions, StopToken};
use std::io::Read;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use support::guest::*;

/// An H.264 MPEG-TS job writing to `out`.
fn ts_job(out: &str) -> Vec<&str> {
    let mut a = words(
        "-hide_banner -y -f lavfi -i testsrc=duration=1:size=64x48:rate=10 -c:v libx264 \
         -preset ultrafast -f mpegts",
    );
    a.push(out);
    a
}

/// A sink that keeps what it is given, and the bytes it kept.
fn collecting_sink() -> (OutputSink, Arc<Mutex<Vec<u8>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let sink: OutputSink = Arc::new(move |c: &[u8]| g.lock().unwrap().extend_from_slice(c));
    (sink, got)
}

/// Stdout only streamed: every output name of stdout gives the bytes the
/// same job writes to a file, nothing is kept, and `max_stdout` (1 KiB here,
/// far below the output) does not apply.
#[test]
fn sink_only_stdout_equals_the_file_output() {
    let (_g, rt, fs) = shared_job();
    ffmpeg_ok(&rt, &fs, &ts_job("/file.ts"));
    let file = fs.read("/file.ts").unwrap();
    assert!(file.len() > 10_000, "a real output: {} bytes", file.len());
    for name in ["pipe:1", "-", "pipe:", "/dev/stdout"] {
        let (sink, got) = collecting_sink();
        let opts = RunOptions::new()
            .stdout_sink_only(move |chunk| sink(chunk))
            .limits(Limits {
                max_stdout: 1024,
                ..Limits::default()
            });
        let out = ffmpeg_ok_with(&rt, &fs, &ts_job(name), &opts);
        assert!(out.stdout.is_empty(), "{name}: nothing kept");
        assert!(
            *got.lock().unwrap() == file,
            "{name}: same bytes as the file"
        );
    }
}

/// Without sink-only, `/dev/stdout` lands in the capture like fd 1 (it was
/// a regular file in the job's /dev, silently dropped), `/dev/stderr` in
/// the stderr capture; past the cap, a `/dev/stdout` write is a stdout
/// limit error, never a silent success.
#[test]
fn dev_stdout_and_dev_stderr_reach_the_captures() {
    let (_g, rt, fs) = shared_job();
    ffmpeg_ok(&rt, &fs, &ts_job("/file.ts"));
    let file = fs.read("/file.ts").unwrap();
    let out = ffmpeg_ok(&rt, &fs, &ts_job("/dev/stdout"));
    assert!(out.stdout == file, "/dev/stdout captured as fd 1");
    assert!(!fs.exists("/dev/stdout"), "no stray file");

    let mut args = ts_job("/dev/stderr");
    args.splice(0..0, ["-loglevel", "quiet"]);
    let out = ffmpeg_ok(&rt, &fs, &args);
    assert!(out.stderr == file, "/dev/stderr captured as fd 2");

    let opts = RunOptions::new().limits(Limits {
        max_stdout: 1024,
        ..Limits::default()
    });
    match rt.run_with(&fs, &ts_job("/dev/stdout"), &opts) {
        Err(Error::Limit {
            limit: LimitKind::Stdout(1024),
            ..
        }) => {}
        other => panic!("expected the stdout limit, got {other:?}"),
    }
}

/// Yields `data` in 1,000-byte reads, each after a short pause: a slow pipe.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        std::thread::sleep(std::time::Duration::from_millis(1));
        let n = buf.len().min(1000).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A WAV read from a slow reader as `pipe:0` gives, byte for byte, the FLAC
/// the same job makes from the file, and probes as the input (0.5 s,
/// 22,050 Hz, 2 channels).
#[test]
fn stdin_stream_from_a_slow_reader_gives_the_file_output() {
    let (_g, rt, fs) = shared_job();
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i sine=frequency=440:sample_rate=22050:duration=0.5 -ac 2 -c:a pcm_s16le /in.wav"),
    );
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f wav -i /in.wav -c:a flac /from-file.flac"),
    );
    let opts = RunOptions::new().stdin_stream(StdinStream::new(Trickle {
        data: fs.read("/in.wav").unwrap(),
        pos: 0,
    }));
    ffmpeg_ok_with(
        &rt,
        &fs,
        &words("-hide_banner -f wav -i pipe:0 -c:a flac /from-stream.flac"),
        &opts,
    );
    assert!(fs.read("/from-stream.flac").unwrap() == fs.read("/from-file.flac").unwrap());
    let info = probe(&rt, &fs, "/from-stream.flac");
    let a = info.audio_streams().next().expect("an audio stream");
    assert_eq!((a.sample_rate, a.channels), (Some(22050), Some(2)));
    assert_eq!(info.duration(), Some(0.5));
}

/// Tells the test when the guest first asks for data, then never yields:
/// a pipe whose writer went quiet.
struct Silent(mpsc::Sender<()>);

impl Read for Silent {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        let _ = self.0.send(());
        loop {
            std::thread::park();
        }
    }
}

/// A job blocked reading a stdin stream that never yields is still
/// cancelled, and the same runtime then runs the next job.
#[test]
fn cancel_ends_a_job_blocked_on_stdin() {
    let (_g, rt, fs) = shared_job();
    let (tx, rx) = mpsc::channel();
    let cancel = CancelToken::new();
    let opts = RunOptions::new()
        .stdin_stream(StdinStream::new(Silent(tx)))
        .cancel(cancel.clone());
    let canceller = std::thread::spawn(move || {
        rx.recv().expect("the guest reads stdin");
        cancel.cancel();
    });
    let r = rt.run_with(&fs, &words("-f wav -i pipe:0 /never.flac"), &opts);
    canceller.join().unwrap();
    assert!(matches!(r, Err(Error::Cancelled { .. })), "{r:?}");
    assert!(!fs.exists("/never.flac"));
    next_job_succeeds(&rt, &fs);
}

/// A job blocked on a stdin stream that never yields still ends at its
/// timeout, with the timeout error.
#[test]
fn timeout_ends_a_job_blocked_on_stdin() {
    let (_g, rt, fs) = shared_job();
    let (tx, _rx) = mpsc::channel();
    let opts = RunOptions::new()
        .stdin_stream(StdinStream::new(Silent(tx)))
        .limits(Limits {
            timeout: Some(std::time::Duration::from_millis(500)),
            ..Limits::default()
        });
    match rt.run_with(&fs, &words("-f wav -i pipe:0 /never.flac"), &opts) {
        Err(Error::Limit {
            limit: LimitKind::Timeout(_),
            ..
        }) => {}
        other => panic!("expected the timeout, got {other:?}"),
    }
    next_job_succeeds(&rt, &fs);
}

/// A stdin stream feeds one job: a second job holding a clone of it is
/// refused before the guest runs. (The other combinations that could not
/// work — two stdin sources, stdout sent only to a sink that is not there —
/// cannot be written with the `RunOptions` builder.)
#[test]
fn a_stdin_stream_read_by_one_job_is_refused_to_the_next() {
    let (_g, rt, fs) = shared_job();
    let args = words("-f lavfi -i testsrc=d=0.1 -f null -");
    let once = RunOptions::new().stdin_stream(StdinStream::new(&b""[..]));
    ffmpeg_ok_with(&rt, &fs, &args, &once);
    match rt.run_with(&fs, &args, &once) {
        Err(Error::Config(m)) => assert!(m.contains("already read by another job"), "{m}"),
        other => panic!("expected a config error, got {other:?}"),
    }
}

/// Progress reports after a stop that mean the job did not stop: a module
/// without the stop hook would otherwise encode the whole hour.
const REPORTS_AFTER_A_STOP: usize = 40;

/// Runs an hour-long 64x48 encode to `out` holding `stop`, calls `on_first`
/// at its first progress report, and cancels it (failing the test with what
/// to do) if it is still reporting long after.
fn run_stopped(
    rt: &afmpeg::Runtime,
    fs: &afmpeg::Filesystem,
    out: &str,
    stop: StopToken,
    on_first: impl FnOnce() + Send + 'static,
) -> afmpeg::RunOutput {
    let cancel = CancelToken::new();
    let mut opts = RunOptions::new().stop(stop).cancel(cancel.clone());
    let progress = opts.progress_channel();
    let watcher = std::thread::spawn(move || {
        if progress.recv().is_ok() {
            on_first();
        }
        if progress.iter().nth(REPORTS_AFTER_A_STOP).is_some() {
            cancel.cancel();
        }
    });
    let mut args = words(
        "-hide_banner -f lavfi -i testsrc=duration=3600:size=64x48:rate=10 -c:v libx264 -preset ultrafast",
    );
    args.push(out);
    let r = rt.run_with(fs, &args, &opts);
    drop(opts); // ends the progress channel
    watcher.join().unwrap();
    if let Err(Error::Cancelled { .. }) = r {
        panic!(
            "the job did not stop: the module needs the stop hook (guest patch \
             ffmpeg-0002); rebuild it with `make guest`"
        )
    }
    // Native ffmpeg exits 255 after a stop: an exit like any other non-zero one.
    exited(r, afmpeg::Tool::Ffmpeg, 255)
}

/// A stop after the first progress report of an hour-long encode: FFmpeg
/// finishes the output the native way (its closing line, exit 255) and the
/// MP4 is playable with a duration between 0 and the hour.
#[test]
fn stop_finishes_a_long_encode_with_a_playable_output() {
    let (_g, rt, fs) = shared_job();
    let stop = StopToken::new();
    let out = run_stopped(&rt, &fs, "/long.mp4", stop.clone(), move || stop.stop());
    let err = out.stderr_text();
    assert!(
        err.contains("Exiting normally, received signal 2."),
        "{err}"
    );
    assert!(!err.contains("Press [q]"), "no key works under WASI: {err}");
    let info = probe(&rt, &fs, "/long.mp4");
    let d = info.duration().expect("a duration");
    assert!(d > 0.0 && d < 3600.0, "a partial, finished output: {d} s");
    assert_eq!(info.video_streams().count(), 1);
    assert!(count_video_frames(&rt, &fs, "/long.mp4") > 0);
}

/// A stop asked before the job starts: the job does not start
/// (`Error::NotStarted`) and writes nothing — started only to stop, FFmpeg
/// would finish an output without a frame, which FFmpeg 5.1's matroska
/// muxer writes unreadable — and the runtime runs the next job normally.
#[test]
fn a_stop_asked_before_the_job_starts_keeps_it_from_starting() {
    let (_g, rt, fs) = shared_job();
    let stop = StopToken::new();
    stop.stop();
    let args = words("-f lavfi -i testsrc=d=1 -c:v libx264 /early.mkv");
    match rt.run_with(&fs, &args, &RunOptions::new().stop(stop)) {
        Err(Error::NotStarted) => {}
        other => panic!("expected Error::NotStarted, got {other:?}"),
    }
    assert!(!fs.exists("/early.mkv"), "nothing was written");
    next_job_succeeds(&rt, &fs);
}

/// A batch whose jobs share one `StopToken`, stopped while its first job
/// runs: that job finishes its output the native way (exit 255, a playable
/// file), and the job still queued never starts (`Error::NotStarted`,
/// nothing written).
#[test]
fn a_stopped_batch_finishes_the_running_job_and_starts_no_more() {
    let (_g, rt, fs) = shared_job();
    let stop = StopToken::new();
    let cancel = CancelToken::new();
    let (s, c) = (stop.clone(), cancel.clone());
    let reports_after_stop = Mutex::new(0usize);
    let first = afmpeg::Job::ffmpeg(
        &fs,
        words(
            "-hide_banner -f lavfi -i testsrc=duration=3600:size=64x48:rate=10 -c:v libx264 \
             -preset ultrafast /first.mp4",
        ),
    )
    .with_options(
        RunOptions::new()
            .stop(stop.clone())
            .cancel(cancel)
            .progress(move |p: &afmpeg::Progress| {
                if !s.is_stopped() {
                    if p.frame.unwrap_or(0) > 0 {
                        s.stop();
                    }
                    return;
                }
                // A module without the stop hook would encode the hour.
                let mut n = reports_after_stop.lock().unwrap();
                *n += 1;
                if *n > REPORTS_AFTER_A_STOP {
                    c.cancel();
                }
            }),
    );
    let queued = afmpeg::Job::ffmpeg(&fs, words("-f lavfi -i testsrc=d=1 /queued.mp4"))
        .with_options(RunOptions::new().stop(stop));
    let mut results = rt.run_batch(vec![first, queued], 1).into_iter();
    match results.next().unwrap() {
        Err(Error::Ffmpeg { exit_code: 255, .. }) => {}
        Err(Error::Cancelled { .. }) => panic!(
            "the job did not stop: the module needs the stop hook (guest patch \
             ffmpeg-0002); rebuild it with `make guest`"
        ),
        other => panic!("expected exit 255, got {other:?}"),
    }
    let d = probe(&rt, &fs, "/first.mp4")
        .duration()
        .expect("a duration");
    assert!(d > 0.0 && d < 3600.0, "a partial, finished output: {d} s");
    match results.next().unwrap() {
        Err(Error::NotStarted) => {}
        other => panic!("expected Error::NotStarted, got {other:?}"),
    }
    assert!(!fs.exists("/queued.mp4"));
}

/// Frames after which the progress callback below stops its own job.
const STOP_AT_FRAME: u64 = 20;

/// "Stop after N frames", said from the job's own progress callback: the
/// stop is delivered while FFmpeg is writing that report (to a device of
/// the job's `/dev`, where the stop writes its stop file too), and the job
/// finishes the native way with at least those N frames in a playable file.
/// The job runs on a thread of its own so that a stop that cannot be
/// delivered fails the test instead of hanging it.
#[test]
fn stop_from_the_jobs_own_progress_callback_finishes_the_output() {
    let (_g, rt, fs) = shared_job();
    let stop = StopToken::new();
    let cancel = CancelToken::new();
    let reports_after_stop = Arc::new(Mutex::new(0usize));
    let (s, c, after) = (stop.clone(), cancel.clone(), reports_after_stop.clone());
    let opts = RunOptions::new()
        .stop(stop.clone())
        .cancel(cancel)
        .progress(move |p: &afmpeg::Progress| {
            if s.is_stopped() {
                let mut n = after.lock().unwrap();
                *n += 1;
                if *n > REPORTS_AFTER_A_STOP {
                    c.cancel();
                }
            } else if p.frame.unwrap_or(0) >= STOP_AT_FRAME {
                s.stop();
            }
        });
    let (done_tx, done_rx) = mpsc::channel();
    let (rt2, fs2) = (rt.clone(), fs.clone());
    std::thread::spawn(move || {
        let mut args = words(
            "-hide_banner -f lavfi -i testsrc=duration=3600:size=64x48:rate=10 -c:v libx264 \
             -preset ultrafast",
        );
        args.push("/own.mp4");
        // A stopped run exits 255: an `Error::Ffmpeg` holding its output.
        let _ = done_tx.send(
            rt2.run_with(&fs2, &args, &opts)
                .or_else(afmpeg::Error::into_exit_output),
        );
    });
    let out = done_rx
        .recv_timeout(std::time::Duration::from_secs(600))
        .expect("the job never ended: the stop from its progress callback deadlocked")
        .unwrap_or_else(|e| {
            panic!(
                "the job did not stop ({e}): the module needs the stop hook (guest patch \
                 ffmpeg-0002); rebuild it with `make guest`"
            )
        });
    let err = out.stderr_text();
    assert!(stop.is_stopped());
    assert_eq!(out.exit_code, 255, "{err}");
    assert!(
        err.contains("Exiting normally, received signal 2."),
        "{err}"
    );
    let info = probe(&rt, &fs, "/own.mp4");
    let d = info.duration().expect("a duration");
    assert!(d > 0.0 && d < 3600.0, "a partial, finished output: {d} s");
    assert_eq!(info.video_streams().count(), 1);
    let frames = count_video_frames(&rt, &fs, "/own.mp4");
    assert!(
        (STOP_AT_FRAME..36_000).contains(&frames),
        "{frames} frames: at least the {STOP_AT_FRAME} reported before the stop"
    );
}
