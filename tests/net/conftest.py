"""Fixtures for the network tests: a fake clock, a fake wire, and loopback servers/clients.

The fake wire joins one ``ServerSession`` and any number of ``ClientSession``s in memory:
no sockets, no threads, no sleeps. Loopback fixtures stop every server and client they
started, whatever the test does.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from imbolc.core.actions import AddInstrument
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.net import ClientStore, ServerConfig, ServerHandle, connect, start_server_thread
from imbolc.net.client_session import ClientSession
from imbolc.net.config import ClientConfig
from imbolc.net.events import ClientEvent, Committed, StateReplaced
from imbolc.net.server_session import Close, Send, ServerSession


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def project_with(instruments: int) -> Project:
    """A project with ``instruments`` saw instruments (ids 1..n)."""
    store = Store(clock=lambda: 0.0)
    for _ in range(instruments):
        store.dispatch(AddInstrument("saw"))
    return store.state


class Wire:
    """A server session and client sessions exchanging bytes in memory."""

    def __init__(
        self,
        store: Store,
        clock: FakeClock,
        *,
        secret: bytes | None = None,
        config: ServerConfig | None = None,
        **server_options: Any,
    ) -> None:
        self.clock = clock
        self.store = store
        self.server = ServerSession(
            store, secret=secret, config=config, clock=clock, **server_options
        )
        self.secret = secret
        self.clients: dict[int, ClientSession] = {}
        self.events: dict[int, list[ClientEvent]] = {}
        self.sent: list[Send] = []
        self.closed: list[Close] = []
        self._next = 1
        self.auto_flush = True

    def join(self, name: str, **options: Any) -> ClientSession:
        """A client that connects and completes the handshake."""
        options.setdefault("secret", self.secret)
        client = ClientSession(name=name, clock=self.clock, **options)
        self.connect(client)
        return client

    def connect(self, client: ClientSession) -> int:
        """Open a new connection for ``client`` and run its handshake."""
        conn = self._next
        self._next += 1
        self.clients[conn] = client
        self.events.setdefault(id(client), [])
        self.server.open(conn)
        client.start()
        self.pump()
        return conn

    def connection(self, client: ClientSession) -> int:
        """The current connection of a client."""
        return next(conn for conn, c in self.clients.items() if c is client)

    def drop(self, client: ClientSession, reason: str = "cable pulled") -> None:
        """The network under a client breaks."""
        conn = self.connection(client)
        del self.clients[conn]
        self.server.closed(conn, reason)
        client.lost(reason)
        self.pump()

    def pump(self) -> None:
        """Move bytes both ways until nothing is left to move."""
        for _round in range(1000):
            moved = False
            for conn, client in list(self.clients.items()):
                data = client.data_to_send()
                if data:
                    moved = True
                    self.server.receive(conn, data)
            self.server.tick()
            if self.auto_flush:
                self.server.flush()
            moved = self._deliver() or moved
            if not moved:
                return
        raise AssertionError("the fake wire never went quiet")

    def _deliver(self) -> bool:
        moved = False
        for output in self.server.outputs():
            moved = True
            if isinstance(output, Send):
                self.sent.append(output)
                for conn in output.targets:
                    client = self.clients.get(conn)
                    if client is not None:
                        client.receive(output.frame)
            else:
                self.closed.append(output)
                client = self.clients.pop(output.connection, None)
                if client is not None:
                    client.lost(output.reason)
        for client in self.clients.values():
            self.events.setdefault(id(client), []).extend(client.events())
        return moved

    def raw(self, data: bytes) -> int:
        """Open a connection that sends ``data`` and never speaks the protocol properly."""
        conn = self._next
        self._next += 1
        self.server.open(conn)
        self.server.receive(conn, data)
        self.pump()
        return conn

    def events_of(self, client: ClientSession) -> list[ClientEvent]:
        """Everything a client reported so far (collected by ``pump``)."""
        self.events.setdefault(id(client), []).extend(client.events())
        return self.events[id(client)]

    def take(self, client: ClientSession, kind: type[ClientEvent]) -> list[Any]:
        """The events of one kind a client reported, removed from the record."""
        events = self.events_of(client)
        chosen = [e for e in events if isinstance(e, kind)]
        self.events[id(client)] = [e for e in events if not isinstance(e, kind)]
        return chosen


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_wire(clock: FakeClock) -> Callable[..., Wire]:
    """Build a fake wire around a store holding ``instruments`` instruments."""

    def build(instruments: int = 3, **options: Any) -> Wire:
        return Wire(Store(project_with(instruments), clock=clock), clock, **options)

    return build


@pytest.fixture
def wire(make_wire: Callable[..., Wire]) -> Wire:
    """A fake wire around a store holding three instruments."""
    return make_wire()


@pytest.fixture
def make_project() -> Callable[[int], Project]:
    """A project with n saw instruments (ids 1..n)."""
    return project_with


FAST_CLIENT = ClientConfig(connect_timeout=2.0, reconnect_first_delay=0.05, tick_interval=0.02)


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerHandle]]:
    """Start loopback servers (127.0.0.1, ephemeral port); all are stopped afterwards."""
    started: list[ServerHandle] = []

    def start(project: Project | None = None, **options: Any) -> ServerHandle:
        options.setdefault("host", "127.0.0.1")
        options.setdefault("port", 0)
        handle = start_server_thread(project if project is not None else project_with(3), **options)
        started.append(handle)
        return handle

    try:
        yield start
    finally:
        for handle in started:
            handle.stop()


@pytest.fixture
def join() -> Iterator[Callable[..., ClientStore]]:
    """Connect loopback clients; all are closed afterwards."""
    joined: list[ClientStore] = []

    def open_client(
        server: ServerHandle, name: str, *, port: int | None = None, **options: Any
    ) -> ClientStore:
        options.setdefault("config", FAST_CLIENT)
        client = connect("127.0.0.1", port or server.port, name=name, **options)
        joined.append(client)
        return client

    try:
        yield open_client
    finally:
        for client in joined:
            client.close()


class Relay:
    """A TCP relay on loopback whose connections the test can cut, like a pulled cable."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            ready, _w, _x = select.select([self._listener], [], [], 0.05)
            if not ready or self._closed.is_set():
                continue
            try:
                down, _address = self._listener.accept()
                up = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                continue
            with self._lock:
                self._sockets += [down, up]
            threading.Thread(target=self._pump, args=(down, up), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, down), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while not self._closed.is_set():
                ready, _w, _x = select.select([source], [], [], 0.05)
                if not ready:
                    continue
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Break every connection going through the relay."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self._listener.close()


