"""The player: walks the timeline, asks the scheduler what starts, and plays it on the engine.

Realtime playback and offline rendering share this one code path; they differ only in the
clock that calls ``advance`` and the backend under the engine.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field

from imbolc.core.ids import InstrumentId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.timemap import TimeMap
from imbolc.engine.engine import Engine
from imbolc.engine.schedule import Scheduler
from imbolc.engine.schedule_automation import beats_between
from imbolc.engine.schedule_timeline import clock_of


@dataclass(order=True)
class _NoteOff:
    time: float
    order: int
    instrument_id: InstrumentId = field(compare=False)
    pitch: int = field(compare=False)


class Player:
    """Position on the timeline (tick and the time it sounds) plus pending note-offs."""

    def __init__(self, engine: Engine, seed: int = 0) -> None:
        self.engine = engine
        self.scheduler = Scheduler(seed=seed)
        self.tick = 0.0
        self.time = 0.0
        self.bpm: float | None = None
        self.playing = False
        self.count_in_until: float | None = None
        """While counting in: every beat before this tick clicks, metronome on or off."""
        self._offs: list[_NoteOff] = []
        self._order = itertools.count()

    def start(self, tick: float, time: float) -> None:
        """Begin playing ``tick`` at ``time`` (seconds on the backend's clock)."""
        self.scheduler.reset()
        self.tick, self.time, self.playing = float(tick), float(time), True
        self.bpm = None
        self.count_in_until = None

    def count_in(self, tick: float, beats: int, time: float) -> None:
        """Begin ``beats`` beats before ``tick`` at ``time``, clicking each beat up to ``tick``
        (a take's count-in): over the music before it, and before the top of the song over
        silence (the player walks negative ticks, where only the count-in sounds)."""
        self.start(float(tick) - max(0, beats) * TICKS_PER_BEAT, time)
        self.count_in_until = float(tick)

    def clock(self, project: Project) -> TimeMap:
        """The tempo map in force: one tempo while a tempo lane drives it, else the session's."""
        return clock_of(project, self.bpm)

    def tempo(self, project: Project) -> float:
        """The tempo at the player's position."""
        return self.clock(project).bpm_at(self.tick)

    def advance(self, project: Project, until: float) -> int:
        """Schedule everything that starts before ``until``; returns how many notes."""
        if self.playing and self.tick < 0:
            self._lead_in(project, until)
            if self.tick < 0:
                self._release_due(until)
                return 0
        if not self.playing or until <= self.time:
            self._release_due(until)
            return 0
        clock = self.clock(project)
        span = clock.ticks_after(self.tick, until - self.time) - self.tick
        until_tick = -math.inf if self.count_in_until is None else self.count_in_until
        window = self.scheduler.window(
            project, self.tick, self.tick + span, self.time, bpm=self.bpm, count_in_until=until_tick
        )
        if self.tick + span >= until_tick or window.next_tick < self.tick:
            self.count_in_until = None  # counted in (or the loop wrapped first)
        engine = self.engine
        for value in window.automation:
            target = value.target
            if target.scope == "global" and target.parameter == "bpm":
                self.bpm = value.value
            else:
                engine.automate(target, value.value, value.time)
        for click in window.clicks:
            engine.click(click.accent, click.time, click.count_in)
        for note in window.notes:
            self._release_due(note.time)
            at = max(note.time, self.time)
            if note.pad is not None:
                pad = project.instruments.get(note.instrument_id)
                base = 0 if pad is None or pad.kit is None else pad.kit.pads[note.pad].note
                engine.drum_hit(note.instrument_id, note.pad, note.velocity, at, note.pitch - base)
                continue
            node = engine.note_on(note.instrument_id, note.pitch, note.velocity, at, note.freq)
            if node is not None:
                off = _NoteOff(
                    at + note.duration, next(self._order), note.instrument_id, note.pitch
                )
                heapq.heappush(self._offs, off)
        self._release_due(until)
        self.tick, self.time = window.next_tick, window.next_time
        return len(window.notes)

    def _lead_in(self, project: Project, until: float) -> None:
        """The count-in's beats before tick 0 that start before ``until``; on to tick 0 when
        the lead-in ends there (from where the scheduler plays the song). Ticks before 0 run
        at the starting tempo in the first meter."""
        clock = self.clock(project)
        seconds_per_tick = 60.0 / (clock.bpm_at(0.0) * TICKS_PER_BEAT)
        end = min(0.0, self.tick + (until - self.time) / seconds_per_tick)
        for tick, accent in beats_between(clock, self.tick, end):
            self.engine.click(accent, self.time + (tick - self.tick) * seconds_per_tick, True)
        self.time += (end - self.tick) * seconds_per_tick
        self.tick = end

    def _release_due(self, until: float) -> None:
        while self._offs and self._offs[0].time <= until:
            off = heapq.heappop(self._offs)
            self.engine.note_off(off.instrument_id, off.pitch, off.time)

    def stop(self, at: float | None = None) -> None:
        """Stop: pending note-offs are dropped and every voice is released."""
        self.playing = False
        self._offs.clear()
        self.engine.release_all(at)

    def finish(self) -> float:
        """Release every pending note at its time; returns the time of the last release."""
        last = self.time
        while self._offs:
            off = heapq.heappop(self._offs)
            self.engine.note_off(off.instrument_id, off.pitch, off.time)
            last = max(last, off.time)
        self.playing = False
        return last
