"""Schema versions: older files are migrated step by step; loading never rewrites them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from imbolc.core.project import Project
from imbolc.persist import MIGRATIONS, SCHEMA_VERSION, ProjectSaver, load_project, save_project
from imbolc.persist.schema import Migration


def make_version_1_file(path: Path, project: Project) -> None:
    """A file as imbolc schema version 1 wrote it: no ``settings.click_muted`` column (and no
    ``settings.midi``, which came with version 3)."""
    save_project(path, project)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE settings DROP COLUMN click_muted")
    conn.execute("ALTER TABLE settings DROP COLUMN midi")
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
    click = msgspec.structs.replace(project.session.click, muted=False)
    return msgspec.structs.replace(
        project, session=msgspec.structs.replace(project.session, click=click)
    )


def test_current_version_is_four_and_every_older_version_has_a_step() -> None:
    assert SCHEMA_VERSION == 4
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
    assert load_project(path) == as_version_1_saw_it(rich_project)
    assert ran == [1, 2]


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
