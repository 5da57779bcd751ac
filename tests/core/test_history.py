"""Specification of undo and redo: scopes, depth, coalescing, transactions."""

from __future__ import annotations

import pytest

from imbolc.core.actions import (
    AddInstrument,
    AddNote,
    RenameInstrument,
    SetBpm,
    SetMixerLevel,
    SetMixerPan,
    SetSourceParam,
    instrument_strip,
)
from imbolc.core.effects import (
    FULL_SCOPE,
    SESSION_SCOPE,
    ProjectReplaced,
    RoutingChanged,
    SessionReplaced,
    StripChanged,
    instrument_scope,
)
from imbolc.core.errors import UnknownId
from imbolc.core.history import COALESCE_WINDOW, MAX_DEPTH, History
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def store_with_instruments(count: int = 3) -> tuple[Store, FakeClock]:
    clock = FakeClock()
    store = Store(clock=clock)
    for n in range(count):
        store.dispatch(AddInstrument("saw" if n % 2 == 0 else "sine"))
    clock.advance(10.0)
    return store, clock


def level(store: Store, ident: int) -> float:
    inst = store.state.instruments.get(ident)
    assert inst is not None
    return inst.mixer.level


def sweep(store: Store, clock: FakeClock, ident: int, values: list[float], gap: float) -> None:
    for value in values:
        store.dispatch(SetMixerLevel(instrument_strip(ident), value))
        clock.advance(gap)


# --- basics -------------------------------------------------------------------------------


def test_undo_restores_the_state_before_the_edit_and_redo_reapplies_it() -> None:
    store, _ = store_with_instruments()
    before = store.state
    store.dispatch(SetBpm(90.0))
    after = store.state
    assert store.undo() is True
    assert store.state == before
    assert store.redo() is True
    assert store.state == after


def test_undo_and_redo_on_empty_stacks_return_false_and_change_nothing() -> None:
    store = Store(clock=FakeClock())
    seen: list[Commit] = []
    store.subscribe(seen.append)
    state = store.state
    assert store.undo() is False
    assert store.redo() is False
    assert store.state is state
    assert seen == []


def test_redo_is_false_once_everything_is_redone() -> None:
    store, _ = store_with_instruments(1)
    store.undo()
    assert store.redo() is True
    assert store.redo() is False


def test_a_new_edit_clears_redo() -> None:
    store, _ = store_with_instruments()
    store.dispatch(SetBpm(90.0))
    store.undo()
    assert store.history.can_redo
    store.dispatch(SetBpm(100.0))
    assert not store.history.can_redo
    assert store.redo() is False
    assert store.state.session.settings.bpm == 100.0


def test_a_rejected_edit_keeps_redo() -> None:
    store, _ = store_with_instruments()
    store.dispatch(SetBpm(90.0))
    store.undo()
    with pytest.raises(UnknownId):
        store.dispatch(SetMixerLevel(instrument_strip(99), 0.5))
    assert store.redo() is True
    assert store.state.session.settings.bpm == 90.0


def test_undo_walks_back_through_every_step_in_order() -> None:
    store, clock = store_with_instruments(0)
    states = [store.state]
    for source in ("saw", "sine", "fm"):
        store.dispatch(AddInstrument(source))
        states.append(store.state)
        clock.advance(1.0)
    for expected in reversed(states[:-1]):
        store.undo()
        assert store.state == expected


# --- scopes -------------------------------------------------------------------------------


def test_an_instrument_edit_records_an_instrument_scope_holding_the_old_instrument() -> None:
    store, _ = store_with_instruments()
    old = store.state.instruments.get(2)
    store.dispatch(SetSourceParam(2, "freq", 220.0))
    entry = store.history.undo_stack[-1]
    assert entry.scope == instrument_scope(2)
    assert entry.saved is old


def test_undo_of_an_instrument_step_leaves_the_session_and_other_instruments_identical() -> None:
    store, _ = store_with_instruments()
    store.dispatch(SetMixerLevel(instrument_strip(2), 0.2))
    after = store.state
    store.undo()
    assert store.state.session is after.session
    assert store.state.instruments.items[0] is after.instruments.items[0]
    assert store.state.instruments.items[2] is after.instruments.items[2]
    assert level(store, 2) == 0.8


def test_undo_of_an_instrument_step_reports_that_instrument_only() -> None:
    store, _ = store_with_instruments()
    store.dispatch(RenameInstrument(3, "Pad"))
    seen: list[Commit] = []
    store.subscribe(seen.append)
    store.undo()
    assert seen[0].effects.changes == (RoutingChanged(3, "replaced"), StripChanged("instrument", 3))
    assert seen[0].effects.undo is None


