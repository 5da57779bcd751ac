"""Writing a project: a full rewrite, or an incremental one driven by an identity diff.

Every save is one ``BEGIN IMMEDIATE … COMMIT`` transaction. An incremental save compares the
new project with the one last written to this file, subtree by subtree with ``is``, and
deletes and re-inserts only the rows of objects that were replaced, added or removed.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from imbolc import __version__
from imbolc.core.project import Project
from imbolc.persist import rows, schema
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.sample_paths import relative_paths


class Section(NamedTuple):
    """A keyed collection of the project stored as one row per item plus child rows."""

    table: str
    key_column: str
    children: tuple[str, ...]
    owner_column: str
    items: Callable[[Project], tuple[Any, ...]]
    key: Callable[[Any], int]
    add_rows: Callable[[rows.Batch, Any, int], None]


SECTIONS: tuple[Section, ...] = (
    Section(
        "instruments",
        "id",
        ("source_params", "stages", "stage_params", "sends"),
        "instrument_id",
        lambda p: p.instruments.items,
        lambda inst: inst.id,
        rows.add_instrument,
    ),
    Section(
        "buses",
        "id",
        ("bus_effects", "bus_effect_params"),
        "bus_id",
        lambda p: p.session.mixer.buses,
        lambda bus: bus.id,
        rows.add_bus,
    ),
    Section(
        "tracks",
        "instrument_id",
        ("notes",),
        "instrument_id",
        lambda p: p.session.piano_roll.tracks,
        lambda track: track.instrument_id,
        rows.add_track,
    ),
    Section(
        "lanes",
        "id",
        ("points",),
        "lane_id",
        lambda p: p.session.automation.lanes,
        lambda lane: lane.id,
        rows.add_lane,
    ),
    Section(
        "clips",
        "id",
        (),
        "",
        lambda p: p.session.arrangement.clips,
        lambda clip: clip.id,
        rows.add_clip,
    ),
    Section(
        "placements",
        "id",
        (),
        "",
        lambda p: p.session.arrangement.placements,
        lambda placement: placement.id,
        rows.add_placement,
    ),
)


class WriteOutcome(NamedTuple):
    """What one committed save did."""

    rows_written: int
    incremental: bool
    save_id: str


def _insert(conn: sqlite3.Connection, batch: rows.Batch) -> int:
    for table, table_rows in batch.rows.items():
        if table_rows:
            conn.executemany(schema.TABLES_BY_NAME[table].insert_sql(), table_rows)
    return len(batch)


def write_all(conn: sqlite3.Connection, project: Project) -> int:
    """Replace every project row with ``project``'s; returns the rows inserted."""
    for table in schema.DATA_TABLES:
        conn.execute(f"DELETE FROM {table.name}")
    batch = rows.Batch()
    batch.add("settings", rows.settings_row(project))
    for section in SECTIONS:
        for position, item in enumerate(section.items(project)):
            section.add_rows(batch, item, position)
    return _insert(conn, batch)


def plan_positions(keys: Sequence[int], stored: dict[int, int]) -> dict[int, int]:
    """Positions for ``keys`` in order, reusing stored ones where the order allows.

    Positions only need to ascend, so removals and appends leave every other row alone;
    any other reordering renumbers the collection.
    """
    kept = [stored[key] for key in keys if key in stored]
    in_order = all(a < b for a, b in pairwise(kept))
    first_new = next((n for n, key in enumerate(keys) if key not in stored), len(keys))
    appended_only = all(key not in stored for key in keys[first_new:])
    if in_order and appended_only:
        plan = {key: stored[key] for key in keys[:first_new]}
        after = max(stored.values(), default=-1)
        for offset, key in enumerate(keys[first_new:], start=1):
            plan[key] = after + offset
        return plan
    return {key: position for position, key in enumerate(keys)}


def _delete_keys(conn: sqlite3.Connection, section: Section, keys: list[int]) -> None:
    if not keys:
        return
    params = [(key,) for key in keys]
    conn.executemany(f"DELETE FROM {section.table} WHERE {section.key_column} = ?", params)
    for child in section.children:
        conn.executemany(f"DELETE FROM {child} WHERE {section.owner_column} = ?", params)


def _write_section(
    conn: sqlite3.Connection, section: Section, old: tuple[Any, ...], new: tuple[Any, ...]
) -> int:
    if new is old:
        return 0
    old_by_key = {section.key(item): item for item in old}
    keys = [section.key(item) for item in new]
    sql = f"SELECT {section.key_column}, position FROM {section.table}"
    stored: dict[int, int] = dict(conn.execute(sql).fetchall())
    positions = plan_positions(keys, stored)
    doomed = stored.keys() - set(keys)
    moves: list[tuple[int, int]] = []
    batch = rows.Batch()
    for key, item in zip(keys, new, strict=True):
        position = positions[key]
        if key in stored and old_by_key.get(key) is item:
            if stored[key] != position:
                moves.append((position, key))
            continue
        if key in stored:
            doomed.add(key)
        section.add_rows(batch, item, position)
    _delete_keys(conn, section, sorted(doomed))
    if moves:
        update = f"UPDATE {section.table} SET position = ? WHERE {section.key_column} = ?"
        conn.executemany(update, moves)
    return len(moves) + _insert(conn, batch)


def write_changes(conn: sqlite3.Connection, old: Project, new: Project) -> int:
    """Rewrite the rows of every subtree of ``new`` that is not the same object in ``old``."""
    written = 0
    settings = rows.settings_row(new)
    if settings != rows.settings_row(old):
        conn.execute(schema.SETTINGS.insert_sql().replace("INSERT", "INSERT OR REPLACE"), settings)
        written += 1
    for section in SECTIONS:
        written += _write_section(conn, section, section.items(old), section.items(new))
    return written


def _stamp(conn: sqlite3.Connection) -> str:
    save_id = uuid.uuid4().hex
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [
            ("save_id", save_id),
            ("saved_at", datetime.now(UTC).isoformat(timespec="milliseconds")),
            ("app_version", __version__),
        ],
    )
    return save_id


def write_project(
    conn: sqlite3.Connection,
    path: Path,
    project: Project,
    previous: Project | None = None,
    previous_save_id: str | None = None,
) -> WriteOutcome:
    """Save ``project`` in one transaction; incremental when the file still holds ``previous``.

    The file is known to hold ``previous`` only when its ``save_id`` is the one this writer
    stamped; otherwise (another writer, an old schema, a first save) everything is rewritten.
    """
    folder = path.parent
    project = relative_paths(project, folder)
    previous = None if previous is None else relative_paths(previous, folder)
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = schema.inspect(conn, path)
        if version is None:
            schema.create_schema(conn)
        elif version < schema.SCHEMA_VERSION:
            schema.migrate(conn, version)
        incremental = False
        if previous is not None and previous_save_id is not None and version is not None:
            found = conn.execute("SELECT value FROM meta WHERE key = 'save_id'").fetchone()
            incremental = version == schema.SCHEMA_VERSION and found == (previous_save_id,)
        if incremental and previous is not None:
            written = write_changes(conn, previous, project)
        else:
            written = write_all(conn, project)
        save_id = _stamp(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return WriteOutcome(written, incremental, save_id)


def save_project(path: Path | str, project: Project) -> int:
    """Write ``project`` to ``path`` now, in full, on the calling thread; returns rows written."""
    target = Path(path)
    conn = schema.open_for_write(target)
    try:
        return write_project(conn, target, project).rows_written
    except sqlite3.Error as exc:
        raise ProjectFileError(target, f"cannot save ({schema.describe(exc)})") from exc
    finally:
        conn.close()
