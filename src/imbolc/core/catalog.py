"""The catalog of built-in sources, filters and effects.

Every instrument source (55), filter (8) and effect (39) imbolc knows is described here as
plain data: its stable id, display name, category, parameters with ranges and units, the
default envelope and voice cap, and the name of the SynthDef that plays it. The catalog is
what the UI, validation and saved files agree on; the DSP itself lives in the engine, which
only has to provide a SynthDef of the given name that takes these parameters.

The tables themselves are in :mod:`imbolc.core.catalog_sources` and
:mod:`imbolc.core.catalog_effects`; this module holds the types and the lookups.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal, TypeVar, get_args

import msgspec

from imbolc.core.catalog_effects import effect_table, filter_table
from imbolc.core.catalog_sources import source_table
from imbolc.core.errors import UnknownCatalogEntry, ValueOutOfRange, WrongType

__all__ = [
    "DEFAULT_ENVELOPE",
    "DEFAULT_VOICE_CAP",
    "EFFECTS",
    "EFFECT_CATEGORIES",
    "FILTERS",
    "MAX_VOICE_CAP",
    "SOURCES",
    "SOURCE_CATEGORIES",
    "EffectCategory",
    "EffectSpec",
    "EnvelopeSpec",
    "FilterSpec",
    "ParamKind",
    "ParamSpec",
    "SourceCategory",
    "SourceSpec",
    "effect",
    "effects_by_category",
    "filter_type",
    "source",
    "sources_by_category",
]

DEFAULT_VOICE_CAP = 24
"""Polyphony cap a new instrument gets unless its source says otherwise."""
MAX_VOICE_CAP = 64
"""No instrument may hold more voices than this."""

ParamKind = Literal["float", "int", "bool", "choice"]

SourceCategory = Literal[
    "oscillator",
    "fm",
    "physical",
    "mallet",
    "plucked",
    "drum",
    "classic",
    "experimental",
    "synthesis",
    "routing",
    "sampler",
]
SOURCE_CATEGORIES: tuple[SourceCategory, ...] = get_args(SourceCategory)

EffectCategory = Literal[
    "time",
    "dynamics",
    "modulation",
    "distortion",
    "eq",
    "stereo",
    "pitch",
    "granular",
    "spectral",
    "convolution",
    "character",
    "synthesis",
    "envelope",
]
EFFECT_CATEGORIES: tuple[EffectCategory, ...] = get_args(EffectCategory)

_EXPECTED: dict[ParamKind, str] = {
    "float": "a finite number",
    "int": "an integer",
    "bool": "a bool (or 0/1)",
    "choice": "a choice index (an integer)",
}


class ParamSpec(msgspec.Struct, frozen=True):
    """One parameter of a source, filter or effect, named as its SynthDef argument.

    Values are always carried as floats; ``kind`` says which floats are allowed. A ``choice``
    value is an index into ``choices`` and a ``bool`` value is 0 or 1.
    """

    name: str
    default: float
    min: float
    max: float
    unit: str = ""
    kind: ParamKind = "float"
    choices: tuple[str, ...] = ()

    def validate(self, value: object) -> float:
        """Return ``value`` as a float, or raise WrongType / ValueOutOfRange."""
        if not isinstance(value, numbers.Real):
            raise WrongType(self.name, value, _EXPECTED[self.kind])
        number = float(value)
        if not math.isfinite(number):
            raise WrongType(self.name, value, "a finite number")
        if self.kind == "bool" and number not in (0.0, 1.0):
            raise WrongType(self.name, value, _EXPECTED["bool"])
        if self.kind in ("int", "choice") and not number.is_integer():
            raise WrongType(self.name, value, _EXPECTED[self.kind])
        if not self.min <= number <= self.max:
            raise ValueOutOfRange(self.name, value, self.min, self.max)
        return number


class EnvelopeSpec(msgspec.Struct, frozen=True):
    """A default ADSR amplitude envelope; times in seconds, sustain as a level 0..1."""

    attack: float
    decay: float
    sustain: float
    release: float


DEFAULT_ENVELOPE = EnvelopeSpec(0.01, 0.1, 0.7, 0.3)
"""The envelope of every source whose category has no envelope of its own."""


class SourceSpec(msgspec.Struct, frozen=True):
    """A built-in sound source (the "instrument type")."""

    name: str
    display: str
    category: SourceCategory
    params: tuple[ParamSpec, ...]
    envelope: EnvelopeSpec
    synthdef: str
    voice_cap: int = DEFAULT_VOICE_CAP
    mono_variant: bool = False
    needs: tuple[str, ...] = ()
    pitched: bool = True

    def param(self, name: str) -> ParamSpec:
        """The parameter called ``name``; raises UnknownCatalogEntry."""
        return _find_param(self.params, name)


class FilterSpec(msgspec.Struct, frozen=True):
    """A filter stage type; every filter has cutoff and resonance first."""

    name: str
    display: str
    params: tuple[ParamSpec, ...]
    synthdef: str
    mono_variant: bool = True

    def param(self, name: str) -> ParamSpec:
        """The parameter called ``name``; raises UnknownCatalogEntry."""
        return _find_param(self.params, name)


class EffectSpec(msgspec.Struct, frozen=True):
    """An effect stage type."""

    name: str
    display: str
    category: EffectCategory
    params: tuple[ParamSpec, ...]
    synthdef: str
    mono_variant: bool = True
    needs: tuple[str, ...] = ()

    def param(self, name: str) -> ParamSpec:
        """The parameter called ``name``; raises UnknownCatalogEntry."""
        return _find_param(self.params, name)


_Spec = TypeVar("_Spec", SourceSpec, FilterSpec, EffectSpec)


def _squash(text: str) -> str:
    """Lowercase ``text`` and drop everything but letters and digits ("FM-Bell" -> "fmbell")."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _find_param(params: tuple[ParamSpec, ...], name: str) -> ParamSpec:
    for spec in params:
        if spec.name == name:
            return spec
    wanted = _squash(name)
    for spec in params:
        if _squash(spec.name) == wanted:
            return spec
    raise UnknownCatalogEntry("parameter", name, [spec.name for spec in params])


