# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Classic-synth, experimental and synthesis sources."""

from __future__ import annotations

from collections.abc import Sequence

from supriya.ugens import (
    BPF,
    HPF,
    K2A,
    LPF,
    RLPF,
    Gendy1,
    HenonC,
    Impulse,
    LeakDC,
    LFNoise2,
    MoogFF,
    Saw,
    Select,
    SinOsc,
    StandardL,
    TRand,
    VOsc,
    WhiteNoise,
)

from imbolc.engine.synthdefs.contract import Signal, SourceBody, Voice
from imbolc.engine.synthdefs.dsp import mix, perc, spread, table
from imbolc.engine.synthdefs.ugens import GrainSin, Vibrato

__all__ = ["BODIES", "WAVETABLE_BASE", "WAVETABLE_COUNT"]

WAVETABLE_BASE = 100
"""First buffer number of the wavetable source's tables (``table_base`` argument default)."""
WAVETABLE_COUNT = 8
"""Number of consecutive wavetable buffers the wavetable source morphs across."""

# Alto vowel formants a, e, i, o, u: centre (Hz), level (dB), bandwidth (Hz) of F1..F3.
_VOWELS = (
    ((800, 0, 80), (1150, -4, 90), (2800, -20, 120)),
    ((400, 0, 60), (1600, -24, 80), (2700, -30, 120)),
    ((350, 0, 50), (1700, -20, 100), (2700, -30, 120)),
    ((450, 0, 70), (800, -9, 80), (2830, -16, 100)),
    ((325, 0, 50), (700, -12, 60), (2530, -30, 170)),
)
_CHOIR_DETUNE = (-0.006, -0.002, 0.003, 0.007)
_ADDITIVE_PARTIALS = 32


def _formants(source: Signal, vowel: Signal) -> Signal:
    bands = []
    for formant in range(3):
        centre = table([v[formant][0] for v in _VOWELS], vowel)
        level = table([10 ** (v[formant][1] / 20) for v in _VOWELS], vowel)
        width = table([v[formant][2] for v in _VOWELS], vowel)
        bands.append(
            BPF.ar(source=source, frequency=centre, reciprocal_of_q=width / centre) * level
        )
    return mix(bands)


def choir(voice: Voice) -> Sequence[Signal]:
    """Four detuned, drifting voices sung through the vowel's formants, plus breath."""
    vowel = voice["vowel"]
    breath = WhiteNoise.ar() * voice["breath"] * 0.5
    singers = []
    for detune in _CHOIR_DETUNE:
        drift = 1.0 + detune + LFNoise2.kr(frequency=3.0) * 0.003
        singers.append(_formants(Saw.ar(frequency=voice.freq * drift) + breath, vowel) * 3.0)
    return spread(singers, 0.7)


def epiano(voice: Voice) -> Signal:
    """Tine piano: 1:1 FM whose index follows hardness and velocity, plus the tine's ping."""
    strike = perc(0.001, 1.2)
    index = 0.2 + voice["hardness"] * (0.5 + voice.velocity) * 1.5 * strike
    body = SinOsc.ar(frequency=voice.freq + SinOsc.ar(frequency=voice.freq) * index * voice.freq)
    tine_freq = (voice.freq * 14.0).min(18000.0)
    ping = SinOsc.ar(frequency=tine_freq) * perc(0.0005, 0.12) * voice["tine"] * 0.25
    return (body + ping) * 0.8


def organ(voice: Voice) -> Signal:
    """Tonewheel organ: drawbar groups 16'+5 1/3', 8'+4' and the upper five footages."""
    freq = voice.freq

    def wheels(ratios: Sequence[float], gains: Sequence[float]) -> Signal:
        return mix(
            [
                SinOsc.ar(frequency=freq * ratio) * gain * ((freq * ratio) < 20000.0)
                for ratio, gain in zip(ratios, gains, strict=True)
            ]
        )

    low = wheels((0.5, 1.5), (1.0, 0.7)) * voice["drawbar_low"]
    mid = wheels((1.0, 2.0), (1.0, 0.8)) * voice["drawbar_mid"]
    high = wheels((3.0, 4.0, 5.0, 6.0, 8.0), (0.6, 0.5, 0.4, 0.35, 0.3)) * voice["drawbar_high"]
    click = HPF.ar(source=WhiteNoise.ar(), frequency=2500.0) * perc(0.0005, 0.004) * 0.15
    return (low + mid + high) * 0.3 + click


def brass_stab(voice: Voice) -> Sequence[Signal]:
    """Three detuned saws through a resonant low-pass that opens with a fast envelope."""
    scoop = 1.0 - perc(0.0, 0.06) * 0.015
    detune = voice["detune"] * 0.012
    saws = [Saw.ar(frequency=voice.freq * scoop * (1.0 + detune * k)) for k in (-1.0, 0.0, 1.0)]
    bright = voice["brightness"]
    cutoff = voice.freq * (1.5 + bright * 2.0 + bright * 10.0 * perc(0.01, 0.35))
    return [
        RLPF.ar(source=channel, frequency=cutoff.min(16000.0), reciprocal_of_q=0.5) * 0.8
        for channel in spread(saws, 0.5)
    ]


