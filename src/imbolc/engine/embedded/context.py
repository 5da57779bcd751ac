# mypy: disable-error-code="no-any-return"
# (NumPy expressions are typed Any; these helpers return arrays and floats by construction)
"""What every unit sees: the server's rate, block size and buses, plus small numeric helpers.

Audio-rate signals are float64 arrays of one block; control- and scalar-rate signals are plain
Python floats (one value per block), because float arithmetic is far cheaper than NumPy calls
on one-element arrays.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from imbolc.engine.embedded.server import EmbeddedServer

Signal = Any
"""A float (control rate) or a float64 array of one block (audio rate)."""

LOG001 = math.log(0.001)
RUNAWAY_RMS = 100.0
"""A node whose block RMS on any output exceeds this (40 dB over full scale) is muted."""


class Context:
    """Rates and sizes of one server run; shared by every unit."""

    def __init__(self, server: EmbeddedServer, sample_rate: int, block: int) -> None:
        self.server = server
        self.sample_rate = float(sample_rate)
        self.block = block
        self.control_rate = sample_rate / block
        self.sample_dur = 1.0 / sample_rate
        self.block_dur = block / sample_rate
        self.ramp = np.arange(1, block + 1, dtype=np.float64) / block
        self.index = np.arange(block, dtype=np.float64)
        self.rng = np.random.default_rng(0x1B01C)

    def full(self, value: float) -> np.ndarray:
        """A block holding ``value`` in every sample."""
        return np.full(self.block, value, dtype=np.float64)

    def audio(self, value: Signal) -> np.ndarray:
        """``value`` as a block (floats are repeated)."""
        if isinstance(value, np.ndarray):
            return value
        return np.full(self.block, float(value), dtype=np.float64)


def scalar(value: Signal) -> float:
    """A control value from a signal: the last sample of a block, or the float itself."""
    if isinstance(value, np.ndarray):
        return float(value[-1])
    return float(value)


def lag_coefficient(seconds: float, rate: float) -> float:
    """SC's one-pole lag coefficient: the value falls to 0.001 in ``seconds`` at ``rate``."""
    if seconds <= 0.0 or not math.isfinite(seconds):
        return 0.0
    return math.exp(LOG001 / (seconds * rate))


# --- float helpers used by generated code ------------------------------------------------


def fdiv(a: float, b: float) -> float:
    return a / b if b != 0.0 else 0.0


def fpow(a: float, b: float) -> float:
    try:
        return a**b if a >= 0.0 else -((-a) ** b)
    except (OverflowError, ZeroDivisionError):
        return 0.0


def fmod(a: float, b: float) -> float:
    return a % b if b != 0.0 else 0.0


def fround(a: float, b: float) -> float:
    return math.floor(a / b + 0.5) * b if b != 0.0 else a


def flog(a: float) -> float:
    return math.log(a) if a > 0.0 else -1e30


def fsqrt(a: float) -> float:
    return math.sqrt(a) if a >= 0.0 else -math.sqrt(-a)


def frecip(a: float) -> float:
    return 1.0 / a if a != 0.0 else 0.0


def fexp2(a: float) -> float:
    try:
        return 2.0**a
    except OverflowError:
        return 1e30


def ftan(a: float) -> float:
    return math.tan(a)


def fcpsmidi(a: float) -> float:
    return 69.0 + 12.0 * math.log2(a / 440.0) if a > 0.0 else -1e30


def fwrap(x: float, lo: float, hi: float) -> float:
    span = hi - lo
    return lo + (x - lo) % span if span != 0.0 else lo


def ffold(x: float, lo: float, hi: float) -> float:
    span = hi - lo
    if span == 0.0:
        return lo
    c = (x - lo) % (2.0 * span)
    return lo + (c if c <= span else 2.0 * span - c)


# --- array helpers used by generated code ------------------------------------------------


def adiv(a: Signal, b: Signal) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(a, b)
    return np.where(np.isfinite(out), out, 0.0)


def apow(a: Signal, b: Signal) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.sign(a) * np.abs(a) ** b


def amod(a: Signal, b: Signal) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.nan_to_num(np.mod(a, b))


def around(a: Signal, b: Signal) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = np.floor(np.divide(a, b) + 0.5) * b
    return np.where(np.isfinite(out), out, a)


def alog(a: Signal) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.log(np.maximum(a, 1e-300))


def asqrt(a: Signal) -> np.ndarray:
    return np.sign(a) * np.sqrt(np.abs(a))


def arecip(a: Signal) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = np.reciprocal(np.asarray(a, dtype=np.float64))
    return np.where(np.isfinite(out), out, 0.0)


def awrap(x: Signal, lo: Signal, hi: Signal) -> np.ndarray:
    span = np.subtract(hi, lo)
    with np.errstate(all="ignore"):
        out = lo + np.mod(np.subtract(x, lo), span)
    return np.where(span != 0.0, out, lo)


def afold(x: Signal, lo: Signal, hi: Signal) -> np.ndarray:
    span = np.subtract(hi, lo)
    with np.errstate(all="ignore"):
        c = np.mod(np.subtract(x, lo), 2.0 * span)
        out = lo + np.where(c <= span, c, 2.0 * span - c)
    return np.where(span != 0.0, out, lo)


def ramp_from(prev: list[Any], slot: int, value: Signal, ramp: np.ndarray) -> Signal:
    """A control value stepped across a block as SC's audio-rate operators do: a linear ramp
    from last block's value (a float when it did not change)."""
    before = prev[slot]
    prev[slot] = value
    if before is None or before == value:
        return value
    return before + (value - before) * ramp
