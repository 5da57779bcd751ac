"""OSC encoding, timetags and the UDP client, against a real loopback peer socket."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from imbolc.engine.osc import (
    IMMEDIATELY,
    OscBundle,
    OscClient,
    OscCommandFailed,
    OscDecodeError,
    OscEncodeError,
    OscMessage,
    OscTimeout,
    decode,
    decode_messages,
    encode,
    encode_bundle,
    encode_message,
    from_timetag,
    to_timetag,
)

NTP_UNIX_OFFSET = 2_208_988_800

# --- sans-IO encoding ------------------------------------------------------------------------


def test_message_bytes_follow_the_osc_spec() -> None:
    assert encode_message("/n_free", 1000) == b"/n_free\x00,i\x00\x00\x00\x00\x03\xe8"


def test_message_round_trips_through_a_datagram() -> None:
    datagram = encode_message("/s_new", "sine", 1000, 0, 1, "freq", 440.0, b"\x01\x02")

    assert decode(datagram) == OscMessage("/s_new", "sine", 1000, 0, 1, "freq", 440.0, b"\x01\x02")


def test_numpy_scalars_encode_as_plain_numbers() -> None:
    datagram = encode_message("/n_set", np.int64(1000), "amp", np.float32(0.5))

    assert decode(datagram) == OscMessage("/n_set", 1000, "amp", 0.5)


def test_an_int_beyond_int32_is_refused_naming_the_message() -> None:
    with pytest.raises(OscEncodeError, match="/n_free"):
        encode_message("/n_free", 2**31)


_PLAIN = st.one_of(
    st.integers(-(2**31), 2**31 - 1),
    st.floats(width=32, allow_nan=False),
    st.text(st.characters(min_codepoint=1, max_codepoint=127), max_size=12),
)


@given(st.text(st.characters(min_codepoint=1, max_codepoint=127), max_size=9), st.lists(_PLAIN))
def test_plain_messages_encode_to_supriyas_bytes(address: str, contents: list[object]) -> None:
    message = OscMessage("/" + address, *contents)
    assert encode(message) == message.to_datagram()


def test_other_arguments_still_encode_as_supriya_does() -> None:
    inner = OscMessage("/sync", 1)
    message = OscMessage("/d_recv", b"\x00\x01\x02", True, None, [1, 2.5], inner)
    assert encode(message) == message.to_datagram()


def test_a_non_ascii_string_is_refused_naming_the_message() -> None:
    with pytest.raises(OscEncodeError, match="/s_new"):
        encode(OscMessage("/s_new", "säw"))


def test_an_unencodable_argument_is_refused() -> None:
    with pytest.raises(OscEncodeError, match="cannot encode"):
        encode_message("/n_set", object())


# --- timetags --------------------------------------------------------------------------------


def test_the_unix_epoch_is_the_ntp_offset_in_whole_seconds() -> None:
    assert to_timetag(0.0) == NTP_UNIX_OFFSET << 32


def test_half_a_second_is_half_the_fraction_field() -> None:
    assert to_timetag(0.5) == (NTP_UNIX_OFFSET << 32) | 2**31


def test_no_time_means_immediately() -> None:
    assert to_timetag(None) == IMMEDIATELY == 1
    assert from_timetag(IMMEDIATELY) is None


def test_a_wall_time_survives_a_timetag_round_trip_to_the_microsecond() -> None:
    when = 1_795_255_530.123456

    assert from_timetag(to_timetag(when)) == pytest.approx(when, abs=1e-6)


# --- bundles ---------------------------------------------------------------------------------


def test_bundle_bytes_are_tag_timetag_then_sized_elements() -> None:
    message = encode_message("/n_free", 1000)

    datagram = encode_bundle([message], at=0.5)

    assert datagram[:8] == b"#bundle\x00"
    assert struct.unpack(">Q", datagram[8:16])[0] == to_timetag(0.5)
    assert struct.unpack(">i", datagram[16:20])[0] == len(message)
    assert datagram[20:] == message


def test_an_immediate_bundle_carries_timetag_one() -> None:
    datagram = encode_bundle([OscMessage("/status")])

    assert struct.unpack(">Q", datagram[8:16])[0] == 1


def test_a_decoded_bundle_has_its_wall_time_and_messages() -> None:
    datagram = encode_bundle([OscMessage("/g_new", 1, 0, 0)], at=1_700_000_000.25)

    bundle = decode(datagram)

    assert isinstance(bundle, OscBundle)
    assert bundle.timestamp == pytest.approx(1_700_000_000.25, abs=1e-6)
    assert bundle.contents == (OscMessage("/g_new", 1, 0, 0),)


def test_a_supriya_bundle_is_encoded_with_our_timetag() -> None:
    bundle = OscBundle(timestamp=12.75, contents=[OscMessage("/n_free", 5)])

    datagram = encode(bundle)

    assert datagram == encode_bundle([encode_message("/n_free", 5)], at=12.75)


@dataclass(frozen=True)
class FreeRequest:
    node_id: int

    def to_osc(self) -> OscMessage:
        return OscMessage("/n_free", self.node_id)


def test_a_request_value_is_encoded_through_its_to_osc() -> None:
    assert encode(FreeRequest(7)) == encode_message("/n_free", 7)


def test_nested_bundles_flatten_to_messages_in_order() -> None:
    inner = encode_bundle([OscMessage("/b"), OscMessage("/c")], at=3.0)
    outer = encode_bundle([OscMessage("/a"), inner, OscMessage("/d")])

    addresses = [m.address for m in decode_messages(outer)]

    assert addresses == ["/a", "/b", "/c", "/d"]


@pytest.mark.parametrize(
    ("datagram", "problem"),
    [
        (b"garbage!", "not an OSC datagram"),
        (b"#bundle\x00\x00", "shorter than its header"),
        (b"#bundle\x00" + bytes(8) + struct.pack(">i", 64) + b"/x\x00\x00", "claims 64 bytes"),
        (b"/s_new\x00\x00,i\x00\x00\x00\x01", "malformed OSC message"),
    ],
)
def test_malformed_datagrams_raise_a_decode_error_naming_the_problem(
    datagram: bytes, problem: str
) -> None:
    with pytest.raises(OscDecodeError, match=problem):
        decode(datagram)


# --- the UDP client against a loopback peer ---------------------------------------------------


@dataclass
class Peer:
    """A bare UDP socket standing in for scsynth's side of the conversation."""

    sock: socket.socket

    @property
    def port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    def receive(self) -> tuple[OscMessage, tuple[str, int]]:
        datagram, sender = self.sock.recvfrom(65_536)
        message = decode(datagram)
        assert isinstance(message, OscMessage)
        return message, sender

    def answer_next(self, *replies: bytes) -> threading.Thread:
        """In the background: wait for one datagram, then send ``replies`` to its sender."""

        def run() -> None:
            _message, sender = self.receive()
            for reply in replies:
                self.sock.sendto(reply, sender)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


