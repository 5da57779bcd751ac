"""Renders through supernova, SuperCollider's multi-core server: instruments in parallel groups
(``/p_new``), the same mix as scsynth's."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from imbolc.cli import main
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.templates import demo_project
from imbolc.engine.render import build_score, render

pytestmark = [
    pytest.mark.scsynth,
    pytest.mark.skipif(
        (shutil.which("supernova") is None or shutil.which("scsynth") is None)
        and not os.environ.get("CI"),
        reason="supernova not installed (CI installs supercollider-supernova)",
    ),
]

BARS = RenderOptions(from_beat=0.0, to_beat=8.0)


def test_the_score_puts_each_instruments_groups_in_parallel_groups() -> None:
    backend, *_ = build_score(demo_project(), BARS, stems=False, parallel_groups=True)
    messages = [r.to_osc() for _, _, requests in backend.entries for r in requests]
    parallel = {int(m.contents[0]) for m in messages if m.address == "/p_new"}
    assert parallel == {100, 200, 300}
    serial, *_ = build_score(demo_project(), BARS, stems=False)
    assert not any(r.to_osc().address == "/p_new" for _, _, rs in serial.entries for r in rs)


def test_supernova_renders_the_demo_song_as_scsynth_does(tmp_path: Path) -> None:
    ours = render(demo_project(), tmp_path / "supernova.wav", BARS, supernova=True)
    theirs = render(demo_project(), tmp_path / "scsynth.wav", BARS)
    a, rate = soundfile.read(ours.path, dtype="float64", always_2d=True)
    b, _ = soundfile.read(theirs.path, dtype="float64", always_2d=True)
    assert rate == 48000
    assert abs(len(a) - len(b)) <= 64  # supernova NRT stops at the last whole block
    a, b = a[: min(len(a), len(b)) // 4800 * 4800], b[: min(len(a), len(b)) // 4800 * 4800]
    assert np.isfinite(a).all()
    level = lambda x: 20 * np.log10(np.sqrt(np.mean(x * x)))  # noqa: E731
    assert level(b) > -40.0
    assert abs(level(a) - level(b)) < 1.0, (level(a), level(b))
    envelope_a = np.abs(a).reshape(-1, 4800, 2).max(axis=(1, 2))
    envelope_b = np.abs(b).reshape(-1, 4800, 2).max(axis=(1, 2))
    assert np.corrcoef(envelope_a, envelope_b)[0, 1] > 0.95


def test_render_engine_supernova_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo.imbolc"
    assert main(["new", str(demo), "--demo"]) == 0
    out = tmp_path / "demo.wav"

    assert main(["render", str(demo), "-o", str(out), "--to", "4", "--engine", "supernova"]) == 0

    audio, rate = soundfile.read(out, dtype="float64")
    assert rate == 48000 and np.max(np.abs(audio)) > 0.01
    assert "(supernova)" in capsys.readouterr().out


def _record(record: Any, engine: Any, path: Path, seconds: float) -> np.ndarray:
    """``test_realtime.record`` on supernova. Its DiskOut streams the first 4,096 frames ahead
    of the WAV header it writes after them, so a file soundfile cannot open is read as the
    float frames that follow its ``data`` chunk header."""
    try:
        return record(engine, path, seconds)  # type: ignore[no-any-return]
    except soundfile.LibsndfileError:
        raw = path.read_bytes()
    riff = raw.find(b"RIFF")
    data = raw.find(b"data", riff)
    assert riff >= 0 and data > riff, "no WAV header in the recorded file"
    samples = np.frombuffer(raw[data + 8 :], dtype="<f4")
    return samples[: len(samples) // 2 * 2].reshape(-1, 2).astype(np.float64)


@pytest.mark.skipif(
    shutil.which("jackd") is None and not os.environ.get("CI"),
    reason="jackd not installed (CI installs jackd2)",
)
def test_live_supernova_on_a_dummy_jack_plays_a_held_note_at_its_pitch(tmp_path: Path) -> None:
    from test_realtime import (
        HELD,
        SHM,
        peak_frequency,
        record,
        settle,
        synthdef_count,
        wait_until,
    )

    from imbolc.core.store import Store
    from imbolc.engine.realtime import RealtimeEngine
    from imbolc.engine.server import ServerOptions

    engine = RealtimeEngine(Project(), ServerOptions(dummy_audio=True, program="supernova"))
    store = Store(Project())
    engine.attach(store)
    try:
        engine.start()
        wait_until(lambda: engine.status().state == "running" and engine.audio is not None)
        settle(engine)
        assert "supernova" in engine.status().message
        assert engine.server.status().synthdefs == synthdef_count()
        store.load(HELD)
        engine.play()
        settle(engine)
        time.sleep(0.2)
        assert max(engine.meters().master) > 0.05
        audio = _record(record, engine, tmp_path / "held.wav", 0.6)
        assert len(audio) > 8192
        assert peak_frequency(audio[:, 0]) == pytest.approx(440.0, abs=0.5)
    finally:
        engine.stop()
        port = engine.server.port
        engine.shutdown()
    assert not (SHM / f"SuperColliderServer_{port}").exists()
