"""One editor per project file: a lock held while a process may save to it.

The lock is ``flock`` on a side file ``NAME.lock`` next to the project (SQLite's own locks on
the database are left alone). The kernel releases it when the holder exits or crashes, so a
stale lock cannot block anyone; the file names the holder for the message and is removed on
release. A second process gets :class:`ProjectLocked` and may open the project read-only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from imbolc.core.errors import FileInUse
from imbolc.persist.errors import ProjectFileError

ATTEMPTS = 5


class ProjectLocked(ProjectFileError, FileInUse):
    """Another imbolc process is editing the project; ``holder`` says which, if known."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(
            path,
            f"open in another imbolc ({holder}); open it read-only (imbolc --read-only "
            f"{path}) or close the other one first",
        )
        self.holder = holder


class LockUnavailable(ProjectFileError):
    """The side file cannot be made (a missing or read-only folder): nobody can save there,
    so there is nothing to guard; callers open without the lock."""


def lock_path(project: Path) -> Path:
    """The side file that carries the lock of ``project``."""
    return project.with_name(project.name + ".lock")


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text())
        return f"process {int(info['pid'])} on {info['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


class ProjectLock:
    """The held lock of one project file; ``release()`` (or exiting) gives it up."""

    def __init__(self, project: Path, fd: int, side: Path) -> None:
        self.project = project
        self._fd: int | None = fd
        self._side = side

    @classmethod
    def acquire(cls, project: Path | str) -> ProjectLock:
        """Take the lock, or raise ProjectLocked naming the holder."""
        target = Path(project)
        side = lock_path(target)
        for _attempt in range(ATTEMPTS):
            try:
                fd = os.open(side, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise LockUnavailable(target, f"cannot lock ({exc.strerror or exc})") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise ProjectLocked(target, _holder(side)) from None
            # The holder before us may have removed the file between our open and our lock.
            try:
                same = os.fstat(fd).st_ino == os.stat(side).st_ino
            except FileNotFoundError:
                same = False
            if same:
                cls._describe(fd)
                return cls(target, fd, side)
            os.close(fd)
            time.sleep(0.01)
        raise ProjectFileError(target, "cannot lock (the lock file keeps changing)")

    @staticmethod
    def _describe(fd: int) -> None:
        record = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "at": time.time()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode(), 0)

    @property
    def held(self) -> bool:
        """Whether this object still holds the lock."""
        return self._fd is not None

    def release(self) -> None:
        """Give the lock up and remove the side file."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self._side.unlink()
        os.close(fd)

    def __enter__(self) -> ProjectLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
