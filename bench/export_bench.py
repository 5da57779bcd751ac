"""Export: what measuring a render's loudness costs, against pyloudnorm's own meter.

One minute of stereo at 48 kHz with changing levels (noise in bars of different gain), the
same samples for every row; the ratios are the claim.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pyloudnorm

from bench.timing import table
from imbolc.engine import loudness

RATE = 48_000
SECONDS = 60


def _signal() -> np.ndarray:
    rng = np.random.default_rng(16)
    bars = np.repeat(rng.uniform(0.02, 0.3, SECONDS // 2), 2 * RATE)
    return rng.standard_normal((SECONDS * RATE, 2)) * bars[:, None]


def _best_of(run: Callable[[], object], times: int = 5) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> str:
    """The Markdown report."""
    data = _signal()
    meter = pyloudnorm.Meter(RATE)
    reference = _best_of(lambda: (meter.integrated_loudness(data), meter.loudness_range(data)))
    gating = _best_of(lambda: loudness.gated_loudness(data, RATE))
    peak = _best_of(lambda: loudness.true_peak_dbtp(data))
    whole = _best_of(lambda: loudness.measure(data, RATE))
    ours, theirs = (
        loudness.measure(data, RATE),
        (
            meter.integrated_loudness(data),
            meter.loudness_range(data),
        ),
    )
    rows = [
        ["pyloudnorm: integrated + range", f"{reference * 1e3:.0f}", "1.00×", f"{theirs[0]:.2f}",
         f"{theirs[1]:.2f}"],
        ["imbolc: K-weighting + gating, both figures", f"{gating * 1e3:.0f}",
         f"{gating / reference:.2f}×", f"{ours.integrated:.2f}", f"{ours.range:.2f}"],
        ["imbolc: true peak (4× oversampled)", f"{peak * 1e3:.0f}", f"{peak / reference:.2f}×",
         "", ""],
        ["imbolc: measure (all three)", f"{whole * 1e3:.0f}", f"{whole / reference:.2f}×", "",
         ""],
    ]  # fmt: skip
    return table(
        f"Loudness of {SECONDS} s of stereo at {RATE // 1000} kHz (ms, best of 5)",
        ["what", "ms", "vs pyloudnorm", "LUFS", "LRA LU"],
        rows,
    )


if __name__ == "__main__":
    print(run())
