"""``ClientStore``: a replica with the public surface the UI uses from ``Store``.

``dispatch`` sends the action and returns its sequence number at once; the local state
changes when the server's commit comes back (not optimistically), so the replica is always
a state the server really had. A refused action raises nothing: subscribers of
``on_event`` get a ``Rejected`` event with the reason, and the state stays as it was.
Undo and redo undo this client's own last change, never anyone else's.

Threads: requests may be made from any thread. Commits and events are delivered on the
network thread, or, with ``call_soon``, on whatever thread it schedules onto (give it the UI
loop's thread-safe "call soon" to keep the replica single-threaded like ``Store``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial

from imbolc.core.actions.base import Action
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import EngineStatus, Meters, Transport
from imbolc.core.project import Project
from imbolc.core.store import Commit
from imbolc.net.client import ClientLink, Deliver, open_connection
from imbolc.net.client_session import ClientSession
from imbolc.net.codec import NetError, WireName
from imbolc.net.config import DEFAULT_PORT, ClientConfig
from imbolc.net.events import (
    ClientEvent,
    Committed,
    ConnectionChanged,
    ConnectionState,
    HistoryChanged,
    Metered,
    PeersChanged,
    StateReplaced,
)
from imbolc.net.messages import NOBODY, Meter, Peer, TransportVerb

CommitSubscriber = Callable[[Commit], None]
EventSubscriber = Callable[[ClientEvent], None]
CallSoon = Callable[[Callable[[], None]], object]
LinkFactory = Callable[[Deliver], ClientLink]
"""Builds the link that carries the session's bytes (TCP unless given)."""


class JoinRefused(NetError):
    """The server refused the handshake; the message is its reason."""


class RemoteHistory:
    """This client's own undo/redo depth and labels, as the server last reported them."""

    def __init__(self) -> None:
        self.undo_depth = 0
        self.undo_label = ""
        self.redo_depth = 0
        self.redo_label = ""

    @property
    def can_undo(self) -> bool:
        """Whether there is an own change to undo."""
        return self.undo_depth > 0

    @property
    def can_redo(self) -> bool:
        """Whether there is an own undone change to redo."""
        return self.redo_depth > 0


