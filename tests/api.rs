//! The library API end to end, on the real FFmpeg guest: raw argv jobs,
//! live progress, concurrent runs on one `Runtime`, batches, cancellation,
//! deterministic mode and module loading errors.
//!
//! Fixtures are generated at test time (lavfi inside the guest, or bytes
//! written here). The guest module must exist (`make guest`): without it
//! these tests fail, they never skip.

mod support;

use afmpeg::job::Job;
use afmpeg::tasks::{Task, Transcode};
use afmpeg::{
    CancelToken, Error, Filesystem, LimitKind, Limits, ModuleSource, Progress, RunOptions, Runtime,
    Tool,
};
use std::sync::{Arc, Barrier, Mutex};
use support::guest::*;

// ---------------------------------------------------------------- raw argv

#[test]
fn lavfi_to_h264_aac_mp4_probes_exactly() {
    let (_g, rt, fs) = shared_job();
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=2:size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000:duration=2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 64k /out.mp4"),
    );
    let info = probe(&rt, &fs, "/out.mp4");
    assert!(
        info.format.format_name.contains("mp4"),
        "{}",
        info.format.format_name
    );
    assert_eq!(info.format.nb_streams, 2);
    assert_eq!(info.streams.len(), 2);
    let v = info.video_streams().next().expect("a video stream");
    let a = info.audio_streams().next().expect("an audio stream");
    assert_eq!(v.codec_name.as_deref(), Some("h264"));
    assert_eq!(a.codec_name.as_deref(), Some("aac"));
    assert_eq!((v.width, v.height), (Some(160), Some(120)));
    assert_eq!(v.pix_fmt.as_deref(), Some("yuv420p"));
    assert_eq!(a.sample_rate, Some(48000));
    assert_eq!(a.channels, Some(1));
    // 2 s at 25 fps: exactly 50 frames, by the container and by decoding.
    assert_eq!(v.nb_frames, Some(50));
    assert_eq!(count_video_frames(&rt, &fs, "/out.mp4"), 50);
    // The video track lasts exactly 2 s; the AAC track 2 s rounded up to
    // whole 1024-sample frames (the priming is cut by the edit list).
    assert_eq!(v.duration, Some(2.0));
    let ad = a.duration.expect("audio duration");
    assert!(
        (2.0..=2.0 + 1024.0 / 48000.0 + 1e-6).contains(&ad),
        "audio duration {ad}"
    );
    let d = info.duration().expect("format duration");
    assert!((2.0..=2.03).contains(&d), "format duration {d}");
}

/// A 64x48 RGB gradient that moves one pixel per frame.
fn rgb_frames(w: usize, h: usize, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(w * h * 3 * n);
    for f in 0..n {
        for y in 0..h {
            for x in 0..w {
                out.push(((x + f) * 255 / (w + n)) as u8);
                out.push((y * 255 / h) as u8);
                out.push(128);
            }
        }
    }
    out
}

#[test]
fn raw_rgb24_input_to_mp4() {
    let (_g, rt, fs) = shared_job();
    let (w, h, n) = (64, 48, 10);
    let raw = rgb_frames(w, h, n);
    fs.write("/in.rgb", raw.clone()).unwrap();
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f rawvideo -pix_fmt rgb24 -video_size 64x48 -framerate 10 -i /in.rgb -c:v libx264 -preset ultrafast -crf 0 -pix_fmt yuv444p /out.mp4"),
    );
    let info = probe(&rt, &fs, "/out.mp4");
    assert_eq!(info.streams.len(), 1);
    let v = info.video_streams().next().unwrap();
    assert_eq!(v.codec_name.as_deref(), Some("h264"));
    assert_eq!((v.width, v.height), (Some(64), Some(48)));
    assert_eq!(v.nb_frames, Some(n as u64));
    assert_eq!(count_video_frames(&rt, &fs, "/out.mp4"), n as u64);
    assert_eq!(v.duration, Some(1.0));
    // The picture is ours: decode back to rgb24 and compare (lossless H.264
    // in yuv444p; only the RGB<->YUV conversion rounds).
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -i /out.mp4 -f rawvideo -pix_fmt rgb24 /back.rgb"),
    );
    let back = fs.read("/back.rgb").unwrap();
    assert_eq!(back.len(), raw.len());
    let max_diff = raw
        .iter()
        .zip(&back)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(max_diff <= 4, "decoded pixels differ by up to {max_diff}");
    assert_eq!(fs.read("/in.rgb").unwrap(), raw, "input changed");
}

