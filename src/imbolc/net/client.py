"""The client's thin I/O: one thread that reads, ticks the heartbeat and reconnects.

Requests are written by the caller's thread under the same lock that guards the session,
so frames leave in the order they were made. Reconnection backs off from 0.5 s, doubling
to 8 s, and gives up after 60 s (all in ``ClientConfig``).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from imbolc.net.client_session import ClientSession
from imbolc.net.codec import NetError
from imbolc.net.events import ClientEvent, ConnectionChanged, ConnectionState

READ_CHUNK = 256 * 1024
T = TypeVar("T")
Deliver = Callable[[list[ClientEvent]], None]


def open_connection(host: str, port: int, timeout: float) -> socket.socket:
    """A connected TCP socket, or NetError naming the address and the reason."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        raise NetError(f"cannot reach {host}:{port}: {error.strerror or error}") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class ClientLink:
    """Moves bytes between one ``ClientSession`` and the server, across reconnections."""

    def __init__(
        self,
        session: ClientSession,
        host: str,
        port: int,
        deliver: Deliver,
        *,
        sleep: Callable[[float], bool] | None = None,
    ) -> None:
        self.session = session
        self.host = host
        self.port = port
        self._deliver = deliver
        self.lock = threading.RLock()
        self._sock: socket.socket | None = None
        self._closing = threading.Event()
        self._sleep = sleep or self._closing.wait
        self.settled = threading.Event()
        """Set when the first handshake ends, joined or not."""
        self.state: ConnectionState = "connecting"
        self._was_connected = False
        self._thread: threading.Thread | None = None

    def start(self, sock: socket.socket) -> None:
        """Run the network thread over an already connected socket."""
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name="imbolc-net-client", daemon=True
        )
        self._thread.start()

    def call(self, request: Callable[[ClientSession], T]) -> T:
        """Run a request against the session and send what it queued, in order."""
        with self.lock:
            result = request(self.session)
            self._flush_locked()
            events = self.session.events()
        if events:
            self._deliver(events)
        return result

    def close(self, reason: str = "") -> None:
        """Say goodbye and stop the thread."""
        with self.lock:
            self.session.goodbye(reason)
            self._flush_locked()
        self._closing.set()
        self._interrupt()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)
        self._set_state("closed", reason or "closed")

    # --- the transport (a WebSocket link overrides these) ----------------------------------

    def _open(self, timeout: float) -> socket.socket:
        """A new connection to the server (for a reconnect)."""
        return open_connection(self.host, self.port, timeout)

    def _interrupt(self) -> None:
        """Wake the thread out of its read: the link is closing."""
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # --- the thread -----------------------------------------------------------------------

    def _flush_locked(self) -> None:
        data = self.session.data_to_send()
        sock = self._sock
        if not data or sock is None:
            return
        try:
            sock.sendall(data)
        except OSError as error:
            self.session.lost(f"sending failed: {error}")
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _run(self, sock: socket.socket | None) -> None:
        while sock is not None and not self._closing.is_set():
            self._serve(sock)
            if self._closing.is_set() or self.session.phase in ("failed", "closed"):
                break
            sock = self._reconnect()
        self.settled.set()
        if not self._closing.is_set():
            phase = self.session.phase
            final: ConnectionState = "closed" if phase in ("failed", "closed") else "disconnected"
            self._set_state(final, "gave up reconnecting" if final == "disconnected" else phase)

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(self.session.config.send_timeout)
        with self.lock:
            self._sock = sock
            self.session.start()
            self._flush_locked()
        tick = self.session.config.tick_interval
        try:
            while not self._closing.is_set():
                try:
                    ready, _w, _x = select.select([sock], [], [], tick)
                    data = sock.recv(READ_CHUNK) if ready else None
                except (OSError, ValueError) as error:
                    self._handle(partial(ClientSession.lost, reason=f"reading failed: {error}"))
                    return
                if data == b"":
                    self._handle(lambda s: s.lost("the server closed the connection"))
                    return
                if data:
                    self._handle(partial(ClientSession.receive, data=data))
                self._handle(ClientSession.tick)
                if self.session.phase in ("lost", "closed", "failed"):
                    return
        finally:
            with self.lock:
                self._sock = None
            with contextlib.suppress(OSError):
                sock.close()

    def _handle(self, step: Callable[[ClientSession], None]) -> None:
        with self.lock:
            step(self.session)
            self._flush_locked()
            events = self.session.events()
            phase = self.session.phase
        if phase == "ready":
            self._was_connected = True
            self.settled.set()
            self._set_state("connected")
        elif phase in ("failed", "closed"):
            self.settled.set()
        if events:
            self._deliver(events)

    def _set_state(self, state: ConnectionState, reason: str = "") -> None:
        if state != self.state:
            self.state = state
            self._deliver([ConnectionChanged(state, reason)])

    def _reconnect(self) -> socket.socket | None:
        if not self._was_connected:
            return None
        config = self.session.config
        self._set_state("reconnecting", "connection lost")
        delay = config.reconnect_first_delay
        deadline = time.monotonic() + config.reconnect_give_up
        while not self._closing.is_set() and time.monotonic() < deadline:
            if self._sleep(min(delay, max(0.0, deadline - time.monotonic()))):
                return None
            try:
                return self._open(config.connect_timeout)
            except NetError:
                delay = min(delay * 2, config.reconnect_max_delay)
        return None
