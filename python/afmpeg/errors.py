"""The exceptions of afmpeg, one per kind of Rust ``afmpeg::Error``.

Each carries its details as attributes (``stderr_tail``, ``limit``,
``exit_code``, ...). They are plain Python exceptions, so they pickle: a Ray
task's failure reaches the driver with its type and attributes intact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import RunOutput


class AfmpegError(Exception):
    """Base class of every afmpeg error."""

    #: The last lines the guest wrote to stderr, for errors of a running job.
    stderr_tail: str | None = None

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        for name, value in details.items():
            setattr(self, name, value)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ModuleError(AfmpegError):
    """The FFmpeg module could not be found, read, validated or linked."""


class NativeUnavailableError(ModuleError):
    """``engine="native"`` was asked for but the native tier cannot run the
    module: ``reason`` is ``"not_built_in"`` (the wheel was built without
    it) or ``"other_module"`` (it runs only the module it was compiled
    from). Nothing was loaded; ``engine="interpreter"`` runs any module."""

    reason: str = ""


class ConfigError(AfmpegError):
    """An argument or option of the call is invalid; nothing ran."""


class CommandError(AfmpegError):
    """A task helper refused its settings (a negative time, ...); nothing ran."""


class TrapError(AfmpegError):
    """The guest crashed (a WebAssembly trap). ``trap`` says which."""

    trap: str = ""


class LimitError(AfmpegError):
    """A limit of the job was reached.

    ``limit`` names it (``"memory"``, ``"fuel"``, ``"timeout"``,
    ``"bytes_written"``, ``"files_created"``, ``"stdout"``, ``"stderr"``,
    ``"open_files"``) and ``value`` is the limit that was set (seconds for
    the timeout).
    """

    limit: str = ""
    value: float | int | None = None


class CancelledError(AfmpegError):
    """The job was cancelled (a ``CancelToken``, Ctrl-C or ``ray.cancel``)."""


class FfmpegError(AfmpegError):
    """FFmpeg ran but failed (exit code in ``exit_code``), or a task helper
    did not get the output it expected."""

    exit_code: int = 0


class UnusedOptionError(AfmpegError):
    """With ``strict=True``: FFmpeg ran (and exited 0) but ignored an
    option, e.g. ``-crf`` for an output no encoder reads it for. ``option``
    is its name (``"crf"``), ``line`` FFmpeg's warning, ``output`` the
    run's ``RunOutput``; the outputs may exist."""

    option: str = ""
    line: str = ""
    output: RunOutput | None = None


class ProbeError(AfmpegError):
    """ffprobe could not read the file, or its output could not be parsed."""

    path: str | None = None
    exit_code: int | None = None


class ChunkError(AfmpegError):
    """A chunked transcode refused its settings or its input; nothing ran."""


class PanicError(AfmpegError):
    """Code running for the job panicked; the process is unaffected."""


class FsError(AfmpegError):
    """The in-memory filesystem refused an operation. ``errno`` is the WASI
    errno name (``"noent"``, ``"isdir"``, ...) when the tree said no."""

    errno: str | None = None


__all__ = [
    "AfmpegError",
    "CancelledError",
    "ChunkError",
    "CommandError",
    "ConfigError",
    "FfmpegError",
    "FsError",
    "LimitError",
    "ModuleError",
    "NativeUnavailableError",
    "PanicError",
    "ProbeError",
    "TrapError",
    "UnusedOptionError",
]
