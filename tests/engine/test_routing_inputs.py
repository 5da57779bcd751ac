"""Routing inputs read real signals: side-chain keys, the crossfader's B bus, bus_in, audio_in.

Each project is rendered on both engines and measured in the mix.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.actions import (
    AddBusEffect,
    AddEffect,
    AddInstrument,
    AddNote,
    SetBusEffectParam,
    SetEnvelope,
    SetInstrumentActive,
    SetLoop,
    SetMixerLevel,
    SetOutput,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
    SetSourceParam,
    SetStageParam,
)
from imbolc.core.actions.mixer import bus_strip, instrument_strip
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.store import Store
from imbolc.engine.embedded.render import render_embedded
from imbolc.engine.render import render

RATE = 48_000
BEAT = TICKS_PER_BEAT
BEAT_SECONDS = 0.5
ENGINES = [
    pytest.param("scsynth", marks=[pytest.mark.scsynth, pytest.mark.skipif(
        shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)")]),
    pytest.param("embedded"),
]  # fmt: skip


def rendered(store: Store, kind: str, path: Path) -> np.ndarray:
    render_with = render if kind == "scsynth" else render_embedded
    render_with(store.state, path, RenderOptions(RATE, "float"))
    audio, _ = soundfile.read(path, dtype="float64", always_2d=True)
    return audio


def part(audio: np.ndarray, start: float, end: float) -> np.ndarray:
    return audio[round(start * RATE) : round(end * RATE)]


def db(signal: np.ndarray) -> float:
    value = float(np.sqrt(np.mean(signal**2)))
    return 20 * math.log10(value) if value > 0 else -400.0


def tone_amplitude(signal: np.ndarray, freq: float) -> float:
    """The amplitude of the ``freq`` component of a mono signal (a whole number of cycles
    is not needed: a Hann window and the peak near ``freq``)."""
    window = np.hanning(len(signal))
    size = 16 * len(signal)  # zero-padded: the peak bin lands within 0.02 dB of the tone
    spectrum = np.abs(np.fft.rfft(signal * window, size)) * 2 / np.sum(window)
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    near = np.abs(freqs - freq) < 8
    return float(np.max(spectrum[near]))


def sine(store: Store, pitch: int, start: int, length: int) -> InstrumentId:
    store.dispatch(AddInstrument("sine"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetEnvelope(ident, "release", 0.01))
    store.dispatch(AddNote(ident, start, length, pitch))
    return ident


# --- side-chain compressor --------------------------------------------------------------------

THRESHOLD, RATIO = 0.05, 4.0


def ducked_pad(key: str) -> tuple[Store, InstrumentId]:
    """A pad (A4) held four beats through a side-chain compressor, and a key sine (A2) that
    sounds in beats 2-3 only. The key's strip is at 0, so the mix is the pad alone; the key
    reaches the compressor as chosen by ``key``: "instrument", "bus" (a pre-fader send into
    bus 3, itself at 0) or "none"."""
    store = Store()
    pad = sine(store, 69, 0, 4 * BEAT)
    store.dispatch(SetMixerLevel(instrument_strip(pad), 0.5))
    kick = sine(store, 45, 2 * BEAT, 1 * BEAT)
    store.dispatch(SetMixerLevel(instrument_strip(kick), 0.0))
    store.dispatch(AddEffect(pad, "sc_comp"))
    stage = StageId(1)
    for name, value in (("threshold", THRESHOLD), ("ratio", RATIO), ("attack", 0.005),
                        ("release", 0.05)):  # fmt: skip
        store.dispatch(SetStageParam(pad, stage, name, value))
    if key == "instrument":
        store.dispatch(SetStageParam(pad, stage, "key_instrument", float(kick)))
    elif key == "bus":
        store.dispatch(SetSendLevel(kick, BusId(3), 1.0))
        store.dispatch(SetSendTap(kick, BusId(3), "pre"))
        store.dispatch(SetSendEnabled(kick, BusId(3), True))
        store.dispatch(SetMixerLevel(bus_strip(BusId(3)), 0.0))
        store.dispatch(SetStageParam(pad, stage, "sc_bus", 3.0))
    store.dispatch(SetLoop(0, 4 * BEAT))
    return store, kick


def ducking_db(audio: np.ndarray) -> float:
    """How far the pad drops while the key sounds (beat 2.2-2.8 against beat 0.2-0.8)."""
    before = db(part(audio, 0.1, 0.4))
    during = db(part(audio, 2 * BEAT_SECONDS + 0.1, 2 * BEAT_SECONDS + 0.4))
    return before - during


def key_amplitude(kind: str, tmp_path: Path) -> float:
    """The key as the compressor sees it (the mean of the key instrument's two channels),
    measured from the key's own strip at level 1 (a stereo strip is unity at the centre)."""
    store, kick = ducked_pad("none")
    store.dispatch(SetMixerLevel(instrument_strip(InstrumentId(1)), 0.0))
    store.dispatch(SetMixerLevel(instrument_strip(kick), 1.0))
    alone = rendered(store, kind, tmp_path / "key.wav")
    peak = float(np.max(np.abs(part(alone, 1.1, 1.4)[:, 0])))
    return peak


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("key", ["instrument", "bus"])
def test_a_key_lowers_the_pad_by_the_compressor_law(key: str, kind: str, tmp_path: Path) -> None:
    """Above the threshold the gain is (key / threshold) ^ (1 / ratio - 1)."""
    store, _kick = ducked_pad(key)
    depth = ducking_db(rendered(store, kind, tmp_path / "mix.wav"))
    amplitude = key_amplitude(kind, tmp_path)  # a pre-fader send at 1 carries it unchanged
    expected = -20 * math.log10((amplitude / THRESHOLD) ** (1 / RATIO - 1))
    print(f"{kind} keyed by {key}: ducking {depth:.2f} dB, law {expected:.2f} dB")
    assert expected > 10.0
    assert depth == pytest.approx(expected, abs=1.0)


@pytest.mark.parametrize("kind", ENGINES)
def test_without_a_key_the_pad_is_not_ducked(kind: str, tmp_path: Path) -> None:
    store, _kick = ducked_pad("none")
    assert abs(ducking_db(rendered(store, kind, tmp_path / "mix.wav"))) < 0.3


# --- crossfader -------------------------------------------------------------------------------

A_FREQ, B_FREQ = 440.0, 659.2551138257398


def crossfaded(position: float) -> Store:
    """A4 into bus 1 (which holds the crossfader) and E5 into bus 2 (at 0, so heard only as
    the crossfader's B side)."""
    store = Store()
    a = sine(store, 69, 0, 2 * BEAT)
    b = sine(store, 76, 0, 2 * BEAT)
    store.dispatch(SetOutput(a, BusId(1)))
    store.dispatch(SetOutput(b, BusId(2)))
    store.dispatch(SetMixerLevel(bus_strip(BusId(2)), 0.0))
    store.dispatch(AddBusEffect(BusId(1), "crossfader"))
    store.dispatch(SetBusEffectParam(BusId(1), StageId(1), "bus_b", 2.0))
    store.dispatch(SetBusEffectParam(BusId(1), StageId(1), "crossfade", position))
    store.dispatch(SetLoop(0, 2 * BEAT))
    return store


@pytest.mark.parametrize("kind", ENGINES)
def test_the_crossfader_blends_two_buses_at_equal_power(kind: str, tmp_path: Path) -> None:
    positions = (0.0, 0.25, 0.5, 0.75, 1.0)
    levels = []
    for n, position in enumerate(positions):
        audio = part(rendered(crossfaded(position), kind, tmp_path / f"{n}.wav"), 0.2, 0.9)
        levels.append((tone_amplitude(audio[:, 0], A_FREQ), tone_amplitude(audio[:, 0], B_FREQ)))
    a_full, b_full = levels[0][0], levels[-1][1]
    law = []
    for position, (a, b) in zip(positions, levels, strict=True):
        a_db = 20 * math.log10(max(a / a_full, 1e-9))
        b_db = 20 * math.log10(max(b / b_full, 1e-9))
        law.append((position, a_db, b_db))
        angle = position * math.pi / 2
        assert a / a_full == pytest.approx(math.cos(angle), abs=0.01)
        assert b / b_full == pytest.approx(math.sin(angle), abs=0.01)
    print(f"{kind} crossfade law (position, A dB, B dB): {law}")
    assert b_full == pytest.approx(a_full, rel=0.02)  # both buses arrive at the same level


# --- bus_in and audio_in ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ENGINES)
def test_bus_in_plays_the_chosen_bus_without_a_note(kind: str, tmp_path: Path) -> None:
    """A4 into bus 2 (at 0); a bus_in reading bus 2 brings it to the mix, with no note of its
    own, at the level the A4's strip sends into the bus."""
    store = Store()
    tone = sine(store, 69, 0, 4 * BEAT)
    store.dispatch(SetOutput(tone, BusId(2)))
    store.dispatch(SetMixerLevel(bus_strip(BusId(2)), 0.0))
    store.dispatch(AddInstrument("bus_in"))
    reader = store.state.instruments.items[-1].id
    store.dispatch(SetSourceParam(reader, "bus", 2.0))
    store.dispatch(SetMixerLevel(instrument_strip(reader), 1.0))
    store.dispatch(SetLoop(0, 4 * BEAT))
    heard = part(rendered(store, kind, tmp_path / "mix.wav"), 0.5, 1.5)

    direct = Store()
    sine(direct, 69, 0, 4 * BEAT)
    direct.dispatch(SetLoop(0, 4 * BEAT))
    reference = part(rendered(direct, kind, tmp_path / "direct.wav"), 0.5, 1.5)

    assert tone_amplitude(heard[:, 0], A_FREQ) > 0.05
    assert db(heard) == pytest.approx(db(reference), abs=0.1)


@pytest.mark.parametrize("kind", ENGINES)
def test_audio_in_runs_continuously_with_its_test_tone(kind: str, tmp_path: Path) -> None:
    """No note at all: the test tone (with no input on a render machine) sounds from the start
    to the end, at 0.5 x gain through a stereo strip at level 1 (unity at the centre)."""
    store = Store()
    other = sine(store, 81, 0, BEAT)
    store.dispatch(SetMixerLevel(instrument_strip(other), 0.0))
    store.dispatch(AddInstrument("audio_in"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetInstrumentActive(ident, True))
    store.dispatch(SetSourceParam(ident, "test_tone", 1.0))
    store.dispatch(SetSourceParam(ident, "test_freq", 330.0))
    store.dispatch(SetMixerLevel(instrument_strip(ident), 1.0))
    store.dispatch(SetLoop(0, 4 * BEAT))
    audio = rendered(store, kind, tmp_path / "mix.wav")
    for start in (0.1, 1.0, 1.8):
        window = part(audio, start, start + 0.15)[:, 0]
        assert tone_amplitude(window, 330.0) == pytest.approx(0.5, rel=0.02)
