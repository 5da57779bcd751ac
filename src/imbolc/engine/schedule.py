"""The sequencer's pure scheduling core: what plays when, window by window.

No OSC, threads or clocks: the caller (the transport) asks for a window of musical ticks and
the time its first tick sounds, and gets the notes, automation values and clicks that start in
it. The project is passed on every call, so each window uses the newest immutable state.

Typical use by a transport thread::

    window = scheduler.window(project, tick, tick + lookahead_ticks, now + latency)
    ...  # turn window.notes etc. into timetagged bundles
    tick = window.next_tick  # where the next window continues, after any loop wrap
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from imbolc.core.arrangement import Arrangement, flatten_notes
from imbolc.core.ids import InstrumentId
from imbolc.core.indexed import IdentityCache
from imbolc.core.notes import Track
from imbolc.core.project import Project
from imbolc.core.timemap import TimeMap
from imbolc.engine.schedule_arp import ArpState, play_arp
from imbolc.engine.schedule_automation import (
    CONTROL_PERIOD_SECONDS,
    automation_values,
    click_events,
)
from imbolc.engine.schedule_drums import DrumState, kit_states, play_steps
from imbolc.engine.schedule_notes import NoteContext, play_note, roster
from imbolc.engine.schedule_random import Dice
from imbolc.engine.schedule_scan import NoteScanner
from imbolc.engine.schedule_timeline import (
    Loop,
    Timeline,
    clock_of,
    distance_to,
    loop_of,
    plan,
)
from imbolc.engine.schedule_types import AutomationValue, ClickEvent, ScheduledNote, Window

__all__ = [
    "CONTROL_PERIOD_SECONDS",
    "AutomationValue",
    "ClickEvent",
    "ScheduledNote",
    "Scheduler",
    "Window",
]

_MARK_TOLERANCE = 1e-6
"""Ticks by which a window start may miss the previous window's end and still continue it."""

_SONG_TRACKS = IdentityCache()


def song_tracks(arrangement: Arrangement) -> tuple[Track, ...]:
    """The arrangement's flattened notes as tracks (bisectable), cached per arrangement."""

    def build() -> tuple[Track, ...]:
        flat = flatten_notes(arrangement)
        return tuple(Track(ident, notes) for ident, notes in flat.items())

    return _SONG_TRACKS.get(arrangement, build)


def _tracks(project: Project) -> Iterable[Track]:
    session = project.session
    if session.arrangement.play_mode == "song":
        return song_tracks(session.arrangement)
    return session.piano_roll.tracks


def _check_window(start_tick: float, end_tick: float, start_time: float) -> None:
    for name, value in (("start_tick", start_tick), ("end_tick", end_tick)):
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            raise ValueError(f"window {name} {value!r} must be a finite tick >= 0")
    if end_tick < start_tick:
        raise ValueError(f"window end_tick {end_tick!r} is before start_tick {start_tick!r}")
    if not (isinstance(start_time, int | float) and math.isfinite(start_time)):
        raise ValueError(f"window start_time {start_time!r} must be a finite number of seconds")


