"""Schema versions: older files are migrated step by step; loading never rewrites them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from imbolc.core.project import Project
from imbolc.core.resolution import rescaled
from imbolc.persist import MIGRATIONS, SCHEMA_VERSION, ProjectSaver, load_project, save_project
from imbolc.persist.schema import Migration


def make_version_1_file(path: Path, project: Project) -> None:
    """A file as imbolc schema version 1 wrote it: no ``settings.click_muted`` column (and no
    ``settings.midi``, which came with version 3)."""
    save_project(path, project)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE settings DROP COLUMN click_muted")
    conn.execute("ALTER TABLE settings DROP COLUMN midi")
    conn.execute("ALTER TABLE settings DROP COLUMN tempo_map")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_channel")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_program")
    conn.execute("ALTER TABLE stages DROP COLUMN ir_path")
    conn.execute("ALTER TABLE bus_effects DROP COLUMN ir_path")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def file_version(path: Path) -> str:
    conn = sqlite3.connect(path)
    found: str = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    conn.close()
    return found


def settings_columns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    names = [row[1] for row in conn.execute("PRAGMA table_info(settings)")]
    conn.close()
    return names


def as_version_1_saw_it(project: Project) -> Project:
    """What loading a version-1 file holding ``project``'s rows gives: no click mute, and
    every tick doubled (old files count 480 ticks per beat, this build 960)."""
    click = msgspec.structs.replace(project.session.click, muted=False)
    return rescaled(
        msgspec.structs.replace(
            project, session=msgspec.structs.replace(project.session, click=click)
        ),
        2,
    )


def test_current_version_is_six_and_every_older_version_has_a_step() -> None:
    assert SCHEMA_VERSION == 6
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_version_1_file_loads_through_the_migration(
    tmp_path: Path, rich_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.imbolc"
    make_version_1_file(path, rich_project)
    ran: list[int] = []
    step: Migration = MIGRATIONS[1]

    def spy(conn: sqlite3.Connection) -> None:
        ran.append(1)
        step(conn)

    monkeypatch.setitem(MIGRATIONS, 1, spy)
    later: Migration = MIGRATIONS[2]

    def spy_later(conn: sqlite3.Connection) -> None:
        ran.append(2)
        later(conn)

    monkeypatch.setitem(MIGRATIONS, 2, spy_later)
    latest: Migration = MIGRATIONS[3]

    def spy_latest(conn: sqlite3.Connection) -> None:
        ran.append(3)
        latest(conn)

    monkeypatch.setitem(MIGRATIONS, 3, spy_latest)
    assert load_project(path) == as_version_1_saw_it(rich_project)
    assert ran == [1, 2, 3]


def test_loading_a_version_1_file_leaves_it_untouched(
    tmp_path: Path, rich_project: Project
) -> None:
    path = tmp_path / "old.imbolc"
    make_version_1_file(path, rich_project)
    before = path.read_bytes()
    load_project(path)
    assert path.read_bytes() == before
    assert file_version(path) == "1"


def test_saving_over_a_version_1_file_upgrades_it(tmp_path: Path, rich_project: Project) -> None:
    path = tmp_path / "old.imbolc"
    make_version_1_file(path, rich_project)
    with ProjectSaver(path) as saver:
        saver.save(rich_project)
        result = saver.flush(30)
    assert result is not None and result.ok and not result.incremental
    assert file_version(path) == str(SCHEMA_VERSION)
    assert "click_muted" in settings_columns(path)
    assert load_project(path) == rich_project


def test_a_version_2_file_gains_the_midi_settings_with_their_defaults(tmp_path: Path) -> None:
    from imbolc.core.midi_map import MidiSettings
    from imbolc.core.templates import demo_project

    path = tmp_path / "v2.imbolc"
    save_project(path, demo_project())
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE settings DROP COLUMN midi")
    conn.execute("ALTER TABLE settings DROP COLUMN tempo_map")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_channel")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_program")
    conn.execute("ALTER TABLE stages DROP COLUMN ir_path")
    conn.execute("ALTER TABLE bus_effects DROP COLUMN ir_path")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    assert load_project(path).session.midi == MidiSettings()


def test_midi_mappings_round_trip_through_the_file(tmp_path: Path) -> None:
    from imbolc.core.actions import AddCcMapping, AddInstrument, SetMidiInput
    from imbolc.core.automation import AutomationTarget
    from imbolc.core.midi_map import CcMapping
    from imbolc.core.store import Store

    store = Store()
    store.dispatch(AddInstrument("saw"))
    target = AutomationTarget("instrument", 1, "mixer.level")
    store.dispatch(AddCcMapping(CcMapping(74, target, channel=2, max_value=1.2)))
    store.dispatch(SetMidiInput(1, note_passthrough=False, channel_filter=9))
    path = tmp_path / "midi.imbolc"
    save_project(path, store.state)
    assert load_project(path) == store.state


def test_a_version_3_file_gains_an_empty_tempo_map(tmp_path: Path) -> None:
    from imbolc.core.templates import demo_project
    from imbolc.core.timemap import TempoMap

    path = tmp_path / "v3.imbolc"
    project = demo_project()
    save_project(path, project)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE settings DROP COLUMN tempo_map")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_channel")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_program")
    conn.execute("ALTER TABLE stages DROP COLUMN ir_path")
    conn.execute("ALTER TABLE bus_effects DROP COLUMN ir_path")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    loaded = load_project(path)
    assert loaded.session.tempo_map == TempoMap()
    assert loaded == rescaled(project, 2)
    assert file_version(path) == "3"


def test_tempo_and_meter_changes_round_trip_through_the_file(tmp_path: Path) -> None:
    from imbolc.core.actions import AddTempoChange, SetMeterChange, SetTempoChange
    from imbolc.core.store import Store

    store = Store()
    store.dispatch(SetTempoChange(0, 100.0, ramp=True))
    store.dispatch(AddTempoChange(1920, 140.0))
    store.dispatch(AddTempoChange(3840, 70.5, ramp=True))
    store.dispatch(AddTempoChange(5760, 90.0))
    store.dispatch(SetMeterChange(3, 6, 8))
    path = tmp_path / "tempo.imbolc"
    with ProjectSaver(path) as saver:
        saver.save(store.state)
        assert saver.flush(30) is not None
        store.dispatch(SetMeterChange(5, 3, 4))  # an incremental save carries the edit
        saver.save(store.state)
        result = saver.flush(30)
    assert result is not None and result.ok
    loaded = load_project(path)
    assert loaded.session.tempo_map == store.state.session.tempo_map
    assert loaded.session.tempo_map.ramp_start
    assert [m.bar for m in loaded.session.tempo_map.meters] == [3, 5]


def test_a_damaged_tempo_map_is_refused_by_name(tmp_path: Path) -> None:
    from imbolc.core.templates import demo_project
    from imbolc.persist import ProjectFileError

    path = tmp_path / "bad.imbolc"
    save_project(path, demo_project())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE settings SET tempo_map = '[[[480, -3.0, false]], [], false]'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectFileError, match=r"tempo_map.*-3\.0 BPM"):
        load_project(path)
    assert path.read_bytes() == before


def test_a_version_3_file_plays_the_same_beats_at_960_ticks(tmp_path: Path) -> None:
    """Notes, the loop, lanes, clips (their blobs), placements and checkpoints all double."""
    from imbolc.core.actions import (
        AddInstrument,
        AddLane,
        AddNote,
        AddPoint,
        CaptureClip,
        PlaceClip,
        SetLoop,
    )
    from imbolc.core.automation import AutomationTarget
    from imbolc.core.ids import ClipId, InstrumentId, LaneId
    from imbolc.core.store import Store
    from imbolc.persist import create_checkpoint, list_checkpoints, restore_checkpoint

    store = Store()
    for action in (
        AddInstrument("saw", "Lead"),
        AddNote(InstrumentId(1), 480, 240, 60),  # beat 1 for 1/2 beat, as a v3 file counts
        SetLoop(0, 1920),
        AddLane(AutomationTarget("instrument", 1, "mixer.level")),
        AddPoint(LaneId(1), 960, 0.5),
        CaptureClip(InstrumentId(1), 0, 1920, "A"),
        PlaceClip(ClipId(1), 3840),
    ):
        store.dispatch(action)
    path = tmp_path / "v3.imbolc"
    save_project(path, store.state)
    create_checkpoint(path, "before", store.state)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE settings DROP COLUMN tempo_map")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_channel")
    conn.execute("ALTER TABLE instruments DROP COLUMN midi_program")
    conn.execute("ALTER TABLE stages DROP COLUMN ir_path")
    conn.execute("ALTER TABLE bus_effects DROP COLUMN ir_path")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    loaded = load_project(path)
    checkpoint = list_checkpoints(path)[0]
    assert restore_checkpoint(path, checkpoint.id).session.piano_roll.loop_end == 3840
    note = loaded.session.piano_roll.tracks[0].notes[0]
    assert (note.tick, note.duration) == (960, 480)
    assert loaded.session.piano_roll.loop_end == 3840
    assert loaded.session.automation.lanes[0].points[0].tick == 1920
    clip = loaded.session.arrangement.clips[0]
    assert clip.length_ticks == 3840
    assert [(n.tick, n.duration) for n in clip.notes] == [(960, 480)]
    assert loaded.session.arrangement.placements[0].start_tick == 7680
    with ProjectSaver(path) as saver:  # writing upgrades the file in place, checkpoints too
        saver.save(loaded)
        assert saver.flush(30) is not None
    assert file_version(path) == str(SCHEMA_VERSION)
    restored = restore_checkpoint(path, checkpoint.id)
    assert restored.session.piano_roll.tracks[0].notes[0].tick == 960
    assert restored.session.piano_roll.loop_end == 3840
