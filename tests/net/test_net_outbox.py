"""Specification of the per-client outbox and its drop policy."""

from __future__ import annotations

from imbolc.net.outbox import Outbox


def outbox(max_commits: int = 4, max_commit_bytes: int = 10_000) -> Outbox:
    return Outbox(max_commits, max_commit_bytes, max_bytes=100_000)


def test_frames_come_out_in_order_across_partial_writes() -> None:
    box = outbox()
    box.push(b"abc", "control")
    box.push(b"defg", "commit")
    written = b""
    while (head := box.head()) is not None:
        chunk = bytes(head[:2])
        written += chunk
        box.advance(len(chunk))
    assert written == b"abcdefg"
    assert box.pending_bytes == 0


def test_only_the_newest_meter_frame_is_kept() -> None:
    box = outbox()
    box.push(b"m1", "meter")
    box.push(b"c1", "control")
    box.push(b"m2", "meter")
    box.push(b"m3", "meter")
    assert box.kinds() == ["control", "meter"]
    assert bytes(box.chunks(100)[-1]) == b"m3"


def test_a_partly_written_frame_is_never_dropped() -> None:
    box = outbox()
    box.push(b"meter-1", "meter")
    box.advance(3)
    box.push(b"meter-2", "meter")
    assert b"".join(bytes(c) for c in box.chunks(100)) == b"er-1meter-2"


def test_control_frames_are_never_dropped() -> None:
    box = outbox(max_commits=2)
    for n in range(10):
        box.push(b"ctl%d" % n, "control")
        box.push(b"commit", "commit")
    assert box.kinds().count("control") == 10


def test_a_commit_backlog_past_the_bound_asks_for_one_snapshot() -> None:
    box = outbox(max_commits=3)
    signals = [box.push(b"commit", "commit") for _ in range(3)]
    assert signals == [None, None, None]
    assert box.push(b"commit", "commit") == "resync"
    assert box.kinds() == []
    assert box.awaiting_snapshot


def test_commits_are_discarded_until_the_snapshot_arrives() -> None:
    box = outbox(max_commits=1)
    box.push(b"c1", "commit")
    box.push(b"c2", "commit")
    box.push(b"c3", "commit")
    box.push(b"snapshot", "snapshot")
    box.push(b"c4", "commit")
    assert box.kinds() == ["snapshot", "commit"]
    assert not box.awaiting_snapshot


def test_a_snapshot_supersedes_unsent_commits_and_older_snapshots() -> None:
    box = outbox()
    box.push(b"control", "control")
    box.push(b"commit", "commit")
    box.push(b"old snapshot", "snapshot")
    box.push(b"commit", "commit")
    box.push(b"new snapshot", "snapshot")
    assert box.kinds() == ["control", "snapshot"]
    assert bytes(box.chunks(100)[-1]) == b"new snapshot"


def test_the_commit_bound_also_counts_bytes() -> None:
    box = outbox(max_commits=100, max_commit_bytes=10)
    assert box.push(b"123456", "commit") is None
    assert box.push(b"123456", "commit") == "resync"


def test_too_many_pending_bytes_overflow() -> None:
    box = Outbox(100, 10_000, max_bytes=10)
    assert box.push(b"12345", "control") is None
    assert box.push(b"123456", "control") == "overflow"