#[test]
fn filter_complex_overlay_two_inputs_two_outputs() {
    let (_g, rt, fs) = shared_job();
    // Two inputs as files: a 160x120 testsrc clip and a 40x30 red patch.
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=1:size=160x120:rate=10 -c:v libx264 -preset ultrafast /base.mp4"),
    );
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i color=c=red:size=40x30:rate=10:duration=1 -c:v png /patch.mkv"),
    );
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -i /base.mp4 -i /patch.mkv -filter_complex [0:v][1:v]overlay=x=20:y=20,split[big][s];[s]scale=80:60[small] -map [big] -c:v libx264 -preset ultrafast /big.mp4 -map [small] -c:v png -pix_fmt rgb24 /small.mkv"),
    );
    let big = probe(&rt, &fs, "/big.mp4");
    let bv = big.video_streams().next().unwrap();
    assert_eq!(bv.codec_name.as_deref(), Some("h264"));
    assert_eq!((bv.width, bv.height), (Some(160), Some(120)));
    assert_eq!(bv.nb_frames, Some(10));
    let small = probe(&rt, &fs, "/small.mkv");
    let sv = small.video_streams().next().unwrap();
    assert_eq!(sv.codec_name.as_deref(), Some("png"));
    assert_eq!((sv.width, sv.height), (Some(80), Some(60)));
    assert_eq!(count_video_frames(&rt, &fs, "/small.mkv"), 10);
    // The overlay is there: in the half-size output the patch covers
    // x 10..30, y 10..25; pixel (20, 17) is pure red (PNG is lossless).
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -i /small.mkv -frames:v 1 -f rawvideo /small.rgb"),
    );
    let px = fs.read("/small.rgb").unwrap();
    assert_eq!(px.len(), 80 * 60 * 3);
    let at = |x: usize, y: usize| &px[(y * 80 + x) * 3..][..3];
    let red = at(20, 17);
    assert!(
        red[0] > 230 && red[1] < 25 && red[2] < 25,
        "pixel inside the overlay is {red:?}, not red"
    );
}

/// One failure convention: a non-zero exit is `Error::Ffmpeg` from `run`,
/// `ffprobe`, a batch and a task helper alike (with the same exit code and
/// stderr), `Error::Probe` from `probe`; `into_exit_output` turns it back
/// into the output.
#[test]
fn nonzero_exit_is_always_an_error() {
    let (_g, rt, fs) = shared_job();
    let bad_encoder =
        words("-hide_banner -f lavfi -i testsrc=duration=1 -c:v no_such_encoder /x.mp4");
    let out = exited(rt.run(&fs, &bad_encoder), Tool::Ffmpeg, 1);
    assert!(!out.success());
    let again = rt.run(&fs, &bad_encoder).or_else(Error::into_exit_output);
    assert_eq!(again.map(|o| o.exit_code).ok(), Some(1));
    let batch = rt.run_batch(vec![Job::ffmpeg(&fs, bad_encoder.clone())], 1);
    let from_batch = exited(batch.into_iter().next().unwrap(), Tool::Ffmpeg, 1);
    assert_eq!(from_batch.stderr, out.stderr);
    match Transcode::new("/missing.mp4", "/t.mp4").run(&rt, &fs) {
        Err(e @ Error::Ffmpeg { .. }) => {
            let o = exited(Err(e), Tool::Ffmpeg, 1);
            assert!(contains_ci(&o.stderr, "No such file or directory"));
        }
        other => panic!("expected Error::Ffmpeg from the task helper, got {other:?}"),
    }
    assert!(
        contains_ci(&out.stderr, "Unknown encoder 'no_such_encoder'"),
        "stderr: {}",
        out.stderr_text()
    );

    let out = exited(
        rt.run(&fs, &["-hide_banner", "-i", "/missing.mp4", "/y.mkv"]),
        Tool::Ffmpeg,
        1,
    );
    assert!(
        contains_ci(&out.stderr, "No such file or directory"),
        "stderr: {}",
        out.stderr_text()
    );
    assert!(!fs.exists("/y.mkv"));

    // ffprobe on a missing file exits 1 too; `probe` names the file in
    // `Error::Probe`.
    exited(
        rt.ffprobe(&fs, &["-v", "error", "/missing.mp4"]),
        Tool::Ffprobe,
        1,
    );
    match rt.probe(&fs, "/missing.mp4") {
        Err(Error::Probe {
            path, exit_code, ..
        }) => assert_eq!((path.as_str(), exit_code), ("/missing.mp4", 1)),
        other => panic!("expected Error::Probe, got {other:?}"),
    }
}

// ---------------------------------------------------------------- progress

