"""``apply(project, action) -> (project, effects)``: pure, deterministic, validating.

No clock, no randomness, no I/O. An invalid action raises a typed error from
:mod:`imbolc.core.errors` and nothing is built.
"""

from __future__ import annotations

from imbolc.core.actions import ACTION_TYPES
from imbolc.core.actions.base import Action
from imbolc.core.apply import chain, instrument, mixer, notes, session, tempo, timeline
from imbolc.core.apply.registry import HANDLERS
from imbolc.core.effects import Effects
from imbolc.core.errors import InvalidAction
from imbolc.core.project import Project

_MODULES = (chain, instrument, mixer, notes, session, tempo, timeline)

_missing = [cls.__name__ for cls in ACTION_TYPES if cls not in HANDLERS]
if _missing:  # pragma: no cover - a programming error caught at import
    raise RuntimeError(f"actions without a handler: {', '.join(_missing)}")


def apply(project: Project, action: Action) -> tuple[Project, Effects]:
    """Apply one action; returns the new root and exactly what changed."""
    handler = HANDLERS.get(type(action))
    if handler is None:
        raise InvalidAction(f"unknown action {type(action).__name__}")
    outcome = handler(project, action)
    return outcome.project, Effects(outcome.changes, outcome.undo, outcome.coalesce)


__all__ = ["apply"]
