"""Sound files named by a project (sampler samples, kit pads, impulse responses) round-trip
through the file, stored relative to the project's folder when they lie inside it; a
version-5 file gains impulse responses (the built-in room)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from msgspec.structs import replace

from imbolc.core.actions import AddBusEffect, AddEffect, AddInstrument, SetDrumPad, SetSampler
from imbolc.core.ids import BusId, InstrumentId
from imbolc.core.instrument import EffectStage, SamplerConfig, Slice
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.persist import load_project, save_project


def project_with_files(folder: Path, outside: Path) -> Project:
    """A sampler, a kit pad and a convolution reverb naming files inside ``folder``, and a
    bus reverb naming one in ``outside``."""
    store = Store()
    store.dispatch(AddInstrument("pitched_sampler"))
    sampler = InstrumentId(store.state.instruments.items[-1].id)
    config = SamplerConfig(str(folder / "samples" / "vox.wav"), "vox",
                           (Slice(0, 0.1, 0.6, "a", 57),), 0, True, False)  # fmt: skip
    store.dispatch(SetSampler(sampler, config))
    store.dispatch(AddEffect(sampler, "convolution_reverb"))
    store.dispatch(AddInstrument("kit"))
    kit = store.state.instruments.items[-1]
    assert kit.kit is not None
    pad = replace(kit.kit.pads[0], sample_path=str(folder / "kick.wav"))
    store.dispatch(SetDrumPad(kit.id, 0, pad))
    store.dispatch(AddBusEffect(BusId(1), "convolution_reverb"))
    project = store.state
    inst = project.instruments.get(sampler)
    assert inst is not None and isinstance(inst.chain[-1], EffectStage)
    chain = (replace(inst.chain[-1], ir_path=str(folder / "hall.wav")),)
    project = replace(project, instruments=project.instruments.replaced(replace(inst, chain=chain)))
    mixer = project.session.mixer
    bus = mixer.buses[0]
    bus = replace(bus, effects=(replace(bus.effects[0], ir_path=str(outside / "room.wav")),))
    session = replace(project.session, mixer=replace(mixer, buses=(bus, *mixer.buses[1:])))
    return replace(project, session=session)


def stored(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


def test_sound_file_paths_round_trip(tmp_path: Path) -> None:
    project = project_with_files(tmp_path / "song", tmp_path / "elsewhere")
    (tmp_path / "song").mkdir()
    save_project(tmp_path / "song" / "song.imbolc", project)
    assert load_project(tmp_path / "song" / "song.imbolc") == project


def test_paths_inside_the_project_folder_are_stored_relative(tmp_path: Path) -> None:
    folder = tmp_path / "song"
    folder.mkdir()
    save_project(folder / "song.imbolc", project_with_files(folder, tmp_path / "elsewhere"))
    assert stored(
        folder / "song.imbolc", "SELECT ir_path FROM stages WHERE ir_path IS NOT NULL"
    ) == [("hall.wav",)]
    assert stored(
        folder / "song.imbolc", "SELECT ir_path FROM bus_effects WHERE ir_path IS NOT NULL"
    ) == [(str(tmp_path / "elsewhere" / "room.wav"),)]


def test_a_moved_project_folder_finds_its_files_in_the_new_place(tmp_path: Path) -> None:
    folder = tmp_path / "song"
    folder.mkdir()
    save_project(folder / "song.imbolc", project_with_files(folder, tmp_path / "elsewhere"))
    folder.rename(tmp_path / "moved")
    loaded = load_project(tmp_path / "moved" / "song.imbolc")
    assert loaded == project_with_files(tmp_path / "moved", tmp_path / "elsewhere")


def test_a_version_5_file_loads_with_the_built_in_room(tmp_path: Path) -> None:
    store = Store()
    store.dispatch(AddInstrument("saw"))
    store.dispatch(AddEffect(store.state.instruments.items[-1].id, "convolution_reverb"))
    path = tmp_path / "v5.imbolc"
    save_project(path, store.state)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE stages DROP COLUMN ir_path")
    conn.execute("ALTER TABLE bus_effects DROP COLUMN ir_path")
    conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    loaded = load_project(path)
    assert loaded == store.state
    stage = loaded.instruments.items[-1].chain[-1]
    assert isinstance(stage, EffectStage) and stage.ir_path == ""
