"""Actions on mixer strips, sends and buses."""

from __future__ import annotations

import msgspec

from imbolc.core.actions.base import Action
from imbolc.core.effects import StripKind
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.instrument import SendTap


class Strip(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Which strip a mixer action addresses: an instrument, a bus, or the master."""

    kind: StripKind
    id: int = 0


MASTER = Strip("master")


def instrument_strip(instrument_id: int) -> Strip:
    """The strip of one instrument."""
    return Strip("instrument", instrument_id)


def bus_strip(bus_id: int) -> Strip:
    """The strip of one bus."""
    return Strip("bus", bus_id)


class SetMixerLevel(Action, frozen=True):
    """Set a strip's level (0..1.5, linear gain)."""

    strip: Strip
    level: float


class SetMixerPan(Action, frozen=True):
    """Set a strip's pan (-1 left .. 1 right); the master has no pan."""

    strip: Strip
    pan: float


class SetMixerMute(Action, frozen=True):
    """Mute or unmute a strip."""

    strip: Strip
    mute: bool


class SetMixerSolo(Action, frozen=True):
    """Solo or unsolo an instrument or bus strip."""

    strip: Strip
    solo: bool


class SetOutput(Action, frozen=True):
    """Route an instrument to a bus, or to master with None."""

    instrument_id: InstrumentId
    bus_id: BusId | None


class SetSendLevel(Action, frozen=True):
    """Set the level of an instrument's send to a bus (creates the send if needed)."""

    instrument_id: InstrumentId
    bus_id: BusId
    level: float


class SetSendEnabled(Action, frozen=True):
    """Switch an instrument's send to a bus on or off."""

    instrument_id: InstrumentId
    bus_id: BusId
    enabled: bool


class SetSendTap(Action, frozen=True):
    """Tap a send before ("pre") or after ("post") the processing chain."""

    instrument_id: InstrumentId
    bus_id: BusId
    tap: SendTap


class AddBus(Action, frozen=True):
    """Add a bus (at most 32)."""

    name: str = ""


class RemoveBus(Action, frozen=True):
    """Remove a bus; sends to it are disabled and outputs to it fall back to master."""

    bus_id: BusId


class RenameBus(Action, frozen=True):
    """Give a bus a new name."""

    bus_id: BusId
    name: str


class AddBusEffect(Action, frozen=True):
    """Insert an effect in a bus chain (-1: at the end)."""

    bus_id: BusId
    effect_type: str
    position: int = -1


class RemoveBusEffect(Action, frozen=True):
    """Remove an effect from a bus chain."""

    bus_id: BusId
    stage_id: StageId


class MoveBusEffect(Action, frozen=True):
    """Move an effect within a bus chain."""

    bus_id: BusId
    stage_id: StageId
    position: int


class SetBusEffectEnabled(Action, frozen=True):
    """Bypass or enable a bus effect."""

    bus_id: BusId
    stage_id: StageId
    enabled: bool


class SetBusEffectParam(Action, frozen=True):
    """Set one parameter of a bus effect."""

    bus_id: BusId
    stage_id: StageId
    name: str
    value: float


ACTIONS: tuple[type[Action], ...] = (
    SetMixerLevel,
    SetMixerPan,
    SetMixerMute,
    SetMixerSolo,
    SetOutput,
    SetSendLevel,
    SetSendEnabled,
    SetSendTap,
    AddBus,
    RemoveBus,
    RenameBus,
    AddBusEffect,
    RemoveBusEffect,
    MoveBusEffect,
    SetBusEffectEnabled,
    SetBusEffectParam,
)
