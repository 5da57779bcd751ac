"""Server requests as values: each knows its OSC form (``to_osc``) and nothing else.

One code path builds these; the realtime scsynth backend sends them over UDP, the NRT renderer
writes them into a score, the embedded engine executes them, and the recording backend keeps
them for tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from supriya.osc import OscBundle, OscMessage

Controls = Mapping[str, float | int]


class AddAction(IntEnum):
    """Where a new node goes relative to its target (scsynth's numbering)."""

    HEAD = 0
    TAIL = 1
    BEFORE = 2
    AFTER = 3
    REPLACE = 4


def _flat(controls: Controls) -> list[str | float]:
    out: list[str | float] = []
    for name, value in controls.items():
        out.append(name)
        out.append(float(value))
    return out


@dataclass(frozen=True)
class NewGroup:
    """``/g_new``: a group at a fixed id; ``/p_new`` when ``parallel`` (supernova runs its
    children on several cores; scsynth treats it as ``/g_new``)."""

    node_id: int
    target: int = 0
    action: AddAction = AddAction.TAIL
    parallel: bool = False

    def to_osc(self) -> OscMessage:
        address = "/p_new" if self.parallel else "/g_new"
        return OscMessage(address, self.node_id, int(self.action), self.target)


@dataclass(frozen=True)
class NewSynth:
    """``/s_new``: a synth from a loaded SynthDef with initial controls."""

    synthdef: str
    node_id: int
    target: int
    action: AddAction = AddAction.TAIL
    controls: Controls = field(default_factory=dict)

    def to_osc(self) -> OscMessage:
        return OscMessage(
            "/s_new", self.synthdef, self.node_id, int(self.action), self.target,
            *_flat(self.controls),
        )  # fmt: skip


@dataclass(frozen=True)
class SetControls:
    """``/n_set``: change controls of a running node (one knob turn is one of these)."""

    node_id: int
    controls: Controls

    def to_osc(self) -> OscMessage:
        return OscMessage("/n_set", self.node_id, *_flat(self.controls))


@dataclass(frozen=True)
class MapControl:
    """``/n_map``: read a control from a control bus (-1 unmaps); used for LFO modulation."""

    node_id: int
    control: str
    bus: int

    def to_osc(self) -> OscMessage:
        return OscMessage("/n_map", self.node_id, self.control, self.bus)


@dataclass(frozen=True)
class FreeNode:
    """``/n_free``: remove a node (and a group's children) at once."""

    node_ids: tuple[int, ...]

    def to_osc(self) -> OscMessage:
        return OscMessage("/n_free", *self.node_ids)


@dataclass(frozen=True)
class FreeGroupChildren:
    """``/g_freeAll``: empty a group, keeping the group."""

    group_id: int

    def to_osc(self) -> OscMessage:
        return OscMessage("/g_freeAll", self.group_id)


@dataclass(frozen=True)
class RunNode:
    """``/n_run``: pause (False) or resume (True) a node; bypass uses it."""

    node_id: int
    running: bool

    def to_osc(self) -> OscMessage:
        return OscMessage("/n_run", self.node_id, int(self.running))


@dataclass(frozen=True)
class ReceiveSynthDefs:
    """``/d_recv``: load compiled SynthDefs (SCgf bytes)."""

    data: bytes

    def to_osc(self) -> OscMessage:
        return OscMessage("/d_recv", self.data)


@dataclass(frozen=True)
class AllocBuffer:
    """``/b_alloc``: a buffer of frames × channels."""

    buffer_id: int
    frames: int
    channels: int = 1

    def to_osc(self) -> OscMessage:
        return OscMessage("/b_alloc", self.buffer_id, self.frames, self.channels)


@dataclass(frozen=True)
class GenerateBuffer:
    """``/b_gen``: fill a buffer with a generator command (``sine1`` harmonics with
    ``flags``, or ``PreparePartConv``) and its numeric arguments."""

    buffer_id: int
    command: str
    args: tuple[float, ...]

    def to_osc(self) -> OscMessage:
        return OscMessage("/b_gen", self.buffer_id, self.command, *self.args)


@dataclass(frozen=True)
class ReadBuffer:
    """``/b_allocRead``: load a sound file into a new buffer."""

    buffer_id: int
    path: str

    def to_osc(self) -> OscMessage:
        return OscMessage("/b_allocRead", self.buffer_id, self.path)


@dataclass(frozen=True)
class ReadBufferChannels:
    """``/b_allocReadChannel``: load chosen channels of a whole sound file into a new buffer
    (channels ``(0, 0)`` turn a mono file into the stereo buffer samplers read)."""

    buffer_id: int
    path: str
    channels: tuple[int, ...]
    frames: int = 0
    """Frames read from the start (0: the whole file)."""

    def to_osc(self) -> OscMessage:
        return OscMessage(
            "/b_allocReadChannel", self.buffer_id, self.path, 0, self.frames, *self.channels
        )


@dataclass(frozen=True)
class WriteBuffer:
    """``/b_write``: open a sound file for streaming (leave_open for DiskOut)."""

    buffer_id: int
    path: str
    header: str = "wav"
    sample_format: str = "float"
    leave_open: bool = True

    def to_osc(self) -> OscMessage:
        return OscMessage(
            "/b_write", self.buffer_id, self.path, self.header, self.sample_format, 0, 0,
            int(self.leave_open),
        )  # fmt: skip


@dataclass(frozen=True)
class CloseBuffer:
    """``/b_close``: close a buffer's file."""

    buffer_id: int

    def to_osc(self) -> OscMessage:
        return OscMessage("/b_close", self.buffer_id)


@dataclass(frozen=True)
class ZeroBuffer:
    """``/b_zero``: silence a buffer's samples, keeping its memory."""

    buffer_id: int

    def to_osc(self) -> OscMessage:
        return OscMessage("/b_zero", self.buffer_id)


@dataclass(frozen=True)
class FreeBuffer:
    """``/b_free``."""

    buffer_id: int

    def to_osc(self) -> OscMessage:
        return OscMessage("/b_free", self.buffer_id)


@dataclass(frozen=True)
class SetControlBus:
    """``/c_set``: set control bus values (automation of non-node targets)."""

    bus: int
    value: float

    def to_osc(self) -> OscMessage:
        return OscMessage("/c_set", self.bus, float(self.value))


Request = (
    NewGroup
    | NewSynth
    | SetControls
    | MapControl
    | FreeNode
    | FreeGroupChildren
    | RunNode
    | ReceiveSynthDefs
    | AllocBuffer
    | GenerateBuffer
    | ReadBuffer
    | ReadBufferChannels
    | WriteBuffer
    | CloseBuffer
    | FreeBuffer
    | ZeroBuffer
    | SetControlBus
)


def bundle(time: float | None, requests: Sequence[Request]) -> OscBundle:
    """One OSC bundle of requests executed together at ``time`` (None: immediately)."""
    return OscBundle(timestamp=time, contents=[r.to_osc() for r in requests])
