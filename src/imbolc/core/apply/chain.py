"""Handlers for an instrument's processing chain: filters, the EQ and effects."""

from __future__ import annotations

from msgspec.structs import replace

from imbolc.core import catalog
from imbolc.core.actions import instrument as act
from imbolc.core.apply.common import (
    default_params,
    insert_position,
    instrument,
    put_instrument,
    set_param,
    stage_position,
    with_stage,
)
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.effects import ParamChanged, RoutingChanged, instrument_scope
from imbolc.core.errors import Conflict, InvalidAction, WrongType
from imbolc.core.ids import StageId
from imbolc.core.instrument import (
    EffectStage,
    EqStage,
    FilterStage,
    Instrument,
    ParamValue,
    Stage,
    default_eq_bands,
)
from imbolc.core.project import Project
from imbolc.core.validate import choice, flag, integer, real, text

EQ_FIELDS = {"freq": (20.0, 20000.0), "gain": (-24.0, 24.0), "q": (0.1, 10.0)}


def _insert(project: Project, inst: Instrument, stage: Stage, position: object) -> Outcome:
    pos = insert_position(position, len(inst.chain))
    chain = (*inst.chain[:pos], stage, *inst.chain[pos:])
    changed = replace(inst, chain=chain, next_stage_id=inst.next_stage_id + 1)
    return Outcome(
        put_instrument(project, changed),
        (RoutingChanged(inst.id, "chain"),),
        instrument_scope(inst.id),
    )


@handles(act.AddFilter)
def add_filter(project: Project, action: act.AddFilter) -> Outcome:
    inst = instrument(project, action.instrument_id)
    spec = catalog.filter_type(text("filter type", action.filter_type))
    stage = FilterStage(StageId(inst.next_stage_id), spec.name, default_params(spec.params))
    return _insert(project, inst, stage, action.position)


@handles(act.AddEq)
def add_eq(project: Project, action: act.AddEq) -> Outcome:
    inst = instrument(project, action.instrument_id)
    if any(isinstance(stage, EqStage) for stage in inst.chain):
        raise Conflict(f"instrument {inst.id} already has an EQ")
    stage = EqStage(StageId(inst.next_stage_id), default_eq_bands())
    return _insert(project, inst, stage, action.position)


@handles(act.AddEffect)
def add_effect(project: Project, action: act.AddEffect) -> Outcome:
    inst = instrument(project, action.instrument_id)
    spec = catalog.effect(text("effect type", action.effect_type))
    stage = EffectStage(StageId(inst.next_stage_id), spec.name, default_params(spec.params))
    return _insert(project, inst, stage, action.position)


@handles(act.RemoveStage)
def remove_stage(project: Project, action: act.RemoveStage) -> Outcome:
    inst = instrument(project, action.instrument_id)
    pos = stage_position(inst, action.stage_id)
    chain = (*inst.chain[:pos], *inst.chain[pos + 1 :])
    return Outcome(
        put_instrument(project, replace(inst, chain=chain)),
        (RoutingChanged(inst.id, "chain"),),
        instrument_scope(inst.id),
    )


@handles(act.MoveStage)
def move_stage(project: Project, action: act.MoveStage) -> Outcome:
    inst = instrument(project, action.instrument_id)
    pos = stage_position(inst, action.stage_id)
    target = integer("position", action.position, 0, len(inst.chain) - 1)
    rest = [*inst.chain[:pos], *inst.chain[pos + 1 :]]
    rest.insert(target, inst.chain[pos])
    return Outcome(
        put_instrument(project, replace(inst, chain=tuple(rest))),
        (RoutingChanged(inst.id, "chain"),),
        instrument_scope(inst.id),
    )


@handles(act.SetStageEnabled)
def set_stage_enabled(project: Project, action: act.SetStageEnabled) -> Outcome:
    inst = instrument(project, action.instrument_id)
    pos = stage_position(inst, action.stage_id)
    enabled = flag("enabled", action.enabled)
    stage = replace(inst.chain[pos], enabled=enabled)
    # Bypass is a control of the stage (a click-free cross-fade), not a graph change.
    return Outcome(
        put_instrument(project, with_stage(inst, pos, stage)),
        (ParamChanged(inst.id, ("chain", stage.id, "enabled"), float(enabled)),),
        instrument_scope(inst.id),
    )


