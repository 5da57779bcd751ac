# mypy: disable-error-code="no-any-return, override"
# (each filter's design takes its own inputs; NumPy expressions are typed Any)
"""Filters as IIR coefficient designs run by ``scipy.signal.lfilter`` with kept state.

Coefficients follow SC's formulas (bilinear designs, RBJ for the B* equalizers) and are
recomputed only when a parameter changes; audio-rate parameters are read once per block.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Sequence

import numpy as np

from imbolc.engine.embedded import jit
from imbolc.engine.embedded.context import LOG001, Signal, scalar
from imbolc.engine.embedded.jit import lfilter
from imbolc.engine.embedded.units import Setup, Unit, register

SQRT2 = math.sqrt(2.0)
Coefficients = tuple[Sequence[float], Sequence[float]]


class _Filter(Unit):
    """A linear filter of ``source`` whose coefficients depend on the other inputs."""

    order = 2

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.params: tuple[float, ...] | None = None
        self.coefficients: tuple[np.ndarray, np.ndarray] = (np.ones(1), np.ones(1))
        self.zi = np.zeros(self.order)
        self.sr = self.ctx.sample_rate
        self.primed = False

    @abstractmethod
    def design(self, *params: float) -> Coefficients:
        """The filter's coefficients for these parameter values."""

    def calc(self, source: Signal, *inputs: Signal) -> Signal:
        params = tuple(scalar(p) for p in inputs)
        if params != self.params:
            self.params = params
            b, a = self.design(*params)
            if not all(math.isfinite(v) for v in (*b, *a)):
                b, a = [1.0], [1.0]
            size = max(len(a), len(b)) - 1
            num = np.zeros(size + 1)
            den = np.zeros(size + 1)
            num[: len(b)], den[: len(a)] = b, a
            self.coefficients = (num / den[0], den / den[0])
            if size != len(self.zi):
                self.zi = np.zeros(size)
        if not isinstance(source, np.ndarray):
            source = self.ctx.full(source)
        num, den = self.coefficients
        if len(self.zi) == 0:
            return source * num[0]
        kernels = jit.K
        if kernels is not None and source.dtype == np.float64:
            out = np.empty(len(source))
            if not self.primed:
                self.primed = True
                kernels.iir(num, den, source[:1], self.zi, out[:1])
            kernels.iir(num, den, source, self.zi, out)
            return out
        if not self.primed:
            # SC's constructors run one sample first: an impulse at the start counts twice.
            self.primed = True
            _, self.zi = lfilter(num, den, source[:1], zi=self.zi)
        out, self.zi = lfilter(num, den, source, zi=self.zi)
        if not np.isfinite(self.zi).all():
            self.zi = np.zeros(len(self.zi))
        return out


def _w(freq: float, sr: float) -> float:
    return math.pi * min(max(freq, 0.01), sr * 0.4999) / sr


@register("LPF")
class LPF(_Filter):
    def design(self, freq: float) -> Coefficients:
        c = 1.0 / math.tan(_w(freq, self.sr))
        c2, s = c * c, SQRT2 * c
        a0 = 1.0 / (1.0 + s + c2)
        return [a0, 2 * a0, a0], [1.0, 2.0 * (1.0 - c2) * a0, (1.0 - s + c2) * a0]


@register("HPF")
class HPF(_Filter):
    def design(self, freq: float) -> Coefficients:
        c = math.tan(_w(freq, self.sr))
        c2, s = c * c, SQRT2 * c
        a0 = 1.0 / (1.0 + s + c2)
        return [a0, -2 * a0, a0], [1.0, 2.0 * (c2 - 1.0) * a0, (1.0 - s + c2) * a0]


@register("BPF")
class BPF(_Filter):
    def design(self, freq: float, rq: float) -> Coefficients:
        w = _w(freq, self.sr)
        bw = _w(freq * max(rq, 1e-4), self.sr)
        c = 1.0 / math.tan(bw)
        d = 2.0 * math.cos(2.0 * w)
        a0 = 1.0 / (1.0 + c)
        b1, b2 = c * d * a0, (1.0 - c) * a0
        return [a0, 0.0, -a0], [1.0, -b1, -b2]


