# mypy: disable-error-code="no-any-return"
# (NumPy expressions are typed Any; these helpers return arrays and floats by construction)
"""Delay lines and what is built on them: delays, combs, allpasses, Pluck, FreeVerb, pitch and
frequency shifting.

Feedback lines are computed in chunks no longer than their delay, so every read inside a
chunk comes from samples already written: whole chunks stay vectorized.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import lfilter as scipy_lfilter

from imbolc.engine.embedded import jit
from imbolc.engine.embedded.context import LOG001, Signal, scalar
from imbolc.engine.embedded.jit import lfilter
from imbolc.engine.embedded.units import Setup, Unit, register


class Line:
    """A circular buffer; ``write`` appends samples, ``read`` looks back from a position."""

    def __init__(self, size: int) -> None:
        self.size = max(8, size)
        self.data = np.zeros(self.size)
        self.pos = 0

    def write(self, x: np.ndarray) -> None:
        n = len(x)
        end = self.pos + n
        if end <= self.size:
            self.data[self.pos : end] = x
        else:
            first = self.size - self.pos
            self.data[self.pos :] = x[:first]
            self.data[: n - first] = x[first:]
        self.pos = end % self.size

    def read(self, back: np.ndarray, interp: int) -> np.ndarray:
        """Samples at ``back`` samples before the current write position (fractional)."""
        where = self.pos - back
        base = np.floor(where)
        frac = where - base
        i = base.astype(np.int64)
        data, size = self.data, self.size
        y1 = data[i % size]
        if interp == 1:
            return y1
        y2 = data[(i + 1) % size]
        if interp == 2:
            return y1 + (y2 - y1) * frac
        y0 = data[(i - 1) % size]
        y3 = data[(i + 2) % size]
        c1 = 0.5 * (y2 - y0)
        c2 = y0 - 2.5 * y1 + 2.0 * y2 - 0.5 * y3
        c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2)
        return ((c3 * frac + c2) * frac + c1) * frac + y1


def _interp(name: str) -> int:
    return {"N": 1, "L": 2}.get(name[-1], 4)


def feedback(delay: float, decay: float) -> float:
    """SC's comb feedback: -60 dB after ``decay`` seconds (negative decay inverts)."""
    if delay <= 0.0 or decay == 0.0:
        return 0.0
    return math.copysign(math.exp(LOG001 * delay / abs(decay)), decay)


