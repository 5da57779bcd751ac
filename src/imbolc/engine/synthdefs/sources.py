# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Oscillator and FM sources: plain waveforms, supersaw, hard sync, ring mod and FM voices."""

from __future__ import annotations

from collections.abc import Sequence

from supriya.ugens import (
    K2A,
    LPF,
    BrownNoise,
    Crackle,
    Dust2,
    LeakDC,
    LFTri,
    Line,
    PinkNoise,
    Pulse,
    Saw,
    Select,
    SinOsc,
    SyncSaw,
    WhiteNoise,
)

from imbolc.engine.synthdefs.contract import Signal, SourceBody, Voice
from imbolc.engine.synthdefs.dsp import perc, spread
from imbolc.engine.synthdefs.ugens import SinOscFB, Vibrato

__all__ = ["BODIES"]

SAW_DC_COEF = 0.9995
"""Pole of the saw source's DC blocker (about 4 Hz at 48 kHz)."""
_SUPERSAW_SPREAD = (-1.0, -0.63, -0.3, 0.0, 0.29, 0.61, 1.0)


def saw(voice: Voice) -> Signal:
    """scsynth's Saw carries a DC offset of its own: blocked at about 4 Hz. The blocker takes
    scsynth's first Saw sample as its history, which left a -1 step decaying over 40 ms; the
    saw is faded in over 2 ms so the blocker starts from silence."""
    faded = Saw.ar(frequency=voice.freq) * Line.ar(start=0.0, stop=1.0, duration=0.002)
    return LeakDC.ar(source=faded, coefficient=SAW_DC_COEF)


def sine(voice: Voice) -> Signal:
    return SinOsc.ar(frequency=voice.freq)


def square(voice: Voice) -> Signal:
    return Pulse.ar(frequency=voice.freq, width=0.5)


def triangle(voice: Voice) -> Signal:
    return LFTri.ar(frequency=voice.freq)


def noise(voice: Voice) -> Signal:
    """White, pink, brown, dust (random impulses at ``density``) or crackle."""
    colors = [
        WhiteNoise.ar(),
        PinkNoise.ar() * 1.5,
        BrownNoise.ar(),
        Dust2.ar(density=voice["density"]),
        Crackle.ar(chaos_parameter=1.95) * 0.7,
    ]
    return Select.ar(selector=voice["color"].clip(0, 4), sources=colors)


def pulse(voice: Voice) -> Signal:
    return Pulse.ar(frequency=voice.freq, width=voice["width"])


def supersaw(voice: Voice) -> Sequence[Signal]:
    """Seven detuned saws; ``mix`` moves weight from the centre saw to the six around it."""
    detune = voice["detune"] * 0.06
    side, centre = voice["mix"], 1.0 - voice["mix"]
    saws = [
        Saw.ar(frequency=voice.freq * (1.0 + detune * offset)) * (centre if offset == 0 else side)
        for offset in _SUPERSAW_SPREAD
    ]
    return [channel * 0.6 for channel in spread(saws, 0.8)]


def sync(voice: Voice) -> Signal:
    """A slave saw hard-synced to the note pitch, running at ``sync_ratio`` times it."""
    return SyncSaw.ar(sync_frequency=voice.freq, saw_frequency=voice.freq * voice["sync_ratio"])


def ring_mod(voice: Voice) -> Signal:
    """A sine carrier ring-modulated by a sine at ``mod_ratio`` times the pitch."""
    modulator = SinOsc.ar(frequency=voice.freq * voice["mod_ratio"])
    depth = voice["mod_depth"]
    return SinOsc.ar(frequency=voice.freq) * (1.0 - depth + modulator * depth)


def fb_sine(voice: Voice) -> Signal:
    return SinOscFB.ar(frequency=voice.freq, feedback=voice["feedback"])


def fm(voice: Voice) -> Signal:
    """Two-operator frequency modulation; peak deviation is index x modulator frequency.

    Deviation past zero runs the carrier backwards (through-zero FM), as in FM synths.
    """
    mod_freq = voice.freq * voice["ratio"]
    modulator = SinOsc.ar(frequency=mod_freq) * voice["index"] * mod_freq
    return SinOsc.ar(frequency=voice.freq + modulator)


def phase_mod(voice: Voice) -> Signal:
    """Two-operator phase modulation; ``index`` is the peak phase swing in radians."""
    modulator = SinOsc.ar(frequency=voice.freq * voice["ratio"]) * voice["index"]
    return SinOsc.ar(frequency=voice.freq, phase=modulator)


def fm_bell(voice: Voice) -> Signal:
    """Inharmonic FM bell: a 1:3.5 pair whose index dies away faster than the tone."""
    index = 1.0 + perc(0.001, 1.2) * 4.0 * (0.5 + voice.velocity * 0.5)
    mod_freq = voice.freq * 3.5
    bell = SinOsc.ar(frequency=voice.freq + SinOsc.ar(frequency=mod_freq) * index * mod_freq)
    shimmer = SinOsc.ar(frequency=voice.freq * 2.76) * perc(0.001, 0.6) * 0.3
    return (bell + shimmer) * 0.8


def fm_brass(voice: Voice) -> Signal:
    """1:1 phase modulation whose brightness follows the envelope, with a delayed vibrato.

    Phase rather than frequency modulation: the same spectrum as 1:1 FM, but the carrier's
    frequency never goes through zero, so it is exact at any index on every backend."""
    freq = Vibrato.ar(
        frequency=K2A.ar(source=voice.freq), rate=5.0, depth=0.004, delay=0.3, onset=0.2
    )
    index = 0.5 + voice.env * (1.5 + voice.velocity * 2.5)
    brass = SinOsc.ar(frequency=freq, phase=SinOsc.ar(frequency=freq) * index)
    return LPF.ar(source=brass, frequency=(voice.freq * 12.0).min(16000.0))


BODIES: dict[str, SourceBody] = {
    "saw": saw,
    "sine": sine,
    "square": square,
    "triangle": triangle,
    "noise": noise,
    "pulse": pulse,
    "supersaw": supersaw,
    "sync": sync,
    "ring_mod": ring_mod,
    "fb_sine": fb_sine,
    "fm": fm,
    "phase_mod": phase_mod,
    "fm_bell": fm_bell,
    "fm_brass": fm_brass,
}
"""Oscillator and FM source bodies by catalog name."""
