"""Specification of the immutable model: O(1) lookups, shared indexes, derived values."""

from __future__ import annotations

import gc

import msgspec
import pytest

from imbolc.core import indexed
from imbolc.core.actions import (
    AddBus,
    AddEffect,
    AddFilter,
    AddInstrument,
    AddLane,
    AddNote,
    AddPoint,
    CreateClip,
    DeleteInstrument,
    PlaceClip,
    RemoveBus,
    RemoveLane,
    ResizePlacement,
    SetMixerLevel,
    bus_strip,
    instrument_strip,
)
from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.arrangement import flatten_notes
from imbolc.core.automation import AutomationLane, AutomationPoint, AutomationTarget
from imbolc.core.instrument import Instrument, Instruments
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project


def build(*actions: Action) -> Project:
    project = Project()
    for action in actions:
        project, _ = apply(project, action)
    return project


FOUR = tuple(AddInstrument(source) for source in ("saw", "sine", "square", "fm"))
MASTER_LEVEL = AutomationTarget("master", 0, "level")


# --- lookups by id ------------------------------------------------------------------------


def test_instruments_get_finds_each_instrument_by_id() -> None:
    insts = build(*FOUR).instruments
    assert [insts.get(n).source for n in (1, 2, 3, 4)] == ["saw", "sine", "square", "fm"]  # type: ignore[union-attr]
    assert insts.get(5) is None
    assert insts.position(3) == 2
    assert 4 in insts
    assert 5 not in insts
    assert len(insts) == 4


def test_instruments_get_sees_the_replacement_after_an_edit() -> None:
    project = build(*FOUR, SetMixerLevel(instrument_strip(3), 0.1))
    assert project.instruments.get(3).mixer.level == 0.1  # type: ignore[union-attr]
    assert project.instruments.get(2).mixer.level == 0.8  # type: ignore[union-attr]


def test_instruments_get_is_right_after_add_and_delete() -> None:
    project = build(*FOUR, DeleteInstrument(2), AddInstrument("pulse"))
    insts = project.instruments
    assert insts.get(2) is None
    assert insts.get(5).source == "pulse"  # type: ignore[union-attr]
    assert insts.position(5) == 3
    assert insts.position(3) == 1


def test_replacing_an_instrument_hands_the_same_index_to_the_new_container() -> None:
    before = build(*FOUR).instruments
    before.get(1)
    changed = Instrument(id=before.items[1].id, name="x", source="saw")
    after = before.replaced(changed)
    assert indexed._INDEXES[id(after)][1] is indexed._INDEXES[id(before)][1]
    assert after.get(2) is changed


def test_piano_roll_track_is_right_after_replace_add_and_delete() -> None:
    project = build(*FOUR, AddNote(3, 0, 480, 60), DeleteInstrument(1), AddInstrument("pulse"))
    roll = project.session.piano_roll
    assert roll.track(1) is None
    assert roll.track(3).notes == (Note(0, 480, 60),)  # type: ignore[union-attr]
    assert roll.track(5) == Track(5)  # type: ignore[arg-type]
    replaced = roll.replaced(Track(4, (Note(1, 1, 1),)))  # type: ignore[arg-type]
    assert replaced.track(4).notes == (Note(1, 1, 1),)  # type: ignore[union-attr]
    assert replaced.track(3) is roll.track(3)


def test_automation_lane_is_right_after_replace_add_and_remove() -> None:
    project = build(
        AddLane(MASTER_LEVEL),
        AddLane(AutomationTarget("global", 0, "bpm")),
        AddLane(AutomationTarget("bus", 1, "pan")),
        RemoveLane(2),
        AddPoint(3, 0, 0.5),
        AddLane(MASTER_LEVEL),
    )
    automation = project.session.automation
    assert automation.lane(2) is None
    assert automation.lane(3).points == (AutomationPoint(0, 0.5),)  # type: ignore[union-attr]
    assert automation.lane(4).target == MASTER_LEVEL  # type: ignore[union-attr]
    assert automation.lane(1).points == ()  # type: ignore[union-attr]


def test_mixer_bus_is_right_after_replace_add_and_remove() -> None:
    project = build(RemoveBus(2), SetMixerLevel(bus_strip(5), 0.3), AddBus("New"), AddBus("Ninth"))
    mixer = project.session.mixer
    assert mixer.bus(2).name == "New"  # type: ignore[union-attr]
    assert mixer.bus(9).name == "Ninth"  # type: ignore[union-attr]
    assert mixer.bus(5).level == 0.3  # type: ignore[union-attr]
    assert mixer.bus(10) is None


