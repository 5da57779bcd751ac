"""User configuration: musical defaults and autosave, parsed from TOML text.

Parsing is pure: the caller reads the file. A malformed file or a bad value never stops
imbolc; it yields a warning naming the file and the key, and that key keeps its default.
"""

from __future__ import annotations

import tomllib
from typing import Any

import msgspec

from imbolc.core.mixer import DEFAULT_BUS_COUNT, MAX_BUSES
from imbolc.core.session import JiFlavorName, Key, ScaleName, Tuning


class MusicalDefaults(msgspec.Struct, frozen=True):
    """Settings a new project starts with."""

    bpm: float = 120.0
    key: Key = "C"
    scale: ScaleName = "major"
    tuning_a4: float = 440.0
    time_signature: tuple[int, int] = (4, 4)
    tuning: Tuning = "equal"
    ji_flavor: JiFlavorName = "five_limit"
    snap: bool = False
    bus_count: int = DEFAULT_BUS_COUNT


class RuntimeSettings(msgspec.Struct, frozen=True):
    """How imbolc behaves while running."""

    autosave: bool = True
    autosave_interval_minutes: float = 2.0
    engine: str = "auto"
    scale_lock: bool = False
    """Notes entered in the piano roll and in performance mode snap to the session's key and
    scale (the nearest scale tone, ties downwards)."""


class MidiConfig(msgspec.Struct, frozen=True):
    """Live MIDI: the input ports to listen to ("all", one port name, or "" for none), MIDI
    clock out and in, and Ableton Link."""

    input: str = "all"
    clock_out: bool = False
    clock_in: bool = False
    link: bool = False


class Config(msgspec.Struct, frozen=True):
    """The whole user configuration."""

    defaults: MusicalDefaults = MusicalDefaults()
    runtime: RuntimeSettings = RuntimeSettings()
    midi: MidiConfig = MidiConfig()


_LIMITS: dict[str, tuple[float, float]] = {
    "defaults.bpm": (20.0, 999.0),
    "defaults.tuning_a4": (400.0, 480.0),
    "defaults.bus_count": (0, MAX_BUSES),
    "runtime.autosave_interval_minutes": (1.0, 10080.0),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "runtime.engine": ("auto", "scsynth", "embedded", "supernova")
}


def _section(
    cls: type[msgspec.Struct], table: Any, name: str, source: str, warnings: list[str]
) -> Any:
    """Decode one table key by key so one bad value does not discard the others."""
    if not isinstance(table, dict):
        warnings.append(f"{source}: [{name}] must be a table; using defaults")
        return cls()
    fields = set(cls.__struct_fields__)
    good: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{name}.{key}"
        if key not in fields:
            warnings.append(f"{source}: unknown key {where!r} ignored")
            continue
        try:
            msgspec.convert({key: value}, cls)
        except msgspec.ValidationError as error:
            warnings.append(f"{source}: bad value for {where!r} ({error}); using the default")
            continue
        low_high = _LIMITS.get(where)
        if low_high is not None and not low_high[0] <= value <= low_high[1]:
            low, high = low_high
            warnings.append(
                f"{source}: {where} = {value!r} is outside [{low:g}, {high:g}]; using the default"
            )
            continue
        options = _CHOICES.get(where)
        if options is not None and value not in options:
            listed = ", ".join(options)
            warnings.append(f"{source}: {where} must be one of {listed}; using the default")
            continue
        good[key] = value
    return msgspec.convert(good, cls)


def parse_config(text: str, source: str = "config.toml") -> tuple[Config, list[str]]:
    """Parse TOML text into a Config plus the warnings for everything that was ignored."""
    warnings: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Config(), [f"{source}: not valid TOML ({error}); using the defaults"]
    for key in data:
        if key not in ("defaults", "runtime", "midi"):
            warnings.append(f"{source}: unknown section [{key}] ignored")
    defaults = _section(MusicalDefaults, data.get("defaults", {}), "defaults", source, warnings)
    runtime = _section(RuntimeSettings, data.get("runtime", {}), "runtime", source, warnings)
    midi = _section(MidiConfig, data.get("midi", {}), "midi", source, warnings)
    return Config(defaults, runtime, midi), warnings
