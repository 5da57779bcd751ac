# mypy: disable-error-code="no-any-return"
# (NumPy expressions are typed Any; these units return arrays by construction)
"""Granular and stochastic sources: GrainSin, GrainBuf, Warp1 and Gendy1.

A grain is a Hann-windowed slice (of a sine, or of a buffer read at a rate) started on a
trigger and panned equal-power, as SC's GrainUGens do; each block adds every live grain's part
of the block at once. Gendy1 walks its breakpoints one sample at a time (``loops.gendy``,
compiled when the kernels are loaded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from imbolc.engine.embedded import jit, loops
from imbolc.engine.embedded.buffers import Buffer
from imbolc.engine.embedded.context import Signal, scalar
from imbolc.engine.embedded.units import Setup, Unit, register
from imbolc.engine.embedded.units_buffer import read_frames
from imbolc.engine.embedded.units_env import rising

TWO_PI = 2.0 * math.pi


def _at(value: Signal, index: int) -> float:
    return float(value[index]) if isinstance(value, np.ndarray) else float(value)


def _pan_gains(pan: float, channels: int) -> list[float]:
    """Equal-power gains of ``pan`` (-1..1) over one or two channels."""
    if channels < 2:
        return [1.0]
    angle = (min(max(pan, -1.0), 1.0) * 0.5 + 0.5) * 0.5 * math.pi
    return [math.cos(angle), math.sin(angle)] + [0.0] * (channels - 2)


@dataclass
class Grain:
    """One live grain: where it reads, how fast, how far through its window it is."""

    start: int
    length: int
    elapsed: int
    position: float
    rate: float
    gains: list[float]

    def window(self, count: int) -> np.ndarray:
        t = (self.elapsed + np.arange(count)) / max(self.length, 1)
        return 0.5 - 0.5 * np.cos(TWO_PI * t)


class _Granulator(Unit):
    """Starts grains on trigger edges and mixes every live one into the block."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.grains: list[Grain] = []
        self.last_trigger = 0.0
        self.channels = max(1, setup.outputs)

    def spawn(self, at: int, length: int, position: float, rate: float, pan: float) -> None:
        if length >= 1 and len(self.grains) < self.limit:
            self.grains.append(Grain(at, length, 0, position, rate, _pan_gains(pan, self.channels)))

    limit = 512

    def source(self, grain: Grain, count: int) -> np.ndarray:
        """The grain's next ``count`` raw samples (before the window)."""
        raise NotImplementedError

    def mix(self) -> Signal:
        block = self.ctx.block
        out = np.zeros((self.channels, block))
        alive = []
        for grain in self.grains:
            count = min(block - grain.start, grain.length - grain.elapsed)
            if count > 0:
                samples = self.source(grain, count) * grain.window(count)
                for k, gain in enumerate(grain.gains):
                    if gain:
                        out[k, grain.start : grain.start + count] += gain * samples
                grain.elapsed += count
                grain.position += grain.rate * count
            grain.start = 0
            if grain.elapsed < grain.length:
                alive.append(grain)
        self.grains = alive
        return tuple(out) if self.channels > 1 else out[0]

    def triggers(self, trigger: Signal) -> np.ndarray:
        hits, self.last_trigger = rising(self.ctx.audio(trigger), self.last_trigger)
        return np.flatnonzero(hits)


@register("GrainSin")
class GrainSin(_Granulator):
    def calc(self, trigger: Signal, duration: Signal, freq: Signal, pan: Signal,
             _envelope: Signal = -1.0, overlap: Signal = 512.0) -> Signal:  # fmt: skip
        self.limit = max(1, int(scalar(overlap)))
        rate = self.ctx.sample_rate
        for at in self.triggers(trigger):
            length = round(_at(duration, at) * rate)
            self.spawn(int(at), length, 0.0, _at(freq, at) / rate, _at(pan, at))
        return self.mix()

    def source(self, grain: Grain, count: int) -> np.ndarray:
        return np.sin(TWO_PI * (grain.position + grain.rate * np.arange(count)))


class _BufferGranulator(_Granulator):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.data: np.ndarray | None = None
        self.channel = 0

    def buffer(self, buffer_id: Signal) -> Buffer | None:
        return self.ctx.server.buffers.get(int(scalar(buffer_id)))

    def source(self, grain: Grain, count: int) -> np.ndarray:
        data = self.data
        if data is None or data.shape[0] == 0:
            return np.zeros(count)
        phase = grain.position + grain.rate * np.arange(count)
        return read_frames(data[:, self.channel : self.channel + 1], phase, True, 2)[:, 0]


