"""Backends realize requests: send them to scsynth, write them into a score, or keep them.

The engine above produces the same requests whichever backend it talks to.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from supriya.osc import OscMessage

from imbolc.engine.requests import Request


class Backend(Protocol):
    """Where the engine's requests go."""

    def send(self, requests: Sequence[Request], at: float | None = None) -> None:
        """Execute ``requests`` together: now (``at`` None) or at time ``at`` (``now()``'s
        clock)."""
        ...

    def now(self) -> float:
        """The backend's clock, in seconds."""
        ...


@dataclass
class RecordingBackend:
    """Keeps every request with its time, for tests that assert on the OSC sent."""

    clock: float = 0.0
    sent: list[tuple[float | None, tuple[Request, ...]]] = field(default_factory=list)

    def send(self, requests: Sequence[Request], at: float | None = None) -> None:
        if requests:
            self.sent.append((at, tuple(requests)))

    def now(self) -> float:
        return self.clock

    def requests(self) -> list[Request]:
        """Every request sent, in order."""
        return [request for _at, batch in self.sent for request in batch]

    def messages(self) -> list[OscMessage]:
        """Every request as the OSC message it becomes."""
        return [request.to_osc() for request in self.requests()]

    def clear(self) -> None:
        """Forget what was sent so far."""
        self.sent.clear()


class WallClock:
    """Wall time, the clock scsynth's timetags use."""

    def now(self) -> float:
        return time.time()
