"""``imbolc serve`` and ``imbolc join`` end to end: a headless server, a musician joining in
a real terminal, and a second client that sees the edit."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from imbolc.net import connect

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux not installed (CI installs it)"
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A headless ``imbolc serve`` on loopback; yields (port, project file)."""
    song = tmp_path / "shared.imbolc"
    env = dict(
        os.environ, IMBOLC_CONFIG_DIR=str(tmp_path / "c"), IMBOLC_STATE_DIR=str(tmp_path / "s")
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "imbolc", "serve", str(song), "--headless", "--host", "127.0.0.1",
         "--port", "0", "--engine", "embedded"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r":(\d+) ", line)
        assert match, f"unexpected first line from serve: {line!r}"
        yield int(match.group(1)), song
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tmux(socket: str, *args: str) -> str:
    done = subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10, check=False
    )
    return done.stdout


def wait_for(socket: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = tmux(socket, "capture-pane", "-p")
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared:\n{tmux(socket, 'capture-pane', '-p')}")


def test_a_musician_joins_in_a_terminal_and_another_client_sees_the_edit(
    server: tuple[int, Path], tmp_path: Path
) -> None:
    port, _song = server
    socket = f"imbolc-join-{os.getpid()}"
    env = {"IMBOLC_CONFIG_DIR": str(tmp_path / "jc"), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "")}  # fmt: skip
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    python = shlex.quote(sys.executable)
    command = f"exec env {exports} {python} -m imbolc join 127.0.0.1:{port} --name ana"
    tmux(socket, "new-session", "-d", "-x", "120", "-y", "40", command)
    watcher = connect("127.0.0.1", port, name="watcher")
    try:
        wait_for(socket, "No instruments yet")
        tmux(socket, "send-keys", "a")
        wait_for(socket, "Add instrument")
        time.sleep(0.5)
        tmux(socket, "send-keys", "pluck")
        time.sleep(0.5)
        tmux(socket, "send-keys", "Enter")
        wait_for(socket, "pluck-1")
        tmux(socket, "send-keys", "F9")
        screen = wait_for(socket, "ana: owns pluck-1")
        assert "watcher" in screen
        deadline = time.monotonic() + 10
        while not watcher.state.instruments.items and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [i.source for i in watcher.state.instruments.items] == ["pluck"]
    finally:
        watcher.close()
        pid = tmux(socket, "display-message", "-p", "#{pid}").strip()
        tmux(socket, "kill-server")
        if pid.isdigit():
            with __import__("contextlib").suppress(ProcessLookupError):
                os.kill(int(pid), 0)
