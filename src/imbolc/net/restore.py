"""Restore ops: protocol-level operations that put parts of the project back as they were.

Undo on a client, and undo/redo/rollback on the host, are not core actions: they travel as
a ``Restore`` listing the units (one instrument, one track's notes, one lane, one bus, the
settings, ...) to set. Units are found by an identity diff of two roots (cheap: untouched
subtrees are shared) and applied deterministically on every replica.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, NamedTuple

import msgspec
from msgspec.structs import replace

from imbolc.core.arrangement import Clip, Placement, PlayMode
from imbolc.core.automation import AutomationLane
from imbolc.core.effects import (
    ArrangementChanged,
    BusesChanged,
    BusProcessingChanged,
    Change,
    LaneChanged,
    RoutingChanged,
    SessionChanged,
    SoloChanged,
    StripChanged,
    TrackChanged,
)
from imbolc.core.errors import InvalidAction
from imbolc.core.ids import BusId, InstrumentId, LaneId
from imbolc.core.instrument import Instrument
from imbolc.core.mixer import Bus
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project
from imbolc.core.session import Click, Humanize, MusicalSettings, Session
from imbolc.core.timemap import TempoMap

UnitKey = tuple[str, int]
"""A restorable part of the project: ``("instrument", 3)``, ``("settings", 0)``..."""


class Unit(msgspec.Struct, frozen=True, tag=True, array_like=True):
    """One part of the project to set."""


class InstrumentSlot(Unit, frozen=True):
    """Put this instrument back (None: remove it); an absent one is inserted at ``position``."""

    id: int
    position: int
    value: Instrument | None


class TrackSlot(Unit, frozen=True):
    """Put a whole track back, or remove it."""

    id: int
    position: int
    value: Track | None


class TrackEdit(Unit, frozen=True):
    """Change a track by notes: remove these (tick, pitch) keys, add these notes."""

    id: int
    removed: tuple[tuple[int, int], ...]
    added: tuple[Note, ...]


class LaneSlot(Unit, frozen=True):
    """Put an automation lane back, or remove it."""

    id: int
    position: int
    value: AutomationLane | None


class BusSlot(Unit, frozen=True):
    """Put a bus back, or remove it."""

    id: int
    position: int
    value: Bus | None


class ClipSlot(Unit, frozen=True):
    """Put a clip back, or remove it."""

    id: int
    position: int
    value: Clip | None


class PlacementSlot(Unit, frozen=True):
    """Put a placement back, or remove it."""

    id: int
    position: int
    value: Placement | None


class SettingsValue(Unit, frozen=True):
    """Set the musical settings."""

    value: MusicalSettings


class HumanizeValue(Unit, frozen=True):
    """Set humanize."""

    value: Humanize


class ClickValue(Unit, frozen=True):
    """Set the metronome."""

    value: Click


class LoopValue(Unit, frozen=True):
    """Set the piano roll's loop and swing."""

    looping: bool
    loop_start: int
    loop_end: int
    swing: float


class MasterValue(Unit, frozen=True):
    """Set the master level and mute."""

    level: float
    mute: bool


class PlayModeValue(Unit, frozen=True):
    """Set the arrangement's play mode."""

    mode: PlayMode


class TempoMapValue(Unit, frozen=True):
    """Set the tempo and meter changes."""

    value: TempoMap


class CountersValue(Unit, frozen=True):
    """Set the id counters (only a host-side undo ever lowers them)."""

    instrument: int
    layer_group: int
    lane: int
    clip: int
    placement: int


AnyUnit = (
    InstrumentSlot
    | TrackSlot
    | TrackEdit
    | LaneSlot
    | BusSlot
    | ClipSlot
    | PlacementSlot
    | SettingsValue
    | HumanizeValue
    | ClickValue
    | LoopValue
    | MasterValue
    | PlayModeValue
    | CountersValue
    | TempoMapValue
)

RestoreReason = Literal["undo", "redo", "rollback"]


class Restore(msgspec.Struct, frozen=True, tag=True, array_like=True):
    """Set these units; the op a commit carries for an undo, redo or rollback."""

    reason: RestoreReason
    label: str
    units: tuple[AnyUnit, ...]


# --- collections: how to read and write each kind of item -------------------------------


def _put_session(project: Project, **fields: Any) -> Project:
    return replace(project, session=replace(project.session, **fields))


