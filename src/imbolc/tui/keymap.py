"""Key bindings: the shipped TOML keymap, the user's overrides, and their Textual form.

The keymap is data: layers (``global``, one per pane, ``performance``) of bindings that map
keys to action names. The package ships ``keymap.toml``; a user file in the same format
rebinds actions. Parsing is pure (text in, keymap and warnings out): a bad entry yields a
warning naming the layer, action or key, and that action keeps its default keys.
"""

from __future__ import annotations

import difflib
import string
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
from textual.binding import Binding, BindingType

KEYMAP_VERSION = 1

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    {
        "escape",
        "enter",
        "tab",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "up",
        "down",
        "left",
        "right",
        "space",
        *(f"f{n}" for n in range(1, 25)),
    }
)

_TEXTUAL_RENAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def _char_name(char: str) -> str:
    """Textual's name for a punctuation key ("?" -> "question_mark")."""
    name = unicodedata.name(char).lower().replace(" ", "_").replace("-", "_")
    return _TEXTUAL_RENAMES.get(name, name)


CHAR_NAMES: dict[str, str] = {char: _char_name(char) for char in string.punctuation}
"""Punctuation characters and the key names Textual gives them."""
_NAME_TO_CHAR = {name: char for char, name in CHAR_NAMES.items()}


class KeyBinding(msgspec.Struct, frozen=True):
    """One action of a layer and the keys that run it (as written in the TOML)."""

    action: str
    keys: tuple[str, ...]
    description: str = ""
    hint: bool = False
    """Shown in the footer."""


class Keymap(msgspec.Struct, frozen=True):
    """Every layer's bindings, in file order."""

    layers: dict[str, tuple[KeyBinding, ...]]

    def layer(self, name: str) -> tuple[KeyBinding, ...]:
        """The bindings of layer ``name`` (empty for an unknown layer)."""
        return self.layers.get(name, ())

    def binding(self, layer: str, action: str) -> KeyBinding | None:
        """The binding of ``action`` in ``layer``, if there is one."""
        for binding in self.layer(layer):
            if binding.action == action:
                return binding
        return None


class KeymapError(ValueError):
    """The shipped keymap is broken (a packaging bug, not a user error)."""


