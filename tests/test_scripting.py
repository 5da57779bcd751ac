"""The scripting API: create, edit, save and reopen a project from Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from imbolc.core.actions import SetBpm
from imbolc.core.errors import UnknownCatalogEntry, UnknownId
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.scripting import Song


def test_a_script_builds_saves_and_reopens_a_song(tmp_path: Path) -> None:
    path = tmp_path / "groove.imbolc"
    with Song.create(path) as song:
        song.dispatch(SetBpm(126))
        bass = song.add_instrument("acid", "Bass")
        stage = song.add_effect(bass, "distortion")
        song.add_note("Bass", "A2", beat=1, beats=0.5, velocity=110)
        song.save()
    reopened = Song.open(path)
    inst = reopened.instrument("Bass")
    assert reopened.state.session.settings.bpm == 126
    assert inst.chain[0].id == stage
    note = reopened.state.session.piano_roll.track(inst.id).notes[0]  # type: ignore[union-attr]
    beat = TICKS_PER_BEAT
    assert (note.tick, note.duration, note.pitch, note.velocity) == (beat, beat // 2, 45, 110)


def test_a_second_save_is_incremental_and_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.imbolc"
    with Song.create(path, demo=True) as song:
        song.save()
        song.add_note("Lead", 80, beat=15)
        song.save()
    assert (
        Song.open(path).state.session.piano_roll.note_count
        == song.state.session.piano_roll.note_count
    )


def test_script_errors_are_typed_and_change_nothing(tmp_path: Path) -> None:
    song = Song.create()
    before = song.state
    with pytest.raises(UnknownCatalogEntry):
        song.add_instrument("theremin")
    with pytest.raises(UnknownId):
        song.add_note("Nobody", 60, beat=0)
    assert song.state is before


def test_undo_and_redo_step_through_script_edits() -> None:
    song = Song.create()
    song.add_instrument("sine")
    assert song.undo()
    assert len(song.state.instruments) == 0
    assert song.redo()
    assert len(song.state.instruments) == 1


def test_a_script_builds_a_tempo_map(tmp_path: Path) -> None:
    with Song.create(tmp_path / "tempo.imbolc") as song:
        song.tempo_change(0, 100.0)
        song.tempo_change(4, 50.0, ramp=True)
        song.tempo_change(8, 100.0)
        song.tempo_change(8, 120.0)  # the same beat again changes it
        song.meter_change(3, 6, 8)
        assert song.seconds_at(4) == pytest.approx(2.4)
        assert song.seconds_at(12) == pytest.approx(song.seconds_at(8) + 2.0)
        song.save()
    reopened = Song.open(tmp_path / "tempo.imbolc")
    tempo_map = reopened.state.session.tempo_map
    assert [(c.tick // TICKS_PER_BEAT, c.bpm, c.ramp) for c in tempo_map.tempos] == [
        (4, 50.0, True),
        (8, 120.0, False),
    ]
    assert [(m.bar, m.numerator, m.denominator) for m in tempo_map.meters] == [(2, 6, 8)]
    reopened.close()
