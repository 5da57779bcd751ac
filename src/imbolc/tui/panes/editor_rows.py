"""The instrument editor as rows of values: what each row shows and the action that sets it.

Pure functions of an ``Instrument``: the pane draws the rows, moves a cursor over them and
turns a key into ``row.build(adjusted(row, ...))``. Nothing here touches the store.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, get_args

import msgspec

from imbolc.core import catalog
from imbolc.core.actions import (
    SetChannels,
    SetEnvelope,
    SetEqBand,
    SetInstrumentActive,
    SetLfoEnabled,
    SetLfoParam,
    SetLfoShape,
    SetLfoTarget,
    SetPolyphonic,
    SetSourceParam,
    SetStageEnabled,
    SetStageParam,
    SetVoiceCap,
)
from imbolc.core.actions.base import Action
from imbolc.core.apply.chain import EQ_FIELDS
from imbolc.core.catalog import ParamSpec
from imbolc.core.errors import UnknownCatalogEntry
from imbolc.core.ids import InstrumentId, StageId
from imbolc.core.instrument import (
    LFO_TARGETS,
    ChannelConfig,
    EffectStage,
    EqStage,
    FilterStage,
    Instrument,
    LfoShape,
    Stage,
    default_eq_bands,
)
from imbolc.core.targets import ENVELOPE_RANGES, LFO_RANGES
from imbolc.tui import format as fmt

StepSize = Literal["fine", "coarse", "large"]
LFO_SHAPES: tuple[LfoShape, ...] = get_args(LfoShape)
CHANNELS: tuple[ChannelConfig, ...] = ("stereo", "mono")

_FRACTION: dict[str, float] = {"fine": 0.001, "coarse": 0.01, "large": 0.1}
_RATIO: dict[str, float] = {"fine": 2 ** (1 / 120), "coarse": 2 ** (1 / 12), "large": 2.0}
"""Frequency-like values step by ratios: a tenth of a semitone, a semitone, an octave."""


class Row(msgspec.Struct, frozen=True):
    """One line of the editor: a value with its range, or a stage heading (``spec`` None)."""

    section: str
    label: str
    value: float
    spec: ParamSpec | None
    build: Callable[[float], Action] | None = None
    stage_id: StageId | None = None
    clear: Action | None = None
    """What Backspace dispatches instead of the default value (an override back to None)."""
    shown: str | None = None
    """Text shown instead of the value (an override that is off says "session")."""

    @property
    def text(self) -> str:
        """The value as shown."""
        if self.shown is not None:
            return self.shown
        return "" if self.spec is None else fmt.param_value(self.value, self.spec)


def _num(name: str, low: float, high: float, default: float, unit: str = "") -> ParamSpec:
    return ParamSpec(name, default, low, high, unit)


def _flag(name: str) -> ParamSpec:
    return ParamSpec(name, 0.0, 0.0, 1.0, kind="bool")


def _choice(name: str, choices: tuple[str, ...]) -> ParamSpec:
    return ParamSpec(name, 0.0, 0.0, float(len(choices) - 1), kind="choice", choices=choices)


def _source_rows(inst: Instrument) -> list[Row]:
    try:
        specs = catalog.source(inst.source).params
    except UnknownCatalogEntry:
        return []
    rows = []
    for spec in specs:
        value = inst.source_param(spec.name)

        def build(v: float, name: str = spec.name) -> Action:
            return SetSourceParam(inst.id, name, v)

        rows.append(Row("Source", spec.name, spec.default if value is None else value, spec, build))
    return rows


def _envelope_rows(inst: Instrument) -> list[Row]:
    try:
        defaults = catalog.source(inst.source).envelope
    except UnknownCatalogEntry:
        defaults = catalog.DEFAULT_ENVELOPE
    rows = []
    for stage, (low, high) in ENVELOPE_RANGES.items():
        unit = "" if stage == "sustain" else "s"
        spec = _num(stage, low, high, getattr(defaults, stage), unit)

        def build(v: float, stage: str = stage) -> Action:
            return SetEnvelope(inst.id, stage, v)

        rows.append(Row("Envelope", stage, getattr(inst.envelope, stage), spec, build))
    return rows


def _lfo_rows(inst: Instrument) -> list[Row]:
    lfo, ident = inst.lfo, inst.id
    rate = _num("rate", *LFO_RANGES["rate"], 2.0, "Hz")
    depth = _num("depth", *LFO_RANGES["depth"], 0.5)
    shape = float(LFO_SHAPES.index(lfo.shape))
    target = float(LFO_TARGETS.index(lfo.target))
    return [
        Row("LFO", "enabled", float(lfo.enabled), _flag("enabled"),
            lambda v: SetLfoEnabled(ident, v >= 0.5)),
        Row("LFO", "rate", lfo.rate, rate, lambda v: SetLfoParam(ident, "rate", v)),
        Row("LFO", "depth", lfo.depth, depth, lambda v: SetLfoParam(ident, "depth", v)),
        Row("LFO", "shape", shape, _choice("shape", LFO_SHAPES),
            lambda v: SetLfoShape(ident, LFO_SHAPES[int(v)])),
        Row("LFO", "target", target, _choice("target", LFO_TARGETS),
            lambda v: SetLfoTarget(ident, LFO_TARGETS[int(v)])),
    ]  # fmt: skip


def _voice_rows(inst: Instrument) -> list[Row]:
    ident = inst.id
    cap = ParamSpec("voice cap", 24.0, 1.0, float(catalog.MAX_VOICE_CAP), kind="int")
    channels = float(CHANNELS.index(inst.channels))
    return [
        Row("Voice", "polyphonic", float(inst.polyphonic), _flag("polyphonic"),
            lambda v: SetPolyphonic(ident, v >= 0.5)),
        Row("Voice", "voice cap", float(inst.voice_cap), cap,
            lambda v: SetVoiceCap(ident, int(v))),
        Row("Voice", "channels", channels, _choice("channels", CHANNELS),
            lambda v: SetChannels(ident, CHANNELS[int(v)])),
        Row("Voice", "active", float(inst.active), _flag("active"),
            lambda v: SetInstrumentActive(ident, v >= 0.5)),
    ]  # fmt: skip


def stage_title(stage: Stage) -> str:
    """A stage's display name: "Low-pass filter", "EQ", "Reverb"."""
    if isinstance(stage, FilterStage):
        try:
            return f"{catalog.filter_type(stage.filter_type).display} filter"
        except UnknownCatalogEntry:
            return stage.filter_type
    if isinstance(stage, EffectStage):
        try:
            return catalog.effect(stage.effect_type).display
        except UnknownCatalogEntry:
            return stage.effect_type
    return "EQ"


