"""Specification of sync by operations over the fake wire: commits, batching, hashes, resync."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from imbolc.core import actions as act
from imbolc.core.apply import apply
from imbolc.core.notes import Note
from imbolc.core.project import Project
from imbolc.net.codec import Codec
from imbolc.net.config import ServerConfig
from imbolc.net.events import Committed, Diverged, StateReplaced
from imbolc.net.messages import HOST_ID, Commits, StateHash
from imbolc.net.restore import Restore

if TYPE_CHECKING:
    from conftest import FakeClock, Wire


def same(*projects: Project) -> bool:
    return len({msgspec.msgpack.encode(p) for p in projects}) == 1


def decoded(wire: Wire, kind: type) -> list:
    codec = Codec()
    messages = [codec.decode_server(send.frame[4:]) for send in wire.sent]
    return [m for m in messages if isinstance(m, kind)]


def test_commits_reach_every_client_and_all_replicas_stay_identical(wire: Wire) -> None:
    ana = wire.join("ana", own=[1], want_privilege=True)
    bob = wire.join("bob", own=[2])
    eve = wire.join("eve")
    for n in range(20):
        ana.act(act.AddNote(1, n * 120, 60, 60 + n % 12))
        bob.act(act.SetSourceParam(2, "amp", n / 40))
    ana.act(act.SetBpm(101.0))
    wire.pump()
    assert wire.store.state.session.settings.bpm == 101.0
    assert same(wire.store.state, ana.project, bob.project, eve.project)
    assert ana.revision == bob.revision == eve.revision == wire.server.revision == 41


def test_a_commit_carries_the_action_its_origin_and_sequence_not_the_state(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    seq = ana.act(act.AddNote(1, 480, 240, 64))
    wire.pump()
    (commits,) = decoded(wire, Commits)
    (record,) = commits.commits
    assert record.op == act.AddNote(1, 480, 240, 64)
    assert (record.origin, record.seq) == (ana.client_id, seq)
    (frame,) = [s.frame for s in wire.sent if s.kind == "commit"]
    assert len(frame) - 4 < 64


def test_each_broadcast_is_encoded_once_for_all_clients(wire: Wire) -> None:
    clients = [wire.join(f"c{n}") for n in range(5)]
    wire.sent.clear()
    wire.store.dispatch(act.SetBpm(99.0))
    wire.pump()
    (send,) = [s for s in wire.sent if s.kind == "commit"]
    assert set(send.targets) == {wire.connection(c) for c in clients}


def test_on_an_idle_link_each_commit_goes_out_at_once(wire: Wire, clock: FakeClock) -> None:
    ana = wire.join("ana", own=[1])
    wire.auto_flush = False
    wire.sent.clear()
    for n in range(10):
        ana.act(act.AddNote(1, n * 10, 5, 60))
        wire.pump()
        clock.advance(0.01)  # 100 edits a second
    batches = decoded(wire, Commits)
    assert [len(b.commits) for b in batches] == [1] * 10
    assert ana.revision == 10


def test_under_sustained_load_commits_are_batched_at_the_commit_rate(
    make_wire: Callable[..., Wire], clock: FakeClock
) -> None:
    config = ServerConfig(commit_rate=100.0, commit_burst=4)
    wire = make_wire(config=config)
    ana = wire.join("ana", own=[1])
    wire.auto_flush = False
    wire.sent.clear()
    for n in range(200):  # 2,000 edits a second for 0.1 s
        ana.act(act.AddNote(1, n * 10, 5, 60))
        wire.pump()
        clock.advance(0.0005)
    clock.advance(0.05)
    wire.pump()
    batches = decoded(wire, Commits)
    sizes = [len(b.commits) for b in batches]
    assert sizes[:3] == [1, 1, 1]  # what is left of the burst goes at once (the join took one)
    # then at most 100 flushes a second: 0.15 s of clock allows about 15 more.
    assert len(batches) <= 4 + 16
    assert max(sizes) >= 5
    assert sum(len(b.commits) for b in batches) == 200
    assert ana.revision == 200


def test_a_state_hash_goes_out_every_n_revisions_and_matches(
    make_wire: Callable[..., Wire],
) -> None:
    wire = make_wire(config=ServerConfig(hash_interval=4))
    ana = wire.join("ana", own=[1])
    for n in range(9):
        ana.act(act.AddNote(1, n * 10, 5, 60))
        wire.pump()
    assert [h.revision for h in decoded(wire, StateHash)] == [4, 8]
    assert not wire.take(ana, Diverged)


def test_a_replica_that_drifted_is_caught_by_the_hash_and_resynced(
    make_wire: Callable[..., Wire],
) -> None:
    wire = make_wire(config=ServerConfig(hash_interval=2))
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob")
    bob.project, _ = apply(bob.project, act.SetBpm(66.0))
    ana.act(act.AddNote(1, 0, 5, 60))
    ana.act(act.AddNote(1, 10, 5, 60))
    wire.pump()
    (diverged,) = wire.take(bob, Diverged)
    assert diverged.reason == "the state hash differs at revision 2"
    assert any(
        e.reason == "the state hash differs at revision 2" for e in wire.take(bob, StateReplaced)
    )
    assert same(bob.project, wire.store.state)
    assert bob.resyncs == 1


def test_a_gap_in_revisions_asks_for_a_snapshot(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob")
    bob.revision -= 1
    ana.act(act.AddNote(1, 0, 5, 60))
    wire.pump()
    (diverged,) = wire.take(bob, Diverged)
    assert diverged.reason.startswith("missed revisions")
    assert same(bob.project, wire.store.state)
    assert bob.revision == wire.server.revision


def test_a_commit_that_does_not_apply_here_asks_for_a_snapshot(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob")
    bob.project, _ = apply(bob.project, act.DeleteInstrument(1))
    ana.act(act.AddNote(1, 0, 5, 60))
    wire.pump()
    (diverged,) = wire.take(bob, Diverged)
    assert "did not apply here: unknown instrument 1" in diverged.reason
    assert same(bob.project, wire.store.state)


def test_a_client_may_ask_for_a_snapshot_at_any_time(wire: Wire) -> None:
    ana = wire.join("ana")
    wire.take(ana, StateReplaced)
    ana.request_snapshot("paranoia")
    wire.pump()
    (snapshot,) = wire.take(ana, StateReplaced)
    assert snapshot.reason == "paranoia"


def test_edits_made_on_the_server_itself_are_broadcast_from_the_host(wire: Wire) -> None:
    ana = wire.join("ana")
    wire.store.dispatch(act.AddNotes(2, (Note(0, 10, 60), Note(10, 10, 62))))
    wire.pump()
    (commit,) = wire.take(ana, Committed)
    assert commit.origin == HOST_ID
    assert same(ana.project, wire.store.state)


def test_an_undo_on_the_server_itself_is_broadcast_as_a_restore(wire: Wire) -> None:
    ana = wire.join("ana")
    wire.store.dispatch(act.DeleteInstrument(2))
    wire.store.undo()
    wire.pump()
    commits = wire.take(ana, Committed)
    assert commits[-1].commit.reason == "undo"
    assert isinstance(decoded(wire, Commits)[-1].commits[-1].op, Restore)
    assert same(ana.project, wire.store.state)
    assert 2 in ana.project.instruments


def test_loading_a_project_on_the_server_sends_everyone_a_snapshot(
    wire: Wire, make_project: Callable[[int], Project]
) -> None:
    ana = wire.join("ana", own=[3])
    wire.take(ana, StateReplaced)
    wire.store.load(make_project(1))
    wire.pump()
    (snapshot,) = wire.take(ana, StateReplaced)
    assert snapshot.reason == "load"
    assert same(ana.project, wire.store.state)
    assert ana.owned == ()


def test_a_host_transaction_rolled_back_leaves_every_replica_where_it_was(wire: Wire) -> None:
    ana = wire.join("ana")
    before = wire.store.state
    try:
        with wire.store.transaction("oops"):
            wire.store.dispatch(act.SetBpm(77.0))
            raise RuntimeError("user cancelled")
    except RuntimeError:
        pass
    wire.pump()
    assert same(ana.project, before)


def test_a_client_that_adds_an_instrument_owns_it(make_wire: Callable[..., Wire]) -> None:
    wire = make_wire(instruments=0)
    ana = wire.join("ana")
    ana.act(act.AddInstrument("saw"))
    wire.pump()
    assert ana.owned == (1,)
    assert same(ana.project, wire.store.state)
