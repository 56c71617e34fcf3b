"""afmpeg: real FFmpeg 5.1, in memory, in a WebAssembly sandbox.

>>> import afmpeg
>>> rt = afmpeg.Runtime()                  # the module installed with afmpeg
>>> fs = afmpeg.Filesystem()
>>> out = rt.run(["-f", "lavfi", "-i", "testsrc=d=1", "/clip.mp4"], fs)
>>> out.success, fs.exists("/clip.mp4")
(True, True)

``afmpeg.ray`` (the ``afmpeg[ray]`` extra) runs jobs across a Ray cluster.
"""

from ._afmpeg import HAS_BUILTIN_MODULE, HAS_NATIVE_TIER, CancelToken, Filesystem, Runtime
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
    NativeUnavailableError,
    PanicError,
    ProbeError,
    TrapError,
    UnusedOptionError,
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
    "HAS_BUILTIN_MODULE",
    "HAS_NATIVE_TIER",
    "HlsOutput",
    "LimitError",
    "Limits",
    "MediaInfo",
    "ModuleError",
    "NativeUnavailableError",
    "PanicError",
    "ProbeError",
    "Produced",
    "Progress",
    "RunOutput",
    "Runtime",
    "Stream",
    "TrapError",
    "UnusedOptionError",
]
