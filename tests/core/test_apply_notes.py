"""Specification of piano-roll actions: notes, the loop and the session swing."""

from __future__ import annotations

import math

import pytest
from apply_helpers import assert_rejected, build

from imbolc.core.actions import (
    AddInstrument,
    AddNote,
    AddNotes,
    RemoveNote,
    RemoveNotesInRange,
    ReplaceNote,
    SetLoop,
    SetLooping,
    SetSwing,
)
from imbolc.core.apply import apply
from imbolc.core.effects import SESSION_SCOPE, Effects, SessionChanged, TrackChanged
from imbolc.core.errors import Conflict, InvalidAction, UnknownId, ValueOutOfRange, WrongType
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project


def track(project: Project, ident: int = 1) -> Track:
    found = project.session.piano_roll.track(ident)
    assert found is not None
    return found


THREE = (AddInstrument("saw"), AddInstrument("sine"), AddInstrument("square"))
# Instrument 1 holds C4 at beat 0, E4 at beat 1 and G4 at beat 2.
CHORD = (*THREE, AddNote(1, 0, 480, 60), AddNote(1, 480, 480, 64), AddNote(1, 960, 480, 67))
TRACK_EFFECTS = Effects((TrackChanged(1),), SESSION_SCOPE)


# --- AddNote ------------------------------------------------------------------------------


def test_add_note_puts_the_note_on_the_instruments_track() -> None:
    project, effects = apply(build(*THREE), AddNote(1, 960, 240, 62, velocity=90))
    assert track(project).notes == (Note(960, 240, 62, 90),)
    assert effects == TRACK_EFFECTS


def test_notes_are_kept_sorted_by_tick_then_pitch() -> None:
    project = build(*THREE, AddNote(1, 480, 10, 60), AddNote(1, 0, 10, 64), AddNote(1, 0, 10, 60))
    assert [n.key for n in track(project).notes] == [(0, 60), (0, 64), (480, 60)]


def test_add_note_shares_the_instruments_and_the_other_tracks() -> None:
    before = build(*CHORD, AddNote(2, 0, 480, 48))
    after, _ = apply(before, AddNote(1, 1440, 480, 72))
    assert after.instruments is before.instruments
    roll_after, roll_before = after.session.piano_roll, before.session.piano_roll
    assert roll_after.tracks[1] is roll_before.tracks[1]
    assert roll_after.tracks[2] is roll_before.tracks[2]
    assert all(a is b for a, b in zip(track(after).notes[:3], track(before).notes, strict=True))
    assert after.session.mixer is before.session.mixer
    assert after.session.automation is before.session.automation


def test_a_second_note_on_the_same_tick_and_pitch_is_a_conflict() -> None:
    assert_rejected(CHORD, AddNote(1, 0, 100, 60), Conflict)


def test_add_note_to_an_unknown_instrument_is_rejected() -> None:
    assert_rejected(THREE, AddNote(4, 0, 480, 60), UnknownId)


@pytest.mark.parametrize(
    "note",
    [
        AddNote(1, 0, 480, 128),
        AddNote(1, 0, 480, -1),
        AddNote(1, -1, 480, 60),
        AddNote(1, 0, 0, 60),
        AddNote(1, 0, 480, 60, velocity=0),
        AddNote(1, 0, 480, 60, velocity=128),
        AddNote(1, 0, 480, 60, probability=1.5),
    ],
    ids=["pitch128", "pitch-1", "tick-1", "duration0", "velocity0", "velocity128", "prob1.5"],
)
def test_add_note_with_a_value_out_of_range_is_rejected(note: AddNote) -> None:
    assert_rejected(THREE, note, ValueOutOfRange)


@pytest.mark.parametrize(
    "note",
    [
        AddNote(1, True, 480, 60),  # type: ignore[arg-type]
        AddNote(1, 0.0, 480, 60),  # type: ignore[arg-type]
        AddNote(1, 0, 480, "C4"),  # type: ignore[arg-type]
        AddNote(1, 0, 480, 60, probability=math.nan),
        AddNote(1, 0, 480, 60, probability=math.inf),
    ],
    ids=["tick-bool", "tick-float", "pitch-str", "prob-nan", "prob-inf"],
)
def test_add_note_with_a_value_of_the_wrong_type_is_rejected(note: AddNote) -> None:
    assert_rejected(THREE, note, WrongType)


# --- RemoveNote and ReplaceNote -----------------------------------------------------------


def test_remove_note_takes_away_only_that_note() -> None:
    project, effects = apply(build(*CHORD), RemoveNote(1, 480, 64))
    assert [n.pitch for n in track(project).notes] == [60, 67]
    assert effects == TRACK_EFFECTS


