"""Automation values and metronome clicks for a window.

Every enabled lane is sampled at the start of each window segment, then on a grid of one
control period (10 ms worth of ticks at the current tempo, anchored at tick 0 so every way of
cutting the timeline into windows samples the same grid), and exactly on each breakpoint so a
step lands on time. Int, choice and on/off targets get whole values (a lane sweeping a choice
steps through it). A sample equal to the previous one in the window is not repeated.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator
from typing import NamedTuple

from imbolc.core.arrangement import Arrangement, Clip, placed_length
from imbolc.core.automation import AutomationLane
from imbolc.core.indexed import IdentityCache
from imbolc.core.music import bar_ticks
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.targets import stepped
from imbolc.core.timemap import TimeMap, time_map
from imbolc.engine.schedule_timeline import Segment, Timeline
from imbolc.engine.schedule_types import AutomationValue, ClickEvent

CONTROL_PERIOD_SECONDS = 0.010
"""The longest gap between two values sent for a changing lane."""


class _Placed(NamedTuple):
    start: int
    end: int
    clip: Clip


class _ClipLanes(NamedTuple):
    """Placements of clips that carry lanes, sorted by start, and the longest placement."""

    starts: tuple[int, ...]
    placed: tuple[_Placed, ...]
    longest: int


_CLIP_LANES = IdentityCache()


def _build_clip_lanes(arrangement: Arrangement) -> _ClipLanes:
    clips = {clip.id: clip for clip in arrangement.clips}
    placed = []
    for placement in arrangement.placements:
        clip = clips.get(placement.clip_id)
        if clip is None or clip.length_ticks <= 0 or not clip.lanes:
            continue
        span = placed_length(placement, clip)
        placed.append(_Placed(placement.start_tick, placement.start_tick + span, clip))
    placed.sort(key=lambda p: p.start)
    longest = max((p.end - p.start for p in placed), default=0)
    return _ClipLanes(tuple(p.start for p in placed), tuple(placed), longest)


def clip_lanes(arrangement: Arrangement) -> _ClipLanes:
    """The placed clip lanes of ``arrangement``, cached per arrangement object."""
    return _CLIP_LANES.get(arrangement, lambda: _build_clip_lanes(arrangement))


def _placed_between(index: _ClipLanes, start: float, end: float) -> Iterator[_Placed]:
    """Placements overlapping [start, end), found by bisecting their starts."""
    hi = bisect_left(index.starts, end)
    pos = hi - 1
    while pos >= 0 and index.starts[pos] + index.longest > start:
        if index.placed[pos].end > start:
            yield index.placed[pos]
        pos -= 1


def _sample_ticks(
    lane: AutomationLane, start: float, end: float, *, period: float, offset: int, loop: int
) -> list[float]:
    """Musical ticks to sample in [start, end): the start, the grid and the breakpoints.

    Lane ticks sit at ``offset`` on the timeline and repeat every ``loop`` ticks (0: never).
    """
    ticks = [start]
    k = math.floor(start / period) + 1
    while k * period < end:
        ticks.append(k * period)
        k += 1
    if lane.points:
        first_round = 0 if loop <= 0 else math.floor((start - offset) / loop)
        last_round = 0 if loop <= 0 else math.floor((end - offset) / loop)
        for round_no in range(first_round, last_round + 1):
            base = offset + round_no * loop
            lo = bisect_left(lane.points, start - base, key=lambda p: p.tick)
            for point in lane.points[lo:]:
                at = base + point.tick
                if at >= end or (loop > 0 and point.tick >= loop):
                    break
                if at > start:
                    ticks.append(float(at))
    return sorted(set(ticks))


def _emit(
    project: Project,
    lane: AutomationLane,
    segment: Segment,
    timeline: Timeline,
    out: list[AutomationValue],
    *,
    span: tuple[float, float],
    period: float,
    offset: int = 0,
    loop: int = 0,
) -> None:
    """Append the lane's samples over ``span`` of ``segment`` (see the module docstring)."""
    previous: float | None = None
    start, end = span
    for tick in _sample_ticks(lane, start, end, period=period, offset=offset, loop=loop):
        local = tick - offset
        if loop > 0:
            local %= loop
        value = lane.value_at(local)
        if value is None:
            continue
        value = stepped(project, lane.target, value)
        if value == previous:
            continue
        previous = value
        time = timeline.time_at(Timeline.elapsed_at(segment, tick))
        out.append(AutomationValue(time, tick, lane.target, value))


def automation_values(project: Project, timeline: Timeline) -> list[AutomationValue]:
    """Values of every enabled lane over the window, sorted by time.

    Session lanes play in both modes. In song mode the lanes of each placed clip play too,
    within the placement (a placement longer than its clip loops it); at the same instant a
    clip lane comes after a session lane on the same target, so the clip wins.
    """
    session = project.session
    period = CONTROL_PERIOD_SECONDS / timeline.seconds_per_tick
    song = session.arrangement.play_mode == "song"
    index = clip_lanes(session.arrangement) if song else None
    out: list[AutomationValue] = []
    for segment in timeline.segments:
        for lane in session.automation.lanes:
            if lane.enabled:
                _emit(project, lane, segment, timeline, out, span=segment[:2], period=period)
        if index is None or not index.placed:
            continue
        for placed in _placed_between(index, segment.start, segment.end):
            span = (max(segment.start, float(placed.start)), min(segment.end, float(placed.end)))
            for lane in placed.clip.lanes:
                if lane.enabled:
                    _emit(
                        project,
                        lane,
                        segment,
                        timeline,
                        out,
                        span=span,
                        period=period,
                        offset=placed.start,
                        loop=placed.clip.length_ticks,
                    )
    out.sort(key=lambda value: value.time)
    return out


def beats_between(meters: TimeMap, start: float, end: float) -> Iterator[tuple[int, bool]]:
    """(tick, accent) of every beat (of the meter's denominator) in ``[start, end)``, the first
    beat of each bar accented, through the meter map; before tick 0 too (a count-in from the
    top runs in the first meter)."""
    for since, until, (numerator, denominator) in meters.meter_spans(
        max(0.0, start), max(end, 1.0)
    ):
        beat = TICKS_PER_BEAT * 4 // denominator
        bar = bar_ticks(numerator, denominator)
        low = start if since == 0 else max(start, float(since))
        k = math.ceil((low - since) / beat)
        while since + k * beat < min(end, until):
            tick = since + k * beat
            yield tick, (tick - since) % bar == 0
            k += 1


def click_events(
    project: Project, timeline: Timeline, count_in_until: float = -math.inf
) -> list[ClickEvent]:
    """A click on every beat in the window while the metronome is on; and, on or off, on every
    beat before ``count_in_until`` (a take's count-in). A muted click is silent throughout.

    The meter is the one the tempo map holds at each tick, so a 3/4 bar after 4/4 bars gets
    three clicks with its first accented.
    """
    click = project.session.click
    if click.muted:
        return []
    meters = time_map(project.session)
    out = []
    for segment in timeline.segments:
        end = segment.end if click.enabled else min(segment.end, count_in_until)
        for tick, accent in beats_between(meters, segment.start, end):
            time = timeline.time_at(Timeline.elapsed_at(segment, tick))
            out.append(ClickEvent(time, float(tick), accent, tick < count_in_until))
    return out
