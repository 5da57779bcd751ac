"""A project played live by the real engine into a score, rendered on either engine.

The engine is started on the project and then follows the store's commits, exactly as the
audio thread does, so actions dispatched after the start travel the same incremental path
(``Engine.plan``) as a user's keys; notes are played straight at score times.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.ids import InstrumentId
from imbolc.core.store import Commit, Store
from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions
from imbolc.engine.engine import Engine
from imbolc.engine.score import ScoreBackend

RATE = 48_000
ENGINES = [
    pytest.param("scsynth", marks=[pytest.mark.scsynth, pytest.mark.skipif(
        shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)")]),
    pytest.param("embedded"),
]  # fmt: skip
"""Parametrize a test over both engines."""


class Live:
    """An engine started on ``store``'s project that applies every later commit at t = 0."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.backend = ScoreBackend()
        self.engine = Engine(self.backend)
        self.engine.load_synthdefs(at=0.0)
        self.engine.start(store.state, at=0.0)
        store.subscribe(self._apply)

    def _apply(self, commit: Commit) -> None:
        self.engine.apply(commit.new, commit.effects, at=0.0)

    def note(self, ident: InstrumentId, pitch: int, start: float, end: float) -> None:
        """One note from ``start`` to ``end`` seconds."""
        self.engine.note_on(ident, pitch, 1.0, at=start)
        self.engine.note_off(ident, pitch, at=end)

    def render(self, kind: str, seconds: float, workdir: Path, channels: int = 2) -> np.ndarray:
        """The score rendered on ``kind`` ("scsynth" or "embedded"): (frames, channels)."""
        if kind == "embedded":
            server = EmbeddedServer(ServerOptions(sample_rate=RATE, output_channels=channels))
            for when, _order, requests in sorted(self.backend.entries, key=lambda e: e[:2]):
                server.send([request.to_osc() for request in requests], when)
            audio = server.run(seconds)
            server.close()
            return np.asarray(audio, dtype=np.float32)
        scsynth = shutil.which("scsynth")
        assert scsynth is not None
        workdir.mkdir(parents=True, exist_ok=True)
        score, wav = workdir / "score.osc", workdir / "out.wav"
        self.backend.write(score, seconds)
        command = [scsynth, "-o", str(channels), "-i", "0", "-m", "131072", "-N", str(score),
                   "_", str(wav), str(RATE), "WAV", "float"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, cwd=workdir,
                              timeout=300, check=False)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        audio, rate = soundfile.read(wav, dtype="float32", always_2d=True)
        assert rate == RATE
        return audio


def window(audio: np.ndarray, start: float, end: float) -> np.ndarray:
    """The frames from ``start`` to ``end`` seconds."""
    return audio[round(start * RATE) : round(end * RATE)]


def rms_db(signal: np.ndarray) -> float:
    """RMS level in dBFS over every channel (-400 for digital silence)."""
    value = float(np.sqrt(np.mean(np.square(signal, dtype=np.float64))))
    return 20.0 * math.log10(value) if value > 0 else -400.0
