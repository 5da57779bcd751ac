"""A non-realtime scsynth renderer for engine tests: timed OSC messages in, a float WAV out."""

from __future__ import annotations

import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile
from supriya.osc import OscBundle, OscMessage

SAMPLE_RATE = 48000
SCSYNTH = shutil.which("scsynth")

needs_scsynth = pytest.mark.skipif(SCSYNTH is None, reason="scsynth not installed (CI installs it)")


class Score:
    """OSC messages by time, written as an NRT score (length-prefixed bundles)."""

    def __init__(self) -> None:
        self._bundles: dict[float, list[OscMessage]] = {}

    def at(self, seconds: float, *messages: OscMessage) -> None:
        self._bundles.setdefault(seconds, []).extend(messages)

    def write(self, path: Path, duration: float) -> None:
        self.at(duration, OscMessage("/c_set", 0, 0.0))
        with path.open("wb") as file:
            for seconds in sorted(self._bundles):
                datagram = OscBundle(seconds, contents=self._bundles[seconds]).to_datagram(
                    realtime=False
                )
                file.write(struct.pack(">i", len(datagram)) + datagram)


Render = Callable[[Score, int, float], np.ndarray]


def render_score(workdir: Path, score: Score, channels: int, duration: float) -> np.ndarray:
    """Render ``score`` for ``duration`` seconds into ``channels`` outputs; (frames, channels)."""
    assert SCSYNTH is not None
    score_path, wav_path = workdir / "score.osc", workdir / "out.wav"
    score.write(score_path, duration)
    command = [SCSYNTH, "-o", str(channels), "-i", "0"]
    command += ["-N", str(score_path), "_", str(wav_path), str(SAMPLE_RATE), "WAV", "float"]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=workdir, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"scsynth exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    audio, rate = soundfile.read(wav_path, dtype="float32", always_2d=True)
    assert rate == SAMPLE_RATE
    return audio


@pytest.fixture
def nrt(tmp_path: Path) -> Render:
    """Renders a Score with the real scsynth in NRT mode inside this test's tmp_path."""

    def run(score: Score, channels: int, duration: float) -> np.ndarray:
        return render_score(tmp_path, score, channels, duration)

    return run
