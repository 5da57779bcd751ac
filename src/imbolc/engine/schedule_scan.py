"""Finding the notes that start in a window without scanning tracks.

Playback asks for one window after another, so each track keeps a cursor: the position of
the first note at or after where the last window ended. A window that starts there resumes at
the cursor and steps forward over exactly the notes it returns; any other window (after a loop
wrap, a seek, or an edit that replaced the track's notes) binary-searches, as
``Track.in_window`` does. Either way the cost follows the notes found, not the track length.
"""

from __future__ import annotations

from bisect import bisect_left

from imbolc.core.notes import Note, Track


def _tick(note: Note) -> int:
    return note.tick


class NoteScanner:
    """Per-track cursors: (the notes tuple they point into, position, tick they stand at)."""

    def __init__(self) -> None:
        self._cursors: dict[int, tuple[tuple[Note, ...], int, int]] = {}

    def clear(self) -> None:
        """Forget every cursor (playback moved)."""
        self._cursors.clear()

    def between(self, track: Track, low: int, high: int) -> tuple[Note, ...]:
        """The notes of ``track`` starting in [low, high), sorted as in the track."""
        notes = track.notes
        cursor = self._cursors.get(track.instrument_id)
        if cursor is not None and cursor[0] is notes and cursor[2] == low:
            start = cursor[1]
        else:
            start = bisect_left(notes, low, key=_tick)
        end = start
        count = len(notes)
        while end < count and notes[end].tick < high:
            end += 1
        self._cursors[track.instrument_id] = (notes, end, high)
        return notes[start:end]
