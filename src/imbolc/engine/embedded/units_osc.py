"""Oscillators: sine, band-limited saw and pulse (PolyBLEP), the LF shapes, impulses, sync,
feedback and formant oscillators, and the chaotic maps."""

from __future__ import annotations

import math
from abc import abstractmethod

import numpy as np

from imbolc.engine.embedded import jit
from imbolc.engine.embedded.context import Context, Signal, scalar
from imbolc.engine.embedded.units import Setup, Unit, register

TWO_PI = 2.0 * math.pi


def advance(ctx: Context, state: float, increment: Signal) -> tuple[np.ndarray, float]:
    """Phase at each sample of the block (before its increment) and the phase after."""
    if isinstance(increment, np.ndarray):
        total = np.cumsum(increment)
        phases = state + total - increment
        return phases, state + float(total[-1])
    return state + increment * ctx.index, state + increment * ctx.block


def polyblep(t: np.ndarray, dt: np.ndarray | float) -> np.ndarray:
    """The PolyBLEP residual at phase ``t`` (0..1) for a step of one per cycle."""
    dt = np.maximum(np.abs(dt), 1e-9)
    out = np.zeros_like(t)
    low = t < dt
    if np.any(low):
        x = (t / dt)[low] if isinstance(dt, np.ndarray) and dt.ndim else t[low] / dt
        out[low] = x + x - x * x - 1.0
    high = t > 1.0 - dt
    if np.any(high):
        x = (
            ((t - 1.0) / dt)[high]
            if isinstance(dt, np.ndarray) and dt.ndim
            else ((t[high] - 1.0) / dt)
        )
        out[high] = x * x + x + x + 1.0
    return out


class _Phase(Unit):
    """A phase in cycles advancing by frequency / rate each sample (audio) or block."""

    def __init__(self, setup: Setup, initial: float = 0.0) -> None:
        super().__init__(setup)
        self.phase = initial
        self.step = 1.0 / self.ctx.sample_rate if self.audio else 1.0 / self.ctx.control_rate

    def phases(self, freq: Signal) -> np.ndarray:
        increment = freq * self.step
        phases, after = advance(self.ctx, self.phase, increment)
        self.phase = after % 1.0
        return phases


@register("SinOsc")
class SinOsc(_Phase):
    def calc(self, freq: Signal, phase: Signal = 0.0) -> Signal:
        if not self.audio:
            value = math.sin(TWO_PI * self.phase + scalar(phase))
            self.phase = (self.phase + scalar(freq) * self.step) % 1.0
            return value
        return np.sin(TWO_PI * self.phases(freq) + phase)


@register("SinOscFB")
class SinOscFB(_Phase):
    """Sine whose last output feeds its phase; solved per block by fixed-point iteration."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.last = 0.0

    def calc(self, freq: Signal, feedback: Signal) -> Signal:
        if not self.audio:
            self.last = math.sin(TWO_PI * self.phase + scalar(feedback) * self.last)
            self.phase = (self.phase + scalar(freq) * self.step) % 1.0
            return self.last
        angle = TWO_PI * self.phases(freq)
        y = np.sin(angle)
        for _ in range(10):
            shifted = np.concatenate(([self.last], y[:-1]))
            y = np.sin(angle + feedback * shifted)
        self.last = float(y[-1])
        return y


@register("Saw")
class Saw(_Phase):
    """Band-limited saw swinging ±0.5, as SC's Saw measures."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup, 0.5)

    def calc(self, freq: Signal) -> Signal:
        dt = freq * self.step
        kernels = jit.K
        if kernels is not None and self.audio:
            increments, stride = jit.strided(dt)
            out = np.empty(self.ctx.block)
            self.phase = kernels.saw(out, self.phase, increments, stride) % 1.0
            return out
        t = self.phases(freq) % 1.0
        return t - 0.5 - 0.5 * polyblep(t, dt)


