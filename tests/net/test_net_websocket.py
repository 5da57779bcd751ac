"""Terminal clients over WebSocket on 127.0.0.1: the same session as TCP, the same rules.

Mirrors the TCP loopback tests: join, edit, refusal, reconnect-and-resume, a TCP and a
WebSocket client side by side, wss:// through a TLS-terminating reverse proxy, bad input.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import socket
import ssl
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from imbolc.core import actions as act
from imbolc.core.notes import Note
from imbolc.net import ClientConfig, ClientStore, JoinRefused, NetError, ServerHandle
from imbolc.net.events import ClientEvent, Rejected, StateReplaced
from imbolc.net.ws_client import check_url, connect_websocket
from imbolc.net.ws_server import MAX_MESSAGE, WebGateway, run_web_gateway

LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Opens loopback URLs directly, whatever proxy the environment names."""

if TYPE_CHECKING:
    from conftest import Relay

FAST_CLIENT = ClientConfig(connect_timeout=2.0, reconnect_first_delay=0.05, tick_interval=0.02)

Serve = Callable[..., ServerHandle]
Join = Callable[..., ClientStore]


def same(*projects: Any) -> bool:
    return len({msgspec.msgpack.encode(p) for p in projects}) == 1


@pytest.fixture
def gateway() -> Iterator[Callable[..., WebGateway]]:
    """WebSocket endpoints in front of loopback servers; all stopped afterwards."""
    started: list[WebGateway] = []

    def start(server: ServerHandle, **options: Any) -> WebGateway:
        options.setdefault("host", "127.0.0.1")
        options.setdefault("wire", server.session.codec.wire)
        started.append(run_web_gateway(server.address, **options))
        return started[-1]

    try:
        yield start
    finally:
        for gw in started:
            gw.stop()


@pytest.fixture
def ws_join() -> Iterator[Callable[..., ClientStore]]:
    joined: list[ClientStore] = []

    def open_client(url: str, name: str, **options: Any) -> ClientStore:
        options.setdefault("config", FAST_CLIENT)
        joined.append(connect_websocket(url, name=name, **options))
        return joined[-1]

    try:
        yield open_client
    finally:
        for client in joined:
            client.close()


def recorder(client: ClientStore) -> list[ClientEvent]:
    events: list[ClientEvent] = []
    client.on_event(events.append)
    return events


def test_a_websocket_client_joins_edits_and_a_tcp_client_sees_it(
    serve: Serve, join: Join, gateway: Callable[..., WebGateway], ws_join: Join
) -> None:
    server = serve()
    gw = gateway(server)
    ana = ws_join(f"ws://127.0.0.1:{gw.port}/session", "ana", own=[1])
    bob = join(server, "bob", own=[2])
    assert ana.owned == (1,)
    assert same(server.state, ana.state, bob.state)

    ana.dispatch(act.AddNote(1, 480, 240, 64))
    bob.dispatch(act.AddNote(2, 0, 240, 40))

    for client in (ana, bob):
        assert client.wait_until(lambda c: c.revision == 2, 3.0)
    assert same(server.state, ana.state, bob.state)
    assert server.state.session.piano_roll.track(1).notes[0].pitch == 64
    assert ana.wait_until(lambda c: len(c.peers) == 2, 2.0)
    assert sorted(p.name for p in ana.peers) == ["ana", "bob"]


def test_ownership_rules_hold_over_websocket(
    serve: Serve, join: Join, gateway: Callable[..., WebGateway], ws_join: Join
) -> None:
    server = serve()
    join(server, "bob", own=[1])
    ana = ws_join(f"ws://127.0.0.1:{gateway(server).port}/", "ana")
    events = recorder(ana)
    before = server.state

    seq = ana.dispatch(act.AddNote(1, 0, 240, 60))

    assert ana.wait_until(lambda c: any(isinstance(e, Rejected) for e in events), 3.0)
    (rejected,) = [e for e in events if isinstance(e, Rejected)]
    assert (rejected.seq, rejected.reason) == (seq, "AddNote: instrument 1 belongs to bob")
    assert server.state is before


def test_the_secret_is_checked_over_websocket(
    serve: Serve, gateway: Callable[..., WebGateway], ws_join: Join
) -> None:
    server = serve(secret=b"right")
    url = f"ws://127.0.0.1:{gateway(server).port}/"
    assert ws_join(url, "ana", secret=b"right").client_id > 0
    with pytest.raises(JoinRefused, match="shared secret"):
        ws_join(url, "eve", secret=b"wrong")


def test_a_json_session_works_over_websocket(
    serve: Serve, gateway: Callable[..., WebGateway], ws_join: Join
) -> None:
    server = serve(wire="json")
    ana = ws_join(f"ws://127.0.0.1:{gateway(server).port}/", "ana", own=[1], wire="json")
    ana.dispatch(act.AddNote(1, 0, 240, 60))
    assert ana.wait_until(lambda c: c.revision == 1, 3.0)
    assert same(server.state, ana.state)


