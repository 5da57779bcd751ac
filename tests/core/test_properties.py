"""Properties of the core over random edit sessions: undo, redo, purity and encodings.

Each example grows a small project with a random mix of actions drawn against its current
state (mostly valid ids and values, sometimes unknown ids or out-of-range values; those are
rejected and skipped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from imbolc.core import catalog
from imbolc.core.actions import (
    ACTION_TYPES,
    AddBus,
    AddEffect,
    AddEq,
    AddFilter,
    AddInstrument,
    AddLane,
    AddNote,
    AddPoint,
    ApplyEuclidean,
    CreateClip,
    DeleteInstrument,
    MoveStage,
    PlaceClip,
    RemoveBus,
    RemoveNote,
    RemoveStage,
    SetBpm,
    SetDrumStep,
    SetEnvelope,
    SetEqBand,
    SetHumanize,
    SetKey,
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
    SetMixerSolo,
    SetSendLevel,
    SetSourceParam,
    SetStageParam,
    SetSwing,
    SetTimeSignature,
    Strip,
    ToggleDrumStep,
    action_decoder,
)
from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.automation import AutomationTarget
from imbolc.core.errors import InvalidAction
from imbolc.core.instrument import EqStage, FilterStage, Instrument
from imbolc.core.kit import DrumStep
from imbolc.core.notes import Note
from imbolc.core.project import Project
from imbolc.core.store import Store

Draw = Callable[[st.SearchStrategy[Any]], Any]

SOURCES = ("saw", "sine", "fm", "pluck", "noise", "kit", "pitched_sampler", "audio_in")
FILTERS = tuple(catalog.FILTERS)
EFFECTS = tuple(catalog.EFFECTS)
TICKS = st.integers(0, 16).map(lambda n: n * 120)


class SteppingClock:
    """A clock that moves ``step`` seconds every time it is read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def seed_project() -> Project:
    project = Project()
    for action in (AddInstrument("saw"), AddInstrument("kit"), AddFilter(1, "lpf")):
        project, _ = apply(project, action)
    return project


def fuzz_target() -> Project:
    """A project where small ids name an instrument, stage, lane, clip and placement."""
    project = seed_project()
    for action in (
        AddInstrument("pitched_sampler"),
        AddEq(1),
        AddEffect(1, "delay"),
        AddNote(1, 0, 10, 0),
        AddNote(1, 1, 10, 1),
        AddLane(AutomationTarget("master", 0, "level")),
        AddPoint(1, 0, 0.5),
        AddPoint(1, 1, 0.5),
        CreateClip(1, 100),
        PlaceClip(1, 0),
    ):
        project, _ = apply(project, action)
    return project


FUZZ_TARGET = fuzz_target()


# --- drawing actions against the current project ------------------------------------------


def some_instrument(draw: Draw, project: Project) -> Instrument | int:
    """Mostly an existing instrument; sometimes an id that may not exist."""
    items = project.instruments.items
    if items and draw(st.integers(0, 9)) > 0:
        found: Instrument = draw(st.sampled_from(items))
        return found
    unknown: int = draw(st.integers(0, 12))
    return unknown


def ident(choice: Instrument | int) -> int:
    return choice.id if isinstance(choice, Instrument) else choice


def some_bus(draw: Draw, project: Project) -> int:
    ids = [bus.id for bus in project.session.mixer.buses]
    picked: int = draw(st.sampled_from(ids) if ids else st.integers(1, 12))
    return picked


def some_strip(draw: Draw, project: Project) -> Strip:
    kind = draw(st.sampled_from(("instrument", "instrument", "bus", "master")))
    if kind == "instrument":
        return Strip("instrument", ident(some_instrument(draw, project)))
    if kind == "bus":
        return Strip("bus", some_bus(draw, project))
    return Strip("master")


def draw_instrument_action(draw: Draw, project: Project) -> Action:
    choice = some_instrument(draw, project)
    inst_id = ident(choice)
    kind = draw(st.integers(0, 4))
    if kind == 0 or not isinstance(choice, Instrument) or not choice.source_params:
        return SetEnvelope(
            inst_id,
            draw(st.sampled_from(("attack", "decay", "sustain", "release"))),
            draw(st.floats(-0.5, 3.0)),
        )
    if kind == 1:
        return DeleteInstrument(inst_id)
    spec = draw(st.sampled_from(catalog.source(choice.source).params))
    return SetSourceParam(inst_id, spec.name, draw(st.floats(spec.min - 1.0, spec.max + 1.0)))


