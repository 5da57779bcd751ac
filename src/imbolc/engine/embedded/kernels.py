# mypy: ignore-errors
# (numba's decorators are untyped; these are numeric kernels checked by tests against NumPy)
"""Compiled per-sample loops of the embedded engine's feedback and phase UGens.

Each kernel is compiled by numba for one explicit signature (so loading never compiles on the
audio thread), cached on disk and releases the GIL. Every kernel computes exactly what the
NumPy path of its unit computes; ``jit`` loads this module in the background and the units
use a kernel only once it is loaded.
"""

from __future__ import annotations

import math
import types

import numpy as np
from numba import njit

from imbolc.engine.embedded import loops

DENORMAL = 1e-30
"""States decaying below this are zeroed at the end of a block, as SC's filters do: slow
subnormal arithmetic would otherwise cost a silent filter 10-20× its normal time."""

_OPTIONS = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


@njit("f8(f8, f8)", inline="always", **_OPTIONS)
def _blep(t, dt):
    dt = max(abs(dt), 1e-9)
    out = 0.0
    if t < dt:
        x = t / dt
        out = x + x - x * x - 1.0
    if t > 1.0 - dt:
        x = (t - 1.0) / dt
        out = x * x + x + x + 1.0
    return out


@njit("f8(f8[:], f8, f8[:], i8)", **_OPTIONS)
def saw(out, phase, increments, stride):
    """PolyBLEP saw from ``phase``; ``increments`` per sample (``stride`` 1) or one value
    (``stride`` 0). Returns the phase after the block (not wrapped)."""
    total = 0.0
    for i in range(out.shape[0]):
        inc = increments[i * stride]
        if stride:
            total += inc
            p = phase + total - inc
        else:
            p = phase + inc * i
        t = p % 1.0
        out[i] = t - 0.5 - 0.5 * _blep(t, inc)
    n = out.shape[0]
    return phase + total if stride else phase + increments[0] * n


@njit("f8(f8[:], f8, f8[:], i8, f8[:], i8)", **_OPTIONS)
def pulse(out, phase, increments, stride, widths, width_stride):
    """PolyBLEP pulse (swing 1, no DC); like ``saw`` with a per-sample or single width."""
    total = 0.0
    for i in range(out.shape[0]):
        inc = increments[i * stride]
        if stride:
            total += inc
            p = phase + total - inc
        else:
            p = phase + inc * i
        t = p % 1.0
        w = min(max(widths[i * width_stride], 0.001), 0.999)
        high = (1.0 if t < w else 0.0) - w
        out[i] = high + 0.5 * (_blep(t, inc) - _blep((t + 1.0 - w) % 1.0, inc))
    n = out.shape[0]
    return phase + total if stride else phase + increments[0] * n


@njit("void(f8[:], f8[:], f8[:], f8[:], f8[:])", **_OPTIONS)
def iir(b, a, x, zi, out):
    """Direct form II transposed, as ``scipy.signal.lfilter`` runs it (``a[0]`` is 1);
    ``zi`` holds the state and is updated in place (subnormal or non-finite states zeroed,
    so one bad block cannot poison the filter)."""
    order = zi.shape[0]
    for n in range(x.shape[0]):
        xn = x[n]
        y = b[0] * xn + (zi[0] if order > 0 else 0.0)
        for k in range(order - 1):
            zi[k] = b[k + 1] * xn + zi[k + 1] - a[k + 1] * y
        if order > 0:
            zi[order - 1] = b[order] * xn - a[order] * y
        out[n] = y
    for k in range(order):
        if abs(zi[k]) < DENORMAL or not math.isfinite(zi[k]):
            zi[k] = 0.0


@njit("f8(f8[:], f8, i8, i8)", inline="always", **_OPTIONS)
def _tap(data, where, size, interp):
    base = math.floor(where)
    frac = where - base
    i = np.int64(base)
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


@njit("i8(f8[:], i8, f8[:], f8[:], i8, i8, f8[:])", **_OPTIONS)
def delay(data, pos, x, samples, stride, interp, out):
    """Write the block into the line, then read each sample ``samples`` back (fractional).
    Returns the new write position."""
    size = data.shape[0]
    n = x.shape[0]
    for i in range(n):
        data[(pos + i) % size] = x[i]
    for i in range(n):
        out[i] = _tap(data, float(pos + i) - samples[i * stride], size, interp)
    return (pos + n) % size


