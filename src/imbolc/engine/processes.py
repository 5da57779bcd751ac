"""The child processes behind the realtime engine: jackd (dummy driver) and scsynth.

Only processes started here are ever signalled, and only through their own ``Popen`` (which
refuses to signal a reaped PID). Only files those processes created are removed.
"""

from __future__ import annotations

import collections
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from imbolc.core.errors import ImbolcError

log = logging.getLogger(__name__)

SHM_DIR = Path("/dev/shm")
SCSYNTH_READY = "SuperCollider 3 server ready."
SUPERNOVA_READY = "Supernova ready"
PORT_IN_USE = "address in use"
LOG_LINES = 400
_JACK_SEGMENT = re.compile(r"^jack-\d+-\d+$")


class EngineUnavailable(ImbolcError):
    """The realtime engine cannot run here (a program is missing or would not start)."""


class ServerBootError(EngineUnavailable):
    """scsynth or jackd was found but did not come up."""


class PortInUse(ServerBootError):
    """scsynth could not open its UDP port."""


# --- finding programs and ports -------------------------------------------------------------

INSTALL_HINTS = {
    "scsynth": "install SuperCollider (supercollider-server) or use the embedded engine",
    "supernova": "install supercollider-supernova or use --engine scsynth",
    "jackd": "install JACK (jackd2) or use the embedded engine",
}


def find_program(name: str, explicit: str | None = None) -> str:
    """The absolute path of ``name`` (or of the explicit path given), else EngineUnavailable."""
    hint = INSTALL_HINTS.get(name, "install it or use the embedded engine")
    if explicit is not None:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise EngineUnavailable(f"{name} not found at {explicit}: {hint}")
    found = shutil.which(name)
    if found is None:
        raise EngineUnavailable(f"{name} not found: {hint}")
    return found


