"""A bad file gives a ProjectFileError naming the file and the problem, and stays as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from imbolc.core.errors import ImbolcError
from imbolc.core.project import Project
from imbolc.persist import ProjectFileError, load_project, save_project


def assert_refused(path: Path, *fragments: str) -> ProjectFileError:
    """Loading ``path`` fails with every fragment in the message, and the bytes are unchanged."""
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    if before is not None:
        assert path.read_bytes() == before
    return caught.value


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


def test_error_is_an_imbolc_error() -> None:
    assert issubclass(ProjectFileError, ImbolcError)


def test_missing_file(tmp_path: Path) -> None:
    assert_refused(tmp_path / "nowhere.imbolc", "no such file")


def test_directory(tmp_path: Path) -> None:
    assert_refused(tmp_path, "not a file")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.imbolc"
    path.write_bytes(b"")
    assert_refused(path, "not an imbolc project")


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "readme.imbolc"
    path.write_text("hello, this is not a database\n" * 50)
    assert_refused(path, "not an SQLite database")


def test_another_applications_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "contacts.db"
    edit(path, "CREATE TABLE contacts (name TEXT)", "INSERT INTO contacts VALUES ('Ada')")
    assert_refused(path, "not an imbolc project")


@pytest.mark.parametrize("keep", [10, 100, 4096, 0.5])
def test_truncated_file(saved_file: Path, keep: float) -> None:
    data = saved_file.read_bytes()
    size = int(len(data) * keep) if isinstance(keep, float) else int(keep)
    saved_file.write_bytes(data[:size])
    assert_refused(saved_file)


def test_garbage_in_the_middle(saved_file: Path) -> None:
    data = bytearray(saved_file.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = b"\xa5" * 3000
    saved_file.write_bytes(bytes(data))
    assert_refused(saved_file, "corrupt")


def test_newer_schema(saved_file: Path) -> None:
    edit(saved_file, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    assert_refused(saved_file, "newer imbolc", "99")


def test_nonsense_schema_version(saved_file: Path) -> None:
    edit(saved_file, "UPDATE meta SET value = 'two' WHERE key = 'schema_version'")
    assert_refused(saved_file, "invalid schema version")


def test_unknown_choice_in_a_column(saved_file: Path) -> None:
    edit(saved_file, "UPDATE instruments SET channels = 'quadraphonic' WHERE id = 1")
    assert_refused(saved_file, "table instruments", "channels", "quadraphonic")


def test_malformed_json_column(saved_file: Path) -> None:
    edit(saved_file, "UPDATE instruments SET envelope = '[0.1, 0.2' WHERE id = 1")
    assert_refused(saved_file, "table instruments", "instrument 1", "column envelope")


def test_wrongly_shaped_json_column(saved_file: Path) -> None:
    edit(saved_file, """UPDATE instruments SET lfo = '["fast", 1, 2]' WHERE id = 2""")
    assert_refused(saved_file, "table instruments", "instrument 2", "column lfo")


def test_garbage_kit_blob(saved_file: Path) -> None:
    edit(saved_file, "UPDATE instruments SET kit = x'c1c1c1' WHERE id = 2")
    assert_refused(saved_file, "instrument 2", "column kit")


def test_text_where_a_note_tick_belongs(saved_file: Path) -> None:
    # STRICT tables refuse this, so rebuild the table the way a careless tool might.
    edit(
        saved_file,
        "ALTER TABLE notes RENAME TO notes_strict",
        "CREATE TABLE notes (instrument_id, seq, tick, duration, pitch, velocity, probability)",
        "INSERT INTO notes SELECT * FROM notes_strict",
        "DROP TABLE notes_strict",
        "UPDATE notes SET tick = 'soon' WHERE instrument_id = 1 AND seq = 3",
    )
    assert_refused(saved_file, "table notes", "track of instrument 1", "column tick", "row 4")


def test_missing_settings_row(saved_file: Path) -> None:
    edit(saved_file, "DELETE FROM settings")
    assert_refused(saved_file, "settings", "exactly one row")


def test_missing_table(saved_file: Path) -> None:
    edit(saved_file, "DROP TABLE lanes")
    assert_refused(saved_file, "not a complete imbolc project", "lanes")
