"""The WebSocket endpoint: browsers and ``imbolc join ws://…`` into the same session.

Each WebSocket connection is carried into the TCP adapter (``server.py``) as one loopback
connection, byte for byte: the session, its handshake (secret, version), ownership rules,
outbox and drop policy treat a browser exactly like a terminal. Binary messages carry the
same ``[u32 length][payload]`` stream as TCP; message boundaries mean nothing, so neither
side re-frames. Plain HTTP requests get the remote page (``web/``) instead.

Threads: ``websockets``' synchronous server runs one handler thread per connection (the
upstream direction); each also starts one thread for the downstream direction.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from importlib import resources
from typing import Any

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from imbolc.net.codec import NetError, WireName
from imbolc.net.web_page import page_config

log = logging.getLogger("imbolc.net")
READ_CHUNK = 256 * 1024
MAX_MESSAGE = 1024 * 1024
"""The largest WebSocket message accepted. Frames may span messages, so this bounds what one
message costs a stranger's connection, not what a joined client may send (``max_frame``)."""
PAGES = {
    "": ("remote.html", "text/html; charset=utf-8"),
    "index.html": ("remote.html", "text/html; charset=utf-8"),
    "remote.js": ("remote.js", "text/javascript; charset=utf-8"),
    "remote.css": ("remote.css", "text/css; charset=utf-8"),
}
"""The page's files by the last segment of the path, so a reverse proxy may mount the
remote under any prefix (``https://host/band/``) whether or not it strips it."""
CONFIG_MARK = "{{IMBOLC_CONFIG}}"


def load_pages(wire: WireName) -> dict[str, tuple[bytes, str]]:
    """The remote page's files by URL path, the page carrying what the script must know."""
    folder = resources.files("imbolc.net").joinpath("web")
    pages: dict[str, tuple[bytes, str]] = {}
    for path, (name, kind) in PAGES.items():
        text = folder.joinpath(name).read_text(encoding="utf-8")
        if CONFIG_MARK in text:
            config = json.dumps(page_config(wire), separators=(",", ":"))
            text = text.replace(CONFIG_MARK, config.replace("</", "<\\/"))
        pages[path] = (text.encode(), kind)
    return pages


def lan_address() -> str:
    """This machine's address on its LAN (what a phone types), else its host name."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a documentation address: nothing is sent
            address: str = probe.getsockname()[0]
        except OSError:
            return socket.gethostname() or "127.0.0.1"
    return address


class WebGateway:
    """A listening WebSocket endpoint in front of a running server; ``stop()`` ends it."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        host: str,
        port: int,
        wire: WireName,
        page: bool = True,
    ) -> None:
        self._target = target
        self._pages = load_pages(wire) if page else {}
        self._lock = threading.Lock()
        self._links: dict[ServerConnection, socket.socket] = {}
        try:
            self._server: Server = serve(
                self._handle, host, port, process_request=self._http, compression=None,
                max_size=MAX_MESSAGE, ping_interval=None, server_header=None,
            )  # fmt: skip
        except OSError as error:
            raise NetError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        self.address: tuple[str, int] = self._server.socket.getsockname()[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="imbolc-web-accept", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The TCP port the endpoint listens on."""
        return self.address[1]

    def url(self, host: str | None = None) -> str:
        """The page's address (``ws://`` with the same host and port joins from a terminal)."""
        shown = host or self.address[0]
        if shown in ("0.0.0.0", "::"):
            shown = lan_address()
        return f"http://{shown}:{self.port}/"

    def stop(self) -> None:
        """Close every WebSocket and its loopback connection, then the listener."""
        with self._lock:
            links = list(self._links.values())
        for sock in links:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._server.shutdown()
        self._thread.join(2.0)

    # --- HTTP -----------------------------------------------------------------------------

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        path = request.path.split("?", 1)[0]
        found = self._pages.get(path.rsplit("/", 1)[-1])
        if found is None:
            return connection.respond(404, f"{path} is not here; the remote page is at /\n")
        body, kind = found
        headers = Headers(
            [("Content-Type", kind), ("Content-Length", str(len(body))),
             ("Cache-Control", "no-store"), ("Connection", "close")]
        )  # fmt: skip
        return Response(200, "OK", headers, body)

    # --- WebSocket ------------------------------------------------------------------------

    def _handle(self, connection: ServerConnection) -> None:
        try:
            sock = socket.create_connection(self._target, timeout=5.0)
        except OSError as error:
            connection.close(1011, f"the session is not reachable: {error.strerror or error}")
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        with self._lock:
            self._links[connection] = sock
        down = threading.Thread(
            target=self._downstream, args=(sock, connection), name="imbolc-web-down", daemon=True
        )
        down.start()
        try:
            for message in connection:
                sock.sendall(message.encode() if isinstance(message, str) else message)
        except (ConnectionClosed, OSError) as error:
            log.debug("web connection ended: %s", error)
        finally:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            down.join(2.0)
            with self._lock:
                self._links.pop(connection, None)
            sock.close()

    @staticmethod
    def _downstream(sock: socket.socket, connection: ServerConnection) -> None:
        reason = "the session closed the connection"
        try:
            while data := sock.recv(READ_CHUNK):
                connection.send(data)
        except (ConnectionClosed, OSError) as error:
            reason = f"relaying failed: {error}"
        finally:
            with contextlib.suppress(Exception):
                connection.close(1000, reason[:120])


def run_web_gateway(
    server_address: tuple[str, int],
    *,
    host: str = "0.0.0.0",
    port: int = 0,
    wire: WireName = "msgpack",
    page: bool = True,
) -> WebGateway:
    """Listen for WebSockets (and serve the remote page) on ``host:port``, relaying into the
    server listening at ``server_address``; ``port=0`` picks a free port. The session applies
    its own frame limits to the relayed stream."""
    address: Any = server_address
    target_host = address[0] if address[0] not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return WebGateway((target_host, int(address[1])), host=host, port=port, wire=wire, page=page)
