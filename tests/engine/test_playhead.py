"""The playhead the UI shows is the tick sounding now, not the one being scheduled ahead."""

from __future__ import annotations

import pytest

from imbolc.core.templates import demo_project
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.realtime import AudioThread

PROJECT = demo_project()  # loops 0..7680 ticks at 120 BPM (960 ticks a second)


def thread() -> AudioThread:
    return AudioThread(Engine(RecordingBackend()), PROJECT, lambda _message: None)


def test_before_the_first_scheduled_window_sounds_the_playhead_stays_at_the_start() -> None:
    audio = thread()
    audio._anchors.append((100.05, 0.0))  # starts sounding 50 ms after "now"
    assert audio._heard(100.0) == 0.0


def test_the_playhead_moves_on_from_the_window_that_is_sounding() -> None:
    audio = thread()
    audio._anchors.extend([(100.0, 0.0), (100.005, 4.8), (100.5, 480.0)])
    assert audio._heard(100.25) == pytest.approx(4.8 + (100.25 - 100.005) * 960)


def test_the_playhead_wraps_at_the_loop_end() -> None:
    audio = thread()
    audio._anchors.append((100.0, 7670.0))
    assert audio._heard(100.05) == pytest.approx(7670.0 + 48.0 - 7680.0)


def test_the_playhead_follows_the_tempo_map() -> None:
    from imbolc.core.actions import AddTempoChange
    from imbolc.core.apply import apply

    project, _ = apply(PROJECT, AddTempoChange(960, 60.0))  # beat 2 on: 60 BPM
    audio = AudioThread(Engine(RecordingBackend()), project, lambda _message: None)
    audio._anchors.append((100.0, 480.0))
    # 0.5 s of 120 BPM reaches tick 960, then 1 s of 60 BPM is one more beat
    assert audio._heard(101.5) == pytest.approx(1440.0)
