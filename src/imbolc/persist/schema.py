"""The SQLite schema of a project file: tables, version, migrations and how files are opened.

A project file is an SQLite database in WAL mode whose ``application_id`` is ``IMBL`` and whose
``meta`` table names the format and the schema version. Each migration step upgrades one
version to the next inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.resolution import OLD_TICKS_PER_BEAT
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.rescale import rescale_ticks

APPLICATION_ID = 0x494D424C
"""``IMBL``: marks an SQLite file as an imbolc project."""
FORMAT_NAME = "imbolc-project"
SCHEMA_VERSION = 6
"""The version this build writes; it reads every version from 1 up to this one."""
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 10.0


class Table(NamedTuple):
    """One table: its columns (name, declaration) in row order and its primary key."""

    name: str
    columns: tuple[tuple[str, str], ...]
    primary_key: tuple[str, ...]
    without_rowid: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in the order rows are written."""
        return tuple(name for name, _ in self.columns)

    def ddl(self) -> str:
        """The CREATE TABLE statement."""
        cols = [f"{name} {decl}" for name, decl in self.columns]
        if self.primary_key:
            cols.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        options = "STRICT, WITHOUT ROWID" if self.without_rowid else "STRICT"
        return f"CREATE TABLE {self.name} ({', '.join(cols)}) {options}"

    def insert_sql(self) -> str:
        """INSERT of one full row, columns in row order."""
        marks = ", ".join("?" for _ in self.columns)
        return f"INSERT INTO {self.name} ({', '.join(self.column_names)}) VALUES ({marks})"


INT = "INTEGER NOT NULL"
REAL = "REAL NOT NULL"
TEXT = "TEXT NOT NULL"
BLOB = "BLOB NOT NULL"
FLAG = "INTEGER NOT NULL CHECK ({} IN (0, 1))"


def _flag(name: str) -> tuple[str, str]:
    return (name, FLAG.format(name))


META = Table("meta", (("key", TEXT), ("value", TEXT)), ("key",), without_rowid=True)

SETTINGS = Table(
    "settings",
    (
        ("id", "INTEGER NOT NULL CHECK (id = 1)"),
        ("key", TEXT),
        ("scale", TEXT),
        ("bpm", REAL),
        ("tuning_a4", REAL),
        ("beats_per_bar", INT),
        ("beat_unit", INT),
        ("tuning", TEXT),
        ("ji_flavor", TEXT),
        _flag("snap"),
        ("humanize_velocity", REAL),
        ("humanize_timing", REAL),
        _flag("click_enabled"),
        ("click_volume", REAL),
        _flag("click_muted"),
        _flag("looping"),
        ("loop_start", INT),
        ("loop_end", INT),
        ("swing", REAL),
        ("play_mode", TEXT),
        ("master_level", REAL),
        _flag("master_mute"),
        ("next_instrument_id", INT),
        ("next_layer_group_id", INT),
        ("next_lane_id", INT),
        ("next_clip_id", INT),
        ("next_placement_id", INT),
        ("midi", "TEXT"),
        ("tempo_map", "TEXT"),
    ),
    ("id",),
)

INSTRUMENTS = Table(
    "instruments",
    (
        ("id", INT),
        ("position", INT),
        ("name", TEXT),
        ("source", TEXT),
        ("channels", TEXT),
        _flag("polyphonic"),
        ("voice_cap", INT),
        _flag("active"),
        ("chord_shape", "TEXT"),
        ("layer_group", "INTEGER"),
        ("octave_offset", INT),
        ("next_stage_id", INT),
        ("level", REAL),
        ("pan", REAL),
        _flag("mute"),
        _flag("solo"),
        ("output_bus", "INTEGER"),
        ("envelope", TEXT),
        ("lfo", TEXT),
        ("arpeggiator", TEXT),
        ("groove", TEXT),
        ("sampler", "BLOB"),
        ("kit", "BLOB"),
        ("midi_channel", "INTEGER CHECK (midi_channel BETWEEN 0 AND 15)"),
        ("midi_program", "INTEGER CHECK (midi_program BETWEEN 0 AND 127)"),
    ),
    ("id",),
)

SOURCE_PARAMS = Table(
    "source_params",
    (("instrument_id", INT), ("seq", INT), ("name", TEXT), ("value", REAL)),
    ("instrument_id", "seq"),
    without_rowid=True,
)

STAGES = Table(
    "stages",
    (
        ("instrument_id", INT),
        ("seq", INT),
        ("stage_id", INT),
        ("kind", "TEXT NOT NULL CHECK (kind IN ('filter', 'eq', 'effect'))"),
        ("type_name", "TEXT"),
        _flag("enabled"),
        ("bands", "TEXT"),
        ("ir_path", "TEXT"),
    ),
    ("instrument_id", "seq"),
    without_rowid=True,
)