class ClientStore:
    """A networked replica of the project; build it with :func:`connect`."""

    def __init__(
        self,
        session: ClientSession,
        host: str,
        port: int,
        call_soon: CallSoon | None,
        link: LinkFactory | None = None,
    ):
        self._call_soon = call_soon
        make_link = link or (lambda deliver: ClientLink(session, host, port, deliver))
        self._link = make_link(self._receive_events)
        self._state = session.project
        self.revision = session.revision
        self._subscribers: list[CommitSubscriber] = []
        self._listeners: list[EventSubscriber] = []
        self.history = RemoteHistory()
        self.peers: tuple[Peer, ...] = ()
        self.privileged_id = NOBODY
        self.meter: Meter | None = None
        self.connection_state: ConnectionState = "connecting"
        self._changed = threading.Condition()
        self._batch: list[Action] | None = None
        self.engine = RemoteEngine(self)

    # --- the Store surface ----------------------------------------------------------------

    @property
    def state(self) -> Project:
        """The replica's current project (immutable; keep the reference as a snapshot)."""
        return self._state

    @property
    def session(self) -> ClientSession:
        """The protocol core (for diagnostics; use the methods here to make requests)."""
        return self._link.session

    @property
    def client_id(self) -> int:
        """Our id on the server."""
        return self._link.session.client_id

    @property
    def owned(self) -> tuple[int, ...]:
        """The instruments we own."""
        return self._link.session.owned

    @property
    def privileged(self) -> bool:
        """Whether we hold the privilege (transport, session, buses, saving)."""
        return self.client_id != 0 and self.privileged_id == self.client_id

    @property
    def server_name(self) -> str:
        """The name the server announced."""
        return self._link.session.server_name

    def subscribe(self, subscriber: CommitSubscriber) -> Callable[[], None]:
        """Call ``subscriber`` with a ``Commit`` after every change of the replica."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def on_event(self, listener: EventSubscriber) -> Callable[[], None]:
        """Call ``listener`` with every client event (rejections, peers, connection...)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def dispatch(self, action: Action) -> int:
        """Send ``action`` (or add it to the open transaction); returns its sequence number."""
        if self._batch is not None:
            self._batch.append(action)
            return 0
        return self._link.call(lambda s: s.act(action))

    @contextmanager
    def transaction(self, label: str = "edit") -> Iterator[None]:
        """Send every dispatch inside as one atomic batch, one undo step; an error sends none."""
        if self._batch is not None:
            yield
            return
        self._batch = []
        try:
            yield
            actions = self._batch
        finally:
            self._batch = None
        if len(actions) == 1:
            self.dispatch(actions[0])
        elif actions:
            self._link.call(lambda s: s.act_batch(actions, label))

    def undo(self) -> bool:
        """Ask to undo our own last change; False when there is none to undo."""
        if not self.history.can_undo:
            return False
        self._link.call(ClientSession.undo)
        return True

    def redo(self) -> bool:
        """Ask to redo our own last undone change; False when there is none."""
        if not self.history.can_redo:
            return False
        self._link.call(ClientSession.redo)
        return True

    # --- collaboration requests -----------------------------------------------------------

    def claim(self, ids: Iterable[int]) -> int:
        """Ask to own instruments nobody owns."""
        wanted = tuple(ids)
        return self._link.call(lambda s: s.claim(wanted))

    def release(self, ids: Iterable[int]) -> int:
        """Give instruments up."""
        given = tuple(ids)
        return self._link.call(lambda s: s.release(given))

    def request_privilege(self, force: bool = False) -> int:
        """Ask for the privilege; ``force`` takes it from its holder."""
        return self._link.call(lambda s: s.request_privilege(force))

    def hand_over(self, client_id: int) -> int:
        """Give the privilege to another client."""
        return self._link.call(lambda s: s.hand_over(client_id))

    def release_privilege(self) -> int:
        """Give the privilege up."""
        return self._link.call(ClientSession.release_privilege)

    def save(self) -> int:
        """Ask the server to save the project (privileged)."""
        return self._link.call(ClientSession.save)

    def shutdown_server(self) -> int:
        """Ask the server to stop (privileged)."""
        return self._link.call(ClientSession.shutdown)

    def request_snapshot(self, reason: str = "request") -> None:
        """Ask for the whole project again."""
        self._link.call(lambda s: s.request_snapshot(reason))

    def play_note(self, instrument_id: int, pitch: int, velocity: int) -> int:
        """Play a note on the server's engine now (velocity 0 releases it)."""
        return self._link.call(lambda s: s.play_note(instrument_id, pitch, velocity))

    def transport(self, command: TransportVerb, tick: float = 0.0) -> int:
        """Play, stop or seek the server's engine (privileged)."""
        return self._link.call(lambda s: s.transport(command, tick))

    def close(self, reason: str = "") -> None:
        """Leave the session (our ownership is released) and stop the network thread."""
        self._link.close(reason)

    def wait_until(self, condition: Callable[[ClientStore], bool], timeout: float) -> bool:
        """Block until ``condition(self)`` holds after some delivered event, or time runs out."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.05))
        return True

    # --- delivery -------------------------------------------------------------------------

    def _receive_events(self, events: list[ClientEvent]) -> None:
        if self._call_soon is None:
            self._deliver(events)
        else:
            self._call_soon(partial(self._deliver, events))

    def _deliver(self, events: list[ClientEvent]) -> None:
        for event in events:
            commit = self._absorb(event)
            if commit is not None:
                for subscriber in tuple(self._subscribers):
                    subscriber(commit)
            for listener in tuple(self._listeners):
                listener(event)
        with self._changed:
            self._changed.notify_all()

    def _absorb(self, event: ClientEvent) -> Commit | None:
        if isinstance(event, Committed):
            self._state, self.revision = event.commit.new, event.revision
            return event.commit
        if isinstance(event, StateReplaced):
            old = self._state
            self._state, self.revision = event.commit.new, event.revision
            return event.commit._replace(old=old)
        if isinstance(event, PeersChanged):
            self.peers, self.privileged_id = event.peers, event.privileged
        elif isinstance(event, HistoryChanged):
            history = self.history
            history.undo_depth, history.undo_label = event.undo_depth, event.undo_label
            history.redo_depth, history.redo_label = event.redo_depth, event.redo_label
        elif isinstance(event, Metered):
            self.meter = event.meter
        elif isinstance(event, ConnectionChanged):
            self.connection_state = event.state
        return None

    def _adopt(self) -> None:
        """Take the joined session's state as the view (before any event is delivered)."""
        with self._link.lock:
            session = self._link.session
            self._state, self.revision = session.project, session.revision
            self.peers, self.privileged_id = session.peers, session.privileged_id
            self.connection_state = "connected"


