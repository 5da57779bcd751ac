"""A recorded take: notes and controller moves played while armed, as the actions that keep them.

The take only collects (tick, what) pairs; ``Take.actions`` turns them into piano-roll notes
(overdub adds, replace first clears the recorded range of each instrument played; optionally
quantized to a grid) and automation points (into the lane of each moved target, adding the lane
when there is none). The caller dispatches them in one store transaction: one undo step.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from imbolc.core.actions import AddLane, AddNotes, AddPoint, RemoveNotesInRange
from imbolc.core.actions.base import Action
from imbolc.core.automation import AutomationTarget
from imbolc.core.errors import ImbolcError
from imbolc.core.ids import InstrumentId, LaneId
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.targets import target_range

TakeMode = Literal["overdub", "replace"]
SHORTEST = 1
"""No recorded note is shorter than this many ticks."""
WRAPPED_LENGTH = TICKS_PER_BEAT // 4
"""Length of a note whose release came after the loop wrapped back before its start."""


class TakeOptions(msgspec.Struct, frozen=True):
    """How a take records: overdub or replace, the quantize grid (ticks, 0: off), count-in."""

    mode: TakeMode = "overdub"
    quantize: int = 0
    count_in_beats: int = 4


def quantized(tick: int, grid: int) -> int:
    """``tick`` moved to the nearest multiple of ``grid`` (unchanged when the grid is 0)."""
    if grid <= 0:
        return tick
    return max(0, (tick + grid // 2) // grid * grid)


class Take:
    """What was played between arming and stopping (ticks as the transport heard them)."""

    def __init__(self, start_tick: int, options: TakeOptions | None = None) -> None:
        self.start_tick = max(0, start_tick)
        self.options = options or TakeOptions()
        self.end_tick = self.start_tick
        self._open: dict[tuple[InstrumentId, int], tuple[int, int]] = {}
        self.notes: dict[InstrumentId, list[Note]] = {}
        self.moves: dict[AutomationTarget, list[tuple[int, float]]] = {}

    def _seen(self, tick: int) -> int:
        tick = max(0, tick)
        self.end_tick = max(self.end_tick, tick)
        return tick

    def note_on(self, instrument_id: InstrumentId, pitch: int, velocity: int, tick: int) -> None:
        """A key went down at ``tick``; a key already down is closed first."""
        if tick < self.start_tick and not self._open and not self.notes:
            return  # still counting in
        self.note_off(instrument_id, pitch, tick)
        self._open[(instrument_id, pitch)] = (self._seen(tick), max(1, min(127, velocity)))

    def note_off(self, instrument_id: InstrumentId, pitch: int, tick: int) -> None:
        """The key came up at ``tick`` (ignored when it was not recorded going down)."""
        opened = self._open.pop((instrument_id, pitch), None)
        if opened is None:
            return
        start, velocity = opened
        tick = self._seen(tick)
        length = tick - start if tick > start else WRAPPED_LENGTH
        note = Note(start, max(SHORTEST, length), pitch, velocity)
        self.notes.setdefault(instrument_id, []).append(note)

    def move(self, target: AutomationTarget, value: float, tick: int) -> None:
        """A mapped controller put ``target`` at ``value`` (its own units) at ``tick``."""
        if tick < self.start_tick and not self.moves:
            return
        self.moves.setdefault(target, []).append((self._seen(tick), value))

    def finish(self, tick: int) -> None:
        """Close every key still down at ``tick``."""
        for instrument_id, pitch in list(self._open):
            self.note_off(instrument_id, pitch, tick)

    @property
    def empty(self) -> bool:
        """Whether nothing at all was recorded."""
        return not self.notes and not self.moves and not self._open

    def _notes_actions(self) -> list[Action]:
        grid = self.options.quantize
        out: list[Action] = []
        for ident, notes in self.notes.items():
            if self.options.mode == "replace":
                out.append(RemoveNotesInRange(ident, self.start_tick, self.end_tick + 1))
            kept: dict[tuple[int, int], Note] = {}
            for note in notes:
                tick = quantized(note.tick, grid)
                kept[(tick, note.pitch)] = msgspec.structs.replace(note, tick=tick)
            out.append(AddNotes(ident, tuple(sorted(kept.values(), key=_note_key))))
        return out

    def _automation_actions(self, project: Project) -> list[Action]:
        out: list[Action] = []
        automation = project.session.automation
        next_id = automation.next_lane_id
        for target, moves in self.moves.items():
            lane = next((la for la in automation.lanes if la.target == target), None)
            if lane is None:
                try:
                    low, high = target_range(project, target)
                except ImbolcError:
                    continue  # the target is gone since the move was made
                out.append(AddLane(target))
                lane_id, span_low, span_high = LaneId(next_id), low, high
                next_id += 1
            else:
                lane_id, span_low, span_high = lane.id, lane.min_value, lane.max_value
            span = span_high - span_low
            points: dict[int, float] = {}
            for tick, value in moves:
                norm = 0.0 if span <= 0 else (value - span_low) / span
                points[tick] = round(max(0.0, min(1.0, norm)), 6)
            out.extend(AddPoint(lane_id, tick, value) for tick, value in sorted(points.items()))
        return out

    def actions(self, project: Project) -> list[Action]:
        """The actions that keep this take in ``project`` (dispatch them as one transaction)."""
        self.finish(self.end_tick)
        notes = [a for a in self._notes_actions() if not isinstance(a, AddNotes) or a.notes]
        return [*notes, *self._automation_actions(project)]


def _note_key(note: Note) -> tuple[int, int]:
    return (note.tick, note.pitch)
