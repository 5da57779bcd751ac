"""MIDI files with moving time: tempo steps, ramps, meters and any PPQ come back on the second.

Every file is generated with mido; the reference for "when a note sounds" is mido's own
playback of the file (its seconds), independent of imbolc's tempo map.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import mido
import pytest

from imbolc.core.midifile import export_midi, import_midi, import_midi_report
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.timemap import time_map

MS = 0.001

Onset = tuple[float, int, int]
"""(seconds, pitch, velocity) of a note-on."""


def onsets(path: Path) -> list[Onset]:
    """Every note-on of the file in playback order, at the second mido plays it."""
    now = 0.0
    out: list[Onset] = []
    for msg in mido.MidiFile(path):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            out.append((now, msg.note, msg.velocity))
    return sorted(out)


def project_onsets(project: Project) -> list[Onset]:
    """Every note of the project at the second its tempo map puts it."""
    tmap = time_map(project.session)
    return sorted(
        (tmap.seconds_at(note.tick), note.pitch, note.velocity)
        for track in project.session.piano_roll.tracks
        for note in track.notes
    )


def assert_same_onsets(got: list[Onset], want: list[Onset], tolerance: float = MS) -> None:
    """Same notes (pitch, velocity), each onset within ``tolerance`` of its original."""
    assert len(got) == len(want)
    by_note: dict[tuple[int, int], list[float]] = {}
    for seconds, pitch, velocity in want:
        by_note.setdefault((pitch, velocity), []).append(seconds)
    worst = 0.0
    for key, times in sorted({k: [t for t, p, v in got if (p, v) == k] for k in by_note}.items()):
        assert len(times) == len(by_note[key]), key
        for a, b in zip(sorted(times), sorted(by_note[key]), strict=True):
            worst = max(worst, abs(a - b))
    assert worst <= tolerance, f"an onset moved by {worst * 1000:.3f} ms"


def write(path: Path, tracks: list[list[tuple[int, Any]]], ppq: int, midi_type: int = 1) -> Path:
    midi = mido.MidiFile(type=midi_type, ticks_per_beat=ppq)
    if midi_type == 0:
        tracks = [[event for track in tracks for event in track]]
    for events in tracks:
        track = mido.MidiTrack()
        now = 0
        for tick, message in sorted(events, key=lambda event: event[0]):
            track.append(message.copy(time=tick - now))
            now = tick
        midi.tracks.append(track)
    midi.save(path)
    return path


def tempo(tick: int, bpm: float) -> tuple[int, Any]:
    return tick, mido.MetaMessage("set_tempo", tempo=round(60_000_000 / bpm))


def meter(tick: int, numerator: int, denominator: int) -> tuple[int, Any]:
    return tick, mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator)


def notes(
    ppq: int, count: int, beats: int, seed: int, channel: int = 0, grid: int = 1
) -> list[tuple[int, Any]]:
    """``count`` notes at random file ticks (multiples of ``grid``) over ``beats`` beats."""
    rng = random.Random(seed)
    events: list[tuple[int, Any]] = []
    taken: set[tuple[int, int]] = set()
    while len(taken) < count:
        start = rng.randrange(0, beats * ppq, grid)
        pitch = rng.randrange(30, 100)
        if (start * TICKS_PER_BEAT // ppq // 4, pitch) in taken:
            continue  # same pitch within a 16th of a beat would merge or cross
        taken.add((start * TICKS_PER_BEAT // ppq // 4, pitch))
        length = rng.randrange(1, 2 * ppq)
        velocity = rng.randrange(1, 128)
        events.append((start, mido.Message("note_on", note=pitch, velocity=velocity,
                                           channel=channel)))  # fmt: skip
        events.append((start + length, mido.Message("note_off", note=pitch, channel=channel)))
    return events


def round_trip(source: Path, tmp_path: Path) -> tuple[Project, Path]:
    project = import_midi(source)
    out = tmp_path / "again.mid"
    export_midi(project, out)
    return project, out


def assert_round_trip_on_time(source: Path, tmp_path: Path) -> Project:
    project, again = round_trip(source, tmp_path)
    want = onsets(source)
    assert_same_onsets(project_onsets(project), want)
    assert_same_onsets(onsets(again), want)
    return project


STEPS = [tempo(0, 120), tempo(8, 110), tempo(16, 90), tempo(24, 60)]
"""120 → 110 → 90 → 60 BPM, a change every two bars (ticks in beats, scaled per PPQ)."""


@pytest.mark.parametrize("ppq", [96, 192, 480, 960, 1024])
@pytest.mark.parametrize("midi_type", [0, 1])
def test_tempo_steps_come_back_within_a_millisecond(
    tmp_path: Path, ppq: int, midi_type: int
) -> None:
    conductor = [(beat * ppq, msg) for beat, msg in STEPS]
    source = write(tmp_path / "steps.mid", [conductor, notes(ppq, 300, 40, seed=ppq)], ppq,
                   midi_type)  # fmt: skip
    project = assert_round_trip_on_time(source, tmp_path)
    changes = project.session.tempo_map.tempos
    assert [c.tick for c in changes] == [
        8 * TICKS_PER_BEAT,
        16 * TICKS_PER_BEAT,
        24 * TICKS_PER_BEAT,
    ]
    assert [c.bpm for c in changes] == [110.0, 90.0, 60.0]


def test_a_hundred_tempo_changes_off_the_grid_do_not_drift(tmp_path: Path) -> None:
    ppq = 1024
    rng = random.Random(7)
    ticks = sorted(rng.sample(range(1, 200 * ppq), 100))
    conductor = [tempo(0, 100)] + [tempo(t, rng.uniform(40, 200)) for t in ticks]
    source = write(tmp_path / "hundred.mid", [conductor, notes(ppq, 800, 200, seed=1)], ppq)
    project = assert_round_trip_on_time(source, tmp_path)
    assert len(project.session.tempo_map.tempos) == 100


def test_a_tempo_ramp_written_as_steps_stays_on_time(tmp_path: Path) -> None:
    ppq = 960
    ramp = [tempo(n * ppq // 8, 60 + n) for n in range(80)]  # 60 → 139 BPM over 10 beats
    source = write(tmp_path / "ramp.mid", [ramp, notes(ppq, 100, 16, seed=3)], ppq)
    assert_round_trip_on_time(source, tmp_path)


def test_a_ramp_made_in_imbolc_exports_on_time(tmp_path: Path) -> None:
    from imbolc.core.actions import AddInstrument, AddNotes, AddTempoChange, SetTempoChange
    from imbolc.core.ids import InstrumentId
    from imbolc.core.notes import Note
    from imbolc.core.store import Store

    store = Store()
    store.dispatch(AddInstrument("saw", "Lead"))
    beat = TICKS_PER_BEAT
    store.dispatch(AddNotes(InstrumentId(1), tuple(Note(k * beat // 3, 60, 60 + k % 12)
                                                  for k in range(200))))  # fmt: skip
    store.dispatch(SetTempoChange(0, 70.0, ramp=True))
    store.dispatch(AddTempoChange(32 * beat, 180.0, ramp=True))
    store.dispatch(AddTempoChange(60 * beat, 90.0))
    out = tmp_path / "ramp.mid"
    export_midi(store.state, out)
    assert_same_onsets(onsets(out), project_onsets(store.state))


@pytest.mark.parametrize(("numerator", "denominator"), [(3, 8), (6, 8)])
def test_compound_meters_alternating_tempi_come_back(
    tmp_path: Path, numerator: int, denominator: int
) -> None:
    ppq = 192
    bar = ppq * 4 * numerator // denominator
    conductor = [meter(0, numerator, denominator)]
    conductor += [tempo(n * bar, 112 if n % 2 == 0 else 96) for n in range(24)]
    source = write(tmp_path / "compound.mid", [conductor, notes(ppq, 200, 30, seed=5)], ppq)
    project = assert_round_trip_on_time(source, tmp_path)
    assert project.session.settings.time_signature == (numerator, denominator)
    again = import_midi(tmp_path / "again.mid")
    assert again.session.tempo_map == project.session.tempo_map


def test_meter_changes_are_kept_on_their_bars(tmp_path: Path) -> None:
    ppq = 480
    conductor = [meter(0, 4, 4), meter(8 * ppq, 3, 4), meter(14 * ppq, 6, 8), meter(20 * ppq, 4, 4)]
    source = write(tmp_path / "meters.mid", [conductor, notes(ppq, 50, 24, seed=2)], ppq)
    project = import_midi(source)
    meters = project.session.tempo_map.meters
    assert [(m.bar, m.numerator, m.denominator) for m in meters] == [
        (2, 3, 4),
        (4, 6, 8),
        (6, 4, 4),
    ]
    out = tmp_path / "again.mid"
    export_midi(project, out)
    written = [
        (tick, msg.numerator, msg.denominator)
        for tick, msg in absolute(mido.MidiFile(out).tracks[0])
        if msg.type == "time_signature"
    ]
    beat = TICKS_PER_BEAT
    assert written == [(0, 4, 4), (8 * beat, 3, 4), (14 * beat, 6, 8), (20 * beat, 4, 4)]


def test_a_time_signature_inside_a_bar_moves_to_the_next_bar_line_and_says_so(
    tmp_path: Path,
) -> None:
    ppq = 480
    conductor = [meter(0, 4, 4), meter(6 * ppq, 3, 4)]
    source = write(tmp_path / "odd.mid", [conductor, notes(ppq, 10, 12, seed=2)], ppq)
    project, report = import_midi_report(source)
    assert [(m.bar, m.numerator) for m in project.session.tempo_map.meters] == [(2, 3)]
    assert any("moved to the next bar line" in line for line in report)


def absolute(track: Any) -> list[tuple[int, Any]]:
    now = 0
    out = []
    for msg in track:
        now += msg.time
        out.append((now, msg))
    return out


def test_re_struck_notes_are_all_kept(tmp_path: Path) -> None:
    ppq = 480
    on = lambda t, v: (t, mido.Message("note_on", note=60, velocity=v))  # noqa: E731
    off = lambda t: (t, mido.Message("note_off", note=60))  # noqa: E731
    # re-struck while sounding, three deep, with releases in order
    events = [on(0, 10), on(240, 20), on(480, 30), off(600), off(700), off(960)]
    source = write(tmp_path / "restruck.mid", [[tempo(0, 60)], events], ppq)
    project = assert_round_trip_on_time(source, tmp_path)
    notes_kept = project.session.piano_roll.tracks[0].notes
    assert [(n.tick, n.end, n.velocity) for n in notes_kept] == [
        (0, 1200, 10), (480, 1400, 20), (960, 1920, 30)  # ppq 480 -> 960
    ]  # fmt: skip


def test_nested_same_pitch_notes_survive_export(tmp_path: Path) -> None:
    from imbolc.core.actions import AddInstrument, AddNotes
    from imbolc.core.ids import InstrumentId
    from imbolc.core.notes import Note
    from imbolc.core.store import Store

    beat = TICKS_PER_BEAT
    store = Store()
    store.dispatch(AddInstrument("saw", "Keys"))
    nested = (Note(0, 4 * beat, 60, 90), Note(beat, beat // 2, 60, 70), Note(2 * beat, beat, 64))
    store.dispatch(AddNotes(InstrumentId(1), nested))
    out = tmp_path / "nested.mid"
    export_midi(store.state, out)
    again = import_midi(out)
    assert len(again.instruments.items) == 1
    assert again.session.piano_roll.tracks[0].notes == nested


def test_zero_length_notes_become_the_finest_grid_step_and_are_reported(tmp_path: Path) -> None:
    ppq = 96
    events = [(0, mido.Message("note_on", note=36, velocity=90)),
              (0, mido.Message("note_off", note=36)),
              (96, mido.Message("note_on", note=38, velocity=80)),
              (96, mido.Message("note_off", note=38))]  # fmt: skip
    source = write(tmp_path / "zero.mid", [[tempo(0, 100)], events], ppq)
    project, report = import_midi_report(source)
    kept = project.session.piano_roll.tracks[0].notes
    assert [(n.tick, n.duration) for n in kept] == [
        (0, TICKS_PER_BEAT // 16),
        (TICKS_PER_BEAT, TICKS_PER_BEAT // 16),
    ]
    assert any("2 zero-length notes" in line for line in report)
    assert_round_trip_on_time(source, tmp_path)


def test_duplicate_note_ons_merge_into_the_longest_and_are_reported(tmp_path: Path) -> None:
    ppq = 480
    events = [(0, mido.Message("note_on", note=60, velocity=100)),
              (0, mido.Message("note_on", note=60, velocity=50)),
              (240, mido.Message("note_off", note=60)),
              (960, mido.Message("note_off", note=60))]  # fmt: skip
    source = write(tmp_path / "dup.mid", [[tempo(0, 120)], events], ppq)
    project, report = import_midi_report(source)
    kept = project.session.piano_roll.tracks[0].notes
    assert [(n.tick, n.duration, n.velocity) for n in kept] == [(0, 2 * TICKS_PER_BEAT, 50)]
    assert any("1 duplicate notes" in line for line in report)
