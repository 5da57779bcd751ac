# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Time-based and modulation effects: delays, reverbs, chorus, flanger, phaser and rotors."""

from __future__ import annotations

import math
from collections.abc import Callable

from supriya.ugens import (
    FOS,
    HPF,
    LPF,
    AllpassC,
    Balance2,
    CombC,
    DelayC,
    FreeVerb,
    LFNoise2,
    LocalIn,
    LocalOut,
    Pan2,
    SampleRate,
    Sanitize,
    Select,
    SinOsc,
    Sweep,
)

from imbolc.engine.synthdefs.contract import ProcessorBody, Signal, Stage
from imbolc.engine.synthdefs.dsp import lfo, mix
from imbolc.engine.synthdefs.ugens import FreeVerb2

__all__ = ["BODIES", "MAX_DELAY"]

MAX_DELAY = 2.0
"""Longest delay time in seconds (the catalog's maximum); sizes the delay line."""
_LOG_THOUSANDTH = math.log(0.001)
_PHASER_STAGES = 12
_FEEDBACK_SETTLE_FRAMES = 256
"""Frames of a new synth whose LocalIn is ignored (at least one server block)."""
_LESLIE_SPLIT = 800.0
# Dispersion allpass delays (s) and tank comb delays (s) of the spring model, per channel.
_SPRING_DISPERSION = ((0.0013, 0.0021, 0.0034, 0.0047), (0.0015, 0.0023, 0.0031, 0.0051))
_SPRING_TANKS = ((0.0353, 0.0471), (0.0389, 0.0523))


def _each(stage: Stage, process: Callable[[int, Signal], Signal]) -> list[Signal]:
    return [process(index, channel) for index, channel in enumerate(stage.dry)]


def _comb_decay(delay: Signal, feedback: Signal) -> Signal:
    """Comb decay time (to -60 dB) that gives a per-pass gain of ``feedback``."""
    return delay * _LOG_THOUSANDTH / feedback.clip(1e-4, 0.99).log()


def delay(stage: Stage) -> list[Signal]:
    """Feedback delay of ``time`` seconds; ``feedback`` is the gain of each repeat."""
    time = stage["time"].max(0.001)
    decay = _comb_decay(time, stage["feedback"])
    return _each(
        stage,
        lambda _, x: CombC.ar(
            source=x, maximum_delay_time=MAX_DELAY, delay_time=time, decay_time=decay
        ),
    )


def reverb(stage: Stage) -> list[Signal]:
    """FreeVerb (a Schroeder-Moorer network): ``room`` size and high ``damp``ing."""
    room, damp = stage["room"], stage["damp"]
    if stage.channels == 1:
        return [FreeVerb.ar(source=stage.dry[0], mix=1.0, room_size=room, damping=damp)]
    left, right = stage.dry
    return list(FreeVerb2.ar(source=left, right=right, mix=1.0, room_size=room, damping=damp))


def spring_reverb(stage: Stage) -> list[Signal]:
    """Spring tank: chirping allpass dispersion into two combs, band-limited like a spring."""
    decay = stage["decay"]
    cutoff = 1200.0 + stage["tone"] * 6000.0

    def spring(index: int, x: Signal) -> Signal:
        chirp = x
        for time in _SPRING_DISPERSION[index]:
            chirp = AllpassC.ar(
                source=chirp, maximum_delay_time=0.01, delay_time=time, decay_time=0.05
            )
        wobble = 1.0 + LFNoise2.kr(frequency=0.7) * 0.01
        tank = mix(
            [
                CombC.ar(
                    source=chirp, maximum_delay_time=0.1, delay_time=t * wobble, decay_time=decay
                )
                for t in _SPRING_TANKS[index]
            ]
        )
        return HPF.ar(source=LPF.ar(source=tank, frequency=cutoff), frequency=150.0) * 0.25

    return _each(stage, spring)


def chorus(stage: Stage) -> list[Signal]:
    """Three modulated delay voices per channel, swept ``depth`` seconds at ``rate``."""
    rate, depth = stage["rate"], stage["depth"]

    def voices(index: int, x: Signal) -> Signal:
        taps = []
        for voice in range(3):
            phase = (index * 0.25 + voice / 3.0) * 2.0 * math.pi
            sweep = SinOsc.kr(frequency=rate * (1.0 + voice * 0.13), phase=phase) * 0.5 + 0.5
            delay_time = 0.01 + voice * 0.004 + depth * sweep
            taps.append(DelayC.ar(source=x, maximum_delay_time=0.1, delay_time=delay_time))
        return mix(taps) * (1.0 / 3.0)

    return _each(stage, voices)


