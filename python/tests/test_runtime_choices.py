"""How a Runtime is made and how strictly jobs run: the module built into
the wheel, the engine choice, probes under limits and cancellation, strict
mode, and helper settings that cannot apply."""

from __future__ import annotations

import os
import pickle

import pytest

import afmpeg
from conftest import make_clip, module_path

# Set by `make test-python-native`: the wheel under test must have the native
# tier, so a wheel built without it fails there instead of testing the
# refusal path.
NATIVE_EXPECTED = os.environ.get("AFMPEG_EXPECT_NATIVE") == "1"


def test_builtin_module_runs_a_transcode_and_a_probe() -> None:
    assert afmpeg.HAS_BUILTIN_MODULE, (
        "this wheel was built without the built-in module: build it with `make python` "
        "(the python crate's `builtin-module` feature)"
    )
    rt = afmpeg.Runtime.builtin(engine="interpreter")
    assert rt.engine == "interpreter"
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/in.mp4", seconds=1.0)
    info = rt.probe(fs, "/in.mp4")
    assert info.format.duration == pytest.approx(1.0, abs=0.05)
    v = info.video_streams[0]
    assert (v.codec_name, v.width, v.height, v.nb_frames) == ("h264", 160, 120, 25)
    assert [a.codec_name for a in info.audio_streams] == ["aac"]


