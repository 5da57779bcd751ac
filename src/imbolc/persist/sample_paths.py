"""Sound-file paths in a project file: stored relative to the project's folder when the file
lies inside it (so a project folder can move), absolute in memory."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from msgspec.structs import replace

from imbolc.core.instrument import EffectStage, Instrument, Stage
from imbolc.core.mixer import Bus
from imbolc.core.project import Project

__all__ = ["absolute_paths", "relative_paths"]

Mapper = Callable[[str], str]


def relative_paths(project: Project, folder: Path) -> Project:
    """``project`` with every sample and impulse-response path inside ``folder`` made
    relative to it (only the instruments and buses holding one are new objects)."""
    root = os.path.abspath(folder)

    def inside(path: str) -> str:
        if not path or not os.path.isabs(path):
            return path
        try:
            relative = os.path.relpath(path, root)
        except ValueError:  # another drive
            return path
        return path if relative.startswith(os.pardir) else relative

    return _mapped(project, inside)


def absolute_paths(project: Project, folder: Path) -> Project:
    """``project`` with every relative sample and impulse-response path resolved against the
    project's ``folder``."""
    root = os.path.abspath(folder)

    def resolved(path: str) -> str:
        return path if not path or os.path.isabs(path) else os.path.join(root, path)

    return _mapped(project, resolved)


def _effect(stage: EffectStage, fix: Mapper) -> EffectStage:
    if stage.ir_path and fix(stage.ir_path) != stage.ir_path:
        return replace(stage, ir_path=fix(stage.ir_path))
    return stage


def _stage(stage: Stage, fix: Mapper) -> Stage:
    return _effect(stage, fix) if isinstance(stage, EffectStage) else stage


def _instrument(inst: Instrument, fix: Mapper) -> Instrument:
    changes: dict[str, object] = {}
    chain = tuple(_stage(stage, fix) for stage in inst.chain)
    if any(a is not b for a, b in zip(chain, inst.chain, strict=True)):
        changes["chain"] = chain
    sampler = inst.sampler
    if sampler is not None and fix(sampler.sample_path) != sampler.sample_path:
        changes["sampler"] = replace(sampler, sample_path=fix(sampler.sample_path))
    kit = inst.kit
    if kit is not None:
        pads = tuple(
            replace(pad, sample_path=fix(pad.sample_path))
            if fix(pad.sample_path) != pad.sample_path
            else pad
            for pad in kit.pads
        )
        if any(a is not b for a, b in zip(pads, kit.pads, strict=True)):
            changes["kit"] = replace(kit, pads=pads)
    return replace(inst, **changes) if changes else inst


def _bus(bus: Bus, fix: Mapper) -> Bus:
    effects = tuple(_effect(effect, fix) for effect in bus.effects)
    if any(a is not b for a, b in zip(effects, bus.effects, strict=True)):
        return replace(bus, effects=effects)
    return bus


def _mapped(project: Project, fix: Mapper) -> Project:
    instruments = project.instruments
    for inst in instruments.items:
        fixed = _instrument(inst, fix)
        if fixed is not inst:
            instruments = instruments.replaced(fixed)
    mixer = project.session.mixer
    buses = tuple(_bus(bus, fix) for bus in mixer.buses)
    if any(a is not b for a, b in zip(buses, mixer.buses, strict=True)):
        session = replace(project.session, mixer=replace(mixer, buses=buses))
        project = replace(project, session=session)
    if instruments is not project.instruments:
        project = replace(project, instruments=instruments)
    return project
