"""Rendering cost follows change: idle does nothing, a burst is one repaint, edits repaint
only the views that draw what changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from textual.widget import Widget
from tui_fakes import DEMO, AppFactory, FakeEngine

from imbolc.core.actions import AddNote, SetMixerLevel
from imbolc.core.actions.mixer import instrument_strip
from imbolc.core.ports import Meters, Transport
from imbolc.core.store import Store

pytestmark = pytest.mark.asyncio

BASS = DEMO.instruments.items[1]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts render and refresh calls per widget class while a test runs."""
    counts: Counter[str] = Counter()
    render, refresh = Widget._render, Widget.refresh

    def counting_render(self: Widget):  # type: ignore[no-untyped-def]
        counts[f"render {type(self).__name__}"] += 1
        return render(self)

    def counting_refresh(self: Widget, *args: object, **kwargs: object) -> Widget:
        counts[f"refresh {type(self).__name__}"] += 1
        return refresh(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Widget, "_render", counting_render)
    monkeypatch.setattr(Widget, "refresh", counting_refresh)
    yield counts


@pytest.mark.parametrize("key", ["f4", "f2", "f1"])
async def test_an_idle_app_renders_nothing_and_polls_nothing(
    make_app: AppFactory, engine: FakeEngine, renders: Counter[str], key: str
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", key)
        await pilot.pause()
        renders.clear()
        engine.calls.clear()
        await pilot.pause(0.5)
        assert renders == Counter()
        assert not app.live.running
        assert engine.calls == []


async def test_thirty_key_repeats_are_one_undo_step_and_one_repaint(
    make_app: AppFactory, store: Store, renders: Counter[str]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4")
        await pilot.pause()
        renders.clear()
        for _ in range(30):
            app.simulate_key("up")
        await pilot.pause()
        assert store.state.instruments.items[0].mixer.level == pytest.approx(1.1)
        assert len(store.history.undo_stack) == 1
        assert renders["render StripControls"] == 1


async def test_a_mixer_edit_repaints_the_strips_but_not_the_meter_bridge(
    make_app: AppFactory, store: Store, renders: Counter[str]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4")
        await pilot.pause()
        renders.clear()
        store.dispatch(SetMixerLevel(instrument_strip(BASS.id), 0.3))
        await pilot.pause()
        assert renders["render StripControls"] == 1
        assert renders["render MeterBridge"] == 0


async def test_a_note_edit_does_not_repaint_the_mixer(
    make_app: AppFactory, store: Store, renders: Counter[str]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4")
        await pilot.pause()
        renders.clear()
        store.dispatch(AddNote(BASS.id, 7 * 480, 120, 90))
        await pilot.pause()
        assert renders["render StripControls"] == 0
        assert renders["render MeterBridge"] == 0


async def test_hidden_panes_do_not_repaint_on_edits(
    make_app: AppFactory, store: Store, renders: Counter[str]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f7")
        await pilot.pause()
        renders.clear()
        store.dispatch(AddNote(BASS.id, 7 * 480, 120, 90))
        store.dispatch(SetMixerLevel(instrument_strip(BASS.id), 0.3))
        await pilot.pause()
        hidden = ("PianoRollPane", "InstrumentsPane", "StripControls", "MeterBridge")
        assert not any(renders[f"render {name}"] for name in hidden)


async def test_meters_repaint_only_when_they_move_visibly(
    make_app: AppFactory, engine: FakeEngine, renders: Counter[str]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4")
        bridge = app.panes["mixer"].bridge  # type: ignore[attr-defined]
        await pilot.pause()
        renders.clear()
        bridge.show_meters(Meters((0.5, 0.5)))
        bridge.show_meters(Meters((0.5001, 0.5)))
        await pilot.pause()
        assert renders["refresh MeterBridge"] == 1


async def test_the_playhead_repaints_the_roll_only_when_it_reaches_another_column(
    make_app: AppFactory, renders: Counter[str]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "f2")
        roll = app.panes["piano_roll"]
        await pilot.pause()
        renders.clear()
        column = roll.step  # type: ignore[attr-defined]
        for tick in (0.0, 10.0, 50.0, column - 1.0):
            roll.live(Transport(playing=True, tick=tick), Meters())
        roll.live(Transport(playing=True, tick=float(column)), Meters())
        assert renders["refresh PianoRollPane"] == 2
