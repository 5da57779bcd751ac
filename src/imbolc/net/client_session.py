"""The client's protocol core, sans-IO: a replica of the project kept in step with commits.

Bytes from the server go in through ``receive``; what to send comes out of
``data_to_send``; what happened comes out of ``events``. The replica changes only when a
commit (or a snapshot) arrives: commits apply in revision order with the same pure
``apply`` the server used, so every replica ends identical, and periodic state hashes
prove it. A gap, a failed apply or a hash mismatch asks for a snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

import msgspec

from imbolc import __version__
from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.effects import Effects, ProjectReplaced
from imbolc.core.project import Project
from imbolc.core.store import Commit
from imbolc.net import auth
from imbolc.net.codec import Codec, FrameReader, ProtocolError, WireName, state_digest
from imbolc.net.config import ClientConfig
from imbolc.net.events import (
    Accepted,
    ClientEvent,
    Committed,
    ConnectionLost,
    Diverged,
    HistoryChanged,
    Metered,
    NoticeReceived,
    PeersChanged,
    Refused,
    Rejected,
    ServerClosed,
    ServerError,
    StateReplaced,
    Welcomed,
)
from imbolc.net.messages import (
    NOBODY,
    PROTOCOL_VERSION,
    Act,
    ActBatch,
    Challenge,
    Claim,
    CommitRecord,
    Commits,
    Goodbye,
    HandOver,
    Hello,
    Message,
    Meter,
    PackedSnapshot,
    Peer,
    Ping,
    PlayNote,
    Pong,
    Proof,
    Redo,
    Release,
    ReleasePrivilege,
    RequestPrivilege,
    RequestSnapshot,
    Save,
    Shutdown,
    Snapshot,
    StateHash,
    TransportCommand,
    TransportVerb,
    Undo,
    Welcome,
)
from imbolc.net.messages import Accepted as AcceptedMessage
from imbolc.net.messages import Error as ErrorMessage
from imbolc.net.messages import HistoryState as HistoryMessage
from imbolc.net.messages import Notice as NoticeMessage
from imbolc.net.messages import Peers as PeersMessage
from imbolc.net.messages import Refused as RefusedMessage
from imbolc.net.messages import Rejected as RejectedMessage
from imbolc.net.restore import Restore, apply_restore

Phase = Literal["idle", "hello", "auth", "syncing", "ready", "lost", "closed", "failed"]
KEPT_HASH_POINTS = 8


class ClientSession:
    """One client's protocol state and replica; reusable across reconnections."""

    def __init__(
        self,
        *,
        name: str,
        own: Iterable[int] = (),
        want_privilege: bool = False,
        secret: bytes | None = None,
        wire: WireName = "msgpack",
        config: ClientConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.requested = tuple(own)
        self.want_privilege = want_privilege
        self.secret = secret
        self.codec = Codec(wire)
        self.config = config or ClientConfig()
        self._clock = clock
        self.project = Project()
        self.revision = -1
        """-1 until the first snapshot arrives."""
        self.client_id = 0
        self.token = ""
        self.server_name = ""
        self.hash_interval = 64
        self.peers: tuple[Peer, ...] = ()
        self.privileged_id = NOBODY
        self.owned: tuple[int, ...] = ()
        self.meter: Meter | None = None
        self.phase: Phase = "idle"
        self.refusal: str | None = None
        """Why the server refused us (or we refused it), once the handshake failed."""
        self.resyncs = 0
        """Snapshots requested because of a gap or a divergence."""
        self._reader = FrameReader(self.config.max_frame)
        self._out = bytearray()
        self._events: list[ClientEvent] = []
        self._seq = 0
        self._pending: dict[int, object] = {}
        self._hash_points: dict[int, Project] = {}
        self._awaiting_snapshot = False
        self._nonce = b""
        self._challenged = False
        self._last_heard = clock()

    # --- what the adapter reads -----------------------------------------------------------

    def data_to_send(self) -> bytes:
        """Bytes to write to the server, handed over."""
        out = bytes(self._out)
        self._out.clear()
        return out

    def events(self) -> list[ClientEvent]:
        """What happened since the last call, in order."""
        out, self._events = self._events, []
        return out

    @property
    def ready(self) -> bool:
        """Joined and holding a current replica."""
        return self.phase == "ready"

    @property
    def privileged(self) -> bool:
        """Whether this client holds the privilege."""
        return self.client_id != 0 and self.privileged_id == self.client_id

    # --- connection lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Begin the handshake on a fresh connection (first join or a reconnect)."""
        self._reader = FrameReader(self.config.max_frame)
        self._out.clear()
        self._nonce = auth.new_nonce()
        self._challenged = False
        self._awaiting_snapshot = False
        self._last_heard = self._clock()
        self.phase = "hello"
        own = self.owned if self.token else self.requested
        hello = Hello(
            PROTOCOL_VERSION,
            __version__,
            self.name,
            own,
            self.want_privilege or self.privileged,
            self.token,
            self._nonce,
        )
        self._queue(hello)

    def lost(self, reason: str) -> None:
        """The transport broke; the adapter will reconnect (or not)."""
        if self.phase not in ("closed", "failed", "lost"):
            self.phase = "lost"
            self._events.append(ConnectionLost(reason))

    def tick(self) -> None:
        """Detect a silent server (it pings every few seconds)."""
        if self.phase in ("hello", "auth", "syncing", "ready"):
            silent = self._clock() - self._last_heard
            if silent > self.config.dead_after:
                self.lost(f"the server was silent for {silent:.0f} s")

    def goodbye(self, reason: str = "") -> None:
        """Leave cleanly: the server releases our ownership at once."""
        if self.phase in ("hello", "auth", "syncing", "ready"):
            self._queue(Goodbye(reason))
        self.phase = "closed"

    # --- requests -------------------------------------------------------------------------

    def _queue(self, message: Message) -> None:
        self._out += self.codec.frame(message)

    def _request(self, make: Callable[[int], Message], what: object) -> int:
        self._seq += 1
        seq = self._seq
        if self.phase != "ready":
            self._events.append(Rejected(seq, "not connected to the server", what))
            return seq
        try:
            frame = self.codec.frame(make(seq))
        except (msgspec.MsgspecError, OverflowError, TypeError, ValueError) as error:
            self._events.append(Rejected(seq, f"cannot be sent: {error}", what))
            return seq
        self._pending[seq] = what
        self._out += frame
        return seq

    def act(self, action: Action) -> int:
        """Send one action; returns its sequence number."""
        return self._request(lambda seq: Act(seq, action), action)

    def act_batch(self, actions: Iterable[Action], label: str) -> int:
        """Send actions to apply atomically as one undo step."""
        batch = tuple(actions)
        return self._request(lambda seq: ActBatch(seq, label, batch), batch)

    def undo(self) -> int:
        """Undo our own last change."""
        return self._request(Undo, "undo")

    def redo(self) -> int:
        """Redo our own last undone change."""
        return self._request(Redo, "redo")

    def claim(self, ids: Iterable[int]) -> int:
        """Ask to own instruments."""
        wanted = tuple(ids)
        return self._request(lambda seq: Claim(seq, wanted), ("claim", wanted))

    def release(self, ids: Iterable[int]) -> int:
        """Give instruments up."""
        given = tuple(ids)
        return self._request(lambda seq: Release(seq, given), ("release", given))

    def request_privilege(self, force: bool = False) -> int:
        """Ask for the privilege (``force`` takes it from its holder)."""
        return self._request(lambda seq: RequestPrivilege(seq, force), "privilege")

    def hand_over(self, client_id: int) -> int:
        """Give the privilege to another client."""
        return self._request(lambda seq: HandOver(seq, client_id), ("hand over", client_id))

    def release_privilege(self) -> int:
        """Give the privilege up."""
        return self._request(ReleasePrivilege, "release privilege")

    def play_note(self, instrument_id: int, pitch: int, velocity: int) -> int:
        """Sound (or, at velocity 0, release) a note on the server's engine; only a refusal
        comes back, so nothing waits for an answer."""
        self._seq += 1
        seq = self._seq
        if self.phase != "ready":
            return seq
        try:
            self._out += self.codec.frame(PlayNote(seq, instrument_id, pitch, velocity))
        except (msgspec.MsgspecError, OverflowError, TypeError, ValueError) as error:
            self._events.append(Rejected(seq, f"cannot be sent: {error}", "note"))
        return seq

    def transport(self, command: TransportVerb, tick: float = 0.0) -> int:
        """Play, stop or seek the server's engine."""
        return self._request(lambda seq: TransportCommand(seq, command, tick), command)

    def save(self) -> int:
        """Ask the server to save the project."""
        return self._request(Save, "save")

    def shutdown(self) -> int:
        """Ask the server to stop."""
        return self._request(Shutdown, "shutdown")

    def request_snapshot(self, reason: str = "request") -> None:
        """Ask for the whole project."""
        if self.phase == "ready":
            self._queue(RequestSnapshot(reason))

    # --- incoming -------------------------------------------------------------------------

    def receive(self, data: bytes) -> None:
        """Bytes arrived from the server."""
        if self.phase in ("idle", "lost", "closed", "failed"):
            return
        self._last_heard = self._clock()
        try:
            payloads = self._reader.feed(data)
            for payload in payloads:
                self._on_message(self.codec.decode_server(payload))
                if self.phase in ("lost", "closed", "failed"):
                    return
        except ProtocolError as error:
            self.lost(f"the server broke the protocol: {error}")

    def _on_message(self, message: Any) -> None:
        handler = _HANDLERS.get(type(message))
        if handler is not None:
            handler(self, message)

    def _on_challenge(self, msg: Challenge) -> None:
        if self.phase != "hello":
            self.lost("unexpected Challenge")
            return
        if self.secret is None:
            self._fail("the server requires a shared secret (use --secret-file)")
            return
        expected = auth.server_proof(self.secret, self._nonce, msg.nonce)
        if not auth.proofs_match(expected, msg.proof):
            self._fail("the server could not prove it knows the shared secret")
            return
        self._challenged = True
        self.phase = "auth"
        self._queue(Proof(auth.client_proof(self.secret, self._nonce, msg.nonce, self.name)))

    def _fail(self, reason: str) -> None:
        self.phase = "failed"
        self.refusal = reason
        self._events.append(Refused(reason))

    def _on_welcome(self, msg: Welcome) -> None:
        if self.secret is not None and not self._challenged:
            self._fail("the server did not ask for the shared secret; refusing to join it")
            return
        for seq, what in sorted(self._pending.items()):
            if not msg.resumed or seq > msg.last_seq:
                self._events.append(Rejected(seq, "lost while reconnecting", what))
        self._pending.clear()
        self.client_id = msg.client_id
        self.token = msg.token
        self.server_name = msg.server_name
        self.hash_interval = max(1, msg.hash_interval)
        self.owned = msg.owned
        self.privileged_id = msg.client_id if msg.privileged else NOBODY
        self.phase = "syncing"
        self._events.append(
            Welcomed(msg.client_id, msg.resumed, msg.owned, msg.privileged, msg.denied)
        )

    def _on_refused(self, msg: RefusedMessage) -> None:
        self._fail(msg.reason)

    def _on_snapshot(self, msg: Snapshot) -> None:
        if self.phase not in ("syncing", "ready"):
            return
        old = self.project
        self.project = msg.project
        self.revision = msg.revision
        self._awaiting_snapshot = False
        self._hash_points.clear()
        self.phase = "ready"
        commit = Commit(old, msg.project, None, Effects((ProjectReplaced(),), None), "load")
        self._events.append(StateReplaced(commit, msg.revision, msg.reason))

    def _on_packed_snapshot(self, msg: PackedSnapshot) -> None:
        self._on_snapshot(self.codec.unpack(msg, self._reader.limit))

    def _on_commits(self, msg: Commits) -> None:
        if self.phase != "ready":
            return
        for record in msg.commits:
            if self._awaiting_snapshot:
                return
            if record.revision <= self.revision:
                continue
            if record.revision != self.revision + 1:
                missing = f"{self.revision + 1}..{record.revision - 1}"
                self._diverged(f"missed revisions {missing}")
                return
            self._apply(record)

    def _apply(self, record: CommitRecord) -> None:
        old = self.project
        op = record.op
        try:
            if isinstance(op, Restore):
                new, changes = apply_restore(old, op)
                commit = Commit(old, new, None, Effects(changes, None), op.reason)
            else:
                new, effects = apply(old, op)
                commit = Commit(old, new, op, effects)
        except Exception as error:  # any failure means this replica no longer matches
            self._diverged(f"revision {record.revision} did not apply here: {error}")
            return
        self.project = new
        self.revision = record.revision
        if record.origin == self.client_id:
            self._pending.pop(record.seq, None)
        if record.revision % self.hash_interval == 0:
            self._hash_points[record.revision] = new
            while len(self._hash_points) > KEPT_HASH_POINTS:
                del self._hash_points[min(self._hash_points)]
        self._events.append(Committed(commit, record.revision, record.origin, record.seq))

    def _on_state_hash(self, msg: StateHash) -> None:
        project = self._hash_points.pop(msg.revision, None)
        if project is not None and state_digest(project) != msg.digest:
            self._diverged(f"the state hash differs at revision {msg.revision}")

    def _diverged(self, reason: str) -> None:
        self.resyncs += 1
        self._awaiting_snapshot = True
        self._events.append(Diverged(self.revision, reason))
        self._queue(RequestSnapshot(reason))

    def _on_meter(self, msg: Meter) -> None:
        self.meter = msg
        self._events.append(Metered(msg))

    def _on_peers(self, msg: PeersMessage) -> None:
        self.peers = msg.peers
        self.privileged_id = msg.privileged
        for peer in msg.peers:
            if peer.client_id == self.client_id:
                self.owned = peer.owned
        self._events.append(PeersChanged(msg.peers, msg.privileged))

    def _on_rejected(self, msg: RejectedMessage) -> None:
        self._events.append(Rejected(msg.seq, msg.reason, self._pending.pop(msg.seq, None)))

    def _on_accepted(self, msg: AcceptedMessage) -> None:
        self._pending.pop(msg.seq, None)
        self._events.append(Accepted(msg.seq, msg.detail))

    def _on_history(self, msg: HistoryMessage) -> None:
        self._events.append(
            HistoryChanged(msg.undo_depth, msg.undo_label, msg.redo_depth, msg.redo_label)
        )

    def _on_notice(self, msg: NoticeMessage) -> None:
        self._events.append(NoticeReceived(msg.message))

    def _on_error(self, msg: ErrorMessage) -> None:
        self._events.append(ServerError(msg.message))

    def _on_ping(self, msg: Ping) -> None:
        self._queue(Pong(msg.nonce))

    def _on_goodbye(self, msg: Goodbye) -> None:
        self.phase = "closed"
        self._events.append(ServerClosed(msg.reason))


_HANDLERS: dict[type[Any], Callable[[ClientSession, Any], None]] = {
    Challenge: ClientSession._on_challenge,
    Welcome: ClientSession._on_welcome,
    RefusedMessage: ClientSession._on_refused,
    Snapshot: ClientSession._on_snapshot,
    PackedSnapshot: ClientSession._on_packed_snapshot,
    Commits: ClientSession._on_commits,
    StateHash: ClientSession._on_state_hash,
    Meter: ClientSession._on_meter,
    PeersMessage: ClientSession._on_peers,
    RejectedMessage: ClientSession._on_rejected,
    AcceptedMessage: ClientSession._on_accepted,
    HistoryMessage: ClientSession._on_history,
    NoticeMessage: ClientSession._on_notice,
    ErrorMessage: ClientSession._on_error,
    Ping: ClientSession._on_ping,
    Pong: lambda session, msg: None,
    Goodbye: ClientSession._on_goodbye,
}
