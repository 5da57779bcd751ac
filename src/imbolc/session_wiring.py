"""Wiring for LAN sessions: ``imbolc serve`` and ``imbolc join``.

The machine that serves runs the authoritative store, the engine and the saver on a server
thread; its own terminal interface joins over loopback like any other musician (with the
privilege and, at first, every instrument), so undo, ownership and permissions work the same
for everyone.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from imbolc.compose import PersistIO, start_engine
from imbolc.core.config import Config, MidiConfig
from imbolc.core.errors import ImbolcError
from imbolc.core.ports import EnginePort
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.net import (
    ClientStore,
    ServerHandle,
    ServerInfo,
    WireName,
    connect,
    discover,
    run_server,
)
from imbolc.net.ws_client import connect_websocket
from imbolc.net.ws_server import WebGateway, run_web_gateway
from imbolc.persist import Autosaver, CheckpointInfo
from imbolc.tui.session_link import PeerView, SessionView

Report = Callable[[str], None]
DEFAULT_WEB_PORT = 9980


class ClientSessionLink:
    """The session pane's view of a ``ClientStore``."""

    def __init__(self, client: ClientStore) -> None:
        self.client = client

    def view(self) -> SessionView:
        c = self.client
        peers = tuple(
            PeerView(
                p.client_id, p.name, p.owned, p.connected,
                p.client_id == c.privileged_id, p.client_id == c.client_id,
            )
            for p in c.peers
        )  # fmt: skip
        return SessionView("client", c.server_name, c.connection_state, peers)

    def claim(self, instrument_id: int) -> None:
        self.client.claim([instrument_id])

    def release(self, instrument_id: int) -> None:
        self.client.release([instrument_id])

    def request_privilege(self, force: bool) -> None:
        self.client.request_privilege(force)


class WebRemote:
    """A hosted session's web remote: the page and WebSocket endpoint, on or off."""

    def __init__(self, server: ServerHandle, host: str, port: int, wire: WireName) -> None:
        self.server = server
        self.host = host
        self.port = port
        self.wire = wire
        self.gateway: WebGateway | None = None

    @property
    def address(self) -> str:
        """The page's URL while the remote is on, else ""."""
        return "" if self.gateway is None else self.gateway.url()

    def start(self) -> str:
        """Serve the page; its URL."""
        if self.gateway is None:
            self.gateway = run_web_gateway(
                self.server.address, host=self.host, port=self.port, wire=self.wire
            )
        return self.address

    def stop(self) -> None:
        """Stop serving the page and close every browser's connection."""
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            gateway.stop()

    def toggle(self) -> str:
        """On when off (returns the URL), off when on (returns "")."""
        if self.gateway is None:
            return self.start()
        self.stop()
        return ""


class HostSessionLink(ClientSessionLink):
    """The host's own view of its session, with the web remote's switch."""

    def __init__(self, client: ClientStore, web: WebRemote) -> None:
        super().__init__(client)
        self.web = web

    def view(self) -> SessionView:
        view = super().view()
        return SessionView(view.role, view.server, view.state, view.peers, self.web.address)

    def toggle_web_remote(self) -> str:
        return self.web.toggle()


class RemoteIO:
    """Storage as a joined client sees it: saving asks the server; files stay on the server."""

    def __init__(self, client: ClientStore) -> None:
        self.client = client

    def save(self, project: Project, path: Path) -> None:
        self.client.save()

    def _server_side(self, *_args: Any) -> Any:
        raise ImbolcError("the project file lives on the server: do this there")

    load = open = open_read_only = restore_checkpoint = create_checkpoint = _server_side
    delete_checkpoint = _server_side
    render = _server_side

    def recent_projects(self) -> list[Path]:
        return []

    def find_recovery(self, path: Path | None) -> Path | None:
        return None

    def list_checkpoints(self, path: Path) -> Sequence[CheckpointInfo]:
        return []


class LateScheduler:
    """``call_soon`` for the network threads: runs callbacks on the app's thread once the app
    runs, keeping earlier ones until then."""

    def __init__(self) -> None:
        self.app: Any = None
        self._early: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()

    def __call__(self, callback: Callable[[], None]) -> None:
        with self._lock:
            app = self.app
            if app is None or not app.is_running:
                self._early.put(callback)
                return
        self._flush(app)
        with contextlib.suppress(RuntimeError):  # the app is closing
            app.call_from_thread(callback)

    def _flush(self, app: Any) -> None:
        while True:
            try:
                early = self._early.get_nowait()
            except queue.Empty:
                return
            app.call_from_thread(early)

    def attach(self, app: Any) -> None:
        """From now on callbacks go to ``app`` (early ones run as soon as it is up)."""
        self.app = app

        def drain() -> None:
            deadline = time.monotonic() + 30
            while not app.is_running and time.monotonic() < deadline:
                time.sleep(0.02)
            if app.is_running:
                with self._lock:
                    self._flush(app)

        threading.Thread(target=drain, name="imbolc-late-scheduler", daemon=True).start()


class Joined:
    """A joined session: the replica and the scheduler that feeds it to the app's thread."""

    def __init__(self, client: ClientStore, scheduler: LateScheduler) -> None:
        self.client = client
        self.scheduler = scheduler


def join(
    host: str,
    port: int,
    *,
    name: str,
    own: Iterable[int],
    secret: bytes | None,
    want_privilege: bool = False,
    wire: WireName = "msgpack",
) -> Joined:
    """Connect to a server with a scheduler that will deliver commits on the app's thread."""
    scheduler = LateScheduler()
    client = connect(
        host, port, name=name, own=tuple(own), secret=secret,
        want_privilege=want_privilege, wire=wire, call_soon=scheduler,
    )  # fmt: skip
    return Joined(client, scheduler)


