"""The background saver: non-blocking saves, superseding, results and errors."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from imbolc.core.actions import SetBpm
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.persist import ProjectSaver, SaverClosed, SaveResult, load_project
from imbolc.persist.save import write_project
from imbolc.persist.schema import open_for_write


def with_bpm(project: Project, bpm: float) -> Project:
    store = Store(project)
    store.dispatch(SetBpm(bpm))
    return store.state


def test_save_returns_while_the_writer_is_busy_and_newest_save_wins(
    tmp_path: Path, rich_project: Project
) -> None:
    release = threading.Event()
    seen: list[SaveResult] = []

    def hold_writer(result: SaveResult) -> None:
        seen.append(result)
        release.wait(10)

    saver = ProjectSaver(tmp_path / "song.imbolc", on_result=hold_writer)
    saver.save(with_bpm(rich_project, 100.0))
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.005)
    assert seen, "the first save never finished"
    started = time.perf_counter()
    saver.save(with_bpm(rich_project, 101.0))  # superseded before it starts
    saver.save(with_bpm(rich_project, 102.0))
    assert time.perf_counter() - started < 0.5
    release.set()
    saver.close(10)
    assert [r.ok for r in seen] == [True, True]
    assert load_project(saver.path).session.settings.bpm == 102.0


def test_flush_returns_the_latest_result(tmp_path: Path, rich_project: Project) -> None:
    with ProjectSaver(tmp_path / "song.imbolc") as saver:
        assert saver.flush(5) is None
        saver.save(rich_project)
        result = saver.flush(30)
    assert result is not None
    assert result.ok and result.error is None
    assert result.path == tmp_path / "song.imbolc"
    assert result.seconds >= 0


def test_flush_times_out_while_a_save_is_held(tmp_path: Path) -> None:
    release = threading.Event()
    saver = ProjectSaver(tmp_path / "song.imbolc", on_result=lambda _r: release.wait(10))
    saver.save(Project())
    with pytest.raises(TimeoutError):
        saver.flush(0.05)
    release.set()
    saver.close(10)


def test_results_are_queued_for_a_ui(tmp_path: Path, rich_project: Project) -> None:
    with ProjectSaver(tmp_path / "song.imbolc") as saver:
        saver.save(rich_project)
        saver.flush(30)
        saver.save(with_bpm(rich_project, 130.0))
        saver.flush(30)
    results = [saver.results.get_nowait() for _ in range(saver.results.qsize())]
    assert [r.incremental for r in results] == [False, True]


def test_close_finishes_pending_work(tmp_path: Path, rich_project: Project) -> None:
    saver = ProjectSaver(tmp_path / "song.imbolc")
    saver.save(rich_project)
    saver.close(30)
    assert load_project(tmp_path / "song.imbolc") == rich_project


def test_save_after_close_is_refused(tmp_path: Path) -> None:
    saver = ProjectSaver(tmp_path / "song.imbolc")
    saver.close()
    with pytest.raises(SaverClosed, match="closed"):
        saver.save(Project())


def test_saving_over_a_text_file_fails_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my precious notes\n" * 100)
    before = path.read_bytes()
    with ProjectSaver(path) as saver:
        saver.save(Project())
        result = saver.flush(30)
    assert result is not None and not result.ok
    assert str(path) in (result.error or "")
    assert "not an imbolc project" in (result.error or "")
    assert path.read_bytes() == before


def test_saving_over_another_sqlite_database_fails_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ada')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with ProjectSaver(path) as saver:
        saver.save(Project())
        result = saver.flush(30)
    assert result is not None and not result.ok
    assert "not an imbolc project" in (result.error or "")
    assert path.read_bytes() == before


def test_saving_into_a_directory_reports_the_error(tmp_path: Path) -> None:
    with ProjectSaver(tmp_path) as saver:
        saver.save(Project())
        result = saver.flush(30)
    assert result is not None and not result.ok
    assert str(tmp_path) in (result.error or "")


def test_a_failed_save_is_followed_by_a_full_one(tmp_path: Path, rich_project: Project) -> None:
    path = tmp_path / "later.imbolc"
    path.write_text("not yet a project")
    with ProjectSaver(path) as saver:
        saver.save(rich_project)
        failed = saver.flush(30)
        path.unlink()
        saver.save(rich_project)
        ok = saver.flush(30)
    assert failed is not None and not failed.ok
    assert ok is not None and ok.ok and not ok.incremental
    assert load_project(path) == rich_project


def test_each_save_is_one_transaction(tmp_path: Path, rich_project: Project) -> None:
    path = tmp_path / "song.imbolc"
    conn = open_for_write(path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    outcome = write_project(conn, path, rich_project)
    write_project(conn, path, with_bpm(rich_project, 90.0), rich_project, outcome.save_id)
    conn.close()
    control = [s for s in statements if s.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert control == ["BEGIN IMMEDIATE", "COMMIT", "BEGIN IMMEDIATE", "COMMIT"]
