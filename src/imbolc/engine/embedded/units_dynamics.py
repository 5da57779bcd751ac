"""Panning and dynamics: Pan2, Balance2, LinPan2, XFade2, Compander, Limiter, Normalizer,
Amplitude."""

from __future__ import annotations

import math

import numpy as np

from imbolc.engine.embedded.context import LOG001, Context, Signal, scalar
from imbolc.engine.embedded.units import Setup, Unit, register

QUARTER_PI = math.pi / 4.0


class _Gains(Unit):
    """Left/right gains from a position, ramped across the block when they change."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.last: tuple[float, float] | None = None

    def amps(self, pos: float, level: float) -> tuple[float, float]:
        angle = (min(max(pos, -1.0), 1.0) + 1.0) * QUARTER_PI
        return level * math.cos(angle), level * math.sin(angle)

    def gains(self, pos: Signal, level: Signal) -> tuple[Signal, Signal]:
        if isinstance(pos, np.ndarray) or isinstance(level, np.ndarray):
            angle = (np.clip(pos, -1.0, 1.0) + 1.0) * QUARTER_PI
            return level * np.cos(angle), level * np.sin(angle)
        now = self.amps(pos, level)
        before, self.last = self.last, now
        if before is None or before == now:
            return now
        ramp = self.ctx.ramp
        return (before[0] + (now[0] - before[0]) * ramp, before[1] + (now[1] - before[1]) * ramp)


@register("Pan2")
class Pan2(_Gains):
    def calc(self, source: Signal, pos: Signal, level: Signal = 1.0) -> tuple[Signal, Signal]:
        x = self.ctx.audio(source)
        left, right = self.gains(pos, level)
        return x * left, x * right


@register("LinPan2")
class LinPan2(_Gains):
    def amps(self, pos: float, level: float) -> tuple[float, float]:
        right = (min(max(pos, -1.0), 1.0) + 1.0) * 0.5
        return level * (1.0 - right), level * right

    def calc(self, source: Signal, pos: Signal, level: Signal = 1.0) -> tuple[Signal, Signal]:
        x = self.ctx.audio(source)
        left, right = self.gains(scalar(pos), scalar(level))
        return x * left, x * right


@register("Balance2")
class Balance2(_Gains):
    def calc(self, left: Signal, right: Signal, pos: Signal,
             level: Signal = 1.0) -> tuple[Signal, Signal]:  # fmt: skip
        gain_l, gain_r = self.gains(pos, level)
        return self.ctx.audio(left) * gain_l, self.ctx.audio(right) * gain_r


@register("XFade2", "LinXFade2")
class XFade2(_Gains):
    def calc(self, a: Signal, b: Signal, pan: Signal = 0.0, level: Signal = 1.0) -> Signal:
        p = scalar(pan)
        if self.setup.name == "LinXFade2":
            right = (min(max(p, -1.0), 1.0) + 1.0) * 0.5
            gain_a, gain_b = (1.0 - right) * scalar(level), right * scalar(level)
        else:
            gain_a, gain_b = self.amps(p, scalar(level))
        return self.ctx.audio(a) * gain_a + self.ctx.audio(b) * gain_b


def _coefficient(seconds: float, ctx: Context) -> float:
    return math.exp(LOG001 / (seconds * ctx.sample_rate)) if seconds > 0 else 0.0


class _Follower(Unit):
    """A peak follower run once per block on the block's peak (clamp up, relax down)."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.level = 0.0

    def follow(self, signal: Signal, attack: float, release: float) -> float:
        peak = float(np.max(np.abs(signal))) if isinstance(signal, np.ndarray) else abs(signal)
        block = self.ctx.block
        rising = peak > self.level
        coef = _coefficient(attack if rising else release, self.ctx) ** block
        self.level = peak + (self.level - peak) * coef
        return self.level


@register("Amplitude")
class Amplitude(_Follower):
    def calc(self, source: Signal, attack: Signal = 0.01, release: Signal = 0.01) -> Signal:
        level = self.follow(source, scalar(attack), scalar(release))
        return self.ctx.full(level) if self.audio else level


@register("Compander")
class Compander(_Follower):
    """Gain from the control signal's followed peak against ``thresh``: ``slope_below``
    under it, ``slope_above`` over it; ramped across the block."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.gain = 1.0

    def calc(self, source: Signal, control: Signal, thresh: Signal, below: Signal,
             above: Signal, clamp: Signal, relax: Signal) -> Signal:  # fmt: skip
        level = self.follow(control, scalar(clamp), scalar(relax))
        t = max(scalar(thresh), 1e-9)
        if level < t:
            slope = scalar(below)
            target = 1.0 if slope == 1.0 else (max(level, 1e-4) / t) ** (slope - 1.0)
        else:
            target = (level / t) ** (scalar(above) - 1.0)
        if not math.isfinite(target):
            target = 0.0
        before, self.gain = self.gain, target
        x = self.ctx.audio(source)
        if before == target:
            return x * target
        return x * (before + (target - before) * self.ctx.ramp)


@register("Limiter", "Normalizer")
class Limiter(Unit):
    """SC's lookahead limiter: windows of ``dur`` seconds, output delayed by two windows,
    gain ramped per window so no sample exceeds ``level``."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.size = max(1, math.ceil(max(self.const(2, 0.01), 0.0001) * self.ctx.sample_rate))
        self.inbuf = np.zeros(self.size)
        self.mid = np.zeros(self.size)
        self.out = np.zeros(self.size)
        self.pos = 0
        self.gain = 1.0
        self.slope = 0.0
        self.previous_max = 0.0
        self.current_max = 0.0
        self.normalize = setup.name == "Normalizer"

    def calc(self, source: Signal, level: Signal, _dur: Signal = 0.01) -> Signal:
        x = self.ctx.audio(source)
        lvl = abs(scalar(level))
        block, size = self.ctx.block, self.size
        y = np.empty(block)
        i = 0
        while i < block:
            k = min(block - i, size - self.pos)
            gains = self.gain + self.slope * np.arange(1, k + 1)
            y[i : i + k] = self.out[self.pos : self.pos + k] * gains
            self.gain = float(gains[-1])
            piece = x[i : i + k]
            self.inbuf[self.pos : self.pos + k] = piece
            self.current_max = max(self.current_max, float(np.max(np.abs(piece))))
            self.pos += k
            i += k
            if self.pos == size:
                self.pos = 0
                peak = max(self.previous_max, self.current_max)
                self.previous_max, self.current_max = self.current_max, 0.0
                if self.normalize:
                    target = lvl / peak if peak > 1e-9 else 1.0
                else:
                    target = lvl / peak if peak > lvl else 1.0
                self.slope = (target - self.gain) / size
                self.out, self.mid, self.inbuf = self.mid, self.inbuf, self.out
        return y
