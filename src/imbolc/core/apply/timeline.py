"""Handlers for the arrangement and for automation lanes."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from imbolc.core.actions import timeline as act
from imbolc.core.apply.common import instrument, put_session
from imbolc.core.apply.notes import MAX_TICK, checked_note, track_of
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.arrangement import Arrangement, Clip, Placement, placed_length
from imbolc.core.automation import AutomationLane, AutomationPoint, Curve
from imbolc.core.effects import SESSION_SCOPE, ArrangementChanged, LaneChanged
from imbolc.core.errors import InvalidAction, UnknownId
from imbolc.core.ids import ClipId, LaneId, PlacementId
from imbolc.core.project import Project
from imbolc.core.targets import target_range
from imbolc.core.validate import choice, flag, integer, real, text

CURVES: tuple[Curve, ...] = ("linear", "exponential", "step", "s_curve")


def _put_arrangement(project: Project, arrangement: Arrangement) -> Outcome:
    return Outcome(
        put_session(project, replace(project.session, arrangement=arrangement)),
        (ArrangementChanged(),),
        SESSION_SCOPE,
    )


def _new_clip(project: Project, clip: Clip) -> Outcome:
    arr = project.session.arrangement
    return _put_arrangement(
        project, replace(arr, clips=(*arr.clips, clip), next_clip_id=arr.next_clip_id + 1)
    )


@handles(act.CreateClip)
def create_clip(project: Project, action: act.CreateClip) -> Outcome:
    inst = instrument(project, action.instrument_id)
    length = integer("clip length", action.length_ticks, 1, MAX_TICK)
    if not isinstance(action.notes, tuple):
        raise InvalidAction("notes must be a tuple of Note")
    notes = tuple(sorted((checked_note(n) for n in action.notes), key=lambda n: n.key))
    ident = ClipId(project.session.arrangement.next_clip_id)
    name = text("clip name", action.name) or f"{inst.name} {ident}"
    return _new_clip(project, Clip(ident, name, inst.id, length, notes))


@handles(act.CaptureClip)
def capture_clip(project: Project, action: act.CaptureClip) -> Outcome:
    track = track_of(project, action.instrument_id)
    start = integer("start_tick", action.start_tick, 0, MAX_TICK - 1)
    end = integer("end_tick", action.end_tick, start + 1, MAX_TICK)
    notes = tuple(replace(n, tick=n.tick - start) for n in track.in_window(start, end))
    lanes = []
    for lane in project.session.automation.lanes:
        target = lane.target
        if target.scope == "instrument" and target.owner == track.instrument_id:
            points = tuple(
                replace(p, tick=p.tick - start) for p in lane.points if start <= p.tick < end
            )
            lanes.append(replace(lane, points=points))
    ident = ClipId(project.session.arrangement.next_clip_id)
    inst = instrument(project, track.instrument_id)
    name = text("clip name", action.name) or f"{inst.name} {ident}"
    clip = Clip(ident, name, inst.id, end - start, notes, tuple(lanes))
    return _new_clip(project, clip)


def _clip(arr: Arrangement, clip_id: object) -> Clip:
    clip = arr.clip(integer("clip_id", clip_id, 0, MAX_TICK))
    if clip is None:
        raise UnknownId("clip", clip_id)
    return clip


def _placement(arr: Arrangement, placement_id: object) -> Placement:
    placement = arr.placement(integer("placement_id", placement_id, 0, MAX_TICK))
    if placement is None:
        raise UnknownId("placement", placement_id)
    return placement


@handles(act.DeleteClip)
def delete_clip(project: Project, action: act.DeleteClip) -> Outcome:
    arr = project.session.arrangement
    gone = _clip(arr, action.clip_id).id
    clips = tuple(c for c in arr.clips if c.id != gone)
    placements = tuple(p for p in arr.placements if p.clip_id != gone)
    return _put_arrangement(project, replace(arr, clips=clips, placements=placements))


@handles(act.RenameClip)
def rename_clip(project: Project, action: act.RenameClip) -> Outcome:
    arr = project.session.arrangement
    clip = _clip(arr, action.clip_id)
    renamed = replace(clip, name=text("clip name", action.name))
    clips = tuple(renamed if c.id == clip.id else c for c in arr.clips)
    return _put_arrangement(project, replace(arr, clips=clips))


@handles(act.SetClipNotes)
def set_clip_notes(project: Project, action: act.SetClipNotes) -> Outcome:
    arr = project.session.arrangement
    clip = _clip(arr, action.clip_id)
    if not isinstance(action.notes, tuple):
        raise InvalidAction("notes must be a tuple of Note")
    notes = tuple(sorted((checked_note(n) for n in action.notes), key=lambda n: n.key))
    if len({note.key for note in notes}) != len(notes):
        raise InvalidAction("a clip holds one note per tick and pitch")
    changed = replace(clip, notes=notes)
    clips = tuple(changed if c.id == clip.id else c for c in arr.clips)
    return _put_arrangement(project, replace(arr, clips=clips))


def _add_placement(project: Project, clip: Clip, start: int) -> Outcome:
    arr = project.session.arrangement
    placement = Placement(PlacementId(arr.next_placement_id), clip.id, start)
    placements = tuple(sorted((*arr.placements, placement), key=lambda p: (p.start_tick, p.id)))
    return _put_arrangement(
        project,
        replace(arr, placements=placements, next_placement_id=arr.next_placement_id + 1),
    )


@handles(act.PlaceClip)
def place_clip(project: Project, action: act.PlaceClip) -> Outcome:
    clip = _clip(project.session.arrangement, action.clip_id)
    return _add_placement(project, clip, integer("start_tick", action.start_tick, 0, MAX_TICK))


def _change_placement(project: Project, placement_id: object, **values: Any) -> Outcome:
    arr = project.session.arrangement
    placement = _placement(arr, placement_id)
    changed = replace(placement, **values)
    placements = tuple(
        sorted(
            (changed if p.id == placement.id else p for p in arr.placements),
            key=lambda p: (p.start_tick, p.id),
        )
    )
    return _put_arrangement(project, replace(arr, placements=placements))


@handles(act.MovePlacement)
def move_placement(project: Project, action: act.MovePlacement) -> Outcome:
    start = integer("start_tick", action.start_tick, 0, MAX_TICK)
    return _change_placement(project, action.placement_id, start_tick=start)


@handles(act.ResizePlacement)
def resize_placement(project: Project, action: act.ResizePlacement) -> Outcome:
    length = None if action.length is None else integer("length", action.length, 1, MAX_TICK)
    return _change_placement(project, action.placement_id, length_override=length)


@handles(act.DuplicatePlacement)
def duplicate_placement(project: Project, action: act.DuplicatePlacement) -> Outcome:
    arr = project.session.arrangement
    placement = _placement(arr, action.placement_id)
    clip = _clip(arr, placement.clip_id)
    start = placement.start_tick + placed_length(placement, clip)
    outcome = _add_placement(project, clip, start)
    if placement.length_override is None:
        return outcome
    new_arr = outcome.project.session.arrangement
    new_id = new_arr.next_placement_id - 1
    return _change_placement(outcome.project, new_id, length_override=placement.length_override)


@handles(act.RemovePlacement)
def remove_placement(project: Project, action: act.RemovePlacement) -> Outcome:
    arr = project.session.arrangement
    gone = _placement(arr, action.placement_id).id
    placements = tuple(p for p in arr.placements if p.id != gone)
    return _put_arrangement(project, replace(arr, placements=placements))


@handles(act.SetPlayMode)
def set_play_mode(project: Project, action: act.SetPlayMode) -> Outcome:
    mode = choice("play mode", action.mode, ("pattern", "song"))
    return _put_arrangement(project, replace(project.session.arrangement, play_mode=mode))


def _lane(project: Project, lane_id: object) -> AutomationLane:
    lane = project.session.automation.lane(integer("lane_id", lane_id, 0, MAX_TICK))
    if lane is None:
        raise UnknownId("automation lane", lane_id)
    return lane


def _put_lane(project: Project, lane: AutomationLane, coalesce: str | None = None) -> Outcome:
    session = project.session
    automation = session.automation.replaced(lane)
    return Outcome(
        put_session(project, replace(session, automation=automation)),
        (LaneChanged(lane.id),),
        SESSION_SCOPE,
        coalesce,
    )


@handles(act.AddLane)
def add_lane(project: Project, action: act.AddLane) -> Outcome:
    low, high = target_range(project, action.target)
    lo = low if action.min_value is None else real("min_value", action.min_value, low, high)
    hi = high if action.max_value is None else real("max_value", action.max_value, lo, high)
    automation = project.session.automation
    ident = LaneId(automation.next_lane_id)
    lane = AutomationLane(ident, action.target, min_value=lo, max_value=hi)
    automation = replace(
        automation, lanes=(*automation.lanes, lane), next_lane_id=automation.next_lane_id + 1
    )
    return Outcome(
        put_session(project, replace(project.session, automation=automation)),
        (LaneChanged(ident),),
        SESSION_SCOPE,
    )


@handles(act.RemoveLane)
def remove_lane(project: Project, action: act.RemoveLane) -> Outcome:
    gone = _lane(project, action.lane_id).id
    automation = project.session.automation
    lanes = tuple(lane for lane in automation.lanes if lane.id != gone)
    return Outcome(
        put_session(project, replace(project.session, automation=replace(automation, lanes=lanes))),
        (LaneChanged(gone),),
        SESSION_SCOPE,
    )


@handles(act.SetLaneEnabled)
def set_lane_enabled(project: Project, action: act.SetLaneEnabled) -> Outcome:
    lane = _lane(project, action.lane_id)
    return _put_lane(project, replace(lane, enabled=flag("enabled", action.enabled)))


@handles(act.SetLaneArmed)
def set_lane_armed(project: Project, action: act.SetLaneArmed) -> Outcome:
    lane = _lane(project, action.lane_id)
    return _put_lane(project, replace(lane, armed=flag("armed", action.armed)))


@handles(act.SetLaneRange)
def set_lane_range(project: Project, action: act.SetLaneRange) -> Outcome:
    lane = _lane(project, action.lane_id)
    low, high = target_range(project, lane.target)
    lo = real("min_value", action.min_value, low, high)
    hi = real("max_value", action.max_value, lo, high)
    return _put_lane(project, replace(lane, min_value=lo, max_value=hi))


def _with_point(lane: AutomationLane, point: AutomationPoint) -> AutomationLane:
    kept = [p for p in lane.points if p.tick != point.tick]
    kept.append(point)
    return replace(lane, points=tuple(sorted(kept, key=lambda p: p.tick)))


def _point(tick: object, value: object, curve: object) -> AutomationPoint:
    return AutomationPoint(
        integer("tick", tick, 0, MAX_TICK),
        real("value", value, 0.0, 1.0),
        choice("curve", curve, CURVES),
    )


@handles(act.AddPoint)
def add_point(project: Project, action: act.AddPoint) -> Outcome:
    lane = _lane(project, action.lane_id)
    point = _point(action.tick, action.value, action.curve)
    return _put_lane(project, _with_point(lane, point))


def _point_position(lane: AutomationLane, tick: object) -> int:
    pos = lane.find(integer("tick", tick, 0, MAX_TICK))
    if pos is None:
        raise UnknownId(f"point of lane {lane.id}", tick)
    return pos


@handles(act.RemovePoint)
def remove_point(project: Project, action: act.RemovePoint) -> Outcome:
    lane = _lane(project, action.lane_id)
    pos = _point_position(lane, action.tick)
    return _put_lane(project, replace(lane, points=(*lane.points[:pos], *lane.points[pos + 1 :])))


@handles(act.MovePoint)
def move_point(project: Project, action: act.MovePoint) -> Outcome:
    lane = _lane(project, action.lane_id)
    pos = _point_position(lane, action.tick)
    old = lane.points[pos]
    point = _point(action.new_tick, action.value, old.curve)
    rest = replace(lane, points=(*lane.points[:pos], *lane.points[pos + 1 :]))
    return _put_lane(
        project, _with_point(rest, point), f"point/{lane.id}/{action.tick}/{action.new_tick}"
    )


@handles(act.SetPointCurve)
def set_point_curve(project: Project, action: act.SetPointCurve) -> Outcome:
    lane = _lane(project, action.lane_id)
    pos = _point_position(lane, action.tick)
    point = replace(lane.points[pos], curve=choice("curve", action.curve, CURVES))
    return _put_lane(
        project, replace(lane, points=(*lane.points[:pos], point, *lane.points[pos + 1 :]))
    )


@handles(act.ClearLane)
def clear_lane(project: Project, action: act.ClearLane) -> Outcome:
    return _put_lane(project, replace(_lane(project, action.lane_id), points=()))
