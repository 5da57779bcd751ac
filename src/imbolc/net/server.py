"""The server's thin I/O: a listener, a reader thread per client, the writer thread.

Readers only move bytes into one inbox. The protocol core (``ServerSession``) runs on the
thread that owns the ``Store``: either ``serve_forever()`` there, or pass ``call_soon`` (a
thread-safe "run this on the owner thread", e.g. an event loop's) and the handle schedules
its own ``pump()``.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from imbolc.core.ports import EnginePort
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.net.codec import NetError, WireName
from imbolc.net.config import DEFAULT_PORT, ServerConfig
from imbolc.net.discovery import Advertiser
from imbolc.net.events import (
    ClientJoined,
    ClientLeft,
    ClientSuspended,
    ServerEvent,
    ShutdownRequested,
)
from imbolc.net.messages import Peers
from imbolc.net.server_session import Close, SaveHook, Send, ServerSession
from imbolc.net.writer import Report, Writer

log = logging.getLogger("imbolc.net")
READ_CHUNK = 256 * 1024
MAX_ITEMS_PER_PUMP = 4096
ACCEPT_POLL = 0.05
"""The accept loop looks for a stop this often."""
THREAD_GRACE = 0.3
"""How long stopping waits for the accept loop and the like."""
MDNS_THREAD = "imbolc-net-mdns"

CallSoon = Callable[[Callable[[], None]], object]
EventHandler = Callable[[ServerEvent], None]


class ServerHandle:
    """A running server: its address, its peers, and ``stop()``."""

    def __init__(
        self,
        session: ServerSession,
        listener: socket.socket,
        *,
        on_event: EventHandler | None,
        call_soon: CallSoon | None,
        advertise: bool,
    ) -> None:
        self.session = session
        self._listener = listener
        self._on_event = on_event
        self._call_soon = call_soon
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._wakeup = threading.Event()
        self._closing = threading.Event()
        self._finished = threading.Event()
        self._owner = threading.get_ident()
        self._serving = False
        self._scheduled = False
        self._ids = itertools.count(1)
        self._writer = Writer(session.config, self._report)
        self._threads: list[threading.Thread] = []
        self._advertiser: Advertiser | None = None
        self._want_advertise = advertise
        self.address: tuple[str, int] = listener.getsockname()[:2]

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return self.address[1]

    @property
    def store(self) -> Store:
        """The authoritative store."""
        return self.session.store

    @property
    def state(self) -> Project:
        """The authoritative project (an immutable snapshot; safe to read from any thread)."""
        return self.session.store.state

    @property
    def peers(self) -> Peers:
        """Who is connected and who owns what (read from the owner thread)."""
        return self.session.peers()

    @property
    def stopped(self) -> bool:
        """Whether the server has shut down."""
        return self._finished.is_set()

    def _start(self) -> None:
        self._writer.start()
        self._spawn(self._accept_loop, "imbolc-net-accept")
        if self._call_soon is not None:
            self._spawn(self._wake_loop, "imbolc-net-waker")
        if self._want_advertise:
            self._spawn(self._advertise, MDNS_THREAD)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    # --- the owner thread -----------------------------------------------------------------

    def serve_forever(self) -> None:
        """Run the protocol on this thread (the store's owner) until the server stops."""
        if threading.get_ident() != self._owner:
            raise NetError("serve_forever must run on the thread that called run_server")
        self._serving = True
        try:
            while not self._finished.is_set():
                wait = self.session.next_deadline() - time.monotonic()
                self._run_once(min(max(wait, 0.0), 0.05))
        finally:
            self._serving = False

    def pump(self) -> None:
        """Handle everything that arrived and whatever is due; never blocks."""
        if not self._finished.is_set():
            self._run_once(None)

    def _run_once(self, timeout: float | None) -> None:
        items: list[tuple[Any, ...]] = []
        try:
            if timeout is None:
                items.append(self._inbox.get_nowait())
            else:
                items.append(self._inbox.get(timeout=timeout))
            while len(items) < MAX_ITEMS_PER_PUMP:
                items.append(self._inbox.get_nowait())
        except queue.Empty:
            pass
        session = self.session
        for item in items:
            verb = item[0]
            if verb == "data":
                session.receive(item[1], item[2])
            elif verb == "open":
                session.open(item[1])
            elif verb == "closed":
                session.closed(item[1], item[2])
            elif verb == "resync":
                session.resync(item[1])
            elif verb == "stalled":
                session.stalled(item[1], item[2])
            elif verb == "stop":
                session.shutdown(item[1])
        session.tick()
        self._route()
        if session.stopped:
            self._finish()

    def _route(self) -> None:
        for output in self.session.outputs():
            if isinstance(output, Send):
                self._writer.send(output.targets, output.frame, output.kind)
            elif isinstance(output, Close):
                self._writer.close(output.connection)
        for event in self.session.events():
            self._notify(event)

    def _notify(self, event: ServerEvent) -> None:
        if isinstance(event, ClientJoined | ClientLeft | ClientSuspended):
            self._update_advert()
        if isinstance(event, ShutdownRequested):
            log.info("shutdown requested by %s", event.name)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # the owner's handler must not stop the server
                log.exception("server event handler failed on %r", event)

    def _update_advert(self) -> None:
        advertiser = self._advertiser
        if advertiser is not None:
            count = len(self.session.ready_connections())
            threading.Thread(
                target=self._quietly, args=(advertiser.set_clients, count), daemon=True
            ).start()

    @staticmethod
    def _quietly(call: Callable[[int], None], value: int) -> None:
        try:
            call(value)
        except Exception as error:  # advertising is best effort
            log.warning("mDNS update failed: %s", error)

    # --- stopping -------------------------------------------------------------------------

    def stop(self, reason: str = "server stopped", timeout: float = 3.0) -> None:
        """Say goodbye to every client and release every thread and socket."""
        if self._finished.is_set():
            return
        on_owner = threading.get_ident() == self._owner
        if on_owner and not self._serving:
            self.session.shutdown(reason)
            self._route()
            self._finish()
            return
        self._post(("stop", reason))
        if not on_owner and not self._finished.wait(timeout):
            self._finish()

    def _finish(self) -> None:
        if self._finished.is_set():
            return
        self._closing.set()
        self._writer.stop()
        with contextlib.suppress(OSError):
            self._listener.close()
        if self._advertiser is not None:
            withdraw = threading.Thread(target=self._withdraw, name="imbolc-net-unadvertise")
            withdraw.daemon = True
            withdraw.start()
            withdraw.join(THREAD_GRACE)  # mDNS goodbyes are best effort
        self.session.close()
        self._finished.set()
        self._wakeup.set()
        deadline = time.monotonic() + THREAD_GRACE
        for thread in self._threads:
            # The mDNS thread may sit in a 2 s name probe; it withdraws the advert itself.
            if thread is not threading.current_thread() and thread.name != MDNS_THREAD:
                thread.join(max(0.0, deadline - time.monotonic()))

    def _withdraw(self) -> None:
        advertiser = self._advertiser
        if advertiser is not None:
            with contextlib.suppress(Exception):
                advertiser.close()

    # --- other threads --------------------------------------------------------------------

    def _post(self, item: tuple[Any, ...]) -> None:
        self._inbox.put(item)
        self._wakeup.set()

    def _report(self, what: Report, connection: int, reason: str) -> None:
        self._post((what, connection, reason))

    def _accept_loop(self) -> None:
        config = self.session.config
        while not self._closing.is_set():
            try:
                ready, _w, _x = select.select([self._listener], [], [], ACCEPT_POLL)
                if not ready:
                    continue
                sock, _address = self._listener.accept()
            except (OSError, ValueError):
                if self._closing.is_set():
                    return
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if config.send_buffer:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, config.send_buffer)
            connection = next(self._ids)
            self._writer.add(connection, sock)
            self._post(("open", connection))
            reader = threading.Thread(
                target=self._read_loop,
                args=(connection, sock),
                name=f"imbolc-net-read-{connection}",
                daemon=True,
            )
            reader.start()

    def _read_loop(self, connection: int, sock: socket.socket) -> None:
        reason = "the client closed the connection"
        try:
            while not self._closing.is_set():
                try:
                    ready, _w, _x = select.select([sock], [], [], 0.5)
                    if not ready:
                        continue
                    data = sock.recv(READ_CHUNK)
                except (BlockingIOError, InterruptedError):
                    continue
                except (OSError, ValueError) as error:
                    reason = f"reading failed: {error}"
                    break
                if not data:
                    break
                self._post(("data", connection, data))
        finally:
            self._post(("closed", connection, reason))
            with contextlib.suppress(OSError):
                sock.close()

    def _wake_loop(self) -> None:
        call_soon = self._call_soon
        assert call_soon is not None
        while not self._finished.is_set():
            wait = self.session.next_deadline() - time.monotonic()
            self._wakeup.wait(min(max(wait, 0.001), 0.05))
            self._wakeup.clear()
            if not self._scheduled and not self._finished.is_set():
                self._scheduled = True
                call_soon(self._scheduled_pump)

    def _scheduled_pump(self) -> None:
        self._scheduled = False
        self.pump()

    def _advertise(self) -> None:
        advertiser = Advertiser(self.session.name, self.port)
        try:
            advertiser.start()
        except NetError as error:
            log.warning("%s", error)
            return
        if self._closing.is_set():
            advertiser.close()
            return
        self._advertiser = advertiser
        advertiser.set_clients(len(self.session.ready_connections()))


