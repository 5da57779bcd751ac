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
from imbolc.core.timemap import TimeMap, time_map


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
    check_tempo(bpm)
    return 60.0 / (bpm * TICKS_PER_BEAT)


def check_tempo(bpm: float) -> None:
    """Raise ValueError for a tempo that is not a positive finite number."""
    if not (isinstance(bpm, int | float) and math.isfinite(bpm) and bpm > 0):
        raise ValueError(f"tempo {bpm!r} BPM must be a positive finite number")


def clock_of(project: Project, bpm: float | None = None) -> TimeMap:
    """The tempo map playback follows: the session's, or one tempo ``bpm`` (a tempo lane)."""
    session = project.session
    if bpm is None:
        return time_map(session)
    check_tempo(bpm)
    return TimeMap.constant(bpm, session.settings.time_signature)


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
    """One window: its segments, its transport-tick span and its clock (the tempo map)."""

    __slots__ = ("_times", "clock", "end_elapsed", "segments", "start_elapsed", "start_time")

    def __init__(
        self,
        segments: tuple[Segment, ...],
        start_elapsed: float,
        span: float,
        start_time: float,
        clock: TimeMap,
    ) -> None:
        self.segments = segments
        self.start_elapsed = start_elapsed
        self.end_elapsed = start_elapsed + span
        self.start_time = start_time
        self.clock = clock
        times = [start_time]
        for segment in segments[:-1]:
            times.append(times[-1] + clock.seconds_between(segment.start, segment.end))
        self._times = times

    @property
    def seconds_per_tick(self) -> float:
        """Seconds one tick lasts where the window starts."""
        start = self.segments[0].start if self.segments else 0.0
        return 60.0 / (TICKS_PER_BEAT * self.clock.bpm_at(start))

    def _segment_of(self, elapsed: float) -> int:
        for n, segment in enumerate(self.segments):
            if elapsed < segment.elapsed + (segment.end - segment.start):
                return n
        return len(self.segments) - 1

    def time_at(self, elapsed: float) -> float:
        """Seconds at transport tick ``elapsed``, following the tempo map through every wrap."""
        if not self.segments:
            return self.start_time
        n = self._segment_of(elapsed)
        segment = self.segments[n]
        tick = segment.start + (elapsed - segment.elapsed)
        return self._times[n] + self.clock.seconds_between(segment.start, tick)

    def seconds(self, ticks: float, at: float | None = None) -> float:
        """How long ``ticks`` last from transport tick ``at`` (the window start when None)."""
        if at is None or not self.segments:
            return ticks * self.seconds_per_tick
        tick = self.tick_at(at)
        return self.clock.seconds_between(tick, tick + ticks)

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
