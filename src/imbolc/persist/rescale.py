"""The tick rescaling of the version-4 migration, inside the caller's transaction: tables by
SQL, the clips' msgpack blobs and the checkpoint snapshots by decoding, scaling, re-encoding."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import msgspec

from imbolc.core.project import Project
from imbolc.core.resolution import rescaled
from imbolc.persist.legacy import decode_either

TICK_COLUMNS = (
    ("notes", ("tick", "duration")),
    ("settings", ("loop_start", "loop_end")),
    ("points", ("tick",)),
    ("clips", ("length_ticks",)),
    ("placements", ("start_tick", "length_override")),
)


def rescale_ticks(conn: sqlite3.Connection, factor: int) -> None:
    """Multiply every tick the file holds by ``factor``."""
    if factor == 1:
        return
    for table, columns in TICK_COLUMNS:
        sets = ", ".join(f"{column} = {column} * ?" for column in columns)
        conn.execute(f"UPDATE {table} SET {sets}", (factor,) * len(columns))
    for ident, notes, lanes in conn.execute("SELECT id, notes, lanes FROM clips").fetchall():
        try:
            new_notes = _scaled_blob(notes, factor, _scale_note)
            new_lanes = _scaled_blob(lanes, factor, _scale_lane)
        except (msgspec.DecodeError, KeyError, IndexError, TypeError):
            continue  # reading the clip reports the damage by name
        conn.execute(
            "UPDATE clips SET notes = ?, lanes = ? WHERE id = ?", (new_notes, new_lanes, ident)
        )
    found = conn.execute("SELECT id, snapshot FROM checkpoints").fetchall()
    for ident, snapshot in found:
        try:
            project = decode_either(snapshot, Project)  # map form before schema 5
        except (msgspec.ValidationError, msgspec.DecodeError, TypeError, ValueError):
            continue  # restore reports an unreadable checkpoint by name
        conn.execute(
            "UPDATE checkpoints SET snapshot = ? WHERE id = ?",
            (msgspec.msgpack.encode(rescaled(project, factor)), ident),
        )


# The clips' blobs are scaled without their classes, in whichever encoding they hold (a struct
# as a map of field names, or as an array in field order), so this step works on blobs written
# before or after a struct turns ``array_like``.


def _scaled_blob(blob: bytes, factor: int, scale: Callable[[Any, int], None]) -> bytes:
    items = msgspec.msgpack.decode(blob)
    for item in items:
        scale(item, factor)
    return msgspec.msgpack.encode(items)


def _scale_fields(item: Any, factor: int, names: tuple[str, ...]) -> None:
    """Multiply the named leading fields of a struct held as a map or as an array."""
    for position, name in enumerate(names):
        key: Any = name if isinstance(item, dict) else position
        item[key] *= factor


def _scale_note(note: Any, factor: int) -> None:
    _scale_fields(note, factor, ("tick", "duration"))


def _scale_lane(lane: Any, factor: int) -> None:
    points = lane["points"] if isinstance(lane, dict) else lane[2]  # id, target, points, ...
    for point in points:
        _scale_fields(point, factor, ("tick",))
