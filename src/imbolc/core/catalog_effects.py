"""The filter and effect tables.

Read them through :mod:`imbolc.core.catalog`; the tables are built by functions because the
spec types live there. Defaults and ranges follow the reference inventory. Where it gives a
default without a range, normalized amounts (mix, depth, feedback...) get [0, 1], and times,
rates and levels get the musical ranges written out below. The labels of choice parameters
are ours: the inventory only gives their index range.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imbolc.core.catalog_sources import bool_param, choice_param, int_param, num_param

if TYPE_CHECKING:
    from imbolc.core.catalog import EffectCategory, EffectSpec, FilterSpec, ParamSpec

__all__ = ["effect_table", "filter_table"]


def filter_table() -> tuple[FilterSpec, ...]:
    """Every filter, in the reference inventory's order; each has a mono variant."""
    from imbolc.core.catalog import FilterSpec

    p = num_param
    common = (p("cutoff", 1000, 20, 20000, "Hz"), p("resonance", 0.5, 0, 1))

    def flt(name: str, display: str, synth: str, *extra: ParamSpec) -> FilterSpec:
        return FilterSpec(name, display, (*common, *extra), f"imbolc_{synth}")

    return (
        flt("lpf", "Low-Pass", "lpf"),
        flt("hpf", "High-Pass", "hpf"),
        flt("bpf", "Band-Pass", "bpf"),
        flt("notch", "Notch", "notch"),
        flt("comb", "Comb", "comb"),
        flt("allpass", "Allpass", "allpass"),
        flt("vowel", "Vowel", "vowel", p("shape", 0, 0, 1)),
        # The inventory gives only drive's range; 2 makes the drive audible out of the box.
        flt("res_drive", "ResDrive", "resdrive", p("drive", 2, 1, 8, "x")),
    )


