"""Specification of per-client undo over the fake wire: own changes only, never others'."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from imbolc.core import actions as act
from imbolc.net.events import Committed, HistoryChanged, Rejected

if TYPE_CHECKING:
    from conftest import FakeClock, Wire


def level(wire: Wire, instrument: int) -> float:
    inst = wire.store.state.instruments.get(instrument)
    assert inst is not None
    return inst.mixer.level


def test_undo_reverts_the_clients_own_last_change_only(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob", own=[2])
    ana.act(act.AddNote(1, 0, 240, 60))
    wire.pump()
    bob.act(act.AddNote(2, 0, 240, 60))
    wire.pump()
    ana.undo()
    wire.pump()
    roll = wire.store.state.session.piano_roll
    assert roll.track(1).notes == ()
    assert len(roll.track(2).notes) == 1
    assert wire.take(ana, Committed)[-1].commit.reason == "undo"
    assert msgspec.msgpack.encode(bob.project) == msgspec.msgpack.encode(wire.store.state)


def test_undo_with_nothing_of_ones_own_is_rejected(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob", own=[2])
    bob.act(act.AddNote(2, 0, 240, 60))
    ana.undo()
    wire.pump()
    assert wire.take(ana, Rejected)[0].reason == "nothing to undo"
    assert len(wire.store.state.session.piano_roll.track(2).notes) == 1


def test_undo_refuses_when_someone_else_changed_the_same_part_since(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    ana.act(act.SetMixerLevel(act.instrument_strip(1), 0.3))
    wire.pump()
    wire.store.dispatch(act.SetMixerLevel(act.instrument_strip(1), 0.9))
    ana.undo()
    wire.pump()
    assert (
        wire.take(ana, Rejected)[0].reason
        == "cannot undo SetMixerLevel: instrument 1 changed since"
    )
    assert level(wire, 1) == 0.9


def test_redo_reapplies_an_undone_change(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    ana.act(act.AddNote(1, 0, 240, 60))
    ana.undo()
    ana.redo()
    wire.pump()
    assert len(wire.store.state.session.piano_roll.track(1).notes) == 1
    ana.undo()
    wire.pump()
    assert wire.store.state.session.piano_roll.track(1).notes == ()


def test_a_new_change_clears_redo(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    ana.act(act.AddNote(1, 0, 240, 60))
    ana.undo()
    ana.act(act.AddNote(1, 480, 240, 60))
    ana.redo()
    wire.pump()
    assert wire.take(ana, Rejected)[0].reason == "nothing to redo"


def test_a_knob_sweep_undoes_in_one_step(wire: Wire, clock: FakeClock) -> None:
    ana = wire.join("ana", own=[1])
    for n in range(10):
        ana.act(act.SetMixerLevel(act.instrument_strip(1), n / 10))
        wire.pump()
        clock.advance(0.1)
    ana.undo()
    wire.pump()
    assert level(wire, 1) == 0.8
    assert wire.take(ana, HistoryChanged)[-1].undo_depth == 0


def test_undoing_an_added_instrument_removes_it_and_its_ownership(wire: Wire) -> None:
    ana = wire.join("ana")
    ana.act(act.AddInstrument("saw"))
    wire.pump()
    assert ana.owned == (4,)
    ana.undo()
    wire.pump()
    assert 4 not in wire.store.state.instruments
    assert ana.owned == ()
    ana.redo()
    wire.pump()
    assert 4 in wire.store.state.instruments
    assert ana.owned == (4,)


def test_undoing_a_deletion_brings_back_the_instrument_with_its_notes(wire: Wire) -> None:
    ana = wire.join("ana", own=[2])
    ana.act(act.AddNote(2, 0, 240, 60))
    ana.act(act.DeleteInstrument(2))
    wire.pump()
    assert ana.owned == ()
    ana.undo()
    wire.pump()
    state = wire.store.state
    assert [i.id for i in state.instruments.items] == [1, 2, 3]
    assert len(state.session.piano_roll.track(2).notes) == 1
    assert ana.owned == (2,)


def test_the_client_is_told_its_undo_depth_and_labels(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    ana.act(act.AddNote(1, 0, 240, 60))
    wire.pump()
    ana.undo()
    wire.pump()
    last = wire.take(ana, HistoryChanged)[-1]
    assert (last.undo_depth, last.redo_depth, last.redo_label) == (0, 1, "AddNote")
