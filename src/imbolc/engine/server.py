"""The realtime scsynth server: boot (with a private jackd when headless), watch, restart, stop.

``ScsynthServer`` owns the processes it starts and nothing else: a server reached through
``connect_existing`` is never stopped or signalled. A watchdog thread reports a dead scsynth or
jackd through ``on_crash``; ``restart`` brings the server back and then calls ``on_ready``,
where the engine rebuilds its graph.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from imbolc.core.errors import ImbolcError
from imbolc.engine.osc import OscClient, OscDecodeError, OscError, OscMessage
from imbolc.engine.processes import (
    EngineUnavailable,
    JackdProcess,
    PortInUse,
    ScsynthProcess,
    ServerBootError,
    find_program,
    pick_free_udp_port,
    start_jackd,
    start_scsynth,
    udp_port_is_free,
)

__all__ = [
    "EngineUnavailable",
    "InvalidServerOptions",
    "ScsynthServer",
    "ServerBootError",
    "ServerOptions",
    "ServerStatus",
    "ServerVersion",
]

log = logging.getLogger(__name__)

PORT_ATTEMPTS = 5
LOCALHOST = "127.0.0.1"


class InvalidServerOptions(ImbolcError, ValueError):
    """A ServerOptions field has a value scsynth or jackd cannot use."""


@dataclass(frozen=True)
class ServerOptions:
    """How to run scsynth (and the dummy jackd); ``to_args`` gives scsynth's command line.

    ``sample_rate`` and ``jack_period`` configure the dummy jackd we start; against an existing
    JACK server (``dummy_audio=False``) that server's settings win. ``dummy_audio=None`` means
    "dummy when there is no sound card" (no ``/dev/snd``).
    """

    sample_rate: int = 48_000
    jack_period: int = 256
    port: int = 0
    dummy_audio: bool | None = None
    jack_server: str | None = None
    input_channels: int = 2
    output_channels: int = 2
    audio_buses: int = 1024
    control_buses: int = 16_384
    max_nodes: int = 16384
    max_buffers: int = 8192
    max_synthdefs: int = 1024
    wire_buffers: int = 256
    realtime_memory_kib: int = 65_536
    max_logins: int = 4
    scsynth_path: str | None = None
    jackd_path: str | None = None
    boot_timeout: float = 5.0
    program: str = "scsynth"
    """The server to run: ``scsynth``, or ``supernova`` (every core, parallel groups)."""

    def __post_init__(self) -> None:
        for name, (low, high) in _LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidServerOptions(
                    f"ServerOptions.{name} must be an integer in [{low}, {high}], got {value!r}"
                )
        if self.jack_period & (self.jack_period - 1):
            raise InvalidServerOptions(
                f"ServerOptions.jack_period must be a power of two, got {self.jack_period}"
            )
        if self.audio_buses < self.input_channels + self.output_channels:
            raise InvalidServerOptions(
                f"ServerOptions.audio_buses ({self.audio_buses}) must cover the "
                f"{self.input_channels + self.output_channels} hardware input/output channels"
            )
        if self.program not in ("scsynth", "supernova"):
            raise InvalidServerOptions(
                f"ServerOptions.program must be scsynth or supernova, got {self.program!r}"
            )
        if not self.boot_timeout > 0:
            raise InvalidServerOptions(
                f"ServerOptions.boot_timeout must be positive, got {self.boot_timeout!r}"
            )

    def to_args(self, port: int | None = None) -> list[str]:
        """scsynth's arguments (no program name) for UDP ``port`` (default: ``self.port``)."""
        udp_port = self.port if port is None else port
        args = ["-u", str(udp_port), "-R", "0", "-D", "0", "-l", str(self.max_logins)]
        args += ["-i", str(self.input_channels), "-o", str(self.output_channels)]
        args += ["-a", str(self.audio_buses), "-c", str(self.control_buses)]
        args += ["-n", str(self.max_nodes), "-b", str(self.max_buffers)]
        args += ["-d", str(self.max_synthdefs), "-w", str(self.wire_buffers)]
        args += ["-m", str(self.realtime_memory_kib)]
        if self.program == "supernova":
            args += ["-T", str(os.cpu_count() or 1)]
        return args

    def uses_dummy_audio(self) -> bool:
        """Whether we start our own jackd with the dummy driver."""
        if self.dummy_audio is not None:
            return self.dummy_audio
        return not Path("/dev/snd").exists()


