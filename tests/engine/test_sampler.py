"""Sampler instruments play their sample file: at the note's pitch, looped, by slice or as a
chopper, time-stretched, on both engines; their buffers come and go with the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.actions import (
    AddInstrument,
    AddNote,
    DeleteInstrument,
    SetEnvelope,
    SetSampler,
    SetSourceParam,
)
from imbolc.core.ids import InstrumentId
from imbolc.core.instrument import CHOPPER_FIRST_NOTE, SamplerConfig, Slice
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.store import Commit, Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.embedded import render_embedded
from imbolc.engine.engine import Engine
from imbolc.engine.layout import FIRST_SAMPLE_BUFFER
from imbolc.engine.render import render
from imbolc.engine.requests import FreeBuffer, NewSynth, ReadBuffer, ReadBufferChannels

RATE = 48_000
A3 = 57
BEAT = TICKS_PER_BEAT  # half a second at 120 BPM

ENGINES = [
    pytest.param(
        "scsynth",
        marks=[
            pytest.mark.scsynth,
            pytest.mark.skipif(shutil.which("scsynth") is None, reason="CI installs scsynth"),
        ],
    ),
    pytest.param("embedded"),
]


def write_tones(path: Path, *freqs: float, seconds: float = 0.25, channels: int = 1) -> str:
    """Sines at ``freqs`` one after another, ``seconds`` each, at half scale."""
    t = np.arange(round(seconds * RATE)) / RATE
    tone = np.concatenate([0.5 * np.sin(2 * np.pi * f * t) for f in freqs])
    soundfile.write(path, np.repeat(tone[:, None], channels, axis=1), RATE, subtype="FLOAT")
    return str(path)


def sampler(
    store: Store, config: SamplerConfig, notes: list[tuple[int, int, int]], source: str = ""
) -> InstrumentId:
    """A sampler instrument (attack 0) with ``config`` and (tick, duration, pitch) notes."""
    store.dispatch(AddInstrument(source or "pitched_sampler"))
    ident = InstrumentId(store.state.instruments.items[-1].id)
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetEnvelope(ident, "release", 0.01))
    store.dispatch(SetSampler(ident, config))
    for tick, duration, pitch in notes:
        store.dispatch(AddNote(ident, tick, duration, pitch))
    return ident


def rendered(engine: str, store: Store, path: Path) -> tuple[np.ndarray, list[str]]:
    """The master (mono, left) of a 48 kHz float render, and the render's problems."""
    run = render if engine == "scsynth" else render_embedded
    result = run(store.state, path, RenderOptions(RATE, "float"))
    audio, rate = soundfile.read(path, dtype="float64", always_2d=True)
    assert rate == RATE
    return audio[:, 0], list(result.problems)


def window(audio: np.ndarray, start: float, end: float) -> np.ndarray:
    return audio[round(start * RATE) : round(end * RATE)]


def peak_hz(signal: np.ndarray) -> float:
    size = 1 << 21
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal)), size))
    return float(np.argmax(spectrum)) * RATE / size


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(signal**2)))


def whole(root: int) -> tuple[Slice, ...]:
    """One slice over the whole file, rooted on ``root``."""
    return (Slice(0, 0.0, 1.0, "all", root),)


# --- pitch --------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_an_a3_note_plays_a_220_hz_sample_rooted_on_a3_at_220_hz(
    engine: str, tmp_path: Path
) -> None:
    tone = write_tones(tmp_path / "a3.wav", 220.0, seconds=1.0)
    store = Store()
    sampler(store, SamplerConfig(tone, "a3", whole(A3)), [(0, BEAT, A3)])
    audio, problems = rendered(engine, store, tmp_path / "out.wav")
    assert not problems
    measured = peak_hz(window(audio, 0.05, 0.45))
    print(
        f"{engine}: A3 on a 220 Hz sample: {measured:.2f} Hz ({100 * (measured / 220 - 1):+.3f} %)"
    )
    assert measured == pytest.approx(220.0, rel=0.005)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_note_an_octave_above_the_root_plays_the_sample_an_octave_up(
    engine: str, tmp_path: Path
) -> None:
    tone = write_tones(tmp_path / "a3.wav", 220.0, seconds=1.0)
    store = Store()
    sampler(store, SamplerConfig(tone, "a3", whole(A3)), [(0, BEAT, A3 + 12)])
    audio, _ = rendered(engine, store, tmp_path / "out.wav")
    assert peak_hz(window(audio, 0.05, 0.4)) == pytest.approx(440.0, rel=0.005)


