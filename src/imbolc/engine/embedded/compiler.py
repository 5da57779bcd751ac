# mypy: disable-error-code="attr-defined"
# (supriya's UGen subclasses carry operator and parameters that its base type does not declare)
"""Compile a supriya SynthDef into one generated Python function per block.

Arithmetic between control-rate values becomes inline float expressions and audio-rate
arithmetic becomes NumPy expressions; every stateful UGen is a unit object called from the
generated code. The result is a flat function with no per-UGen dispatch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from supriya.ugens import SynthDef
from supriya.ugens.core import OutputProxy

from imbolc.engine.embedded import context as helpers
from imbolc.engine.embedded import (  # noqa: F401  (each module registers its units)
    units_buffer,
    units_delay,
    units_dynamics,
    units_env,
    units_filter,
    units_grain,
    units_io,
    units_noise,
    units_osc,
    units_spectral,
)
from imbolc.engine.embedded.context import Context
from imbolc.engine.embedded.ops import (
    BINARY_AUDIO,
    BINARY_CONTROL,
    RAMPED,
    UNARY_AUDIO,
    UNARY_CONTROL,
)
from imbolc.engine.embedded.units import AUDIO, UNITS, Unit

INLINE = frozenset(
    {"Control", "BinaryOpUGen", "UnaryOpUGen", "Clip", "Wrap", "Fold", "Select", "SampleRate",
     "NumOutputBuses", "MaxLocalBufs", "MulAdd", "Sum3", "Sum4"}
)  # fmt: skip


class Unsupported(Exception):
    """A SynthDef uses UGens (or operators) the embedded engine cannot run."""

    def __init__(self, synthdef: str, missing: set[str]) -> None:
        self.synthdef = synthdef
        self.missing = frozenset(missing)
        names = ", ".join(sorted(missing))
        super().__init__(f"needs SuperCollider: {synthdef} uses {names}")


@dataclass
class UnitSlot:
    """A unit the synth instantiates: its class and construction facts."""

    cls: type[Unit]
    name: str
    rate: int
    special: int
    consts: tuple[float | None, ...]
    outputs: int
    controls: tuple[int | None, ...] = ()
    """For each input: the index of the control it reads directly (None: anything else)."""


@dataclass
class Program:
    """A compiled SynthDef: controls, units to create, and the block function."""

    name: str
    control_index: dict[str, int]
    defaults: list[float]
    slots: list[UnitSlot]
    ramp_slots: int
    run: Callable[[list[float], list[Any], list[Any]], None]
    source: str = field(repr=False, default="")


def missing_ugens(synthdef: SynthDef) -> set[str]:
    """UGen names (``BinaryOpUGen(OP)`` for operators) of ``synthdef`` with no interpreter."""
    missing: set[str] = set()
    for ugen in synthdef.ugens:
        name = type(ugen).__name__
        if name == "BinaryOpUGen":
            table = BINARY_AUDIO if ugen.calculation_rate == AUDIO else BINARY_CONTROL
            if ugen.operator.name not in table:
                missing.add(f"BinaryOpUGen({ugen.operator.name})")
        elif name == "UnaryOpUGen":
            table = UNARY_AUDIO if ugen.calculation_rate == AUDIO else UNARY_CONTROL
            if ugen.operator.name not in table:
                missing.add(f"UnaryOpUGen({ugen.operator.name})")
        elif name not in INLINE and name not in UNITS:
            missing.add(name)
    return missing


def _literal(value: float) -> str:
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "(-INF)"
    return repr(float(value))


class _Builder:
    def __init__(self, synthdef: SynthDef, ctx: Context) -> None:
        self.synthdef = synthdef
        self.ctx = ctx
        self.lines: list[str] = []
        self.names: dict[tuple[int, int], str] = {}
        self.audio: set[str] = set()
        self.slots: list[UnitSlot] = []
        self.ramps = 0
        self.control_base: dict[int, int] = {}
        self.curves: dict[str, str] = {}

    def expr(self, value: object) -> tuple[str, bool]:
        """(expression, is audio block) of one ugen input."""
        if isinstance(value, OutputProxy):
            name = self.names[(id(value.ugen), value.index)]
            return name, name in self.audio
        return _literal(float(value)), False  # type: ignore[arg-type]

    def build(self) -> str:
        base = 0
        for ugen in self.synthdef.ugens:
            if type(ugen).__name__ == "Control":
                self.control_base[id(ugen)] = base
                base += len(ugen.parameters)
        for ugen in self.synthdef.ugens:
            self.ugen(ugen)
        body = "\n".join("    " + line for line in self.lines) or "    pass"
        return f"def run(C, U, P):\n{body}\n"

    def bind(self, ugen: Any, outputs: int, audio: bool) -> list[str]:
        names = []
        for k in range(outputs):
            name = f"v{len(self.names)}"
            self.names[(id(ugen), k)] = name
            if audio:
                self.audio.add(name)
            names.append(name)
        return names

    def ramp(self, expr: str) -> str:
        slot = self.ramps
        self.ramps += 1
        return f"ramp_from(P, {slot}, {expr}, RAMP)"

    def ugen(self, ugen: Any) -> None:
        name = type(ugen).__name__
        rate = int(ugen.calculation_rate)
        audio = rate == AUDIO
        inputs = [self.expr(value) for value in ugen.inputs]
        if name == "Control":
            first = self.control_base[id(ugen)]
            for k in range(len(ugen.parameters)):
                self.names[(id(ugen), k)] = f"C[{first + k}]"
            return
        if name in ("BinaryOpUGen", "UnaryOpUGen"):
            self.operator(ugen, name, audio, inputs)
            return
        if name in ("Clip", "Wrap", "Fold"):
            (x, xa), (lo, la), (hi, ha) = inputs
            (out,) = self.bind(ugen, 1, audio)
            if audio:
                fn = {"Clip": "np.clip", "Wrap": "awrap", "Fold": "afold"}[name]
                code = f"{fn}({x}, {lo}, {hi})"
                if not (xa or la or ha):
                    code = f"X.full({code})"
            else:
                x = f"scalar({x})" if xa else x
                code = {
                    "Clip": f"min(max({x}, {lo}), {hi})",
                    "Wrap": f"fwrap({x}, {lo}, {hi})",
                    "Fold": f"ffold({x}, {lo}, {hi})",
                }[name]
            self.lines.append(f"{out} = {code}")
            return
        if name == "Select":
            (sel, sel_audio), *sources = inputs
            (out,) = self.bind(ugen, 1, audio)
            choices = "(" + "".join(f"{s}, " for s, _ in sources) + ")"
            if sel_audio:
                self.lines.append(f"{out} = aselect({sel}, {choices}, X)")
            else:
                pick = f"{choices}[min(max(int({sel}), 0), {len(sources) - 1})]"
                if audio:
                    pick = f"X.audio({pick})"
                elif any(a for _, a in sources):
                    pick = f"scalar({pick})"
                self.lines.append(f"{out} = {pick}")
            return
        if name == "In" and not audio and len(ugen) == 1:
            ((bus, bus_audio),) = inputs
            (out,) = self.bind(ugen, 1, False)
            index = f"int(scalar({bus}))" if bus_audio else f"int({bus})"
            self.lines.append(f"{out} = CB[{index}] if 0 <= {index} < NCB else 0.0")
            return
        if name in ("SampleRate", "NumOutputBuses", "MaxLocalBufs"):
            (out,) = self.bind(ugen, 1, False)
            value = {
                "SampleRate": "X.sample_rate",
                "NumOutputBuses": "float(X.server.output_channels)",
                "MaxLocalBufs": "0.0",
            }[name]
            self.lines.append(f"{out} = {value}")
            return
        if name in ("MulAdd", "Sum3", "Sum4"):
            (out,) = self.bind(ugen, 1, audio)
            terms = [e for e, _ in inputs]
            code = (
                f"({terms[0]} * {terms[1]} + {terms[2]})"
                if name == "MulAdd"
                else ("(" + " + ".join(terms) + ")")
            )
            if audio and not any(a for _, a in inputs):
                code = f"X.full({code})"
            self.lines.append(f"{out} = {code}")
            return
        cls = UNITS[name]
        outputs = len(ugen)  # number of outputs
        slot = len(self.slots)
        consts = tuple(
            None if isinstance(value, OutputProxy) else float(value) for value in ugen.inputs
        )
        controls = tuple(
            self.control_base[id(value.ugen)] + value.index
            if isinstance(value, OutputProxy) and type(value.ugen).__name__ == "Control"
            else None
            for value in ugen.inputs
        )
        self.slots.append(
            UnitSlot(cls, name, rate, int(ugen.special_index), consts, outputs, controls)
        )
        args = ", ".join(e for e, _ in inputs)
        call = f"U[{slot}]({args})"
        if outputs == 0:
            self.lines.append(call)
            return
        names = self.bind(ugen, outputs, audio)
        if outputs == 1:
            self.lines.append(f"{names[0]} = {call}")
            if name == "EnvGen" and not audio:
                self.curves[names[0]] = f"e{names[0][1:]}"
                self.lines.append(f"e{names[0][1:]} = U[{slot}].__self__.curve")
        else:
            self.lines.append(f"{', '.join(names)} = {call}")

    def operator(self, ugen: Any, name: str, audio: bool, inputs: list[tuple[str, bool]]) -> None:
        op = ugen.operator.name
        (out,) = self.bind(ugen, 1, audio)
        if name == "UnaryOpUGen":
            ((a, a_audio),) = inputs
            if audio:
                code = UNARY_AUDIO[op].format(a=a if a_audio else f"X.audio({a})")
            else:
                code = UNARY_CONTROL[op].format(a=f"scalar({a})" if a_audio else a)
            self.lines.append(f"{out} = {code}")
            return
        (a, a_audio), (b, b_audio) = inputs
        if not audio:
            a = f"scalar({a})" if a_audio else a
            b = f"scalar({b})" if b_audio else b
            self.lines.append(f"{out} = {BINARY_CONTROL[op].format(a=a, b=b)}")
            if op in RAMPED and (a in self.curves or b in self.curves):
                curve = f"e{out[1:]}"
                ca, cb = self.curves.get(a, a), self.curves.get(b, b)
                self.lines.append(f"{curve} = {BINARY_AUDIO[op].format(a=ca, b=cb)}")
                self.curves[out] = curve
            return
        if op in RAMPED:
            if a_audio and not b_audio and not _is_literal(b):
                b = self.curves[b] if b in self.curves else self.ramp(b)
            elif b_audio and not a_audio and not _is_literal(a):
                a = self.curves[a] if a in self.curves else self.ramp(a)
        if not a_audio and not b_audio:
            a = f"X.audio({a})"
        self.lines.append(f"{out} = {BINARY_AUDIO[op].format(a=a, b=b)}")


def _is_literal(expr: str) -> bool:
    return expr[0].isdigit() or expr[0] == "-" or expr in ("NAN", "INF", "(-INF)")


def aselect(selector: np.ndarray, choices: tuple[Any, ...], ctx: Context) -> np.ndarray:
    """Audio-rate Select: per sample, the source the selector names."""
    index = np.clip(selector.astype(np.int64), 0, len(choices) - 1)
    stacked = np.stack([ctx.audio(choice) for choice in choices])
    return stacked[index, np.arange(ctx.block)]


def compile_synthdef(synthdef: SynthDef, ctx: Context) -> Program:
    """The program of ``synthdef`` on a server with ``ctx``; raises Unsupported."""
    name = str(synthdef.name)
    missing = missing_ugens(synthdef)
    if missing:
        raise Unsupported(name, missing)
    builder = _Builder(synthdef, ctx)
    source = builder.build()
    scope: dict[str, Any] = {
        name: getattr(helpers, name) for name in dir(helpers) if not name.startswith("_")
    }
    scope.update(np=np, math=math, X=ctx, RAMP=ctx.ramp, aselect=aselect,
                 CB=ctx.server.control_buses, NCB=len(ctx.server.control_buses),
                 NAN=math.nan, INF=math.inf)  # fmt: skip
    exec(compile(source, f"<synthdef {name}>", "exec"), scope)
    control_index: dict[str, int] = {}
    defaults: list[float] = []
    for ugen in synthdef.ugens:
        if type(ugen).__name__ != "Control":
            continue
        for parameter in ugen.parameters:
            control_index[str(parameter.name)] = len(defaults)
            value = parameter.value
            defaults.append(float(value[0] if isinstance(value, tuple) else value))
    return Program(name, control_index, defaults, builder.slots, builder.ramps, scope["run"],
                   source)  # fmt: skip
