# mypy: disable-error-code="attr-defined, no-any-return"
# (supriya creates the .ar/.kr/.ir rate constructors at runtime, so mypy cannot see them)
"""Pitch, granular, spectral and convolution effects.

The granular and glitch effects record their input into a synth-local buffer of
:data:`GRAIN_BUFFER_FRAMES` frames (about 2.7 s at 48 kHz), so each instance takes roughly
0.5 MB (1 MB for glitch) of the server's real-time memory.
"""

from __future__ import annotations

from collections.abc import Sequence

from supriya.ugens import (
    FFT,
    HPF,
    IFFT,
    K2A,
    BufFrames,
    BufRd,
    BufWr,
    Compander,
    DelayC,
    FreqShift,
    GrainBuf,
    Impulse,
    Latch,
    Phasor,
    Pitch,
    PitchShift,
    PV_MagFreeze,
    PV_MagSmear,
    SampleRate,
    Select,
    TRand,
    Wrap,
)

from imbolc.engine.synthdefs.contract import ProcessorBody, Signal, Stage
from imbolc.engine.synthdefs.dsp import cleared_buffer, mix
from imbolc.engine.synthdefs.ugens import PartConv

__all__ = ["BODIES", "GRAIN_BUFFER_FRAMES", "PARTCONV_FFT_SIZE"]

GRAIN_BUFFER_FRAMES = 131072
"""Frames of the synth-local recording buffer of the granular and glitch effects."""
PARTCONV_FFT_SIZE = 2048
"""FFT size the convolution reverb expects its ``PreparePartConv`` spectrum to use."""
_SPECTRAL_FFT_SIZE = 2048
_NO_SPECTRUM = float(2**24 - 1)


def _mean(channels: Sequence[Signal]) -> Signal:
    return mix(channels) * (1.0 / len(channels))


def freq_shifter(stage: Stage) -> list[Signal]:
    """Single-sideband frequency shift by ``shift_hz`` (inharmonic, unlike pitch shift)."""
    return [FreqShift.ar(source=x, frequency=stage["shift_hz"]) for x in stage.dry]


def pitch_shifter(stage: Stage) -> list[Signal]:
    """Granular pitch shift by ``shift`` semitones; ``window`` is fixed when the synth starts."""
    ratio = stage["shift"].semitones_to_ratio()
    return [
        PitchShift.ar(source=x, window_size=stage["window"], pitch_ratio=ratio) for x in stage.dry
    ]


def autotune(stage: Stage) -> list[Signal]:
    """Detects the pitch and shifts it to the nearest semitone (plus ``shift``).

    ``speed`` 1 snaps at once; lower values glide to the corrected pitch.
    """
    detected, found = Pitch.kr(
        source=_mean(stage.dry), min_frequency=60, max_frequency=2000, amplitude_threshold=0.02
    )
    target = detected.hz_to_midi().round(1.0).midi_to_hz()
    correction = Select.kr(selector=found, sources=[1.0, target / detected.max(1.0)])
    glide = (1.0 - stage["speed"]) * 0.2 + 0.001
    ratio = correction.lagged(glide) * stage["shift"].semitones_to_ratio()
    return [
        PitchShift.ar(source=x, window_size=0.1, pitch_ratio=ratio, time_dispersion=0.004)
        for x in stage.dry
    ]


class _Recorder:
    """A mono recording of the input into a cleared local buffer, written continuously."""

    def __init__(self, source: Signal, hold: Signal | float = 0.0) -> None:
        self.buffer = cleared_buffer(GRAIN_BUFFER_FRAMES)
        self.frames = BufFrames.ir(buffer_id=self.buffer)
        self.rate = SampleRate.ir()
        self.head = Phasor.ar(trigger=0, rate=1.0 - hold, start=0.0, stop=self.frames)
        kept = BufRd.ar(channel_count=1, buffer_id=self.buffer, phase=self.head, loop=1)
        BufWr.ar(
            buffer_id=self.buffer,
            phase=self.head,
            loop=1,
            source=[Select.ar(selector=hold, sources=[source, kept])],
        )

    def position(self, seconds_ago: Signal) -> Signal:
        """Normalized buffer position ``seconds_ago`` behind the write head."""
        back = (self.head - seconds_ago * self.rate) / self.frames
        return Wrap.ar(source=back, minimum=0.0, maximum=1.0)


def _grains(
    recorder: _Recorder,
    stage: Stage,
    seconds_ago: Signal,
    trigger: Signal,
    spread: Signal | float,
) -> list[Signal]:
    size, density = stage["grain_size"], stage["density"]
    pan = TRand.ar(minimum=-1.0, maximum=1.0, trigger=trigger) * spread
    grains = GrainBuf.ar(
        channel_count=2,
        trigger=trigger,
        duration=size,
        buffer_id=recorder.buffer,
        rate=stage["pitch"].semitones_to_ratio(),
        position=recorder.position(seconds_ago),
        pan=pan,
    )
    overlap = (density * size).max(1.0)
    return [channel / overlap.sqrt() for channel in grains]