class _Collection(NamedTuple):
    items: Callable[[Project], tuple[Any, ...]]
    ident: Callable[[Any], int]
    put: Callable[[Project, tuple[Any, ...]], Project]
    slot: Callable[[int, int, Any], AnyUnit]


COLLECTIONS: dict[str, _Collection] = {
    "instrument": _Collection(
        lambda p: p.instruments.items,
        lambda item: int(item.id),
        lambda p, items: replace(p, instruments=replace(p.instruments, items=items)),
        InstrumentSlot,
    ),
    "track": _Collection(
        lambda p: p.session.piano_roll.tracks,
        lambda item: int(item.instrument_id),
        lambda p, items: _put_session(p, piano_roll=replace(p.session.piano_roll, tracks=items)),
        TrackSlot,
    ),
    "lane": _Collection(
        lambda p: p.session.automation.lanes,
        lambda item: int(item.id),
        lambda p, items: _put_session(p, automation=replace(p.session.automation, lanes=items)),
        LaneSlot,
    ),
    "bus": _Collection(
        lambda p: p.session.mixer.buses,
        lambda item: int(item.id),
        lambda p, items: _put_session(p, mixer=replace(p.session.mixer, buses=items)),
        BusSlot,
    ),
    "clip": _Collection(
        lambda p: p.session.arrangement.clips,
        lambda item: int(item.id),
        lambda p, items: _put_session(p, arrangement=replace(p.session.arrangement, clips=items)),
        ClipSlot,
    ),
    "placement": _Collection(
        lambda p: p.session.arrangement.placements,
        lambda item: int(item.id),
        lambda p, items: _put_session(
            p, arrangement=replace(p.session.arrangement, placements=items)
        ),
        PlacementSlot,
    ),
}


def _counters(p: Project) -> tuple[int, int, int, int, int]:
    arrangement = p.session.arrangement
    return (
        p.instruments.next_id,
        p.instruments.next_layer_group_id,
        p.session.automation.next_lane_id,
        arrangement.next_clip_id,
        arrangement.next_placement_id,
    )


def _loop(p: Project) -> tuple[bool, int, int, float]:
    roll = p.session.piano_roll
    return (roll.looping, roll.loop_start, roll.loop_end, roll.swing)


SCALARS: dict[str, Callable[[Project], Any]] = {
    "settings": lambda p: p.session.settings,
    "humanize": lambda p: p.session.humanize,
    "click": lambda p: p.session.click,
    "loop": _loop,
    "master": lambda p: (p.session.mixer.master_level, p.session.mixer.master_mute),
    "play_mode": lambda p: p.session.arrangement.play_mode,
    "counters": _counters,
    "tempo_map": lambda p: p.session.tempo_map,
}

COUNTERS: UnitKey = ("counters", 0)


class Target(NamedTuple):
    """A unit's value in some project and where it sat (for re-inserting a removed item)."""

    value: Any
    position: int


# --- reading and diffing ------------------------------------------------------------------


def _changed_items(kind: str, old: tuple[Any, ...], new: tuple[Any, ...]) -> list[UnitKey]:
    if old is new:
        return []
    ident = COLLECTIONS[kind].ident
    if len(old) == len(new):
        out: list[UnitKey] = []
        for a, b in zip(old, new, strict=True):
            if a is b:
                continue
            if ident(a) != ident(b):
                break
            out.append((kind, ident(b)))
        else:
            return out
    before = {ident(item): item for item in old}
    after = {ident(item): item for item in new}
    return [(kind, key) for key in {**before, **after} if before.get(key) is not after.get(key)]


def changed_keys(old: Project, new: Project) -> list[UnitKey]:
    """The units that differ between two roots, found by identity (shared subtrees skip)."""
    if old is new:
        return []
    keys: list[UnitKey] = []
    keys += _changed_items("instrument", old.instruments.items, new.instruments.items)
    a, b = old.session, new.session
    if a is not b:
        for kind in ("track", "lane", "bus", "clip", "placement"):
            items = COLLECTIONS[kind].items
            keys += _changed_items(kind, items(old), items(new))
        for name, read in SCALARS.items():
            if name != "counters" and read(old) != read(new):
                keys.append((name, 0))
    if _counters(old) != _counters(new):
        keys.append(COUNTERS)
    return keys


