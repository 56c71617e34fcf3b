"""The Runtime each Ray worker process loads once and reuses.

Kept apart from ``afmpeg.ray``: Ray pickles remote functions together with
the globals they use, so state kept beside them would be a fresh copy in
every task; a function of this module is imported by name in the worker,
and its state lives as long as the worker process.
"""

from __future__ import annotations

from ._afmpeg import Runtime

_runtimes: dict[str | None, Runtime] = {}
loads = 0


def runtime(module: str | None = None) -> Runtime:
    """This process's Runtime for ``module`` (None: the installed module),
    loaded on first use and reused by every later job."""
    global loads
    rt = _runtimes.get(module)
    if rt is None:
        rt = _runtimes[module] = Runtime(module, lazy=True)
        loads += 1
    return rt
