"""The embedded server's node tree: groups and synths, ordered as scsynth orders them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from imbolc.engine.embedded.units import Setup, Unit

if TYPE_CHECKING:
    from imbolc.engine.embedded.compiler import Program
    from imbolc.engine.embedded.context import Context


class Node:
    """A node of the tree; ``running`` False pauses it (and a group's children)."""

    def __init__(self, node_id: int) -> None:
        self.id = node_id
        self.parent: Group | None = None
        self.running = True


class Group(Node):
    """An ordered list of child nodes."""

    def __init__(self, node_id: int) -> None:
        super().__init__(node_id)
        self.children: list[Node] = []

    def walk(self) -> list[Node]:
        """This group's nodes depth first, itself excluded."""
        out: list[Node] = []
        for child in self.children:
            out.append(child)
            if isinstance(child, Group):
                out.extend(child.walk())
        return out


class Synth(Node):
    """One running SynthDef: its controls, its units and the per-block state they keep."""

    def __init__(self, node_id: int, program: Program, ctx: Context, offset: int) -> None:
        super().__init__(node_id)
        self.program = program
        self.name = program.name
        self.controls: list[float] = list(program.defaults)
        self.mapped: dict[int, int] = {}
        self.offset = offset
        self.shift = offset if any(slot.name == "OffsetOut" for slot in program.slots) else 0
        """How many samples the synth's own blocks lag the server's (its OffsetOut delay)."""
        self.done_action = -1
        self.quarantined = False
        self.local: dict[str, Any] = {}
        self.prev: list[Any] = [None] * program.ramp_slots
        self.pending: dict[int, tuple[int, float]] = {}
        """Control changes inside this block: index -> (sample of the synth's block, value);
        envelopes release at that sample, every control takes the value after the block."""
        self.units: list[Unit] = []
        for slot in program.slots:
            setup = Setup(ctx, self, slot.name, slot.rate, slot.special, slot.consts,
                          slot.outputs, slot.controls)  # fmt: skip
            self.units.append(slot.cls(setup))
        self.calls = [unit.calc for unit in self.units]

    def set(self, name: str | int, value: float) -> None:
        """Set a control by name or index (unknown names are ignored, as scsynth does)."""
        index = name if isinstance(name, int) else self.program.control_index.get(name)
        if index is not None and 0 <= index < len(self.controls):
            self.controls[index] = float(value)
            self.mapped.pop(index, None)

    def set_at(self, name: str | int, value: float, sample: int) -> None:
        """Set a control ``sample`` samples into the synth's current block."""
        index = name if isinstance(name, int) else self.program.control_index.get(name)
        if index is not None and 0 <= index < len(self.controls):
            self.pending[index] = (sample, float(value))
            self.mapped.pop(index, None)

    def settle(self) -> None:
        """After the block: the controls changed inside it take their new values."""
        for index, (_sample, value) in self.pending.items():
            self.controls[index] = value
        self.pending.clear()

    def map(self, name: str | int, bus: int) -> None:
        """Read a control from control bus ``bus`` every block (-1 unmaps)."""
        index = name if isinstance(name, int) else self.program.control_index.get(name)
        if index is None:
            return
        if bus < 0:
            self.mapped.pop(index, None)
        else:
            self.mapped[index] = bus

    def done(self, action: int) -> None:
        """A unit asks for a done action (the server performs it after this block)."""
        self.done_action = max(self.done_action, action)
