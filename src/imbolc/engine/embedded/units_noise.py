"""Noise generators: white, pink, brown, dust, crackle and the low-frequency noises."""

from __future__ import annotations

import math

import numpy as np

from imbolc.engine.embedded.context import Signal, scalar
from imbolc.engine.embedded.jit import lfilter
from imbolc.engine.embedded.units import Setup, Unit, register

# Paul Kellet's refined pinking filter: six one-poles plus a direct path, each run as an
# lfilter; the gain matches SC's PinkNoise level.
_PINK_POLES = (0.99886, 0.99332, 0.96900, 0.86650, 0.55000, -0.7616)
_PINK_GAINS = (0.0555179, 0.0750759, 0.1538520, 0.3104856, 0.5329522, -0.0168980)
_PINK_GAIN = 0.09


@register("WhiteNoise", "ClipNoise", "GrayNoise")
class WhiteNoise(Unit):
    def calc(self) -> Signal:
        ctx = self.ctx
        if self.setup.name == "ClipNoise":
            values = np.where(ctx.rng.random(ctx.block) < 0.5, -1.0, 1.0)
        else:
            values = ctx.rng.uniform(-1.0, 1.0, ctx.block)
        return values if self.audio else float(values[0])


@register("PinkNoise")
class PinkNoise(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.states = [np.zeros(1) for _ in _PINK_POLES]
        self.last = 0.0

    def calc(self) -> Signal:
        white = self.ctx.rng.uniform(-1.0, 1.0, self.ctx.block)
        total = white * 0.5362
        total[0] += self.last * 0.115926
        total[1:] += white[:-1] * 0.115926
        self.last = float(white[-1])
        for k, (pole, gain) in enumerate(zip(_PINK_POLES, _PINK_GAINS, strict=True)):
            part, self.states[k] = lfilter([gain], [1.0, -pole], white, zi=self.states[k])
            total += part
        out = total * _PINK_GAIN
        return out if self.audio else float(out[-1])


@register("BrownNoise")
class BrownNoise(Unit):
    """A random walk of steps up to 1/8, reflected at ±1."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.level = float(self.ctx.rng.uniform(-1.0, 1.0))

    def calc(self) -> Signal:
        walk = self.level + np.cumsum(self.ctx.rng.uniform(-0.125, 0.125, self.ctx.block))
        folded = (walk + 1.0) % 4.0
        out = np.where(folded <= 2.0, folded, 4.0 - folded) - 1.0
        self.level = float(out[-1])
        return out if self.audio else self.level


@register("Dust", "Dust2")
class Dust(Unit):
    """Random impulses, ``density`` per second: 0..1 (Dust) or -1..1 (Dust2)."""

    def calc(self, density: Signal) -> Signal:
        ctx = self.ctx
        chance = np.asarray(density) / ctx.sample_rate
        hits = ctx.rng.random(ctx.block) < chance
        if self.setup.name == "Dust2":
            values = ctx.rng.uniform(-1.0, 1.0, ctx.block)
        else:
            values = ctx.rng.random(ctx.block)
        out = np.where(hits, values, 0.0)
        return out if self.audio else float(out.max())


@register("Crackle")
class Crackle(Unit):
    """``y = |y' * chaos - y'' - 0.05|``: a chaotic crackle."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.y1 = float(self.ctx.rng.random())
        self.y2 = 0.0

    def calc(self, chaos: Signal) -> Signal:
        c = scalar(chaos)
        y1, y2 = self.y1, self.y2
        out = [0.0] * self.ctx.block
        for n in range(self.ctx.block):
            y0 = abs(y1 * c - y2 - 0.05)
            y2, y1 = y1, y0
            out[n] = y0
        self.y1, self.y2 = y1, y2
        return np.asarray(out) if self.audio else out[-1]


@register("LFNoise0", "LFNoise1", "LFNoise2", "LFDNoise0", "LFDNoise1", "LFDNoise3")
class LFNoise(Unit):
    """A new random level ``freq`` times a second: held (0), linear (1) or smooth (2)."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        rng = self.ctx.rng
        self.levels = [float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))]
        self.phase = 0.0
        self.kind = int(setup.name[-1]) if setup.name[-1].isdigit() else 1
        if self.kind == 3:
            self.kind = 2
        self.step = self.ctx.sample_dur if self.audio else self.ctx.block_dur

    def shape(self, frac: Signal) -> Signal:
        a, b = self.levels
        if self.kind == 0:
            return a + 0.0 * frac
        if self.kind == 1:
            return a + (b - a) * frac
        return a + (b - a) * (0.5 - 0.5 * np.cos(math.pi * frac))

    def calc(self, freq: Signal) -> Signal:
        f = max(scalar(freq), 0.0)
        if not self.audio:
            self.phase += f * self.step
            while self.phase >= 1.0:
                self.phase -= 1.0
                self.levels = [self.levels[1], float(self.ctx.rng.uniform(-1, 1))]
            return float(self.shape(self.phase))
        phases = self.phase + f * self.step * (self.ctx.index + 1.0)
        if phases[-1] < 1.0:
            self.phase = float(phases[-1])
            return np.asarray(self.shape(phases))
        out = np.empty(self.ctx.block)
        start = 0
        while start < self.ctx.block:
            crossing = int(np.searchsorted(phases[start:], 1.0)) + start
            out[start:crossing] = self.shape(phases[start:crossing])
            if crossing >= self.ctx.block:
                break
            phases[crossing:] -= 1.0
            self.levels = [self.levels[1], float(self.ctx.rng.uniform(-1, 1))]
            start = crossing
        self.phase = float(phases[-1])
        return out
