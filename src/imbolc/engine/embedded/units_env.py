# mypy: disable-error-code="no-any-return"
# (NumPy expressions are typed Any; these helpers return arrays and floats by construction)
"""Envelopes, lags and trigger-driven units: EnvGen (SC's envelope array, gates, forced
release, done actions), Line/XLine, Lag family, Decay/Decay2, Latch, Sweep, Phasor, random
values on triggers."""

from __future__ import annotations

import math

import numpy as np

from imbolc.engine.embedded import jit
from imbolc.engine.embedded.context import LOG001, Signal, lag_coefficient, scalar
from imbolc.engine.embedded.jit import lfilter
from imbolc.engine.embedded.units import Setup, Unit, register


def _interpolate(a: float, b: float, pos: float, shape: int, curve: float) -> float:
    if shape == 0:
        return b
    if shape == 1:
        return a + (b - a) * pos
    if shape == 2:
        if a == 0.0 or b == 0.0 or (a > 0) != (b > 0):
            return a + (b - a) * pos
        return a * (b / a) ** pos
    if shape == 3:
        return a + (b - a) * (0.5 - 0.5 * math.cos(math.pi * pos))
    if shape == 4:
        if a < b:
            return a + (b - a) * math.sin(0.5 * math.pi * pos)
        return b + (a - b) * math.cos(0.5 * math.pi * pos)
    if shape == 5:
        if abs(curve) < 0.001:
            return a + (b - a) * pos
        return a + (b - a) * (1.0 - math.exp(curve * pos)) / (1.0 - math.exp(curve))
    if shape == 6:
        sa, sb = math.sqrt(max(a, 0.0)), math.sqrt(max(b, 0.0))
        return (sa + (sb - sa) * pos) ** 2
    if shape == 7:
        ca, cb = math.copysign(abs(a) ** (1 / 3), a), math.copysign(abs(b) ** (1 / 3), b)
        return (ca + (cb - ca) * pos) ** 3
    return a if pos < 1.0 else b


def _curve(a: float, b: float, pos: np.ndarray, shape: int, curve: float) -> np.ndarray:
    """``_interpolate`` over an array of positions."""
    if shape == 1 or (shape == 5 and abs(curve) < 0.001):
        return a + (b - a) * pos
    if shape == 5:
        return a + (b - a) * (1.0 - np.exp(curve * pos)) / (1.0 - math.exp(curve))
    if shape == 0:
        return np.full(len(pos), b)
    if shape == 3:
        return a + (b - a) * (0.5 - 0.5 * np.cos(math.pi * pos))
    return np.array([_interpolate(a, b, float(p), shape, curve) for p in pos])


Piece = tuple[float, float, float, float, int, float, float, float]
"""(start in block, seconds used, from, to, shape, curve, seconds elapsed before, duration)"""


