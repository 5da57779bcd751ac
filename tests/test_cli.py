"""The command line: every subcommand, and clear errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mido
import pytest

from imbolc.cli import main
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.persist import load_project


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_launching_with_no_project_shows_the_demo_and_succeeds() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "imbolc"], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "demo song" in done.stdout
    assert "Drums" in done.stdout


def test_new_demo_creates_a_file_that_info_describes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "song.imbolc"
    code, out, _ = run(capsys, "new", str(path), "--demo")
    assert code == 0
    assert path.exists()
    code, out, _ = run(capsys, "info", str(path), "--json")
    info = json.loads(out)
    assert code == 0
    assert [inst["name"] for inst in info["instruments"]][:4] == ["Drums", "Bass", "Chords", "Lead"]
    assert info["notes"] > 0
    assert len(info["buses"]) == 8


def test_new_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "song.imbolc"
    path.write_bytes(b"precious")
    code, _, err = run(capsys, "new", str(path))
    assert code == 1
    assert "already exists" in err
    assert path.read_bytes() == b"precious"


def test_check_reports_ok_for_a_sound_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "song.imbolc"
    run(capsys, "new", str(path), "--demo")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert out.strip().endswith("ok")


def test_info_on_a_file_that_is_not_a_project_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list")
    code, _, err = run(capsys, "info", str(path))
    assert code == 1
    assert str(path) in err


def test_info_on_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "info", str(tmp_path / "nope.imbolc"))
    assert code == 1
    assert "nope.imbolc" in err


def test_an_unknown_option_is_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["info", "song.imbolc", "--colour"])
    assert stop.value.code == 2
    assert "--colour" in capsys.readouterr().err


def _write_midi(path: Path) -> None:
    song = mido.MidiFile(ticks_per_beat=96)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100)))
    for beat, pitch in enumerate((60, 64, 67)):
        track.append(mido.Message("note_on", note=pitch, velocity=90, time=0 if beat == 0 else 48))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=48))
    song.tracks.append(track)
    song.save(path)


def test_import_then_export_midi_keeps_the_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, project, back = tmp_path / "in.mid", tmp_path / "p.imbolc", tmp_path / "out.mid"
    _write_midi(source)
    code, out, _ = run(capsys, "import-midi", str(source), str(project), "--source", "SINE")
    assert code == 0, out
    loaded = load_project(project)
    assert loaded.instruments.items[0].source == "sine"
    assert loaded.session.settings.bpm == pytest.approx(100.0)
    assert [n.pitch for n in loaded.session.piano_roll.tracks[0].notes] == [60, 64, 67]
    beat = TICKS_PER_BEAT
    assert [n.tick for n in loaded.session.piano_roll.tracks[0].notes] == [0, beat, 2 * beat]
    code, _, _ = run(capsys, "export-midi", str(project), str(back))
    assert code == 0
    pitches = [m.note for m in mido.MidiFile(back) if m.type == "note_on" and m.velocity > 0]
    assert pitches == [60, 64, 67]


def test_import_midi_with_an_unknown_source_suggests_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.mid"
    _write_midi(source)
    code, _, err = run(
        capsys, "import-midi", str(source), str(tmp_path / "p.imbolc"), "--source", "sawz"
    )
    assert code == 1
    assert "sawz" in err
    assert "saw" in err
    assert not (tmp_path / "p.imbolc").exists()


def test_checkpoints_can_be_created_listed_and_restored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "song.imbolc"
    run(capsys, "new", str(path), "--demo")
    code, _, _ = run(capsys, "checkpoint", "create", str(path), "first idea")
    assert code == 0
    code, out, _ = run(capsys, "checkpoint", "list", str(path))
    assert "first idea" in out
    checkpoint_id = out.split()[0]
    code, _, _ = run(capsys, "checkpoint", "restore", str(path), checkpoint_id)
    assert code == 0
    code, _, err = run(capsys, "checkpoint", "restore", str(path), "latest")
    assert code == 1
    assert "checkpoint id" in err


def test_a_malformed_config_warns_and_the_command_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[defaults]\nbpm = 'quick'\n")
    path = tmp_path / "song.imbolc"
    code, _, err = run(capsys, "new", str(path))
    assert code == 0
    assert "defaults.bpm" in err
    assert str(config) in err
    assert load_project(path).session.settings.bpm == 120.0


def test_recover_without_an_autosave_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "song.imbolc"
    run(capsys, "new", str(path))
    code, _, err = run(capsys, "recover", str(path))
    assert code == 1
    assert "no autosave" in err


def test_catalog_lists_every_entry_and_none_needs_supercollider_on_the_embedded_engine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "catalog", "--engine", "embedded")
    assert code == 0
    assert "  saw " in out
    assert "  lpf " in out
    assert "  reverb " in out
    assert "  gendy " in out
    assert "  granular " in out
    assert "[needs SuperCollider" not in out


def test_import_midi_reports_what_it_leaves_out_and_info_lists_the_tempo_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, project = tmp_path / "moving.mid", tmp_path / "moving.imbolc"
    song = mido.MidiFile(ticks_per_beat=96)
    song.tracks.append(
        mido.MidiTrack(
            [
                mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120)),
                mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90), time=4 * 96),
                mido.MetaMessage("time_signature", numerator=3, denominator=4, time=4 * 96),
            ]
        )
    )
    song.tracks.append(
        mido.MidiTrack(
            [
                mido.MetaMessage("track_name", name="Piano"),
                mido.Message("program_change", program=0),
                mido.Message("sysex", data=(0x7E, 0x7F, 0x09, 0x01)),
                mido.Message("note_on", note=60, velocity=90),
                mido.Message("pitchwheel", pitch=1000, time=10),
                mido.Message("pitchwheel", pitch=0, time=10),
                mido.Message("note_off", note=60, time=76),
            ]
        )
    )
    song.save(source)
    code, out, _ = run(capsys, "import-midi", str(source), str(project))
    assert code == 0, out
    assert "1 tempo changes, 1 meter changes" in out
    assert "not carried over: pitch bend ×2, SysEx ×1" in out
    loaded = load_project(project)
    assert loaded.instruments.items[0].source == "epiano"  # GM program 1, acoustic piano
    assert loaded.instruments.items[0].midi_program == 0
    code, out, _ = run(capsys, "info", str(project))
    assert code == 0
    assert "tempo map: starts at 120 BPM (step), 4/4" in out
    assert "bar 2 beat 1 (2.000 s): 90 BPM, step" in out
    assert "bar 3: 3/4" in out
