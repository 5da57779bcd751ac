"""Core benchmarks: dispatch cost, undo coalescing, incremental save, full save, load."""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from pathlib import Path

from bench.projects import large_project, small_project
from bench.timing import median_us, table, time_each
from imbolc.core.actions import AddNote, SetMixerLevel, SetStageParam
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.persist import ProjectSaver, load_project

DISPATCHES = 2_000
INCREMENTAL_SAVES = 9


class FakeClock:
    """A clock the benchmark advances by hand, so coalescing is deterministic."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def dispatch_costs(project: Project) -> dict[str, float]:
    """Median µs of three typical dispatches on ``project``."""
    clock = FakeClock()
    store = Store(project, clock=clock)
    middle = project.instruments.items[len(project.instruments) // 2]
    stage = middle.chain[0].id

    def level(i: int) -> None:
        clock.now += 1.0  # a new gesture each time: the worst case, one undo entry per edit
        store.dispatch(SetMixerLevel(instrument_strip(middle.id), (i % 100) / 100))

    def note(i: int) -> None:
        clock.now += 1.0
        store.dispatch(AddNote(middle.id, 480 * 4 * 300 + i * 7, 120, 60 + i % 12))

    def cutoff(i: int) -> None:
        clock.now += 1.0
        store.dispatch(SetStageParam(middle.id, stage, "cutoff", 200.0 + i))

    return {
        "mixer level": median_us(time_each(level, DISPATCHES)),
        "note add": median_us(time_each(note, DISPATCHES)),
        "filter cutoff": median_us(time_each(cutoff, DISPATCHES)),
    }


def sweep_undo_entries(project: Project) -> tuple[int, float]:
    """Undo entries and total ms of a 30-event level sweep spread over 450 ms."""
    clock = FakeClock()
    store = Store(project, clock=clock)
    ident = project.instruments.items[0].id
    start = time.perf_counter()
    for i in range(30):
        clock.now = i * 0.015
        store.dispatch(SetMixerLevel(instrument_strip(ident), i / 30))
    elapsed = time.perf_counter() - start
    return len(store.history.undo_stack), elapsed * 1e3


def save_costs(project: Project, folder: Path, name: str) -> dict[str, float]:
    """Full save, one-note incremental save and load, in ms (wall time until on disk)."""
    path = folder / f"{name}.imbolc"
    saver = ProjectSaver(path)
    try:
        start = time.perf_counter()
        saver.save(project)
        saver.flush(600.0)
        full = time.perf_counter() - start
        store = Store(project)
        ident = project.instruments.items[0].id
        samples = []
        result = None
        for i in range(INCREMENTAL_SAVES):
            store.dispatch(AddNote(ident, 480 * 4 * 400 + i * 7, 240, 64))
            start = time.perf_counter()
            saver.save(store.state)
            result = saver.flush(600.0)
            samples.append(time.perf_counter() - start)
        incremental = statistics.median(samples)
    finally:
        saver.close()
    start = time.perf_counter()
    loaded = load_project(path)
    load = time.perf_counter() - start
    assert loaded == store.state, "the saved project must load back equal"
    rows = result.rows_written if result is not None else -1
    return {"full": full * 1e3, "incremental": incremental * 1e3, "load": load * 1e3, "rows": rows}


def run() -> str:
    """Run every core benchmark and return the Markdown report."""
    small, large = small_project(), large_project()
    # The projects stay alive for the whole run, as an open project does in the app: keep the
    # collector from rescanning them, so timings measure our code and not GC of fixtures.
    gc.collect()
    gc.freeze()
    out = []
    costs_small, costs_large = dispatch_costs(small), dispatch_costs(large)
    rows = [
        [name, f"{costs_small[name]:.1f}", f"{costs_large[name]:.1f}",
         f"{costs_large[name] / costs_small[name]:.2f}×"]
        for name in costs_small
    ]  # fmt: skip
    out.append(
        table(
            "Dispatch (median µs, including undo record and notify)",
            ["action", "small", "large", "large / small"],
            rows,
        )
    )
    entries, sweep_ms = sweep_undo_entries(large)
    out.append(
        table(
            "30-event parameter sweep within 500 ms (large project)",
            ["undo entries", "total ms"],
            [[entries, f"{sweep_ms:.2f}"]],
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        saves = {
            name: save_costs(p, Path(folder), name)
            for name, p in (("small", small), ("large", large))
        }
    rows = []
    for name, cost in saves.items():
        ratio = cost["full"] / cost["incremental"]
        full, incremental, load = cost["full"], cost["incremental"], cost["load"]
        rows.append(
            [
                name,
                f"{full:.1f}",
                f"{incremental:.2f}",
                f"{ratio:.0f}×",
                cost["rows"],
                f"{load:.1f}",
            ]
        )
    header = ["project", "full save", "one-note incremental save", "full / incremental"]
    header += ["rows rewritten", "load"]
    out.append(
        table("Saving and loading (ms; incremental = median of 9 one-note saves)", header, rows)
    )
    return "\n".join(out)
