"""Reading a project file back into a Project, validating every value on the way.

The file is opened read-only and read in one transaction (one consistent snapshot even while
a saver writes). An older schema is migrated in an in-memory copy; the file on disk is only
upgraded by the next save. Any problem becomes a ProjectFileError naming the file.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path

from imbolc.core.apply.notes import MAX_TICK
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
from imbolc.core.music import BAR_DENOMINATORS, MAX_NUMERATOR
from imbolc.core.notes import Note, PianoRoll, Track
from imbolc.core.project import Project
from imbolc.core.session import Click, Humanize, MusicalSettings, Session
from imbolc.core.timemap import TempoMap
from imbolc.persist import rows, schema
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.reader import BadValue, Reader, json_value, unpacked, where
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
)
from imbolc.persist.sample_paths import absolute_paths

DEFAULT_SETTINGS = SettingsRow(*rows.settings_row(Project())[1:])
"""The settings of a new project: what a file whose settings row is lost falls back to."""


def settings_problems(s: SettingsRow) -> list[str]:
    """Values the actions never produce and the rest of imbolc cannot work with."""
    problems = []
    if not 1.0 <= s.bpm <= 10_000.0:
        problems.append(f"bpm {s.bpm!r} is outside 1..10000")
    if not 1.0 <= s.tuning_a4 <= 10_000.0:
        problems.append(f"tuning_a4 {s.tuning_a4!r} is outside 1..10000 Hz")
    if not 1 <= s.beats_per_bar <= MAX_NUMERATOR:
        problems.append(f"beats_per_bar {s.beats_per_bar} is outside 1..{MAX_NUMERATOR}")
    if s.beat_unit not in BAR_DENOMINATORS:
        problems.append(f"beat_unit {s.beat_unit} is not one of {BAR_DENOMINATORS}")
    if not 0 <= s.loop_start <= s.loop_end:
        problems.append(f"loop {s.loop_start}..{s.loop_end} is not an interval from 0")
    for name in ("swing", "humanize_velocity", "humanize_timing", "click_volume"):
        value = getattr(s, name)
        if not 0.0 <= value <= 1.0:
            problems.append(f"{name} {value!r} is outside 0..1")
    if not 0.0 <= s.master_level <= 4.0:
        problems.append(f"master_level {s.master_level!r} is outside 0..4")
    return [f"table settings: {problem}" for problem in problems]


def _read_settings(r: Reader) -> SettingsRow:
    found = r.select(f"SELECT {rows.columns(SettingsRow)} FROM settings", table="settings")
    if len(found) != 1:
        problem = f"table settings must hold exactly one row, it holds {len(found)}"
        if r.problems is None:
            raise BadValue(problem)
        r.problems.append(f"{problem} (defaults used)")
    decoded = r.decoded(found[:1], SettingsRow, "settings")
    if not decoded:
        return DEFAULT_SETTINGS
    wrong = settings_problems(decoded[0])
    if wrong and r.problems is None:
        raise BadValue(wrong[0])
    if wrong and r.problems is not None:
        r.problems.extend(f"{problem} (defaults used)" for problem in wrong)
        return DEFAULT_SETTINGS
    return decoded[0]


def _grouped_params(param_rows: list[OwnedParamRow]) -> dict[int, tuple[ParamValue, ...]]:
    grouped: defaultdict[int, list[ParamValue]] = defaultdict(list)
    for row in param_rows:
        grouped[row.stage_seq].append(ParamValue(row.name, row.value))
    return {seq: tuple(params) for seq, params in grouped.items()}


SQL_SOURCE_PARAMS = "SELECT name, value FROM source_params WHERE instrument_id = ? ORDER BY seq"
SQL_STAGES = f"SELECT {rows.columns(StageRow)} FROM stages WHERE instrument_id = ? ORDER BY seq"
SQL_STAGE_PARAMS = (
    "SELECT stage_seq, name, value FROM stage_params WHERE instrument_id = ? "
    "ORDER BY stage_seq, seq"
)
SQL_SENDS = "SELECT bus_id, level, enabled, tap FROM sends WHERE instrument_id = ? ORDER BY seq"


def _read_instrument(r: Reader, row: InstrumentRow) -> Instrument:
    ident = row.id
    owner = f"instrument {ident}"
    source_params = r.items(SQL_SOURCE_PARAMS, ident, kind=ParamValue, table="source_params",
                            owner=owner)  # fmt: skip
    stage_rows = r.rows(SQL_STAGES, ident, kind=StageRow, table="stages", owner=owner)
    param_rows = r.rows(SQL_STAGE_PARAMS, ident, kind=OwnedParamRow, table="stage_params",
                        owner=owner)  # fmt: skip
    params = _grouped_params(param_rows)
    with where("stages", owner):
        chain = tuple(rows.build_stage(s, params.get(s.seq, ())) for s in stage_rows)
    sends = r.items(SQL_SENDS, ident, kind=Send, table="sends", owner=owner)
    with where("instruments", owner):
        return Instrument(
            id=InstrumentId(ident),
            name=row.name,
            source=row.source,
            source_params=source_params,
            envelope=json_value(row.envelope, Envelope, "envelope"),
            chain=chain,
            lfo=json_value(row.lfo, Lfo, "lfo"),
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
            arpeggiator=json_value(row.arpeggiator, Arpeggiator, "arpeggiator"),
            chord_shape=row.chord_shape,
            groove=json_value(row.groove, Groove, "groove"),
            layer_group=None if row.layer_group is None else LayerGroupId(row.layer_group),
            octave_offset=row.octave_offset,
            sampler=None
            if row.sampler is None
            else unpacked(row.sampler, SamplerConfig, "sampler"),
            kit=None if row.kit is None else unpacked(row.kit, KitConfig, "kit"),
            next_stage_id=row.next_stage_id,
            midi_channel=row.midi_channel,
            midi_program=row.midi_program,
        )


def _read_instruments(r: Reader) -> tuple[Instrument, ...]:
    sql = f"SELECT {rows.columns(InstrumentRow)} FROM instruments ORDER BY position, id"
    instrument_rows = r.rows(sql, kind=InstrumentRow, table="instruments")
    return r.each(instrument_rows, lambda row: _read_instrument(r, row))


def _read_bus(r: Reader, row: BusRow) -> Bus:
    owner = f"bus {row.id}"
    sql_effects = (
        f"SELECT {rows.columns(BusEffectRow)} FROM bus_effects WHERE bus_id = ? ORDER BY seq"
    )
    sql_params = (
        "SELECT effect_seq, name, value FROM bus_effect_params WHERE bus_id = ? "
        "ORDER BY effect_seq, seq"
    )
    effect_rows = r.rows(sql_effects, row.id, kind=BusEffectRow, table="bus_effects", owner=owner)
    param_rows = r.rows(sql_params, row.id, kind=OwnedParamRow, table="bus_effect_params",
                        owner=owner)  # fmt: skip
    params = _grouped_params(param_rows)
    effects = tuple(
        EffectStage(
            StageId(e.stage_id), e.effect_type, params.get(e.seq, ()), e.enabled, e.ir_path or ""
        )
        for e in effect_rows
    )
    return Bus(
        BusId(row.id), row.name, row.level, row.pan, row.mute, row.solo, effects, row.next_stage_id
    )


def _read_buses(r: Reader) -> tuple[Bus, ...]:
    sql = f"SELECT {rows.columns(BusRow)} FROM buses ORDER BY position, id"
    bus_rows = r.rows(sql, kind=BusRow, table="buses")
    return r.each(bus_rows, lambda row: _read_bus(r, row))


def _note_problem(note: Note) -> str | None:
    if not 0 <= note.tick <= MAX_TICK:
        return f"tick {note.tick} is outside 0..{MAX_TICK}"
    if not 1 <= note.duration <= MAX_TICK:
        return f"duration {note.duration} is outside 1..{MAX_TICK}"
    if not 0 <= note.pitch <= 127 or not 1 <= note.velocity <= 127:
        return f"pitch {note.pitch} / velocity {note.velocity} is outside 0..127 / 1..127"
    if not 0.0 <= note.probability <= 1.0:
        return f"probability {note.probability!r} is outside 0..1"
    return None


def sound_notes(r: Reader, notes: tuple[Note, ...], table: str, owner: str) -> tuple[Note, ...]:
    """``notes`` if every one is a note the actions could make; else strict refuses and
    tolerant drops the others (MIDI export, scheduling and rendering rely on the ranges)."""
    problems = [(n, p) for n, note in enumerate(notes, 1) if (p := _note_problem(note))]
    if not problems:
        return notes
    if r.problems is None:
        number, problem = problems[0]
        raise BadValue(f"table {table} ({owner}): note {number}: {problem}")
    for number, problem in problems:
        r.problems.append(f"table {table} ({owner}): note {number}: {problem} (skipped)")
    return tuple(note for note in notes if _note_problem(note) is None)


def _read_tracks(r: Reader) -> tuple[Track, ...]:
    sql_tracks = "SELECT instrument_id FROM tracks ORDER BY position, instrument_id"
    track_rows = r.rows(sql_tracks, kind=TrackRow, table="tracks")
    sql = (
        "SELECT tick, duration, pitch, velocity, probability FROM notes "
        "WHERE instrument_id = ? ORDER BY seq"
    )

    def track(row: TrackRow) -> Track:
        owner = f"track of instrument {row.instrument_id}"
        notes = r.items(sql, row.instrument_id, kind=Note, table="notes", owner=owner)
        return Track(InstrumentId(row.instrument_id), sound_notes(r, notes, "notes", owner))

    return r.each(track_rows, track)


def _read_lanes(r: Reader) -> tuple[AutomationLane, ...]:
    sql = f"SELECT {rows.columns(LaneRow)} FROM lanes ORDER BY position, id"
    lane_rows = r.rows(sql, kind=LaneRow, table="lanes")
    sql_points = "SELECT tick, value, curve FROM points WHERE lane_id = ? ORDER BY seq"

    def lane(row: LaneRow) -> AutomationLane:
        points = r.items(sql_points, row.id, kind=AutomationPoint, table="points",
                         owner=f"lane {row.id}")  # fmt: skip
        target = AutomationTarget(row.scope, row.owner, row.parameter)
        return AutomationLane(
            LaneId(row.id), target, points, row.enabled, row.armed, row.min_value, row.max_value
        )

    return r.each(lane_rows, lane)


def _read_clips(r: Reader) -> tuple[Clip, ...]:
    sql = f"SELECT {rows.columns(ClipRow)} FROM clips ORDER BY position, id"
    clip_rows = r.rows(sql, kind=ClipRow, table="clips")

    def clip(row: ClipRow) -> Clip:
        with where("clips", f"clip {row.id}"):
            notes = unpacked(row.notes, tuple[Note, ...], "notes")
            lanes = unpacked(row.lanes, tuple[AutomationLane, ...], "lanes")
        notes = sound_notes(r, notes, "clips", f"clip {row.id}")
        return Clip(
            ClipId(row.id), row.name, InstrumentId(row.instrument_id), row.length_ticks, notes,
            lanes,
        )  # fmt: skip

    return r.each(clip_rows, clip)


def _read_placements(r: Reader) -> tuple[Placement, ...]:
    sql = "SELECT id, clip_id, start_tick, length_override FROM placements ORDER BY position, id"
    return r.items(sql, kind=Placement, table="placements")


def _midi(r: Reader, text: str | None) -> MidiSettings:
    if text is None:
        return MidiSettings()

    def parse(raw: str) -> MidiSettings:
        with where("settings"):
            return json_value(raw, MidiSettings, "midi")

    found = r.each([text], parse)
    return found[0] if found else MidiSettings()


def read_project(conn: sqlite3.Connection, problems: list[str] | None = None) -> Project:
    """The project held by the (current-schema) database behind ``conn``.

    With a ``problems`` list, every unreadable part is reported there and left out instead.
    """
    r = Reader(conn, problems)
    s = _read_settings(r)
    instruments = Instruments(
        _read_instruments(r),
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
        piano_roll=PianoRoll(_read_tracks(r), s.looping, s.loop_start, s.loop_end, s.swing),
        arrangement=Arrangement(
            _read_clips(r),
            _read_placements(r),
            s.play_mode,
            s.next_clip_id,
            s.next_placement_id,
        ),
        automation=Automation(_read_lanes(r), s.next_lane_id),
        mixer=Mixer(_read_buses(r), s.master_level, s.master_mute),
        humanize=Humanize(s.humanize_velocity, s.humanize_timing),
        click=Click(s.click_enabled, s.click_volume, s.click_muted),
        midi=_midi(r, s.midi),
        tempo_map=_tempo_map(r, s.tempo_map),
    )
    return Project(instruments, session)


def _tempo_map(r: Reader, text: str | None) -> TempoMap:
    if text is None:
        return TempoMap()

    def parse(raw: str) -> TempoMap:
        with where("settings"):
            value = json_value(raw, TempoMap, "tempo_map")
        problem = tempo_map_problem(value)
        if problem is not None:
            raise BadValue(f"column settings.tempo_map: {problem}")
        return value

    found = r.each([text], parse)
    return found[0] if found else TempoMap()


INTEGRITY_LINES = 20
"""At most this many lines of SQLite's integrity report are kept."""


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's quick check finds wrong with the file (empty when it is sound)."""
    conn.text_factory = _lenient_text  # the report quotes damaged names
    try:
        lines = conn.execute(f"PRAGMA quick_check({INTEGRITY_LINES})").fetchall()
    finally:
        conn.text_factory = str
    problems = [str(row[0]) for row in lines]
    return [] if problems == ["ok"] else problems


