"""Bus, buffer and reply units: In/Out (audio and control), LocalIn/Out, DiskOut, replies,
safety checks and rate converters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from imbolc.engine.embedded.context import RUNAWAY_RMS, Signal, scalar
from imbolc.engine.embedded.units import Setup, Unit, register


def _bus(value: Signal) -> int:
    return int(scalar(value))


@register("In")
class In(Unit):
    """Reads audio buses (zeros where nothing wrote this block) or control buses."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.server = self.ctx.server
        self.count = setup.outputs

    def calc(self, bus: Signal) -> Any:
        first = _bus(bus)
        server = self.server
        if not self.audio:
            values = server.control_buses
            out = [values[first + k] if 0 <= first + k < len(values) else 0.0
                   for k in range(self.count)]  # fmt: skip
            return out[0] if self.count == 1 else tuple(out)
        stamp, touched, buses = server.blocks, server.touched, server.audio_buses
        chans = []
        for k in range(self.count):
            index = first + k
            if 0 <= index < len(touched) and touched[index] == stamp:
                chans.append(buses[index].copy())
            else:
                chans.append(np.zeros(self.ctx.block))
        return chans[0] if self.count == 1 else tuple(chans)


@register("InFeedback")
class InFeedback(Unit):
    """Reads audio buses as they stand: this block's writes, else the previous block's (a
    one-block delay for a bus written later in the graph), zeros when neither wrote."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.server = self.ctx.server
        self.count = setup.outputs

    def calc(self, bus: Signal) -> Any:
        first = _bus(bus)
        server = self.server
        stamp, touched, buses = server.blocks, server.touched, server.audio_buses
        chans = []
        for k in range(self.count):
            index = first + k
            if 0 <= index < len(touched) and stamp - 1 <= touched[index] <= stamp:
                chans.append(np.array(buses[index], dtype=np.float64))
            else:
                chans.append(np.zeros(self.ctx.block))
        return chans[0] if self.count == 1 else tuple(chans)


class _Writer(Unit):
    """Shared by Out, OffsetOut and ReplaceOut: checks and writes each channel."""

    replace = False

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.server = self.ctx.server
        self.limit = RUNAWAY_RMS * RUNAWAY_RMS * self.ctx.block

    def healthy(self, signals: tuple[Signal, ...]) -> bool:
        for signal in signals:
            energy = (
                float(np.dot(signal, signal))
                if isinstance(signal, np.ndarray)
                else (signal * signal * self.ctx.block)
            )
            if not energy < self.limit:
                reason = (
                    "NaN or infinite output" if not math.isfinite(energy) else ("runaway level")
                )
                self.server.quarantine(self.synth, reason)
                return False
        return True

    def write(self, first: int, signals: tuple[Signal, ...]) -> None:
        server = self.server
        stamp, touched, buses = server.blocks, server.touched, server.audio_buses
        for k, signal in enumerate(signals):
            index = first + k
            if not 0 <= index < len(touched):
                continue
            if touched[index] == stamp and not self.replace:
                buses[index] += signal
            else:
                buses[index] = signal
                touched[index] = stamp

    def calc(self, bus: Signal, *signals: Signal) -> None:
        if not self.audio:
            values = self.server.control_buses
            first = _bus(bus)
            for k, signal in enumerate(signals):
                if 0 <= first + k < len(values):
                    values[first + k] = scalar(signal)
            return
        if self.healthy(signals):
            self.write(_bus(bus), signals)


@register("Out")
class Out(_Writer):
    """Adds to buses."""


@register("ReplaceOut")
class ReplaceOut(_Writer):
    """Overwrites buses."""

    replace = True


@register("OffsetOut")
class OffsetOut(_Writer):
    """Adds to buses, delayed by the synth's start offset inside its first block."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.offset = setup.synth.offset
        self.carry: list[np.ndarray] | None = None

    def calc(self, bus: Signal, *signals: Signal) -> None:
        if not self.healthy(signals):
            return
        offset = self.offset
        if offset == 0:
            self.write(_bus(bus), signals)
            return
        block = self.ctx.block
        if self.carry is None:
            self.carry = [np.zeros(offset) for _ in signals]
        shifted = []
        for k, signal in enumerate(signals):
            whole = np.concatenate((self.carry[k], self.ctx.audio(signal)))
            shifted.append(whole[:block])
            self.carry[k] = whole[block:]
        self.write(_bus(bus), tuple(shifted))


@register("XOut")
class XOut(_Writer):
    """Cross-fades into buses by ``xfade``."""

    def calc(self, bus: Signal, xfade: Signal, *signals: Signal) -> None:
        if not self.healthy(signals):
            return
        server = self.server
        first = _bus(bus)
        mixed = []
        for k, signal in enumerate(signals):
            index = first + k
            old = server.audio_buses[index] if server.touched[index] == server.blocks else 0.0
            mixed.append(old + (signal - old) * xfade)
        self.replace = True
        self.write(first, tuple(mixed))


@register("LocalIn")
class LocalIn(Unit):
    """Last block's LocalOut of this synth (the default value before any)."""

    def calc(self, *defaults: Signal) -> Any:
        stored = self.synth.local.get("feedback")
        if stored is None:
            stored = [self.ctx.audio(d) if self.audio else scalar(d) for d in defaults]
        chans = [s.copy() if isinstance(s, np.ndarray) else s for s in stored]
        return chans[0] if len(chans) == 1 else tuple(chans)


