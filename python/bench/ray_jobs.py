"""Throughput of afmpeg.ray on this machine (`make bench-ray`).

64 small jobs (a 0.5 s 160x120 H.264/AAC clip scaled down and re-encoded),
all reading one input put once into the object store:

- a plain Python loop on one Runtime in this process (the baseline),
- afmpeg.ray on a 1-node cluster (1 CPU): the same jobs one after another,
  so the difference with the loop is the Ray path's per-job overhead,
- afmpeg.ray on a 2-node cluster (1 CPU each): the jobs/s ratio 2 nodes /
  1 node.

Each cluster first runs one job per node untimed, so every worker has loaded
its Runtime. Prints figures, asserts nothing: the machine may be shared.
"""

from __future__ import annotations

import os
import time

import afmpeg
import afmpeg.ray as ar

JOBS = 64


def argv(i: int) -> list[str]:
    return ["-i", "/in.mp4", "-vf", f"scale={32 + 8 * (i % 8)}:-2", "-c:v", "libx264",
            "-preset", "ultrafast", "-c:a", "copy", f"/out{i}.mp4"]


def loop(rt: afmpeg.Runtime, source: bytes) -> float:
    start = time.perf_counter()
    for i in range(JOBS):
        fs = afmpeg.Filesystem()
        fs.write("/in.mp4", source)
        out = rt.run(argv(i), fs)
        assert out.exit_code == 0, out.stderr_text
        fs.read(f"/out{i}.mp4")
    return time.perf_counter() - start


def on_cluster(nodes: int, source: bytes, module: str) -> float:
    with ar.local_cluster(nodes=nodes, num_cpus=1, object_store_mb=100):
        src = ar.put(source)
        jobs = [ar.Job(argv(i), {"/in.mp4": src}, [f"/out{i}.mp4"]) for i in range(JOBS)]
        warm = ar.run_jobs(jobs[:nodes], module=module, spread=True)
        assert all(r.ok for r in warm), [r.error for r in warm]
        start = time.perf_counter()
        results = ar.run_jobs(jobs, module=module)
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
    rt.run(argv(0), fs)  # warm this process's Runtime too

    t_loop = loop(rt, source)
    t_one = on_cluster(1, source, module)
    t_two = on_cluster(2, source, module)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{JOBS} jobs, one {len(source)}-byte input, on {os.cpu_count()} cores (load average {load})")
    print(f"plain loop, one Runtime : {t_loop:7.2f} s  {JOBS / t_loop:6.2f} jobs/s")
    print(f"Ray, 1 node (1 CPU)     : {t_one:7.2f} s  {JOBS / t_one:6.2f} jobs/s")
    print(f"Ray, 2 nodes (1 CPU)    : {t_two:7.2f} s  {JOBS / t_two:6.2f} jobs/s")
    print(f"2 nodes / 1 node        : {t_one / t_two:7.2f}x jobs/s")
    print(f"Ray overhead per job    : {(t_one - t_loop) / JOBS * 1000:7.1f} ms "
          f"(1 node vs the loop, {(t_one / t_loop - 1) * 100:.0f}%)")


if __name__ == "__main__":
    main()