def test_without_pitch_tracking_every_note_plays_at_the_recorded_speed(tmp_path: Path) -> None:
    tone = write_tones(tmp_path / "a3.wav", 220.0, seconds=1.0)
    store = Store()
    config = SamplerConfig(tone, "a3", pitch_tracking=False)
    sampler(store, config, [(0, BEAT, A3 + 7)])
    audio, _ = rendered("embedded", store, tmp_path / "out.wav")
    assert peak_hz(window(audio, 0.05, 0.45)) == pytest.approx(220.0, rel=0.005)


# --- loop and slices ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("loop", [False, True])
def test_a_held_note_longer_than_the_sample_loops_only_when_loop_is_set(
    engine: str, loop: bool, tmp_path: Path
) -> None:
    tone = write_tones(tmp_path / "short.wav", 220.0, seconds=0.2)
    store = Store()
    sampler(store, SamplerConfig(tone, "short", whole(A3), loop=loop), [(0, 2 * BEAT, A3)])
    audio, _ = rendered(engine, store, tmp_path / "out.wav")
    assert rms(window(audio, 0.02, 0.18)) > 0.1
    late = rms(window(audio, 0.4, 0.9))
    if loop:
        assert late > 0.1, "the sample did not loop"
        assert peak_hz(window(audio, 0.4, 0.9)) == pytest.approx(220.0, rel=0.005)
    else:
        assert late < 1e-3, "the sample kept sounding past its end"


