"""Impulse responses of the convolution reverb stages: a pool of spectrum buffers, each
filled from an IR file (or the built-in generated room) with ``/b_gen PreparePartConv``.

scsynth's PartConv takes its spectrum buffer's memory when the synth starts, and a buffer
allocated in the same bundle is not there yet; so the pool is allocated once, with the
SynthDefs, and every IR is written into it in place (``/b_zero``, read, prepare), which a
running PartConv picks up.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import platformdirs
import soundfile

from imbolc.engine.requests import (
    AllocBuffer,
    GenerateBuffer,
    ReadBufferChannels,
    Request,
    ZeroBuffer,
)
from imbolc.engine.synthdefs.effects_spectral import PARTCONV_FFT_SIZE

__all__ = [
    "BUILTIN_IR_SECONDS",
    "MAX_IR_FRAMES",
    "ImpulseResponses",
    "builtin_ir",
    "pool_requests",
]

SPECTRUM_BASE = 40
"""First spectrum buffer of the pool (below the wavetables at 100 and the samples at 1000)."""
IR_BASE = 60
"""First buffer holding an IR's sound (one per spectrum slot)."""
POOL_SIZE = 8
"""Convolution reverb stages that can hold an impulse response at once."""
MAX_IR_FRAMES = 4 * 48_000
"""Longest impulse response read (4 s at 48 kHz); longer files are cut there."""
SPECTRUM_FRAMES = PARTCONV_FFT_SIZE * math.ceil(MAX_IR_FRAMES / (PARTCONV_FFT_SIZE // 2))
BUILTIN_IR_SECONDS = 1.5
"""Reverberation time (-60 dB) of the built-in generated room."""
_BUILTIN_RATE = 48_000


def pool_requests() -> list[Request]:
    """Allocate the spectrum pool (sent with the SynthDefs, before any synth starts)."""
    return [AllocBuffer(SPECTRUM_BASE + k, SPECTRUM_FRAMES, 1) for k in range(POOL_SIZE)]


def builtin_ir() -> Path:
    """The built-in room: seeded white noise under an exponential decay of
    ``BUILTIN_IR_SECONDS`` to -60 dB, unit energy, written once to the cache folder."""
    folder = Path(os.environ.get("IMBOLC_CACHE_DIR") or platformdirs.user_cache_dir("imbolc"))
    path = folder / f"builtin-ir-{BUILTIN_IR_SECONDS:g}s.wav"
    if path.exists():
        return path
    frames = round(BUILTIN_IR_SECONDS * _BUILTIN_RATE)
    t = np.arange(frames) / _BUILTIN_RATE
    noise = np.random.default_rng(10).standard_normal(frames)
    ir = noise * 10.0 ** (-3.0 * t / BUILTIN_IR_SECONDS)
    ir /= np.sqrt(np.sum(ir**2))
    folder.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".tmp.wav")
    soundfile.write(staging, ir.astype(np.float32), _BUILTIN_RATE, subtype="FLOAT")
    os.replace(staging, path)
    return path


class ImpulseResponses:
    """Which stage holds which spectrum slot, and the IR file each slot was filled from."""

    def __init__(self) -> None:
        self._slots: dict[str, int] = {}
        self._files: dict[int, str] = {}

    def spectrum(self, key: str) -> int | None:
        """The spectrum buffer of stage ``key``, if it holds one."""
        slot = self._slots.get(key)
        return None if slot is None else SPECTRUM_BASE + slot

    def claim(self, key: str, path: str) -> tuple[int, list[Request]] | str:
        """Give stage ``key`` the IR in ``path`` ("" = built in): its spectrum buffer and the
        requests that fill it, or a message saying why it cannot."""
        source = path or str(builtin_ir())
        try:
            info = soundfile.info(source)
        except (RuntimeError, OSError, ValueError) as error:
            return f"cannot read impulse response {source}: {error}"
        if info.frames == 0:
            return f"impulse response {source} is empty"
        slot = self._slots.get(key)
        if slot is None:
            free = [k for k in range(POOL_SIZE) if k not in self._slots.values()]
            if not free:
                return f"more than {POOL_SIZE} convolution reverbs: {source} is not loaded"
            slot = free[0]
            self._slots[key] = slot
        spectrum = SPECTRUM_BASE + slot
        if self._files.get(slot) == source:
            return spectrum, []
        self._files[slot] = source
        sound = IR_BASE + slot
        frames = min(info.frames, MAX_IR_FRAMES)
        return spectrum, [
            ZeroBuffer(spectrum),
            ReadBufferChannels(sound, os.path.abspath(source), (0,), frames),
            GenerateBuffer(spectrum, "PreparePartConv", (sound, PARTCONV_FFT_SIZE)),
        ]

    def release(self, key: str) -> None:
        """Stage ``key`` is gone: its slot is free (the next claim refills it)."""
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._files.pop(slot, None)

    def holders(self) -> list[str]:
        """Every stage holding a slot."""
        return list(self._slots)
