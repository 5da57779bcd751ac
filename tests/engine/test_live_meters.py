"""Live meters on both realtime engines: a watched instrument and a watched bus show their
signal (the instrument's before its strip, the bus's after its effects, before its level)."""

from __future__ import annotations

import shutil
import time
from typing import Any

import numpy as np
import pytest

from imbolc.core.actions import (
    AddInstrument,
    SetInstrumentActive,
    SetMixerLevel,
    SetOutput,
    SetSourceParam,
)
from imbolc.core.actions.mixer import bus_strip
from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.ports import Meters
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.engine.embedded.realtime import EmbeddedRealtime
from imbolc.engine.embedded.server import ServerOptions as EmbeddedOptions
from imbolc.engine.realtime import RealtimeEngine
from imbolc.engine.server import ServerOptions

BUS = BusId(1)
TONE = 0.5
"""audio_in's test tone peaks at 0.5 times its gain (1)."""


def tone_into_bus() -> tuple[Project, InstrumentId]:
    """An active audio_in sounding its test tone (no note needed) into bus 1, which is at 0:
    the master hears nothing, the bus meter still reads its signal."""
    store = Store()
    store.dispatch(AddInstrument("audio_in"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetInstrumentActive(ident, True))
    store.dispatch(SetSourceParam(ident, "test_tone", 1.0))
    store.dispatch(SetOutput(ident, BUS))
    store.dispatch(SetMixerLevel(bus_strip(BUS), 0.0))
    return store.state, ident


def check(meters: Meters, ident: InstrumentId) -> None:
    assert meters.instruments[ident][0] == pytest.approx(TONE, rel=0.05)
    # The strip (level 0.8, stereo balance: unity at the centre) feeds the bus.
    assert meters.buses[BUS][0] == pytest.approx(TONE * 0.8, rel=0.05)
    assert meters.master[0] < 1e-4  # the bus at 0 sends nothing on


@pytest.mark.scsynth
@pytest.mark.skipif(
    shutil.which("scsynth") is None or shutil.which("jackd") is None,
    reason="scsynth/jackd not installed (CI installs them)",
)
def test_scsynth_meters_a_watched_instrument_and_bus() -> None:
    project, ident = tone_into_bus()
    engine = RealtimeEngine(project, ServerOptions(dummy_audio=True))
    engine.start()
    try:
        engine.watch_meters({ident}, {BUS})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and BUS not in engine.meters().buses:
            time.sleep(0.05)
        time.sleep(0.3)
        check(engine.meters(), ident)
    finally:
        engine.shutdown()


class FakeStream:
    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_embedded_engine_meters_a_watched_instrument_and_bus() -> None:
    project, ident = tone_into_bus()
    callbacks: list[Any] = []

    def output(callback: Any, options: EmbeddedOptions) -> tuple[FakeStream, str]:
        callbacks.append(callback)
        return FakeStream(), "fake output"

    engine = EmbeddedRealtime(project, EmbeddedOptions(), open_stream=output)
    engine.start()
    try:
        engine.watch_meters({ident}, {BUS})
        time.sleep(0.3)  # the audio thread builds the meters
        (callback,) = callbacks
        out = np.zeros((256, 2), dtype=np.float32)
        for _ in range(100):
            callback(out, 256, None, None)
        check(engine.meters(), ident)
    finally:
        engine.shutdown()
