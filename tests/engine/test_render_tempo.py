"""A render follows the tempo map: onsets measured in the audio of both engines land on the
sample the map says, for a MIDI file with tempo steps, a ramp and a meter change."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile

from imbolc.core.actions import SetEnvelope
from imbolc.core.midifile import import_midi
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.timemap import time_map
from imbolc.engine.embedded import render_embedded
from imbolc.engine.render import render

RATE = 48_000
PPQ = 192


def tempo_file(path: Path) -> Path:
    """120 → 110 → 90 → 60 BPM steps, then a written-out ramp up to 150; 4/4 then 3/4; a short
    A4 on every beat."""
    conductor: list[tuple[int, object]] = [
        (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
        (8 * PPQ, mido.MetaMessage("time_signature", numerator=3, denominator=4)),
    ]
    for beat, bpm in ((0, 120), (2, 110), (4, 90), (6, 60)):
        conductor.append((beat * PPQ, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))))
    for step in range(32):  # beats 8..12 in 32nd notes: 60 → 153 BPM
        tick = 8 * PPQ + step * PPQ // 8
        conductor.append((tick, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(60 + 3 * step))))
    notes: list[tuple[int, object]] = []
    for beat in range(14):
        notes.append((beat * PPQ, mido.Message("note_on", note=69, velocity=100)))
        notes.append((beat * PPQ + PPQ // 8, mido.Message("note_off", note=69)))
    midi = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    for events in (conductor, notes):
        track = mido.MidiTrack()
        now = 0
        for tick, message in sorted(events, key=lambda event: event[0]):
            track.append(message.copy(time=tick - now))  # type: ignore[attr-defined]
            now = tick
        midi.tracks.append(track)
    midi.save(path)
    return path


def mido_onsets(path: Path) -> list[float]:
    """When mido plays the file's note-ons: the reference, independent of imbolc."""
    now, out = 0.0, []
    for msg in mido.MidiFile(path):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            out.append(now)
    return out


def imported(path: Path) -> Project:
    store = Store(import_midi(path, source="sine"))
    ident = store.state.instruments.items[0].id
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetEnvelope(ident, "release", 0.0))
    return store.state


def onsets_in(audio: np.ndarray, expected: list[float]) -> list[float]:
    """The first sounding sample near each expected onset, in seconds."""
    loud = np.max(np.abs(audio), axis=1) > 1e-4
    found = []
    for seconds in expected:
        start = max(0, round((seconds - 0.02) * RATE))
        hits = np.flatnonzero(loud[start : start + RATE // 10])
        assert hits.size, f"nothing sounds near {seconds:.3f} s"
        found.append((start + int(hits[0])) / RATE)
    return found


Renderer = Callable[[Project, Path, RenderOptions], object]


def _scsynth() -> Renderer:
    if shutil.which("scsynth") is None and not os.environ.get("CI"):
        pytest.skip("scsynth not installed (CI installs it)")
    return render


ENGINES = {
    "scsynth": pytest.param(_scsynth, marks=pytest.mark.scsynth, id="scsynth"),
    "embedded": pytest.param(lambda: render_embedded, id="embedded"),
}


@pytest.mark.parametrize("engine", list(ENGINES.values()))
def test_a_tempo_change_file_renders_its_onsets_where_the_map_says(
    tmp_path: Path, engine: Callable[[], Renderer]
) -> None:
    renderer = engine()
    source = tempo_file(tmp_path / "tempo.mid")
    project = imported(source)
    tmap = time_map(project.session)
    notes = project.session.piano_roll.tracks[0].notes
    predicted = [tmap.seconds_at(note.tick) for note in notes]
    assert predicted == pytest.approx(mido_onsets(source), abs=0.001)
    wav = tmp_path / "tempo.wav"
    renderer(project, wav, RenderOptions(RATE, "float"))
    audio, rate = soundfile.read(wav, dtype="float64", always_2d=True)
    assert rate == RATE
    measured = onsets_in(audio, predicted)
    # the first sounding sample is the one after the onset (a sine from phase 0)
    assert measured == pytest.approx(predicted, abs=2 / RATE)
    length = tmap.seconds_at(project.session.piano_roll.loop_end)
    assert len(audio) / RATE >= length


@pytest.mark.parametrize("engine", list(ENGINES.values()))
def test_stems_of_a_tempo_change_file_follow_the_map(
    tmp_path: Path, engine: Callable[[], Renderer]
) -> None:
    renderer = engine()
    project = imported(tempo_file(tmp_path / "tempo.mid"))
    tmap = time_map(project.session)
    predicted = [tmap.seconds_at(n.tick) for n in project.session.piano_roll.tracks[0].notes]
    result = renderer(project, tmp_path / "mix.wav", RenderOptions(RATE, "float", stems=True),
                      stems_dir=tmp_path / "stems")  # type: ignore[call-arg]  # fmt: skip
    (stem,) = result.stems  # type: ignore[attr-defined]
    audio, _ = soundfile.read(stem, dtype="float64", always_2d=True)
    assert onsets_in(audio, predicted) == pytest.approx(predicted, abs=2 / RATE)
