"""Automation recording: parameter moves made while playing land on armed lanes."""

from __future__ import annotations

import pytest
from tui_fakes import DEMO, AppFactory, FakeEngine

from imbolc.core.actions import (
    AddLane,
    AddPoint,
    SetBusEffectParam,
    SetEnvelope,
    SetLaneArmed,
    SetLfoParam,
    SetMixerLevel,
    SetMixerMute,
    SetMixerPan,
    SetSendLevel,
    SetSourceParam,
    SetStageParam,
)
from imbolc.core.actions.base import Action
from imbolc.core.actions.mixer import MASTER, bus_strip, instrument_strip
from imbolc.core.automation import AutomationLane, AutomationPoint, AutomationTarget
from imbolc.core.ports import Transport
from imbolc.core.store import Store
from imbolc.tui.recording import Recorder, normalized, recorded_move

DRUMS = DEMO.instruments.items[0]
MASTER_LEVEL = AutomationTarget("master", 0, "level")


def _on_instrument(owner: int, parameter: str) -> AutomationTarget:
    return AutomationTarget("instrument", owner, parameter)


def _on_bus(owner: int, parameter: str) -> AutomationTarget:
    return AutomationTarget("bus", owner, parameter)


DRUMS_LEVEL = _on_instrument(DRUMS.id, "mixer.level")


@pytest.mark.parametrize(
    ("action", "target", "value"),
    [
        (SetMixerLevel(instrument_strip(1), 0.7), _on_instrument(1, "mixer.level"), 0.7),
        (SetMixerPan(instrument_strip(2), -0.5), _on_instrument(2, "mixer.pan"), -0.5),
        (SetMixerLevel(bus_strip(3), 0.9), _on_bus(3, "level"), 0.9),
        (SetMixerPan(bus_strip(3), 0.2), _on_bus(3, "pan"), 0.2),
        (SetMixerLevel(MASTER, 1.1), MASTER_LEVEL, 1.1),
        (SetSourceParam(1, "cutoff", 900.0), _on_instrument(1, "source.cutoff"), 900.0),
        (SetStageParam(2, 3, "cutoff", 500.0), _on_instrument(2, "chain.3.cutoff"), 500.0),
        (SetLfoParam(4, "rate", 2.5), _on_instrument(4, "lfo.rate"), 2.5),
        (SetEnvelope(4, "attack", 0.1), _on_instrument(4, "envelope.attack"), 0.1),
        (SetSendLevel(1, 2, 0.4), _on_instrument(1, "send.2.level"), 0.4),
        (SetBusEffectParam(1, 1, "mix", 0.3), _on_bus(1, "effect.1.mix"), 0.3),
    ],
)
def test_each_parameter_move_maps_to_its_lane_target(
    action: Action, target: AutomationTarget, value: float
) -> None:
    assert recorded_move(action) == (target, value)


@pytest.mark.parametrize("action", [SetMixerPan(MASTER, 0.5), SetMixerMute(MASTER, True)])
def test_edits_that_move_no_automatable_parameter_map_to_nothing(action: Action) -> None:
    assert recorded_move(action) is None


def test_values_are_normalized_into_the_lane_range_and_clamped() -> None:
    lane = AutomationLane(1, DRUMS_LEVEL, min_value=0.0, max_value=1.5)
    assert normalized(lane, 0.75) == pytest.approx(0.5)
    assert normalized(lane, 2.0) == 1.0
    assert normalized(lane, -1.0) == 0.0


def _armed(store: Store, target: AutomationTarget = DRUMS_LEVEL) -> int:
    store.dispatch(AddLane(target))
    lane_id = store.state.session.automation.lanes[-1].id
    store.dispatch(SetLaneArmed(lane_id, True))
    return lane_id


def _points(store: Store, lane_id: int) -> tuple[AutomationPoint, ...]:
    lane = store.state.session.automation.lane(lane_id)
    assert lane is not None
    return lane.points


def test_close_points_are_thinned_but_far_ones_kept(store: Store) -> None:
    lane_id = _armed(store)
    recorder = Recorder()

    def record(tick: float, level: float) -> list[AddPoint]:
        points = recorder.points(
            store.state,
            SetMixerLevel(instrument_strip(DRUMS.id), level),
            lambda: Transport(True, tick),
        )
        recorder.remember(points)
        return points

    assert record(100, 0.75) == [AddPoint(lane_id, 100, 0.5)]
    assert record(120, 0.753) == []  # tiny change, soon after: skipped
    assert record(120, 0.78) == [AddPoint(lane_id, 120, 0.52)]  # value moved enough
    assert record(200, 0.781) == [AddPoint(lane_id, 200, pytest.approx(0.520667))]  # far later


async def test_level_keys_while_playing_write_points_at_the_playhead(
    make_app: AppFactory, store: Store, engine: FakeEngine
) -> None:
    lane_id = _armed(store)
    app = make_app()
    async with app.run_test() as pilot:
        engine.seek(960)
        engine.play()
        await pilot.press("f4", "up")
        engine.seek(1920)
        await pilot.press("pageup")
        assert _points(store, lane_id) == (
            AutomationPoint(960, pytest.approx((DRUMS.mixer.level + 0.01) / 1.5)),
            AutomationPoint(1920, pytest.approx((DRUMS.mixer.level + 0.11) / 1.5)),
        )


async def test_a_recorded_move_and_its_point_undo_together(
    make_app: AppFactory, store: Store, engine: FakeEngine
) -> None:
    lane_id = _armed(store)
    app = make_app()
    async with app.run_test() as pilot:
        engine.play()
        await pilot.press("f4", "up", "ctrl+z")
        assert _points(store, lane_id) == ()
        assert store.state.instruments.items[0].mixer.level == DRUMS.mixer.level


async def test_nothing_is_recorded_while_stopped(
    make_app: AppFactory, store: Store, engine: FakeEngine
) -> None:
    lane_id = _armed(store)
    app = make_app()
    async with app.run_test() as pilot:
        engine.seek(960)
        await pilot.press("f4", "up")
        assert store.state.instruments.items[0].mixer.level == pytest.approx(
            DRUMS.mixer.level + 0.01
        )
        assert _points(store, lane_id) == ()


async def test_nothing_is_recorded_on_a_lane_that_is_not_armed(
    make_app: AppFactory, store: Store, engine: FakeEngine
) -> None:
    lane_id = _armed(store)
    app = make_app()
    async with app.run_test() as pilot:
        engine.play()
        await pilot.press("f7", "down", "r")  # the pane's arm key disarms the new lane
        lane = store.state.session.automation.lane(lane_id)
        assert lane is not None and not lane.armed
        await pilot.press("f4", "up")
        assert _points(store, lane_id) == ()