@register("EnvGen")
class EnvGen(Unit):
    """SC's EnvGen at control rate: the value at the end of each block. ``curve`` holds the
    exact level at every sample of the block (a float while it is constant), which the
    compiler uses where the envelope scales an audio signal."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.level = self.const(5)
        self.stage = -1
        self.elapsed = 0.0
        self.start = self.level
        self.gate = 0.0
        self.released = False
        self.finished = False
        self.forced = 0.0
        self.dt = self.ctx.block_dur if not self.audio else self.ctx.sample_dur
        self.curve: Signal = self.level

    def _begin(self, stage: int) -> None:
        self.stage, self.elapsed, self.start = stage, 0.0, self.level

    def calc(self, gate: Signal, level_scale: Signal, level_bias: Signal, time_scale: Signal,
             done_action: Signal, *env: Signal) -> Signal:  # fmt: skip
        count = int(scalar(env[1]))
        release_node = int(scalar(env[2]))
        self._gate(scalar(gate), count, release_node)
        scale = scalar(time_scale)
        begin = self.level
        pieces: list[Piece] = []
        remaining = self.dt
        change = self._change()
        if change is not None and not self.audio:
            # A gate change inside the block: run up to its sample, then switch.
            sample, value = change
            before = min(sample * self.ctx.sample_dur, self.dt)
            remaining = self._advance(pieces, remaining, before, count, release_node, scale,
                                      done_action, env)  # fmt: skip
            self._gate(value, count, release_node)
        self._advance(pieces, remaining, remaining, count, release_node, scale, done_action, env)
        lscale, lbias = scalar(level_scale), scalar(level_bias)
        value = self.level * lscale + lbias
        if not pieces or (len(pieces) == 1 and self.level == begin):
            self.curve = value
        else:
            self.curve = self._sampled(pieces, begin, scale) * lscale + lbias
        return self.ctx.full(value) if self.audio else value

    def _change(self) -> tuple[int, float] | None:
        """The gate's change inside this block (its sample and value), if one is pending."""
        controls = self.setup.controls
        index = controls[0] if controls else None
        if index is None or not self.synth.pending:
            return None
        return self.synth.pending.get(index)

    def _gate(self, g: float, count: int, release_node: int) -> None:
        """SC's gate logic: a rise restarts, a fall releases (below -1: forced release)."""
        if g > 0.0 and self.gate <= 0.0:
            self.released = self.finished = False
            self.forced = 0.0
            self._begin(0)
        elif g <= 0.0 < self.gate and not self.released and not self.finished:
            self.released = True
            if g <= -1.0:
                self.forced = -g - 1.0
                self._begin(count)
            elif release_node >= 0:
                self._begin(release_node)
        elif g <= -1.0 and not self.finished and self.forced == 0.0:
            self.released = True
            self.forced = -g - 1.0
            self._begin(count)
        self.gate = g

    def _advance(self, pieces: list[Piece], remaining: float, budget: float, count: int,
                 release_node: int, scale: float, done_action: Signal,
                 env: tuple[Signal, ...]) -> float:  # fmt: skip
        """Run the envelope for ``budget`` of the block's ``remaining`` seconds, adding the
        segments crossed to ``pieces``; returns the seconds left in the block."""
        limit = remaining - budget
        while remaining > limit and not self.finished and self.stage >= 0:
            if self.stage >= count:
                if self.stage == count and self.forced > 0.0:
                    target, duration, shape, curve = scalar(env[4 * count]), self.forced, 1, 0.0
                else:
                    self._finish(done_action)
                    break
            else:
                base = 4 + 4 * self.stage
                target = scalar(env[base])
                duration = max(scalar(env[base + 1]) * scale, 0.0)
                shape, curve = int(scalar(env[base + 2])), scalar(env[base + 3])
            left = duration - self.elapsed
            span = remaining - limit
            used = min(max(left, 0.0), span)
            pieces.append((self.dt - remaining, used, self.start, target, shape, curve,
                           self.elapsed, duration))  # fmt: skip
            if left <= span:
                remaining -= max(left, 0.0)
                self.level = target
                next_stage = self.stage + 1
                if self.stage >= count:
                    self._finish(done_action)
                    break
                if next_stage == release_node and not self.released:
                    self.stage = -1
                    break
                if next_stage >= count:
                    self._finish(done_action)
                    break
                self._begin(next_stage)
            else:
                self.elapsed += span
                remaining = limit
                self.level = _interpolate(self.start, target, self.elapsed / duration, shape, curve)
        return limit

    def _sampled(self, pieces: list[Piece], begin: float, scale: float) -> np.ndarray:
        """The level at each sample end of this block from the segments it crossed."""
        ctx = self.ctx
        kernels = jit.K
        if kernels is not None:
            out = np.empty(ctx.block)
            rows = np.array(pieces, dtype=np.float64)
            kernels.envelope(out, rows, ctx.sample_dur, begin, np.array([self.level]))
            return out
        times = (ctx.index + 1.0) * ctx.sample_dur
        out = np.full(ctx.block, self.level)
        for start, used, a, b, shape, curve, elapsed, duration in pieces:
            inside = (times > start - 1e-12) & (times <= start + used + 1e-12)
            if not inside.any():
                continue
            pos = np.clip((elapsed + times[inside] - start) / max(duration, 1e-12), 0.0, 1.0)
            out[inside] = _curve(a, b, pos, shape, curve)
        first = times <= pieces[0][0]
        out[first] = begin
        return out

    def _finish(self, done_action: Signal) -> None:
        self.finished = True
        self.stage = -1
        action = int(scalar(done_action))
        if action > 0:
            self.synth.done(action)


