"""The wavetable source reads tables the engine fills, on both engines: ``position`` morphs
from a sine (table 0) to a bright wave (table 7)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.actions import AddInstrument, AddNote, SetEnvelope, SetSourceParam
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.store import Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.embedded import render_embedded
from imbolc.engine.engine import Engine
from imbolc.engine.render import render
from imbolc.engine.requests import AllocBuffer, GenerateBuffer
from imbolc.engine.synthdefs.sources_classic import WAVETABLE_BASE, WAVETABLE_COUNT

RATE = 48_000
A3 = 57

ENGINES = [
    pytest.param(
        "scsynth",
        marks=[
            pytest.mark.scsynth,
            pytest.mark.skipif(shutil.which("scsynth") is None, reason="CI installs scsynth"),
        ],
    ),
    pytest.param("embedded"),
]


def test_starting_the_engine_fills_every_wavetable_buffer() -> None:
    backend = RecordingBackend()
    Engine(backend).start(Store().state)
    requests = backend.requests()
    tables = range(WAVETABLE_BASE, WAVETABLE_BASE + WAVETABLE_COUNT)
    allocated = [r.buffer_id for r in requests if isinstance(r, AllocBuffer)]
    filled = [r.buffer_id for r in requests if isinstance(r, GenerateBuffer)]
    assert allocated == filled == list(tables)


def harmonic_share(engine: str, position: float, tmp_path: Path) -> float:
    """The share of a held A3's energy above its fundamental, at ``position``."""
    store = Store()
    store.dispatch(AddInstrument("wavetable"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetSourceParam(ident, "position", position))
    store.dispatch(AddNote(ident, 0, 2 * TICKS_PER_BEAT, A3))
    run = render if engine == "scsynth" else render_embedded
    out = tmp_path / f"{engine}-{position}.wav"
    run(store.state, out, RenderOptions(RATE, "float"))
    audio, _ = soundfile.read(out, dtype="float64", always_2d=True)
    held = audio[round(0.2 * RATE) : round(0.9 * RATE), 0]
    assert np.sqrt(np.mean(held**2)) > 0.05, "the wavetable is silent"
    power = np.abs(np.fft.rfft(held * np.hanning(len(held)))) ** 2
    freqs = np.fft.rfftfreq(len(held), 1 / RATE)
    return float(power[freqs > 1.5 * 220.0].sum() / power.sum())


@pytest.mark.parametrize("engine", ENGINES)
def test_position_morphs_from_a_sine_to_a_bright_table(engine: str, tmp_path: Path) -> None:
    pure, bright = harmonic_share(engine, 0.0, tmp_path), harmonic_share(engine, 1.0, tmp_path)
    print(f"{engine}: energy above the fundamental {pure:.4f} at 0, {bright:.4f} at 1")
    assert pure < 0.01
    assert bright > 0.2
