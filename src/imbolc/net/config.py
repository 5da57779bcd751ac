"""Limits and timings of the collaboration protocol, injectable so tests can shrink them."""

from __future__ import annotations

import msgspec

DEFAULT_PORT = 9999
KIB = 1024
MIB = 1024 * KIB


class ServerConfig(msgspec.Struct, frozen=True):
    """What the server allows and when it acts; every timing is in seconds."""

    max_frame: int = 8 * MIB
    """The largest frame a joined client may send (a paste of ~100k notes fits)."""
    max_handshake_frame: int = 64 * KIB
    """The largest frame before the handshake completes: strangers get little memory."""
    handshake_timeout: float = 10.0
    ping_interval: float = 5.0
    dead_after: float = 15.0
    """A client silent this long is suspended."""
    suspend_hold: float = 60.0
    """A suspended client keeps its ownership and privilege this long."""
    commit_rate: float = 250.0
    """Commit batches per second once ``commit_burst`` is spent: an idle link sends each
    commit at once, a sustained load is batched at this rate."""
    meter_rate: float = 30.0
    meter_idle_interval: float = 1.0
    """An unchanged meter frame is repeated at most this often."""
    hash_interval: int = 64
    """A state hash goes out every this many revisions."""
    history_depth: int = 500
    coalesce_window: float = 0.5
    max_commit_backlog: int = 64
    """Unsent commit frames a client may lag behind before they become one snapshot."""
    max_commit_backlog_bytes: int = 1 * MIB
    max_outbox_bytes: int = 64 * MIB
    """A client whose unsent bytes exceed this is suspended."""
    stall_timeout: float = 5.0
    """A client that accepts no bytes for this long while data waits is suspended."""
    send_buffer: int = 0
    """SO_SNDBUF for client sockets; 0 keeps the system default."""
    max_name_length: int = 64
    commit_burst: int = 8
    """Flushes that may go out back to back before ``commit_rate`` applies."""
    inbox_rate: float = 400.0
    """Messages a second each client may send once ``inbox_burst`` is spent; more wait."""
    inbox_burst: int = 400
    inbox_backlog: int = 2000
    """Messages waiting beyond the rate before the client is dropped with the reason."""


class ClientConfig(msgspec.Struct, frozen=True):
    """The client's limits, heartbeat and reconnection schedule."""

    max_frame: int = 256 * MIB
    dead_after: float = 15.0
    """The server pings every 5 s; this much silence means it is gone."""
    reconnect_first_delay: float = 0.5
    reconnect_max_delay: float = 8.0
    reconnect_give_up: float = 60.0
    connect_timeout: float = 5.0
    send_timeout: float = 5.0
    tick_interval: float = 0.25


def parse_address(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``HOST``, ``HOST:PORT`` or ``[IPv6]:PORT`` as (host, port); errors name the text."""
    from imbolc.net.codec import NetError

    host, port = text.strip(), str(default_port)
    if host.startswith("["):
        inside, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise NetError(f"cannot read the address {text!r}: expected [IPv6]:PORT")
        host, port = inside, rest[1:] or port
    elif host.count(":") == 1:
        host, port = host.split(":")
    if not host:
        raise NetError(f"cannot read the address {text!r}: the host is missing")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise NetError(f"cannot read the address {text!r}: {port!r} is not a port (1-65535)")
    return host, int(port)
