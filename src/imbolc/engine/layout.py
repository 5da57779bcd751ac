"""The fixed shape of the server graph, and the allocators for node ids and buses.

Execution order, top to bottom (each a group at a fixed id under the root):

    sources (voices) → processing (chains) → outputs (strips, sends) → buses → master → record

Within ``processing`` and ``outputs`` each instrument has its own group, so one instrument can
be rebuilt without touching any other; a voice group per instrument lets one ``/n_set`` reach
every sounding voice.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

SOURCES_GROUP = 100
PROCESSING_GROUP = 200
OUTPUTS_GROUP = 300
BUSES_GROUP = 350
MASTER_GROUP = 900
RECORD_GROUP = 950
FIXED_GROUPS = (
    SOURCES_GROUP,
    PROCESSING_GROUP,
    OUTPUTS_GROUP,
    BUSES_GROUP,
    MASTER_GROUP,
    RECORD_GROUP,
)

MASTER_BUS = 0
FIRST_PRIVATE_AUDIO_BUS = 16
FIRST_NODE_ID = 1000
AUDIO_BUS_COUNT = 1024
CONTROL_BUS_COUNT = 16384


class NodeIds:
    """Node ids for everything the engine creates; never reused within one server run."""

    def __init__(self, first: int = FIRST_NODE_ID) -> None:
        self._counter = itertools.count(first)

    def __call__(self) -> int:
        return next(self._counter)


class BusAllocator:
    """Buses cached per (owner, role): add or delete an instrument and the others keep theirs."""

    def __init__(self, first: int, count: int) -> None:
        self._first = first
        self._end = count
        self._next = first
        self._free: dict[int, list[int]] = {}
        self._owned: dict[tuple[object, str], tuple[int, int]] = {}

    def get(self, owner: object, role: str, channels: int = 2) -> int:
        """The first bus index of ``owner``'s ``role``; allocated on first use."""
        key = (owner, role)
        hit = self._owned.get(key)
        if hit is not None and hit[1] == channels:
            return hit[0]
        if hit is not None:
            self.release(owner, role)
        pool = self._free.get(channels)
        if pool:
            index = pool.pop()
        else:
            if self._next + channels > self._end:
                raise RuntimeError("out of server buses")
            index = self._next
            self._next += channels
        self._owned[key] = (index, channels)
        return index

    def release(self, owner: object, role: str) -> None:
        """Give ``owner``'s ``role`` bus back for reuse."""
        hit = self._owned.pop((owner, role), None)
        if hit is not None:
            self._free.setdefault(hit[1], []).append(hit[0])

    def release_owner(self, owner: object) -> None:
        """Give back every bus of ``owner``."""
        for key in [k for k in self._owned if k[0] == owner]:
            self.release(*key)

    def reset(self) -> None:
        """Forget every allocation (after a server restart)."""
        self._next = self._first
        self._free.clear()
        self._owned.clear()


@dataclass
class Allocation:
    """Everything allocated on one server run."""

    nodes: NodeIds
    audio: BusAllocator
    control: BusAllocator

    @classmethod
    def fresh(cls, first_private_bus: int = FIRST_PRIVATE_AUDIO_BUS) -> Allocation:
        """New allocators for a freshly booted server; private audio buses start after the
        hardware outputs and inputs (``first_private_bus``)."""
        return cls(
            NodeIds(),
            BusAllocator(first_private_bus, AUDIO_BUS_COUNT),
            BusAllocator(0, CONTROL_BUS_COUNT),
        )


FIRST_SAMPLE_BUFFER = 1000
SAMPLE_BUFFER_END = 8192
"""The engine starts scsynth with ``-b 8192``: sample buffers are 1000..8191."""


class SampleBuffers:
    """One buffer per distinct sample file, shared by every owner (kit) that plays it; a
    buffer is given back when its last owner stops using the file."""

    def __init__(self, first: int = FIRST_SAMPLE_BUFFER, end: int = SAMPLE_BUFFER_END) -> None:
        self._next = first
        self._end = end
        self._free: list[int] = []
        self._buffers: dict[str, int] = {}
        self._users: dict[str, set[object]] = {}
        self._uses: dict[object, frozenset[str]] = {}

    def buffer(self, path: str) -> int | None:
        """The buffer holding ``path``, if it is loaded."""
        return self._buffers.get(path)

    def use(
        self, owner: object, paths: frozenset[str]
    ) -> tuple[list[tuple[str, int]], list[int], list[str]]:
        """``owner`` now plays exactly ``paths``: returns the (path, buffer) pairs to read,
        the buffers to free, and the paths left out because every buffer is taken."""
        before = self._uses.get(owner, frozenset())
        added: list[tuple[str, int]] = []
        refused: list[str] = []
        kept: set[str] = set()
        for path in sorted(paths):
            if path not in self._buffers:
                if not self._free and self._next >= self._end:
                    refused.append(path)
                    continue
                number = self._free.pop() if self._free else self._take()
                self._buffers[path] = number
                added.append((path, number))
            self._users.setdefault(path, set()).add(owner)
            kept.add(path)
        freed: list[int] = []
        for path in before - kept:
            users = self._users.get(path, set())
            users.discard(owner)
            if not users:
                self._users.pop(path, None)
                number = self._buffers.pop(path)
                self._free.append(number)
                freed.append(number)
        if kept:
            self._uses[owner] = frozenset(kept)
        else:
            self._uses.pop(owner, None)
        return added, freed, refused

    def _take(self) -> int:
        number = self._next
        self._next += 1
        return number
