"""The base of every interpreted UGen and the registry that maps UGen names to them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from imbolc.engine.embedded.context import Context, Signal

if TYPE_CHECKING:
    from imbolc.engine.embedded.nodes import Synth

SCALAR, CONTROL, AUDIO, DEMAND = 0, 1, 2, 3


@dataclass(frozen=True)
class Setup:
    """What a unit knows when its synth is created."""

    ctx: Context
    synth: Synth
    name: str
    rate: int
    special: int
    consts: tuple[float | None, ...]
    outputs: int
    controls: tuple[int | None, ...] = ()
    """For each input: the index of the control it reads directly (None: anything else)."""


class Unit(ABC):
    """One UGen inside one synth: ``calc`` takes this block's inputs and returns its
    output (a tuple for several outputs)."""

    def __init__(self, setup: Setup) -> None:
        self.ctx = setup.ctx
        self.synth = setup.synth
        self.audio = setup.rate == AUDIO
        self.setup = setup

    def const(self, index: int, default: float = 0.0) -> float:
        """An input that is a constant in the graph (``default`` when it is not)."""
        value = self.setup.consts[index] if index < len(self.setup.consts) else None
        return default if value is None else value

    @abstractmethod
    def calc(self, *inputs: Signal) -> Any:
        """This UGen's output for one block, from its inputs' signals."""


UNITS: dict[str, type[Unit]] = {}


def register(*names: str) -> Callable[[type[Unit]], type[Unit]]:
    """Class decorator: this class interprets the UGens ``names``."""

    def add(cls: type[Unit]) -> type[Unit]:
        for name in names:
            UNITS[name] = cls
        return cls

    return add
