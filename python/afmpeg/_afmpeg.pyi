# Type stubs of the Rust extension module (python/src/).
from collections.abc import Callable, Sequence
from os import PathLike
from typing import Any, Literal

from typing_extensions import Buffer

from .types import HlsOutput, Limits, MediaInfo, Produced, Progress, RunOutput

class CancelToken:
    """Cancels the jobs it is given to, from any thread."""

    def __init__(self) -> None: ...
    def cancel(self) -> None: ...
    @property
    def cancelled(self) -> bool: ...

class Filesystem:
    """An in-memory filesystem; handles share one tree."""

    def __init__(self) -> None: ...
    def clone_handle(self) -> Filesystem: ...
    def write(self, path: str, data: Buffer) -> None: ...
    def read(self, path: str) -> bytes: ...
    def list(self, path: str = "/") -> list[str]: ...
    def remove(self, path: str) -> None: ...
    def mkdir(self, path: str) -> None: ...
    def exists(self, path: str) -> bool: ...
    def size(self, path: str) -> int: ...

ProgressCallback = Callable[[Progress], object]
EngineName = Literal["native", "interpreter"]

#: Whether this wheel has the native tier compiled in (``engine="native"``).
HAS_NATIVE_TIER: bool
#: Whether this wheel ships the default module and its font (``Runtime.builtin()``).
HAS_BUILTIN_MODULE: bool

class Runtime:
    """FFmpeg compiled once; run jobs on it from any number of threads."""

    def __init__(
        self,
        module: str | PathLike[str] | Buffer | None = None,
        *,
        lazy: bool | None = None,
        engine: EngineName | None = None,
    ) -> None: ...
    @staticmethod
    def builtin(*, engine: EngineName | None = None) -> Runtime: ...
    @property
    def engine(self) -> EngineName: ...
    def run(
        self,
        argv: Sequence[str],
        fs: Filesystem | None = None,
        *,
        limits: Limits | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        stdin: bytes | None = None,
        deterministic: int | None = None,
        strict: bool = False,
    ) -> RunOutput: ...
    def probe(
        self,
        fs: Filesystem,
        path: str,
        *,
        limits: Limits | None = None,
        cancel: CancelToken | None = None,
    ) -> MediaInfo: ...
    def transcode(
        self,
        fs: Filesystem,
        input: str,
        output: str,
        *,
        video_codec: str | None = None,
        audio_codec: str | None = None,
        crf: int | None = None,
        preset: str | None = None,
        width: int | None = None,
        height: int | None = None,
        frame_rate: int | None = None,
        video_bitrate: int | None = None,
        audio_bitrate: int | None = None,
        no_video: bool = False,
        no_audio: bool = False,
        format: str | None = None,
        limits: Limits | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        strict: bool = False,
    ) -> Produced: ...
    def clip(
        self,
        fs: Filesystem,
        input: str,
        output: str,
        start: float,
        *,
        duration: float | None = None,
        end: float | None = None,
        accurate: bool = False,
        video_codec: str | None = None,
        audio_codec: str | None = None,
        crf: int | None = None,
        preset: str | None = None,
        limits: Limits | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        strict: bool = False,
    ) -> Produced: ...
    def frames(
        self,
        fs: Filesystem,
        input: str,
        dir: str,
        *,
        every: float | None = None,
        at: Sequence[float] | None = None,
        scenes: float | None = None,
        best: int | None = None,
        format: Literal["png", "jpeg", "jpg", "webp"] = "png",
        quality: int | None = None,
        width: int | None = None,
        height: int | None = None,
        max_frames: int | None = None,
        limits: Limits | None = None,
        cancel: CancelToken | None = None,
    ) -> list[str]: ...
    def concat(
        self,
        fs: Filesystem,
        inputs: Sequence[str],
        output: str,
        *,
        copy: bool = False,
        crf: int | None = None,
        preset: str | None = None,
        limits: Limits | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        strict: bool = False,
    ) -> Produced: ...
    def hls(
        self,
        fs: Filesystem,
        input: str,
        playlist: str,
        *,
        segment_duration: float | None = None,
        copy: bool = False,
        video_codec: str | None = None,
        audio_codec: str | None = None,
        crf: int | None = None,
        preset: str | None = None,
        limits: Limits | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        strict: bool = False,
    ) -> HlsOutput: ...
    def chunk_plan(
        self,
        fs: Filesystem,
        input: str,
        output: str,
        *,
        chunks: int,
        video_args: Sequence[str] = (),
        audio_args: Sequence[str] = (),
        no_audio: bool = False,
        work_dir: str | None = None,
        limits: Limits | None = None,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]: ...
