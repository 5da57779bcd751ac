# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Filter stages: every filter has ``cutoff`` (Hz) and ``resonance`` (0..1) first."""

from __future__ import annotations

from collections.abc import Callable

from supriya.ugens import BPF, BRF, RHPF, RLPF, AllpassC, CombC, MoogFF

from imbolc.engine.synthdefs.contract import ProcessorBody, Signal, Stage
from imbolc.engine.synthdefs.dsp import mix, rq_from_resonance
from imbolc.engine.synthdefs.dsp import table as lookup

__all__ = ["BODIES", "resonator_gain"]

# Vowel formants F1..F3 (Hz) and levels of a, e, i, o, u for the vowel filter at cutoff 1 kHz.
_VOWEL_FORMANTS = (
    (800, 1150, 2800),
    (400, 1600, 2700),
    (350, 1700, 2700),
    (450, 800, 2830),
    (325, 700, 2530),
)
_VOWEL_LEVELS = (1.0, 0.5, 0.1)


def _each(stage: Stage, process: Callable[[Signal], Signal]) -> list[Signal]:
    return [process(channel) for channel in stage.dry]


def resonator_gain(freq: Signal, decay: Signal) -> Signal:
    """The factor that brings a feedback comb at ``freq`` with ``decay`` back to unity peak."""
    feedback = 0.001 ** (1.0 / (freq * decay).max(1e-3))
    return 1.0 - feedback


def lpf(stage: Stage) -> list[Signal]:
    rq = rq_from_resonance(stage["resonance"])
    return _each(stage, lambda x: RLPF.ar(source=x, frequency=stage["cutoff"], reciprocal_of_q=rq))


def hpf(stage: Stage) -> list[Signal]:
    rq = rq_from_resonance(stage["resonance"])
    return _each(stage, lambda x: RHPF.ar(source=x, frequency=stage["cutoff"], reciprocal_of_q=rq))


def bpf(stage: Stage) -> list[Signal]:
    rq = rq_from_resonance(stage["resonance"], lowest=0.05)
    gain = rq.reciprocal().sqrt()
    return _each(
        stage, lambda x: BPF.ar(source=x, frequency=stage["cutoff"], reciprocal_of_q=rq) * gain
    )


def notch(stage: Stage) -> list[Signal]:
    rq = rq_from_resonance(stage["resonance"], lowest=0.05)
    return _each(stage, lambda x: BRF.ar(source=x, frequency=stage["cutoff"], reciprocal_of_q=rq))


def comb(stage: Stage) -> list[Signal]:
    """A feedback comb tuned to ``cutoff`` over the dry signal; resonance lengthens its ring
    up to 2 s. Its peaks are normalized to unity, so a long ring never gets louder."""
    decay = 0.01 + stage["resonance"].squared() * 2.0
    delay = stage["cutoff"].reciprocal()
    gain = resonator_gain(stage["cutoff"], decay)
    return _each(
        stage,
        lambda x: (
            x * 0.5
            + CombC.ar(source=x, maximum_delay_time=0.05, delay_time=delay, decay_time=decay) * gain
        ),
    )


def allpass(stage: Stage) -> list[Signal]:
    """A Schroeder allpass with a delay of one ``cutoff`` period; resonance sets its ring."""
    decay = 0.001 + stage["resonance"].squared()
    delay = stage["cutoff"].reciprocal()
    return _each(
        stage,
        lambda x: AllpassC.ar(
            source=x, maximum_delay_time=0.05, delay_time=delay, decay_time=decay
        ),
    )


def vowel(stage: Stage) -> list[Signal]:
    """Three formant band-passes gliding through a-e-i-o-u with ``shape``; cutoff shifts them."""
    position = stage["shape"] * (len(_VOWEL_FORMANTS) - 1)
    below = position - position % 1.0
    fraction = position - below
    above = (below + 1).min(len(_VOWEL_FORMANTS) - 1)
    rq = 0.25 - stage["resonance"] * 0.2
    scale = stage["cutoff"] / 1000.0
    centres = []
    for formant in range(3):
        column = [row[formant] for row in _VOWEL_FORMANTS]
        low, high = lookup(column, below), lookup(column, above)
        centres.append((low + (high - low) * fraction) * scale)

    def formants(x: Signal) -> Signal:
        bands = [
            BPF.ar(source=x, frequency=centre.clip(20.0, 20000.0), reciprocal_of_q=rq) * level
            for centre, level in zip(centres, _VOWEL_LEVELS, strict=True)
        ]
        return mix(bands) * rq.reciprocal().sqrt() * 1.5

    return _each(stage, formants)


def res_drive(stage: Stage) -> list[Signal]:
    """Overdrive into a resonant ladder low-pass; ``drive`` is the pre-gain."""
    drive = stage["drive"]
    return _each(
        stage,
        lambda x: (
            MoogFF.ar(
                source=(x * drive).tanh(), frequency=stage["cutoff"], gain=stage["resonance"] * 3.8
            )
            * (1.0 + stage["resonance"])
            / drive.sqrt()
        ),
    )


BODIES: dict[str, ProcessorBody] = {
    "lpf": lpf,
    "hpf": hpf,
    "bpf": bpf,
    "notch": notch,
    "comb": comb,
    "allpass": allpass,
    "vowel": vowel,
    "res_drive": res_drive,
}
"""Filter bodies by catalog name; every one works per channel, so mono and stereo alike."""