@register("GrainBuf")
class GrainBuf(_BufferGranulator):
    """Grains of a buffer's first channel from ``position`` (0..1) at ``rate``."""

    def calc(self, trigger: Signal, duration: Signal, buffer_id: Signal, rate: Signal,
             position: Signal, _interp: Signal = 2.0, pan: Signal = 0.0,
             _envelope: Signal = -1.0, overlap: Signal = 512.0) -> Signal:  # fmt: skip
        self.limit = max(1, int(scalar(overlap)))
        found = self.buffer(buffer_id)
        self.data = None if found is None else found.data
        hits = self.triggers(trigger)
        if found is not None and found.frames:
            scale = found.sample_rate / self.ctx.sample_rate
            for at in hits:
                length = round(_at(duration, at) * self.ctx.sample_rate)
                start = (_at(position, at) % 1.0) * found.frames
                self.spawn(int(at), length, start, _at(rate, at) * scale, _at(pan, at))
        return self.mix()


@register("Warp1")
class Warp1(Unit):
    """Time-stretching granulator: Hann grains of ``window`` seconds (varied by up to
    ``rand_ratio``) start at ``pointer`` (0..1 of the buffer) and read at ``freq_scale``; the
    next grain starts ``overlaps`` times sooner than this one lasts, so the jitter also
    spaces them irregularly. As in SC each output channel is its own granulator, with its own
    grain times, reading its own buffer channel."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.voices = [_Warp1Channel(setup, k) for k in range(max(1, setup.outputs))]

    def calc(self, buffer_id: Signal, pointer: Signal, freq_scale: Signal, window: Signal,
             _envelope: Signal = -1.0, overlaps: Signal = 8.0, rand_ratio: Signal = 0.0,
             _interp: Signal = 1.0) -> Signal:  # fmt: skip
        found = self.voices[0].buffer(buffer_id)
        size = max(scalar(window), 0.001) * self.ctx.sample_rate
        overlap = max(scalar(overlaps), 1.0)
        outputs = []
        for voice in self.voices:
            voice.data = None if found is None else found.data
            voice.channel = min(voice.index, found.channels - 1) if found is not None else 0
            if found is not None and found.frames:
                voice.schedule(found, pointer, freq_scale, size, overlap, scalar(rand_ratio))
            outputs.append(voice.mix())
        return tuple(outputs) if len(outputs) > 1 else outputs[0]


class _Warp1Channel(_BufferGranulator):
    def __init__(self, setup: Setup, index: int) -> None:
        super().__init__(setup)
        self.channels = 1
        self.index = index
        self.countdown = -1

    def schedule(self, found: Buffer, pointer: Signal, freq_scale: Signal, size: float,
                 overlap: float, rand_ratio: float) -> None:  # fmt: skip
        """Start this block's grains."""
        ctx = self.ctx
        if self.countdown < 0:  # the first grain at a random point of the first period
            self.countdown = int(ctx.rng.random() * size / overlap)
        at = self.countdown
        scale = found.sample_rate / ctx.sample_rate
        while at < ctx.block:
            length = max(4, round(size * (1.0 + rand_ratio * (ctx.rng.random() * 2.0 - 1.0))))
            start = (_at(pointer, at) % 1.0) * found.frames
            self.spawn(at, length, start, _at(freq_scale, at) * scale, 0.0)
            at += max(1, round(length / overlap))
        self.countdown = at - ctx.block

    def calc(self, *_inputs: Signal) -> Signal:
        return self.mix()


@register("Gendy1")
class Gendy1(Unit):
    """Xenakis' dynamic stochastic synthesis: ``knum`` breakpoints whose amplitudes and
    durations take random walks (mirrored at their bounds) chosen by ``ampdist``/``durdist``."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        points = max(1, int(self.const(8, 12)))
        rng = self.ctx.rng
        self.amps = rng.random(points) * 2.0 - 1.0
        self.durs = rng.random(points)
        # phase, speed, amp, next amp, index
        self.state = np.array([1.0, 100.0 / self.ctx.sample_rate, 0.0, 0.0, 0.0])

    def calc(self, ampdist: Signal, durdist: Signal, adparam: Signal, ddparam: Signal,
             minfreq: Signal, maxfreq: Signal, ampscale: Signal, durscale: Signal,
             _init_cps: Signal = 12.0, knum: Signal = 12.0) -> Signal:  # fmt: skip
        ctx = self.ctx
        out = np.empty(ctx.block)
        uniforms = ctx.rng.random(2 * ctx.block + 2)
        count = int(scalar(knum))
        count = len(self.amps) if count < 1 or count > len(self.amps) else count
        params = np.array([scalar(ampdist), scalar(durdist), scalar(adparam), scalar(ddparam),
                           scalar(minfreq), scalar(maxfreq), scalar(ampscale),
                           scalar(durscale), ctx.sample_dur, float(count)])  # fmt: skip
        kernels = jit.K
        run = kernels.gendy if kernels is not None else loops.gendy
        run(out, self.state, self.amps, self.durs, params, uniforms)
        return out if self.audio else float(out[-1])
