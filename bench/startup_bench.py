"""Launch → first frame in a real terminal (tmux 120×40), with a cold cache (no compiled
SynthDefs, no compiled kernels) and a warm one (the second start on the same cache)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from bench.timing import table

RUNS = 3


def _tmux(socket: str, *args: str) -> str:
    done = subprocess.run(["tmux", "-L", socket, *args], check=False, capture_output=True,
                          text=True, timeout=10)  # fmt: skip
    return done.stdout


def first_frame(engine: str, cache: str, home: str) -> float:
    """Seconds from launching ``imbolc --engine engine`` to its first drawn frame."""
    socket = f"imbolc-startup-{os.getpid()}"
    env = {"IMBOLC_CONFIG_DIR": f"{home}/c", "IMBOLC_STATE_DIR": f"{home}/s",
           "IMBOLC_CACHE_DIR": cache, "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "")}  # fmt: skip
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"exec env {exports} {shlex.quote(sys.executable)} -m imbolc --engine {engine}"
    began = time.perf_counter()
    _tmux(socket, "new-session", "-d", "-x", "120", "-y", "40", command)
    try:
        while "imbolc" not in _tmux(socket, "capture-pane", "-p"):
            if time.perf_counter() - began > 60:
                raise RuntimeError("imbolc did not draw a frame within 60 s")
            time.sleep(0.01)
        seconds = time.perf_counter() - began
        time.sleep(3.0)  # let the background work (engine, kernels) finish before quitting
    finally:
        _tmux(socket, "send-keys", "C-q")
        deadline = time.perf_counter() + 10
        while _tmux(socket, "list-panes") and time.perf_counter() < deadline:
            time.sleep(0.1)
        _tmux(socket, "kill-server")
    return seconds


def run() -> str:
    if not shutil.which("tmux"):
        return "tmux not installed: nothing measured\n"
    rows: list[list[object]] = []
    engines = ["embedded"] + (["scsynth"] if shutil.which("scsynth") else [])
    for engine in engines:
        cold, warm = [], []
        for _ in range(RUNS):
            with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as home:
                cold.append(first_frame(engine, cache, home))
                warm.append(first_frame(engine, cache, home))
        rows.append([engine, f"{min(cold):.2f}", f"{max(cold):.2f}", f"{min(warm):.2f}",
                     f"{max(warm):.2f}"])  # fmt: skip
    return table(
        f"Launch → first frame in tmux, seconds (best and worst of {RUNS})",
        ["engine", "cold cache best", "cold worst", "warm cache best", "warm worst"],
        rows,
    )
