# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Physical-model, mallet and plucked-string sources.

Strings are Karplus-Strong loops (``Pluck``) or a comb-filtered bow; bars, tines, bells and
membranes are banks of resonant modes (``Ringz``) at their measured partial ratios, struck
by a short noise click whose brightness follows hardness and velocity.
"""

from __future__ import annotations

from supriya.ugens import (
    BPF,
    HPF,
    K2A,
    LPF,
    CombC,
    DelayC,
    LFNoise2,
    Pluck,
    Saw,
    SinOsc,
    WhiteNoise,
)

from imbolc.engine.synthdefs.contract import Signal, SourceBody, Voice
from imbolc.engine.synthdefs.dsp import mallet_strike, mix, modal_bank, onset, perc
from imbolc.engine.synthdefs.ugens import Formant, Vibrato

__all__ = ["BODIES"]

# Partial ratios of a circular membrane (Bessel zeros relative to the fundamental).
_MEMBRANE_RATIOS = (1.0, 1.594, 2.136, 2.296, 2.653, 2.918, 3.156, 3.501)
# A tubular bell's modes relative to its heard strike pitch (half the 4th free-bar mode).
_TUBULAR_RATIOS = (0.617, 1.21, 2.0, 2.99, 4.17, 5.56)


def pluck(voice: Voice) -> Signal:
    """Karplus-Strong string: a noise burst in a loop that decays in ``decay`` seconds."""
    return Pluck.ar(
        source=WhiteNoise.ar(),
        trigger=onset(),
        maximum_delay_time=0.05,
        delay_time=1.0 / voice.freq,
        decay_time=voice["decay"],
        coefficient=voice["coef"],
    )


def formant(voice: Voice) -> Signal:
    return (
        Formant.ar(
            fundamental_frequency=voice.freq,
            formant_frequency=voice["formant"],
            bandwidth_frequency=voice["bw"],
        )
        * 0.5
    )


def bowed(voice: Voice) -> Signal:
    """Helmholtz (sawtooth) motion plus bow noise, notched by the bow position, in a body."""
    freq = Vibrato.ar(
        frequency=K2A.ar(source=voice.freq), rate=5.5, depth=0.005, delay=0.35, onset=0.3
    )
    freq = freq.max(20.0)
    pressure = voice["pressure"]
    helmholtz = Saw.ar(frequency=freq * (1.0 + LFNoise2.kr(frequency=4.0) * 0.001))
    rosin = LPF.ar(source=WhiteNoise.ar(), frequency=freq * 6.0) * pressure * 0.4
    excitation = helmholtz * (0.35 + pressure * 0.65) + rosin
    positioned = excitation - DelayC.ar(
        source=excitation, maximum_delay_time=0.05, delay_time=voice["bow_pos"] / freq
    )
    string = (
        positioned
        + CombC.ar(
            source=positioned, maximum_delay_time=0.05, delay_time=1.0 / freq, decay_time=0.3
        )
        * 0.15
    )
    body = [
        BPF.ar(source=string, frequency=centre, reciprocal_of_q=0.9) * gain
        for centre, gain in ((280.0, 1.2), (460.0, 1.0), (2800.0, 0.7))
    ]
    return LPF.ar(source=mix(body) + string * 0.3, frequency=6000.0) * 0.7


def blown(voice: Voice) -> Signal:
    """A flute-like pipe: a breathy tone that overblows brighter as embouchure tightens."""
    freq = Vibrato.ar(
        frequency=K2A.ar(source=voice.freq), rate=4.8, depth=0.006, delay=0.4, onset=0.3
    )
    freq = freq.max(20.0)
    pressure, embouchure = voice["pressure"], voice["embouchure"]
    breath = LPF.ar(source=WhiteNoise.ar(), frequency=1500.0 + embouchure * 4000.0) * pressure
    pipe = CombC.ar(
        source=breath * 0.1, maximum_delay_time=0.05, delay_time=1.0 / freq, decay_time=0.2
    )
    tone = SinOsc.ar(frequency=freq) + SinOsc.ar(frequency=freq * 2.0) * embouchure * 0.35
    tone = tone + SinOsc.ar(frequency=freq * 3.0) * embouchure.squared() * 0.15
    return tone * (0.4 + pressure * 0.6) * 0.7 + pipe * 0.5 + breath * 0.04


def membrane(voice: Voice) -> Signal:
    """A struck circular membrane; tension bends the pitch at the strike, loss sets the ring."""
    ring = 0.02 / (1.0005 - voice["loss"])
    bend = 1.0 + voice["tension"] * 2.0 * perc(0.0005, 0.15)
    strike = mallet_strike(voice["tension"] * 4.0, voice.velocity)
    decays = [ring / (1.0 + n * 0.6) for n in range(len(_MEMBRANE_RATIOS))]
    amps: list[float | Signal] = [1.0 / (1.0 + n * 0.5) for n in range(len(_MEMBRANE_RATIOS))]
    return modal_bank(strike, voice.freq * bend, _MEMBRANE_RATIOS, amps, decays) * 0.7


def marimba(voice: Voice) -> Signal:
    """Tuned wooden bar (partials 1 : 3.93 : 9.54) with a tube-like low resonance."""
    hard = voice["hardness"]
    strike = mallet_strike(hard, voice.velocity)
    amps: list[float | Signal] = [1.0, 0.25 + hard * 0.35, 0.05 + hard * 0.2]
    return modal_bank(strike, voice.freq, (1.0, 3.93, 9.54), amps, (0.9, 0.25, 0.08))


def vibraphone(voice: Voice) -> Signal:
    """Aluminium bar (1 : 4 : 10) with the motor's rotating-disc tremolo."""
    hard = voice["hardness"]
    strike = mallet_strike(hard, voice.velocity)
    amps: list[float | Signal] = [1.0, 0.2 + hard * 0.3, 0.05 + hard * 0.15]
    bar = modal_bank(strike, voice.freq, (1.0, 4.0, 10.0), amps, (3.0, 1.0, 0.3))
    motor = SinOsc.kr(frequency=voice["motor_rate"]) * 0.5 + 0.5
    return bar * (1.0 - voice["motor_depth"] * motor) * 1.2


