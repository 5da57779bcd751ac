"""New files appear whole or not at all: written beside the target, then renamed into place.

A process killed mid-write leaves at most a hidden ``.NAME.partial-…`` file next to the
target, never a half-written target that would block the next attempt.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from imbolc.core.project import Project
from imbolc.persist import schema
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.save import write_project

PARTIAL_MARK = ".partial-"


def partial_path(target: Path) -> Path:
    """A fresh hidden name beside ``target`` that keeps its suffix (renderers look at it)."""
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    return target.with_name(f".{target.stem}{PARTIAL_MARK}{tag}{target.suffix}")


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish(partial: Path, target: Path, *, replace: bool) -> None:
    """Move the finished ``partial`` to ``target``; without ``replace`` an existing target
    is never overwritten (a hard link is the atomic no-clobber rename)."""
    if replace:
        os.replace(partial, target)
    else:
        try:
            os.link(partial, target)
        except FileExistsError:
            raise FileExistsError(f"{target} already exists (use --force to replace it)") from None
        except OSError:  # no hard links here (some network or FAT file systems)
            if target.exists():
                raise FileExistsError(
                    f"{target} already exists (use --force to replace it)"
                ) from None
            os.replace(partial, target)
        else:
            partial.unlink()
    _sync_directory(target.parent)


@contextlib.contextmanager
def atomic_target(target: Path | str, *, replace: bool = True) -> Iterator[Path]:
    """A path to write instead of ``target``; renamed onto it when the block completes.

    On any exception (Ctrl+C included) the partial file is removed and ``target`` is as
    it was.
    """
    final = Path(target)
    partial = partial_path(final)
    try:
        yield partial
        publish(partial, final, replace=replace)
    finally:
        _remove(partial)


def create_project_file(target: Path | str, project: Project, *, replace: bool = False) -> int:
    """Write ``project`` as a complete new file at ``target``; returns the rows written.

    Without ``replace`` an existing ``target`` is refused and left untouched.
    """
    final = Path(target)
    if not replace and final.exists():
        raise ProjectFileError(final, "already exists (use --force to replace it)")
    try:
        with atomic_target(final, replace=replace) as partial:
            written = _write_whole(partial, final, project)
    except FileExistsError:
        raise ProjectFileError(final, "already exists (use --force to replace it)") from None
    except OSError as exc:
        raise ProjectFileError(final, f"cannot create ({exc.strerror or exc})") from exc
    return written


def _write_whole(partial: Path, final: Path, project: Project) -> int:
    conn = schema.open_for_write(partial)
    try:
        written = write_project(conn, partial, project).rows_written
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise ProjectFileError(final, f"cannot save ({schema.describe(exc)})") from exc
    finally:
        conn.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    return written
