"""The Python API over the real FFmpeg module: files in memory, jobs,
probes, task helpers, typed errors, cancellation, and the GIL released
while a job runs."""

from __future__ import annotations

import pickle
import threading

import pytest

import afmpeg
from conftest import make_clip


def test_filesystem_round_trip_and_errors() -> None:
    fs = afmpeg.Filesystem()
    fs.write("/in/a.bin", b"hello")
    fs.write("/in/b.bin", memoryview(bytearray(b"xyz")))
    assert fs.read("/in/a.bin") == b"hello"
    assert fs.read("/in/b.bin") == b"xyz"
    assert fs.list("/") == ["in/"]
    assert fs.list("/in") == ["a.bin", "b.bin"]
    assert fs.size("/in/a.bin") == 5
    fs.remove("/in/a.bin")
    assert not fs.exists("/in/a.bin")
    with pytest.raises(afmpeg.FsError) as e:
        fs.read("/in/a.bin")
    assert e.value.errno == "noent"
    with pytest.raises(afmpeg.FsError) as e:
        fs.read("/in")
    assert e.value.errno == "isdir"
    fs.remove("/in")
    assert fs.list("/") == []


def test_writable_buffers_are_copied_read_only_ones_shared() -> None:
    fs = afmpeg.Filesystem()
    data = bytearray(b"before")
    fs.write("/w", data)
    data[:] = b"AFTER!"
    # A writable buffer was copied: later changes do not reach the file.
    assert fs.read("/w") == b"before"
    # A read-only buffer is shared: the file is its bytes, without a copy
    # of private data in the tree.
    big = bytes(1 << 20)
    fs.write("/shared", memoryview(big))
    assert fs.size("/shared") == 1 << 20
    assert "6 private bytes" in repr(fs)


def test_run_probe_and_progress(rt: afmpeg.Runtime) -> None:
    fs = afmpeg.Filesystem()
    reports: list[afmpeg.Progress] = []
    out = rt.run(
        ["ffmpeg", "-f", "lavfi", "-i", "testsrc=d=2:r=25:s=160x120", "-c:v", "libx264",
         "-preset", "ultrafast", "/clip.mp4"],
        fs,
        progress=reports.append,
    )
    assert out.exit_code == 0 and out.success, out.stderr_text
    assert reports and reports[-1].done and reports[-1].frame == 50
    info = rt.probe(fs, "/clip.mp4")
    assert info.format.duration == pytest.approx(2.0)
    assert [s.kind for s in info.streams] == ["video"]
    v = info.video_streams[0]
    assert (v.codec_name, v.width, v.height, v.nb_frames) == ("h264", 160, 120, 50)
    assert str(v.frame_rate) == "25"
    d = info.to_dict()
    assert d["streams"][0]["frame_rate"] == "25/1"
    assert d["format"]["format_name"] == "mov,mp4,m4a,3gp,3g2,mj2"
    # A non-zero exit is an outcome, not an exception.
    bad = rt.run(["-i", "/missing.mp4", "/x.mp4"], fs)
    assert bad.exit_code == 1 and "No such file" in bad.stderr_text
    probe = rt.run(["ffprobe", "-v", "error", "-show_entries", "format=nb_streams",
                    "-of", "csv=p=0", "/clip.mp4"], fs)
    assert probe.stdout == b"1\n"


def test_task_helpers(rt: afmpeg.Runtime) -> None:
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/in.mp4", seconds=2.0)
    t = rt.transcode(fs, "/in.mp4", "/small.mp4", width=80, crf=35, preset="ultrafast")
    assert t == afmpeg.Produced("/small.mp4", fs.size("/small.mp4"))
    small = rt.probe(fs, "/small.mp4")
    assert (small.video_streams[0].width, small.video_streams[0].height) == (80, 60)
    assert len(small.audio_streams) == 1

    c = rt.clip(fs, "/in.mp4", "/cut.mp4", 0.4, duration=1.0, accurate=True, preset="ultrafast")
    assert rt.probe(fs, c.path).video_streams[0].nb_frames == 25

    stills = rt.frames(fs, "/in.mp4", "/stills", at=[0.0, 1.0], format="jpeg")
    assert stills == ["/stills/frame_0001.jpg", "/stills/frame_0002.jpg"]
    assert fs.read(stills[0])[:2] == b"\xff\xd8"

    j = rt.concat(fs, ["/in.mp4", "/in.mp4"], "/twice.mp4", copy=True)
    assert rt.probe(fs, j.path).video_streams[0].nb_frames == 100

    h = rt.hls(fs, "/in.mp4", "/hls/index.m3u8", segment_duration=1.0, copy=True)
    assert h.playlist == "/hls/index.m3u8" and len(h.segments) >= 1
    assert all(fs.exists(s) for s in h.segments)

    plan = rt.chunk_plan(fs, "/in.mp4", "/chunked.mp4", chunks=2,
                         video_args=["-preset", "ultrafast"])
    assert plan["frames"] == 50 and plan["audio"] is not None
    assert sum(c["frames"] for c in plan["chunks"]) == 50
    assert len(plan["pieces"]) == len(plan["chunks"])
    assert not fs.exists(plan["work_dir"])