@pytest.fixture
def peer() -> Iterator[Peer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5.0)
    try:
        yield Peer(sock)
    finally:
        sock.close()


@pytest.fixture
def client(peer: Peer) -> Iterator[OscClient]:
    osc_client = OscClient("127.0.0.1", peer.port)
    try:
        yield osc_client
    finally:
        osc_client.close()


def test_send_delivers_the_datagram_unchanged(peer: Peer, client: OscClient) -> None:
    client.send(encode_message("/n_free", 1000))

    message, sender = peer.receive()

    assert message == OscMessage("/n_free", 1000)
    assert sender == ("127.0.0.1", client.local_port)


def test_request_returns_the_reply_at_the_awaited_address(peer: Peer, client: OscClient) -> None:
    peer.answer_next(
        encode_message("/n_go", 5, 0, -1, -1, 0),
        encode_message("/status.reply", 1, 0, 0, 1, 0, 0.5, 0.7, 48000.0, 48000.0),
    )

    reply = client.request(OscMessage("/status"), "/status.reply", timeout=2.0)

    assert reply.contents[8] == 48000.0


def test_request_without_reply_times_out_naming_the_address(client: OscClient) -> None:
    with pytest.raises(OscTimeout, match=r"no /status.reply reply to /status"):
        client.request(OscMessage("/status"), "/status.reply", timeout=0.05)