def key_problem(key: object) -> str | None:
    """Why ``key`` is not a valid key, or None when it is.

    A key is a single printable character ("a", "?", "["), a named key ("f1", "pageup",
    "comma", "question_mark"), optionally after modifiers ("ctrl+z", "alt+left").
    """
    if not isinstance(key, str) or not key:
        return "a key must be a non-empty string"
    if len(key) == 1:
        if key == "," or not key.isprintable() or key.isspace():
            return "use a name for this key (comma, space)"
        return None
    *modifiers, base = key.split("+")
    if base == "" and key.endswith("+"):
        return "a key cannot end with '+' (write 'plus')"
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return f"unknown modifier {modifier!r} (use {', '.join(MODIFIERS)})"
    if len(set(modifiers)) != len(modifiers):
        return "a modifier appears twice"
    if len(base) == 1:
        return None if base.isprintable() and not base.isspace() else "not a printable key"
    if base in NAMED_KEYS or base in _NAME_TO_CHAR:
        return None
    close = difflib.get_close_matches(base, [*NAMED_KEYS, *_NAME_TO_CHAR], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key name {base!r}{hint}"


def textual_key(key: str) -> str:
    """The name Textual gives ``key`` ("?" -> "question_mark", "ctrl+[" -> ...)."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    base = CHAR_NAMES.get(base, base)
    return "+".join([*modifiers, base])


def display_key(key: str) -> str:
    """``key`` as people read it: "ctrl+z" -> "Ctrl+z", "question_mark" -> "?"."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    base = _NAME_TO_CHAR.get(base, base)
    shown = {
        "pageup": "PgUp",
        "pagedown": "PgDn",
        "escape": "Esc",
        "delete": "Del",
        "enter": "Enter",
        "space": "Space",
        "backspace": "Bksp",
        "up": "↑",
        "down": "↓",
        "left": "←",
        "right": "→",
    }
    base = shown.get(base, base.upper() if base.startswith("f") and base[1:].isdigit() else base)
    return "+".join([*(m.capitalize() for m in modifiers), base])


def _entry_keys(entry: dict[str, Any]) -> Any:
    keys = entry.get("key", entry.get("keys"))
    return (keys,) if isinstance(keys, str) else keys


def _read_layers(
    data: dict[str, Any], source: str, warnings: list[str]
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The well-formed entries per layer, each with the place it came from."""
    version = data.get("version", KEYMAP_VERSION)
    if version != KEYMAP_VERSION:
        warnings.append(f"{source}: version {version!r} is not {KEYMAP_VERSION}; reading anyway")
    for key in data:
        if key not in ("version", "layers"):
            warnings.append(f"{source}: unknown top-level key {key!r} ignored")
    layers = data.get("layers", {})
    if not isinstance(layers, dict):
        warnings.append(f"{source}: 'layers' must be a table; using the default keys")
        return {}
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, table in layers.items():
        bindings = table.get("bindings") if isinstance(table, dict) else None
        if not isinstance(bindings, list):
            warnings.append(f"{source}: layers.{name} needs a 'bindings' list; layer ignored")
            continue
        entries = found.setdefault(name, [])
        for n, entry in enumerate(bindings):
            where = f"{source}: layers.{name}.bindings[{n}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("action"), str):
                warnings.append(f"{where} needs an 'action' string; entry ignored")
                continue
            entries.append((where, entry))
    return found


def parse_keymap(text: str, source: str = "keymap.toml") -> tuple[Keymap, list[str]]:
    """Parse a complete keymap (the shipped one); entries with problems are skipped."""
    warnings: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Keymap({}), [f"{source}: not valid TOML ({error})"]
    layers: dict[str, tuple[KeyBinding, ...]] = {}
    for name, entries in _read_layers(data, source, warnings).items():
        bindings: dict[str, KeyBinding] = {}
        for where, entry in entries:
            binding = _checked_binding(where, entry, warnings)
            if binding is None:
                continue
            if binding.action in bindings:
                warnings.append(f"{where}: action {binding.action!r} is listed twice")
                continue
            bindings[binding.action] = binding
        layers[name] = tuple(bindings.values())
        warnings.extend(_clashes(source, name, layers[name]))
    return Keymap(layers), warnings


def _checked_binding(where: str, entry: dict[str, Any], warnings: list[str]) -> KeyBinding | None:
    action = entry["action"]
    keys = _entry_keys(entry)
    if not isinstance(keys, list | tuple) or not keys:
        warnings.append(f"{where}: action {action!r} needs 'key' (a string or a list)")
        return None
    for key in keys:
        problem = key_problem(key)
        if problem is not None:
            warnings.append(f"{where}: key {key!r} for {action!r}: {problem}")
            return None
    description = entry.get("description", "")
    hint = entry.get("hint", False)
    if not isinstance(description, str) or not isinstance(hint, bool):
        warnings.append(f"{where}: 'description' must be text and 'hint' true or false")
        return None
    return KeyBinding(action, tuple(keys), description, hint)


def _clashes(source: str, layer: str, bindings: tuple[KeyBinding, ...]) -> list[str]:
    owner: dict[str, str] = {}
    problems = []
    for binding in bindings:
        for key in binding.keys:
            name = textual_key(key)
            if name in owner and owner[name] != binding.action:
                problems.append(
                    f"{source}: layers.{layer}: key {key!r} is bound to both "
                    f"{owner[name]!r} and {binding.action!r}"
                )
            owner.setdefault(name, binding.action)
    return problems


def apply_overrides(
    defaults: Keymap, text: str, source: str = "keybindings.toml"
) -> tuple[Keymap, list[str]]:
    """The defaults with the user's rebindings from ``text``; bad entries keep the defaults.

    Only the keys of existing actions can change; an unknown layer or action, a bad key,
    or a key that another action of the layer already uses gives a warning naming it.
    """
    warnings: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return defaults, [f"{source}: not valid TOML ({error}); using the default keys"]
    layers = dict(defaults.layers)
    for name, entries in _read_layers(data, source, warnings).items():
        if name not in layers:
            close = difflib.get_close_matches(name, list(layers), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            warnings.append(f"{source}: unknown layer {name!r}{hint} ignored")
            continue
        layers[name] = _override_layer(layers[name], name, entries, warnings)
    return Keymap(layers), warnings


def _override_layer(
    current: tuple[KeyBinding, ...],
    layer: str,
    entries: list[tuple[str, dict[str, Any]]],
    warnings: list[str],
) -> tuple[KeyBinding, ...]:
    by_action = {binding.action: binding for binding in current}
    for where, entry in entries:
        action = entry["action"]
        if action not in by_action:
            close = difflib.get_close_matches(action, list(by_action), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            warnings.append(f"{where}: layer {layer!r} has no action {action!r}{hint}")
            continue
        keys = _entry_keys(entry)
        if not isinstance(keys, list | tuple) or not keys:
            warnings.append(f"{where}: {action!r} needs 'key' (a string or a list); kept default")
            continue
        bad = [(key, key_problem(key)) for key in keys if key_problem(key) is not None]
        if bad:
            key, problem = bad[0]
            warnings.append(f"{where}: key {key!r} for {action!r}: {problem}; kept default")
            continue
        taken = {
            textual_key(key): other.action
            for other in by_action.values()
            if other.action != action
            for key in other.keys
        }
        clash = [key for key in keys if textual_key(key) in taken]
        if clash:
            other = taken[textual_key(clash[0])]
            warnings.append(
                f"{where}: key {clash[0]!r} for {action!r} is already bound to {other!r} "
                f"in layer {layer!r}; kept default"
            )
            continue
        by_action[action] = msgspec.structs.replace(by_action[action], keys=tuple(keys))
    return tuple(by_action.values())


@cache
def default_keymap() -> Keymap:
    """The keymap shipped with imbolc (read once from the package)."""
    text = resources.files("imbolc.tui").joinpath("keymap.toml").read_text(encoding="utf-8")
    keymap, warnings = parse_keymap(text, "imbolc/tui/keymap.toml")
    if warnings:
        raise KeymapError("; ".join(warnings))
    return keymap


def load_keymap(override: Path | None) -> tuple[Keymap, list[str]]:
    """The default keymap with the user's file applied (a missing file is no error)."""
    defaults = default_keymap()
    if override is None or not override.exists():
        return defaults, []
    try:
        text = override.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return defaults, [f"{override}: cannot be read ({error}); using the default keys"]
    return apply_overrides(defaults, text, str(override))


def binding_id(layer: str, action: str) -> str:
    """The id Textual knows a binding by."""
    return f"{layer}.{action}"


def layer_bindings(layer: str, priority: bool = False) -> list[BindingType]:
    """Textual bindings for one layer of the default keymap (for a class's BINDINGS)."""
    found = default_keymap().layer(layer)
    if not found:
        raise KeymapError(f"the shipped keymap has no layer {layer!r}")
    return [
        Binding(
            ",".join(textual_key(key) for key in binding.keys),
            binding.action,
            binding.description,
            show=binding.hint,
            priority=priority,
            id=binding_id(layer, binding.action),
        )
        for binding in found
    ]


def textual_keymap(keymap: Keymap) -> dict[str, str]:
    """Binding id -> keys for every binding whose keys differ from the shipped defaults."""
    defaults = default_keymap()
    changed: dict[str, str] = {}
    for layer, bindings in keymap.layers.items():
        for binding in bindings:
            default = defaults.binding(layer, binding.action)
            if default is None or default.keys != binding.keys:
                keys = ",".join(textual_key(key) for key in binding.keys)
                changed[binding_id(layer, binding.action)] = keys
    return changed