@register("Pulse")
class Pulse(_Phase):
    """Band-limited pulse with a swing of 1 and no DC, as SC's Pulse measures."""

    def calc(self, freq: Signal, width: Signal = 0.5) -> Signal:
        dt = freq * self.step
        kernels = jit.K
        if kernels is not None and self.audio:
            increments, stride = jit.strided(dt)
            widths, width_stride = jit.strided(width)
            out = np.empty(self.ctx.block)
            after = kernels.pulse(out, self.phase, increments, stride, widths, width_stride)
            self.phase = after % 1.0
            return out
        t = self.phases(freq) % 1.0
        w = np.clip(width, 0.001, 0.999)
        high = np.where(t < w, 1.0, 0.0) - w
        return high + 0.5 * (polyblep(t, dt) - polyblep((t + 1.0 - w) % 1.0, dt))


@register("LFSaw")
class LFSaw(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.phase = (self.const(1) + 1.0) % 2.0 - 1.0
        self.step = 2.0 / (self.ctx.sample_rate if self.audio else self.ctx.control_rate)

    def calc(self, freq: Signal, _iphase: Signal = 0.0) -> Signal:
        if not self.audio:
            value = self.phase
            self.phase = (self.phase + scalar(freq) * self.step + 1.0) % 2.0 - 1.0
            return value
        phases, after = advance(self.ctx, self.phase + 1.0, freq * self.step)
        self.phase = after % 2.0 - 1.0
        return phases % 2.0 - 1.0


@register("LFPulse")
class LFPulse(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.phase = self.const(1) % 1.0
        self.step = 1.0 / (self.ctx.sample_rate if self.audio else self.ctx.control_rate)

    def calc(self, freq: Signal, _iphase: Signal = 0.0, width: Signal = 0.5) -> Signal:
        if not self.audio:
            value = 1.0 if self.phase < scalar(width) else 0.0
            self.phase = (self.phase + scalar(freq) * self.step) % 1.0
            return value
        phases, after = advance(self.ctx, self.phase, freq * self.step)
        self.phase = after % 1.0
        return np.where(phases % 1.0 < width, 1.0, 0.0)


@register("LFTri")
class LFTri(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.phase = self.const(1) % 4.0
        self.step = 4.0 / (self.ctx.sample_rate if self.audio else self.ctx.control_rate)

    @staticmethod
    def shape(p: Signal) -> Signal:
        q = (p + 1.0) % 4.0 - 1.0
        return np.where(q <= 1.0, q, 2.0 - q)

    def calc(self, freq: Signal, _iphase: Signal = 0.0) -> Signal:
        if not self.audio:
            value = float(self.shape(self.phase))
            self.phase = (self.phase + scalar(freq) * self.step) % 4.0
            return value
        phases, after = advance(self.ctx, self.phase, freq * self.step)
        self.phase = after % 4.0
        return self.shape(phases)


@register("LFCub")
class LFCub(LFTri):
    @staticmethod
    def shape(p: Signal) -> Signal:
        tri = LFTri.shape(p)
        return tri * (1.5 - 0.5 * tri * tri)


@register("Impulse")
class Impulse(Unit):
    """1 at each cycle start (and at the very first sample when the phase is 0)."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        initial = self.const(1)
        self.acc = 1.0 if initial == 0.0 else initial % 1.0
        self.step = 1.0 / (self.ctx.sample_rate if self.audio else self.ctx.control_rate)

    def calc(self, freq: Signal, _phase: Signal = 0.0) -> Signal:
        if not self.audio:
            fired = self.acc >= 1.0
            self.acc = self.acc % 1.0 + max(scalar(freq), 0.0) * self.step
            return 1.0 if fired else 0.0
        phases, after = advance(self.ctx, self.acc, np.maximum(freq, 0.0) * self.step)
        floors = np.floor(phases)
        out = np.empty(self.ctx.block)
        out[0] = 1.0 if floors[0] >= 1.0 else 0.0
        out[1:] = floors[1:] > floors[:-1]
        self.acc = after - float(floors[-1])
        return out


@register("SyncSaw")
class SyncSaw(Unit):
    """A saw at ``saw_freq`` restarted every cycle of ``sync_freq``."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.master = 0.0

    def calc(self, sync_freq: Signal, saw_freq: Signal) -> Signal:
        phases, after = advance(self.ctx, self.master, sync_freq / self.ctx.sample_rate)
        self.master = after % 1.0
        ratio = np.divide(saw_freq, np.maximum(sync_freq, 1e-6))
        return 2.0 * ((phases % 1.0) * ratio % 1.0) - 1.0


@register("Formant")
class Formant(Unit):
    """Sine bursts at ``formant`` restarted each fundamental cycle, windowed to the
    ``bandwidth``."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.master = 0.0

    def calc(self, fundamental: Signal, formant: Signal, bandwidth: Signal) -> Signal:
        phases, after = advance(self.ctx, self.master, fundamental / self.ctx.sample_rate)
        self.master = after % 1.0
        since = (phases % 1.0) / np.maximum(fundamental, 1e-6)
        width = since * np.maximum(bandwidth, 1e-6)
        window = np.where(width < 1.0, 0.5 - 0.5 * np.cos(TWO_PI * np.minimum(width, 1.0)), 0.0)
        return 2.0 * np.sin(TWO_PI * formant * since) * window


@register("Vibrato")
class Vibrato(Unit):
    """``freq`` modulated by a sine at ``rate`` and ``depth`` (a fraction), entering after
    ``delay`` over ``onset`` seconds."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.phase = self.const(7) % 1.0
        self.elapsed = 0.0
        self.rng = self.ctx.rng

    def calc(self, freq: Signal, rate: Signal, depth: Signal, delay: Signal, onset: Signal,
             rate_var: Signal, depth_var: Signal, _iphase: Signal,
             *_trig: Signal) -> Signal:  # fmt: skip
        ctx = self.ctx
        times = self.elapsed + ctx.index * ctx.sample_dur
        self.elapsed += ctx.block_dur
        fade = np.clip((times - scalar(delay)) / max(scalar(onset), 1e-6), 0.0, 1.0)
        wobble = 1.0 + scalar(rate_var) * (self.rng.random() - 0.5) * 0.2
        phases, after = advance(ctx, self.phase, scalar(rate) * wobble / ctx.sample_rate)
        self.phase = after % 1.0
        amount = scalar(depth) * (1.0 + scalar(depth_var) * (self.rng.random() - 0.5) * 0.2)
        return freq * (1.0 + amount * fade * np.sin(TWO_PI * phases))


class _Map(Unit):
    """A chaotic map iterated ``freq`` times a second, linearly interpolated."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.phase = 0.0
        self.previous = 0.0
        self.current = 0.0

    @abstractmethod
    def step(self) -> float:
        """The map's next value."""

    def calc(self, freq: Signal, *_params: Signal) -> Signal:
        ctx = self.ctx
        self.params = [scalar(p) for p in _params]
        increment = min(max(scalar(freq), 0.0) / ctx.sample_rate, 1.0)
        phases = self.phase + increment * (ctx.index + 1.0)
        steps = math.floor(phases[-1])
        levels = [self.previous, self.current]
        for _ in range(steps):
            levels.append(self.step())
        self.previous, self.current = levels[-2], levels[-1]
        index = np.floor(phases).astype(np.int64)
        frac = phases - index
        values = np.asarray(levels)
        out = values[index] + (values[index + 1] - values[index]) * frac
        self.phase = float(phases[-1] - steps)
        return out


@register("HenonC", "HenonL", "HenonN")
class Henon(_Map):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.x0, self.x1 = self.const(3), self.const(4)

    def step(self) -> float:
        a, b = self.params[0], self.params[1]
        x = 1.0 - a * self.x0 * self.x0 + b * self.x1
        if not math.isfinite(x) or abs(x) > 1e6:
            x = 0.0
        self.x1, self.x0 = self.x0, x
        return x


@register("StandardL", "StandardN")
class Standard(_Map):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.x, self.y = self.const(2, 0.5), self.const(3)

    def step(self) -> float:
        k = self.params[0]
        self.y = (self.y + k * math.sin(self.x)) % TWO_PI
        self.x = (self.x + self.y) % TWO_PI
        return (self.x - math.pi) / math.pi
