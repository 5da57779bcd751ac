"""Specification of the catalog of sources, filters and effects."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

import msgspec
import pytest

from imbolc.core import catalog
from imbolc.core.catalog import (
    DEFAULT_VOICE_CAP,
    EFFECTS,
    FILTERS,
    MAX_VOICE_CAP,
    SOURCES,
    EffectSpec,
    EnvelopeSpec,
    FilterSpec,
    ParamSpec,
    SourceSpec,
)
from imbolc.core.errors import UnknownCatalogEntry, ValueOutOfRange, WrongType

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

Spec = SourceSpec | FilterSpec | EffectSpec
ALL_SPECS: list[Spec] = [*SOURCES.values(), *FILTERS.values(), *EFFECTS.values()]
ALL_PARAMS = [(spec.name, param) for spec in ALL_SPECS for param in spec.params]

DRUMS = (
    "kick",
    "snare",
    "hihat_closed",
    "hihat_open",
    "clap",
    "cowbell",
    "rim",
    "tom",
    "clave",
    "conga",
)


def env(attack: float, decay: float, sustain: float, release: float) -> EnvelopeSpec:
    return EnvelopeSpec(attack, decay, sustain, release)


# --- counts, names and shape -------------------------------------------------------------


def test_there_are_55_sources() -> None:
    assert len(SOURCES) == 55


def test_there_are_8_filters() -> None:
    assert len(FILTERS) == 8


def test_there_are_39_effects() -> None:
    assert len(EFFECTS) == 39


@pytest.mark.parametrize("table", [SOURCES, FILTERS, EFFECTS], ids=["source", "filter", "effect"])
def test_each_entry_is_keyed_by_its_own_snake_case_name(table: Mapping[str, Spec]) -> None:
    for key, spec in table.items():
        assert spec.name == key
        assert SNAKE.match(key), key


@pytest.mark.parametrize("table", [SOURCES, FILTERS, EFFECTS], ids=["source", "filter", "effect"])
def test_display_names_are_unique_within_a_table(table: Mapping[str, Spec]) -> None:
    displays = [spec.display for spec in table.values()]
    assert len(displays) == len(set(displays))


def test_tables_follow_the_reference_order() -> None:
    assert list(SOURCES)[:4] == ["saw", "sine", "square", "triangle"]
    assert list(SOURCES)[-3:] == ["pitched_sampler", "time_stretch", "kit"]
    assert list(FILTERS) == [
        "lpf",
        "hpf",
        "bpf",
        "notch",
        "comb",
        "allpass",
        "vowel",
        "res_drive",
    ]
    assert list(EFFECTS)[:5] == ["delay", "reverb", "gate", "tape_comp", "sc_comp"]
    assert list(EFFECTS)[-1] == "wah_pedal"


def test_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        SOURCES["saw"] = SOURCES["sine"]  # type: ignore[index]


def test_specs_are_frozen() -> None:
    with pytest.raises(AttributeError):
        SOURCES["saw"].voice_cap = 3  # type: ignore[misc]


def test_specs_round_trip_through_json() -> None:
    for spec in ALL_SPECS:
        encoded = msgspec.json.encode(spec)
        assert msgspec.json.decode(encoded, type=type(spec)) == spec


# --- parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize(("owner", "param"), ALL_PARAMS, ids=lambda v: getattr(v, "name", v))
def test_every_default_lies_within_its_range(owner: str, param: ParamSpec) -> None:
    assert param.min <= param.default <= param.max, owner


@pytest.mark.parametrize(("owner", "param"), ALL_PARAMS, ids=lambda v: getattr(v, "name", v))
def test_every_default_passes_its_own_validation(owner: str, param: ParamSpec) -> None:
    assert param.validate(param.default) == param.default, owner


def test_param_names_are_snake_case_and_unique_within_an_entry() -> None:
    for spec in ALL_SPECS:
        names = [param.name for param in spec.params]
        assert len(names) == len(set(names)), spec.name
        assert all(SNAKE.match(name) for name in names), spec.name


def test_choice_params_label_every_index() -> None:
    for _, param in ALL_PARAMS:
        if param.kind == "choice":
            assert param.min == 0
            assert param.max == len(param.choices) - 1
        else:
            assert param.choices == ()


def test_most_pitched_sources_start_with_freq_and_amp() -> None:
    saw = SOURCES["saw"]
    assert [p.name for p in saw.params] == ["freq", "amp"]
    assert saw.param("freq") == ParamSpec("freq", 440.0, 20.0, 20000.0, "Hz")
    assert saw.param("amp") == ParamSpec("amp", 0.5, 0.0, 1.0)


def test_extra_source_params_follow_freq_and_amp() -> None:
    assert [p.name for p in SOURCES["fm"].params] == ["freq", "amp", "ratio", "index"]
    assert SOURCES["fm"].param("index").max == 20
    assert SOURCES["phase_mod"].param("index").max == 10


def test_noise_color_is_a_choice_of_five_noises() -> None:
    color = SOURCES["noise"].param("color")
    assert color.kind == "choice"
    assert color.choices == ("white", "pink", "brown", "dust", "crackle")


def test_kit_has_no_params() -> None:
    assert SOURCES["kit"].params == ()


def test_every_filter_starts_with_cutoff_and_resonance() -> None:
    for spec in FILTERS.values():
        cutoff, resonance = spec.params[:2]
        assert cutoff == ParamSpec("cutoff", 1000.0, 20.0, 20000.0, "Hz")
        assert resonance == ParamSpec("resonance", 0.5, 0.0, 1.0)


def test_only_vowel_and_res_drive_filters_have_extra_params() -> None:
    extras = {name: [p.name for p in spec.params[2:]] for name, spec in FILTERS.items()}
    assert {name: names for name, names in extras.items() if names} == {
        "vowel": ["shape"],
        "res_drive": ["drive"],
    }
    drive = FILTERS["res_drive"].param("drive")
    assert (drive.min, drive.max) == (1, 8)


def test_unknown_param_raises_unknown_catalog_entry() -> None:
    with pytest.raises(UnknownCatalogEntry) as caught:
        SOURCES["fm"].param("indx")
    assert caught.value.kind == "parameter"
    assert "index" in str(caught.value)


# --- ParamSpec.validate --------------------------------------------------------------------

CUTOFF = ParamSpec("cutoff", 1000.0, 20.0, 20000.0, "Hz")
STAGES = ParamSpec("stages", 4.0, 2.0, 12.0, kind="int")
LOOP = ParamSpec("loop", 0.0, 0.0, 1.0, kind="bool")
COLOR = ParamSpec("color", 0.0, 0.0, 2.0, kind="choice", choices=("a", "b", "c"))


def test_validate_returns_an_in_range_value_as_float() -> None:
    result = CUTOFF.validate(440)
    assert result == 440.0
    assert type(result) is float


def test_validate_accepts_the_range_ends() -> None:
    assert CUTOFF.validate(20.0) == 20.0
    assert CUTOFF.validate(20000.0) == 20000.0


@pytest.mark.parametrize("value", [19.99, 20000.5, -1.0])
def test_validate_rejects_out_of_range_values(value: float) -> None:
    with pytest.raises(ValueOutOfRange):
        CUTOFF.validate(value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_validate_rejects_nan_and_infinity(value: float) -> None:
    with pytest.raises(WrongType):
        CUTOFF.validate(value)


@pytest.mark.parametrize("value", ["440", None, [440], b"1"])
def test_validate_rejects_non_numbers(value: object) -> None:
    with pytest.raises(WrongType):
        CUTOFF.validate(value)


def test_validate_rejects_non_integral_values_for_int_params() -> None:
    with pytest.raises(WrongType):
        STAGES.validate(4.5)


def test_validate_accepts_integral_floats_for_int_params() -> None:
    assert STAGES.validate(6.0) == 6.0


@pytest.mark.parametrize(("value", "expected"), [(True, 1.0), (False, 0.0), (1, 1.0), (0, 0.0)])
def test_validate_accepts_bools_and_0_1_for_bool_params(value: object, expected: float) -> None:
    assert LOOP.validate(value) == expected


@pytest.mark.parametrize("value", [0.5, 2])
def test_validate_rejects_other_numbers_for_bool_params(value: float) -> None:
    with pytest.raises(WrongType):
        LOOP.validate(value)


def test_validate_rejects_fractional_and_out_of_range_choice_indexes() -> None:
    with pytest.raises(WrongType):
        COLOR.validate(1.5)
    with pytest.raises(ValueOutOfRange):
        COLOR.validate(3)


# --- SynthDefs -----------------------------------------------------------------------------


@pytest.mark.parametrize("table", [SOURCES, FILTERS, EFFECTS], ids=["source", "filter", "effect"])
def test_synthdef_names_start_with_imbolc_and_are_unique(
    table: Mapping[str, Spec],
) -> None:
    names = [spec.synthdef for spec in table.values()]
    assert all(name.startswith("imbolc_") for name in names)
    assert len(names) == len(set(names))


def test_synthdef_names_follow_the_reference_abbreviations() -> None:
    assert SOURCES["sine"].synthdef == "imbolc_sin"
    assert SOURCES["square"].synthdef == "imbolc_sqr"
    assert SOURCES["vibraphone"].synthdef == "imbolc_vibes"
    assert SOURCES["pitched_sampler"].synthdef == "imbolc_sampler"
    assert SOURCES["kit"].synthdef == "imbolc_sampler_oneshot"
    assert EFFECTS["ringmod"].synthdef == "imbolc_ringmod"


# --- envelopes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kick", env(0.001, 0.3, 0.0, 0.1)),
        ("guitar", env(0.001, 2.5, 0.0, 0.1)),
        ("pluck", env(0.001, 2.5, 0.0, 0.1)),
        ("marimba", env(0.001, 1.5, 0.0, 0.2)),
        ("fm_bell", env(0.001, 2.0, 0.0, 0.5)),
        ("tubular_bell", env(0.001, 2.0, 0.0, 0.5)),
        ("organ", env(0.05, 0.1, 0.8, 0.3)),
        ("bowed", env(0.05, 0.1, 0.8, 0.3)),
        ("epiano", env(0.01, 0.3, 0.5, 0.2)),
        ("fm_brass", env(0.01, 0.3, 0.5, 0.2)),
        ("membrane", env(0.001, 0.8, 0.0, 0.15)),
        ("saw", env(0.01, 0.1, 0.7, 0.3)),
        ("acid", env(0.01, 0.1, 0.7, 0.3)),
        ("wavetable", env(0.01, 0.1, 0.7, 0.3)),
    ],
)
def test_default_envelope_follows_the_source_category(name: str, expected: EnvelopeSpec) -> None:
    assert SOURCES[name].envelope == expected


def test_every_drum_shares_the_drum_envelope() -> None:
    drums = catalog.sources_by_category()["drum"]
    assert {spec.envelope for spec in drums} == {env(0.001, 0.3, 0.0, 0.1)}


# --- voices, mono variants, pitch and needs ------------------------------------------------


def test_voice_caps_are_between_1_and_the_maximum() -> None:
    assert MAX_VOICE_CAP == 64
    assert all(1 <= spec.voice_cap <= MAX_VOICE_CAP for spec in SOURCES.values())


def test_sources_default_to_24_voices() -> None:
    assert DEFAULT_VOICE_CAP == 24
    assert SOURCES["saw"].voice_cap == 24


def test_drums_are_unpitched_with_8_voices() -> None:
    for name in DRUMS:
        assert SOURCES[name].category == "drum"
        assert not SOURCES[name].pitched
        assert SOURCES[name].voice_cap == 8


def test_only_drums_and_noise_like_or_routing_sources_are_unpitched() -> None:
    unpitched = {name for name, spec in SOURCES.items() if not spec.pitched}
    assert unpitched == {*DRUMS, "noise", "gendy", "chaos", "audio_in", "bus_in", "kit"}


def test_mono_source_variants_exist_exactly_for_the_six_basic_oscillators() -> None:
    mono = {name for name, spec in SOURCES.items() if spec.mono_variant}
    assert mono == {"saw", "sine", "square", "triangle", "noise", "pulse"}


def test_every_filter_has_a_mono_variant() -> None:
    assert all(spec.mono_variant for spec in FILTERS.values())


def test_eighteen_effects_have_no_mono_variant() -> None:
    stereo_only = {name for name, spec in EFFECTS.items() if not spec.mono_variant}
    assert stereo_only == {
        "stereo_widener",
        "granular_delay",
        "granular_freeze",
        "midside",
        "autopan",
        "leslie",
        "convolution_reverb",
        "vocoder",
        "ringmod",
        "resonator",
        "multiband_comp",
        "para_eq",
        "spectral_freeze",
        "glitch",
        "spring_reverb",
        "env_follower",
        "crossfader",
        "denoise",
    }


def test_backend_needs_are_declared() -> None:
    for name in ("pitched_sampler", "time_stretch", "kit"):
        assert "sample_buffer" in SOURCES[name].needs
    assert SOURCES["audio_in"].needs == ("audio_input",)
    assert SOURCES["wavetable"].needs == ("wavetable_buffers",)
    assert EFFECTS["convolution_reverb"].needs == ("ir_buffer",)
    assert "sidechain_bus" in EFFECTS["sc_comp"].needs
    assert "sidechain_bus" in EFFECTS["crossfader"].needs
    assert SOURCES["saw"].needs == ()


# --- lookups -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["fm_bell", "FM Bell", "Fm Bell", "fm-bell", "FMBELL", " fm bell"]
)
def test_source_lookup_ignores_case_spaces_hyphens_and_underscores(query: str) -> None:
    assert catalog.source(query) is SOURCES["fm_bell"]


def test_source_lookup_accepts_display_names() -> None:
    assert catalog.source("HiHat Closed") is SOURCES["hihat_closed"]
    assert catalog.source("Pitched Sampler") is SOURCES["pitched_sampler"]


def test_filter_lookup_accepts_ids_and_display_names() -> None:
    assert catalog.filter_type("LPF") is FILTERS["lpf"]
    assert catalog.filter_type("low-pass") is FILTERS["lpf"]
    assert catalog.filter_type("Res Drive") is FILTERS["res_drive"]


def test_effect_lookup_accepts_ids_and_display_names() -> None:
    assert catalog.effect("Tape Comp") is EFFECTS["tape_comp"]
    assert catalog.effect("sidechain-comp") is EFFECTS["sc_comp"]
    assert catalog.effect("Ring Mod") is EFFECTS["ringmod"]
    assert catalog.effect("Mid Side") is EFFECTS["midside"]


def test_every_entry_is_found_by_its_id_and_display_name() -> None:
    for spec in SOURCES.values():
        assert catalog.source(spec.name) is spec
        assert catalog.source(spec.display) is spec
    for fspec in FILTERS.values():
        assert catalog.filter_type(fspec.display) is fspec
    for espec in EFFECTS.values():
        assert catalog.effect(espec.display) is espec


@pytest.mark.parametrize(
    ("lookup", "query", "kind", "suggestion"),
    [
        (catalog.source, "snar", "source", "snare"),
        (catalog.filter_type, "lpff", "filter", "lpf"),
        (catalog.effect, "revreb", "effect", "reverb"),
    ],
)
def test_unknown_names_raise_with_a_suggestion(
    lookup: Callable[[str], Spec], query: str, kind: str, suggestion: str
) -> None:
    with pytest.raises(UnknownCatalogEntry) as caught:
        lookup(query)
    assert caught.value.kind == kind
    assert caught.value.name == query
    assert suggestion in str(caught.value)


def test_sources_by_category_groups_every_source_in_order() -> None:
    groups = catalog.sources_by_category()
    assert sum(len(group) for group in groups.values()) == 55
    assert [spec.name for spec in groups["drum"]] == list(DRUMS)
    assert [spec.name for spec in groups["routing"]] == ["audio_in", "bus_in"]


def test_effects_by_category_matches_the_reference_grouping() -> None:
    counts = {category: len(group) for category, group in catalog.effects_by_category().items()}
    assert counts == {
        "time": 3,
        "dynamics": 5,
        "modulation": 6,
        "distortion": 4,
        "eq": 2,
        "stereo": 3,
        "pitch": 3,
        "granular": 2,
        "spectral": 3,
        "convolution": 1,
        "character": 2,
        "synthesis": 3,
        "envelope": 2,
    }