def draw_chain_action(draw: Draw, project: Project) -> Action:
    chained = [inst for inst in project.instruments.items if inst.chain]
    if chained and draw(st.booleans()):
        choice: Instrument | int = draw(st.sampled_from(chained))
    else:
        choice = some_instrument(draw, project)
    inst_id = ident(choice)
    chain = choice.chain if isinstance(choice, Instrument) else ()
    kind = draw(st.integers(0, 5))
    if kind == 0 or not chain:
        return AddFilter(inst_id, draw(st.sampled_from(FILTERS)), draw(st.integers(-1, 1)))
    if kind == 1:
        return AddEffect(inst_id, draw(st.sampled_from(EFFECTS)))
    if kind == 2:
        return AddEq(inst_id)
    stage = draw(st.sampled_from(chain))
    if kind == 3:
        return draw(
            st.sampled_from(
                (RemoveStage(inst_id, stage.id), MoveStage(inst_id, stage.id, len(chain) - 1))
            )
        )
    if isinstance(stage, EqStage):
        field = draw(st.sampled_from(("gain", "q", "freq", "enabled")))
        value = float(draw(st.integers(0, 1))) if field == "enabled" else draw(st.floats(-30, 30))
        return SetEqBand(inst_id, stage.id, draw(st.integers(0, 12)), field, value)
    if isinstance(stage, FilterStage):
        specs = catalog.filter_type(stage.filter_type).params
    else:
        specs = catalog.effect(stage.effect_type).params
    spec = draw(st.sampled_from(specs))
    return SetStageParam(inst_id, stage.id, spec.name, draw(st.floats(spec.min, spec.max)))


def draw_mixer_action(draw: Draw, project: Project) -> Action:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return SetMixerPan(some_strip(draw, project), draw(st.floats(-1.2, 1.2)))
    if kind == 1:
        return SetMixerMute(some_strip(draw, project), draw(st.booleans()))
    if kind == 2:
        return SetMixerSolo(some_strip(draw, project), draw(st.booleans()))
    if kind == 3:
        return AddBus(draw(st.sampled_from(("", "Drums", "Verb"))))
    if kind == 4:
        return RemoveBus(some_bus(draw, project))
    if kind == 5:
        inst_id = ident(some_instrument(draw, project))
        return SetSendLevel(inst_id, some_bus(draw, project), draw(st.floats(0.0, 1.6)))
    return SetMixerLevel(some_strip(draw, project), draw(st.floats(-0.1, 1.6)))


def draw_note_action(draw: Draw, project: Project) -> Action:
    choice = some_instrument(draw, project)
    inst_id = ident(choice)
    track = project.session.piano_roll.track(inst_id)
    if track is not None and track.notes and draw(st.integers(0, 3)) == 0:
        note = draw(st.sampled_from(track.notes))
        return RemoveNote(inst_id, note.tick, note.pitch)
    if draw(st.integers(0, 5)) == 0:
        notes = tuple(
            draw(
                st.lists(
                    st.builds(Note, TICKS, st.integers(1, 480), st.integers(0, 127)), max_size=3
                )
            )
        )
        return CreateClip(inst_id, draw(st.integers(0, 1920)), notes=notes)
    return AddNote(
        inst_id,
        draw(TICKS),
        draw(st.integers(0, 960)),
        draw(st.integers(36, 130)),
        draw(st.integers(1, 127)),
    )


def draw_kit_action(draw: Draw, project: Project) -> Action:
    kits = [inst.id for inst in project.instruments.items if inst.kit is not None]
    inst_id = draw(st.sampled_from(kits)) if kits else ident(some_instrument(draw, project))
    pattern, pad, step = draw(st.integers(0, 4)), draw(st.integers(0, 12)), draw(st.integers(0, 16))
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return ToggleDrumStep(inst_id, pattern, pad, step)
    if kind == 1:
        value = DrumStep(draw(st.booleans()), draw(st.integers(0, 127)))
        return SetDrumStep(inst_id, pattern, pad, step, value)
    return ApplyEuclidean(inst_id, pattern, pad, draw(st.integers(0, 17)), draw(st.integers(0, 3)))


def draw_timeline_action(draw: Draw, project: Project) -> Action:
    lanes = project.session.automation.lanes
    clips = project.session.arrangement.clips
    kind = draw(st.integers(0, 2))
    if kind == 0 and lanes:
        lane = draw(st.sampled_from(lanes))
        return AddPoint(lane.id, draw(TICKS), draw(st.floats(-0.1, 1.1)))
    if kind == 1 and clips:
        return PlaceClip(draw(st.sampled_from(clips)).id, draw(TICKS))
    inst_id = ident(some_instrument(draw, project))
    target = draw(
        st.sampled_from(
            (
                AutomationTarget("instrument", inst_id, "mixer.level"),
                AutomationTarget("instrument", inst_id, "chain.1.cutoff"),
                AutomationTarget("bus", some_bus(draw, project), "pan"),
                AutomationTarget("master", 0, "level"),
                AutomationTarget("global", 0, "bpm"),
            )
        )
    )
    return AddLane(target)


