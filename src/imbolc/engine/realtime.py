"""Realtime playback on scsynth: the UDP backend, the audio thread and the engine handle.

The store's owner thread only enqueues commits (a reference and its effects, never a copy);
the audio thread owns the transport and the engine, drains a priority queue (voices,
transport, parameter sets) before the normal one (structural work), and schedules notes
``LOOKAHEAD`` seconds ahead with OSC timetags. A live note is planned and sent on its own
thread under the engine lock (one writer at a time), without a hand-off to the audio thread.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from supriya.osc import OscMessage

from imbolc.core.effects import (
    BusParamChanged,
    Change,
    Effects,
    ParamChanged,
    SoloChanged,
    StripChanged,
)
from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import EngineStatus, Meters, Transport
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.core.timemap import time_map
from imbolc.engine.backend import Backend
from imbolc.engine.engine import Engine
from imbolc.engine.osc import MAX_DATAGRAM, OscClient, encode, encode_bundle
from imbolc.engine.player import Player
from imbolc.engine.requests import Request, RunNode
from imbolc.engine.server import ScsynthServer, ServerOptions
from imbolc.engine.synthdefs.system import METER_ADDRESS

LOOKAHEAD = 0.05
"""Seconds notes are scheduled ahead. The audio thread wakes every ``TICK`` (5 ms); measured
tick p99 under a busy main thread stays far below this, and GC pauses of a few ms fit, so
50 ms absorbs Python's jitter while keeping a pressed Play responsive (see benchmarks)."""
TICK = 0.005
SWITCH_INTERVAL = 0.0002


