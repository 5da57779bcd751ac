"""Handlers for the tempo map and the meter map: sorted tuples, one change per tick or bar."""

from __future__ import annotations

from bisect import bisect_left

from msgspec.structs import replace

from imbolc.core.actions import tempo as act
from imbolc.core.apply.common import put_session
from imbolc.core.apply.notes import MAX_TICK
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.effects import SESSION_SCOPE, SessionChanged
from imbolc.core.errors import Conflict, UnknownId
from imbolc.core.project import Project
from imbolc.core.targets import BPM_RANGE
from imbolc.core.timemap import (
    MAX_METER_CHANGES,
    MAX_TEMPO_CHANGES,
    MeterChange,
    TempoChange,
    TempoMap,
)
from imbolc.core.validate import choice, flag, integer, real

DENOMINATORS = (1, 2, 4, 8, 16, 32)
MAX_NUMERATOR = 32
MAX_BAR = 1_000_000


def _map(project: Project, coalesce: str | None = None, **fields: object) -> Outcome:
    session = project.session
    tempo_map = replace(session.tempo_map, **fields)
    return Outcome(
        put_session(project, replace(session, tempo_map=tempo_map)),
        (SessionChanged("tempo_map"),),
        SESSION_SCOPE,
        coalesce,
    )


def _tempo_at(tempos: tuple[TempoChange, ...], tick: int) -> int | None:
    pos = bisect_left(tempos, tick, key=lambda change: change.tick)
    return pos if pos < len(tempos) and tempos[pos].tick == tick else None


def _inserted(tempos: tuple[TempoChange, ...], change: TempoChange) -> tuple[TempoChange, ...]:
    if _tempo_at(tempos, change.tick) is not None:
        raise Conflict(f"a tempo change is already at tick {change.tick}")
    if len(tempos) >= MAX_TEMPO_CHANGES:
        raise Conflict(f"the tempo map holds at most {MAX_TEMPO_CHANGES} changes")
    pos = bisect_left(tempos, change.tick, key=lambda c: c.tick)
    return (*tempos[:pos], change, *tempos[pos:])


def _existing(tempos: tuple[TempoChange, ...], tick: int) -> int:
    pos = _tempo_at(tempos, tick)
    if pos is None:
        raise UnknownId("tempo change at tick", tick)
    return pos


@handles(act.AddTempoChange)
def add_tempo_change(project: Project, action: act.AddTempoChange) -> Outcome:
    tick = integer("tempo change tick", action.tick, 1, MAX_TICK)
    change = TempoChange(tick, real("bpm", action.bpm, *BPM_RANGE), flag("ramp", action.ramp))
    return _map(project, tempos=_inserted(project.session.tempo_map.tempos, change))


@handles(act.SetTempoChange)
def set_tempo_change(project: Project, action: act.SetTempoChange) -> Outcome:
    tick = integer("tempo change tick", action.tick, 0, MAX_TICK)
    bpm = real("bpm", action.bpm, *BPM_RANGE)
    ramp = flag("ramp", action.ramp)
    key = f"tempo/{tick}"
    session = project.session
    if tick == 0:
        settings = replace(session.settings, bpm=bpm)
        tempo_map = replace(session.tempo_map, ramp_start=ramp)
        new = replace(session, settings=settings, tempo_map=tempo_map)
        changes = (SessionChanged("bpm"), SessionChanged("tempo_map"))
        return Outcome(put_session(project, new), changes, SESSION_SCOPE, key)
    tempos = session.tempo_map.tempos
    pos = _existing(tempos, tick)
    changed = (*tempos[:pos], TempoChange(tick, bpm, ramp), *tempos[pos + 1 :])
    return _map(project, key, tempos=changed)


@handles(act.MoveTempoChange)
def move_tempo_change(project: Project, action: act.MoveTempoChange) -> Outcome:
    tick = integer("tempo change tick", action.tick, 1, MAX_TICK)
    to_tick = integer("tempo change destination", action.to_tick, 1, MAX_TICK)
    tempos = project.session.tempo_map.tempos
    pos = _existing(tempos, tick)
    if to_tick == tick:
        return _map(project)
    moving = tempos[pos]
    rest = (*tempos[:pos], *tempos[pos + 1 :])
    return _map(project, tempos=_inserted(rest, replace(moving, tick=to_tick)))


@handles(act.DeleteTempoChange)
def delete_tempo_change(project: Project, action: act.DeleteTempoChange) -> Outcome:
    tick = integer("tempo change tick", action.tick, 1, MAX_TICK)
    tempos = project.session.tempo_map.tempos
    pos = _existing(tempos, tick)
    return _map(project, tempos=(*tempos[:pos], *tempos[pos + 1 :]))


@handles(act.SetMeterChange)
def set_meter_change(project: Project, action: act.SetMeterChange) -> Outcome:
    bar = integer("meter change bar", action.bar, 0, MAX_BAR)
    numerator = integer("time signature numerator", action.numerator, 1, MAX_NUMERATOR)
    denominator = choice("time signature denominator", action.denominator, DENOMINATORS)
    session = project.session
    if bar == 0:
        settings = replace(session.settings, time_signature=(numerator, denominator))
        changes = (SessionChanged("time_signature"),)
        return Outcome(
            put_session(project, replace(session, settings=settings)), changes, SESSION_SCOPE
        )
    meters = session.tempo_map.meters
    pos = bisect_left(meters, bar, key=lambda change: change.bar)
    change = MeterChange(bar, numerator, denominator)
    if pos < len(meters) and meters[pos].bar == bar:
        return _map(project, meters=(*meters[:pos], change, *meters[pos + 1 :]))
    if len(meters) >= MAX_METER_CHANGES:
        raise Conflict(f"the meter map holds at most {MAX_METER_CHANGES} changes")
    return _map(project, meters=(*meters[:pos], change, *meters[pos:]))


@handles(act.DeleteMeterChange)
def delete_meter_change(project: Project, action: act.DeleteMeterChange) -> Outcome:
    bar = integer("meter change bar", action.bar, 1, MAX_BAR)
    meters = project.session.tempo_map.meters
    pos = bisect_left(meters, bar, key=lambda change: change.bar)
    if pos >= len(meters) or meters[pos].bar != bar:
        raise UnknownId("meter change on bar", bar)
    return _map(project, meters=(*meters[:pos], *meters[pos + 1 :]))


def tempo_map_problem(tempo_map: TempoMap) -> str | None:
    """What is wrong with a tempo map read from a file or the wire, or None when it is sound:
    changes sorted and unique, tempos and meters in the ranges the actions allow."""
    low, high = BPM_RANGE
    previous = 0
    for change in tempo_map.tempos:
        if not previous < change.tick <= MAX_TICK:
            return f"tempo change at tick {change.tick} is out of order or out of range"
        if not low <= change.bpm <= high:
            return f"tempo {change.bpm!r} BPM at tick {change.tick} is outside [{low:g}, {high:g}]"
        previous = change.tick
    previous = 0
    for meter in tempo_map.meters:
        if not previous < meter.bar <= MAX_BAR:
            return f"meter change on bar {meter.bar} is out of order or out of range"
        if not 1 <= meter.numerator <= MAX_NUMERATOR or meter.denominator not in DENOMINATORS:
            return f"meter {meter.numerator}/{meter.denominator} on bar {meter.bar} is invalid"
        previous = meter.bar
    return None
