"""The playhead the UI shows is the tick sounding now, not the one being scheduled ahead."""

from __future__ import annotations

import pytest

from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.templates import demo_project
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.realtime import AudioThread

PROJECT = demo_project()  # loops 16 beats at 120 BPM (two beats a second)
BEAT = TICKS_PER_BEAT
LOOP_END = 16 * BEAT


def thread() -> AudioThread:
    return AudioThread(Engine(RecordingBackend()), PROJECT, lambda _message: None)


def test_before_the_first_scheduled_window_sounds_the_playhead_stays_at_the_start() -> None:
    audio = thread()
    audio._anchors.append((100.05, 0.0))  # starts sounding 50 ms after "now"
    assert audio._heard(100.0) == 0.0


def test_the_playhead_moves_on_from_the_window_that_is_sounding() -> None:
    audio = thread()
    audio._anchors.extend([(100.0, 0.0), (100.005, 0.01 * BEAT), (100.5, 1.0 * BEAT)])
    assert audio._heard(100.25) == pytest.approx(0.01 * BEAT + (100.25 - 100.005) * 2 * BEAT)


def test_the_playhead_wraps_at_the_loop_end() -> None:
    audio = thread()
    audio._anchors.append((100.0, LOOP_END - 10.0))
    assert audio._heard(100.05) == pytest.approx(LOOP_END - 10.0 + 0.1 * BEAT - LOOP_END)


def test_the_playhead_follows_the_tempo_map() -> None:
    from imbolc.core.actions import AddTempoChange
    from imbolc.core.apply import apply

    project, _ = apply(PROJECT, AddTempoChange(2 * BEAT, 60.0))  # beat 2 on: 60 BPM
    audio = AudioThread(Engine(RecordingBackend()), project, lambda _message: None)
    audio._anchors.append((100.0, 1.0 * BEAT))
    # 0.5 s of 120 BPM reaches beat 2, then 1 s of 60 BPM is one more beat
    assert audio._heard(101.5) == pytest.approx(3.0 * BEAT)