@register("LocalOut")
class LocalOut(Unit):
    """Keeps its input for next block's LocalIn."""

    def calc(self, *signals: Signal) -> None:
        self.synth.local["feedback"] = [
            self.ctx.audio(s) if self.audio else scalar(s) for s in signals
        ]


@register("A2K")
class A2K(Unit):
    def calc(self, source: Signal) -> float:
        return scalar(source) if not isinstance(source, np.ndarray) else float(source[0])


@register("K2A")
class K2A(Unit):
    def calc(self, source: Signal) -> np.ndarray:
        return self.ctx.audio(source)


@register("T2A")
class T2A(Unit):
    def calc(self, source: Signal, offset: Signal = 0.0) -> np.ndarray:
        out = np.zeros(self.ctx.block)
        if scalar(source) > 0:
            out[min(self.ctx.block - 1, max(0, int(scalar(offset))))] = scalar(source)
        return out


@register("CheckBadValues")
class CheckBadValues(Unit):
    """1 where a sample is NaN, 2 where it is infinite, else 0."""

    def calc(self, source: Signal, _id: Signal = 0.0, _mode: Signal = 0.0) -> Signal:
        if self.audio:
            x = self.ctx.audio(source)
            return np.where(np.isnan(x), 1.0, np.where(np.isinf(x), 2.0, 0.0))
        value = scalar(source)
        return 1.0 if math.isnan(value) else (2.0 if math.isinf(value) else 0.0)


@register("Sanitize")
class Sanitize(Unit):
    """NaN and infinities replaced by ``replace``."""

    def calc(self, source: Signal, replace: Signal = 0.0) -> Signal:
        if self.audio:
            x = self.ctx.audio(source)
            if np.isfinite(x).all():
                return x
            return np.where(np.isfinite(x), x, scalar(replace))
        value = scalar(source)
        return value if math.isfinite(value) else scalar(replace)


@register("SendReply")
class SendReply(Unit):
    """On a trigger crossing from <= 0 to > 0, sends ``[node, reply id, values...]``."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        count = int(self.const(2))
        self.address = "".join(chr(int(self.const(3 + k))) for k in range(count))
        self.first_value = 3 + count
        self.last = 0.0

    def calc(self, trigger: Signal, reply_id: Signal, *rest: Signal) -> None:
        now = float(np.max(trigger)) if isinstance(trigger, np.ndarray) else trigger
        fired = now > 0.0 and self.last <= 0.0
        self.last = now
        if fired:
            values = [scalar(v) for v in rest[self.first_value - 2 :]]
            node = float(self.synth.id)
            self.ctx.server.on_reply(self.address, [node, scalar(reply_id), *values])


@register("SendPeakRMS")
class SendPeakRMS(Unit):
    """Sends ``[node, reply id, peak, rms, ...]`` per channel ``reply_rate`` times a second."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.channels = int(self.const(3, 1))
        start = 4 + self.channels
        count = int(self.const(start))
        self.address = "".join(chr(int(self.const(start + 1 + k))) for k in range(count))
        self.peaks = [0.0] * self.channels
        self.squares = [0.0] * self.channels
        self.frames = 0
        self.countdown = 0.0

    def calc(self, rate: Signal, peak_lag: Signal, reply_id: Signal, _size: Signal,
             *rest: Signal) -> None:  # fmt: skip
        sources = rest[: self.channels]
        for k, source in enumerate(sources):
            x = self.ctx.audio(source)
            self.peaks[k] = max(self.peaks[k], float(np.max(np.abs(x))))
            self.squares[k] += float(np.dot(x, x))
        self.frames += self.ctx.block
        self.countdown -= self.ctx.block_dur
        if self.countdown > 0.0:
            return
        self.countdown += 1.0 / max(scalar(rate), 0.1)
        values: list[float] = [float(self.synth.id), scalar(reply_id)]
        for k in range(self.channels):
            values += [self.peaks[k], math.sqrt(self.squares[k] / max(self.frames, 1))]
        self.ctx.server.on_reply(self.address, values)
        self.peaks = [0.0] * self.channels
        self.squares = [0.0] * self.channels
        self.frames = 0


@register("FreeSelf")
class FreeSelf(Unit):
    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.last = 0.0

    def calc(self, trigger: Signal) -> float:
        now = scalar(trigger)
        if now > 0.0 and self.last <= 0.0:
            self.synth.done(2)
        self.last = now
        return now


@register("DetectSilence")
class DetectSilence(Unit):
    """Done action once the input stayed under ``amp`` for ``time`` seconds."""

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.quiet = 0.0

    def calc(self, source: Signal, amp: Signal, time: Signal, action: Signal) -> float:
        peak = float(np.max(np.abs(source))) if isinstance(source, np.ndarray) else abs(source)
        self.quiet = self.quiet + self.ctx.block_dur if peak < scalar(amp) else 0.0
        if self.quiet >= scalar(time):
            self.synth.done(int(scalar(action)))
            return 1.0
        return 0.0


@register("DiskOut")
class DiskOut(Unit):
    """Streams its inputs to the buffer's open file."""

    def calc(self, buffer_id: Signal, *signals: Signal) -> Signal:
        buffer = self.ctx.server.buffers.get(int(scalar(buffer_id)))
        if buffer is not None and buffer.file is not None:
            frames = np.stack([self.ctx.audio(s) for s in signals], axis=1)
            buffer.stream(frames[:, : buffer.channels].astype(np.float32))
        return self.ctx.full(0.0) if self.audio else 0.0
