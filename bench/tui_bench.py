"""TUI benchmarks: idle CPU, keypress-to-screen latency on the large project, start-up time."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual import events

from bench.projects import large_project
from bench.timing import median_us, percentile, table
from imbolc.core.ports import NullEngine
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.tui import ImbolcApp

KEY_PRESSES = 200
IDLE_SECONDS = 10.0


class NoStorage:
    """A ProjectIO that keeps nothing; the benchmark never saves."""

    def save(self, project: Project, path: Path) -> None:
        return None

    def load(self, path: Path) -> Project:
        raise FileNotFoundError(path)

    def find_recovery(self, path: Path | None) -> Path | None:
        return None

    def list_checkpoints(self, path: Path) -> Sequence[object]:
        return []

    def create_checkpoint(self, path: Path, name: str, project: Project) -> None:
        return None

    def restore_checkpoint(self, path: Path, checkpoint_id: int) -> Project:
        raise FileNotFoundError(path)

    def delete_checkpoint(self, path: Path, checkpoint_id: int) -> None:
        return None

    def render(self, project: Project, target: Path) -> None:
        return None


class TimedApp(ImbolcApp):
    """The app, noting when each frame is composed for the terminal."""

    frames: list[float]

    def _display(self, screen: Any, renderable: Any) -> None:
        if renderable is not None:
            self.frames.append(time.perf_counter())
        super()._display(screen, renderable)


async def _latencies(project: Project, pane_key: str, keys: Sequence[str]) -> list[float]:
    """Seconds from a key event reaching the app to the first frame composed after it."""
    app = TimedApp(Store(project), NullEngine(), NoStorage(), None)  # type: ignore[arg-type]
    app.frames = []
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(pane_key)
        await pilot.pause()
        driver = app._driver
        assert driver is not None
        for n in range(KEY_PRESSES):
            key = keys[n % len(keys)]
            event = events.Key(key, None)
            event.set_sender(app)
            start = time.perf_counter()
            driver.send_message(event)
            deadline = start + 2.0
            while not (app.frames and app.frames[-1] > start) and time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
            samples.append(app.frames[-1] - start)
            await asyncio.sleep(0.03)  # let the frame settle before the next key
    return samples


def keypress_latency(project: Project) -> list[list[object]]:
    """Median and p99 from key to the repainted screen state, per pane."""
    rows: list[list[object]] = []
    cases = (
        ("mixer level (F4, ↑/↓)", "f4", ["up", "down"]),
        ("piano-roll cursor (F2, →/←)", "f2", ["right", "left"]),
        ("instrument list (F1, ↓/↑)", "f1", ["down", "up"]),
    )
    for label, pane, keys in cases:
        samples = asyncio.run(_latencies(project, pane, keys))
        rows.append(
            [label, f"{median_us(samples) / 1000:.2f}", f"{percentile(samples, 99) * 1000:.2f}"]
        )
    return rows


def _tmux(socket: str, *args: str) -> str:
    command = ["tmux", "-L", socket, *args]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=10)
    return done.stdout


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def real_terminal(engine: str) -> tuple[float, float]:
    """(seconds from launch to the first frame, idle CPU % of one core over 10 s)."""
    socket = f"imbolc-bench-{os.getpid()}-{engine}"
    with tempfile.TemporaryDirectory() as folder:
        env = {"IMBOLC_CONFIG_DIR": f"{folder}/c", "IMBOLC_STATE_DIR": f"{folder}/s",
               "TERM": "xterm-256color", "PATH": os.environ.get("PATH", "")}  # fmt: skip
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"exec env {exports} {shlex.quote(sys.executable)} -m imbolc --engine {engine}"
        began = time.perf_counter()
        _tmux(socket, "new-session", "-d", "-x", "120", "-y", "40", command)
        try:
            while "imbolc" not in _tmux(socket, "capture-pane", "-p"):
                if time.perf_counter() - began > 60:
                    raise RuntimeError("imbolc did not draw a frame within 60 s")
                time.sleep(0.01)
            first_frame = time.perf_counter() - began
            pid = int(_tmux(socket, "display-message", "-p", "#{pane_pid}").strip())
            time.sleep(2.0)  # let start-up work (engine boot, SynthDef load) finish
            cpu0, wall0 = _cpu_seconds(pid), time.perf_counter()
            time.sleep(IDLE_SECONDS)
            cpu = (_cpu_seconds(pid) - cpu0) / (time.perf_counter() - wall0) * 100
        finally:
            _tmux(socket, "send-keys", "C-q")  # quit properly: the engine's servers stop too
            deadline = time.perf_counter() + 10
            while _tmux(socket, "list-panes") and time.perf_counter() < deadline:
                time.sleep(0.1)
            _tmux(socket, "kill-server")
    return first_frame, cpu


def run() -> str:
    """Run the TUI benchmarks and return the Markdown report."""
    out = []
    project = large_project()
    out.append(
        table(
            "Keypress to the next composed frame, large project (ms, 200 presses)",
            ["interaction", "median", "p99"],
            keypress_latency(project),
        )
    )
    if shutil.which("tmux"):
        rows = []
        engines = ["embedded"] + (["scsynth"] if shutil.which("scsynth") else [])
        for engine in engines:
            first, cpu = real_terminal(engine)
            rows.append([engine, f"{first:.2f}", f"{cpu:.2f}"])
        out.append(
            table(
                "Real terminal (tmux 120×40): start-up and idle cost of the imbolc process",
                [
                    "engine",
                    "launch → first frame (s)",
                    f"idle CPU over {IDLE_SECONDS:.0f} s (% of a core)",
                ],
                rows,
            )
        )
    return "\n".join(out)
