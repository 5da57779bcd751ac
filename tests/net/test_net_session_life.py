"""Specification of a session's life over the fake wire: heartbeats, suspension, reconnection,
metering and hostile bytes, all on an injected clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from imbolc.core import actions as act
from imbolc.core.ports import Meters, NullEngine, Transport
from imbolc.net.codec import Codec
from imbolc.net.events import (
    ClientJoined,
    ClientLeft,
    ClientSuspended,
    ConnectionLost,
    Metered,
    Rejected,
    StateReplaced,
    Welcomed,
)
from imbolc.net.messages import Error, Ping

if TYPE_CHECKING:
    from conftest import FakeClock, Wire


def kinds(wire: Wire, conn: int) -> list[str]:
    codec = Codec()
    return [type(codec.decode_server(s.frame[4:])).__name__ for s in wire.sent if conn in s.targets]


# --- heartbeats and suspension ------------------------------------------------------------


def test_the_server_pings_every_five_seconds_and_a_client_answers(
    wire: Wire, clock: FakeClock
) -> None:
    ana = wire.join("ana")
    conn = wire.connection(ana)
    wire.sent.clear()
    for _ in range(3):
        clock.advance(5.0)
        wire.pump()
    assert kinds(wire, conn).count("Ping") == 3
    assert ana.ready


def test_a_silent_client_is_suspended_after_fifteen_seconds_keeping_its_instruments(
    wire: Wire, clock: FakeClock
) -> None:
    ana = wire.join("ana", own=[1], want_privilege=True)
    bob = wire.join("bob")
    del wire.clients[wire.connection(ana)]
    for _ in range(4):
        clock.advance(4.0)
        wire.pump()
    events = wire.server.events()
    assert any(isinstance(e, ClientSuspended) and e.name == "ana" for e in events)
    (peer,) = [p for p in bob.peers if p.name == "ana"]
    assert (peer.connected, peer.owned) == (False, (1,))
    assert bob.privileged_id == peer.client_id


def test_a_suspended_client_comes_back_with_its_token(wire: Wire, clock: FakeClock) -> None:
    ana = wire.join("ana", own=[1], want_privilege=True)
    old_token = ana.token
    wire.drop(ana)
    clock.advance(30.0)
    wire.pump()
    wire.connect(ana)
    (welcome,) = [e for e in wire.take(ana, Welcomed) if e.resumed]
    assert welcome.owned == (1,) and welcome.privileged
    assert ana.token != old_token
    assert ana.ready


def test_a_reconnect_gets_a_snapshot_even_when_nothing_changed(wire: Wire) -> None:
    ana = wire.join("ana")
    wire.drop(ana)
    wire.take(ana, StateReplaced)
    wire.connect(ana)
    (snapshot,) = wire.take(ana, StateReplaced)
    assert snapshot.reason == "reconnect"
    assert snapshot.revision == wire.server.revision


def test_a_reconnect_catches_up_with_what_happened_meanwhile(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob", own=[2])
    wire.drop(ana)
    for n in range(5):
        bob.act(act.AddNote(2, n * 10, 5, 60))
    wire.pump()
    wire.connect(ana)
    assert msgspec.msgpack.encode(ana.project) == msgspec.msgpack.encode(wire.store.state)
    assert ana.revision == 5


def test_ownership_is_released_when_the_hold_expires(wire: Wire, clock: FakeClock) -> None:
    ana = wire.join("ana", own=[1], want_privilege=True)
    bob = wire.join("bob")
    wire.drop(ana)
    for _ in range(13):
        clock.advance(5.0)
        wire.pump()
    assert [p.name for p in bob.peers] == ["bob"]
    assert bob.privileged_id == 0
    bob.claim([1])
    wire.pump()
    assert bob.owned == (1,)
    left = [e for e in wire.server.events() if isinstance(e, ClientLeft)]
    assert left[-1].reason == "did not come back within 60 s"


def test_a_token_used_after_the_hold_expired_starts_a_fresh_session(
    wire: Wire, clock: FakeClock
) -> None:
    ana = wire.join("ana", own=[1])
    first_id = ana.client_id
    wire.drop(ana)
    clock.advance(61.0)
    wire.pump()
    assert wire.server.roster.clients == {}
    wire.connect(ana)
    (welcome,) = [e for e in wire.take(ana, Welcomed) if e.client_id != first_id]
    assert not welcome.resumed
    assert welcome.owned == (1,)


def test_requests_in_flight_when_the_link_broke_are_reported_lost(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    seq = ana.act(act.AddNote(1, 0, 10, 60))
    ana.data_to_send()
    wire.drop(ana)
    wire.connect(ana)
    (lost,) = wire.take(ana, Rejected)
    assert (lost.seq, lost.reason) == (seq, "lost while reconnecting")


def test_requests_while_disconnected_are_rejected_locally(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    wire.drop(ana)
    ana.act(act.AddNote(1, 0, 10, 60))
    assert wire.take(ana, Rejected)[0].reason == "not connected to the server"


def test_goodbye_releases_ownership_at_once(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    bob = wire.join("bob")
    ana.goodbye()
    wire.pump()
    assert [p.name for p in bob.peers] == ["bob"]
    assert wire.server.roster.owners == {}


def test_a_client_notices_a_silent_server(wire: Wire, clock: FakeClock) -> None:
    ana = wire.join("ana")
    clock.advance(16.0)
    ana.tick()
    (lost,) = wire.take(ana, ConnectionLost)
    assert lost.reason == "the server was silent for 16 s"


def test_a_second_connection_with_the_same_token_replaces_the_first(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    first = wire.connection(ana)
    del wire.clients[first]
    wire.connect(ana)
    assert [c.connection for c in wire.closed] == [first]
    assert any(isinstance(e, ClientJoined) and e.resumed for e in wire.server.events())


# --- metering -----------------------------------------------------------------------------


class MovingEngine(NullEngine):
    """An engine whose playhead advances each time it is read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def transport(self) -> Transport:
        self.reads += 1
        return Transport(True, float(self.reads), 120.0)

    def meters(self) -> Meters:
        return Meters((0.5, 0.25), {1: (0.1, 0.2)})


