"""Piano roll (F2), drum sequencer (F2 on a kit) and arrangement (F3): keys change the store."""

from __future__ import annotations

import pytest
from tui_fakes import DEMO, AppFactory, FakeEngine, burst

from imbolc.core.notes import TICKS_PER_BEAT, Note, Track
from imbolc.core.store import Store
from imbolc.tui.panes.drums import DrumsPane
from imbolc.tui.panes.piano_roll import PianoRollPane

pytestmark = pytest.mark.asyncio

DRUMS, BASS = DEMO.instruments.items[0], DEMO.instruments.items[1]
LEAD = DEMO.instruments.items[3]


def track(store: Store, instrument_id: int) -> Track:
    found = store.state.session.piano_roll.track(instrument_id)
    assert found is not None
    return found


def steps(store: Store, pad: int) -> list[bool]:
    inst = store.state.instruments.get(DRUMS.id)
    assert inst is not None and inst.kit is not None
    return [step.active for step in inst.kit.patterns[inst.kit.current_pattern].steps[pad]]


async def open_roll(app: object, pilot: object, down: int = 1) -> PianoRollPane:
    await pilot.press(*["down"] * down, "f2")  # type: ignore[attr-defined]
    roll = app.focused  # type: ignore[attr-defined]
    assert isinstance(roll, PianoRollPane)
    return roll