def flanger(stage: Stage) -> list[Signal]:
    """Short swept feedback comb; the dry/wet mix makes the moving notches."""
    rate, depth = stage["rate"], stage["depth"]

    def flange(index: int, x: Signal) -> Signal:
        sweep = SinOsc.kr(frequency=rate, phase=index * math.pi / 2.0) * 0.5 + 0.5
        delay_time = 0.0005 + depth * sweep
        decay = _comb_decay(delay_time, stage["feedback"])
        return CombC.ar(source=x, maximum_delay_time=0.025, delay_time=delay_time, decay_time=decay)

    return _each(stage, flange)


def _settled_feedback(count: int) -> list[Signal]:
    """``LocalIn`` that reads silence in the synth's first frames.

    On a server whose block counter is still 0 (every NRT render starts there), scsynth's
    LocalIn copies its never-written, uninitialized real-time memory into the first block: the
    phaser's allpass chain then rang at ~1e31 for 30-50 ms. The first frames are sanitized (no
    NaN survives the multiply) and multiplied away."""
    settled = Sweep.ar(trigger=0, rate=SampleRate.ir()) >= _FEEDBACK_SETTLE_FRAMES
    return [Sanitize.ar(source=channel) * settled for channel in LocalIn.ar(channel_count=count)]


def phaser(stage: Stage) -> list[Signal]:
    """2-12 first-order allpass stages swept between 300 Hz and up to 4.8 kHz, with feedback."""
    count = stage.channels
    fed_back = _settled_feedback(count)
    outputs = []
    for index, x in enumerate(stage.dry):
        sweep = SinOsc.kr(frequency=stage["rate"], phase=index * math.pi / 2.0) * 0.5 + 0.5
        centre = 300.0 * 2 ** (stage["depth"] * 4.0 * sweep)
        warped = (centre * math.pi / SampleRate.ir()).tan()
        coefficient = (warped - 1.0) / (warped + 1.0)
        signal = x + fed_back[index] * stage["feedback"] * 0.7
        taps = []
        for _ in range(_PHASER_STAGES):
            signal = FOS.ar(source=signal, a_0=coefficient, a_1=1.0, b_1=-coefficient)
            taps.append(signal)
        chosen = Select.ar(
            selector=(stage["stages"] - 2).clip(0, _PHASER_STAGES - 2), sources=taps[1:]
        )
        outputs.append(chosen)
    LocalOut.ar(source=outputs)
    return outputs


def tremolo(stage: Stage) -> list[Signal]:
    """Amplitude modulation by a sine, triangle or square LFO."""
    gain = 1.0 - stage["depth"] * lfo(stage["shape"], stage["rate"])
    return _each(stage, lambda _, x: x * gain)


def autopan(stage: Stage) -> list[Signal]:
    """Balance swung left and right by an LFO, ``depth`` of the full width."""
    position = (lfo(stage["shape"], stage["rate"]) * 2.0 - 1.0) * stage["depth"]
    left, right = stage.dry
    return list(Balance2.ar(left=left, right=right, position=position))


def leslie(stage: Stage) -> list[Signal]:
    """Rotary speaker: a Doppler-shifting treble horn and a slower bass drum above/below 800 Hz.

    ``speed`` 0 stops the rotors, 1 is chorale and 2 tremolo; rotors ramp with inertia.
    """
    speed = stage["speed"]
    slow, fast = speed.clip(0.0, 1.0), (speed - 1.0).clip(0.0, 1.0)
    horn_rate = (slow * 0.8 + fast * 5.9).lagged(0.8)
    drum_rate = (slow * 0.7 + fast * 5.1).lagged(3.0)
    depth = stage["horn_depth"]
    mono = mix(stage.dry) * 0.5
    low = LPF.ar(source=LPF.ar(source=mono, frequency=_LESLIE_SPLIT), frequency=_LESLIE_SPLIT)
    high = mono - low
    horn_x = SinOsc.kr(frequency=horn_rate)
    horn_y = SinOsc.kr(frequency=horn_rate, phase=math.pi / 2.0)
    doppler = DelayC.ar(
        source=high, maximum_delay_time=0.01, delay_time=0.002 + horn_x * depth * 0.0015
    )
    horn = doppler * (1.0 - depth * 0.4 * (0.5 - horn_y * 0.5))
    drum_y = SinOsc.kr(frequency=drum_rate, phase=math.pi / 2.0)
    drum = low * (1.0 - 0.3 * (0.5 + SinOsc.kr(frequency=drum_rate) * 0.5))
    horn_pair = Pan2.ar(source=horn, position=horn_y * depth * 0.8)
    drum_pair = Pan2.ar(source=drum, position=drum_y * 0.3)
    return [horn_pair[0] + drum_pair[0], horn_pair[1] + drum_pair[1]]


BODIES: dict[str, ProcessorBody] = {
    "delay": delay,
    "reverb": reverb,
    "spring_reverb": spring_reverb,
    "chorus": chorus,
    "flanger": flanger,
    "phaser": phaser,
    "tremolo": tremolo,
    "autopan": autopan,
    "leslie": leslie,
}
"""Time and modulation effect bodies by catalog name."""
