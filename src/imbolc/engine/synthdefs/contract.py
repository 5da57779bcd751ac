# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""The argument contract every imbolc SynthDef follows, and the builders that enforce it.

A DSP function never declares its own contract arguments: :func:`build_source` and
:func:`build_processor` add them, read every catalog parameter through :class:`Controls`
(smoothing, modulation, range clip), call the DSP body and write the result. The contract
itself is described in the package docstring of :mod:`imbolc.engine.synthdefs`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from supriya import Envelope
from supriya.ugens import (
    EnvGen,
    In,
    Lag,
    OffsetOut,
    ReplaceOut,
    SynthDef,
    SynthDefBuilder,
    UGenOperable,
)

from imbolc.core.catalog import EffectSpec, FilterSpec, ParamSpec, SourceSpec

__all__ = [
    "DEFAULT_LAG",
    "ENABLE_FADE",
    "ENVELOPE_ARGS",
    "MIN_ENVELOPE_TIME",
    "MOD_DEPTH_SUFFIX",
    "MOD_IN_SUFFIX",
    "PROCESSOR_ARGS",
    "ProcessorBody",
    "SOURCE_ARGS",
    "Controls",
    "Signal",
    "SourceBody",
    "Stage",
    "Voice",
    "as_channels",
    "build_processor",
    "build_source",
    "build_system",
    "modulatable",
]

Signal: TypeAlias = UGenOperable
"""One channel of audio or control signal (or a constant folded into the graph)."""

DEFAULT_LAG = 0.02
"""Seconds of smoothing on every continuous parameter unless ``lag`` says otherwise."""
MIN_ENVELOPE_TIME = 0.005
"""Attack and release never go below 5 ms, so notes start and end without clicks."""
ENABLE_FADE = 0.02
"""Seconds a filter or effect takes to cross-fade when ``enabled`` changes."""
MOD_IN_SUFFIX = "_mod_in"
MOD_DEPTH_SUFFIX = "_mod_depth"

ENVELOPE_ARGS = ("env_attack", "env_decay", "env_sustain", "env_release")
"""The ADSR arguments, in order; they take the source's catalog envelope as defaults."""

SOURCE_ARGS: Mapping[str, float] = {
    "out": 0.0,
    "gate": 1.0,
    "velocity": 1.0,
    "lag": DEFAULT_LAG,
}
"""Contract arguments of every source besides freq, amp, the ADSR and the mod pairs."""

PROCESSOR_ARGS: Mapping[str, float] = {
    "in_bus": 0.0,
    "out_bus": 0.0,
    "enabled": 1.0,
    "lag": DEFAULT_LAG,
}
"""Contract arguments of every filter and effect besides its catalog parameters."""

_FREQ = ParamSpec("freq", 440.0, 20.0, 20000.0, "Hz")
_AMP = ParamSpec("amp", 1.0, 0.0, 1.0)


def modulatable(spec: ParamSpec) -> bool:
    """True for parameters that get smoothing and a ``<name>_mod_in``/``_mod_depth`` pair."""
    return spec.kind == "float"


class Controls:
    """Adds the controls of one SynthDef under construction and reads them back as signals."""

    def __init__(self, builder: SynthDefBuilder, defaults: Mapping[str, float]) -> None:
        self._builder = builder
        self._args: dict[str, Signal] = {}
        for name, value in defaults.items():
            self.arg(name, value)

    def arg(self, name: str, default: float) -> Signal:
        """A plain control named ``name``; asking twice returns the same control."""
        if name not in self._args:
            self._args[name] = self._builder.add_parameter(name=name, value=float(default))
        return self._args[name]

    def param(self, spec: ParamSpec, default: float | None = None) -> Signal:
        """A catalog parameter: smoothed by ``lag``, modulated, and clipped to its range.

        Modulation reads the control bus ``<name>_mod_in`` scaled by ``<name>_mod_depth``:
        octaves for parameters in Hz, the parameter's own unit otherwise.
        """
        value = self.arg(spec.name, spec.default if default is None else default)
        if not modulatable(spec):
            return value
        smoothed = Lag.kr(source=value, lag_time=self.arg("lag", DEFAULT_LAG))
        bus = self.arg(spec.name + MOD_IN_SUFFIX, 0.0)
        depth = self.arg(spec.name + MOD_DEPTH_SUFFIX, 0.0)
        offset = In.kr(bus=bus, channel_count=1) * depth
        moved = smoothed * (2**offset) if spec.unit == "Hz" else smoothed + offset
        return moved.clip(spec.min, spec.max)