async def test_enter_places_a_note_at_the_cursor_and_removes_it_again(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        await pilot.press("up", "right", "enter")
        tick, pitch = roll.step, roll.cursor_pitch
        assert track(store, BASS.id).find(tick, pitch) is not None
        await pilot.press("enter")
        assert track(store, BASS.id).find(tick, pitch) is None


async def test_velocity_and_duration_keys_change_the_note_under_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        roll.cursor_tick, roll.cursor_pitch = 0, 33  # the bass's first note (A1)
        await pilot.press("plus", "alt+right")
        note = track(store, BASS.id).notes[0]
        assert (note.velocity, note.duration) == (118, 5 * TICKS_PER_BEAT // 12 + roll.step)


async def test_loop_bounds_and_looping_follow_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        await pilot.press("right", "right", "left_square_bracket")
        roll.cursor_tick = 6 * roll.step
        await pilot.press("right_square_bracket", "l")
        session_roll = store.state.session.piano_roll
        assert (session_roll.loop_start, session_roll.loop_end) == (2 * roll.step, 7 * roll.step)
        assert session_roll.looping is False


async def test_a_selection_is_copied_and_pasted_at_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot, down=3)  # the lead: a note at tick 0, pitch 76
        roll.cursor_tick, roll.cursor_pitch = 0, 76
        await pilot.press("shift+right", "ctrl+c")
        assert app.ws.clipboard == (Note(0, 2 * TICKS_PER_BEAT - TICKS_PER_BEAT // 16, 76, 95),)
        roll.cursor_tick = 64 * roll.step
        await pilot.press("ctrl+v")
        assert track(store, LEAD.id).find(64 * roll.step, 76) is not None


async def test_cut_removes_the_selected_notes_in_one_undo_step(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot, down=3)
        roll.cursor_tick, roll.cursor_pitch = 0, 70
        roll.selection_anchor = (0, 70)
        roll.cursor_tick, roll.cursor_pitch = 15 * roll.step, 80
        await pilot.press("ctrl+x")
        assert len(track(store, LEAD.id).notes) < 9
        await pilot.press("ctrl+z")
        assert len(track(store, LEAD.id).notes) == 9


async def test_zoom_changes_the_grid_step(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        await pilot.press("z")
        assert roll.step == TICKS_PER_BEAT // 8
        await pilot.press("x", "x")
        assert roll.step == TICKS_PER_BEAT // 2


async def test_the_playhead_is_shown_only_while_playing(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        assert roll.playhead is None
        engine.seek(960.0)
        await pilot.press("space")
        assert roll.playhead == 960
        await pilot.press("space")
        await pilot.pause(0.1)
        assert roll.playhead is None


async def test_enter_toggles_a_drum_step(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2")
        assert isinstance(app.focused, DrumsPane)
        await pilot.press("down", "right", "enter")
        assert steps(store, 1)[1] is True


async def test_velocity_and_probability_keys_set_the_step(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2", "minus", "p")
        inst = store.state.instruments.get(DRUMS.id)
        assert inst is not None and inst.kit is not None
        step = inst.kit.patterns[0].steps[0][0]
        assert (step.active, step.velocity, step.probability) == (True, 100, 0.75)


async def test_patterns_lengths_and_resolution_are_chosen_by_key(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2", "right_square_bracket", "right_curly_bracket", "r")
        inst = store.state.instruments.get(DRUMS.id)
        assert inst is not None and inst.kit is not None
        assert inst.kit.current_pattern == 1
        assert inst.kit.patterns[1].length == 24
        assert inst.kit.resolution == "thirty_second"


async def test_euclidean_fill_and_clearing(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2", "down", "e")
        await burst(pilot, "3", "enter")
        assert sum(steps(store, 1)) == 3
        await pilot.press("x")
        assert not any(steps(store, 1))
        await pilot.press("X")
        assert not any(any(steps(store, pad)) for pad in range(12))


async def test_a_clip_is_captured_placed_moved_duplicated_and_removed(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "n")  # the bass lane; the whole loop becomes a clip
        arrangement = store.state.session.arrangement
        clip = arrangement.clips[-1]
        assert clip.instrument_id == BASS.id
        app.panes["arrangement"].column = 32  # type: ignore[attr-defined]
        await pilot.press("p")
        placed = store.state.session.arrangement.placements[-1]
        assert (placed.clip_id, placed.start_tick) == (clip.id, 32 * TICKS_PER_BEAT)
        await pilot.press("shift+right")
        assert store.state.session.arrangement.placements[-1].start_tick == 33 * TICKS_PER_BEAT
        await pilot.press("y")
        assert len(store.state.session.arrangement.placements) == len(arrangement.placements) + 2
        await pilot.press("d")
        assert len(store.state.session.arrangement.placements) == len(arrangement.placements) + 1


async def test_m_switches_between_song_and_pattern_mode(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "m")
        assert store.state.session.arrangement.play_mode == "song"


async def test_deleting_a_clip_removes_its_placements(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "D")
        arrangement = store.state.session.arrangement
        assert all(clip.instrument_id != BASS.id for clip in arrangement.clips)
        assert len(arrangement.placements) == 4


SIXTEENTH, THIRTY_SECOND = TICKS_PER_BEAT // 4, TICKS_PER_BEAT // 8


@pytest.mark.parametrize(
    ("snap", "after_zoom", "after_move"),
    [(True, 0, SIXTEENTH), (False, THIRTY_SECOND, THIRTY_SECOND + SIXTEENTH)],
)
async def test_the_roll_cursor_honours_snap(
    make_app: AppFactory, store: Store, snap: bool, after_zoom: int, after_move: int
) -> None:
    """One step right on the 1/32 grid, then back out to the 1/16 grid: with snap on the
    cursor lands on that grid, with snap off it keeps its place between grid lines."""
    from imbolc.core.actions import SetSnap

    store.dispatch(SetSnap(snap))
    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        await pilot.press("z", "right", "x")
        assert roll.step == SIXTEENTH
        assert roll.cursor_tick == after_zoom
        await pilot.press("right")
        assert roll.cursor_tick == after_move


async def test_the_roll_draws_bars_in_the_instrument_s_own_time_signature(
    make_app: AppFactory, store: Store
) -> None:
    from msgspec.structs import replace

    from imbolc.core.actions import SetGroove

    app = make_app()
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        ident = app.ws.selected_id  # type: ignore[attr-defined]
        bar, three = 4 * TICKS_PER_BEAT, 3 * TICKS_PER_BEAT
        assert roll.meter_map().bar_starts(0, 4 * bar) == {0, bar, 2 * bar, 3 * bar}
        inst = store.state.instruments.get(ident)
        assert inst is not None
        store.dispatch(SetGroove(ident, replace(inst.groove, time_signature=(3, 4))))
        await pilot.pause()
        assert roll.meter_map().bar_starts(0, 4 * bar) == {n * three for n in range(6)}


@pytest.mark.parametrize(("lock", "entered"), [(True, 60), (False, 61)])
async def test_the_scale_lock_moves_a_roll_entry_to_the_nearest_scale_tone(
    make_app: AppFactory, store: Store, lock: bool, entered: int
) -> None:
    """The demo is in A minor: C#4 is not in it, and its nearest tones tie (C, D): down to C."""
    app = make_app()
    app.ws.scale_lock = lock  # type: ignore[attr-defined]
    async with app.run_test() as pilot:
        roll = await open_roll(app, pilot)
        roll.cursor_pitch = 61
        await pilot.press("enter")
        notes = track(store, BASS.id).notes
        assert track(store, BASS.id).find(0, entered) is not None, notes
        assert roll.cursor_pitch == entered


@pytest.mark.parametrize(("snap", "moved"), [(True, 33), (False, 33.125)])
async def test_moving_a_placement_honours_snap(
    make_app: AppFactory, store: Store, snap: bool, moved: float
) -> None:
    """A placement an eighth of a beat off the beat grid, moved one beat later: with snap on
    it lands on the grid, with snap off it keeps its offset."""
    from imbolc.core.actions import MovePlacement, SetSnap

    store.dispatch(SetSnap(snap))
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "n")
        app.panes["arrangement"].column = 32  # type: ignore[attr-defined]
        await pilot.press("p")
        placed = store.state.session.arrangement.placements[-1]
        store.dispatch(MovePlacement(placed.id, 32 * TICKS_PER_BEAT + TICKS_PER_BEAT // 8))
        app.panes["arrangement"].column = 33  # type: ignore[attr-defined]  # inside it
        await pilot.press("shift+right")
        start = store.state.session.arrangement.placements[-1].start_tick
        assert start == moved * TICKS_PER_BEAT
