"""Shared fixtures: the FFmpeg module (never skipped: a missing module is a
failure that says how to build it) and a small test clip."""

from __future__ import annotations

import os

import pytest

import afmpeg


def module_path() -> str:
    path = os.environ.get("AFMPEG_MODULE")
    if not path or not os.path.isfile(path):
        pytest.fail(
            "these tests need the FFmpeg guest module: build it with `make guest` "
            "and set AFMPEG_MODULE to it (`make test-python` does both)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def rt() -> afmpeg.Runtime:
    return afmpeg.Runtime(module_path(), lazy=True)


def make_clip(rt: afmpeg.Runtime, fs: afmpeg.Filesystem, path: str, seconds: float = 1.0, rate: int = 25, gop: int | None = None) -> None:
    """A small H.264/AAC mp4 with exactly seconds*rate video frames."""
    args = [
        "-f", "lavfi", "-i", f"testsrc=d={seconds}:r={rate}:s=160x120",
        "-f", "lavfi", "-i", f"sine=d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
    ]
    if gop:
        args += ["-g", str(gop)]
    out = rt.run([*args, path], fs)
    assert out.exit_code == 0, out.stderr_text


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def doc_blocks(page: str) -> list[str]:
    """The ```python blocks of a docs page (not those marked ```python norun),
    so the examples are run by the tests and cannot rot."""
    blocks: list[str] = []
    current: list[str] | None = None
    with open(os.path.join(REPO, "docs", page), encoding="utf-8") as f:
        for line in f:
            if current is None and line.strip() == "```python":
                current = []
            elif current is not None and line.strip() == "```":
                blocks.append("".join(current))
                current = None
            elif current is not None:
                current.append(line)
    assert blocks, f"no python blocks in docs/{page}"
    return blocks
