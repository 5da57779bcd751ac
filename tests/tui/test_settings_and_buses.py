"""The session settings pane, the bus manager and the instrument's playing rows from the
keys: typed values, refused nonsense, the removal question, the palette's synonyms."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import OptionList
from tui_fakes import AppFactory

from imbolc.core.store import Store
from imbolc.tui import ImbolcApp
from imbolc.tui.screens.help import HelpScreen
from imbolc.tui.screens.prompts import ChoiceScreen, PromptScreen

REVERB = 1


def messages(app: ImbolcApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_enter_on_the_tempo_row_types_a_new_bpm(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+e", "enter")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"133", "enter")
        assert store.state.session.settings.bpm == 133


async def test_nonsense_typed_for_the_tempo_names_the_field_and_range_and_changes_nothing(
    make_app: AppFactory, store: Store
) -> None:
    before = store.state
    app = make_app()
    async with app.run_test() as pilot:
        for nonsense in ("fast", "5000", "12.5"):
            await pilot.press("ctrl+e", "enter", *nonsense, "enter")
            assert "tempo" in messages(app)[-1] and "20 to 999 BPM" in messages(app)[-1]
    assert store.state is before


async def test_a_beat_unit_that_is_no_power_of_two_is_refused_with_the_choices(
    make_app: AppFactory, store: Store
) -> None:
    before = store.state
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+e", "down", "down", "enter", *"7", "enter")
        assert "beat unit" in messages(app)[-1] and "1, 2, 4, 8, 16, 32" in messages(app)[-1]
    assert store.state is before


async def test_the_click_row_takes_on_and_its_level_takes_a_number(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+e", *("down",) * 12, "enter", *"on", "enter")
        await pilot.press("down", "enter", *"0.25", "enter")
        click = store.state.session.click
        assert (click.enabled, click.volume) == (True, 0.25)


async def test_the_palette_finds_the_tempo_by_bpm_and_sets_it(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("colon", *"bpm")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        first = app.screen.query_one(OptionList).get_option_at_index(0)
        assert "tempo" in str(first.prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"90", "enter")
        assert store.state.session.settings.bpm == 90


async def test_the_palette_finds_key_scale_and_tuning_commands(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        for word, found in (("key", "set key"), ("scale", "set scale"), ("tuning", "set A4")):
            await pilot.press("colon", *word)
            await pilot.pause(0.3)
            options = app.screen.query_one(OptionList)
            count = options.option_count
            shown = [str(options.get_option_at_index(n).prompt) for n in range(count)]
            assert any(found in text for text in shown), (word, shown)
            await pilot.press("escape")


async def test_groove_swing_typed_out_of_range_is_refused_and_backspace_returns_to_session(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        pane = app.panes["editor"]
        await pilot.press("down", "enter")
        assert pane.focus_row("Groove", "swing")  # type: ignore[attr-defined]
        await pilot.press("enter", *"2", "enter")
        assert "swing" in messages(app)[-1] and "0 to 1" in messages(app)[-1]
        assert store.state.instruments.get(2).groove.swing is None  # type: ignore[union-attr]
        await pilot.press("enter", *"0.6", "enter")
        assert store.state.instruments.get(2).groove.swing == 0.6  # type: ignore[union-attr]
        await pilot.press("backspace")
        assert store.state.instruments.get(2).groove.swing is None  # type: ignore[union-attr]


async def test_a_chord_shape_is_typed_by_name(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("down", "enter")
        assert app.panes["editor"].focus_row("Chord", "shape")  # type: ignore[attr-defined]
        await pilot.press("enter", *"sus4", "enter")
        assert store.state.instruments.get(2).chord_shape == "sus4"  # type: ignore[union-attr]
        await pilot.press("enter", *"banjo", "enter")
        assert "shape" in messages(app)[-1] and "one of off, major" in messages(app)[-1]
        assert store.state.instruments.get(2).chord_shape == "sus4"  # type: ignore[union-attr]


async def test_removing_a_bus_first_says_what_is_rerouted(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+o", "D")
        assert isinstance(app.screen, ChoiceScreen)
        question = app.screen.question
        assert "Reverb" in question and "Chords, Lead, Bell are switched off" in question
        await pilot.press("n")
        assert store.state.session.mixer.bus(REVERB) is not None
        await pilot.press("D", "y")
        assert store.state.session.mixer.bus(REVERB) is None


async def test_an_empty_bus_name_is_refused_naming_the_field(
    make_app: AppFactory, store: Store
) -> None:
    before = store.state
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+o", "r", "backspace", "enter")
        assert "Bus name" in messages(app)[-1] and "1 to 64 characters" in messages(app)[-1]
    assert store.state is before


async def test_b_on_a_bus_strip_opens_the_manager_on_that_bus(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        strips = len(store.state.instruments.items) + 1  # the second bus: Delay
        await pilot.press("f4", *("right",) * strips, "b", "a", *"chorus", "enter")
        effects = store.state.session.mixer.bus(2).effects  # type: ignore[union-attr]
        assert [e.effect_type for e in effects] == ["delay", "chorus"]


async def test_the_mixer_shows_a_sends_tap(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4", "right", "right", "f")
        assert "pre fader" in str(app.panes["mixer"].controls.render())  # type: ignore[attr-defined]


async def test_help_on_the_new_panes_lists_their_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+o", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Remove bus" in app.screen.body.plain and "Add bus effect" in app.screen.body.plain
        await pilot.press("escape", "ctrl+e", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Type a value" in app.screen.body.plain and "Bus manager" in app.screen.body.plain