#[test]
fn progress_is_live_monotonic_and_complete_only_at_the_end() {
    let (_g, rt, fs) = shared_job();
    // Each report with the size of the output file at that moment: the mp4
    // muxer writes its index (`moov`) only at the end, so a report made while
    // the job runs sees a file short of its final size, one made after it
    // would see the finished file.
    let seen: Arc<Mutex<Vec<(u64, Progress)>>> = Arc::default();
    let s2 = seen.clone();
    let fs2 = fs.clone();
    let opts = RunOptions::new().progress(move |p: &Progress| {
        let len = fs2.metadata("/p.mp4").map(|m| m.len).unwrap_or(0);
        s2.lock().unwrap().push((len, p.clone()))
    });
    // `-t 4` gives the expected duration; `-stats_period 0.01` asks for a
    // report every 10 ms of wall time (the default is 0.5 s): the native
    // tier encodes these 4 s in about 0.13 s.
    ffmpeg_ok_with(
        &rt,
        &fs,
        &words("-hide_banner -stats_period 0.01 -f lavfi -i testsrc2=size=320x240:rate=25 -t 4 -c:v libx264 -preset ultrafast /p.mp4"),
        &opts,
    );
    let final_len = fs.metadata("/p.mp4").unwrap().len;
    let seen = seen.lock().unwrap().clone();
    eprintln!("{} reports, output {final_len} bytes:", seen.len());
    for (len, p) in &seen {
        eprintln!(
            "  output {len:>7} B frame={:?} out_time={:?} fraction={:?} done={}",
            p.frame, p.out_time, p.fraction, p.done
        );
    }
    assert!(seen.len() >= 3, "only {} progress reports", seen.len());
    // Live: at least two reports came while the job was still encoding —
    // part of the frames done and the output file not yet finished — not
    // all at the end.
    let mid = seen
        .iter()
        .filter(|(len, p)| !p.done && p.frame.is_some_and(|f| f < 100) && *len < final_len)
        .count();
    assert!(mid >= 2, "only {mid} reports while the job ran");
    // Fractions: present, never decreasing, 1.0 only in the last (final) report.
    let fractions: Vec<f64> = seen
        .iter()
        .map(|(_, p)| p.fraction.expect("fraction with -t"))
        .collect();
    assert!(
        fractions.windows(2).all(|w| w[0] <= w[1]),
        "fraction decreased: {fractions:?}"
    );
    let (last, rest) = seen.split_last().unwrap();
    assert!(last.1.done, "last report is not final");
    assert_eq!(last.1.fraction, Some(1.0));
    assert!(
        rest.iter()
            .all(|(_, p)| !p.done && p.fraction.unwrap() < 1.0),
        "1.0 before the end: {fractions:?}"
    );
    assert!(rest
        .iter()
        .any(|(_, p)| p.fraction.unwrap() > 0.0 && p.fraction.unwrap() < 1.0));
    assert_eq!(last.1.frame, Some(100));
    let frames: Vec<u64> = seen.iter().filter_map(|(_, p)| p.frame).collect();
    assert!(
        frames.windows(2).all(|w| w[0] <= w[1]),
        "frame count decreased: {frames:?}"
    );
    // Bytes written: FFmpeg's `total_size` is the output file's size when
    // it makes the report (`avio_size`, what the muxer has flushed), so it
    // equals the size the callback sees, grows, and ends at the file's size.
    for (len, p) in &seen {
        assert_eq!(p.total_size, Some(*len), "{p:?}");
    }
    let sizes: Vec<u64> = seen.iter().filter_map(|(_, p)| p.total_size).collect();
    assert!(
        sizes.windows(2).all(|w| w[0] <= w[1]),
        "total_size decreased: {sizes:?}"
    );
    assert!(sizes[0] < final_len, "no growth seen: {sizes:?}");
    assert_eq!(last.1.total_size, Some(final_len));
}

// ---------------------------------------------------------------- strict

#[test]
fn strict_mode_turns_an_unused_option_into_a_typed_error() {
    let (_g, rt, fs) = shared_job();
    // `-crf` is libx264's; the WAV output has no stream that uses it.
    let argv = words("-hide_banner -y -f lavfi -i sine=d=0.2 -crf 23 /tone.wav");
    // Without strict mode FFmpeg warns and exits 0.
    let out = ffmpeg_ok_with(&rt, &fs, &argv, &RunOptions::new());
    assert!(
        out.stderr_text()
            .contains("crf (Select the quality for constant quality mode) specified for output file #0 (/tone.wav) has not been used for any stream"),
        "{}",
        out.stderr_text()
    );
    match rt.run_with(&fs, &argv, &RunOptions::new().strict(true)) {
        Err(Error::UnusedOption {
            option,
            message,
            output,
        }) => {
            assert_eq!(option, "crf");
            assert!(message.starts_with("Codec AVOption crf "), "{message}");
            assert_eq!(output.exit_code, 0);
        }
        other => panic!("expected Error::UnusedOption, got {other:?}"),
    }
    // Every option used: strict mode lets the run through.
    ffmpeg_ok_with(
        &rt,
        &fs,
        &words("-hide_banner -y -f lavfi -i testsrc=d=0.2:size=64x48 -c:v libx264 -preset ultrafast -crf 23 /v.mp4"),
        &RunOptions::new().strict(true),
    );
}

#[test]
fn progress_channel_receives_reports() {
    let (_g, rt, fs) = shared_job();
    let mut opts = RunOptions::new().expected_duration(1.0);
    let rx = opts.progress_channel();
    ffmpeg_ok_with(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=1:size=64x48 -c:v png -f null -"),
        &opts,
    );
    let all: Vec<Progress> = rx.try_iter().collect();
    let last = all.last().expect("at least one report");
    assert!(last.done);
    assert_eq!(last.fraction, Some(1.0));
    assert_eq!(last.frame, Some(25));
}

// ---------------------------------------------------------------- live stdio

#[test]
fn stderr_sink_is_fed_while_the_job_runs() {
    let (_g, rt, fs) = shared_job();
    // The sink cancels the job as soon as FFmpeg announces its output. A sink
    // fed only when the job is over would come too late: the 20 s job would
    // finish and succeed instead of ending `Cancelled`.
    let token = CancelToken::new();
    let seen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let opts = RunOptions::new().cancel(token.clone()).stderr_sink({
        let (seen, token) = (seen.clone(), token.clone());
        move |chunk: &[u8]| {
            let mut seen = seen.lock().unwrap();
            seen.extend_from_slice(chunk);
            if contains_ci(&seen, "Output #0") {
                token.cancel();
            }
        }
    });
    let r = rt.run_with(
        &fs,
        &words("-f lavfi -i testsrc=duration=20:size=160x120:rate=25 -c:v png -f null -"),
        &opts,
    );
    let seen = String::from_utf8(seen.lock().unwrap().clone()).unwrap();
    assert!(seen.contains("ffmpeg version"), "the banner: {seen}");
    assert!(seen.contains("Output #0, null, to 'pipe:'"), "{seen}");
    match r {
        Err(Error::Cancelled { stderr_tail }) => assert!(
            stderr_tail.contains("Output #0, null, to 'pipe:'"),
            "the captured copy has what the sink saw: {stderr_tail}"
        ),
        other => panic!("expected Cancelled from the live sink, got {other:?}"),
    }
}