class RemoteEngine:
    """The server's engine as a client sees it: transport by request, meters from frames."""

    def __init__(self, store: ClientStore) -> None:
        self._store = store

    def status(self) -> EngineStatus:
        connected = self._store.connection_state == "connected"
        where = self._store.server_name or "the server"
        return EngineStatus(
            backend="remote",
            state="running" if connected else "unavailable",
            message=f"playing on {where}" if connected else f"not connected to {where}",
        )

    def transport(self) -> Transport:
        meter = self._store.meter
        if meter is None:
            return Transport()
        return Transport(meter.playing, meter.tick, meter.bpm)

    def meters(self) -> Meters:
        meter = self._store.meter
        if meter is None:
            return Meters()
        peaks = {peak.instrument_id: (peak.left, peak.right) for peak in meter.peaks}
        return Meters(meter.master, peaks)

    def play(self) -> None:
        self._store.transport("play")

    def stop(self) -> None:
        self._store.transport("stop")

    def seek(self, tick: float) -> None:
        self._store.transport("seek", tick)

    def note_on(self, instrument_id: int, pitch: int, velocity: int) -> None:
        self._store.play_note(instrument_id, pitch, max(1, velocity))

    def note_off(self, instrument_id: int, pitch: int) -> None:
        self._store.play_note(instrument_id, pitch, 0)

    def restart(self) -> None:
        return None

    def count_in(self, tick: float, beats: int) -> None:
        """The server's transport has no count-in message: a silent pre-roll from ``beats``
        before ``tick`` (or from the top)."""
        self.seek(max(0.0, tick - beats * TICKS_PER_BEAT))
        self.play()

    def shutdown(self) -> None:
        return None


def connect(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    name: str,
    own: Iterable[int] = (),
    want_privilege: bool = False,
    secret: bytes | None = None,
    wire: WireName = "msgpack",
    call_soon: CallSoon | None = None,
    config: ClientConfig | None = None,
    timeout: float | None = None,
) -> ClientStore:
    """Join the server at ``host:port``; returns once the first snapshot has arrived.

    Raises ``JoinRefused`` with the server's reason (wrong secret, version, name) and
    ``NetError`` when the server cannot be reached or does not answer in time. With
    ``call_soon``, commits and events are delivered on the thread it schedules onto;
    without it, on the network thread.
    """
    config = config or ClientConfig()
    wait = config.connect_timeout if timeout is None else timeout
    session = ClientSession(
        name=name,
        own=own,
        want_privilege=want_privilege,
        secret=secret,
        wire=wire,
        config=config,
    )
    store = ClientStore(session, host, port, call_soon)
    store._link.start(open_connection(host, port, config.connect_timeout))
    return finish_join(store, wait, f"{host}:{port}")


def finish_join(store: ClientStore, wait: float, where: str) -> ClientStore:
    """Wait for a started link's handshake: the joined store, or the reason it failed."""
    session = store.session
    if not store._link.settled.wait(wait) or not session.ready:
        refusal = session.refusal
        store.close("join failed")
        if refusal is not None:
            raise JoinRefused(refusal)
        raise NetError(f"{where} did not complete the handshake within {wait:g} s")
    store._adopt()
    return store
