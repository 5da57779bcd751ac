"""Project pane, recent projects: listed most recent first, opened with a key, asking first
when the current project has unsaved changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_fakes import DEMO, AppFactory, MemoryIO

from imbolc.core.store import Store
from imbolc.core.templates import blank_project
from imbolc.tui.panes.project import ProjectPane
from imbolc.tui.screens.prompts import ChoiceScreen

pytestmark = pytest.mark.asyncio

SONG = Path("/songs/demo.imbolc")
OTHER = Path("/songs/other.imbolc")
THIRD = Path("/songs/third.imbolc")
OTHER_PROJECT = blank_project()


@pytest.fixture
def io() -> MemoryIO:
    """Storage that has seen two other projects, ``OTHER`` the most recent."""
    memory = MemoryIO()
    memory.files[OTHER] = OTHER_PROJECT
    memory.files[THIRD] = DEMO
    memory.recent = [OTHER, THIRD]
    return memory


async def test_the_project_pane_lists_recent_projects_most_recent_first(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6")
        shown = app.query_one(ProjectPane).render().plain
        assert shown.index("other.imbolc") < shown.index("third.imbolc")


async def test_o_opens_the_selected_recent_project_with_a_fresh_undo_history(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "o")
        assert store.state is OTHER_PROJECT
        assert app.document.path == OTHER
        assert not app.document.dirty
        assert not store.history.can_undo


async def test_brackets_choose_which_recent_project_opens(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "]", "o")
        assert app.document.path == THIRD
        assert io.recent_projects() == [THIRD, OTHER]


async def test_opening_with_unsaved_changes_can_save_them_first(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "b", "o")
        assert isinstance(app.screen, ChoiceScreen)
        edited = store.state
        await pilot.press("s")
        await pilot.pause()
        assert io.files[SONG] is edited
        assert store.state is OTHER_PROJECT


async def test_opening_with_unsaved_changes_can_discard_them(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "b", "o", "d")
        assert SONG not in io.files
        assert store.state is OTHER_PROJECT
        assert not store.history.can_undo


async def test_escape_at_the_unsaved_changes_question_keeps_the_current_project(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "b", "o")
        edited = store.state
        await pilot.press("escape")
        assert store.state is edited
        assert app.document.path == SONG


async def test_a_recent_project_that_cannot_be_read_leaves_the_current_one(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6")
        del io.files[OTHER]
        before = store.state
        await pilot.press("o")
        assert store.state is before
        assert app.document.path == SONG
        assert any("Not opened" in n.message for n in app._notifications)


async def test_saving_puts_the_project_first_in_the_recent_list(
    make_app: AppFactory, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "s")
        assert io.recent_projects() == [SONG, OTHER, THIRD]
        assert "demo.imbolc  /songs" in app.query_one(ProjectPane).render().plain
