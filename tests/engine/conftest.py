"""An ``nrt`` fixture: renders timed OSC messages with the real scsynth in non-realtime mode."""

from __future__ import annotations

import shutil
import struct
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile
from supriya.osc import OscBundle, OscMessage

Bundles = Mapping[float, Sequence[OscMessage]]
NrtRender = Callable[[Bundles, int, float, int], np.ndarray]


def _write_score(path: Path, bundles: Bundles, duration: float) -> None:
    """An NRT score: length-prefixed OSC bundles in time order, closed by a bundle at the end."""
    timed = {**bundles, duration: [*bundles.get(duration, ()), OscMessage("/c_set", 0, 0.0)]}
    with path.open("wb") as file:
        for seconds in sorted(timed):
            bundle = OscBundle(seconds, contents=list(timed[seconds]))
            datagram = bundle.to_datagram(realtime=False)
            file.write(struct.pack(">i", len(datagram)) + datagram)


@pytest.fixture(scope="session")
def nrt(tmp_path_factory: pytest.TempPathFactory) -> NrtRender:
    """``nrt(bundles, channels, duration, sample_rate)`` -> float32 audio (frames, channels).

    Each render runs in its own temporary directory (relative paths in the messages, such as
    sample files, resolve there only if given absolute).
    """

    def render(bundles: Bundles, channels: int, duration: float, sample_rate: int) -> np.ndarray:
        scsynth = shutil.which("scsynth")
        assert scsynth is not None, "scsynth not installed"
        workdir = tmp_path_factory.mktemp("nrt")
        score, wav = workdir / "score.osc", workdir / "out.wav"
        _write_score(score, bundles, duration)
        command = [scsynth, "-o", str(channels), "-i", "0", "-N", str(score), "_", str(wav)]
        command += [str(sample_rate), "WAV", "float"]
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=workdir, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"scsynth exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        audio, rate = soundfile.read(wav, dtype="float32", always_2d=True)
        assert rate == sample_rate
        return audio

    return render