def test_remove_a_note_that_is_not_there_is_rejected() -> None:
    assert_rejected(CHORD, RemoveNote(1, 480, 65), UnknownId)


def test_remove_note_with_a_string_tick_is_rejected() -> None:
    assert_rejected(CHORD, RemoveNote(1, "0", 60), WrongType)  # type: ignore[arg-type]


def test_replace_note_moves_and_resizes_the_note() -> None:
    project, effects = apply(build(*CHORD), ReplaceNote(1, 0, 60, Note(1440, 120, 59, 70)))
    assert track(project).notes == (
        Note(480, 480, 64),
        Note(960, 480, 67),
        Note(1440, 120, 59, 70),
    )
    assert effects == TRACK_EFFECTS


def test_replace_note_in_place_changes_velocity() -> None:
    project, _ = apply(build(*CHORD), ReplaceNote(1, 480, 64, Note(480, 480, 64, 20)))
    assert track(project).notes[1] == Note(480, 480, 64, 20)


def test_replace_note_onto_another_note_is_a_conflict() -> None:
    assert_rejected(CHORD, ReplaceNote(1, 0, 60, Note(480, 480, 64)), Conflict)


def test_replace_a_missing_note_is_rejected() -> None:
    assert_rejected(CHORD, ReplaceNote(1, 10, 60, Note(20, 480, 60)), UnknownId)


def test_replace_note_with_a_non_note_is_rejected() -> None:
    assert_rejected(CHORD, ReplaceNote(1, 0, 60, (0, 480, 60)), InvalidAction)  # type: ignore[arg-type]


# --- AddNotes and RemoveNotesInRange ------------------------------------------------------


def test_add_notes_merges_and_replaces_notes_on_occupied_keys() -> None:
    pasted = (Note(0, 120, 60, 30), Note(240, 120, 62))
    project, effects = apply(build(*CHORD), AddNotes(1, pasted))
    assert track(project).notes == (
        Note(0, 120, 60, 30),
        Note(240, 120, 62),
        Note(480, 480, 64),
        Note(960, 480, 67),
    )
    assert effects == TRACK_EFFECTS


def test_add_notes_with_one_bad_note_adds_none() -> None:
    assert_rejected(CHORD, AddNotes(1, (Note(0, 10, 50), Note(0, 10, 200))), ValueOutOfRange)


def test_add_notes_with_a_list_is_rejected() -> None:
    assert_rejected(CHORD, AddNotes(1, [Note(0, 10, 50)]), InvalidAction)  # type: ignore[arg-type]


def test_remove_notes_in_range_removes_notes_starting_inside_the_box() -> None:
    project, effects = apply(build(*CHORD), RemoveNotesInRange(1, 0, 961, 62, 70))
    assert track(project).notes == (Note(0, 480, 60),)
    assert effects == TRACK_EFFECTS


def test_remove_notes_in_range_excludes_the_end_tick() -> None:
    project, _ = apply(build(*CHORD), RemoveNotesInRange(1, 0, 960))
    assert track(project).notes == (Note(960, 480, 67),)


def test_remove_notes_in_an_inverted_range_is_rejected() -> None:
    assert_rejected(CHORD, RemoveNotesInRange(1, 960, 0), ValueOutOfRange)


# --- loop and swing -----------------------------------------------------------------------


def test_set_loop_sets_the_region() -> None:
    project, effects = apply(build(), SetLoop(960, 3840))
    roll = project.session.piano_roll
    assert (roll.loop_start, roll.loop_end) == (960, 3840)
    assert effects == Effects((SessionChanged("loop"),), SESSION_SCOPE, "roll/loop")


def test_set_loop_ending_where_it_starts_is_rejected() -> None:
    assert_rejected((), SetLoop(960, 960), ValueOutOfRange)


def test_set_looping_off() -> None:
    project, effects = apply(build(), SetLooping(False))
    assert project.session.piano_roll.looping is False
    assert effects == Effects((SessionChanged("looping"),), SESSION_SCOPE, "roll/looping")


def test_set_looping_with_a_string_is_rejected() -> None:
    assert_rejected((), SetLooping("no"), WrongType)  # type: ignore[arg-type]


def test_set_swing() -> None:
    project, effects = apply(build(), SetSwing(0.25))
    assert project.session.piano_roll.swing == 0.25
    assert effects == Effects((SessionChanged("swing"),), SESSION_SCOPE, "roll/swing")


def test_set_swing_above_one_is_rejected() -> None:
    assert_rejected((), SetSwing(1.5), ValueOutOfRange)
