"""``imbolc serve --web`` and ``imbolc join ws://…`` end to end, and the session pane's web
remote switch (w) on a real hosted session."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from imbolc.cli import main
from imbolc.core import actions as act
from imbolc.core.ports import NullEngine
from imbolc.core.templates import demo_project
from imbolc.net import connect, start_server_thread
from imbolc.net.ws_client import connect_websocket
from imbolc.session_wiring import ClientSessionLink, HostSessionLink, RemoteIO, WebRemote
from imbolc.tui import ImbolcApp
from test_session_cli import tmux, wait_for

LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Opens loopback URLs directly, whatever proxy the environment names."""


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[tuple[int, str]]:
    """A headless ``imbolc serve --web 0``; yields (TCP port, the page's URL)."""
    song = tmp_path / "shared.imbolc"
    env = dict(
        os.environ, IMBOLC_CONFIG_DIR=str(tmp_path / "c"), IMBOLC_STATE_DIR=str(tmp_path / "s")
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "imbolc", "serve", str(song), "--headless", "--host", "127.0.0.1",
         "--port", "0", "--web", "0", "--engine", "embedded"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        port = re.search(r":(\d+) ", first)
        url = re.search(r"web remote on (http://\S+)", second)
        assert port and url, f"unexpected output from serve: {first!r} {second!r}"
        yield int(port.group(1)), url.group(1)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_web_serves_the_page_and_a_websocket_join_edits_the_session(
    web_server: tuple[int, str],
) -> None:
    port, url = web_server
    with LOOPBACK.open(url, timeout=5) as page:
        assert b"imbolc remote" in page.read()
    ws_url = url.replace("http://", "ws://") + "session"
    ana = connect_websocket(ws_url, name="ana")
    bob = connect("127.0.0.1", port, name="bob")
    try:
        ana.dispatch(act.AddInstrument("pluck"))
        assert bob.wait_until(lambda c: len(c.state.instruments.items) == 1, 5.0)
        assert ana.wait_until(lambda c: c.owned == (1,), 5.0)  # the adder owns it
    finally:
        ana.close()
        bob.close()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed (CI installs it)")
def test_join_ws_in_a_terminal_and_another_client_sees_the_edit(
    web_server: tuple[int, str], tmp_path: Path
) -> None:
    port, url = web_server
    ws_url = url.replace("http://", "ws://") + "imbolc"
    socket = f"imbolc-wsjoin-{os.getpid()}"
    env = {"IMBOLC_CONFIG_DIR": str(tmp_path / "jc"), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "")}  # fmt: skip
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    python = shlex.quote(sys.executable)
    command = f"exec env {exports} {python} -m imbolc join {ws_url} --name ana"
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
        deadline = time.monotonic() + 10
        while not watcher.state.instruments.items and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [i.source for i in watcher.state.instruments.items] == ["pluck"]
    finally:
        watcher.close()
        tmux(socket, "kill-server")


def test_join_with_a_bad_websocket_address_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["join", "ws://127.0.0.1:99999/x"]) == 1
    assert "port that is not a number" in capsys.readouterr().err


def test_join_wss_with_a_missing_certificate_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such.pem"
    assert main(["join", "wss://localhost:1/x", "--ca-file", str(missing)]) == 1
    assert "No such file" in capsys.readouterr().err


async def test_w_in_the_session_pane_switches_the_web_remote_on_and_off() -> None:
    server = start_server_thread(demo_project(), host="127.0.0.1", port=0)
    client = connect("127.0.0.1", server.port, name="host", want_privilege=True)
    remote = WebRemote(server, "127.0.0.1", 0, "msgpack")
    link = HostSessionLink(client, remote)
    app = ImbolcApp(
        client,  # type: ignore[arg-type]  # a ClientStore offers the Store surface the UI uses
        NullEngine(), RemoteIO(client), Path("/songs/demo.imbolc"), None, link,
    )  # fmt: skip
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f9", "w")
            await pilot.pause()
            url = remote.address
            assert url.startswith("http://127.0.0.1:")
            with LOOPBACK.open(url, timeout=5) as page:
                assert b"imbolc remote" in page.read()
            await pilot.pause(0.6)
            assert f"web remote on {url}" in str(app.query_one("#session").render())
            await pilot.press("w")
            await pilot.pause()
            assert remote.address == ""
            with pytest.raises(urllib.error.URLError):
                LOOPBACK.open(url, timeout=2)
    finally:
        remote.stop()
        client.close()
        server.stop()


async def test_w_on_a_joined_client_explains_only_the_host_serves_it() -> None:
    server = start_server_thread(demo_project(), host="127.0.0.1", port=0)
    client = connect("127.0.0.1", server.port, name="guest")
    app = ImbolcApp(
        client,  # type: ignore[arg-type]
        NullEngine(), RemoteIO(client), Path("/songs/demo.imbolc"), None, ClientSessionLink(client),
    )  # fmt: skip
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f9", "w")
            await pilot.pause()
            shown = [n.message for n in app._notifications]
        assert any("Only the machine that serves" in str(m) for m in shown)
    finally:
        with contextlib.suppress(Exception):
            client.close()
        server.stop()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed (CI installs it)")
def test_serve_web_in_a_terminal_shows_the_remote_on_f9_and_w_turns_it_off(
    tmp_path: Path,
) -> None:
    song = tmp_path / "shared.imbolc"
    assert main(["new", str(song), "--demo"]) == 0
    socket = f"imbolc-webserve-{os.getpid()}"
    env = {"IMBOLC_CONFIG_DIR": str(tmp_path / "c"), "IMBOLC_STATE_DIR": str(tmp_path / "s"),
           "TERM": "xterm-256color", "PATH": os.environ.get("PATH", "")}  # fmt: skip
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    python = shlex.quote(sys.executable)
    command = (
        f"exec env {exports} {python} -m imbolc serve {shlex.quote(str(song))} --host 127.0.0.1"
        " --port 0 --web 0 --engine embedded"
    )
    tmux(socket, "new-session", "-d", "-x", "120", "-y", "40", command)
    try:
        wait_for(socket, "Drums")
        tmux(socket, "send-keys", "F9")
        screen = wait_for(socket, "web remote on http://127.0.0.1:")
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", screen)
        assert url, screen
        with LOOPBACK.open(url.group(1), timeout=5) as page:
            assert b"imbolc remote" in page.read()
        tmux(socket, "send-keys", "w")
        wait_for(socket, "web remote off")
        with pytest.raises(urllib.error.URLError):
            LOOPBACK.open(url.group(1), timeout=2)
    finally:
        tmux(socket, "kill-server")
