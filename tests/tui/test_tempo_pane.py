"""The tempo map pane, driven from the keys: every edit lands in the project and undoes."""

from __future__ import annotations

from tui_fakes import AppFactory, burst

from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.store import Store
from imbolc.core.timemap import MeterChange, TempoChange

BEAT = TICKS_PER_BEAT


async def test_ctrl_t_opens_the_tempo_map(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+t")
        assert app.current_pane is app.panes["tempo"]
        assert "120 BPM" in str(app.panes["tempo"].render())


async def test_a_tempo_change_is_added_raised_ramped_moved_and_deleted(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+t")
        await burst(pilot, "right", "right", "right", "right", "a")
        assert store.state.session.tempo_map.tempos == (TempoChange(4 * BEAT, 120.0),)
        await burst(pilot, "up", "up", "pageup")
        assert store.state.session.tempo_map.tempos == (TempoChange(4 * BEAT, 132.0),)
        await burst(pilot, "r")
        assert store.state.session.tempo_map.tempos[0].ramp
        await burst(pilot, "shift+right")
        assert [c.tick for c in store.state.session.tempo_map.tempos] == [5 * BEAT]
        await burst(pilot, "d")
        assert store.state.session.tempo_map.tempos == ()
        await pilot.press("ctrl+z")
        assert [c.tick for c in store.state.session.tempo_map.tempos] == [5 * BEAT]


async def test_the_starting_tempo_is_edited_at_the_start(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+t")
        await burst(pilot, "down", "down", "r")
        assert store.state.session.settings.bpm == 118.0
        assert store.state.session.tempo_map.ramp_start


async def test_meters_step_from_the_cursor_bar_and_are_deleted(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+t")
        await burst(pilot, "x", "x")  # a bar of 4/4 per column
        await burst(pilot, "right", "right", "m")
        assert store.state.session.tempo_map.meters == (MeterChange(2, 3, 4),)
        await burst(pilot, "m")
        assert store.state.session.tempo_map.meters == (MeterChange(2, 6, 8),)
        text = str(app.panes["tempo"].render())
        assert "6/8" in text
        await burst(pilot, "M")
        assert store.state.session.tempo_map.meters == ()


async def test_the_ruler_numbers_bars_through_a_meter_change(
    make_app: AppFactory, store: Store
) -> None:
    from imbolc.core.actions import SetMeterChange

    store.dispatch(SetMeterChange(1, 3, 4))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+t")
        pane = app.panes["tempo"]
        ruler = str(pane.render()).splitlines()[1]
        # one column per beat: bar 2 starts 4 beats in, bar 3 three beats later (3/4)
        assert ruler.index("2") - ruler.index("1") == 4
        assert ruler.index("3") - ruler.index("2") == 3


async def test_the_arrangement_shows_the_tempo_lane_and_t_edits_it(
    make_app: AppFactory, store: Store
) -> None:
    from imbolc.core.actions import AddTempoChange

    store.dispatch(AddTempoChange(8 * BEAT, 90.0, ramp=True))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f3")
        lines = str(app.panes["arrangement"].render()).splitlines()
        lane = lines[2]
        assert lane.startswith("tempo")
        assert "◆120" in lane and "◢90" in lane
        assert lane.index("◢") - lane.index("◆") == 8  # one column per beat
        await pilot.press("t")
        assert app.current_pane is app.panes["tempo"]
