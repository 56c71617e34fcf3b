"""afmpeg.ray on a real 2-node Ray cluster on 127.0.0.1, started and
stopped here: every output is probed (duration, streams, frame count)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
from ray.cluster_utils import Cluster

import afmpeg
import afmpeg.ray as ar
from conftest import doc_blocks, make_clip, module_path


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """Two nodes of one CPU and a 100 MB object store each, on 127.0.0.1."""
    with ar.local_cluster(nodes=2, num_cpus=1, object_store_mb=100) as c:
        alive = [n for n in ray.nodes() if n["Alive"]]
        assert len(alive) == 2
        assert all(n["NodeManagerAddress"] == "127.0.0.1" for n in alive)
        yield c


@pytest.fixture(scope="module")
def source(rt: afmpeg.Runtime) -> bytes:
    """1 s of 160x120 H.264 at 25 fps (25 frames) with AAC audio."""
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/src.mp4", seconds=1.0)
    return fs.read("/src.mp4")


def probe_bytes(rt: afmpeg.Runtime, data: bytes, name: str = "/o.mp4") -> afmpeg.MediaInfo:
    fs = afmpeg.Filesystem()
    fs.write(name, data)
    return rt.probe(fs, name)


def scale_job(i: int, src: Any, limits: afmpeg.Limits | None = None) -> ar.Job:
    width = 32 + 8 * i
    return ar.Job(
        argv=["-i", "/in/src.mp4", "-vf", f"scale={width}:-2", "-c:v", "libx264",
              "-preset", "ultrafast", "-c:a", "copy", f"/out/{i}.mp4"],
        inputs={"/in/src.mp4": src},
        outputs=[f"/out/{i}.mp4"],
        limits=limits,
        name=f"job{i}",
    )


def test_sixteen_jobs_every_output_probed(cluster: Cluster, rt: afmpeg.Runtime, source: bytes) -> None:
    seen: list[ar.JobProgress] = []
    src = ar.put(source)  # one object for all 16 jobs
    jobs = [scale_job(i, src) for i in range(16)]
    results = ar.run_jobs(jobs, module=module_path(), progress=seen.append)
    assert [r.name for r in results] == [f"job{i}" for i in range(16)]
    for i, r in enumerate(results):
        assert r.ok, (r.name, r.error)
        assert list(r.outputs) == [f"/out/{i}.mp4"]
        info = probe_bytes(rt, r.outputs[f"/out/{i}.mp4"])
        assert [s.kind for s in info.streams] == ["video", "audio"]
        v = info.video_streams[0]
        assert (v.width, v.nb_frames) == (32 + 8 * i, 25)
        assert v.height == (32 + 8 * i) * 3 // 4 // 2 * 2
        assert info.duration == pytest.approx(1.0, abs=0.05)
    # Both nodes worked, and every worker loaded the module once and reused it.
    assert len({r.node_id for r in results}) == 2
    assert [r.runtime_loads for r in results] == [1] * 16
    assert len({r.pid for r in results}) < 16
    # Progress came back from the jobs while they ran, from every job.
    assert {e.name for e in seen} == {f"job{i}" for i in range(16)}
    assert all(any(e.progress.done for e in seen if e.name == f"job{i}") for i in range(16))


def test_killed_worker_is_retried_without_lost_or_duplicated_output(
    cluster: Cluster, rt: afmpeg.Runtime
) -> None:
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/long.mp4", seconds=3.0)
    src = ar.put(fs.read("/long.mp4"))
    jobs = [
        ar.Job(argv=["-i", "/in.mp4", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy",
                     f"/out{i}.mp4"],
               inputs={"/in.mp4": src}, outputs=[f"/out{i}.mp4"], name=f"j{i}")
        for i in range(4)
    ]
    killed: list[int] = []

    def kill_first_report_of_j1(e: ar.JobProgress) -> None:
        if e.name == "j1" and not killed and not e.progress.done:
            os.kill(e.pid, signal.SIGKILL)
            killed.append(e.pid)

    results = ar.run_jobs(jobs, module=module_path(), progress=kill_first_report_of_j1)
    assert len(killed) == 1, "job j1 was never seen running"
    assert [r.name for r in results] == ["j0", "j1", "j2", "j3"]
    for i, r in enumerate(results):
        assert r.ok, (r.name, r.error)
        assert list(r.outputs) == [f"/out{i}.mp4"]
        info = probe_bytes(rt, r.outputs[f"/out{i}.mp4"])
        assert info.video_streams[0].nb_frames == 75
        assert len(info.audio_streams) == 1
    # j1's result is from a retry, on another worker process.
    assert results[1].pid != killed[0]


def test_chunked_encode_across_the_cluster_keeps_every_frame(
    cluster: Cluster, rt: afmpeg.Runtime
) -> None:
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/movie.mp4", seconds=4.0, gop=25)
    src_info = rt.probe(fs, "/movie.mp4")
    frames = src_info.video_streams[0].nb_frames
    assert frames == 100
    out = ar.chunked_transcode(
        fs.read("/movie.mp4"), "/movie-out.mp4", chunks=4, module=module_path(),
        video_args=["-preset", "ultrafast", "-crf", "30"],
    )
    assert out.frames == frames and len(out.chunks) == 4
    assert sum(c["frames"] for c in out.chunks) == frames
    info = probe_bytes(rt, out.data)
    assert info.video_streams[0].nb_frames == frames
    assert [s.kind for s in info.streams] == ["video", "audio"]
    assert info.duration == pytest.approx(src_info.duration, abs=0.05)
    pieces = [r for r in out.jobs if "/video" in r.name]
    assert len(pieces) == 4 and len({r.node_id for r in pieces}) == 2


def test_failures_are_typed_results_and_cancel_stops_a_job(
    cluster: Cluster, source: bytes
) -> None:
    """A limit, a failing FFmpeg, a missing output, and `ray.cancel` of a
    running job: each a result with its typed error."""
    long = ar.Job(argv=["-f", "lavfi", "-i", "testsrc=d=600", "-f", "null", "-"], name="long")
    jobs = [
        scale_job(0, source, limits=afmpeg.Limits(fuel=20_000_000)),
        ar.Job(argv=["-i", "/missing.mp4", "/o.mp4"], outputs=["/o.mp4"], name="bad"),
        ar.Job(argv=["-f", "lavfi", "-i", "testsrc=d=0.1", "-f", "null", "-"],
               outputs=["/never.mp4"], name="nothing"),
    ]
    results = ar.run_jobs(jobs, module=module_path())
    assert isinstance(results[0].error, afmpeg.LimitError)
    assert (results[0].error.limit, results[0].error.value) == ("fuel", 20_000_000)
    assert isinstance(results[1].error, afmpeg.FfmpegError)
    assert results[1].exit_code == 1 and "missing.mp4" in (results[1].error.stderr_tail or "")
    assert isinstance(results[2].error, afmpeg.FfmpegError)
    assert "/never.mp4" in str(results[2].error) and results[2].exit_code == 0

    queue = ar.Queue(actor_options={"num_cpus": 0})
    try:
        (ref,) = ar.submit([long], module=module_path(), progress_queue=queue)
        queue.get(timeout=120)  # the job is running
        ray.cancel(ref)
        (r,) = ar.gather([ref], ["long"])
    finally:
        queue.shutdown()
    assert isinstance(r.error, ray.exceptions.TaskCancelledError), r.error


def test_how_to_examples_run(cluster: Cluster, rt: afmpeg.Runtime, tmp_path: Path) -> None:
    """docs/how-to/ray-folder-of-videos.md's functions, on small files."""
    ns: dict[str, Any] = {}
    for i, block in enumerate(doc_blocks("how-to/ray-folder-of-videos.md")):
        exec(compile(block, f"ray-folder-of-videos.md#{i}", "exec"), ns)
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/a.mp4", seconds=0.4)
    make_clip(rt, fs, "/b.mp4", seconds=2.0, gop=10)
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.mp4").write_bytes(fs.read("/a.mp4"))
    (src / "b.mp4").write_bytes(fs.read("/b.mp4"))
    results = ns["transcode_folder"](src, tmp_path / "out", module_path())
    assert [r.name for r in results] == ["a.mp4", "b.mp4"] and all(r.ok for r in results)
    for name, frames in (("a.mp4", 10), ("b.mp4", 50)):
        v = probe_bytes(rt, (tmp_path / "out" / name).read_bytes()).video_streams[0]
        assert (v.width, v.nb_frames) == (480, frames)
    sizes = ns["renditions"](fs.read("/a.mp4"), [64, 96])
    assert [probe_bytes(rt, sizes[w]).video_streams[0].width for w in (64, 96)] == [64, 96]
    joined = ns["encode_long"](fs.read("/b.mp4"))
    assert probe_bytes(rt, joined).video_streams[0].nb_frames == 50
