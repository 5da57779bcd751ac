"""Loudness of a finished render: integrated (ITU-R BS.1770-4), range (EBU Tech 3342) and
true peak (BS.1770-4 Annex 2).

The K-weighting filters are pyloudnorm's; the gating runs on running sums of the weighted
power, so the 400 ms blocks of the integrated loudness and the 3 s blocks of the loudness
range both cost one pass over the signal, where pyloudnorm filters twice and sums every
overlapping block again (both figures in a fifth of its time: ``python -m bench export``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import firwin, resample_poly

MIN_LOUDNESS_SECONDS = 0.4
"""One BS.1770 gating block: a shorter render has no integrated loudness."""
ABSOLUTE_GATE = -70.0
TRUE_PEAK_OVERSAMPLING = 4
_TRUE_PEAK_TAPS = firwin(49, 1.0 / TRUE_PEAK_OVERSAMPLING, window=("kaiser", 5.0)).astype(
    np.float32
)
"""A 4-phase, 12-taps-per-phase interpolator, the size BS.1770-4 Annex 2 describes; single
precision is plenty for a peak and halves the cost."""
_TRUE_PEAK_CHUNK = 1 << 18
_TRUE_PEAK_PAD = 16
_CHANNEL_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)
"""BS.1770 channel gains: L, R, C, then the surrounds."""


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) of a render."""

    integrated: float
    true_peak: float
    range: float

    def summary(self) -> str:
        """The figures as the CLI prints them."""
        return (
            f"{_figure(self.integrated)} LUFS integrated, {_figure(self.true_peak, '+')} dBTP "
            f"true peak, LRA {_figure(self.range)} LU"
        )


def _figure(value: float, sign: str = "") -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "-inf"
    return f"{value:{sign}.1f}"


def measure(data: np.ndarray, rate: int) -> Loudness:
    """Integrated loudness, true peak and loudness range of ``data`` (frames, channels)."""
    samples = np.asarray(data, dtype=np.float64)
    if samples.ndim == 1:
        samples = samples[:, None]
    integrated, spread = gated_loudness(samples, rate)
    return Loudness(integrated, true_peak_dbtp(samples), spread)


def gated_loudness(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """(integrated LUFS, loudness range LU) of float ``samples`` (frames, channels): -inf and
    NaN when the signal is silent or shorter than one gating block."""
    if len(samples) < MIN_LOUDNESS_SECONDS * rate or not np.any(samples):
        return float("-inf"), float("nan")
    power = np.concatenate([[0.0], np.cumsum(_weighted_power(samples, rate))])
    integrated = _integrated(_block_power(power, rate, 0.4), relative_gate=-10.0)
    return integrated, _range(_block_power(power, rate, 3.0))


def _weighted_power(samples: np.ndarray, rate: int) -> np.ndarray:
    """The K-weighted power per frame, summed over channels with their BS.1770 gains."""
    shelf = IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf")
    high_pass = IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    power = np.zeros(len(samples))
    for channel in range(samples.shape[1]):
        weighted = high_pass.apply_filter(shelf.apply_filter(samples[:, channel]))
        power += _CHANNEL_WEIGHTS[min(channel, 4)] * weighted * weighted
    return power


def _block_power(running: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    """Mean power of every block of ``seconds``, one starting every 100 ms."""
    size = round(seconds * rate)
    hop = round(0.1 * rate)
    starts = np.arange(0, len(running) - size, hop)
    return np.asarray((running[starts + size] - running[starts]) / size)


def _lufs(power: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.asarray(-0.691 + 10.0 * np.log10(power))


def _integrated(blocks: np.ndarray, relative_gate: float) -> float:
    """BS.1770 gated loudness: the mean power of the blocks above -70 LUFS and above the
    mean of those minus ``relative_gate``."""
    loud = blocks[_lufs(blocks) > ABSOLUTE_GATE]
    if not loud.size:
        return float("-inf")
    threshold = float(_lufs(float(np.mean(loud)))) + relative_gate
    kept = loud[_lufs(loud) > threshold]
    return float(_lufs(float(np.mean(kept)))) if kept.size else float("-inf")


def _range(short_term: np.ndarray) -> float:
    """EBU Tech 3342: the spread between the 10th and 95th percentiles of the gated
    short-term loudness (3 s blocks, gated at -70 LUFS and 20 LU below their mean)."""
    loud = short_term[_lufs(short_term) > ABSOLUTE_GATE]
    if not loud.size:
        return float("nan")
    levels = _lufs(loud)
    kept = levels[levels > float(_lufs(float(np.mean(loud)))) - 20.0]
    if not kept.size:
        return float("nan")
    return float(np.percentile(kept, 95) - np.percentile(kept, 10))


def true_peak_dbtp(data: np.ndarray) -> float:
    """The highest inter-sample peak in dBTP, read on a 4× oversampled copy, chunk by chunk
    (so a long render never needs four times its memory)."""
    frames = len(data)
    if frames == 0:
        return float("-inf")
    up, pad = TRUE_PEAK_OVERSAMPLING, _TRUE_PEAK_PAD
    peak = float(np.max(np.abs(data)))
    for start in range(0, frames, _TRUE_PEAK_CHUNK):
        end = min(frames, start + _TRUE_PEAK_CHUNK)
        lo, hi = max(0, start - pad), min(frames, end + pad)
        chunk = np.asarray(data[lo:hi], dtype=np.float32)
        over = resample_poly(chunk, up, 1, axis=0, window=_TRUE_PEAK_TAPS)
        keep = over[(start - lo) * up : (end - lo) * up]
        if keep.size:
            peak = max(peak, float(np.max(np.abs(keep))))
    return 20.0 * math.log10(peak) if peak > 0 else float("-inf")
