"""The server's protocol core, sans-IO: bytes and clock ticks in, frames and events out.

It owns no socket and no thread. The adapter (``server.py``) feeds it what each connection
received, tells it when a connection closed, calls ``tick`` when ``next_deadline`` passes,
and carries out the ``Send``/``Close`` outputs. It applies client actions to the ``Store``
with the same pure ``apply`` every replica uses, and broadcasts each commit batch as one
encoded frame shared by every client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from imbolc.core.ports import EnginePort
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.net import messages as m
from imbolc.net.codec import (
    Codec,
    FrameTooLarge,
    ProtocolError,
    WireName,
    sniff_wire,
    state_digest,
)
from imbolc.net.config import ServerConfig
from imbolc.net.events import (
    ClientLeft,
    ClientSuspended,
    ConnectionDropped,
    ServerEvent,
)
from imbolc.net.messages import HOST_ID
from imbolc.net.outbox import FrameKind
from imbolc.net.pacing import TokenBucket
from imbolc.net.restore import (
    Restore,
)
from imbolc.net.roster import ClientRecord, Roster
from imbolc.net.server_connection import Close, Connection, Output, Send
from imbolc.net.server_control import Control, Meters
from imbolc.net.server_edits import Edits, commit_op, follow_ownership
from imbolc.net.server_handshake import Handshake

SaveHook = Callable[[], str]
"""Saves the project; returns a line for the client ("saved song.imbolc"), raises on failure."""

SLACK = 0.001
"""Timers fire up to this early, so a wake-up a hair before its deadline is not wasted."""

__all__ = ["Close", "Connection", "Output", "SaveHook", "Send", "ServerSession"]


class ServerSession:
    """Authoritative protocol state for every connection, around one ``Store``."""

    def __init__(
        self,
        store: Store,
        *,
        engine: EnginePort | None = None,
        secret: bytes | None = None,
        wire: WireName = "msgpack",
        name: str = "imbolc",
        save: SaveHook | None = None,
        config: ServerConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.engine = engine
        self.secret = secret
        self.codec = Codec(wire)
        self.name = name
        self.save_hook = save
        self.config = config or ServerConfig()
        self.clock = clock
        self.roster = Roster(name)
        self.revision = 0
        self._known = store.state
        self._conns: dict[int, Connection] = {}
        self._ready: tuple[int, ...] | None = None
        self._outputs: list[Output] = []
        self._events: list[ServerEvent] = []
        self._pending: list[m.CommitRecord] = []
        self._hash_due: list[tuple[int, Project]] = []
        self._peers_dirty = False
        self._history_dirty: set[int] = set()
        self._origin: tuple[int, int] | None = None
        self._restore: Restore | None = None
        self._snapshot_cache: tuple[tuple[int, str], bytes] | None = None
        now = clock()
        self._flushes = TokenBucket(self.config.commit_rate, self.config.commit_burst, now)
        self._last_ping = now
        self._ping_nonce = 0
        self._meters = Meters(self)
        self.stopped = False
        self._handshake = Handshake(self)
        control = Control(self)
        edits = Edits(self)
        self._handlers: dict[type[Any], Callable[[Connection, ClientRecord, Any], None]] = {
            m.ActIn: edits.act,
            m.ActBatchIn: edits.act_batch,
            m.Undo: edits.undo,
            m.Redo: edits.redo,
            m.Claim: control.claim,
            m.Release: control.release,
            m.RequestPrivilege: control.request_privilege,
            m.HandOver: control.hand_over,
            m.ReleasePrivilege: control.release_privilege,
            m.TransportCommand: control.transport,
            m.PlayNote: control.play_note,
            m.Save: control.save,
            m.Shutdown: control.shutdown,
            m.RequestSnapshot: control.request_snapshot,
            m.Ping: control.ping,
            m.Pong: lambda conn, client, msg: None,
            m.Goodbye: self._on_goodbye,
            m.Hello: self._on_late_handshake,
            m.Proof: self._on_late_handshake,
        }
        self._unsubscribe = store.subscribe(self._on_commit)

    # --- what the adapter reads -----------------------------------------------------------

    def outputs(self) -> list[Output]:
        """Frames to send and connections to close, in order; the list is handed over."""
        out, self._outputs = self._outputs, []
        return out

    def events(self) -> list[ServerEvent]:
        """What happened since the last call (joins, departures, shutdown requests)."""
        out, self._events = self._events, []
        return out

    def peers(self) -> m.Peers:
        """Who is connected and who owns what."""
        return self.roster.peers()

    def ready_connections(self) -> tuple[int, ...]:
        """Connections that completed the handshake."""
        if self._ready is None:
            self._ready = tuple(c.id for c in self._conns.values() if c.phase == "ready")
        return self._ready

    def mark_ready(self, conn: Connection) -> None:
        """The connection completed its handshake: it receives broadcasts from now on."""
        conn.phase = "ready"
        self._ready = None

    def next_deadline(self) -> float:
        """When ``tick`` next has work (a flush, a meter frame, a ping, parked messages)."""
        now = self.clock()
        deadlines = [self._last_ping + self.config.ping_interval, now + 0.25]
        if self._flush_wanted():
            deadlines.append(self._flushes.ready_at(now))
        if self.engine is not None:
            deadlines.append(self._meters.due_at())
        deadlines.extend(c.inbox.ready_at(now) for c in self._conns.values() if c.parked)
        return min(deadlines)

    def _flush_wanted(self) -> bool:
        return bool(self._pending or self._hash_due or self._peers_dirty or self._history_dirty)

    # --- connections ----------------------------------------------------------------------

    def open(self, connection: int) -> None:
        """A new connection was accepted; it must say Hello first."""
        self._conns[connection] = Connection(connection, self.config, self.clock())

    def receive(self, connection: int, data: bytes) -> None:
        """Bytes arrived on a connection."""
        conn = self._conns.get(connection)
        if conn is None or conn.phase == "closed":
            return
        try:
            payloads = conn.reader.feed(data)
        except FrameTooLarge as error:
            self.fail(conn, str(error))
            return
        conn.parked.extend(payloads)
        self._drain(conn)

    def _drain(self, conn: Connection) -> None:
        """Handle the connection's waiting messages as far as its inbox rate allows."""
        now = self.clock()
        while (payload := conn.next_payload(now)) is not None:
            self._on_payload(conn, payload)
            if conn.id not in self._conns:
                return
        reason = conn.flooding(self.config)
        if reason is not None:
            conn.parked.clear()
            self.fail(conn, reason)

    def closed(self, connection: int, reason: str = "connection lost") -> None:
        """The transport under a connection is gone."""
        conn = self._conns.pop(connection, None)
        self._ready = None
        if conn is None:
            return
        conn.phase = "closed"
        self._suspend(conn, reason)

    def stalled(self, connection: int, reason: str) -> None:
        """The writer gave up on a connection that stopped reading."""
        if connection in self._conns:
            self._outputs.append(Close(connection, reason))
        self.closed(connection, reason)

    def resync(self, connection: int) -> None:
        """A lagging connection's backlog was dropped: send it one snapshot."""
        conn = self._conns.get(connection)
        if conn is not None and conn.phase == "ready":
            self.send_snapshot(conn, "backlog")

    def shutdown(self, reason: str) -> None:
        """Say goodbye to everyone and close every connection."""
        if self.stopped:
            return
        self.flush()
        self._broadcast(m.Goodbye(reason), "control")
        for conn in list(self._conns.values()):
            self._outputs.append(Close(conn.id, reason))
            conn.phase = "closed"
        self._conns.clear()
        self._ready = None
        self.stopped = True

    def close(self) -> None:
        """Stop listening to the store."""
        self._unsubscribe()

    # --- time -----------------------------------------------------------------------------

    def tick(self) -> None:
        """Run what is due: timeouts, expiries, pings, the commit flush, meters."""
        if self.stopped:
            return
        now = self.clock()
        config = self.config
        for conn in list(self._conns.values()):
            if conn.phase in ("hello", "auth") and now - conn.opened > config.handshake_timeout:
                self.refuse(conn, "the handshake took too long")
            elif conn.phase == "ready" and now - conn.last_seen > config.dead_after:
                silent = f"silent for {now - conn.last_seen:.0f} s"
                self._outputs.append(Close(conn.id, silent))
                self.closed(conn.id, silent)
        for client in list(self.roster.clients.values()):
            since = client.suspended_at
            if (
                client.connection is None
                and since is not None
                and now - since > config.suspend_hold
            ):
                self.roster.forget(client)
                self._peers_dirty = True
                reason = f"did not come back within {config.suspend_hold:g} s"
                self._events.append(ClientLeft(client.id, client.name, reason))
        if now - self._last_ping >= config.ping_interval - SLACK:
            self._last_ping = now
            self._ping_nonce += 1
            self._broadcast(m.Ping(self._ping_nonce), "control")
        for conn in [c for c in self._conns.values() if c.parked]:
            self._drain(conn)
        if self._known is not self.store.state:
            self._resync_everyone("the server's state changed outside the protocol")
        if self._flush_wanted() and self._flushes.take(now + SLACK):
            self.flush()
        if self.engine is not None:
            self._meters.tick(now)

    def flush(self) -> None:
        """Send pending commits as one batch, then hashes, peers and history states."""
        if self._pending:
            self._broadcast(m.Commits(tuple(self._pending)), "commit")
            self._pending.clear()
        for revision, project in self._hash_due:
            self._broadcast(m.StateHash(revision, state_digest(project)), "commit")
        self._hash_due.clear()
        if self._peers_dirty:
            self._peers_dirty = False
            self._broadcast(self.roster.peers(), "control")
        for client_id in sorted(self._history_dirty):
            client = self.roster.clients.get(client_id)
            conn = self.connection_of(client)
            if client is not None and conn is not None:
                self._send(conn, self.codec.frame(m.HistoryState(*client.history.summary())))
        self._history_dirty.clear()

    # --- output helpers -------------------------------------------------------------------

    def _send(self, conn: Connection, frame: bytes, kind: FrameKind = "control") -> None:
        self._outputs.append(Send((conn.id,), frame, kind))

    def reply(self, conn: Connection, message: object) -> None:
        """Send one control message to one connection."""
        self._send(conn, self.codec.frame(message))

    def emit(self, event: ServerEvent) -> None:
        """Report an event to the owner."""
        self._events.append(event)

    def history_changed(self, client_id: int) -> None:
        """Send this client its undo/redo state at the next flush."""
        self._history_dirty.add(client_id)

    @contextmanager
    def acting_as(self, client_id: int, seq: int, restore: Restore | None = None) -> Iterator[None]:
        """Attribute the commits made inside to ``client_id``'s request ``seq``."""
        self._origin = (client_id, seq)
        self._restore = restore
        try:
            yield
        finally:
            self._origin = None
            self._restore = None

    def check_broadcast(self) -> None:
        """Resync everyone if the store changed without the change reaching the log."""
        if self._known is not self.store.state:
            self._resync_everyone("a change was not broadcast")

    def peers_changed(self) -> None:
        """Send the peers list at the next flush."""
        self._peers_dirty = True

    def meter_soon(self) -> None:
        """Send a meter frame at the next tick (the transport just changed)."""
        self._meters.soon()

    def broadcast(self, message: object, kind: FrameKind) -> None:
        """Send one message to every ready connection, encoded once."""
        self._broadcast(message, kind)

    def _broadcast(self, message: object, kind: FrameKind) -> None:
        targets = self.ready_connections()
        if targets:
            self._outputs.append(Send(targets, self.codec.frame(message), kind))

    def reject(self, conn: Connection, seq: int, reason: str) -> None:
        """Tell a client its request ``seq`` was refused, and why."""
        self.reply(conn, m.Rejected(seq, reason))

    def refuse(self, conn: Connection, reason: str, codec: Codec | None = None) -> None:
        """End a handshake with a reason, then close."""
        self._send(conn, (codec or self.codec).frame(m.Refused(reason)))
        self._drop(conn, reason)

    def fail(self, conn: Connection, reason: str) -> None:
        """Report a protocol violation, then close."""
        self.reply(conn, m.Error(reason))
        self._drop(conn, reason)

    def _drop(self, conn: Connection, reason: str) -> None:
        self._outputs.append(Close(conn.id, reason))
        self._events.append(ConnectionDropped(conn.id, reason))
        self.closed(conn.id, reason)

    def connection_of(self, client: ClientRecord | None) -> Connection | None:
        """The live connection of a client, if it is connected."""
        if client is None or client.connection is None:
            return None
        return self._conns.get(client.connection)

    def send_snapshot(self, conn: Connection, reason: str) -> None:
        """Send one connection the whole project at the current revision."""
        self._send(conn, self._snapshot_frame(reason), "snapshot")

    def replace_connection(self, old: Connection, reason: str) -> None:
        """Close a client's previous connection (it reconnected before the old one died)."""
        self._outputs.append(Close(old.id, reason))
        self._conns.pop(old.id, None)
        self._ready = None
        old.phase = "closed"

    def _snapshot_frame(self, reason: str) -> bytes:
        key = (self.revision, reason)
        cached = self._snapshot_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        frame = self.codec.frame(self.codec.snapshot(self.revision, self.store.state, reason))
        self._snapshot_cache = (key, frame)
        return frame

    def _resync_everyone(self, reason: str) -> None:
        self._known = self.store.state
        self.revision += 1
        self._pending.clear()
        self._hash_due.clear()
        targets = self.ready_connections()
        if targets:
            self._outputs.append(Send(targets, self._snapshot_frame(reason), "snapshot"))

    # --- handshake ------------------------------------------------------------------------

    def _on_payload(self, conn: Connection, payload: bytes) -> None:
        if not conn.sniffed:
            conn.sniffed = True
            wire = sniff_wire(payload)
            if wire is not None and wire != self.codec.wire:
                mine = self.codec.wire
                reason = f"this server speaks {mine}; start the client with --wire {mine}"
                self.refuse(conn, reason, Codec(wire))
                return
        try:
            message = self.codec.decode_client(payload)
        except ProtocolError as error:
            self.fail(conn, str(error))
            return
        conn.last_seen = self.clock()
        if conn.phase == "hello":
            if isinstance(message, m.Hello):
                self._handshake.hello(conn, message)
            else:
                self.fail(conn, f"expected Hello first, got {type(message).__name__}")
        elif conn.phase == "auth":
            if isinstance(message, m.Proof):
                self._handshake.proof(conn, message)
            else:
                self.fail(conn, f"expected Proof, got {type(message).__name__}")
        elif conn.client is not None:
            seq = getattr(message, "seq", None)
            if isinstance(seq, int):
                conn.client.last_seq = max(conn.client.last_seq, seq)
            self._handlers[type(message)](conn, conn.client, message)

    def _on_late_handshake(self, conn: Connection, client: ClientRecord, msg: Any) -> None:
        self.fail(conn, f"{type(msg).__name__} after the handshake")

    def _suspend(self, conn: Connection, reason: str) -> None:
        client = conn.client
        if client is None or client.connection != conn.id:
            return
        client.connection = None
        client.suspended_at = self.clock()
        self._peers_dirty = True
        self._events.append(ClientSuspended(client.id, client.name, reason))

    # --- the store ------------------------------------------------------------------------

    def _on_commit(self, commit: Commit) -> None:
        origin, seq = self._origin if self._origin is not None else (HOST_ID, 0)
        if commit.reason == "load":
            self._on_load()
            return
        op = commit_op(commit, self._restore)
        self.revision += 1
        self._known = commit.new
        self._pending.append(m.CommitRecord(self.revision, origin, seq, op))
        if self.revision % self.config.hash_interval == 0:
            self._hash_due.append((self.revision, commit.new))
        if follow_ownership(self.roster, commit, origin):
            self._peers_dirty = True

    def _on_load(self) -> None:
        for client in self.roster.clients.values():
            client.history.undo_stack.clear()
            client.history.redo_stack.clear()
            self._history_dirty.add(client.id)
        if self.roster.drop_missing(self.store.state):
            self._peers_dirty = True
        self._resync_everyone("load")

    def _on_goodbye(self, conn: Connection, client: ClientRecord, msg: m.Goodbye) -> None:
        self._outputs.append(Close(conn.id, "goodbye"))
        self._conns.pop(conn.id, None)
        self._ready = None
        conn.phase = "closed"
        self.roster.forget(client)
        self._peers_dirty = True
        self._events.append(ClientLeft(client.id, client.name, msg.reason[:200] or "goodbye"))