class _SwitchInterval:
    """The interpreter's thread switch interval, lowered while any audio thread runs and
    restored when the last one ends (it is process-wide: a stopped engine must not leave
    every other thread paying for it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._saved = sys.getswitchinterval()

    def acquire(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, SWITCH_INTERVAL))
            self._holders += 1

    def release(self) -> None:
        with self._lock:
            if self._holders == 0:
                return
            self._holders -= 1
            if self._holders == 0:
                sys.setswitchinterval(self._saved)


SWITCH_INTERVAL_HOLDERS = _SwitchInterval()
"""Seconds a thread waits for the GIL before asking its holder to hand it over, while an audio
thread runs (Python's default is 5 ms). A live note's thread waits this long behind a busy
interface at each acquisition; 0.2 ms measured best for a note's p50 and p99 (0.1 ms no better,
0.5 ms worse; see benchmarks: live MIDI)."""
PRIORITY_BATCH = 512
"""At most this many queued priority commands are taken per tick (then folded)."""
METER_GRACE = 3.0
"""Seconds of silence after the last voice before meters pause (reverb tails still show)."""
IDLE_WAIT = 0.1
"""While stopped the thread only wakes for commands (or every 100 ms for housekeeping)."""
SYNTHDEF_BATCH_BYTES = 48_000
PRIORITY_BUDGET = 0.002
"""Seconds a tick spends on queued priority commands before it schedules notes: a flood of
knob turns delays the knobs, never the transport."""
SYNC_TIMEOUT = 5.0
STATUS_PERIOD = 1.0
SWEEP_PERIOD = 0.1
_PARAM_ONLY = (ParamChanged, StripChanged, BusParamChanged, SoloChanged)


class ScsynthBackend:
    """Sends requests over UDP: a lone immediate request as a plain message, anything else
    as a (timed) bundle, split to fit a datagram."""

    def __init__(self, client: OscClient) -> None:
        self.client = client
        self.sent_messages = 0
        self.sent_bytes = 0

    def send(self, requests: Sequence[Request], at: float | None = None) -> None:
        if not requests:
            return
        if at is None and len(requests) == 1:
            self._send(encode(requests[0].to_osc()))
            return
        batch: list[bytes] = []  # each message encoded once, sized and bundled as bytes
        size = 16
        for request in requests:
            datagram = encode(request.to_osc())
            length = len(datagram) + 4
            if batch and size + length > MAX_DATAGRAM:
                self._send(encode_bundle(batch, at))
                batch, size = [], 16
            batch.append(datagram)
            size += length
        self._send(encode_bundle(batch, at))

    def _send(self, datagram: bytes) -> None:
        self.client.send(datagram)
        self.sent_messages += 1
        self.sent_bytes += len(datagram)

    def now(self) -> float:
        return time.time()


def _number(message: OscMessage, index: int) -> float:
    value = message.contents[index]
    return float(value) if isinstance(value, int | float) else 0.0


@dataclass(frozen=True)
class _SyncedOneByOne:
    """A backend that sends each request alone and waits for the server after each."""

    backend: Backend
    sync: Callable[[], None]

    def send(self, requests: Sequence[Request], at: float | None = None) -> None:
        for request in requests:
            self.backend.send([request], at)
            self.sync()

    def now(self) -> float:
        return self.backend.now()


@dataclass(frozen=True)
class _Command:
    kind: str
    args: tuple[Any, ...] = ()


def _change_key(change: object) -> object:
    if isinstance(change, ParamChanged):
        return ("param", change.instrument_id, change.path)
    if isinstance(change, BusParamChanged):
        return ("bus", change.bus_id, change.stage_id, change.name)
    return change  # StripChanged and SoloChanged compare by value


def fold_commits(commands: list[_Command]) -> list[_Command]:
    """Merge runs of parameter-only commits into one commit of the newest project whose
    changes name each target once, with its newest value."""
    out: list[_Command] = []
    for command in commands:
        previous = out[-1] if out else None
        if command.kind == "commit" and previous is not None and previous.kind == "commit":
            _old_project, old_effects = previous.args
            project, effects = command.args
            merged: dict[object, Change] = {_change_key(c): c for c in old_effects.changes}
            for change in effects.changes:
                merged.pop(_change_key(change), None)
                merged[_change_key(change)] = change
            out[-1] = _Command("commit", (project, Effects(tuple(merged.values()), None)))
        else:
            out.append(command)
    return out


class AudioThread:
    """Owns transport and engine; everything reaches it through its two queues, except live
    notes, played on their caller's thread under ``engine_lock`` (see ``live``)."""

    def __init__(self, engine: Engine, project: Project, report: Callable[[str], None]) -> None:
        self.engine = engine
        self.player = Player(engine)
        self.project = project
        self.report = report
        self.priority: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self.normal: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self._pending_normal = 0
        self._lock = threading.Lock()
        self.transport = Transport(bpm=project.session.settings.bpm)
        self.tick_seconds: list[float] = []
        self._thread = threading.Thread(target=self._run, name="imbolc-audio", daemon=True)
        self._running = False
        self._meters: set[InstrumentId] = set()
        self._bus_meters: set[BusId] = set()
        self.meters_paused = False
        self._quiet_since: float | None = None
        self._backlog: deque[_Command] = deque()
        self._anchors: deque[tuple[float, float]] = deque(maxlen=64)
        """(time, tick) where each scheduled window begins: what is heard lags them."""
        self.engine_lock = threading.Lock()
        """Held by whoever touches the engine: the audio thread for each command and window,
        a live note's own thread while it plays it (the engine has one writer at a time)."""
        self._queued_live = 0
        """Live notes waiting in the priority queue: later ones queue behind them (in order)."""

    # --- called from other threads -----------------------------------------------------------

    def start(self) -> None:
        """Start the thread, and let Python switch threads often enough that a busy main
        thread cannot hold the GIL across a whole tick (see benchmarks: audio thread)."""
        SWITCH_INTERVAL_HOLDERS.acquire()
        self._running = True
        try:
            self._thread.start()
        except BaseException:
            SWITCH_INTERVAL_HOLDERS.release()
            raise

    def post(self, kind: str, *args: Any, structural: bool = False) -> None:
        """Queue a command; structural work goes behind any structural work already queued,
        and nothing overtakes structural work still waiting."""
        with self._lock:
            if structural or self._pending_normal:
                self._pending_normal += 1
                self.normal.put(_Command(kind, args))
            else:
                self.priority.put(_Command(kind, args))
                return
        self.priority.put(_Command("wake"))  # the thread may be waiting on the priority queue

    def request_transport(self, playing: bool) -> None:
        """Ask for play or stop; the transport reads as asked at once (the UI starts its
        playhead timer on it), and the audio thread makes it so within one tick."""
        current = self.transport
        self.transport = Transport(playing, current.tick, current.bpm)
        self.post("play" if playing else "stop")

    def commit(self, project: Project, effects: Effects) -> None:
        """A store commit: parameter-only ones go first, structural ones in order."""
        param_only = all(isinstance(change, _PARAM_ONLY) for change in effects.changes)
        self.post("commit", project, effects, structural=not param_only)

    def live(self, kind: str, *args: Any) -> None:
        """Play a live note (``note_on``/``note_off``) on the caller's thread, at once.

        Handing it to the audio thread costs a thread switch (a GIL hand-off that a busy
        interface stretches to milliseconds); so the caller plans and sends it itself under
        the engine lock. When the audio thread holds the lock (a rebuild can take seconds) or
        an earlier live note still waits in its queue, the note is queued in order instead:
        a device's thread never waits for the engine.
        """
        if self._running and self.engine_lock.acquire(blocking=False):
            try:
                if self._running and not self._queued_live:
                    self._handle(_Command(kind, args))
                    return
            finally:
                self.engine_lock.release()
        with self._lock:
            self._queued_live += 1
        self.post("live", kind, args)

    def stop_thread(self, timeout: float = 2.0) -> None:
        """Stop the thread (releasing voices first)."""
        self.priority.put(_Command("quit"))
        self._thread.join(timeout)

    # --- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            SWITCH_INTERVAL_HOLDERS.release()

    def _serve(self) -> None:
        next_sweep = next_status = time.monotonic()
        while self._running:
            idle = not (self.player.playing or self._pending_normal or self._backlog)
            with contextlib.suppress(queue.Empty):
                self._backlog.append(self.priority.get(timeout=IDLE_WAIT if idle else TICK))
            began = time.perf_counter()
            with self.engine_lock:
                self._drain_priority(began)
            for _ in range(64):
                try:
                    command = self.normal.get_nowait()
                except queue.Empty:
                    break
                with self._lock:
                    self._pending_normal -= 1
                with self.engine_lock:
                    self._handle(command)
            with self.engine_lock:
                self._schedule_window()
            now = time.monotonic()
            if now >= next_sweep:
                with self.engine_lock:
                    self.engine.sweep(time.time())
                    self._pause_meters_when_quiet(now)
                next_sweep = now + SWEEP_PERIOD
            if now >= next_status:
                self._handle(_Command("status"))
                next_status = now + STATUS_PERIOD
            self.tick_seconds.append(time.perf_counter() - began)
            if len(self.tick_seconds) > 4096:
                del self.tick_seconds[:2048]

    def _schedule_window(self) -> None:
        """Schedule the next window (under the engine lock)."""
        try:
            self._advance()
        except Exception as error:  # a scheduling error must not stop the thread
            self.report(f"audio thread: scheduling failed: {error}")
            self.player.stop()

    def _drain_priority(self, began: float) -> None:
        """Run queued priority commands within the tick's budget; a burst of knob turns is
        folded so each target gets only its newest value."""
        for _ in range(PRIORITY_BATCH):
            try:
                self._backlog.append(self.priority.get_nowait())
            except queue.Empty:
                break
        batch = fold_commits(list(self._backlog))
        self._backlog.clear()
        for n, command in enumerate(batch):
            if time.perf_counter() - began > PRIORITY_BUDGET:
                self._backlog.extend(batch[n:])  # the rest goes first next tick
                return
            self._handle(command)

    def _pause_meters_when_quiet(self, now: float) -> None:
        """Stopped and silent for a while: pause the meters, so an idle app gets no replies."""
        silent = (
            not self.player.playing
            and not self.engine.drones  # an active audio_in or bus_in always sounds
            and not any(len(v) for v in self.engine.voices.values())
        )
        if not silent:
            self._quiet_since = None
            self._resume_meters()
            return
        if self._quiet_since is None:
            self._quiet_since = now
        elif not self.meters_paused and now - self._quiet_since > METER_GRACE:
            self._set_meters_running(False)

    def _resume_meters(self) -> None:
        if self.meters_paused:
            self._set_meters_running(True)

    def _set_meters_running(self, running: bool) -> None:
        graph = self.engine.graph
        nodes = [graph.meter_node, *graph.meter_nodes.values(), *graph.bus_meter_nodes.values()]
        if graph.meter_node:
            self.engine.backend.send([RunNode(node, running) for node in nodes])
        self.meters_paused = not running

    def _advance(self) -> None:
        player = self.player
        if not player.playing:
            return
        now = time.time()
        self._anchors.append((player.time, player.tick))
        player.advance(self.project, now + LOOKAHEAD)
        heard = self._heard(now)
        bpm = player.clock(self.project).bpm_at(heard)
        self.transport = Transport(True, max(0.0, heard), bpm)

    def _heard(self, now: float) -> float:
        """The tick sounding now: from the last window that has begun, moving on through the
        tempo map (windows start ``LOOKAHEAD`` ahead, so the first ones have not begun yet)."""
        began = [(t, tick) for t, tick in self._anchors if t <= now]
        if not began:
            return self._anchors[0][1] if self._anchors else self.transport.tick
        at, tick = began[-1]
        heard = self.player.clock(self.project).ticks_after(tick, now - at)
        roll = self.project.session.piano_roll
        looping = roll.looping and self.project.session.arrangement.play_mode == "pattern"
        if looping and roll.loop_start <= tick < roll.loop_end <= heard:
            heard -= roll.loop_end - roll.loop_start
        return heard

    def _handle(self, command: _Command) -> None:
        kind, args = command.kind, command.args
        try:
            getattr(self, f"_do_{kind}")(*args)
        except Exception as error:  # a bad command must never kill the audio thread
            self.report(f"audio thread: {kind} failed: {error}")

    def _do_wake(self) -> None:
        return None

    def _do_quit(self) -> None:
        self.player.stop()
        self._running = False

    def _do_commit(self, project: Project, effects: Effects) -> None:
        self.project = project
        self.engine.apply(project, effects)
        if not self.player.playing:
            tick = self.transport.tick
            self.transport = Transport(False, tick, time_map(project.session).bpm_at(tick))

    def _do_rebuild(self, project: Project) -> None:
        self.project = project
        self.meters_paused = False
        self._load_synthdefs()
        self.engine.start(project)
        if self._meters or self._bus_meters:
            self.engine.backend.send(self.engine.graph.set_meters(self._meters, self._bus_meters))
        if self.player.playing:
            self.player.start(self.transport.tick, time.time() + LOOKAHEAD)

    def _load_synthdefs(self) -> None:
        """Load every SynthDef one datagram at a time, each confirmed by ``/sync``.

        Sent in one burst (about 400 KB) they overflow scsynth's UDP receive buffer and whole
        batches are lost; and ``/d_recv`` completes asynchronously, so nothing may use a def
        before the sync says it exists.
        """
        backend = self.engine.backend
        client = getattr(backend, "client", None)
        if not isinstance(client, OscClient):
            self.engine.load_synthdefs(max_bytes=SYNTHDEF_BATCH_BYTES)
            return
        self.engine.backend = _SyncedOneByOne(backend, lambda: client.sync(timeout=SYNC_TIMEOUT))
        try:
            self.engine.load_synthdefs(max_bytes=SYNTHDEF_BATCH_BYTES)
        finally:
            self.engine.backend = backend

    def _do_play(self) -> None:
        self._resume_meters()
        if not self.player.playing:
            self._anchors.clear()
            self.player.start(self.transport.tick, time.time() + LOOKAHEAD)
            self.transport = Transport(True, self.transport.tick, self.player.tempo(self.project))

    def _do_count_in(self, tick: float, beats: int) -> None:
        self._resume_meters()
        self._anchors.clear()
        if self.player.playing:
            self.player.stop()
        self.player.count_in(tick, beats, time.time() + LOOKAHEAD)
        lead = max(0.0, self.player.tick)
        self.transport = Transport(True, lead, self.player.tempo(self.project))

    def _do_stop(self) -> None:
        self.player.stop()
        self.transport = Transport(False, self.transport.tick, self.transport.bpm)

    def _do_seek(self, tick: float) -> None:
        self._anchors.clear()
        playing = self.player.playing
        if playing:
            self.player.stop()
            self.player.start(tick, time.time() + LOOKAHEAD)
        self.transport = Transport(playing, tick, self.transport.bpm)

    def _do_note_on(self, instrument_id: InstrumentId, pitch: int, velocity: float) -> None:
        self._resume_meters()
        self.engine.note_on(instrument_id, pitch, velocity)

    def _do_note_off(self, instrument_id: InstrumentId, pitch: int) -> None:
        self.engine.note_off(instrument_id, pitch)

    def _do_live(self, kind: str, args: tuple[Any, ...]) -> None:
        """A live note that found the engine busy and was queued (see ``live``)."""
        with self._lock:
            self._queued_live -= 1
        self._handle(_Command(kind, args))

    def _do_meters(self, wanted: set[InstrumentId], buses: set[BusId] | None = None) -> None:
        self._meters = set(wanted)
        self._bus_meters = set() if buses is None else set(buses)
        self.engine.backend.send(self.engine.graph.set_meters(self._meters, self._bus_meters))

    def _do_node_ended(self, node_id: int) -> None:
        self.engine.node_ended(node_id)

    def _do_status(self) -> None:
        send = getattr(self.engine.backend, "client", None)
        if isinstance(send, OscClient):
            send.send(encode(OscMessage("/status")))

    def _do_call(self, function: Callable[[], None]) -> None:
        function()


