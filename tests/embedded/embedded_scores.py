"""Scores rendered on both backends, and the measurements the parity tests compare."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile
from supriya.osc import OscBundle, OscMessage

from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions

SAMPLE_RATE = 48000
Score = dict[float, list[OscMessage]]
Render = Callable[[Mapping[float, Sequence[OscMessage]], int, float], np.ndarray]

needs_scsynth = pytest.mark.skipif(
    shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)"
)


def at(score: Score, seconds: float, *messages: OscMessage) -> None:
    """Add messages to the score at ``seconds``."""
    score.setdefault(seconds, []).extend(messages)


def render_embedded(
    score: Mapping[float, Sequence[OscMessage]], channels: int, duration: float
) -> np.ndarray:
    """The score on the embedded server: (frames, channels) float32."""
    server = EmbeddedServer(ServerOptions(sample_rate=SAMPLE_RATE, output_channels=channels))
    for seconds in sorted(score):
        server.send(score[seconds], at=seconds)
    audio = server.run(duration)
    server.close()
    return audio


def render_scsynth(
    score: Mapping[float, Sequence[OscMessage]], channels: int, duration: float, workdir: Path
) -> np.ndarray:
    """The score through scsynth NRT: (frames, channels) float32."""
    scsynth = shutil.which("scsynth")
    assert scsynth is not None
    path, wav = workdir / "score.osc", workdir / "out.wav"
    timed = {**score, duration: [*score.get(duration, ()), OscMessage("/c_set", 0, 0.0)]}
    with path.open("wb") as file:
        for seconds in sorted(timed):
            datagram = OscBundle(seconds, contents=list(timed[seconds])).to_datagram(realtime=False)
            file.write(struct.pack(">i", len(datagram)) + datagram)
    # Real-time memory for 8 voices of every granular SynthDef (the default 8 MB is not).
    command = [scsynth, "-o", str(channels), "-i", "0", "-m", "131072", "-N", str(path), "_",
               str(wav), str(SAMPLE_RATE), "WAV", "float"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=workdir, timeout=300,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"scsynth exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    audio, rate = soundfile.read(wav, dtype="float32", always_2d=True)
    assert rate == SAMPLE_RATE
    return audio


def test_buffers(workdir: Path) -> list[OscMessage]:
    """A stereo sample in buffer 0 and eight wavetables at 100-107 (what sources read)."""
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    pair = np.stack([np.sin(2 * np.pi * 330 * t), np.sin(2 * np.pi * 331 * t)], axis=1)
    soundfile.write(workdir / "sample.wav", (pair * 0.5).astype(np.float32), SAMPLE_RATE,
                    subtype="FLOAT")  # fmt: skip
    messages = [OscMessage("/b_allocRead", 0, str(workdir / "sample.wav"))]
    for n in range(8):
        amps = [1.0 / (k + 1) ** (n / 3) for k in range(12)]
        messages.append(OscMessage("/b_alloc", 100 + n, 2048, 1))
        messages.append(OscMessage("/b_gen", 100 + n, "sine1", 7, *amps))
    return messages


test_buffers.__test__ = False  # type: ignore[attr-defined]


def rms_db(signal: np.ndarray) -> float:
    """RMS level in dB (all channels together)."""
    value = float(np.sqrt(np.mean(np.square(signal, dtype=np.float64))))
    return 20.0 * math.log10(value) if value > 0 else -400.0


def dominant_frequency(signal: np.ndarray) -> float:
    """The strongest FFT peak, refined by parabolic interpolation."""
    windowed = signal * np.hanning(len(signal))
    size = 1 << (len(signal) * 4 - 1).bit_length()
    magnitude = np.abs(np.fft.rfft(windowed, size))
    peak = int(np.argmax(magnitude[1:])) + 1
    left, centre, right = np.log(magnitude[peak - 1 : peak + 2] + 1e-12)
    offset = 0.5 * (left - right) / (left - 2 * centre + right)
    return float((peak + offset) * SAMPLE_RATE / size)


def band_centroid(signal: np.ndarray, around: float, share: float = 0.15) -> float:
    """The power centroid of the spectrum within ``share`` of ``around`` Hz: the pitch of a
    grain cloud, whose lines scatter about it."""
    windowed = signal * np.hanning(len(signal))
    size = 1 << (len(signal) * 2 - 1).bit_length()
    power = np.abs(np.fft.rfft(windowed, size)) ** 2
    freqs = np.fft.rfftfreq(size, 1.0 / SAMPLE_RATE)
    band = (freqs >= around * (1 - share)) & (freqs <= around * (1 + share))
    return float(np.sum(freqs[band] * power[band]) / np.sum(power[band]))


def onset(signal: np.ndarray, threshold: float = 1e-3) -> int:
    """The first frame whose level reaches ``threshold`` (-1 when none does)."""
    level = np.max(np.abs(signal), axis=1) if signal.ndim == 2 else np.abs(signal)
    hits = np.flatnonzero(level >= threshold)
    return int(hits[0]) if len(hits) else -1