STAGE_PARAMS = Table(
    "stage_params",
    (
        ("instrument_id", INT),
        ("stage_seq", INT),
        ("seq", INT),
        ("name", TEXT),
        ("value", REAL),
    ),
    ("instrument_id", "stage_seq", "seq"),
    without_rowid=True,
)

SENDS = Table(
    "sends",
    (
        ("instrument_id", INT),
        ("seq", INT),
        ("bus_id", INT),
        ("level", REAL),
        _flag("enabled"),
        ("tap", TEXT),
    ),
    ("instrument_id", "seq"),
    without_rowid=True,
)

BUSES = Table(
    "buses",
    (
        ("id", INT),
        ("position", INT),
        ("name", TEXT),
        ("level", REAL),
        ("pan", REAL),
        _flag("mute"),
        _flag("solo"),
        ("next_stage_id", INT),
    ),
    ("id",),
)

BUS_EFFECTS = Table(
    "bus_effects",
    (
        ("bus_id", INT),
        ("seq", INT),
        ("stage_id", INT),
        ("effect_type", TEXT),
        _flag("enabled"),
        ("ir_path", "TEXT"),
    ),
    ("bus_id", "seq"),
    without_rowid=True,
)

BUS_EFFECT_PARAMS = Table(
    "bus_effect_params",
    (("bus_id", INT), ("effect_seq", INT), ("seq", INT), ("name", TEXT), ("value", REAL)),
    ("bus_id", "effect_seq", "seq"),
    without_rowid=True,
)

TRACKS = Table("tracks", (("instrument_id", INT), ("position", INT)), ("instrument_id",))

NOTES = Table(
    "notes",
    (
        ("instrument_id", INT),
        ("seq", INT),
        ("tick", INT),
        ("duration", INT),
        ("pitch", INT),
        ("velocity", INT),
        ("probability", REAL),
    ),
    ("instrument_id", "seq"),
    without_rowid=True,
)

LANES = Table(
    "lanes",
    (
        ("id", INT),
        ("position", INT),
        ("scope", TEXT),
        ("owner", INT),
        ("parameter", TEXT),
        _flag("enabled"),
        _flag("armed"),
        ("min_value", REAL),
        ("max_value", REAL),
    ),
    ("id",),
)

POINTS = Table(
    "points",
    (("lane_id", INT), ("seq", INT), ("tick", INT), ("value", REAL), ("curve", TEXT)),
    ("lane_id", "seq"),
    without_rowid=True,
)

CLIPS = Table(
    "clips",
    (
        ("id", INT),
        ("position", INT),
        ("name", TEXT),
        ("instrument_id", INT),
        ("length_ticks", INT),
        ("notes", BLOB),
        ("lanes", BLOB),
    ),
    ("id",),
)

PLACEMENTS = Table(
    "placements",
    (
        ("id", INT),
        ("position", INT),
        ("clip_id", INT),
        ("start_tick", INT),
        ("length_override", "INTEGER"),
    ),
    ("id",),
)

CHECKPOINTS = Table(
    "checkpoints",
    (
        ("id", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        ("name", TEXT),
        ("created_at", REAL),
        ("schema_version", INT),
        ("app_version", TEXT),
        ("snapshot", BLOB),
    ),
    (),
)

DATA_TABLES: tuple[Table, ...] = (
    SETTINGS,
    INSTRUMENTS,
    SOURCE_PARAMS,
    STAGES,
    STAGE_PARAMS,
    SENDS,
    BUSES,
    BUS_EFFECTS,
    BUS_EFFECT_PARAMS,
    TRACKS,
    NOTES,
    LANES,
    POINTS,
    CLIPS,
    PLACEMENTS,
)
"""The tables that hold the project; a full save rewrites exactly these."""

ALL_TABLES: tuple[Table, ...] = (META, *DATA_TABLES, CHECKPOINTS)
TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in ALL_TABLES}


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table of the current version in an empty database (inside a transaction)."""
    for table in ALL_TABLES:
        conn.execute(table.ddl())
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("format", FORMAT_NAME), ("schema_version", str(SCHEMA_VERSION))],
    )


def _add_click_muted(conn: sqlite3.Connection) -> None:
    """Version 2 stores the metronome's mute flag (version 1 files had no such setting)."""
    conn.execute(
        f"ALTER TABLE settings ADD COLUMN click_muted {FLAG.format('click_muted')} DEFAULT 0"
    )


Migration = Callable[[sqlite3.Connection], None]


def _add_midi(conn: sqlite3.Connection) -> None:
    """Version 3 stores the MIDI input settings (CC mappings, pitch wheel, note routing) as
    msgspec JSON; NULL (every older file) means the defaults."""
    conn.execute("ALTER TABLE settings ADD COLUMN midi TEXT DEFAULT NULL")


