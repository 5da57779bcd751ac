"""Two hosts on a network: a headless ``imbolc serve`` in one network namespace, a musician in
another, joined over a veth link; the musician's connection is cut and comes back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("ip") is None or shutil.which("ss") is None or os.geteuid() != 0,
    reason="needs root and iproute2 to make network namespaces (CI has both)",
)

SERVER_ADDRESS = "10.77.0.1"
CLIENT_ADDRESS = "10.77.0.2"

MUSICIAN = """
import json, sys, time
from imbolc.core.actions import AddInstrument
from imbolc.net import connect
from imbolc.net.events import ConnectionChanged

host, port = sys.argv[1], int(sys.argv[2])
store = connect(host, port, name="far-away")
states = []
store.on_event(lambda e: states.append(e.state) if isinstance(e, ConnectionChanged) else None)

def wait(ready, what):
    deadline = time.monotonic() + 20
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}; states {states}")
        time.sleep(0.02)

store.dispatch(AddInstrument("pluck"))
wait(lambda: len(store.state.instruments) == 1, "the first instrument")
print("added", flush=True)
sys.stdin.readline()  # the test cuts our connection, then tells us to go on
def back() -> bool:
    return "reconnecting" in states and "connected" in states[states.index("reconnecting"):]

wait(back, "the reconnect")
store.dispatch(AddInstrument("sine"))
wait(lambda: len(store.state.instruments) == 2, "the second instrument")
sources = [i.source for i in store.state.instruments.items]
print(json.dumps({"states": states, "sources": sources}), flush=True)
store.close()
"""

OBSERVER = """
import json, sys, time
from imbolc.net import connect
store = connect(sys.argv[1], int(sys.argv[2]), name="observer")
print(json.dumps([i.source for i in store.state.instruments.items]), flush=True)
store.close()
"""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@pytest.fixture
def hosts() -> Iterator[tuple[str, str]]:
    """Two network namespaces joined by a veth pair: (server namespace, client namespace)."""
    tag = os.getpid() % 100000
    server_ns, client_ns = f"imbolc-srv-{tag}", f"imbolc-cli-{tag}"
    here, there = f"imbs{tag}", f"imbc{tag}"
    ip("netns", "add", server_ns)
    try:
        ip("netns", "add", client_ns)
        ip("link", "add", here, "type", "veth", "peer", "name", there)
        ip("link", "set", here, "netns", server_ns)
        ip("link", "set", there, "netns", client_ns)
        ip("-n", server_ns, "addr", "add", f"{SERVER_ADDRESS}/24", "dev", here)
        ip("-n", client_ns, "addr", "add", f"{CLIENT_ADDRESS}/24", "dev", there)
        for ns, dev in ((server_ns, here), (client_ns, there)):
            ip("-n", ns, "link", "set", dev, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        yield server_ns, client_ns
    finally:
        subprocess.run(["ip", "netns", "del", client_ns], check=False, capture_output=True)
        subprocess.run(["ip", "netns", "del", server_ns], check=False, capture_output=True)


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_musician_on_another_host_edits_survives_a_cut_and_the_server_has_it_all(
    hosts: tuple[str, str], tmp_path: Path
) -> None:
    server_ns, client_ns = hosts
    env = dict(
        os.environ, IMBOLC_CONFIG_DIR=str(tmp_path / "c"), IMBOLC_STATE_DIR=str(tmp_path / "s")
    )
    serve = subprocess.Popen(
        ["ip", "netns", "exec", server_ns, sys.executable, "-m", "imbolc", "serve",
         str(tmp_path / "song.imbolc"), "--headless", "--host", SERVER_ADDRESS, "--port", "0",
         "--engine", "embedded"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    musician: subprocess.Popen[str] | None = None
    try:
        assert serve.stdout is not None
        match = re.search(r":(\d+) ", serve.stdout.readline())
        assert match, "imbolc serve did not say where it listens"
        port = match.group(1)
        musician = subprocess.Popen(
            ["ip", "netns", "exec", client_ns, sys.executable, "-c", MUSICIAN,
             SERVER_ADDRESS, port],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert musician.stdout is not None and musician.stdin is not None
        assert musician.stdout.readline().strip() == "added"
        # Cut the musician's TCP connection to the server, as a flaky LAN would.
        subprocess.run(
            ["ip", "netns", "exec", client_ns, "ss", "-K", "dst", SERVER_ADDRESS],
            check=True, capture_output=True, timeout=10,
        )  # fmt: skip
        musician.stdin.write("go\n")
        musician.stdin.flush()
        line = musician.stdout.readline()
        assert line, musician.stderr.read() if musician.stderr else ""
        report = json.loads(line)
        assert "reconnecting" in report["states"]
        assert report["states"][-1] == "connected"
        assert report["sources"] == ["pluck", "sine"]
        observer = subprocess.run(
            ["ip", "netns", "exec", client_ns, sys.executable, "-c", OBSERVER,
             SERVER_ADDRESS, port],
            capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        assert json.loads(observer.stdout.strip().splitlines()[-1]) == ["pluck", "sine"]
    finally:
        if musician is not None:
            stop(musician)
        stop(serve)