def test_a_websocket_client_reconnects_and_resumes_keeping_its_instruments(
    serve: Serve,
    join: Join,
    gateway: Callable[..., WebGateway],
    ws_join: Join,
    relay: Callable[[int], Relay],
) -> None:
    server = serve()
    line = relay(gateway(server).port)  # a cable between the client and the endpoint
    ana = ws_join(f"ws://127.0.0.1:{line.port}/session", "ana", own=[1])
    bob = join(server, "bob", own=[2])
    token, ident = ana.session.token, ana.client_id
    events = recorder(ana)

    line.cut()
    assert ana.wait_until(lambda c: c.connection_state == "reconnecting", 3.0)
    for n in range(5):
        bob.dispatch(act.AddNote(2, n * 120, 60, 60))
    assert bob.wait_until(lambda c: c.revision == 5, 2.0)

    assert ana.wait_until(lambda c: c.connection_state == "connected", 5.0)
    assert ana.wait_until(lambda c: c.revision == 5, 3.0)
    assert same(server.state, ana.state, bob.state)
    assert (ana.client_id, ana.owned) == (ident, (1,))
    assert ana.session.token != token
    assert any(isinstance(e, StateReplaced) and e.reason == "reconnect" for e in events)
    ana.dispatch(act.AddNote(1, 0, 240, 72))  # and it edits again
    assert ana.wait_until(lambda c: c.revision == 6, 3.0)


def test_a_paste_larger_than_one_websocket_message_arrives_whole(
    serve: Serve, gateway: Callable[..., WebGateway], ws_join: Join
) -> None:
    server = serve()
    ana = ws_join(f"ws://127.0.0.1:{gateway(server).port}/", "ana", own=[1])
    notes = tuple(Note(n * 10, 10, 36 + n % 60, 1 + n % 127, 0.5) for n in range(120_000))
    assert len(msgspec.msgpack.encode(act.AddNotes(1, notes))) > 2 * MAX_MESSAGE

    ana.dispatch(act.AddNotes(1, notes))

    assert ana.wait_until(lambda c: c.revision == 1, 20.0)
    assert len(server.state.session.piano_roll.track(1).notes) == 120_000
    assert same(server.state, ana.state)


def test_a_stranger_cannot_make_the_endpoint_hold_a_huge_message(
    serve: Serve, gateway: Callable[..., WebGateway]
) -> None:
    server = serve()
    before = server.state
    with ws_connect(f"ws://127.0.0.1:{gateway(server).port}/", proxy=None) as ws:
        with contextlib.suppress(ConnectionClosed):
            ws.send(b"\x00" * (MAX_MESSAGE + 1))
            ws.recv(timeout=5)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big
    assert server.state is before
    assert server.peers.peers == ()


def test_the_endpoint_serves_the_page_and_refuses_other_paths(
    serve: Serve, gateway: Callable[..., WebGateway]
) -> None:
    gw = gateway(serve())
    with LOOPBACK.open(f"http://127.0.0.1:{gw.port}/") as page:
        body = page.read().decode()
        assert page.headers["Content-Type"].startswith("text/html")
    assert '"app_version"' in body and "remote.js" in body
    # Under a reverse proxy's prefix (stripped or not) the same files answer.
    with LOOPBACK.open(f"http://127.0.0.1:{gw.port}/band/") as page:
        assert page.read().decode() == body
    with LOOPBACK.open(f"http://127.0.0.1:{gw.port}/band/remote.js") as script:
        assert script.headers["Content-Type"].startswith("text/javascript")
    with pytest.raises(urllib.error.HTTPError) as missing:
        LOOPBACK.open(f"http://127.0.0.1:{gw.port}/etc/passwd")
    assert missing.value.code == 404


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://host/x", "not a WebSocket address"),
        ("ws://:9000/", "names no host"),
        ("ws://host:99999/", "port that is not a number"),
    ],
)
def test_bad_websocket_addresses_are_named(url: str, message: str) -> None:
    with pytest.raises(NetError, match=message):
        check_url(url)


def test_an_endpoint_that_is_not_there_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetError, match=f"cannot reach ws://127.0.0.1:{port}/"):
        connect_websocket(f"ws://127.0.0.1:{port}/", name="ana", config=FAST_CLIENT)


class TlsProxy:
    """A TLS-terminating reverse proxy on loopback, as nginx or Caddy would sit in front."""

    def __init__(self, target_port: int, context: ssl.SSLContext) -> None:
        self._target = target_port
        self._context = context
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            ready, _w, _x = select.select([self._listener], [], [], 0.05)
            if not ready or self._closed.is_set():
                continue
            try:
                raw, _address = self._listener.accept()
                down = self._context.wrap_socket(raw, server_side=True)
                up = socket.create_connection(("127.0.0.1", self._target))
            except (OSError, ssl.SSLError):
                continue
            self._sockets += [down, up]
            for source, sink in ((down, up), (up, down)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(1.0)
        self._listener.close()


@pytest.mark.skipif(
    shutil.which("openssl") is None and not os.environ.get("CI"),
    reason="needs the openssl command (CI installs it)",
)
def test_wss_through_a_tls_reverse_proxy(
    serve: Serve, gateway: Callable[..., WebGateway], ws_join: Join, tmp_path: Path
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    server = serve()
    proxy = TlsProxy(gateway(server).port, server_side)
    try:
        trust = ssl.create_default_context(cafile=str(cert))
        ana = ws_join(f"wss://localhost:{proxy.port}/imbolc", "ana", own=[1], tls=trust)
        ana.dispatch(act.AddNote(1, 0, 240, 60))
        assert ana.wait_until(lambda c: c.revision == 1, 3.0)
        assert same(server.state, ana.state)
        with pytest.raises(NetError, match="cannot reach wss://localhost"):
            connect_websocket(f"wss://localhost:{proxy.port}/", name="eve", config=FAST_CLIENT)
    finally:
        proxy.close()
