"""Reading a project file back into a Project, validating every value on the way.

The file is opened read-only and read in one transaction (one consistent snapshot even while
a saver writes). An older schema is migrated in an in-memory copy; the file on disk is only
upgraded by the next save. Any problem becomes a ProjectFileError naming the file.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import msgspec

from imbolc.core.apply.tempo import tempo_map_problem
from imbolc.core.arrangement import Arrangement, Clip, Placement
from imbolc.core.automation import Automation, AutomationLane, AutomationPoint, AutomationTarget
from imbolc.core.ids import BusId, ClipId, InstrumentId, LaneId, LayerGroupId, StageId
from imbolc.core.instrument import (
    Arpeggiator,
    EffectStage,
    Envelope,
    Groove,
    Instrument,
    Instruments,
    Lfo,
    MixerStrip,
    ParamValue,
    SamplerConfig,
    Send,
)
from imbolc.core.kit import KitConfig
from imbolc.core.midi_map import MidiSettings
from imbolc.core.mixer import Bus, Mixer
from imbolc.core.notes import Note, PianoRoll, Track
from imbolc.core.project import Project
from imbolc.core.session import Click, Humanize, MusicalSettings, Session
from imbolc.core.timemap import TempoMap
from imbolc.persist import rows, schema
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.rows import (
    BusEffectRow,
    BusRow,
    ClipRow,
    InstrumentRow,
    LaneRow,
    OwnedParamRow,
    SettingsRow,
    StageRow,
    TrackRow,
    decode_rows,
    decode_tuple,
)

T = TypeVar("T")

DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, ValueError)


class BadValue(Exception):
    """A row holds a value of the wrong type or shape; the message says where."""


@contextmanager
def where(table: str, owner: str = "") -> Iterator[None]:
    """Turn decoding errors inside into a BadValue naming the table (and owning object)."""
    try:
        yield
    except DECODE_ERRORS as exc:
        at = f"table {table}" + (f" ({owner})" if owner else "")
        raise BadValue(f"{at}: {exc}") from exc


def _json(text: str, kind: type[T], column: str) -> T:
    try:
        return msgspec.json.decode(text, type=kind)
    except DECODE_ERRORS as exc:
        raise ValueError(f"column {column}: {exc}") from exc


def _unpacked(blob: bytes, kind: type[T], column: str) -> T:
    try:
        return msgspec.msgpack.decode(blob, type=kind)
    except DECODE_ERRORS as exc:
        raise ValueError(f"column {column}: {exc}") from exc


def _select(conn: sqlite3.Connection, sql: str, *params: object) -> list[rows.Row]:
    return conn.execute(sql, params).fetchall()


def _read_settings(conn: sqlite3.Connection) -> SettingsRow:
    found = _select(conn, f"SELECT {rows.columns(SettingsRow)} FROM settings")
    if len(found) != 1:
        raise BadValue(f"table settings must hold exactly one row, it holds {len(found)}")
    with where("settings"):
        return decode_rows(found, SettingsRow)[0]


def _grouped_params(param_rows: list[OwnedParamRow]) -> dict[int, tuple[ParamValue, ...]]:
    grouped: defaultdict[int, list[ParamValue]] = defaultdict(list)
    for row in param_rows:
        grouped[row.stage_seq].append(ParamValue(row.name, row.value))
    return {seq: tuple(params) for seq, params in grouped.items()}


def _read_instrument(conn: sqlite3.Connection, row: InstrumentRow) -> Instrument:
    ident = row.id
    owner = f"instrument {ident}"
    sql_params = "SELECT name, value FROM source_params WHERE instrument_id = ? ORDER BY seq"
    with where("source_params", owner):
        source_params = decode_tuple(_select(conn, sql_params, ident), ParamValue)
    sql_stages = f"SELECT {rows.columns(StageRow)} FROM stages WHERE instrument_id = ? ORDER BY seq"
    sql_stage_params = (
        "SELECT stage_seq, name, value FROM stage_params WHERE instrument_id = ? "
        "ORDER BY stage_seq, seq"
    )
    with where("stages", owner):
        stage_rows = decode_rows(_select(conn, sql_stages, ident), StageRow)
        params = _grouped_params(decode_rows(_select(conn, sql_stage_params, ident), OwnedParamRow))
        chain = tuple(rows.build_stage(s, params.get(s.seq, ())) for s in stage_rows)
    sql_sends = "SELECT bus_id, level, enabled, tap FROM sends WHERE instrument_id = ? ORDER BY seq"
    with where("sends", owner):
        sends = decode_tuple(_select(conn, sql_sends, ident), Send)
    with where("instruments", owner):
        return Instrument(
            id=InstrumentId(ident),
            name=row.name,
            source=row.source,
            source_params=source_params,
            envelope=_json(row.envelope, Envelope, "envelope"),
            chain=chain,
            lfo=_json(row.lfo, Lfo, "lfo"),
            mixer=MixerStrip(
                level=row.level,
                pan=row.pan,
                mute=row.mute,
                solo=row.solo,
                output_bus=None if row.output_bus is None else BusId(row.output_bus),
                sends=sends,
            ),
            channels=row.channels,
            polyphonic=row.polyphonic,
            voice_cap=row.voice_cap,
            active=row.active,
            arpeggiator=_json(row.arpeggiator, Arpeggiator, "arpeggiator"),
            chord_shape=row.chord_shape,
            groove=_json(row.groove, Groove, "groove"),
            layer_group=None if row.layer_group is None else LayerGroupId(row.layer_group),
            octave_offset=row.octave_offset,
            sampler=None
            if row.sampler is None
            else _unpacked(row.sampler, SamplerConfig, "sampler"),
            kit=None if row.kit is None else _unpacked(row.kit, KitConfig, "kit"),
            next_stage_id=row.next_stage_id,
            midi_channel=row.midi_channel,
            midi_program=row.midi_program,
        )


def _read_instruments(conn: sqlite3.Connection) -> tuple[Instrument, ...]:
    sql = f"SELECT {rows.columns(InstrumentRow)} FROM instruments ORDER BY position, id"
    with where("instruments"):
        instrument_rows = decode_rows(_select(conn, sql), InstrumentRow)
    return tuple(_read_instrument(conn, row) for row in instrument_rows)


def _read_bus(conn: sqlite3.Connection, row: BusRow) -> Bus:
    owner = f"bus {row.id}"
    sql_effects = (
        f"SELECT {rows.columns(BusEffectRow)} FROM bus_effects WHERE bus_id = ? ORDER BY seq"
    )
    sql_params = (
        "SELECT effect_seq, name, value FROM bus_effect_params WHERE bus_id = ? "
        "ORDER BY effect_seq, seq"
    )
    with where("bus_effects", owner):
        effect_rows = decode_rows(_select(conn, sql_effects, row.id), BusEffectRow)
        params = _grouped_params(decode_rows(_select(conn, sql_params, row.id), OwnedParamRow))
    effects = tuple(
        EffectStage(StageId(e.stage_id), e.effect_type, params.get(e.seq, ()), e.enabled)
        for e in effect_rows
    )
    return Bus(
        BusId(row.id), row.name, row.level, row.pan, row.mute, row.solo, effects, row.next_stage_id
    )


def _read_buses(conn: sqlite3.Connection) -> tuple[Bus, ...]:
    sql = f"SELECT {rows.columns(BusRow)} FROM buses ORDER BY position, id"
    with where("buses"):
        bus_rows = decode_rows(_select(conn, sql), BusRow)
    return tuple(_read_bus(conn, row) for row in bus_rows)


def _read_tracks(conn: sqlite3.Connection) -> tuple[Track, ...]:
    with where("tracks"):
        track_rows = decode_rows(
            _select(conn, "SELECT instrument_id FROM tracks ORDER BY position, instrument_id"),
            TrackRow,
        )
    sql = (
        "SELECT tick, duration, pitch, velocity, probability FROM notes "
        "WHERE instrument_id = ? ORDER BY seq"
    )
    tracks = []
    for row in track_rows:
        with where("notes", f"track of instrument {row.instrument_id}"):
            notes = decode_tuple(_select(conn, sql, row.instrument_id), Note)
        tracks.append(Track(InstrumentId(row.instrument_id), notes))
    return tuple(tracks)


def _read_lanes(conn: sqlite3.Connection) -> tuple[AutomationLane, ...]:
    sql = f"SELECT {rows.columns(LaneRow)} FROM lanes ORDER BY position, id"
    with where("lanes"):
        lane_rows = decode_rows(_select(conn, sql), LaneRow)
    sql_points = "SELECT tick, value, curve FROM points WHERE lane_id = ? ORDER BY seq"
    lanes = []
    for row in lane_rows:
        with where("points", f"lane {row.id}"):
            points = decode_tuple(_select(conn, sql_points, row.id), AutomationPoint)
        target = AutomationTarget(row.scope, row.owner, row.parameter)
        lanes.append(
            AutomationLane(
                LaneId(row.id),
                target,
                points,
                row.enabled,
                row.armed,
                row.min_value,
                row.max_value,
            )
        )
    return tuple(lanes)


def _read_clips(conn: sqlite3.Connection) -> tuple[Clip, ...]:
    sql = f"SELECT {rows.columns(ClipRow)} FROM clips ORDER BY position, id"
    with where("clips"):
        clip_rows = decode_rows(_select(conn, sql), ClipRow)
    clips = []
    for row in clip_rows:
        with where("clips", f"clip {row.id}"):
            notes = _unpacked(row.notes, tuple[Note, ...], "notes")
            lanes = _unpacked(row.lanes, tuple[AutomationLane, ...], "lanes")
        clips.append(
            Clip(
                ClipId(row.id),
                row.name,
                InstrumentId(row.instrument_id),
                row.length_ticks,
                notes,
                lanes,
            )
        )
    return tuple(clips)


def _read_placements(conn: sqlite3.Connection) -> tuple[Placement, ...]:
    sql = "SELECT id, clip_id, start_tick, length_override FROM placements ORDER BY position, id"
    with where("placements"):
        return decode_tuple(_select(conn, sql), Placement)


def read_project(conn: sqlite3.Connection) -> Project:
    """The project held by the (current-schema) database behind ``conn``."""
    s = _read_settings(conn)
    instruments = Instruments(
        _read_instruments(conn),
        next_id=s.next_instrument_id,
        next_layer_group_id=s.next_layer_group_id,
    )
    session = Session(
        settings=MusicalSettings(
            s.key,
            s.scale,
            s.bpm,
            s.tuning_a4,
            (s.beats_per_bar, s.beat_unit),
            s.tuning,
            s.ji_flavor,
            s.snap,
        ),
        piano_roll=PianoRoll(_read_tracks(conn), s.looping, s.loop_start, s.loop_end, s.swing),
        arrangement=Arrangement(
            _read_clips(conn),
            _read_placements(conn),
            s.play_mode,
            s.next_clip_id,
            s.next_placement_id,
        ),
        automation=Automation(_read_lanes(conn), s.next_lane_id),
        mixer=Mixer(_read_buses(conn), s.master_level, s.master_mute),
        humanize=Humanize(s.humanize_velocity, s.humanize_timing),
        click=Click(s.click_enabled, s.click_volume, s.click_muted),
        midi=MidiSettings() if s.midi is None else _json(s.midi, MidiSettings, "settings.midi"),
        tempo_map=TempoMap() if s.tempo_map is None else _tempo_map(s.tempo_map),
    )
    return Project(instruments, session)


def _tempo_map(text: str) -> TempoMap:
    try:
        value = _json(text, TempoMap, "settings.tempo_map")
    except ValueError as exc:
        raise BadValue(str(exc)) from exc
    problem = tempo_map_problem(value)
    if problem is not None:
        raise BadValue(f"column settings.tempo_map: {problem}")
    return value


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise ProjectFileError(path, f"the file is corrupt ({problems[0]})")


def _migrated_copy(conn: sqlite3.Connection, version: int) -> sqlite3.Connection:
    memory = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(memory)
    memory.execute("BEGIN")
    schema.migrate(memory, version)
    memory.execute("COMMIT")
    return memory


def _read_file(conn: sqlite3.Connection, path: Path) -> Project:
    conn.execute("BEGIN")
    _check_integrity(conn, path)
    version = schema.inspect(conn, path)
    if version is None:
        raise ProjectFileError(path, "not an imbolc project (an empty database)")
    if version == schema.SCHEMA_VERSION:
        return read_project(conn)
    conn.execute("COMMIT")
    memory = _migrated_copy(conn, version)
    try:
        return read_project(memory)
    finally:
        memory.close()


def load_project(path: Path | str) -> Project:
    """The project saved in ``path``; raises ProjectFileError and leaves the file untouched."""
    target = Path(path)
    conn = schema.open_read_only(target)
    try:
        return _read_file(conn, target)
    except BadValue as exc:
        raise ProjectFileError(target, f"invalid value in {exc}") from exc
    except sqlite3.Error as exc:
        raise ProjectFileError(target, schema.describe(exc)) from exc
    finally:
        conn.close()