#[test]
fn sinks_see_exactly_what_is_captured() {
    let (_g, rt, fs) = shared_job();
    ffmpeg_ok(&rt, &fs, &words("-f lavfi -i sine=duration=0.2 /a.wav"));
    let (err, out) = (
        Arc::new(Mutex::new(Vec::new())),
        Arc::new(Mutex::new(Vec::new())),
    );
    let record = |to: &Arc<Mutex<Vec<u8>>>| {
        let to = to.clone();
        move |chunk: &[u8]| to.lock().unwrap().extend_from_slice(chunk)
    };
    let opts = RunOptions::new()
        .stderr_sink(record(&err))
        .stdout_sink(record(&out));
    // ffprobe writes both streams: the banner and input on stderr, the
    // format section on stdout.
    let o = rt
        .run_tool(
            afmpeg::Tool::Ffprobe,
            &fs,
            &["-show_format", "/a.wav"],
            &opts,
        )
        .unwrap();
    assert!(o.success(), "{}", o.stderr_text());
    assert!(
        o.stdout_text().contains("format_name=wav"),
        "{}",
        o.stdout_text()
    );
    assert!(o.stderr_text().contains("Input #0, wav, from '/a.wav'"));
    assert_eq!(*out.lock().unwrap(), o.stdout);
    assert_eq!(*err.lock().unwrap(), o.stderr);
}

// ---------------------------------------------------------------- concurrency

