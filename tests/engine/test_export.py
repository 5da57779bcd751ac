"""Export: WAV/FLAC/OGG by extension or --format, bit depth and dither, loudness figures and
normalization, bad choices refused before anything is rendered. Renders run on the embedded
engine (no SuperCollider needed); one runs through scsynth NRT as well."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile

from imbolc.cli import main
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.templates import demo_project
from imbolc.engine.embedded import render_embedded
from imbolc.engine.export import (
    ExportError,
    ExportPlan,
    plan_export,
    write_audio,
)
from imbolc.engine.loudness import measure, true_peak_dbtp
from imbolc.persist import load_project

RATE = 48_000


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo.imbolc"
    assert main(["new", str(path), "--demo"]) == 0
    return path


def loudness_of(path: Path) -> float:
    data, rate = soundfile.read(path, dtype="float64", always_2d=True)
    return float(pyloudnorm.Meter(rate).integrated_loudness(data))


@pytest.mark.parametrize(
    ("name", "extra", "container", "subtype"),
    [
        ("mix.wav", [], "WAV", "FLOAT"),
        ("mix.wav", ["--bit-depth", "16"], "WAV", "PCM_16"),
        ("mix.flac", [], "FLAC", "PCM_24"),
        ("mix.flac", ["--bit-depth", "16"], "FLAC", "PCM_16"),
        ("mix.ogg", [], "OGG", "VORBIS"),
        ("mix.audio", ["--format", "flac"], "FLAC", "PCM_24"),
    ],
)
def test_each_format_renders_normalized_and_reads_back(
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    extra: list[str],
    container: str,
    subtype: str,
) -> None:
    out = tmp_path / name

    code = main(["render", str(demo), "-o", str(out), "--to", "8", "--engine", "embedded",
                 "--sample-rate", "44100", "--normalize", "-16", *extra])  # fmt: skip

    assert code == 0, capsys.readouterr().err
    info = soundfile.info(out)
    assert (info.format, info.subtype, info.samplerate, info.channels) == (
        container, subtype, 44_100, 2,
    )  # fmt: skip
    summary = capsys.readouterr().out
    # 8 beats at the demo's tempo plus the release tail, every frame the render reported.
    match = re.search(r": ([0-9.]+) s at 44100 Hz", summary)
    assert match, summary
    seconds = float(match.group(1))
    assert seconds > 8 * 60 / demo_project().session.settings.bpm
    assert abs(info.frames - seconds * 44_100) <= 0.006 * 44_100  # the summary rounds to 10 ms
    assert abs(loudness_of(out) - -16.0) < 0.5
    assert "loudness: -16.0 LUFS integrated" in summary
    assert "dBTP true peak" in summary and "LRA" in summary


def test_the_summary_reports_what_the_file_measures(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "mix.wav"

    result = render_embedded(load_project(demo), out, RenderOptions(to_beat=16.0))

    assert result.loudness is not None
    data, rate = soundfile.read(out, dtype="float64", always_2d=True)
    assert result.loudness.integrated == pytest.approx(
        pyloudnorm.Meter(rate).integrated_loudness(data), abs=0.05
    )
    assert result.loudness.true_peak >= 20 * math.log10(np.max(np.abs(data))) - 1e-6
    meter = pyloudnorm.Meter(rate)
    assert result.loudness.range == pytest.approx(meter.loudness_range(data), abs=0.5)
    assert result.loudness.range > 0.0


def test_stems_take_the_format_bit_depth_and_the_masters_gain(demo: Path, tmp_path: Path) -> None:
    stems = tmp_path / "stems"
    plain, loud = tmp_path / "plain.flac", tmp_path / "loud.flac"

    assert main(["render", str(demo), "-o", str(plain), "--to", "4", "--engine", "embedded",
                 "--stems", str(tmp_path / "plain-stems")]) == 0  # fmt: skip
    assert main(["render", str(demo), "-o", str(loud), "--to", "4", "--engine", "embedded",
                 "--normalize", "-20", "--stems", str(stems)]) == 0  # fmt: skip

    names = sorted(path.name for path in stems.iterdir())
    assert names == ["01-Drums.flac", "02-Bass.flac", "03-Chords.flac", "04-Lead.flac",
                     "05-Bell.flac"]  # fmt: skip
    assert all(soundfile.info(stems / n).subtype == "PCM_24" for n in names)
    gain = loudness_of(loud) - loudness_of(plain)
    bass_gain = loudness_of(stems / "02-Bass.flac") - loudness_of(
        tmp_path / "plain-stems" / "02-Bass.flac"
    )
    assert abs(bass_gain - gain) < 0.2  # one gain for the master and every stem


def test_16_bit_is_tpdf_dithered_and_reproducible(tmp_path: Path) -> None:
    quiet = np.full((RATE, 2), 0.25 / 32768, dtype=np.float32)  # a quarter of one LSB
    plan = ExportPlan("wav", "PCM_16", dither=True, normalize_lufs=None)
    plain = ExportPlan("wav", "PCM_16", dither=False, normalize_lufs=None)

    write_audio(tmp_path / "a.wav", quiet, RATE, plan, 7)
    write_audio(tmp_path / "b.wav", quiet, RATE, plan, 7)
    write_audio(tmp_path / "c.wav", quiet, RATE, plain, 7)

    dithered, _ = soundfile.read(tmp_path / "a.wav", dtype="int16")
    undithered, _ = soundfile.read(tmp_path / "c.wav", dtype="int16")
    assert np.all(undithered == 0)  # plain rounding loses the signal
    assert set(np.unique(dithered)) <= {-1, 0, 1}  # TPDF spans ±1 LSB
    assert dithered.mean() == pytest.approx(0.25, abs=0.02)  # and keeps it on average
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_true_peak_finds_the_peak_between_samples() -> None:
    # A sine at a quarter of the rate, sampled 45° off its crests: samples peak at 0.707.
    n = np.arange(RATE)
    sine = np.sin(2 * np.pi * n / 4 + np.pi / 4)[:, None] * np.ones((1, 2))

    assert 20 * math.log10(np.max(np.abs(sine))) == pytest.approx(-3.01, abs=0.01)
    assert true_peak_dbtp(sine) == pytest.approx(0.0, abs=0.25)  # BS.1770 tolerance


def test_a_1_khz_sine_measures_as_bs_1770_and_tech_3342_say() -> None:
    # A 1 kHz sine peaking at 0 dBFS reads -3.01 LUFS in one channel, 0 LUFS in two; ten
    # seconds at -20 dBFS then ten at -30 dBFS span a loudness range of 10 LU.
    t = np.arange(10 * RATE) / RATE
    sine = np.sin(2 * np.pi * 1000 * t)
    steady = measure(np.stack([0.1 * sine, 0.1 * sine], axis=1), RATE)
    stepped = np.concatenate([0.1 * sine, 0.0316 * sine])

    assert steady.integrated == pytest.approx(-20.0, abs=0.1)
    assert steady.range == pytest.approx(0.0, abs=0.1)
    assert measure(np.stack([stepped, stepped], axis=1), RATE).range == pytest.approx(10.0, abs=0.5)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("mix.mp4", RenderOptions(), "cannot tell the format of mix.mp4"),
        ("mix", RenderOptions(), "cannot tell the format of mix (no extension)"),
        ("mix.wav", RenderOptions(file_format="aiff"), "unknown format 'aiff'"),
        ("mix.wav", RenderOptions(file_format="flac"), "name the file mix.flac"),
        ("mix.flac", RenderOptions(sample_format="float"), "FLAC holds integer samples only"),
        ("mix.wav", RenderOptions(normalize_lufs=3.0), "cannot normalize to 3 LUFS"),
        ("mix.wav", RenderOptions(normalize_lufs=-90.0), "between -70 and -1 LUFS"),
        ("mix.wav", RenderOptions(normalize_lufs=math.nan), "cannot normalize to nan LUFS"),
    ],
)
def test_bad_choices_are_refused_by_name(name: str, options: RenderOptions, message: str) -> None:
    with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_export(Path(name), options)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/out.mp3"], "cannot tell the format of out.mp3"),
        (["-o", "{tmp}/out.wav", "--normalize", "6"], "cannot normalize to 6 LUFS"),
        (["-o", "{tmp}/out.flac", "--bit-depth", "float"], "FLAC holds integer samples only"),
    ],
)
def test_bad_choices_on_the_command_line_change_nothing(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    folder = tmp_path / "renders"
    folder.mkdir()
    existing = folder / "out.wav"
    existing.write_bytes(b"an earlier render")

    argv = [a.replace("{tmp}", str(folder)) for a in args]
    assert main(["render", str(demo), "--engine", "embedded", "--to", "2", *argv]) == 1

    assert message in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["out.wav"]
    assert existing.read_bytes() == b"an earlier render"


def test_normalizing_silence_is_a_clear_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "silence.wav"
    out.write_bytes(b"an earlier render")

    with pytest.raises(ExportError, match="the render is silent"):
        render_embedded(Project(), out, RenderOptions(to_beat=4.0, normalize_lufs=-14.0))

    assert out.read_bytes() == b"an earlier render"
    assert [p.name for p in tmp_path.iterdir()] == ["silence.wav"]


@pytest.mark.scsynth
@pytest.mark.skipif(shutil.which("scsynth") is None, reason="scsynth not installed (CI has it)")
def test_scsynth_render_writes_normalized_flac(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "mix.flac"

    assert main(["render", str(demo), "-o", str(out), "--to", "8", "--engine", "scsynth",
                 "--normalize", "-14", "--bit-depth", "16"]) == 0  # fmt: skip

    info = soundfile.info(out)
    assert (info.format, info.subtype, info.samplerate, info.channels) == (
        "FLAC", "PCM_16", 48_000, 2,
    )  # fmt: skip
    assert abs(loudness_of(out) - -14.0) < 0.5