_MANY = 2**31 - 1
_LIMITS = {
    "sample_rate": (8_000, 768_000),
    "jack_period": (16, 8192),
    "port": (0, 65_535),
    "input_channels": (0, 1024),
    "output_channels": (0, 1024),
    **dict.fromkeys(
        ("audio_buses", "control_buses", "max_nodes", "max_buffers", "max_synthdefs"), (1, _MANY)
    ),
    **dict.fromkeys(("wire_buffers", "realtime_memory_kib", "max_logins"), (1, _MANY)),
}


@dataclass(frozen=True)
class ServerStatus:
    """scsynth's ``/status.reply``."""

    ugens: int
    synths: int
    groups: int
    synthdefs: int
    avg_cpu: float
    peak_cpu: float
    sample_rate: float
    actual_sample_rate: float

    @classmethod
    def from_reply(cls, reply: OscMessage) -> ServerStatus:
        """Parse ``/status.reply 1 ugens synths groups defs avg peak nominal actual``."""
        values = reply.contents
        if reply.address != "/status.reply" or len(values) < 9:
            raise OscDecodeError(f"malformed /status.reply: {reply!r}")
        return cls(
            ugens=int(_number(reply, 1)),
            synths=int(_number(reply, 2)),
            groups=int(_number(reply, 3)),
            synthdefs=int(_number(reply, 4)),
            avg_cpu=_number(reply, 5),
            peak_cpu=_number(reply, 6),
            sample_rate=_number(reply, 7),
            actual_sample_rate=_number(reply, 8),
        )


@dataclass(frozen=True)
class ServerVersion:
    """scsynth's ``/version.reply`` (e.g. ``scsynth 3.13.0``)."""

    program: str
    major: int
    minor: int
    patch: str
    branch: str
    commit: str

    @classmethod
    def from_reply(cls, reply: OscMessage) -> ServerVersion:
        values = [*reply.contents, "", "", "", "", "", ""]
        if reply.address != "/version.reply" or len(reply.contents) < 3:
            raise OscDecodeError(f"malformed /version.reply: {reply!r}")
        return cls(
            program=str(values[0]),
            major=int(_number(reply, 1)),
            minor=int(_number(reply, 2)),
            patch=str(values[3]),
            branch=str(values[4]),
            commit=str(values[5]),
        )

    def __str__(self) -> str:
        return f"{self.program} {self.major}.{self.minor}{self.patch}"


CrashCallback = Callable[[str], None]
ReadyCallback = Callable[[], None]