def test_builtin_module_is_the_default_profile_with_its_font() -> None:
    rt = afmpeg.Runtime.builtin(engine="interpreter")
    fs = afmpeg.Filesystem()
    # drawtext with no fontfile= draws with the font mounted from the wheel.
    out = rt.run(
        ["-f", "lavfi", "-i", "color=black:s=64x48:d=0.04", "-vf",
         "drawtext=text=Hi:fontcolor=white:fontsize=24", "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "/hi.gray"],
        fs,
    )
    assert out.exit_code == 0, out.stderr_text
    pixels = fs.read("/hi.gray")
    assert len(pixels) == 64 * 48
    assert max(pixels) > 128  # white glyphs on black: text was drawn
    assert fs.list("/") == ["hi.gray"]  # the font is mounted, not copied in


def test_frames_as_webp() -> None:
    rt = afmpeg.Runtime.builtin(engine="interpreter")  # libwebp: the default module
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/in.mp4", seconds=2.0)
    stills = rt.frames(fs, "/in.mp4", "/stills", at=[0.5, 1.5], format="webp", width=80)
    assert stills == ["/stills/frame_0001.webp", "/stills/frame_0002.webp"]
    sizes = []
    for path in stills:
        data = fs.read(path)
        # A complete RIFF/WEBP file: "RIFF", the size of what follows, "WEBP".
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        assert int.from_bytes(data[4:8], "little") == len(data) - 8
        v = rt.probe(fs, path).video_streams[0]
        assert (v.codec_name, v.width, v.height) == ("webp", 80, 60)
        sizes.append(len(data))
    small = rt.frames(fs, "/in.mp4", "/small", at=[0.5], format="webp", width=80, quality=5)
    assert len(fs.read(small[0])) < sizes[0]  # quality reaches libwebp


def test_frames_refuses_a_quality_or_format_that_cannot_apply(rt: afmpeg.Runtime) -> None:
    fs = afmpeg.Filesystem()
    with pytest.raises(afmpeg.ConfigError, match="PNG is lossless"):
        rt.frames(fs, "/in.mp4", "/stills", format="png", quality=5)
    with pytest.raises(afmpeg.ConfigError, match='"gif"'):
        rt.frames(fs, "/in.mp4", "/stills", format="gif")  # type: ignore[arg-type]
    with pytest.raises(afmpeg.CommandError):
        rt.frames(fs, "/in.mp4", "/stills", format="webp", quality=101)
    assert fs.list("/") == []


def test_engine_choice() -> None:
    rt = afmpeg.Runtime(module_path(), lazy=True, engine="interpreter")
    assert rt.engine == "interpreter"
    with pytest.raises(afmpeg.ConfigError, match='unknown engine "jit"'):
        afmpeg.Runtime(module_path(), engine="jit")  # type: ignore[arg-type]
    if afmpeg.HAS_NATIVE_TIER:
        native = afmpeg.Runtime(module_path(), engine="native")
        assert native.engine == "native"
        fs = afmpeg.Filesystem()
        make_clip(native, fs, "/in.mp4", seconds=1.0)
        assert native.probe(fs, "/in.mp4").video_streams[0].nb_frames == 25
    else:
        # `make python` builds without the native tier: asking for it is a
        # typed error that says how to get it, and nothing was loaded.
        with pytest.raises(afmpeg.NativeUnavailableError) as e:
            afmpeg.Runtime(module_path(), engine="native")
        assert e.value.reason == "not_built_in"
        assert "PY_FEATURES=builtin-module,native" in str(e.value)
        assert isinstance(e.value, afmpeg.ModuleError)
        with pytest.raises(afmpeg.NativeUnavailableError):
            afmpeg.Runtime.builtin(engine="native")
        assert afmpeg.Runtime(module_path(), lazy=True).engine == "interpreter"
        again = pickle.loads(pickle.dumps(e.value))
        assert type(again) is afmpeg.NativeUnavailableError and again.reason == "not_built_in"


def test_probe_takes_limits_and_a_cancel_token(rt: afmpeg.Runtime) -> None:
    fs = afmpeg.Filesystem()
    make_clip(rt, fs, "/in.mp4", seconds=1.0)
    with pytest.raises(afmpeg.LimitError) as e:
        rt.probe(fs, "/in.mp4", limits=afmpeg.Limits(fuel=1_000))
    assert (e.value.limit, e.value.value) == ("fuel", 1_000)
    token = afmpeg.CancelToken()
    token.cancel()
    with pytest.raises(afmpeg.CancelledError):
        rt.probe(fs, "/in.mp4", cancel=token)
    # Within its limits, with a token nobody cancels, the probe is the same.
    info = rt.probe(fs, "/in.mp4", limits=afmpeg.Limits(fuel=20_000_000_000),
                    cancel=afmpeg.CancelToken())
    assert info.video_streams[0].nb_frames == 25


def test_strict_mode_raises_for_an_option_ffmpeg_ignored(rt: afmpeg.Runtime) -> None:
    fs = afmpeg.Filesystem()
    # `-crf` is libx264's; the WAV output has no stream that reads it.
    argv = ["-hide_banner", "-y", "-f", "lavfi", "-i", "sine=d=0.2", "-crf", "23", "/tone.wav"]
    lenient = rt.run(argv, fs)
    assert lenient.exit_code == 0
    assert "has not been used for any stream" in lenient.stderr_text
    fs.remove("/tone.wav")
    with pytest.raises(afmpeg.UnusedOptionError) as e:
        rt.run(argv, fs, strict=True)
    assert e.value.option == "crf"
    assert e.value.line.startswith("Codec AVOption crf "), e.value.line
    assert e.value.output is not None and e.value.output.exit_code == 0
    assert str(e.value) == 'option "crf" was not used for any stream (strict mode)'
    assert fs.exists("/tone.wav")  # FFmpeg ran: the output is there
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is afmpeg.UnusedOptionError and again.option == "crf"
    # Every option used: strict mode lets the run through.
    ok = rt.run(["-f", "lavfi", "-i", "testsrc=d=0.2:s=64x48", "-c:v", "libx264",
                 "-preset", "ultrafast", "-crf", "23", "/v.mp4"], fs, strict=True)
    assert ok.exit_code == 0
    # The helpers take it too: an audio-only input leaves the CRF unused.
    with pytest.raises(afmpeg.UnusedOptionError) as h:
        rt.transcode(fs, "/tone.wav", "/tone.mp4", crf=30, strict=True)
    assert h.value.option == "crf"


def test_concat_copy_refuses_encoder_options(rt: afmpeg.Runtime) -> None:
    fs = afmpeg.Filesystem()
    for kwargs in ({"crf": 20}, {"preset": "veryfast"}):
        with pytest.raises(afmpeg.CommandError, match="which needs re-encoding"):
            rt.concat(fs, ["/a.mp4", "/b.mp4"], "/ab.mp4", copy=True, **kwargs)  # type: ignore[arg-type]
    assert fs.list("/") == []  # refused before anything ran or was written


def test_native_engine_transcodes_byte_identically_to_the_interpreter() -> None:
    if not afmpeg.HAS_NATIVE_TIER:
        assert not NATIVE_EXPECTED, (
            "AFMPEG_EXPECT_NATIVE=1 but this wheel has no native tier: build it with "
            "`make python PY_FEATURES=builtin-module,native` (`make test-python-native` does)"
        )
        # Without the tier both ways of asking for it are refused, typed.
        with pytest.raises(afmpeg.NativeUnavailableError):
            afmpeg.Runtime(module_path(), engine="native")
        with pytest.raises(afmpeg.NativeUnavailableError):
            afmpeg.Runtime.builtin(engine="native")
        return
    interpreter = afmpeg.Runtime(module_path(), engine="interpreter")
    fs = afmpeg.Filesystem()
    make_clip(interpreter, fs, "/in.mp4", seconds=1.0)
    # Scaled and re-encoded (H.264 + AAC): the module's decoders, the scaler
    # and both encoders run; deterministic=1 fixes the guest's clock and
    # random bytes, so the two engines must write the same bytes.
    argv = ["-hide_banner", "-i", "/in.mp4", "-vf", "scale=96:72", "-c:v", "libx264",
            "-preset", "veryfast", "-crf", "28", "-c:a", "aac", "-b:a", "64k"]
    outputs: dict[str, bytes] = {}
    for name, rt in [("interpreter", interpreter),
                     ("native", afmpeg.Runtime(module_path(), engine="native"))]:
        path = "/out-" + name.replace(" ", "-") + ".mp4"
        out = rt.run([*argv, path], fs, deterministic=1)
        assert out.exit_code == 0, f"{name}: {out.stderr_text}"
        info = rt.probe(fs, path)
        v = info.video_streams[0]
        assert (v.codec_name, v.width, v.height, v.nb_frames) == ("h264", 96, 72, 25), name
        assert [a.codec_name for a in info.audio_streams] == ["aac"], name
        assert info.format.duration == pytest.approx(1.0, abs=0.05), name
        outputs[name] = fs.read(path)
    sizes = {name: len(data) for name, data in outputs.items()}
    assert outputs["native"] == outputs["interpreter"], sizes
    # The built-in module is the default profile; the tier in this wheel was
    # compiled from the lean module (`make native-c`), so asking for the
    # built-in module on it is refused, typed, with the reason.
    with pytest.raises(afmpeg.NativeUnavailableError) as e:
        afmpeg.Runtime.builtin(engine="native")
    assert e.value.reason == "other_module"
