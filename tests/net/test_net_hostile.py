"""Hostile input over real sockets: each bad client gets an error or a disconnect, and the
server and the well-behaved client carry on with nothing lost."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Callable, Iterator

import msgspec
import pytest

from imbolc import __version__
from imbolc.core import actions as act
from imbolc.net import ClientStore, ServerHandle
from imbolc.net.codec import Codec
from imbolc.net.messages import PROTOCOL_VERSION, Act, Error, Hello, Rejected, Save, Shutdown, Undo

Serve = Callable[..., ServerHandle]
Join = Callable[..., ClientStore]
CODEC = Codec()


@pytest.fixture
def sockets() -> Iterator[Callable[[int], socket.socket]]:
    """Raw loopback sockets, all closed afterwards."""
    made: list[socket.socket] = []

    def open_socket(port: int) -> socket.socket:
        made.append(socket.create_connection(("127.0.0.1", port), timeout=2.0))
        return made[-1]

    try:
        yield open_socket
    finally:
        for sock in made:
            with contextlib.suppress(OSError):
                sock.close()


def replies(sock: socket.socket, timeout: float = 2.0) -> tuple[list[object], bool]:
    """Every message the server sends until it closes (True) or goes quiet (False)."""
    buffer = b""
    deadline = time.monotonic() + timeout
    closed = False
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([sock], [], [], 0.1)
        if not ready:
            if buffer or closed:
                break
            continue
        try:
            data = sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            closed = True
            break
        buffer += data
    out: list[object] = []
    while len(buffer) >= 4:
        size = int.from_bytes(buffer[:4], "big")
        if len(buffer) < 4 + size:
            break
        out.append(CODEC.decode_server(buffer[4 : 4 + size]))
        buffer = buffer[4 + size :]
    return out, closed


def joined_socket(open_socket: Callable[[int], socket.socket], port: int) -> socket.socket:
    sock = open_socket(port)
    sock.sendall(CODEC.frame(Hello(PROTOCOL_VERSION, __version__, "mallory")))
    replies(sock, 0.3)
    return sock


def still_serving(server: ServerHandle, honest: ClientStore, tick: int) -> bool:
    before = honest.revision
    honest.dispatch(act.AddNote(1, tick, 10, 60))
    ok = honest.wait_until(lambda c: c.revision == before + 1, 2.0)
    encoded = {msgspec.msgpack.encode(p) for p in (server.state, honest.state)}
    return ok and len(encoded) == 1


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00\x00\x00\x08not msgp",
        b"\x00\x00\x00\x03\xc1\xc1\xc1",
        CODEC.frame(Hello(PROTOCOL_VERSION, __version__, "x"))[:7],
        b"GET / HTTP/1.1\r\nHost: imbolc\r\n\r\n",
    ],
    ids=["garbage", "reserved-bytes", "truncated-hello", "http"],
)
def test_junk_before_the_handshake_is_dropped_and_others_carry_on(
    serve: Serve, join: Join, sockets: Callable[[int], socket.socket], payload: bytes
) -> None:
    server = serve()
    honest = join(server, "ana", own=[1])
    sock = sockets(server.port)
    sock.sendall(payload)
    sock.shutdown(socket.SHUT_WR)
    replies(sock, 1.0)
    assert still_serving(server, honest, 0)


def test_an_oversized_frame_gets_an_error_and_a_disconnect(
    serve: Serve, join: Join, sockets: Callable[[int], socket.socket]
) -> None:
    server = serve()
    honest = join(server, "ana", own=[1])
    sock = sockets(server.port)
    sock.sendall((2**31).to_bytes(4, "big"))
    messages, closed = replies(sock)
    assert messages == [Error("frame of 2,147,483,648 bytes exceeds the limit of 65,536 bytes")]
    assert closed
    assert still_serving(server, honest, 0)


def test_wrong_types_after_joining_get_an_error_and_a_disconnect(
    serve: Serve, join: Join, sockets: Callable[[int], socket.socket]
) -> None:
    server = serve()
    honest = join(server, "ana", own=[1])
    sock = joined_socket(sockets, server.port)
    frame = msgspec.msgpack.encode(["Undo", "not a number"])
    sock.sendall(len(frame).to_bytes(4, "big") + frame)
    messages, closed = replies(sock)
    assert isinstance(messages[-1], Error)
    assert "Expected `int`, got `str`" in messages[-1].message
    assert closed
    assert still_serving(server, honest, 0)


def test_unknown_actions_and_unowned_instruments_are_rejected_on_a_live_connection(
    serve: Serve, join: Join, sockets: Callable[[int], socket.socket]
) -> None:
    server = serve()
    honest = join(server, "ana", own=[1])
    sock = joined_socket(sockets, server.port)
    unknown = msgspec.msgpack.encode(["Act", 1, ["FormatDisk", "/"]])
    sock.sendall(len(unknown).to_bytes(4, "big") + unknown)
    sock.sendall(CODEC.frame(Act(2, act.DeleteInstrument(1))))
    sock.sendall(CODEC.frame(Undo(3)))
    messages, closed = replies(sock, 0.5)
    reasons = {m.seq: m.reason for m in messages if isinstance(m, Rejected)}
    assert "Invalid value 'FormatDisk'" in reasons[1]
    assert reasons[2] == "DeleteInstrument: instrument 1 belongs to ana"
    assert reasons[3] == "nothing to undo"
    assert not closed
    assert 1 in server.state.instruments
    assert still_serving(server, honest, 0)


def test_saving_or_stopping_without_privilege_is_rejected(
    serve: Serve, join: Join, sockets: Callable[[int], socket.socket]
) -> None:
    server = serve(save=lambda: "saved")
    honest = join(server, "ana", own=[1], want_privilege=True)
    sock = joined_socket(sockets, server.port)
    sock.sendall(CODEC.frame(Save(1)) + CODEC.frame(Shutdown(2)))
    messages, _closed = replies(sock, 0.5)
    reasons = {m.seq: m.reason for m in messages if isinstance(m, Rejected)}
    assert reasons == {
        1: "saving needs the privilege, held by ana",
        2: "stopping the server needs the privilege, held by ana",
    }
    assert not server.stopped
    assert still_serving(server, honest, 0)


def test_a_client_vanishing_mid_frame_costs_nothing(
    serve: Serve, join: Join, sockets: Callable[[int], socket.socket]
) -> None:
    server = serve()
    honest = join(server, "ana", own=[1])
    sock = joined_socket(sockets, server.port)
    frame = CODEC.frame(Act(1, act.AddNote(1, 0, 10, 60)))
    sock.sendall(frame[: len(frame) // 2])
    sock.close()
    assert still_serving(server, honest, 480)
    assert server.state.session.piano_roll.track(1).notes[0].tick == 480
