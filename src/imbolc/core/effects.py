"""Effects: the precise list of what an action changed, for the engine, saver, network and UI.

Consumers act on effects, never by diffing the world. Each change names the smallest thing
that changed; ``undo`` says which subtree the history must keep; ``coalesce`` lets a knob
sweep become one undo step.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from imbolc.core.ids import BusId, InstrumentId, LaneId

StripKind = Literal["instrument", "bus", "master"]


class Change(msgspec.Struct, frozen=True, tag=True, array_like=True, gc=False):
    """Base of every change kind."""


class ParamChanged(Change, frozen=True):
    """One value of one instrument changed: ``path`` as in ``("chain", 3, "cutoff")``."""

    instrument_id: InstrumentId
    path: tuple[str | int, ...]
    value: float


class StripChanged(Change, frozen=True):
    """A mixer strip's level, pan, mute, solo, output or sends changed."""

    kind: StripKind
    id: int = 0


class SoloChanged(Change, frozen=True):
    """Some solo flag changed, so every strip's effective mute may have changed."""


RoutingKind = Literal["added", "deleted", "chain", "source", "replaced"]


class RoutingChanged(Change, frozen=True):
    """One instrument's graph must be built, freed or rebuilt."""

    instrument_id: InstrumentId
    kind: RoutingKind


class InstrumentChanged(Change, frozen=True):
    """A non-graph setting of one instrument changed (name, arpeggiator, groove, kit...)."""

    instrument_id: InstrumentId
    field: str


class BusProcessingChanged(Change, frozen=True):
    """A bus's effect chain changed: rebuild that bus's processing."""

    bus_id: BusId


class BusParamChanged(Change, frozen=True):
    """One parameter of one bus effect changed: a single targeted set."""

    bus_id: BusId
    stage_id: int
    name: str
    value: float


class BusesChanged(Change, frozen=True):
    """Buses were added, removed or renamed."""


class TrackChanged(Change, frozen=True):
    """One piano-roll track's notes changed."""

    instrument_id: InstrumentId


class LaneChanged(Change, frozen=True):
    """One automation lane was added, removed or edited."""

    lane_id: LaneId


class ArrangementChanged(Change, frozen=True):
    """Clips, placements or the play mode changed."""


class SessionChanged(Change, frozen=True):
    """Transport-relevant session values changed: ``bpm``, ``loop``, ``swing``, ``tuning``..."""

    field: str


class SessionReplaced(Change, frozen=True):
    """The whole session was swapped (undo of a session-scope step)."""


class ProjectReplaced(Change, frozen=True):
    """The whole project was swapped (load, undo of a full-scope step)."""


UndoKind = Literal["instrument", "session", "full"]


class UndoScope(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """The narrowest subtree that must be kept to undo a step."""

    kind: UndoKind
    instrument_id: InstrumentId = InstrumentId(0)


FULL_SCOPE = UndoScope("full")
SESSION_SCOPE = UndoScope("session")


def instrument_scope(instrument_id: InstrumentId) -> UndoScope:
    """The scope of an edit confined to one instrument."""
    return UndoScope("instrument", instrument_id)


def widest(a: UndoScope, b: UndoScope) -> UndoScope:
    """The scope covering both: same instrument stays narrow, anything else widens."""
    if a == b:
        return a
    if a.kind == "full" or b.kind == "full":
        return FULL_SCOPE
    if a.kind == "session" and b.kind == "session":
        return SESSION_SCOPE
    return FULL_SCOPE


class Effects(msgspec.Struct, frozen=True, array_like=True):
    """What one action changed, the undo scope (None: not undoable) and the coalescing key."""

    changes: tuple[Change, ...]
    undo: UndoScope | None
    coalesce: str | None = None