@register("BRF")
class BRF(_Filter):
    def design(self, freq: float, rq: float) -> Coefficients:
        w = _w(freq, self.sr)
        c = math.tan(_w(freq * max(rq, 1e-4), self.sr))
        d = 2.0 * math.cos(2.0 * w)
        a0 = 1.0 / (1.0 + c)
        a1 = -d * a0
        b2 = (1.0 - c) * a0
        return [a0, a1, a0], [1.0, a1, b2]


@register("RLPF", "RHPF")
class RLPF(_Filter):
    def design(self, freq: float, rq: float) -> Coefficients:
        pfreq = 2.0 * _w(freq, self.sr)
        d = math.tan(pfreq * max(rq, 0.001) * 0.5)
        c = (1.0 - d) / (1.0 + d)
        b1 = (1.0 + c) * math.cos(pfreq)
        b2 = -c
        if self.setup.name == "RLPF":
            a0 = (1.0 + c - b1) * 0.25
            return [a0, 2 * a0, a0], [1.0, -b1, -b2]
        a0 = (1.0 + c + b1) * 0.25
        return [a0, -2 * a0, a0], [1.0, -b1, -b2]


@register("Resonz")
class Resonz(_Filter):
    def design(self, freq: float, rq: float) -> Coefficients:
        ff = 2.0 * _w(freq, self.sr)
        b = ff * max(rq, 1e-4)
        r = 1.0 - b * 0.5
        two_r, r2 = 2.0 * r, r * r
        cost = (two_r * math.cos(ff)) / (1.0 + r2)
        return [0.5 * (1.0 - r2), 0.0, -0.5 * (1.0 - r2)], [1.0, -two_r * cost, r2]


@register("Ringz")
class Ringz(_Filter):
    def design(self, freq: float, decay: float) -> Coefficients:
        ff = 2.0 * _w(freq, self.sr)
        r = math.exp(LOG001 / (decay * self.sr)) if decay > 0 else 0.0
        two_r, r2 = 2.0 * r, r * r
        cost = (two_r * math.cos(ff)) / (1.0 + r2)
        return [0.5, 0.0, -0.5], [1.0, -two_r * cost, r2]


@register("FOS")
class FOS(_Filter):
    order = 1

    def design(self, a0: float, a1: float, b1: float) -> Coefficients:
        return [a0, a1], [1.0, -b1]


@register("SOS")
class SOS(_Filter):
    def design(self, a0: float, a1: float, a2: float, b1: float, b2: float) -> Coefficients:
        return [a0, a1, a2], [1.0, -b1, -b2]


@register("OnePole")
class OnePole(_Filter):
    order = 1

    def design(self, coef: float) -> Coefficients:
        return [1.0 - abs(coef)], [1.0, -coef]


@register("OneZero")
class OneZero(_Filter):
    order = 1

    def design(self, coef: float) -> Coefficients:
        return [1.0 - abs(coef), coef], [1.0]


@register("LeakDC")
class LeakDC(_Filter):
    order = 1

    def design(self, coef: float = 0.995) -> Coefficients:
        return [1.0, -1.0], [1.0, -coef]


class _Rbj(_Filter):
    def shelf(self, freq: float, rs: float, db: float, high: bool) -> Coefficients:
        a = 10.0 ** (db / 40.0)
        w0 = 2.0 * _w(freq, self.sr)
        cos_w, sin_w = math.cos(w0), math.sin(w0)
        alpha = sin_w / 2.0 * math.sqrt(max((a + 1.0 / a) * (rs - 1.0) + 2.0, 0.0))
        k = 2.0 * math.sqrt(a) * alpha
        sign = -1.0 if high else 1.0
        b0 = a * ((a + 1) - sign * (a - 1) * cos_w + k)
        b1 = sign * 2 * a * ((a - 1) - sign * (a + 1) * cos_w)
        b2 = a * ((a + 1) - sign * (a - 1) * cos_w - k)
        a0 = (a + 1) + sign * (a - 1) * cos_w + k
        a1 = -sign * 2 * ((a - 1) + sign * (a + 1) * cos_w)
        a2 = (a + 1) + sign * (a - 1) * cos_w - k
        return [b0 / a0, b1 / a0, b2 / a0], [1.0, a1 / a0, a2 / a0]


