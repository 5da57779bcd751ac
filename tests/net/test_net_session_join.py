"""Specification of the handshake, over the fake wire (no sockets, no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from imbolc import __version__
from imbolc.net.codec import Codec
from imbolc.net.events import Refused, StateReplaced, Welcomed
from imbolc.net.messages import PROTOCOL_VERSION, Error, Hello, Ping
from imbolc.net.messages import Refused as RefusedMessage

if TYPE_CHECKING:
    from conftest import Wire


def frames_to(wire: Wire, conn: int) -> list[object]:
    codec = Codec()
    out = []
    for send in wire.sent:
        if conn in send.targets:
            out.append(codec.decode_server(send.frame[4:]))
    return out


def test_a_client_joins_and_receives_the_whole_project(wire: Wire) -> None:
    ana = wire.join("ana")
    assert ana.ready
    assert msgspec.msgpack.encode(ana.project) == msgspec.msgpack.encode(wire.store.state)
    (welcome,) = wire.take(ana, Welcomed)
    assert welcome.client_id == ana.client_id
    (snapshot,) = wire.take(ana, StateReplaced)
    assert snapshot.reason == "join"


def test_requested_instruments_are_granted_when_free(wire: Wire) -> None:
    ana = wire.join("ana", own=[1, 2])
    bob = wire.join("bob", own=[2, 3, 9])
    assert ana.owned == (1, 2)
    assert bob.owned == (3,)
    (welcome,) = wire.take(bob, Welcomed)
    assert welcome.denied == ("instrument 2 belongs to ana", "instrument 9 does not exist")


def test_the_first_to_ask_gets_the_privilege(wire: Wire) -> None:
    ana = wire.join("ana", want_privilege=True)
    bob = wire.join("bob", want_privilege=True)
    assert ana.privileged
    assert not bob.privileged


def test_a_shared_secret_admits_a_client_that_knows_it(make_wire: Callable[..., Wire]) -> None:
    wire = make_wire(secret=b"open sesame")
    assert wire.join("ana").ready


def test_a_client_with_a_wrong_secret_refuses_and_is_never_admitted(
    make_wire: Callable[..., Wire],
) -> None:
    wire = make_wire(secret=b"open sesame")
    eve = wire.join("eve", secret=b"guess")
    assert eve.phase == "failed"
    (refused,) = wire.take(eve, Refused)
    assert refused.reason == "the server could not prove it knows the shared secret"
    assert not wire.server.ready_connections()


def test_the_server_refuses_a_client_whose_proof_is_wrong(make_wire: Callable[..., Wire]) -> None:
    wire = make_wire(secret=b"open sesame")
    eve = wire.join("eve", secret=b"open sesame")
    eve.secret = b"changed after the challenge"
    wire.drop(eve)
    eve.phase = "idle"
    conn = wire.connect(eve)
    assert eve.phase == "failed"
    assert eve.refusal == "the server could not prove it knows the shared secret"
    assert conn not in wire.server.ready_connections()


def test_a_client_without_the_secret_cannot_join(make_wire: Callable[..., Wire]) -> None:
    wire = make_wire(secret=b"open sesame")
    eve = wire.join("eve", secret=None)
    assert eve.refusal == "the server requires a shared secret (use --secret-file)"


def test_a_client_with_a_secret_refuses_an_unauthenticated_server(wire: Wire) -> None:
    ana = wire.join("ana", secret=b"mine")
    assert ana.refusal == "the server did not ask for the shared secret; refusing to join it"


def test_another_protocol_version_is_refused_with_both_versions(wire: Wire) -> None:
    conn = wire.raw(Codec().frame(Hello(99, __version__, "old")))
    (refused,) = [f for f in frames_to(wire, conn) if isinstance(f, RefusedMessage)]
    assert refused.reason.startswith("protocol version 99 is not supported")
    assert f"speaks version {PROTOCOL_VERSION}" in refused.reason


def test_another_imbolc_version_is_refused(wire: Wire) -> None:
    conn = wire.raw(Codec().frame(Hello(PROTOCOL_VERSION, "0.0.1", "old")))
    (refused,) = [f for f in frames_to(wire, conn) if isinstance(f, RefusedMessage)]
    assert refused.reason.startswith("imbolc 0.0.1 cannot join a server running imbolc")


def test_an_empty_name_is_refused(wire: Wire) -> None:
    conn = wire.raw(Codec().frame(Hello(PROTOCOL_VERSION, __version__, "   ")))
    (refused,) = [f for f in frames_to(wire, conn) if isinstance(f, RefusedMessage)]
    assert refused.reason == "the client name must be 1 to 64 printable characters"


def test_a_json_client_on_a_msgpack_server_is_told_which_wire_to_use(wire: Wire) -> None:
    conn = wire.raw(Codec("json").frame(Hello(PROTOCOL_VERSION, __version__, "ana")))
    json_frames = [s.frame for s in wire.sent if conn in s.targets]
    refused = Codec("json").decode_server(json_frames[0][4:])
    assert refused == RefusedMessage(
        "this server speaks msgpack; start the client with --wire msgpack"
    )


def test_a_json_server_serves_json_clients(make_wire: Callable[..., Wire]) -> None:
    wire = make_wire(wire="json")
    ana = wire.join("ana", wire="json")
    assert ana.ready
    assert wire.sent[0].frame[4:5] == b"["


def test_anything_but_hello_first_is_a_protocol_error(wire: Wire) -> None:
    conn = wire.raw(Codec().frame(Ping(1)))
    assert frames_to(wire, conn) == [Error("expected Hello first, got Ping")]
    assert [c.connection for c in wire.closed] == [conn]


def test_a_second_hello_after_joining_is_a_protocol_error(wire: Wire) -> None:
    ana = wire.join("ana")
    conn = wire.connection(ana)
    wire.server.receive(conn, Codec().frame(Hello(PROTOCOL_VERSION, __version__, "again")))
    wire.pump()
    assert Error("Hello after the handshake") in frames_to(wire, conn)
    assert ana.phase == "lost"