def with_peaks(meters: Meters, reply_id: int, peaks: tuple[float, float]) -> Meters:
    """``meters`` with one meter reply: reply id 0 is the master, a positive id an
    instrument, a negative one minus a bus id."""
    if reply_id == 0:
        return Meters(peaks, meters.instruments, meters.buses)
    if reply_id > 0:
        return Meters(meters.master, {**meters.instruments, reply_id: peaks}, meters.buses)
    return Meters(meters.master, meters.instruments, {**meters.buses, -reply_id: peaks})


class ThreadedEngine:
    """The ``EnginePort`` half shared by every engine driven by an ``AudioThread``: following
    the store and forwarding transport and live notes to the thread."""

    audio: AudioThread | None
    _project: Project

    def attach(self, store: Store) -> Callable[[], None]:
        """Follow a store: every commit is forwarded (by reference) to the audio thread."""

        def forward(commit: Commit) -> None:
            self._project = commit.new
            if self.audio is not None:
                self.audio.commit(commit.new, commit.effects)

        return store.subscribe(forward)

    def transport(self) -> Transport:
        return self.audio.transport if self.audio is not None else Transport()

    def watch_meters(
        self, instrument_ids: set[InstrumentId], bus_ids: set[BusId] | None = None
    ) -> None:
        """Meter only these instruments and buses (the strips on screen)."""
        if self.audio is not None:
            self.audio.post("meters", set(instrument_ids), set(bus_ids or ()))

    def play(self) -> None:
        if self.audio is not None:
            self.audio.request_transport(True)

    def stop(self) -> None:
        if self.audio is not None:
            self.audio.request_transport(False)

    def seek(self, tick: float) -> None:
        if self.audio is not None:
            self.audio.post("seek", max(0.0, float(tick)))

    def count_in(self, tick: float, beats: int) -> None:
        """Count ``beats`` clicked beats into ``tick`` (see ``Player.count_in``)."""
        if self.audio is not None:
            current = self.audio.transport
            lead = max(0.0, tick - max(0, beats) * TICKS_PER_BEAT)
            self.audio.transport = Transport(True, lead, current.bpm)
            self.audio.post("count_in", max(0.0, float(tick)), beats)

    def note_on(self, instrument_id: int, pitch: int, velocity: int) -> None:
        """Play a note at once, on the caller's thread (see ``AudioThread.live``)."""
        if self.audio is not None:
            self.audio.live("note_on", InstrumentId(instrument_id), pitch, velocity / 127.0)

    def note_off(self, instrument_id: int, pitch: int) -> None:
        if self.audio is not None:
            self.audio.live("note_off", InstrumentId(instrument_id), pitch)


