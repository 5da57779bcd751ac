"""The session settings pane (Ctrl+E): tempo, meter, key, scale, tuning, feel and metronome.

One row per setting, edited like the instrument editor's rows: arrows step, Enter types a
value (nonsense is refused naming the field and what it accepts), Backspace resets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, NamedTuple, get_args

from rich.text import Text
from textual.binding import BindingType

from imbolc.core.actions import (
    SetBpm,
    SetClick,
    SetHumanize,
    SetJiFlavor,
    SetKey,
    SetScale,
    SetSnap,
    SetSwing,
    SetTimeSignature,
    SetTuning,
    SetTuningA4,
)
from imbolc.core.actions.base import Action
from imbolc.core.catalog import ParamSpec
from imbolc.core.project import Project
from imbolc.core.session import JiFlavorName, Key, ScaleName, Tuning
from imbolc.core.targets import BPM_RANGE
from imbolc.tui.keymap import layer_bindings
from imbolc.tui.panes.editor_rows import Row
from imbolc.tui.panes.rows import RowsPane

KEYS: tuple[Key, ...] = get_args(Key)
SCALES: tuple[ScaleName, ...] = get_args(ScaleName)
TUNINGS: tuple[Tuning, ...] = get_args(Tuning)
JI_FLAVORS: tuple[JiFlavorName, ...] = get_args(JiFlavorName)
DENOMINATORS = (1, 2, 4, 8, 16, 32)


class SettingName(NamedTuple):
    """A settings row and the words the palette finds it by."""

    section: str
    label: str
    words: str


SETTINGS: tuple[SettingName, ...] = (
    SettingName("Tempo and meter", "tempo", "tempo, BPM, speed"),
    SettingName("Tempo and meter", "beats per bar", "time signature, meter, numerator"),
    SettingName("Tempo and meter", "beat unit", "time signature, meter, denominator"),
    SettingName("Pitch", "key", "key, tonic, root note"),
    SettingName("Pitch", "scale", "scale, mode"),
    SettingName("Pitch", "tuning", "tuning, temperament, just intonation"),
    SettingName("Pitch", "A4", "tuning, A4, concert pitch, reference"),
    SettingName("Pitch", "JI flavour", "tuning, just intonation, JI flavor, limit"),
    SettingName("Feel", "swing", "swing, shuffle, groove"),
    SettingName("Feel", "humanize velocity", "humanize, velocity, random"),
    SettingName("Feel", "humanize timing", "humanize, timing, random"),
    SettingName("Feel", "snap", "snap, grid, quantize"),
    SettingName("Metronome", "click", "metronome, click, on/off"),
    SettingName("Metronome", "click level", "metronome, click, volume, level"),
    SettingName("Metronome", "click muted", "metronome, click, mute"),
)
"""Every row of the pane, in order (``settings_rows`` builds them in this order)."""


def _num(name: str, low: float, high: float, default: float, unit: str = "") -> ParamSpec:
    return ParamSpec(name, default, low, high, unit)


def _int(name: str, low: int, high: int, default: int, unit: str = "") -> ParamSpec:
    return ParamSpec(name, float(default), float(low), float(high), unit, kind="int")


def _flag(name: str) -> ParamSpec:
    return ParamSpec(name, 0.0, 0.0, 1.0, kind="bool")


def _choice(name: str, choices: tuple[str, ...], default: int = 0) -> ParamSpec:
    top = float(len(choices) - 1)
    return ParamSpec(name, float(default), 0.0, top, kind="choice", choices=choices)


def settings_rows(project: Project) -> tuple[Row, ...]:
    """A row per session setting, each building the action that sets it."""
    session = project.session
    settings, humanize, click = session.settings, session.humanize, session.click
    num, den = settings.time_signature
    low, high = BPM_RANGE
    denominators = tuple(str(d) for d in DENOMINATORS)
    den_index = DENOMINATORS.index(den) if den in DENOMINATORS else 2

    def put_click(enabled: bool = click.enabled, volume: float = click.volume,
                  muted: bool = click.muted) -> SetClick:  # fmt: skip
        return SetClick(enabled, volume, muted)

    values: tuple[tuple[float, ParamSpec, Callable[[float], Action]], ...] = (
        (settings.bpm, _int("tempo", int(low), int(high), 120, "BPM"), SetBpm),
        (float(num), _int("beats per bar", 1, 32, 4), lambda v: SetTimeSignature(int(v), den)),
        (float(den_index), _choice("beat unit", denominators, 2),
         lambda v: SetTimeSignature(num, DENOMINATORS[int(v)])),
        (float(KEYS.index(settings.key)), _choice("key", KEYS), lambda v: SetKey(KEYS[int(v)])),
        (float(SCALES.index(settings.scale)), _choice("scale", SCALES),
         lambda v: SetScale(SCALES[int(v)])),
        (float(TUNINGS.index(settings.tuning)), _choice("tuning", TUNINGS),
         lambda v: SetTuning(TUNINGS[int(v)])),
        (settings.tuning_a4, _num("A4", 400.0, 480.0, 440.0, "Hz"), SetTuningA4),
        (float(JI_FLAVORS.index(settings.ji_flavor)), _choice("JI flavour", JI_FLAVORS),
         lambda v: SetJiFlavor(JI_FLAVORS[int(v)])),
        (session.piano_roll.swing, _num("swing", 0.0, 1.0, 0.0), SetSwing),
        (humanize.velocity, _num("humanize velocity", 0.0, 1.0, 0.0),
         lambda v: SetHumanize(v, humanize.timing)),
        (humanize.timing, _num("humanize timing", 0.0, 1.0, 0.0),
         lambda v: SetHumanize(humanize.velocity, v)),
        (float(settings.snap), _flag("snap"), lambda v: SetSnap(v >= 0.5)),
        (float(click.enabled), _flag("click"), lambda v: put_click(enabled=v >= 0.5)),
        (click.volume, _num("click level", 0.0, 1.0, 0.7), lambda v: put_click(volume=v)),
        (float(click.muted), _flag("click muted"), lambda v: put_click(muted=v >= 0.5)),
    )  # fmt: skip
    return tuple(
        Row(name.section, name.label, value, spec, build)
        for name, (value, spec, build) in zip(SETTINGS, values, strict=True)
    )


class SettingsPane(RowsPane):
    """Every musical setting of the session, one row each."""

    LAYER = "settings"
    TITLE = "Session settings"
    BINDINGS: ClassVar[list[BindingType]] = layer_bindings("settings")

    def watched(self, project: Project) -> tuple[object, ...]:
        session = project.session
        return (session.settings, session.humanize, session.click, session.piano_roll.swing)

    def rows_source(self) -> tuple[object, ...]:
        return self.watched(self.ws.project)

    def build_rows(self) -> tuple[Row, ...]:
        return settings_rows(self.ws.project)

    def heading(self, text: Text) -> None:
        buses = len(self.ws.project.session.mixer.buses)
        text.append("Session settings", style="bold")
        text.append(f"  {buses} buses (Ctrl+O or b manages them)\n", style="dim")

    def edit(self, label: str) -> None:
        """Put the cursor on the setting ``label`` and ask for its value."""
        for name in SETTINGS:
            if name.label == label and self.focus_row(name.section, label):
                self.action_type_value()
                return

    def action_buses(self) -> None:
        self.show_pane("buses")
