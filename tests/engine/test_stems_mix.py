"""Stems are each instrument's whole contribution: they sum to the mix with sends, bus routing
and level/pan automation, on both engines."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.actions import (
    AddBusEffect,
    AddInstrument,
    AddLane,
    AddNote,
    AddPoint,
    SetEnvelope,
    SetLoop,
    SetMixerLevel,
    SetOutput,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
)
from imbolc.core.actions.mixer import MASTER, bus_strip, instrument_strip
from imbolc.core.automation import AutomationTarget
from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.store import Store
from imbolc.engine.embedded.render import render_embedded
from imbolc.engine.render import render

RATE = 48_000
ENGINES = [
    pytest.param("scsynth", marks=[pytest.mark.scsynth, pytest.mark.skipif(
        shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)")]),
    pytest.param("embedded"),
]  # fmt: skip
BAR = 4 * TICKS_PER_BEAT


def sine(store: Store, pitch: int, tick: int) -> InstrumentId:
    store.dispatch(AddInstrument("sine"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetEnvelope(ident, "attack", 0.01))
    store.dispatch(SetEnvelope(ident, "release", 0.05))
    store.dispatch(AddNote(ident, tick, TICKS_PER_BEAT * 2, pitch))
    store.dispatch(SetMixerLevel(instrument_strip(ident), 0.3))
    return ident


def routed_project() -> Store:
    """A post send into a delay bus, an instrument routed through a bus at 0.8, and level and
    pan automation, under a master at 0.9."""
    store = Store()
    sent, routed, automated = sine(store, 69, 0), sine(store, 76, 240), sine(store, 81, 480)
    store.dispatch(AddBusEffect(BusId(1), "delay"))
    store.dispatch(SetSendLevel(sent, BusId(1), 0.7))
    store.dispatch(SetSendTap(sent, BusId(1), "post"))
    store.dispatch(SetSendEnabled(sent, BusId(1), True))
    store.dispatch(SetOutput(routed, BusId(2)))
    store.dispatch(SetMixerLevel(bus_strip(BusId(2)), 0.8))
    for parameter, points in (("mixer.level", (0.1, 0.6)), ("mixer.pan", (0.0, 1.0))):
        store.dispatch(AddLane(AutomationTarget("instrument", automated, parameter)))
        lane = store.state.session.automation.lanes[-1].id
        store.dispatch(AddPoint(lane, 0, points[0]))
        store.dispatch(AddPoint(lane, BAR, points[1]))
    store.dispatch(SetMixerLevel(MASTER, 0.9))
    store.dispatch(SetLoop(0, BAR))
    return store


def residual_db(kind: str, tmp_path: Path) -> tuple[float, float]:
    """(residual of the stems' sum against the mix in dB, the mix's peak)."""
    render_with = render if kind == "scsynth" else render_embedded
    result = render_with(
        routed_project().state,
        tmp_path / "mix.wav",
        RenderOptions(RATE, "float"),
        stems_dir=tmp_path / "stems",
    )
    mix, _ = soundfile.read(result.path, dtype="float64", always_2d=True)
    stems = [soundfile.read(p, dtype="float64", always_2d=True)[0] for p in result.stems]
    assert len(stems) == 3
    error = mix - sum(stems)
    ratio = float(np.sqrt(np.mean(error**2)) / np.sqrt(np.mean(mix**2)))
    return 20 * math.log10(max(ratio, 1e-12)), float(np.max(np.abs(mix)))


@pytest.mark.parametrize("kind", ENGINES)
def test_stems_with_sends_bus_routing_and_automation_sum_to_the_mix(
    kind: str, tmp_path: Path
) -> None:
    residual, mix_peak = residual_db(kind, tmp_path)
    print(f"{kind}: stems residual {residual:.1f} dB, mix peak {mix_peak:.3f}")
    assert mix_peak < 0.9  # below the safety limiter's ceiling, so it leaves the mix alone
    assert residual <= -60.0