def stage_specs(stage: FilterStage | EffectStage) -> tuple[ParamSpec, ...]:
    """The catalog parameters of a filter or effect stage (none if the type is unknown)."""
    try:
        if isinstance(stage, FilterStage):
            return catalog.filter_type(stage.filter_type).params
        return catalog.effect(stage.effect_type).params
    except UnknownCatalogEntry:
        return ()


def _stage_rows(ident: InstrumentId, number: int, stage: Stage) -> list[Row]:
    section = f"{number}. {stage_title(stage)}"
    sid = stage.id
    rows = [
        Row(section, "enabled", float(stage.enabled), _flag("enabled"),
            lambda v: SetStageEnabled(ident, sid, v >= 0.5), sid),
    ]  # fmt: skip
    if isinstance(stage, EqStage):
        units = {"freq": "Hz", "gain": "dB", "q": ""}
        defaults = default_eq_bands()
        for band_no, band in enumerate(stage.bands):
            for field, unit in units.items():
                low, high = EQ_FIELDS[field]

                def build(v: float, band_no: int = band_no, field: str = field) -> Action:
                    return SetEqBand(ident, sid, band_no, field, v)

                label = f"band {band_no + 1} {field}"
                value = float(getattr(band, field))
                default = float(getattr(defaults[band_no % len(defaults)], field))
                spec = _num(label, low, high, default, unit)
                rows.append(Row(section, label, value, spec, build, sid))
        return rows
    values = {param.name: param.value for param in stage.params}
    for spec in stage_specs(stage):

        def build_param(v: float, name: str = spec.name) -> Action:
            return SetStageParam(ident, sid, name, v)

        value = values.get(spec.name, spec.default)
        rows.append(Row(section, spec.name, value, spec, build_param, sid))
    return rows


