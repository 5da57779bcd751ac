"""Handlers for mixer strips, sends, outputs and buses."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from imbolc.core import catalog
from imbolc.core.actions import mixer as act
from imbolc.core.apply.common import (
    default_params,
    insert_position,
    instrument,
    put_instrument,
    put_session,
    set_param,
)
from imbolc.core.apply.registry import Outcome, handles
from imbolc.core.effects import (
    FULL_SCOPE,
    SESSION_SCOPE,
    BusesChanged,
    BusParamChanged,
    BusProcessingChanged,
    Change,
    LaneChanged,
    SoloChanged,
    StripChanged,
    instrument_scope,
)
from imbolc.core.errors import Conflict, InvalidAction, UnknownId
from imbolc.core.ids import BusId, InstrumentId, StageId
from imbolc.core.instrument import EffectStage, Send
from imbolc.core.mixer import MAX_BUSES, Bus
from imbolc.core.project import Project
from imbolc.core.validate import choice, flag, integer, real, text

MAX_LEVEL = 1.5


def bus_of(project: Project, bus_id: object) -> Bus:
    """The bus with this id, or UnknownId."""
    ident = integer("bus_id", bus_id, 1, 2**31)
    bus = project.session.mixer.bus(ident)
    if bus is None:
        raise UnknownId("bus", ident)
    return bus


def put_bus(project: Project, bus: Bus) -> Project:
    """The project with ``bus`` replacing the bus of the same id."""
    session = project.session
    return put_session(project, replace(session, mixer=session.mixer.replaced(bus)))


def _set_strip(project: Project, strip: act.Strip, field: str, value: Any) -> Outcome:
    """Set one field of the addressed strip, with the right change and undo scope."""
    if not isinstance(strip, act.Strip):
        raise InvalidAction("strip must be a Strip")
    kind = choice("strip kind", strip.kind, ("instrument", "bus", "master"))
    changes: list[Change]
    if kind == "instrument":
        inst = instrument(project, strip.id)
        new = put_instrument(project, replace(inst, mixer=replace(inst.mixer, **{field: value})))
        changes = [StripChanged("instrument", inst.id)]
        scope = instrument_scope(inst.id)
    elif kind == "bus":
        bus = bus_of(project, strip.id)
        new = put_bus(project, replace(bus, **{field: value}))
        changes = [StripChanged("bus", bus.id)]
        scope = SESSION_SCOPE
    else:
        if field not in ("level", "mute"):
            raise InvalidAction(f"the master strip has no {field}")
        mixer = project.session.mixer
        mixer = replace(mixer, **{f"master_{field}": value})
        new = put_session(project, replace(project.session, mixer=mixer))
        changes = [StripChanged("master")]
        scope = SESSION_SCOPE
    if field == "solo":
        changes.append(SoloChanged())
    return Outcome(new, tuple(changes), scope, f"mixer/{field}/{kind}/{strip.id}")


@handles(act.SetMixerLevel)
def set_mixer_level(project: Project, action: act.SetMixerLevel) -> Outcome:
    level = real("level", action.level, 0.0, MAX_LEVEL)
    return _set_strip(project, action.strip, "level", level)


@handles(act.SetMixerPan)
def set_mixer_pan(project: Project, action: act.SetMixerPan) -> Outcome:
    pan = real("pan", action.pan, -1.0, 1.0)
    return _set_strip(project, action.strip, "pan", pan)


@handles(act.SetMixerMute)
def set_mixer_mute(project: Project, action: act.SetMixerMute) -> Outcome:
    return _set_strip(project, action.strip, "mute", flag("mute", action.mute))


@handles(act.SetMixerSolo)
def set_mixer_solo(project: Project, action: act.SetMixerSolo) -> Outcome:
    if getattr(action.strip, "kind", None) == "master":
        raise InvalidAction("the master strip cannot be soloed")
    return _set_strip(project, action.strip, "solo", flag("solo", action.solo))


@handles(act.SetOutput)
def set_output(project: Project, action: act.SetOutput) -> Outcome:
    inst = instrument(project, action.instrument_id)
    bus_id = None if action.bus_id is None else bus_of(project, action.bus_id).id
    mixer = replace(inst.mixer, output_bus=bus_id)
    return Outcome(
        put_instrument(project, replace(inst, mixer=mixer)),
        (StripChanged("instrument", inst.id),),
        instrument_scope(inst.id),
    )


def _set_send(
    project: Project, ident: InstrumentId, bus_id: BusId, field: str, value: Any
) -> Outcome:
    inst = instrument(project, ident)
    bus = bus_of(project, bus_id)
    current = inst.mixer.send(bus.id) or Send(bus.id)
    send = replace(current, **{field: value})
    others = [s for s in inst.mixer.sends if s.bus_id != bus.id]
    sends = tuple(sorted([*others, send], key=lambda s: s.bus_id))
    mixer = replace(inst.mixer, sends=sends)
    return Outcome(
        put_instrument(project, replace(inst, mixer=mixer)),
        (StripChanged("instrument", inst.id),),
        instrument_scope(inst.id),
        f"send/{field}/{inst.id}/{bus.id}",
    )


@handles(act.SetSendLevel)
def set_send_level(project: Project, action: act.SetSendLevel) -> Outcome:
    level = real("send level", action.level, 0.0, MAX_LEVEL)
    return _set_send(project, action.instrument_id, action.bus_id, "level", level)


@handles(act.SetSendEnabled)
def set_send_enabled(project: Project, action: act.SetSendEnabled) -> Outcome:
    enabled = flag("send enabled", action.enabled)
    return _set_send(project, action.instrument_id, action.bus_id, "enabled", enabled)


@handles(act.SetSendTap)
def set_send_tap(project: Project, action: act.SetSendTap) -> Outcome:
    tap = choice("send tap", action.tap, ("pre", "post"))
    return _set_send(project, action.instrument_id, action.bus_id, "tap", tap)


@handles(act.AddBus)
def add_bus(project: Project, action: act.AddBus) -> Outcome:
    mixer = project.session.mixer
    if len(mixer.buses) >= MAX_BUSES:
        raise Conflict(f"a project has at most {MAX_BUSES} buses")
    ident = mixer.next_bus_id()
    name = text("bus name", action.name) or f"Bus {ident}"
    buses = tuple(sorted((*mixer.buses, Bus(ident, name)), key=lambda b: b.id))
    session = replace(project.session, mixer=replace(mixer, buses=buses))
    return Outcome(put_session(project, session), (BusesChanged(),), SESSION_SCOPE)


@handles(act.RemoveBus)
def remove_bus(project: Project, action: act.RemoveBus) -> Outcome:
    gone = bus_of(project, action.bus_id).id
    changes: list[Change] = [BusesChanged()]
    instruments = project.instruments
    for inst in project.instruments.items:
        strip = inst.mixer
        touched = strip.output_bus == gone or any(s.bus_id == gone for s in strip.sends)
        if not touched:
            continue
        sends = tuple(replace(s, enabled=False) if s.bus_id == gone else s for s in strip.sends)
        output = None if strip.output_bus == gone else strip.output_bus
        changed = replace(inst, mixer=replace(strip, sends=sends, output_bus=output))
        instruments = instruments.replaced(changed)
        changes.append(StripChanged("instrument", inst.id))
    mixer = project.session.mixer
    buses = tuple(bus for bus in mixer.buses if bus.id != gone)
    session = replace(project.session, mixer=replace(mixer, buses=buses))
    # Bus ids are reused by AddBus, so lanes driving this bus must go with it.
    automation = session.automation
    lanes = []
    for lane in automation.lanes:
        if lane.target.scope == "bus" and lane.target.owner == gone:
            changes.append(LaneChanged(lane.id))
        else:
            lanes.append(lane)
    if len(lanes) != len(automation.lanes):
        session = replace(session, automation=replace(automation, lanes=tuple(lanes)))
    return Outcome(Project(instruments, session), tuple(changes), FULL_SCOPE)


@handles(act.RenameBus)
def rename_bus(project: Project, action: act.RenameBus) -> Outcome:
    bus = bus_of(project, action.bus_id)
    name = text("bus name", action.name)
    if not name.strip():
        raise InvalidAction("a bus name cannot be empty")
    return Outcome(put_bus(project, replace(bus, name=name)), (BusesChanged(),), SESSION_SCOPE)


def _bus_effect_position(bus: Bus, stage_id: object) -> int:
    pos = bus.effect_position(integer("stage_id", stage_id, 0, 2**31))
    if pos is None:
        raise UnknownId(f"effect of bus {bus.id}", stage_id)
    return pos


def _bus_chain(
    project: Project, bus: Bus, effects: tuple[EffectStage, ...], **more: Any
) -> Outcome:
    changed = replace(bus, effects=effects, **more)
    return Outcome(put_bus(project, changed), (BusProcessingChanged(bus.id),), SESSION_SCOPE)


@handles(act.AddBusEffect)
def add_bus_effect(project: Project, action: act.AddBusEffect) -> Outcome:
    bus = bus_of(project, action.bus_id)
    spec = catalog.effect(text("effect type", action.effect_type))
    stage = EffectStage(StageId(bus.next_stage_id), spec.name, default_params(spec.params))
    pos = insert_position(action.position, len(bus.effects))
    effects = (*bus.effects[:pos], stage, *bus.effects[pos:])
    return _bus_chain(project, bus, effects, next_stage_id=bus.next_stage_id + 1)


@handles(act.RemoveBusEffect)
def remove_bus_effect(project: Project, action: act.RemoveBusEffect) -> Outcome:
    bus = bus_of(project, action.bus_id)
    pos = _bus_effect_position(bus, action.stage_id)
    return _bus_chain(project, bus, (*bus.effects[:pos], *bus.effects[pos + 1 :]))


@handles(act.MoveBusEffect)
def move_bus_effect(project: Project, action: act.MoveBusEffect) -> Outcome:
    bus = bus_of(project, action.bus_id)
    pos = _bus_effect_position(bus, action.stage_id)
    target = integer("position", action.position, 0, len(bus.effects) - 1)
    rest = [*bus.effects[:pos], *bus.effects[pos + 1 :]]
    rest.insert(target, bus.effects[pos])
    return _bus_chain(project, bus, tuple(rest))


@handles(act.SetBusEffectEnabled)
def set_bus_effect_enabled(project: Project, action: act.SetBusEffectEnabled) -> Outcome:
    bus = bus_of(project, action.bus_id)
    pos = _bus_effect_position(bus, action.stage_id)
    stage = replace(bus.effects[pos], enabled=flag("enabled", action.enabled))
    changed = replace(bus, effects=(*bus.effects[:pos], stage, *bus.effects[pos + 1 :]))
    return Outcome(
        put_bus(project, changed),
        (BusParamChanged(bus.id, stage.id, "enabled", float(stage.enabled)),),
        SESSION_SCOPE,
    )


@handles(act.SetBusEffectParam)
def set_bus_effect_param(project: Project, action: act.SetBusEffectParam) -> Outcome:
    bus = bus_of(project, action.bus_id)
    pos = _bus_effect_position(bus, action.stage_id)
    stage = bus.effects[pos]
    specs = catalog.effect(stage.effect_type).params
    params, value = set_param(stage.params, specs, action.name, action.value)
    effects = (*bus.effects[:pos], replace(stage, params=params), *bus.effects[pos + 1 :])
    changed = replace(bus, effects=effects)
    return Outcome(
        put_bus(project, changed),
        (BusParamChanged(bus.id, stage.id, action.name, value),),
        SESSION_SCOPE,
        f"bus/{bus.id}/{stage.id}/{action.name}",
    )
