# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Dynamics, distortion, EQ and stereo effects."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from supriya.ugens import (
    HPF,
    LPF,
    BHiShelf,
    BLowShelf,
    BPeakEQ,
    Compander,
    Fold,
    Impulse,
    InFeedback,
    Latch,
    LeakDC,
    LFPulse,
    LFSaw,
    Limiter,
    Select,
    SinOsc,
)

from imbolc.engine.synthdefs.contract import ProcessorBody, Signal, Stage
from imbolc.engine.synthdefs.dsp import db_to_gain, mix

__all__ = ["BODIES"]

_HALF_PI = 1.5707963267948966
_LOW_SPLIT = 250.0
_HIGH_SPLIT = 4000.0


def _each(stage: Stage, process: Callable[[Signal], Signal]) -> list[Signal]:
    return [process(channel) for channel in stage.dry]


def _mean(channels: Sequence[Signal]) -> Signal:
    return mix(channels) * (1.0 / len(channels))


def _squeeze(
    x: Signal,
    key: Signal,
    threshold: Signal,
    ratio: Signal | float,
    *,
    attack: Signal | float,
    release: Signal | float,
) -> Signal:
    return Compander.ar(
        source=x,
        control=key,
        threshold=threshold,
        slope_below=1.0,
        slope_above=1.0 / ratio,
        clamp_time=attack,
        relax_time=release,
    )


def gate(stage: Stage) -> list[Signal]:
    """Rhythmic gate: square, falling ramp or sine chops at ``rate``, ``depth`` deep."""
    rate = stage["rate"]
    shapes = [
        LFPulse.kr(frequency=rate).lagged(0.003),
        0.5 - LFSaw.kr(frequency=rate) * 0.5,
        SinOsc.kr(frequency=rate) * 0.5 + 0.5,
    ]
    opening = Select.kr(selector=stage["shape"].clip(0, 2), sources=shapes)
    gain = 1.0 - stage["depth"] * (1.0 - opening)
    return _each(stage, lambda x: x * gain)


def tape_comp(stage: Stage) -> list[Signal]:
    """Tape saturation into a stereo-linked compressor with makeup gain."""
    drive = stage["drive"]
    saturated = [(x * drive).tanh() / drive.tanh() for x in stage.dry]
    key = _mean(saturated)
    return [
        _squeeze(x, key, stage["threshold"], stage["ratio"], attack=0.005, release=0.1)
        * stage["makeup"]
        for x in saturated
    ]


def sc_comp(stage: Stage) -> list[Signal]:
    """Compressor keyed by the stereo bus ``sc_in`` when ``keyed``, else by its own input.

    The engine resolves the catalog's choice (``key_instrument``, else the bus ``sc_bus``; 0 =
    none) to the audio bus it passes as ``sc_in``, and sets ``keyed``. The key is read as it
    stands (InFeedback): a bus written later in the graph arrives one block late.
    """
    side = _mean(list(InFeedback.ar(bus=stage.arg("sc_in", 0), channel_count=2)))
    keyed = stage.arg("keyed", 0).clip(0, 1)
    key = Select.ar(selector=keyed, sources=[_mean(stage.dry), side])
    return _each(
        stage,
        lambda x: _squeeze(
            x,
            key,
            stage["threshold"],
            stage["ratio"],
            attack=stage["attack"],
            release=stage["release"],
        ),
    )


def limiter(stage: Stage) -> list[Signal]:
    """Brick-wall limiter: ``threshold`` is driven up to ``ceiling``, which is never passed."""
    gain = stage["ceiling"] / stage["threshold"].max(0.01)
    return _each(
        stage,
        lambda x: Limiter.ar(source=x * gain, level=stage["ceiling"], duration=stage["release"]),
    )


def multiband_comp(stage: Stage) -> list[Signal]:
    """Three-band compressor split at 250 Hz and 4 kHz (4th-order crossovers)."""
    bands: list[list[Signal]] = []
    for x in stage.dry:
        low = LPF.ar(source=LPF.ar(source=x, frequency=_LOW_SPLIT), frequency=_LOW_SPLIT)
        high = HPF.ar(source=HPF.ar(source=x, frequency=_HIGH_SPLIT), frequency=_HIGH_SPLIT)
        bands.append([low, x - low - high, high])
    thresholds = (stage["low_thresh"], stage["mid_thresh"], stage["hi_thresh"])
    result = []
    for channel in bands:
        squeezed = []
        for band, threshold in enumerate(thresholds):
            key = _mean([split[band] for split in bands])
            squeezed.append(_squeeze(channel[band], key, threshold, 4.0, attack=0.01, release=0.15))
        result.append(mix(squeezed) * 1.2)
    return result