#[test]
fn eight_threads_on_one_runtime_separate_filesystems() {
    let _g = shared();
    let rt = runtime();
    let barrier = Barrier::new(8);
    // What each guest itself reported, in the order it happened: its first
    // write to stderr (the guest is running) and FFmpeg's closing statistics
    // line (the guest has finished its work). Events from inside the jobs,
    // not times taken around `rt.run`: jobs run one after another behind a
    // lock would still start their threads together.
    let events: Arc<Mutex<Vec<(u32, &'static str)>>> = Arc::default();
    std::thread::scope(|s| {
        for i in 0..8u32 {
            let rt = rt.clone();
            let barrier = &barrier;
            let events = events.clone();
            s.spawn(move || {
                let fs = Filesystem::new();
                let (w, h) = (64 + 16 * i, 48 + 8 * i);
                let src = format!("testsrc=duration=1:size={w}x{h}:rate=10");
                let started = std::sync::atomic::AtomicBool::new(false);
                let sink_events = events.clone();
                let opts = RunOptions::new().stderr_sink(move |chunk: &[u8]| {
                    let mut ev = sink_events.lock().unwrap();
                    if !started.swap(true, std::sync::atomic::Ordering::SeqCst) {
                        ev.push((i, "start"));
                    }
                    if chunk.windows(16).any(|w| w == b"muxing overhead:") {
                        ev.push((i, "end"));
                    }
                });
                barrier.wait();
                let out = rt
                    .run_with(
                        &fs,
                        &[
                            "-hide_banner",
                            "-f",
                            "lavfi",
                            "-i",
                            &src,
                            "-c:v",
                            "libx264",
                            "-preset",
                            "ultrafast",
                            "/out.mp4",
                        ],
                        &opts,
                    )
                    .unwrap();
                assert!(out.success(), "job {i}: {}", out.stderr_text());
                let info = rt.probe(&fs, "/out.mp4").unwrap();
                let v = info.video_streams().next().unwrap();
                assert_eq!((v.width, v.height), (Some(w), Some(h)), "job {i}");
                assert_eq!(v.nb_frames, Some(10), "job {i}");
            });
        }
    });
    let events = events.lock().unwrap().clone();
    eprintln!("guest events in order: {events:?}");
    for i in 0..8 {
        for what in ["start", "end"] {
            let n = events.iter().filter(|e| **e == (i, what)).count();
            assert_eq!(n, 1, "job {i}: {n} `{what}` events in {events:?}");
        }
    }
    // Guests ran at the same time: behind a global lock the events would
    // alternate start, end, start, end (never two running at once). How
    // many overlap beyond two depends on the OS scheduler of a 2-core
    // machine, so only "more than one at once" is asserted.
    let mut running = 0usize;
    let mut most = 0usize;
    for (_, what) in &events {
        if *what == "start" {
            running += 1;
        } else {
            running -= 1;
        }
        most = most.max(running);
    }
    assert!(most >= 2, "the jobs did not overlap: {events:?}");
}

#[test]
fn eight_threads_on_one_shared_filesystem_with_a_shared_input() {
    let _g = shared();
    let rt = runtime();
    // The input is generated once, then handed to the shared tree as shared
    // bytes: every job reads the same allocation.
    let gen = Filesystem::new();
    make_clip(&rt, &gen, "/in.mp4", 1, "160x120", 10);
    let bytes: Arc<Vec<u8>> = Arc::new(gen.read("/in.mp4").unwrap());
    let fs = Filesystem::new();
    fs.write_shared("/in.mp4", bytes.clone()).unwrap();

    let barrier = Barrier::new(8);
    std::thread::scope(|s| {
        for i in 0..8u32 {
            let (rt, fs, barrier) = (rt.clone(), fs.clone(), &barrier);
            s.spawn(move || {
                let w = 32 + 16 * i;
                let vf = format!("scale={w}:-2");
                let out = format!("/out{i}.mkv");
                barrier.wait();
                let o = rt
                    .run(
                        &fs,
                        &[
                            "-hide_banner",
                            "-i",
                            "/in.mp4",
                            "-vf",
                            &vf,
                            "-c:v",
                            "libx264",
                            "-preset",
                            "ultrafast",
                            "-c:a",
                            "copy",
                            &out,
                        ],
                    )
                    .unwrap();
                assert!(o.success(), "job {i}: {}", o.stderr_text());
            });
        }
    });
    for i in 0..8u32 {
        let info = probe(&rt, &fs, &format!("/out{i}.mkv"));
        let v = info.video_streams().next().unwrap();
        assert_eq!(v.width, Some(32 + 16 * i));
        assert_eq!(
            info.audio_streams().next().unwrap().codec_name.as_deref(),
            Some("aac")
        );
        assert_eq!(count_video_frames(&rt, &fs, &format!("/out{i}.mkv")), 10);
    }
    assert_eq!(
        fs.read("/in.mp4").unwrap(),
        *bytes,
        "the shared input changed"
    );
    assert_eq!(fs.read_dir("/").unwrap().len(), 9);
}

// ---------------------------------------------------------------- batch

/// A batch job that writes half a second of 64x48 testsrc to `out`.
fn testsrc_job(fs: &Filesystem, out: &str) -> Job {
    Job::ffmpeg(
        fs,
        words(&format!(
            "-hide_banner -f lavfi -i testsrc=duration=0.5:size=64x48 {out}"
        )),
    )
}

#[test]
fn batch_results_in_order_with_failing_and_limited_jobs() {
    let (_g, rt, fs) = shared_job();
    let ok = |i: usize| testsrc_job(&fs, &format!("/b{i}.mp4"));
    let jobs = vec![
        ok(0),
        // FFmpeg says no: an Output with a non-zero exit.
        Job::ffmpeg(
            &fs,
            words("-hide_banner -f lavfi -i testsrc=duration=0.5 -c:v nope /b1.mp4"),
        ),
        ok(2),
        // A runtime failure: out of fuel (an hour of video: far more than
        // the budget on either tier).
        Job::ffmpeg(
            &fs,
            words("-hide_banner -f lavfi -i testsrc=duration=3600:size=64x48 -f null -"),
        )
        .with_options(RunOptions::new().limits(Limits {
            fuel: Some(1_000_000),
            ..Limits::default()
        })),
        ok(4),
    ];
    let results = rt.run_batch(jobs, 3);
    assert_eq!(results.len(), 5);
    for i in [0, 2, 4] {
        let o = results[i]
            .as_ref()
            .unwrap_or_else(|e| panic!("job {i}: {e}"));
        assert!(o.success(), "job {i}: {}", o.stderr_text());
        assert_eq!(
            probe(&rt, &fs, &format!("/b{i}.mp4"))
                .video_streams()
                .next()
                .unwrap()
                .width,
            Some(64)
        );
    }
    let failed = results[1].as_ref().map_err(|e| e.output());
    let failed = match failed {
        Err(Some(o)) => o,
        other => panic!("job 1: expected Error::Ffmpeg with its output, got {other:?}"),
    };
    assert_eq!(failed.exit_code, 1);
    assert!(contains_ci(&failed.stderr, "Unknown encoder"));
    assert!(
        matches!(
            results[3],
            Err(Error::Limit {
                limit: LimitKind::Fuel(1_000_000),
                ..
            })
        ),
        "job 3: {:?}",
        results[3]
    );
}

/// Runs the test `name` of this binary in a child process (with
/// `AFMPEG_TEST_CHILD` set) and fails with its output if the child fails —
/// including when it aborts, which would otherwise take every other test of
/// the binary down with it. Returns `false` in the child, which then runs
/// the test body itself.
fn in_child_process(name: &str) -> bool {
    if std::env::var_os("AFMPEG_TEST_CHILD").is_some() {
        return false;
    }
    // The child's guest jobs count as this test's: hold the guard for them.
    let _g = shared();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads", "1"])
        .env("AFMPEG_TEST_CHILD", "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} failed in its child process ({}):\n{stdout}\n{stderr}",
        out.status
    );
    true
}

#[test]
fn batch_contains_a_panicking_job() {
    // A panic inside a running guest (here: in the progress callback, which
    // the WASI layer calls from the guest's write) must become this job's
    // `Error::Panic`. Run in a child process: if the panic is not contained
    // the process aborts.
    if in_child_process("batch_contains_a_panicking_job") {
        return;
    }
    let (_g, rt, fs) = shared_job();
    // A job panics when its progress callback — called by the WASI layer
    // from inside the running guest — panics.
    let boom = RunOptions::new().progress(|_: &Progress| panic!("progress callback exploded"));
    let job = |i: usize| testsrc_job(&fs, &format!("/p{i}.mp4"));
    let jobs = vec![job(0), job(1).with_options(boom), job(2), job(3)];
    let results = rt.run_batch(jobs, 2);
    assert_eq!(results.len(), 4);
    match &results[1] {
        Err(Error::Panic(msg)) => assert!(msg.contains("progress callback exploded"), "{msg}"),
        other => panic!("job 1: expected Error::Panic, got {other:?}"),
    }
    for i in [0, 2, 3] {
        assert!(
            results[i]
                .as_ref()
                .unwrap_or_else(|e| panic!("job {i}: {e}"))
                .success(),
            "job {i}"
        );
        assert_eq!(count_video_frames(&rt, &fs, &format!("/p{i}.mp4")), 13);
    }
    // The runtime is still fine.
    next_job_succeeds(&rt, &fs);
}

#[test]
fn batch_contains_a_panicking_done_callback() {
    let (_g, rt, fs) = shared_job();
    let jobs: Vec<Job> = (0..4)
        .map(|i| {
            Job::ffmpeg(
                &fs,
                words(&format!(
                    "-hide_banner -f lavfi -i testsrc=duration=0.2:size=32x32 /d{i}.mp4"
                )),
            )
        })
        .collect();
    let called = Mutex::new(Vec::new());
    let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.run_batch_with(jobs, 2, |i, _| {
            called.lock().unwrap().push(i);
            if i == 2 {
                panic!("done callback exploded for job 2");
            }
        })
    }))
    .unwrap_or_else(|_| {
        panic!("a panic in run_batch_with's callback for one job escaped run_batch_with")
    });
    assert_eq!(results.len(), 4);
    assert!(
        matches!(&results[2], Err(Error::Panic(m)) if m.contains("done callback exploded")),
        "{:?}",
        results[2]
    );
    for i in [0, 1, 3] {
        assert!(results[i].as_ref().unwrap().success(), "job {i}");
        assert!(fs.exists(&format!("/d{i}.mp4")));
    }
}

