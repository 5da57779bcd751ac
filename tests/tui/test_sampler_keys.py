"""The editor's sampler keys: ``o`` chooses the sample file (a file that is no sound is
refused by name), ``O`` toggles the loop, ``T`` pitch tracking (the chopper when off)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from textual.widgets import Input
from tui_fakes import DEMO, AppFactory, burst

from imbolc.core.actions import AddInstrument
from imbolc.core.instrument import SamplerConfig
from imbolc.core.store import Store
from imbolc.tui.screens.prompts import PromptScreen

pytestmark = pytest.mark.asyncio


def config(store: Store) -> SamplerConfig:
    inst = store.state.instruments.items[-1]
    assert inst.source == "pitched_sampler" and inst.sampler is not None
    return inst.sampler


async def open_sampler(store: Store, app: object, pilot: object) -> None:
    """Add a sampler (the last instrument), select it and open its editor."""
    store.dispatch(AddInstrument("pitched_sampler"))
    await burst(pilot, *["down"] * len(DEMO.instruments.items), "enter")  # type: ignore[arg-type]


async def answer(app: object, pilot: object, text: str) -> None:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, PromptScreen)
    screen.query_one(Input).value = text
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_o_sets_the_sample_file_and_its_name(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    sample = tmp_path / "vox.wav"
    soundfile.write(sample, np.zeros(480, dtype=np.float32), 48000)
    app = make_app()
    async with app.run_test() as pilot:
        await open_sampler(store, app, pilot)
        await pilot.press("o")
        await answer(app, pilot, str(sample))
        assert config(store).sample_path == str(sample.resolve())
        assert config(store).sample_name == "vox"


async def test_a_file_that_is_no_sound_is_refused_by_name(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    bad = tmp_path / "text.wav"
    bad.write_text("no audio here")
    app = make_app()
    async with app.run_test() as pilot:
        await open_sampler(store, app, pilot)
        await pilot.press("o")
        await answer(app, pilot, str(bad))
        assert config(store).sample_path == ""
        assert any(str(bad.resolve()) in n.message for n in app._notifications)


async def test_shift_o_toggles_the_loop_and_shift_t_pitch_tracking(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_sampler(store, app, pilot)
        await pilot.press("O")
        assert config(store).loop is True
        await pilot.press("T")
        assert config(store).pitch_tracking is False
