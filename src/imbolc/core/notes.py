"""Notes and the piano roll: one track of notes per instrument, 960 ticks per beat."""

from __future__ import annotations

from bisect import bisect_left

import msgspec

from imbolc.core.ids import InstrumentId
from imbolc.core.indexed import position_index, remember_index, replace_at

TICKS_PER_BEAT = 960
"""Ticks per quarter note: fine enough that a file's onsets keep within 1 ms down to 31 BPM
(files before schema version 4 used 480 and are rescaled when read)."""


class Note(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One note. Within a track, (tick, pitch) identifies it."""

    tick: int
    duration: int
    pitch: int
    velocity: int = 100
    probability: float = 1.0

    @property
    def key(self) -> tuple[int, int]:
        """The note's identity inside its track."""
        return (self.tick, self.pitch)

    @property
    def end(self) -> int:
        """The tick the note ends on."""
        return self.tick + self.duration


def _note_key(note: Note) -> tuple[int, int]:
    return (note.tick, note.pitch)


class Track(msgspec.Struct, frozen=True, array_like=True):
    """An instrument's notes, sorted by (tick, pitch) so scans can bisect."""

    instrument_id: InstrumentId
    notes: tuple[Note, ...] = ()

    def find(self, tick: int, pitch: int) -> int | None:
        """The position of the note at (tick, pitch), or None."""
        pos = bisect_left(self.notes, (tick, pitch), key=_note_key)
        if pos < len(self.notes) and _note_key(self.notes[pos]) == (tick, pitch):
            return pos
        return None

    def with_note(self, note: Note) -> Track:
        """A track with ``note`` inserted in order (the caller checks for duplicates)."""
        pos = bisect_left(self.notes, note.key, key=_note_key)
        return Track(self.instrument_id, (*self.notes[:pos], note, *self.notes[pos:]))

    def without(self, position: int) -> Track:
        """A track with the note at ``position`` removed."""
        return Track(self.instrument_id, (*self.notes[:position], *self.notes[position + 1 :]))

    def in_window(self, start: int, end: int) -> tuple[Note, ...]:
        """Notes starting in [start, end), found by binary search."""
        lo = bisect_left(self.notes, (start, -1), key=_note_key)
        hi = bisect_left(self.notes, (end, -1), key=_note_key)
        return self.notes[lo:hi]

    @property
    def length(self) -> int:
        """The tick the last note ends on (0 for an empty track)."""
        return max((note.end for note in self.notes), default=0)


class PianoRoll(msgspec.Struct, frozen=True, weakref=True, array_like=True):
    """Every track, plus the loop and the session swing."""

    tracks: tuple[Track, ...] = ()
    looping: bool = True
    loop_start: int = 0
    loop_end: int = TICKS_PER_BEAT * 16
    swing: float = 0.0

    def _index(self) -> dict[int, int]:
        return position_index(self, self.tracks, lambda track: track.instrument_id)

    def track(self, instrument_id: int) -> Track | None:
        """The track of ``instrument_id``, or None."""
        pos = self._index().get(instrument_id)
        return None if pos is None else self.tracks[pos]

    def replaced(self, track: Track) -> PianoRoll:
        """A piano roll with ``track`` replacing the one of the same instrument."""
        index = self._index()
        new = msgspec.structs.replace(
            self, tracks=replace_at(self.tracks, index[track.instrument_id], track)
        )
        remember_index(new, index)
        return new

    @property
    def note_count(self) -> int:
        """How many notes all tracks hold."""
        return sum(len(track.notes) for track in self.tracks)
