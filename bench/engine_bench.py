"""Engine benchmarks: a knob turn against the seed's approaches, the audio thread under a busy
main thread, NRT render speed, and a structural change until the server confirms it.

The sections that need scsynth (and jackd) say so in their table when it is missing.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec
from msgspec.structs import replace

from bench.core_bench import FakeClock
from bench.projects import build_project
from bench.timing import median_us, percentile, table, time_each
from imbolc.core.actions import AddEffect, RemoveStage, SetMixerLevel, SetStageParam
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.notes import Note, Track
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.engine.audibility import strip_mute
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.graph import Graph
from imbolc.engine.layout import Allocation
from imbolc.engine.realtime import LOOKAHEAD, TICK, RealtimeEngine
from imbolc.engine.render import build_score, render
from imbolc.engine.requests import FreeGroupChildren, Request, SetControls
from imbolc.engine.server import ServerOptions

SIZES = (16, 64, 256)
BAR = 4 * 480
MINUTE_BARS = 30  # 60 s at 120 BPM


def _wire(requests: list[Request]) -> tuple[int, int]:
    """(messages, bytes) of ``requests`` as the OSC datagrams they become."""
    return len(requests), sum(len(r.to_osc().to_datagram()) for r in requests)


# --- a mixer knob turn --------------------------------------------------------------------------


def _every_strip(engine: Engine, project: Project) -> list[Request]:
    """The seed's approach: every strip's level, pan and mute, whatever changed."""
    return [
        SetControls(
            engine.graph.instruments[inst.id].output_node,
            {
                "level": inst.mixer.level,
                "pan": inst.mixer.pan,
                "mute": strip_mute(project, inst),
            },
        )
        for inst in project.instruments.items
    ]


def _snapshot_and_rebuild(project: Project) -> tuple[list[Request], int]:
    """A full state snapshot plus a rebuild of the whole graph; (requests, snapshot bytes)."""
    snapshot = msgspec.msgpack.encode(project)
    requests: list[Request] = [FreeGroupChildren(0)]
    requests.extend(Graph(Allocation.fresh()).build(project))
    return requests, len(snapshot)


APPROACHES = (("ours: one /n_set", 2000), ("every strip", 500), ("snapshot + rebuild", 60))
"""Each way of turning a knob, with how many turns to time."""


def _knob_cost(project: Project, approach: str, turns: int) -> dict[str, float]:
    """Messages, OSC bytes, snapshot bytes and median µs of one level change done ``approach``."""
    middle = project.instruments.items[len(project.instruments) // 2].id
    clock = FakeClock()
    store = Store(project, clock=clock)
    backend = RecordingBackend()
    engine = Engine(backend)
    engine.start(project)
    backend.clear()
    cost = {"messages": 0.0, "bytes": 0.0, "snapshot": 0.0}

    def forward(commit: Commit) -> None:
        snapshot = 0
        if approach.startswith("ours"):
            requests = engine.apply(commit.new, commit.effects)
        elif approach == "every strip":
            requests = _every_strip(engine, commit.new)
        else:
            requests, snapshot = _snapshot_and_rebuild(commit.new)
        cost["messages"], cost["bytes"] = _wire(requests)
        cost["snapshot"] = snapshot
        backend.clear()

    store.subscribe(forward)

    def turn(i: int) -> None:
        clock.now += 1.0  # a new gesture each time: no undo coalescing
        store.dispatch(SetMixerLevel(instrument_strip(middle), (i % 100) / 100))

    cost["us"] = median_us(time_each(turn, turns))
    return cost


def knob_table() -> str:
    out_rows = []
    ours_by_size = {}
    for count in SIZES:
        project = build_project(count, 0)
        costs = {name: _knob_cost(project, name, turns) for name, turns in APPROACHES}
        ours = costs[APPROACHES[0][0]]
        ours_by_size[count] = ours["us"]
        for approach, row in costs.items():
            snapshot = f" + {row['snapshot'] / 1024:.0f} KiB state" if row["snapshot"] else ""
            out_rows.append(
                [count, approach, int(row["messages"]), f"{int(row['bytes'])}{snapshot}",
                 f"{row['us']:.1f}", f"{row['us'] / ours['us']:.1f}×"]
            )  # fmt: skip
    text = table(
        "Mixer knob turn: dispatch + plan + OSC encode on the main thread (median µs)",
        ["instruments", "approach", "messages", "bytes", "µs", "× ours"],
        out_rows,
    )
    spread = ours_by_size[SIZES[-1]] / ours_by_size[SIZES[0]]
    return text + f"\nOurs at {SIZES[-1]} vs {SIZES[0]} instruments: {spread:.2f}×.\n"


# --- a structural change ------------------------------------------------------------------------


def structural_plan(count: int, repeats: int = 200) -> tuple[float, float, float]:
    """AddEffect on one instrument: (median µs dispatch → planned → encoded, messages, bytes)."""
    project = build_project(count, 0)
    ident = project.instruments.items[count // 2].id
    clock = FakeClock()
    store = Store(project, clock=clock)
    backend = RecordingBackend()
    engine = Engine(backend)
    engine.start(project)
    wire = [0, 0]

    def forward(commit: Commit) -> None:
        wire[:] = _wire(engine.apply(commit.new, commit.effects))
        backend.clear()

    store.subscribe(forward)
    samples = []
    for _ in range(repeats):
        clock.now += 1.0
        began = time.perf_counter()
        store.dispatch(AddEffect(ident, "delay"))
        samples.append(time.perf_counter() - began)
        messages, size = wire
        inst = store.state.instruments.get(ident)
        assert inst is not None
        clock.now += 1.0
        store.dispatch(RemoveStage(ident, inst.chain[-1].id))
    return median_us(samples), messages, size


def structural_live(engine: RealtimeEngine, store: Store, repeats: int = 30) -> list[list[float]]:
    """AddEffect against real scsynth: ms until the audio thread sent it, and until /sync."""
    ident = store.state.instruments.items[len(store.state.instruments) // 2].id
    sent, confirmed = [], []
    for _ in range(repeats):
        done = threading.Event()
        began = time.perf_counter()
        store.dispatch(AddEffect(ident, "delay"))
        _barrier(engine, done)
        sent.append(time.perf_counter() - began)
        engine.server.client.sync(timeout=2.0)
        confirmed.append(time.perf_counter() - began)
        inst = store.state.instruments.get(ident)
        assert inst is not None
        store.dispatch(RemoveStage(ident, inst.chain[-1].id))
        _settle(engine)
    return [
        [statistics.median(sent) * 1e3, percentile(sent, 90) * 1e3],
        [statistics.median(confirmed) * 1e3, percentile(confirmed, 90) * 1e3],
    ]


def _barrier(engine: RealtimeEngine, done: threading.Event) -> None:
    assert engine.audio is not None
    engine.audio.post("call", done.set, structural=True)
    if not done.wait(10.0):
        raise RuntimeError("the audio thread did not reach the barrier")


def _settle(engine: RealtimeEngine) -> None:
    """Wait until both queues are drained (priority commands may overtake structural ones)
    and the server has executed everything sent."""
    assert engine.audio is not None
    _barrier(engine, threading.Event())
    behind_knobs = threading.Event()
    engine.audio.post("call", behind_knobs.set)
    if not behind_knobs.wait(60.0):
        raise RuntimeError("the audio thread did not drain its priority queue")
    engine.server.client.sync(timeout=2.0)


# --- the one-minute project ---------------------------------------------------------------------


def minute_project(instruments: int = 16, notes_each: int = 64) -> Project:
    """``instruments`` instruments (each with a filter) playing notes over 30 bars, looped."""
    rng = random.Random(4321)
    project = build_project(instruments, 0)
    roll = project.session.piano_roll
    tracks = []
    for track in roll.tracks:
        chosen: dict[tuple[int, int], Note] = {}
        while len(chosen) < notes_each:
            tick = rng.randrange(0, MINUTE_BARS * BAR - 240, 120)
            pitch = rng.randrange(36, 96)
            chosen[(tick, pitch)] = Note(tick, 240, pitch, rng.randrange(40, 127))
        tracks.append(Track(track.instrument_id, tuple(chosen[k] for k in sorted(chosen))))
    roll = replace(roll, tracks=tuple(tracks), loop_start=0, loop_end=MINUTE_BARS * BAR)
    return replace(project, session=replace(project.session, piano_roll=roll))


def render_speed() -> list[list[object]]:
    project = minute_project()
    began = time.perf_counter()
    build_score(project, RenderOptions(), stems=False)
    score_seconds = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as folder:
        result = render(project, Path(folder) / "minute.wav", RenderOptions())
    return [[
        len(project.instruments), sum(len(t.notes) for t in project.session.piano_roll.tracks),
        f"{result.seconds:.1f}", f"{score_seconds:.2f}", f"{result.wall_seconds:.2f}",
        f"{result.seconds / result.wall_seconds:.0f}×",
    ]]  # fmt: skip


# --- the audio thread under load ----------------------------------------------------------------


class _Margins:
    """Wraps the backend's ``send``: how far ahead of its timetag each timed bundle left."""

    def __init__(self, engine: RealtimeEngine) -> None:
        backend = engine.backend
        assert backend is not None
        self.seconds: list[float] = []
        inner = backend.send

        def send(requests: Sequence[Request], at: float | None = None) -> None:
            if at is not None:
                self.seconds.append(at - time.time())
            inner(requests, at)

        backend.send = send  # type: ignore[method-assign]


