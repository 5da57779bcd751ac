"""The drum sequencer's sample keys: ``s`` gives the selected pad a sound file, ``S`` clears it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input
from tui_fakes import DEMO, AppFactory

from imbolc.core.kit import DrumPad
from imbolc.core.store import Store
from imbolc.tui.screens.prompts import PromptScreen

pytestmark = pytest.mark.asyncio

DRUMS = DEMO.instruments.items[0]


def pad(store: Store, index: int) -> DrumPad:
    inst = store.state.instruments.get(DRUMS.id)
    assert inst is not None and inst.kit is not None
    return inst.kit.pads[index]


async def answer(app: object, pilot: object, text: str) -> None:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, PromptScreen)
    screen.query_one(Input).value = text
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_s_sets_the_selected_pads_sample_path(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    sample = tmp_path / "snare.wav"
    sample.write_bytes(b"RIFF")
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2", "down", "s")
        await answer(app, pilot, str(sample))
        assert pad(store, 1).sample_path == str(sample.resolve())
        assert pad(store, 1).source == DRUMS.kit.pads[1].source  # type: ignore[union-attr]


async def test_a_missing_file_is_refused_with_a_notification(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.wav"
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2", "s")
        await answer(app, pilot, str(missing))
        assert pad(store, 0).sample_path == ""
        assert any(str(missing) in n.message for n in app._notifications)


async def test_shift_s_clears_the_sample_back_to_the_drum_source(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    sample = tmp_path / "kick.wav"
    sample.write_bytes(b"RIFF")
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2", "s")
        await answer(app, pilot, str(sample))
        assert pad(store, 0).sample_path
        await pilot.press("S")
        assert pad(store, 0) == DRUMS.kit.pads[0]  # type: ignore[union-attr]
