"""Undo and redo: scoped entries that keep references to the previous subtree.

An entry keeps the instrument, the session or the whole root as it was before a step;
nothing is copied. Edits with the same coalescing key within the window join the step
already on the stack, so a knob sweep undoes in one go.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

import msgspec
from msgspec.structs import replace

from imbolc.core.effects import (
    Change,
    ProjectReplaced,
    RoutingChanged,
    SessionReplaced,
    StripChanged,
    UndoScope,
)
from imbolc.core.instrument import Instrument
from imbolc.core.project import Project
from imbolc.core.session import Session

Clock = Callable[[], float]

MAX_DEPTH = 500
COALESCE_WINDOW = 0.5


class Entry(msgspec.Struct, frozen=True):
    """One undo step: the scope and the subtree as it was before (None: did not exist)."""

    scope: UndoScope
    saved: Instrument | Session | Project | None
    label: str
    coalesce: str | None = None
    at: float = 0.0


def capture(project: Project, scope: UndoScope) -> Instrument | Session | Project | None:
    """The subtree a scope needs, by reference."""
    if scope.kind == "instrument":
        return project.instruments.get(scope.instrument_id)
    if scope.kind == "session":
        return project.session
    return project


def restore(project: Project, entry: Entry) -> tuple[Project, tuple[Change, ...]]:
    """Put an entry's subtree back; returns the root and the changes that implies."""
    scope = entry.scope
    saved = entry.saved
    if scope.kind == "instrument":
        if not isinstance(saved, Instrument):
            raise RuntimeError("an instrument undo entry must hold an instrument")
        ident = scope.instrument_id
        new = replace(project, instruments=project.instruments.replaced(saved))
        return new, (RoutingChanged(ident, "replaced"), StripChanged("instrument", ident))
    if scope.kind == "session":
        if not isinstance(saved, Session):
            raise RuntimeError("a session undo entry must hold a session")
        return replace(project, session=saved), (SessionReplaced(),)
    if not isinstance(saved, Project):
        raise RuntimeError("a full undo entry must hold a project")
    return saved, (ProjectReplaced(),)


class History:
    """Bounded undo and redo stacks with coalescing; the clock is injectable for tests."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        depth: int = MAX_DEPTH,
        window: float = COALESCE_WINDOW,
    ) -> None:
        self._clock = clock
        self._window = window
        self.undo_stack: deque[Entry] = deque(maxlen=depth)
        self.redo_stack: deque[Entry] = deque(maxlen=depth)

    def record(
        self, before: Project, scope: UndoScope, label: str, coalesce: str | None = None
    ) -> None:
        """Remember ``before`` for a step about to change ``scope``; clears redo."""
        now = self._clock()
        self.redo_stack.clear()
        last = self.undo_stack[-1] if self.undo_stack else None
        if (
            coalesce is not None
            and last is not None
            and last.coalesce == coalesce
            and last.scope == scope
            and now - last.at <= self._window
        ):
            # Same gesture: keep the snapshot from before it began, extend the window.
            self.undo_stack[-1] = replace(last, at=now)
            return
        self.undo_stack.append(Entry(scope, capture(before, scope), label, coalesce, now))

    def break_coalescing(self) -> None:
        """End the current gesture: the next edit starts a new step."""
        if self.undo_stack:
            self.undo_stack[-1] = replace(self.undo_stack[-1], coalesce=None)

    @property
    def can_undo(self) -> bool:
        """Whether there is a step to undo."""
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        """Whether there is a step to redo."""
        return bool(self.redo_stack)

    @property
    def undo_label(self) -> str:
        """What undo would take back ("" when nothing)."""
        return self.undo_stack[-1].label if self.undo_stack else ""

    @property
    def redo_label(self) -> str:
        """What redo would do again ("" when nothing)."""
        return self.redo_stack[-1].label if self.redo_stack else ""

    def undo(self, project: Project) -> tuple[Project, tuple[Change, ...]] | None:
        """Undo the last step; its inverse goes to redo. None when there is nothing to undo."""
        return self._swap(project, self.undo_stack, self.redo_stack)

    def redo(self, project: Project) -> tuple[Project, tuple[Change, ...]] | None:
        """Redo the last undone step. None when there is nothing to redo."""
        return self._swap(project, self.redo_stack, self.undo_stack)

    def _swap(
        self, project: Project, source: deque[Entry], target: deque[Entry]
    ) -> tuple[Project, tuple[Change, ...]] | None:
        if not source:
            return None
        entry = source.pop()
        inverse = Entry(entry.scope, capture(project, entry.scope), entry.label)
        target.append(inverse)
        return restore(project, entry)

    def clear(self) -> None:
        """Forget every step (after loading another project)."""
        self.undo_stack.clear()
        self.redo_stack.clear()
