"""Offline renders through the real scsynth (NRT), measured sample by sample with NumPy."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile
from msgspec.structs import replace

from imbolc.core.actions import (
    AddBusEffect,
    AddEffect,
    AddInstrument,
    AddNote,
    AddNotes,
    CreateClip,
    PlaceClip,
    SetBusEffectParam,
    SetEnvelope,
    SetLoop,
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
    SetMixerSolo,
    SetPlayMode,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
)
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.instrument import EffectStage
from imbolc.core.midifile import import_midi
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.templates import demo_project
from imbolc.engine.render import RenderResult, render, tail_seconds

pytestmark = [
    pytest.mark.scsynth,
    pytest.mark.skipif(
        shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)"
    ),
]

RATE = 48_000
BAR = 4 * TICKS_PER_BEAT
SILENCE = 10 ** (-100 / 20)
"""-100 dBFS: anything quieter counts as silence."""
SHORT = 100
"""A note of 100 ticks (52 ms at 120 BPM); with the shortest release it is over long before
the next beat, so every note can be found on its own."""
A4, E5 = 69, 76


# --- building projects ------------------------------------------------------------------------


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


# --- rendering and measuring ------------------------------------------------------------------


def render_to(
    project: Project, path: Path, stems: Path | None = None, **options: float
) -> tuple[np.ndarray, RenderResult]:
    """Render at 48 kHz float; the master as (frames, 2) float64 and the result."""
    result = render(project, path, RenderOptions(RATE, "float", **options), stems_dir=stems)
    audio, rate = soundfile.read(path, dtype="float64", always_2d=True)
    assert rate == RATE
    return audio, result


def sample_of(tick: float, bpm: float = 120.0) -> float:
    """The sample a tick sounds on, from the tick arithmetic alone."""
    return tick / TICKS_PER_BEAT * 60.0 / bpm * RATE


def moving(audio: np.ndarray) -> np.ndarray:
    """Each frame's step from the one before: what sounds, without the master DC blocker's
    slow tail after a note (about -90 dBFS, decaying over tens of milliseconds)."""
    return np.diff(audio, axis=0, prepend=audio[:1])


def first_sound(audio: np.ndarray, start: int = 0, threshold: float = 1e-6) -> int:
    """The first frame at or after ``start`` where either channel moves by more than
    ``threshold``."""
    loud = np.flatnonzero(np.max(np.abs(moving(audio[start:])), axis=1) > threshold)
    assert loud.size, f"no sound after frame {start}"
    return start + int(loud[0])


def peak(audio: np.ndarray) -> float:
    return float(np.max(np.abs(audio))) if audio.size else 0.0


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(signal))))


def peak_frequency(signal: np.ndarray, rate: int = RATE) -> float:
    """The strongest frequency: Hann-windowed FFT, zero-padded, parabolic peak interpolation."""
    size = 1 << (len(signal) * 4 - 1).bit_length()
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal)), size))
    k = int(np.argmax(spectrum[1:-1])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-30)
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + offset) * rate / size


def seconds(start: float, end: float) -> slice:
    return slice(round(start * RATE), round(end * RATE))


# --- pitch, timing, level, pan ----------------------------------------------------------------


def test_a_sine_playing_a4_measures_440_hz(tmp_path: Path) -> None:
    store = Store()
    add_sine(store, [(0, BAR, A4)])
    audio, _ = render_to(looped(store, BAR), tmp_path / "a4.wav")

    steady = audio[seconds(0.2, 1.8), 0]

    assert peak_frequency(steady) == pytest.approx(440.0, abs=0.5)


def test_note_onsets_land_on_the_sample_their_tick_predicts(tmp_path: Path) -> None:
    store = Store()
    ticks = (0, 480, 1000)
    add_sine(store, [(tick, SHORT, A4) for tick in ticks])
    audio, _ = render_to(looped(store, BAR), tmp_path / "onsets.wav")

    onsets, start = [], 0
    for tick in ticks:
        onsets.append(first_sound(audio, start))
        start = round(sample_of(tick)) + round(sample_of(SHORT)) + RATE // 100

    # A sine starts at phase 0 under an envelope starting at 0: the onset sample itself is 0,
    # the one after it is the first that sounds.
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


# --- mute, solo, sends --------------------------------------------------------------------------


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

    assert echo - dry == pytest.approx(0.3 * RATE, abs=64)
    assert peak(audio[echo : echo + RATE // 20]) > 0.01


# --- range and length ---------------------------------------------------------------------------


def test_song_mode_plays_each_placement_at_its_tick(tmp_path: Path) -> None:
    store = Store()
    ident = add_sine(store)
    store.dispatch(CreateClip(ident, BAR, "riff", (Note(0, SHORT, A4),)))
    clip = store.state.session.arrangement.clips[-1].id
    store.dispatch(PlaceClip(clip, BAR))
    store.dispatch(PlaceClip(clip, 3 * BAR))
    store.dispatch(SetPlayMode("song"))
    audio, _ = render_to(store.state, tmp_path / "song.wav")

    first = first_sound(audio)
    second = first_sound(audio, first + RATE // 2)

    assert first - 1 == pytest.approx(sample_of(BAR), abs=1)
    assert second - 1 == pytest.approx(sample_of(3 * BAR), abs=1)
    assert peak(audio[second + RATE // 2 :]) < SILENCE


def test_song_mode_renders_the_song_plus_the_release_tail(tmp_path: Path) -> None:
    store = Store()
    ident = add_sine(store)
    store.dispatch(SetEnvelope(ident, "release", 0.4))
    store.dispatch(CreateClip(ident, BAR, "riff", (Note(0, SHORT, A4),)))
    clip = store.state.session.arrangement.clips[-1].id
    store.dispatch(PlaceClip(clip, 2 * BAR))
    store.dispatch(SetPlayMode("song"))
    audio, result = render_to(store.state, tmp_path / "song.wav")

    expected = sample_of(3 * BAR) / RATE + tail_seconds(store.state)
    assert tail_seconds(store.state) == pytest.approx(0.4 + 0.5)
    assert result.seconds == pytest.approx(expected)
    assert len(audio) == pytest.approx(expected * RATE, abs=64)


def test_pattern_mode_renders_the_loop_plus_the_release_tail(tmp_path: Path) -> None:
    store = Store()
    add_sine(store, [(0, SHORT, A4)])
    audio, result = render_to(looped(store, 2 * BAR), tmp_path / "loop.wav")

    expected = sample_of(2 * BAR) / RATE + tail_seconds(store.state)
    assert result.seconds == pytest.approx(expected)
    assert len(audio) == pytest.approx(expected * RATE, abs=64)


def test_from_and_to_render_only_the_beats_asked_for(tmp_path: Path) -> None:
    store = Store()
    add_sine(store, [(beat * TICKS_PER_BEAT, SHORT, A4) for beat in (0, 2, 4, 6)])
    audio, result = render_to(
        looped(store, 2 * BAR), tmp_path / "cut.wav", from_beat=2.0, to_beat=5.0
    )

    # Beats 2 and 4 of the song are seconds 0 and 1 of the render; beats 0 and 6 are cut.
    assert first_sound(audio) - 1 == pytest.approx(0, abs=1)
    assert first_sound(audio, RATE // 4) - 1 == pytest.approx(RATE, abs=1)
    assert peak(audio[RATE + RATE // 4 :]) < SILENCE
    assert result.seconds == pytest.approx(1.5 + tail_seconds(store.state))


# --- stems --------------------------------------------------------------------------------------


def three_chords(store: Store) -> tuple[int, ...]:
    """Three overlapping sines (A4, E5, A5), quiet and spread across the stereo field."""
    pitches = (A4, E5, A4 + 12)
    for n, pitch in enumerate(pitches):
        ident = add_sine(store, [(n * TICKS_PER_BEAT // 2, 2 * TICKS_PER_BEAT, pitch)])
        store.dispatch(SetMixerLevel(instrument_strip(ident), 0.3))
        store.dispatch(SetMixerPan(instrument_strip(ident), (n - 1) * 0.6))
    return pitches


def read_stems(result: RenderResult) -> list[np.ndarray]:
    return [soundfile.read(path, dtype="float64", always_2d=True)[0] for path in result.stems]


def test_stems_are_one_wav_per_instrument_playing_only_that_instrument(tmp_path: Path) -> None:
    store = Store()
    pitches = three_chords(store)
    master, result = render_to(looped(store, BAR), tmp_path / "mix.wav", stems=tmp_path / "st")

    assert sorted((tmp_path / "st").iterdir()) == result.stems
    assert [path.name for path in result.stems] == [
        "01-sine-1.wav",
        "02-sine-2.wav",
        "03-sine-3.wav",
    ]
    for stem, pitch in zip(read_stems(result), pitches, strict=True):
        assert stem.shape == master.shape
        assert peak_frequency(stem[seconds(0.6, 0.95), 0]) == pytest.approx(
            440.0 * 2 ** ((pitch - A4) / 12), abs=0.5
        )


def test_stems_sum_to_the_master_at_master_level_1(tmp_path: Path) -> None:
    store = Store()
    three_chords(store)
    master, result = render_to(looped(store, BAR), tmp_path / "mix.wav", stems=tmp_path / "st")

    assert peak(master) < 0.9  # far below the safety limiter's ceiling: it never acts
    np.testing.assert_allclose(sum(read_stems(result)), master, atol=1e-4)


def test_stems_follow_mute_and_solo_as_the_master_does(tmp_path: Path) -> None:
    store = Store()
    first, second, _third = three_in_turn(store)
    store.dispatch(SetMixerSolo(instrument_strip(first), True))
    store.dispatch(SetMixerSolo(instrument_strip(second), True))
    store.dispatch(SetMixerMute(instrument_strip(second), True))
    _, result = render_to(looped(store, 3 * BAR), tmp_path / "mix.wav", stems=tmp_path / "st")

    soloed, muted, silenced_by_solo = (peak(stem) for stem in read_stems(result))

    assert soloed > 0.05
    assert muted < SILENCE
    assert silenced_by_solo < SILENCE


# --- bad projects still render --------------------------------------------------------------


def test_an_unknown_source_or_effect_is_reported_and_the_rest_still_plays(
    tmp_path: Path,
) -> None:
    store = Store()
    ghost, effected, _plain = three_in_turn(store)
    store.dispatch(AddEffect(effected, "delay"))
    project = store.state
    instruments = project.instruments
    ghost_inst, effected_inst = instruments.get(ghost), instruments.get(effected)
    assert ghost_inst is not None and effected_inst is not None
    unknown_effect = EffectStage(StageId(effected_inst.next_stage_id), "frobnicator", ())
    instruments = instruments.replaced(replace(ghost_inst, source="theremin_9000"))
    instruments = instruments.replaced(
        replace(effected_inst, chain=(unknown_effect, *effected_inst.chain))
    )
    project = looped(store, 3 * BAR)
    audio, result = render_to(replace(project, instruments=instruments), tmp_path / "bad.wav")

    assert any("theremin_9000" in problem for problem in result.problems)
    assert any("frobnicator" in problem for problem in result.problems)
    assert level_in_beat(audio, 0) < SILENCE
    assert level_in_beat(audio, 2) > 0.05
    assert level_in_beat(audio, 4) > 0.05


def test_a_score_of_thousands_of_bundles_renders_without_stalling(tmp_path: Path) -> None:
    # scsynth prints a line per bundle: more than a pipe holds, unless someone reads it.
    store = Store()
    ident = add_sine(store)
    span, gap = 62.5 * TICKS_PER_BEAT, TICKS_PER_BEAT // 48  # 31 s of 3,000 notes
    notes = tuple(Note(tick, gap // 2, A4 + tick // gap % 12) for tick in range(0, int(span), gap))
    store.dispatch(AddNotes(ident, notes))
    project = looped(store, int(span))
    results: list[RenderResult] = []
    worker = threading.Thread(
        target=lambda: results.append(render(project, tmp_path / "dense.wav")), daemon=True
    )

    worker.start()
    worker.join(timeout=60)

    assert not worker.is_alive(), "the render stalled"
    assert results[0].seconds > 30


# --- whole projects ---------------------------------------------------------------------------


def assert_finite_and_sounding(audio: np.ndarray) -> None:
    assert np.all(np.isfinite(audio))
    assert peak(audio) > 0.01
    assert rms(audio) > 1e-3


def test_the_demo_project_renders_to_a_finite_sounding_wav(tmp_path: Path) -> None:
    reported: list[float] = []
    result = render(
        demo_project(), tmp_path / "demo.wav", RenderOptions(RATE), progress=reported.append
    )
    audio, rate = soundfile.read(result.path, dtype="float64", always_2d=True)

    assert rate == RATE and audio.shape[1] == 2
    assert_finite_and_sounding(audio)
    assert result.problems == []
    assert reported[-1] == 1.0


def test_an_imported_midi_file_renders_to_a_finite_sounding_wav(tmp_path: Path) -> None:
    song = mido.MidiFile(ticks_per_beat=96)
    track = mido.MidiTrack()
    song.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100), time=0))
    for pitch in (60, 64, 67, 72):
        track.append(mido.Message("note_on", note=pitch, velocity=90, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=96))
    song.save(tmp_path / "tune.mid")
    project = import_midi(tmp_path / "tune.mid")

    audio, result = render_to(project, tmp_path / "tune.wav")

    assert result.problems == []
    assert_finite_and_sounding(audio)
