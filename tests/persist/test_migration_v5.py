"""Schema 5: the large structs are positional; files of schema 4 (maps in their msgpack
blobs) still load, keep their checkpoints, and are upgraded by the next save."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest
from legacy_maps import legacy_blob

from imbolc.core.automation import AutomationLane, AutomationPoint, AutomationTarget
from imbolc.core.ids import LaneId
from imbolc.core.project import Project
from imbolc.persist import (
    create_checkpoint,
    list_checkpoints,
    load_project,
    restore_checkpoint,
    save_project,
)
from imbolc.persist.legacy import decode_legacy


@pytest.fixture(scope="module")
def project(rich_project: Project) -> Project:
    """The rich project, its first clip given an automation lane of its own."""
    arrangement = rich_project.session.arrangement
    lane = AutomationLane(
        LaneId(9),
        AutomationTarget("instrument", 1, "mixer.level"),
        (AutomationPoint(0, 0.25), AutomationPoint(480, 0.75)),
    )
    clip = msgspec.structs.replace(arrangement.clips[0], lanes=(lane,))
    arrangement = msgspec.structs.replace(arrangement, clips=(clip, *arrangement.clips[1:]))
    session = msgspec.structs.replace(rich_project.session, arrangement=arrangement)
    return msgspec.structs.replace(rich_project, session=session)


def make_version_4_file(path: Path, project: Project) -> None:
    """A file as schema 4 wrote it: clip lanes and checkpoints as map-encoded msgpack."""
    save_project(path, project)
    create_checkpoint(path, "before", project)
    conn = sqlite3.connect(path)
    for clip in project.session.arrangement.clips:
        conn.execute("UPDATE clips SET lanes = ? WHERE id = ?", (legacy_blob(clip.lanes), clip.id))
    conn.execute("UPDATE checkpoints SET snapshot = ?", (legacy_blob(project),))
    conn.execute("ALTER TABLE stages DROP COLUMN ir_path")
    conn.execute("ALTER TABLE bus_effects DROP COLUMN ir_path")
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def version(path: Path) -> str:
    conn = sqlite3.connect(path)
    found: str = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    conn.close()
    return found


def test_the_map_form_really_differs_and_decodes_back(project: Project) -> None:
    assert legacy_blob(project) != msgspec.msgpack.encode(project)
    assert decode_legacy(legacy_blob(project), Project) == project
    assert len(msgspec.msgpack.encode(project)) < len(legacy_blob(project))


def test_a_version_4_file_loads_and_is_left_untouched(tmp_path: Path, project: Project) -> None:
    path = tmp_path / "old.imbolc"
    make_version_4_file(path, project)
    before = path.read_bytes()
    assert load_project(path) == project
    assert path.read_bytes() == before
    assert version(path) == "4"


def test_a_version_4_checkpoint_restores_before_and_after_the_upgrade(
    tmp_path: Path, project: Project
) -> None:
    path = tmp_path / "old.imbolc"
    make_version_4_file(path, project)
    (info,) = list_checkpoints(path)
    assert restore_checkpoint(path, info.id) == project
    create_checkpoint(path, "mixed", project)  # a new-form blob beside an old one
    assert [restore_checkpoint(path, i.id) for i in list_checkpoints(path)] == [project] * 2
    save_project(path, project)
    assert version(path) == "6"
    assert [restore_checkpoint(path, i.id) for i in list_checkpoints(path)] == [project] * 2


def test_saving_upgrades_the_blobs_to_the_positional_form(tmp_path: Path, project: Project) -> None:
    path = tmp_path / "old.imbolc"
    make_version_4_file(path, project)
    save_project(path, load_project(path))
    conn = sqlite3.connect(path)
    lanes = conn.execute("SELECT lanes FROM clips ORDER BY position").fetchone()[0]
    snapshot = conn.execute("SELECT snapshot FROM checkpoints").fetchone()[0]
    conn.close()
    first = project.session.arrangement.clips[0]
    assert msgspec.msgpack.decode(lanes, type=tuple[AutomationLane, ...]) == first.lanes
    assert msgspec.msgpack.decode(snapshot, type=Project) == project
    assert load_project(path) == project
