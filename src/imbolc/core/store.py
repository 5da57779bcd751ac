"""The single writer: dispatch → apply → history → notify.

Only the thread that created the store may change it; every other part of imbolc reads the
state by reference (it is immutable) and learns of changes from the commits it is sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, NamedTuple

from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.effects import Change, Effects, ProjectReplaced, UndoScope, widest
from imbolc.core.errors import ImbolcError
from imbolc.core.history import Clock, History
from imbolc.core.project import Project

Reason = Literal["action", "undo", "redo", "load", "rollback"]


class Commit(NamedTuple):
    """What subscribers receive after every change of the state."""

    old: Project
    new: Project
    action: Action | None
    effects: Effects
    reason: Reason = "action"


Subscriber = Callable[[Commit], None]


class WrongThread(ImbolcError):
    """The store was changed from a thread that does not own it."""


class _Transaction:
    def __init__(self, before: Project, label: str) -> None:
        self.before = before
        self.label = label
        self.scope: UndoScope | None = None


class Store:
    """Owns the current project, applies actions, records undo and notifies subscribers."""

    def __init__(self, project: Project | None = None, clock: Clock = time.monotonic) -> None:
        self._state = project if project is not None else Project()
        self.history = History(clock)
        self._subscribers: list[Subscriber] = []
        self._owner = threading.get_ident()
        self._transaction: _Transaction | None = None
        self.revision = 0
        """Counts every change of the state (actions, undo, redo, loads)."""

    @property
    def state(self) -> Project:
        """The current project (immutable; keep the reference as a snapshot)."""
        return self._state

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber`` after every change; returns a function that unsubscribes."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise WrongThread("the store may only be changed from the thread that owns it")

    def _commit(self, commit: Commit) -> None:
        self._state = commit.new
        self.revision += 1
        for subscriber in tuple(self._subscribers):
            subscriber(commit)

    def dispatch(self, action: Action) -> Effects:
        """Apply ``action``; on error raise and leave the state and history untouched."""
        self._check_thread()
        old = self._state
        new, effects = apply(old, action)
        if effects.undo is not None:
            txn = self._transaction
            if txn is None:
                self.history.record(old, effects.undo, type(action).__name__, effects.coalesce)
            else:
                txn.scope = effects.undo if txn.scope is None else widest(txn.scope, effects.undo)
        self._commit(Commit(old, new, action, effects))
        return effects

    @contextmanager
    def transaction(self, label: str = "edit") -> Iterator[None]:
        """Group every dispatch inside into one undo step; an error rolls them all back."""
        self._check_thread()
        if self._transaction is not None:
            yield  # nested: the outer transaction owns the step
            return
        txn = _Transaction(self._state, label)
        self._transaction = txn
        try:
            yield
        except BaseException:
            self._transaction = None
            if self._state is not txn.before:
                rollback = Effects((ProjectReplaced(),), None)
                self._commit(Commit(self._state, txn.before, None, rollback, "rollback"))
            raise
        self._transaction = None
        if txn.scope is not None:
            self.history.record(txn.before, txn.scope, label)
            self.history.break_coalescing()

    def _step(self, result: tuple[Project, tuple[Change, ...]] | None, reason: Reason) -> bool:
        if result is None:
            return False
        new, changes = result
        self._commit(Commit(self._state, new, None, Effects(changes, None), reason))
        return True

    def undo(self) -> bool:
        """Undo the last step; False when there is nothing to undo."""
        self._check_thread()
        return self._step(self.history.undo(self._state), "undo")

    def redo(self) -> bool:
        """Redo the last undone step; False when there is nothing to redo."""
        self._check_thread()
        return self._step(self.history.redo(self._state), "redo")

    def publish(self, commit: Commit) -> None:
        """Make a state computed outside ``apply`` current (a network client's undo) and
        notify subscribers. The caller vouches that ``commit.new`` follows ``commit.old``;
        nothing is recorded in this store's own history."""
        self._check_thread()
        if commit.old is not self._state:
            raise ImbolcError("a published commit must start from the current state")
        self._commit(commit)

    def load(self, project: Project) -> None:
        """Replace the whole project (open, recover); history starts afresh."""
        self._check_thread()
        self.history.clear()
        effects = Effects((ProjectReplaced(),), None)
        self._commit(Commit(self._state, project, None, effects, "load"))
