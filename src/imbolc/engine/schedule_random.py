"""Deterministic random draws derived by hashing, so no stream order matters.

Each draw is a pure function of the scheduler's seed and a key naming the event (what kind of
draw, which instrument, which transport tick, which pitch or pad). The same event gets the same
number however the timeline is cut into windows and in whatever order events are visited.
"""

from __future__ import annotations

from typing import NamedTuple

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15

PROBABILITY = 1
HUMANIZE_TIMING = 2
HUMANIZE_VELOCITY = 3
STEP_PROBABILITY = 4
ARP_RANDOM = 5


def _mix(value: int) -> int:
    """The splitmix64 finalizer: a bijective scramble of 64 bits."""
    value = (value + _GOLDEN) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def draw(seed: int, *key: int) -> float:
    """A uniform number in [0, 1) determined by ``seed`` and ``key``."""
    state = _mix(seed & _MASK)
    for part in key:
        state = _mix(state ^ (part & _MASK))
    return (state >> 11) / float(1 << 53)


class Dice(NamedTuple):
    """The draws of one playback run: the scheduler's seed and its relocation count."""

    seed: int
    epoch: int

    def uniform(self, kind: int, *key: int) -> float:
        """A number in [0, 1) for the event ``key`` of ``kind``."""
        return draw(self.seed, kind, self.epoch, *key)

    def spread(self, kind: int, *key: int) -> float:
        """A number in [-1, 1) for the event ``key`` of ``kind``."""
        return 2.0 * self.uniform(kind, *key) - 1.0
