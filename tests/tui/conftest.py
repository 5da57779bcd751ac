"""Fixtures: a recording engine, an in-memory project store and an app on the demo song."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_fakes import DEMO, AppFactory, FakeEngine, MemoryIO

from imbolc.core.store import Store
from imbolc.tui import ImbolcApp


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def io() -> MemoryIO:
    return MemoryIO()


@pytest.fixture
def store() -> Store:
    """A store holding the demo song, with a clock that never moves (edits coalesce)."""
    return Store(DEMO, clock=lambda: 0.0)


@pytest.fixture
def make_app(store: Store, engine: FakeEngine, io: MemoryIO) -> AppFactory:
    def build(
        path: Path | None = Path("/songs/demo.imbolc"), keymap: Path | None = None
    ) -> ImbolcApp:
        return ImbolcApp(store, engine, io, path, keymap)

    return build
