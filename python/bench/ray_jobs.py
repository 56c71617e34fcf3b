"""Throughput of afmpeg.ray on this machine (`make bench-ray`).

64 small jobs per mode (a 0.5 s 160x120 H.264/AAC clip scaled down and
re-encoded), all reading one input put once into the object store, on one
2-node cluster (1 CPU per node, 127.0.0.1):

- loop:    a plain Python loop on one Runtime in this process (the baseline),
- 1 node:  afmpeg.ray with every job pinned to the head node, so the jobs run
           one after another: the difference with the loop is the Ray path's
           per-job overhead,
- 2 nodes: afmpeg.ray with the jobs free to run on either node.

The machine is shared, so the modes are interleaved: ROUNDS rounds of
JOBS/ROUNDS jobs in each mode, summed, so a burst of load elsewhere hits all
three alike. Each node first runs one job untimed (its worker loads the
Runtime). Prints figures and the load average; asserts only that jobs succeed.
"""

from __future__ import annotations

import os
import time
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

import afmpeg
import afmpeg.ray as ar

JOBS = 64
ROUNDS = 4


def argv(i: int) -> list[str]:
    return ["-i", "/in.mp4", "-vf", f"scale={32 + 8 * (i % 8)}:-2", "-c:v", "libx264",
            "-preset", "ultrafast", "-c:a", "copy", f"/out{i}.mp4"]


def loop(rt: afmpeg.Runtime, source: bytes, indices: range) -> float:
    start = time.perf_counter()
    for i in indices:
        fs = afmpeg.Filesystem()
        fs.write("/in.mp4", source)
        out = rt.run(argv(i), fs)
        assert out.exit_code == 0, out.stderr_text
        fs.read(f"/out{i}.mp4")
    return time.perf_counter() - start


def on_ray(jobs: list[ar.Job], module: str, **options: Any) -> float:
    start = time.perf_counter()
    results = ar.run_jobs(jobs, module=module, **options)
    took = time.perf_counter() - start
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return took


def main() -> None:
    module = os.environ["AFMPEG_MODULE"]
    rt = afmpeg.Runtime(module, lazy=True)
    fs = afmpeg.Filesystem()
    out = rt.run(["-f", "lavfi", "-i", "testsrc=d=0.5:r=25:s=160x120", "-f", "lavfi",
                  "-i", "sine=d=0.5", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                  "/in.mp4"], fs)
    assert out.exit_code == 0, out.stderr_text
    source = fs.read("/in.mp4")
    rt.run(argv(0), fs)  # this process's Runtime, warm

    totals = {"loop": 0.0, "1 node": 0.0, "2 nodes": 0.0}
    with ar.local_cluster(nodes=2, num_cpus=1, object_store_mb=100):
        head = ray.get_runtime_context().get_node_id()
        pinned = {"ray_options": {"scheduling_strategy": NodeAffinitySchedulingStrategy(head, soft=False)}}
        src = ar.put(source)
        jobs = [ar.Job(argv(i), {"/in.mp4": src}, [f"/out{i}.mp4"]) for i in range(JOBS)]
        on_ray(jobs[:2], module, spread=True)  # warm both workers
        per_round = JOBS // ROUNDS
        for r in range(ROUNDS):
            part = range(r * per_round, (r + 1) * per_round)
            totals["loop"] += loop(rt, source, part)
            totals["1 node"] += on_ray([jobs[i] for i in part], module, **pinned)
            totals["2 nodes"] += on_ray([jobs[i] for i in part], module)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{JOBS} jobs per mode, one {len(source)}-byte input, {os.cpu_count()} cores, "
          f"load average {load}")
    for mode, t in totals.items():
        print(f"{mode:8}: {t:7.2f} s  {JOBS / t:6.2f} jobs/s")
    print(f"2 nodes / 1 node: {totals['1 node'] / totals['2 nodes']:.2f}x jobs/s")
    overhead = (totals["1 node"] - totals["loop"]) / JOBS
    print(f"Ray per-job overhead (1 node vs loop): {overhead * 1000:.0f} ms "
          f"({(totals['1 node'] / totals['loop'] - 1) * 100:+.0f}%)")


if __name__ == "__main__":
    main()
