"""The app as a whole: header, panes, palette, help, undo, errors, saving, quitting, recovery."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import ContentSwitcher
from tui_fakes import DEMO, AppFactory, FakeEngine, MemoryIO, burst

from imbolc.core.actions import SetBpm
from imbolc.core.store import Store
from imbolc.core.templates import blank_project
from imbolc.tui.screens.help import HelpScreen
from imbolc.tui.screens.prompts import ChoiceScreen, PromptScreen

pytestmark = pytest.mark.asyncio


def current(app: object) -> str | None:
    return app.query_one("#panes", ContentSwitcher).current  # type: ignore[attr-defined, no-any-return]


async def test_the_header_shows_project_transport_and_engine(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "demo.imbolc" in app.header.song.text.plain
        assert "120 BPM 1.1.1" in app.header.transport.text.plain
        assert "0% CPU" in app.header.engine.text.plain


async def test_the_header_follows_a_tempo_change(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        store.dispatch(SetBpm(96.0))
        await pilot.pause()
        assert "96 BPM" in app.header.transport.text.plain
        assert "demo.imbolc*" in app.header.song.text.plain


@pytest.mark.parametrize(
    ("key", "pane"),
    [("f1", "instruments"), ("f3", "arrangement"), ("f4", "mixer"), ("f5", "engine"),
     ("f6", "project"), ("f7", "automation"), ("f8", "drums")],
)  # fmt: skip
async def test_function_keys_switch_panes(make_app: AppFactory, key: str, pane: str) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press(key)
        assert current(app) == pane
        assert app.focused is app.panes[pane]


async def test_f2_opens_the_drum_sequencer_on_a_kit_and_the_piano_roll_otherwise(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f2")
        assert current(app) == "drums"
        await pilot.press("f1", "down", "f2")
        assert current(app) == "piano_roll"


async def test_backtick_returns_to_the_previous_pane(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "f7", "grave_accent")
        assert current(app) == "mixer"


async def test_the_pane_switcher_jumps_to_a_pane_by_name(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("semicolon")
        await burst(pilot, *"mixer", "enter")
        assert current(app) == "mixer"


async def test_the_command_palette_runs_an_action_of_the_current_pane(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "colon")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"mute")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert store.state.instruments.items[0].mixer.mute is True


async def test_help_lists_the_current_panes_keys_and_the_global_ones(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.body.plain
        assert "Level up" in body and "Mute" in body and "Undo" in body
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_undo_and_redo_work_from_any_pane(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "m", "f7", "ctrl+z")
        assert store.state.instruments.items[0].mixer.mute is False
        await pilot.press("f1", "ctrl+y")
        assert store.state.instruments.items[0].mixer.mute is True


async def test_an_invalid_action_becomes_an_error_notification(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("L")  # the drum kit is in no layer group
        await pilot.pause()
        assert store.state is DEMO
        messages = [n.message for n in app._notifications]
        assert any("not in a layer group" in message for message in messages)


async def test_previous_and_next_instrument_keys_move_the_selection(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("greater_than_sign", "greater_than_sign", "less_than_sign")
        assert app.ws.selected_id == DEMO.instruments.items[1].id


async def test_space_plays_and_stops_and_the_playhead_timer_runs_only_while_playing(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        assert not app.live.running
        await pilot.press("space")
        assert engine.calls[-1] == ("play",)
        assert app.live.running
        await pilot.press("space")
        await pilot.pause(0.1)
        assert engine.calls[-1] == ("stop",)
        assert not app.live.running


async def test_home_rewinds_to_the_loop_start(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("home")
        assert engine.calls[-1] == ("seek", 0.0)


async def test_ctrl_s_saves_to_the_project_path(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "up", "ctrl+s")
        assert io.files[Path("/songs/demo.imbolc")] is store.state
        assert not app.document.dirty


async def test_saving_an_untitled_project_asks_for_a_path(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app(path=None)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PromptScreen)
        prompt = app.screen.query_one("#answer")
        prompt.value = "/tmp/new-song.imbolc"  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert io.files[Path("/tmp/new-song.imbolc")] is store.state
        assert app.document.path == Path("/tmp/new-song.imbolc")


async def test_a_failed_save_keeps_the_changes_and_says_why(
    make_app: AppFactory, io: MemoryIO
) -> None:
    app = make_app()
    io.fail_saves = True
    async with app.run_test() as pilot:
        await pilot.press("f4", "m", "ctrl+s")
        await pilot.pause()
        assert app.document.dirty
        assert any("disk full" in n.message for n in app._notifications)


async def test_quitting_without_changes_exits_at_once(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0


async def test_quitting_with_changes_asks_and_cancel_keeps_working(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "m", "ctrl+q")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ChoiceScreen)
        assert app.is_running


async def test_quitting_with_changes_can_save_first(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "m", "ctrl+q", "s")
        await pilot.pause()
        assert io.files[Path("/songs/demo.imbolc")] is store.state
        assert app.return_code == 0


async def test_quitting_with_changes_can_discard_them(make_app: AppFactory, io: MemoryIO) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f4", "m", "ctrl+q", "d")
        await pilot.pause()
        assert io.files == {}
        assert app.return_code == 0


async def test_an_autosave_is_offered_at_start_and_recovered_on_request(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    autosave = Path("/state/demo.autosave")
    recovered = blank_project()
    io.files[autosave] = recovered
    io.recovery = autosave
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("r")
        await pilot.pause()
        assert store.state is recovered
        assert app.document.recovered and app.document.dirty
        assert "(recovered)" in app.header.song.text.plain


async def test_an_ignored_autosave_leaves_the_project_alone(
    make_app: AppFactory, store: Store, io: MemoryIO
) -> None:
    io.files[Path("/state/a")] = blank_project()
    io.recovery = Path("/state/a")
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("i")
        assert store.state is DEMO


async def test_a_user_keymap_rebinds_a_pane_key(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    keymap = tmp_path / "keys.toml"
    keymap.write_text('[layers.mixer]\nbindings = [{ key = "k", action = "mute" }]')
    app = make_app(keymap=keymap)
    async with app.run_test() as pilot:
        await pilot.press("f4", "m")
        assert store.state.instruments.items[0].mixer.mute is False
        await pilot.press("k")
        assert store.state.instruments.items[0].mixer.mute is True


async def test_a_malformed_user_keymap_warns_and_keeps_the_defaults(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    keymap = tmp_path / "keys.toml"
    keymap.write_text('[layers.mixer]\nbindings = [{ key = "ctrl+", action = "mute" }]')
    app = make_app(keymap=keymap)
    async with app.run_test() as pilot:
        await pilot.press("f4", "m")
        assert store.state.instruments.items[0].mixer.mute is True
        assert any("'ctrl+'" in n.message for n in app._notifications)


async def test_performance_mode_plays_the_selected_instrument(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("greater_than_sign", "slash")
        await burst(pilot, "a", "right_square_bracket", "a")
        bass = DEMO.instruments.items[1].id
        notes = [call for call in engine.calls if call[0] == "note_on"]
        assert notes == [("note_on", bass, 60, 100), ("note_on", bass, 72, 100)]
        assert "PERF C5" in app.header.song.text.plain


async def test_notes_are_released_after_a_short_gate(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("slash", "d")
        await pilot.pause(0.5)
        assert ("note_off", DEMO.instruments.items[0].id, 64) in engine.calls


async def test_leaving_performance_mode_gives_letters_back_to_the_pane(
    make_app: AppFactory, engine: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("slash", "escape", "r")
        assert isinstance(app.screen, PromptScreen)  # r renames in the instrument list
        assert not any(call[0] == "note_on" for call in engine.calls)


@pytest.mark.parametrize(("lock", "played"), [(True, [60, 62]), (False, [61, 63])])
async def test_the_scale_lock_keeps_performance_notes_in_the_scale(
    make_app: AppFactory, engine: FakeEngine, lock: bool, played: list[int]
) -> None:
    """C# and D# in A minor: locked, they play the scale tone below (the nearest, ties down)."""
    app = make_app()
    app.ws.scale_lock = lock  # type: ignore[attr-defined]
    async with app.run_test() as pilot:
        await pilot.press("greater_than_sign", "slash")
        await burst(pilot, "w", "e")
        notes = [call[2] for call in engine.calls if call[0] == "note_on"]
        assert notes == played
