"""Automation (F7) keys: move points in time and value, set a lane's range, and copy, paste,
cut and delete a marked range of points."""

from __future__ import annotations

import pytest
from tui_fakes import DEMO, AppFactory

from imbolc.core.automation import AutomationLane, AutomationPoint
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.store import Store

pytestmark = pytest.mark.asyncio

LANE = DEMO.session.automation.lanes[0]  # Bass cutoff: points at 0, 7680 and 15359
BEAT = TICKS_PER_BEAT
CLEAR = ("end", "ctrl+u")


def lane(store: Store) -> AutomationLane:
    found = store.state.session.automation.lane(LANE.id)
    assert found is not None
    return found


def ticks(store: Store) -> list[int]:
    return [point.tick for point in lane(store).points]


async def test_shift_arrows_move_the_point_under_the_cursor_in_time(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "shift+right", "shift+right")
        assert ticks(store) == [2 * BEAT, 7680, 15359]
        await pilot.press("shift+left")
        assert ticks(store) == [BEAT, 7680, 15359]


async def test_alt_arrows_raise_and_lower_the_point_under_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "alt+up", "alt+up", "alt+up", "alt+down")
        assert lane(store).points[0] == AutomationPoint(0, 0.2, "s_curve")


async def test_capital_r_sets_the_lane_range(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "R")
        await pilot.pause()
        await pilot.press(*CLEAR, *"200 8000", "enter")
        await pilot.pause()
        assert (lane(store).min_value, lane(store).max_value) == (200.0, 8000.0)


@pytest.mark.parametrize("typed", ["loud", "200", "10 99999999", "5000 100"])
async def test_a_nonsense_lane_range_names_the_field_and_range_and_changes_nothing(
    make_app: AppFactory, store: Store, typed: str
) -> None:
    app = make_app()
    before = store.state
    async with app.run_test() as pilot:
        await pilot.press("f7", "R")
        await pilot.pause()
        await pilot.press(*CLEAR, *typed, "enter")
        await pilot.pause()
        assert store.state is before
        assert any("lane range" in n.message and ".." in n.message for n in app._notifications)


async def test_a_marked_range_is_copied_and_pasted_at_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "m", *["right"] * 8, "ctrl+c", "m", *["right"] * 12, "ctrl+v")
        assert ticks(store) == [0, 7680, 15359, 20 * BEAT, 28 * BEAT]
        pasted = lane(store).points[3]
        assert (pasted.value, pasted.curve) == (LANE.points[0].value, LANE.points[0].curve)


async def test_delete_removes_every_point_of_the_range_as_one_undo_step(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "m", *["right"] * 8, "delete")
        assert ticks(store) == [15359]
        await pilot.press("ctrl+z")
        assert ticks(store) == [0, 7680, 15359]


async def test_cut_copies_the_range_then_removes_it(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "m", "ctrl+x", "right", "ctrl+v")
        assert ticks(store) == [BEAT, 7680, 15359]
