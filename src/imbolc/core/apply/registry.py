"""The table from action class to its pure handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from imbolc.core.actions.base import Action
from imbolc.core.effects import Change, UndoScope
from imbolc.core.project import Project


class Outcome(NamedTuple):
    """What a handler returns: the new root and what changed."""

    project: Project
    changes: tuple[Change, ...]
    undo: UndoScope | None
    coalesce: str | None = None


Handler = Callable[[Project, Any], Outcome]
A = TypeVar("A", bound=Action)

HANDLERS: dict[type[Action], Handler] = {}


def handles(action_type: type[A]) -> Callable[[Callable[[Project, A], Outcome]], Handler]:
    """Register the decorated function as the handler of ``action_type``."""

    def register(handler: Callable[[Project, A], Outcome]) -> Handler:
        if action_type in HANDLERS:
            raise RuntimeError(f"two handlers for {action_type.__name__}")
        HANDLERS[action_type] = handler
        return handler

    return register