// ---------------------------------------------------------------- cancellation

#[test]
fn cancel_stops_a_long_job_and_leaves_inputs_intact() {
    let (_g, rt, fs) = shared_job();
    // An input file, to check it survives: 60 s of audio, muxed alongside.
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i sine=frequency=330:duration=60 /in.wav"),
    );
    let input = fs.read("/in.wav").unwrap();
    let token = CancelToken::new();
    // The progress reports say how far the job got: it is cancelled from
    // its first report with output written (`-flush_packets 1` makes the
    // muxer write each packet through at once), and the last report seen
    // must be far short of the 1500 frames. How fast a cancellation lands
    // is a figure, not an assertion: `make bench-latency` prints it.
    let mut opts = RunOptions::new().cancel(token.clone());
    let rx = opts.progress_channel();
    let job = {
        let (rt, fs) = (rt.clone(), fs.clone());
        std::thread::spawn(move || {
            rt.run_with(
                &fs,
                &words("-hide_banner -f lavfi -i testsrc2=size=1280x720:rate=25:duration=60 -i /in.wav -c:v libx264 -preset ultrafast -c:a pcm_s16le -flush_packets 1 /out.mkv"),
                &opts,
            )
        })
    };
    let mut last = None;
    for p in rx.iter() {
        let written = fs.metadata("/out.mkv").map(|m| m.len).unwrap_or(0) > 0;
        let frames = p.frame;
        last = Some(p);
        if written && frames.is_some_and(|f| f > 0) {
            break;
        }
    }
    let at_cancel = last.expect("no progress report before the job ended");
    assert!(
        !at_cancel.done,
        "the 60 s job finished before it was cancelled: not a long job"
    );
    token.cancel();
    let result = job.join().unwrap();
    match &result {
        Err(Error::Cancelled { .. }) => {}
        other => panic!("expected Err(Cancelled), got {other:?}"),
    }
    // No report after the cancellation says the job got near its end.
    let after: Vec<Progress> = rx.try_iter().collect();
    eprintln!(
        "cancelled at frame {:?}, {} report(s) after",
        at_cancel.frame,
        after.len()
    );
    assert!(
        after
            .iter()
            .all(|p| !p.done && p.frame.is_some_and(|f| f < 1500)),
        "reports after the cancellation: {after:?}"
    );

    // Inputs intact, byte for byte.
    assert_eq!(fs.read("/in.wav").unwrap(), input, "the input changed");
    // The partial output is there and identifiable as unfinished: Matroska
    // writes its Cues, duration and final segment size only at the end, so
    // the file is short of 60 s — probing it gives far less than 60 s (or
    // fails), and it has no Cues element (ID 0x1C53BB6B).
    assert!(fs.exists("/out.mkv"), "no partial output");
    let partial = fs.read("/out.mkv").unwrap();
    eprintln!("partial output: {} bytes", partial.len());
    assert!(!partial.is_empty(), "the partial output is empty");
    assert_eq!(
        &partial[..4],
        &[0x1a, 0x45, 0xdf, 0xa3],
        "not a Matroska file"
    );
    assert!(
        !partial.windows(4).any(|w| w == [0x1c, 0x53, 0xbb, 0x6b]),
        "the partial output has Cues: it was finished"
    );
    match rt.probe(&fs, "/out.mkv") {
        Ok(info) => {
            let d = info.duration().unwrap_or(0.0);
            assert!(d < 10.0, "partial output claims {d} s");
        }
        Err(Error::Probe { .. }) => {}
        Err(e) => panic!("probe of the partial output: {e}"),
    }
    // The same runtime runs the next job.
    next_job_succeeds(&rt, &fs);
}

#[test]
fn a_token_cancelled_before_the_run_stops_it_at_once() {
    let (_g, rt, fs) = shared_job();
    let token = CancelToken::new();
    token.cancel();
    let opts = RunOptions::new().cancel(token);
    let r = rt.run_with(
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=30 /x.mp4"),
        &opts,
    );
    assert!(matches!(r, Err(Error::Cancelled { .. })), "{r:?}");
    // Stopped before the guest did anything: not even the output was created.
    assert!(!fs.exists("/x.mp4"), "the cancelled job created its output");
}

// ---------------------------------------------------------------- read-only and stdin

