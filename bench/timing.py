"""Small timing helpers shared by the benchmark suites."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def time_each(run: Callable[[int], object], count: int) -> list[float]:
    """Seconds taken by ``run(i)`` for i in range(count), one measurement per call."""
    samples = []
    clock = time.perf_counter
    for i in range(count):
        start = clock()
        run(i)
        samples.append(clock() - start)
    return samples


def median_us(samples: Sequence[float]) -> float:
    """The median of ``samples`` in microseconds."""
    return statistics.median(samples) * 1e6


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of ``samples`` by nearest rank."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table with a heading."""
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|")
    for row in rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"