class RealtimeEngine(ThreadedEngine):
    """The scsynth engine as the UI sees it (``EnginePort``): server, audio thread, meters."""

    def __init__(
        self,
        project: Project,
        options: ServerOptions | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        self._report = report or (lambda message: None)
        self._options = options or ServerOptions()
        self._project = project
        self._status = EngineStatus("scsynth", "stopped", "not started")
        self._meters = Meters()
        self.server = ScsynthServer(on_crash=self._crashed, on_ready=self._ready)
        self.audio: AudioThread | None = None
        self.backend: ScsynthBackend | None = None
        self.problems: list[str] = []

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Boot jackd (dummy when headless) and scsynth, then build the graph."""
        self._status = EngineStatus("scsynth", "starting", "booting scsynth")
        self.server.start(self._options)

    def connect(self, host: str, port: int) -> None:
        """Use an scsynth someone else runs (never stopped by us)."""
        self._status = EngineStatus("scsynth", "starting", f"connecting to {host}:{port}")
        self.server.connect_existing(host, port)

    def _ready(self) -> None:
        client = self.server.client
        if self.audio is None:
            self.backend = ScsynthBackend(client)
            parallel = self._options.program == "supernova"
            engine = Engine(self.backend, self._problem, parallel_groups=parallel)
            self.audio = AudioThread(engine, self._project, self._problem)
            client.add_handler("/n_end", self._node_ended)
            client.add_handler(METER_ADDRESS, self._meter)
            client.add_handler("/status.reply", self._status_reply)
            self.audio.start()
        self.audio.post("rebuild", self.audio.project, structural=True)
        self._status = EngineStatus(
            "scsynth", "running", f"{self._options.program} on port {self.server.port}",
            sample_rate=self._options.sample_rate, block_size=self._options.jack_period,
            latency_ms=LOOKAHEAD * 1000,
        )  # fmt: skip

    def _crashed(self, reason: str) -> None:
        self._status = EngineStatus("scsynth", "restarting", f"{reason}; restarting")
        self._report(f"audio server crashed ({reason}); restarting")
        try:
            self.server.restart()
        except Exception as error:
            self._status = EngineStatus("scsynth", "error", f"restart failed: {error}")
            self._report(f"audio server could not restart: {error}")

    def _problem(self, message: str) -> None:
        self.problems.append(message)
        self._report(message)

    # --- replies (OSC receive thread) ----------------------------------------------------------

    def _node_ended(self, message: OscMessage) -> None:
        if self.audio is not None:
            self.audio.post("node_ended", int(_number(message, 0)))

    def _meter(self, message: OscMessage) -> None:
        reply_id = int(_number(message, 1))
        peaks = (_number(message, 2), _number(message, 4))
        self._meters = with_peaks(self._meters, reply_id, peaks)

    def _status_reply(self, message: OscMessage) -> None:
        cpu = _number(message, 5)
        status = self._status
        self._status = EngineStatus(
            status.backend, status.state, status.message, cpu, status.sample_rate,
            status.block_size, status.latency_ms,
        )  # fmt: skip

    # --- EnginePort ------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        return self._status

    def meters(self) -> Meters:
        if self.audio is not None and self.audio.meters_paused:
            return Meters()
        return self._meters

    def restart(self) -> None:
        self._status = EngineStatus("scsynth", "restarting", "restarting")
        self.server.restart()

    def shutdown(self) -> None:
        if self.audio is not None:
            self.audio.stop_thread()
        self.server.stop()
        self._status = EngineStatus("scsynth", "stopped", "stopped")
