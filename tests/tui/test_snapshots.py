"""How each pane looks with the demo song, at 120x40 and at 80x24 (SVG snapshots).

Regenerate after an intended change with ``pytest tests/tui --snapshot-update`` and review
the SVGs under ``tests/tui/__snapshots__/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from tui_fakes import DEMO, AppFactory, FakeEngine

from imbolc.core.ports import Meters

SCREENS: dict[str, tuple[str, ...]] = {
    "instruments": (),
    "editor": ("down", "enter"),
    "piano_roll": ("down", "f2"),
    "drums": ("f2",),
    "arrangement": ("f3",),
    "mixer": ("f4",),
    "mixer_playing": ("f4", "space"),
    "automation": ("f7",),
    "engine": ("f5",),
    "project": ("f6",),
    "help": ("f4", "question_mark"),
    "add_instrument": ("a",),
    "tempo": ("ctrl+t", "right", "right", "right", "right", "a", "pageup", "r", "m"),
}
SIZES = {"120x40": (120, 40), "80x24": (80, 24)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_matches_its_snapshot(
    snap_compare: Callable[..., bool],
    make_app: AppFactory,
    engine: FakeEngine,
    screen: str,
    size: str,
) -> None:
    engine.meter_values = Meters((0.62, 0.55), {DEMO.instruments.items[0].id: (0.8, 0.75)})
    assert snap_compare(make_app(), run_before=steady(SCREENS[screen]), terminal_size=SIZES[size])


def steady(keys: tuple[str, ...]) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Press ``keys``, then stop text cursors blinking: a slow machine would otherwise take
    the picture in either half of the blink."""

    async def press(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False

    return press


NEW_SCREENS: dict[str, tuple[str, ...]] = {
    "settings": ("ctrl+e", "down", "down", "down"),
    "buses": ("ctrl+o", "down", "down", "down"),
    "editor_playing_rows": ("down", "enter", *("down",) * 30),
    "remove_bus": ("ctrl+o", "D"),
}
NEW_SIZES = {"80x24": (80, 24), "160x50": (160, 50)}


@pytest.mark.parametrize("size", NEW_SIZES)
@pytest.mark.parametrize("screen", NEW_SCREENS)
def test_new_pane_matches_its_snapshot(
    snap_compare: Callable[..., bool], make_app: AppFactory, screen: str, size: str
) -> None:
    press = steady(NEW_SCREENS[screen])
    assert snap_compare(make_app(), run_before=press, terminal_size=NEW_SIZES[size])
