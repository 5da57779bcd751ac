"""The wavetable source's eight tables: from a sine to a bright, saw-like wave, so that
``position`` morphs from pure to rich. Both engines fill them from the same ``/b_gen sine1``."""

from __future__ import annotations

from imbolc.engine.requests import AllocBuffer, GenerateBuffer, Request
from imbolc.engine.synthdefs.sources_classic import WAVETABLE_BASE, WAVETABLE_COUNT

__all__ = ["TABLE_FRAMES", "table_harmonics", "wavetable_requests"]

TABLE_FRAMES = 2048
"""Frames of each table buffer (wavetable format: a 1,024-sample cycle)."""
_HARMONICS = (1, 2, 3, 5, 8, 12, 18, 24)
"""Harmonics in each table, from the first (a sine) to the last."""
SINE1_FLAGS = 7
"""``/b_gen sine1`` flags: normalize (1), wavetable format (2), clear first (4)."""


def table_harmonics(index: int) -> tuple[float, ...]:
    """Harmonic amplitudes of table ``index``: 1/n over its first harmonics."""
    return tuple(1.0 / n for n in range(1, _HARMONICS[index] + 1))


def wavetable_requests() -> list[Request]:
    """Allocate and fill the tables at ``WAVETABLE_BASE``..+7."""
    out: list[Request] = []
    for index in range(WAVETABLE_COUNT):
        buffer = WAVETABLE_BASE + index
        out.append(AllocBuffer(buffer, TABLE_FRAMES, 1))
        out.append(GenerateBuffer(buffer, "sine1", (SINE1_FLAGS, *table_harmonics(index))))
    return out