def join_websocket(
    url: str,
    *,
    name: str,
    own: Iterable[int],
    secret: bytes | None,
    wire: WireName = "msgpack",
    tls: ssl.SSLContext | None = None,
) -> Joined:
    """``join`` over a ``ws://`` or ``wss://`` URL (a session behind a reverse proxy)."""
    scheduler = LateScheduler()
    client = connect_websocket(
        url, name=name, own=tuple(own), secret=secret, wire=wire, call_soon=scheduler, tls=tls,
    )  # fmt: skip
    return Joined(client, scheduler)


def run_client_app(
    joined: Joined,
    title: Path,
    config_dir: Path,
    on_exit: Callable[[], None],
    midi: MidiConfig | None = None,
    link: ClientSessionLink | None = None,
) -> int:
    """The terminal interface on a joined session (the server plays the sound)."""
    from imbolc.live_wiring import start_live
    from imbolc.tui import ImbolcApp

    client = joined.client
    keymap = config_dir / "keybindings.toml"
    # A joined musician's controller: notes go to the server's engine through the client's
    # engine port, knobs and takes through the client store (the server checks ownership).
    live = start_live(client.engine, client, midi or MidiConfig())  # type: ignore[arg-type]
    app = ImbolcApp(
        client,  # type: ignore[arg-type]  # a ClientStore offers the Store surface the UI uses
        client.engine,
        RemoteIO(client),
        title,
        keymap if keymap.is_file() else None,
        link or ClientSessionLink(client),
        live,
    )
    joined.scheduler.attach(app)
    try:
        app.run()
    finally:
        live.shutdown()
        on_exit()
    return 0


class Hosted:
    """A server running on its own thread with its store, engine, saver and autosave."""

    def __init__(
        self,
        handle: ServerHandle,
        engine: EnginePort,
        io: PersistIO,
        autosaver: Autosaver | None = None,
    ) -> None:
        self.handle = handle
        self.engine = engine
        self.io = io
        self.autosaver = autosaver


def start_host(
    project: Project,
    path: Path,
    config: Config,
    engine_name: str,
    state_dir: Path,
    *,
    host: str,
    port: int,
    secret: bytes | None,
    wire: WireName,
    report: Report,
    on_thread: bool,
) -> Hosted:
    """Serve ``project`` (saving to ``path``); on a thread, or on this one (``serve_forever``
    on the returned handle)."""
    ready: queue.SimpleQueue[Hosted | BaseException] = queue.SimpleQueue()

    def setup() -> Hosted:
        store = Store(project)
        io = PersistIO(state_dir, engine_name, report, state_dir / "recent.json")
        io.hold(path)  # one editor per file: refuse to serve a project another imbolc edits
        engine = start_engine(project, store, engine_name, report)

        def save() -> str:
            io.save(store.state, path)
            return f"saving {path.name}"

        handle = run_server(
            store, host=host, port=port, secret=secret, engine=engine, save=save,
            name=socket.gethostname() or "imbolc", wire=wire, advertise=True,
        )  # fmt: skip
        autosaver = None
        if config.runtime.autosave:
            autosaver = Autosaver(
                path, config.runtime.autosave_interval_minutes, state_dir,
                get_state=lambda: store.state, revision=lambda: store.revision,
            )  # fmt: skip
            autosaver.start()
        return Hosted(handle, engine, io, autosaver)

    if not on_thread:
        return setup()

    def main() -> None:
        try:
            hosted = setup()
        except BaseException as error:
            ready.put(error)
            return
        ready.put(hosted)
        try:
            hosted.handle.serve_forever()
        finally:
            hosted.io.close()
            hosted.engine.shutdown()

    threading.Thread(target=main, name="imbolc-host", daemon=True).start()
    result = ready.get(timeout=60)
    if isinstance(result, BaseException):
        raise result
    return result


def pick_server(found: list[ServerInfo], ask: Callable[[str], str] = input) -> ServerInfo:
    """Let the user choose one of the servers found on the LAN."""
    if not found:
        raise ImbolcError("no imbolc servers found on the LAN")
    for n, info in enumerate(found, 1):
        print(f"  {n}. {info.label()}")
    answer = ask("join which? ").strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(found):
        raise ImbolcError(f"{answer!r} is not one of 1..{len(found)}")
    return found[int(answer) - 1]


def discover_servers(timeout: float = 3.0) -> list[ServerInfo]:
    """Servers announcing themselves with mDNS."""
    return discover(timeout)


STOP_SAVE_SECONDS = 0.6
"""How long a stopping server waits for its last save (the whole stop fits in one second)."""


def save_before_stopping(hosted: Hosted, path: Path, loaded: Project) -> str:
    """Save the shared project before the clients are told the server is going; the line to
    tell them (what was saved, or why it could not be)."""
    state = hosted.handle.state
    if hosted.autosaver is not None:
        hosted.autosaver.stop(0.2)
    try:
        if state is loaded and path.exists():
            hosted.io.close(STOP_SAVE_SECONDS)
            return "no unsaved changes"
        hosted.io.save(state, path)
        result = hosted.io.close(STOP_SAVE_SECONDS)
    except (ImbolcError, OSError, TimeoutError) as error:
        return f"saving {path} failed: {error}"
    if result is not None and not result.ok:
        return f"saving {path} failed: {result.error}"
    return f"saved {path}"