def as_channels(signal: Signal | Sequence[Signal], count: int) -> list[Signal]:
    """``signal`` as exactly ``count`` channels: mono is copied, stereo is summed to mono."""
    channels = list(signal) if isinstance(signal, Sequence) else [signal]
    if len(channels) == count:
        return channels
    if len(channels) == 1:
        return channels * count
    if count == 1:
        total = channels[0]
        for channel in channels[1:]:
            total = total + channel
        return [total * (1.0 / len(channels))]
    raise ValueError(f"cannot fit {len(channels)} channels into {count}")


@dataclass
class Voice:
    """What a source's DSP body sees: pitch, note state and its catalog parameters."""

    controls: Controls
    freq: Signal
    gate: Signal
    velocity: Signal
    env: Signal
    values: dict[str, Signal] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Signal:
        return self.values[name]

    def arg(self, name: str, default: float) -> Signal:
        """An extra, non-catalog argument of this source (a buffer number, a root pitch...)."""
        return self.controls.arg(name, default)


SourceBody: TypeAlias = Callable[[Voice], "Signal | Sequence[Signal]"]


def build_source(spec: SourceSpec, body: SourceBody, *, mono: bool = False) -> SynthDef:
    """The SynthDef of source ``spec``: contract arguments around ``body``'s signal."""
    builder = SynthDefBuilder()
    with builder:
        controls = Controls(builder, SOURCE_ARGS)
        envelope = spec.envelope
        attack, decay, sustain, release = (
            controls.arg(name, value)
            for name, value in zip(
                ENVELOPE_ARGS,
                (envelope.attack, envelope.decay, envelope.sustain, envelope.release),
                strict=True,
            )
        )
        values = {param.name: controls.param(param) for param in spec.params}
        freq = values["freq"] if "freq" in values else controls.param(_FREQ)
        amp = values["amp"] if "amp" in values else controls.param(_AMP)
        gate = controls.arg("gate", 1.0)
        env = EnvGen.kr(
            envelope=Envelope.adsr(
                attack.max(MIN_ENVELOPE_TIME),
                decay,
                sustain.clip(0.0, 1.0),
                release.max(MIN_ENVELOPE_TIME),
            ),
            gate=gate,
            done_action=2,
        )
        velocity = controls.arg("velocity", 1.0).clip(0.0, 1.0)
        voice = Voice(controls, freq, gate, velocity, env, values)
        channels = as_channels(body(voice), 1 if mono else 2)
        level = amp * velocity * env
        OffsetOut.ar(bus=controls.arg("out", 0.0), source=[ch * level for ch in channels])
    return builder.build(name=spec.synthdef + ("_mono" if mono else ""))


@dataclass
class Stage:
    """What a filter's or effect's DSP body sees: its input channels and parameters."""

    controls: Controls
    dry: list[Signal]
    values: dict[str, Signal] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Signal:
        return self.values[name]

    @property
    def channels(self) -> int:
        return len(self.dry)

    def arg(self, name: str, default: float) -> Signal:
        """An extra, non-catalog argument of this stage (a side-chain bus, a carrier pitch...)."""
        return self.controls.arg(name, default)


ProcessorBody: TypeAlias = Callable[[Stage], "Signal | Sequence[Signal]"]


def build_processor(
    spec: FilterSpec | EffectSpec, body: ProcessorBody, *, mono: bool = False
) -> SynthDef:
    """The SynthDef of filter or effect ``spec``: read ``in_bus``, process, replace ``out_bus``.

    ``body`` returns the fully wet signal; a catalog ``mix`` blends it with the dry input, and
    ``enabled`` cross-fades between that and the untouched input in :data:`ENABLE_FADE`.
    """
    count = 1 if mono else 2
    builder = SynthDefBuilder()
    with builder:
        controls = Controls(builder, PROCESSOR_ARGS)
        values = {param.name: controls.param(param) for param in spec.params}
        dry = list(In.ar(bus=controls.arg("in_bus", 0.0), channel_count=count))
        wet = as_channels(body(Stage(controls, dry, values)), count)
        if "mix" in values:
            wet = [d + (w - d) * values["mix"] for d, w in zip(dry, wet, strict=True)]
        on = Lag.kr(source=controls.arg("enabled", 1.0).clip(0.0, 1.0), lag_time=ENABLE_FADE)
        result = [d + (w - d) * on for d, w in zip(dry, wet, strict=True)]
        ReplaceOut.ar(bus=controls.arg("out_bus", 0.0), source=result)
    return builder.build(name=spec.synthdef + ("_mono" if mono else ""))


def build_system(
    name: str, defaults: Mapping[str, float], body: Callable[[Controls], None]
) -> SynthDef:
    """A system SynthDef: ``defaults`` become its controls and ``body`` writes its outputs."""
    builder = SynthDefBuilder()
    with builder:
        body(Controls(builder, defaults))
    return builder.build(name=name)
