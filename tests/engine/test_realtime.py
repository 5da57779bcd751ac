"""Realtime playback on a real scsynth (dummy jackd): what the master bus plays, recorded.

The master is recorded through ``imbolc_disk_record`` at the tail of the record group and
measured with NumPy; message counts come from ``ScsynthBackend.sent_messages``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.actions import AddInstrument, AddNote, SetEnvelope, SetLoop, SetMixerLevel
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.engine import Engine
from imbolc.engine.layout import RECORD_GROUP
from imbolc.engine.realtime import RealtimeEngine, ScsynthBackend
from imbolc.engine.requests import (
    AddAction,
    AllocBuffer,
    CloseBuffer,
    FreeBuffer,
    FreeNode,
    NewSynth,
    ReceiveSynthDefs,
    WriteBuffer,
)
from imbolc.engine.server import ServerOptions

pytestmark = [
    pytest.mark.scsynth,
    pytest.mark.skipif(
        shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)"
    ),
]

RATE = 48_000
BAR = 4 * TICKS_PER_BEAT
A4 = 69
SHM = Path("/dev/shm")
RECORD_BUFFER = 1023
RECORD_FRAMES = 16_384
_record_nodes = itertools.count(2_000_000)


# --- driving the engine -------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the engine"
        time.sleep(0.002)


def settle(engine: RealtimeEngine) -> None:
    """Wait until the audio thread has done everything queued so far and the server has
    executed everything sent so far (a ``/sync`` round trip)."""
    assert engine.audio is not None
    barriers = [threading.Event(), threading.Event()]
    # Priority commands may overtake structural ones: one barrier in each queue.
    engine.audio.post("call", barriers[0].set, structural=True)
    engine.audio.post("call", barriers[1].set)
    assert all(b.wait(10.0) for b in barriers), "the audio thread did not get to the barrier"
    engine.server.client.sync(timeout=2.0)


def backend(engine: RealtimeEngine) -> ScsynthBackend:
    assert engine.backend is not None
    return engine.backend


def record(engine: RealtimeEngine, path: Path, seconds: float) -> np.ndarray:
    """Record the master bus for ``seconds``; (frames, 2) float64."""
    send = backend(engine).send
    node = next(_record_nodes)
    send([AllocBuffer(RECORD_BUFFER, RECORD_FRAMES, 2), WriteBuffer(RECORD_BUFFER, str(path))])
    engine.server.client.sync(timeout=2.0)
    send([NewSynth("imbolc_disk_record", node, RECORD_GROUP, AddAction.TAIL,
                   {"in_bus": 0, "buffer": RECORD_BUFFER})])  # fmt: skip
    time.sleep(seconds)
    send([FreeNode((node,)), CloseBuffer(RECORD_BUFFER), FreeBuffer(RECORD_BUFFER)])
    engine.server.client.sync(timeout=2.0)
    audio, rate = soundfile.read(path, dtype="float64", always_2d=True)
    assert rate == RATE
    return audio


def sine_project(notes: Sequence[tuple[int, int]], loop: int) -> Project:
    """One sine instrument playing A4 at ``(tick, duration)`` over a loop of ``loop`` ticks."""
    store = Store()
    store.dispatch(AddInstrument("sine"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetEnvelope(ident, "release", 0.0))
    for tick, duration in notes:
        store.dispatch(AddNote(ident, tick, duration, A4))
    store.dispatch(SetLoop(0, loop))
    return store.state


HELD = sine_project([(0, 4 * BAR - 10)], 4 * BAR)
"""An A4 held for eight seconds: while it sounds, playback sends the server nothing."""
PULSING = sine_project([(beat * TICKS_PER_BEAT, 400) for beat in range(4)], BAR)
"""An A4 on every beat: a restarted server sounds again at the next beat."""


# --- measuring ----------------------------------------------------------------------------------


def peak_frequency(signal: np.ndarray) -> float:
    """Hann-windowed, zero-padded FFT peak with parabolic interpolation, in Hz."""
    size = 1 << (len(signal) * 4 - 1).bit_length()
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal)), size))
    k = int(np.argmax(spectrum[1:-1])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-30)
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * RATE / size


def longest_sound(channel: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """The longest stretch where the signal never stays quiet for more than 5 ms."""
    loud = np.abs(channel) > threshold
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
    runs: list[tuple[int, int]] = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if runs and start - runs[-1][1] < RATE // 200:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    assert runs, "the recording is silent"
    start, end = max(runs, key=lambda run: run[1] - run[0])
    margin = RATE // 100
    return channel[start + margin : end - margin]


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(signal))))


def synthdef_count() -> int:
    """How many SynthDefs the engine loads (SCgf files carry their def count at bytes 8-9)."""
    recorder = RecordingBackend()
    Engine(recorder).load_synthdefs()
    return sum(
        int.from_bytes(request.data[8:10], "big")
        for request in recorder.requests()
        if isinstance(request, ReceiveSynthDefs)
    )


# --- fixtures -----------------------------------------------------------------------------------


def start_engine(project: Project) -> tuple[RealtimeEngine, Store]:
    Engine(RecordingBackend()).load_synthdefs()  # build every SynthDef once, before any timing
    engine = RealtimeEngine(project, ServerOptions(dummy_audio=True))
    store = Store(project)
    try:
        engine.start()
        engine.attach(store)
        wait_until(lambda: engine.status().state == "running" and engine.audio is not None)
        settle(engine)
    except BaseException:
        engine.shutdown()
        raise
    return engine, store


def shut_down(engine: RealtimeEngine, ports: set[int]) -> None:
    engine.shutdown()
    leftovers = [SHM / f"SuperColliderServer_{port}" for port in ports]
    assert [path for path in leftovers if path.exists()] == []


@dataclass
class Live:
    engine: RealtimeEngine
    store: Store

    def play(self, project: Project) -> None:
        """Load ``project`` and play it from the top, once the server has it."""
        self.engine.stop()
        self.engine.seek(0)
        self.store.load(project)
        self.engine.play()
        settle(self.engine)
        time.sleep(0.2)  # notes start LOOKAHEAD after play; let the first one sound


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """One headless engine for the tests that only play; shut down (and checked) after."""
    engine: RealtimeEngine | None = None
    try:
        engine, store = start_engine(Project())
        yield Live(engine, store)
    finally:
        if engine is not None:
            engine.stop()
            shut_down(engine, {engine.server.port})


# --- tests --------------------------------------------------------------------------------------


def test_every_synthdef_is_on_the_server_once_the_engine_runs(live: Live) -> None:
    settle(live.engine)

    assert live.engine.server.status().synthdefs == synthdef_count()


def test_playback_sounds_at_the_pitch_of_its_notes(live: Live, tmp_path: Path) -> None:
    live.play(HELD)

    audio = record(live.engine, tmp_path / "held.wav", 0.6)

    assert len(audio) >= RECORD_FRAMES // 2
    assert peak_frequency(audio[:, 0]) == pytest.approx(440.0, abs=0.5)


def test_a_knob_turn_during_playback_is_one_message_and_changes_the_level(
    live: Live, tmp_path: Path
) -> None:
    live.play(HELD)
    before = record(live.engine, tmp_path / "before.wav", 0.4)
    ident = live.store.state.instruments.items[0].id
    settle(live.engine)
    sent = backend(live.engine).sent_messages

    live.store.dispatch(SetMixerLevel(instrument_strip(ident), 0.8 * 10 ** (-6 / 20)))
    settle(live.engine)

    assert backend(live.engine).sent_messages - sent == 1
    after = record(live.engine, tmp_path / "after.wav", 0.4)
    assert rms(after) / rms(before) == pytest.approx(0.5, rel=0.02)


def test_the_playhead_keeps_moving_while_the_main_thread_floods_knob_turns(live: Live) -> None:
    live.play(HELD)
    ident = live.store.state.instruments.items[0].id
    began, start_tick = time.monotonic(), live.engine.transport().tick

    turns = 0
    while time.monotonic() - began < 1.0:
        live.store.dispatch(SetMixerLevel(instrument_strip(ident), 0.2 + turns % 50 / 100))
        turns += 1
    moved = live.engine.transport().tick - start_tick
    elapsed = time.monotonic() - began

    # The playhead is what the last tick scheduled; a frozen transport would not move at all.
    expected = elapsed * 2 * TICKS_PER_BEAT  # 120 BPM
    assert turns > 1000
    assert 0.5 * expected < moved <= expected * 1.05
    settle(live.engine)


def test_a_killed_scsynth_restarts_and_playback_continues(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    engine, _store = start_engine(PULSING)
    ports = {engine.server.port}
    try:
        engine.play()
        settle(engine)
        assert np.max(np.abs(record(engine, tmp_path / "before.wav", 0.5))) > 0.01
        old_pid = engine.server.scsynth_pid
        assert old_pid is not None

        killed = time.monotonic()
        os.kill(old_pid, signal.SIGKILL)
        wait_until(
            lambda: (
                engine.server.scsynth_pid not in (None, old_pid)
                and engine.status().state == "running"
            )
        )
        settle(engine)
        rebuilt = time.monotonic() - killed
        ports.add(engine.server.port)
        record_property("kill_to_rebuilt_graph_seconds", round(rebuilt, 3))
        print(f"kill -9 to rebuilt graph: {rebuilt * 1000:.0f} ms")

        assert rebuilt < 2.0
        assert engine.server.status().synthdefs == synthdef_count()
        assert engine.transport().playing
        audio = record(engine, tmp_path / "after.wav", 1.0)
        assert peak_frequency(longest_sound(audio[:, 0])) == pytest.approx(440.0, abs=1.0)
    finally:
        engine.stop()
        shut_down(engine, ports)