def test_undo_of_a_session_step_leaves_the_instruments_identical() -> None:
    store, _ = store_with_instruments()
    store.dispatch(AddNote(1, 0, 480, 60))
    after = store.state
    seen: list[Commit] = []
    store.subscribe(seen.append)
    store.undo()
    assert store.state.instruments is after.instruments
    assert store.state.session.piano_roll.note_count == 0
    assert store.history.redo_stack[-1].scope == SESSION_SCOPE
    assert seen[0].effects.changes == (SessionReplaced(),)


def test_a_session_edit_records_the_old_session_by_reference() -> None:
    store, _ = store_with_instruments()
    old = store.state.session
    store.dispatch(SetBpm(80.0))
    entry = store.history.undo_stack[-1]
    assert entry.scope == SESSION_SCOPE
    assert entry.saved is old


def test_undo_of_a_full_step_returns_the_earlier_root_itself() -> None:
    store, _ = store_with_instruments()
    before = store.state
    store.dispatch(AddInstrument("fm"))
    seen: list[Commit] = []
    store.subscribe(seen.append)
    store.undo()
    assert store.state is before
    assert seen[0].effects.changes == (ProjectReplaced(),)


def test_redo_of_an_instrument_step_restores_the_edited_instrument() -> None:
    store, _ = store_with_instruments()
    store.dispatch(SetMixerLevel(instrument_strip(1), 0.1))
    edited = store.state.instruments.get(1)
    store.undo()
    store.redo()
    assert store.state.instruments.get(1) is edited


# --- depth --------------------------------------------------------------------------------


def test_history_keeps_at_most_500_steps() -> None:
    assert MAX_DEPTH == 500
    store, clock = store_with_instruments(1)
    store.history.clear()
    for n in range(MAX_DEPTH + 1):
        store.dispatch(SetBpm(30.0 + n))
        clock.advance(1.0)
    assert len(store.history.undo_stack) == MAX_DEPTH
    while store.undo():
        pass
    # The first of the 501 edits can no longer be undone.
    assert store.state.session.settings.bpm == 30.0


def test_a_history_of_depth_three_drops_the_oldest_step() -> None:
    history = History(FakeClock(), depth=3)
    projects = [Project(), Project(), Project(), Project()]
    for project in projects:
        history.record(project, FULL_SCOPE, "edit")
    assert [entry.saved for entry in history.undo_stack] == projects[1:]


# --- coalescing ---------------------------------------------------------------------------


def test_a_fast_sweep_on_one_strip_is_one_undo_step() -> None:
    store, clock = store_with_instruments()
    depth = len(store.history.undo_stack)
    sweep(store, clock, 2, [n / 30 for n in range(30)], gap=0.01)
    assert len(store.history.undo_stack) == depth + 1
    assert store.undo() is True
    assert level(store, 2) == 0.8


def test_redo_after_a_sweep_returns_to_its_end() -> None:
    store, clock = store_with_instruments()
    sweep(store, clock, 2, [0.1, 0.2, 0.3], gap=0.1)
    store.undo()
    store.redo()
    assert level(store, 2) == 0.3


def test_sweeps_separated_by_more_than_the_window_are_two_steps() -> None:
    store, clock = store_with_instruments()
    depth = len(store.history.undo_stack)
    sweep(store, clock, 2, [0.1, 0.2, 0.3], gap=0.1)
    clock.advance(COALESCE_WINDOW + 0.1)
    sweep(store, clock, 2, [0.6, 0.7], gap=0.1)
    assert len(store.history.undo_stack) == depth + 2
    store.undo()
    assert level(store, 2) == 0.3
    store.undo()
    assert level(store, 2) == 0.8


def test_a_slow_but_continuous_sweep_stays_one_step() -> None:
    store, clock = store_with_instruments()
    depth = len(store.history.undo_stack)
    sweep(store, clock, 1, [0.1 * n for n in range(10)], gap=COALESCE_WINDOW * 0.8)
    assert len(store.history.undo_stack) == depth + 1


def test_edits_to_different_strips_do_not_coalesce() -> None:
    store, _ = store_with_instruments()
    depth = len(store.history.undo_stack)
    store.dispatch(SetMixerLevel(instrument_strip(1), 0.1))
    store.dispatch(SetMixerLevel(instrument_strip(2), 0.2))
    store.dispatch(SetMixerLevel(instrument_strip(1), 0.3))
    assert len(store.history.undo_stack) == depth + 3


def test_edits_to_different_fields_of_one_strip_do_not_coalesce() -> None:
    store, _ = store_with_instruments()
    depth = len(store.history.undo_stack)
    store.dispatch(SetMixerLevel(instrument_strip(1), 0.1))
    store.dispatch(SetMixerPan(instrument_strip(1), 0.5))
    assert len(store.history.undo_stack) == depth + 2


def test_edits_without_a_coalescing_key_never_coalesce() -> None:
    store, _ = store_with_instruments()
    depth = len(store.history.undo_stack)
    store.dispatch(AddNote(1, 0, 480, 60))
    store.dispatch(AddNote(1, 480, 480, 62))
    assert len(store.history.undo_stack) == depth + 2


