# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Small DSP building blocks shared by the source, filter and effect definitions."""

from __future__ import annotations

from collections.abc import Sequence

from supriya import Envelope
from supriya.ugens import (
    LPF,
    ClearBuf,
    Decay2,
    EnvGen,
    Impulse,
    LFPulse,
    LFSaw,
    LFTri,
    LocalBuf,
    Pan2,
    Ringz,
    SampleRate,
    Select,
    SinOsc,
    WhiteNoise,
)

from imbolc.engine.synthdefs.contract import Signal

__all__ = [
    "cleared_buffer",
    "db_to_gain",
    "lfo",
    "mallet_strike",
    "modal_bank",
    "mix",
    "onset",
    "perc",
    "rq_from_resonance",
    "spread",
    "table",
]


def onset() -> Signal:
    """A single impulse in the first sample of the synth (Impulse at 0 Hz fires once)."""
    return Impulse.ar(frequency=0)


def perc(attack: float | Signal, decay: float | Signal, curve: float = -4.0) -> Signal:
    """A one-shot attack/decay envelope from 0 to 1 to 0 (it does not free the synth)."""
    return EnvGen.kr(
        envelope=Envelope.percussive(attack_time=attack, release_time=decay, curve=curve)
    )


def mix(signals: Sequence[Signal]) -> Signal:
    """The sum of ``signals``."""
    total = signals[0]
    for signal in signals[1:]:
        total = total + signal
    return total


def spread(signals: Sequence[Signal], width: float | Signal = 1.0) -> list[Signal]:
    """Pan ``signals`` evenly from left to right (scaled by ``width``) into a stereo pair."""
    count = len(signals)
    left: list[Signal] = []
    right: list[Signal] = []
    for index, signal in enumerate(signals):
        position = 0.0 if count == 1 else (2.0 * index / (count - 1) - 1.0)
        pair = Pan2.ar(source=signal, position=width * position)
        left.append(pair[0])
        right.append(pair[1])
    return [mix(left), mix(right)]


def table(values: Sequence[float], index: Signal) -> Signal:
    """The entry of ``values`` at integer control ``index`` (clipped into range)."""
    return Select.kr(selector=index.clip(0, len(values) - 1), sources=list(values))


def lfo(shape: Signal, rate: Signal, phase: float = 0.0) -> Signal:
    """A unipolar (0..1) LFO: shape 0 sine, 1 triangle, 2 square (edges softened)."""
    sine = SinOsc.kr(frequency=rate, phase=phase * 6.283185307179586) * 0.5 + 0.5
    tri = LFTri.kr(frequency=rate, initial_phase=phase * 4.0) * 0.5 + 0.5
    square = LFPulse.kr(frequency=rate, initial_phase=phase).lagged(0.004)
    return Select.kr(selector=shape.clip(0, 2), sources=[sine, tri, square])


def ramp(rate: Signal) -> Signal:
    """A falling unipolar ramp (1 to 0) at ``rate``."""
    return 0.5 - LFSaw.kr(frequency=rate) * 0.5


def rq_from_resonance(resonance: Signal, lowest: float = 0.03) -> Signal:
    """Reciprocal Q for a 0..1 resonance: 0 is gentle (rq 1), 1 is near ringing."""
    return 1.0 - resonance * (1.0 - lowest)


def db_to_gain(db: Signal) -> Signal:
    """Decibels to a linear gain."""
    return db.db_to_amplitude()


def mallet_strike(hardness: Signal, velocity: Signal) -> Signal:
    """A mallet's contact pulse (unit area, so levels are steady) with a little noise.

    Harder mallets touch for less time and are brighter; velocity brightens too.
    """
    contact = 0.0004 + (1.0 - hardness) * 0.003
    pulse = Decay2.ar(source=onset(), attack_time=contact * 0.3, decay_time=contact)
    pulse = pulse * 3.0 / (contact * 0.7 * SampleRate.ir())
    texture = WhiteNoise.ar() * perc(0.0005, contact * 2.0) * 0.06
    cutoff = 600.0 + (hardness * 0.7 + velocity * 0.3) * 9000.0
    return LPF.ar(source=pulse + texture, frequency=cutoff)


def modal_bank(
    excitation: Signal,
    freq: Signal,
    ratios: Sequence[float],
    amps: Sequence[float | Signal],
    decays: Sequence[float | Signal],
) -> Signal:
    """A bank of resonant modes at ``freq * ratio``; modes above 20 kHz are muted."""
    modes = []
    for ratio, amp, decay in zip(ratios, amps, decays, strict=True):
        mode_freq = freq * ratio
        audible = mode_freq < 20000.0
        modes.append(
            Ringz.ar(source=excitation, frequency=mode_freq.min(20000.0), decay_time=decay)
            * amp
            * audible
        )
    return mix(modes)


def cleared_buffer(frames: int, channels: int = 1) -> Signal:
    """A synth-local buffer zeroed at start (LocalBuf memory is not cleared by the server).

    ClearBuf's own output is not the buffer number, so the LocalBuf itself is returned.
    """
    buffer = LocalBuf.ir(channel_count=channels, frame_count=frames)
    ClearBuf.ir(buffer_id=buffer)
    return buffer
