"""``imbolc render`` end to end: a saved project in, a WAV (and stems) out, clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.cli import main
from imbolc.core.ports import RenderOptions
from imbolc.engine.render import render
from imbolc.persist import load_project

pytestmark = [
    pytest.mark.scsynth,
    pytest.mark.skipif(
        shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)"
    ),
]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo song saved as a project file."""
    path = tmp_path / "demo.imbolc"
    assert main(["new", str(path), "--demo"]) == 0
    return path


def test_render_writes_a_stereo_float_wav_at_48_khz(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.wav"

    assert main(["render", str(demo), "-o", str(out), "--to", "8"]) == 0

    info = soundfile.info(out)
    assert (info.samplerate, info.channels, info.subtype) == (48_000, 2, "FLOAT")
    audio, _ = soundfile.read(out, dtype="float64")
    assert np.all(np.isfinite(audio)) and np.max(np.abs(audio)) > 0.01
    assert f"wrote {out}" in capsys.readouterr().out


def test_format_24_and_sample_rate_44100_write_a_24_bit_44_1_khz_wav(
    demo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "demo24.wav"

    code = main(["render", str(demo), "-o", str(out), "--to", "4", "--format", "24",
                 "--sample-rate", "44100"])  # fmt: skip

    assert code == 0
    info = soundfile.info(out)
    assert (info.samplerate, info.subtype) == (44_100, "PCM_24")
    audio, _ = soundfile.read(out, dtype="float64")
    assert np.max(np.abs(audio)) > 0.01


def test_from_and_to_render_the_same_range_as_the_render_api(demo: Path, tmp_path: Path) -> None:
    out, direct = tmp_path / "cli.wav", tmp_path / "direct.wav"

    assert main(["render", str(demo), "-o", str(out), "--from", "4", "--to", "6"]) == 0

    result = render(load_project(demo), direct, RenderOptions(from_beat=4.0, to_beat=6.0))
    assert result.seconds >= 1.0
    # Noise sources are seeded per run, so the samples differ; the range and length do not.
    assert soundfile.info(out).frames == soundfile.info(direct).frames == result.frames


def test_stems_writes_one_wav_per_instrument_into_the_folder(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stems = tmp_path / "stems"

    code = main(["render", str(demo), "-o", str(tmp_path / "mix.wav"), "--to", "4",
                 "--stems", str(stems)])  # fmt: skip

    assert code == 0
    assert sorted(path.name for path in stems.iterdir()) == [
        "01-Drums.wav", "02-Bass.wav", "03-Chords.wav", "04-Lead.wav", "05-Bell.wav",
    ]  # fmt: skip
    assert "5 stems" in capsys.readouterr().out


def error_of(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err


def test_a_missing_project_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.imbolc"

    assert main(["render", str(missing), "-o", str(tmp_path / "out.wav")]) == 1

    assert f"{missing}: no such file" in error_of(capsys)
    assert not (tmp_path / "out.wav").exists()


def test_an_output_folder_that_does_not_exist_is_a_clear_error(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no" / "such" / "out.wav"

    assert main(["render", str(demo), "-o", str(out)]) == 1

    assert f"folder {out.parent} does not exist" in error_of(capsys)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_an_unwritable_output_folder_is_a_clear_error_before_rendering(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # /proc refuses new files even to root, so this holds however the tests are run.
    assert main(["render", str(demo), "-o", "/proc/imbolc-out.wav"]) == 1

    assert "cannot write /proc/imbolc-out.wav: folder /proc is not writable" in error_of(capsys)


def test_an_output_path_that_is_a_folder_is_a_clear_error(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(demo), "-o", str(tmp_path)]) == 1

    assert f"cannot write {tmp_path}: it is a folder" in error_of(capsys)


def test_an_empty_range_is_a_clear_error_and_writes_nothing(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.wav"

    assert main(["render", str(demo), "-o", str(out), "--from", "8", "--to", "4"]) == 1

    assert "nothing to render" in error_of(capsys)
    assert [path.name for path in tmp_path.iterdir() if "out.wav" in path.name] == []


def test_a_failed_render_leaves_an_existing_output_untouched(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    out.write_bytes(b"the previous render")

    assert main(["render", str(demo), "-o", str(out), "--from", "8", "--to", "8"]) == 1

    assert out.read_bytes() == b"the previous render"
    assert list(tmp_path.glob("*.part")) == []