class Scheduler:
    """Decides what plays when; keeps only what must survive from one window to the next.

    That is: where the last window ended (the high-water mark) and the transport tick there,
    a count of relocations (part of every random draw's key), each kit's step and chain
    position and each arpeggiator's held notes and step. Random draws are hashes of the seed
    and the event, so the output does not depend on how the timeline is cut into windows.
    """

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self._mark: float | None = None
        self._elapsed = 0.0
        self._epoch = -1
        self._drums: dict[InstrumentId, DrumState] = {}
        self._arps: dict[InstrumentId, ArpState] = {}
        self._scanner = NoteScanner()

    @property
    def mark(self) -> float | None:
        """The musical tick the next contiguous window starts at (None before the first)."""
        return self._mark

    def reset(self) -> None:
        """Forget the position (stop, seek): the next window starts playback afresh."""
        self._mark = None

    def _relocate(self, start_tick: float) -> None:
        self._mark = None
        self._epoch += 1
        self._elapsed = float(start_tick)
        self._drums.clear()
        self._arps.clear()
        self._scanner.clear()

    def _continue(
        self,
        start_tick: float,
        span: float,
        start_time: float,
        loop: Loop | None,
        clock: TimeMap,
    ) -> tuple[float, float, float]:
        """Start, span and time of what is left to schedule after the high-water mark.

        A window starting at the mark continues playback. One starting earlier whose span
        reaches the mark overlaps what was scheduled, so only the rest is scheduled. Any other
        start (a seek, or a gap after a stall) relocates playback there.
        """
        mark = self._mark
        if mark is not None and abs(start_tick - mark) <= _MARK_TOLERANCE:
            return mark, span, start_time
        if mark is not None:
            segments, _ = plan(start_tick, span, loop, 0.0)
            distance = distance_to(mark, segments, 0.0)
            if distance is not None:
                path = Timeline(segments, 0.0, span, start_time, clock)
                return mark, span - distance, path.time_at(distance)
        self._relocate(start_tick)
        return start_tick, span, start_time

    def window(
        self,
        project: Project,
        start_tick: float,
        end_tick: float,
        start_time: float,
        *,
        bpm: float | None = None,
        count_in_until: float = -math.inf,
    ) -> Window:
        """Everything that starts in ``end_tick - start_tick`` ticks of playback from
        ``start_tick``, whose onset is at ``start_time`` seconds.

        In pattern mode with looping, playback wraps from the loop end to the loop start (as
        often as the span needs) and times keep increasing. Times follow the session's tempo
        map; ``bpm`` overrides it with one tempo (a transport following a tempo lane); beats
        before ``count_in_until`` click even with the metronome off (a take's count-in). Raises
        ValueError for a malformed window.
        """
        _check_window(start_tick, end_tick, start_time)
        clock = clock_of(project, bpm)
        loop = loop_of(project)
        span = end_tick - start_tick
        if loop is not None and start_tick >= loop.end:
            start_tick = float(loop.start)  # the playhead jumps back into the loop
        start, span, time = self._continue(start_tick, span, start_time, loop, clock)
        segments, next_tick = plan(start, span, loop, self._elapsed)
        timeline = Timeline(segments, self._elapsed, span, time, clock)

        notes: list[ScheduledNote] = []
        self._play_tracks(project, timeline, notes)
        kits = roster(project.instruments).kits
        dice = Dice(self.seed, self._epoch)
        for instrument, state in kit_states(self._drums, kits, timeline.start_elapsed):
            notes.extend(play_steps(project, instrument, state, timeline, dice))
        self._play_arps(project, timeline, notes)
        notes.sort(key=lambda note: note.time)

        automation = automation_values(project, timeline)
        clicks = click_events(project, timeline, count_in_until)
        self._mark = next_tick
        self._elapsed = timeline.end_elapsed
        return Window(
            tuple(notes),
            tuple(automation),
            tuple(clicks),
            next_tick,
            timeline.time_at(timeline.end_elapsed),
        )

    def _play_tracks(self, project: Project, timeline: Timeline, out: list[ScheduledNote]) -> None:
        """Notes of the piano roll (or the song) starting in the window (see schedule_scan)."""
        ctx = NoteContext(project, timeline, Dice(self.seed, self._epoch), self._arps)
        instruments = project.instruments
        tracks = _tracks(project)
        for segment in timeline.segments:
            low, high = math.ceil(segment.start), math.ceil(segment.end)
            for track in tracks:
                if not track.notes:
                    continue
                found = self._scanner.between(track, low, high)
                if not found:
                    continue
                source = instruments.get(track.instrument_id)
                if source is None or not source.active:
                    continue
                for note in found:
                    play_note(ctx, source, note, segment, out)

    def _play_arps(self, project: Project, timeline: Timeline, out: list[ScheduledNote]) -> None:
        """Steps of every arpeggiator; states of instruments no longer arpeggiating are dropped."""
        dice = Dice(self.seed, self._epoch)
        for ident in list(self._arps):
            instrument = project.instruments.get(ident)
            if instrument is None or not instrument.active or not instrument.arpeggiator.enabled:
                del self._arps[ident]
                continue
            out.extend(play_arp(instrument, self._arps[ident], timeline, dice))
