"""Integration over real sockets on 127.0.0.1: join, ownership, privilege, reconnection,
divergence and many clients at once. Every server and client is stopped by its fixture."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from imbolc.core import actions as act
from imbolc.core.apply import apply
from imbolc.core.notes import Note
from imbolc.core.ports import NullEngine
from imbolc.core.project import Project
from imbolc.core.store import Commit, Store
from imbolc.net import ClientStore, JoinRefused, ServerConfig, ServerHandle, run_server
from imbolc.net.events import (
    ClientEvent,
    ClientSuspended,
    Diverged,
    Rejected,
    ServerClosed,
    ServerEvent,
    StateReplaced,
)

if TYPE_CHECKING:
    from conftest import Relay

Serve = Callable[..., ServerHandle]
Join = Callable[..., ClientStore]


def same(*projects: Project) -> bool:
    return len({msgspec.msgpack.encode(p) for p in projects}) == 1


def caught_up(server: ServerHandle) -> Callable[[ClientStore], bool]:
    return lambda client: client.revision == server.session.revision


def recorder(client: ClientStore) -> list[ClientEvent]:
    events: list[ClientEvent] = []
    client.on_event(events.append)
    return events


def test_two_clients_join_and_see_the_servers_project(serve: Serve, join: Join) -> None:
    server = serve()
    ana = join(server, "ana", own=[1])
    bob = join(server, "bob", own=[2])
    assert same(server.state, ana.state, bob.state)
    assert ana.owned == (1,) and bob.owned == (2,)
    assert bob.wait_until(lambda c: len(c.peers) == 2, 2.0)
    assert [(p.name, p.owned) for p in bob.peers] == [("ana", (1,)), ("bob", (2,))]


def test_an_edit_reaches_the_other_client_as_a_commit(serve: Serve, join: Join) -> None:
    server = serve()
    ana = join(server, "ana", own=[1])
    bob = join(server, "bob")
    seen: list[Commit] = []
    bob.subscribe(seen.append)
    ana.dispatch(act.AddNote(1, 480, 240, 64))
    assert bob.wait_until(lambda c: c.revision == 1, 2.0)
    assert ana.wait_until(lambda c: c.revision == 1, 2.0)
    assert seen[-1].action == act.AddNote(1, 480, 240, 64)
    assert same(server.state, ana.state, bob.state)


def test_editing_anothers_instrument_raises_nothing_and_reports_the_reason(
    serve: Serve, join: Join
) -> None:
    server = serve()
    join(server, "ana", own=[1])
    bob = join(server, "bob")
    events = recorder(bob)
    before = bob.state
    seq = bob.dispatch(act.AddNote(1, 0, 240, 60))
    assert bob.wait_until(lambda c: any(isinstance(e, Rejected) for e in events), 2.0)
    (rejected,) = [e for e in events if isinstance(e, Rejected)]
    assert (rejected.seq, rejected.reason) == (seq, "AddNote: instrument 1 belongs to ana")
    assert bob.state is before
    assert same(server.state, before)


def test_a_transaction_is_one_atomic_undo_step(serve: Serve, join: Join) -> None:
    server = serve()
    ana = join(server, "ana", own=[1])
    with ana.transaction("two notes"):
        ana.dispatch(act.AddNote(1, 0, 240, 60))
        ana.dispatch(act.AddNote(1, 240, 240, 62))
    assert ana.wait_until(lambda c: c.history.undo_label == "two notes", 2.0)
    assert ana.undo()
    assert ana.wait_until(lambda c: not c.state.session.piano_roll.track(1).notes, 2.0)
    assert same(server.state, ana.state)


def test_the_privileged_client_drives_the_engine_and_everyone_sees_the_meter(
    serve: Serve, join: Join
) -> None:
    server = serve(engine=NullEngine())
    ana = join(server, "ana", want_privilege=True)
    bob = join(server, "bob")
    assert ana.privileged and not bob.privileged
    ana.engine.play()
    assert bob.wait_until(lambda c: c.engine.transport().playing, 3.0)
    events = recorder(bob)
    bob.engine.stop()
    assert bob.wait_until(lambda c: any(isinstance(e, Rejected) for e in events), 2.0)
    assert ana.engine.transport().playing


def test_a_wrong_secret_is_refused_with_the_reason(serve: Serve, join: Join) -> None:
    server = serve(secret=b"right")
    assert join(server, "ana", secret=b"right").state is not None
    with pytest.raises(JoinRefused, match="could not prove it knows the shared secret"):
        join(server, "eve", secret=b"wrong")


def test_a_json_server_and_client_work_end_to_end(serve: Serve, join: Join) -> None:
    server = serve(wire="json")
    ana = join(server, "ana", own=[1], wire="json")
    ana.dispatch(act.AddNote(1, 0, 240, 60))
    assert ana.wait_until(lambda c: c.revision == 1, 2.0)
    assert same(server.state, ana.state)


def test_a_client_reconnects_and_catches_up_keeping_its_instruments(
    serve: Serve, join: Join, relay: Callable[[int], Relay]
) -> None:
    server = serve()
    line = relay(server.port)
    ana = join(server, "ana", own=[1], port=line.port)
    bob = join(server, "bob", own=[2])
    token = ana.session.token
    events = recorder(ana)
    line.cut()
    assert ana.wait_until(lambda c: c.connection_state == "reconnecting", 3.0)
    for n in range(5):
        bob.dispatch(act.AddNote(2, n * 120, 60, 60))
    assert bob.wait_until(lambda c: c.revision == 5, 2.0)
    assert ana.wait_until(lambda c: c.connection_state == "connected", 5.0)
    assert ana.wait_until(lambda c: c.revision == 5, 2.0)
    assert same(server.state, ana.state, bob.state)
    assert ana.owned == (1,)
    assert ana.session.token != token
    assert any(isinstance(e, StateReplaced) and e.reason == "reconnect" for e in events)


def test_a_stopped_server_says_goodbye_to_its_clients(serve: Serve, join: Join) -> None:
    server = serve()
    ana = join(server, "ana", want_privilege=True)
    bob = join(server, "bob")
    events = recorder(bob)
    ana.shutdown_server()
    assert bob.wait_until(lambda c: c.connection_state == "closed", 3.0)
    assert any(isinstance(e, ServerClosed) and e.reason == "stopped by ana" for e in events)
    assert server.stopped or _wait(lambda: server.stopped, 2.0)


def test_a_drifted_replica_is_detected_and_resynced(serve: Serve, join: Join) -> None:
    server = serve(config=ServerConfig(hash_interval=4))
    ana = join(server, "ana", own=[1])
    bob = join(server, "bob")
    events = recorder(bob)
    with bob._link.lock:
        bob.session.project, _ = apply(bob.session.project, act.SetBpm(61.0))
    for n in range(4):
        ana.dispatch(act.AddNote(1, n * 120, 60, 60))
    assert bob.wait_until(lambda c: any(isinstance(e, StateReplaced) for e in events), 3.0)
    assert any(isinstance(e, Diverged) for e in events)
    assert bob.wait_until(lambda c: same(c.state, server.state), 2.0)


def test_a_client_delivering_through_call_soon_gets_commits_on_its_own_thread(
    serve: Serve, join: Join
) -> None:
    server = serve()
    pending: list[Callable[[], None]] = []
    lock = threading.Lock()

    def call_soon(callback: Callable[[], None]) -> None:
        with lock:
            pending.append(callback)

    ana = join(server, "ana", own=[1], call_soon=call_soon)
    threads: list[int] = []
    ana.subscribe(lambda commit: threads.append(threading.get_ident()))
    ana.dispatch(act.AddNote(1, 0, 240, 60))
    deadline = time.monotonic() + 2.0
    while not threads and time.monotonic() < deadline:
        with lock:
            ready, pending[:] = list(pending), []
        for callback in ready:
            callback()
        time.sleep(0.005)
    assert threads and set(threads) == {threading.get_ident()}


def test_eight_clients_editing_at_once_end_identical(
    serve: Serve, join: Join, make_project: Callable[[int], Project]
) -> None:
    server = serve(make_project(8))
    clients = [join(server, f"player{n}", own=[n + 1]) for n in range(8)]

    def play(client: ClientStore, ident: int) -> None:
        for n in range(25):
            client.dispatch(act.AddNote(ident, n * 120, 60, 40 + (n * 7) % 48))
            if n % 5 == 0:
                client.dispatch(act.SetSourceParam(ident, "amp", (n + ident) / 100))

    threads = [
        threading.Thread(target=play, args=(client, n + 1)) for n, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5.0)
    total = 8 * 30
    assert _wait(lambda: server.session.revision == total, 5.0)
    for client in clients:
        assert client.wait_until(caught_up(server), 5.0)
    assert same(server.state, *(client.state for client in clients))
    assert sum(len(t.notes) for t in server.state.session.piano_roll.tracks) == 8 * 25


def test_a_client_that_stops_reading_is_suspended_without_delaying_the_others(
    serve: Serve, join: Join, raw_client: Callable[..., Any]
) -> None:
    events: list[ServerEvent] = []
    config = ServerConfig(send_buffer=4096, stall_timeout=1.0, max_commit_backlog=8)
    server = serve(config=config, on_event=events.append)
    ana = join(server, "ana", own=[1])
    stalled = raw_client(server.port, "sloth")
    notes = tuple(Note(n * 10, 5, 60) for n in range(300))
    worst = 0.0
    for n in range(40):
        start = time.monotonic()
        ana.dispatch(act.AddNotes(1, tuple(Note(x.tick + n * 3000, 5, 60) for x in notes)))
        assert ana.wait_until(lambda c, n=n: c.revision == n + 1, 2.0)
        worst = max(worst, time.monotonic() - start)
    assert worst < 0.5
    assert _wait(lambda: any(isinstance(e, ClientSuspended) for e in events), 4.0)
    (suspended,) = [e for e in events if isinstance(e, ClientSuspended)]
    assert suspended.name == "sloth"
    assert stalled.session.revision < ana.revision


def test_a_lagging_client_gets_one_snapshot_instead_of_its_backlog(
    serve: Serve, join: Join, raw_client: Callable[..., Any]
) -> None:
    config = ServerConfig(send_buffer=4096, stall_timeout=5.0, max_commit_backlog=4)
    server = serve(config=config)
    ana = join(server, "ana", own=[1])
    lagging = raw_client(server.port, "lag")
    notes = tuple(Note(n * 10, 5, 60) for n in range(300))
    for n in range(30):
        ana.dispatch(act.AddNotes(1, tuple(Note(x.tick + n * 3000, 5, 60) for x in notes)))
        assert ana.wait_until(lambda c, n=n: c.revision == n + 1, 2.0)
    reasons = lagging.read_until(lambda s: s.revision == 30, 3.0)
    assert "backlog" in reasons
    assert same(lagging.session.project, server.state)
    assert lagging.commits_applied < 30


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_server_pumped_through_call_soon_runs_on_its_owner_thread(
    join: Join, make_project: Callable[[int], Project]
) -> None:
    work: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
    started: queue.SimpleQueue[ServerHandle] = queue.SimpleQueue()
    stop = threading.Event()
    applied_on: list[int] = []

    def owner() -> None:
        store = Store(make_project(2))
        store.subscribe(lambda commit: applied_on.append(threading.get_ident()))
        handle = run_server(store, host="127.0.0.1", port=0, call_soon=work.put)
        started.put(handle)
        while not stop.is_set():
            with contextlib.suppress(queue.Empty):
                work.get(timeout=0.02)()
        handle.stop()

    thread = threading.Thread(target=owner)
    thread.start()
    try:
        server = started.get(timeout=2.0)
        ana = join(server, "ana", own=[1])
        ana.dispatch(act.AddNote(1, 0, 240, 60))
        assert ana.wait_until(lambda c: c.revision == 1, 2.0)
        assert same(server.state, ana.state)
        assert applied_on == [thread.ident]
    finally:
        stop.set()
        thread.join(3.0)
    assert server.stopped
