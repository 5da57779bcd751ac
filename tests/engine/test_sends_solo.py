"""Mute, solo and strip level silence an instrument's sends too, whatever order they came in.

Each case is played live (the actions travel the engine's incremental path) and rendered on
both engines; the mix is measured while the instrument's note sounds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from live_scores import ENGINES, Live, rms_db, window

from imbolc.core.actions import (
    AddInstrument,
    SetEnvelope,
    SetMixerLevel,
    SetMixerMute,
    SetMixerSolo,
    SetOutput,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import bus_strip, instrument_strip
from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.store import Store

SILENT_DB = -90.0
NOTE = (0.05, 0.45)
MEASURED = (0.15, 0.4)
"""After the mute's 20 ms smoothing has settled, while the note holds."""
A, B = InstrumentId(1), InstrumentId(2)
BUS_1, BUS_2 = BusId(1), BusId(2)


def two_sines() -> Store:
    """Instrument 1 (it plays) and instrument 2 (silent, there to be soloed)."""
    store = Store()
    for _ in range(2):
        store.dispatch(AddInstrument("sine"))
        ident = store.state.instruments.items[-1].id
        store.dispatch(SetEnvelope(ident, "attack", 0.0))
        store.dispatch(SetEnvelope(ident, "release", 0.0))
    return store


def send_of_a(tap: str, bus: BusId = BUS_1) -> list[Action]:
    return [
        SetSendLevel(A, bus, 1.0),
        SetSendTap(A, bus, tap),  # type: ignore[arg-type]
        SetSendEnabled(A, bus, True),
    ]


def level_of_a_played(store: Store, actions: list[Action], kind: str, tmp_path: Path) -> float:
    """Start the engine, dispatch ``actions`` live, play instrument 1: the mix's RMS in dB."""
    live = Live(store)
    for action in actions:
        store.dispatch(action)
    live.note(A, 69, *NOTE)
    audio = live.render(kind, 0.6, tmp_path)
    return rms_db(window(audio, *MEASURED))


SILENCERS: dict[str, Callable[[], list[Action]]] = {
    "muted": lambda: [SetMixerMute(instrument_strip(A), True)],
    "another soloed": lambda: [SetMixerSolo(instrument_strip(B), True)],
    "another bus soloed": lambda: [SetMixerSolo(bus_strip(BUS_2), True)],
}


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("order", ["before the send", "after the send"])
@pytest.mark.parametrize("tap", ["pre", "post"])
@pytest.mark.parametrize("silencer", sorted(SILENCERS))
def test_a_silenced_instrument_is_not_heard_through_its_send(
    silencer: str, tap: str, order: str, kind: str, tmp_path: Path
) -> None:
    silence = SILENCERS[silencer]()
    send = send_of_a(tap)
    actions = [*silence, *send] if order == "before the send" else [*send, *silence]
    assert level_of_a_played(two_sines(), actions, kind, tmp_path) < SILENT_DB


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("order", ["before the send", "after the send"])
def test_a_post_fader_send_is_silent_with_its_strip_at_zero(
    order: str, kind: str, tmp_path: Path
) -> None:
    zero, send = [SetMixerLevel(instrument_strip(A), 0.0)], send_of_a("post")
    actions = [*zero, *send] if order == "before the send" else [*send, *zero]
    assert level_of_a_played(two_sines(), actions, kind, tmp_path) < SILENT_DB


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("order", ["before the send", "after the send"])
def test_a_pre_fader_send_sounds_with_its_strip_at_zero(
    order: str, kind: str, tmp_path: Path
) -> None:
    zero, send = [SetMixerLevel(instrument_strip(A), 0.0)], send_of_a("pre")
    actions = [*zero, *send] if order == "before the send" else [*send, *zero]
    alone = level_of_a_played(two_sines(), send_of_a("pre"), kind, tmp_path / "both")
    heard = level_of_a_played(two_sines(), actions, kind, tmp_path)
    assert heard > -30.0
    assert heard < alone - 3.0  # only the send's return is left


@pytest.mark.parametrize("kind", ENGINES)
def test_post_fader_send_follows_its_strip_level(kind: str, tmp_path: Path) -> None:
    """At strip level 0.5 the post send's return is 6 dB below its return at level 1."""
    only_send = [SetOutput(A, BUS_2), SetMixerSolo(bus_strip(BUS_1), True), *send_of_a("post")]
    unity, half = SetMixerLevel(instrument_strip(A), 1.0), SetMixerLevel(instrument_strip(A), 0.5)
    full = level_of_a_played(two_sines(), [unity, *only_send], kind, tmp_path / "full")
    half_level = level_of_a_played(two_sines(), [*only_send, half], kind, tmp_path)
    assert full > -30.0
    assert half_level - full == pytest.approx(-6.02, abs=0.2)


@pytest.mark.parametrize("kind", ENGINES)
def test_soloing_a_bus_keeps_only_what_reaches_it(kind: str, tmp_path: Path) -> None:
    """With bus 2 soloed, instrument 1's direct sound and its send to bus 1 are gone; its send
    to bus 2 is heard alone."""
    solo = [SetMixerSolo(bus_strip(BUS_2), True)]
    to_bus_2 = level_of_a_played(two_sines(), [*solo, *send_of_a("pre", BUS_2)], kind,
                                 tmp_path / "two")  # fmt: skip
    to_bus_1 = level_of_a_played(two_sines(), [*solo, *send_of_a("pre", BUS_1)], kind, tmp_path)
    assert to_bus_1 < SILENT_DB
    # The send (level 1) into bus 2 (level 0.8): 0.8 of the direct strip's (level 0.8) output.
    assert to_bus_2 > -30.0


@pytest.mark.parametrize("kind", ENGINES)
def test_unsoloing_brings_the_send_back(kind: str, tmp_path: Path) -> None:
    solo, unsolo = SetMixerSolo(instrument_strip(B), True), SetMixerSolo(instrument_strip(B), False)
    back = level_of_a_played(two_sines(), [solo, *send_of_a("post"), unsolo], kind, tmp_path)
    plain = level_of_a_played(two_sines(), send_of_a("post"), kind, tmp_path / "plain")
    assert back == pytest.approx(plain, abs=0.1)
