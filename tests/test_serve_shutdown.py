"""SIGTERM or SIGINT stops ``imbolc serve --headless`` within a second: the project is saved
first, then every client is told, then the process exits."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imbolc.core import actions as act
from imbolc.net import connect
from imbolc.net.config import ClientConfig
from imbolc.net.events import ServerClosed
from imbolc.persist import load_project

FAST = ClientConfig(connect_timeout=5.0, tick_interval=0.02, reconnect_give_up=0.1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_saves_tells_the_clients_and_stops_within_a_second(
    tmp_path: Path, signum: int
) -> None:
    song = tmp_path / "shared.imbolc"
    env = dict(
        os.environ, IMBOLC_CONFIG_DIR=str(tmp_path / "c"), IMBOLC_STATE_DIR=str(tmp_path / "s")
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "imbolc", "serve", str(song), "--headless", "--host", "127.0.0.1",
         "--port", "0", "--engine", "embedded"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        match = re.search(r":(\d+) ", process.stdout.readline())
        assert match
        client = connect(
            "127.0.0.1", int(match.group(1)), name="ana", want_privilege=True, config=FAST
        )
        stopped: list[tuple[float, str]] = []
        client.on_event(
            lambda e: (
                stopped.append((time.monotonic(), e.reason))
                if isinstance(e, ServerClosed)
                else None
            )
        )
        client.dispatch(act.SetBpm(97.0))
        assert client.wait_until(lambda c: c.revision == 1, 5.0)
        sent = time.monotonic()
        process.send_signal(signum)
        process.wait(timeout=10)
        exited = time.monotonic() - sent
        assert client.wait_until(lambda c: bool(stopped), 2.0)
        told = stopped[0][0] - sent
        client.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "saved" in stopped[0][1]
    assert told < 1.0, f"the clients were told after {told:.2f} s"
    assert exited < 1.0, f"the process exited after {exited:.2f} s"
    assert load_project(song).session.settings.bpm == 97.0
