"""Which SynthDef plays an instrument's source, stage or pad, and which are missing.

Unknown catalog names and SynthDefs that cannot be built are reported by name; everything
else keeps playing.
"""

from __future__ import annotations

from imbolc.core import catalog
from imbolc.core.errors import UnknownCatalogEntry
from imbolc.core.instrument import EffectStage, EqStage, FilterStage, Instrument, Stage
from imbolc.engine.synthdefs import UNAVAILABLE


class Missing(Exception):
    """A SynthDef that cannot play; ``str()`` names the entry and the reason."""


def _check(name: str, what: str) -> str:
    if name in UNAVAILABLE:
        raise Missing(f"{what}: {UNAVAILABLE[name]}")
    return name


def source_def(source: str, mono: bool) -> str:
    """The SynthDef name of a catalog source (mono variant when asked and available)."""
    try:
        spec = catalog.source(source)
    except UnknownCatalogEntry as error:
        raise Missing(str(error)) from None
    name = spec.synthdef + ("_mono" if mono and spec.mono_variant else "")
    return _check(name, f"source {spec.name!r}")


def stage_def(stage: Stage, mono: bool) -> str:
    """The SynthDef name of a filter, EQ or effect stage."""
    if isinstance(stage, EqStage):
        return "imbolc_eq12_mono" if mono else "imbolc_eq12"
    try:
        if isinstance(stage, FilterStage):
            fspec = catalog.filter_type(stage.filter_type)
            base, has_mono, label = fspec.synthdef, fspec.mono_variant, f"filter {fspec.name!r}"
        else:
            espec = catalog.effect(stage.effect_type)
            base, has_mono, label = espec.synthdef, espec.mono_variant, f"effect {espec.name!r}"
    except UnknownCatalogEntry as error:
        raise Missing(str(error)) from None
    return _check(base + ("_mono" if mono and has_mono else ""), label)


def instrument_channels(inst: Instrument) -> int:
    """1 when the instrument is mono and every part of it has a mono variant, else 2."""
    if inst.channels != "mono":
        return 2
    try:
        if not catalog.source(inst.source).mono_variant:
            return 2
        for stage in inst.chain:
            if isinstance(stage, FilterStage):
                has_mono = catalog.filter_type(stage.filter_type).mono_variant
            elif isinstance(stage, EffectStage):
                has_mono = catalog.effect(stage.effect_type).mono_variant
            else:
                has_mono = True
            if not has_mono:
                return 2
    except UnknownCatalogEntry:
        return 2
    return 1
