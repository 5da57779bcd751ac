"""Mixer (F4), automation (F7), engine (F5) and project (F6): keys change the store or the port."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_fakes import DEMO, AppFactory, FakeEngine, MemoryIO, burst

from imbolc.core.automation import AutomationTarget
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.store import Store
from imbolc.tui.screens.prompts import ChoiceScreen

pytestmark = pytest.mark.asyncio

DRUMS, BASS, CHORDS = DEMO.instruments.items[:3]
SONG = Path("/songs/demo.imbolc")


def strip(store: Store, index: int):  # type: ignore[no-untyped-def]
    return store.state.instruments.items[index].mixer


async def test_up_and_down_change_the_selected_strips_level(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "right", "up", "up")
        assert strip(store, 1).level == pytest.approx(BASS.mixer.level + 0.02)
        await pilot.press("pagedown")
        assert strip(store, 1).level == pytest.approx(BASS.mixer.level - 0.08)


async def test_holding_a_level_key_is_one_undo_step(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4")
        for _ in range(30):
            app.simulate_key("up")
        await pilot.pause()
        assert strip(store, 0).level == pytest.approx(DRUMS.mixer.level + 0.30)
        assert len(store.history.undo_stack) == 1
        await pilot.press("ctrl+z")
        assert strip(store, 0).level == DRUMS.mixer.level


async def test_mute_solo_and_pan(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "f4", "right", "right", "m", "s", "p", "P", "P")
        chords = strip(store, 2)
        assert (chords.mute, chords.solo) == (True, True)
        assert chords.pan == pytest.approx(CHORDS.mixer.pan - 0.05)


async def test_bus_and_master_strips_follow_the_instruments(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4")
        app.panes["mixer"].index = 5  # type: ignore[attr-defined]  # the first bus
        await pilot.press("down", "m")
        bus = store.state.session.mixer.buses[0]
        assert bus.level == pytest.approx(0.79) and bus.mute
        app.panes["mixer"].index = 99  # type: ignore[attr-defined]  # clamped to master
        await pilot.press("right", "m", "p")  # master: no pan
        assert store.state.session.mixer.master_mute is True
        assert any("no pan" in n.message for n in app._notifications)


async def test_output_cycles_through_master_and_the_buses(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "o")
        assert strip(store, 0).output_bus == store.state.session.mixer.buses[0].id
        await pilot.press("O")
        assert strip(store, 0).output_bus is None


async def test_send_keys_choose_a_bus_and_set_its_level(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "g", "t")  # the drums' send to bus 2, switched on
        send = strip(store, 0).send(2)
        assert send is not None and send.enabled and send.level == pytest.approx(0.05)
        await pilot.press("e")
        send = strip(store, 0).send(2)
        assert send is not None and not send.enabled


async def test_meters_show_only_while_the_mixer_is_visible(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    from imbolc.core.ports import Meters

    app = make_app()
    engine.meter_values = Meters((0.5, 0.5), {DRUMS.id: (0.9, 0.8)})
    async with app.run_test() as pilot:
        mixer = app.panes["mixer"]
        await pilot.press("space")
        await pilot.pause(0.1)
        assert mixer.bridge.meters == Meters()  # type: ignore[attr-defined]
        await pilot.press("f4")
        await pilot.pause(0.1)
        assert mixer.bridge.meters == engine.meter_values  # type: ignore[attr-defined]
        assert "█" in app.header.meter.text.plain


async def test_the_mixer_meters_the_strips_on_screen_and_shows_bus_meters(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    from imbolc.core.ports import Meters

    app = make_app()
    first_bus = DEMO.session.mixer.buses[0].id
    engine.meter_values = Meters((0.5, 0.5), {DRUMS.id: (0.9, 0.8)}, {first_bus: (0.7, 0.6)})
    async with app.run_test(size=(400, 40)) as pilot:
        mixer = app.panes["mixer"]
        await pilot.press("f4")
        await pilot.press("space")
        await pilot.pause(0.2)
        watched = [call for call in engine.calls if call[0] == "watch_meters"]
        assert watched
        _kind, instruments, buses = watched[-1]
        assert instruments == {inst.id for inst in DEMO.instruments.items}
        assert first_bus in buses
        bus_state = next(
            state
            for _i, state in mixer.visible_strips()  # type: ignore[attr-defined]
            if state.strip.kind == "bus" and state.strip.id == first_bus
        )
        assert mixer.bridge._pair(bus_state, engine.meter_values) == (0.7, 0.6)  # type: ignore[attr-defined]


async def test_enter_places_an_automation_point_at_the_cursor(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "f7", "right", "right", "shift+up", "enter")
        lane = store.state.session.automation.lanes[0]
        point = lane.points[lane.find(2 * TICKS_PER_BEAT)]  # type: ignore[index]
        assert point.value == pytest.approx(0.55)


async def test_points_are_deleted_and_their_curve_cycled(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "c")  # the demo lane's first point is an s-curve at tick 0
        assert store.state.session.automation.lanes[0].points[0].curve == "linear"
        await pilot.press("d")
        assert store.state.session.automation.lanes[0].points[0].tick != 0


async def test_lanes_are_enabled_armed_cleared_and_removed(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "f7", "e", "r", "C")
        lane = store.state.session.automation.lanes[0]
        assert (lane.enabled, lane.armed, lane.points) == (False, True, ())
        await pilot.press("x")
        assert store.state.session.automation.lanes == ()


async def test_a_lane_is_added_for_a_picked_target(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7", "a")
        await burst(pilot, *"master", "enter")
        assert store.state.session.automation.lanes[-1].target == AutomationTarget(
            "master", 0, "level"
        )


async def test_the_engine_pane_restarts_and_stops_the_engine(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f5", "r", "s")
        assert engine.calls[-2:] == [("restart",), ("shutdown",)]
        assert app.panes["engine"].status.state == "stopped"  # type: ignore[attr-defined]
        assert "stopped" in app.header.engine.text.plain


async def test_the_project_pane_saves_and_keeps_checkpoints(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "s", "c")
        await burst(pilot, *"verse", "enter")
        assert io.files[SONG] is store.state
        assert [entry.name for entry in io.list_checkpoints(SONG)] == ["verse"]
        await pilot.press("b", "enter")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("y")
        assert store.state is io.checkpoints[SONG][0].project
        await pilot.press("d")
        assert io.list_checkpoints(SONG) == []


async def test_checkpoints_need_a_saved_project(make_app: AppFactory, io: MemoryIO) -> None:
    app = make_app(path=None)
    async with app.run_test() as pilot:
        await pilot.press("f6", "c")
        assert io.checkpoints == {}
        assert any("Save the project first" in n.message for n in app._notifications)


async def test_tempo_key_and_scale_change_from_the_project_pane(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await burst(pilot, "f6", "b", "b", "K", "m")
        settings = store.state.session.settings
        assert (settings.bpm, settings.key, settings.scale) == (122.0, "G#", "dorian")


async def test_render_hands_the_project_to_the_render_hook(
    make_app: AppFactory, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f6", "R", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert io.rendered == [Path("/songs/demo.wav")]
        assert any("Rendered" in n.message for n in app._notifications)


async def test_render_shows_its_progress_on_the_project_pane(
    make_app: AppFactory, io: MemoryIO
) -> None:
    app = make_app()
    seen: list[tuple[str, int] | None] = []
    async with app.run_test() as pilot:
        await pilot.press("f6")
        pane = app.query_one("#project")
        show = pane._show_progress  # type: ignore[attr-defined]

        def spy(target: Path, percent: int | None) -> None:
            seen.append(None if percent is None else (target.name, percent))
            show(target, percent)

        pane._show_progress = spy  # type: ignore[attr-defined]
        await pilot.press("R", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert seen == [("demo.wav", 25), ("demo.wav", 50), ("demo.wav", 100), None]


def test_a_long_send_label_keeps_its_level_readable_in_the_strip() -> None:
    from imbolc.tui.panes.mixer import STRIP_WIDTH, _fit

    assert _fit("Bus 9", STRIP_WIDTH - len("0.25") - 1) + " 0.25" == "Bus9 0.25"
    assert _fit("Reverb hall", 4) == "Rev…"
    assert _fit("Bus 1", 5) == "Bus 1"
