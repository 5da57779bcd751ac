"""Lookups and path-copy helpers shared by the handlers."""

from __future__ import annotations

from msgspec.structs import replace

from imbolc.core import catalog
from imbolc.core.errors import UnknownId
from imbolc.core.instrument import Instrument, ParamValue, Stage
from imbolc.core.project import Project
from imbolc.core.session import Session
from imbolc.core.validate import integer


def instrument(project: Project, instrument_id: object) -> Instrument:
    """The instrument with this id, or UnknownId."""
    ident = integer("instrument_id", instrument_id, 0, 2**31)
    found = project.instruments.get(ident)
    if found is None:
        raise UnknownId("instrument", ident)
    return found


def put_instrument(project: Project, inst: Instrument) -> Project:
    """The project with ``inst`` replacing the instrument of the same id."""
    return replace(project, instruments=project.instruments.replaced(inst))


def put_session(project: Project, session: Session) -> Project:
    """The project with a new session."""
    return replace(project, session=session)


def stage_position(inst: Instrument, stage_id: object) -> int:
    """Where a stage sits in the instrument's chain, or UnknownId."""
    ident = integer("stage_id", stage_id, 0, 2**31)
    pos = inst.stage_position(ident)
    if pos is None:
        raise UnknownId(f"stage of instrument {inst.id}", ident)
    return pos


def with_stage(inst: Instrument, position: int, stage: Stage) -> Instrument:
    """The instrument with the stage at ``position`` replaced."""
    chain = (*inst.chain[:position], stage, *inst.chain[position + 1 :])
    return replace(inst, chain=chain)


def insert_position(position: object, length: int) -> int:
    """A chain insert position: -1 appends, otherwise 0..length."""
    pos = integer("position", position, -1, length)
    return length if pos == -1 else pos


def set_param(
    params: tuple[ParamValue, ...],
    specs: tuple[catalog.ParamSpec, ...],
    name: object,
    value: object,
) -> tuple[tuple[ParamValue, ...], float]:
    """Params with ``name`` set to a validated ``value``; unknown names raise."""
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        raise UnknownId("parameter", name)
    checked = spec.validate(value)
    out = []
    found = False
    for param in params:
        if param.name == spec.name:
            out.append(ParamValue(spec.name, checked))
            found = True
        else:
            out.append(param)
    if not found:
        out.append(ParamValue(spec.name, checked))
    return tuple(out), checked


def default_params(specs: tuple[catalog.ParamSpec, ...]) -> tuple[ParamValue, ...]:
    """Every parameter at its catalog default."""
    return tuple(ParamValue(spec.name, spec.default) for spec in specs)
