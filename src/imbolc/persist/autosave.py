"""Autosave: periodic full snapshots to a recovery file, for crashes between saves.

The recovery file is an ordinary project file named
``<recovery_dir>/<project stem>-<hash of the project's absolute path>.imbolc-recovery``. It is
written to a temporary name and renamed into place, so it is always a complete snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from imbolc.core.project import Project
from imbolc.persist.save import save_project
from imbolc.persist.saver import SaveResult

log = logging.getLogger(__name__)

RECOVERY_SUFFIX = ".imbolc-recovery"
SIDE_FILES = ("-wal", "-shm", "-journal")


def recovery_path(project_path: Path | str, recovery_dir: Path | str) -> Path:
    """Where the recovery snapshot of ``project_path`` lives."""
    absolute = Path(project_path).expanduser().resolve()
    digest = hashlib.sha256(str(absolute).encode()).hexdigest()[:16]
    return Path(recovery_dir) / f"{absolute.stem}-{digest}{RECOVERY_SUFFIX}"


def _modified_ns(path: Path) -> int | None:
    """Newest modification time of a database file and its write-ahead log."""
    times = []
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            times.append(candidate.stat().st_mtime_ns)
        except FileNotFoundError:
            continue
    return max(times) if times else None


def find_recovery(project_path: Path | str, recovery_dir: Path | str) -> Path | None:
    """The recovery snapshot of ``project_path`` if it is newer than the project file."""
    snapshot = recovery_path(project_path, recovery_dir)
    if not snapshot.is_file():
        return None
    project_time = _modified_ns(Path(project_path))
    if project_time is not None and snapshot.stat().st_mtime_ns <= project_time:
        return None
    return snapshot


def _remove_with_side_files(path: Path) -> bool:
    removed = False
    for candidate in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        try:
            candidate.unlink()
            removed = removed or candidate == path
        except FileNotFoundError:
            continue
    return removed


def discard_recovery(project_path: Path | str, recovery_dir: Path | str) -> bool:
    """Delete the recovery snapshot (after a normal save); True if there was one."""
    return _remove_with_side_files(recovery_path(project_path, recovery_dir))


def write_snapshot(target: Path, project: Project) -> int:
    """Write ``project`` in full to ``target`` atomically (temporary file, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    _remove_with_side_files(temporary)
    rows = save_project(temporary, project)
    # A log left beside the old snapshot must never be replayed onto the new one.
    for side in SIDE_FILES:
        target.with_name(target.name + side).unlink(missing_ok=True)
    os.replace(temporary, target)
    return rows


class Autosaver:
    """Writes a recovery snapshot every ``interval_minutes`` when the project has changed.

    ``get_state`` returns the current project (a reference) and ``revision`` a number that
    changes with every edit (``Store.revision``). ``clock`` (seconds) is injectable, and
    :meth:`poll` does one check, so tests drive it without sleeping.
    """

    def __init__(
        self,
        project_path: Path | str,
        interval_minutes: float,
        recovery_dir: Path | str,
        get_state: Callable[[], Project],
        revision: Callable[[], int],
        *,
        clock: Callable[[], float] = time.monotonic,
        poll_seconds: float = 1.0,
        on_result: Callable[[SaveResult], object] | None = None,
    ) -> None:
        if not interval_minutes > 0:
            raise ValueError(f"interval_minutes must be positive, got {interval_minutes!r}")
        self.project_path = Path(project_path)
        self.recovery_dir = Path(recovery_dir)
        self.path = recovery_path(self.project_path, self.recovery_dir)
        self.interval = interval_minutes * 60.0
        self._get_state = get_state
        self._revision = revision
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._on_result = on_result
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._written_revision = revision()
        self._due = clock() + self.interval

    def mark_saved(self) -> None:
        """The project was saved normally: drop the snapshot and count this state as safe."""
        with self._lock:
            self._written_revision = self._revision()
            discard_recovery(self.project_path, self.recovery_dir)

    def poll(self) -> SaveResult | None:
        """Write a snapshot if the interval has passed and the project changed since the last."""
        with self._lock:
            now = self._clock()
            if now < self._due:
                return None
            self._due = now + self.interval
            revision = self._revision()
            if revision == self._written_revision:
                return None
            project = self._get_state()
            start = time.perf_counter()
            try:
                rows = write_snapshot(self.path, project)
            except Exception as exc:
                error = f"autosave to {self.path} failed: {exc}"
                result = SaveResult(self.path, False, error, 0, False, time.perf_counter() - start)
            else:
                self._written_revision = revision
                result = SaveResult(self.path, True, None, rows, False, time.perf_counter() - start)
        if self._on_result is not None:
            try:
                self._on_result(result)
            except Exception:
                log.exception("autosave result callback failed")
        return result

    def start(self) -> None:
        """Run :meth:`poll` every ``poll_seconds`` on a background thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="imbolc-autosave", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the background thread (a snapshot being written is finished first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            self.poll()
