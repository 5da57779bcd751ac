"""Checkpoints: named snapshots of a whole project kept inside its project file.

A checkpoint row holds the Project as one msgspec msgpack blob plus its name and creation
time. Names need not be unique (the id tells checkpoints apart, and "before mixdown" twice is
a reasonable thing to want); a name must be non-empty printable text.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from imbolc import __version__
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.resolution import OLD_TICKS_PER_BEAT, rescaled
from imbolc.persist import schema
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.legacy import decode_either

MAX_NAME_LENGTH = 200


class CheckpointInfo(msgspec.Struct, frozen=True):
    """A checkpoint as listed: its id in the file, its name and when it was made (UTC)."""

    id: int
    name: str
    created_at: datetime


RESCALED_IN = 4
"""The schema version from which ticks count 960 per beat."""


def _existing(path: Path | str) -> Path:
    target = Path(path)
    if not target.is_file():
        raise ProjectFileError(target, "no such project file (save the project first)")
    return target


@contextmanager
def _writing(path: Path) -> Iterator[sqlite3.Connection]:
    conn = schema.open_for_write(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        version = schema.inspect(conn, path)
        if version is None:
            raise ProjectFileError(path, "not an imbolc project (an empty database)")
        schema.migrate(conn, version)
        yield conn
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise ProjectFileError(path, schema.describe(exc)) from exc
    except UnicodeDecodeError as exc:
        raise ProjectFileError(path, f"text that is not valid UTF-8 in the file ({exc})") from exc
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    conn = schema.open_read_only(path)
    try:
        conn.execute("BEGIN")
        if schema.inspect(conn, path) is None:
            raise ProjectFileError(path, "not an imbolc project (an empty database)")
        yield conn
    except sqlite3.Error as exc:
        raise ProjectFileError(path, schema.describe(exc)) from exc
    except UnicodeDecodeError as exc:
        raise ProjectFileError(path, f"text that is not valid UTF-8 in the file ({exc})") from exc
    finally:
        conn.close()


def _checked_name(path: Path, name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ProjectFileError(path, f"a checkpoint needs a non-empty name, got {name!r}")
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise ProjectFileError(
            path, f"a checkpoint name must be printable and at most {MAX_NAME_LENGTH} characters"
        )
    return name


def _info(row: tuple[object, ...], path: Path) -> CheckpointInfo:
    ident, name, created = row
    if not isinstance(ident, int) or not isinstance(name, str):
        raise ProjectFileError(path, f"invalid checkpoint row {row!r}")
    if not isinstance(created, float | int):
        raise ProjectFileError(path, f"checkpoint {ident} has an invalid time {created!r}")
    return CheckpointInfo(ident, name, datetime.fromtimestamp(created, UTC))


def create_checkpoint(path: Path | str, name: str, project: Project) -> CheckpointInfo:
    """Store ``project`` under ``name`` inside the project file at ``path``."""
    target = _existing(path)
    checked = _checked_name(target, name)
    blob = msgspec.msgpack.encode(project)
    created = time.time()
    with _writing(target) as conn:
        cursor = conn.execute(
            "INSERT INTO checkpoints (name, created_at, schema_version, app_version, snapshot) "
            "VALUES (?, ?, ?, ?, ?)",
            (checked, created, schema.SCHEMA_VERSION, __version__, blob),
        )
        ident = cursor.lastrowid
    if ident is None:
        raise ProjectFileError(target, "the checkpoint was not stored")
    return CheckpointInfo(ident, checked, datetime.fromtimestamp(created, UTC))


def list_checkpoints(path: Path | str) -> list[CheckpointInfo]:
    """The checkpoints in the file, oldest first."""
    target = _existing(path)
    with _reading(target) as conn:
        found = conn.execute("SELECT id, name, created_at FROM checkpoints ORDER BY id").fetchall()
    return [_info(row, target) for row in found]


def restore_checkpoint(path: Path | str, checkpoint_id: int) -> Project:
    """The project stored in checkpoint ``checkpoint_id`` (the file is not changed)."""
    target = _existing(path)
    with _reading(target) as conn:
        version = schema.inspect(conn, target)
        found = conn.execute(
            "SELECT snapshot FROM checkpoints WHERE id = ?", (checkpoint_id,)
        ).fetchone()
    if found is None:
        raise ProjectFileError(target, f"no checkpoint with id {checkpoint_id!r}")
    try:
        project = decode_either(found[0], Project)  # a file not yet upgraded holds the map form
    except (msgspec.ValidationError, msgspec.DecodeError, TypeError, ValueError) as exc:
        raise ProjectFileError(target, f"checkpoint {checkpoint_id} is invalid ({exc})") from exc
    if version is not None and version < RESCALED_IN:  # a file not yet migrated: 480 per beat
        return rescaled(project, TICKS_PER_BEAT // OLD_TICKS_PER_BEAT)
    return project


def delete_checkpoint(path: Path | str, checkpoint_id: int) -> None:
    """Remove checkpoint ``checkpoint_id`` from the file."""
    target = _existing(path)
    with _writing(target) as conn:
        deleted = conn.execute("DELETE FROM checkpoints WHERE id = ?", (checkpoint_id,)).rowcount
        if deleted == 0:
            raise ProjectFileError(target, f"no checkpoint with id {checkpoint_id!r}")
