"""The embedded server's semantics: nodes, groups, gates, done actions, timed bundles, buses,
buffers, safety and the support report. No SuperCollider needed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile
from supriya.osc import OscMessage
from supriya.ugens import (
    Envelope,
    EnvGen,
    Gendy2,
    In,
    OffsetOut,
    Out,
    SinOsc,
    SynthDef,
    SynthDefBuilder,
)

from imbolc.core.templates import demo_project
from imbolc.engine.embedded import (
    EmbeddedBackend,
    EmbeddedRealtime,
    EmbeddedServer,
    ServerOptions,
    embedded_support,
    needs_scsynth_message,
)
from imbolc.engine.embedded.server import _registry_synthdef
from imbolc.engine.requests import AddAction, FreeNode, NewGroup, NewSynth, SetControls
from imbolc.engine.synthdefs import all_synthdefs

RATE = 48000


def probe(name: str = "probe") -> SynthDef:
    """``SinOsc * gain`` into bus ``out``: a def whose level a test can push anywhere."""
    builder = SynthDefBuilder()
    with builder:
        gain = builder.add_parameter(name="gain", value=0.1)
        out = builder.add_parameter(name="out", value=0.0)
        Out.ar(bus=out, source=SinOsc.ar(frequency=440.0) * gain)
    return builder.build(name=name)


def reader() -> SynthDef:
    """Copies control bus ``cbus`` (read as ``level``) onto audio bus 0, for ``/n_map``."""
    builder = SynthDefBuilder()
    with builder:
        level = builder.add_parameter(name="level", value=0.0)
        Out.ar(bus=0.0, source=[In.ar(bus=64.0) * 0.0 + level])
    return builder.build(name="reader")


class Harness:
    """A server with the registry plus test defs, recording what it reports."""

    def __init__(self, block: int = 256, channels: int = 2) -> None:
        extra = {"probe": probe(), "reader": reader()}
        self.ended: list[int] = []
        self.problems: list[str] = []
        self.replies: list[tuple[str, list[float]]] = []
        self.server = EmbeddedServer(
            ServerOptions(sample_rate=RATE, block=block, output_channels=channels),
            on_node_end=self.ended.append, on_problem=self.problems.append,
            on_reply=lambda address, values: self.replies.append((address, values)),
            synthdefs=lambda name: extra.get(name) or _registry_synthdef(name),
        )  # fmt: skip

    def send(self, *messages: OscMessage, at: float | None = None) -> None:
        self.server.send(list(messages), at)

    def run(self, seconds: float) -> np.ndarray:
        return self.server.run(seconds)


def first_sound(audio: np.ndarray, threshold: float = 1e-6) -> int:
    hits = np.flatnonzero(np.max(np.abs(audio), axis=1) > threshold)
    return int(hits[0]) if len(hits) else -1


def test_a_timed_synth_starts_on_its_exact_sample_inside_a_block() -> None:
    h = Harness()
    h.send(OscMessage("/s_new", "imbolc_sin", 1001, 0, 0, "env_attack", 0.0), at=0.1)
    audio = h.run(0.2)

    assert first_sound(audio) - 1 == pytest.approx(0.1 * RATE, abs=1)


def test_gate_zero_releases_and_the_done_action_frees_the_node_with_n_end() -> None:
    h = Harness()
    h.send(OscMessage("/s_new", "imbolc_sin", 1001, 0, 0, "env_release", 0.05))
    h.send(OscMessage("/n_set", 1001, "gate", 0.0), at=0.2)
    audio = h.run(0.4)

    assert np.abs(audio[: int(0.2 * RATE)]).max() > 0.1
    assert np.abs(audio[int(0.27 * RATE) :]).max() == 0.0
    assert h.ended == [1001]
    assert 1001 not in h.server.nodes


def test_a_gate_of_minus_one_and_a_half_forces_a_half_second_release() -> None:
    h = Harness()
    h.send(OscMessage("/s_new", "imbolc_sin", 1001, 0, 0, "env_release", 5.0))
    h.send(OscMessage("/n_set", 1001, "gate", -1.5), at=0.1)
    audio = h.run(0.8)

    assert np.abs(audio[int(0.3 * RATE) : int(0.35 * RATE)]).max() > 0.05
    assert np.abs(audio[int(0.62 * RATE) :]).max() == 0.0
    assert h.ended == [1001]


def test_groups_order_their_children_by_add_action() -> None:
    h = Harness()
    h.send(OscMessage("/g_new", 10, 1, 0), OscMessage("/g_new", 11, 0, 10),
           OscMessage("/g_new", 12, 1, 10), OscMessage("/g_new", 13, 2, 12),
           OscMessage("/g_new", 14, 3, 11))  # fmt: skip
    h.run(0.01)

    assert [node.id for node in h.server.root.walk()] == [10, 11, 14, 13, 12]


def test_free_all_empties_a_group_and_reports_every_node() -> None:
    h = Harness()
    h.send(
        OscMessage("/g_new", 10, 1, 0),
        OscMessage("/s_new", "probe", 1001, 1, 10),
        OscMessage("/s_new", "probe", 1002, 1, 10),
    )
    h.send(OscMessage("/g_freeAll", 10), at=0.05)
    audio = h.run(0.1)

    assert sorted(h.ended) == [1001, 1002]
    assert 10 in h.server.nodes
    assert np.abs(audio[int(0.06 * RATE) :]).max() == 0.0


def test_n_set_on_a_group_reaches_every_synth_in_it() -> None:
    h = Harness()
    h.send(
        OscMessage("/g_new", 10, 1, 0),
        OscMessage("/s_new", "probe", 1001, 1, 10),
        OscMessage("/s_new", "probe", 1002, 1, 10),
    )
    h.send(OscMessage("/n_set", 10, "gain", 0.0), at=0.05)
    audio = h.run(0.1)

    assert np.abs(audio[: int(0.04 * RATE)]).max() > 0.15
    assert np.abs(audio[int(0.06 * RATE) :]).max() == 0.0


def test_a_paused_node_is_silent_until_it_runs_again() -> None:
    h = Harness()
    h.send(OscMessage("/s_new", "probe", 1001, 1, 0))
    h.send(OscMessage("/n_run", 1001, 0), at=0.05)
    h.send(OscMessage("/n_run", 1001, 1), at=0.1)
    audio = h.run(0.15)

    assert np.abs(audio[int(0.06 * RATE) : int(0.09 * RATE)]).max() == 0.0
    assert np.abs(audio[int(0.11 * RATE) :]).max() > 0.05


def test_n_map_reads_a_control_from_a_control_bus_until_unmapped() -> None:
    h = Harness()
    h.send(OscMessage("/c_set", 5, 0.25), OscMessage("/s_new", "reader", 1001, 1, 0),
           OscMessage("/n_map", 1001, "level", 5))  # fmt: skip
    h.send(OscMessage("/n_map", 1001, "level", -1), OscMessage("/n_set", 1001, "level", 0.5),
           at=0.05)  # fmt: skip
    audio = h.run(0.1)

    assert audio[int(0.02 * RATE), 0] == pytest.approx(0.25)
    assert audio[int(0.08 * RATE), 0] == pytest.approx(0.5)


def test_a_nan_node_is_muted_reported_and_never_reaches_the_output() -> None:
    h = Harness()
    h.send(OscMessage("/s_new", "probe", 1001, 1, 0), OscMessage("/s_new", "probe", 1002, 1, 0))
    h.send(OscMessage("/n_set", 1002, "gain", math.inf), at=0.05)
    audio = h.run(0.1)

    assert np.isfinite(audio).all()
    assert np.abs(audio[int(0.06 * RATE) :]).max() == pytest.approx(0.1, abs=0.01)
    assert any("1002 (probe)" in p and "NaN" in p for p in h.problems)


def test_a_runaway_node_is_muted_before_the_output() -> None:
    h = Harness()
    h.send(OscMessage("/s_new", "probe", 1001, 1, 0, "gain", 1000.0))
    audio = h.run(0.05)

    assert np.abs(audio).max() == 0.0
    assert any("runaway" in p for p in h.problems)


def unsupported() -> SynthDef:
    """A def using a UGen (Gendy2) the embedded engine does not interpret."""
    builder = SynthDefBuilder()
    with builder:
        Out.ar(bus=0.0, source=Gendy2.ar())
    return builder.build(name="uses_gendy2")


def test_a_synthdef_that_needs_supercollider_is_reported_by_name() -> None:
    h = Harness()
    extra = unsupported()
    h.server._synthdefs = lambda name: extra if name == "uses_gendy2" else None
    h.send(OscMessage("/s_new", "uses_gendy2", 1001, 1, 0))
    h.run(0.01)

    assert h.problems == ["needs SuperCollider: uses_gendy2 uses Gendy2"]
    assert h.ended == [1001]
    assert needs_scsynth_message("imbolc_sin") is None


def test_every_synthdef_runs_embedded() -> None:
    support = embedded_support()

    assert set(support) == set(all_synthdefs())
    assert {name: missing for name, missing in support.items() if missing} == {}
    assert len(support) == 149


def test_d_recv_accepts_compiled_synthdefs_and_rejects_garbage() -> None:
    from imbolc.engine.synthdefs import compiled_bytes

    h = Harness()
    h.send(OscMessage("/d_recv", compiled_bytes(["imbolc_sin", "imbolc_saw"])))
    h.send(OscMessage("/d_recv", b"not a synthdef"))
    h.run(0.01)

    assert {"imbolc_sin", "imbolc_saw"} <= h.server.loaded
    assert any("SCgf" in p for p in h.problems)


def test_a_sampler_plays_a_sound_file_read_into_a_buffer(tmp_path: Path) -> None:
    t = np.arange(RATE) / RATE
    pair = np.stack([np.sin(2 * np.pi * 330 * t)] * 2, axis=1) * 0.5
    soundfile.write(tmp_path / "s.wav", pair.astype(np.float32), RATE, subtype="FLOAT")
    h = Harness()
    h.send(OscMessage("/b_allocRead", 0, str(tmp_path / "s.wav")))
    h.send(OscMessage("/s_new", "imbolc_sampler_oneshot", 1001, 1, 0, "buffer", 0))
    audio = h.run(0.5)

    spectrum = np.abs(np.fft.rfft(audio[4800:19200, 0]))
    assert np.argmax(spectrum) * RATE / 14400 == pytest.approx(330, abs=4)


def test_disk_record_streams_the_bus_into_a_sound_file(tmp_path: Path) -> None:
    path = tmp_path / "take.wav"
    h = Harness()
    h.send(
        OscMessage("/b_alloc", 7, 65536, 2),
        OscMessage("/b_write", 7, str(path), "wav", "float", 0, 0, 1),
        OscMessage("/s_new", "probe", 1001, 1, 0),
        OscMessage("/s_new", "imbolc_disk_record", 1002, 1, 0, "in_bus", 0, "buffer", 7),
    )
    h.send(OscMessage("/n_free", 1002), OscMessage("/b_close", 7), OscMessage("/b_free", 7),
           at=0.25)  # fmt: skip
    h.run(0.3)

    taken, rate = soundfile.read(path, always_2d=True)
    assert rate == RATE
    assert taken.shape[1] == 2
    assert 0.24 * RATE <= len(taken) <= 0.26 * RATE
    assert np.abs(taken).max() == pytest.approx(0.1, abs=0.005)


def test_the_meter_replies_with_peak_levels() -> None:
    h = Harness()
    h.send(
        OscMessage("/s_new", "probe", 1001, 1, 0),
        OscMessage("/s_new", "imbolc_meter", 1002, 1, 0, "in_bus", 0, "reply_id", 3),
    )
    h.run(0.2)

    meters = [values for address, values in h.replies if address == "/imbolc/meter"]
    assert len(meters) >= 4
    assert meters[-1][1] == 3
    assert meters[-1][2] == pytest.approx(0.1, abs=0.01)


def test_the_backend_turns_requests_into_timed_server_messages() -> None:
    h = Harness()
    backend = EmbeddedBackend(h.server, clock=lambda: 0.0)
    backend.send([NewGroup(10), NewSynth("probe", 1001, 10, AddAction.TAIL, {"gain": 0.2})])
    backend.send([SetControls(1001, {"gain": 0.0})], at=0.05)
    backend.send([FreeNode((1001,))], at=0.08)
    audio = h.run(0.1)

    assert backend.now() == 0.0
    assert np.abs(audio[: int(0.04 * RATE)]).max() > 0.15
    assert np.abs(audio[int(0.06 * RATE) :]).max() == 0.0
    assert h.ended == [1001]


class FakeStream:
    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def close(self) -> None:
        return None


def test_realtime_without_an_output_device_says_so_and_keeps_working() -> None:
    def no_device(*_args: object) -> tuple[object, str]:
        raise RuntimeError("no audio output device (Error querying device -1)")

    engine = EmbeddedRealtime(demo_project(), open_stream=no_device)
    engine.start()
    try:
        status = engine.status()
        assert status.backend == "embedded"
        assert status.state == "unavailable"
        assert "no audio output device" in status.message
    finally:
        engine.shutdown()


def test_realtime_plays_the_project_through_the_stream_callback() -> None:
    import time

    engine = EmbeddedRealtime(demo_project(), open_stream=lambda *_: (FakeStream(), "fake"))
    engine.start()
    try:
        assert engine.status().state == "running"
        time.sleep(0.3)
        engine.play()
        blocks = []
        for _ in range(120):
            blocks.append(engine.pull())
            time.sleep(0.004)
        audio = np.concatenate(blocks)
        assert np.isfinite(audio).all()
        assert np.abs(audio).max() > 0.01
        assert engine.transport().playing
        assert engine.meters().master[0] > 0.0
    finally:
        engine.shutdown()
    assert engine.status().state == "stopped"


def gated_level() -> SynthDef:
    """Its output is its envelope (attack 1 ms, release 20 ms) from an OffsetOut start."""
    builder = SynthDefBuilder()
    with builder:
        gate = builder.add_parameter(name="gate", value=1.0)
        level = EnvGen.kr(envelope=Envelope.asr(attack_time=0.001, release_time=0.02), gate=gate)
        OffsetOut.ar(bus=0.0, source=[SinOsc.ar(frequency=0.0, phase=math.pi / 2) * level])
    return builder.build(name="gated_level")


@pytest.mark.parametrize("block", [64, 512])
@pytest.mark.parametrize(
    ("on", "off"),
    [(0.0123, 0.1337), (0.0083, 0.1021), (0.0, 0.05)],
    ids=["release-late-in-its-block", "release-before-the-start-offset", "aligned"],
)
def test_a_release_starts_on_its_exact_sample_whatever_the_block(
    block: int, on: float, off: float
) -> None:
    extra = gated_level()
    h = Harness(block=block)
    h.server._synthdefs = lambda name: extra if name == "gated_level" else None
    h.send(OscMessage("/s_new", "gated_level", 1001, 0, 0), at=on)
    h.send(OscMessage("/n_set", 1001, "gate", 0.0), at=off)
    audio = h.run(0.2)[:, 0]

    start, release = int(on * RATE), int(off * RATE)  # the server starts events at floor
    assert audio[start - 1] == 0.0 and audio[start + 100] == pytest.approx(1.0)
    assert audio[release - 1] == pytest.approx(1.0)
    assert audio[release] < 0.999
    assert audio[release + round(0.03 * RATE)] < 1e-3
