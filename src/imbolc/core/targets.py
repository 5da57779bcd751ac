"""Automation targets: which parameter paths exist and what range each has."""

from __future__ import annotations

import math

from imbolc.core import catalog
from imbolc.core.automation import AutomationTarget
from imbolc.core.errors import InvalidAction, UnknownId
from imbolc.core.instrument import EffectStage, EqStage, FilterStage, Instrument
from imbolc.core.project import Project
from imbolc.core.validate import integer

MIXER_RANGES = {"level": (0.0, 1.5), "pan": (-1.0, 1.0)}
ENVELOPE_RANGES = {"attack": (0.0, 10.0), "decay": (0.0, 10.0), "sustain": (0.0, 1.0)}
ENVELOPE_RANGES["release"] = (0.0, 20.0)
LFO_RANGES = {"rate": (0.01, 50.0), "depth": (0.0, 1.0)}
BPM_RANGE = (20.0, 999.0)


def _bad(target: AutomationTarget) -> InvalidAction:
    return InvalidAction(f"{target.scope} {target.owner} has no parameter {target.parameter!r}")


def _number(part: str, target: AutomationTarget) -> int:
    if not part.isdigit():
        raise _bad(target)
    return int(part)


def _spec_range(specs: tuple[catalog.ParamSpec, ...], name: str) -> tuple[float, float] | None:
    for spec in specs:
        if spec.name == name:
            return (spec.min, spec.max)
    return None


def _instrument_range(
    inst: Instrument, parts: list[str], target: AutomationTarget
) -> tuple[float, float]:
    head, rest = parts[0], parts[1:]
    found: tuple[float, float] | None = None
    if head == "mixer" and len(rest) == 1:
        found = MIXER_RANGES.get(rest[0])
    elif head == "send" and len(rest) == 2 and rest[1] == "level":
        bus_id = _number(rest[0], target)
        found = MIXER_RANGES["level"] if inst.mixer.send(bus_id) is not None else None
    elif head == "source" and len(rest) == 1:
        found = _spec_range(catalog.source(inst.source).params, rest[0])
    elif head == "envelope" and len(rest) == 1:
        found = ENVELOPE_RANGES.get(rest[0])
    elif head == "lfo" and len(rest) == 1:
        found = LFO_RANGES.get(rest[0])
    elif head == "chain" and len(rest) == 2:
        pos = inst.stage_position(_number(rest[0], target))
        stage = None if pos is None else inst.chain[pos]
        if isinstance(stage, FilterStage):
            found = _spec_range(catalog.filter_type(stage.filter_type).params, rest[1])
        elif isinstance(stage, EffectStage):
            found = _spec_range(catalog.effect(stage.effect_type).params, rest[1])
        elif isinstance(stage, EqStage):
            found = None
        if stage is not None and rest[1] == "enabled":
            found = (0.0, 1.0)
    if found is None:
        raise _bad(target)
    return found


def target_range(project: Project, target: AutomationTarget) -> tuple[float, float]:
    """The natural (min, max) of a target's parameter; raises if the target does not exist."""
    if not isinstance(target, AutomationTarget):
        raise InvalidAction("target must be an AutomationTarget")
    parts = target.parameter.split(".") if isinstance(target.parameter, str) else []
    if not parts or not all(parts):
        raise _bad(target)
    integer("automation target owner", target.owner, 0, 2**31)
    if target.scope == "instrument":
        inst = project.instruments.get(target.owner)
        if inst is None:
            raise UnknownId("instrument", target.owner)
        return _instrument_range(inst, parts, target)
    if target.scope == "bus":
        bus = project.session.mixer.bus(target.owner)
        if bus is None:
            raise UnknownId("bus", target.owner)
        if len(parts) == 1 and parts[0] in MIXER_RANGES:
            return MIXER_RANGES[parts[0]]
        if len(parts) == 3 and parts[0] == "effect":
            pos = bus.effect_position(_number(parts[1], target))
            if pos is not None:
                specs = catalog.effect(bus.effects[pos].effect_type).params
                found = _spec_range(specs, parts[2])
                if found is not None:
                    return found
        raise _bad(target)
    if target.scope == "master" and parts == ["level"]:
        return MIXER_RANGES["level"]
    if target.scope == "global" and parts == ["bpm"]:
        return BPM_RANGE
    raise _bad(target)


def _spec(specs: tuple[catalog.ParamSpec, ...], name: str) -> catalog.ParamSpec | None:
    return next((spec for spec in specs if spec.name == name), None)


def _target_spec(project: Project, target: AutomationTarget) -> catalog.ParamSpec | None:
    """The catalog spec a target drives (a source, filter or effect parameter), if any."""
    parts = target.parameter.split(".")
    if target.scope == "bus" and len(parts) == 3 and parts[0] == "effect" and parts[1].isdigit():
        bus = project.session.mixer.bus(target.owner)
        pos = None if bus is None else bus.effect_position(int(parts[1]))
        if bus is None or pos is None:
            return None
        return _spec(catalog.effect(bus.effects[pos].effect_type).params, parts[2])
    if target.scope != "instrument":
        return None
    inst = project.instruments.get(target.owner)
    if inst is None:
        return None
    if parts[0] == "source" and len(parts) == 2:
        return _spec(catalog.source(inst.source).params, parts[1])
    if parts[0] == "chain" and len(parts) == 3 and parts[1].isdigit():
        pos = inst.stage_position(int(parts[1]))
        stage = None if pos is None else inst.chain[pos]
        if parts[2] == "enabled" and stage is not None:
            return catalog.ParamSpec("enabled", 1.0, 0.0, 1.0, kind="bool")
        if isinstance(stage, FilterStage):
            return _spec(catalog.filter_type(stage.filter_type).params, parts[2])
        if isinstance(stage, EffectStage):
            return _spec(catalog.effect(stage.effect_type).params, parts[2])
    return None


def stepped(project: Project, target: AutomationTarget, value: float) -> float:
    """``value`` as the target takes it: whole numbers for int and choice parameters (nearest,
    within range), 0 or 1 for on/off ones; continuous targets pass through unchanged."""
    spec = _target_spec(project, target)
    if spec is None or spec.kind == "float":
        return value
    if spec.kind == "bool":
        return 1.0 if value >= 0.5 else 0.0
    return float(min(spec.max, max(spec.min, math.floor(value + 0.5))))