@pytest.mark.parametrize("engine", ENGINES)
def test_the_selected_slice_is_what_plays(engine: str, tmp_path: Path) -> None:
    tones = write_tones(tmp_path / "two.wav", 220.0, 330.0)
    slices = (Slice(0, 0.0, 0.5, "low", A3), Slice(1, 0.5, 1.0, "high", A3))
    store = Store()
    sampler(store, SamplerConfig(tones, "two", slices, selected_slice=1), [(0, BEAT // 2, A3)])
    audio, _ = rendered(engine, store, tmp_path / "out.wav")
    assert peak_hz(window(audio, 0.02, 0.22)) == pytest.approx(330.0, rel=0.005)
    assert rms(window(audio, 0.27, 0.5)) < 1e-3, "more than the slice played"


@pytest.mark.parametrize("engine", ENGINES)
def test_the_chopper_maps_slices_to_consecutive_notes(engine: str, tmp_path: Path) -> None:
    tones = write_tones(tmp_path / "three.wav", 220.0, 330.0, 440.0)
    slices = tuple(Slice(k, k / 3, (k + 1) / 3, f"s{k}") for k in range(3))
    notes = [(i * BEAT, BEAT // 2, CHOPPER_FIRST_NOTE + k) for i, k in enumerate((2, 0, 1))]
    notes.append((3 * BEAT, BEAT // 2, CHOPPER_FIRST_NOTE + 3))  # no slice there
    store = Store()
    sampler(store, SamplerConfig(tones, "three", slices, pitch_tracking=False), notes)
    audio, _ = rendered(engine, store, tmp_path / "out.wav")
    heard = [peak_hz(window(audio, k * 0.5 + 0.02, k * 0.5 + 0.22)) for k in range(3)]
    assert heard == pytest.approx([440.0, 220.0, 330.0], rel=0.005)
    assert rms(window(audio, 1.5, 1.8)) < 1e-3


# --- time stretch -------------------------------------------------------------------------------


def strongest(signal: np.ndarray, *candidates: float) -> float:
    """Which of ``candidates`` (Hz) holds the most energy within 4 % of itself: Warp1's
    randomized grains smear a tone's spectral peak, so the peak bin alone wanders."""
    power = np.abs(np.fft.rfft(signal * np.hanning(len(signal)))) ** 2
    freqs = np.fft.rfftfreq(len(signal), 1 / RATE)
    energy = [power[np.abs(freqs / f - 1) < 0.04].sum() for f in candidates]
    return candidates[int(np.argmax(energy))]


@pytest.mark.parametrize("engine", ENGINES)
def test_time_stretch_slows_the_sample_without_changing_its_pitch(
    engine: str, tmp_path: Path
) -> None:
    tones = write_tones(tmp_path / "two.wav", 220.0, 330.0)  # 0.25 s each
    store = Store()
    ident = sampler(store, SamplerConfig(tones, "two", whole(A3)), [(0, 2 * BEAT, A3)],
                    source="time_stretch")  # fmt: skip
    store.dispatch(SetSourceParam(ident, "stretch", 2.0))
    audio, _ = rendered(engine, store, tmp_path / "out.wav")
    # At half speed the first tone lasts 0.5 s: still 220 Hz from 0.3 s to 0.42 s.
    candidates = (220.0, 330.0, 440.0, 660.0)
    assert strongest(window(audio, 0.05, 0.2), *candidates) == 220.0
    assert strongest(window(audio, 0.3, 0.42), *candidates) == 220.0
    assert strongest(window(audio, 0.6, 0.9), *candidates) == 330.0


@pytest.mark.parametrize("engine", ENGINES)
def test_time_stretch_pitch_transposes_without_changing_the_speed(
    engine: str, tmp_path: Path
) -> None:
    tones = write_tones(tmp_path / "two.wav", 220.0, 330.0)
    store = Store()
    ident = sampler(store, SamplerConfig(tones, "two", whole(A3)), [(0, BEAT, A3)],
                    source="time_stretch")  # fmt: skip
    store.dispatch(SetSourceParam(ident, "pitch", 12.0))
    audio, _ = rendered(engine, store, tmp_path / "out.wav")
    candidates = (220.0, 330.0, 440.0, 660.0)
    assert strongest(window(audio, 0.05, 0.2), *candidates) == 440.0
    assert strongest(window(audio, 0.3, 0.45), *candidates) == 660.0


# --- files and buffers --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_missing_sample_is_reported_by_name_and_the_rest_still_plays(
    engine: str, tmp_path: Path
) -> None:
    missing = str(tmp_path / "gone.wav")
    store = Store()
    sampler(store, SamplerConfig(missing, "gone"), [(0, BEAT, A3)])
    store.dispatch(AddInstrument("sine"))
    sine = store.state.instruments.items[-1].id
    store.dispatch(AddNote(sine, 0, BEAT, 69))
    audio, problems = rendered(engine, store, tmp_path / "out.wav")
    assert any(missing in problem for problem in problems), problems
    assert peak_hz(window(audio, 0.05, 0.45)) == pytest.approx(440.0, rel=0.005)


class Rig:
    """A store whose commits reach an engine on a recording backend."""

    def __init__(self) -> None:
        self.store = Store()
        self.backend = RecordingBackend()
        self.problems: list[str] = []
        self.engine = Engine(self.backend, self.problems.append)
        self.engine.start(self.store.state)
        self.store.subscribe(self.forward)

    def forward(self, commit: Commit) -> None:
        self.engine.apply(commit.new, commit.effects)


def test_a_stereo_sample_is_read_whole_and_a_mono_one_twice(tmp_path: Path) -> None:
    rig = Rig()
    stereo = write_tones(tmp_path / "st.wav", 220.0, channels=2)
    mono = write_tones(tmp_path / "mono.wav", 220.0)
    a = sampler(rig.store, SamplerConfig(stereo), [])
    sampler(rig.store, SamplerConfig(mono), [])
    reads = [r for r in rig.backend.requests() if isinstance(r, ReadBuffer | ReadBufferChannels)]
    assert reads == [ReadBuffer(FIRST_SAMPLE_BUFFER, stereo),
                     ReadBufferChannels(FIRST_SAMPLE_BUFFER + 1, mono, (0, 0))]  # fmt: skip
    rig.backend.clear()
    rig.engine.note_on(a, A3, 1.0, at=0.0)
    (voice,) = [r for r in rig.backend.requests() if isinstance(r, NewSynth)]
    assert voice.controls["buffer"] == FIRST_SAMPLE_BUFFER


def test_a_sample_no_sampler_plays_any_more_is_freed(tmp_path: Path) -> None:
    rig = Rig()
    first = write_tones(tmp_path / "first.wav", 220.0)
    ident = sampler(rig.store, SamplerConfig(first), [])
    rig.backend.clear()
    rig.store.dispatch(SetSampler(ident, SamplerConfig(write_tones(tmp_path / "b.wav", 330.0))))
    assert FreeBuffer(FIRST_SAMPLE_BUFFER) in rig.backend.requests()
    rig.backend.clear()
    rig.store.dispatch(DeleteInstrument(ident))
    assert FreeBuffer(FIRST_SAMPLE_BUFFER + 1) in rig.backend.requests()