def kalimba(voice: Voice) -> Signal:
    """Plucked metal tine: a strong fundamental, inharmonic overtones and a bright click."""
    hard, bright = voice["hardness"], voice["brightness"]
    strike = mallet_strike(hard, voice.velocity)
    amps: list[float | Signal] = [1.0, 0.1 + bright * 0.3, 0.05 + bright * 0.2]
    tine = modal_bank(strike, voice.freq, (1.0, 5.4, 13.1), amps, (1.6, 0.25, 0.06))
    click = HPF.ar(source=strike, frequency=2000.0) * bright * 0.3
    return (tine + click) * 1.2


def steel_drum(voice: Voice) -> Signal:
    """Steel pan: tuned near-harmonic partials with a short, bright bloom."""
    hard, bright = voice["hardness"], voice["brightness"]
    strike = mallet_strike(hard, voice.velocity)
    ratios = (1.0, 2.0, 3.01, 4.02, 5.05)
    amps: list[float | Signal] = [
        1.0,
        0.5 * bright + 0.2,
        0.35 * bright,
        0.2 * bright,
        0.1 * bright,
    ]
    return modal_bank(strike, voice.freq, ratios, amps, (0.9, 0.6, 0.4, 0.25, 0.15)) * 0.9


def tubular_bell(voice: Voice) -> Signal:
    """Chime tube: free-bar modes whose 4th-6th give the strike pitch; long shimmering ring."""
    hard, bright = voice["hardness"], voice["brightness"]
    strike = mallet_strike(hard, voice.velocity)
    amps: list[float | Signal] = [
        0.2,
        0.5,
        1.0,
        0.5 + bright * 0.4,
        0.3 + bright * 0.4,
        0.2 * bright + 0.05,
    ]
    decays = (1.5, 3.0, 4.0, 3.0, 2.0, 1.2)
    return modal_bank(strike, voice.freq, _TUBULAR_RATIOS, amps, decays) * 0.6


