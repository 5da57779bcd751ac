"""Core SuperCollider UGens that supriya 26.10b1 does not declare.

Each class is named exactly like the server's UGen and lists its inputs in the server's order,
because that name and order are all a compiled SynthDef carries. All of them ship with
scsynth's core plugins (OscUGens, GrainUGens, ReverbUGens, FFT_UGens).
"""

from __future__ import annotations

from supriya.ugens.core import UGen, param, ugen

__all__ = ["Formant", "FreeVerb2", "GrainSin", "PartConv", "SinOscFB", "Vibrato"]


@ugen(ar=True, is_pure=True)
class Formant(UGen):
    """Formant oscillator: a fundamental with a band of partials around a formant frequency."""

    fundamental_frequency = param(440.0)
    formant_frequency = param(1760.0)
    bandwidth_frequency = param(880.0)


@ugen(ar=True, kr=True, is_pure=True)
class SinOscFB(UGen):
    """Sine oscillator whose output feeds back into its phase."""

    frequency = param(440.0)
    feedback = param(0.0)


@ugen(ar=True, is_multichannel=True)
class GrainSin(UGen):
    """Granular synthesis with sine grains, panned across ``channel_count`` outputs."""

    trigger = param(0)
    duration = param(1)
    frequency = param(440.0)
    pan = param(0)
    envelope_buffer_id = param(-1)
    maximum_overlap = param(512)


@ugen(ar=True, channel_count=2, fixed_channel_count=True)
class FreeVerb2(UGen):
    """Stereo FreeVerb: two inputs, two outputs."""

    source = param()
    right = param()
    mix = param(0.33)
    room_size = param(0.5)
    damping = param(0.5)


@ugen(ar=True)
class PartConv(UGen):
    """Partitioned FFT convolution with a spectrum prepared by ``/b_gen ... PreparePartConv``."""

    source = param()
    fft_size = param(2048)
    ir_buffer_id = param()


@ugen(ar=True, kr=True, is_pure=True)
class Vibrato(UGen):
    """Slow frequency modulation. scsynth 3.13 reads a ninth input, ``trig`` (restart the
    delay and onset), that supriya's declaration lacks. Its ``frequency`` must be audio rate:
    the server reads a whole block from that input (feed control values through ``K2A``)."""

    frequency = param(440)
    rate = param(6)
    depth = param(0.02)
    delay = param(0)
    onset = param(0)
    rate_variation = param(0.04)
    depth_variation = param(0.1)
    initial_phase = param(0)
    trigger = param(0)
