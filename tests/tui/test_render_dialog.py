"""The render dialog (F6, R): format, bit depth and loudness target, chosen from the keys."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label
from tui_fakes import AppFactory, MemoryIO

from imbolc.core.ports import RenderOptions
from imbolc.tui.screens.render import RenderScreen


async def test_enter_renders_a_wav_with_the_defaults(make_app: AppFactory, io: MemoryIO) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "R")
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert io.rendered == [Path("/songs/demo.wav")]
    assert io.render_options == [RenderOptions()]


async def test_choosing_flac_renames_the_file_and_normalizes(
    make_app: AppFactory, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "R")
        await pilot.pause()
        await pilot.press("tab", "enter")  # open the format list
        await pilot.pause()
        await pilot.press("down", "enter")  # WAV → FLAC
        await pilot.pause()
        await pilot.press("tab", "tab", *"-14", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert io.rendered == [Path("/songs/demo.flac")]
    assert io.render_options == [RenderOptions(sample_format="int24", normalize_lufs=-14.0)]


async def test_a_bad_loudness_keeps_the_dialog_open_and_renders_nothing(
    make_app: AppFactory, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "R")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", *"loud", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RenderScreen)
        problem = str(app.screen.query_one("#problem", Label).render())
        assert "'loud' is not a loudness" in problem
        await pilot.press(*["backspace"] * 4, *"+3", "enter")
        await pilot.pause()
        problem = str(app.screen.query_one("#problem", Label).render())
        assert "between -70 and -1" in problem
        await pilot.press("escape")
        await pilot.pause()
    assert io.rendered == []
