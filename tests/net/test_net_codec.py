"""Specification of framing and the codecs: sizes, limits, round trips, both wire formats."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pytest

from imbolc.core.actions import AddNote, SetBpm, SetMixerLevel, instrument_strip
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project
from imbolc.core.session import MusicalSettings
from imbolc.net.codec import (
    Codec,
    FrameReader,
    FrameTooLarge,
    NetError,
    ProtocolError,
    sniff_wire,
    state_digest,
)
from imbolc.net.messages import (
    PROTOCOL_VERSION,
    Accepted,
    Act,
    ActBatch,
    ActIn,
    Challenge,
    Claim,
    CommitRecord,
    Commits,
    Error,
    Goodbye,
    HandOver,
    Hello,
    HistoryState,
    Meter,
    Notice,
    Peak,
    Peer,
    Peers,
    Ping,
    Pong,
    Proof,
    Redo,
    Refused,
    Rejected,
    Release,
    ReleasePrivilege,
    RequestPrivilege,
    RequestSnapshot,
    Save,
    Shutdown,
    Snapshot,
    StateHash,
    TransportCommand,
    Undo,
    Welcome,
)
from imbolc.net.restore import InstrumentSlot, Restore, SettingsValue, TrackEdit

WIRES = ["msgpack", "json"]

CLIENT_MESSAGES = [
    Hello(PROTOCOL_VERSION, "0.1.0", "ana", (1, 2), True, "token", b"n" * 32),
    Proof(b"m" * 32),
    Undo(3),
    Redo(4),
    Claim(5, (1, 2)),
    Release(6, (2,)),
    RequestPrivilege(7, True),
    HandOver(8, 2),
    ReleasePrivilege(9),
    TransportCommand(10, "seek", 960.0),
    Save(11),
    Shutdown(12),
    RequestSnapshot("gap"),
    Ping(1),
    Pong(1),
    Goodbye("bye"),
]


def server_messages(project: Project) -> list[object]:
    restore = Restore(
        "undo",
        "AddNote",
        (
            TrackEdit(1, ((0, 60),), (Note(480, 240, 62),)),
            SettingsValue(MusicalSettings(bpm=99.0)),
            InstrumentSlot(2, 1, None),
        ),
    )
    return [
        Challenge(b"c" * 32, b"p" * 32),
        Welcome(1, "tok", "studio", "0.1.0", 1, False, 0, 64, (1,), True, ("no",)),
        Refused("wrong secret"),
        Snapshot(5, project, "join"),
        Commits((CommitRecord(6, 1, 3, AddNote(1, 0, 240, 60)), CommitRecord(7, 0, 0, restore))),
        StateHash(64, b"d" * 16),
        Meter(True, 960.5, 120.0, (0.5, 0.4), (Peak(1, 0.1, 0.2),)),
        Peers((Peer(1, "ana", (1,), True),), 1),
        Rejected(3, "not yours"),
        Accepted(4, "ok"),
        HistoryState(2, "AddNote", 0, ""),
        Notice("hi"),
        Error("bad frame"),
        Ping(2),
        Pong(2),
        Goodbye("stopping"),
    ]


def payload(codec: Codec, message: object) -> bytes:
    frame = codec.frame(message)
    return frame[4:]


# --- framing ------------------------------------------------------------------------------


def test_a_frame_is_a_big_endian_length_followed_by_the_payload() -> None:
    codec = Codec()
    frame = codec.frame(Ping(7))
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    assert frame[4:] == msgspec.msgpack.encode(Ping(7))


def test_the_reader_reassembles_frames_fed_one_byte_at_a_time() -> None:
    codec = Codec()
    stream = codec.frame(Ping(1)) + codec.frame(Goodbye("x")) + codec.frame(Ping(2))
    reader = FrameReader(1024)
    payloads: list[bytes] = []
    for byte in stream:
        payloads += reader.feed(bytes([byte]))
    assert [codec.decode_server(p) for p in payloads] == [Ping(1), Goodbye("x"), Ping(2)]
    assert reader.buffered == 0


def test_an_oversized_frame_is_refused_from_its_header_alone() -> None:
    reader = FrameReader(limit=100)
    with pytest.raises(FrameTooLarge, match="101 bytes exceeds the limit of 100"):
        reader.feed((101).to_bytes(4, "big"))


def test_a_frame_exactly_at_the_limit_is_accepted() -> None:
    reader = FrameReader(limit=5)
    assert reader.feed((5).to_bytes(4, "big") + b"12345") == [b"12345"]


def test_an_unknown_wire_format_is_refused_by_name() -> None:
    with pytest.raises(NetError, match="unknown wire format 'xml'"):
        Codec("xml")  # type: ignore[arg-type]


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("message", CLIENT_MESSAGES, ids=lambda m: type(m).__name__)
def test_every_client_message_round_trips(wire: str, message: object) -> None:
    codec = Codec(wire)  # type: ignore[arg-type]
    assert codec.decode_client(payload(codec, message)) == message


@pytest.mark.parametrize("wire", WIRES)
def test_every_server_message_round_trips(
    wire: str, make_project: Callable[[int], Project]
) -> None:
    codec = Codec(wire)  # type: ignore[arg-type]
    for message in server_messages(make_project(2)):
        assert codec.decode_server(payload(codec, message)) == message


@pytest.mark.parametrize("wire", WIRES)
def test_the_server_reads_actions_raw_and_decodes_them_in_a_second_step(wire: str) -> None:
    codec = Codec(wire)  # type: ignore[arg-type]
    action = SetMixerLevel(instrument_strip(2), 0.5)
    inbound = codec.decode_client(payload(codec, Act(9, action)))
    assert isinstance(inbound, ActIn)
    assert inbound.seq == 9
    assert codec.decode_action(inbound.action) == action


def test_a_batch_keeps_its_actions_in_order() -> None:
    codec = Codec()
    batch = ActBatch(3, "paste", (AddNote(1, 0, 10, 60), SetBpm(90.0)))
    inbound = codec.decode_client(payload(codec, batch))
    assert [codec.decode_action(raw) for raw in inbound.actions] == list(batch.actions)


@pytest.mark.parametrize("wire", WIRES)
def test_a_malformed_payload_is_a_protocol_error_naming_what_is_wrong(wire: str) -> None:
    codec = Codec(wire)  # type: ignore[arg-type]
    bad = b'["Undo","three"]' if wire == "json" else msgspec.msgpack.encode(["Undo", "three"])
    with pytest.raises(ProtocolError, match="malformed client message: Expected `int`"):
        codec.decode_client(bad)


def test_an_unknown_action_fails_only_the_action_decode() -> None:
    codec = Codec()
    inbound = codec.decode_client(msgspec.msgpack.encode(["Act", 1, ["LaunchMissiles", 3]]))
    with pytest.raises(ProtocolError, match="malformed action: Invalid value 'LaunchMissiles'"):
        codec.decode_action(inbound.action)


# --- sizes --------------------------------------------------------------------------------


def test_a_one_note_commit_costs_under_64_bytes_of_payload() -> None:
    record = CommitRecord(1_000_000, 17, 50_000, AddNote(12, 1_843_200, 240, 64, 100))
    size = len(Codec().payload(Commits((record,))))
    assert size < 64


def test_a_one_note_edit_is_thousands_of_times_smaller_than_the_piano_roll() -> None:
    notes = tuple(Note(tick * 120, 240, 36 + tick % 60) for tick in range(10_000))
    roll = msgspec.msgpack.encode(Track(1, notes))
    edit = Codec().payload(Commits((CommitRecord(9, 1, 9, AddNote(1, 0, 240, 61)),)))
    assert len(roll) / len(edit) > 1000


# --- sniffing and hashing -----------------------------------------------------------------


def test_sniffing_tells_json_from_msgpack_by_the_first_byte() -> None:
    assert sniff_wire(Codec("json").payload(Ping(1))) == "json"
    assert sniff_wire(Codec("msgpack").payload(Ping(1))) == "msgpack"
    assert sniff_wire(b"GET / HTTP/1.1") is None


def test_equal_projects_have_equal_digests_and_any_change_alters_it(
    make_project: Callable[[int], Project],
) -> None:
    project = make_project(2)
    copy = msgspec.msgpack.decode(msgspec.msgpack.encode(project), type=Project)
    assert state_digest(copy) == state_digest(project)
    changed = msgspec.structs.replace(
        project, session=msgspec.structs.replace(project.session, click=project.session.click)
    )
    assert state_digest(changed) == state_digest(project)
    moved = msgspec.structs.replace(
        project,
        session=msgspec.structs.replace(
            project.session,
            settings=msgspec.structs.replace(project.session.settings, bpm=121.0),
        ),
    )
    assert state_digest(moved) != state_digest(project)
    assert len(state_digest(project)) == 16
