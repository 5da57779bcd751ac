"""What the sans-IO sessions report to their owners: server events and client events."""

from __future__ import annotations

from typing import Literal

import msgspec

from imbolc.core.store import Commit
from imbolc.net.messages import Meter, Peer

# --- server side --------------------------------------------------------------------------


class ServerEvent(msgspec.Struct, frozen=True):
    """Base of what the server tells its owner (the CLI, a log)."""


class ClientJoined(ServerEvent, frozen=True):
    """A client completed the handshake (``resumed``: it came back within the hold time)."""

    client_id: int
    name: str
    resumed: bool


class ClientSuspended(ServerEvent, frozen=True):
    """A client's connection was lost; it keeps its ownership for the hold time."""

    client_id: int
    name: str
    reason: str


class ClientLeft(ServerEvent, frozen=True):
    """A client left (Goodbye) or its hold expired; its ownership is released."""

    client_id: int
    name: str
    reason: str


class ConnectionDropped(ServerEvent, frozen=True):
    """A connection was refused or closed for breaking the protocol."""

    connection: int
    reason: str


class ShutdownRequested(ServerEvent, frozen=True):
    """The privileged client asked the server to stop."""

    client_id: int
    name: str


# --- client side --------------------------------------------------------------------------


class ClientEvent(msgspec.Struct, frozen=True):
    """Base of what a client session reports."""


class Welcomed(ClientEvent, frozen=True):
    """The server accepted us; a snapshot follows."""

    client_id: int
    resumed: bool
    owned: tuple[int, ...]
    privileged: bool
    denied: tuple[str, ...]


class StateReplaced(ClientEvent, frozen=True):
    """A snapshot replaced the whole replica (join, reconnect, gap, divergence, request)."""

    commit: Commit
    revision: int
    reason: str


class Committed(ClientEvent, frozen=True):
    """A commit was applied to the replica."""

    commit: Commit
    revision: int
    origin: int
    seq: int


class Rejected(ClientEvent, frozen=True):
    """One of our requests was refused; nothing changed. ``request`` is what we sent."""

    seq: int
    reason: str
    request: object = None


class Accepted(ClientEvent, frozen=True):
    """A request other than an action was carried out."""

    seq: int
    detail: str


class PeersChanged(ClientEvent, frozen=True):
    """Who is connected, who owns what, who holds the privilege (0: nobody)."""

    peers: tuple[Peer, ...]
    privileged: int


class Metered(ClientEvent, frozen=True):
    """A new meter frame from the server's engine."""

    meter: Meter


class HistoryChanged(ClientEvent, frozen=True):
    """Our own undo/redo depth and the labels on top."""

    undo_depth: int
    undo_label: str
    redo_depth: int
    redo_label: str


class Diverged(ClientEvent, frozen=True):
    """The replica disagreed with the server; a snapshot has been requested."""

    revision: int
    reason: str


class Refused(ClientEvent, frozen=True):
    """The handshake failed (wrong secret, version...); we will not retry."""

    reason: str


class ServerError(ClientEvent, frozen=True):
    """The server reported a protocol error and closes the connection."""

    message: str


class NoticeReceived(ClientEvent, frozen=True):
    """Something the server wants the user to know."""

    message: str


class ServerClosed(ClientEvent, frozen=True):
    """The server said goodbye (it is stopping); we will not retry."""

    reason: str


class ConnectionLost(ClientEvent, frozen=True):
    """The connection broke or went silent; the client reconnects."""

    reason: str


ConnectionState = Literal["connecting", "connected", "reconnecting", "disconnected", "closed"]


class ConnectionChanged(ClientEvent, frozen=True):
    """The client store's connection state changed."""

    state: ConnectionState
    reason: str = ""
