"""Specification of arrangement and automation actions."""

from __future__ import annotations

import math

import pytest
from apply_helpers import assert_rejected, build

from imbolc.core.actions import (
    AddFilter,
    AddInstrument,
    AddLane,
    AddNote,
    AddPoint,
    CaptureClip,
    ClearLane,
    CreateClip,
    DeleteClip,
    DuplicatePlacement,
    MovePlacement,
    MovePoint,
    PlaceClip,
    RemoveLane,
    RemovePlacement,
    RemovePoint,
    RenameClip,
    ResizePlacement,
    SetClipNotes,
    SetLaneArmed,
    SetLaneEnabled,
    SetLaneRange,
    SetPlayMode,
    SetPointCurve,
)
from imbolc.core.apply import apply
from imbolc.core.arrangement import Arrangement, Clip, Placement
from imbolc.core.automation import AutomationLane, AutomationPoint, AutomationTarget
from imbolc.core.effects import SESSION_SCOPE, ArrangementChanged, Effects, LaneChanged
from imbolc.core.errors import InvalidAction, UnknownId, ValueOutOfRange, WrongType
from imbolc.core.notes import Note
from imbolc.core.project import Project


def arrangement(project: Project) -> Arrangement:
    return project.session.arrangement


def lane(project: Project, ident: int = 1) -> AutomationLane:
    found = project.session.automation.lane(ident)
    assert found is not None
    return found


ARRANGED = Effects((ArrangementChanged(),), SESSION_SCOPE)
SAW = (AddInstrument("saw"),)
RIFF = (Note(480, 240, 64), Note(0, 240, 60))
# Clip 1 (one bar of instrument 1) is placed at 0 (placement 1) and at 3840 (placement 2).
PLACED = (*SAW, CreateClip(1, 1920, "Riff", RIFF), PlaceClip(1, 0), PlaceClip(1, 3840))
LEVEL = AutomationTarget("instrument", 1, "mixer.level")
# Lane 1 drives instrument 1's level with points at 0 and 960.
LANE = (*SAW, AddLane(LEVEL), AddPoint(1, 0, 0.0), AddPoint(1, 960, 1.0))


# --- clips --------------------------------------------------------------------------------


def test_create_clip_holds_the_notes_sorted() -> None:
    project, effects = apply(build(*SAW), CreateClip(1, 1920, "Riff", RIFF))
    assert arrangement(project).clips == (
        Clip(1, "Riff", 1, 1920, tuple(sorted(RIFF, key=lambda n: n.key))),
    )
    assert arrangement(project).next_clip_id == 2
    assert effects == ARRANGED


def test_create_clip_without_a_name_is_named_after_the_instrument() -> None:
    project = build(*SAW, CreateClip(1, 960))
    assert arrangement(project).clips[0].name == "saw-1 1"


def test_create_clip_shares_the_instruments_and_piano_roll() -> None:
    before = build(*SAW, AddNote(1, 0, 10, 60))
    after, _ = apply(before, CreateClip(1, 960))
    assert after.instruments is before.instruments
    assert after.session.piano_roll is before.session.piano_roll


def test_create_clip_for_an_unknown_instrument_is_rejected() -> None:
    assert_rejected(SAW, CreateClip(2, 960), UnknownId)


def test_create_clip_of_zero_length_is_rejected() -> None:
    assert_rejected(SAW, CreateClip(1, 0), ValueOutOfRange)


def test_create_clip_with_a_bad_note_is_rejected() -> None:
    assert_rejected(SAW, CreateClip(1, 960, notes=(Note(0, 10, 300),)), ValueOutOfRange)


def test_capture_clip_takes_the_window_of_notes_and_lanes() -> None:
    setup = (
        *LANE,
        AddPoint(1, 2000, 0.5),
        AddNote(1, 0, 240, 60),
        AddNote(1, 960, 240, 62),
        AddNote(1, 1920, 240, 64),
    )
    project, effects = apply(build(*setup), CaptureClip(1, 960, 1920, "Bar"))
    clip = arrangement(project).clips[0]
    assert clip.length_ticks == 960
    assert clip.notes == (Note(0, 240, 62),)
    assert [p.tick for p in clip.lanes[0].points] == [0]
    assert effects == ARRANGED


def test_capture_clip_with_an_empty_window_is_rejected() -> None:
    assert_rejected(SAW, CaptureClip(1, 960, 960), ValueOutOfRange)


def test_delete_clip_removes_it_and_every_placement() -> None:
    setup = (*PLACED, CreateClip(1, 960), PlaceClip(2, 960))
    project, effects = apply(build(*setup), DeleteClip(1))
    assert [c.id for c in arrangement(project).clips] == [2]
    assert [p.clip_id for p in arrangement(project).placements] == [2]
    assert effects == ARRANGED


def test_delete_unknown_clip_is_rejected() -> None:
    assert_rejected(PLACED, DeleteClip(5), UnknownId)