def _table(specs: Iterable[_Spec]) -> Mapping[str, _Spec]:
    table: dict[str, _Spec] = {}
    for spec in specs:
        if spec.name in table:
            raise ValueError(f"duplicate catalog entry {spec.name!r}")
        table[spec.name] = spec
    return MappingProxyType(table)


def _aliases(table: Mapping[str, _Spec]) -> Mapping[str, _Spec]:
    aliases: dict[str, _Spec] = {}
    for spec in table.values():
        for key in (_squash(spec.name), _squash(spec.display)):
            if aliases.setdefault(key, spec) is not spec:
                raise ValueError(f"catalog alias {key!r} is ambiguous")
    return MappingProxyType(aliases)


def _lookup(
    kind: str, table: Mapping[str, _Spec], aliases: Mapping[str, _Spec], name: str
) -> _Spec:
    found = table.get(name)
    if found is None:
        found = aliases.get(_squash(name))
    if found is None:
        raise UnknownCatalogEntry(kind, name, table.keys())
    return found


SOURCES: Mapping[str, SourceSpec] = _table(source_table())
"""Every built-in source by id, in the reference order."""
FILTERS: Mapping[str, FilterSpec] = _table(filter_table())
"""Every filter by id, in the reference order."""
EFFECTS: Mapping[str, EffectSpec] = _table(effect_table())
"""Every built-in effect by id, in the reference order."""

_SOURCE_ALIASES = _aliases(SOURCES)
_FILTER_ALIASES = _aliases(FILTERS)
_EFFECT_ALIASES = _aliases(EFFECTS)


def source(name: str) -> SourceSpec:
    """The source with id or display name ``name`` (case, spaces, -, _ ignored)."""
    return _lookup("source", SOURCES, _SOURCE_ALIASES, name)


def filter_type(name: str) -> FilterSpec:
    """The filter with id or display name ``name`` (case, spaces, -, _ ignored)."""
    return _lookup("filter", FILTERS, _FILTER_ALIASES, name)


def effect(name: str) -> EffectSpec:
    """The effect with id or display name ``name`` (case, spaces, -, _ ignored)."""
    return _lookup("effect", EFFECTS, _EFFECT_ALIASES, name)


def sources_by_category() -> dict[SourceCategory, tuple[SourceSpec, ...]]:
    """Sources grouped by category; categories and members in the reference order."""
    return {
        category: tuple(spec for spec in SOURCES.values() if spec.category == category)
        for category in SOURCE_CATEGORIES
    }


def effects_by_category() -> dict[EffectCategory, tuple[EffectSpec, ...]]:
    """Effects grouped by category; categories and members in the reference order."""
    return {
        category: tuple(spec for spec in EFFECTS.values() if spec.category == category)
        for category in EFFECT_CATEGORIES
    }
