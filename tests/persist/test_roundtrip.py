"""Saving then loading gives back an equal project, stored in real relational tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec

from imbolc.core.ids import InstrumentId
from imbolc.core.instrument import EffectStage, EqStage, FilterStage, Instrument
from imbolc.core.project import Project
from imbolc.persist import load_project, save_project
from imbolc.persist.schema import APPLICATION_ID, SCHEMA_VERSION


def test_rich_project_round_trips_equal(tmp_path: Path, rich_project: Project) -> None:
    path = tmp_path / "song.imbolc"
    save_project(path, rich_project)
    assert load_project(path) == rich_project


def test_rich_project_covers_every_kind_of_data(rich_project: Project) -> None:
    chain_kinds = {type(s) for i in rich_project.instruments.items for s in i.chain}
    assert chain_kinds == {FilterStage, EqStage, EffectStage}
    session = rich_project.session
    assert any(i.kit is not None for i in rich_project.instruments.items)
    assert any(i.sampler is not None for i in rich_project.instruments.items)
    assert session.automation.lanes and session.arrangement.placements
    assert any(bus.effects for bus in session.mixer.buses)
    assert any(i.mixer.sends for i in rich_project.instruments.items)


def test_empty_project_round_trips_equal(tmp_path: Path) -> None:
    path = tmp_path / "empty.imbolc"
    save_project(path, Project())
    assert load_project(path) == Project()


def test_big_project_round_trips_equal(tmp_path: Path, big_project: Project) -> None:
    path = tmp_path / "big.imbolc"
    save_project(path, big_project)
    assert load_project(path) == big_project


def test_loaded_values_have_their_declared_types(tmp_path: Path, rich_project: Project) -> None:
    path = tmp_path / "song.imbolc"
    save_project(path, rich_project)
    loaded = load_project(path)
    inst = loaded.instruments.items[0]
    assert type(inst.polyphonic) is bool
    assert type(inst.mixer.sends[0].enabled) is bool
    assert type(loaded.session.piano_roll.looping) is bool
    assert msgspec.msgpack.encode(loaded) == msgspec.msgpack.encode(rich_project)


def test_each_note_is_one_row(tmp_path: Path, rich_project: Project) -> None:
    path = tmp_path / "song.imbolc"
    save_project(path, rich_project)
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT tick, duration, pitch, velocity, probability FROM notes "
        "WHERE instrument_id = 1 ORDER BY seq"
    ).fetchall()
    conn.close()
    track = rich_project.session.piano_roll.track(1)
    assert track is not None
    assert rows == [(n.tick, n.duration, n.pitch, n.velocity, n.probability) for n in track.notes]


def test_stages_and_their_params_have_their_own_tables(
    tmp_path: Path, rich_project: Project
) -> None:
    path = tmp_path / "song.imbolc"
    save_project(path, rich_project)
    conn = sqlite3.connect(path)
    stages = conn.execute(
        "SELECT stage_id, kind, type_name FROM stages WHERE instrument_id = 1 ORDER BY seq"
    ).fetchall()
    delay_feedback = conn.execute(
        "SELECT value FROM stage_params WHERE instrument_id = 1 AND stage_seq = 3 "
        "AND name = 'feedback'"
    ).fetchone()
    conn.close()
    assert stages == [
        (4, "effect", "reverb"),
        (1, "filter", "lpf"),
        (2, "eq", None),
        (3, "effect", "delay"),
    ]
    assert delay_feedback == (0.25,)


def test_file_is_marked_as_an_imbolc_project_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "song.imbolc"
    save_project(path, Project())
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    conn.close()
    assert meta["format"] == "imbolc-project"
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta["app_version"] and meta["saved_at"]


def test_unknown_source_name_still_loads(tmp_path: Path) -> None:
    odd = Instrument(InstrumentId(1), "Mystery", "theremin_from_the_future")
    project = msgspec.structs.replace(
        Project(), instruments=msgspec.structs.replace(Project().instruments, items=(odd,))
    )
    path = tmp_path / "odd.imbolc"
    save_project(path, project)
    assert load_project(path).instruments.items[0].source == "theremin_from_the_future"


def test_saving_again_replaces_the_previous_contents(tmp_path: Path, rich_project: Project) -> None:
    path = tmp_path / "song.imbolc"
    save_project(path, rich_project)
    save_project(path, Project())
    assert load_project(path) == Project()
