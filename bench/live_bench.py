"""Live MIDI: note-on on a real JACK MIDI port → ``/s_new`` sent to a real scsynth, while another
thread keeps the interpreter busy; and a 1 kHz CC sweep folded per target per engine tick."""

from __future__ import annotations

import collections
import itertools
import os
import shutil
import threading
import time

from bench.timing import percentile, table
from imbolc.core.actions import AddCcMapping, AddInstrument, SetMixerLevel
from imbolc.core.actions.mixer import Strip
from imbolc.core.automation import AutomationTarget
from imbolc.core.config import MidiConfig
from imbolc.core.midi_map import CcMapping
from imbolc.core.store import Store
from imbolc.engine.osc import decode_messages
from imbolc.engine.processes import start_jackd
from imbolc.engine.realtime import RealtimeEngine
from imbolc.engine.server import ServerOptions
from imbolc.live import RtMidiInput, RtMidiOutput
from imbolc.live.ports import _Listener
from imbolc.live_wiring import LiveSession, QueuedHooks

NOTES = 300
SWEEP = 1000
STAGES = ("keys", "jack", "callback", "event", "posted", "planned", "sent")
STAGE_NOTES = (
    "keys: the bench sends on its JACK port; jack: imbolc's JACK client reads it (rtmidi's"
    " JACK clock, aligned on the fastest note); callback: rtmidi's callback holds the GIL;"
    " event: decoded;"
    " posted: routed, handed to the engine; planned: the audio thread takes it;"
    " sent: the /s_new datagram left"
)


def _row(what: str, notes: list[dict[str, float]], start: str, end: str) -> list[str]:
    """A table row: the spread of ``end - start`` over the notes that reached both stages."""
    samples = [n[end] - n[start] for n in notes if start in n and end in n]
    if not samples:
        return [what, f"0/{NOTES}", "-", "-", "-"]
    return [
        what,
        f"{len(samples)}/{NOTES}",
        f"{percentile(samples, 50) * 1e3:.2f}",
        f"{percentile(samples, 99) * 1e3:.2f}",
        f"{max(samples) * 1e3:.2f}",
    ]


def _align_jack_clock(notes: list[dict[str, float]]) -> None:
    """Put the JACK read times on the bench's clock: the note whose callback followed its read
    most closely is taken as having waited nothing (the rest wait that much longer)."""
    offset = min(n["callback"] - n["jack"] for n in notes)
    for note in notes:
        note["jack"] += offset


def _count_ticks(engine: RealtimeEngine) -> list[int]:
    """A counter of the audio thread's ticks (each drains its priority queue once)."""
    audio = engine.audio
    assert audio is not None
    count = [0]
    drain = audio._drain_priority

    def counted(began: float) -> None:
        count[0] += 1
        drain(began)

    audio._drain_priority = counted  # type: ignore[method-assign]
    return count


def _stamp_engine(engine: RealtimeEngine, stages: dict[str, float]) -> None:
    """Stamp the moment a live note is handed to the engine and the moment it is planned."""
    note_on = engine.note_on

    def posted(instrument_id: int, pitch: int, velocity: int) -> None:
        stages.setdefault("posted", time.perf_counter())
        note_on(instrument_id, pitch, velocity)

    engine.note_on = posted  # type: ignore[method-assign]
    audio = engine.audio
    assert audio is not None
    planned = audio._do_note_on

    def planning(*args: object) -> None:
        stages.setdefault("planned", time.perf_counter())
        planned(*args)  # type: ignore[arg-type]

    audio._do_note_on = planning  # type: ignore[method-assign]


def _busy(stop: threading.Event) -> None:
    """The UI thread at its worst: dispatching edits in a tight loop on a store of its own."""
    store = Store()
    store.dispatch(AddInstrument("saw"))
    level = 0.0
    while not stop.is_set():
        level = (level + 0.01) % 1.0
        store.dispatch(SetMixerLevel(Strip("instrument", 1), level))