@pytest.fixture
def relay() -> Iterator[Callable[[int], Relay]]:
    """Relays to a server port; all are closed afterwards."""
    made: list[Relay] = []

    def build(port: int) -> Relay:
        made.append(Relay(port))
        return made[-1]

    try:
        yield build
    finally:
        for item in made:
            item.close()


class RawClient:
    """A client on a bare socket with a tiny receive buffer, read only when the test says."""

    def __init__(self, port: int, name: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self.sock.connect(("127.0.0.1", port))
        self.session = ClientSession(name=name)
        self.commits_applied = 0
        self.session.start()
        self.sock.sendall(self.session.data_to_send())
        self.read_until(lambda s: s.ready, 2.0)

    def read_until(self, done: Callable[[ClientSession], bool], timeout: float) -> list[str]:
        """Read and apply until ``done``; returns the reasons of the snapshots received."""
        reasons: list[str] = []
        deadline = time.monotonic() + timeout
        while not done(self.session) and time.monotonic() < deadline:
            ready, _w, _x = select.select([self.sock], [], [], 0.05)
            if ready:
                data = self.sock.recv(65536)
                if not data:
                    break
                self.session.receive(data)
                self.sock.sendall(self.session.data_to_send())
            for event in self.session.events():
                if isinstance(event, StateReplaced):
                    reasons.append(event.reason)
                elif isinstance(event, Committed):
                    self.commits_applied += 1
        return reasons

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


@pytest.fixture
def raw_client() -> Iterator[Callable[[int, str], RawClient]]:
    """Bare-socket clients that read only on request; all are closed afterwards."""
    made: list[RawClient] = []

    def build(port: int, name: str) -> RawClient:
        made.append(RawClient(port, name))
        return made[-1]

    try:
        yield build
    finally:
        for item in made:
            item.close()
