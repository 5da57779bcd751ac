# mypy: disable-error-code="no-any-return"
# (NumPy expressions are typed Any; these units return arrays and floats by construction)
"""Spectral units: the FFT chain (FFT, PV_MagFreeze, PV_MagSmear, IFFT), partitioned
convolution (PartConv) and pitch tracking (Pitch).

A chain is, as in SC, a buffer number that is -1 in blocks with no new frame; the frames
themselves (their end sample in the block and their spectrum) travel in the synth's local
state under that number, so the PV units change them in place and IFFT overlap-adds them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from imbolc.engine.embedded.context import Signal, scalar
from imbolc.engine.embedded.units import Setup, Unit, register

Frame = tuple[int, np.ndarray]
"""(index in this block of the frame's last input sample, its spectrum)."""


def sine_window(size: int) -> np.ndarray:
    """SC's sine window: two of them at half overlap sum (squared) to one."""
    return np.sin(np.pi * (np.arange(size) + 0.5) / size)


def _frames(unit: Unit, chain: Signal) -> list[Frame]:
    number = scalar(chain)
    if number < 0:
        return []
    found: list[Frame] = unit.synth.local.get("frames", {}).get(number, [])
    return found


@register("FFT")
class FFT(Unit):
    """Windowed spectra of the input every ``hop`` × size samples."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        size = int(self.const(5, 0.0))
        if size <= 0:
            buffer_id = self.const(0, -1.0)
            found = self.ctx.server.buffers.get(int(buffer_id))
            size = found.frames if found is not None else 2048
        self.size = max(16, size)
        self.hop = max(1, round(self.size * min(max(self.const(2, 0.5), 0.0625), 1.0)))
        self.window = sine_window(self.size)
        self.history = np.zeros(self.size)
        self.until = self.hop

    def calc(self, buffer_id: Signal, source: Signal, *_options: Signal) -> float:
        x = self.ctx.audio(source)
        block = len(x)
        whole = np.concatenate((self.history, x))
        frames: list[Frame] = []
        end = self.until
        while end <= block:
            stop = self.size + end
            frames.append((end - 1, np.fft.rfft(whole[stop - self.size : stop] * self.window)))
            end += self.hop
        self.until = end - block
        self.history = whole[-self.size :]
        number = scalar(buffer_id)
        self.synth.local.setdefault("frames", {})[number] = frames
        return number if frames else -1.0


@register("PV_MagFreeze")
class PVMagFreeze(Unit):
    """While ``freeze`` > 0 every frame keeps the magnitudes of the last unfrozen one."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.held: np.ndarray | None = None

    def calc(self, chain: Signal, freeze: Signal) -> float:
        frames = _frames(self, chain)
        for k, (end, spectrum) in enumerate(frames):
            if scalar(freeze) > 0.0 and self.held is not None:
                frames[k] = (end, self.held * np.exp(1j * np.angle(spectrum)))
            else:
                self.held = np.abs(spectrum)
        return scalar(chain)


@register("PV_MagSmear")
class PVMagSmear(Unit):
    """Each bin's magnitude becomes the mean of the ``bins`` bins either side of it."""

    def calc(self, chain: Signal, bins: Signal) -> float:
        width = max(0, int(scalar(bins)))
        frames = _frames(self, chain)
        if width == 0:
            return scalar(chain)
        kernel = np.ones(2 * width + 1) / (2 * width + 1)
        for k, (end, spectrum) in enumerate(frames):
            magnitude = np.convolve(np.abs(spectrum), kernel, mode="same")
            frames[k] = (end, magnitude * np.exp(1j * np.angle(spectrum)))
        return scalar(chain)


@register("IFFT")
class IFFT(Unit):
    """Overlap-adds each frame's windowed inverse transform, starting after its last input
    sample (a latency of one frame, as in SC)."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.pending = np.zeros(0)

    def calc(self, chain: Signal, *_options: Signal) -> Signal:
        block = self.ctx.block
        frames = _frames(self, chain)
        for end, spectrum in frames:
            size = 2 * (len(spectrum) - 1)
            grain = np.fft.irfft(spectrum, size) * sine_window(size)
            need = end + 1 + size
            if len(self.pending) < need:
                self.pending = np.concatenate((self.pending, np.zeros(need - len(self.pending))))
            self.pending[end + 1 : need] += grain
        if len(self.pending) < block:
            self.pending = np.concatenate((self.pending, np.zeros(block - len(self.pending))))
        out = self.pending[:block].copy()
        self.pending = self.pending[block:]
        return out


@register("PartConv")
class PartConv(Unit):
    """Uniformly partitioned overlap-save convolution with the impulse response that
    ``/b_gen ... PreparePartConv`` attached to the spectrum buffer; partitions of half the
    FFT size, so the output lags by that much, as SC's does. Silent without a prepared IR."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.part = max(8, int(self.const(1, 2048.0)) // 2)
        self.ir_id: float | None = None
        self.ir_source: Any = None
        self.spectra: np.ndarray | None = None
        self.history: np.ndarray = np.zeros((0, self.part + 1), dtype=complex)
        self.previous = np.zeros(self.part)
        self.incoming = np.zeros(0)
        self.outgoing = np.zeros(self.part)

    def _prepare(self, ir_id: float) -> None:
        self.ir_id = ir_id
        found = self.ctx.server.buffers.get(int(ir_id))
        ir: Any = getattr(found, "partconv_ir", None) if found is not None else None
        self.ir_source = ir
        if ir is None or len(ir) == 0:
            self.spectra = None
            return
        count = -(-len(ir) // self.part)
        padded = np.zeros(count * self.part)
        padded[: len(ir)] = ir
        parts = padded.reshape(count, self.part)
        self.spectra = np.fft.rfft(parts, 2 * self.part, axis=1)
        self.history = np.zeros_like(self.spectra)

    def calc(self, source: Signal, _fft_size: Signal, ir_buffer: Signal) -> Signal:
        x = self.ctx.audio(source)
        found = self.ctx.server.buffers.get(int(scalar(ir_buffer)))
        current = getattr(found, "partconv_ir", None) if found is not None else None
        # A spectrum refilled in place (a new IR for a running stage) is picked up, as on
        # scsynth.
        if self.ir_id != scalar(ir_buffer) or current is not self.ir_source:
            self._prepare(scalar(ir_buffer))
        if self.spectra is None:
            return np.zeros(len(x))
        self.incoming = np.concatenate((self.incoming, x))
        produced = [self.outgoing]
        while len(self.incoming) >= self.part:
            chunk, self.incoming = self.incoming[: self.part], self.incoming[self.part :]
            spectrum = np.fft.rfft(np.concatenate((self.previous, chunk)))
            self.previous = chunk
            self.history = np.roll(self.history, 1, axis=0)
            self.history[0] = spectrum
            total = np.einsum("ij,ij->j", self.history, self.spectra)
            produced.append(np.fft.irfft(total, 2 * self.part)[self.part :])
        stream = np.concatenate(produced)
        out, self.outgoing = stream[: len(x)], stream[len(x) :]
        return out


@register("Pitch")
class Pitch(Unit):
    """Fundamental frequency and whether there is one: the normalized square difference
    function of the last two longest periods, its first peak within 50 % of the highest
    (McLeod's method), refined by a parabola; below the amplitude threshold the last pitch
    is held and ``has_freq`` is 0."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        rate = self.ctx.sample_rate
        low = max(self.const(2, 60.0), 10.0)
        self.size = max(512, 2 * math.ceil(rate / low))
        self.history = np.zeros(self.size)
        self.freq = self.const(1, 440.0)
        self.found = 0.0

    def calc(self, source: Signal, _init: Signal, low: Signal, high: Signal,
             *options: Signal) -> tuple[float, float]:  # fmt: skip
        x = self.ctx.audio(source)
        self.history = np.concatenate((self.history, x))[-self.size :]
        threshold = scalar(options[3]) if len(options) > 3 else 0.01
        peak_share = scalar(options[4]) if len(options) > 4 else 0.5
        if float(np.max(np.abs(self.history))) < threshold:
            self.found = 0.0
            return self.freq, self.found
        rate = self.ctx.sample_rate
        shortest = max(2, int(rate / max(scalar(high), 1.0)))
        longest = min(self.size // 2, math.ceil(rate / max(scalar(low), 1.0)))
        period, clarity = _nsdf_period(self.history, shortest, longest, peak_share)
        if period > 0.0 and clarity >= peak_share:
            self.freq, self.found = rate / period, 1.0
        else:
            self.found = 0.0
        return self.freq, self.found


def _nsdf_period(x: np.ndarray, shortest: int, longest: int, share: float) -> tuple[float, float]:
    """(period in samples, its NSDF value) of ``x``; (0, 0) when no peak qualifies."""
    n = len(x)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(x, size)
    r = np.fft.irfft(spectrum * np.conj(spectrum), size)[: longest + 2]
    squares = np.cumsum(x * x)
    total = squares[-1]
    lags = np.arange(longest + 2)
    head = np.concatenate(([0.0], squares))[n - lags]
    tail = total - np.concatenate(([0.0], squares))[lags]
    m = head + tail
    nsdf = np.where(m > 0, 2.0 * r / np.maximum(m, 1e-30), 0.0)
    window = nsdf[shortest : longest + 1]
    if len(window) < 3:
        return 0.0, 0.0
    best = float(window.max())
    if best <= 0.0:
        return 0.0, 0.0
    for k in range(1, len(window) - 1):
        value = window[k]
        if value >= share * best and value >= window[k - 1] and value >= window[k + 1]:
            left, right = window[k - 1], window[k + 1]
            bend = left - 2.0 * value + right
            offset = 0.5 * (left - right) / bend if bend != 0.0 else 0.0
            return shortest + k + offset, float(value)
    return 0.0, 0.0
