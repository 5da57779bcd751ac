"""How schema 3 (and the version 1 protocol) encoded the large structs: as maps."""

from __future__ import annotations

from typing import Any

import msgspec

from imbolc.core.arrangement import Arrangement, Clip
from imbolc.core.automation import Automation, AutomationLane
from imbolc.core.instrument import Instrument, Instruments
from imbolc.core.mixer import Bus, Mixer
from imbolc.core.notes import PianoRoll, Track
from imbolc.core.project import Project
from imbolc.core.session import Session

MADE_POSITIONAL = (
    Project, Session, Instruments, Instrument, PianoRoll, Track, Arrangement, Clip, Automation,
    AutomationLane, Mixer, Bus,
)  # fmt: skip


def as_maps(value: Any) -> Any:
    """``value`` as builtins, with the structs schema 4 made positional written as maps."""
    if isinstance(value, MADE_POSITIONAL):
        return {name: as_maps(getattr(value, name)) for name in type(value).__struct_fields__}
    if isinstance(value, tuple | list):
        return [as_maps(item) for item in value]
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    return value


def legacy_blob(value: Any) -> bytes:
    """The msgpack bytes schema 3 stored for ``value``."""
    return msgspec.msgpack.encode(as_maps(value))
