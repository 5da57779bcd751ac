"""Tempo shared with other machines: the session's tempo, MIDI clock in and out (pure).

``session_tempo`` is the one place Link reads the tempo from: the tempo map's tempo at a tick
(MIDI clock out follows the transport, whose tempo is the map's at the playhead).
``ClockFollower`` estimates the tempo of incoming MIDI clock (24 ticks per beat) over a sliding
window; ``ClockSchedule`` says when outgoing clock ticks fall.
"""

from __future__ import annotations

from collections import deque

from imbolc.core.live import CLOCKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.targets import BPM_RANGE
from imbolc.core.timemap import time_map

FOLLOW_WINDOW = CLOCKS_PER_BEAT
"""Clock intervals averaged (one beat)."""
FOLLOW_RESOLUTION = 0.1
"""BPM changes smaller than this are not reported (clock jitter)."""
MAX_GAP = 1.0
"""Seconds without a clock tick after which the follower starts over."""


def session_tempo(project: Project, tick: float = 0.0) -> float:
    """The tempo map's tempo at ``tick`` in BPM (ramps included)."""
    return time_map(project.session).bpm_at(tick)


class ClockFollower:
    """Turns MIDI clock arrival times into a tempo; None until a beat of clock has arrived."""

    def __init__(self) -> None:
        self._times: deque[float] = deque(maxlen=FOLLOW_WINDOW + 1)
        self.reported: float | None = None

    def reset(self) -> None:
        """Forget the clock (it stopped or restarted)."""
        self._times.clear()

    def tick(self, time: float) -> float | None:
        """A clock tick at monotonic ``time``; returns a new tempo when it changed enough."""
        if self._times and not 0.0 < time - self._times[-1] < MAX_GAP:
            self._times.clear()
        self._times.append(time)
        if len(self._times) <= FOLLOW_WINDOW:
            return None
        span = self._times[-1] - self._times[0]
        if span <= 0:
            return None
        bpm = 60.0 * FOLLOW_WINDOW / (span * CLOCKS_PER_BEAT)
        bpm = round(max(BPM_RANGE[0], min(BPM_RANGE[1], bpm)), 1)
        if self.reported is not None and abs(bpm - self.reported) < FOLLOW_RESOLUTION:
            return None
        self.reported = bpm
        return bpm


class ClockSchedule:
    """When outgoing clock ticks are due: 24 per beat at the tempo, re-anchored on changes."""

    def __init__(self, start: float, bpm: float) -> None:
        self._anchor = start
        self._count = 0
        self.bpm = bpm

    def interval(self) -> float:
        """Seconds between ticks at the current tempo."""
        return 60.0 / (self.bpm * CLOCKS_PER_BEAT)

    def set_bpm(self, bpm: float, now: float) -> None:
        """Change tempo from the next tick on (the ticks already due keep their time)."""
        if bpm == self.bpm:
            return
        self._anchor = self.next_due()
        self._count = 0
        self.bpm = bpm
        del now

    def next_due(self) -> float:
        """When the next tick is due."""
        return self._anchor + self._count * self.interval()

    def due(self, now: float) -> int:
        """How many ticks are due by ``now`` (they are then counted as sent)."""
        sent = 0
        while self.next_due() <= now:
            self._count += 1
            sent += 1
        return sent
