# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Routing and sampler sources: live input, another bus, and buffer players.

Sample buffers are **stereo** (two channels): the engine loads a mono file with
``/b_allocReadChannel`` reading channel 0 twice. ``buffer`` is the buffer number, and a
slice runs from ``start`` to ``end`` as fractions (0..1) of the buffer.
"""

from __future__ import annotations

from collections.abc import Sequence

from supriya.ugens import (
    A2K,
    BufFrames,
    BufRd,
    BufSampleRate,
    FreeSelf,
    In,
    InFeedback,
    Lag,
    NumOutputBuses,
    Select,
    SinOsc,
    Sweep,
    Warp1,
    Wrap,
)

from imbolc.engine.synthdefs.contract import Signal, SourceBody, Voice

__all__ = ["BODIES", "ROOT_FREQ", "SAMPLE_CHANNELS"]

ROOT_FREQ = 261.6255653005986
"""Pitch (middle C) at which a pitched sample plays at its recorded speed."""
SAMPLE_CHANNELS = 2
"""Channel count every sampler expects of its buffer."""


def audio_in(voice: Voice) -> Signal:
    """Hardware input ``channel`` (or a test sine at ``test_freq``) times ``gain``."""
    live = In.ar(bus=NumOutputBuses.ir() + voice["channel"], channel_count=1)
    tone = SinOsc.ar(frequency=voice["test_freq"]) * 0.5
    return Select.ar(selector=voice["test_tone"].clip(0, 1), sources=[live, tone]) * voice["gain"]


def bus_in(voice: Voice) -> Sequence[Signal]:
    """The stereo audio bus ``in_bus`` (which the engine resolves from ``bus``) times gain,
    read as it stands (InFeedback): buses are written after the sources, one block earlier."""
    source = InFeedback.ar(bus=voice.arg("in_bus", 0), channel_count=2)
    return [channel * voice["gain"] for channel in source]


class _Slice:
    """Where a slice of ``buffer`` lies, in frames, and how far a player has moved through it."""

    def __init__(self, voice: Voice, speed: Signal) -> None:
        self.buffer = voice.arg("buffer", 0)
        frames = BufFrames.kr(buffer_id=self.buffer)
        self.first = voice.arg("start", 0.0).clip(0.0, 1.0) * frames
        last = voice.arg("end", 1.0).clip(0.0, 1.0) * frames
        self.span = (last - self.first).max(1.0)
        travelled = Sweep.ar(trigger=0, rate=speed * BufSampleRate.kr(buffer_id=self.buffer))
        # Playing backwards starts from the slice's end.
        self.offset = travelled + (speed < 0.0) * self.span

    def read(self, offset: Signal) -> list[Signal]:
        player = BufRd.ar(
            channel_count=SAMPLE_CHANNELS,
            buffer_id=self.buffer,
            phase=self.first + offset,
            loop=0,
            interpolation=4,
        )
        return list(player)

    def inside(self) -> Signal:
        return (self.offset >= 0.0) * (self.offset <= self.span)


def pitched_sampler(voice: Voice) -> Sequence[Signal]:
    """Plays a slice at ``rate`` x note pitch / ``root_freq``; ``loop`` wraps it."""
    speed = voice["rate"] * voice.freq / voice.arg("root_freq", ROOT_FREQ)
    where = _Slice(voice, speed)
    loop = voice["loop"].clip(0, 1)
    looped = Wrap.ar(source=where.offset, minimum=0.0, maximum=where.span)
    held = where.offset.clip(0.0, where.span)
    offset = Select.ar(selector=loop, sources=[held, looped])
    audible = Lag.ar(source=where.inside().max(loop), lag_time=0.003)
    return [channel * audible for channel in where.read(offset)]


def kit(voice: Voice) -> Sequence[Signal]:
    """A one-shot pad: plays its slice once at ``rate`` (negative = reversed), then frees."""
    where = _Slice(voice, voice.arg("rate", 1.0))
    FreeSelf.kr(trigger=A2K.kr(source=1.0 - where.inside()))
    return where.read(where.offset.clip(0.0, where.span))


def time_stretch(voice: Voice) -> Sequence[Signal]:
    """Granular time-stretch (Warp1): ``stretch`` slows the slice, ``pitch`` transposes it."""
    buffer = voice.arg("buffer", 0)
    frames = BufFrames.kr(buffer_id=buffer)
    start = voice.arg("start", 0.0).clip(0.0, 1.0)
    span = (voice.arg("end", 1.0).clip(0.0, 1.0) - start).max(1e-4)
    seconds = span * frames / BufSampleRate.kr(buffer_id=buffer)
    progress = Sweep.ar(trigger=0, rate=1.0 / (seconds * voice["stretch"]))
    pointer = start + span * Wrap.ar(source=progress, minimum=0.0, maximum=1.0)
    transpose = voice["pitch"].semitones_to_ratio() * voice.freq / voice.arg("root_freq", ROOT_FREQ)
    grains = Warp1.ar(
        channel_count=SAMPLE_CHANNELS,
        buffer_id=buffer,
        pointer=pointer,
        frequency_scaling=transpose,
        window_size=voice["grain_size"],
        overlaps=voice["overlap"],
        window_rand_ratio=0.1,
        interpolation=4,
    )
    return list(grains)


BODIES: dict[str, SourceBody] = {
    "audio_in": audio_in,
    "bus_in": bus_in,
    "pitched_sampler": pitched_sampler,
    "time_stretch": time_stretch,
    "kit": kit,
}
"""Routing and sampler source bodies by catalog name."""
