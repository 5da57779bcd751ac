"""Specification of the store: the single writer that applies, records and notifies."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from imbolc.core.actions import (
    AddInstrument,
    SetBpm,
    SetMixerLevel,
    instrument_strip,
)
from imbolc.core.effects import (
    Effects,
    ProjectReplaced,
    SessionChanged,
    SessionReplaced,
    StripChanged,
    instrument_scope,
)
from imbolc.core.errors import UnknownId, ValueOutOfRange
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store, WrongThread


def recording_store() -> tuple[Store, list[Commit]]:
    store = Store(clock=lambda: 0.0)
    store.dispatch(AddInstrument("saw"))
    seen: list[Commit] = []
    store.subscribe(seen.append)
    return store, seen


def run_in_thread(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` on another thread; the exception it raised, if any."""
    caught: list[BaseException] = []

    def body() -> None:
        try:
            call()
        except BaseException as error:
            caught.append(error)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    return caught[0] if caught else None


# --- dispatch -----------------------------------------------------------------------------


def test_a_new_store_holds_an_empty_project() -> None:
    store = Store()
    assert store.state == Project()
    assert store.revision == 0


def test_a_store_starts_from_the_project_it_is_given() -> None:
    project = Project()
    assert Store(project).state is project


def test_dispatch_returns_the_effects_and_sends_a_commit() -> None:
    store, seen = recording_store()
    old = store.state
    action = SetMixerLevel(instrument_strip(1), 0.5)
    effects = store.dispatch(action)
    assert effects == Effects(
        (StripChanged("instrument", 1),), instrument_scope(1), "mixer/level/instrument/1"
    )
    assert seen == [Commit(old, store.state, action, effects, "action")]
    assert seen[0].old is old
    assert seen[0].new is store.state


def test_every_subscriber_gets_every_commit_in_subscription_order() -> None:
    store = Store()
    order: list[str] = []
    store.subscribe(lambda commit: order.append("engine"))
    store.subscribe(lambda commit: order.append("saver"))
    store.dispatch(SetBpm(100.0))
    store.dispatch(SetBpm(101.0))
    assert order == ["engine", "saver", "engine", "saver"]


def test_the_revision_counts_every_change() -> None:
    store, _ = recording_store()
    start = store.revision
    store.dispatch(SetBpm(100.0))
    store.undo()
    store.redo()
    store.load(Project())
    assert store.revision == start + 4


def test_a_failing_action_notifies_nobody_and_changes_nothing() -> None:
    store, seen = recording_store()
    before, revision = store.state, store.revision
    with pytest.raises(ValueOutOfRange):
        store.dispatch(SetBpm(5000.0))
    with pytest.raises(UnknownId):
        store.dispatch(SetMixerLevel(instrument_strip(4), 0.5))
    assert seen == []
    assert store.state is before
    assert store.revision == revision


# --- undo, redo, load ---------------------------------------------------------------------


def test_undo_sends_a_commit_without_an_action() -> None:
    store, seen = recording_store()
    store.dispatch(SetBpm(100.0))
    edited = store.state
    store.undo()
    commit = seen[-1]
    assert commit.reason == "undo"
    assert commit.action is None
    assert commit.old is edited
    assert commit.new is store.state
    assert commit.effects == Effects((SessionReplaced(),), None)


def test_redo_sends_a_commit_without_an_action() -> None:
    store, seen = recording_store()
    store.dispatch(SetBpm(100.0))
    store.undo()
    undone = store.state
    store.redo()
    commit = seen[-1]
    assert commit.reason == "redo"
    assert commit.action is None
    assert commit.old is undone
    assert commit.new.session.settings.bpm == 100.0
    assert commit.effects == Effects((SessionReplaced(),), None)


def test_load_replaces_the_whole_project_and_says_so() -> None:
    store, seen = recording_store()
    loaded = Project()
    old = store.state
    store.load(loaded)
    assert store.state is loaded
    assert seen == [Commit(old, loaded, None, Effects((ProjectReplaced(),), None), "load")]


# --- subscriptions ------------------------------------------------------------------------


def test_unsubscribe_stops_the_commits() -> None:
    store = Store()
    seen: list[Commit] = []
    unsubscribe = store.subscribe(seen.append)
    store.dispatch(SetBpm(100.0))
    unsubscribe()
    store.dispatch(SetBpm(110.0))
    store.undo()
    assert len(seen) == 1
    assert seen[0].effects.changes == (SessionChanged("bpm"),)


def test_a_subscriber_may_unsubscribe_while_being_notified() -> None:
    store = Store()
    seen: list[str] = []
    unsubscribers: list[Callable[[], None]] = []

    def once(commit: Commit) -> None:
        seen.append("once")
        unsubscribers[0]()

    unsubscribers.append(store.subscribe(once))
    store.subscribe(lambda commit: seen.append("always"))
    store.dispatch(SetBpm(100.0))
    store.dispatch(SetBpm(110.0))
    assert seen == ["once", "always", "always"]


# --- the owner thread ---------------------------------------------------------------------


def test_dispatch_from_another_thread_raises_wrong_thread() -> None:
    store, seen = recording_store()
    before = store.state
    error = run_in_thread(lambda: store.dispatch(SetBpm(100.0)))
    assert isinstance(error, WrongThread)
    assert store.state is before
    assert seen == []


@pytest.mark.parametrize("call", ["undo", "redo", "load", "transaction"])
def test_undo_redo_load_and_transactions_from_another_thread_raise_wrong_thread(
    call: str,
) -> None:
    store, _ = recording_store()
    store.dispatch(SetBpm(100.0))
    store.undo()
    before = store.state

    def attempt() -> None:
        if call == "load":
            store.load(Project())
        elif call == "transaction":
            with store.transaction():
                pass
        else:
            getattr(store, call)()

    assert isinstance(run_in_thread(attempt), WrongThread)
    assert store.state is before


def test_reading_the_state_from_another_thread_is_allowed() -> None:
    store, _ = recording_store()
    seen: list[Project] = []
    assert run_in_thread(lambda: seen.append(store.state)) is None
    assert seen == [store.state]


def test_publish_makes_an_outside_state_current_and_notifies() -> None:
    from imbolc.core.effects import Effects, ProjectReplaced
    from imbolc.core.store import Commit

    store = Store()
    seen: list[Commit] = []
    store.subscribe(seen.append)
    other = Store()
    other.dispatch(AddInstrument("saw"))
    commit = Commit(store.state, other.state, None, Effects((ProjectReplaced(),), None), "undo")
    store.publish(commit)
    assert store.state is other.state
    assert seen == [commit]
    assert not store.history.can_undo


def test_publish_refuses_a_commit_that_does_not_start_from_the_current_state() -> None:
    from imbolc.core.effects import Effects
    from imbolc.core.errors import ImbolcError
    from imbolc.core.store import Commit

    store = Store()
    stale = Store()
    stale.dispatch(AddInstrument("saw"))
    with pytest.raises(ImbolcError):
        store.publish(Commit(stale.state, stale.state, None, Effects((), None), "undo"))
