"""The plain values of the afmpeg API: limits in, results out.

Dataclasses, so they pickle (Ray ships them between processes), compare by
value, and turn into dicts with ``to_dict()``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


class _Data:
    def to_dict(self) -> dict[str, Any]:
        """The value as a dict of plain values (JSON-ready)."""
        return _plain(self)


def _plain(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: _plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}"
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


@dataclass(frozen=True)
class Limits(_Data):
    """Limits of one job; every one, when reached, ends it with LimitError.

    The defaults suit untrusted media on a server: 1 GiB of guest memory,
    10 minutes, 4 GiB written.
    """

    max_memory: int = 1 << 30
    #: CPU budget in fuel units (about one per WebAssembly instruction).
    fuel: int | None = None
    #: Wall-clock seconds.
    timeout: float | None = 600.0
    max_bytes_written: int = 4 << 30
    max_files_created: int = 10_000
    max_stdout: int = 64 << 20
    max_stderr: int = 16 << 20
    max_open_files: int = 256

    @staticmethod
    def unlimited() -> "Limits":
        """No limits beyond the machine's (trusted batch work)."""
        return Limits(
            max_memory=4 << 30,
            fuel=None,
            timeout=None,
            max_bytes_written=(1 << 64) - 1,
            max_files_created=(1 << 64) - 1,
            max_stdout=(1 << 64) - 1,
            max_stderr=(1 << 64) - 1,
            max_open_files=1 << 16,
        )


@dataclass(frozen=True)
class Progress(_Data):
    """One progress report of a running ffmpeg job."""

    frame: int | None = None
    fps: float | None = None
    #: Output timestamp reached, in seconds.
    out_time: float | None = None
    speed: float | None = None
    bitrate_kbps: float | None = None
    total_size: int | None = None
    #: Fraction done (0..1), when the duration is known; 1.0 only at the end.
    fraction: float | None = None
    done: bool = False


@dataclass(frozen=True)
class RunOutput(_Data):
    """What a job that ran to completion produced (any exit code)."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    #: The most guest linear memory the job used, in bytes.
    guest_memory: int

    @property
    def success(self) -> bool:
        return self.exit_code == 0

    @property
    def stderr_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def stdout_text(self) -> str:
        return self.stdout.decode("utf-8", "replace")


@dataclass(frozen=True)
class Produced(_Data):
    """A file a task helper wrote into the in-memory filesystem."""

    path: str
    size: int


@dataclass(frozen=True)
class HlsOutput(_Data):
    """An HLS package: the playlist and its segments, in playlist order."""

    playlist: str
    segments: list[str]


def _fraction(v: str | None) -> Fraction | None:
    if not v:
        return None
    num, den = v.replace(":", "/").split("/")
    return Fraction(int(num), int(den))


@dataclass(frozen=True)
class Format(_Data):
    """The container, as ffprobe reports it."""

    filename: str
    format_name: str
    format_long_name: str | None = None
    nb_streams: int = 0
    nb_programs: int = 0
    start_time: float | None = None
    duration: float | None = None
    size: int | None = None
    bit_rate: int | None = None
    probe_score: int | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stream(_Data):
    """One stream, as ffprobe reports it."""

    index: int
    #: ``"video"``, ``"audio"``, ``"subtitle"``, ``"data"``, ``"attachment"``, ``"unknown"``.
    kind: str
    codec_name: str | None = None
    codec_long_name: str | None = None
    profile: str | None = None
    width: int | None = None
    height: int | None = None
    pix_fmt: str | None = None
    sample_aspect_ratio: Fraction | None = None
    display_aspect_ratio: Fraction | None = None
    frame_rate: Fraction | None = None
    real_frame_rate: Fraction | None = None
    time_base: Fraction | None = None
    sample_fmt: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    channel_layout: str | None = None
    language: str | None = None
    title: str | None = None
    disposition: dict[str, bool] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    start_time: float | None = None
    duration: float | None = None
    #: Frames (packets) in the stream, when the container records it.
    nb_frames: int | None = None
    bit_rate: int | None = None

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "Stream":
        d = dict(d)
        for k in (
            "sample_aspect_ratio",
            "display_aspect_ratio",
            "frame_rate",
            "real_frame_rate",
            "time_base",
        ):
            d[k] = _fraction(d.get(k))
        return Stream(**d)


@dataclass(frozen=True)
class Chapter(_Data):
    id: int
    start: float
    end: float
    title: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaInfo(_Data):
    """What ffprobe says about a file: ``Runtime.probe``."""

    format: Format
    streams: list[Stream]
    chapters: list[Chapter]

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "MediaInfo":
        return MediaInfo(
            format=Format(**d["format"]),
            streams=[Stream.from_dict(s) for s in d["streams"]],
            chapters=[Chapter(**c) for c in d.get("chapters", [])],
        )

    @property
    def duration(self) -> float | None:
        """The container's duration, or the longest stream's, in seconds."""
        if self.format.duration is not None:
            return self.format.duration
        ds = [s.duration for s in self.streams if s.duration is not None]
        return max(ds) if ds else None

    @property
    def video_streams(self) -> list[Stream]:
        return [s for s in self.streams if s.kind == "video"]

    @property
    def audio_streams(self) -> list[Stream]:
        return [s for s in self.streams if s.kind == "audio"]