@register("Line", "XLine")
class Line(Unit):
    """From ``start`` to ``end`` in ``dur`` seconds (exponentially for XLine)."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.elapsed = 0.0
        self.exponential = setup.name == "XLine"
        self.fired = False

    def calc(self, start: Signal, end: Signal, dur: Signal, done_action: Signal) -> Signal:
        ctx = self.ctx
        a, b, d = scalar(start), scalar(end), max(scalar(dur), 1e-9)
        step = ctx.sample_dur if self.audio else ctx.block_dur
        times = self.elapsed + (ctx.index + 1.0) * step if self.audio else self.elapsed + step
        self.elapsed += ctx.block_dur
        pos = np.minimum(np.asarray(times) / d, 1.0)
        out = a * (b / a) ** pos if self.exponential and a * b > 0 else a + (b - a) * pos
        if self.elapsed >= d and not self.fired:
            self.fired = True
            if int(scalar(done_action)) > 0:
                self.synth.done(int(scalar(done_action)))
        return out if self.audio else float(out)


class _OnePole(Unit):
    """``y = x + b (y' - x)``: at control rate in floats, at audio rate with lfilter."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.y: float | None = None
        self.rate = self.ctx.sample_rate if self.audio else self.ctx.control_rate

    def pole(self, x: Signal, b: float) -> Signal:
        if not self.audio:
            value = scalar(x)
            y = value if self.y is None else value + b * (self.y - value)
            self.y = y
            return y
        if self.y is None:
            self.y = float(x[0]) if isinstance(x, np.ndarray) else float(x)
        if not isinstance(x, np.ndarray):
            if x == self.y:
                return self.ctx.full(x)
            x = self.ctx.full(x)
        out, _ = lfilter([1.0 - b], [1.0, -b], x, zi=[b * self.y])
        self.y = float(out[-1])
        return out


@register("Lag")
class Lag(_OnePole):
    def calc(self, source: Signal, lag_time: Signal) -> Signal:
        if source.__class__ is float and source == self.y:
            return source
        return self.pole(source, lag_coefficient(scalar(lag_time), self.rate))


@register("Lag2", "Lag3")
class LagN(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        count = 2 if setup.name == "Lag2" else 3
        self.stages = [Lag(setup) for _ in range(count)]

    def calc(self, source: Signal, lag_time: Signal) -> Signal:
        for stage in self.stages:
            source = stage.calc(source, lag_time)
        return source


@register("LagUD", "VarLag")
class LagUD(_OnePole):
    def calc(self, source: Signal, up: Signal, down: Signal | None = None, *_: Signal) -> Signal:
        rising = self.y is None or scalar(source) > self.y
        time = up if rising or down is None else down
        return self.pole(source, lag_coefficient(scalar(time), self.rate))


class _Decay(Unit):
    """SC's constructors run one sample of the input before the first block, so an impulse
    at the very start excites the filter twice; the first call here does the same."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.state = [0.0, 0.0]
        self.primed = [False, False]

    def decay(self, x: np.ndarray, seconds: float, which: int) -> np.ndarray:
        b = math.exp(LOG001 / (seconds * self.ctx.sample_rate)) if seconds > 0 else 0.0
        if not self.primed[which]:
            self.primed[which] = True
            self.state[which] = float(x[0])
        out, _ = lfilter([1.0], [1.0, -b], x, zi=[b * self.state[which]])
        self.state[which] = float(out[-1])
        return out


@register("Decay")
class Decay(_Decay):
    def calc(self, source: Signal, decay_time: Signal) -> Signal:
        return self.decay(self.ctx.audio(source), scalar(decay_time), 0)


@register("Decay2")
class Decay2(_Decay):
    def calc(self, source: Signal, attack: Signal, decay_time: Signal) -> Signal:
        x = self.ctx.audio(source)
        return self.decay(x, scalar(decay_time), 0) - self.decay(x, scalar(attack), 1)


def rising(trigger: Signal, last: float) -> tuple[np.ndarray, float]:
    """Samples where ``trigger`` goes from <= 0 to > 0, and its last value."""
    t = np.asarray(trigger, dtype=np.float64)
    before = np.concatenate(([last], t[:-1]))
    return (t > 0.0) & (before <= 0.0), float(t[-1])


def hold(values: np.ndarray, where: np.ndarray, carry: float) -> np.ndarray:
    """Each sample takes the value of the latest ``where`` sample (``carry`` before any)."""
    index = np.where(where, np.arange(len(where)), -1)
    latest = np.maximum.accumulate(index)
    out = values[np.maximum(latest, 0)]
    return np.where(latest >= 0, out, carry)


class _Triggered(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.last_trigger = 0.0
        self.value = 0.0

    def fired(self, trigger: Signal) -> bool:
        now = scalar(trigger) if not isinstance(trigger, np.ndarray) else float(np.max(trigger))
        hit = now > 0.0 and self.last_trigger <= 0.0
        self.last_trigger = now if not isinstance(trigger, np.ndarray) else float(trigger[-1])
        return hit


@register("TRand", "TExpRand", "TIRand")
class TRand(_Triggered):
    """A new random value in [lo, hi] at each trigger."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.kind = setup.name
        self.value = self.draw(self.const(0), self.const(1, 1.0), 1)[0]

    def draw(self, lo: float, hi: float, count: int) -> np.ndarray:
        u = self.ctx.rng.random(count)
        if self.kind == "TExpRand" and lo * hi > 0:
            return lo * (hi / lo) ** u
        if self.kind == "TIRand":
            return np.floor(lo + (hi - lo + 1) * u)
        return lo + (hi - lo) * u

    def calc(self, lo: Signal, hi: Signal, trigger: Signal) -> Signal:
        if not self.audio:
            if self.fired(trigger):
                self.value = float(self.draw(scalar(lo), scalar(hi), 1)[0])
            return self.value
        hits, self.last_trigger = rising(trigger, self.last_trigger)
        if not hits.any():
            return self.ctx.full(self.value)
        values = self.draw(scalar(lo), scalar(hi), self.ctx.block)
        out = hold(values, hits, self.value)
        self.value = float(out[-1])
        return out


@register("Rand", "IRand", "ExpRand", "NRand", "LinRand")
class Rand(Unit):
    """A random value drawn once when the synth starts."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.value: float | None = None

    def calc(self, lo: Signal, hi: Signal, *_: Signal) -> float:
        if self.value is None:
            a, b, u = scalar(lo), scalar(hi), float(self.ctx.rng.random())
            name = self.setup.name
            if name == "IRand":
                self.value = float(math.floor(a + (b - a + 1) * u))
            elif name == "ExpRand" and a * b > 0:
                self.value = a * (b / a) ** u
            else:
                self.value = a + (b - a) * u
        return self.value


@register("Latch", "Gate")
class Latch(_Triggered):
    """Latch holds the source at each trigger; Gate passes it while the gate is open."""

    def calc(self, source: Signal, trigger: Signal) -> Signal:
        gate = self.setup.name == "Gate"
        if not self.audio:
            if (scalar(trigger) > 0.0) if gate else self.fired(trigger):
                self.value = scalar(source)
            return self.value
        x = self.ctx.audio(source)
        if gate:
            where = np.asarray(trigger) > 0.0
            where = np.broadcast_to(where, x.shape)
        else:
            where, self.last_trigger = rising(self.ctx.audio(trigger), self.last_trigger)
        if not where.any():
            return self.ctx.full(self.value)
        out = hold(x, where, self.value)
        self.value = float(out[-1])
        return out


def _running(increments: np.ndarray, resets: np.ndarray, start: float, reset_to: float):  # type: ignore[no-untyped-def]
    """Running sums of ``increments`` restarting at ``reset_to`` where ``resets`` is set."""
    before = np.concatenate(([0.0], np.cumsum(increments)[:-1]))
    index = np.where(resets, np.arange(len(resets)), -1)
    latest = np.maximum.accumulate(index)
    base = np.where(latest >= 0, reset_to - before[np.maximum(latest, 0)], start)
    return base + before


@register("Sweep")
class Sweep(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.level = 0.0
        self.last = 0.0

    def calc(self, trigger: Signal, rate: Signal) -> Signal:
        ctx = self.ctx
        if not self.audio:
            if scalar(trigger) > 0.0 and self.last <= 0.0:
                self.level = 0.0
            self.last = scalar(trigger)
            self.level += scalar(rate) * ctx.block_dur
            return self.level
        hits, self.last = rising(ctx.audio(trigger), self.last)
        increments = np.broadcast_to(np.asarray(rate) * ctx.sample_dur, (ctx.block,))
        out = _running(increments, hits, self.level, 0.0)
        self.level = float(out[-1] + increments[-1])
        return out


@register("Phasor")
class Phasor(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.level = self.const(2)
        self.last = 0.0

    def calc(self, trigger: Signal, rate: Signal, start: Signal, end: Signal,
             reset_pos: Signal = 0.0) -> Signal:  # fmt: skip
        ctx = self.ctx
        lo, hi = scalar(start), scalar(end)
        span = hi - lo
        hits, self.last = rising(ctx.audio(trigger), self.last)
        increments = np.broadcast_to(np.asarray(rate, dtype=np.float64), (ctx.block,))
        out = _running(increments, hits, self.level, scalar(reset_pos))
        if span > 0:
            out = lo + np.mod(out - lo, span)
            self.level = lo + (float(out[-1]) + float(increments[-1]) - lo) % span
        else:
            out = np.full(ctx.block, lo)
            self.level = lo
        return out if self.audio else float(out[0])


@register("Trig", "Trig1")
class Trig(Unit):
    """``dur`` seconds of the trigger value (Trig) or 1 (Trig1) after each trigger."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.left = 0.0
        self.held = 0.0
        self.last = 0.0

    def calc(self, trigger: Signal, dur: Signal) -> Signal:
        value = scalar(trigger) if not isinstance(trigger, np.ndarray) else float(trigger.max())
        if value > 0.0 and self.last <= 0.0:
            self.left = scalar(dur)
            self.held = value if self.setup.name == "Trig" else 1.0
        self.last = value
        out = self.held if self.left > 0.0 else 0.0
        self.left -= self.ctx.block_dur
        return self.ctx.full(out) if self.audio else out
