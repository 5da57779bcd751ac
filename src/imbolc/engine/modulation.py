"""Where an instrument's LFO lands: which node, which control, and how deep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from imbolc.core import catalog
from imbolc.core.instrument import EffectStage, FilterStage, Instrument

Place = Literal["voices", "stage", "output"]

PITCH_DEPTH_OCTAVES = 2 / 12
"""Full LFO depth on pitch is ±2 semitones (vibrato to trill)."""
HZ_DEPTH_OCTAVES = 1.0
"""Full LFO depth on a frequency parameter (cutoff, formant) is ±1 octave."""

_SOURCE_PARAM = {
    "pulse_width": "width",
    "detune": "detune",
    "fm_index": "index",
    "wavetable_position": "position",
    "formant_freq": "formant",
    "sync_ratio": "sync_ratio",
    "grain_size": "grain_size",
    "grain_density": "density",
}
_EFFECT_PARAM = {
    "delay_time": ("delay", "time"),
    "delay_feedback": ("delay", "feedback"),
    "reverb_mix": ("reverb", "mix"),
}


@dataclass(frozen=True)
class LfoRoute:
    """The LFO drives ``control`` (with its ``_mod_in``/``_mod_depth`` pair) at ``place``."""

    place: Place
    control: str
    depth: float
    stage_id: int = 0


def _depth(spec: catalog.ParamSpec) -> float:
    return HZ_DEPTH_OCTAVES if spec.unit == "Hz" else (spec.max - spec.min) / 2


def lfo_route(inst: Instrument) -> LfoRoute | None:
    """Where this instrument's LFO target is, or None when it has no such parameter."""
    target = inst.lfo.target
    if target == "pitch":
        return LfoRoute("voices", "freq", PITCH_DEPTH_OCTAVES)
    if target in ("level", "pan"):
        return LfoRoute("output", target, 1.0 if target == "pan" else 0.5)
    if target in ("filter_cutoff", "filter_resonance"):
        name = "cutoff" if target == "filter_cutoff" else "resonance"
        for stage in inst.chain:
            if isinstance(stage, FilterStage):
                spec = catalog.filter_type(stage.filter_type).param(name)
                return LfoRoute("stage", name, _depth(spec), stage.id)
        return None
    if target in _SOURCE_PARAM:
        name = _SOURCE_PARAM[target]
        specs = {p.name: p for p in catalog.source(inst.source).params}
        return LfoRoute("voices", name, _depth(specs[name])) if name in specs else None
    effect_name, param = _EFFECT_PARAM[target]
    for stage in inst.chain:
        if isinstance(stage, EffectStage) and stage.effect_type == effect_name:
            spec = catalog.effect(effect_name).param(param)
            return LfoRoute("stage", param, _depth(spec), stage.id)
    return None