def run() -> str:
    if shutil.which("scsynth") is None or shutil.which("jackd") is None:
        return "### Live MIDI\n\nskipped: scsynth or jackd not installed\n"
    jack = start_jackd(shutil.which("jackd") or "jackd", sample_rate=48000, period=64)
    os.environ["JACK_DEFAULT_SERVER"] = jack.name
    os.environ["JACK_NO_START_SERVER"] = "1"
    store = Store()
    store.dispatch(AddInstrument("saw", "Lead"))
    target = AutomationTarget("instrument", 1, "mixer.level")
    store.dispatch(AddCcMapping(CcMapping(74, target)))
    engine = RealtimeEngine(store.state, ServerOptions(dummy_audio=False, jack_server=jack.name))
    keys = RtMidiOutput("keys", api="jack", client="bench-keys")
    live = LiveSession(
        engine, lambda: store.state, RtMidiInput(), MidiConfig(input="bench-keys:keys")
    )
    stop = threading.Event()
    try:
        engine.start()
        engine.attach(store)
        deadline = time.monotonic() + 30
        while engine.status().state != "running" or engine.audio is None:
            assert time.monotonic() < deadline, "scsynth did not start"
            time.sleep(0.01)
        time.sleep(1.0)
        hooks = QueuedHooks(store, selected=store.state.instruments.items[0].id)
        live.bind(hooks)
        stages: dict[str, float] = {}
        """Where the current note is: the moment it reached each stage of the path."""
        routed = live.event

        def stamped(event: object) -> None:
            stages.setdefault("event", time.perf_counter())
            routed(event)  # type: ignore[arg-type]

        live.event = stamped  # type: ignore[method-assign]
        received = _Listener._received

        jack_clock = [0.0]  # rtmidi stamps each event with the JACK time since the one before

        def entered(self: _Listener, message: tuple[list[int], float], data: object) -> None:
            now = time.perf_counter()
            jack_clock[0] += message[1]
            if "callback" not in stages:
                stages["callback"], stages["jack"] = now, jack_clock[0]
            received(self, message, data)

        _Listener._received = entered  # type: ignore[method-assign]
        _stamp_engine(engine, stages)
        live.start()
        assert engine.backend is not None
        original = engine.backend._send
        sent = threading.Event()
        n_set: list[float] = []
        n_set_ticks: list[int] = []  # the audio tick each level /n_set was sent in
        tick = _count_ticks(engine)

        def capture(datagram: bytes) -> None:
            original(datagram)
            now = time.perf_counter()
            for message in decode_messages(datagram):
                if message.address == "/s_new" and "sent" not in stages:
                    stages["sent"] = now
                    sent.set()
                elif message.address == "/n_set" and "level" in message.contents:
                    n_set.append(now)
                    n_set_ticks.append(tick[0])

        engine.backend._send = capture  # type: ignore[method-assign]

        def play_notes() -> list[dict[str, float]]:
            notes: list[dict[str, float]] = []
            for n in range(NOTES):
                sent.clear()
                stages.clear()
                stages["keys"] = time.perf_counter()
                keys.send([0x90, 48 + n % 24, 100])
                if sent.wait(1.0):
                    notes.append(dict(stages))
                time.sleep(0.002)
                keys.send([0x80, 48 + n % 24, 0])
                time.sleep(0.008)
            return notes

        idle = play_notes()
        busy = threading.Thread(target=_busy, args=(stop,), daemon=True)
        busy.start()
        loaded = play_notes()
        stop.set()
        busy.join()
        _align_jack_clock(idle + loaded)
        # The sweep: 1000 CC moves at 1 kHz while the owner thread drains every 5 ms.
        audio = engine.audio
        ticks_before = len(audio.tick_seconds)
        n_set.clear()
        n_set_ticks.clear()
        done = threading.Event()

        def sweep() -> None:
            began = time.perf_counter()
            for n in range(SWEEP):
                while time.perf_counter() < began + n / 1000:
                    time.sleep(0.0002)
                keys.send([0xB0, 74, n % 128])
            done.set()

        sender = threading.Thread(target=sweep)
        began = time.perf_counter()
        sender.start()
        while not done.is_set():
            hooks.run_pending()
            time.sleep(0.005)
        sender.join()
        time.sleep(0.05)
        hooks.run_pending()
        time.sleep(0.05)
        seconds = time.perf_counter() - began
        ticks = len(audio.tick_seconds) - ticks_before
        per_tick = collections.Counter(n_set_ticks)
        windows: dict[int, int] = {}
        for stamp in n_set:
            key = int((stamp - began) / 0.005)
            windows[key] = windows.get(key, 0) + 1
        rows = [
            _row(f"{label}: {span}", notes, start, end)
            for label, notes in (("idle", idle), ("busy", loaded))
            for span, start, end in (
                ("sent on the JACK port → /s_new sent", "keys", "sent"),
                ("in rtmidi's callback → /s_new sent", "callback", "sent"),
            )
        ]
        out = table(
            "MIDI note-on → /s_new sent to scsynth (JACK period 64); busy: a thread dispatching",
            ["span", "notes", "p50 ms", "p99 ms", "max ms"],
            rows,
        )
        hops = [
            _row(f"{label}: {start} → {end}", notes, start, end)
            for label, notes in (("idle", idle), ("busy", loaded))
            for start, end in itertools.pairwise(s for s in STAGES if s in notes[0])
        ]
        out += "\n" + table(
            "Where the time goes, stage by stage (" + STAGE_NOTES + ")",
            ["hop", "notes", "p50 ms", "p99 ms", "max ms"],
            hops,
        )
        out += "\n" + table(
            f"1 kHz CC sweep ({SWEEP} moves over {seconds:.2f} s) onto one mapped target",
            [
                "CC moves",
                "store dispatches",
                "/n_set sent",
                "audio ticks",
                "max /n_set per audio tick",
                "max /n_set per 5 ms",
            ],
            [
                [
                    SWEEP,
                    live.dispatched_moves,
                    len(n_set),
                    ticks,
                    max(per_tick.values(), default=0),
                    max(windows.values(), default=0),
                ]
            ],
        )
        return out
    finally:
        stop.set()
        live.shutdown()
        keys.close()
        engine.shutdown()
        jack.stop()