def _phase(
    engine: RealtimeEngine, margins: _Margins, seconds: float, work: Callable[[int], None]
) -> tuple[list[float], list[float], int]:
    """(tick times, send margins, work calls) while ``work(i)`` runs in a loop on this thread."""
    audio = engine.audio
    assert audio is not None
    audio.tick_seconds.clear()
    margins.seconds.clear()
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        work(i)
        i += 1
    return list(audio.tick_seconds) or [0.0], list(margins.seconds) or [0.0], i


def audio_thread(engine: RealtimeEngine, store: Store) -> list[list[object]]:
    """Tick times and how early notes left, with the main thread idle, paced or flat out."""
    project = store.state
    idents = [inst.id for inst in project.instruments.items]
    stages = {inst.id: inst.chain[0].id for inst in project.instruments.items}
    margins = _Margins(engine)

    def dispatch(i: int) -> None:
        ident = idents[i % len(idents)]
        if i % 2:
            store.dispatch(SetMixerLevel(instrument_strip(ident), (i % 80) / 100))
        else:
            store.dispatch(SetStageParam(ident, stages[ident], "cutoff", 300.0 + i % 5000))

    def idle(_i: int) -> None:
        time.sleep(0.01)

    def paced(i: int) -> None:
        dispatch(i)
        time.sleep(0.001)

    phases: list[tuple[str, Callable[[int], None], float | None]] = [
        ("idle", idle, None),
        ("dispatching, ~1 kHz", paced, None),
        ("dispatching flat out", dispatch, None),
        ("flat out, switch interval 0.5 ms", dispatch, 0.0005),
    ]
    rows: list[list[object]] = []
    phase_seconds = 3.0
    for label, work, interval in phases:
        previous = sys.getswitchinterval()
        if interval is not None:
            sys.setswitchinterval(interval)
        try:
            ticks, sent, calls = _phase(engine, margins, phase_seconds, work)
        finally:
            sys.setswitchinterval(previous)
        _settle(engine)
        rate = 0 if work is idle else round(calls / phase_seconds)
        p50, p99, worst = percentile(ticks, 50), percentile(ticks, 99), max(ticks)
        late = sum(1 for margin in sent if margin < 0)
        rows.append([label, rate, len(ticks), f"{p50 * 1e3:.3f}", f"{p99 * 1e3:.2f}",
                     f"{worst * 1e3:.1f}", f"{p99 / TICK:.2f}", f"{p99 / LOOKAHEAD:.2f}",
                     len(sent), f"{min(sent) * 1e3:.1f}", late])  # fmt: skip
    return rows


