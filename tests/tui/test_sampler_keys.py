"""Sampler keys: change an instrument's source from the editor (searchable picker), then load
a sample by path, loop it, track pitch and cut it into slices (SetSampler)."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from tui_fakes import DEMO, AppFactory

from imbolc.core.instrument import SamplerConfig
from imbolc.core.store import Store
from imbolc.tui.panes.sampler import SamplerPane

pytestmark = pytest.mark.asyncio

BASS = DEMO.instruments.items[1]
CLEAR = ("end", "ctrl+u")


def write_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(b"\x00\x10" * 4800)
    return path


def sampler(store: Store) -> SamplerConfig:
    inst = store.state.instruments.get(BASS.id)
    assert inst is not None and inst.sampler is not None
    return inst.sampler


async def to_sampler(pilot: object) -> None:
    """Bass → Pitched Sampler through the editor's source picker, then open the sampler pane."""
    press = pilot.press  # type: ignore[attr-defined]
    await press("down", "enter", "i")
    await pilot.pause()  # type: ignore[attr-defined]
    await press(*"pitched sampler")
    await pilot.pause()  # type: ignore[attr-defined]
    await press("enter")
    await pilot.pause()  # type: ignore[attr-defined]
    await press("o")


async def test_i_in_the_editor_changes_the_source_through_a_searchable_picker(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await to_sampler(pilot)
        inst = store.state.instruments.get(BASS.id)
        assert inst is not None and inst.source == "pitched_sampler"
        assert inst.sampler == SamplerConfig()
        assert isinstance(app.focused, SamplerPane)


async def test_o_loads_a_sample_file_typed_at_the_prompt(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    sample = write_wav(tmp_path / "tone.wav")
    app = make_app()
    async with app.run_test() as pilot:
        await to_sampler(pilot)
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*CLEAR, *str(sample), "enter")
        await pilot.pause()
        assert (sampler(store).sample_path, sampler(store).sample_name) == (str(sample), "tone")


@pytest.mark.parametrize("name", ["missing.wav", "notes.txt"])
async def test_a_bad_sample_path_names_the_file_and_changes_nothing(
    make_app: AppFactory, store: Store, tmp_path: Path, name: str
) -> None:
    (tmp_path / "notes.txt").write_text("not a sound")
    app = make_app()
    async with app.run_test() as pilot:
        await to_sampler(pilot)
        before = store.state
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*CLEAR, *str(tmp_path / name), "enter")
        await pilot.pause()
        assert store.state is before
        assert any(str(tmp_path / name) in n.message for n in app._notifications)


async def test_l_loops_p_tracks_pitch_and_n_cuts_equal_slices_to_select(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await to_sampler(pilot)
        await pilot.press("l", "p", "n")
        await pilot.pause()
        await pilot.press(*CLEAR, "4", "enter")
        await pilot.pause()
        await pilot.press("down", "down")
        config = sampler(store)
        assert (config.loop, config.pitch_tracking) == (True, False)
        assert [(s.start, s.end, s.root_note) for s in config.slices] == [
            (0.0, 0.25, 60), (0.25, 0.5, 61), (0.5, 0.75, 62), (0.75, 1.0, 63),
        ]  # fmt: skip
        assert config.selected_slice == 2


async def test_a_nonsense_slice_count_names_the_field_and_range(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await to_sampler(pilot)
        before = store.state
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*CLEAR, *"500", "enter")
        await pilot.pause()
        assert store.state is before
        assert any("slice count" in n.message and "0..128" in n.message for n in app._notifications)


async def test_o_on_an_instrument_that_is_no_sampler_says_how_to_make_it_one(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "enter", "o")
        assert app.current_pane.LAYER == "editor"
        assert any("i changes its source" in n.message for n in app._notifications)