def run_server(
    store: Store,
    *,
    host: str = "0.0.0.0",
    port: int = DEFAULT_PORT,
    secret: bytes | None = None,
    engine: EnginePort | None = None,
    on_event: EventHandler | None = None,
    save: SaveHook | None = None,
    name: str | None = None,
    wire: WireName = "msgpack",
    config: ServerConfig | None = None,
    call_soon: CallSoon | None = None,
    advertise: bool = False,
) -> ServerHandle:
    """Listen on ``host:port`` and serve ``store``; call from the store's owner thread.

    Then either run ``handle.serve_forever()`` on this thread, or pass ``call_soon`` so the
    handle schedules its work there. ``port=0`` picks a free port (``handle.port``).
    """
    try:
        listener = socket.create_server((host, port), reuse_port=False)
    except OSError as error:
        raise NetError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    listener.setblocking(False)
    session = ServerSession(
        store,
        engine=engine,
        secret=secret,
        wire=wire,
        name=name or socket.gethostname() or "imbolc",
        save=save,
        config=config,
    )
    handle = ServerHandle(
        session, listener, on_event=on_event, call_soon=call_soon, advertise=advertise
    )
    handle._start()
    return handle


def start_server_thread(
    project: Project | None = None,
    *,
    setup: Callable[[Store], None] | None = None,
    timeout: float = 5.0,
    **options: Any,
) -> ServerHandle:
    """A headless server on its own thread, owning a fresh ``Store`` of ``project``.

    ``setup(store)`` runs on that thread first (subscribe a saver, an engine handle).
    ``options`` are ``run_server``'s. Stop it with ``handle.stop()``.
    """
    ready: queue.SimpleQueue[ServerHandle | BaseException] = queue.SimpleQueue()

    def main() -> None:
        try:
            store = Store(project)
            if setup is not None:
                setup(store)
            handle = run_server(store, **options)
        except BaseException as error:
            ready.put(error)
            return
        ready.put(handle)
        handle.serve_forever()

    threading.Thread(target=main, name="imbolc-net-server", daemon=True).start()
    try:
        result = ready.get(timeout=timeout)
    except queue.Empty:
        raise NetError(f"the server did not start within {timeout:g} s") from None
    if isinstance(result, BaseException):
        raise result
    return result