def test_rename_clip() -> None:
    project, effects = apply(build(*PLACED), RenameClip(1, "Hook"))
    assert arrangement(project).clips[0].name == "Hook"
    assert effects == ARRANGED


def test_rename_clip_with_a_non_string_is_rejected() -> None:
    assert_rejected(PLACED, RenameClip(1, 7), WrongType)  # type: ignore[arg-type]


def test_set_clip_notes_replaces_the_notes_sorted() -> None:
    project, effects = apply(build(*PLACED), SetClipNotes(1, (Note(960, 120, 67), Note(0, 60, 48))))
    assert arrangement(project).clips[0].notes == (Note(0, 60, 48), Note(960, 120, 67))
    assert arrangement(project).clips[0].length_ticks == 1920
    assert effects == ARRANGED


def test_set_clip_notes_with_two_notes_on_one_tick_and_pitch_is_rejected() -> None:
    assert_rejected(PLACED, SetClipNotes(1, (Note(0, 60, 48), Note(0, 90, 48))), InvalidAction)


def test_set_clip_notes_of_an_unknown_clip_is_rejected() -> None:
    assert_rejected(PLACED, SetClipNotes(9, ()), UnknownId)


# --- placements ---------------------------------------------------------------------------


def test_place_clip_adds_placements_sorted_by_start() -> None:
    project, effects = apply(build(*PLACED), PlaceClip(1, 1920))
    assert arrangement(project).placements == (
        Placement(1, 1, 0),
        Placement(3, 1, 1920),
        Placement(2, 1, 3840),
    )
    assert arrangement(project).length == 3840 + 1920
    assert effects == ARRANGED


def test_place_unknown_clip_is_rejected() -> None:
    assert_rejected(PLACED, PlaceClip(9, 0), UnknownId)


def test_place_clip_before_zero_is_rejected() -> None:
    assert_rejected(PLACED, PlaceClip(1, -1), ValueOutOfRange)


def test_move_placement_resorts_the_timeline() -> None:
    project, effects = apply(build(*PLACED), MovePlacement(1, 7680))
    assert [(p.id, p.start_tick) for p in arrangement(project).placements] == [
        (2, 3840),
        (1, 7680),
    ]
    assert effects == ARRANGED


def test_move_unknown_placement_is_rejected() -> None:
    assert_rejected(PLACED, MovePlacement(9, 0), UnknownId)


def test_resize_placement_sets_and_clears_the_override() -> None:
    project, effects = apply(build(*PLACED), ResizePlacement(2, 960))
    assert arrangement(project).placement(2) == Placement(2, 1, 3840, 960)
    assert effects == ARRANGED
    back, _ = apply(project, ResizePlacement(2, None))
    assert arrangement(back).placement(2) == Placement(2, 1, 3840)


def test_resize_placement_to_zero_is_rejected() -> None:
    assert_rejected(PLACED, ResizePlacement(1, 0), ValueOutOfRange)


def test_duplicate_placement_places_the_clip_right_after_and_keeps_its_length() -> None:
    setup = (*PLACED, ResizePlacement(2, 960))
    project, effects = apply(build(*setup), DuplicatePlacement(2))
    assert arrangement(project).placement(3) == Placement(3, 1, 3840 + 960, 960)
    assert effects == ARRANGED


def test_duplicate_unknown_placement_is_rejected() -> None:
    assert_rejected(PLACED, DuplicatePlacement(3), UnknownId)


def test_remove_placement_keeps_the_clip() -> None:
    project, effects = apply(build(*PLACED), RemovePlacement(1))
    assert [p.id for p in arrangement(project).placements] == [2]
    assert len(arrangement(project).clips) == 1
    assert effects == ARRANGED


def test_set_play_mode_to_song() -> None:
    project, effects = apply(build(), SetPlayMode("song"))
    assert arrangement(project).play_mode == "song"
    assert effects == ARRANGED


def test_set_play_mode_to_an_unknown_mode_is_rejected() -> None:
    assert_rejected((), SetPlayMode("loop"), InvalidAction)  # type: ignore[arg-type]


# --- lanes --------------------------------------------------------------------------------


def test_add_lane_takes_the_parameters_own_range() -> None:
    project, effects = apply(build(*SAW), AddLane(LEVEL))
    assert lane(project) == AutomationLane(1, LEVEL, min_value=0.0, max_value=1.5)
    assert project.session.automation.next_lane_id == 2
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_add_lane_with_a_narrower_range() -> None:
    project = build(*SAW, AddLane(AutomationTarget("instrument", 1, "source.freq"), 100.0, 800.0))
    assert (lane(project).min_value, lane(project).max_value) == (100.0, 800.0)


@pytest.mark.parametrize(
    "target",
    [
        AutomationTarget("instrument", 1, "chain.1.cutoff"),
        AutomationTarget("bus", 3, "pan"),
        AutomationTarget("master", 0, "level"),
        AutomationTarget("global", 0, "bpm"),
    ],
    ids=["stage", "bus", "master", "bpm"],
)
def test_add_lane_accepts_every_kind_of_target(target: AutomationTarget) -> None:
    project = build(*SAW, AddFilter(1, "lpf"), AddLane(target))
    assert lane(project).target == target


