"""Automation recording: parameter moves made while playing become points on armed lanes.

``recorded_move`` maps an edit to the lane target it moves; ``Recorder`` turns a move into
``AddPoint`` actions at the playhead, thinning points that would add nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from imbolc.core.actions import (
    AddPoint,
    SetBusEffectParam,
    SetEnvelope,
    SetLfoParam,
    SetMixerLevel,
    SetMixerPan,
    SetSendLevel,
    SetSourceParam,
    SetStageParam,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import Strip
from imbolc.core.automation import AutomationLane, AutomationTarget
from imbolc.core.ids import LaneId
from imbolc.core.ports import Transport
from imbolc.core.project import Project

MIN_VALUE_CHANGE = 0.005
"""A point closer than this (normalized) to the lane's previous recorded point..."""
MIN_TICK_GAP = 48
"""...and fewer ticks away than this is not written."""


def _strip_target(strip: Strip, parameter: str) -> AutomationTarget | None:
    if strip.kind == "instrument":
        return AutomationTarget("instrument", strip.id, f"mixer.{parameter}")
    if strip.kind == "bus":
        return AutomationTarget("bus", strip.id, parameter)
    if strip.kind == "master" and parameter == "level":
        return AutomationTarget("master", 0, "level")
    return None


def recorded_move(action: Action) -> tuple[AutomationTarget, float] | None:
    """The lane target ``action`` moves and the value it sets, or None if it moves none."""
    if isinstance(action, SetMixerLevel):
        target = _strip_target(action.strip, "level")
        return None if target is None else (target, action.level)
    if isinstance(action, SetMixerPan):
        target = _strip_target(action.strip, "pan")
        return None if target is None else (target, action.pan)
    if isinstance(action, SetSourceParam):
        path = f"source.{action.name}"
        return AutomationTarget("instrument", action.instrument_id, path), action.value
    if isinstance(action, SetStageParam):
        path = f"chain.{action.stage_id}.{action.name}"
        return AutomationTarget("instrument", action.instrument_id, path), action.value
    if isinstance(action, SetLfoParam):
        path = f"lfo.{action.name}"
        return AutomationTarget("instrument", action.instrument_id, path), action.value
    if isinstance(action, SetEnvelope):
        path = f"envelope.{action.stage}"
        return AutomationTarget("instrument", action.instrument_id, path), action.value
    if isinstance(action, SetSendLevel):
        path = f"send.{action.bus_id}.level"
        return AutomationTarget("instrument", action.instrument_id, path), action.level
    if isinstance(action, SetBusEffectParam):
        path = f"effect.{action.stage_id}.{action.name}"
        return AutomationTarget("bus", action.bus_id, path), action.value
    return None


def normalized(lane: AutomationLane, value: float) -> float:
    """``value`` as a 0..1 point value in the lane's range (clamped)."""
    span = lane.max_value - lane.min_value
    if span <= 0:
        return 0.0
    return max(0.0, min(1.0, (value - lane.min_value) / span))


class Recorder:
    """Remembers each lane's last recorded point so a held key does not flood the lane."""

    def __init__(self) -> None:
        self._last: dict[LaneId, tuple[int, float]] = {}

    def points(
        self, project: Project, action: Action, transport: Callable[[], Transport]
    ) -> list[AddPoint]:
        """The points ``action`` writes: one per armed, enabled lane on its target while the
        transport plays, at the playhead, unless too close to that lane's last point."""
        move = recorded_move(action)
        if move is None:
            return []
        target, value = move
        lanes = [
            lane
            for lane in project.session.automation.lanes
            if lane.armed and lane.enabled and lane.target == target
        ]
        if not lanes:
            return []
        playhead = transport()
        if not playhead.playing:
            return []
        tick = max(0, round(playhead.tick))
        points: list[AddPoint] = []
        for lane in lanes:
            norm = round(normalized(lane, value), 6)
            last = self._last.get(lane.id)
            if (
                last is not None
                and abs(norm - last[1]) < MIN_VALUE_CHANGE
                and abs(tick - last[0]) < MIN_TICK_GAP
            ):
                continue
            points.append(AddPoint(lane.id, tick, norm))
        return points

    def remember(self, points: list[AddPoint]) -> None:
        """Note ``points`` as written (call once they were dispatched)."""
        for point in points:
            self._last[point.lane_id] = (point.tick, point.value)