def test_the_index_cache_forgets_dropped_containers() -> None:
    gc.collect()
    baseline = len(indexed._INDEXES)
    containers = [
        Instruments(items=(Instrument(id=n, name="i", source="saw"),)) for n in range(500)
    ]  # type: ignore[arg-type]
    for n, container in enumerate(containers):
        assert container.get(n) is not None
    assert len(indexed._INDEXES) >= baseline + 500
    del containers, container
    gc.collect()
    assert len(indexed._INDEXES) <= baseline


def test_the_index_cache_forgets_the_states_of_a_long_edit_session() -> None:
    gc.collect()
    baseline = len(indexed._INDEXES)
    project = build(*FOUR)
    for n in range(300):
        project, _ = apply(project, SetMixerLevel(instrument_strip(1 + n % 4), n / 300))
    gc.collect()
    assert len(indexed._INDEXES) <= baseline + 5


# --- structs ------------------------------------------------------------------------------


def test_model_structs_are_frozen() -> None:
    project = build(*FOUR)
    with pytest.raises(AttributeError):
        project.instruments.items[0].name = "hacked"  # type: ignore[misc]


def test_a_populated_project_round_trips_through_msgpack() -> None:
    project = build(
        *FOUR,
        AddFilter(1, "lpf"),
        AddEffect(1, "delay"),
        AddInstrument("kit"),
        AddNote(2, 0, 480, 60),
        AddLane(MASTER_LEVEL),
        AddPoint(1, 0, 0.3, "exponential"),
        CreateClip(2, 960, notes=(Note(0, 240, 60),)),
        PlaceClip(1, 0),
    )
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(project), type=Project) == project


def test_a_project_round_trips_through_json() -> None:
    project = build(*FOUR, AddFilter(2, "hpf"), AddNote(1, 0, 480, 60))
    assert msgspec.json.decode(msgspec.json.encode(project), type=Project) == project


# --- derived values -----------------------------------------------------------------------


def test_track_find_and_window_use_tick_and_pitch() -> None:
    notes = (Note(0, 480, 60), Note(0, 480, 64), Note(480, 240, 62), Note(960, 10, 60))
    track = Track(1, notes)  # type: ignore[arg-type]
    assert track.find(0, 64) == 1
    assert track.find(480, 60) is None
    assert track.in_window(0, 960) == notes[:3]
    assert track.in_window(481, 960) == ()
    assert track.length == 970


def test_note_key_and_end() -> None:
    note = Note(tick=100, duration=50, pitch=70)
    assert note.key == (100, 70)
    assert note.end == 150


@pytest.mark.parametrize(
    ("curve", "expected"),
    [("linear", 0.5), ("exponential", 0.25), ("step", 0.0), ("s_curve", 0.5)],
)
def test_a_lane_interpolates_through_the_curve_of_the_left_point(
    curve: str, expected: float
) -> None:
    points = (AutomationPoint(0, 0.0, curve), AutomationPoint(100, 1.0))  # type: ignore[arg-type]
    lane = AutomationLane(1, MASTER_LEVEL, points)  # type: ignore[arg-type]
    assert lane.normalized_at(50) == pytest.approx(expected)


def test_a_lane_holds_its_end_values_and_scales_into_its_range() -> None:
    points = (AutomationPoint(100, 0.25), AutomationPoint(200, 0.75))
    lane = AutomationLane(1, MASTER_LEVEL, points, min_value=0.0, max_value=1.5)  # type: ignore[arg-type]
    assert lane.value_at(0) == pytest.approx(0.375)
    assert lane.value_at(1000) == pytest.approx(1.125)
    assert AutomationLane(2, MASTER_LEVEL).value_at(0) is None  # type: ignore[arg-type]


def test_flattened_song_notes_loop_a_long_placement_and_are_cached() -> None:
    project = build(
        AddInstrument("saw"),
        CreateClip(1, 480, notes=(Note(0, 100, 60), Note(240, 100, 62))),
        PlaceClip(1, 960),
        ResizePlacement(1, 1200),
    )
    arrangement = project.session.arrangement
    flat = flatten_notes(arrangement)
    assert [(n.tick, n.pitch) for n in flat[1]] == [  # type: ignore[index]
        (960, 60),
        (1200, 62),
        (1440, 60),
        (1680, 62),
        (1920, 60),
    ]
    assert flatten_notes(arrangement) is flat
    assert arrangement.length == 960 + 1200
