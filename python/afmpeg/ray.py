"""afmpeg on a Ray cluster (the ``afmpeg[ray]`` extra).

A job is an FFmpeg argv, the files it reads (bytes, or references to Ray's
object store) and the files it writes. :func:`run_jobs` runs jobs as Ray
tasks; :func:`chunked_transcode` spreads one long encode over the cluster.

How work and data move (docs/explanation/python-and-ray.md):

- Each worker process loads the FFmpeg module once (:func:`worker_runtime`)
  and reuses it for every job it runs.
- Inputs go through the object store: each distinct input is put once, and
  a node fetches it once however many of its jobs read it. Put as a NumPy
  array (:func:`put`), a worker reads it from shared memory and the job's
  in-memory file *is* that memory: no copy on the worker.
- Outputs come back as bytes in a :class:`JobResult`; an output can feed a
  later job directly (:class:`OutputOf`) without passing through the driver.
- Failures are results (``JobResult.error``, a typed :mod:`afmpeg.errors`
  exception or Ray's own error), limits are the job's, ``ray.cancel`` stops
  a running job, and a job whose worker dies is retried by Ray.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import ray
from ray.util.queue import Queue
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from ._afmpeg import Filesystem, Runtime
from .errors import AfmpegError, FfmpegError
from .types import Limits, Progress

try:  # An input put as a NumPy array is read from shared memory, not copied.
    import numpy as _np
except ImportError:  # pragma: no cover - numpy is part of the extra
    _np = None  # type: ignore[assignment]


@dataclass(frozen=True)
class OutputOf:
    """An input that is the output ``path`` of an earlier job, whose
    :class:`JobResult` ``result`` resolves to: it moves from that job's
    worker to this job's through the object store, never via the driver."""

    result: ray.ObjectRef
    path: str


#: What a job can read: bytes-like data, an object-store reference to
#: bytes-like data (see :func:`put`), or another job's output.
Input = Union[bytes, bytearray, memoryview, "ray.ObjectRef", OutputOf]


@dataclass
class Job:
    """One FFmpeg job: ``argv`` (``"ffprobe"`` first for ffprobe), the
    in-memory files it reads, the ones it writes (returned as bytes)."""

    argv: Sequence[str]
    inputs: Mapping[str, Input] = field(default_factory=dict)
    outputs: Sequence[str] = ()
    limits: Limits | None = None
    #: A name for results and progress; default: the job's index.
    name: str | None = None


@dataclass
class JobResult:
    """What one job gave: its outputs, or why it failed."""

    name: str
    #: Every expected output, by in-memory path (empty when it failed).
    outputs: dict[str, bytes]
    exit_code: int | None
    stderr: bytes
    #: None on success; a typed afmpeg exception (LimitError, FfmpegError,
    #: ...) or Ray's error (a worker that died more often than retried, a
    #: cancellation) otherwise.
    error: BaseException | None
    #: Where the successful attempt ran: Ray node id and worker process id.
    node_id: str = ""
    pid: int = 0
    #: How many times that worker process had loaded the module (1: reused).
    runtime_loads: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.exit_code == 0


@dataclass(frozen=True)
class JobProgress:
    """A progress report of a running job, as the driver receives it."""

    name: str
    node_id: str
    pid: int
    progress: Progress


def put(data: bytes | bytearray | memoryview) -> ray.ObjectRef:
    """Puts input bytes into the object store, once for any number of jobs,
    as a NumPy array so that workers read it without a copy."""
    if _np is not None:
        return ray.put(_np.frombuffer(data, dtype=_np.uint8))
    return ray.put(bytes(data))


def worker_runtime(module: str | None = None) -> Runtime:
    """This worker process's Runtime for ``module`` (None: the installed
    module), loaded on first use and reused by every later job."""
    from . import _worker  # by name, so the state is the process's own

    return _worker.runtime(module)


def _runtime_loads() -> int:
    from . import _worker

    return _worker.loads


def _error_result(name: str, error: BaseException) -> JobResult:
    return JobResult(name=name, outputs={}, exit_code=None, stderr=b"", error=error)


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0]