def test_an_edit_after_undo_does_not_join_the_undone_sweep() -> None:
    store, clock = store_with_instruments()
    sweep(store, clock, 1, [0.1, 0.2], gap=0.01)
    store.undo()
    sweep(store, clock, 1, [0.5], gap=0.01)
    store.undo()
    assert level(store, 1) == 0.8


def test_an_edit_after_redo_does_not_join_the_redone_step() -> None:
    store, clock = store_with_instruments()
    sweep(store, clock, 1, [0.1, 0.2], gap=0.01)
    store.undo()
    store.redo()
    sweep(store, clock, 1, [0.5], gap=0.01)
    store.undo()
    assert level(store, 1) == 0.2


# --- transactions -------------------------------------------------------------------------


def test_a_transaction_is_one_undo_step() -> None:
    store, _ = store_with_instruments()
    before = store.state
    depth = len(store.history.undo_stack)
    with store.transaction("chord"):
        store.dispatch(AddNote(1, 0, 480, 60))
        store.dispatch(AddNote(1, 0, 480, 64))
        store.dispatch(SetMixerLevel(instrument_strip(1), 0.4))
    assert len(store.history.undo_stack) == depth + 1
    assert store.history.undo_stack[-1].label == "chord"
    store.undo()
    assert store.state == before


def test_a_transaction_confined_to_one_instrument_keeps_instrument_scope() -> None:
    store, _ = store_with_instruments()
    with store.transaction():
        store.dispatch(SetMixerLevel(instrument_strip(2), 0.4))
        store.dispatch(SetMixerPan(instrument_strip(2), 0.4))
    assert store.history.undo_stack[-1].scope == instrument_scope(2)


def test_a_transaction_touching_two_scopes_widens_to_full() -> None:
    store, _ = store_with_instruments()
    with store.transaction():
        store.dispatch(SetMixerLevel(instrument_strip(2), 0.4))
        store.dispatch(SetBpm(100.0))
    assert store.history.undo_stack[-1].scope == FULL_SCOPE


def test_a_nested_transaction_folds_into_the_outer_one() -> None:
    store, _ = store_with_instruments()
    before = store.state
    depth = len(store.history.undo_stack)
    with store.transaction("outer"):
        store.dispatch(SetBpm(100.0))
        with store.transaction("inner"):
            store.dispatch(AddNote(2, 0, 480, 60))
        store.dispatch(SetBpm(110.0))
    assert len(store.history.undo_stack) == depth + 1
    assert store.history.undo_stack[-1].label == "outer"
    store.undo()
    assert store.state == before


def test_an_error_inside_a_transaction_rolls_back_and_notifies() -> None:
    store, _ = store_with_instruments()
    before = store.state
    undo_before = list(store.history.undo_stack)
    seen: list[Commit] = []
    store.subscribe(seen.append)
    with pytest.raises(UnknownId), store.transaction():
        store.dispatch(SetBpm(100.0))
        store.dispatch(AddNote(1, 0, 480, 60))
        store.dispatch(AddNote(9, 0, 480, 60))
    assert store.state is before
    assert list(store.history.undo_stack) == undo_before
    assert [c.reason for c in seen] == ["action", "action", "rollback"]
    assert seen[-1].new is before
    assert seen[-1].effects.changes == (ProjectReplaced(),)


def test_an_error_escaping_a_nested_transaction_rolls_back_the_outer_one() -> None:
    store, _ = store_with_instruments()
    before = store.state
    with pytest.raises(RuntimeError), store.transaction():
        store.dispatch(SetBpm(100.0))
        with store.transaction():
            store.dispatch(SetBpm(110.0))
            raise RuntimeError("the user pressed escape")
    assert store.state is before


def test_a_transaction_without_edits_records_nothing() -> None:
    store, _ = store_with_instruments()
    depth = len(store.history.undo_stack)
    with store.transaction():
        pass
    assert len(store.history.undo_stack) == depth


def test_a_sweep_after_a_transaction_does_not_join_it() -> None:
    store, clock = store_with_instruments()
    with store.transaction():
        store.dispatch(SetMixerLevel(instrument_strip(1), 0.1))
    sweep(store, clock, 1, [0.2, 0.3], gap=0.01)
    store.undo()
    assert level(store, 1) == 0.1


def test_a_transaction_clears_redo() -> None:
    store, _ = store_with_instruments()
    store.dispatch(SetBpm(90.0))
    store.undo()
    with store.transaction():
        store.dispatch(SetBpm(100.0))
    assert store.redo() is False


def test_load_forgets_the_history() -> None:
    store, _ = store_with_instruments()
    store.dispatch(SetBpm(90.0))
    store.undo()
    store.load(Project())
    assert store.undo() is False
    assert store.redo() is False