def read(project: Project, key: UnitKey) -> Target:
    """A unit's current value (None: absent) and position."""
    kind, ident = key
    if kind in SCALARS:
        return Target(SCALARS[kind](project), 0)
    collection = COLLECTIONS[kind]
    for pos, item in enumerate(collection.items(project)):
        if collection.ident(item) == ident:
            return Target(item, pos)
    return Target(None, -1)


def capture(project: Project, keys: Iterable[UnitKey]) -> dict[UnitKey, Target]:
    """The values of ``keys`` in ``project``, by reference."""
    return {key: read(project, key) for key in keys}


def same(a: object, b: object) -> bool:
    """Whether two unit values are the same (identity first, equality as the fallback)."""
    return a is b or a == b


# --- building units -----------------------------------------------------------------------


def _track_edit(current: Track, target: Track) -> TrackEdit:
    now = set(current.notes)
    wanted = set(target.notes)
    removed = tuple(sorted(note.key for note in now - wanted))
    added = tuple(sorted(wanted - now, key=lambda note: note.key))
    return TrackEdit(int(target.instrument_id), removed, added)


def units_towards(current: Project, targets: Mapping[UnitKey, Target]) -> tuple[AnyUnit, ...]:
    """The units that turn ``current`` into a project holding ``targets``."""
    removals: list[AnyUnit] = []
    updates: list[AnyUnit] = []
    inserts: list[tuple[int, AnyUnit]] = []
    for key, (value, position) in targets.items():
        kind, ident = key
        if kind in SCALARS:
            updates.append(_scalar_unit(kind, value))
            continue
        now = read(current, key).value
        if value is None:
            if now is not None:
                removals.append(COLLECTIONS[kind].slot(ident, -1, None))
        elif now is None:
            inserts.append((position, COLLECTIONS[kind].slot(ident, position, value)))
        elif now is not value:
            if kind == "track":
                edit = _track_edit(now, value)
                if edit.removed or edit.added:
                    updates.append(edit)
            else:
                updates.append(COLLECTIONS[kind].slot(ident, position, value))
    inserts.sort(key=lambda pair: pair[0])
    return (*removals, *updates, *(unit for _pos, unit in inserts))


def _scalar_unit(kind: str, value: Any) -> AnyUnit:
    if kind == "settings":
        return SettingsValue(value)
    if kind == "humanize":
        return HumanizeValue(value)
    if kind == "click":
        return ClickValue(value)
    if kind == "loop":
        return LoopValue(*value)
    if kind == "master":
        return MasterValue(*value)
    if kind == "play_mode":
        return PlayModeValue(value)
    if kind == "tempo_map":
        return TempoMapValue(value)
    return CountersValue(*value)


def restore_between(old: Project, new: Project, reason: RestoreReason, label: str) -> Restore:
    """The op that turns ``old`` into ``new`` (for a host-side undo, redo or rollback)."""
    keys = changed_keys(old, new)
    return Restore(reason, label, units_towards(old, capture(new, keys)))


# --- applying -----------------------------------------------------------------------------


SlotChange = Literal["unchanged", "deleted", "replaced", "added"]


def _set_slot(project: Project, kind: str, unit: Any) -> tuple[Project, SlotChange]:
    collection = COLLECTIONS[kind]
    items = collection.items(project)
    ident = unit.id
    pos = next((n for n, item in enumerate(items) if collection.ident(item) == ident), None)
    value = unit.value
    if value is None:
        if pos is None:
            return project, "unchanged"
        return collection.put(project, (*items[:pos], *items[pos + 1 :])), "deleted"
    if collection.ident(value) != ident:
        raise InvalidAction(f"restore of {kind} {ident} carries {kind} {collection.ident(value)}")
    if pos is not None:
        return collection.put(project, (*items[:pos], value, *items[pos + 1 :])), "replaced"
    at = max(0, min(unit.position, len(items)))
    return collection.put(project, (*items[:at], value, *items[at:])), "added"


def _edit_track(project: Project, unit: TrackEdit) -> Project:
    roll = project.session.piano_roll
    track = roll.track(unit.id)
    if track is None:
        raise InvalidAction(f"restore edits the notes of instrument {unit.id}, which has no track")
    gone = set(unit.removed)
    kept = [note for note in track.notes if note.key not in gone]
    notes = sorted((*kept, *unit.added), key=lambda note: note.key)
    return _put_session(project, piano_roll=roll.replaced(Track(track.instrument_id, tuple(notes))))


