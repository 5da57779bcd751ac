"""Opening a damaged project file from the TUI shows the clear error naming the file and
keeps the current project; the damaged file is left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tui_fakes import FakeEngine

from imbolc.compose import PersistIO
from imbolc.core.store import Store
from imbolc.core.templates import demo_project
from imbolc.persist import save_project
from imbolc.tui import ImbolcApp

pytestmark = pytest.mark.asyncio


def _damaged(path: Path) -> None:
    save_project(path, demo_project())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE settings SET key = CAST(x'43ff' AS TEXT)")
    conn.commit()
    conn.close()


async def test_opening_a_damaged_recent_project_shows_the_error_naming_it(
    tmp_path: Path, store: Store, engine: FakeEngine
) -> None:
    damaged = tmp_path / "damaged.imbolc"
    _damaged(damaged)
    before = damaged.read_bytes()
    messages: list[str] = []
    io = PersistIO(tmp_path / "recovery", "embedded", messages.append, tmp_path / "recent")
    io._remember(damaged)
    app = ImbolcApp(store, engine, io, tmp_path / "current.imbolc", None)
    shown = store.state
    async with app.run_test() as pilot:
        await pilot.press("f6", "o")
        await pilot.pause()
        errors = [n.message for n in app._notifications if "Not opened" in n.message]
    io.close()
    assert errors, "no error was shown"
    assert str(damaged) in errors[0]
    assert "UTF-8" in errors[0]
    assert store.state is shown
    assert app.document.path == tmp_path / "current.imbolc"
    assert damaged.read_bytes() == before


async def test_opening_a_project_another_imbolc_edits_says_so_and_offers_read_only(
    tmp_path: Path, store: Store, engine: FakeEngine
) -> None:
    from imbolc.persist.lock import ProjectLock

    other = tmp_path / "other.imbolc"
    save_project(other, demo_project())
    io = PersistIO(tmp_path / "recovery", "embedded", [].append, tmp_path / "recent")
    io._remember(other)
    app = ImbolcApp(store, engine, io, tmp_path / "current.imbolc", None)
    shown = store.state
    with ProjectLock.acquire(other):  # as if another imbolc process were editing it
        async with app.run_test() as pilot:
            await pilot.press("f6", "o")
            await pilot.pause()
            errors = [n.message for n in app._notifications if "Not opened" in n.message]
    io.close()
    assert errors and "open in another imbolc" in errors[0]
    assert store.state is shown


async def test_a_project_another_imbolc_edits_can_be_opened_read_only_and_saved_elsewhere(
    tmp_path: Path, store: Store, engine: FakeEngine
) -> None:
    from imbolc.persist import load_project
    from imbolc.persist.lock import ProjectLock
    from imbolc.tui.screens.prompts import ChoiceScreen

    other = tmp_path / "other.imbolc"
    save_project(other, demo_project())
    before = other.read_bytes()
    io = PersistIO(tmp_path / "recovery", "embedded", [].append, tmp_path / "recent")
    io._remember(other)
    app = ImbolcApp(store, engine, io, tmp_path / "current.imbolc", None)
    with ProjectLock.acquire(other):
        async with app.run_test() as pilot:
            await pilot.press("f6", "o")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceScreen)
            await pilot.press("r")
            await pilot.pause()
            assert store.state == demo_project()
            assert app.document.path == other
            await pilot.press("ctrl+s")
            await pilot.pause()
            refused = [n.message for n in app._notifications if "Not saved" in n.message]
            assert refused and "opened read-only" in refused[0]
            app.document.save(tmp_path / "copy.imbolc")  # save as another name works
    io.close()
    assert other.read_bytes() == before
    assert load_project(tmp_path / "copy.imbolc") == demo_project()
