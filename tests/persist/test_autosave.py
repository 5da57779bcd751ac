"""Autosave: recovery snapshots on an injectable clock, found only when newer than the project."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from imbolc.core.actions import SetBpm
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.persist import (
    Autosaver,
    SaveResult,
    discard_recovery,
    find_recovery,
    load_project,
    recovery_path,
    save_project,
)

MINUTE = 60.0


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def autosaver(
    tmp_path: Path,
    store: Store,
    clock: FakeClock,
    poll_seconds: float = 1.0,
    on_result: Callable[[SaveResult], object] | None = None,
) -> Autosaver:
    return Autosaver(
        tmp_path / "song.imbolc",
        5,
        tmp_path / "recovery",
        lambda: store.state,
        lambda: store.revision,
        clock=clock,
        poll_seconds=poll_seconds,
        on_result=on_result,
    )


def test_recovery_file_is_named_for_the_project_and_its_path(tmp_path: Path) -> None:
    a = recovery_path(tmp_path / "a" / "song.imbolc", tmp_path / "rec")
    b = recovery_path(tmp_path / "b" / "song.imbolc", tmp_path / "rec")
    assert a.parent == tmp_path / "rec"
    assert a.name.startswith("song-") and a.name.endswith(".imbolc-recovery")
    assert a != b
    assert a == recovery_path(tmp_path / "a" / ".." / "a" / "song.imbolc", tmp_path / "rec")


def test_nothing_is_written_before_the_interval(tmp_path: Path) -> None:
    store, clock = Store(), FakeClock()
    saver = autosaver(tmp_path, store, clock)
    store.dispatch(SetBpm(90.0))
    clock.now += 5 * MINUTE - 1
    assert saver.poll() is None
    assert not saver.path.exists()


def test_a_changed_project_is_snapshotted_after_the_interval(
    tmp_path: Path, rich_project: Project
) -> None:
    store, clock = Store(rich_project), FakeClock()
    saver = autosaver(tmp_path, store, clock)
    store.dispatch(SetBpm(90.0))
    clock.now += 5 * MINUTE
    result = saver.poll()
    assert result is not None and result.ok
    assert result.path == saver.path
    assert load_project(saver.path) == store.state


def test_an_unchanged_project_is_not_written(tmp_path: Path) -> None:
    store, clock = Store(), FakeClock()
    saver = autosaver(tmp_path, store, clock)
    clock.now += 10 * MINUTE
    assert saver.poll() is None
    assert not saver.path.exists()


def test_later_changes_wait_for_the_next_interval(tmp_path: Path) -> None:
    store, clock = Store(), FakeClock()
    saver = autosaver(tmp_path, store, clock)
    store.dispatch(SetBpm(90.0))
    clock.now += 5 * MINUTE
    assert saver.poll() is not None
    store.dispatch(SetBpm(91.0))
    clock.now += MINUTE
    assert saver.poll() is None
    clock.now += 4 * MINUTE
    assert saver.poll() is not None
    assert load_project(saver.path).session.settings.bpm == 91.0


def test_mark_saved_discards_the_snapshot_and_counts_the_state_as_safe(tmp_path: Path) -> None:
    store, clock = Store(), FakeClock()
    saver = autosaver(tmp_path, store, clock)
    store.dispatch(SetBpm(90.0))
    clock.now += 5 * MINUTE
    saver.poll()
    saver.mark_saved()
    assert not saver.path.exists()
    clock.now += 5 * MINUTE
    assert saver.poll() is None


def test_the_background_thread_writes_the_snapshot(tmp_path: Path) -> None:
    store, clock = Store(), FakeClock()
    written = threading.Event()
    results: list[SaveResult] = []

    def done(result: SaveResult) -> None:
        results.append(result)
        written.set()

    saver = autosaver(tmp_path, store, clock, poll_seconds=0.01, on_result=done)
    store.dispatch(SetBpm(123.0))
    clock.now += 5 * MINUTE
    saver.start()
    try:
        assert written.wait(10)
    finally:
        saver.stop(10)
    assert results[0].ok
    assert load_project(saver.path).session.settings.bpm == 123.0


def test_a_failed_snapshot_is_reported(tmp_path: Path) -> None:
    (tmp_path / "recovery").write_text("a file where the folder should be")
    store, clock = Store(), FakeClock()
    saver = autosaver(tmp_path, store, clock)
    store.dispatch(SetBpm(90.0))
    clock.now += 5 * MINUTE
    result = saver.poll()
    assert result is not None and not result.ok
    assert "autosave" in (result.error or "")


def test_interval_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="interval_minutes"):
        Autosaver(tmp_path / "x.imbolc", 0, tmp_path, Project, lambda: 0)


def test_recovery_newer_than_the_project_is_found(tmp_path: Path) -> None:
    project_file = tmp_path / "song.imbolc"
    save_project(project_file, Project())
    snapshot = recovery_path(project_file, tmp_path / "rec")
    snapshot.parent.mkdir()
    save_project(snapshot, Project())
    os.utime(project_file, (1_000_000, 1_000_000))
    assert find_recovery(project_file, tmp_path / "rec") == snapshot


def test_recovery_older_than_the_project_is_ignored(tmp_path: Path) -> None:
    project_file = tmp_path / "song.imbolc"
    save_project(project_file, Project())
    snapshot = recovery_path(project_file, tmp_path / "rec")
    snapshot.parent.mkdir()
    save_project(snapshot, Project())
    os.utime(snapshot, (1_000_000, 1_000_000))
    assert find_recovery(project_file, tmp_path / "rec") is None


def test_recovery_of_a_never_saved_project_is_found(tmp_path: Path) -> None:
    project_file = tmp_path / "unsaved.imbolc"
    snapshot = recovery_path(project_file, tmp_path / "rec")
    snapshot.parent.mkdir()
    save_project(snapshot, Project())
    assert find_recovery(project_file, tmp_path / "rec") == snapshot


def test_no_recovery_file_means_none(tmp_path: Path) -> None:
    assert find_recovery(tmp_path / "song.imbolc", tmp_path / "rec") is None


def test_discard_removes_the_snapshot(tmp_path: Path) -> None:
    project_file = tmp_path / "song.imbolc"
    snapshot = recovery_path(project_file, tmp_path)
    save_project(snapshot, Project())
    assert discard_recovery(project_file, tmp_path) is True
    assert not snapshot.exists()
    assert discard_recovery(project_file, tmp_path) is False