def editor_rows(inst: Instrument) -> tuple[Row, ...]:
    """Every editable value of ``inst``: source, envelope, LFO, voice, then each stage."""
    rows = [*_source_rows(inst), *_envelope_rows(inst), *_lfo_rows(inst), *_voice_rows(inst)]
    for number, stage in enumerate(inst.chain, start=1):
        rows.extend(_stage_rows(inst.id, number, stage))
    return tuple(rows)


def gauge_fraction(row: Row) -> float | None:
    """Where a continuous value sits in its range, 0..1 (log scale for frequencies)."""
    spec = row.spec
    if spec is None or spec.kind != "float" or spec.max <= spec.min:
        return None
    if _by_ratio(spec) and row.value > 0:
        return math.log(row.value / spec.min) / math.log(spec.max / spec.min)
    return (row.value - spec.min) / (spec.max - spec.min)


def _by_ratio(spec: ParamSpec) -> bool:
    """Whether a value moves by ratios: a frequency over a wide range (not A4's 400..480)."""
    return spec.unit == "Hz" and spec.min > 0 and spec.max >= 4 * spec.min


def _clamp(value: float, spec: ParamSpec) -> float:
    return max(spec.min, min(spec.max, value))


def adjusted(row: Row, direction: int, size: StepSize) -> float:
    """The row's value one step up (+1) or down (-1), kept in range and in kind."""
    spec = row.spec
    if spec is None:
        return row.value
    if spec.kind == "bool":
        return 1.0 if direction > 0 else 0.0
    if spec.kind in ("int", "choice"):
        step = max(1, round((spec.max - spec.min) * 0.1)) if size == "large" else 1
        return _clamp(float(round(row.value) + direction * step), spec)
    if _by_ratio(spec) and row.value > 0:
        return _clamp(round(row.value * _RATIO[size] ** direction, 6), spec)
    span = spec.max - spec.min
    return _clamp(round(row.value + direction * span * _FRACTION[size], 6), spec)


def cycled(row: Row, direction: int = 1) -> float:
    """The next choice of a choice row, wrapping around (toggles a bool row)."""
    spec = row.spec
    if spec is None:
        return row.value
    if spec.kind == "bool":
        return 0.0 if row.value >= 0.5 else 1.0
    count = int(spec.max - spec.min) + 1
    return spec.min + (int(row.value - spec.min) + direction) % count


def parse_value(text: str, spec: ParamSpec) -> float:
    """A typed value: a number, a choice by name, or on/off; raises ValueError with a reason."""
    word = text.strip().lower()
    if spec.kind == "bool" and word in ("on", "off", "true", "false", "yes", "no"):
        return 1.0 if word in ("on", "true", "yes") else 0.0
    if spec.kind == "choice" and word in spec.choices:
        return float(spec.choices.index(word))
    if spec.unit and word.endswith(spec.unit.lower()):
        word = word[: -len(spec.unit)].strip()
    try:
        value = float(word)
    except ValueError:
        options = f" or one of {', '.join(spec.choices)}" if spec.choices else ""
        raise ValueError(f"{text!r} is not a number{options}") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value