/// `RunOptions::read_only`: FFmpeg's open of an output on the caller's
/// filesystem fails with EROFS (wasi-libc's text for it in FFmpeg's
/// message), nothing is created, and the same job writing under `/tmp`
/// (the job's own scratch tree) succeeds.
#[test]
fn read_only_filesystem_refuses_writes_with_erofs() {
    let (_g, rt, fs) = shared_job();
    fs.write("/keep.txt", b"host bytes".to_vec()).unwrap();
    let ro = RunOptions::new().read_only(true);
    let job = |out: &str| {
        words(&format!(
            "-hide_banner -f lavfi -i sine=duration=0.1 -c:a pcm_s16le {out}"
        ))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<String>>()
    };
    let o = exited(rt.run_with(&fs, &job("/out.wav"), &ro), Tool::Ffmpeg, 1);
    assert!(
        o.stderr_text().contains("/out.wav: Read-only file system"),
        "{}",
        o.stderr_text()
    );
    assert!(!fs.exists("/out.wav"));
    assert_eq!(fs.read("/keep.txt").unwrap(), b"host bytes");
    let o = rt.run_with(&fs, &job("/tmp/out.wav"), &ro).unwrap();
    assert!(o.success(), "{}", o.stderr_text());
    // Without the option the same write lands.
    let o = rt
        .run_with(&fs, &job("/out.wav"), &RunOptions::default())
        .unwrap();
    assert!(o.success(), "{}", o.stderr_text());
    assert!(fs.exists("/out.wav"));
}

/// `RunOptions::stdin`: a WAV handed over as stdin, read as `pipe:0` and as
/// `-`, is transcoded; the output is probed (sample rate, channels,
/// duration of the 0.5 s input).
#[test]
fn stdin_bytes_are_read_as_pipe_0_and_dash() {
    let (_g, rt, fs) = shared_job();
    ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i sine=frequency=440:sample_rate=22050:duration=0.5 -ac 2 -c:a pcm_s16le /in.wav"),
    );
    let wav: Arc<[u8]> = fs.read("/in.wav").unwrap().into();
    let opts = RunOptions::new().stdin(wav);
    for (input, out) in [("pipe:0", "/a.flac"), ("-", "/b.flac")] {
        let args = [
            "-hide_banner",
            "-f",
            "wav",
            "-i",
            input,
            "-c:a",
            "flac",
            out,
        ];
        let o = rt.run_with(&fs, &args, &opts).unwrap();
        assert!(o.success(), "{input}: {}", o.stderr_text());
        let info = probe(&rt, &fs, out);
        let a = info.audio_streams().next().expect("an audio stream");
        assert_eq!(a.codec_name.as_deref(), Some("flac"), "{input}");
        assert_eq!(
            (a.sample_rate, a.channels),
            (Some(22050), Some(2)),
            "{input}"
        );
        let d = info.duration().unwrap();
        assert!((d - 0.5).abs() < 0.01, "{input}: duration {d}");
    }
    // No stdin given: the input is empty and FFmpeg says so.
    let o = exited(
        rt.run(
            &fs,
            &["-hide_banner", "-f", "wav", "-i", "pipe:0", "/c.flac"],
        ),
        Tool::Ffmpeg,
        1,
    );
    assert!(o.stderr_text().contains("pipe:0: "), "{}", o.stderr_text());
    assert!(!fs.exists("/c.flac"));
}

// ---------------------------------------------------------------- determinism

fn deterministic_job(rt: &Runtime, seed: Option<u64>) -> (Vec<u8>, Vec<u8>) {
    let fs = Filesystem::new();
    let opts = match seed {
        Some(seed) => RunOptions::new().deterministic(seed),
        None => RunOptions::new(),
    };
    // `creation_time=now` reads the clock; Matroska draws random segment and
    // track UIDs: both must come from the seed.
    ffmpeg_ok_with(
        rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=1:size=96x64:rate=10 -f lavfi -i sine=duration=1 -c:v libx264 -preset ultrafast -c:a aac -metadata creation_time=now /out.mp4 -c:v libx264 -preset ultrafast -c:a flac -metadata creation_time=now /out.mkv"),
        &opts,
    );
    (fs.read("/out.mp4").unwrap(), fs.read("/out.mkv").unwrap())
}

#[test]
fn deterministic_mode_gives_byte_identical_outputs() {
    let _g = shared();
    let rt = runtime();
    let (mp4_a, mkv_a) = deterministic_job(&rt, Some(42));
    let (mp4_b, mkv_b) = deterministic_job(&rt, Some(42));
    assert!(mp4_a == mp4_b, "mp4 outputs differ in deterministic mode");
    assert!(mkv_a == mkv_b, "mkv outputs differ in deterministic mode");
    // Not vacuous: without it, the random Matroska UIDs and the clock differ.
    let (mp4_c, mkv_c) = deterministic_job(&rt, None);
    assert!(
        mkv_c != mkv_a,
        "mkv identical without deterministic mode: the check above proves nothing"
    );
    eprintln!(
        "non-deterministic mp4 identical to deterministic one: {}",
        mp4_c == mp4_a
    );
}

// ---------------------------------------------------------------- module loading

