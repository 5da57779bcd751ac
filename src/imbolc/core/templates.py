"""Project templates: a blank project from the user's defaults, and the demo song."""

from __future__ import annotations

from msgspec.structs import replace

from imbolc.core.actions import (
    AddBusEffect,
    AddEffect,
    AddFilter,
    AddInstrument,
    AddLane,
    AddNotes,
    AddPoint,
    ApplyEuclidean,
    CaptureClip,
    PlaceClip,
    RenameBus,
    SetBusEffectParam,
    SetDrumStep,
    SetEnvelope,
    SetLfoEnabled,
    SetLfoParam,
    SetLoop,
    SetMixerLevel,
    SetMixerPan,
    SetSendEnabled,
    SetSendLevel,
    SetSourceParam,
    SetStageParam,
)
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.automation import AutomationTarget
from imbolc.core.config import MusicalDefaults
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.kit import DrumStep
from imbolc.core.mixer import Mixer, default_buses
from imbolc.core.music import CHORD_SHAPES, ChordShape
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.session import MusicalSettings, Session
from imbolc.core.store import Store

BEAT = TICKS_PER_BEAT
BAR = 4 * BEAT


def blank_project(defaults: MusicalDefaults | None = None) -> Project:
    """An empty project with the user's musical defaults and bus count."""
    d = defaults or MusicalDefaults()
    settings = MusicalSettings(
        key=d.key,
        scale=d.scale,
        bpm=d.bpm,
        tuning_a4=d.tuning_a4,
        time_signature=d.time_signature,
        tuning=d.tuning,
        ji_flavor=d.ji_flavor,
        snap=d.snap,
    )
    return Project(
        session=Session(settings=settings, mixer=Mixer(buses=default_buses(d.bus_count)))
    )


def _last_id(store: Store) -> InstrumentId:
    return store.state.instruments.items[-1].id


def _last_stage(store: Store, ident: InstrumentId) -> StageId:
    inst = store.state.instruments.get(ident)
    assert inst is not None
    return inst.chain[-1].id


def _add(store: Store, source: str, name: str) -> InstrumentId:
    store.dispatch(AddInstrument(source, name))
    return _last_id(store)


def _drums(store: Store) -> InstrumentId:
    kit = _add(store, "kit", "Drums")
    hit = DrumStep(active=True, velocity=110)
    soft = DrumStep(active=True, velocity=70)
    for step in (0, 4, 8, 12):
        store.dispatch(SetDrumStep(kit, 0, 0, step, hit))
    for step in (4, 12):
        store.dispatch(SetDrumStep(kit, 0, 1, step, hit))
    store.dispatch(ApplyEuclidean(kit, 0, 2, 8))
    store.dispatch(SetDrumStep(kit, 0, 3, 14, soft))
    store.dispatch(SetDrumStep(kit, 0, 4, 12, soft))
    store.dispatch(SetDrumStep(kit, 0, 10, 7, DrumStep(True, 80, probability=0.5)))
    return kit


# A minor: Am - F - C - G, one bar each.
_ROOTS = (57, 53, 48, 55)
_QUALITIES: tuple[ChordShape, ...] = ("minor", "major", "major", "major")