@handles(act.SetImpulseResponse)
def set_impulse_response(project: Project, action: act.SetImpulseResponse) -> Outcome:
    inst = instrument(project, action.instrument_id)
    pos = stage_position(inst, action.stage_id)
    stage = inst.chain[pos]
    if not isinstance(stage, EffectStage) or stage.effect_type != "convolution_reverb":
        raise InvalidAction(f"stage {stage.id} of {inst.name} is not a convolution reverb")
    path = text("impulse response path", action.path, 4096)
    # PartConv reads a spectrum prepared before the stage runs: the chain is rebuilt.
    return Outcome(
        put_instrument(project, with_stage(inst, pos, replace(stage, ir_path=path))),
        (RoutingChanged(inst.id, "chain"),),
        instrument_scope(inst.id),
    )


def stage_specs(stage: Stage) -> tuple[catalog.ParamSpec, ...]:
    """The catalog parameter specs of a filter or effect stage."""
    if isinstance(stage, FilterStage):
        return catalog.filter_type(stage.filter_type).params
    if isinstance(stage, EffectStage):
        return catalog.effect(stage.effect_type).params
    raise InvalidAction("EQ bands are set with SetEqBand")


@handles(act.SetStageParam)
def set_stage_param(project: Project, action: act.SetStageParam) -> Outcome:
    inst = instrument(project, action.instrument_id)
    pos = stage_position(inst, action.stage_id)
    stage = inst.chain[pos]
    if isinstance(stage, EqStage):
        raise InvalidAction("EQ bands are set with SetEqBand")
    params, value = set_param(stage.params, stage_specs(stage), action.name, action.value)
    return Outcome(
        put_instrument(project, with_stage(inst, pos, replace(stage, params=params))),
        (ParamChanged(inst.id, ("chain", stage.id, action.name), value),),
        instrument_scope(inst.id),
        f"chain/{inst.id}/{stage.id}/{action.name}",
    )


@handles(act.SetFilterType)
def set_filter_type(project: Project, action: act.SetFilterType) -> Outcome:
    inst = instrument(project, action.instrument_id)
    pos = stage_position(inst, action.stage_id)
    stage = inst.chain[pos]
    if not isinstance(stage, FilterStage):
        raise InvalidAction(f"stage {stage.id} of instrument {inst.id} is not a filter")
    spec = catalog.filter_type(text("filter type", action.filter_type))
    kept = {p.name: p.value for p in stage.params}
    params = tuple(ParamValue(s.name, kept.get(s.name, s.default)) for s in spec.params)
    changed = FilterStage(stage.id, spec.name, params, stage.enabled)
    return Outcome(
        put_instrument(project, with_stage(inst, pos, changed)),
        (RoutingChanged(inst.id, "chain"),),
        instrument_scope(inst.id),
    )


def _band_enabled(value: object) -> bool:
    """An EQ band's on/off from a bool or from 0.0/1.0 (the action's value is a float)."""
    if isinstance(value, bool):
        return value
    number = real("EQ enabled", value, 0.0, 1.0)
    if number not in (0.0, 1.0):
        raise WrongType("EQ enabled", value, "0 or 1")
    return number == 1.0


@handles(act.SetEqBand)
def set_eq_band(project: Project, action: act.SetEqBand) -> Outcome:
    inst = instrument(project, action.instrument_id)
    pos = stage_position(inst, action.stage_id)
    stage = inst.chain[pos]
    if not isinstance(stage, EqStage):
        raise InvalidAction(f"stage {stage.id} of instrument {inst.id} is not an EQ")
    band_no = integer("band", action.band, 0, len(stage.bands) - 1)
    field = choice("EQ field", action.field, (*EQ_FIELDS, "enabled"))
    band = stage.bands[band_no]
    value: float
    if field == "enabled":
        band = replace(band, enabled=_band_enabled(action.value))
        value = float(band.enabled)
    else:
        low, high = EQ_FIELDS[field]
        value = real(f"EQ {field}", action.value, low, high)
        band = replace(band, **{field: value})
    bands = (*stage.bands[:band_no], band, *stage.bands[band_no + 1 :])
    return Outcome(
        put_instrument(project, with_stage(inst, pos, replace(stage, bands=bands))),
        (ParamChanged(inst.id, ("chain", stage.id, "band", band_no, field), value),),
        instrument_scope(inst.id),
        f"eq/{inst.id}/{stage.id}/{band_no}/{field}",
    )