def strings(voice: Voice) -> Sequence[Signal]:
    """A string section: five detuned, vibrating saws spread across the stereo field."""
    detune = voice["detune"] * 0.015
    freq = Vibrato.ar(
        frequency=K2A.ar(source=voice.freq), rate=5.0, depth=0.003, delay=0.3, onset=0.5
    )
    saws = [
        Saw.ar(frequency=freq * (1.0 + detune * k + LFNoise2.kr(frequency=0.5) * 0.001))
        for k in (-1.0, -0.5, 0.0, 0.5, 1.0)
    ]
    cutoff = (voice.freq * (2.0 + voice["brightness"] * 10.0)).min(14000.0)
    return [
        HPF.ar(source=LPF.ar(source=channel, frequency=cutoff), frequency=90.0) * 0.6
        for channel in spread(saws, 0.8)
    ]


def acid(voice: Voice) -> Signal:
    """A 303-style line: saw into a resonant ladder filter swept by a per-note envelope."""
    sweep = 2 ** (voice["env_mod"] * 4.0 * perc(0.003, 0.3))
    cutoff = (voice["cutoff"] * sweep).clip(20.0, 18000.0)
    filtered = MoogFF.ar(
        source=Saw.ar(frequency=voice.freq), frequency=cutoff, gain=voice["resonance"] * 3.6
    )
    return (filtered * (2.5 + voice["resonance"])).tanh() * 0.9


def gendy(voice: Voice) -> Signal:
    """Xenakis' dynamic stochastic synthesis (Gendy1) between ``minfreq`` and ``maxfreq``."""
    wave = Gendy1.ar(
        ampdist=voice["ampdist"],
        durdist=voice["durdist"],
        minfrequency=voice["minfreq"],
        maxfrequency=voice["maxfreq"].max(voice["minfreq"]),
        init_cps=12,
        knum=12,
    )
    return LeakDC.ar(source=wave) * 0.7


def chaos(voice: Voice) -> Signal:
    """Model 0: Hénon map (a from ``chaos_param``); model 1: standard map (k from it)."""
    rate, shape = voice["chaos_freq"], voice["chaos_param"]
    henon = HenonC.ar(frequency=rate, a=1.0 + shape * 0.2, b=0.3) * 0.6
    standard = StandardL.ar(frequency=rate, k=0.5 + shape) * 0.8
    chosen = Select.ar(selector=voice["model"].clip(0, 1), sources=[henon, standard])
    return LeakDC.ar(source=chosen).clip2(1.0)


def additive(voice: Voice) -> Signal:
    """Up to 32 sine partials with amplitudes falling as 1 / n ** ``rolloff``."""
    count, rolloff = voice["harmonics"], voice["rolloff"]
    partials = []
    weights = []
    for n in range(1, _ADDITIVE_PARTIALS + 1):
        weight = (float(n) ** -rolloff) * (count >= n) * ((voice.freq * n) < 20000.0)
        weights.append(weight)
        partials.append(SinOsc.ar(frequency=voice.freq * n) * weight)
    return mix(partials) / mix(weights).max(1e-3)


def wavetable(voice: Voice) -> Signal:
    """Morphs across eight wavetable buffers from ``table_base`` (wavetable format)."""
    base = voice.arg("table_base", WAVETABLE_BASE)
    position = base + voice["position"] * (WAVETABLE_COUNT - 1.001)
    return VOsc.ar(buffer_id=position, frequency=voice.freq) * 0.8


def granular(voice: Voice) -> Sequence[Signal]:
    """A cloud of sine grains at the note pitch, ``pitch_rnd`` scattering their pitch."""
    density, size = voice["density"], voice["grain_size"]
    trigger = Impulse.ar(frequency=density)
    detune = TRand.ar(minimum=-1.0, maximum=1.0, trigger=trigger) * voice["pitch_rnd"] * 12.0
    pan = TRand.ar(minimum=-1.0, maximum=1.0, trigger=trigger) * voice["spread"]
    grains = GrainSin.ar(
        channel_count=2,
        trigger=trigger,
        duration=size,
        frequency=voice.freq * detune.semitones_to_ratio(),
        pan=pan,
    )
    overlap = (density * size).max(1.0)
    return [channel / overlap.sqrt() for channel in grains]


BODIES: dict[str, SourceBody] = {
    "choir": choir,
    "epiano": epiano,
    "organ": organ,
    "brass_stab": brass_stab,
    "strings": strings,
    "acid": acid,
    "gendy": gendy,
    "chaos": chaos,
    "additive": additive,
    "wavetable": wavetable,
    "granular": granular,
}
"""Classic, experimental and synthesis source bodies by catalog name."""
