"""The recent project list kept by PersistIO in ``<state_dir>/recent.json``, on real files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imbolc.compose import PersistIO
from imbolc.core.errors import ImbolcError
from imbolc.core.templates import blank_project, demo_project
from imbolc.persist import save_project
from imbolc.session_wiring import RemoteIO
from imbolc.userdirs import state_dir

PROJECT = blank_project()


@pytest.fixture
def recent_file() -> Path:
    return state_dir() / "recent.json"


@pytest.fixture
def io(recent_file: Path) -> Iterator[PersistIO]:
    persist = PersistIO(state_dir(), "embedded", lambda message: None, recent_file)
    yield persist
    persist.close()


def project_file(folder: Path, name: str) -> Path:
    path = folder / f"{name}.imbolc"
    save_project(path, PROJECT)
    return path


def listed(recent_file: Path) -> Any:
    return json.loads(recent_file.read_text(encoding="utf-8"))


def test_no_recent_file_means_no_recent_projects(io: PersistIO) -> None:
    assert io.recent_projects() == []


def test_saving_remembers_the_absolute_path(
    io: PersistIO, recent_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "song.imbolc"
    io.save(demo_project(), target)
    io.close()
    assert io.recent_projects() == [target]
    assert listed(recent_file) == [str(target)]


def test_opening_reads_the_project_and_puts_it_first(io: PersistIO, tmp_path: Path) -> None:
    first, second = project_file(tmp_path, "first"), project_file(tmp_path, "second")
    io.open(first)
    opened = io.open(second)
    assert opened == PROJECT
    assert io.recent_projects() == [second, first]


def test_a_project_opened_again_moves_to_the_front_once(io: PersistIO, tmp_path: Path) -> None:
    first, second = project_file(tmp_path, "first"), project_file(tmp_path, "second")
    for path in (first, second, first):
        io.open(path)
    assert io.recent_projects() == [first, second]


def test_the_list_keeps_the_ten_most_recent(
    io: PersistIO, recent_file: Path, tmp_path: Path
) -> None:
    paths = [project_file(tmp_path, f"song{index}") for index in range(12)]
    for path in paths:
        io.open(path)
    assert io.recent_projects() == paths[::-1][:10]
    assert len(listed(recent_file)) == 10


def test_deleted_project_files_are_dropped(io: PersistIO, tmp_path: Path) -> None:
    kept, deleted = project_file(tmp_path, "kept"), project_file(tmp_path, "deleted")
    io.open(kept)
    io.open(deleted)
    deleted.unlink()
    assert io.recent_projects() == [kept]


def test_a_relative_path_is_remembered_absolute(
    io: PersistIO, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_file(tmp_path, "here")
    monkeypatch.chdir(tmp_path)
    io.open(Path("here.imbolc"))
    assert io.recent_projects() == [tmp_path / "here.imbolc"]


@pytest.mark.parametrize(
    "content", [b"{not json", b'{"a": 1}', b'["ok", 3]', b"\xff\xfe garbage"], ids=repr
)
def test_a_corrupt_recent_file_is_ignored_and_rewritten(
    io: PersistIO, recent_file: Path, tmp_path: Path, content: bytes
) -> None:
    recent_file.parent.mkdir(parents=True, exist_ok=True)
    recent_file.write_bytes(content)
    assert io.recent_projects() == []
    path = project_file(tmp_path, "song")
    io.open(path)
    assert listed(recent_file) == [str(path)]


def test_an_unreadable_recent_file_does_not_stop_opening(
    io: PersistIO, recent_file: Path, tmp_path: Path
) -> None:
    recent_file.mkdir(parents=True)
    path = project_file(tmp_path, "song")
    assert io.open(path) == PROJECT
    assert io.recent_projects() == []


def test_no_temporary_files_are_left_behind(
    io: PersistIO, recent_file: Path, tmp_path: Path
) -> None:
    io.open(project_file(tmp_path, "song"))
    assert [path.name for path in recent_file.parent.iterdir()] == ["recent.json"]


def test_a_joined_client_has_no_recent_projects_and_cannot_open_files() -> None:
    remote = RemoteIO(client=None)  # type: ignore[arg-type]
    assert remote.recent_projects() == []
    with pytest.raises(ImbolcError, match="lives on the server"):
        remote.open(Path("/songs/x.imbolc"))