def test_a_fail_for_the_sent_command_raises_command_failed(peer: Peer, client: OscClient) -> None:
    peer.answer_next(encode_message("/fail", "/notify", "too many users"))

    with pytest.raises(OscCommandFailed, match="too many users"):
        client.notify(True, timeout=2.0)


def test_notify_sends_notify_one_and_returns_the_done(peer: Peer, client: OscClient) -> None:
    seen: list[OscMessage] = []

    def answer() -> None:
        message, sender = peer.receive()
        seen.append(message)
        peer.sock.sendto(encode_message("/done", "/notify", 0, 64), sender)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    done = client.notify(True, timeout=2.0)
    thread.join(2.0)

    assert seen == [OscMessage("/notify", 1)]
    assert done == OscMessage("/done", "/notify", 0, 64)


def test_sync_ignores_synced_replies_for_other_ids(peer: Peer, client: OscClient) -> None:
    answered: list[int] = []

    def answer() -> None:
        message, sender = peer.receive()
        sync_id = message.contents[0]
        assert isinstance(sync_id, int)
        peer.sock.sendto(encode_message("/synced", sync_id + 1000), sender)
        peer.sock.sendto(encode_message("/synced", sync_id), sender)
        answered.append(sync_id)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    client.sync(timeout=2.0)
    thread.join(2.0)

    assert len(answered) == 1


def test_handlers_get_messages_for_their_address_only(peer: Peer, client: OscClient) -> None:
    got: list[OscMessage] = []
    arrived = threading.Event()
    client.add_handler("/n_end", lambda m: (got.append(m), arrived.set()))

    peer.sock.sendto(encode_message("/n_go", 1), ("127.0.0.1", client.local_port))
    peer.sock.sendto(encode_message("/n_end", 2), ("127.0.0.1", client.local_port))

    assert arrived.wait(2.0)
    assert got == [OscMessage("/n_end", 2)]


def test_each_message_of_a_bundle_reaches_its_handler(peer: Peer, client: OscClient) -> None:
    values: list[float] = []
    both = threading.Event()

    def on_meter(message: OscMessage) -> None:
        values.append(float(message.contents[2]))  # type: ignore[arg-type]
        if len(values) == 2:
            both.set()

    client.add_handler("/meter", on_meter)
    bundle = encode_bundle([OscMessage("/meter", 1, 0, 0.25), OscMessage("/meter", 1, 0, 0.5)])
    peer.sock.sendto(bundle, ("127.0.0.1", client.local_port))

    assert both.wait(2.0)
    assert values == [0.25, 0.5]


def test_a_failing_handler_does_not_stop_later_deliveries(peer: Peer, client: OscClient) -> None:
    arrived = threading.Event()

    def broken(_message: OscMessage) -> None:
        raise RuntimeError("handler bug")

    client.add_handler("/n_go", broken)
    client.add_handler("/n_end", lambda _m: arrived.set())
    peer.sock.sendto(encode_message("/n_go", 1), ("127.0.0.1", client.local_port))
    peer.sock.sendto(encode_message("/n_end", 1), ("127.0.0.1", client.local_port))

    assert arrived.wait(2.0)


def test_a_removed_handler_is_not_called(client: OscClient) -> None:
    got: list[OscMessage] = []
    remove = client.add_handler("/n_go", got.append)
    remove()

    client.dispatch(encode_message("/n_go", 1))

    assert got == []


def test_an_undecodable_datagram_is_dropped_without_raising(client: OscClient) -> None:
    got: list[OscMessage] = []
    client.add_handler("/n_go", got.append)

    client.dispatch(b"\xff\xfe garbage")
    client.dispatch(encode_message("/n_go", 3))

    assert got == [OscMessage("/n_go", 3)]


def test_a_datagram_over_the_udp_limit_is_refused(client: OscClient) -> None:
    with pytest.raises(OscEncodeError, match="exceeds the UDP limit"):
        client.send(bytes(70_000))


def test_retarget_sends_to_the_new_address(peer: Peer) -> None:
    with OscClient("127.0.0.1", 9) as osc_client:
        osc_client.retarget("127.0.0.1", peer.port)
        osc_client.send_message("/status")

        message, _sender = peer.receive()

    assert message == OscMessage("/status")
