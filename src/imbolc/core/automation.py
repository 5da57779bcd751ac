"""Automation: lanes of points that drive one parameter over time."""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

import msgspec

from imbolc.core.ids import LaneId
from imbolc.core.indexed import position_index, remember_index, replace_at

Curve = Literal["linear", "exponential", "step", "s_curve"]
TargetScope = Literal["instrument", "bus", "master", "global"]


class AutomationTarget(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """What a lane drives: a parameter path on an instrument, a bus, the master or the session.

    ``parameter`` is a dotted path in the same form as effect paths: ``mixer.level``,
    ``mixer.pan``, ``source.cutoff``, ``chain.3.mix``, ``lfo.rate``, ``envelope.attack``,
    ``send.2.level`` (instrument); ``level``, ``pan``, ``effect.1.mix`` (bus); ``level``
    (master); ``bpm`` (global).
    """

    scope: TargetScope
    owner: int
    parameter: str


class AutomationPoint(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A point: tick, normalized value 0..1 and the curve towards the next point."""

    tick: int
    value: float
    curve: Curve = "linear"


def _point_tick(point: AutomationPoint) -> int:
    return point.tick


def shape(curve: Curve, t: float) -> float:
    """Map a 0..1 position between two points through the curve."""
    if curve == "step":
        return 0.0
    if curve == "exponential":
        return t * t
    if curve == "s_curve":
        return t * t * (3.0 - 2.0 * t)
    return t


class AutomationLane(msgspec.Struct, frozen=True, array_like=True):
    """A lane of points sorted by tick; values are scaled into [min_value, max_value]."""

    id: LaneId
    target: AutomationTarget
    points: tuple[AutomationPoint, ...] = ()
    enabled: bool = True
    armed: bool = False
    min_value: float = 0.0
    max_value: float = 1.0

    def find(self, tick: int) -> int | None:
        """The position of the point at ``tick``, or None."""
        pos = bisect_right(self.points, tick, key=_point_tick) - 1
        if pos >= 0 and self.points[pos].tick == tick:
            return pos
        return None

    def normalized_at(self, tick: float) -> float | None:
        """The 0..1 value at ``tick``: held outside the points, curved between them."""
        points = self.points
        if not points:
            return None
        pos = bisect_right(points, tick, key=_point_tick)
        if pos == 0:
            return points[0].value
        if pos == len(points):
            return points[-1].value
        left, right = points[pos - 1], points[pos]
        t = (tick - left.tick) / (right.tick - left.tick)
        return left.value + (right.value - left.value) * shape(left.curve, t)

    def value_at(self, tick: float) -> float | None:
        """The scaled value at ``tick``, or None for an empty lane."""
        norm = self.normalized_at(tick)
        if norm is None:
            return None
        return self.min_value + (self.max_value - self.min_value) * norm


class Automation(msgspec.Struct, frozen=True, weakref=True, array_like=True):
    """Every automation lane, with O(1) lookup by id."""

    lanes: tuple[AutomationLane, ...] = ()
    next_lane_id: int = 1

    def _index(self) -> dict[int, int]:
        return position_index(self, self.lanes, lambda lane: lane.id)

    def lane(self, lane_id: int) -> AutomationLane | None:
        """The lane with this id, or None."""
        pos = self._index().get(lane_id)
        return None if pos is None else self.lanes[pos]

    def replaced(self, lane: AutomationLane) -> Automation:
        """Automation with ``lane`` replacing the lane of the same id."""
        index = self._index()
        new = msgspec.structs.replace(self, lanes=replace_at(self.lanes, index[lane.id], lane))
        remember_index(new, index)
        return new
