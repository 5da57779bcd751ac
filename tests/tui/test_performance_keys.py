"""Performance mode (`/`): its keys play, nothing reaches the pane, velocity is chosen, and
notes go through layers, chord shape, the live arpeggiator and a recording take."""

from __future__ import annotations

import time

import pytest
from tui_fakes import DEMO, AppFactory, FakeEngine, MemoryIO, burst

from imbolc.core.actions import SetArpeggiator, SetChordShape
from imbolc.core.instrument import Arpeggiator
from imbolc.core.store import Store
from imbolc.live_wiring import LiveSession
from imbolc.tui import ImbolcApp

pytestmark = pytest.mark.asyncio

DRUMS, BASS = DEMO.instruments.items[0], DEMO.instruments.items[1]


def notes_on(engine: FakeEngine) -> list[tuple[object, ...]]:
    return [call for call in engine.calls if call[0] == "note_on"]


async def test_letters_on_the_project_pane_play_and_never_reach_the_pane(
    make_app: AppFactory, store: Store, engine: FakeEngine, io: MemoryIO
) -> None:
    app = make_app()
    before = store.state
    async with app.run_test() as pilot:
        await pilot.press("f6", "slash", "a", "b", "c", "k", "m")
        assert store.state is before  # b (tempo), c (checkpoint), k, m (key, scale) did nothing
        assert io.checkpoints == {}
        assert [call[2] for call in notes_on(engine)] == [60, 72]  # a and k play C4, C5


async def test_only_the_exit_key_leaves_and_global_keys_still_work(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("slash", "f4", "a")
        assert app.performance.active and app.current_pane.LAYER == "mixer"
        assert len(notes_on(engine)) == 1
        await pilot.press("escape", "a")
        assert not app.performance.active
        assert len(notes_on(engine)) == 1


async def test_velocity_keys_step_the_velocity_and_the_header_shows_it(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("slash", "c", "c", "a", "v", "v", "v", "v", "s")
        velocities = [call[3] for call in notes_on(engine)]
        assert velocities == [80, 120]
        assert "vel 120" in app.header.song.text.plain


async def test_a_chord_shape_sounds_every_pitch_of_the_chord(
    make_app: AppFactory, store: Store, engine: FakeEngine
) -> None:
    store.dispatch(SetChordShape(BASS.id, "major"))
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("greater_than_sign", "slash", "a")
        assert sorted(call[2] for call in notes_on(engine)) == [60, 64, 67]
        await pilot.pause(0.5)
        offs = sorted(call[2] for call in engine.calls if call[0] == "note_off")
        assert offs == [60, 64, 67]


def live_app(store: Store, engine: FakeEngine, io: MemoryIO) -> tuple[ImbolcApp, LiveSession]:
    live = LiveSession(engine, lambda: store.state)
    return ImbolcApp(store, engine, io, None, None, live=live), live


async def test_with_live_input_an_arpeggiated_instrument_steps_its_pattern(
    store: Store, engine: FakeEngine, io: MemoryIO
) -> None:
    store.dispatch(SetArpeggiator(BASS.id, Arpeggiator(enabled=True, octaves=2, rate="sixteenth")))
    app, live = live_app(store, engine, io)
    try:
        async with app.run_test() as pilot:
            await pilot.press("greater_than_sign", "slash", "a")
            deadline = time.monotonic() + 2.0
            while len({call[2] for call in notes_on(engine)}) < 2 and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert {call[2] for call in notes_on(engine)} >= {60, 72}  # two octaves stepped
            assert live.arp is not None and live.arp.steps >= 2
    finally:
        live.shutdown()


async def test_keys_played_while_recording_a_take_land_in_the_piano_roll(
    store: Store, engine: FakeEngine, io: MemoryIO
) -> None:
    app, live = live_app(store, engine, io)
    before = store.state.session.piano_roll.track(BASS.id)
    assert before is not None
    try:
        async with app.run_test() as pilot:
            await pilot.press("greater_than_sign", "slash", "ctrl+r")
            await burst(pilot, "d")
            await pilot.pause(0.5)
            await pilot.press("ctrl+r")
            track = store.state.session.piano_roll.track(BASS.id)
            assert track is not None
            added = set(track.notes) - set(before.notes)
            assert [(note.pitch, note.velocity) for note in added] == [(64, 100)]
    finally:
        live.shutdown()
