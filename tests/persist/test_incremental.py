"""Incremental saving: after the first save only the rows of replaced subtrees are rewritten."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imbolc.core.actions import (
    AddBus,
    AddInstrument,
    AddNote,
    DeleteInstrument,
    MoveStage,
    RemoveBus,
    SetBpm,
    SetSourceParam,
)
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.persist import ProjectSaver, SaveResult, load_project, save_project
from imbolc.persist.save import plan_positions

RowCounter = Callable[..., int]
TRACKED_TABLES = ("notes", "instruments", "source_params", "stages", "sends", "tracks")


@pytest.fixture
def saver(tmp_path: Path) -> Iterator[ProjectSaver]:
    with ProjectSaver(tmp_path / "song.imbolc") as project_saver:
        yield project_saver


def saved(saver: ProjectSaver, project: Project) -> SaveResult:
    saver.save(project)
    result = saver.flush(30)
    assert result is not None and result.ok, result
    return result


def add_audit(path: Path) -> None:
    """Record every row inserted or deleted in the tracked tables, by table and owner."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE audit (tbl TEXT, op TEXT, owner INTEGER)")
    for table in TRACKED_TABLES:
        owner = "id" if table == "instruments" else "instrument_id"
        for op, ref in (("INSERT", "NEW"), ("DELETE", "OLD")):
            conn.execute(
                f"CREATE TRIGGER audit_{table}_{op} AFTER {op} ON {table} BEGIN "
                f"INSERT INTO audit VALUES ('{table}', '{op}', {ref}.{owner}); END"
            )
    conn.commit()
    conn.close()


def audit(path: Path) -> set[tuple[str, str, int]]:
    conn = sqlite3.connect(path)
    found = set(conn.execute("SELECT tbl, op, owner FROM audit").fetchall())
    conn.close()
    return found


def test_first_save_is_full(saver: ProjectSaver, rich_project: Project) -> None:
    result = saved(saver, rich_project)
    assert not result.incremental
    assert result.rows_written > 50


def test_one_note_in_a_big_project_rewrites_only_that_track(
    saver: ProjectSaver, big_project: Project
) -> None:
    saved(saver, big_project)
    add_audit(saver.path)
    store = Store(big_project)
    store.dispatch(AddNote(InstrumentId(7), 10, 100, 127))
    result = saved(saver, store.state)
    track = store.state.session.piano_roll.track(7)
    assert track is not None
    assert result.incremental
    assert result.rows_written == len(track.notes) + 1  # the notes plus the track row
    assert audit(saver.path) == {("notes", "INSERT", 7), ("notes", "DELETE", 7)} | {
        ("tracks", op, 7) for op in ("INSERT", "DELETE")
    }
    assert load_project(saver.path) == store.state


def test_one_parameter_rewrites_only_that_instrument(
    saver: ProjectSaver, rich_project: Project
) -> None:
    saved(saver, rich_project)
    add_audit(saver.path)
    store = Store(rich_project)
    store.dispatch(SetSourceParam(InstrumentId(4), "amp", 0.2))
    result = saved(saver, store.state)
    owners = {owner for _table, _op, owner in audit(saver.path)}
    assert owners == {4}
    inst = store.state.instruments.get(4)
    assert inst is not None
    stage_params = sum(len(getattr(s, "params", ())) for s in inst.chain)
    expected = 1 + len(inst.source_params) + len(inst.chain) + stage_params + len(inst.mixer.sends)
    assert result.rows_written == expected
    assert load_project(saver.path) == store.state


def test_unchanged_project_writes_no_rows(saver: ProjectSaver, rich_project: Project) -> None:
    saved(saver, rich_project)
    result = saved(saver, rich_project)
    assert result.incremental
    assert result.rows_written == 0


def test_a_setting_rewrites_only_the_settings_row(
    saver: ProjectSaver, rich_project: Project
) -> None:
    saved(saver, rich_project)
    store = Store(rich_project)
    store.dispatch(SetBpm(140.0))
    assert saved(saver, store.state).rows_written == 1
    assert load_project(saver.path).session.settings.bpm == 140.0


def test_deleting_an_instrument_removes_its_rows_and_writes_none(
    saver: ProjectSaver, big_project: Project, count_rows: RowCounter
) -> None:
    saved(saver, big_project)
    store = Store(big_project)
    store.dispatch(DeleteInstrument(InstrumentId(5)))
    result = saved(saver, store.state)
    assert result.rows_written == 0
    assert count_rows(saver.path, "notes", "instrument_id = 5") == 0
    assert count_rows(saver.path, "instruments", "id = 5") == 0
    assert count_rows(saver.path, "instruments", "") == 255
    assert load_project(saver.path) == store.state


def test_adding_an_instrument_writes_only_its_rows(
    saver: ProjectSaver, big_project: Project
) -> None:
    saved(saver, big_project)
    store = Store(big_project)
    store.dispatch(AddInstrument("fm"))
    result = saved(saver, store.state)
    inst = store.state.instruments.items[-1]
    # The instrument, its params, its track, and the settings row (the next-id counter).
    assert result.rows_written == 1 + len(inst.source_params) + 1 + 1
    assert load_project(saver.path) == store.state


def test_moving_a_stage_round_trips(saver: ProjectSaver, rich_project: Project) -> None:
    saved(saver, rich_project)
    store = Store(rich_project)
    store.dispatch(MoveStage(InstrumentId(1), StageId(3), 0))
    saved(saver, store.state)
    assert load_project(saver.path) == store.state


def test_removed_and_re_added_bus_keeps_the_order(
    saver: ProjectSaver, rich_project: Project
) -> None:
    saved(saver, rich_project)
    store = Store(rich_project)
    store.dispatch(RemoveBus(BusId(2)))
    saved(saver, store.state)
    store.dispatch(AddBus("Again"))
    saved(saver, store.state)
    assert load_project(saver.path) == store.state


def test_reset_makes_the_next_save_full(saver: ProjectSaver, rich_project: Project) -> None:
    saved(saver, rich_project)
    saver.reset()
    assert not saved(saver, rich_project).incremental


def test_a_file_written_by_someone_else_gets_a_full_save(
    saver: ProjectSaver, rich_project: Project
) -> None:
    saved(saver, rich_project)
    save_project(saver.path, Project())
    store = Store(rich_project)
    store.dispatch(SetBpm(99.0))
    result = saved(saver, store.state)
    assert not result.incremental
    assert load_project(saver.path) == store.state


def test_a_deleted_file_is_written_again_in_full(
    saver: ProjectSaver, rich_project: Project
) -> None:
    saved(saver, rich_project)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{saver.path}{suffix}").unlink(missing_ok=True)
    result = saved(saver, rich_project)
    assert not result.incremental
    assert load_project(saver.path) == rich_project


def test_positions_survive_removals_and_appends() -> None:
    stored = {1: 0, 2: 1, 3: 2}
    assert plan_positions([1, 3, 4], stored) == {1: 0, 3: 2, 4: 3}


def test_positions_are_renumbered_when_the_order_changes() -> None:
    stored = {1: 0, 2: 1, 3: 2}
    assert plan_positions([3, 1, 2], stored) == {3: 0, 1: 1, 2: 2}


def test_positions_are_renumbered_for_an_insert_in_the_middle() -> None:
    stored = {1: 0, 2: 1}
    assert plan_positions([1, 9, 2], stored) == {1: 0, 9: 1, 2: 2}