def udp_port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a UDP socket can bind ``host:port`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def pick_free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port the kernel reports free (it may be taken again before use: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
    return port


def unique_jack_name() -> str:
    """A JACK server name no other process uses (no ``_``, so our file globs stay exact)."""
    return f"imbolc-{os.getpid()}-{secrets.token_hex(4)}"


# --- one child process ----------------------------------------------------------------------


class ChildProcess:
    """A process we started, its merged stdout/stderr kept in a bounded ring buffer."""

    def __init__(
        self, label: str, argv: Sequence[str], env: Mapping[str, str] | None = None
    ) -> None:
        self.label = label
        self.argv = tuple(argv)
        self._lines: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self._changed = threading.Condition()
        self._eof = False
        # A new session keeps the terminal's Ctrl-C away from the children: we stop them.
        self._popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self.pid = self._popen.pid
        self._reader = threading.Thread(
            target=self._read_output, name=f"{label}-{self.pid}-output", daemon=True
        )
        self._reader.start()

    def _read_output(self) -> None:
        assert self._popen.stdout is not None
        for raw in self._popen.stdout:
            line = raw.rstrip("\n")
            log.debug("%s[%d]: %s", self.label, self.pid, line)
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._eof = True
            self._changed.notify_all()

    @property
    def output(self) -> list[str]:
        """The most recent output lines (at most ``LOG_LINES``)."""
        with self._changed:
            return list(self._lines)

    @property
    def output_closed(self) -> bool:
        """True once the process closed its output (it has exited or is exiting)."""
        with self._changed:
            return self._eof

    def output_tail(self, count: int = 12) -> str:
        """The last ``count`` lines, for error messages."""
        return "\n".join(self.output[-count:])

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float) -> bool:
        """Wait until some output line satisfies ``predicate``; False on exit or timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if any(predicate(line) for line in self._lines):
                    return True
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    return False
                self._changed.wait(remaining)

    def poll(self) -> int | None:
        """The exit code once the process has exited, else None."""
        return self._popen.poll()

    @property
    def running(self) -> bool:
        return self._popen.poll() is None

    def wait_exit(self, timeout: float) -> bool:
        """Poll until the process exits; False if it is still running after ``timeout``."""
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def signal(self, signum: int) -> None:
        """Send ``signum`` if the process has not been reaped (Popen guards against PID reuse)."""
        self._popen.send_signal(signum)

    def stop(self, grace: float, term_grace: float = 1.0) -> int:
        """Wait ``grace`` s for a requested exit, then SIGTERM, then SIGKILL; the exit code."""
        if not self.wait_exit(grace):
            log.info("%s[%d] still running after %.1f s: SIGTERM", self.label, self.pid, grace)
            self.signal(signal.SIGTERM)
            if not self.wait_exit(term_grace):
                log.warning("%s[%d] ignored SIGTERM: SIGKILL", self.label, self.pid)
                self.signal(signal.SIGKILL)
                self._popen.wait()
        self._reader.join(timeout=1.0)
        code = self._popen.returncode
        assert code is not None
        return code


# --- files our processes leave in /dev/shm --------------------------------------------------


@dataclass(frozen=True)
class OwnedFile:
    """A file one of our processes created, identified by inode so a successor's is spared."""

    path: Path
    inode: int

    @classmethod
    def of(cls, path: Path) -> OwnedFile | None:
        try:
            return cls(path, path.stat().st_ino)
        except OSError:
            return None

    def remove(self) -> bool:
        """Unlink the file if it is still the one we recorded; True if removed."""
        try:
            if self.path.stat().st_ino != self.inode:
                return False
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def mapped_jack_segments(pid: int) -> list[OwnedFile]:
    """The ``/dev/shm/jack-<uid>-<n>`` segments process ``pid`` has mapped (its registry)."""
    found: dict[Path, OwnedFile] = {}
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) < 6:
            continue
        path = Path(fields[5].strip())
        if path.parent == SHM_DIR and _JACK_SEGMENT.match(path.name):
            owned = OwnedFile.of(path)
            if owned is not None and owned.inode == int(fields[4]):
                found[path] = owned
    return list(found.values())


# --- jackd ----------------------------------------------------------------------------------


@dataclass
class JackdProcess:
    """A jackd with the dummy driver under a private server name."""

    child: ChildProcess
    name: str
    segments: list[OwnedFile] = field(default_factory=list)

    def client_env(self) -> dict[str, str]:
        """Environment for a JACK client that must use this server and never autostart one."""
        env = dict(os.environ)
        env["JACK_DEFAULT_SERVER"] = self.name
        env["JACK_NO_START_SERVER"] = "1"
        return env

    @property
    def crashed(self) -> bool:
        """True once it has exited other than by a clean SIGTERM shutdown."""
        code = self.child.poll()
        return code is not None and code != 0

    def stop(self, *, reclaim: bool = True) -> int:
        """SIGTERM, wait up to 3 s (then SIGKILL); remove its leftovers; the exit code.

        A jackd that died uncleanly keeps its slot in JACK's registry of at most 8 servers;
        with ``reclaim`` its name is started once more and stopped cleanly, which frees it.
        """
        self.child.signal(signal.SIGTERM)
        code = self.child.stop(grace=3.0)
        self.remove_leftovers()
        if code != 0 and reclaim:
            self.reclaim_registry_slot()
        return code

    def reclaim_registry_slot(self) -> None:
        """Free the registry slot of this dead server by reusing its name once, cleanly."""
        try:
            successor = _launch_jackd(self.child.argv, self.name, timeout=2.0)
        except ServerBootError as exc:
            log.warning("could not reclaim JACK registry slot of %s: %s", self.name, exc)
            return
        successor.stop(reclaim=False)

    def remove_leftovers(self) -> list[Path]:
        """Remove this server's sockets, semaphores and shm segments; the paths removed."""
        removed: list[Path] = []
        for pattern in (f"jack_{self.name}_*", f"jack_sem.*_{self.name}_*"):
            for path in SHM_DIR.glob(pattern):
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
        removed.extend(seg.path for seg in self.segments if seg.remove())
        return removed


def jack_leftovers(name: str) -> list[Path]:
    """The files in /dev/shm that name JACK server ``name``."""
    return sorted(
        [*SHM_DIR.glob(f"jack_{name}_*"), *SHM_DIR.glob(f"jack_sem.*_{name}_*")],
    )


def start_jackd(
    jackd: str,
    *,
    sample_rate: int,
    period: int,
    name: str | None = None,
    timeout: float = 5.0,
) -> JackdProcess:
    """Start ``jackd -n <name> -d dummy`` (a fresh unique name by default) and wait for it.

    Reusing the name of a crashed server of ours frees the registry slot it left behind.
    """
    server_name = name if name is not None else unique_jack_name()
    argv = [jackd, "-n", server_name, "-d", "dummy", "-r", str(sample_rate), "-p", str(period)]
    return _launch_jackd(argv, server_name, timeout)


def _launch_jackd(argv: Sequence[str], name: str, timeout: float) -> JackdProcess:
    process = JackdProcess(ChildProcess("jackd", argv), name)
    try:
        _wait_for_jack(process, timeout)
    except BaseException:
        process.stop(reclaim=False)
        raise
    process.segments = mapped_jack_segments(process.child.pid)
    log.info("jackd %s ready (pid %d)", name, process.child.pid)
    return process


def _wait_for_jack(process: JackdProcess, timeout: float) -> None:
    """Poll ``jack_lsp`` (or the server socket when it is absent) until the server answers."""
    lsp = shutil.which("jack_lsp")
    env = process.client_env()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.child.poll()
        if code is not None:
            output = process.child.output_tail()
            hint = (
                "\nJACK's registry (/dev/shm/jack-shm-registry) holds at most 8 servers; "
                "stop some other jackd"
                if "Too many servers" in output
                else ""
            )
            raise ServerBootError(
                f"jackd exited with code {code} before it was ready:\n{output}{hint}"
            )
        if lsp is not None:
            probe = subprocess.run(
                [lsp], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
            if probe.returncode == 0:
                return
        elif any(SHM_DIR.glob(f"jack_{process.name}_*")):
            return
        time.sleep(0.02)
    raise ServerBootError(
        f"jackd did not become ready within {timeout:g} s:\n{process.child.output_tail()}"
    )


# --- scsynth --------------------------------------------------------------------------------


@dataclass
class ScsynthProcess:
    """A realtime scsynth listening on a UDP port."""

    child: ChildProcess
    port: int
    shm: OwnedFile | None = None

    @property
    def shm_path(self) -> Path:
        return SHM_DIR / f"SuperColliderServer_{self.port}"

    def stop(self, send_quit: Callable[[], None] | None, grace: float = 3.0) -> int:
        """``/quit`` (via ``send_quit``), wait ``grace`` s, SIGTERM, SIGKILL; then clean shm."""
        quit_sent = False
        if send_quit is not None and self.child.running:
            try:
                send_quit()
                quit_sent = True
            except OSError as exc:
                log.warning("could not send /quit to scsynth: %s", exc)
        if not quit_sent:
            self.child.signal(signal.SIGTERM)
        code = self.child.stop(grace=grace)
        self.remove_leftovers()
        return code

    def remove_leftovers(self) -> bool:
        """Remove this server's shared-memory segment if it outlived the process."""
        return self.shm.remove() if self.shm is not None else False


def start_scsynth(
    scsynth: str,
    args: Sequence[str],
    port: int,
    env: Mapping[str, str],
    timeout: float = 5.0,
) -> ScsynthProcess:
    """Start scsynth with ``args`` (which include ``-u port``) and wait for "server ready"."""
    shm_path = SHM_DIR / f"SuperColliderServer_{port}"
    existing = OwnedFile.of(shm_path)
    process = ScsynthProcess(ChildProcess("scsynth", [scsynth, *args], env), port)
    ready = (SCSYNTH_READY, SUPERNOVA_READY)
    if process.child.wait_for_line(lambda line: any(text in line for text in ready), timeout):
        process.shm = OwnedFile.of(shm_path)
        log.info("scsynth ready on port %d (pid %d)", port, process.child.pid)
        return process
    timed_out = not process.child.output_closed
    process.child.signal(signal.SIGKILL)
    code = process.child.stop(grace=1.0)
    left = OwnedFile.of(shm_path)
    if left is not None and (existing is None or existing.inode != left.inode):
        left.remove()
    output = process.child.output_tail()
    if PORT_IN_USE in output:
        raise PortInUse(f"scsynth could not open UDP port {port}: address in use")
    if timed_out:
        raise ServerBootError(
            f"scsynth was not ready within {timeout:g} s (port {port}):\n{output}"
        )
    raise ServerBootError(
        f"scsynth exited with code {code} before it was ready (port {port}):\n{output}"
    )
