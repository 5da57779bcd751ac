"""Arrangement (F3) keys: an empty clip, renaming, resizing placements, and editing a clip's
notes in the piano roll."""

from __future__ import annotations

import pytest
from tui_fakes import DEMO, AppFactory

from imbolc.core.arrangement import Clip, Placement
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.store import Store
from imbolc.tui.panes.piano_roll import PianoRollPane

pytestmark = pytest.mark.asyncio

BASS = DEMO.instruments.items[1]
BASS_CLIP = DEMO.session.arrangement.clips[0]
CLEAR = ("end", "ctrl+u")
"""Keys that empty a prompt's text."""


def clip(store: Store, ident: int) -> Clip:
    found = store.state.session.arrangement.clip(ident)
    assert found is not None
    return found


def placement(store: Store, ident: int) -> Placement:
    found = store.state.session.arrangement.placement(ident)
    assert found is not None
    return found


async def test_a_makes_an_empty_clip_of_the_typed_length_and_p_places_it(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "a")
        await pilot.pause()
        await pilot.press(*CLEAR, "8", "enter")  # the prompt offers one bar
        await pilot.pause()
        new = store.state.session.arrangement.clips[-1]
        assert (new.instrument_id, new.length_ticks, new.notes) == (BASS.id, 8 * TICKS_PER_BEAT, ())
        await pilot.press("p")
        placed = [p for p in store.state.session.arrangement.placements if p.clip_id == new.id]
        assert [p.start_tick for p in placed] == [0]


async def test_nonsense_clip_length_names_the_field_and_range_and_changes_nothing(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    before = store.state
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "a")
        await pilot.pause()
        await pilot.press(*CLEAR, "x", "enter")
        await pilot.pause()
        assert store.state is before
        assert any(
            "clip length in beats" in n.message and "1..4096" in n.message
            for n in app._notifications
        )


async def test_r_renames_the_clip_under_the_cursor(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "r")
        await pilot.pause()
        await pilot.press(*CLEAR, *"Hook", "enter")
        await pilot.pause()
        assert clip(store, BASS_CLIP.id).name == "Hook"


async def test_alt_arrows_resize_a_placement_and_equals_restores_its_length(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "alt+left", "alt+left")
        assert placement(store, 1).length_override == BASS_CLIP.length_ticks - 2 * TICKS_PER_BEAT
        await pilot.press("alt+right", "alt+right", "alt+right")
        assert placement(store, 1).length_override == BASS_CLIP.length_ticks + TICKS_PER_BEAT
        await pilot.press("equals_sign")
        assert placement(store, 1).length_override is None


async def test_enter_opens_the_clip_in_the_piano_roll_where_edits_change_the_clip(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    track_before = store.state.session.piano_roll.track(BASS.id)
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "enter")
        roll = app.focused
        assert isinstance(roll, PianoRollPane)
        assert roll.clip is not None and roll.clip.id == BASS_CLIP.id
        roll.cursor_tick, roll.cursor_pitch = 0, 100  # an empty spot of the clip
        await pilot.press("enter")
        assert len(clip(store, BASS_CLIP.id).notes) == len(BASS_CLIP.notes) + 1
        assert (0, 100) in {note.key for note in clip(store, BASS_CLIP.id).notes}
        first = BASS_CLIP.notes[0]
        roll.cursor_tick, roll.cursor_pitch = first.tick, first.pitch
        await pilot.press("plus")
        edited = [n for n in clip(store, BASS_CLIP.id).notes if n.key == first.key]
        assert edited[0].velocity == min(127, first.velocity + 8)
        assert store.state.session.piano_roll.track(BASS.id) is track_before
        await pilot.press("escape")
        assert app.current_pane.LAYER == "arrangement"
        await pilot.press("f2", "enter")
        assert roll.clip is None  # back on the instrument's own notes
        assert store.state.session.piano_roll.track(BASS.id) is not track_before


async def test_an_edit_made_in_a_clip_is_one_undo_step(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f3", "down", "enter")
        roll = app.focused
        assert isinstance(roll, PianoRollPane)
        roll.cursor_tick, roll.cursor_pitch = 0, 100
        await pilot.press("enter", "ctrl+z")
        assert clip(store, BASS_CLIP.id).notes == BASS_CLIP.notes
