"""Specification of restore ops: finding changed units, and putting them back on any replica."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pytest

from imbolc.core import actions as act
from imbolc.core.automation import AutomationTarget
from imbolc.core.effects import RoutingChanged, SessionChanged, TrackChanged
from imbolc.core.errors import InvalidAction
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.net.codec import Codec
from imbolc.net.messages import CommitRecord, Commits
from imbolc.net.restore import (
    COUNTERS,
    Restore,
    TrackEdit,
    apply_restore,
    capture,
    changed_keys,
    restore_between,
    units_towards,
)


def applied(project: Project, *actions: act.Action) -> Project:
    store = Store(project, clock=lambda: 0.0)
    for action in actions:
        store.dispatch(action)
    return store.state


def same_bytes(a: Project, b: Project) -> bool:
    return msgspec.msgpack.encode(a) == msgspec.msgpack.encode(b)


def test_one_knob_changes_exactly_one_instrument(make_project: Callable[[int], Project]) -> None:
    old = make_project(3)
    new = applied(old, act.SetMixerLevel(act.instrument_strip(2), 0.25))
    assert changed_keys(old, new) == [("instrument", 2)]


def test_one_note_changes_exactly_one_track(make_project: Callable[[int], Project]) -> None:
    old = make_project(3)
    new = applied(old, act.AddNote(3, 0, 240, 60))
    assert changed_keys(old, new) == [("track", 3)]


def test_adding_an_instrument_touches_it_its_track_and_the_counters(
    make_project: Callable[[int], Project],
) -> None:
    old = make_project(1)
    new = applied(old, act.AddInstrument("saw"))
    assert set(changed_keys(old, new)) == {("instrument", 2), ("track", 2), COUNTERS}


@pytest.mark.parametrize(
    "edits",
    [
        [act.DeleteInstrument(2)],
        [act.AddBus("drums"), act.AddBusEffect(9, "reverb")],
        [act.AddLane(AutomationTarget("instrument", 1, "mixer.level")), act.AddPoint(1, 0, 0.4)],
        [act.CreateClip(1, 960, "riff", (Note(0, 120, 60),)), act.PlaceClip(1, 960)],
        [act.SetMixerLevel(act.MASTER, 0.5), act.SetPlayMode("song"), act.SetLoop(0, 480)],
        [act.SetHumanize(0.2, 0.1), act.SetClick(True), act.SetBpm(97.0), act.SetKey("D")],
        [act.AddNotes(1, (Note(0, 10, 60), Note(10, 10, 62))), act.RemoveNote(1, 0, 60)],
    ],
    ids=["delete", "bus", "lane", "clip", "master-mode-loop", "settings", "notes"],
)
def test_a_restore_between_two_states_rebuilds_the_later_one_exactly(
    edits: list[act.Action], make_project: Callable[[int], Project]
) -> None:
    old = make_project(3)
    new = applied(old, *edits)
    forward, _ = apply_restore(old, restore_between(old, new, "redo", "x"))
    backward, _ = apply_restore(new, restore_between(new, old, "undo", "x"))
    assert same_bytes(forward, new)
    assert same_bytes(backward, old)


def test_a_deleted_instrument_comes_back_in_its_place(
    make_project: Callable[[int], Project],
) -> None:
    old = make_project(3)
    new = applied(old, act.DeleteInstrument(2))
    keys = changed_keys(old, new)
    back, changes = apply_restore(new, Restore("undo", "x", units_towards(new, capture(old, keys))))
    assert [i.id for i in back.instruments.items] == [1, 2, 3]
    assert [t.instrument_id for t in back.session.piano_roll.tracks] == [1, 2, 3]
    assert RoutingChanged(2, "added") in changes


def test_undoing_one_note_sends_one_note_not_the_track(
    make_project: Callable[[int], Project],
) -> None:
    notes = tuple(Note(n * 120, 60, 40 + n % 40) for n in range(10_000))
    project = make_project(1)
    roll = msgspec.structs.replace(project.session.piano_roll, tracks=(Track(1, notes),))
    old = msgspec.structs.replace(
        project, session=msgspec.structs.replace(project.session, piano_roll=roll)
    )
    new = applied(old, act.AddNote(1, 7, 30, 100))
    units = units_towards(new, capture(old, changed_keys(old, new)))
    assert units == (TrackEdit(1, ((7, 100),), ()),)
    record = CommitRecord(123_456, 3, 9_999, Restore("undo", "AddNote", units))
    assert len(Codec().payload(Commits((record,)))) < 64


def test_a_restore_reports_what_changed_for_the_engine(
    make_project: Callable[[int], Project],
) -> None:
    old = make_project(2)
    new = applied(old, act.AddNote(1, 0, 240, 60), act.SetBpm(90.0))
    _, changes = apply_restore(new, restore_between(new, old, "undo", "x"))
    assert TrackChanged(1) in changes
    assert SessionChanged("bpm") in changes


def test_a_restore_survives_the_wire(make_project: Callable[[int], Project]) -> None:
    old = make_project(3)
    new = applied(old, act.DeleteInstrument(1), act.AddBus())
    restore = restore_between(new, old, "undo", "x")
    for wire in ("msgpack", "json"):
        codec = Codec(wire)  # type: ignore[arg-type]
        record = codec.decode_server(codec.payload(Commits((CommitRecord(1, 1, 1, restore),))))
        back, _ = apply_restore(new, record.commits[0].op)
        assert same_bytes(back, old)


def test_editing_the_notes_of_a_missing_track_is_invalid(
    make_project: Callable[[int], Project],
) -> None:
    with pytest.raises(InvalidAction, match="instrument 9, which has no track"):
        apply_restore(make_project(1), Restore("undo", "x", (TrackEdit(9, (), ()),)))


def test_undoing_a_tempo_edit_restores_the_map_alone(
    make_project: Callable[[int], Project],
) -> None:
    old = applied(make_project(3), act.AddTempoChange(960, 90.0))
    new = applied(old, act.SetTempoChange(960, 70.0, True), act.SetMeterChange(2, 7, 8))
    restore = restore_between(new, old, "undo", "tempo")
    assert [type(unit).__name__ for unit in restore.units] == ["TempoMapValue"]
    for wire in ("msgpack", "json"):
        codec = Codec(wire)  # type: ignore[arg-type]
        record = codec.decode_server(codec.payload(Commits((CommitRecord(1, 1, 1, restore),))))
        back, changes = apply_restore(new, record.commits[0].op)
        assert same_bytes(back, old)
        assert SessionChanged("tempo_map") in changes
