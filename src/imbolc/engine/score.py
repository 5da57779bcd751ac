"""The non-realtime backend: requests collected at score times and written as an NRT score."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from imbolc.engine.layout import CONTROL_BUS_COUNT
from imbolc.engine.requests import Request, SetControlBus

BUNDLE_TAG = b"#bundle\x00"


def nrt_bundle(time: float, requests: Sequence[Request]) -> bytes:
    """An OSC bundle whose timetag is ``time`` seconds from the start of the score."""
    parts = [BUNDLE_TAG, struct.pack(">Q", round(max(0.0, time) * 2**32))]
    for request in requests:
        datagram = request.to_osc().to_datagram()
        parts.append(struct.pack(">i", len(datagram)))
        parts.append(datagram)
    return b"".join(parts)


@dataclass
class ScoreBackend:
    """Collects requests at score times; ``now`` is the time the renderer has reached."""

    clock: float = 0.0
    entries: list[tuple[float, int, tuple[Request, ...]]] = field(default_factory=list)

    def send(self, requests: Sequence[Request], at: float | None = None) -> None:
        if requests:
            when = self.clock if at is None else at
            self.entries.append((when, len(self.entries), tuple(requests)))

    def now(self) -> float:
        return self.clock

    def write(self, path: Path, end: float) -> int:
        """Write the score (in time order) ending with a no-op at ``end``; returns bundles."""
        entries = sorted(self.entries, key=lambda entry: (entry[0], entry[1]))
        with path.open("wb") as out:
            for when, _order, requests in entries:
                data = nrt_bundle(when, requests)
                out.write(struct.pack(">i", len(data)))
                out.write(data)
            # The score ends with its last bundle: a harmless write to an unused control bus.
            closing = nrt_bundle(end, [SetControlBus(CONTROL_BUS_COUNT - 1, 0.0)])
            out.write(struct.pack(">i", len(closing)))
            out.write(closing)
        return len(entries) + 1
