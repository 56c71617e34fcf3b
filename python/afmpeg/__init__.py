"""afmpeg: real FFmpeg 5.1, in memory, in a WebAssembly sandbox.

>>> import afmpeg
>>> rt = afmpeg.Runtime()                  # the module installed with afmpeg
>>> fs = afmpeg.Filesystem()
>>> out = rt.run(["-f", "lavfi", "-i", "testsrc=d=1", "/clip.mp4"], fs)
>>> out.success, fs.exists("/clip.mp4")
(True, True)

``afmpeg.ray`` (the ``afmpeg[ray]`` extra) runs jobs across a Ray cluster.
"""

from ._afmpeg import CancelToken, Filesystem, Runtime
from .errors import (
    AfmpegError,
    CancelledError,
    ChunkError,
    CommandError,
    ConfigError,
    FfmpegError,
    FsError,
    LimitError,
    ModuleError,
    PanicError,
    ProbeError,
    TrapError,
)
from .types import (
    Chapter,
    Format,
    HlsOutput,
    Limits,
    MediaInfo,
    Produced,
    Progress,
    RunOutput,
    Stream,
)

__all__ = [
    "AfmpegError",
    "CancelToken",
    "CancelledError",
    "Chapter",
    "ChunkError",
    "CommandError",
    "ConfigError",
    "FfmpegError",
    "Filesystem",
    "Format",
    "FsError",
    "HlsOutput",
    "LimitError",
    "Limits",
    "MediaInfo",
    "ModuleError",
    "PanicError",
    "ProbeError",
    "Produced",
    "Progress",
    "RunOutput",
    "Runtime",
    "Stream",
    "TrapError",
]