def distortion(stage: Stage) -> list[Signal]:
    """Soft (tanh), hard (clip) or fold distortion, then a tone low-pass."""
    cutoff = 800.0 * 2 ** (stage["tone"] * 4.5)

    def shape(x: Signal) -> Signal:
        driven = x * stage["drive"]
        kinds = [
            driven.tanh(),
            driven.clip2(1.0),
            Fold.ar(source=driven, minimum=-1.0, maximum=1.0),
        ]
        shaped = Select.ar(selector=stage["mode"].clip(0, 2), sources=kinds)
        return LPF.ar(source=shaped, frequency=cutoff) * 0.7

    return _each(stage, shape)


def bitcrusher(stage: Stage) -> list[Signal]:
    """Sample-and-hold at ``rate`` Hz and rounding to ``bits`` of resolution."""
    clock = Impulse.ar(frequency=stage["rate"])
    step = 2 ** (1.0 - stage["bits"].clip(1, 16))
    return _each(stage, lambda x: Latch.ar(source=x, trigger=clock).round(step))


def wavefolder(stage: Stage) -> list[Signal]:
    """Sine wavefolder; ``symmetry`` away from 0.5 biases the fold for even harmonics."""
    bias = (stage["symmetry"] - 0.5) * 0.8
    return _each(
        stage, lambda x: LeakDC.ar(source=((x * stage["drive"] + bias) * _HALF_PI).sin()) * 0.8
    )


def saturator(stage: Stage) -> list[Signal]:
    """Warm saturation; ``color`` adds even harmonics before the tanh."""
    drive = stage["drive"]

    def warm(x: Signal) -> Signal:
        pre = x * drive
        return LeakDC.ar(source=(pre + pre.squared() * stage["color"] * 0.3).tanh()) / drive.sqrt()

    return _each(stage, warm)


def tilt_eq(stage: Stage) -> list[Signal]:
    """Tilts the spectrum around ``frequency``: +1 is 6 dB brighter, -1 is 6 dB darker."""
    gain = stage["tilt"] * 6.0
    freq = stage["frequency"]
    return _each(
        stage,
        lambda x: BHiShelf.ar(
            source=BLowShelf.ar(source=x, frequency=freq, gain=-gain), frequency=freq, gain=gain
        ),
    )


def para_eq(stage: Stage) -> list[Signal]:
    """Three-band EQ: low shelf, mid peak, high shelf (gains in dB)."""

    def bands(x: Signal) -> Signal:
        x = BLowShelf.ar(source=x, frequency=stage["lo_freq"], gain=stage["lo_gain"])
        x = BPeakEQ.ar(
            source=x, frequency=stage["mid_freq"], reciprocal_of_q=1.0, gain=stage["mid_gain"]
        )
        return BHiShelf.ar(source=x, frequency=stage["hi_freq"], gain=stage["hi_gain"])

    return _each(stage, bands)


def _from_mid_side(mid: Signal, side: Signal) -> list[Signal]:
    return [mid + side, mid - side]


def stereo_widener(stage: Stage) -> list[Signal]:
    """Scales the side (L-R) signal by ``width``: 0 is mono, 2 is twice as wide."""
    left, right = stage.dry
    return _from_mid_side((left + right) * 0.5, (left - right) * 0.5 * stage["width"])


def midside(stage: Stage) -> list[Signal]:
    """Mid/side gains in dB plus a side ``width``."""
    left, right = stage.dry
    mid = (left + right) * 0.5 * db_to_gain(stage["mid_gain"])
    side = (left - right) * 0.5 * stage["width"] * db_to_gain(stage["side_gain"])
    return _from_mid_side(mid, side)


def crossfader(stage: Stage) -> list[Signal]:
    """Equal-power crossfade from the input to stereo bus ``b_in`` (when ``b_on``).

    ``bus_b`` is the catalog's bus choice (0 = none); the engine resolves it to ``b_in`` and
    sets ``b_on``. The bus is read as it stands (InFeedback), so any bus can be the B side.
    """
    other = InFeedback.ar(bus=stage.arg("b_in", 0), channel_count=2)
    present = stage.arg("b_on", 0).clip(0, 1)
    angle = stage["crossfade"] * _HALF_PI
    return [
        a * angle.cos() + b * present * angle.sin()
        for a, b in zip(stage.dry, list(other), strict=True)
    ]


BODIES: dict[str, ProcessorBody] = {
    "gate": gate,
    "tape_comp": tape_comp,
    "sc_comp": sc_comp,
    "limiter": limiter,
    "multiband_comp": multiband_comp,
    "distortion": distortion,
    "bitcrusher": bitcrusher,
    "wavefolder": wavefolder,
    "saturator": saturator,
    "tilt_eq": tilt_eq,
    "para_eq": para_eq,
    "stereo_widener": stereo_widener,
    "midside": midside,
    "crossfader": crossfader,
}
"""Dynamics, distortion, EQ and stereo effect bodies by catalog name."""
