//! The async API (feature `tokio`): futures on tokio's blocking pool that
//! resolve like the blocking calls, and whose drop cancels the job.
//!
//! The guest module must exist (`make guest`): without it these tests fail,
//! they never skip.

mod support;

use afmpeg::tasks::{Remux, Task};
use afmpeg::{CancelToken, Error, Progress, RunOptions, Tool};
use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use support::guest::*;

/// How often the long job reports progress (`-stats_period`): the unit in
/// which "how long the guest ran on after the drop" is counted.
const REPORT_PERIOD: &str = "0.05";

/// Reports after the drop that mean the guest did not stop within about
/// 100 ms: one that was already on its way, one more period.
const REPORTS_AFTER_THE_DROP: usize = 2;

/// Far beyond any cancellation: only a job that never stops reaches it.
const WATCHDOG: Duration = Duration::from_secs(60);

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
}

/// Dropping a running job's future cancels that job (its own token, not
/// the options' token it was given): the guest's progress reports stop
/// within two 50 ms periods, none of them final, its callbacks are
/// released (the job ended), and the same runtime runs the next job.
#[test]
fn dropping_the_future_cancels_the_job() {
    let (_g, rt, fs) = shared_job();
    let (tx, reports) = mpsc::channel::<Progress>();
    let group = CancelToken::new();
    let opts = RunOptions::new().cancel(group.clone()).progress(move |p| {
        let _ = tx.send(p.clone());
    });
    let line = format!(
        "-hide_banner -stats_period {REPORT_PERIOD} -f lavfi -i testsrc=duration=3600:size=64x48:rate=10 \
         -c:v libx264 -preset ultrafast /long.mp4"
    );
    let args = words(&line);
    let tokio_rt = tokio_runtime();
    let mut job = Box::pin(rt.run_async(&fs, &args, &opts));
    drop(opts); // the job holds the only progress sender now
    let token = job.cancel_token();
    // One poll starts the job on the blocking pool.
    tokio_rt.block_on(std::future::poll_fn(|cx| {
        assert!(
            job.as_mut().poll(cx).is_pending(),
            "an hour of video is not done at once"
        );
        Poll::Ready(())
    }));
    let first = reports
        .recv_timeout(WATCHDOG)
        .expect("the job reports progress");
    assert!(!first.done);

    drop(job);
    if !token.is_cancelled() {
        group.cancel(); // end the runaway job, then fail
        panic!("the drop did not cancel the job's token");
    }
    assert!(!group.is_cancelled(), "and not the token of the options");
    let mut after = Vec::new();
    loop {
        match reports.recv_timeout(WATCHDOG) {
            Ok(p) => {
                after.push(p);
                if after.len() > REPORTS_AFTER_THE_DROP {
                    group.cancel(); // end the runaway job, then fail
                    panic!(
                        "the guest ran on for {} report periods of {REPORT_PERIOD} s after the drop",
                        after.len()
                    );
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                panic!("the job still held its options {WATCHDOG:?} after its future was dropped")
            }
        }
    }
    eprintln!(
        "[afmpeg] job ended {} report(s) after the drop",
        after.len()
    );
    assert!(
        after.iter().all(|p| !p.done),
        "the job was cancelled, not finished"
    );
    drop(tokio_rt);
    next_job_succeeds(&rt, &fs);
}

/// The futures resolve to what the blocking calls return, failures
/// included (a non-zero exit is `Error::Ffmpeg`); a job future's own token
/// cancels it as `Error::Cancelled`.
#[test]
fn futures_resolve_like_the_blocking_calls() {
    let (_g, rt, fs) = shared_job();
    let tokio_rt = tokio_runtime();
    tokio_rt.block_on(async {
        let opts = RunOptions::new();
        let out = rt
            .run_async(
                &fs,
                &words("-hide_banner -f lavfi -i sine=duration=0.5 -c:a flac /a.mkv"),
                &opts,
            )
            .await
            .expect("the job runs");
        assert!(out.success());
        let info = rt.probe_async(&fs, "/a.mkv").await.expect("a probe");
        assert_eq!(info.audio_streams().count(), 1);
        assert_eq!(info.duration(), Some(0.5));

        let produced = Remux::new("/a.mkv", "/b.mkv")
            .run_async(&rt, &fs, &opts)
            .await
            .expect("the task runs");
        assert_eq!(produced.path, "/b.mkv");
        assert_eq!(produced.size, fs.metadata("/b.mkv").unwrap().len);

        let failed = rt
            .run_async(
                &fs,
                &["-hide_banner", "-i", "/missing.mp4", "/x.mp4"],
                &opts,
            )
            .await;
        let out = exited(failed, Tool::Ffmpeg, 1);
        assert!(contains_ci(&out.stderr, "No such file or directory"));
        match rt.probe_async(&fs, "/missing.mp4").await {
            Err(Error::Probe { exit_code: 1, .. }) => {}
            other => panic!("expected Error::Probe, got {other:?}"),
        }

        let job = rt.run_async(
            &fs,
            &words("-f lavfi -i testsrc=duration=3600 -c:v libx264 /never.mp4"),
            &opts,
        );
        job.cancel_token().cancel();
        match job.await {
            Err(Error::Cancelled { .. }) => {}
            other => panic!("expected Error::Cancelled, got {other:?}"),
        }
    });
}

/// Polled by something other than a tokio runtime, a job future resolves
/// to a configuration error instead of panicking, and nothing runs.
#[test]
fn a_future_polled_outside_tokio_is_a_config_error() {
    let (_g, rt, fs) = shared_job();
    let mut job = rt.run_async(
        &fs,
        &["-f", "lavfi", "-i", "sine", "/s.wav"],
        &RunOptions::new(),
    );
    let mut cx = Context::from_waker(Waker::noop());
    match Pin::new(&mut job).poll(&mut cx) {
        Poll::Ready(Err(Error::Config(m))) => assert!(m.contains("tokio runtime"), "{m}"),
        other => panic!("expected a config error, got {other:?}"),
    }
    assert!(!fs.exists("/s.wav"));
}
