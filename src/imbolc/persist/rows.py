"""Model ↔ rows: how each part of a Project becomes table rows, and the typed row shapes.

Writing is plain tuples in the column order of :mod:`imbolc.persist.schema`. Reading decodes
rows through msgspec into array-like Structs, so every value is type-checked; small nested
structs travel as msgspec JSON text, large ones (kit, sampler, clip contents) as msgpack.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Literal, TypeVar

import msgspec

from imbolc.core.arrangement import Clip, Placement, PlayMode
from imbolc.core.automation import AutomationLane, TargetScope
from imbolc.core.ids import StageId
from imbolc.core.instrument import (
    ChannelConfig,
    ChordShapeName,
    EffectStage,
    EqBand,
    EqStage,
    FilterStage,
    Instrument,
    ParamValue,
    Stage,
)
from imbolc.core.midi_map import MidiSettings
from imbolc.core.mixer import Bus
from imbolc.core.notes import Track
from imbolc.core.project import Project
from imbolc.core.session import JiFlavorName, Key, ScaleName, Tuning
from imbolc.core.timemap import TempoMap

Row = tuple[Any, ...]
T = TypeVar("T")


class Batch:
    """Rows waiting to be inserted, grouped by table."""

    def __init__(self) -> None:
        self.rows: defaultdict[str, list[Row]] = defaultdict(list)

    def add(self, table: str, row: Row) -> None:
        """Queue one row for ``table``."""
        self.rows[table].append(row)

    def extend(self, table: str, rows: list[Row]) -> None:
        """Queue many rows for ``table``."""
        self.rows[table].extend(rows)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


DEFAULT_MIDI = MidiSettings()
DEFAULT_TEMPO_MAP = TempoMap()


def json_text(value: msgspec.Struct) -> str:
    """A small struct as msgspec JSON text."""
    return msgspec.json.encode(value).decode()


def packed(value: object) -> bytes:
    """A value as msgpack bytes."""
    return msgspec.msgpack.encode(value)


def settings_row(project: Project) -> Row:
    """The single ``settings`` row: session scalars and every id counter."""
    session = project.session
    s = session.settings
    roll = session.piano_roll
    arr = session.arrangement
    return (
        1,
        s.key,
        s.scale,
        s.bpm,
        s.tuning_a4,
        s.time_signature[0],
        s.time_signature[1],
        s.tuning,
        s.ji_flavor,
        s.snap,
        session.humanize.velocity,
        session.humanize.timing,
        session.click.enabled,
        session.click.volume,
        session.click.muted,
        roll.looping,
        roll.loop_start,
        roll.loop_end,
        roll.swing,
        arr.play_mode,
        session.mixer.master_level,
        session.mixer.master_mute,
        project.instruments.next_id,
        project.instruments.next_layer_group_id,
        session.automation.next_lane_id,
        arr.next_clip_id,
        arr.next_placement_id,
        None if session.midi == DEFAULT_MIDI else json_text(session.midi),
        None if session.tempo_map == DEFAULT_TEMPO_MAP else json_text(session.tempo_map),
    )


def _params(owner: int, params: tuple[ParamValue, ...], *prefix: int) -> list[Row]:
    return [(owner, *prefix, seq, p.name, p.value) for seq, p in enumerate(params)]


def _stage_row(owner: int, seq: int, stage: Stage) -> Row:
    if isinstance(stage, FilterStage):
        return (owner, seq, stage.id, "filter", stage.filter_type, stage.enabled, None, None)
    if isinstance(stage, EqStage):
        return (
            owner,
            seq,
            stage.id,
            "eq",
            None,
            stage.enabled,
            msgspec.json.encode(stage.bands).decode(),
            None,
        )
    ir_path = stage.ir_path or None
    return (owner, seq, stage.id, "effect", stage.effect_type, stage.enabled, None, ir_path)


def add_instrument(batch: Batch, inst: Instrument, position: int) -> None:
    """Rows of one instrument: its own row, source params, chain stages (+ params), sends."""
    m = inst.mixer
    batch.add(
        "instruments",
        (
            inst.id,
            position,
            inst.name,
            inst.source,
            inst.channels,
            inst.polyphonic,
            inst.voice_cap,
            inst.active,
            inst.chord_shape,
            inst.layer_group,
            inst.octave_offset,
            inst.next_stage_id,
            m.level,
            m.pan,
            m.mute,
            m.solo,
            m.output_bus,
            json_text(inst.envelope),
            json_text(inst.lfo),
            json_text(inst.arpeggiator),
            json_text(inst.groove),
            None if inst.sampler is None else packed(inst.sampler),
            None if inst.kit is None else packed(inst.kit),
            inst.midi_channel,
            inst.midi_program,
        ),
    )
    batch.extend("source_params", _params(inst.id, inst.source_params))
    for seq, stage in enumerate(inst.chain):
        batch.add("stages", _stage_row(inst.id, seq, stage))
        if not isinstance(stage, EqStage):
            batch.extend("stage_params", _params(inst.id, stage.params, seq))
    batch.extend(
        "sends",
        [(inst.id, seq, s.bus_id, s.level, s.enabled, s.tap) for seq, s in enumerate(m.sends)],
    )


def add_bus(batch: Batch, bus: Bus, position: int) -> None:
    """Rows of one bus: its own row, its effects and their params."""
    batch.add(
        "buses",
        (bus.id, position, bus.name, bus.level, bus.pan, bus.mute, bus.solo, bus.next_stage_id),
    )
    for seq, effect in enumerate(bus.effects):
        batch.add(
            "bus_effects",
            (bus.id, seq, effect.id, effect.effect_type, effect.enabled, effect.ir_path or None),
        )
        batch.extend("bus_effect_params", _params(bus.id, effect.params, seq))


def add_track(batch: Batch, track: Track, position: int) -> None:
    """Rows of one piano-roll track: the track row and one row per note."""
    owner = track.instrument_id
    batch.add("tracks", (owner, position))
    batch.extend(
        "notes",
        [
            (owner, seq, n.tick, n.duration, n.pitch, n.velocity, n.probability)
            for seq, n in enumerate(track.notes)
        ],
    )


def add_lane(batch: Batch, lane: AutomationLane, position: int) -> None:
    """Rows of one automation lane: the lane row and one row per point."""
    t = lane.target
    batch.add(
        "lanes",
        (
            lane.id,
            position,
            t.scope,
            t.owner,
            t.parameter,
            lane.enabled,
            lane.armed,
            lane.min_value,
            lane.max_value,
        ),
    )
    batch.extend(
        "points",
        [(lane.id, seq, p.tick, p.value, p.curve) for seq, p in enumerate(lane.points)],
    )


def add_clip(batch: Batch, clip: Clip, position: int) -> None:
    """The row of one clip; its notes and lanes travel as msgpack blobs."""
    batch.add(
        "clips",
        (
            clip.id,
            position,
            clip.name,
            clip.instrument_id,
            clip.length_ticks,
            packed(clip.notes),
            packed(clip.lanes),
        ),
    )


def add_placement(batch: Batch, placement: Placement, position: int) -> None:
    """The row of one clip placement."""
    p = placement
    batch.add("placements", (p.id, position, p.clip_id, p.start_tick, p.length_override))


# Row shapes for reading: array-like Structs in SELECT column order.


class SettingsRow(msgspec.Struct, frozen=True, array_like=True):
    """The ``settings`` row as read."""

    key: Key
    scale: ScaleName
    bpm: float
    tuning_a4: float
    beats_per_bar: int
    beat_unit: int
    tuning: Tuning
    ji_flavor: JiFlavorName
    snap: bool
    humanize_velocity: float
    humanize_timing: float
    click_enabled: bool
    click_volume: float
    click_muted: bool
    looping: bool
    loop_start: int
    loop_end: int
    swing: float
    play_mode: PlayMode
    master_level: float
    master_mute: bool
    next_instrument_id: int
    next_layer_group_id: int
    next_lane_id: int
    next_clip_id: int
    next_placement_id: int
    midi: str | None
    tempo_map: str | None


class InstrumentRow(msgspec.Struct, frozen=True, array_like=True):
    """An ``instruments`` row as read (without its position)."""

    id: int
    name: str
    source: str
    channels: ChannelConfig
    polyphonic: bool
    voice_cap: int
    active: bool
    chord_shape: ChordShapeName | None
    layer_group: int | None
    octave_offset: int
    next_stage_id: int
    level: float
    pan: float
    mute: bool
    solo: bool
    output_bus: int | None
    envelope: str
    lfo: str
    arpeggiator: str
    groove: str
    sampler: bytes | None
    kit: bytes | None
    midi_channel: int | None
    midi_program: int | None


class StageRow(msgspec.Struct, frozen=True, array_like=True):
    """A ``stages`` row as read."""

    seq: int
    stage_id: int
    kind: Literal["filter", "eq", "effect"]
    type_name: str | None
    enabled: bool
    bands: str | None
    ir_path: str | None


class BusRow(msgspec.Struct, frozen=True, array_like=True):
    """A ``buses`` row as read (without its position)."""

    id: int
    name: str
    level: float
    pan: float
    mute: bool
    solo: bool
    next_stage_id: int


class BusEffectRow(msgspec.Struct, frozen=True, array_like=True):
    """A ``bus_effects`` row as read."""

    seq: int
    stage_id: int
    effect_type: str
    enabled: bool
    ir_path: str | None


class LaneRow(msgspec.Struct, frozen=True, array_like=True):
    """A ``lanes`` row as read (without its position)."""

    id: int
    scope: TargetScope
    owner: int
    parameter: str
    enabled: bool
    armed: bool
    min_value: float
    max_value: float


class ClipRow(msgspec.Struct, frozen=True, array_like=True):
    """A ``clips`` row as read (without its position)."""

    id: int
    name: str
    instrument_id: int
    length_ticks: int
    notes: bytes
    lanes: bytes


class TrackRow(msgspec.Struct, frozen=True, array_like=True):
    """A ``tracks`` row as read (without its position)."""

    instrument_id: int


class OwnedParamRow(msgspec.Struct, frozen=True, array_like=True):
    """A stage or bus-effect parameter as read: which stage (by chain slot), name, value."""

    stage_seq: int
    name: str
    value: float


def columns(row_type: type[msgspec.Struct]) -> str:
    """The SELECT list that reads a row of ``row_type``: its field names in order."""
    return ", ".join(field.name for field in msgspec.structs.fields(row_type))


_BOOL_COLUMNS: dict[type[Any], tuple[int, ...]] = {}


def _bool_columns(row_type: type[Any]) -> tuple[int, ...]:
    found = _BOOL_COLUMNS.get(row_type)
    if found is None:
        fields = msgspec.structs.fields(row_type)
        found = tuple(n for n, field in enumerate(fields) if field.type is bool)
        _BOOL_COLUMNS[row_type] = found
    return found


def _with_bools(row: Row, columns: tuple[int, ...]) -> list[Any]:
    out = list(row)
    for n in columns:
        # SQLite keeps flags as 0/1; anything else is left for msgspec to reject.
        if type(out[n]) is int and out[n] in (0, 1):
            out[n] = bool(out[n])
    return out


def _located(exc: msgspec.ValidationError, item_type: type[Any]) -> ValueError:
    """The error with its ``$[row][column]`` position turned into a column name."""
    message = str(exc)
    match = re.search(r"at `\$\[(\d+)\]\[(\d+)\]", message)
    fields = msgspec.structs.fields(item_type)
    if match is None or int(match[2]) >= len(fields):
        return ValueError(message)
    column = fields[int(match[2])].name
    problem = message.partition(" - at ")[0]
    return ValueError(f"column {column}, row {int(match[1]) + 1}: {problem}")


def _prepared(rows: list[Row], item_type: type[Any]) -> list[Any]:
    bools = _bool_columns(item_type)
    return [_with_bools(row, bools) for row in rows] if bools else list(rows)


def decode_rows(rows: list[Row], row_type: type[T]) -> list[T]:
    """Rows type-checked into ``row_type`` (an array-like Struct in column order)."""
    try:
        return msgspec.convert(_prepared(rows, row_type), list[row_type])  # type: ignore[valid-type]
    except msgspec.ValidationError as exc:
        raise _located(exc, row_type) from exc


def decode_tuple(rows: list[Row], item_type: type[T]) -> tuple[T, ...]:
    """Rows type-checked straight into a tuple of model Structs."""
    try:
        return msgspec.convert(_prepared(rows, item_type), tuple[item_type, ...])  # type: ignore[valid-type]
    except msgspec.ValidationError as exc:
        raise _located(exc, item_type) from exc


def build_stage(row: StageRow, params: tuple[ParamValue, ...]) -> Stage:
    """A chain stage from its row and its parameters."""
    if row.kind == "eq":
        if row.bands is None:
            raise ValueError(f"EQ stage {row.stage_id} has no bands")
        bands = msgspec.json.decode(row.bands, type=tuple[EqBand, ...])
        return EqStage(StageId(row.stage_id), bands, row.enabled)
    if row.type_name is None:
        raise ValueError(f"{row.kind} stage {row.stage_id} has no type name")
    if row.kind == "filter":
        return FilterStage(StageId(row.stage_id), row.type_name, params, row.enabled)
    return EffectStage(StageId(row.stage_id), row.type_name, params, row.enabled, row.ir_path or "")