@ray.remote(max_retries=3)
def _run_job(spec: dict[str, Any], queue: Queue | None, *values: Any) -> JobResult:
    name = spec["name"]
    node_id, pid = ray.get_runtime_context().get_node_id(), os.getpid()
    rt = worker_runtime(spec["module"])
    fs = Filesystem()
    for (path, output_of), value in zip(spec["inputs"], values):
        if output_of is not None:
            if not value.ok or output_of not in value.outputs:
                cause = value.error or FfmpegError(f"job {value.name} did not write {output_of}")
                return _error_result(name, AfmpegError(f"input {path}: {cause}", cause=cause))
            value = value.outputs[output_of]
        fs.write(path, value)
    for path in spec["outputs"]:
        parent = _parent(path)
        if parent:
            fs.mkdir(parent)

    def report(p: Progress) -> None:
        assert queue is not None
        queue.put_nowait(JobProgress(name=name, node_id=node_id, pid=pid, progress=p))

    try:
        run = rt.run(
            spec["argv"],
            fs,
            limits=spec["limits"],
            progress=report if queue is not None else None,
        )
    except AfmpegError as e:
        return dataclasses.replace(_error_result(name, e), node_id=node_id, pid=pid)
    outputs, error = {}, None
    if run.exit_code == 0:
        missing = [p for p in spec["outputs"] if not fs.exists(p)]
        if missing:
            error = FfmpegError(f"no output written to {', '.join(missing)}", exit_code=0)
        else:
            outputs = {p: fs.read(p) for p in spec["outputs"]}
    else:
        error = FfmpegError(
            f"ffmpeg failed (exit code {run.exit_code})",
            exit_code=run.exit_code,
            stderr_tail=run.stderr_text[-4096:],
        )
    return JobResult(
        name=name,
        outputs=outputs,
        exit_code=run.exit_code,
        stderr=run.stderr,
        error=error,
        runtime_loads=_runtime_loads(),
        node_id=node_id,
        pid=pid,
    )


def submit(
    jobs: Sequence[Job],
    *,
    module: str | None = None,
    progress_queue: Queue | None = None,
    max_retries: int = 3,
    spread: bool = False,
    ray_options: Mapping[str, Any] | None = None,
) -> list[ray.ObjectRef]:
    """Starts ``jobs`` as Ray tasks; returns one reference per job, to a
    :class:`JobResult` (``ray.cancel`` one to stop its job). Each distinct
    bytes input is put into the object store once, whatever the number of
    jobs reading it. ``spread`` asks Ray to place the jobs on as many nodes
    as it can; ``ray_options`` go to the tasks' ``.options()`` as they are
    (``num_cpus``, ``scheduling_strategy``, ...)."""
    puts: dict[int, ray.ObjectRef] = {}
    refs = []
    for i, job in enumerate(jobs):
        names: list[tuple[str, str | None]] = []
        values: list[Any] = []
        for path, value in job.inputs.items():
            if isinstance(value, OutputOf):
                names.append((path, value.path))
                values.append(value.result)
                continue
            if not isinstance(value, ray.ObjectRef):
                ref = puts.get(id(value))
                if ref is None:
                    ref = puts[id(value)] = put(value)
                value = ref
            names.append((path, None))
            values.append(value)
        spec = {
            "name": job.name if job.name is not None else str(i),
            "argv": list(job.argv),
            "inputs": names,
            "outputs": list(job.outputs),
            "limits": job.limits,
            "module": module,
        }
        options: dict[str, Any] = {"max_retries": max_retries}
        if spread:
            options["scheduling_strategy"] = "SPREAD"
        options.update(ray_options or {})
        refs.append(_run_job.options(**options).remote(spec, progress_queue, *values))
    return refs


def gather(
    refs: Sequence[ray.ObjectRef],
    names: Sequence[str] | None = None,
    *,
    progress: Callable[[JobProgress], object] | None = None,
    progress_queue: Queue | None = None,
) -> list[JobResult]:
    """Waits for the jobs of :func:`submit`, passing their progress reports
    to ``progress`` meanwhile; one :class:`JobResult` per job, in order. A
    job Ray could not finish (its worker died more often than retried, it
    was cancelled) is a result with Ray's error."""
    pending = list(refs)
    while pending:
        _, pending = ray.wait(pending, num_returns=len(pending), timeout=0.1)
        _drain(progress_queue, progress)
    _drain(progress_queue, progress)
    results = []
    for i, ref in enumerate(refs):
        name = names[i] if names is not None else str(i)
        try:
            results.append(ray.get(ref))
        except ray.exceptions.RayError as e:
            results.append(_error_result(name, e))
    return results


def _drain(queue: Queue | None, progress: Callable[[JobProgress], object] | None) -> None:
    if queue is None or progress is None:
        return
    while not queue.empty():
        for event in queue.get_nowait_batch(queue.qsize()):
            progress(event)


def run_jobs(
    jobs: Sequence[Job],
    *,
    module: str | None = None,
    progress: Callable[[JobProgress], object] | None = None,
    max_retries: int = 3,
    spread: bool = False,
    ray_options: Mapping[str, Any] | None = None,
) -> list[JobResult]:
    """Runs ``jobs`` on the cluster (see :func:`submit`) and returns their
    results in order; ``progress`` gets every job's reports, live."""
    queue = Queue(actor_options={"num_cpus": 0}) if progress is not None else None
    try:
        refs = submit(
            jobs,
            module=module,
            progress_queue=queue,
            max_retries=max_retries,
            spread=spread,
            ray_options=ray_options,
        )
        names = [j.name if j.name is not None else str(i) for i, j in enumerate(jobs)]
        return gather(refs, names, progress=progress, progress_queue=queue)
    finally:
        if queue is not None:
            queue.shutdown()


