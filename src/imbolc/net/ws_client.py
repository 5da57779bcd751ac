"""Terminal clients over WebSocket: ``imbolc join ws://host:port/path`` (or ``wss://`` behind a
TLS reverse proxy). The same ``ClientSession`` and ``ClientLink`` as TCP; only the transport
differs: the byte stream travels in binary WebSocket messages (see ``ws_server.py``).
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from imbolc.net.client import ClientLink, Deliver
from imbolc.net.client_session import ClientSession
from imbolc.net.client_store import CallSoon, ClientStore, finish_join
from imbolc.net.codec import NetError, WireName
from imbolc.net.config import ClientConfig

SCHEMES = ("ws", "wss")
MESSAGE_LIMIT = 16 * 1024 * 1024
"""The largest message taken from the server (it sends what it read, ≤ 256 KiB at a time); the
session's own frame limit applies to the stream."""
MESSAGE_CHUNK = 256 * 1024
"""Bytes per WebSocket message: a large paste goes as several (the endpoint takes ≤ 1 MiB)."""


def is_websocket_url(text: str) -> bool:
    """Whether an address names a WebSocket endpoint rather than HOST[:PORT]."""
    return text.lower().startswith(("ws://", "wss://"))


def check_url(url: str) -> tuple[str, int]:
    """The host and port of a ``ws://`` or ``wss://`` URL; NetError says what is wrong."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise NetError(f"{url!r} is not a WebSocket address: it must start with ws:// or wss://")
    try:
        port = parts.port
    except ValueError:
        raise NetError(f"{url!r} has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise NetError(f"{url!r} names no host")
    return parts.hostname, port or (443 if parts.scheme.lower() == "wss" else 80)


def open_websocket(url: str, timeout: float, tls: ssl.SSLContext | None = None) -> ClientConnection:
    """An open WebSocket to ``url``, or NetError naming the address and the reason."""
    options: dict[str, Any] = {}
    if url.lower().startswith("wss://"):
        options["ssl"] = tls or ssl.create_default_context()
    try:
        return ws_connect(
            url, open_timeout=timeout, compression=None, max_size=MESSAGE_LIMIT,
            ping_interval=None, proxy=None, user_agent_header=None, legacy=True,
            **options,
        )  # fmt: skip
    except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as error:
        reason = getattr(error, "strerror", None) or error
        raise NetError(f"cannot reach {url}: {reason}") from None


class WebSocketLink(ClientLink):
    """A ``ClientLink`` whose bytes travel over a WebSocket."""

    def __init__(
        self,
        session: ClientSession,
        url: str,
        deliver: Deliver,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        host, port = check_url(url)
        super().__init__(session, host, port, deliver)
        self.url = url
        self._tls = tls
        self._ws: ClientConnection | None = None

    def start(self, sock: Any) -> None:
        """Run the network thread over an open WebSocket."""
        super().start(sock)

    def _open(self, timeout: float) -> Any:
        return open_websocket(self.url, timeout, self._tls)

    def _interrupt(self) -> None:
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                ws.close()

    def _flush_locked(self) -> None:
        data = self.session.data_to_send()
        ws = self._ws
        if not data or ws is None:
            return
        try:
            for start in range(0, len(data), MESSAGE_CHUNK):
                ws.send(data[start : start + MESSAGE_CHUNK])
        except (ConnectionClosed, OSError) as error:
            self.session.lost(f"sending failed: {error}")
            with contextlib.suppress(Exception):
                ws.close()

    def _serve(self, sock: Any) -> None:
        ws: ClientConnection = sock
        with self.lock:
            self._ws = ws
            self.session.start()
            self._flush_locked()
        tick = self.session.config.tick_interval
        try:
            while not self._closing.is_set():
                try:
                    data = ws.recv(timeout=tick, decode=False)
                except TimeoutError:
                    data = None
                except ConnectionClosed:
                    self._handle(lambda s: s.lost("the server closed the connection"))
                    return
                except OSError as error:
                    self._handle(partial(ClientSession.lost, reason=f"reading failed: {error}"))
                    return
                if data:
                    self._handle(partial(ClientSession.receive, data=bytes(data)))
                self._handle(ClientSession.tick)
                if self.session.phase in ("lost", "closed", "failed"):
                    return
        finally:
            with self.lock:
                self._ws = None
            with contextlib.suppress(Exception):
                ws.close()


def connect_websocket(
    url: str,
    *,
    name: str,
    own: Iterable[int] = (),
    want_privilege: bool = False,
    secret: bytes | None = None,
    wire: WireName = "msgpack",
    call_soon: CallSoon | None = None,
    config: ClientConfig | None = None,
    timeout: float | None = None,
    tls: ssl.SSLContext | None = None,
) -> ClientStore:
    """Join the session at ``url`` (``ws://`` or ``wss://``), as ``connect`` does over TCP:
    returns once the first snapshot arrived; ``JoinRefused`` carries the server's reason."""
    host, port = check_url(url)
    config = config or ClientConfig()
    wait = config.connect_timeout if timeout is None else timeout
    session = ClientSession(
        name=name, own=own, want_privilege=want_privilege, secret=secret, wire=wire,
        config=config,
    )  # fmt: skip
    store = ClientStore(
        session, host, port, call_soon,
        link=lambda deliver: WebSocketLink(session, url, deliver, tls),
    )  # fmt: skip
    link = store._link
    assert isinstance(link, WebSocketLink)
    link.start(open_websocket(url, config.connect_timeout, tls))
    return finish_join(store, wait, url)
