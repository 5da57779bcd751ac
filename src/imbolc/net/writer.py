"""The server's one writer thread: it owns every socket write and every client's outbox.

Sockets are non-blocking, so one client that stops reading only fills its own outbox; the
drop policy (``outbox.py``) turns its commit backlog into a snapshot request, and a client
that accepts no bytes for ``stall_timeout`` (or overflows) is reported and dropped.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Literal

from imbolc.net.config import ServerConfig
from imbolc.net.outbox import FrameKind, Outbox

Report = Literal["resync", "stalled"]
Reporter = Callable[[Report, int, str], None]
MAX_WRITE = 256 * 1024
CLOSE_GRACE = 1.0
STOP_GRACE = 0.3
"""When the server stops, clients that read get their goodbye; a stalled one is not waited
for longer than this (the whole stop must fit in one second)."""
_SENDMSG = hasattr(socket.socket, "sendmsg")


class _Peer:
    def __init__(self, sock: socket.socket, outbox: Outbox, now: float) -> None:
        self.sock = sock
        self.outbox = outbox
        self.waiting_since = now
        self.closing_at: float | None = None


class Writer:
    """Queues frames per client and writes them from a single thread."""

    def __init__(
        self, config: ServerConfig, report: Reporter, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._config = config
        self._report = report
        self._clock = clock
        self._lock = threading.Lock()
        self._commands: list[tuple[object, ...]] = []
        self._peers: dict[int, _Peer] = {}
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._stopping = False
        self._stop_deadline = 0.0
        self._thread = threading.Thread(target=self._run, name="imbolc-net-writer", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    # --- commands (any thread) ------------------------------------------------------------

    def _post(self, command: tuple[object, ...]) -> None:
        with self._lock:
            self._commands.append(command)
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def add(self, connection: int, sock: socket.socket) -> None:
        """Take over writing to a new client socket."""
        self._post(("add", connection, sock))

    def send(self, targets: tuple[int, ...], frame: bytes, kind: FrameKind) -> None:
        """Queue the same frame for every target."""
        self._post(("send", targets, frame, kind))

    def close(self, connection: int) -> None:
        """Close a connection once its queued frames are written (or after a grace period)."""
        self._post(("close", connection))

    def stop(self, timeout: float = 2.0) -> None:
        """Flush what is queued (within the grace period), close every socket, end the thread."""
        self._post(("stop",))
        if self._thread.is_alive():
            self._thread.join(timeout)
        for sock in (self._wake_r, self._wake_w):
            sock.close()

    def backlog(self, connection: int) -> int:
        """Bytes still queued for a connection (for tests and statistics)."""
        peer = self._peers.get(connection)
        return 0 if peer is None else peer.outbox.pending_bytes

    # --- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                commands, self._commands = self._commands, []
            now = self._clock()
            for command in commands:
                self._apply(command, now)
            for connection, peer in list(self._peers.items()):
                self._write(connection, peer, now)
            self._expire(now)
            if self._stopping and not any(p.outbox.pending_bytes for p in self._peers.values()):
                break
            if self._stopping and now > self._stop_deadline:
                break
            self._wait()
        for connection in list(self._peers):
            self._finish(connection)

    def _wait(self) -> None:
        writable = [p.sock for p in self._peers.values() if p.outbox.pending_bytes]
        try:
            ready, _w, _x = select.select([self._wake_r], writable, [], 0.1)
        except (OSError, ValueError):
            for connection, peer in list(self._peers.items()):
                if peer.sock.fileno() < 0:
                    self._drop(connection, "the socket was closed")
            return
        if ready:
            with contextlib.suppress(OSError):
                while self._wake_r.recv(4096):
                    pass

    def _apply(self, command: tuple[object, ...], now: float) -> None:
        verb = command[0]
        if verb == "add":
            connection, sock = command[1], command[2]
            assert isinstance(connection, int) and isinstance(sock, socket.socket)
            config = self._config
            outbox = Outbox(
                config.max_commit_backlog, config.max_commit_backlog_bytes, config.max_outbox_bytes
            )
            self._peers[connection] = _Peer(sock, outbox, now)
        elif verb == "send":
            targets, frame, kind = command[1], command[2], command[3]
            assert isinstance(targets, tuple) and isinstance(frame, bytes)
            for connection in targets:
                self._queue(connection, frame, kind, now)  # type: ignore[arg-type]
        elif verb == "close":
            connection = command[1]
            peer = self._peers.get(connection) if isinstance(connection, int) else None
            if peer is not None and peer.closing_at is None:
                peer.closing_at = now + CLOSE_GRACE
        elif verb == "stop":
            self._stopping = True
            self._stop_deadline = now + STOP_GRACE
            for peer in self._peers.values():
                if peer.closing_at is None:
                    peer.closing_at = now + STOP_GRACE

    def _queue(self, connection: int, frame: bytes, kind: FrameKind, now: float) -> None:
        peer = self._peers.get(connection)
        if peer is None or (peer.closing_at is not None and kind != "control"):
            return
        if not peer.outbox.pending_bytes:
            peer.waiting_since = now
        signal = peer.outbox.push(frame, kind)
        if signal == "resync":
            self._report("resync", connection, "")
        elif signal == "overflow":
            limit = self._config.max_outbox_bytes
            self._drop(connection, f"more than {limit:,} bytes waited to be sent")

    def _write(self, connection: int, peer: _Peer, now: float) -> None:
        outbox = peer.outbox
        while outbox.pending_bytes:
            try:
                if _SENDMSG:
                    sent = peer.sock.sendmsg(outbox.chunks(MAX_WRITE))
                else:  # pragma: no cover - platforms without sendmsg
                    head = outbox.head()
                    sent = 0 if head is None else peer.sock.send(head)
            except (BlockingIOError, InterruptedError):
                return
            except (OSError, ValueError) as error:
                self._drop(connection, f"writing failed: {error}", report=False)
                return
            if sent <= 0:
                return
            outbox.advance(sent)
            peer.waiting_since = now
        if peer.closing_at is not None:
            self._finish(connection)

    def _expire(self, now: float) -> None:
        stall = self._config.stall_timeout
        for connection, peer in list(self._peers.items()):
            if peer.closing_at is not None and now >= peer.closing_at:
                self._finish(connection)
            elif peer.outbox.pending_bytes and now - peer.waiting_since > stall:
                self._drop(connection, f"it accepted no data for {stall:g} s")

    def _drop(self, connection: int, reason: str, report: bool = True) -> None:
        if connection in self._peers:
            self._finish(connection)
            if report:
                self._report("stalled", connection, reason)

    def _finish(self, connection: int) -> None:
        peer = self._peers.pop(connection, None)
        if peer is None:
            return
        with contextlib.suppress(OSError, ValueError):
            peer.sock.shutdown(socket.SHUT_RDWR)
