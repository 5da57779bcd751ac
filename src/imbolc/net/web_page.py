"""What the remote page's script must know, taken from the real classes when the page is served.

Messages and actions are positional on the wire, and the project tree may be map or array
encoded: the page gets every field list it reads from here, so it follows the Structs
instead of a second, hand-copied description of them.
"""

from __future__ import annotations

from typing import Any

import msgspec

from imbolc import __version__
from imbolc.core.actions import (
    AddInstrument,
    DeleteInstrument,
    DeleteMeterChange,
    RenameInstrument,
    SetBpm,
    SetInstrumentSource,
    SetMeterChange,
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
    SetMixerSolo,
    SetTimeSignature,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import Strip
from imbolc.core.instrument import Instrument, Instruments, MixerStrip
from imbolc.core.mixer import Mixer
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.session import MusicalSettings, Session
from imbolc.core.timemap import MeterChange, TempoMap
from imbolc.net import messages as m
from imbolc.net.codec import WireName

WIRE_TYPES: tuple[type[msgspec.Struct], ...] = (
    m.Hello, m.Proof, m.Act, m.Claim, m.Release, m.RequestPrivilege, m.TransportCommand,
    m.RequestSnapshot, m.Ping, m.Pong, m.Goodbye, m.Challenge, m.Welcome, m.Refused,
    m.Snapshot, m.PackedSnapshot, m.Commits, m.CommitRecord, m.StateHash, m.Meter, m.Peak,
    m.Peer, m.Peers,
    m.Rejected, m.Accepted, m.HistoryState, m.Notice, m.Error,
    SetMixerLevel, SetMixerPan, SetMixerMute, SetMixerSolo, SetBpm, Strip,
)  # fmt: skip
"""Every message, action and leaf the page builds or reads."""
TREE_TYPES: tuple[type[msgspec.Struct], ...] = (
    Project, Instruments, Instrument, MixerStrip, Session, MusicalSettings, Mixer,
    TempoMap, MeterChange,
)  # fmt: skip
"""The project nodes the page walks from a snapshot to the strips, the tempo and the meters."""
APPLIED: tuple[type[Action], ...] = (SetMixerLevel, SetMixerPan, SetMixerMute, SetMixerSolo, SetBpm)
"""Commits the page applies to its view itself."""
RELOADED: tuple[type[Action], ...] = (
    AddInstrument, DeleteInstrument, RenameInstrument, SetInstrumentSource,
    SetTimeSignature, SetMeterChange, DeleteMeterChange,
)  # fmt: skip
"""Commits that change the instrument list the page shows: it asks for one snapshot. Every
other action leaves the page's view as it was (a test checks), so it is ignored; an undo or
redo (a ``Restore``) also brings a snapshot."""


def _fields(cls: type[msgspec.Struct]) -> list[str]:
    return [field.name for field in msgspec.structs.fields(cls)]


def page_config(wire: WireName) -> dict[str, Any]:
    """Versions, wire format and field orders, as the page's script reads them."""
    return {
        "app_version": __version__,
        "protocol": m.PROTOCOL_VERSION,
        "wire": wire,
        "ticks_per_beat": TICKS_PER_BEAT,
        "messages": {cls.__name__: _fields(cls) for cls in WIRE_TYPES},
        "tree": {cls.__name__: _fields(cls) for cls in TREE_TYPES},
        "reloaded": [cls.__name__ for cls in RELOADED],
    }