def _positional_blobs(conn: sqlite3.Connection) -> None:
    """Version 5 writes the large structs positionally (``array_like``): the msgpack blobs
    of clip lanes and checkpoint snapshots are re-encoded from their older map form."""
    from imbolc.core.automation import AutomationLane
    from imbolc.core.project import Project
    from imbolc.persist.legacy import reencoded

    for ident, blob in conn.execute("SELECT id, lanes FROM clips").fetchall():
        lanes = reencoded(blob, tuple[AutomationLane, ...])
        conn.execute("UPDATE clips SET lanes = ? WHERE id = ?", (lanes, ident))
    for ident, blob in conn.execute("SELECT id, snapshot FROM checkpoints").fetchall():
        snapshot = reencoded(blob, Project)
        conn.execute("UPDATE checkpoints SET snapshot = ? WHERE id = ?", (snapshot, ident))


def _to_version_4(conn: sqlite3.Connection) -> None:
    """Version 4 counts 960 ticks per beat (older files 480: every tick doubles, in the tables,
    the clips' blobs and the checkpoints), stores the tempo and meter changes as msgspec JSON
    (NULL, as in every older file, means none) and the MIDI channel and program each imported
    instrument came with (NULL: none)."""
    conn.execute("ALTER TABLE settings ADD COLUMN tempo_map TEXT DEFAULT NULL")
    for column in ("midi_channel", "midi_program"):
        declaration = next(decl for name, decl in INSTRUMENTS.columns if name == column)
        conn.execute(f"ALTER TABLE instruments ADD COLUMN {column} {declaration} DEFAULT NULL")
    rescale_ticks(conn, TICKS_PER_BEAT // OLD_TICKS_PER_BEAT)


def _add_impulse_responses(conn: sqlite3.Connection) -> None:
    """Version 6 stores each convolution reverb's impulse-response file (``ir_path`` of
    chain stages and bus effects); NULL, as in every older file, means the built-in room."""
    for table in ("stages", "bus_effects"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN ir_path TEXT DEFAULT NULL")


MIGRATIONS: dict[int, Migration] = {
    1: _add_click_muted,
    2: _add_midi,
    3: _to_version_4,
    4: _positional_blobs,
    5: _add_impulse_responses,
}
"""``MIGRATIONS[n]`` upgrades a version-``n`` file to version ``n + 1``."""


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Run every step from ``version`` up to :data:`SCHEMA_VERSION` (inside a transaction)."""
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](conn)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(step + 1),))


def check_header(path: Path) -> None:
    """Refuse a file that exists but does not start like an SQLite database."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ProjectFileError(path, f"cannot read the file ({exc.strerror})") from exc
    if head and head != SQLITE_HEADER[: len(head)]:
        raise ProjectFileError(path, "not an imbolc project (not an SQLite database)")
    if 0 < len(head) < len(SQLITE_HEADER):
        raise ProjectFileError(path, "truncated file (shorter than an SQLite header)")


def inspect(conn: sqlite3.Connection, path: Path) -> int | None:
    """The schema version of the file behind ``conn``, or None for an empty database.

    Raises ProjectFileError for a foreign, newer or malformed file.
    """
    try:
        return _inspect(conn, path)
    except UnicodeDecodeError as exc:  # a damaged table name or meta value
        raise ProjectFileError(path, f"text that is not valid UTF-8 in the file ({exc})") from exc


def _inspect(conn: sqlite3.Connection, path: Path) -> int | None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables and app_id == 0:
        return None
    if app_id != APPLICATION_ID or META.name not in tables:
        raise ProjectFileError(path, "not an imbolc project (an SQLite database of another kind)")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FORMAT_NAME:
        raise ProjectFileError(path, f"not an imbolc project (format {meta.get('format')!r})")
    raw = meta.get("schema_version")
    if not isinstance(raw, str) or not raw.isdigit() or int(raw) < 1:
        raise ProjectFileError(path, f"invalid schema version {raw!r}")
    version = int(raw)
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            path,
            f"written by a newer imbolc (schema version {version}; "
            f"this build reads up to {SCHEMA_VERSION})",
        )
    return version


def describe(exc: sqlite3.Error) -> str:
    """A short human description of an SQLite failure."""
    text = str(exc)
    if "not a database" in text:
        return "not an imbolc project (not an SQLite database)"
    if "no such table" in text or "no such column" in text:
        return f"not a complete imbolc project ({text})"
    if "Could not decode to UTF-8" in text:
        return f"text that is not valid UTF-8 in the file ({text})"
    if "malformed" in text:
        return f"the file is corrupt ({text})"
    return text


def open_for_write(path: Path) -> sqlite3.Connection:
    """A connection for saving: the file is new, empty or an imbolc project (WAL, full sync)."""
    check_header(path)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise ProjectFileError(path, f"cannot open for writing ({exc})") from exc
    try:
        inspect(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        conn.close()
        raise ProjectFileError(path, describe(exc)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing file; nothing it does can change the file."""
    if not path.exists():
        raise ProjectFileError(path, "no such file")
    if not path.is_file():
        raise ProjectFileError(path, "not a file")
    check_header(path)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise ProjectFileError(path, f"cannot open ({exc})") from exc
