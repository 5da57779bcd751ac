"""The registry: every SynthDef by name, built lazily once, plus lookups by catalog entry."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Literal

from supriya.ugens import SynthDef, compile_synthdefs

from imbolc.core import catalog
from imbolc.core.catalog import EffectSpec, FilterSpec, SourceSpec
from imbolc.core.errors import ImbolcError, UnknownCatalogEntry
from imbolc.engine.synthdefs import (
    drums,
    effects_color,
    effects_dynamics,
    effects_spectral,
    effects_time,
    filters,
    sources,
    sources_classic,
    sources_io,
    sources_physical,
)
from imbolc.engine.synthdefs.contract import (
    ProcessorBody,
    SourceBody,
    build_processor,
    build_source,
)
from imbolc.engine.synthdefs.system import SYSTEM_BUILDERS

__all__ = [
    "UNAVAILABLE",
    "Kind",
    "NoMonoVariant",
    "SynthDefUnavailable",
    "UnknownSynthDef",
    "all_synthdefs",
    "compiled_bytes",
    "synthdef_for",
    "synthdef_names",
    "ugens_used",
]

Kind = Literal["source", "filter", "effect", "system"]

SOURCE_BODIES: dict[str, SourceBody] = {
    **sources.BODIES,
    **sources_physical.BODIES,
    **drums.BODIES,
    **sources_classic.BODIES,
    **sources_io.BODIES,
}
FILTER_BODIES: dict[str, ProcessorBody] = dict(filters.BODIES)
EFFECT_BODIES: dict[str, ProcessorBody] = {
    **effects_time.BODIES,
    **effects_dynamics.BODIES,
    **effects_spectral.BODIES,
    **effects_color.BODIES,
}

UNAVAILABLE: dict[str, str] = {}
"""SynthDef name -> why it cannot be built. Every catalog entry is buildable today: sources
and effects that need outside material (samples, wavetables, an impulse response, hardware
input) take it as a buffer or bus argument instead. A catalog entry added without DSP lands
here instead of breaking the import."""


class SynthDefUnavailable(ImbolcError, LookupError):
    """A catalog entry exists but its SynthDef cannot be built on this engine."""

    def __init__(self, kind: str, name: str, synthdef: str, reason: str) -> None:
        what = f"{kind} {name!r}" + (f" ({synthdef})" if synthdef != name else "")
        super().__init__(f"{what} is unavailable: {reason}")
        self.synthdef = synthdef
        self.reason = reason


class NoMonoVariant(ImbolcError, LookupError):
    """A mono SynthDef was asked for an entry that only has a stereo one."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"{kind} {name!r} has no mono variant")


class UnknownSynthDef(ImbolcError, KeyError):
    """A SynthDef name the registry does not know."""

    def __init__(self, name: str, known: Iterable[str] = ()) -> None:
        close = difflib.get_close_matches(name, list(known), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        super().__init__(f"unknown SynthDef {name!r}{hint}")
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0])


def _variants(spec: SourceSpec | FilterSpec | EffectSpec) -> tuple[bool, ...]:
    return (False, True) if spec.mono_variant else (False,)


def _unwritten(spec: SourceSpec | FilterSpec | EffectSpec) -> None:
    for mono in _variants(spec):
        name = spec.synthdef + ("_mono" if mono else "")
        UNAVAILABLE.setdefault(name, "no DSP has been written for it yet")


