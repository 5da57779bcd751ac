"""The embedded engine's audio input: what the input device captures reaches audio_in."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from imbolc.core.actions import AddInstrument, SetInstrumentActive, SetMixerLevel, SetSourceParam
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.store import Store
from imbolc.engine.embedded.realtime import EmbeddedRealtime
from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions
from imbolc.engine.engine import Engine
from imbolc.engine.score import ScoreBackend

RATE, BLOCK = 48_000, 256
FREQ = 330.0


def listening() -> Store:
    """One active audio_in on input channel 0, no test tone, its strip at 1."""
    store = Store()
    store.dispatch(AddInstrument("audio_in"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetInstrumentActive(ident, True))
    store.dispatch(SetSourceParam(ident, "test_tone", 0.0))
    store.dispatch(SetMixerLevel(instrument_strip(ident), 1.0))
    return store


def tone(block: int, amplitude: float = 0.25) -> np.ndarray:
    """Block ``block`` of a sine at FREQ, as (frames, 1)."""
    t = (np.arange(BLOCK) + block * BLOCK) / RATE
    return (amplitude * np.sin(2 * np.pi * FREQ * t))[:, None]


def amplitude_at(signal: np.ndarray, freq: float) -> float:
    window = np.hanning(len(signal))
    size = 16 * len(signal)
    spectrum = np.abs(np.fft.rfft(signal * window, size)) * 2 / np.sum(window)
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    return float(np.max(spectrum[np.abs(freqs - freq) < 5]))


def test_the_input_reaches_audio_in_without_a_note() -> None:
    """A 0.25 sine on input 1 comes out of the mix at 0.25 (gain 1, stereo strip at 1)."""
    backend = ScoreBackend()
    engine = Engine(backend)
    engine.load_synthdefs(at=0.0)
    engine.start(listening().state, at=0.0)
    server = EmbeddedServer(ServerOptions(RATE, BLOCK, output_channels=2, input_channels=1))
    for when, _order, requests in sorted(backend.entries, key=lambda e: e[:2]):
        server.send([request.to_osc() for request in requests], when)
    blocks = []
    for n in range(RATE // BLOCK):
        server.feed_input(tone(n))
        blocks.append(server.process())
    server.close()
    out = np.concatenate(blocks)[RATE // 4 :, 0]
    assert amplitude_at(out, FREQ) == pytest.approx(0.25, rel=0.02)


class FakeStream:
    """Stands in for a PortAudio stream: the test calls its callback by hand."""

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_realtime_engine_feeds_the_input_device_to_audio_in() -> None:
    callbacks: list[Any] = []

    def duplex(callback: Any, options: ServerOptions) -> tuple[FakeStream, str]:
        assert options.input_channels > 0
        callbacks.append(callback)
        return FakeStream(), "fake duplex device"

    def output_only(callback: Any, options: ServerOptions) -> tuple[FakeStream, str]:
        raise AssertionError("the input device was available")

    engine = EmbeddedRealtime(listening().state, open_stream=output_only,
                              open_input_stream=duplex)  # fmt: skip
    engine.start()
    try:
        assert engine.status().state == "running"
        (callback,) = callbacks
        outs = []
        for n in range(RATE // BLOCK):
            given = np.concatenate([tone(n), np.zeros((BLOCK, 1))], axis=1).astype(np.float32)
            out = np.zeros((BLOCK, 2), dtype=np.float32)
            callback(given, out, BLOCK, None, None)
            outs.append(out)
    finally:
        engine.shutdown()
    mix = np.concatenate(outs)[RATE // 4 :, 0]
    assert amplitude_at(mix, FREQ) == pytest.approx(0.25, rel=0.05)


def test_without_an_input_device_the_engine_plays_output_only() -> None:
    opened: list[str] = []

    def duplex(callback: Any, options: ServerOptions) -> tuple[FakeStream, str]:
        raise RuntimeError("no audio input device (none found)")

    def output_only(callback: Any, options: ServerOptions) -> tuple[FakeStream, str]:
        opened.append("output")
        return FakeStream(), "fake output"

    engine = EmbeddedRealtime(listening().state, open_stream=output_only,
                              open_input_stream=duplex)  # fmt: skip
    engine.start()
    try:
        assert engine.status().state == "running"
        assert opened == ["output"]
        assert any("no audio input device" in problem for problem in engine.problems)
    finally:
        engine.shutdown()