@njit("i8(f8[:], i8, f8[:], f8[:], i8, f8, i8, b1, f8[:])", **_OPTIONS)
def comb(data, pos, x, samples, stride, fb, interp, allpass, out):
    """Feedback comb (``out`` = the line) or allpass, one sample at a time."""
    size = data.shape[0]
    n = x.shape[0]
    for i in range(n):
        value = _tap(data, float(pos + i) - samples[i * stride], size, interp)
        written = x[i] + fb * value
        data[(pos + i) % size] = written
        out[i] = value - fb * written if allpass else value
    return (pos + n) % size


@njit("f8(f8, f8, f8, i8, f8)", inline="always", **_OPTIONS)
def _shape(a, b, pos, shape, curve):
    if shape == 0:
        return b
    if shape == 1 or (shape == 5 and abs(curve) < 0.001):
        return a + (b - a) * pos
    if shape == 5:
        return a + (b - a) * (1.0 - math.exp(curve * pos)) / (1.0 - math.exp(curve))
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
    if shape == 6:
        sa, sb = math.sqrt(max(a, 0.0)), math.sqrt(max(b, 0.0))
        return (sa + (sb - sa) * pos) ** 2
    if shape == 7:
        ca = math.copysign(abs(a) ** (1.0 / 3.0), a)
        cb = math.copysign(abs(b) ** (1.0 / 3.0), b)
        return (ca + (cb - ca) * pos) ** 3
    return a if pos < 1.0 else b


@njit("void(f8[:], f8[:, :], f8, f8, f8[:])", **_OPTIONS)
def envelope(out, pieces, sample_dur, begin, level):
    """EnvGen's level at each sample end of a block from the segments it crossed
    (rows of start, used, from, to, shape, curve, elapsed before, duration)."""
    n = out.shape[0]
    for i in range(n):
        out[i] = level[0]
    for r in range(pieces.shape[0]):
        start, used, a, b = pieces[r, 0], pieces[r, 1], pieces[r, 2], pieces[r, 3]
        shape, curve = int(pieces[r, 4]), pieces[r, 5]
        elapsed, duration = pieces[r, 6], max(pieces[r, 7], 1e-12)
        for i in range(n):
            t = (i + 1.0) * sample_dur
            if not (t > start - 1e-12 and t <= start + used + 1e-12):
                continue
            pos = min(max((elapsed + t - start) / duration, 0.0), 1.0)
            out[i] = _shape(a, b, pos, shape, curve)
    first = pieces[0, 0]
    for i in range(n):
        if (i + 1.0) * sample_dur <= first:
            out[i] = begin


@njit("i8(f8[:, :], i8, f8[:], i8[:], f8[:], f8, f8, f8[:])", **_OPTIONS)
def verb_combs(lines, pos, stores, delays, x, room, damp, total):
    """Freeverb's eight damped combs in parallel; ``total`` gets their summed output."""
    size = lines.shape[1]
    gain = room * 0.28 + 0.7
    damp1 = damp * 0.4
    damp2 = 1.0 - damp1
    n = x.shape[0]
    for i in range(n):
        total[i] = 0.0
    for c in range(lines.shape[0]):
        z = stores[c]
        for i in range(n):
            value = lines[c, (pos + i - delays[c]) % size]
            stored = damp2 * value + z
            z = damp1 * stored
            lines[c, (pos + i) % size] = x[i] * 0.015 + stored * gain
            total[i] += value
        stores[c] = z
    return (pos + n) % size


@njit("i8(f8[:], i8, i8, f8[:])", **_OPTIONS)
def verb_allpass(data, pos, delay_samples, signal):
    """One Freeverb allpass (fixed feedback 0.5), in place on ``signal``."""
    size = data.shape[0]
    for i in range(signal.shape[0]):
        value = data[(pos + i - delay_samples) % size]
        data[(pos + i) % size] = signal[i] + value * 0.5
        signal[i] = value - signal[i]
    return (pos + signal.shape[0]) % size


def _compiled(function, signature, **names):
    """``function`` from ``loops`` compiled, with the loops it calls replaced by their
    compiled versions ``names``."""
    scope = {**vars(loops), **names}
    rebuilt = types.FunctionType(function.__code__, scope, function.__name__)
    rebuilt.__qualname__ = function.__qualname__
    rebuilt.__module__ = function.__module__
    return njit(signature, **_OPTIONS)(rebuilt)


_distribution = _compiled(loops.gendy_distribution, "f8(f8, f8, f8)")
_mirror = _compiled(loops.mirror, "f8(f8, f8, f8)")
gendy = _compiled(
    loops.gendy,
    "void(f8[:], f8[:], f8[:], f8[:], f8[:], f8[:])",
    gendy_distribution=_distribution,
    mirror=_mirror,
)
