"""imbolc in a real terminal (tmux): make a project, add notes, play, save, quit, reopen."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.persist import load_project

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux not installed (CI installs it)"
)


class Terminal:
    """One tmux server of our own (private socket) running one imbolc."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return done.stdout

    def start(self, command: list[str]) -> None:
        line = " ".join(shlex.quote(part) for part in command)
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        self.tmux("new-session", "-d", "-x", "120", "-y", "40", f"env {exports} {line}")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def server_pid(self) -> int | None:
        out = self.tmux("display-message", "-p", "#{pid}").strip()
        return int(out) if out.isdigit() else None


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    env = {
        "IMBOLC_CONFIG_DIR": str(tmp_path / "config"),
        "IMBOLC_STATE_DIR": str(tmp_path / "state"),
        "IMBOLC_CACHE_DIR": os.environ.get("IMBOLC_CACHE_DIR", str(tmp_path / "cache")),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
    }
    term = Terminal(f"imbolc-test-{os.getpid()}", env)
    try:
        yield term
    finally:
        pid = term.server_pid()
        term.tmux("kill-server")
        if pid is not None:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)


def test_a_song_made_in_the_terminal_is_there_after_reopening(
    terminal: Terminal, tmp_path: Path
) -> None:
    song = tmp_path / "song.imbolc"
    imbolc = [sys.executable, "-m", "imbolc", str(song), "--engine", "embedded"]
    terminal.start(imbolc)
    terminal.wait_for("No instruments yet")
    terminal.keys("a")
    terminal.wait_for("Add instrument")
    time.sleep(0.5)
    terminal.keys("sine")
    deadline = time.monotonic() + 10
    while "Saw  saw" in terminal.screen() and time.monotonic() < deadline:
        time.sleep(0.1)  # the list is filtered once the search has the text
    terminal.keys("Enter")
    terminal.wait_for("sine-1")
    terminal.keys("F2")
    terminal.wait_for("grid 1/16")
    for _ in range(3):
        terminal.keys("Enter")
        time.sleep(0.2)
        terminal.keys("Right", "Right", "Right", "Right")
        time.sleep(0.2)
    terminal.keys("Space")
    terminal.wait_for("▶")
    terminal.keys("Space")
    terminal.wait_for("■")
    terminal.keys("C-s")
    terminal.wait_for("song.imbolc ·")  # the unsaved-changes star is gone
    terminal.keys("C-q")
    deadline = time.monotonic() + 10
    while "song.imbolc" in terminal.screen() and time.monotonic() < deadline:
        time.sleep(0.1)
    notes = load_project(song).session.piano_roll.tracks[0].notes
    beat = TICKS_PER_BEAT
    assert [(n.tick, n.pitch) for n in notes] == [(0, 60), (beat, 60), (2 * beat, 60)]
    terminal.start(imbolc)
    screen = terminal.wait_for("sine-1")
    assert "song.imbolc" in screen
