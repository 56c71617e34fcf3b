"""The Python docs' examples, run as written."""

from __future__ import annotations

from pathlib import Path

import pytest

import afmpeg

from conftest import doc_blocks, module_path


def test_tutorial_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AFMPEG_MODULE", module_path())
    monkeypatch.chdir(tmp_path)
    first, limits = doc_blocks("tutorial/python.md")
    exec(compile(first, "tutorial/python.md#first", "exec"), {})
    assert (tmp_path / "small.mp4").stat().st_size > 0
    exec(compile(limits, "tutorial/python.md#limits", "exec"), {})
    out = capsys.readouterr().out
    assert "timeout 0.5" in out and "done=True" in out


def test_reference_engines_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (engines,) = doc_blocks("reference/python.md")
    exec(compile(engines, "reference/python.md#engines", "exec"), {})
    out = capsys.readouterr().out.split()
    if afmpeg.HAS_NATIVE_TIER:
        # The built-in module is the default profile; the tier is lean's.
        assert out == ["interpreter", "native", "other_module"]
    else:
        assert out == ["interpreter", "not_built_in", "not_built_in"]


def test_frames_howto_webp_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (webp,) = doc_blocks("how-to/frames.md")
    exec(compile(webp, "how-to/frames.md#webp", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out == ["['/seekbar/frame_0001.webp', '/seekbar/frame_0002.webp']", "b'RIFF'"]
