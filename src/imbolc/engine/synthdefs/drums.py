# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Drum sources: analogue-style kick, snare, hats, clap, cowbell, rim, tom, clave and conga.

Drums are one-shots. Their ``freq`` is the drum's tuning, not the note pitch, and each body
frees its own synth when its ``decay`` has run out, so a trigger without a note-off still
ends. The gate's ADSR multiplies on top, as for every source.
"""

from __future__ import annotations

from supriya import Envelope
from supriya.ugens import (
    BPF,
    HPF,
    LPF,
    EnvGen,
    Pulse,
    Ringz,
    SinOsc,
    WhiteNoise,
)

from imbolc.engine.synthdefs.contract import Signal, SourceBody, Voice
from imbolc.engine.synthdefs.dsp import mix, onset, perc

__all__ = ["BODIES"]

# The six square-wave oscillators of the TR-808 cymbal and hi-hat circuit, in Hz.
_METAL_FREQS = (205.3, 304.4, 369.6, 522.7, 540.0, 800.0)


def _one_shot(decay: Signal, attack: float = 0.0005, curve: float = -4.0) -> Signal:
    """A percussive envelope that frees the synth when it ends."""
    envelope = Envelope.percussive(attack_time=attack, release_time=decay, curve=curve)
    return EnvGen.kr(envelope=envelope, done_action=2)


def kick(voice: Voice) -> Signal:
    """Sine body swept down from ``sweep`` x its tuning, plus a noise click."""
    sweep = 1.0 + (voice["sweep"] - 1.0) * perc(0.0, 0.06, curve=-6.0)
    body = SinOsc.ar(frequency=voice["freq"] * sweep) * _one_shot(voice["decay"])
    click = HPF.ar(source=WhiteNoise.ar(), frequency=3000.0) * perc(0.0005, 0.012)
    return (body * 1.4).tanh() * 0.9 + click * voice["click"] * 0.6


def snare(voice: Voice) -> Signal:
    """Two drum-head modes (``tone``) and band-passed snare wires (``snappy``)."""
    decay = voice["decay"]
    head = SinOsc.ar(frequency=voice["freq"]) + SinOsc.ar(frequency=voice["freq"] * 1.47) * 0.6
    head = head * perc(0.0005, decay * 0.6) * voice["tone"]
    wires = BPF.ar(source=WhiteNoise.ar(), frequency=4500.0, reciprocal_of_q=1.2)
    wires = HPF.ar(source=wires, frequency=1200.0) * perc(0.0005, decay) * voice["snappy"] * 2.0
    return (head * 0.7 + wires) * _one_shot(decay * 1.1, curve=-2.0) * 0.7


def _metal(voice: Voice) -> Signal:
    """The 808 metallic noise: six detuned squares, band-passed high; ``tone`` shifts it."""
    shift = 0.8 + voice["tone"] * 0.5
    squares = mix([Pulse.ar(frequency=freq * shift) for freq in _METAL_FREQS])
    metal = BPF.ar(source=squares, frequency=9000.0 * shift, reciprocal_of_q=0.6)
    sizzle = HPF.ar(source=WhiteNoise.ar(), frequency=7000.0) * 0.3
    return HPF.ar(source=metal + sizzle, frequency=6000.0)


def hihat_closed(voice: Voice) -> Signal:
    return _metal(voice) * _one_shot(voice["decay"], curve=-6.0) * 1.2


def hihat_open(voice: Voice) -> Signal:
    return _metal(voice) * _one_shot(voice["decay"], curve=-3.0) * 1.2


def clap(voice: Voice) -> Signal:
    """Three hand claps ``spread`` seconds apart, then a short room tail."""
    gap = voice["spread"]
    bursts = Envelope(
        amplitudes=[0.0, 1.0, 0.1, 0.9, 0.1, 1.0, 0.0],
        durations=[0.0005, gap, 0.0005, gap, 0.0005, voice["decay"]],
        curves=[-4.0],
    )
    centre = 900.0 + voice["tone"] * 1600.0
    noise = BPF.ar(source=WhiteNoise.ar(), frequency=centre, reciprocal_of_q=0.7)
    return noise * EnvGen.kr(envelope=bursts, done_action=2) * 2.0


def cowbell(voice: Voice) -> Signal:
    """Two squares a ratio of 1.508 apart through a band-pass, with a two-stage decay."""
    freq = voice["freq"]
    bell = Pulse.ar(frequency=freq) + Pulse.ar(frequency=freq * 1.508)
    bell = BPF.ar(source=bell, frequency=freq * 1.5, reciprocal_of_q=0.6)
    knock = perc(0.0005, 0.04) * 0.6
    return bell * (knock + _one_shot(voice["decay"]) * 0.5) * 0.9


def rim(voice: Voice) -> Signal:
    """A rim shot: a high ringing click and a burst of noise."""
    ring = Ringz.ar(source=onset(), frequency=voice["freq"], decay_time=voice["decay"])
    noise = HPF.ar(source=WhiteNoise.ar(), frequency=2000.0) * perc(0.0005, 0.008)
    return (ring * 0.55 + noise * 0.35) * _one_shot(voice["decay"] * 1.5)


def tom(voice: Voice) -> Signal:
    """Sine body with a gentle pitch drop and a soft stick noise."""
    sweep = 1.0 + (voice["sweep"] - 1.0) * perc(0.0, 0.08, curve=-5.0)
    body = SinOsc.ar(frequency=voice["freq"] * sweep)
    stick = LPF.ar(source=WhiteNoise.ar(), frequency=3000.0) * perc(0.0005, 0.02) * 0.3
    return (body + stick) * _one_shot(voice["decay"]) * 0.9


def clave(voice: Voice) -> Signal:
    """A hardwood stick: one bright, very short resonance."""
    ring = Ringz.ar(source=onset(), frequency=voice["freq"], decay_time=voice["decay"])
    return (ring + SinOsc.ar(frequency=voice["freq"]) * 0.3) * _one_shot(voice["decay"]) * 0.7


def conga(voice: Voice) -> Signal:
    """Skin drum: a slightly falling tone and a slap (``tone``) of band-passed noise."""
    freq = voice["freq"] * (1.0 + perc(0.0, 0.03) * 0.15)
    body = SinOsc.ar(frequency=freq) + SinOsc.ar(frequency=freq * 1.6) * 0.2
    slap = BPF.ar(source=WhiteNoise.ar(), frequency=voice["freq"] * 8.0, reciprocal_of_q=0.5)
    slap = slap * perc(0.0005, 0.03) * voice["tone"] * 1.5
    return (body + slap) * _one_shot(voice["decay"]) * 0.8


BODIES: dict[str, SourceBody] = {
    "kick": kick,
    "snare": snare,
    "hihat_closed": hihat_closed,
    "hihat_open": hihat_open,
    "clap": clap,
    "cowbell": cowbell,
    "rim": rim,
    "tom": tom,
    "clave": clave,
    "conga": conga,
}
"""Drum source bodies by catalog name."""