def draw_session_action(draw: Draw, project: Project) -> Action:
    return draw(
        st.one_of(
            st.builds(SetBpm, st.floats(10.0, 1000.0)),
            st.builds(SetKey, st.sampled_from(("C", "D", "F#", "A#"))),
            st.builds(SetSwing, st.floats(0.0, 1.1)),
            st.builds(SetHumanize, st.floats(0.0, 1.0), st.floats(0.0, 1.1)),
            st.builds(SetTimeSignature, st.integers(0, 9), st.sampled_from((2, 3, 4, 8))),
        )
    )


def draw_add_instrument(draw: Draw, project: Project) -> Action:
    return AddInstrument(draw(st.sampled_from(SOURCES)))


DRAWERS = (
    draw_add_instrument,
    draw_instrument_action,
    draw_chain_action,
    draw_chain_action,
    draw_mixer_action,
    draw_mixer_action,
    draw_note_action,
    draw_note_action,
    draw_kit_action,
    draw_timeline_action,
    draw_session_action,
)


def draw_action(draw: Draw, project: Project) -> Action:
    drawer = draw(st.sampled_from(DRAWERS))
    action: Action = drawer(draw, project)
    return action


def run_session(data: st.DataObject, store: Store) -> list[Action]:
    """Dispatch a random run of actions; returns the ones that were accepted."""
    accepted = []
    for _ in range(data.draw(st.integers(1, 40), label="length")):
        action = draw_action(data.draw, store.state)
        try:
            store.dispatch(action)
        except InvalidAction:
            continue
        accepted.append(action)
    return accepted


def undo_all(store: Store) -> None:
    while store.undo():
        pass


def redo_all(store: Store) -> None:
    while store.redo():
        pass


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_undo_all_restores_the_original_and_redo_all_the_final_state(data: st.DataObject) -> None:
    original = seed_project()
    store = Store(original, clock=SteppingClock(1.0))
    accepted = run_session(data, store)
    final = store.state
    assert len(store.history.undo_stack) == len(accepted)
    undo_all(store)
    assert store.state == original
    redo_all(store)
    assert store.state == final


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_undo_all_restores_the_original_while_every_edit_coalesces(data: st.DataObject) -> None:
    original = seed_project()
    store = Store(original, clock=lambda: 0.0)
    run_session(data, store)
    final = store.state
    undo_all(store)
    assert store.state == original
    redo_all(store)
    assert store.state == final


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_apply_is_pure_and_replays_to_the_same_state(data: st.DataObject) -> None:
    original = seed_project()
    encoded = msgspec.msgpack.encode(original)
    store = Store(original, clock=SteppingClock(1.0))
    accepted = run_session(data, store)
    replayed = original
    for action in accepted:
        replayed, _ = apply(replayed, action)
    assert replayed == store.state
    assert msgspec.msgpack.encode(original) == encoded


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_projects_and_actions_round_trip_through_msgpack(data: st.DataObject) -> None:
    store = Store(seed_project(), clock=SteppingClock(1.0))
    accepted = run_session(data, store)
    project = store.state
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(project), type=Project) == project
    decoder = action_decoder()
    for action in accepted:
        assert decoder.decode(msgspec.msgpack.encode(action)) == action


ANY_ACTION = st.one_of([st.from_type(cls) for cls in ACTION_TYPES])
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 5),
    st.floats(),
    st.text(max_size=3),
    st.lists(st.integers(0, 3), max_size=2),
    st.sampled_from(("lpf", "delay", "cutoff", "gain", "attack", "C", "instrument", "level")),
)


def junk_action(cls: type[Action]) -> st.SearchStrategy[Action]:
    """Actions of ``cls`` whose fields hold values of any type."""
    fields = msgspec.structs.fields(cls)
    return st.builds(cls, **{field.name: JUNK for field in fields})


@settings(max_examples=300, deadline=None)
@given(ANY_ACTION)
def test_every_action_type_round_trips_through_the_action_decoder(action: Action) -> None:
    try:
        encoded = msgspec.msgpack.encode(action)
    except OverflowError:  # ints beyond 64 bits cannot be encoded at all
        reject()
    decoded = action_decoder().decode(encoded)
    assert type(decoded) is type(action)
    assert msgspec.msgpack.encode(decoded) == encoded


@settings(max_examples=300, deadline=None)
@given(st.one_of([junk_action(cls) for cls in ACTION_TYPES]) | ANY_ACTION)
def test_any_action_either_applies_to_a_saveable_project_or_raises_a_typed_error(
    action: Action,
) -> None:
    project = FUZZ_TARGET
    try:
        new, _ = apply(project, action)
    except InvalidAction:
        return
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(new), type=Project) == new
