"""Buses and the master: the mix beyond each instrument's own strip."""

from __future__ import annotations

import msgspec

from imbolc.core.ids import BusId
from imbolc.core.indexed import position_index, remember_index, replace_at
from imbolc.core.instrument import EffectStage

DEFAULT_BUS_COUNT = 8
MAX_BUSES = 32


class Bus(msgspec.Struct, frozen=True, array_like=True):
    """A bus: sends arrive here, pass its effect chain and go to master."""

    id: BusId
    name: str
    level: float = 0.8
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    effects: tuple[EffectStage, ...] = ()
    next_stage_id: int = 1

    def effect_position(self, stage_id: int) -> int | None:
        """Where effect ``stage_id`` sits in the bus chain, if it is there."""
        for pos, stage in enumerate(self.effects):
            if stage.id == stage_id:
                return pos
        return None


def default_buses(count: int = DEFAULT_BUS_COUNT) -> tuple[Bus, ...]:
    """Buses 1..count named "Bus N"."""
    return tuple(Bus(BusId(n), f"Bus {n}") for n in range(1, count + 1))


class Mixer(msgspec.Struct, frozen=True, weakref=True, array_like=True):
    """Buses (8 by default, at most 32) and the master level and mute."""

    buses: tuple[Bus, ...] = default_buses()
    master_level: float = 1.0
    master_mute: bool = False

    def _index(self) -> dict[int, int]:
        return position_index(self, self.buses, lambda bus: bus.id)

    def bus(self, bus_id: int) -> Bus | None:
        """The bus with this id, or None."""
        pos = self._index().get(bus_id)
        return None if pos is None else self.buses[pos]

    def replaced(self, bus: Bus) -> Mixer:
        """A mixer with ``bus`` replacing the bus of the same id."""
        index = self._index()
        new = msgspec.structs.replace(self, buses=replace_at(self.buses, index[bus.id], bus))
        remember_index(new, index)
        return new

    def next_bus_id(self) -> BusId:
        """The lowest unused bus id (ids are 1-based)."""
        used = {bus.id for bus in self.buses}
        n = 1
        while n in used:
            n += 1
        return BusId(n)

    def any_solo(self) -> bool:
        """Whether any bus is soloed."""
        return any(bus.solo for bus in self.buses)
