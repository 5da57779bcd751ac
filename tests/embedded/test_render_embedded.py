"""The engine's numeric checks on the embedded backend alone: no SuperCollider involved."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile

from imbolc.core.actions import (
    AddBusEffect,
    AddInstrument,
    AddNote,
    SetBusEffectParam,
    SetEnvelope,
    SetLoop,
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
    SetMixerSolo,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
)
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.templates import demo_project
from imbolc.engine.embedded import render_embedded
from imbolc.engine.render import RenderError, RenderResult

RATE = 48_000
BAR = 4 * TICKS_PER_BEAT
SILENCE = 10 ** (-100 / 20)
SHORT = 100
A4 = 69


def add_sine(store: Store, notes: Sequence[tuple[int, int, int]] = ()) -> InstrumentId:
    """A sine instrument with the shortest envelope and ``(tick, duration, pitch)`` notes."""
    store.dispatch(AddInstrument("sine"))
    ident = store.state.instruments.items[-1].id
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetEnvelope(ident, "release", 0.0))
    for tick, duration, pitch in notes:
        store.dispatch(AddNote(ident, tick, duration, pitch))
    return ident


def looped(store: Store, end_tick: int) -> Project:
    store.dispatch(SetLoop(0, end_tick))
    return store.state


def render_to(project: Project, path: Path, **options: float) -> tuple[np.ndarray, RenderResult]:
    result = render_embedded(project, path, RenderOptions(RATE, "float", **options))
    audio, rate = soundfile.read(path, dtype="float64", always_2d=True)
    assert rate == RATE
    return audio, result


def sample_of(tick: float, bpm: float = 120.0) -> float:
    return tick / TICKS_PER_BEAT * 60.0 / bpm * RATE


def moving(audio: np.ndarray) -> np.ndarray:
    """Each frame's step from the one before: what sounds, without the master DC blocker's
    slow tail after a note (about -90 dBFS, decaying over tens of milliseconds)."""
    return np.diff(audio, axis=0, prepend=audio[:1])


def first_sound(audio: np.ndarray, start: int = 0, threshold: float = 1e-6) -> int:
    loud = np.flatnonzero(np.max(np.abs(moving(audio[start:])), axis=1) > threshold)
    assert loud.size, f"no sound after frame {start}"
    return start + int(loud[0])


def peak(audio: np.ndarray) -> float:
    return float(np.max(np.abs(audio))) if audio.size else 0.0


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(signal))))


def peak_frequency(signal: np.ndarray) -> float:
    size = 1 << (len(signal) * 4 - 1).bit_length()
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal)), size))
    k = int(np.argmax(spectrum[1:-1])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-30)
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * RATE / size)


def seconds(start: float, end: float) -> slice:
    return slice(round(start * RATE), round(end * RATE))


def test_a_sine_playing_a4_measures_440_hz(tmp_path: Path) -> None:
    store = Store()
    add_sine(store, [(0, BAR, A4)])
    audio, _ = render_to(looped(store, BAR), tmp_path / "a4.wav")

    assert peak_frequency(audio[seconds(0.2, 1.8), 0]) == pytest.approx(440.0, abs=0.5)


def test_note_onsets_land_on_the_sample_their_tick_predicts(tmp_path: Path) -> None:
    store = Store()
    ticks = (0, 480, 1000)
    add_sine(store, [(tick, SHORT, A4) for tick in ticks])
    audio, _ = render_to(looped(store, BAR), tmp_path / "onsets.wav")

    onsets, start = [], 0
    for tick in ticks:
        onsets.append(first_sound(audio, start))
        start = round(sample_of(tick)) + round(sample_of(SHORT)) + RATE // 100

    assert [onset - 1 for onset in onsets] == pytest.approx(
        [sample_of(tick) for tick in ticks], abs=1
    )


def test_a_strip_6_db_lower_halves_the_amplitude(tmp_path: Path) -> None:
    levels = {}
    for name, level in (("loud", 0.8), ("quiet", 0.8 * 10 ** (-6 / 20))):
        store = Store()
        ident = add_sine(store, [(0, BAR, A4)])
        store.dispatch(SetMixerLevel(instrument_strip(ident), level))
        audio, _ = render_to(looped(store, BAR), tmp_path / f"{name}.wav")
        levels[name] = rms(audio[seconds(0.2, 1.8)])

    assert levels["quiet"] / levels["loud"] == pytest.approx(0.5, rel=0.02)


def test_pan_hard_left_puts_the_energy_on_the_left(tmp_path: Path) -> None:
    store = Store()
    ident = add_sine(store, [(0, BAR, A4)])
    store.dispatch(SetMixerPan(instrument_strip(ident), -1.0))
    audio, _ = render_to(looped(store, BAR), tmp_path / "left.wav")

    energy = np.sum(np.square(audio), axis=0)

    assert energy[0] > 0
    assert energy[0] / energy.sum() >= 0.99


def three_in_turn(store: Store) -> list[InstrumentId]:
    """Three sines sounding one after another: beats 0, 2 and 4, each alone for a beat."""
    return [add_sine(store, [(beat * TICKS_PER_BEAT, SHORT, A4)]) for beat in (0, 2, 4)]


def level_in_beat(audio: np.ndarray, beat: int) -> float:
    return peak(audio[seconds(beat * 0.5, beat * 0.5 + 0.5)])


def test_a_muted_instrument_is_silent_while_the_others_sound(tmp_path: Path) -> None:
    store = Store()
    first, _second, _third = three_in_turn(store)
    store.dispatch(SetMixerMute(instrument_strip(first), True))
    audio, _ = render_to(looped(store, 3 * BAR), tmp_path / "mute.wav")

    assert level_in_beat(audio, 0) < SILENCE
    assert level_in_beat(audio, 2) > 0.05
    assert level_in_beat(audio, 4) > 0.05


def test_solo_silences_every_other_instrument(tmp_path: Path) -> None:
    store = Store()
    _first, second, _third = three_in_turn(store)
    store.dispatch(SetMixerSolo(instrument_strip(second), True))
    audio, _ = render_to(looped(store, 3 * BAR), tmp_path / "solo.wav")

    assert level_in_beat(audio, 0) < SILENCE
    assert level_in_beat(audio, 2) > 0.05
    assert level_in_beat(audio, 4) < SILENCE


@pytest.mark.parametrize("tap", ["pre", "post"])
def test_a_send_to_a_delay_bus_echoes_after_the_delay_time(tmp_path: Path, tap: str) -> None:
    store = Store()
    ident = add_sine(store, [(0, SHORT, A4)])
    bus = BusId(1)
    store.dispatch(AddBusEffect(bus, "delay"))
    for name, value in (("mix", 1.0), ("time", 0.3), ("feedback", 0.0)):
        store.dispatch(SetBusEffectParam(bus, StageId(1), name, value))
    store.dispatch(SetSendEnabled(ident, bus, True))
    store.dispatch(SetSendLevel(ident, bus, 1.0))
    store.dispatch(SetSendTap(ident, bus, tap))  # type: ignore[arg-type]
    audio, _ = render_to(looped(store, BAR), tmp_path / f"echo-{tap}.wav")

    dry = first_sound(audio)
    dry_end = round(sample_of(SHORT)) + RATE // 100
    assert peak(moving(audio[dry_end : dry + round(0.25 * RATE)])) < SILENCE
    echo = first_sound(audio, dry_end)

    assert echo - dry == pytest.approx(0.3 * RATE, abs=256)
    assert peak(audio[echo : echo + RATE // 20]) > 0.01


def test_the_demo_song_renders_finite_audible_stereo_with_stems(tmp_path: Path) -> None:
    project = demo_project()
    stems = tmp_path / "stems"
    result = render_embedded(project, tmp_path / "demo.wav", RenderOptions(to_beat=8.0),
                             stems_dir=stems)  # fmt: skip
    audio, rate = soundfile.read(tmp_path / "demo.wav", always_2d=True)

    assert rate == 48000
    assert audio.shape[1] == 2
    assert np.isfinite(audio).all()
    assert 0.01 < peak(audio) <= 0.95 + 1e-6
    assert len(result.stems) == len(project.instruments)
    assert result.problems == []


def test_a_render_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        render_embedded(demo_project(), tmp_path / "nowhere" / "out.wav")