@ray.remote(max_retries=3)
def _plan(module: str | None, input_path: str, output: str, options: dict[str, Any], data: Any) -> dict[str, Any]:
    fs = Filesystem()
    fs.write(input_path, data)
    return worker_runtime(module).chunk_plan(fs, input_path, output, **options)


@dataclass
class ChunkedResult:
    """The joined output of :func:`chunked_transcode`, and how it was made."""

    data: bytes
    #: Video frames of the input, and so of the output.
    frames: int
    #: The planned ranges: ``first_frame``, ``frames``, ``start`` (seconds).
    chunks: list[dict[str, Any]]
    #: The results of the audio job (if any), the pieces, and the join.
    jobs: list[JobResult]


def chunked_transcode(
    data: bytes | bytearray | memoryview | ray.ObjectRef,
    output: str,
    *,
    chunks: int,
    input_name: str = "/input",
    video_args: Sequence[str] = (),
    audio_args: Sequence[str] = (),
    no_audio: bool = False,
    module: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[JobProgress], object] | None = None,
) -> ChunkedResult:
    """Transcodes one long video across the cluster with afmpeg's own chunk
    logic (``ChunkedTranscode``): a worker probes the input's keyframes and
    plans at most ``chunks`` ranges; every range is encoded as its own job,
    the jobs dealt round-robin to the nodes; the audio once; then one job
    joins the pieces in stream copy. ``output``'s extension chooses the container. Raises the
    typed error of the first job that failed."""
    source = data if isinstance(data, ray.ObjectRef) else put(data)
    options = {
        "chunks": chunks,
        "video_args": list(video_args),
        "audio_args": list(audio_args),
        "no_audio": no_audio,
        "limits": limits,
    }
    plan = ray.get(_plan.remote(module, input_name, output, options, source))
    encodes = ([plan["audio"]] if plan["audio"] else []) + plan["pieces"]
    jobs = [
        Job(argv=j["args"], inputs={plan["input"]: source}, outputs=[j["output"]],
            limits=limits, name=j["output"])
        for j in encodes
    ]
    queue = Queue(actor_options={"num_cpus": 0}) if progress is not None else None
    try:
        # Round-robin over the nodes, softly (a node that dies hands its
        # pieces to the others): Ray's SPREAD is a preference, and under
        # load it may leave a node out.
        nodes = [n["NodeID"] for n in ray.nodes() if n["Alive"] and n["Resources"].get("CPU")]
        refs = [
            ref
            for i, job in enumerate(jobs)
            for ref in submit(
                [job],
                module=module,
                progress_queue=queue,
                ray_options={
                    "scheduling_strategy": NodeAffinitySchedulingStrategy(
                        nodes[i % len(nodes)], soft=True
                    )
                },
            )
        ]
        list_path, list_text = plan["join_list"]
        join_inputs: dict[str, Input] = {list_path: list_text.encode()}
        for job, ref in zip(jobs, refs):
            join_inputs[job.outputs[0]] = OutputOf(ref, job.outputs[0])
        join = Job(argv=plan["join"]["args"], inputs=join_inputs,
                   outputs=[plan["join"]["output"]], limits=limits, name=output)
        refs += submit([join], module=module, progress_queue=queue)
        results = gather(refs, [str(j.name) for j in jobs] + [output],
                         progress=progress, progress_queue=queue)
    finally:
        if queue is not None:
            queue.shutdown()
    for r in results:
        if not r.ok:
            raise r.error if r.error is not None else FfmpegError(f"job {r.name} failed")
    return ChunkedResult(
        data=results[-1].outputs[output],
        frames=plan["frames"],
        chunks=plan["chunks"],
        jobs=results,
    )


@contextlib.contextmanager
def local_cluster(
    nodes: int = 2, *, num_cpus: int = 1, object_store_mb: int = 100
) -> Iterator[Any]:
    """A Ray cluster of ``nodes`` nodes on this machine, every process bound
    to 127.0.0.1 only, the driver connected to it; shut down on exit. For
    tests, benchmarks and trying afmpeg.ray out without a real cluster.
    Yields the ``ray.cluster_utils.Cluster``."""
    from ray._private import ray_constants
    from ray.cluster_utils import Cluster

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Ray replaces 127.0.0.1 in an address with the machine's outward IP,
    # where nodes bound to 127.0.0.1 do not listen, unless its "cluster"
    # switch is off: that switch, whatever its name says, on any platform
    # (read at import by this process, from the environment by children).
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False
    node: dict[str, Any] = {
        "num_cpus": num_cpus,
        "object_store_memory": object_store_mb << 20,
        "node_ip_address": "127.0.0.1",
    }
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            cluster.add_node(**node)
        ray.init(address=cluster.address, _node_ip_address="127.0.0.1", log_to_driver=False)
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


__all__ = [
    "ChunkedResult",
    "Input",
    "Job",
    "JobProgress",
    "JobResult",
    "OutputOf",
    "chunked_transcode",
    "gather",
    "local_cluster",
    "put",
    "run_jobs",
    "submit",
    "worker_runtime",
]