def _bass(store: Store) -> InstrumentId:
    bass = _add(store, "acid", "Bass")
    store.dispatch(SetSourceParam(bass, "cutoff", 600.0))
    store.dispatch(SetSourceParam(bass, "resonance", 0.6))
    store.dispatch(AddFilter(bass, "lpf"))
    store.dispatch(SetStageParam(bass, _last_stage(store, bass), "cutoff", 1800.0))
    store.dispatch(AddEffect(bass, "distortion"))
    store.dispatch(SetStageParam(bass, _last_stage(store, bass), "mix", 0.25))
    store.dispatch(SetLfoEnabled(bass, True))
    store.dispatch(SetLfoParam(bass, "rate", 0.5))
    notes = []
    for bar, root in enumerate(_ROOTS):
        low = root - 24
        for eighth, offset in enumerate((0, 0, 12, 0, 0, 7, 12, 0)):
            velocity = 110 if eighth % 4 == 0 else 85
            notes.append(
                Note(bar * BAR + eighth * BEAT // 2, BEAT // 2 - BEAT // 12, low + offset, velocity)
            )
    store.dispatch(AddNotes(bass, tuple(notes)))
    return bass


def _chords(store: Store) -> InstrumentId:
    keys = _add(store, "epiano", "Chords")
    store.dispatch(AddEffect(keys, "chorus"))
    notes = []
    for bar, (root, quality) in enumerate(zip(_ROOTS, _QUALITIES, strict=True)):
        for interval in CHORD_SHAPES[quality]:
            for beat in (0, 2):
                notes.append(
                    Note(bar * BAR + beat * BEAT, 2 * BEAT - BEAT // 8, root + interval, 80)
                )
    store.dispatch(AddNotes(keys, tuple(notes)))
    store.dispatch(SetMixerLevel(instrument_strip(keys), 0.6))
    store.dispatch(SetMixerPan(instrument_strip(keys), -0.2))
    return keys


def _lead(store: Store) -> InstrumentId:
    lead = _add(store, "supersaw", "Lead")
    store.dispatch(SetSourceParam(lead, "detune", 0.4))
    store.dispatch(SetEnvelope(lead, "release", 0.4))
    store.dispatch(AddFilter(lead, "lpf"))
    store.dispatch(SetStageParam(lead, _last_stage(store, lead), "cutoff", 4000.0))
    melody = (
        (0, 76, 2), (2, 74, 1), (3, 72, 1), (4, 77, 3), (7, 76, 1),
        (8, 72, 2), (10, 74, 1), (11, 76, 1), (12, 74, 4),
    )  # fmt: skip
    notes = tuple(
        Note(beat * BEAT, length * BEAT - BEAT // 16, pitch, 95) for beat, pitch, length in melody
    )
    store.dispatch(AddNotes(lead, notes))
    store.dispatch(SetMixerLevel(instrument_strip(lead), 0.55))
    store.dispatch(SetMixerPan(instrument_strip(lead), 0.25))
    return lead


def _bell(store: Store) -> InstrumentId:
    bell = _add(store, "fm_bell", "Bell")
    notes = tuple(Note(bar * BAR + 3 * BEAT + BEAT // 2, BEAT, 84, 60) for bar in range(4))
    store.dispatch(AddNotes(bell, notes))
    store.dispatch(SetMixerLevel(instrument_strip(bell), 0.4))
    return bell


def _buses(store: Store, senders: tuple[InstrumentId, ...], delayed: InstrumentId) -> None:
    reverb, echo = BusId(1), BusId(2)
    store.dispatch(RenameBus(reverb, "Reverb"))
    store.dispatch(AddBusEffect(reverb, "reverb"))
    # On a send bus the effect is all wet; the send level sets how much is heard.
    store.dispatch(SetBusEffectParam(reverb, StageId(1), "mix", 1.0))
    store.dispatch(RenameBus(echo, "Delay"))
    store.dispatch(AddBusEffect(echo, "delay"))
    store.dispatch(SetBusEffectParam(echo, StageId(1), "mix", 1.0))
    for inst in senders:
        store.dispatch(SetSendEnabled(inst, reverb, True))
        store.dispatch(SetSendLevel(inst, reverb, 0.35))
    store.dispatch(SetSendEnabled(delayed, echo, True))
    store.dispatch(SetSendLevel(delayed, echo, 0.3))


def demo_project(defaults: MusicalDefaults | None = None) -> Project:
    """A four-bar song in A minor: drums, acid bass, e-piano chords, a supersaw lead, a bell.

    It shows off sources, filters, effects, an LFO, sends to reverb and delay buses, an
    automation lane and arrangement clips.
    """
    base = blank_project(defaults)
    settings = replace(base.session.settings, key="A", scale="minor")
    store = Store(replace(base, session=replace(base.session, settings=settings)))
    _drums(store)
    bass = _bass(store)
    chords = _chords(store)
    lead = _lead(store)
    bell = _bell(store)
    _buses(store, (chords, lead, bell), lead)
    store.dispatch(SetLoop(0, 4 * BAR))
    bass_inst = store.state.instruments.get(bass)
    assert bass_inst is not None
    cutoff = f"chain.{bass_inst.chain[0].id}.cutoff"
    store.dispatch(AddLane(AutomationTarget("instrument", bass, cutoff), 300.0, 4000.0))
    lane = store.state.session.automation.lanes[-1].id
    for tick, value in ((0, 0.1), (2 * BAR, 0.8), (4 * BAR - 1, 0.2)):
        store.dispatch(AddPoint(lane, tick, value, "s_curve"))
    for inst in (bass, chords, lead):
        store.dispatch(CaptureClip(inst, 0, 4 * BAR))
        clip = store.state.session.arrangement.clips[-1].id
        store.dispatch(PlaceClip(clip, 0))
        store.dispatch(PlaceClip(clip, 4 * BAR))
    return store.state
