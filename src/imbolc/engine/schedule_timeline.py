"""How a scheduling window maps musical ticks to transport ticks and to seconds.

Musical ticks are positions in the piano roll or song; they jump back at a loop wrap.
Transport ticks ("elapsed") count the ticks played since playback started at a position, and
never jump: the drum sequencer and the arpeggiator run on them, and seconds follow them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project


class Loop(NamedTuple):
    """The loop region of pattern mode, in musical ticks."""

    start: int
    end: int


class Segment(NamedTuple):
    """A stretch of musical ticks [start, end) played without a wrap, starting at ``elapsed``."""

    start: float
    end: float
    elapsed: float


def loop_of(project: Project) -> Loop | None:
    """The active loop: pattern mode with looping on and a non-empty region, else None."""
    session = project.session
    roll = session.piano_roll
    if session.arrangement.play_mode != "pattern" or not roll.looping:
        return None
    if roll.loop_end <= roll.loop_start:
        return None
    return Loop(roll.loop_start, roll.loop_end)


def seconds_per_tick(bpm: float) -> float:
    """Seconds one tick lasts at ``bpm``; raises ValueError for a tempo that is not positive."""
    if not (isinstance(bpm, int | float) and math.isfinite(bpm) and bpm > 0):
        raise ValueError(f"tempo {bpm!r} BPM must be a positive finite number")
    return 60.0 / (bpm * TICKS_PER_BEAT)


def plan(
    start: float, span: float, loop: Loop | None, elapsed: float
) -> tuple[tuple[Segment, ...], float]:
    """Cut ``span`` ticks of playback from ``start`` at every loop wrap.

    Returns the segments and the musical tick playback continues from. A start at or past
    the loop end jumps to the loop start, as the playhead does.
    """
    pos = float(start)
    if loop is not None and pos >= loop.end:
        pos = float(loop.start)
    segments: list[Segment] = []
    remaining = float(span)
    while remaining > 0:
        if loop is not None and pos < loop.end and pos + remaining >= loop.end:
            length = loop.end - pos
            segments.append(Segment(pos, float(loop.end), elapsed))
            pos, remaining, elapsed = float(loop.start), remaining - length, elapsed + length
        else:
            segments.append(Segment(pos, pos + remaining, elapsed))
            pos += remaining
            break
    return tuple(segments), pos


def distance_to(mark: float, segments: tuple[Segment, ...], origin: float) -> float | None:
    """How many ticks after the path's start it reaches musical tick ``mark``, if it does."""
    for segment in segments:
        if segment.start <= mark < segment.end:
            return segment.elapsed - origin + (mark - segment.start)
    if segments and mark == segments[-1].end:
        last = segments[-1]
        return last.elapsed - origin + (last.end - last.start)
    return None


class Timeline:
    """One window: its segments, its transport-tick span and its clock."""

    __slots__ = ("end_elapsed", "seconds_per_tick", "segments", "start_elapsed", "start_time")

    def __init__(
        self,
        segments: tuple[Segment, ...],
        start_elapsed: float,
        span: float,
        start_time: float,
        seconds_per_tick: float,
    ) -> None:
        self.segments = segments
        self.start_elapsed = start_elapsed
        self.end_elapsed = start_elapsed + span
        self.start_time = start_time
        self.seconds_per_tick = seconds_per_tick

    def time_at(self, elapsed: float) -> float:
        """Seconds at transport tick ``elapsed``."""
        return self.start_time + (elapsed - self.start_elapsed) * self.seconds_per_tick

    def seconds(self, ticks: float) -> float:
        """How long ``ticks`` last."""
        return ticks * self.seconds_per_tick

    @staticmethod
    def elapsed_at(segment: Segment, tick: float) -> float:
        """Transport tick of musical tick ``tick`` inside ``segment``."""
        return tick + _shift(segment)

    def tick_at(self, elapsed: float) -> float:
        """Musical tick at transport tick ``elapsed`` (inside the window)."""
        for segment in self.segments:
            if elapsed < segment.elapsed + (segment.end - segment.start):
                return elapsed - _shift(segment)
        return elapsed - _shift(self.segments[-1])


def _shift(segment: Segment) -> int:
    """Transport minus musical tick in ``segment``: a whole number, since playback starts with
    them equal and every wrap adds the loop length; rounding drops the float noise."""
    return round(segment.elapsed - segment.start)
