"""One connection's protocol state on the server, and the outputs the server hands its adapter.

Each connection has an inbox bucket: messages within its rate are handled at once, the rest
wait in ``parked`` and are handled as tokens come, so a flooding client is slowed while the
others are served; when too many wait, the server drops it with the reason.
"""

from __future__ import annotations

from collections import deque
from typing import Literal, NamedTuple

from imbolc.net import messages as m
from imbolc.net.codec import FrameReader
from imbolc.net.config import ServerConfig
from imbolc.net.outbox import FrameKind
from imbolc.net.pacing import TokenBucket
from imbolc.net.roster import ClientRecord


class Send(NamedTuple):
    """Write ``frame`` to every connection in ``targets`` (the same bytes for all)."""

    targets: tuple[int, ...]
    frame: bytes
    kind: FrameKind


class Close(NamedTuple):
    """Close a connection once what was queued for it is written."""

    connection: int
    reason: str


Output = Send | Close
Phase = Literal["hello", "auth", "ready", "closed"]


class Connection:
    """One TCP connection's protocol state (internal to the server)."""

    def __init__(self, ident: int, config: ServerConfig, now: float) -> None:
        self.id = ident
        self.reader = FrameReader(config.max_handshake_frame)
        self.phase: Phase = "hello"
        self.client: ClientRecord | None = None
        self.hello: m.Hello | None = None
        self.nonce = b""
        self.opened = now
        self.last_seen = now
        self.sniffed = False
        self.inbox = TokenBucket(config.inbox_rate, config.inbox_burst, now)
        self.parked: deque[bytes] = deque()
        """Payloads received beyond the inbox rate, handled in order as tokens come."""

    def next_payload(self, now: float) -> bytes | None:
        """The next parked payload, if the inbox rate allows handling it now."""
        if self.parked and self.inbox.take(now):
            return self.parked.popleft()
        return None

    def flooding(self, config: ServerConfig) -> str | None:
        """Why the connection must be dropped for sending too much, or None."""
        if len(self.parked) <= config.inbox_backlog:
            return None
        return (
            f"too many messages: more than {config.inbox_backlog} waiting beyond "
            f"{config.inbox_rate:g} a second"
        )
