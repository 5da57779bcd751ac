# mypy: ignore-errors
# (numeric loops written for numba as much as for Python; tested against each other)
"""Per-sample loops written once in plain Python: the NumPy path runs them as they are and
``kernels`` compiles the same functions with numba."""

from __future__ import annotations

import math


def gendy_distribution(which, a, f):
    """SC's Gendy1 random-walk step for uniform ``f`` (distribution ``which``, shape ``a``)."""
    a = min(max(a, 0.0001), 1.0)
    kind = int(which)
    if kind == 1:  # Cauchy
        c = math.atan(10.0 * a)
        return (1.0 / a) * math.tan(c * (2.0 * f - 1.0)) * 0.1
    if kind == 2:  # logistic
        c = 0.5 + 0.499 * a
        c = math.log((1.0 - c) / c)
        f = (f - 0.5) * 0.998 * a + 0.5
        return math.log((1.0 - f) / f) / c
    if kind == 3:  # hyperbolic cosine
        c = math.tan(1.5692255 * a)
        temp = math.tan(1.5692255 * a * f) / c
        temp = math.log(temp * 0.999 + 0.001) * -0.1447648
        return 2.0 * temp - 1.0
    if kind == 4:  # arcsine
        c = math.sin(1.5707963 * a)
        return math.sin(math.pi * (f - 0.5) * a) / c
    if kind == 5:  # exponential
        c = math.log(1.0 - 0.999 * a)
        temp = math.log(1.0 - f * 0.999 * a) / c
        return 2.0 * temp - 1.0
    if kind == 6:  # "sinus": the parameter itself
        return 2.0 * a - 1.0
    return 2.0 * f - 1.0


def mirror(lo, hi, x):
    """``x`` reflected back into [lo, hi]."""
    if x > hi or x < lo:
        span = hi - lo
        if span <= 0.0:
            return lo
        x = lo + abs(x - lo) % (2.0 * span)
        if x > hi:
            x = 2.0 * hi - x
    return x


def gendy(out, state, amps, durs, params, uniforms):
    """Gendy1 over one block. ``state`` = phase, speed, amp, next amp, index; ``params`` =
    ampdist, durdist, adparam, ddparam, minfreq, maxfreq, ampscale, durscale, sample
    duration, breakpoints; ``uniforms`` supplies two random draws per breakpoint passed."""
    phase, speed, amp, next_amp, index = state[0], state[1], state[2], state[3], int(state[4])
    ampdist, durdist, adparam, ddparam = params[0], params[1], params[2], params[3]
    minfreq, maxfreq, ampscale, durscale = params[4], params[5], params[6], params[7]
    sample_dur, count = params[8], int(params[9])
    draw = 0
    for i in range(out.shape[0]):
        if phase >= 1.0 and draw + 2 <= uniforms.shape[0]:
            phase -= 1.0
            index = (index + 1) % count
            amp = next_amp
            step = gendy_distribution(ampdist, adparam, uniforms[draw])
            next_amp = mirror(-1.0, 1.0, amps[index] + ampscale * step)
            amps[index] = next_amp
            step = gendy_distribution(durdist, ddparam, uniforms[draw + 1])
            rate = mirror(0.0, 1.0, durs[index] + durscale * step)
            durs[index] = rate
            draw += 2
            speed = (minfreq + (maxfreq - minfreq) * rate) * sample_dur * count
        out[i] = (1.0 - phase) * amp + phase * next_amp
        phase += speed
    state[0], state[1], state[2], state[3], state[4] = phase, speed, amp, next_amp, index
