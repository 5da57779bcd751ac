# mypy: disable-error-code="no-any-return"
# (NumPy expressions are typed Any; these helpers return arrays and floats by construction)
"""Buffer units: reading, writing and querying server buffers, local buffers, and the
wavetable oscillator."""

from __future__ import annotations

import numpy as np

from imbolc.engine.embedded.buffers import Buffer
from imbolc.engine.embedded.context import Signal, scalar
from imbolc.engine.embedded.units import Setup, Unit, register


class _BufferUnit(Unit):
    def buffer(self, buffer_id: Signal) -> Buffer | None:
        return self.ctx.server.buffers.get(int(scalar(buffer_id)))


@register("LocalBuf")
class LocalBuf(_BufferUnit):
    """A buffer owned by the synth, allocated when it starts."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        channels = max(1, int(self.const(0, 1)))
        frames = max(1, int(self.const(1, 1)))
        self.id = float(self.ctx.server.local_buffer(self.synth, channels, frames))

    def calc(self, *_inputs: Signal) -> float:
        return self.id


@register("ClearBuf")
class ClearBuf(_BufferUnit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.cleared = False

    def calc(self, buffer_id: Signal) -> float:
        if not self.cleared:
            found = self.buffer(buffer_id)
            if found is not None:
                found.data[:] = 0.0
            self.cleared = True
        return scalar(buffer_id)


@register("BufFrames", "BufSampleRate", "BufRateScale", "BufDur", "BufChannels", "BufSamples")
class BufInfo(_BufferUnit):
    def calc(self, buffer_id: Signal) -> Signal:
        found = self.buffer(buffer_id)
        if found is None:
            value = 0.0
        else:
            value = {
                "BufFrames": float(found.frames),
                "BufSampleRate": found.sample_rate,
                "BufRateScale": found.sample_rate / self.ctx.sample_rate,
                "BufDur": found.frames / found.sample_rate,
                "BufChannels": float(found.channels),
                "BufSamples": float(found.frames * found.channels),
            }[self.setup.name]
        return self.ctx.full(value) if self.audio else value


def _positions(phase: np.ndarray, frames: int, loop: bool) -> np.ndarray:
    if loop:
        return np.mod(phase, frames)
    return np.clip(phase, 0.0, frames - 1)


def read_frames(data: np.ndarray, phase: np.ndarray, loop: bool, interp: int) -> np.ndarray:
    """Rows of ``data`` (frames, channels) at fractional frame positions ``phase``."""
    frames = data.shape[0]
    if frames == 0:
        return np.zeros((len(phase), data.shape[1]))
    where = _positions(phase, frames, loop)
    base = np.floor(where)
    i = base.astype(np.int64) % frames
    if interp <= 1:
        return data[i]
    following = (i + 1) % frames if loop else np.minimum(i + 1, frames - 1)
    frac = (where - base)[:, None]
    return data[i] + (data[following] - data[i]) * frac


@register("BufRd")
class BufRd(_BufferUnit):
    def calc(self, buffer_id: Signal, phase: Signal, loop: Signal = 1.0,
             interpolation: Signal = 2.0) -> Signal:  # fmt: skip
        found = self.buffer(buffer_id)
        channels = self.setup.outputs
        if found is None:
            silent = [self.ctx.full(0.0) for _ in range(channels)]
            return silent[0] if channels == 1 else tuple(silent)
        rows = read_frames(found.data, np.asarray(self.ctx.audio(phase)),
                           scalar(loop) > 0, int(scalar(interpolation)))  # fmt: skip
        chans = [rows[:, min(k, rows.shape[1] - 1)] for k in range(channels)]
        return chans[0] if channels == 1 else tuple(chans)


@register("PlayBuf")
class PlayBuf(_BufferUnit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.position: float | None = None
        self.last_trigger = 0.0

    def calc(self, buffer_id: Signal, rate: Signal, trigger: Signal, start: Signal,
             loop: Signal, done_action: Signal) -> Signal:  # fmt: skip
        found = self.buffer(buffer_id)
        channels = self.setup.outputs
        if found is None:
            silent = [self.ctx.full(0.0) for _ in range(channels)]
            return silent[0] if channels == 1 else tuple(silent)
        if self.position is None or (scalar(trigger) > 0 and self.last_trigger <= 0):
            self.position = scalar(start)
        self.last_trigger = scalar(trigger)
        steps = np.broadcast_to(np.asarray(rate, dtype=np.float64), (self.ctx.block,))
        phase = self.position + np.cumsum(steps) - steps
        self.position = float(phase[-1] + steps[-1])
        looping = scalar(loop) > 0
        ended = not looping and (self.position >= found.frames or self.position < 0)
        if ended and int(scalar(done_action)) > 0:
            self.synth.done(int(scalar(done_action)))
        rows = read_frames(found.data, phase, looping, 2)
        if not looping:
            rows[(phase >= found.frames) | (phase < 0)] = 0.0
        chans = [rows[:, min(k, rows.shape[1] - 1)] for k in range(channels)]
        return chans[0] if channels == 1 else tuple(chans)


@register("BufWr")
class BufWr(_BufferUnit):
    def calc(self, buffer_id: Signal, phase: Signal, loop: Signal, *sources: Signal) -> Signal:
        found = self.buffer(buffer_id)
        if found is None or found.frames == 0:
            return self.ctx.full(0.0)
        where = _positions(np.asarray(self.ctx.audio(phase)), found.frames, scalar(loop) > 0)
        index = where.astype(np.int64) % found.frames
        for k, source in enumerate(sources[: found.channels]):
            found.data[index, k] = self.ctx.audio(source)
        return self.ctx.full(0.0)


@register("VOsc")
class VOsc(_BufferUnit):
    """Morphs between consecutive single-cycle tables (``/b_gen sine1``) by a fractional
    buffer number."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.phase = 0.0

    def table(self, number: int) -> np.ndarray | None:
        found = self.ctx.server.buffers.get(number)
        if found is None or found.frames == 0:
            return None
        size = getattr(found, "wavetable_frames", found.frames)
        return found.data[:size, 0]

    def calc(self, buffer_id: Signal, freq: Signal, phase: Signal = 0.0) -> Signal:
        ctx = self.ctx
        position = scalar(buffer_id)
        low = int(np.floor(position))
        mix = position - low
        steps = np.broadcast_to(np.asarray(freq, dtype=np.float64) / ctx.sample_rate,
                                (ctx.block,))  # fmt: skip
        cycle = (self.phase + np.cumsum(steps) - steps + scalar(phase) / (2 * np.pi)) % 1.0
        self.phase = float((self.phase + steps.sum()) % 1.0)
        out = np.zeros(ctx.block)
        for number, weight in ((low, 1.0 - mix), (low + 1, mix)):
            table = self.table(number)
            if table is None or weight == 0.0:
                continue
            where = cycle * len(table)
            i = where.astype(np.int64) % len(table)
            j = (i + 1) % len(table)
            frac = where - np.floor(where)
            out += weight * (table[i] + (table[j] - table[i]) * frac)
        return out
