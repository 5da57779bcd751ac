"""Across cores: the 32-instrument one-minute project rendered by scsynth (one core) and by
supernova (every core, instruments in parallel groups), median of three runs each."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.engine_bench import minute_project
from bench.timing import table
from imbolc.core.ports import RenderOptions
from imbolc.engine.render import render

RUNS = 3
INSTRUMENTS = 32


def run() -> str:
    if not (shutil.which("scsynth") and shutil.which("supernova")):
        return "scsynth or supernova not installed: nothing measured\n"
    project = minute_project(INSTRUMENTS)
    rows: list[list[object]] = []
    walls: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, supernova in (("scsynth NRT", False), ("supernova NRT", True)):
            times, seconds = [], 0.0
            for k in range(RUNS):
                out = Path(folder) / f"{label[:4]}{k}.wav"
                result = render(project, out, RenderOptions(), supernova=supernova)
                times.append(result.wall_seconds)
                seconds = result.seconds
            walls[label] = statistics.median(times)
            rows.append([label, f"{seconds:.1f}", f"{walls[label]:.2f}",
                         f"{seconds / walls[label]:.0f}×"])  # fmt: skip
    ratio = walls["scsynth NRT"] / walls["supernova NRT"]
    return table(
        f"{INSTRUMENTS} instruments, one minute, 48 kHz, {os.cpu_count()} cores "
        f"(median of {RUNS}); supernova is {ratio:.2f}× scsynth's speed",
        ["engine", "audio s", "wall s", "× realtime"],
        rows,
    )
