"""Automation of whole-number targets steps, and new voices start at the automated value."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.actions import (
    AddEffect,
    AddInstrument,
    AddLane,
    AddNote,
    AddPoint,
    SetEnvelope,
    SetLoop,
    SetStageParam,
)
from imbolc.core.automation import AutomationTarget
from imbolc.core.ids import InstrumentId, StageId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.store import Store
from imbolc.core.targets import stepped
from imbolc.engine.embedded.render import render_embedded
from imbolc.engine.render import build_score, render
from imbolc.engine.requests import SetControls

RATE = 48_000
BAR = 4 * TICKS_PER_BEAT
ENGINES = [
    pytest.param("scsynth", marks=[pytest.mark.scsynth, pytest.mark.skipif(
        shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)")]),
    pytest.param("embedded"),
]  # fmt: skip


def crushed_sine(bits: float | None, lane_points: tuple[float, ...] = ()) -> Store:
    """A sine held for a bar through a fully wet bitcrusher: ``bits`` stored, and a lane on
    ``bits`` through ``lane_points`` (normalized, spread over the bar) when given."""
    store = Store()
    store.dispatch(AddInstrument("sine"))
    ident = InstrumentId(1)
    store.dispatch(AddNote(ident, 0, BAR, 69))
    store.dispatch(AddEffect(ident, "bitcrusher"))
    stage = store.state.instruments.items[0].chain[-1].id
    store.dispatch(SetStageParam(ident, stage, "mix", 1.0))
    store.dispatch(SetStageParam(ident, stage, "rate", 44100.0))
    if bits is not None:
        store.dispatch(SetStageParam(ident, stage, "bits", bits))
    if lane_points:
        store.dispatch(AddLane(AutomationTarget("instrument", ident, f"chain.{stage}.bits")))
        lane = store.state.session.automation.lanes[-1].id
        step = BAR // max(1, len(lane_points) - 1)
        for n, value in enumerate(lane_points):
            store.dispatch(AddPoint(lane, n * step, value))
    store.dispatch(SetLoop(0, BAR))
    return store


def test_an_int_target_is_stepped_to_the_nearest_whole_value_in_range() -> None:
    store = crushed_sine(8)
    stage = store.state.instruments.items[0].chain[-1].id
    target = AutomationTarget("instrument", 1, f"chain.{stage}.bits")
    assert [stepped(store.state, target, v) for v in (8.4, 8.5, 0.2, 31.0)] == [8, 9, 1, 16]


def test_a_float_target_passes_through_unchanged() -> None:
    store = crushed_sine(8)
    target = AutomationTarget("instrument", 1, "mixer.level")
    assert stepped(store.state, target, 0.123) == 0.123


def test_a_lane_sweeping_an_int_target_sends_only_whole_values() -> None:
    store = crushed_sine(8, (0.0, 1.0))
    backend, _duration, _channels, _problems, engine = build_score(
        store.state, RenderOptions(RATE), stems=False
    )
    node = engine.graph.instruments[InstrumentId(1)].stage_nodes[StageId(1)]
    sent = [
        request.controls["bits"]
        for _when, _order, requests in backend.entries
        for request in requests
        if isinstance(request, SetControls) and request.node_id == node
        and "bits" in request.controls
    ]  # fmt: skip
    assert len(set(sent)) == 16  # every step from 1 to 16 ...
    assert all(float(value).is_integer() for value in sent)  # ... and nothing between


def rendered(store: Store, kind: str, path: Path) -> np.ndarray:
    render_with = render if kind == "scsynth" else render_embedded
    render_with(store.state, path, RenderOptions(RATE, "float"))
    audio, _ = soundfile.read(path, dtype="float64", always_2d=True)
    return audio


@pytest.mark.parametrize("kind", ENGINES)
def test_a_lane_between_two_bit_depths_sounds_as_the_nearest_whole_depth(
    kind: str, tmp_path: Path
) -> None:
    """8.5 bits automated sounds exactly as 9 bits stored (a fractional depth would crush on
    a grid of 2^-7.5, heard as neither)."""
    automated = rendered(crushed_sine(None, (0.5,)), kind, tmp_path / "lane.wav")
    stored = rendered(crushed_sine(9), kind, tmp_path / "nine.wav")
    span = slice(RATE // 10, RATE)
    assert np.max(np.abs(stored[span])) > 0.1
    np.testing.assert_allclose(automated[span], stored[span], atol=1e-6)


def held_note(sustain_stored: float, sustain_lane: float | None) -> Store:
    """A sine whose note starts mid-bar, with the envelope's sustain stored and automated."""
    store = Store()
    store.dispatch(AddInstrument("sine"))
    ident = InstrumentId(1)
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetEnvelope(ident, "decay", 0.01))
    store.dispatch(SetEnvelope(ident, "sustain", sustain_stored))
    store.dispatch(AddNote(ident, 600, TICKS_PER_BEAT, 69))
    if sustain_lane is not None:
        store.dispatch(AddLane(AutomationTarget("instrument", ident, "envelope.sustain")))
        store.dispatch(AddPoint(store.state.session.automation.lanes[-1].id, 0, sustain_lane))
    store.dispatch(SetLoop(0, BAR))
    return store


def level_db(audio: np.ndarray, start: float, end: float) -> float:
    part = audio[round(start * RATE) : round(end * RATE)]
    return 20 * math.log10(float(np.sqrt(np.mean(part**2))))


@pytest.mark.parametrize("kind", ENGINES)
def test_a_voice_started_under_automation_starts_at_the_automated_value(
    kind: str, tmp_path: Path
) -> None:
    """A note at 0.625 s under a lane holding sustain at 0.25 (stored 1.0) is as loud from
    its first milliseconds as one with 0.25 stored: 12 dB below a sustain of 1."""
    onset = 600 / TICKS_PER_BEAT * 0.5
    first = (onset + 0.02, onset + 0.1)
    automated = level_db(rendered(held_note(1.0, 0.25), kind, tmp_path / "a.wav"), *first)
    stored = level_db(rendered(held_note(0.25, None), kind, tmp_path / "s.wav"), *first)
    full = level_db(rendered(held_note(1.0, None), kind, tmp_path / "f.wav"), *first)
    assert automated == pytest.approx(stored, abs=0.2)
    assert full - automated == pytest.approx(12.04, abs=0.3)
