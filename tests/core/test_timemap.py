"""The tempo map: one seconds <-> ticks function (steps, closed-form ramps), bars and meters."""

from __future__ import annotations

import math

import pytest

from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.timemap import MeterChange, TempoChange, TimeMap

BEAT = TICKS_PER_BEAT


def integrate(tmap: TimeMap, tick: float, steps: int = 200_000) -> float:
    """Seconds to ``tick`` by the midpoint rule over the tempo curve (the reference)."""
    width = tick / steps
    return sum(width * 60.0 / (BEAT * tmap.bpm_at((n + 0.5) * width)) for n in range(steps))


def test_a_constant_tempo_is_linear() -> None:
    tmap = TimeMap.constant(120.0)
    assert tmap.seconds_at(BEAT) == pytest.approx(0.5)
    assert tmap.tick_at(3.0) == pytest.approx(6 * BEAT)
    assert tmap.constant_tempo


def test_steps_change_the_tempo_at_their_tick() -> None:
    tmap = TimeMap(120.0, (TempoChange(4 * BEAT, 60.0), TempoChange(8 * BEAT, 240.0)))
    assert tmap.seconds_at(4 * BEAT) == pytest.approx(2.0)
    assert tmap.seconds_at(8 * BEAT) == pytest.approx(6.0)
    assert tmap.seconds_at(12 * BEAT) == pytest.approx(7.0)
    assert tmap.bpm_at(4 * BEAT - 1) == 120.0
    assert tmap.bpm_at(4 * BEAT) == 60.0
    assert tmap.tick_at(6.5) == pytest.approx(10 * BEAT)


@pytest.mark.parametrize(("start", "end"), [(120.0, 60.0), (60.0, 180.0), (100.0, 100.5)])
def test_a_ramp_matches_the_integral_of_its_tempo_curve(start: float, end: float) -> None:
    tmap = TimeMap(start, (TempoChange(8 * BEAT, end),), ramp_start=True)
    assert tmap.bpm_at(4 * BEAT) == pytest.approx((start + end) / 2)
    for tick in (BEAT, 4 * BEAT, 8 * BEAT):
        assert tmap.seconds_at(tick) == pytest.approx(integrate(tmap, tick), rel=1e-9)
    assert tmap.seconds_at(10 * BEAT) == pytest.approx(tmap.seconds_at(8 * BEAT) + 2 * 60.0 / end)


def test_a_ramp_in_the_middle_glides_to_the_next_change() -> None:
    tmap = TimeMap(
        90.0,
        (TempoChange(4 * BEAT, 120.0, ramp=True), TempoChange(12 * BEAT, 80.0)),
    )
    assert tmap.bpm_at(8 * BEAT) == pytest.approx(100.0)
    assert tmap.bpm_at(12 * BEAT) == 80.0
    ramp = tmap.seconds_between(4 * BEAT, 12 * BEAT)
    exact = 60.0 / (BEAT * (-40 / (8 * BEAT))) * math.log(80.0 / 120.0)
    assert ramp == pytest.approx(exact, rel=1e-12)


def test_a_ramp_on_the_last_change_holds_its_tempo() -> None:
    tmap = TimeMap(120.0, (TempoChange(BEAT, 60.0, ramp=True),))
    assert tmap.seconds_at(3 * BEAT) == pytest.approx(0.5 + 2.0)


def test_tick_at_inverts_seconds_at_across_100_changes() -> None:
    changes = tuple(
        TempoChange(n * BEAT, 40.0 + (n * 37) % 200, ramp=n % 3 == 0) for n in range(1, 101)
    )
    tmap = TimeMap(100.0, changes)
    for tick in range(0, 110 * BEAT, 173):
        assert tmap.tick_at(tmap.seconds_at(tick)) == pytest.approx(tick, abs=1e-6)
    seconds = [tmap.seconds_at(tick) for tick in range(0, 110 * BEAT, BEAT)]
    assert seconds == sorted(seconds)


def test_ticks_after_walks_forward_from_a_tick() -> None:
    tmap = TimeMap(120.0, (TempoChange(2 * BEAT, 60.0),))
    assert tmap.ticks_after(BEAT, 1.5) == pytest.approx(3 * BEAT)


def test_meters_change_on_bar_boundaries() -> None:
    tmap = TimeMap(
        120.0,
        time_signature=(4, 4),
        meters=(MeterChange(2, 3, 4), MeterChange(4, 6, 8)),
    )
    assert tmap.bar_start(2) == 8 * BEAT
    assert tmap.bar_start(3) == 11 * BEAT
    assert tmap.bar_start(4) == 14 * BEAT
    assert tmap.bar_start(5) == 17 * BEAT
    assert tmap.meter_at(10 * BEAT) == (3, 4)
    assert tmap.meter_at(14 * BEAT) == (6, 8)
    assert tmap.position(11 * BEAT + BEAT // 2) == (3, 0, BEAT // 2)
    assert tmap.position(15 * BEAT) == (4, 2, 0)  # eighth-note beats in 6/8
    assert tmap.beat_length(15 * BEAT) == BEAT // 2
    assert tmap.is_bar_start(11 * BEAT)
    assert not tmap.is_bar_start(12 * BEAT)
    assert tmap.bar_length(4) == 3 * BEAT
    spans = tmap.meter_spans(0, 12 * BEAT)
    assert [(a, b, sig) for a, b, sig in spans] == [
        (0, 8 * BEAT, (4, 4)),
        (8 * BEAT, 14 * BEAT, (3, 4)),
    ]
