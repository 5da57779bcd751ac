"""New files appear whole or not at all, also through the background saver (save as)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from imbolc.core.actions import SetBpm
from imbolc.core.apply import apply
from imbolc.core.project import Project
from imbolc.persist import ProjectFileError, ProjectSaver, load_project
from imbolc.persist.files import atomic_target, create_project_file


def test_the_first_save_to_a_new_path_publishes_a_whole_file(
    tmp_path: Path, rich_project: Project
) -> None:
    target = tmp_path / "saved-as.imbolc"
    with ProjectSaver(target) as saver:
        saver.save(rich_project)
        first = saver.flush(30)
        assert first is not None and first.ok and not first.incremental
        assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []
        assert load_project(target) == rich_project
        edited, _effects = apply(rich_project, SetBpm(99.0))
        saver.save(edited)
        second = saver.flush(30)
    assert second is not None and second.ok and second.incremental  # the saver knew the file
    assert load_project(target).session.settings.bpm == 99.0


def test_a_failed_write_leaves_neither_target_nor_partial(
    tmp_path: Path, rich_project: Project
) -> None:
    target = tmp_path / "out.imbolc"
    first = rich_project.instruments.items[0]
    broken = msgspec.structs.replace(first, name=None)  # the NOT NULL column refuses it
    items = (broken, *rich_project.instruments.items[1:])
    instruments = msgspec.structs.replace(rich_project.instruments, items=items)
    with pytest.raises(ProjectFileError, match="cannot save"):
        create_project_file(target, msgspec.structs.replace(rich_project, instruments=instruments))
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_block_removes_its_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "take.wav"
    target.write_bytes(b"the previous take")
    with pytest.raises(KeyboardInterrupt), atomic_target(target) as partial:
        partial.write_bytes(b"half a new ta")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"the previous take"
    assert [p.name for p in tmp_path.iterdir()] == ["take.wav"]


def test_creating_over_an_existing_file_is_refused(tmp_path: Path, rich_project: Project) -> None:
    target = tmp_path / "song.imbolc"
    target.write_bytes(b"keep")
    with pytest.raises(ProjectFileError, match="already exists"):
        create_project_file(target, rich_project)
    assert target.read_bytes() == b"keep"
    create_project_file(target, rich_project, replace=True)
    assert load_project(target) == rich_project