class ScsynthServer:
    """One scsynth (plus its dummy jackd when headless), started or merely connected to.

    ``on_crash(reason)`` runs on the watchdog thread when a process we own dies; it may call
    ``restart()``. ``on_ready()`` runs after every successful ``start``, ``connect_existing``
    and ``restart``: the moment to (re)build the node graph.
    """

    def __init__(
        self,
        on_crash: CrashCallback | None = None,
        on_ready: ReadyCallback | None = None,
        *,
        poll_interval: float = 0.05,
    ) -> None:
        self.on_crash = on_crash
        self.on_ready = on_ready
        self._poll_interval = poll_interval
        self._lock = threading.RLock()
        self._options = ServerOptions()
        self._host = LOCALHOST
        self._port = 0
        self._owns = False
        self._jackd: JackdProcess | None = None
        self._crashed_jackd: JackdProcess | None = None
        self._scsynth: ScsynthProcess | None = None
        self._client: OscClient | None = None
        self._generation = 0
        self._watch_wake = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._crash_reason: str | None = None
        self.last_boot_seconds: float | None = None
        self.last_restart_seconds: float | None = None

    # --- state ---------------------------------------------------------------------------

    @property
    def client(self) -> OscClient:
        """The OSC client (handlers registered on it survive restarts)."""
        if self._client is None:
            raise EngineUnavailable("scsynth is not running: call start() or connect_existing()")
        return self._client

    @property
    def port(self) -> int:
        return self._port

    @property
    def options(self) -> ServerOptions:
        return self._options

    @property
    def owns_processes(self) -> bool:
        """True when we started scsynth (and stop it); False for ``connect_existing``."""
        return self._owns

    @property
    def running(self) -> bool:
        """Connected, and (when we own it) scsynth and jackd are alive."""
        with self._lock:
            if self._client is None:
                return False
            if not self._owns:
                return True
            alive = self._scsynth is not None and self._scsynth.child.running
            return alive and (self._jackd is None or self._jackd.child.running)

    @property
    def crash_reason(self) -> str | None:
        """Why the watchdog last reported a crash (None since the last good start)."""
        return self._crash_reason

    @property
    def scsynth_pid(self) -> int | None:
        return self._scsynth.child.pid if self._scsynth is not None else None

    @property
    def jackd_pid(self) -> int | None:
        return self._jackd.child.pid if self._jackd is not None else None

    @property
    def jack_server_name(self) -> str | None:
        return self._jackd.name if self._jackd is not None else None

    def output(self) -> dict[str, list[str]]:
        """The recent output of our jackd and scsynth, for diagnostics."""
        logs: dict[str, list[str]] = {}
        if self._jackd is not None:
            logs["jackd"] = self._jackd.child.output
        if self._scsynth is not None:
            logs["scsynth"] = self._scsynth.child.output
        return logs

    # --- lifecycle -----------------------------------------------------------------------

    def start(self, options: ServerOptions | None = None) -> None:
        """Start jackd (dummy, when asked or headless) and scsynth, connect, call on_ready."""
        began = time.monotonic()
        with self._lock:
            if self._client is not None:
                raise ServerBootError(f"scsynth is already running on port {self._port}")
            self._options = options if options is not None else ServerOptions()
            self._owns = True
            self._launch(self._options.port)
            atexit.register(self.stop)
        self.last_boot_seconds = time.monotonic() - began
        self._notify_ready()

    def connect_existing(
        self, host: str = LOCALHOST, port: int = 57_110, *, timeout: float = 1.0
    ) -> None:
        """Talk to an scsynth someone else started; it is never stopped or signalled by us."""
        with self._lock:
            if self._client is not None:
                raise ServerBootError(f"already connected to port {self._port}")
            client = OscClient(host, port)
            try:
                client.request(OscMessage("/status"), "/status.reply", timeout)
                client.notify(True, timeout)
            except OscError as exc:
                client.close()
                raise ServerBootError(f"no usable scsynth at {host}:{port}: {exc}") from exc
            self._host, self._port, self._owns = host, port, False
            self._client = client
            self._crash_reason = None
        self._notify_ready()

    def stop(self) -> None:
        """Stop what we started (``/quit``, then signals) and clean its leftovers; idempotent.

        A connected server is only unsubscribed from, never stopped.
        """
        with self._lock:
            watchdog = self._halt_watchdog()
            client, scsynth, jackd = self._client, self._scsynth, self._jackd
            crashed_jackd, self._crashed_jackd = self._crashed_jackd, None
            self._client = self._scsynth = self._jackd = None
            atexit.unregister(self.stop)
        if watchdog is not None and watchdog is not threading.current_thread():
            watchdog.join(timeout=1.0)
        if client is not None and not self._owns:
            _quietly(lambda: client.send_message("/notify", 0))
        if scsynth is not None:
            quit_ = (lambda: client.send_message("/quit")) if client is not None else None
            scsynth.stop(quit_)
        if client is not None:
            client.close()
        if jackd is not None:
            jackd.stop()
        if crashed_jackd is not None:
            crashed_jackd.reclaim_registry_slot()

    def restart(self, options: ServerOptions | None = None) -> None:
        """Bring back whatever died (both processes after a jackd crash), then on_ready.

        Keeps the UDP port when it is still free, so the address stays the same. On a
        connected server it only re-registers for notifications.
        """
        began = time.monotonic()
        with self._lock:
            if self._client is None:
                raise EngineUnavailable("restart() needs a started or connected server")
            if not self._owns:
                try:
                    self._client.notify(True)
                except OscError as exc:
                    raise ServerBootError(
                        f"scsynth at {self._host}:{self._port} is not answering; it is not "
                        f"ours to restart: {exc}"
                    ) from exc
            else:
                self._halt_watchdog()
                old = self._options
                self._options = options if options is not None else old
                self._stop_for_restart(
                    jack_changed=_jack_settings(old) != _jack_settings(self._options)
                )
                wanted = self._options.port if self._options.port != old.port else self._port
                self._launch(wanted or self._port)
        self.last_restart_seconds = time.monotonic() - began
        log.info("scsynth restarted in %.3f s", self.last_restart_seconds)
        self._notify_ready()

    # --- internals -----------------------------------------------------------------------

    def _launch(self, preferred_port: int) -> None:
        """Start whichever of jackd and scsynth is missing, connect and start the watchdog."""
        options = self._options
        explicit = options.scsynth_path if options.program == "scsynth" else None
        scsynth_path = find_program(options.program, explicit)
        dummy = options.uses_dummy_audio()
        jackd_path = find_program("jackd", options.jackd_path) if dummy else None
        started_jackd = False
        created_client = self._client is None
        try:
            if jackd_path is not None and self._jackd is None:
                crashed = self._crashed_jackd
                self._jackd = start_jackd(
                    jackd_path,
                    sample_rate=options.sample_rate,
                    period=options.jack_period,
                    name=crashed.name if crashed is not None else None,
                    timeout=options.boot_timeout,
                )
                self._crashed_jackd = None
                started_jackd = True
            self._scsynth = self._start_scsynth(scsynth_path, preferred_port)
            self._port = self._scsynth.port
            self._host = LOCALHOST
            if self._client is None:
                self._client = OscClient(LOCALHOST, self._port)
            else:
                self._client.retarget(LOCALHOST, self._port)
            self._client.notify(True, timeout=options.boot_timeout)
        except BaseException:
            self._abandon_launch(started_jackd, created_client)
            raise
        self._crash_reason = None
        self._generation += 1
        self._watch_wake.clear()
        self._watchdog = threading.Thread(
            target=self._watch, args=(self._generation,), name="scsynth-watchdog", daemon=True
        )
        self._watchdog.start()

    def _abandon_launch(self, started_jackd: bool, created_client: bool) -> None:
        """Undo a failed launch; a restart keeps its client so registered handlers survive."""
        if self._scsynth is not None:
            self._scsynth.stop(None, grace=0.5)
            self._scsynth = None
        if created_client and self._client is not None:
            self._client.close()
            self._client = None
        if self._jackd is not None and (started_jackd or not self._jackd.child.running):
            self._jackd.stop()
            self._jackd = None

    def _start_scsynth(self, scsynth_path: str, preferred_port: int) -> ScsynthProcess:
        env = dict(os.environ) if self._jackd is None else self._jackd.client_env()
        env["JACK_NO_START_SERVER"] = "1"
        if self._jackd is None and self._options.jack_server is not None:
            env["JACK_DEFAULT_SERVER"] = self._options.jack_server
        inputs = self._options.input_channels
        if inputs > 0:
            # scsynth connects its JACK inputs only to the ports this names (sclang sets it;
            # alone it would leave audio_in deaf): the capture ports, unless the user chose.
            env.setdefault(
                "SC_JACK_DEFAULT_INPUTS",
                ",".join(f"system:capture_{n}" for n in range(1, inputs + 1)),
            )
        port = preferred_port
        for _attempt in range(PORT_ATTEMPTS):
            if port == 0 or not udp_port_is_free(port):
                if port != 0:
                    log.warning("UDP port %d is busy; scsynth takes another", port)
                port = pick_free_udp_port()
            try:
                return start_scsynth(
                    scsynth_path,
                    self._options.to_args(port),
                    port,
                    env,
                    timeout=self._options.boot_timeout,
                )
            except PortInUse:
                log.warning("scsynth found UDP port %d taken; retrying on another", port)
                port = 0
        raise ServerBootError(f"scsynth found no free UDP port in {PORT_ATTEMPTS} attempts")

    def _stop_for_restart(self, *, jack_changed: bool) -> None:
        """Stop what must go before a restart, quickly: a crashed restart has a 2 s budget."""
        jackd, scsynth = self._jackd, self._scsynth
        jack_gone = jackd is not None and (jack_changed or not jackd.child.running)
        if scsynth is not None:
            if jack_gone or not scsynth.child.running:
                scsynth.stop(None, grace=0.5)  # useless without jackd: SIGTERM, no /quit
            else:
                client = self._client
                scsynth.stop((lambda: client.send_message("/quit")) if client else None)
            self._scsynth = None
        if jackd is not None and jack_gone:
            if jackd.crashed:
                # Restarting under the same name frees the registry slot the crash left.
                jackd.child.stop(grace=0.0)
                jackd.remove_leftovers()
                self._crashed_jackd = jackd
            else:
                jackd.stop()
            self._jackd = None

    def _halt_watchdog(self) -> threading.Thread | None:
        """Retire the watchdog (it will report nothing more); the thread, for joining."""
        self._generation += 1
        self._watch_wake.set()
        watchdog, self._watchdog = self._watchdog, None
        return watchdog

    def _watch(self, generation: int) -> None:
        while not self._watch_wake.wait(self._poll_interval):
            with self._lock:
                if generation != self._generation:
                    return
                reason = self._death_reason()
                if reason is None:
                    continue
                self._crash_reason = reason
            log.error("%s", reason)
            if self.on_crash is not None:
                try:
                    self.on_crash(reason)
                except Exception:
                    log.exception("on_crash callback failed")
            return

    def _death_reason(self) -> str | None:
        jackd, scsynth = self._jackd, self._scsynth
        if jackd is not None:
            code = jackd.child.poll()
            if code is not None:
                return (
                    f"jackd {jackd.name} (pid {jackd.child.pid}) exited with code {code}; "
                    f"scsynth has lost its audio driver"
                )
        if scsynth is not None:
            code = scsynth.child.poll()
            if code is not None:
                last = scsynth.child.output_tail(3).replace("\n", " | ")
                return (
                    f"scsynth (pid {scsynth.child.pid}, port {scsynth.port}) exited with code "
                    f"{code}: {last}"
                )
        return None

    def _notify_ready(self) -> None:
        if self.on_ready is not None:
            self.on_ready()

    # --- queries -------------------------------------------------------------------------

    def status(self, timeout: float = 1.0) -> ServerStatus:
        """Ask ``/status``: node, SynthDef and CPU counts."""
        reply = self.client.request(OscMessage("/status"), "/status.reply", timeout)
        return ServerStatus.from_reply(reply)

    def version(self, timeout: float = 1.0) -> ServerVersion:
        """Ask ``/version``."""
        reply = self.client.request(OscMessage("/version"), "/version.reply", timeout)
        return ServerVersion.from_reply(reply)

    def __enter__(self) -> ScsynthServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _jack_settings(options: ServerOptions) -> tuple[object, ...]:
    return (
        options.sample_rate,
        options.jack_period,
        options.uses_dummy_audio(),
        options.jack_server,
        options.jackd_path,
    )


def _number(reply: OscMessage, index: int) -> float:
    value = reply.contents[index]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OscDecodeError(f"{reply.address} argument {index} is not a number: {reply!r}")
    return float(value)


def _quietly(action: Callable[[], None]) -> None:
    try:
        action()
    except (OSError, OscError) as exc:
        log.debug("ignored while stopping: %s", exc)