def test_meter_frames_carry_transport_and_peaks_about_thirty_times_a_second(
    make_wire: Callable[..., Wire], clock: FakeClock
) -> None:
    wire = make_wire(engine=MovingEngine())
    ana = wire.join("ana")
    wire.take(ana, Metered)
    for _ in range(30):
        clock.advance(1 / 60)
        wire.pump()
    frames = [e.meter for e in wire.take(ana, Metered)]
    assert 14 <= len(frames) <= 16
    assert frames[-1].master == (0.5, 0.25)
    assert frames[-1].peaks[0].instrument_id == 1
    assert ana.meter == frames[-1]


def test_an_unchanged_meter_is_repeated_only_once_a_second(
    make_wire: Callable[..., Wire], clock: FakeClock
) -> None:
    wire = make_wire(engine=NullEngine())
    ana = wire.join("ana")
    wire.take(ana, Metered)
    for _ in range(60):
        clock.advance(1 / 30)
        wire.pump()
    assert len(wire.take(ana, Metered)) == 2


# --- hostile bytes ------------------------------------------------------------------------


def test_garbage_gets_an_error_and_a_disconnect_while_others_carry_on(wire: Wire) -> None:
    ana = wire.join("ana", own=[1])
    conn = wire.raw(b"\x00\x00\x00\x05hello")
    assert kinds(wire, conn) == ["Error"]
    assert conn in [c.connection for c in wire.closed]
    ana.act(act.AddNote(1, 0, 10, 60))
    wire.pump()
    assert ana.revision == 1


def test_an_oversized_frame_is_refused_before_its_payload_arrives(wire: Wire) -> None:
    conn = wire.raw((1 << 30).to_bytes(4, "big"))
    codec = Codec()
    (error,) = [codec.decode_server(s.frame[4:]) for s in wire.sent if conn in s.targets]
    assert error == Error("frame of 1,073,741,824 bytes exceeds the limit of 65,536 bytes")


def test_a_joined_clients_frames_may_be_larger_but_still_bounded(wire: Wire) -> None:
    ana = wire.join("ana")
    conn = wire.connection(ana)
    wire.server.receive(conn, (9 * 1024 * 1024).to_bytes(4, "big"))
    wire.pump()
    assert "exceeds the limit of 8,388,608 bytes" in str(wire.closed[-1].reason)
    assert ana.phase == "lost"


def test_a_handshake_that_never_completes_times_out(wire: Wire, clock: FakeClock) -> None:
    conn = wire.raw(b"\x00\x00")
    clock.advance(11.0)
    wire.pump()
    assert wire.closed[-1].connection == conn
    assert wire.closed[-1].reason == "the handshake took too long"


def test_a_ping_from_a_client_is_answered(wire: Wire) -> None:
    ana = wire.join("ana")
    conn = wire.connection(ana)
    wire.server.receive(conn, Codec().frame(Ping(42)))
    wire.pump()
    assert kinds(wire, conn)[-1] == "Pong"
