# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Synthesis, character and envelope effects: vocoder, ring mod, resonator, vinyl, cabinet,
envelope follower and wah."""

from __future__ import annotations

from collections.abc import Sequence

from supriya.ugens import (
    BPF,
    HPF,
    LPF,
    RLPF,
    Amplitude,
    BPeakEQ,
    CombC,
    DelayC,
    Dust2,
    LFNoise2,
    PinkNoise,
    Pulse,
    Saw,
    Select,
    SinOsc,
    WhiteNoise,
)

from imbolc.engine.synthdefs.contract import ProcessorBody, Signal, Stage
from imbolc.engine.synthdefs.dsp import mix, table
from imbolc.engine.synthdefs.filters import resonator_gain

__all__ = ["BODIES", "VOCODER_MAX_BANDS"]

VOCODER_MAX_BANDS = 32
"""The vocoder always builds this many bands; ``bands`` says how many of them sound."""
_VOCODER_LOW, _VOCODER_HIGH = 100.0, 8000.0
# Cabinet voicings 1x12, 2x12, 4x12, open back: high-pass, low thump, presence, low-pass.
_CAB_HIGHPASS = (90.0, 80.0, 70.0, 110.0)
_CAB_THUMP = ((120.0, 1.0), (110.0, 2.5), (100.0, 4.0), (130.0, 0.0))
_CAB_PRESENCE = ((1800.0, 3.0), (1500.0, 4.0), (1200.0, 3.0), (2500.0, 2.0))
_CAB_LOWPASS = (5000.0, 5500.0, 4500.0, 6500.0)


def _mean(channels: Sequence[Signal]) -> Signal:
    return mix(channels) * (1.0 / len(channels))


def vocoder(stage: Stage) -> list[Signal]:
    """Channel vocoder: the input's band envelopes shape a built-in saw/pulse/noise carrier.

    ``bands`` of 32 band-passes (100 Hz - 8 kHz, log spaced) sound; the extra argument
    ``carrier_freq`` (110 Hz) sets the carrier pitch.
    """
    modulator = _mean(stage.dry)
    pitch = stage.arg("carrier_freq", 110.0)
    carrier = Saw.ar(frequency=pitch) + Saw.ar(frequency=pitch * 1.005) * 0.5
    carrier = carrier + Pulse.ar(frequency=pitch * 2.0, width=0.3) * 0.3 + WhiteNoise.ar() * 0.05
    count = stage["bands"].clip(4, VOCODER_MAX_BANDS)
    rq = 4.5 / count
    left: list[Signal] = []
    right: list[Signal] = []
    for band in range(VOCODER_MAX_BANDS):
        centre = (_VOCODER_LOW * (_VOCODER_HIGH / _VOCODER_LOW) ** (band / (count - 1))).min(
            18000.0
        )
        follower = Amplitude.kr(
            source=BPF.ar(source=modulator, frequency=centre, reciprocal_of_q=rq),
            attack_time=0.005,
            release_time=0.05,
        )
        voiced = BPF.ar(source=carrier, frequency=centre, reciprocal_of_q=rq) * follower
        voiced = voiced * (count > band)
        (left if band % 2 == 0 else right).append(voiced)
    gain = 3.0 / rq.sqrt()
    return [mix(left) * gain + mix(right) * gain * 0.6, mix(right) * gain + mix(left) * gain * 0.6]


def ringmod(stage: Stage) -> list[Signal]:
    """Ring modulation by a sine at ``freq``; ``depth`` 0 leaves the input alone."""
    modulator = SinOsc.ar(frequency=stage["freq"])
    depth = stage["depth"]
    return [x * (1.0 - depth + modulator * depth) for x in stage.dry]


def resonator(stage: Stage) -> list[Signal]:
    """A sympathetic string at ``freq``: a comb ringing for ``decay`` s, gain-normalized."""
    freq, decay = stage["freq"], stage["decay"]
    gain = resonator_gain(freq, decay)
    return [
        CombC.ar(source=x, maximum_delay_time=0.05, delay_time=freq.reciprocal(), decay_time=decay)
        * gain
        for x in stage.dry
    ]


def vinyl(stage: Stage) -> list[Signal]:
    """Record player: wow and flutter, crackle, hiss and a narrower band."""
    wow = SinOsc.kr(frequency=0.55) * stage["wow"] * 0.002
    flutter = LFNoise2.kr(frequency=9.0) * stage["flutter"] * 0.0003
    result = []
    for x in stage.dry:
        wobbled = DelayC.ar(source=x, maximum_delay_time=0.02, delay_time=0.005 + wow + flutter)
        band = HPF.ar(source=LPF.ar(source=wobbled, frequency=9000.0), frequency=40.0)
        crackle = HPF.ar(source=Dust2.ar(density=5.0 + stage["noise"] * 40.0), frequency=1000.0)
        hiss = HPF.ar(source=PinkNoise.ar(), frequency=2000.0) * stage["hiss"] * 0.15
        result.append(band + crackle * stage["noise"] * 0.5 + hiss)
    return result


def cabinet(stage: Stage) -> list[Signal]:
    """Guitar speaker cabinet voicings; ``tone`` moves the speaker's top end."""
    kind = stage["type"]
    highpass = table(_CAB_HIGHPASS, kind)
    thump = [table([row[n] for row in _CAB_THUMP], kind) for n in (0, 1)]
    presence = [table([row[n] for row in _CAB_PRESENCE], kind) for n in (0, 1)]
    lowpass = table(_CAB_LOWPASS, kind) * 2 ** ((stage["tone"] - 0.5) * 1.5)
    result = []
    for x in stage.dry:
        y = HPF.ar(source=x, frequency=highpass)
        y = BPeakEQ.ar(source=y, frequency=thump[0], reciprocal_of_q=1.0, gain=thump[1])
        y = BPeakEQ.ar(source=y, frequency=presence[0], reciprocal_of_q=0.8, gain=presence[1])
        result.append(LPF.ar(source=LPF.ar(source=y, frequency=lowpass), frequency=lowpass))
    return result


