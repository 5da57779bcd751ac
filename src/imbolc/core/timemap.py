"""Time that moves: the tempo map and the meter map, and the one seconds <-> ticks function.

A session's tempo starts at ``settings.bpm`` and its meter at ``settings.time_signature``; the
``TempoMap`` holds the changes after that. A tempo change is a step, or the start of a linear
ramp (in ticks) to the next change's tempo. A meter change starts at a bar boundary, counted in
bars so that editing an earlier meter keeps every later change on its bar.

``time_map(session)`` gives the derived ``TimeMap`` (cached per settings and map object): every
component that turns ticks into seconds or back (scheduler, player, render, MIDI files, the
playhead, the bar display) goes through it. Lookups bisect the changes (O(log n)); a ramp's
seconds are the closed form of integrating 60 / (tpb * bpm(t)) over a linear bpm(t).
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_right
from typing import NamedTuple, Protocol

import msgspec

from imbolc.core.music import bar_ticks
from imbolc.core.notes import TICKS_PER_BEAT

MAX_TEMPO_CHANGES = 10_000
MAX_METER_CHANGES = 10_000


class TempoChange(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """From ``tick`` on the tempo is ``bpm``; with ``ramp`` it glides linearly (per tick) to the
    next change's tempo, arriving exactly at that change's tick."""

    tick: int
    bpm: float
    ramp: bool = False


class MeterChange(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """From bar ``bar`` (counted from 0) on, the meter is ``numerator``/``denominator``."""

    bar: int
    numerator: int
    denominator: int


class TempoMap(msgspec.Struct, frozen=True, array_like=True):
    """The session's tempo and meter changes after the start, each sorted and unique by
    position. ``ramp_start`` makes the starting tempo glide to the first change."""

    tempos: tuple[TempoChange, ...] = ()
    meters: tuple[MeterChange, ...] = ()
    ramp_start: bool = False


class BarPosition(NamedTuple):
    """A tick as bar, beat (of the meter's denominator) and ticks into the beat, from 0."""

    bar: int
    beat: int
    ticks: int


class TimeMap:
    """Seconds <-> ticks and ticks <-> bars for one tempo and meter map (immutable)."""

    __slots__ = (
        "_bpm0",
        "_bpm1",
        "_meter_bars",
        "_meter_sigs",
        "_meter_ticks",
        "_seconds",
        "_ticks",
    )

    def __init__(
        self,
        bpm: float,
        tempos: tuple[TempoChange, ...] = (),
        *,
        ramp_start: bool = False,
        time_signature: tuple[int, int] = (4, 4),
        meters: tuple[MeterChange, ...] = (),
    ) -> None:
        points = [(0, float(bpm), ramp_start)]
        points.extend((c.tick, float(c.bpm), c.ramp) for c in tempos if c.tick > 0)
        self._ticks = [float(tick) for tick, _, _ in points]
        self._bpm0 = [b for _, b, _ in points]
        self._bpm1 = [
            points[i + 1][1] if ramp and i + 1 < len(points) else b
            for i, (_, b, ramp) in enumerate(points)
        ]
        self._seconds = [0.0]
        for i in range(1, len(points)):
            self._seconds.append(self._seconds[-1] + self._span(i - 1, self._ticks[i]))
        bars, ticks, sigs = [0], [0], [time_signature]
        for change in meters:
            if change.bar <= bars[-1]:
                continue
            ticks.append(ticks[-1] + (change.bar - bars[-1]) * bar_ticks(*sigs[-1]))
            bars.append(change.bar)
            sigs.append((change.numerator, change.denominator))
        self._meter_bars, self._meter_ticks, self._meter_sigs = bars, ticks, sigs

    @classmethod
    def constant(cls, bpm: float, time_signature: tuple[int, int] = (4, 4)) -> TimeMap:
        """One tempo throughout."""
        return cls(bpm, time_signature=time_signature)

    # --- tempo -------------------------------------------------------------------------------

    def _segment(self, tick: float) -> int:
        return max(0, bisect_right(self._ticks, tick) - 1)

    def _span(self, i: int, tick: float) -> float:
        """Seconds from the start of segment ``i`` to ``tick`` (inside or after it)."""
        d = tick - self._ticks[i]
        b0 = self._bpm0[i]
        b1 = self._bpm1[i]
        if b1 == b0:
            return d * 60.0 / (TICKS_PER_BEAT * b0)
        length = self._ticks[i + 1] - self._ticks[i]
        k = (b1 - b0) / length  # bpm per tick
        if d > length:  # past the ramp's end the tempo stays at b1
            return self._span(i, self._ticks[i + 1]) + (d - length) * 60.0 / (TICKS_PER_BEAT * b1)
        return 60.0 / (TICKS_PER_BEAT * k) * math.log1p(k * d / b0)

    def seconds_at(self, tick: float) -> float:
        """Seconds from tick 0 to ``tick`` (ticks before 0 run at the starting tempo)."""
        i = self._segment(tick)
        return self._seconds[i] + self._span(i, tick)

    def tick_at(self, seconds: float) -> float:
        """The (fractional) tick sounding ``seconds`` after tick 0: the inverse of seconds_at."""
        i = max(0, bisect_right(self._seconds, seconds) - 1)
        s = seconds - self._seconds[i]
        b0 = self._bpm0[i]
        b1 = self._bpm1[i]
        if b1 == b0:
            return self._ticks[i] + s * TICKS_PER_BEAT * b0 / 60.0
        length = self._ticks[i + 1] - self._ticks[i]
        k = (b1 - b0) / length
        return self._ticks[i] + b0 * math.expm1(s * TICKS_PER_BEAT * k / 60.0) / k

    def seconds_between(self, start: float, end: float) -> float:
        """How long playing from tick ``start`` to tick ``end`` takes."""
        return self.seconds_at(end) - self.seconds_at(start)

    def ticks_after(self, tick: float, seconds: float) -> float:
        """The tick reached ``seconds`` after playing from ``tick``."""
        return self.tick_at(self.seconds_at(tick) + seconds)

    def bpm_at(self, tick: float) -> float:
        """The tempo at ``tick``."""
        i = self._segment(tick)
        b0, b1 = self._bpm0[i], self._bpm1[i]
        if b1 == b0:
            return b0
        t0, t1 = self._ticks[i], self._ticks[i + 1]
        return b0 + (b1 - b0) * (min(tick, t1) - t0) / (t1 - t0)

    @property
    def constant_tempo(self) -> bool:
        """True when the tempo never changes."""
        return all(b == self._bpm0[0] for b in (*self._bpm0, *self._bpm1))

    # --- meter -------------------------------------------------------------------------------

    def _meter_index(self, tick: float) -> int:
        return max(0, bisect_right(self._meter_ticks, tick) - 1)

    def meter_at(self, tick: float) -> tuple[int, int]:
        """The time signature in force at ``tick``."""
        return self._meter_sigs[self._meter_index(tick)]

    def bar_start(self, bar: int) -> int:
        """The tick bar ``bar`` (from 0) starts on."""
        i = max(0, bisect_right(self._meter_bars, bar) - 1)
        return self._meter_ticks[i] + (bar - self._meter_bars[i]) * bar_ticks(*self._meter_sigs[i])

    def bar_length(self, bar: int) -> int:
        """Ticks in bar ``bar``."""
        i = max(0, bisect_right(self._meter_bars, bar) - 1)
        return bar_ticks(*self._meter_sigs[i])

    def position(self, tick: float) -> BarPosition:
        """``tick`` as bar, beat and ticks into the beat (all from 0)."""
        whole = max(0, int(tick))
        i = self._meter_index(whole)
        numerator, denominator = self._meter_sigs[i]
        bars, rest = divmod(whole - self._meter_ticks[i], bar_ticks(numerator, denominator))
        beats, ticks = divmod(rest, TICKS_PER_BEAT * 4 // denominator)
        return BarPosition(self._meter_bars[i] + bars, beats, ticks)

    def bar_of(self, tick: float) -> int:
        """The bar (from 0) holding ``tick``."""
        return self.position(tick).bar

    def is_bar_start(self, tick: int) -> bool:
        """True when a bar starts on ``tick``."""
        return self.bar_start(self.bar_of(tick)) == tick

    def bar_starts(self, start: float, end: float) -> frozenset[int]:
        """The ticks in [start, end) on which a bar starts."""
        bar = self.bar_of(start)
        out = set()
        tick = self.bar_start(bar)
        while tick < end:
            if tick >= start:
                out.add(tick)
            bar += 1
            tick = self.bar_start(bar)
        return frozenset(out)

    def beat_length(self, tick: float) -> int:
        """Ticks in one beat (of the meter's denominator) at ``tick``."""
        return TICKS_PER_BEAT * 4 // self.meter_at(tick)[1]

    def meter_spans(self, start: float, end: float) -> list[tuple[int, int, tuple[int, int]]]:
        """The meters in force over [start, end): (from tick, until tick, signature) each."""
        out = []
        i = self._meter_index(start)
        while i < len(self._meter_ticks) and self._meter_ticks[i] < end:
            until = self._meter_ticks[i + 1] if i + 1 < len(self._meter_ticks) else math.inf
            out.append((self._meter_ticks[i], int(min(until, 2**62)), self._meter_sigs[i]))
            i += 1
        return out


_CACHE: dict[tuple[int, int], tuple[object, object, TimeMap]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


class _Settings(Protocol):
    @property
    def bpm(self) -> float: ...
    @property
    def time_signature(self) -> tuple[int, int]: ...


class _Timed(Protocol):
    """What ``time_map`` reads from a session (core.session imports this module)."""

    @property
    def settings(self) -> _Settings: ...
    @property
    def tempo_map(self) -> TempoMap: ...


def time_map(session: _Timed) -> TimeMap:
    """The ``TimeMap`` of a session's settings and tempo map, cached per object pair."""
    settings = session.settings
    tempo_map = session.tempo_map
    key = (id(settings), id(tempo_map))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is settings and hit[1] is tempo_map:
        return hit[2]
    built = TimeMap(
        settings.bpm,
        tempo_map.tempos,
        ramp_start=tempo_map.ramp_start,
        time_signature=settings.time_signature,
        meters=tempo_map.meters,
    )
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (settings, tempo_map, built)
    return built
