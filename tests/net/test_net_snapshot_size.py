"""Compact snapshots: positional structs, deflated on the msgpack wire; corrupt or oversized
packed snapshots are protocol errors, never a crash or a memory blow-up."""

from __future__ import annotations

import random
import zlib

import msgspec
import pytest

from conftest import project_with
from imbolc.core.automation import Automation, AutomationLane, AutomationPoint, AutomationTarget
from imbolc.core.ids import LaneId
from imbolc.core.notes import Note, PianoRoll, Track
from imbolc.core.project import Project
from imbolc.net.codec import Codec, ProtocolError
from imbolc.net.messages import PackedSnapshot, Snapshot


def big_project() -> Project:
    """64 instruments, 10,000 notes and 32 lanes of 500 points, seeded like the benchmark."""
    rng = random.Random(7)
    project = project_with(64)
    tracks = tuple(
        Track(
            inst.id,
            tuple(
                Note(k * 480, 240, rng.randrange(36, 96), rng.randrange(40, 127))
                for k in range(157)
            ),
        )
        for inst in project.instruments.items
    )
    lanes = tuple(
        AutomationLane(
            LaneId(n + 1),
            AutomationTarget("instrument", 1 + n % 64, "mixer.level"),
            tuple(AutomationPoint(k * 96, rng.random()) for k in range(500)),
        )
        for n in range(32)
    )
    session = msgspec.structs.replace(
        project.session,
        piano_roll=PianoRoll(tracks),
        automation=Automation(lanes, next_lane_id=33),
    )
    return msgspec.structs.replace(project, session=session)


@pytest.fixture(scope="module")
def project() -> Project:
    return big_project()


def test_the_msgpack_snapshot_is_over_three_times_smaller_than_json(project: Project) -> None:
    packed = Codec("msgpack").frame(Codec("msgpack").snapshot(7, project, "join"))
    plain = Codec("json").frame(Codec("json").snapshot(7, project, "join"))
    assert len(plain) / len(packed) >= 3.0, (len(plain), len(packed))


def test_a_packed_snapshot_unpacks_to_the_same_project(project: Project) -> None:
    codec = Codec("msgpack")
    message = codec.decode_server(codec.payload(codec.snapshot(7, project, "join")))
    assert isinstance(message, PackedSnapshot)
    assert codec.unpack(message, 1 << 28) == Snapshot(7, project, "join")


def test_the_json_wire_keeps_the_readable_snapshot(project: Project) -> None:
    assert isinstance(Codec("json").snapshot(7, project, "join"), Snapshot)


def test_corrupt_packed_bytes_are_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="malformed snapshot"):
        Codec().unpack(PackedSnapshot(1, b"\x78\x9cnot deflate at all"), 1 << 20)
    garbage = zlib.compress(b"\xc1\xc1\xc1")
    with pytest.raises(ProtocolError, match="malformed snapshot"):
        Codec().unpack(PackedSnapshot(1, garbage), 1 << 20)


def test_a_snapshot_that_would_inflate_beyond_the_limit_is_refused() -> None:
    bomb = zlib.compress(bytes(50 << 20), 9)  # 50 MiB of zeros in about 50 KiB
    assert len(bomb) < 100_000
    with pytest.raises(ProtocolError, match="beyond the limit"):
        Codec().unpack(PackedSnapshot(1, bomb), 1 << 20)
