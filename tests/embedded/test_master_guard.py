"""The master guard on both engines: nothing non-finite or above 0 dBFS leaves the master, the
phaser starts quietly, and the master (and the saw) carry no DC."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile
from embedded_scores import SAMPLE_RATE, Score, at, needs_scsynth, render_scsynth
from supriya.osc import OscMessage
from supriya.ugens import LFPulse, Out, SinOsc, SynthDef, SynthDefBuilder, compile_synthdefs

from imbolc.core.actions import AddEffect, AddInstrument, AddNote, SetChannels, SetEnvelope
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.embedded import render_embedded as render_project_embedded
from imbolc.engine.embedded.compiler import compile_synthdef
from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions
from imbolc.engine.engine import Engine
from imbolc.engine.render import render as render_project_scsynth
from imbolc.engine.requests import NewSynth
from imbolc.engine.synthdefs import compiled_bytes

ENGINES = [
    pytest.param("scsynth", marks=[pytest.mark.scsynth, needs_scsynth]),
    pytest.param("embedded"),
]


def _blast(name: str, amplitude: float, nan: bool) -> SynthDef:
    """A test source no stage should ever make: a sine ``amplitude`` times full scale on the
    left, and on the right the same or, with ``nan``, NaN half the time (log of a negative)."""
    builder = SynthDefBuilder()
    with builder:
        loud = SinOsc.ar(frequency=440.0) * amplitude
        right = (LFPulse.ar(frequency=10.0) - 0.5).log() if nan else loud
        Out.ar(bus=0, source=[loud, right])
    return builder.build(name=name)


def _guarded(engine: str, *blasts: SynthDef) -> np.ndarray:
    """Half a second of ``blasts`` on bus 0 followed by the master guard."""
    score: Score = {}
    at(score, 0.0, OscMessage("/d_recv", compiled_bytes(["imbolc_safety"])),
       OscMessage("/d_recv", compile_synthdefs(*blasts)))  # fmt: skip
    nodes = [OscMessage("/s_new", blast.name, 1001 + k, 0, 0) for k, blast in enumerate(blasts)]
    at(score, 0.0, *nodes, OscMessage("/s_new", "imbolc_safety", 1000, 1, 0, "bus", 0))
    if engine == "scsynth":
        with tempfile.TemporaryDirectory() as folder:
            return render_scsynth(score, 2, 0.5, Path(folder))
    # The embedded engine plays only imbolc's own SynthDefs: the test defs are compiled for it
    # by its own compiler.
    server = EmbeddedServer(ServerOptions(sample_rate=SAMPLE_RATE, output_channels=2))
    for blast in blasts:
        server.programs[str(blast.name)] = compile_synthdef(blast, server.ctx)
    for seconds in sorted(score):
        server.send(score[seconds], at=seconds)
    audio = server.run(0.5)
    server.close()
    return audio


@pytest.mark.scsynth
@needs_scsynth
def test_the_master_guard_on_scsynth_lets_no_huge_or_nan_sample_through() -> None:
    audio = _guarded("scsynth", _blast("test_blast", 1e6, nan=True))
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() <= 1.0
    assert np.abs(audio[:, 0]).max() > 0.5, "the guard silenced the loud channel altogether"


def test_the_master_guard_on_the_embedded_engine_clips_loud_and_drops_nan_sources() -> None:
    """The embedded engine mutes a node writing NaN (or a level 40 dB over full scale) at its
    output; what is loud but below that reaches the guard, which clips it to 0 dBFS."""
    audio = _guarded("embedded", _blast("test_loud", 50.0, nan=False),
                     _blast("test_nan", 1.0, nan=True))  # fmt: skip
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() <= 1.0
    assert np.abs(audio[:, 0]).max() > 0.5, "the guard silenced the loud channel altogether"


@pytest.mark.scsynth
@needs_scsynth
@pytest.mark.parametrize("channels", ["stereo", "mono"])
def test_a_new_phaser_in_a_project_stays_silent_on_scsynth_without_the_guard(
    channels: str,
) -> None:
    """The whole graph of a project whose instrument (no notes) has a phaser, rendered on
    scsynth with the master guard left out: a fresh phaser read uninitialized feedback
    memory and rang at ~1e31 for its first 30-50 ms."""
    store = Store()
    store.dispatch(AddInstrument("saw"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetChannels(ident, channels))
    store.dispatch(AddEffect(ident, "phaser"))
    backend = RecordingBackend()
    engine = Engine(backend)
    engine.load_synthdefs()
    engine.start(store.state)
    score: Score = {}
    for request in backend.requests():
        if not (isinstance(request, NewSynth) and request.synthdef == "imbolc_safety"):
            at(score, 0.0, request.to_osc())
    assert any("imbolc_phaser" in str(m) for m in score[0.0])
    with tempfile.TemporaryDirectory() as folder:
        audio = render_scsynth(score, 2, 0.2, Path(folder))
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() < 1e-6


# --- whole projects -----------------------------------------------------------------------------


def _render(engine: str, project: Project, path: Path) -> np.ndarray:
    render = render_project_scsynth if engine == "scsynth" else render_project_embedded
    result = render(project, path, RenderOptions(SAMPLE_RATE, "float"))
    assert not result.problems, result.problems
    audio, rate = soundfile.read(path, dtype="float64", always_2d=True)
    assert rate == SAMPLE_RATE
    return audio


def _one_note(source: str, pitch: int, beats: int = 2) -> tuple[Store, int]:
    store = Store()
    store.dispatch(AddInstrument(source))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(AddNote(ident, 0, beats * TICKS_PER_BEAT, pitch))
    return store, ident


@pytest.mark.parametrize("engine", ENGINES)
def test_a_project_with_a_phaser_never_exceeds_full_scale(engine: str, tmp_path: Path) -> None:
    store, ident = _one_note("saw", 45)
    store.dispatch(AddEffect(ident, "phaser"))
    audio = _render(engine, store.state, tmp_path / "out.wav")
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() <= 1.0
    assert np.sqrt(np.mean(audio**2)) > 0.01, "the phaser silenced the note"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_held_saw_chord_leaves_the_master_without_dc(engine: str, tmp_path: Path) -> None:
    store, ident = _one_note("saw", 33, beats=4)  # A1, 55 Hz: 2 s at 120 BPM
    for pitch in (40, 45, 49, 52, 57):
        store.dispatch(AddNote(ident, 0, 4 * TICKS_PER_BEAT, pitch))
    audio = _render(engine, store.state, tmp_path / "out.wav")
    held = audio[round(0.5 * SAMPLE_RATE) : round(1.9 * SAMPLE_RATE)]
    assert np.sqrt(np.mean(held**2)) > 0.05, "the saw did not sound"
    dc = np.abs(held.mean(axis=0)).max()
    print(f"{engine}: master DC {dc:.2e}")
    assert dc < 1e-3
