"""MIDI ports over python-rtmidi: ALSA sequencer and JACK MIDI, hot-plug, raw bytes decoded in core.

``RtMidiInput`` realizes ``core.live.MidiInput``. Port names carry their API (``jack: …``,
``alsa: …``) so one list covers both. Each open port has its own rtmidi client and a thread
that drains rtmidi's queue, stamps the monotonic time and feeds the raw bytes to a
``MidiDecoder`` of its own, so running status and garbage are handled per device and never
raise. (rtmidi's callback mode hands JACK messages over in a shared buffer: with the
interpreter busy, a fast knob sweep arrived as repeats of stale values. Its queue copies.)
``PortWatcher`` re-reads the port list and opens or drops the chosen ports as they come and go.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from imbolc.core.live import EventSink, MidiDecoder

Log = Callable[[str], None]
ALSA_DEVICE = Path("/dev/snd/seq")
SHM = Path("/dev/shm")
CLIENT_NAME = "imbolc"
ALL_PORTS = "all"
"""The selection that listens to every input port there is."""
POLL_SECONDS = 0.0003
"""How long an input's thread sleeps when rtmidi's queue is empty (adds half this, on
average, to a note's latency)."""
QUEUE_LIMIT = 4096
"""Messages rtmidi keeps for a port between two polls (a SysEx dump or a dense sweep)."""

try:  # the library is a dependency, but a broken install must not stop the app
    import rtmidi
except ImportError:  # pragma: no cover - exercised only on a broken install
    rtmidi = None


def _quiet(_message: str) -> None:
    return None


def midi_available() -> str | None:
    """None when MIDI ports can be used here, else why not."""
    if rtmidi is None:
        return "python-rtmidi is not installed"
    return None


def jack_running() -> bool:
    """Whether the JACK server clients would connect to is up (its sockets exist in /dev/shm).

    Asking libjack instead would print errors on the terminal whenever no server runs.
    """
    name = os.environ.get("JACK_DEFAULT_SERVER", "default")
    return any(SHM.glob(f"jack_{name}_*"))


def _apis() -> list[tuple[str, int]]:
    """(prefix, rtmidi API) for the systems this machine can have ports on."""
    if rtmidi is None:
        return []
    compiled = set(rtmidi.get_compiled_api())
    found: list[tuple[str, int]] = []
    if rtmidi.API_LINUX_ALSA in compiled and ALSA_DEVICE.exists():
        found.append(("alsa", rtmidi.API_LINUX_ALSA))
    if rtmidi.API_UNIX_JACK in compiled and jack_running():
        found.append(("jack", rtmidi.API_UNIX_JACK))
    return found


def _split(name: str) -> tuple[str, str]:
    prefix, _, port = name.partition(": ")
    return prefix, port


class _Listener:
    """One open input port: its rtmidi client, the thread draining it, and its decoder."""

    def __init__(self, api: int, index: int, name: str, sink: EventSink, log: Log) -> None:
        self.name = name
        self.sink = sink
        self.log = log
        self.decoder = MidiDecoder(lambda message: log(f"{name}: {message}"))
        self.client: Any = rtmidi.MidiIn(api, name=CLIENT_NAME, queue_size_limit=QUEUE_LIMIT)
        self.client.ignore_types(sysex=False, timing=False, active_sense=True)
        self.client.open_port(index, name="in")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name=f"midi-in {name}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        get = self.client.get_message
        while not self._stop.is_set():
            try:
                message = get()
            except Exception as error:  # a closed client ends the thread, never the app
                self.log(f"{self.name}: MIDI input stopped: {error}")
                return
            if message is None:
                time.sleep(POLL_SECONDS)
                continue
            self._received(message[0], time.monotonic())

    def _received(self, data: list[int], now: float) -> None:
        try:
            for event in self.decoder.feed(data, now):
                self.sink(event)
        except Exception as error:  # a sink failure must not end the input
            self.log(f"{self.name}: MIDI event not handled: {error}")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(1.0)
        with contextlib.suppress(Exception):
            self.client.close_port()
        with contextlib.suppress(Exception):
            self.client.delete()


class RtMidiInput:
    """``MidiInput`` over python-rtmidi (rtmidi opens JACK clients without starting a server)."""

    def __init__(self, log: Log = _quiet) -> None:
        self.log = log
        self._listers: dict[str, Any] = {}
        self._open: dict[str, _Listener] = {}
        self._lock = threading.Lock()

    def _lister(self, prefix: str, api: int) -> Any | None:
        lister = self._listers.get(prefix)
        if lister is None:
            try:
                lister = rtmidi.MidiIn(api, name=f"{CLIENT_NAME}-ports")
            except Exception:  # no JACK server or no sequencer right now
                return None
            self._listers[prefix] = lister
        return lister

    def _indexed(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for prefix, api in _apis():
            lister = self._lister(prefix, api)
            if lister is None:
                continue
            try:
                names = lister.get_ports()
            except Exception:
                self._listers.pop(prefix, None)
                continue
            for index, port in enumerate(names):
                if port.startswith(f"{CLIENT_NAME}:"):
                    continue  # our own ports (clock out) are not inputs to choose
                found[f"{prefix}: {port}"] = (api, index)
        return found

    def ports(self) -> list[str]:
        with self._lock:
            return sorted(self._indexed())

    def open(self, names: list[str], sink: EventSink) -> list[str]:
        with self._lock:
            available = self._indexed()
            for name in [n for n in self._open if n not in names]:
                self._open.pop(name).close()
            for name in names:
                if name in self._open or name not in available:
                    continue
                api, index = available[name]
                try:
                    self._open[name] = _Listener(api, index, name, sink, self.log)
                except Exception as error:
                    self.log(f"MIDI input {name} could not be opened: {error}")
            return sorted(self._open)

    def opened(self) -> list[str]:
        with self._lock:
            return sorted(self._open)

    def close(self) -> None:
        with self._lock:
            for listener in self._open.values():
                listener.close()
            self._open.clear()
            for lister in self._listers.values():
                with contextlib.suppress(Exception):
                    lister.delete()
            self._listers.clear()


class RtMidiOutput:
    """A virtual MIDI output port (JACK or ALSA) others connect to: MIDI clock, tests."""

    def __init__(
        self, port_name: str = "out", api: str | None = None, client: str = CLIENT_NAME
    ) -> None:
        if rtmidi is None:
            raise OSError("python-rtmidi is not installed")
        chosen = [a for p, a in _apis() if api is None or p == api]
        errors: list[str] = []
        for candidate in chosen:
            try:
                self.client: Any = rtmidi.MidiOut(candidate, name=client)
                self.client.open_virtual_port(port_name)
                return
            except Exception as error:
                errors.append(str(error))
        raise OSError(f"no MIDI output could be opened: {'; '.join(errors) or 'no MIDI system'}")

    def send(self, data: Sequence[int]) -> None:
        """Send one message's bytes."""
        self.client.send_message(list(data))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close_port()
        with contextlib.suppress(Exception):
            self.client.delete()


class PortWatcher:
    """Keeps the chosen ports open as devices come and go, reporting each change."""

    def __init__(
        self,
        midi: RtMidiInput,
        sink: EventSink,
        log: Log = _quiet,
        selection: str | list[str] = ALL_PORTS,
        interval: float = 1.0,
    ) -> None:
        self.midi = midi
        self.sink = sink
        self.log = log
        self.selection: str | list[str] = selection
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._known: set[str] | None = None

    def choose(self, selection: str | list[str]) -> list[str]:
        """Listen to ``selection`` (a list of port names, ``"all"``, or ``[]`` for none)."""
        self.selection = selection
        return self.poll()

    def wanted(self, available: list[str]) -> list[str]:
        """The available ports the selection asks for."""
        if self.selection == ALL_PORTS:
            return available
        if isinstance(self.selection, str):
            return [n for n in available if n == self.selection or _split(n)[1] == self.selection]
        return [n for n in available if n in self.selection]

    def poll(self) -> list[str]:
        """Re-read the ports once: open what appeared, drop what vanished; the open ports."""
        available = self.midi.ports()
        before = set(self.midi.opened())
        now = set(self.midi.open(self.wanted(available), self.sink))
        if self._known is not None:
            for name in sorted(set(available) - self._known):
                self.log(f"MIDI port appeared: {name}" + (" (listening)" if name in now else ""))
            for name in sorted(self._known - set(available)):
                self.log(f"MIDI port gone: {name}" + (" (dropped)" if name in before else ""))
        self._known = set(available)
        return sorted(now)

    def start(self) -> None:
        """Poll in a thread every ``interval`` seconds until ``stop``."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="imbolc-midi-ports", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception as error:  # listing must never take the app down
                self.log(f"MIDI ports could not be read: {error}")

    def stop(self) -> None:
        """Stop polling (the ports stay as they are)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
