"""The keymap: the shipped TOML, user overrides, and what a bad override does."""

from __future__ import annotations

from pathlib import Path

import pytest

from imbolc.tui.keymap import (
    apply_overrides,
    default_keymap,
    display_key,
    key_problem,
    load_keymap,
    parse_keymap,
    textual_key,
    textual_keymap,
)

PANE_LAYERS = (
    "instruments", "editor", "piano_roll", "drums", "arrangement",
    "mixer", "automation", "engine", "project", "settings", "buses",
)  # fmt: skip


def test_the_shipped_keymap_has_global_performance_and_every_pane_layer() -> None:
    layers = default_keymap().layers
    assert {"global", "performance", *PANE_LAYERS} <= set(layers)
    assert all(layers[name] for name in PANE_LAYERS)


def test_the_shipped_keymap_binds_no_key_twice_within_a_layer() -> None:
    for name, bindings in default_keymap().layers.items():
        keys = [textual_key(key) for binding in bindings for key in binding.keys]
        assert len(keys) == len(set(keys)), name


def test_an_override_replaces_the_keys_of_one_action_and_keeps_the_rest() -> None:
    text = 'version = 1\n[layers.mixer]\nbindings = [{ key = ["k", "up"], action = "level(0.01)" }]'
    keymap, warnings = apply_overrides(default_keymap(), text)
    assert warnings == []
    assert keymap.binding("mixer", "level(0.01)").keys == ("k", "up")  # type: ignore[union-attr]
    assert keymap.binding("mixer", "mute") == default_keymap().binding("mixer", "mute")


def test_a_bad_key_in_an_override_warns_naming_the_key_and_keeps_the_default() -> None:
    text = '[layers.mixer]\nbindings = [{ key = "ctrl+", action = "mute" }]'
    keymap, warnings = apply_overrides(default_keymap(), text, "mine.toml")
    assert len(warnings) == 1
    assert "mine.toml" in warnings[0] and "'ctrl+'" in warnings[0] and "'mute'" in warnings[0]
    assert keymap.binding("mixer", "mute") == default_keymap().binding("mixer", "mute")


def test_an_unknown_modifier_is_named_in_the_warning() -> None:
    text = '[layers.global]\nbindings = [{ key = "hyperx+z", action = "undo" }]'
    _keymap, warnings = apply_overrides(default_keymap(), text)
    assert "unknown modifier 'hyperx'" in warnings[0]


def test_an_unknown_action_is_named_with_a_suggestion() -> None:
    text = '[layers.mixer]\nbindings = [{ key = "q", action = "mutte" }]'
    keymap, warnings = apply_overrides(default_keymap(), text)
    assert "no action 'mutte'" in warnings[0] and "'mute'" in warnings[0]
    assert keymap == default_keymap()


def test_an_unknown_layer_is_named_and_ignored() -> None:
    text = '[layers.mixr]\nbindings = [{ key = "q", action = "mute" }]'
    keymap, warnings = apply_overrides(default_keymap(), text)
    assert "unknown layer 'mixr'" in warnings[0] and "'mixer'" in warnings[0]
    assert keymap == default_keymap()


def test_a_key_already_used_in_the_layer_keeps_the_default_and_says_by_what() -> None:
    text = '[layers.mixer]\nbindings = [{ key = "s", action = "mute" }]'
    keymap, warnings = apply_overrides(default_keymap(), text)
    assert "'s'" in warnings[0] and "'solo'" in warnings[0]
    assert keymap.binding("mixer", "mute") == default_keymap().binding("mixer", "mute")


def test_invalid_toml_keeps_every_default() -> None:
    keymap, warnings = apply_overrides(default_keymap(), "[layers.mixer\n", "broken.toml")
    assert keymap == default_keymap()
    assert warnings[0].startswith("broken.toml: not valid TOML")


def test_an_entry_without_an_action_is_named_by_its_position() -> None:
    text = '[layers.mixer]\nbindings = [{ key = "q" }]'
    _keymap, warnings = apply_overrides(default_keymap(), text)
    assert "layers.mixer.bindings[0]" in warnings[0]


def test_parsing_a_complete_keymap_reports_a_clash_within_a_layer() -> None:
    text = '[layers.x]\nbindings = [{ key = "a", action = "one" }, { key = "a", action = "two" }]'
    _keymap, warnings = parse_keymap(text)
    assert "'a' is bound to both 'one' and 'two'" in warnings[0]


@pytest.mark.parametrize(
    "key", ["a", "?", "[", "F", "f12", "ctrl+z", "alt+left", "shift+up", "comma"]
)
def test_valid_keys_have_no_problem(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize(
    "key", ["", ",", " ", "ctrl+", "ctrl+ctrl+a", "fn+a", "pgup", "ctrl+space bar"]
)
def test_invalid_keys_are_explained(key: str) -> None:
    assert key_problem(key)


def test_punctuation_is_given_textuals_key_names() -> None:
    assert textual_key("?") == "question_mark"
    assert textual_key("ctrl+[") == "ctrl+left_square_bracket"
    assert textual_key("+") == "plus"
    assert display_key("question_mark") == "?"
    assert display_key("ctrl+z") == "Ctrl+z"


def test_only_rebound_actions_go_to_textual_as_overrides() -> None:
    text = '[layers.mixer]\nbindings = [{ key = "k", action = "mute" }]'
    keymap, _warnings = apply_overrides(default_keymap(), text)
    assert textual_keymap(keymap) == {"mixer.mute": "k"}
    assert textual_keymap(default_keymap()) == {}


def test_a_missing_user_file_is_no_problem(tmp_path: Path) -> None:
    assert load_keymap(tmp_path / "absent.toml") == (default_keymap(), [])


def test_a_user_file_is_read_and_applied(tmp_path: Path) -> None:
    path = tmp_path / "keybindings.toml"
    path.write_text('[layers.global]\nbindings = [{ key = "ctrl+u", action = "undo" }]')
    keymap, warnings = load_keymap(path)
    assert warnings == []
    assert keymap.binding("global", "undo").keys == ("ctrl+u",)  # type: ignore[union-attr]


def test_no_pane_layer_hides_a_global_key() -> None:
    keymap = default_keymap()
    global_keys = {textual_key(key) for binding in keymap.layer("global") for key in binding.keys}
    for name in PANE_LAYERS:
        pane_keys = {textual_key(key) for binding in keymap.layer(name) for key in binding.keys}
        assert not pane_keys & global_keys, name
