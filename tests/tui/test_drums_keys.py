"""Drum sequencer keys: pad level, pitch and reverse, kit swing, the pattern chain, and
copying a pad's steps to another pad or pattern."""

from __future__ import annotations

import pytest
from tui_fakes import DEMO, AppFactory

from imbolc.core.kit import KitConfig
from imbolc.core.store import Store

pytestmark = pytest.mark.asyncio

DRUMS = DEMO.instruments.items[0]
CLEAR = ("end", "ctrl+u")


def kit(store: Store) -> KitConfig:
    inst = store.state.instruments.get(DRUMS.id)
    assert inst is not None and inst.kit is not None
    return inst.kit


async def test_pad_keys_change_level_pitch_and_reverse(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    level = kit(store).pads[1].level
    async with app.run_test() as pilot:
        await pilot.press("f8", "down", "l", "l", "L", "t", "t", "t", "T", "v")
        pad = kit(store).pads[1]
        assert pad.level == pytest.approx(level + 0.05)
        assert (pad.pitch, pad.reverse) == (2, True)
        assert kit(store).pads[0] == DEMO.instruments.items[0].kit.pads[0]  # type: ignore[union-attr]


async def test_w_steps_the_kit_swing(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f8", "w", "w", "w", "W")
        assert kit(store).swing == pytest.approx(0.10)


async def test_c_types_a_pattern_chain_and_capital_c_switches_it(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f8", "c")
        await pilot.pause()
        await pilot.press(*CLEAR, *"A A B D", "enter")
        await pilot.pause()
        assert (kit(store).chain, kit(store).chain_enabled) == ((0, 0, 1, 3), True)
        await pilot.press("C")
        assert (kit(store).chain, kit(store).chain_enabled) == ((0, 0, 1, 3), False)


async def test_a_chain_naming_no_pattern_is_refused_with_the_patterns_to_use(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    before = store.state
    async with app.run_test() as pilot:
        await pilot.press("f8", "c")
        await pilot.pause()
        await pilot.press(*CLEAR, *"A Q 7", "enter")
        await pilot.pause()
        assert store.state is before
        messages = [n.message for n in app._notifications]
        assert any("pattern chain" in m and "'Q'" in m and "A, B, C, D" in m for m in messages)


async def test_a_pads_steps_are_copied_onto_another_pad_of_another_pattern(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    source = kit(store).patterns[kit(store).current_pattern].steps[0]
    async with app.run_test() as pilot:
        await pilot.press("f8", "ctrl+c", "right_square_bracket", "down", "down", "ctrl+v")
        pattern = kit(store).patterns[kit(store).current_pattern]
        assert kit(store).current_pattern == DRUMS.kit.current_pattern + 1  # type: ignore[union-attr]
        assert pattern.steps[2][: len(source)] == source[: pattern.length]
        await pilot.press("ctrl+z")
        assert kit(store).patterns[kit(store).current_pattern].steps[2] != source