def restart_time(engine: RealtimeEngine) -> float:
    """Seconds from kill -9 of scsynth to a rebuilt graph confirmed by /sync."""
    old = engine.server.scsynth_pid
    assert old is not None
    began = time.perf_counter()
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while not (engine.server.scsynth_pid not in (None, old) and engine.status().state == "running"):
        if time.monotonic() > deadline:
            raise RuntimeError("scsynth did not come back")
        time.sleep(0.002)
    _settle(engine)
    return time.perf_counter() - began


def realtime_tables() -> str:
    if shutil.which("scsynth") is None or shutil.which("jackd") is None:
        return "### Realtime\n\nskipped: scsynth/jackd not installed\n"
    project = minute_project()
    engine = RealtimeEngine(project, ServerOptions(dummy_audio=True))
    store = Store(project)
    try:
        engine.start()
        engine.attach(store)
        deadline = time.monotonic() + 10.0
        while engine.audio is None and time.monotonic() < deadline:
            time.sleep(0.01)
        _settle(engine)
        engine.play()
        _settle(engine)
        rows = audio_thread(engine, store)
        live = structural_live(engine, store)
        restart = restart_time(engine)
    finally:
        engine.shutdown()
    out = [
        table(
            f"Audio thread while playing 16 instruments (tick {TICK * 1e3:.0f} ms, lookahead "
            f"{LOOKAHEAD * 1e3:.0f} ms; tick work in ms; margin = how early a timed bundle "
            "left before its timetag)",
            [
                "main thread",
                "dispatches/s",
                "ticks",
                "tick p50",
                "tick p99",
                "tick max",
                "p99 / tick",
                "p99 / lookahead",
                "timed bundles",
                "min margin ms",
                "late",
            ],
            rows,
        ),
        table(
            "AddEffect against real scsynth, 16 instruments (ms, median / p90)",
            ["until", "median", "p90"],
            [
                ["audio thread sent the rebuilt chain", *(f"{v:.2f}" for v in live[0])],
                ["/sync round trip confirmed it", *(f"{v:.2f}" for v in live[1])],
            ],
        ),
        table(
            "Crash recovery",
            ["event", "ms"],
            [["kill -9 scsynth → restarted, graph rebuilt, /sync", f"{restart * 1e3:.0f}"]],
        ),
    ]
    return "\n".join(out)


def run() -> str:
    """Run every engine benchmark and return the Markdown report."""
    began = time.perf_counter()
    Engine(RecordingBackend()).load_synthdefs()  # build (or load) every SynthDef once
    compile_seconds = time.perf_counter() - began
    out = [knob_table()]
    rows = []
    for count in SIZES:
        micros, messages, size = structural_plan(count)
        rows.append([count, f"{micros:.0f}", messages, size])
    out.append(
        table(
            "AddEffect: dispatch → rebuilt chain planned and encoded (RecordingBackend)",
            ["instruments", "median µs", "messages", "bytes"],
            rows,
        )
    )
    if shutil.which("scsynth") is None:
        out.append("### NRT render\n\nskipped: scsynth not installed\n")
    else:
        out.append(
            table(
                "NRT render of a one-minute project (SynthDefs built beforehand: "
                f"{compile_seconds:.2f} s once per process)",
                ["instruments", "notes", "audio s", "score build s", "wall s", "× realtime"],
                render_speed(),
            )
        )
    out.append(realtime_tables())
    return "\n".join(out)
