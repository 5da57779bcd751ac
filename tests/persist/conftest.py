"""Projects to save and load: a rich one that uses every kind of data, and a big one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from imbolc.core.actions import (
    AddBus,
    AddBusEffect,
    AddEffect,
    AddEq,
    AddFilter,
    AddInstrument,
    AddLane,
    AddNote,
    AddNotes,
    AddPoint,
    ApplyEuclidean,
    CreateClip,
    LinkLayer,
    PlaceClip,
    ResizePlacement,
    SetArpeggiator,
    SetBpm,
    SetBusEffectParam,
    SetChordShape,
    SetClick,
    SetDrumPad,
    SetEqBand,
    SetGroove,
    SetHumanize,
    SetKey,
    SetLfoEnabled,
    SetLfoTarget,
    SetLoop,
    SetMixerLevel,
    SetMixerMute,
    SetOutput,
    SetPlayMode,
    SetSampler,
    SetScale,
    SetSendEnabled,
    SetSendLevel,
    SetSendTap,
    SetSourceParam,
    SetStageEnabled,
    SetStageParam,
    SetSwing,
    SetTimeSignature,
    SetTuning,
)
from imbolc.core.actions.mixer import MASTER, bus_strip
from imbolc.core.automation import AutomationTarget
from imbolc.core.ids import BusId, ClipId, InstrumentId, LaneId, PlacementId, StageId
from imbolc.core.instrument import Arpeggiator, Groove, SamplerConfig, Slice
from imbolc.core.kit import DrumPad
from imbolc.core.notes import Note
from imbolc.core.project import Project
from imbolc.core.store import Store

SAW, KIT, SAMPLER, FM = InstrumentId(1), InstrumentId(2), InstrumentId(3), InstrumentId(4)


def build_rich_project() -> Project:
    """A project touching every table: stages of each kind, kit, sampler, lanes, clips, buses."""
    store = Store()
    do = store.dispatch
    do(AddInstrument("saw", "Lead"))
    do(AddInstrument("kit", "Drums"))
    do(AddInstrument("pitched_sampler", "Chops"))
    do(AddInstrument("fm", "Bell"))
    do(SetSourceParam(SAW, "amp", 0.35))
    do(AddFilter(SAW, "lpf"))
    do(AddEq(SAW))
    do(AddEffect(SAW, "delay"))
    do(AddEffect(SAW, "reverb", position=0))
    do(SetStageParam(SAW, StageId(3), "feedback", 0.25))
    do(SetEqBand(SAW, StageId(2), 3, "gain", -4.5))
    do(SetStageEnabled(SAW, StageId(1), False))
    do(AddFilter(FM, "vowel"))
    do(SetLfoEnabled(SAW, True))
    do(SetLfoTarget(SAW, "pan"))
    do(SetArpeggiator(SAW, Arpeggiator(True, "up_down", "sixteenth", 2, 0.3)))
    do(SetGroove(FM, Groove(swing=0.4, swing_grid="both", time_signature=(7, 8))))
    do(SetChordShape(FM, "minor_seventh"))
    do(LinkLayer(SAW, FM))
    do(SetSampler(SAMPLER, SamplerConfig("/s/amen.wav", "amen", (Slice(1, 0.0, 0.25, "a"),))))
    do(ApplyEuclidean(KIT, 0, 0, 5))
    do(SetDrumPad(KIT, 3, DrumPad("Shaker", "hihat_closed", note=70, level=0.5)))
    do(AddBus("Verb"))
    do(AddBusEffect(BusId(9), "reverb"))
    do(AddBusEffect(BusId(9), "chorus"))
    do(SetBusEffectParam(BusId(9), StageId(2), "rate", 2.5))
    do(SetMixerLevel(bus_strip(9), 0.6))
    do(SetMixerLevel(MASTER, 0.9))
    do(SetMixerMute(MASTER, True))
    do(SetOutput(FM, BusId(2)))
    do(SetSendLevel(SAW, BusId(9), 0.7))
    do(SetSendEnabled(SAW, BusId(9), True))
    do(SetSendTap(SAW, BusId(9), "pre"))
    do(SetSendLevel(SAW, BusId(3), 0.1))
    notes = tuple(Note(t * 240, 120, 60 + t % 12, 90, 0.75) for t in range(32))
    do(AddNotes(SAW, notes))
    do(AddNote(FM, 0, 960, 48))
    do(AddLane(AutomationTarget("instrument", SAW, "mixer.level")))
    do(AddPoint(LaneId(1), 0, 0.0, "exponential"))
    do(AddPoint(LaneId(1), 1920, 1.0, "s_curve"))
    do(AddLane(AutomationTarget("global", 0, "bpm")))
    do(AddPoint(LaneId(2), 480, 0.5, "step"))
    do(CreateClip(FM, 1920, "Riff", (Note(0, 240, 50), Note(480, 240, 53))))
    do(PlaceClip(ClipId(1), 0))
    do(PlaceClip(ClipId(1), 3840))
    do(ResizePlacement(PlacementId(2), 5760))
    do(SetPlayMode("song"))
    do(SetBpm(97.5))
    do(SetKey("F#"))
    do(SetScale("dorian"))
    do(SetTimeSignature(7, 8))
    do(SetTuning("scale_ji"))
    do(SetHumanize(0.1, 0.2))
    do(SetClick(True, 0.4, True))
    do(SetSwing(0.3))
    do(SetLoop(480, 7680))
    return store.state


def build_big_project(instruments: int = 256, notes: int = 100_000) -> Project:
    """``instruments`` saw instruments sharing ``notes`` notes evenly (built with actions)."""
    store = Store()
    for _ in range(instruments):
        store.dispatch(AddInstrument("saw"))
    per_track = notes // instruments
    extra = notes - per_track * instruments
    for n in range(instruments):
        count = per_track + (1 if n < extra else 0)
        track = tuple(Note(k * 120, 100, 36 + (k * 7 + n) % 60) for k in range(count))
        store.dispatch(AddNotes(InstrumentId(n + 1), track))
    return store.state


@pytest.fixture(scope="session")
def rich_project() -> Project:
    return build_rich_project()


@pytest.fixture(scope="session")
def big_project() -> Project:
    return build_big_project()


def row_count(path: Path, table: str, where: str = "") -> int:
    """How many rows ``table`` of the project file holds."""
    conn = sqlite3.connect(path)
    try:
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        count: int = conn.execute(sql).fetchone()[0]
        return count
    finally:
        conn.close()


@pytest.fixture
def count_rows() -> Callable[[Path, str, str], int]:
    return row_count