def granular_delay(stage: Stage) -> list[Signal]:
    """Grains of the input as it was ``time`` seconds ago, repitched by ``pitch``."""
    recorder = _Recorder(_mean(stage.dry))
    reach = stage["grain_size"] * stage["pitch"].semitones_to_ratio().max(1.0) + 0.01
    trigger = Impulse.ar(frequency=stage["density"])
    return _grains(recorder, stage, stage["time"].max(reach), trigger, 0.6)


def granular_freeze(stage: Stage) -> list[Signal]:
    """A stationary grain cloud from the last moments, ``spread`` scattering where grains start.

    Extra argument ``hold`` (0/1) stops recording, freezing the cloud on what it holds.
    """
    recorder = _Recorder(_mean(stage.dry), stage.arg("hold", 0.0).clip(0, 1))
    trigger = Impulse.ar(frequency=stage["density"])
    scatter = TRand.ar(minimum=-1.0, maximum=1.0, trigger=trigger) * stage["spread"] * 0.2
    reach = stage["grain_size"] * stage["pitch"].semitones_to_ratio().max(1.0)
    return _grains(recorder, stage, 0.21 + reach + scatter, trigger, stage["spread"])


def spectral_freeze(stage: Stage) -> list[Signal]:
    """FFT magnitudes held while ``freeze`` is 1; ``blur`` smears them across bins."""
    bins = stage["blur"] * 32.0
    result = []
    for x in stage.dry:
        chain = FFT.kr(source=x, window_size=_SPECTRAL_FFT_SIZE)
        chain = PV_MagFreeze.kr(pv_chain=chain, freeze=stage["freeze"])
        chain = PV_MagSmear.kr(pv_chain=chain, bins=bins)
        result.append(IFFT.ar(pv_chain=chain))
    return result


def glitch(stage: Stage) -> list[Signal]:
    """Stutter: at ``rate`` Hz, half the time, the last ``size`` seconds repeat in a loop."""
    buffer = cleared_buffer(GRAIN_BUFFER_FRAMES, channels=2)
    frames = BufFrames.ir(buffer_id=buffer)
    head = Phasor.ar(trigger=0, rate=1.0, start=0.0, stop=frames)
    BufWr.ar(buffer_id=buffer, phase=head, loop=1, source=stage.dry)
    clock = Impulse.kr(frequency=stage["rate"])
    stutter = Latch.kr(
        source=TRand.kr(minimum=0.0, maximum=1.0, trigger=clock) < 0.5, trigger=clock
    )
    length = (stage["size"] * SampleRate.ir()).clip(64.0, frames * 0.5)
    start = Latch.ar(source=head, trigger=K2A.ar(source=clock)) - length
    loop = Phasor.ar(trigger=clock, rate=1.0, start=0.0, stop=length)
    phase = Wrap.ar(source=start + loop, minimum=0.0, maximum=frames)
    repeated = BufRd.ar(channel_count=2, buffer_id=buffer, phase=phase, loop=1)
    amount = stutter.lagged(0.005)
    return [dry + (rep - dry) * amount for dry, rep in zip(stage.dry, list(repeated), strict=True)]


def denoise(stage: Stage) -> list[Signal]:
    """High-pass at ``hp_freq`` and a downward expander below ``threshold`` (-60..-20 dBFS)."""
    filtered = [HPF.ar(source=x, frequency=stage["hp_freq"]) for x in stage.dry]
    key = _mean(filtered)
    floor = 0.001 * 100 ** stage["threshold"]
    relax = 0.05 + stage["smoothing"] * 0.5
    return [
        Compander.ar(
            source=x,
            control=key,
            threshold=floor,
            slope_below=4.0,
            slope_above=1.0,
            clamp_time=0.005,
            relax_time=relax,
        )
        for x in filtered
    ]


def convolution_reverb(stage: Stage) -> list[Signal]:
    """Partitioned convolution with the impulse response prepared in buffer ``ir_buffer``.

    ``ir_buffer`` (an extra argument, not a catalog parameter: the stage's ``ir_path`` names
    the file) is a spectrum buffer the engine allocated before the synth started and fills with
    ``/b_gen <spectrum> PreparePartConv <ir> 2048``; PartConv takes the buffer's memory when
    the synth starts and reads it in place afterwards.
    """
    predelay = stage["predelay"]
    # A negative buffer number crashes scsynth 3.13 inside PartConv, while a number beyond
    # the server's buffers only makes it print an error and stay silent: so "no IR" (-1)
    # becomes such a number.
    ir_buffer = stage.arg("ir_buffer", -1.0)
    spectrum = Select.kr(selector=ir_buffer < 0, sources=[ir_buffer, _NO_SPECTRUM])
    return [
        PartConv.ar(
            source=DelayC.ar(source=x, maximum_delay_time=0.5, delay_time=predelay),
            fft_size=PARTCONV_FFT_SIZE,
            ir_buffer_id=spectrum,
        )
        * 0.5
        for x in stage.dry
    ]


BODIES: dict[str, ProcessorBody] = {
    "freq_shifter": freq_shifter,
    "pitch_shifter": pitch_shifter,
    "autotune": autotune,
    "granular_delay": granular_delay,
    "granular_freeze": granular_freeze,
    "spectral_freeze": spectral_freeze,
    "glitch": glitch,
    "denoise": denoise,
    "convolution_reverb": convolution_reverb,
}
"""Pitch, granular, spectral and convolution effect bodies by catalog name."""
