"""Actions on the tempo map and the meter map (tempo steps and ramps, time-signature changes).

Tick 0 (or bar 0) addresses the session's starting tempo (or meter), so one action edits any
point of the map.
"""

from __future__ import annotations

from imbolc.core.actions.base import Action


class AddTempoChange(Action, frozen=True):
    """Add a tempo change at ``tick`` (> 0); ``ramp`` glides from it to the next change."""

    tick: int
    bpm: float
    ramp: bool = False


class SetTempoChange(Action, frozen=True):
    """Change the tempo and ramp of the change at ``tick`` (0: the starting tempo)."""

    tick: int
    bpm: float
    ramp: bool = False


class MoveTempoChange(Action, frozen=True):
    """Move the tempo change at ``tick`` to ``to_tick`` (both > 0, nothing already there)."""

    tick: int
    to_tick: int


class DeleteTempoChange(Action, frozen=True):
    """Delete the tempo change at ``tick`` (> 0)."""

    tick: int


class SetMeterChange(Action, frozen=True):
    """From bar ``bar`` (from 0; 0 is the starting meter) on, the meter is numerator/denominator;
    replaces a change already on that bar."""

    bar: int
    numerator: int
    denominator: int


class DeleteMeterChange(Action, frozen=True):
    """Delete the meter change on bar ``bar`` (> 0)."""

    bar: int


ACTIONS: tuple[type[Action], ...] = (
    AddTempoChange,
    SetTempoChange,
    MoveTempoChange,
    DeleteTempoChange,
    SetMeterChange,
    DeleteMeterChange,
)