def glockenspiel(voice: Voice) -> Signal:
    """Steel free bar (1 : 2.756 : 5.404 : 8.933), bright and ringing."""
    hard = voice["hardness"]
    strike = mallet_strike(hard, voice.velocity)
    amps: list[float | Signal] = [1.0, 0.4 + hard * 0.2, 0.2 + hard * 0.2, 0.1 * hard]
    ratios = (1.0, 2.756, 5.404, 8.933)
    return modal_bank(strike, voice.freq, ratios, amps, (2.0, 0.8, 0.35, 0.15))


def _string(voice: Voice, excitation: Signal, coef: Signal) -> Signal:
    return Pluck.ar(
        source=excitation,
        trigger=onset(),
        maximum_delay_time=0.05,
        delay_time=1.0 / voice.freq,
        decay_time=voice["decay"],
        coefficient=coef,
    )


def _pick(voice: Voice, brightness: Signal) -> Signal:
    cutoff = (voice.freq * (2.0 + brightness * 30.0) * (0.5 + voice.velocity * 0.5)).min(18000.0)
    return LPF.ar(source=WhiteNoise.ar(), frequency=cutoff)


def guitar(voice: Voice) -> Signal:
    """Steel-string pluck through a small box of body resonances."""
    bright = voice["brightness"]
    string = _string(voice, _pick(voice, bright), 0.55 - bright * 0.45)
    body = BPF.ar(source=string, frequency=110.0, reciprocal_of_q=1.0) * 0.6
    body = body + BPF.ar(source=string, frequency=220.0, reciprocal_of_q=1.2) * 0.4
    return string + body


def bass_guitar(voice: Voice) -> Signal:
    """Round-wound bass: a darker pluck reinforced by its fundamental."""
    bright = voice["brightness"]
    string = _string(voice, _pick(voice, bright * 0.6), 0.7 - bright * 0.4)
    fundamental = SinOsc.ar(frequency=voice.freq) * perc(0.002, voice["decay"]) * 0.3
    return LPF.ar(source=string + fundamental, frequency=(voice.freq * 14.0).min(8000.0))


def harp(voice: Voice) -> Signal:
    """Gut string plucked with the finger pad: soft attack, long bloom."""
    bright = voice["brightness"]
    finger = LPF.ar(source=_pick(voice, bright), frequency=voice.freq * 6.0)
    return _string(voice, finger * 2.0, 0.45 - bright * 0.3)


def koto(voice: Voice) -> Signal:
    """Silk string plucked with a plectrum near the bridge, bending up a touch at the attack."""
    bright = voice["brightness"]
    bend = 1.0 + perc(0.001, 0.08) * 0.012
    string = Pluck.ar(
        source=_pick(voice, bright),
        trigger=onset(),
        maximum_delay_time=0.05,
        delay_time=1.0 / (voice.freq * bend),
        decay_time=voice["decay"],
        coefficient=0.3 - bright * 0.25,
    )
    nasal = BPF.ar(source=string, frequency=2500.0, reciprocal_of_q=0.8) * bright * 0.8
    return string + nasal


BODIES: dict[str, SourceBody] = {
    "pluck": pluck,
    "formant": formant,
    "bowed": bowed,
    "blown": blown,
    "membrane": membrane,
    "marimba": marimba,
    "vibraphone": vibraphone,
    "kalimba": kalimba,
    "steel_drum": steel_drum,
    "tubular_bell": tubular_bell,
    "glockenspiel": glockenspiel,
    "guitar": guitar,
    "bass_guitar": bass_guitar,
    "harp": harp,
    "koto": koto,
}
"""Physical, mallet and plucked source bodies by catalog name."""
