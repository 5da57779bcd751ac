"""The built-in source table, and the small parameter builders both tables use.

Read it through :mod:`imbolc.core.catalog`. The table is built by a function rather than at
import time because the spec types live in ``catalog``, which imports this module.

Parameter defaults and ranges follow the reference inventory. Where it gives a default but
no range, normalized amounts get [0, 1]. Drums, mallets, plucked strings and the classic
synths have no documented parameters beyond freq/amp, so their extra parameters are ours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imbolc.core.catalog import EnvelopeSpec, ParamSpec, SourceCategory, SourceSpec

__all__ = ["bool_param", "choice_param", "int_param", "num_param", "source_table"]


def num_param(name: str, default: float, low: float, high: float, unit: str = "") -> ParamSpec:
    """A continuous parameter."""
    from imbolc.core.catalog import ParamSpec

    return ParamSpec(name, float(default), float(low), float(high), unit)


def int_param(name: str, default: int, low: int, high: int, unit: str = "") -> ParamSpec:
    """A parameter that only takes whole numbers."""
    from imbolc.core.catalog import ParamSpec

    return ParamSpec(name, float(default), float(low), float(high), unit, kind="int")


def bool_param(name: str, default: bool) -> ParamSpec:
    """An on/off parameter carried as 0.0 or 1.0."""
    from imbolc.core.catalog import ParamSpec

    return ParamSpec(name, float(default), 0.0, 1.0, kind="bool")


def choice_param(name: str, default: int, *choices: str) -> ParamSpec:
    """A parameter whose value is an index into ``choices``."""
    from imbolc.core.catalog import ParamSpec

    top = float(len(choices) - 1)
    return ParamSpec(name, float(default), 0.0, top, kind="choice", choices=choices)


def source_table() -> tuple[SourceSpec, ...]:
    """Every built-in source, in the reference inventory's order."""
    from imbolc.core.catalog import DEFAULT_ENVELOPE, DEFAULT_VOICE_CAP, EnvelopeSpec, SourceSpec

    p = num_param
    drum_env = EnvelopeSpec(0.001, 0.3, 0.0, 0.1)
    plucked_env = EnvelopeSpec(0.001, 2.5, 0.0, 0.1)
    mallet_env = EnvelopeSpec(0.001, 1.5, 0.0, 0.2)
    bell_env = EnvelopeSpec(0.001, 2.0, 0.0, 0.5)
    sustained_env = EnvelopeSpec(0.05, 0.1, 0.8, 0.3)
    stab_env = EnvelopeSpec(0.01, 0.3, 0.5, 0.2)
    membrane_env = EnvelopeSpec(0.001, 0.8, 0.0, 0.15)

    amp = p("amp", 0.5, 0, 1)
    tone = (p("freq", 440, 20, 20000, "Hz"), amp)

    def src(
        category: SourceCategory,
        name: str,
        display: str,
        synth: str,
        *extra: ParamSpec,
        params: tuple[ParamSpec, ...] | None = None,
        env: EnvelopeSpec = DEFAULT_ENVELOPE,
        voice_cap: int = DEFAULT_VOICE_CAP,
        mono: bool = False,
        needs: tuple[str, ...] = (),
        pitched: bool = True,
    ) -> SourceSpec:
        """One source; its params are freq, amp and ``extra`` unless ``params`` is given."""
        return SourceSpec(
            name=name,
            display=display,
            category=category,
            params=(*tone, *extra) if params is None else params,
            envelope=env,
            synthdef=f"imbolc_{synth}",
            voice_cap=voice_cap,
            mono_variant=mono,
            needs=needs,
            pitched=pitched,
        )

    def drum(name: str, display: str, *extra: ParamSpec) -> SourceSpec:
        # Drums are one-shots: a note only triggers them, and "freq" is the drum's tuning.
        params = (p("amp", 0.8, 0, 1), *extra)
        return src(
            "drum", name, display, name, params=params, env=drum_env, voice_cap=8, pitched=False
        )

    def brightness(default: float = 0.5) -> ParamSpec:
        return p("brightness", default, 0, 1)

    def hardness(default: float = 0.5) -> ParamSpec:
        return p("hardness", default, 0, 1)

    def decay(default: float, high: float = 10.0) -> ParamSpec:
        return p("decay", default, 0.01, high, "s")

    def unit(name: str, default: float) -> ParamSpec:
        return p(name, default, 0, 1)

    vowels = ("a", "e", "i", "o", "u")
    noise_colors = ("white", "pink", "brown", "dust", "crackle")
    # Gendy1's amplitude/duration distributions, in SuperCollider's numbering.
    gendy_dists = ("linear", "cauchy", "logistic", "hyperbcos", "arcsine", "expon", "sinus")
    sample = ("sample_buffer",)
    noise_params = (amp, choice_param("color", 0, *noise_colors), p("density", 20, 1, 100, "Hz"))
    gendy_params = (
        amp,
        choice_param("ampdist", 1, *gendy_dists),
        choice_param("durdist", 1, *gendy_dists),
        p("minfreq", 100, 20, 5000, "Hz"),
        p("maxfreq", 1000, 20, 10000, "Hz"),
    )
    chaos_params = (
        amp,
        int_param("model", 0, 0, 1),
        p("chaos_freq", 8000, 100, 22050, "Hz"),
        p("chaos_param", 1.3, 0, 2),
    )
    audio_in_params = (
        p("gain", 1, 0, 4, "x"),
        int_param("channel", 0, 0, 7),
        bool_param("test_tone", False),
        p("test_freq", 440, 20, 2000, "Hz"),
    )
    bus_in_params = (int_param("bus", 1, 1, 8), p("gain", 1, 0, 4, "x"))
    sampler_params = (p("rate", 1, -2, 2, "x"), p("amp", 0.8, 0, 1), bool_param("loop", False))
    stretch_params = (
        p("stretch", 1, 0.25, 4, "x"),
        p("pitch", 0, -24, 24, "st"),
        p("grain_size", 0.1, 0.01, 0.5, "s"),
        int_param("overlap", 4, 1, 8),
        p("amp", 0.8, 0, 1),
    )

    return (
        # Oscillators
        src("oscillator", "saw", "Saw", "saw", mono=True),
        src("oscillator", "sine", "Sine", "sin", mono=True),
        src("oscillator", "square", "Square", "sqr", mono=True),
        src("oscillator", "triangle", "Triangle", "tri", mono=True),
        src("oscillator", "noise", "Noise", "noise", params=noise_params, mono=True, pitched=False),
        src("oscillator", "pulse", "Pulse", "pulse", p("width", 0.5, 0.01, 0.99), mono=True),
        src(
            "oscillator", "supersaw", "SuperSaw", "supersaw", unit("detune", 0.3), unit("mix", 0.5)
        ),
        src("oscillator", "sync", "Sync", "sync", p("sync_ratio", 2, 1, 8, "x")),
        # FM / modulation
        src(
            "fm",
            "ring_mod",
            "Ring Mod",
            "ring",
            p("mod_ratio", 2, 0.1, 16, "x"),
            unit("mod_depth", 0.5),
        ),
        src("fm", "fb_sine", "FB Sine", "fbsin", p("feedback", 0, 0, 3)),
        src("fm", "fm", "FM", "fm", p("ratio", 2, 0.25, 16, "x"), p("index", 1, 0, 20)),
        src(
            "fm",
            "phase_mod",
            "Phase Mod",
            "phasemod",
            p("ratio", 2, 0.25, 16, "x"),
            p("index", 1, 0, 10),
        ),
        src("fm", "fm_bell", "FM Bell", "fm_bell", env=bell_env),
        src("fm", "fm_brass", "FM Brass", "fm_brass", env=stab_env),
        # Physical models
        src("physical", "pluck", "Pluck", "pluck", decay(2), unit("coef", 0.3), env=plucked_env),
        src(
            "physical",
            "formant",
            "Formant",
            "formant",
            p("formant", 800, 100, 5000, "Hz"),
            p("bw", 200, 10, 1000, "Hz"),
        ),
        src(
            "physical",
            "bowed",
            "Bowed",
            "bowed",
            unit("pressure", 0.5),
            p("bow_pos", 0.12, 0.01, 0.5),
            env=sustained_env,
        ),
        src(
            "physical",
            "blown",
            "Blown",
            "blown",
            unit("pressure", 0.5),
            unit("embouchure", 0.5),
            env=sustained_env,
        ),
        src(
            "physical",
            "membrane",
            "Membrane",
            "membrane",
            p("tension", 0.05, 0.01, 0.2),
            p("loss", 0.99, 0.9, 1),
            env=membrane_env,
        ),
        # Mallets
        src("mallet", "marimba", "Marimba", "marimba", hardness(), env=mallet_env),
        src(
            "mallet",
            "vibraphone",
            "Vibraphone",
            "vibes",
            hardness(0.3),
            p("motor_rate", 5, 0, 12, "Hz"),
            unit("motor_depth", 0.3),
            env=mallet_env,
        ),
        src("mallet", "kalimba", "Kalimba", "kalimba", hardness(0.4), brightness(), env=mallet_env),
        src(
            "mallet",
            "steel_drum",
            "Steel Drum",
            "steel_drum",
            hardness(),
            brightness(0.6),
            env=mallet_env,
        ),
        src(
            "mallet",
            "tubular_bell",
            "Tubular Bell",
            "tubular_bell",
            hardness(0.6),
            brightness(),
            env=bell_env,
        ),
        src(
            "mallet", "glockenspiel", "Glockenspiel", "glockenspiel", hardness(0.7), env=mallet_env
        ),
        # Plucked strings
        src("plucked", "guitar", "Guitar", "guitar", decay(3), brightness(), env=plucked_env),
        src(
            "plucked",
            "bass_guitar",
            "Bass Guitar",
            "bass_guitar",
            decay(2),
            brightness(0.3),
            env=plucked_env,
        ),
        src("plucked", "harp", "Harp", "harp", decay(4), brightness(0.6), env=plucked_env),
        src("plucked", "koto", "Koto", "koto", decay(2.5), brightness(0.7), env=plucked_env),
        # Drums
        drum(
            "kick",
            "Kick",
            p("freq", 50, 20, 200, "Hz"),
            p("sweep", 4, 1, 16, "x"),
            decay(0.4, 2),
            unit("click", 0.3),
        ),
        drum(
            "snare",
            "Snare",
            p("freq", 180, 80, 400, "Hz"),
            unit("tone", 0.5),
            unit("snappy", 0.6),
            decay(0.2, 1),
        ),
        drum("hihat_closed", "HiHat Closed", unit("tone", 0.5), decay(0.05, 0.5)),
        drum("hihat_open", "HiHat Open", unit("tone", 0.5), decay(0.4, 2)),
        drum(
            "clap", "Clap", unit("tone", 0.5), p("spread", 0.01, 0.001, 0.05, "s"), decay(0.25, 1)
        ),
        drum("cowbell", "Cowbell", p("freq", 560, 200, 1200, "Hz"), decay(0.3, 2)),
        drum("rim", "Rim", p("freq", 1700, 500, 4000, "Hz"), decay(0.04, 0.3)),
        drum(
            "tom", "Tom", p("freq", 120, 40, 400, "Hz"), p("sweep", 1.5, 1, 4, "x"), decay(0.4, 2)
        ),
        drum("clave", "Clave", p("freq", 2500, 1000, 5000, "Hz"), decay(0.05, 0.3)),
        drum("conga", "Conga", p("freq", 200, 80, 600, "Hz"), unit("tone", 0.5), decay(0.3, 1.5)),
        # Classic synths
        src(
            "classic",
            "choir",
            "Choir",
            "choir",
            choice_param("vowel", 0, *vowels),
            unit("breath", 0.2),
            env=sustained_env,
        ),
        src("classic", "epiano", "EPiano", "epiano", hardness(), unit("tine", 0.5), env=stab_env),
        src(
            "classic",
            "organ",
            "Organ",
            "organ",
            unit("drawbar_low", 0.8),
            unit("drawbar_mid", 1),
            unit("drawbar_high", 0.5),
            env=sustained_env,
        ),
        src(
            "classic",
            "brass_stab",
            "Brass Stab",
            "brass_stab",
            brightness(0.6),
            unit("detune", 0.2),
            env=stab_env,
        ),
        src(
            "classic",
            "strings",
            "Strings",
            "strings",
            brightness(),
            unit("detune", 0.2),
            env=sustained_env,
        ),
        src(
            "classic",
            "acid",
            "Acid",
            "acid",
            p("cutoff", 800, 50, 8000, "Hz"),
            unit("resonance", 0.7),
            unit("env_mod", 0.5),
        ),
        # Experimental
        src("experimental", "gendy", "Gendy", "gendy", params=gendy_params, pitched=False),
        src("experimental", "chaos", "Chaos", "chaos", params=chaos_params, pitched=False),
        # Synthesis
        src(
            "synthesis",
            "additive",
            "Additive",
            "additive",
            int_param("harmonics", 8, 1, 32),
            p("rolloff", 1, 0, 2),
        ),
        src(
            "synthesis",
            "wavetable",
            "Wavetable",
            "wavetable",
            unit("position", 0),
            needs=("wavetable_buffers",),
        ),
        src(
            "synthesis",
            "granular",
            "Granular",
            "granular",
            p("grain_size", 0.05, 0.001, 0.5, "s"),
            p("density", 20, 1, 100, "Hz"),
            unit("spread", 0),
            unit("pitch_rnd", 0),
        ),
        # Routing: these run continuously rather than per note, so one voice is enough.
        src(
            "routing",
            "audio_in",
            "Audio In",
            "audio_in",
            params=audio_in_params,
            voice_cap=1,
            needs=("audio_input",),
            pitched=False,
        ),
        src(
            "routing",
            "bus_in",
            "Bus In",
            "bus_in",
            params=bus_in_params,
            voice_cap=1,
            pitched=False,
        ),
        # Samplers
        src(
            "sampler",
            "pitched_sampler",
            "Pitched Sampler",
            "sampler",
            params=sampler_params,
            needs=sample,
        ),
        src(
            "sampler",
            "time_stretch",
            "Time Stretch",
            "timestretch",
            params=stretch_params,
            needs=sample,
        ),
        src("sampler", "kit", "Kit", "sampler_oneshot", params=(), needs=sample, pitched=False),
    )
