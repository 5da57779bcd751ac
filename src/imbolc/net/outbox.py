"""One client's queue of frames waiting to be written, with the drop policy.

- meter: only the newest unsent meter frame is kept;
- commit (commit batches and state hashes): kept in order, but once the unsent backlog
  passes a bound it is dropped and the outbox asks for one snapshot instead;
- snapshot: drops every unsent commit and older snapshot queued before it;
- control: never dropped.

A frame already partly written is never dropped. Pure data: the writer thread drives it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Literal

FrameKind = Literal["control", "commit", "snapshot", "meter"]
Signal = Literal["resync", "overflow"]


class _Queued:
    __slots__ = ("data", "kind")

    def __init__(self, data: bytes, kind: FrameKind) -> None:
        self.data = data
        self.kind = kind


class Outbox:
    """Frames for one client; ``push`` applies the drop policy and may raise a signal."""

    def __init__(self, max_commits: int, max_commit_bytes: int, max_bytes: int) -> None:
        self.max_commits = max_commits
        self.max_commit_bytes = max_commit_bytes
        self.max_bytes = max_bytes
        self._frames: deque[_Queued] = deque()
        self._offset = 0
        """Bytes of the head frame already written."""
        self._commits = 0
        self._commit_bytes = 0
        self._bytes = 0
        self.awaiting_snapshot = False
        """The backlog was dropped; commits are discarded until a snapshot arrives."""
        self.dropped = 0
        """Frames dropped so far (for tests and statistics)."""

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def pending_bytes(self) -> int:
        """Bytes still to write."""
        return self._bytes - self._offset

    def kinds(self) -> list[FrameKind]:
        """The kinds of the queued frames, head first."""
        return [frame.kind for frame in self._frames]

    def push(self, data: bytes, kind: FrameKind) -> Signal | None:
        """Queue a frame; "resync" asks for a snapshot, "overflow" for suspension."""
        signal: Signal | None = None
        if kind == "meter":
            self._drop(lambda frame: frame.kind == "meter")
        elif kind == "snapshot":
            self._drop(lambda frame: frame.kind in ("commit", "snapshot"))
            self.awaiting_snapshot = False
        elif kind == "commit":
            if self.awaiting_snapshot:
                self.dropped += 1
                return None
            if (
                self._commits + 1 > self.max_commits
                or self._commit_bytes + len(data) > self.max_commit_bytes
            ):
                self._drop(lambda frame: frame.kind == "commit")
                self.awaiting_snapshot = True
                self.dropped += 1
                return "resync"
        self._append(_Queued(data, kind))
        if self.pending_bytes > self.max_bytes:
            signal = "overflow"
        return signal

    def _append(self, frame: _Queued) -> None:
        self._frames.append(frame)
        self._count(frame, 1)

    def _count(self, frame: _Queued, sign: int) -> None:
        size = len(frame.data)
        self._bytes += sign * size
        if frame.kind == "commit":
            self._commits += sign
            self._commit_bytes += sign * size

    def _drop(self, unwanted: Callable[[_Queued], bool]) -> None:
        """Remove the unstarted frames that ``unwanted`` selects."""
        if not self._frames:
            return
        kept: deque[_Queued] = deque()
        for index, frame in enumerate(self._frames):
            started = index == 0 and self._offset > 0
            if not started and unwanted(frame):
                self._count(frame, -1)
                self.dropped += 1
            else:
                kept.append(frame)
        self._frames = kept

    def head(self) -> memoryview | None:
        """The unwritten part of the first frame, or None when empty."""
        if not self._frames:
            return None
        return memoryview(self._frames[0].data)[self._offset :]

    def chunks(self, limit: int) -> list[memoryview]:
        """The unwritten bytes of the first frames, about ``limit`` in all, for one writev."""
        out: list[memoryview] = []
        total = 0
        for index, frame in enumerate(self._frames):
            view = memoryview(frame.data)
            if index == 0:
                view = view[self._offset :]
            out.append(view)
            total += len(view)
            if total >= limit:
                break
        return out

    def advance(self, written: int) -> None:
        """Record that ``written`` bytes of the head were sent."""
        while written > 0 and self._frames:
            frame = self._frames[0]
            left = len(frame.data) - self._offset
            if written < left:
                self._offset += written
                return
            written -= left
            self._frames.popleft()
            self._count(frame, -1)
            self._offset = 0
