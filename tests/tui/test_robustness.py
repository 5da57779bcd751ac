"""Every key of every pane, on an empty project and on the demo song, never crashes the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.screen import ModalScreen
from tui_fakes import DEMO, FakeEngine, MemoryIO

from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.templates import blank_project
from imbolc.tui import ImbolcApp
from imbolc.tui.keymap import default_keymap, textual_key

pytestmark = pytest.mark.asyncio

PANE_KEYS = {"instruments": "f1", "editor": "enter", "piano_roll": "f2", "drums": "f8",
             "arrangement": "f3", "mixer": "f4", "automation": "f7", "engine": "f5",
             "project": "f6"}  # fmt: skip
SAFE_GLOBALS = ("undo", "redo", "previous_instrument", "next_instrument", "rewind")
ASKING = {"add", "rename", "type_value", "add_filter", "add_effect", "euclidean", "add_lane",
          "save_as", "checkpoint", "restore", "render", "pad_sample", "open_recent",
          "new_clip", "rename_clip", "lane_range", "chain", "change_source"}  # fmt: skip
"""Actions that open a question; the test answers each by closing it."""


def layer_keys(layer: str) -> list[tuple[str, bool]]:
    """(key, whether it opens a question) for every action of the layer."""
    return [(textual_key(b.keys[0]), b.action in ASKING) for b in default_keymap().layer(layer)]


@pytest.mark.parametrize("project", [blank_project(), DEMO], ids=["empty", "demo"])
async def test_every_key_of_every_pane_leaves_the_app_running(project: Project) -> None:
    store = Store(project)
    app = ImbolcApp(store, FakeEngine(), MemoryIO(), Path("/songs/x.imbolc"))
    globals_ = [(textual_key(b.keys[0]), False) for b in default_keymap().layer("global")
                if b.action in SAFE_GLOBALS]  # fmt: skip
    async with app.run_test() as pilot:
        for layer, opener in PANE_KEYS.items():
            await pilot.press("f1", opener)
            for key, asks in [*layer_keys(layer), *globals_]:
                app.simulate_key(key)
                if asks:
                    await pilot.pause()
                    while isinstance(app.screen, ModalScreen):
                        app.pop_screen()
                        await pilot.pause()
            await pilot.pause()
            assert not isinstance(app.screen, ModalScreen)
        assert app.is_running


class DeadEngine(FakeEngine):
    """An engine whose server has gone away: every call fails."""

    def _fail(self, *_args: object) -> None:
        raise RuntimeError("scsynth is not running")

    status = transport = meters = play = stop = restart = note_on = _fail  # type: ignore[assignment]


async def test_a_failing_engine_is_reported_and_never_crashes_the_app() -> None:
    app = ImbolcApp(Store(DEMO), DeadEngine(), MemoryIO(), None)
    async with app.run_test() as pilot:
        await pilot.press("space", "slash", "a", "escape", "f5", "r")
        await pilot.pause()
        assert app.is_running
        assert "error" in app.header.engine.text.plain
        assert any("scsynth is not running" in n.message for n in app._notifications)