def test_typed_errors(rt: afmpeg.Runtime) -> None:
    fs = afmpeg.Filesystem()
    with pytest.raises(afmpeg.LimitError) as e:
        rt.run(["-f", "lavfi", "-i", "testsrc=d=60", "-f", "null", "-"], fs,
               limits=afmpeg.Limits(fuel=50_000_000))
    assert (e.value.limit, e.value.value) == ("fuel", 50_000_000)
    assert isinstance(e.value, afmpeg.AfmpegError)
    with pytest.raises(afmpeg.FfmpegError) as f:
        rt.transcode(fs, "/missing.mp4", "/o.mp4")
    assert f.value.exit_code == 1 and "missing.mp4" in (f.value.stderr_tail or "")
    with pytest.raises(afmpeg.ProbeError):
        rt.probe(fs, "/missing.mp4")
    with pytest.raises(afmpeg.CommandError):
        rt.clip(fs, "/a.mp4", "/b.mp4", -1.0)
    with pytest.raises(afmpeg.ChunkError):
        rt.chunk_plan(fs, "/a.mp4", "/noext", chunks=2)
    with pytest.raises(afmpeg.ModuleError):
        afmpeg.Runtime(b"not wasm")
    with pytest.raises(afmpeg.ConfigError):
        rt.run(["-version"], fs, limits=afmpeg.Limits(timeout=-1.0))
    # Exceptions pickle with their details (Ray ships them between processes).
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is afmpeg.LimitError and again.limit == "fuel"
    assert again.stderr_tail == e.value.stderr_tail


def test_cancel_from_another_thread(rt: afmpeg.Runtime) -> None:
    token = afmpeg.CancelToken()
    started = threading.Event()

    def on_progress(p: afmpeg.Progress) -> None:
        started.set()

    def cancel_once_started() -> None:
        started.wait()
        token.cancel()

    canceller = threading.Thread(target=cancel_once_started)
    canceller.start()
    with pytest.raises(afmpeg.CancelledError):
        rt.run(["-f", "lavfi", "-i", "testsrc=d=600", "-f", "null", "-"],
               afmpeg.Filesystem(), progress=on_progress, cancel=token)
    canceller.join()
    assert token.cancelled


def test_progress_callback_exception_is_raised_after_the_job(rt: afmpeg.Runtime) -> None:
    def boom(p: afmpeg.Progress) -> None:
        raise ValueError("from the callback")

    fs = afmpeg.Filesystem()
    with pytest.raises(ValueError, match="from the callback"):
        rt.run(["-f", "lavfi", "-i", "testsrc=d=0.2", "/o.mp4"], fs, progress=boom)
    assert fs.exists("/o.mp4")


def test_two_threads_run_jobs_at_the_same_time(rt: afmpeg.Runtime) -> None:
    """The GIL is released while a job runs: two Python threads' jobs
    overlap. Shown by the jobs' own progress events in one global sequence,
    not by timings: the spans from each job's first report to its final one
    intersect, so each was running while the other reported. (Were the GIL
    held for a whole job, the other thread could not even start its job
    before the first returned.)"""
    events: list[tuple[str, bool]] = []
    lock = threading.Lock()

    def job(name: str) -> None:
        def report(p: afmpeg.Progress) -> None:
            with lock:
                events.append((name, p.done))
        out = rt.run(["-f", "lavfi", "-i", "testsrc=d=4:r=25:s=160x120", "-f", "null", "-"],
                     afmpeg.Filesystem(), progress=report)
        assert out.exit_code == 0

    threads = [threading.Thread(target=job, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seq = [name for name, _ in events]
    assert seq.count("a") >= 2 and seq.count("b") >= 2, seq
    assert [name for name, done in events if done] != [], seq
    first = {n: seq.index(n) for n in "ab"}
    last = {n: len(seq) - 1 - seq[::-1].index(n) for n in "ab"}
    assert first["a"] < last["b"] and first["b"] < last["a"], f"one job ran alone: {seq}"
