"""Hostile values in a project file: one clear error on load, every problem from ``check``,
and ``salvage`` writes what is readable to a new file, never touching the damaged one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from imbolc.core.project import Project
from imbolc.core.summary import check_project
from imbolc.persist import ProjectFileError, load_project, save_project
from imbolc.persist.salvage import check_file, salvage


def edit(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.fixture
def saved_file(tmp_path: Path, rich_project: Project) -> Path:
    path = tmp_path / "song.imbolc"
    save_project(path, rich_project)
    return path


def refused(path: Path, *fragments: str) -> str:
    before = path.read_bytes()
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message, message
    assert path.read_bytes() == before
    return message


@pytest.mark.parametrize(
    ("table", "column", "where"),
    [
        ("instruments", "name", "id = 1"),
        ("instruments", "envelope", "id = 2"),
        ("settings", "key", "id = 1"),
        ("stages", "type_name", "instrument_id = 1 AND seq = 0"),
        ("buses", "name", "position = 0"),
    ],
)
def test_bad_utf8_in_a_text_column_is_a_clear_error(
    saved_file: Path, table: str, column: str, where: str
) -> None:
    edit(saved_file, f"UPDATE {table} SET {column} = CAST(x'41ff42' AS TEXT) WHERE {where}")
    refused(saved_file)
    found = check_file(saved_file)  # the tolerant reader reports it rather than failing
    assert found.problems


def test_bad_utf8_in_the_meta_table_leaves_nothing_to_read(saved_file: Path) -> None:
    edit(saved_file, "UPDATE meta SET value = CAST(x'41ff42' AS TEXT) WHERE key = 'format'")
    refused(saved_file, "not valid UTF-8")
    with pytest.raises(ProjectFileError, match="not valid UTF-8"):
        check_file(saved_file)


def test_bad_json_in_the_midi_settings(saved_file: Path) -> None:
    edit(saved_file, "UPDATE settings SET midi = '{not json'")
    refused(saved_file, "table settings", "midi")


@pytest.mark.parametrize(
    ("column", "value"), [("bpm", "0.0"), ("bpm", "-5.0"), ("beat_unit", "3"), ("swing", "7.0")]
)
def test_an_out_of_range_setting_is_refused(saved_file: Path, column: str, value: str) -> None:
    edit(saved_file, f"UPDATE settings SET {column} = {value}")
    refused(saved_file, "table settings", column)


def test_an_infinite_tempo_is_refused(saved_file: Path) -> None:
    conn = sqlite3.connect(saved_file)
    conn.execute("UPDATE settings SET bpm = ?", (float("inf"),))
    conn.commit()
    conn.close()
    refused(saved_file, "bpm inf")


def test_garbage_clip_blob(saved_file: Path) -> None:
    edit(saved_file, "UPDATE clips SET notes = x'dd00000010' WHERE position = 0")
    refused(saved_file, "clip", "column notes")


def test_foreign_rows_in_a_table(saved_file: Path) -> None:
    edit(saved_file, "INSERT INTO tracks VALUES (777, 99)")
    project = load_project(saved_file)
    assert any("777" in problem for problem in check_project(project))


def test_check_reports_every_problem_not_only_the_first(saved_file: Path) -> None:
    edit(
        saved_file,
        "UPDATE instruments SET envelope = '[0.1' WHERE id = 1",
        "UPDATE instruments SET lfo = '[\"fast\"]' WHERE id = 3",
        "UPDATE instruments SET kit = x'c1' WHERE id = 2",
        "DROP TABLE lanes",
    )
    found = check_file(saved_file)
    text = "\n".join(found.problems)
    for fragment in ("instrument 1", "instrument 2", "instrument 3", "lanes"):
        assert fragment in text, text
    assert [inst.id for inst in found.readable.instruments.items] == [4]


def test_salvage_writes_a_new_loadable_file_and_leaves_the_damaged_one(
    saved_file: Path, rich_project: Project, tmp_path: Path
) -> None:
    edit(saved_file, "UPDATE instruments SET envelope = '[0.1' WHERE id = 1")
    before = saved_file.read_bytes()
    out = tmp_path / "rescued.imbolc"
    found = salvage(saved_file, out)
    assert any("instrument 1" in problem for problem in found.read_problems)
    assert saved_file.read_bytes() == before
    rescued = load_project(out)
    kept = [inst.id for inst in rescued.instruments.items]
    assert kept == [inst.id for inst in rich_project.instruments.items if inst.id != 1]
    assert check_project(rescued) == []
    assert rescued.instruments.next_id == rich_project.instruments.next_id
    assert rescued.session.settings == rich_project.session.settings


def test_salvage_refuses_to_overwrite_an_existing_file(saved_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken.imbolc"
    out.write_bytes(b"precious")
    with pytest.raises(ProjectFileError, match="already exists"):
        salvage(saved_file, out)
    assert out.read_bytes() == b"precious"


def test_salvage_of_a_lost_settings_row_uses_the_defaults(saved_file: Path, tmp_path: Path) -> None:
    edit(saved_file, "DELETE FROM settings")
    out = tmp_path / "rescued.imbolc"
    found = salvage(saved_file, out)
    assert any("exactly one row" in problem for problem in found.read_problems)
    rescued = load_project(out)
    assert rescued.session.settings.bpm == 120.0
    assert check_project(rescued) == []


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("tick", "-480", "tick -480"),
        ("duration", "0", "duration 0"),
        ("velocity", "0", "velocity 0"),
    ],
)
def test_a_note_the_actions_could_not_make_is_refused(
    saved_file: Path, column: str, value: str, fragment: str
) -> None:
    edit(saved_file, f"UPDATE notes SET {column} = {value} WHERE instrument_id = 1 AND seq = 0")
    refused(saved_file, "table notes", "note 1", fragment)
    found = check_file(saved_file)
    assert any(fragment in problem and "skipped" in problem for problem in found.problems)