@register("BLowShelf")
class BLowShelf(_Rbj):
    def design(self, freq: float, rs: float, db: float) -> Coefficients:
        return self.shelf(freq, rs, db, high=False)


@register("BHiShelf")
class BHiShelf(_Rbj):
    def design(self, freq: float, rs: float, db: float) -> Coefficients:
        return self.shelf(freq, rs, db, high=True)


@register("BPeakEQ")
class BPeakEQ(_Rbj):
    def design(self, freq: float, rq: float, db: float) -> Coefficients:
        a = 10.0 ** (db / 40.0)
        w0 = 2.0 * _w(freq, self.sr)
        alpha = math.sin(w0) * 0.5 * max(rq, 1e-4)
        c = -2.0 * math.cos(w0)
        a0 = 1.0 + alpha / a
        return ([(1.0 + alpha * a) / a0, c / a0, (1.0 - alpha * a) / a0],
                [1.0, c / a0, (1.0 - alpha / a) / a0])  # fmt: skip


@register("BLowPass", "BHiPass", "BBandPass", "BBandStop", "BAllPass")
class BBiquad(_Filter):
    def design(self, freq: float, rq: float) -> Coefficients:
        w0 = 2.0 * _w(freq, self.sr)
        cos_w, alpha = math.cos(w0), math.sin(w0) * 0.5 * max(rq, 1e-4)
        a = [1.0 + alpha, -2.0 * cos_w, 1.0 - alpha]
        name = self.setup.name
        if name == "BLowPass":
            b = [(1 - cos_w) / 2, 1 - cos_w, (1 - cos_w) / 2]
        elif name == "BHiPass":
            b = [(1 + cos_w) / 2, -(1 + cos_w), (1 + cos_w) / 2]
        elif name == "BBandPass":
            b = [alpha, 0.0, -alpha]
        elif name == "BBandStop":
            b = [1.0, -2.0 * cos_w, 1.0]
        else:
            b = [1.0 - alpha, -2.0 * cos_w, 1.0 + alpha]
        return [v / a[0] for v in b], [1.0, a[1] / a[0], a[2] / a[0]]


@register("MoogFF")
class MoogFF(_Filter):
    """Fontana's linear digital Moog ladder: four bilinear one-poles in a feedback loop,
    solved exactly as one fourth-order filter."""

    order = 4

    def design(self, freq: float, gain: float, _reset: float = 0.0) -> Coefficients:
        twc = 2.0 * math.tan(_w(freq, self.sr))
        b0 = twc / (twc + 2.0)
        a1 = (twc - 2.0) / (twc + 2.0)
        k = min(max(gain, 0.0), 4.0)
        g4 = b0**4
        binom = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
        powers = np.array([a1**n for n in range(5)])
        numerator = g4 * binom
        denominator = binom * powers + k * g4 * binom
        return list(numerator / denominator[0]), list(denominator / denominator[0])


@register("Median")
class Median(Unit):
    """Running median over ``length`` samples."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.history = np.zeros(max(1, int(self.const(0, 3))) - 1)

    def calc(self, _length: Signal, source: Signal) -> Signal:
        x = self.ctx.audio(source)
        size = len(self.history) + 1
        whole = np.concatenate((self.history, x))
        windows = np.lib.stride_tricks.sliding_window_view(whole, size)
        self.history = whole[len(whole) - size + 1 :] if size > 1 else self.history
        return np.median(windows, axis=1)