_SETTING_FIELDS = MusicalSettings.__struct_fields__


def _apply_unit(project: Project, unit: AnyUnit, changes: list[Change]) -> Project:
    session = project.session
    if isinstance(unit, InstrumentSlot):
        project, how = _set_slot(project, "instrument", unit)
        ident = InstrumentId(unit.id)
        if how != "unchanged":
            changes.append(RoutingChanged(ident, how))
            changes.append(StripChanged("instrument", unit.id))
            changes.append(SoloChanged())
        return project
    if isinstance(unit, TrackSlot):
        project, _how = _set_slot(project, "track", unit)
        changes.append(TrackChanged(InstrumentId(unit.id)))
        return project
    if isinstance(unit, TrackEdit):
        changes.append(TrackChanged(InstrumentId(unit.id)))
        return _edit_track(project, unit)
    if isinstance(unit, LaneSlot):
        changes.append(LaneChanged(LaneId(unit.id)))
        return _set_slot(project, "lane", unit)[0]
    if isinstance(unit, BusSlot):
        project, how = _set_slot(project, "bus", unit)
        changes.append(BusesChanged())
        if how == "replaced":
            changes.append(BusProcessingChanged(BusId(unit.id)))
            changes.append(StripChanged("bus", unit.id))
        changes.append(SoloChanged())
        return project
    if isinstance(unit, ClipSlot | PlacementSlot):
        changes.append(ArrangementChanged())
        kind = "clip" if isinstance(unit, ClipSlot) else "placement"
        return _set_slot(project, kind, unit)[0]
    if isinstance(unit, SettingsValue):
        old = session.settings
        for field in _SETTING_FIELDS:
            if getattr(old, field) != getattr(unit.value, field):
                changes.append(SessionChanged(field))
        return _put_session(project, settings=unit.value)
    if isinstance(unit, HumanizeValue):
        changes.append(SessionChanged("humanize"))
        return _put_session(project, humanize=unit.value)
    if isinstance(unit, ClickValue):
        changes.append(SessionChanged("click"))
        return _put_session(project, click=unit.value)
    if isinstance(unit, LoopValue):
        changes.extend((SessionChanged("loop"), SessionChanged("looping"), SessionChanged("swing")))
        roll = replace(
            session.piano_roll,
            looping=unit.looping,
            loop_start=unit.loop_start,
            loop_end=unit.loop_end,
            swing=unit.swing,
        )
        return _put_session(project, piano_roll=roll)
    if isinstance(unit, MasterValue):
        changes.append(StripChanged("master"))
        mixer = replace(session.mixer, master_level=unit.level, master_mute=unit.mute)
        return _put_session(project, mixer=mixer)
    if isinstance(unit, TempoMapValue):
        changes.append(SessionChanged("tempo_map"))
        return _put_session(project, tempo_map=unit.value)
    if isinstance(unit, PlayModeValue):
        changes.append(ArrangementChanged())
        return _put_session(project, arrangement=replace(session.arrangement, play_mode=unit.mode))
    return _set_counters(project, unit)


def _set_counters(project: Project, unit: CountersValue) -> Project:
    session: Session = project.session
    instruments = replace(
        project.instruments, next_id=unit.instrument, next_layer_group_id=unit.layer_group
    )
    automation = replace(session.automation, next_lane_id=unit.lane)
    arrangement = replace(
        session.arrangement, next_clip_id=unit.clip, next_placement_id=unit.placement
    )
    session = replace(session, automation=automation, arrangement=arrangement)
    return Project(instruments, session)


def apply_restore(project: Project, restore: Restore) -> tuple[Project, tuple[Change, ...]]:
    """Apply a restore op: deterministic, so every replica ends with the same root."""
    changes: list[Change] = []
    for unit in restore.units:
        project = _apply_unit(project, unit, changes)
    unique = tuple(dict.fromkeys(changes))
    return project, unique


def describe(key: UnitKey) -> str:
    """A unit in words, for rejection reasons."""
    kind, ident = key
    if kind in SCALARS:
        return {"play_mode": "the play mode", "loop": "the loop"}.get(kind, f"the {kind}")
    if kind == "track":
        return f"the notes of instrument {ident}"
    return f"{kind} {ident}"