def env_follower(stage: Stage) -> list[Signal]:
    """Auto-filter: the input's envelope opens a low-pass, ``depth`` octaves per unit level."""
    level = Amplitude.kr(
        source=_mean(stage.dry), attack_time=stage["attack"], release_time=stage["release"]
    )
    cutoff = (200.0 * 2 ** (stage["depth"] * level * 20.0)).clip(20.0, 18000.0)
    return [RLPF.ar(source=x, frequency=cutoff, reciprocal_of_q=0.3) for x in stage.dry]


def wah_pedal(stage: Stage) -> list[Signal]:
    """Wah: a resonant band sweeping 400 Hz - 3.2 kHz by pedal ``position`` or (mode 1) by
    the input's level times ``sensitivity``."""
    level = Amplitude.kr(source=_mean(stage.dry), attack_time=0.01, release_time=0.15)
    auto = (level * stage["sensitivity"] * 4.0).clip(0.0, 1.0)
    position = Select.kr(selector=stage["mode"].clip(0, 1), sources=[stage["position"], auto])
    centre = 400.0 * 2 ** (position * 3.0)
    resonance = stage["resonance"]
    return [
        BPF.ar(source=x, frequency=centre, reciprocal_of_q=resonance.reciprocal())
        * resonance.sqrt()
        * 1.5
        for x in stage.dry
    ]


BODIES: dict[str, ProcessorBody] = {
    "vocoder": vocoder,
    "ringmod": ringmod,
    "resonator": resonator,
    "vinyl": vinyl,
    "cabinet": cabinet,
    "env_follower": env_follower,
    "wah_pedal": wah_pedal,
}
"""Synthesis, character and envelope effect bodies by catalog name."""