def _builders() -> dict[str, Callable[[], SynthDef]]:
    table: dict[str, Callable[[], SynthDef]] = {}

    def add_source(spec: SourceSpec, mono: bool) -> None:
        name = spec.synthdef + ("_mono" if mono else "")
        table[name] = lambda: build_source(spec, SOURCE_BODIES[spec.name], mono=mono)

    def add_processor(spec: FilterSpec | EffectSpec, body: ProcessorBody, mono: bool) -> None:
        name = spec.synthdef + ("_mono" if mono else "")
        table[name] = lambda: build_processor(spec, body, mono=mono)

    for source_spec in catalog.SOURCES.values():
        if source_spec.name not in SOURCE_BODIES:
            _unwritten(source_spec)
            continue
        for mono in _variants(source_spec):
            add_source(source_spec, mono)
    processors: list[tuple[FilterSpec | EffectSpec, dict[str, ProcessorBody]]] = [
        *((spec, FILTER_BODIES) for spec in catalog.FILTERS.values()),
        *((spec, EFFECT_BODIES) for spec in catalog.EFFECTS.values()),
    ]
    for spec, bodies in processors:
        if spec.name not in bodies:
            _unwritten(spec)
            continue
        for mono in _variants(spec):
            add_processor(spec, bodies[spec.name], mono)
    table.update(SYSTEM_BUILDERS)
    return table


_BUILDERS = _builders()
_BUILT: dict[str, SynthDef] = {}
_UGENS_USED: dict[str, frozenset[str]] = {}


def synthdef_names() -> tuple[str, ...]:
    """Every SynthDef name the registry can build (UNAVAILABLE ones excluded)."""
    return tuple(name for name in _BUILDERS if name not in UNAVAILABLE)


def _get(name: str) -> SynthDef:
    built = _BUILT.get(name)
    if built is None:
        if name not in _BUILDERS:
            raise UnknownSynthDef(name, _BUILDERS)
        built = _BUILT[name] = _BUILDERS[name]()
    return built


def all_synthdefs() -> dict[str, SynthDef]:
    """Every buildable SynthDef by name; each is built on first use and kept."""
    return {name: _get(name) for name in synthdef_names()}


def synthdef_for(kind: Kind, name: str, mono: bool = False) -> SynthDef:
    """The SynthDef playing catalog entry ``name`` of ``kind`` (or system def ``name``).

    Catalog names may be ids or display names. Raises UnknownCatalogEntry, NoMonoVariant or
    SynthDefUnavailable (naming the entry and the reason).
    """
    spec: SourceSpec | FilterSpec | EffectSpec
    if kind == "system":
        base = name if name.startswith("imbolc_") else f"imbolc_{name}"
        if base not in SYSTEM_BUILDERS:
            known = [key.removeprefix("imbolc_") for key in SYSTEM_BUILDERS]
            raise UnknownCatalogEntry("system SynthDef", name.removeprefix("imbolc_"), known)
        if mono and f"{base}_mono" not in SYSTEM_BUILDERS:
            raise NoMonoVariant(kind, name)
        return _get(f"{base}_mono" if mono else base)
    if kind == "source":
        spec = catalog.source(name)
    elif kind == "filter":
        spec = catalog.filter_type(name)
    elif kind == "effect":
        spec = catalog.effect(name)
    else:
        raise ValueError(f"unknown SynthDef kind {kind!r}: use source, filter, effect or system")
    if mono and not spec.mono_variant:
        raise NoMonoVariant(kind, spec.name)
    synthdef = spec.synthdef + ("_mono" if mono else "")
    if synthdef in UNAVAILABLE:
        raise SynthDefUnavailable(kind, spec.name, synthdef, UNAVAILABLE[synthdef])
    return _get(synthdef)


def compiled_bytes(names: Iterable[str]) -> bytes:
    """One SCgf (version 2) file holding the named SynthDefs, ready for ``/d_recv``."""
    wanted = list(names)
    if not wanted:
        raise ValueError("compiled_bytes needs at least one SynthDef name")
    for name in wanted:
        if name in UNAVAILABLE:
            raise SynthDefUnavailable("SynthDef", name, name, UNAVAILABLE[name])
    defs = [_get(name) for name in wanted]
    return compile_synthdefs(*defs)


def ugens_used() -> dict[str, frozenset[str]]:
    """SynthDef name -> the UGen class names in its graph (for the embedded engine)."""
    for name, synthdef in all_synthdefs().items():
        if name not in _UGENS_USED:
            _UGENS_USED[name] = frozenset(type(ugen).__name__ for ugen in synthdef.ugens)
    return _UGENS_USED