def _migrated_copy(conn: sqlite3.Connection, version: int) -> sqlite3.Connection:
    memory = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(memory)
    memory.execute("BEGIN")
    schema.migrate(memory, version)
    memory.execute("COMMIT")
    return memory


def _read_file(conn: sqlite3.Connection, path: Path, problems: list[str] | None) -> Project:
    conn.execute("BEGIN")
    damage = integrity_problems(conn)
    if damage and problems is None:
        raise ProjectFileError(path, f"the file is corrupt ({damage[0]})")
    if problems is not None:
        problems.extend(f"the file is corrupt: {line}" for line in damage)
    version = schema.inspect(conn, path)
    if version is None:
        raise ProjectFileError(path, "not an imbolc project (an empty database)")
    if version == schema.SCHEMA_VERSION:
        return read_project(conn, problems)
    conn.execute("COMMIT")
    memory = _migrated_copy(conn, version)
    try:
        return read_project(memory, problems)
    finally:
        memory.close()


def _opened_and_read(target: Path, problems: list[str] | None) -> Project:
    conn = schema.open_read_only(target)
    try:
        return absolute_paths(_read_file(conn, target, problems), target.parent)
    except BadValue as exc:
        raise ProjectFileError(target, f"invalid value in {exc}") from exc
    except sqlite3.Error as exc:
        raise ProjectFileError(target, schema.describe(exc)) from exc
    except ValueError as exc:  # text that is not UTF-8 where SQLite hands back str
        raise ProjectFileError(target, f"unreadable value ({exc})") from exc
    finally:
        conn.close()


def load_project(path: Path | str) -> Project:
    """The project saved in ``path``; raises ProjectFileError and leaves the file untouched."""
    return _opened_and_read(Path(path), None)


def read_what_is_readable(path: Path | str) -> tuple[Project, list[str]]:
    """Every part of ``path`` that can be read, and every problem met on the way.

    Raises ProjectFileError only when nothing can be read (not a project, too new, no tables).
    """
    problems: list[str] = []
    project = _opened_and_read(Path(path), problems)
    return project, problems
