"""The instrument list (F1) and the instrument editor (Enter): keys change the store."""

from __future__ import annotations

import pytest
from tui_fakes import DEMO, AppFactory, burst

from imbolc.core.instrument import EffectStage, EqStage, FilterStage
from imbolc.core.store import Store
from imbolc.tui.panes.editor import EditorPane
from imbolc.tui.screens.picker import PickerScreen

pytestmark = pytest.mark.asyncio

BASS = DEMO.instruments.items[1]


def bass(store: Store):  # type: ignore[no-untyped-def]
    inst = store.state.instruments.get(BASS.id)
    assert inst is not None
    return inst


async def test_adding_an_instrument_picks_from_the_catalog_by_search(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, PickerScreen)
        await burst(pilot, *"pluck", "enter")
        added = store.state.instruments.items[-1]
        assert added.source == "pluck"
        assert app.ws.selected_id == added.id


async def test_deleting_removes_the_selected_instrument_and_selects_a_neighbour(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "d")
        await pilot.pause()
        assert BASS.id not in store.state.instruments
        assert app.ws.selected_id == DEMO.instruments.items[2].id


async def test_renaming_asks_for_the_new_name(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "r")
        await burst(pilot, *"Sub", "enter")
        assert bass(store).name == "Sub"


async def test_link_layers_the_selected_instrument_with_the_next(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "l", "plus")
        chords = store.state.instruments.items[2]
        assert bass(store).layer_group is not None
        assert bass(store).layer_group == chords.layer_group
        assert bass(store).octave_offset == 1


async def test_enter_opens_the_editor_and_escape_returns(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "enter")
        assert isinstance(app.focused, EditorPane)
        await pilot.press("escape")
        assert app.focused is app.panes["instruments"]


async def test_right_and_left_adjust_the_row_under_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "down", "enter", "down", "right")  # Bass: source "amp"
        assert bass(store).source_param("amp") == pytest.approx(0.51)
        await burst(pilot, "left", "left")
        assert bass(store).source_param("amp") == pytest.approx(0.49)


async def test_enter_in_the_editor_types_a_value(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "down", "enter", "down")
        await pilot.press("enter")
        await burst(pilot, *"0.25", "enter")
        await pilot.pause()
        assert bass(store).source_param("amp") == 0.25


async def test_a_typed_value_out_of_range_is_refused_with_a_message(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "down", "enter", "down")
        await pilot.press("enter")
        await burst(pilot, "7", "enter")
        await pilot.pause()
        assert bass(store).source_param("amp") == 0.5
        assert any("outside" in n.message for n in app._notifications)


async def test_adding_an_effect_appends_it_to_the_chain(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "down", "enter")
        await pilot.press("a")
        await burst(pilot, *"reverb", "enter")
        last = bass(store).chain[-1]
        assert isinstance(last, EffectStage) and last.effect_type == "reverb"


async def test_filter_and_eq_are_added_and_stages_bypassed_moved_and_removed(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "enter", "e")  # EQ after the last stage; cursor on it
        assert isinstance(bass(store).chain[-1], EqStage)
        await pilot.press("b")
        assert bass(store).chain[-1].enabled is False
        await pilot.press("ctrl+up")
        assert isinstance(bass(store).chain[-2], EqStage)
        await pilot.press("d")
        assert not any(isinstance(stage, EqStage) for stage in bass(store).chain)


async def test_t_cycles_the_filter_type_of_the_stage_under_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "down", "enter")
        await pilot.press("f")
        await burst(pilot, *"high", "enter")
        await pilot.press("t")
        stage = bass(store).chain[-1]
        assert isinstance(stage, FilterStage) and stage.filter_type != "hpf"


async def test_lfo_poly_channel_and_active_toggles(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "down", "enter", "l", "s", "m", "p", "c", "x")
        inst = bass(store)
        assert inst.lfo.enabled is False  # the demo bass had it on
        assert inst.lfo.shape == "square" and inst.lfo.target == "filter_resonance"
        assert (inst.polyphonic, inst.channels, inst.active) == (False, "mono", False)