#[test]
fn asking_for_the_native_tier_with_another_module_is_a_typed_error() {
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "_start")))"#)
        .unwrap();
    // Any other module runs on the interpreter by default.
    let rt = Runtime::from_bytes(wasm.clone()).unwrap();
    assert_eq!(rt.engine(), afmpeg::Engine::Interpreter);
    let e = Runtime::builder(afmpeg::ModuleSource::Bytes(wasm.into()))
        .engine(afmpeg::Engine::Native)
        .build()
        .unwrap_err();
    let Error::NativeUnavailable { reason, .. } = &e else {
        panic!("expected NativeUnavailable, got {e:?}");
    };
    if afmpeg::Engine::native_built_in() {
        assert!(
            matches!(reason, afmpeg::NativeUnavailable::OtherModule { .. }),
            "{e}"
        );
    } else {
        assert_eq!(*reason, afmpeg::NativeUnavailable::NotBuiltIn, "{e}");
    }
}

#[test]
fn not_wasm_is_an_invalid_module() {
    for bytes in [
        &b"this is not a webassembly module at all"[..],
        b"",
        b"\x7fELF\x02\x01\x01\0\0\0",
    ] {
        match Runtime::from_bytes(bytes.to_vec()) {
            Err(Error::InvalidModule { reason, .. }) => {
                eprintln!("{} bytes refused: {reason}", bytes.len())
            }
            other => panic!(
                "{} bytes: expected InvalidModule, got {:?}",
                bytes.len(),
                other.map(|_| ())
            ),
        }
    }
    // The same through a file.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.wasm");
    std::fs::write(&p, b"#!/bin/sh\necho hi\n").unwrap();
    let e = Runtime::from_file(&p).unwrap_err();
    assert!(matches!(e, Error::InvalidModule { .. }), "{e:?}");
    assert!(
        e.to_string().contains("x.wasm"),
        "the error does not name the file: {e}"
    );
    let e = Runtime::from_file(dir.path().join("missing.wasm")).unwrap_err();
    assert!(matches!(e, Error::ModuleIo { .. }), "{e:?}");
}

#[test]
fn simd_module_loads_only_with_the_simd_feature() {
    let wasm = wat::parse_str(
        r#"(module
             (memory (export "memory") 1)
             (func (export "_start") (drop (v128.const i32x4 1 2 3 4))))"#,
    )
    .unwrap();
    let loaded = Runtime::from_bytes(wasm);
    if cfg!(feature = "simd") {
        assert!(loaded.is_ok(), "{:?}", loaded.err());
    } else {
        match loaded {
            Err(Error::InvalidModule { reason, .. }) => assert!(
                reason.contains("SIMD") && reason.contains("`simd` cargo feature"),
                "{reason}"
            ),
            other => panic!("expected InvalidModule, got {:?}", other.map(|_| ())),
        }
    }
}

#[test]
fn unknown_import_is_refused_naming_it() {
    let wasm = wat::parse_str(
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
             (import "env" "foo" (func))
             (memory (export "memory") 1)
             (func (export "_start")))"#,
    )
    .unwrap();
    match Runtime::from_bytes(wasm) {
        Err(e @ Error::UnknownImport { .. }) => {
            let Error::UnknownImport { module, name, .. } = &e else {
                unreachable!()
            };
            assert_eq!((module.as_str(), name.as_str()), ("env", "foo"));
            assert!(e.to_string().contains("env::foo"), "{e}");
        }
        other => panic!("expected UnknownImport, got {:?}", other.map(|_| ())),
    }
    // A preview1 name that does not exist is unknown too.
    let wasm = wat::parse_str(r#"(module (import "wasi_snapshot_preview1" "fd_teleport" (func)))"#)
        .unwrap();
    assert!(
        matches!(Runtime::from_bytes(wasm), Err(Error::UnknownImport { name, .. }) if name == "fd_teleport")
    );
}

#[test]
fn truncated_module_is_an_invalid_module() {
    let _g = shared();
    let path = match ModuleSource::default_location() {
        Ok(ModuleSource::File(p)) => p,
        other => panic!("the FFmpeg guest module is missing: run `make guest` first ({other:?})"),
    };
    let bytes = std::fs::read(&path).unwrap();
    for cut in [7, 100, bytes.len() / 2, bytes.len() - 1] {
        match Runtime::from_bytes(bytes[..cut].to_vec()) {
            Err(Error::InvalidModule { reason, .. }) => eprintln!("cut at {cut}: {reason}"),
            other => panic!(
                "module cut at {cut} of {}: expected InvalidModule, got {:?}",
                bytes.len(),
                other.map(|_| ())
            ),
        }
    }
    // The whole module loads.
    Runtime::from_bytes(bytes).expect("the full module loads");
}

/// Every job reports how large the guest's linear memory grew: whole
/// WebAssembly pages, at least the lean module's initial 32 MiB
/// (`--initial-memory=33554432` in guest/build.sh), and more for a job that
/// needs more (a 1920x1080 RGB frame buffer pool on top of x264's).
#[test]
fn output_reports_guest_memory() {
    let _g = shared();
    let rt = runtime();
    let fs = Filesystem::new();
    let small = ffmpeg_ok(&rt, &fs, &["-version"]);
    assert_eq!(small.guest_memory % 65536, 0, "{}", small.guest_memory);
    assert!(small.guest_memory >= 32 << 20, "{}", small.guest_memory);
    let big = ffmpeg_ok(
        &rt,
        &fs,
        &words("-hide_banner -f lavfi -i testsrc=duration=0.2:size=1920x1080:rate=10 -c:v libx264 -preset ultrafast /big.mp4"),
    );
    assert_eq!(big.guest_memory % 65536, 0, "{}", big.guest_memory);
    assert!(
        big.guest_memory > small.guest_memory,
        "{} vs {}",
        big.guest_memory,
        small.guest_memory
    );
}
