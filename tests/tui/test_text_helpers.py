"""Small pure helpers: value formatting, prompt parsing, search, footer hints, identity checks."""

from __future__ import annotations

import pytest

from imbolc.core.catalog import ParamSpec
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.templates import demo_project
from imbolc.tui import format as fmt
from imbolc.tui.keymap import default_keymap
from imbolc.tui.panes.drums import parse_euclid
from imbolc.tui.screens.picker import PickItem, matches
from imbolc.tui.widgets.key_hints import hints
from imbolc.tui.widgets.state_view import unchanged


def test_positions_read_as_bars_beats_and_sixteenths() -> None:
    assert fmt.position(0, (4, 4)) == "1.1.1"
    beat = TICKS_PER_BEAT
    assert fmt.position(4 * beat + beat + beat // 2, (4, 4)) == "2.2.3"
    assert fmt.position(3 * beat, (3, 4)) == "2.1.1"


def test_levels_pans_and_parameters_read_naturally() -> None:
    assert fmt.decibels(1.0) == "+0.0"
    assert fmt.decibels(0.0) == "-inf"
    assert (fmt.pan(0.0), fmt.pan(-0.2), fmt.pan(0.35)) == ("C", "L20", "R35")
    choice = ParamSpec("shape", 0, 0, 2, kind="choice", choices=("a", "b", "c"))
    assert fmt.param_value(1.0, choice) == "b"
    assert fmt.param_value(440.0, ParamSpec("freq", 440, 20, 20000, "Hz")) == "440.0 Hz"


def test_meters_fill_in_eighths() -> None:
    assert fmt.horizontal_bar(0.5, 4) == "██  "
    assert fmt.vertical_cell(1.0, 3, 4) == "█"
    assert fmt.vertical_cell(0.0, 0, 4) == " "


def test_euclid_prompts_read_hits_and_an_optional_rotation() -> None:
    assert parse_euclid("5") == (5, 0)
    assert parse_euclid("5, 2") == (5, 2)
    with pytest.raises(ValueError, match="number of hits"):
        parse_euclid("lots")


def test_search_needs_every_word_somewhere_in_the_item() -> None:
    item = PickItem("FM Bell", "fm_bell", "fm", "fm_bell")
    assert matches(item, "bell fm")
    assert not matches(item, "bell saw")


def test_footer_hints_list_only_hinted_bindings_of_the_given_layers() -> None:
    text = hints(default_keymap(), ["mixer"]).plain
    assert "Mute" in text and "Level up" in text
    assert "Pan right" not in text


def test_identity_decides_whether_a_view_changed() -> None:
    project = demo_project()
    twin = demo_project()
    assert unchanged((project.session, 3, "a"), (project.session, 3, "a"))
    assert not unchanged((project.session,), (twin.session,))  # equal, but not the same
    assert not unchanged(None, (project,))


def test_positions_follow_meter_changes() -> None:
    from imbolc.core.timemap import MeterChange, TimeMap

    beat = TICKS_PER_BEAT
    tmap = TimeMap(120.0, meters=(MeterChange(1, 3, 4), MeterChange(2, 6, 8)))
    assert fmt.position(4 * beat, tmap) == "2.1.1"
    assert fmt.position(7 * beat, tmap) == "3.1.1"
    assert fmt.position(7 * beat + beat // 2, tmap) == "3.2.1"  # eighth-note beats in 6/8
    assert fmt.position(7 * beat + 3 * beat, tmap) == "4.1.1"


async def test_the_piano_roll_ruler_numbers_bars_through_a_meter_change() -> None:
    from tui_fakes import DEMO, FakeEngine, MemoryIO

    from imbolc.core.actions import SetMeterChange
    from imbolc.core.store import Store
    from imbolc.tui.app import ImbolcApp

    store = Store(DEMO, clock=lambda: 0.0)
    store.dispatch(SetMeterChange(1, 3, 4))
    app = ImbolcApp(store, FakeEngine(), MemoryIO(), None, None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "f2", "x", "x")  # one column per beat
        roll = app.panes["piano_roll"]
        ruler = str(roll.render()).splitlines()[1]
        assert ruler.index("2") - ruler.index("1") == 4
        assert ruler.index("3") - ruler.index("2") == 3  # a 3/4 bar is three beats
