"""Controllers of an imported MIDI part, as imbolc values: CC 7 × CC 11 is the strip level,
CC 10 the pan, and on request CC 64 (sustain) lengthens notes as the pedal held them and CC 1
(modulation) drives the LFO depth. Values in force at the first note set the strip; later
moves become step lanes (events after the last note included)."""

from __future__ import annotations

from bisect import bisect_right

from msgspec.structs import replace

from imbolc.core.actions import AddLane, SetMixerLevel, SetMixerPan
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.apply.notes import MAX_TICK
from imbolc.core.automation import AutomationPoint, AutomationTarget
from imbolc.core.ids import InstrumentId, LaneId
from imbolc.core.midi_song import level_of_volume, pan_of_cc
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.targets import MIXER_RANGES
from imbolc.core.validate import integer

DEFAULT_VOLUME = 100
"""General MIDI's CC 7 until a file sets one."""
DEFAULT_EXPRESSION = 127
PEDAL_DOWN = 64

Timed = list[tuple[int, int]]
"""(tick, controller value) in time order."""


def gains(volumes: Timed, expressions: Timed) -> list[tuple[int, float]]:
    """The strip gain over time: General MIDI's volume curve times its expression curve."""
    if not volumes and not expressions:
        return []
    merged = sorted([(t, 0, v) for t, v in volumes] + [(t, 1, v) for t, v in expressions])
    volume, expression = DEFAULT_VOLUME, DEFAULT_EXPRESSION
    out = []
    for tick, which, value in merged:
        if which == 0:
            volume = value
        else:
            expression = value
        out.append((tick, level_of_volume(volume) * level_of_volume(expression)))
    return out


def pans(events: Timed) -> list[tuple[int, float]]:
    """CC 10 over time as pans in -1..1."""
    return [(tick, pan_of_cc(value)) for tick, value in events]


def mod_depths(events: Timed) -> list[tuple[int, float]]:
    """CC 1 over time as LFO depths in 0..1."""
    return [(tick, max(0, min(127, value)) / 127.0) for tick, value in events]


def pedal_lengths(
    notes: list[tuple[int, int, int, int]], sustains: Timed
) -> tuple[list[tuple[int, int, int, int]], int]:
    """Notes released while the sustain pedal is down last until it comes up (or until the
    same pitch strikes again, which a pedal cannot hold through). Returns them and how many
    changed."""
    if not sustains:
        return notes, 0
    ticks = [tick for tick, _ in sustains]
    downs = [value >= PEDAL_DOWN for _, value in sustains]
    ups = [tick for tick, down in zip(ticks, downs, strict=True) if not down]
    next_strike: dict[tuple[int, int], int] = {}
    order = sorted(range(len(notes)), key=lambda n: notes[n][0], reverse=True)
    out = list(notes)
    changed = 0
    for n in order:
        start, end, pitch, velocity = notes[n]
        at = bisect_right(ticks, end) - 1
        if at >= 0 and downs[at]:
            release = next((tick for tick in ups if tick > end), None)
            limit = next_strike.get((pitch, 0))
            new_end = release if release is not None else end
            if limit is not None:
                new_end = min(new_end, limit)
            if new_end > end:
                out[n] = (start, new_end, pitch, velocity)
                changed += 1
        next_strike[(pitch, 0)] = start
    return out, changed


def apply(
    store: Store,
    ident: InstrumentId,
    values: list[tuple[int, float]],
    first_note: int,
    parameter: str,
    default: float,
    lanes: dict[LaneId, tuple[AutomationPoint, ...]],
) -> int:
    """Set the strip from the value in force at ``first_note`` (level and pan) and add a step
    lane of ``parameter`` whose points (every later move) go into ``lanes``, to be set with
    ``with_lane_points``. Ticks are imbolc's. Returns the last lane tick plus one (0 without a
    lane), so the song's loop can cover it."""
    if not values:
        return 0
    before = [value for tick, value in values if tick <= first_note]
    later = [(tick, value) for tick, value in values if tick > first_note]
    strip = instrument_strip(ident)
    start = before[-1] if before else default
    if before and parameter == "mixer.level":
        store.dispatch(SetMixerLevel(strip, min(start, MIXER_RANGES["level"][1])))
    elif before and parameter == "mixer.pan":
        store.dispatch(SetMixerPan(strip, start))
    previous = start
    moves = []
    for tick, value in later:
        if value != previous:
            moves.append((tick, value))
            previous = value
    if not moves and parameter.startswith("mixer."):
        return 0
    store.dispatch(AddLane(AutomationTarget("instrument", ident, parameter)))
    lane = store.state.session.automation.lanes[-1]
    low, high = lane.min_value, lane.max_value
    points = []
    for tick, value in [(0, start), *moves]:
        normalized = min(1.0, max(0.0, (value - low) / (high - low)))
        points.append(AutomationPoint(integer("controller tick", tick, 0, MAX_TICK), normalized,
                                      "step"))  # fmt: skip
    lanes[lane.id] = tuple(points)
    return (moves[-1][0] if moves else 0) + 1


def with_lane_points(project: Project, lanes: dict[LaneId, tuple[AutomationPoint, ...]]) -> Project:
    """The project with the points of many lanes set at once (a point per controller move
    added one action at a time would cost the square of the moves)."""
    automation = project.session.automation
    if not lanes:
        return project
    replaced = tuple(
        replace(lane, points=lanes[lane.id]) if lane.id in lanes else lane
        for lane in automation.lanes
    )
    session = replace(project.session, automation=replace(automation, lanes=replaced))
    return replace(project, session=session)
