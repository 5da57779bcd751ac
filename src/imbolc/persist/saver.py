"""The background saver: ``save()`` hands over a reference and returns at once.

One writer thread per project file owns the SQLite connection. A newer queued save replaces
an older one that has not started, so a burst of edits costs one write. The first save (and
the first after :meth:`ProjectSaver.reset` or a failure) rewrites everything; later saves
rewrite only the rows of subtrees that changed since the last save.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from imbolc.core.project import Project
from imbolc.persist import schema
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.files import create_project_file
from imbolc.persist.save import write_project

log = logging.getLogger(__name__)

RESULTS_KEPT = 100
"""The ``results`` queue keeps at most this many unread results (the oldest are dropped)."""


class SaveResult(msgspec.Struct, frozen=True):
    """How one save went: ``rows_written`` counts project rows inserted or updated."""

    path: Path
    ok: bool
    error: str | None
    rows_written: int
    incremental: bool
    seconds: float


class SaverClosed(ProjectFileError):
    """A save was requested from a saver that has been closed."""


class ProjectSaver:
    """Saves projects to one file on a background thread, incrementally after the first."""

    def __init__(
        self, path: Path | str, on_result: Callable[[SaveResult], object] | None = None
    ) -> None:
        self.path = Path(path)
        self.results: queue.Queue[SaveResult] = queue.Queue(RESULTS_KEPT)
        """Every finished save's result, for a UI to drain."""
        self._on_result = on_result
        self._cond = threading.Condition()
        self._pending: Project | None = None
        self._busy = False
        self._closed = False
        self._forget = False
        self._last_result: SaveResult | None = None
        # Touched only by the writer thread:
        self._conn: sqlite3.Connection | None = None
        self._file_identity: tuple[int, int] | None = None
        self._last: Project | None = None
        self._save_id: str | None = None
        self._thread = threading.Thread(target=self._run, name="imbolc-saver", daemon=True)
        self._thread.start()

    def save(self, project: Project) -> None:
        """Queue ``project`` (by reference) to be written; returns immediately."""
        with self._cond:
            if self._closed:
                raise SaverClosed(self.path, "the saver is closed")
            self._pending = project
            self._cond.notify_all()

    def reset(self) -> None:
        """Forget what was last written: the next save rewrites the whole file."""
        with self._cond:
            self._forget = True

    def flush(self, timeout: float | None = None) -> SaveResult | None:
        """Wait until every queued save is written; the latest result (None: none yet).

        Raises TimeoutError if work is still pending after ``timeout`` seconds.
        """
        with self._cond:
            idle = self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)
            if not idle:
                raise TimeoutError(f"saving {self.path} did not finish within {timeout} s")
            return self._last_result

    def close(self, timeout: float | None = None) -> SaveResult | None:
        """Finish pending saves, stop the thread and close the file; the latest result."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"saving {self.path} did not finish within {timeout} s")
        return self._last_result

    def __enter__(self) -> ProjectSaver:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._pending is not None or self._closed)
                    project = self._pending
                    if project is None:
                        return
                    self._pending = None
                    self._busy = True
                    if self._forget:
                        self._forget = False
                        self._last = None
                result = self._write(project)
                self._publish(result)
        finally:
            self._disconnect()
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _publish(self, result: SaveResult) -> None:
        while True:
            try:
                self.results.put_nowait(result)
                break
            except queue.Full:
                self.results.get_nowait()
        if self._on_result is not None:
            try:
                self._on_result(result)
            except Exception:
                log.exception("save result callback failed")
        with self._cond:
            self._last_result = result
            self._busy = False
            self._cond.notify_all()

    def _stat_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None and self._stat_identity() == self._file_identity:
            return self._conn
        # The file was replaced or removed behind our back: start over with a full save.
        self._disconnect()
        self._conn = schema.open_for_write(self.path)
        self._file_identity = self._stat_identity()
        return self._conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                log.exception("closing %s failed", self.path)
        self._conn = None
        self._file_identity = None
        self._last = None
        self._save_id = None

    def _create(self, project: Project) -> SaveResult | None:
        """A first save to a new path writes the whole file beside it and renames it in.

        None when another writer created the file meanwhile (a full save takes over).
        """
        start = time.perf_counter()
        try:
            written = create_project_file(self.path, project)
        except ProjectFileError:
            if not self.path.exists():
                raise
            return None
        conn = self._connect()
        found = conn.execute("SELECT value FROM meta WHERE key = 'save_id'").fetchone()
        self._last = project
        self._save_id = None if found is None else str(found[0])
        seconds = time.perf_counter() - start
        return SaveResult(self.path, True, None, written, False, seconds)

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy the committed log into the main file, so the file alone is complete."""
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            log.exception("checkpointing %s failed (the save itself is safe)", self.path)

    def _write(self, project: Project) -> SaveResult:
        start = time.perf_counter()
        try:
            if self._conn is None and not self.path.exists():
                created = self._create(project)
                if created is not None:
                    return created
            conn = self._connect()
            outcome = write_project(conn, self.path, project, self._last, self._save_id)
            self._file_identity = self._stat_identity()
            self._checkpoint(conn)
        except Exception as exc:
            self._disconnect()
            if isinstance(exc, ProjectFileError):
                message = str(exc)
            elif isinstance(exc, sqlite3.Error):
                message = f"{self.path}: cannot save ({schema.describe(exc)})"
            else:
                message = f"{self.path}: cannot save ({type(exc).__name__}: {exc})"
            return SaveResult(self.path, False, message, 0, False, time.perf_counter() - start)
        self._last = project
        self._save_id = outcome.save_id
        seconds = time.perf_counter() - start
        return SaveResult(self.path, True, None, outcome.rows_written, outcome.incremental, seconds)