def test_add_lane_for_a_parameter_that_does_not_exist_is_rejected() -> None:
    assert_rejected(SAW, AddLane(AutomationTarget("instrument", 1, "source.wobble")), InvalidAction)


def test_add_lane_for_an_unknown_instrument_is_rejected() -> None:
    assert_rejected(SAW, AddLane(AutomationTarget("instrument", 4, "mixer.level")), UnknownId)


def test_add_lane_for_an_unknown_bus_is_rejected() -> None:
    assert_rejected(SAW, AddLane(AutomationTarget("bus", 30, "level")), UnknownId)


def test_add_lane_with_a_bool_owner_is_rejected() -> None:
    target = AutomationTarget("instrument", True, "mixer.level")  # type: ignore[arg-type]
    assert_rejected(SAW, AddLane(target), WrongType)


def test_add_lane_with_a_range_wider_than_the_parameter_is_rejected() -> None:
    assert_rejected(SAW, AddLane(LEVEL, 0.0, 2.0), ValueOutOfRange)


def test_remove_lane() -> None:
    project, effects = apply(build(*LANE), RemoveLane(1))
    assert project.session.automation.lanes == ()
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_remove_unknown_lane_is_rejected() -> None:
    assert_rejected(LANE, RemoveLane(2), UnknownId)


def test_set_lane_enabled() -> None:
    project, effects = apply(build(*LANE), SetLaneEnabled(1, False))
    assert lane(project).enabled is False
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_set_lane_armed() -> None:
    project, effects = apply(build(*LANE), SetLaneArmed(1, True))
    assert lane(project).armed is True
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_set_lane_range() -> None:
    project, effects = apply(build(*LANE), SetLaneRange(1, 0.2, 1.0))
    assert (lane(project).min_value, lane(project).max_value) == (0.2, 1.0)
    assert lane(project).value_at(480) == pytest.approx(0.6)
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_set_lane_range_upside_down_is_rejected() -> None:
    assert_rejected(LANE, SetLaneRange(1, 1.0, 0.5), ValueOutOfRange)


# --- points -------------------------------------------------------------------------------


def test_add_point_keeps_points_sorted_and_shares_other_lanes() -> None:
    setup = (*LANE, AddLane(AutomationTarget("master", 0, "level")))
    before = build(*setup)
    project, effects = apply(before, AddPoint(1, 480, 0.25, "step"))
    assert lane(project).points == (
        AutomationPoint(0, 0.0),
        AutomationPoint(480, 0.25, "step"),
        AutomationPoint(960, 1.0),
    )
    assert lane(project, 2) is lane(before, 2)
    assert project.instruments is before.instruments
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_add_point_on_an_occupied_tick_replaces_it() -> None:
    project = build(*LANE, AddPoint(1, 960, 0.5))
    assert lane(project).points == (AutomationPoint(0, 0.0), AutomationPoint(960, 0.5))


@pytest.mark.parametrize("value", [-0.1, 1.1])
def test_add_point_outside_zero_to_one_is_rejected(value: float) -> None:
    assert_rejected(LANE, AddPoint(1, 100, value), ValueOutOfRange)


def test_add_point_with_nan_is_rejected() -> None:
    assert_rejected(LANE, AddPoint(1, 100, math.nan), WrongType)


def test_add_point_with_an_unknown_curve_is_rejected() -> None:
    assert_rejected(LANE, AddPoint(1, 100, 0.5, "cubic"), InvalidAction)  # type: ignore[arg-type]


def test_add_point_to_an_unknown_lane_is_rejected() -> None:
    assert_rejected(LANE, AddPoint(4, 100, 0.5), UnknownId)


def test_remove_point() -> None:
    project, effects = apply(build(*LANE), RemovePoint(1, 0))
    assert lane(project).points == (AutomationPoint(960, 1.0),)
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_remove_a_point_that_is_not_there_is_rejected() -> None:
    assert_rejected(LANE, RemovePoint(1, 5), UnknownId)


def test_move_point_changes_tick_and_value_and_coalesces_the_drag() -> None:
    project, effects = apply(build(*LANE), MovePoint(1, 960, 1200, 0.75))
    assert lane(project).points == (AutomationPoint(0, 0.0), AutomationPoint(1200, 0.75))
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE, "point/1/960/1200")


def test_move_a_missing_point_is_rejected() -> None:
    assert_rejected(LANE, MovePoint(1, 100, 200, 0.5), UnknownId)


def test_set_point_curve() -> None:
    project, effects = apply(build(*LANE), SetPointCurve(1, 0, "s_curve"))
    assert lane(project).points[0] == AutomationPoint(0, 0.0, "s_curve")
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)


def test_clear_lane_removes_every_point() -> None:
    project, effects = apply(build(*LANE), ClearLane(1))
    assert lane(project).points == ()
    assert lane(project).target == LEVEL
    assert effects == Effects((LaneChanged(1),), SESSION_SCOPE)
