"""Specification of permissions and control requests over the fake wire."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from imbolc.core import actions as act
from imbolc.core.ports import NullEngine
from imbolc.net.events import Accepted, NoticeReceived, Rejected, ServerClosed, ShutdownRequested

if TYPE_CHECKING:
    from conftest import Wire


def state_bytes(wire: Wire) -> bytes:
    return msgspec.msgpack.encode(wire.store.state)


def test_an_action_on_someone_elses_instrument_is_rejected_and_changes_nothing(
    wire: Wire,
) -> None:
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob")
    before = state_bytes(wire)
    seq = bob.act(act.AddNote(1, 0, 240, 60))
    wire.pump()
    (rejected,) = wire.take(bob, Rejected)
    assert (rejected.seq, rejected.reason) == (seq, "AddNote: instrument 1 belongs to ana")
    assert rejected.request == act.AddNote(1, 0, 240, 60)
    assert state_bytes(wire) == before
    assert msgspec.msgpack.encode(bob.project) == before
    assert ana.revision == bob.revision == 0


def test_an_invalid_action_is_rejected_with_the_cores_reason(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    ana.act(act.SetSourceParam(1, "amp", 99.0))
    wire.pump()
    (rejected,) = wire.take(ana, Rejected)
    assert rejected.reason.startswith("SetSourceParam: amp = 99.0 is outside")


def test_an_unknown_action_is_rejected_and_the_client_stays_connected(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    frame = msgspec.msgpack.encode(["Act", 5, ["LaunchMissiles", 1]])
    wire.server.receive(wire.connection(ana), len(frame).to_bytes(4, "big") + frame)
    wire.pump()
    (rejected,) = wire.take(ana, Rejected)
    assert rejected.seq == 5
    assert "Invalid value 'LaunchMissiles'" in rejected.reason
    assert ana.ready


def test_ownership_can_be_claimed_and_released_after_joining(wire: Wire) -> None:
    ana = wire.join("ana")
    bob = wire.join("bob")
    ana.claim([1, 2])
    wire.pump()
    bob.claim([2])
    wire.pump()
    assert ana.owned == (1, 2)
    (refused,) = wire.take(bob, Rejected)
    assert refused.reason == "instrument 2 belongs to ana"
    ana.release([2])
    bob.claim([2])
    wire.pump()
    assert ana.owned == (1,)
    assert bob.owned == (2,)
    assert [p.owned for p in bob.peers] == [(1,), (2,)]


def test_a_batch_applies_all_its_actions_as_one_step_or_none(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    before = state_bytes(wire)
    ana.act_batch([act.AddNote(1, 0, 10, 60), act.AddNote(2, 0, 10, 60)], "paste")
    wire.pump()
    (rejected,) = wire.take(ana, Rejected)
    assert rejected.reason == "action 2 of 'paste': instrument 2 is not yours (claim it first)"
    assert state_bytes(wire) == before
    ana.act_batch([act.AddNote(1, 0, 10, 60), act.AddNote(1, 10, 10, 62)], "paste")
    wire.pump()
    assert len(wire.store.state.session.piano_roll.track(1).notes) == 2
    assert wire.server.roster.clients[ana.client_id].history.summary() == (1, "paste", 0, "")


def test_the_privilege_is_refused_while_held_and_can_be_forced(wire: Wire) -> None:
    ana = wire.join("ana", want_privilege=True)
    bob = wire.join("bob")
    bob.request_privilege()
    wire.pump()
    (refused,) = wire.take(bob, Rejected)
    assert refused.reason == "the privilege is held by ana; ask them to hand it over"
    bob.request_privilege(force=True)
    wire.pump()
    assert bob.privileged and not ana.privileged
    (notice,) = wire.take(ana, NoticeReceived)
    assert notice.message == "bob took the privilege"


def test_the_privilege_can_be_handed_over(wire: Wire) -> None:
    ana = wire.join("ana", want_privilege=True)
    bob = wire.join("bob")
    ana.hand_over(bob.client_id)
    wire.pump()
    assert bob.privileged
    (notice,) = wire.take(bob, NoticeReceived)
    assert notice.message == "ana handed you the privilege"
    ana.hand_over(bob.client_id)
    wire.pump()
    assert "needs the privilege, held by bob" in wire.take(ana, Rejected)[0].reason


def test_a_released_privilege_is_free_for_the_next_to_ask(wire: Wire) -> None:
    ana = wire.join("ana", want_privilege=True)
    bob = wire.join("bob")
    ana.release_privilege()
    bob.request_privilege()
    wire.pump()
    assert bob.privileged


def test_transport_reaches_the_engine_only_for_the_privileged_client(
    make_wire: Callable[..., Wire],
) -> None:
    engine = NullEngine()
    wire = make_wire(engine=engine)
    ana = wire.join("ana", want_privilege=True)
    bob = wire.join("bob")
    bob.transport("play")
    wire.pump()
    assert not engine.transport().playing
    assert wire.take(bob, Rejected)[0].reason == "play needs the privilege, held by ana"
    ana.transport("play")
    ana.transport("seek", 960.0)
    wire.pump()
    assert engine.transport() == engine.transport().__class__(True, 960.0, 120.0)
    assert [a.detail for a in wire.take(ana, Accepted)] == ["play", "seek"]


def test_transport_without_an_engine_is_rejected(wire: Wire) -> None:
    ana = wire.join("ana", want_privilege=True)
    ana.transport("play")
    wire.pump()
    assert wire.take(ana, Rejected)[0].reason == "this server has no audio engine"


def test_saving_needs_the_privilege_and_uses_the_owners_hook(
    make_wire: Callable[..., Wire],
) -> None:
    saved: list[int] = []

    def save() -> str:
        saved.append(1)
        return "saved song.imbolc"

    wire = make_wire(save=save)
    ana = wire.join("ana", want_privilege=True)
    bob = wire.join("bob")
    bob.save()
    wire.pump()
    assert wire.take(bob, Rejected)[0].reason == "saving needs the privilege, held by ana"
    assert saved == []
    ana.save()
    wire.pump()
    assert wire.take(ana, Accepted)[0].detail == "saved song.imbolc"
    assert saved == [1]


def test_a_failed_save_is_reported_to_the_client(make_wire: Callable[..., Wire]) -> None:
    def save() -> str:
        raise OSError("disk full")

    wire = make_wire(save=save)
    ana = wire.join("ana", want_privilege=True)
    ana.save()
    wire.pump()
    assert wire.take(ana, Rejected)[0].reason == "saving failed: disk full"


def test_stopping_the_server_needs_the_privilege(wire: Wire) -> None:
    ana = wire.join("ana", want_privilege=True)
    bob = wire.join("bob")
    bob.shutdown()
    wire.pump()
    assert (
        wire.take(bob, Rejected)[0].reason == "stopping the server needs the privilege, held by ana"
    )
    assert not wire.server.stopped
    ana.shutdown()
    wire.pump()
    assert wire.server.stopped
    assert wire.take(bob, ServerClosed)[0].reason == "stopped by ana"
    assert any(isinstance(e, ShutdownRequested) for e in wire.server.events())