def effect_table() -> tuple[EffectSpec, ...]:
    """Every built-in effect, in the reference inventory's order."""
    from imbolc.core.catalog import EffectSpec

    p = num_param

    def fx(
        category: EffectCategory,
        name: str,
        display: str,
        *params: ParamSpec,
        mono: bool = True,
        needs: tuple[str, ...] = (),
    ) -> EffectSpec:
        return EffectSpec(name, display, category, params, f"imbolc_{name}", mono, needs)

    def unit(name: str, default: float) -> ParamSpec:
        return p(name, default, 0, 1)

    def mix(default: float) -> ParamSpec:
        return unit("mix", default)

    def rate(default: float, low: float = 0.01, high: float = 20.0) -> ParamSpec:
        return p("rate", default, low, high, "Hz")

    def seconds(name: str, default: float, low: float, high: float) -> ParamSpec:
        return p(name, default, low, high, "s")

    def semitones(name: str, default: float, span: float) -> ParamSpec:
        return p(name, default, -span, span, "st")

    def decibels(name: str, default: float) -> ParamSpec:
        return p(name, default, -12, 12, "dB")

    def hertz(name: str, default: float, low: float, high: float) -> ParamSpec:
        return p(name, default, low, high, "Hz")

    lfo_shapes = ("sine", "triangle", "square")
    grain_size = seconds("grain_size", 0.1, 0.01, 0.5)
    grain_density = p("density", 10, 1, 40, "Hz")
    sidechain = ("sidechain_bus",)

    return (
        fx("time", "delay", "Delay", seconds("time", 0.3, 0, 2), unit("feedback", 0.5), mix(0.3)),
        fx("time", "reverb", "Reverb", unit("room", 0.5), unit("damp", 0.5), mix(0.3)),
        fx(
            "dynamics",
            "gate",
            "Gate",
            rate(4, 0.1, 32),
            unit("depth", 1),
            choice_param("shape", 1, "square", "ramp", "sine"),
        ),
        fx(
            "dynamics",
            "tape_comp",
            "Tape Comp",
            p("drive", 1.5, 1, 8, "x"),
            unit("threshold", 0.5),
            p("ratio", 3, 1, 20, "x"),
            p("makeup", 1, 0, 4, "x"),
            mix(1),
        ),
        fx(
            "dynamics",
            "sc_comp",
            "Sidechain Comp",
            int_param("sc_bus", 0, 0, 8),  # 0 = no sidechain bus
            int_param("key_instrument", 0, 0, 999),  # 0 = none; else keyed by this instrument
            unit("threshold", 0.3),
            p("ratio", 4, 1, 20, "x"),
            seconds("attack", 0.01, 0.001, 0.5),
            seconds("release", 0.1, 0.01, 2),
            mix(1),
            needs=sidechain,
        ),
        fx(
            "modulation",
            "chorus",
            "Chorus",
            rate(0.5, 0.1, 10),
            seconds("depth", 0.005, 0.001, 0.05),
            mix(0.5),
        ),
        fx(
            "modulation",
            "flanger",
            "Flanger",
            rate(0.3, 0.01, 10),
            seconds("depth", 0.003, 0.0005, 0.02),
            p("feedback", 0.5, 0, 0.99),
            mix(0.5),
        ),
        fx(
            "modulation",
            "phaser",
            "Phaser",
            rate(0.5, 0.01, 10),
            unit("depth", 0.5),
            int_param("stages", 4, 2, 12),
            unit("feedback", 0.3),
            mix(0.5),
        ),
        fx(
            "modulation",
            "tremolo",
            "Tremolo",
            rate(4, 0.1, 32),
            unit("depth", 0.5),
            choice_param("shape", 0, *lfo_shapes),
            mix(1),
        ),
        fx(
            "distortion",
            "distortion",
            "Distortion",
            p("drive", 2, 1, 20, "x"),
            choice_param("mode", 0, "soft", "hard", "fold"),
            unit("tone", 0.5),
            mix(0.5),
        ),
        fx(
            "distortion",
            "bitcrusher",
            "Bitcrusher",
            hertz("rate", 8000, 100, 44100),
            int_param("bits", 8, 1, 16),
            mix(0.5),
        ),
        fx(
            "distortion",
            "wavefolder",
            "Wavefolder",
            p("drive", 1, 0.1, 10, "x"),
            unit("symmetry", 0.5),
            mix(0.5),
        ),
        fx(
            "distortion",
            "saturator",
            "Saturator",
            p("drive", 1.5, 1, 8, "x"),
            unit("color", 0.5),
            mix(0.5),
        ),
        fx("eq", "tilt_eq", "Tilt EQ", p("tilt", 0, -1, 1), hertz("frequency", 1000, 100, 10000)),
        fx(
            "stereo",
            "stereo_widener",
            "Stereo Widener",
            p("width", 1, 0, 2, "x"),
            mix(1),
            mono=False,
        ),
        fx("pitch", "freq_shifter", "Freq Shifter", hertz("shift_hz", 0, -2000, 2000), mix(0.5)),
        fx(
            "dynamics",
            "limiter",
            "Limiter",
            unit("threshold", 0.9),
            seconds("release", 0.01, 0.001, 1),
            unit("ceiling", 1),
        ),
        fx(
            "pitch",
            "pitch_shifter",
            "Pitch Shifter",
            semitones("shift", 0, 12),
            seconds("window", 0.2, 0.01, 1),
            mix(0.5),
        ),
        fx(
            "character",
            "vinyl",
            "Vinyl",
            unit("wow", 0.3),
            unit("flutter", 0.3),
            unit("noise", 0.1),
            unit("hiss", 0.05),
            mix(0.5),
        ),
        fx(
            "character",
            "cabinet",
            "Cabinet",
            choice_param("type", 0, "1x12", "2x12", "4x12", "open_back"),
            unit("tone", 0.5),
            mix(0.5),
        ),
        fx(
            "granular",
            "granular_delay",
            "Granular Delay",
            seconds("time", 0.3, 0, 2),
            grain_size,
            grain_density,
            semitones("pitch", 0, 12),
            mix(0.5),
            mono=False,
        ),
        fx(
            "granular",
            "granular_freeze",
            "Granular Freeze",
            grain_size,
            grain_density,
            semitones("pitch", 0, 12),
            unit("spread", 0.5),
            mix(0.5),
            mono=False,
        ),
        fx(
            "convolution",
            "convolution_reverb",
            "Convolution Reverb",
            mix(0.3),
            seconds("predelay", 0, 0, 0.5),
            mono=False,
            needs=("ir_buffer",),
        ),
        fx("synthesis", "vocoder", "Vocoder", int_param("bands", 16, 4, 32), mix(0.5), mono=False),
        fx(
            "synthesis",
            "ringmod",
            "Ring Mod",
            hertz("freq", 440, 20, 5000),
            unit("depth", 0.5),
            mix(0.5),
            mono=False,
        ),
        fx(
            "modulation",
            "autopan",
            "Autopan",
            rate(2),
            unit("depth", 0.5),
            choice_param("shape", 0, *lfo_shapes),
            mix(1),
            mono=False,
        ),
        fx(
            "synthesis",
            "resonator",
            "Resonator",
            hertz("freq", 440, 20, 20000),
            seconds("decay", 1, 0.01, 5),
            mix(0.5),
            mono=False,
        ),
        fx(
            "dynamics",
            "multiband_comp",
            "Multiband Comp",
            unit("low_thresh", 0.3),
            unit("mid_thresh", 0.3),
            unit("hi_thresh", 0.3),
            mix(1),
            mono=False,
        ),
        fx(
            "eq",
            "para_eq",
            "Para EQ",
            hertz("lo_freq", 200, 20, 1000),
            hertz("mid_freq", 1000, 200, 8000),
            hertz("hi_freq", 5000, 1000, 20000),
            decibels("lo_gain", 0),
            decibels("mid_gain", 0),
            decibels("hi_gain", 0),
            mono=False,
        ),
        fx(
            "spectral",
            "spectral_freeze",
            "Spectral Freeze",
            bool_param("freeze", False),
            unit("blur", 0),
            mix(0.5),
            mono=False,
        ),
        fx(
            "spectral",
            "glitch",
            "Glitch",
            rate(4, 0.5, 32),
            seconds("size", 0.1, 0.01, 1),
            mix(0.5),
            mono=False,
        ),
        # speed: 0 stopped, 1 slow (chorale), 2 fast (tremolo); continuous so it can ramp.
        fx(
            "modulation",
            "leslie",
            "Leslie",
            p("speed", 1, 0, 2),
            unit("horn_depth", 0.5),
            mix(0.5),
            mono=False,
        ),
        fx(
            "time",
            "spring_reverb",
            "Spring Reverb",
            seconds("decay", 2, 0.1, 6),
            unit("tone", 0.5),
            mix(0.3),
            mono=False,
        ),
        fx(
            "envelope",
            "env_follower",
            "Env Follower",
            seconds("attack", 0.01, 0.001, 1),
            seconds("release", 0.1, 0.01, 2),
            unit("depth", 0.5),
            mix(1),
            mono=False,
        ),
        fx(
            "stereo",
            "midside",
            "Mid/Side",
            p("width", 1, 0, 3, "x"),
            decibels("mid_gain", 0),
            decibels("side_gain", 0),
            mono=False,
        ),
        fx(
            "stereo",
            "crossfader",
            "Crossfader",
            unit("crossfade", 0.5),
            int_param("bus_b", 0, 0, 8),  # 0 = no bus selected
            mono=False,
            needs=sidechain,
        ),
        fx(
            "spectral",
            "denoise",
            "Denoise",
            unit("threshold", 0.3),
            hertz("hp_freq", 80, 20, 500),
            unit("smoothing", 0.5),
            mix(1),
            mono=False,
        ),
        fx("pitch", "autotune", "Autotune", unit("speed", 0.5), semitones("shift", 0, 12), mix(1)),
        fx(
            "envelope",
            "wah_pedal",
            "Wah Pedal",
            unit("position", 0.5),
            p("resonance", 3, 0.5, 10),
            choice_param("mode", 0, "manual", "auto"),
            unit("sensitivity", 0.5),
            mix(1),
        ),
    )
