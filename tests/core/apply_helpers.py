"""Helpers shared by the apply specifications: build a project, check a rejection."""

from __future__ import annotations

import pytest

from imbolc.core.actions.base import Action
from imbolc.core.apply import apply
from imbolc.core.instrument import Instrument
from imbolc.core.project import Project
from imbolc.core.store import Store


def build(*actions: Action) -> Project:
    project = Project()
    for action in actions:
        project, _ = apply(project, action)
    return project


def inst(project: Project, ident: int = 1) -> Instrument:
    found = project.instruments.get(ident)
    assert found is not None
    return found


def assert_rejected(setup: tuple[Action, ...], action: Action, error: type[Exception]) -> None:
    """The action raises ``error`` and neither the state nor the history moves."""
    store = Store(clock=lambda: 0.0)
    for step in setup:
        store.dispatch(step)
    before = store.state
    undo_before = list(store.history.undo_stack)
    with pytest.raises(error):
        store.dispatch(action)
    assert store.state is before
    assert list(store.history.undo_stack) == undo_before