class _Delay(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        longest = self.const(1, 0.2)
        self.max_samples = max(longest * self.ctx.sample_rate, 1.0)
        self.line = Line(int(self.max_samples) + self.ctx.block + 8)
        self.interp = _interp(setup.name)
        self.min_back = 1.0 if self.interp < 4 else 2.0

    def delays(self, delay: Signal) -> np.ndarray:
        samples = np.asarray(delay, dtype=np.float64) * self.ctx.sample_rate
        samples = np.clip(samples, 0.0, self.max_samples)
        return np.broadcast_to(samples, (self.ctx.block,))

    def chunked(self, x: np.ndarray, delay: Signal, decay: Signal, allpass: bool) -> np.ndarray:
        """Comb (out = line; line = x + fb out) or allpass over the block, in safe chunks."""
        block = self.ctx.block
        samples = np.maximum(self.delays(delay), self.min_back)
        fb = feedback(float(samples.mean()) / self.ctx.sample_rate, scalar(decay))
        out = np.empty(block)
        kernels = jit.K
        if kernels is not None:
            line = self.line
            line.pos = kernels.comb(line.data, line.pos, x, samples, 1, fb, self.interp,
                                    allpass, out)  # fmt: skip
            return out
        chunk = max(1, int(samples.min()) - (3 if self.interp == 4 else 1))
        start = 0
        while start < block:
            end = min(block, start + chunk)
            back = samples[start:end] - np.arange(end - start)
            value = self.line.read(back, self.interp)
            if allpass:
                written = x[start:end] + fb * value
                out[start:end] = value - fb * written
            else:
                written = x[start:end] + fb * value
                out[start:end] = value
            self.line.write(written)
            start = end
        return out


@register("DelayN", "DelayL", "DelayC")
class Delay(_Delay):
    def calc(self, source: Signal, _max: Signal, delay: Signal) -> Signal:
        x = self.ctx.audio(source)
        kernels = jit.K
        if kernels is not None:
            seconds = np.asarray(delay, dtype=np.float64) * self.ctx.sample_rate
            samples, stride = jit.strided(np.clip(seconds, 0.0, self.max_samples))
            out = np.empty(self.ctx.block)
            line = self.line
            line.pos = kernels.delay(line.data, line.pos, x, samples, stride, self.interp, out)
            return out
        self.line.write(x)
        back = self.delays(delay) + (self.ctx.block - self.ctx.index)
        return self.line.read(back, self.interp)


@register("CombN", "CombL", "CombC")
class Comb(_Delay):
    def calc(self, source: Signal, _max: Signal, delay: Signal, decay: Signal) -> Signal:
        return self.chunked(self.ctx.audio(source), delay, decay, allpass=False)


@register("AllpassN", "AllpassL", "AllpassC")
class Allpass(_Delay):
    def calc(self, source: Signal, _max: Signal, delay: Signal, decay: Signal) -> Signal:
        return self.chunked(self.ctx.audio(source), delay, decay, allpass=True)


@register("Pluck")
class Pluck(_Delay):
    """Karplus-Strong: after a trigger the input fills the line for one delay time, then
    the line recirculates through a one-pole lowpass (``coef``)."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.interp = 4
        self.min_back = 2.0
        self.inputs_left = 0
        self.last_trigger = 0.0
        self.last = 0.0

    def calc(self, source: Signal, trigger: Signal, _max: Signal, delay: Signal,
             decay: Signal, coef: Signal) -> Signal:  # fmt: skip
        ctx = self.ctx
        x = ctx.audio(source)
        trig = ctx.audio(trigger)
        before = np.concatenate(([self.last_trigger], trig[:-1]))
        hits = np.flatnonzero((trig > 0.0) & (before <= 0.0))
        self.last_trigger = float(trig[-1])
        samples = float(np.max(self.delays(delay)))
        samples = max(samples, self.min_back)
        gate = np.zeros(ctx.block)
        if self.inputs_left > 0:
            gate[: self.inputs_left] = 1.0
        for hit in hits:
            gate[hit : hit + int(samples)] = 1.0
            self.inputs_left = max(0, int(hit + samples) - ctx.block)
        if not len(hits):
            self.inputs_left = max(0, self.inputs_left - ctx.block)
        fed = x * gate
        c = min(max(scalar(coef), -0.999), 0.999)
        fb = feedback(samples / ctx.sample_rate, scalar(decay))
        chunk = max(1, int(samples) - 3)
        out = np.empty(ctx.block)
        start = 0
        while start < ctx.block:
            end = min(ctx.block, start + chunk)
            back = np.full(end - start, samples) - np.arange(end - start)
            value = self.line.read(back, 4)
            smooth, _ = lfilter([1.0 - abs(c)], [1.0, -c], value, zi=[c * self.last])
            self.last = float(smooth[-1])
            out[start:end] = smooth
            self.line.write(fed[start:end] + fb * smooth)
            start = end
        return out


_COMBS = (1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617)
_ALLPASSES = (556, 441, 341, 225)
_SPREAD = 23


class _Verb:
    """One channel of Freeverb: eight damped combs in parallel (one 2-D line, all combs at
    once), four allpasses in series."""

    def __init__(self, spread: int, block: int) -> None:
        delays = np.array(_COMBS) + spread
        self.size = int(delays.max()) + block + 8
        self.lines = np.zeros((len(_COMBS), self.size))
        self.pos = 0
        self.back = delays[:, None] - np.arange(block)[None, :]
        self.comb_delays = delays.astype(np.int64)
        self.rows = np.arange(len(_COMBS))[:, None]
        self.stores = np.zeros((len(_COMBS), 1))
        self.allpasses = [Line(n + spread + 8) for n in _ALLPASSES]
        self.allpass_delays = [n + spread for n in _ALLPASSES]

    def run(self, x: np.ndarray, room: float, damp: float) -> np.ndarray:
        block = len(x)
        kernels = jit.K
        if kernels is not None:
            total = np.empty(block)
            stores = self.stores.reshape(-1).copy()
            self.pos = kernels.verb_combs(self.lines, self.pos, stores, self.comb_delays, x,
                                          room, damp, total)  # fmt: skip
            self.stores = stores.reshape(-1, 1)
            for k, line in enumerate(self.allpasses):
                line.pos = kernels.verb_allpass(line.data, line.pos, self.allpass_delays[k],
                                                total)  # fmt: skip
            return total
        feedback_gain = room * 0.28 + 0.7
        damp1 = damp * 0.4
        damp2 = 1.0 - damp1
        columns = (self.pos - self.back[:, :block]) % self.size
        values = self.lines[self.rows, columns]
        stored, self.stores = scipy_lfilter([damp2], [1.0, -damp1], values, axis=1,
                                            zi=self.stores)  # fmt: skip
        written = x[None, :] * 0.015 + stored * feedback_gain
        targets = (self.pos + np.arange(block)) % self.size
        self.lines[:, targets] = written
        self.pos = (self.pos + block) % self.size
        total = values.sum(axis=0)
        steps = np.arange(block, dtype=np.float64)
        for k, line in enumerate(self.allpasses):
            delay = self.allpass_delays[k]
            out = np.empty(block)
            start = 0
            while start < block:
                end = min(block, start + delay)
                value = line.read(delay - steps[: end - start], 1)
                line.write(total[start:end] + value * 0.5)
                out[start:end] = value - total[start:end]
                start = end
            total = out
        return total


@register("FreeVerb")
class FreeVerb(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.verb = _Verb(0, self.ctx.block)

    def calc(self, source: Signal, mix: Signal, room: Signal, damp: Signal) -> Signal:
        x = self.ctx.audio(source)
        m = min(max(scalar(mix), 0.0), 1.0)
        wet = self.verb.run(x, min(max(scalar(room), 0.0), 1.0), min(max(scalar(damp), 0.0), 1.0))
        return x * (1.0 - m) + wet * m


@register("FreeVerb2")
class FreeVerb2(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.left = _Verb(0, self.ctx.block)
        self.right = _Verb(_SPREAD, self.ctx.block)

    def calc(self, source: Signal, right: Signal, mix: Signal, room: Signal,
             damp: Signal) -> tuple[Signal, Signal]:  # fmt: skip
        a, b = self.ctx.audio(source), self.ctx.audio(right)
        m = min(max(scalar(mix), 0.0), 1.0)
        r, d = min(max(scalar(room), 0.0), 1.0), min(max(scalar(damp), 0.0), 1.0)
        both = a + b
        wet_l, wet_r = self.left.run(both, r, d), self.right.run(both, r, d)
        return a * (1.0 - m) + wet_l * m, b * (1.0 - m) + wet_r * m


@register("PitchShift")
class PitchShift(Unit):
    """Four triangle-windowed grains a quarter window apart, as SC's: each window runs in
    time (``window`` seconds) while its grain's delay starts where the ratio needs it,
    ``(ratio - 1) × window`` above one (none below), and slides by ``1 - ratio`` per sample,
    so every grain reads at ``ratio`` speed; at ratio 1 all read the input as it is. Each
    grain restarts ``time_disp`` × a random share later, which decorrelates them as SC's."""

    MAX_RATIO = 4.0

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        window = max(self.const(1, 0.2), 0.003)
        longest = window * self.ctx.sample_rate * self.MAX_RATIO  # ratio reach + scatter
        self.line = Line(int(longest) + self.ctx.block + 16)
        self.phases = np.array([0.0, 0.25, 0.5, 0.75])
        self.extra = np.zeros(4)

    def calc(self, source: Signal, window: Signal, ratio: Signal, _pitch_disp: Signal,
             time_disp: Signal) -> Signal:  # fmt: skip
        ctx = self.ctx
        x = ctx.audio(source)
        self.line.write(x)
        size = max(scalar(window), 0.003) * ctx.sample_rate
        r = min(max(scalar(ratio), 0.0), self.MAX_RATIO)
        start = max(r - 1.0, 0.0) * size + 1.0
        scatter = min(max(scalar(time_disp), 0.0) * ctx.sample_rate, size)
        steps = (ctx.index + 1.0) / size
        out = np.zeros(ctx.block)
        for k in range(4):
            raw = self.phases[k] + steps
            restarts = np.floor(raw).astype(np.int64)
            extra = np.concatenate(([self.extra[k]], ctx.rng.random(int(restarts[-1])) * scatter))
            self.extra[k] = extra[-1]
            phase = raw - restarts
            weight = 1.0 - np.abs(2.0 * phase - 1.0)
            delay = start + extra[restarts] + (1.0 - r) * phase * size
            out += weight * self.line.read(delay + (ctx.block - ctx.index), 2)
        self.phases = (self.phases + ctx.block / size) % 1.0
        return out * 0.5


# Olli Niemitalo's 90-degree phase-difference allpass pairs (sections a^2 - z^-2 / 1 - a^2 z^-2).
_HILBERT_I = (0.6923878, 0.9360654322959, 0.9882295226860, 0.9987488452737)
_HILBERT_Q = (0.4021921162426, 0.8561710882420, 0.9722909545651, 0.9952884791278)


class _Hilbert:
    def __init__(self) -> None:
        self.states = [np.zeros(2) for _ in range(8)]
        self.delayed = 0.0

    def run(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        paths = []
        for p, coefficients in enumerate((_HILBERT_I, _HILBERT_Q)):
            y = x
            for k, a in enumerate(coefficients):
                a2 = a * a
                slot = 4 * p + k
                y, self.states[slot] = lfilter([a2, 0.0, -1.0], [1.0, 0.0, -a2], y,
                                               zi=self.states[slot])  # fmt: skip
            paths.append(y)
        real = np.concatenate(([self.delayed], paths[0][:-1]))
        self.delayed = float(paths[0][-1])
        return real, paths[1]


@register("FreqShift")
class FreqShift(Unit):
    """Single-sideband shift of every partial by ``freq`` Hz."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.hilbert = _Hilbert()
        self.phase = 0.0

    def calc(self, source: Signal, freq: Signal, phase: Signal = 0.0) -> Signal:
        ctx = self.ctx
        real, imag = self.hilbert.run(ctx.audio(source))
        increment = np.asarray(freq, dtype=np.float64) / ctx.sample_rate
        if increment.ndim:
            total = np.cumsum(increment)
            phases = self.phase + total - increment
            self.phase = (self.phase + float(total[-1])) % 1.0
        else:
            phases = self.phase + float(increment) * ctx.index
            self.phase = (self.phase + float(increment) * ctx.block) % 1.0
        angle = 2.0 * math.pi * phases + phase
        return real * np.cos(angle) - imag * np.sin(angle)
