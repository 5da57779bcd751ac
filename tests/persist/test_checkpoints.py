"""Checkpoints: named whole-project snapshots kept inside the project file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from imbolc.core.actions import SetBpm
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.persist import (
    ProjectFileError,
    ProjectSaver,
    create_checkpoint,
    delete_checkpoint,
    list_checkpoints,
    load_project,
    restore_checkpoint,
    save_project,
)


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "song.imbolc"
    save_project(path, Project())
    return path


def test_a_checkpoint_restores_the_project_it_was_made_from(
    project_file: Path, rich_project: Project
) -> None:
    info = create_checkpoint(project_file, "verse done", rich_project)
    assert restore_checkpoint(project_file, info.id) == rich_project


def test_checkpoints_are_listed_oldest_first_with_name_and_time(project_file: Path) -> None:
    first = create_checkpoint(project_file, "one", Project())
    second = create_checkpoint(project_file, "two", Project())
    listed = list_checkpoints(project_file)
    assert [(c.id, c.name) for c in listed] == [(first.id, "one"), (second.id, "two")]
    assert abs(listed[0].created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert listed == [first, second]


def test_duplicate_names_are_allowed(project_file: Path) -> None:
    create_checkpoint(project_file, "take", Project())
    create_checkpoint(project_file, "take", Project())
    assert [c.name for c in list_checkpoints(project_file)] == ["take", "take"]


def test_deleting_a_checkpoint_removes_only_it(project_file: Path) -> None:
    keep = create_checkpoint(project_file, "keep", Project())
    drop = create_checkpoint(project_file, "drop", Project())
    delete_checkpoint(project_file, drop.id)
    assert [c.id for c in list_checkpoints(project_file)] == [keep.id]


def test_checkpoints_survive_saves(project_file: Path, rich_project: Project) -> None:
    info = create_checkpoint(project_file, "before", rich_project)
    store = Store(rich_project)
    with ProjectSaver(project_file) as saver:
        saver.save(rich_project)
        saver.flush(30)
        store.dispatch(SetBpm(150.0))
        saver.save(store.state)
        saver.flush(30)
    assert restore_checkpoint(project_file, info.id) == rich_project
    assert load_project(project_file) == store.state


def test_restoring_does_not_change_the_file(project_file: Path, rich_project: Project) -> None:
    info = create_checkpoint(project_file, "x", rich_project)
    before = project_file.read_bytes()
    restore_checkpoint(project_file, info.id)
    assert project_file.read_bytes() == before
    assert load_project(project_file) == Project()


def test_the_snapshot_is_a_msgpack_blob(project_file: Path, rich_project: Project) -> None:
    info = create_checkpoint(project_file, "x", rich_project)
    conn = sqlite3.connect(project_file)
    (blob,) = conn.execute("SELECT snapshot FROM checkpoints WHERE id = ?", (info.id,)).fetchone()
    conn.close()
    assert msgspec.msgpack.decode(blob, type=Project) == rich_project


def test_unknown_checkpoint_ids_are_errors(project_file: Path) -> None:
    with pytest.raises(ProjectFileError, match="no checkpoint with id 42"):
        restore_checkpoint(project_file, 42)
    with pytest.raises(ProjectFileError, match="no checkpoint with id 42"):
        delete_checkpoint(project_file, 42)


def test_a_name_must_be_given(project_file: Path) -> None:
    with pytest.raises(ProjectFileError, match="non-empty name"):
        create_checkpoint(project_file, "  ", Project())
    assert list_checkpoints(project_file) == []


def test_checkpoints_need_an_existing_project_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="save the project first"):
        create_checkpoint(tmp_path / "unsaved.imbolc", "x", Project())


def test_a_garbage_snapshot_is_a_clear_error(project_file: Path) -> None:
    info = create_checkpoint(project_file, "x", Project())
    conn = sqlite3.connect(project_file)
    conn.execute("UPDATE checkpoints SET snapshot = x'93c0c0c0' WHERE id = ?", (info.id,))
    conn.commit()
    conn.close()
    with pytest.raises(ProjectFileError, match=f"checkpoint {info.id} is invalid"):
        restore_checkpoint(project_file, info.id)


def test_checkpoints_refuse_foreign_files(tmp_path: Path) -> None:
    path = tmp_path / "text.imbolc"
    path.write_text("plain text")
    with pytest.raises(ProjectFileError, match="not an imbolc project"):
        create_checkpoint(path, "x", Project())
    assert path.read_text() == "plain text"
