"""The keys added for clips, points, drums, the sampler and performance are listed in the
pane's help (`?`) and found by the command palette (`:`)."""

from __future__ import annotations

import pytest
from tui_fakes import AppFactory

from imbolc.tui.commands import palette_entries
from imbolc.tui.screens.help import HelpScreen

pytestmark = pytest.mark.asyncio

NEW = {
    "f3": ("new_clip", "rename_clip", "edit_clip", "resize(1)", "natural_length"),
    "f7": ("move_point(1)", "point_value(0.05)", "lane_range", "copy_points", "delete_points"),
    "f8": ("kit_swing(1)", "chain", "toggle_chain", "pad_level(1)", "pad_reverse", "copy_steps"),
    "enter": ("change_source", "sampler"),
}


@pytest.mark.parametrize("opener", NEW)
async def test_each_new_action_is_in_the_palette_of_its_pane(
    make_app: AppFactory, opener: str
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press(opener)
        offered = {entry.action for entry in palette_entries(app)}
        assert set(NEW[opener]) <= offered


async def test_the_help_in_performance_mode_lists_the_velocity_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("slash", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Velocity down 10" in shown and "Velocity up 10" in shown
