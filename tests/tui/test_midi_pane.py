"""The MIDI pane (F10) from the keys: ports on a real JACK server, learn, mappings, routing,
the pitch wheel and recorded takes, each asserted on the project."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest
from textual.pilot import Pilot
from tui_fakes import FakeEngine, MemoryIO

from imbolc.core.automation import AutomationTarget
from imbolc.core.config import MidiConfig
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.store import Store
from imbolc.engine.processes import JackdProcess
from imbolc.live import RtMidiInput, RtMidiOutput
from imbolc.live_wiring import LiveSession
from imbolc.tui import ImbolcApp

KNOBS = "jack: test-knobs:knobs"


@pytest.fixture
def knobs(jack: JackdProcess) -> Iterator[RtMidiOutput]:
    device = RtMidiOutput("knobs", api="jack", client="test-knobs")
    yield device
    device.close()


@pytest.fixture
def live(store: Store, engine: FakeEngine, knobs: RtMidiOutput) -> Iterator[LiveSession]:
    session = LiveSession(engine, lambda: store.state, RtMidiInput(), MidiConfig(input=""))
    session.start()
    yield session
    session.shutdown()


def app_with(store: Store, engine: FakeEngine, live: LiveSession) -> ImbolcApp:
    return ImbolcApp(store, engine, MemoryIO(), Path("/songs/demo.imbolc"), None, None, live)


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.01)


def shown(app: ImbolcApp) -> str:
    return str(app.query_one("#midi").render())


async def test_f10_lists_the_jack_ports_and_enter_listens_to_one(
    store: Store, engine: FakeEngine, live: LiveSession, knobs: RtMidiOutput
) -> None:
    app = app_with(store, engine, live)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        assert f"○ {KNOBS}" in shown(app)
        pane = app.panes["midi"]
        pane.row = pane.port_names.index(KNOBS)  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert live.opened() == [KNOBS]
        assert f"● {KNOBS}" in shown(app)
        knobs.send([0x90, 60, 100])
        await until(pilot, lambda: ("note_on", 1, 60, 100) in engine.calls)  # the kit, selected
        await pilot.press("enter")
        assert live.opened() == []


async def test_i_f_and_t_set_the_midi_input(
    store: Store, engine: FakeEngine, live: LiveSession
) -> None:
    app = app_with(store, engine, live)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f10", "i")
        assert store.state.session.midi.live_input_instrument == 1
        await pilot.press("f", "f", "t")
        midi = store.state.session.midi
        assert (midi.channel_filter, midi.note_passthrough) == (1, False)
        await pilot.press("F", "F", "i")
        midi = store.state.session.midi
        assert (midi.live_input_instrument, midi.channel_filter) == (None, None)


async def test_c_routes_a_channel_to_the_selected_instrument(
    store: Store, engine: FakeEngine, live: LiveSession
) -> None:
    app = app_with(store, engine, live)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press(">", "f10", "c")  # Bass
        routes = store.state.session.midi.channel_routes
        assert [(r.channel, r.instrument_id) for r in routes] == [(0, 2)]
        await pilot.press("c")
        routes = store.state.session.midi.channel_routes
        assert [(r.channel, r.instrument_id) for r in routes] == [(1, 2)]
        assert "channel 2 → Bass" in shown(app)
        await pilot.press("C")
        assert store.state.session.midi.channel_routes == ()


async def test_l_learns_the_knob_moved_and_the_mapping_drives_the_parameter(
    store: Store, engine: FakeEngine, live: LiveSession, knobs: RtMidiOutput
) -> None:
    live.choose([KNOBS])
    app = app_with(store, engine, live)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press(">", "f10", "l")
        await pilot.press(*"mixer.pan", "enter")
        assert "move a knob to map Bass mixer.pan" in shown(app)
        knobs.send([0xB3, 21, 64])  # CC 21 on channel 4
        target = AutomationTarget("instrument", 2, "mixer.pan")
        await until(pilot, lambda: bool(store.state.session.midi.cc_mappings))
        (mapping,) = store.state.session.midi.cc_mappings
        assert (mapping.cc, mapping.channel, mapping.target) == (21, 3, target)
        assert (mapping.min_value, mapping.max_value) == (-1.0, 1.0)
        knobs.send([0xB3, 21, 127])  # now the knob turns the pan, as a knob turn would
        await until(pilot, lambda: store.state.instruments.get(2).mixer.pan == 1.0)  # type: ignore[union-attr]
        pane = app.panes["midi"]
        pane.row = len(pane.port_names)  # type: ignore[attr-defined]
        await pilot.press("]", "{")
        (mapping,) = store.state.session.midi.cc_mappings
        assert (mapping.min_value, mapping.max_value) == (pytest.approx(-0.9), pytest.approx(0.9))
        await pilot.press("x")
        assert store.state.session.midi.cc_mappings == ()


async def test_b_chooses_what_the_pitch_wheel_bends_and_plus_widens_it(
    store: Store, engine: FakeEngine, live: LiveSession
) -> None:
    app = app_with(store, engine, live)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press(">", "f10", "b")
        await pilot.press(*"mixer.pan", "enter")
        bend = store.state.session.midi.pitch_bend
        assert bend is not None and bend.target == AutomationTarget("instrument", 2, "mixer.pan")
        await pilot.press("+" if bend.range < 1.0 else "-")
        moved = store.state.session.midi.pitch_bend
        assert moved is not None and moved.range == pytest.approx(min(1.0, bend.range + 0.05))
        await pilot.press("-", "-")
        moved = store.state.session.midi.pitch_bend
        assert moved is not None and moved.range == pytest.approx(bend.range - 0.05)
        await pilot.press("B")
        assert store.state.session.midi.pitch_bend is None


START = 16.0 * TICKS_PER_BEAT  # four bars in, past the eight-beat count-in


async def test_ctrl_r_records_a_take_into_the_piano_roll_as_one_undo_step(
    store: Store, engine: FakeEngine, live: LiveSession, knobs: RtMidiOutput
) -> None:
    live.choose([KNOBS])
    app = app_with(store, engine, live)
    before = store.state.session.piano_roll
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press(">", "f10", "o", "n")  # Bass; replace; count-in 8 beats
        engine._transport = msgspec.structs.replace(engine._transport, tick=START)
        await pilot.press("ctrl+r")
        assert live.recording
        assert engine.calls[-1] == ("count_in", START, 8)  # 8 clicked beats into the take
        engine._transport = msgspec.structs.replace(engine._transport, tick=START + 20)
        knobs.send([0x90, 50, 77])
        await until(pilot, lambda: ("note_on", 2, 50, 77) in engine.calls)
        engine._transport = msgspec.structs.replace(engine._transport, tick=START + 320)
        knobs.send([0x80, 50, 0])
        await until(pilot, lambda: ("note_off", 2, 50) in engine.calls)
        await pilot.press("ctrl+r")
        assert not live.recording
        track = store.state.session.piano_roll.track(2)
        assert track is not None
        recorded = [n for n in track.notes if n.tick >= START]
        assert [(n.tick, n.duration, n.pitch, n.velocity) for n in recorded] == [
            (START + 20, 300, 50, 77)
        ]
        await pilot.press("ctrl+z")
        assert store.state.session.piano_roll is before


async def test_shift_l_in_the_editor_learns_the_parameter_under_the_cursor(
    store: Store, engine: FakeEngine, live: LiveSession, knobs: RtMidiOutput
) -> None:
    live.choose([KNOBS])
    app = app_with(store, engine, live)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f1", "down", "enter")  # Bass in the editor, cursor on its first row
        assert app.current_pane.LAYER == "editor"
        row = app.current_pane.row  # type: ignore[attr-defined]
        await pilot.press("L")
        knobs.send([0xB0, 30, 10])
        await until(pilot, lambda: bool(store.state.session.midi.cc_mappings))
        (mapping,) = store.state.session.midi.cc_mappings
        assert mapping.cc == 30 and mapping.target.owner == 2
        assert mapping.target.parameter == f"source.{row.label}"


async def test_a_port_that_appears_shows_up_in_the_pane_by_itself(
    store: Store, engine: FakeEngine, live: LiveSession
) -> None:
    app = app_with(store, engine, live)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f10")
        late = RtMidiOutput("late", api="jack", client="test-late")
        try:
            await until(pilot, lambda: "jack: test-late:late" in shown(app))
        finally:
            late.close()
        await until(pilot, lambda: "jack: test-late:late" not in shown(app))
