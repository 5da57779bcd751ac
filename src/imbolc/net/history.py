"""Each client's own undo and redo, kept by the server as references to project units.

A step remembers, for every unit the client's change touched, the value before (the target
of an undo) and the value after (what must still be there). Undo refuses when someone else
has changed one of those units since, so a client never undoes another client's work.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from imbolc.core.project import Project
from imbolc.net.restore import (
    COUNTERS,
    Target,
    UnitKey,
    capture,
    changed_keys,
    describe,
    read,
    same,
)


class Step(NamedTuple):
    """One undoable (or redoable) change: values to restore and values that must be current."""

    label: str
    targets: dict[UnitKey, Target]
    expected: dict[UnitKey, Target]
    coalesce: str | None = None
    at: float = 0.0


class ClientHistory:
    """Bounded undo and redo stacks of one client, with coalescing of knob sweeps."""

    def __init__(self, clock: Callable[[], float], depth: int = 500, window: float = 0.5) -> None:
        self._clock = clock
        self._window = window
        self.undo_stack: deque[Step] = deque(maxlen=depth)
        self.redo_stack: deque[Step] = deque(maxlen=depth)

    def record(self, old: Project, new: Project, label: str, coalesce: str | None) -> bool:
        """Remember a change from ``old`` to ``new``; False when it touched nothing."""
        keys = [key for key in changed_keys(old, new) if key != COUNTERS]
        if not keys:
            return False
        now = self._clock()
        self.redo_stack.clear()
        last = self.undo_stack[-1] if self.undo_stack else None
        if (
            coalesce is not None
            and last is not None
            and last.coalesce == coalesce
            and now - last.at <= self._window
        ):
            targets = {**capture(old, keys), **last.targets}
            expected = {**last.expected, **capture(new, keys)}
            self.undo_stack[-1] = Step(last.label, targets, expected, coalesce, now)
            return True
        step = Step(label, capture(old, keys), capture(new, keys), coalesce, now)
        self.undo_stack.append(step)
        return True

    def conflicts(self, project: Project, step: Step) -> list[str]:
        """The units of ``step`` that someone changed since (empty: safe to apply)."""
        return [
            describe(key)
            for key, target in step.expected.items()
            if not same(read(project, key).value, target.value)
        ]

    def done_undo(self, step: Step, project: Project) -> None:
        """After undoing ``step`` (now ``project``): it becomes redoable."""
        keys = step.targets.keys()
        self.redo_stack.append(Step(step.label, step.expected, capture(project, keys)))

    def done_redo(self, step: Step, project: Project) -> None:
        """After redoing ``step`` (now ``project``): it becomes undoable again."""
        keys = step.targets.keys()
        self.undo_stack.append(Step(step.label, step.expected, capture(project, keys)))

    def summary(self) -> tuple[int, str, int, str]:
        """Undo depth and top label, redo depth and top label."""
        undo = self.undo_stack[-1].label if self.undo_stack else ""
        redo = self.redo_stack[-1].label if self.redo_stack else ""
        return len(self.undo_stack), undo, len(self.redo_stack), redo
