"""Embedded engine benchmarks, the NumPy path against the compiled kernels in one run: offline
render of the demo song and of the 16-instrument one-minute project against scsynth NRT, and
realtime block time against the 256-frame budget (with the voice count where p99 reaches it)."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from supriya.osc import OscMessage

from bench.projects import small_project
from bench.timing import percentile, table
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.templates import demo_project
from imbolc.engine.embedded import EmbeddedServer, ServerOptions, jit, render_embedded
from imbolc.engine.render import render

MINUTE = RenderOptions(from_beat=0.0, to_beat=120.0)
REALTIME_BLOCK = 256
BLOCKS = 600
SWEEP_BLOCKS = 200
SWEEP_STEP = 16
SWEEP_LIMIT = 512

Path_ = Callable[[], AbstractContextManager[None]]
PATHS: list[tuple[str, Path_]] = [("NumPy", jit.numpy_only), ("compiled", nullcontext)]


def _render_rows(label: str, project: Project, options: RenderOptions) -> list[list[object]]:
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        reference = None
        if shutil.which("scsynth"):
            reference = render(project, Path(folder) / "scsynth.wav", options)
        for name, path in PATHS:
            with path():
                result = render_embedded(project, Path(folder) / f"{name}.wav", options)
            versus = f"{result.wall_seconds / reference.wall_seconds:.1f}×" if reference else "-"
            rows.append([label, f"embedded {name}", f"{result.seconds:.1f}",
                         f"{result.wall_seconds:.2f}",
                         f"{result.seconds / result.wall_seconds:.1f}×", versus])  # fmt: skip
        if reference is not None:
            rows.append([label, "scsynth NRT", f"{reference.seconds:.1f}",
                         f"{reference.wall_seconds:.2f}",
                         f"{reference.seconds / reference.wall_seconds:.1f}×", "1.0×"])  # fmt: skip
    return rows


def offline_rows() -> list[list[object]]:
    """(project, engine, audio s, wall s, × realtime, wall / scsynth's) per engine."""
    rows = _render_rows("demo song", demo_project(), RenderOptions())
    rows += _render_rows("16 instruments, 1 min", small_project(), MINUTE)
    return rows


def block_times(voices: int, blocks: int = BLOCKS) -> list[float]:
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
    for _ in range(blocks):
        began = time.perf_counter()
        server.process()
        times.append(time.perf_counter() - began)
    return times


def full_budget_voices(budget: float) -> int:
    """The smallest voice count (in steps of ``SWEEP_STEP``) whose p99 reaches the budget."""
    voices = SWEEP_STEP
    while voices < SWEEP_LIMIT:
        if percentile(block_times(voices, SWEEP_BLOCKS), 99) >= budget:
            return voices
        voices += SWEEP_STEP
    return SWEEP_LIMIT


def run() -> str:
    began = time.perf_counter()
    loaded = jit.wait(300.0)
    load = time.perf_counter() - began
    parts = [
        f"Kernels {'loaded' if loaded else 'NOT loaded: ' + str(jit.failure)} in {load:.2f} s "
        f"(cache {jit.cache_dir()}).\n",
        table(
            "Offline render at 48 kHz (512-frame blocks), wall time against scsynth NRT",
            ["project", "engine", "audio s", "wall s", "speed", "wall / scsynth"],
            offline_rows(),
        ),
    ]
    budget = REALTIME_BLOCK / 48000
    rows: list[list[object]] = []
    for name, path in PATHS:
        with path():
            for voices in (16, 64):
                times = block_times(voices)
                p50, p99 = percentile(times, 50), percentile(times, 99)
                rows.append([name, voices, f"{p50 * 1e6:.0f}", f"{p99 * 1e6:.0f}",
                             f"{budget * 1e6:.0f}", f"{100 * p99 / budget:.0f} %"])  # fmt: skip
            rows.append([name, f"p99 ≥ budget at {full_budget_voices(budget)}", "", "", "", ""])
    parts.append(
        table(
            "Realtime block time, 256 frames at 48 kHz (saw voices → LPF → strip → safety)",
            ["path", "voices", "p50 µs", "p99 µs", "budget µs", "p99 / budget"],
            rows,
        )
    )
    return "\n".join(parts)
