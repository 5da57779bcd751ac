"""The tick rescaling of the version-4 migration, inside the caller's transaction: tables by
SQL, the clips' msgpack blobs and the checkpoint snapshots by decoding, scaling, re-encoding."""

from __future__ import annotations

import sqlite3

import msgspec

from imbolc.core.automation import AutomationLane
from imbolc.core.notes import Note
from imbolc.core.project import Project
from imbolc.core.resolution import lanes_rescaled, notes_rescaled, rescaled

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
            old_notes = msgspec.msgpack.decode(notes, type=tuple[Note, ...])
            old_lanes = msgspec.msgpack.decode(lanes, type=tuple[AutomationLane, ...])
        except (msgspec.ValidationError, msgspec.DecodeError):
            continue  # reading the clip reports the damage by name
        new_notes = notes_rescaled(old_notes, factor)
        new_lanes = lanes_rescaled(old_lanes, factor)
        conn.execute(
            "UPDATE clips SET notes = ?, lanes = ? WHERE id = ?",
            (msgspec.msgpack.encode(new_notes), msgspec.msgpack.encode(new_lanes), ident),
        )
    found = conn.execute("SELECT id, snapshot FROM checkpoints").fetchall()
    for ident, snapshot in found:
        try:
            project = msgspec.msgpack.decode(snapshot, type=Project)
        except (msgspec.ValidationError, msgspec.DecodeError):
            continue  # restore reports an unreadable checkpoint by name
        conn.execute(
            "UPDATE checkpoints SET snapshot = ? WHERE id = ?",
            (msgspec.msgpack.encode(rescaled(project, factor)), ident),
        )
