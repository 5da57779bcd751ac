"""The editor's ``i`` key gives the convolution reverb under the cursor an impulse-response
file; a file that is no sound is refused with a message and nothing changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from textual.widgets import Input
from tui_fakes import DEMO, AppFactory, burst

from imbolc.core.instrument import EffectStage
from imbolc.core.store import Store
from imbolc.tui.screens.prompts import PromptScreen

pytestmark = pytest.mark.asyncio

BASS = DEMO.instruments.items[1]


def reverb(store: Store) -> EffectStage:
    inst = store.state.instruments.get(BASS.id)
    assert inst is not None
    stage = inst.chain[-1]
    assert isinstance(stage, EffectStage) and stage.effect_type == "convolution_reverb"
    return stage


async def add_reverb_and_press_shift_i(app: object, pilot: object) -> None:
    await burst(pilot, "down", "enter")  # type: ignore[arg-type]
    await pilot.press("a")  # type: ignore[attr-defined]
    await burst(pilot, *"convolution", "enter")  # type: ignore[arg-type]
    await pilot.press("I")  # type: ignore[attr-defined]
    assert isinstance(app.screen, PromptScreen)  # type: ignore[attr-defined]


async def answer(app: object, pilot: object, text: str) -> None:
    app.screen.query_one(Input).value = text  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_shift_i_sets_the_impulse_response_of_the_reverb_under_the_cursor(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    ir = tmp_path / "hall.wav"
    soundfile.write(ir, np.linspace(1.0, 0.0, 4800, dtype=np.float32), 48000)
    app = make_app()
    async with app.run_test() as pilot:
        await add_reverb_and_press_shift_i(app, pilot)
        assert reverb(store).ir_path == ""  # the built-in room until a file is chosen
        await answer(app, pilot, str(ir))
        assert reverb(store).ir_path == str(ir.resolve())


async def test_an_empty_answer_goes_back_to_the_built_in_room(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    ir = tmp_path / "hall.wav"
    soundfile.write(ir, np.linspace(1.0, 0.0, 4800, dtype=np.float32), 48000)
    app = make_app()
    async with app.run_test() as pilot:
        await add_reverb_and_press_shift_i(app, pilot)
        await answer(app, pilot, str(ir))
        await pilot.press("I")
        await answer(app, pilot, "")
        assert reverb(store).ir_path == ""


async def test_a_file_that_is_no_sound_is_refused_by_name(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    app = make_app()
    async with app.run_test() as pilot:
        await add_reverb_and_press_shift_i(app, pilot)
        await answer(app, pilot, str(bad))
        assert reverb(store).ir_path == ""
        assert any(str(bad.resolve()) in n.message for n in app._notifications)
