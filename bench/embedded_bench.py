"""Embedded engine benchmarks: offline render speed of the 16-instrument project (one minute)
against scsynth NRT, and realtime block time at 16 and 64 voices against the block budget."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from supriya.osc import OscMessage

from bench.projects import small_project
from bench.timing import percentile, table
from imbolc.core.ports import RenderOptions
from imbolc.engine.embedded import EmbeddedServer, ServerOptions, render_embedded
from imbolc.engine.render import render

MINUTE = RenderOptions(from_beat=0.0, to_beat=120.0)
REALTIME_BLOCK = 256
BLOCKS = 600


def offline_rows() -> list[list[object]]:
    """(engine, audio seconds, wall seconds, × realtime) for the one-minute render."""
    project = small_project()
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        result = render_embedded(project, Path(folder) / "embedded.wav", MINUTE)
        rows.append(
            [
                "embedded (NumPy, 512-frame blocks)",
                f"{result.seconds:.1f}",
                f"{result.wall_seconds:.2f}",
                f"{result.seconds / result.wall_seconds:.1f}×",
            ]
        )
        if shutil.which("scsynth"):
            result = render(project, Path(folder) / "scsynth.wav", MINUTE)
            rows.append(["scsynth NRT", f"{result.seconds:.1f}", f"{result.wall_seconds:.2f}",
                         f"{result.seconds / result.wall_seconds:.1f}×"])  # fmt: skip
        else:
            rows.append(["scsynth NRT", "-", "-", "scsynth not installed"])
    return rows


def block_times(voices: int) -> list[float]:
    """Seconds per 256-frame block: ``voices`` saw voices through an LPF, strip and safety."""
    server = EmbeddedServer(ServerOptions(block=REALTIME_BLOCK))
    server.send([
        OscMessage("/s_new", "imbolc_lpf", 2, 1, 0, "in_bus", 64, "out_bus", 64, "cutoff", 2000.0),
        OscMessage("/s_new", "imbolc_output", 3, 1, 0, "in_bus", 64, "out_bus", 0),
        OscMessage("/s_new", "imbolc_safety", 4, 1, 0, "bus", 0),
    ])  # fmt: skip
    for k in range(voices):
        message = OscMessage("/s_new", "imbolc_saw", 100 + k, 0, 0, "out", 64,
                             "freq", 110.0 * (1 + k % 12 / 12), "amp", 0.05)  # fmt: skip
        server.send([message])
    for _ in range(20):
        server.process()
    times = []
    for _ in range(BLOCKS):
        began = time.perf_counter()
        server.process()
        times.append(time.perf_counter() - began)
    return times


def run() -> str:
    parts = [
        table(
            "Offline render, 16 instruments (saw…bowed, each with an LPF), one minute, 48 kHz",
            ["engine", "audio s", "wall s", "speed"],
            offline_rows(),
        )
    ]
    budget = REALTIME_BLOCK / 48000
    rows: list[list[object]] = []
    for voices in (16, 64):
        times = block_times(voices)
        p50, p99 = percentile(times, 50), percentile(times, 99)
        rows.append([voices, f"{p50 * 1e6:.0f}", f"{p99 * 1e6:.0f}", f"{budget * 1e6:.0f}",
                     f"{100 * p99 / budget:.0f} %"])  # fmt: skip
    parts.append(
        table(
            "Realtime block time, 256 frames at 48 kHz (saw voices → LPF → strip → safety)",
            ["voices", "p50 µs", "p99 µs", "budget µs", "p99 / budget"],
            rows,
        )
    )
    return "\n".join(parts)
