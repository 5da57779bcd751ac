"""Specification of the SynthDef registry: the contract, the catalog coverage, real renders."""

from __future__ import annotations

import itertools
import math
import shutil
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile
from supriya.osc import OscMessage
from supriya.ugens import DC, Out, Select, SinOsc, SynthDef, SynthDefBuilder

from imbolc.core.catalog import EFFECTS, FILTERS, SOURCES, EffectSpec, FilterSpec, SourceSpec
from imbolc.core.errors import UnknownCatalogEntry
from imbolc.engine import synthdefs
from imbolc.engine.synthdefs import (
    UNAVAILABLE,
    NoMonoVariant,
    SynthDefUnavailable,
    UnknownSynthDef,
    all_synthdefs,
    compiled_bytes,
    synthdef_for,
    synthdef_names,
)
from imbolc.engine.synthdefs.contract import (
    ENVELOPE_ARGS,
    MIN_ENVELOPE_TIME,
    PROCESSOR_ARGS,
    SOURCE_ARGS,
    modulatable,
)

Processor = FilterSpec | EffectSpec
NrtRender = Callable[[Mapping[float, Sequence[OscMessage]], int, float, int], np.ndarray]

SAMPLE_RATE = 48000
needs_scsynth = pytest.mark.skipif(
    shutil.which("scsynth") is None, reason="scsynth not installed (CI installs it)"
)

SOURCE_VARIANTS = [
    (spec, mono)
    for spec in SOURCES.values()
    for mono in ((False, True) if spec.mono_variant else (False,))
]
SOURCE_IDS = [spec.synthdef + ("_mono" if mono else "") for spec, mono in SOURCE_VARIANTS]
PROCESSOR_VARIANTS: list[tuple[str, Processor, bool]] = [
    (kind, spec, mono)
    for kind, table in (("filter", FILTERS), ("effect", EFFECTS))
    for spec in table.values()
    for mono in ((False, True) if spec.mono_variant else (False,))
]
PROCESSOR_IDS = [spec.synthdef + ("_mono" if mono else "") for _, spec, mono in PROCESSOR_VARIANTS]


def def_name(spec: SourceSpec | Processor, mono: bool) -> str:
    return spec.synthdef + ("_mono" if mono else "")


def controls(synthdef: SynthDef) -> dict[str, float]:
    return {name: parameter.value[0] for name, (parameter, _) in synthdef.parameters.items()}


def ugen_names(synthdef: SynthDef) -> list[str]:
    return [type(ugen).__name__ for ugen in synthdef.ugens]


def seconds(value: float) -> int:
    return round(value * SAMPLE_RATE)


def dominant_frequency(signal: np.ndarray) -> float:
    """Frequency of the strongest FFT peak, refined by parabolic interpolation."""
    windowed = signal * np.hanning(len(signal))
    size = 1 << (len(signal) * 4 - 1).bit_length()
    magnitude = np.abs(np.fft.rfft(windowed, size))
    peak = int(np.argmax(magnitude))
    left, centre, right = np.log(magnitude[peak - 1 : peak + 2] + 1e-12)
    offset = 0.5 * (left - right) / (left - 2 * centre + right)
    return float((peak + offset) * SAMPLE_RATE / size)


# --- the registry covers the catalog ------------------------------------------------------


@pytest.mark.parametrize("name", [*SOURCE_IDS, *PROCESSOR_IDS])
def test_every_catalog_variant_has_a_synthdef_or_a_reason(name: str) -> None:
    assert name in synthdef_names() or UNAVAILABLE.get(name)


def test_all_synthdefs_are_named_as_registered() -> None:
    defs = all_synthdefs()
    assert set(defs) == set(synthdef_names())
    assert all(synthdef.name == name for name, synthdef in defs.items())


def test_system_synthdefs_exist() -> None:
    expected = {
        "imbolc_output",
        "imbolc_output_mono",
        "imbolc_send",
        "imbolc_send_mono",
        "imbolc_bus_out",
        "imbolc_meter",
        "imbolc_disk_record",
        "imbolc_safety",
        "imbolc_click",
        "imbolc_lfo",
        "imbolc_eq12",
        "imbolc_eq12_mono",
    }
    assert expected <= set(synthdef_names())


# --- the argument contract ----------------------------------------------------------------


@pytest.mark.parametrize(("spec", "mono"), SOURCE_VARIANTS, ids=SOURCE_IDS)
def test_source_controls_and_outputs_follow_the_contract(spec: SourceSpec, mono: bool) -> None:
    synthdef = synthdef_for("source", spec.name, mono=mono)
    assert {"OffsetOut", "EnvGen"} <= set(ugen_names(synthdef))
    found = controls(synthdef)
    for name, default in SOURCE_ARGS.items():
        assert found[name] == pytest.approx(default), name
    envelope = (spec.envelope.attack, spec.envelope.decay, spec.envelope.sustain)
    envelope += (spec.envelope.release,)
    for name, default in zip(ENVELOPE_ARGS, envelope, strict=True):
        assert found[name] == pytest.approx(default), name
    for name in ("freq", "amp", "freq_mod_in", "freq_mod_depth", "amp_mod_in", "amp_mod_depth"):
        assert name in found
    for param in spec.params:
        assert found[param.name] == pytest.approx(param.default), param.name


@pytest.mark.parametrize(("kind", "spec", "mono"), PROCESSOR_VARIANTS, ids=PROCESSOR_IDS)
def test_filter_and_effect_controls_and_outputs_follow_the_contract(
    kind: str, spec: Processor, mono: bool
) -> None:
    synthdef = synthdef_for(kind, spec.name, mono=mono)  # type: ignore[arg-type]
    assert {"In", "ReplaceOut"} <= set(ugen_names(synthdef))
    found = controls(synthdef)
    for name, default in PROCESSOR_ARGS.items():
        assert found[name] == pytest.approx(default), name
    for param in spec.params:
        assert found[param.name] == pytest.approx(param.default), param.name


@pytest.mark.parametrize(
    "spec", [*SOURCES.values(), *FILTERS.values(), *EFFECTS.values()], ids=lambda s: s.name
)
def test_every_continuous_param_has_a_modulation_pair_and_no_other_does(
    spec: SourceSpec | Processor,
) -> None:
    found = controls(all_synthdefs()[spec.synthdef])
    for param in spec.params:
        pair = {f"{param.name}_mod_in", f"{param.name}_mod_depth"}
        if modulatable(param):
            assert pair <= set(found) and found[f"{param.name}_mod_depth"] == 0.0
        else:
            assert not pair & set(found)


# --- lookups and errors -------------------------------------------------------------------


def test_synthdef_for_accepts_display_names() -> None:
    assert synthdef_for("source", "FM Bell").name == "imbolc_fm_bell"
    assert synthdef_for("effect", "Tape Comp").name == "imbolc_tape_comp"


def test_synthdef_for_gives_the_mono_variant() -> None:
    assert synthdef_for("source", "saw", mono=True).name == "imbolc_saw_mono"
    assert synthdef_for("filter", "lpf", mono=True).name == "imbolc_lpf_mono"
    assert synthdef_for("system", "output", mono=True).name == "imbolc_output_mono"


def test_a_mono_variant_that_does_not_exist_is_a_clear_error() -> None:
    with pytest.raises(NoMonoVariant, match="effect 'vocoder' has no mono variant"):
        synthdef_for("effect", "vocoder", mono=True)
    with pytest.raises(NoMonoVariant, match="source 'fm'"):
        synthdef_for("source", "fm", mono=True)


def test_unknown_names_are_clear_errors() -> None:
    with pytest.raises(UnknownCatalogEntry, match="unknown source 'sawtooth'"):
        synthdef_for("source", "sawtooth")
    with pytest.raises(UnknownCatalogEntry, match="system SynthDef 'mixer'"):
        synthdef_for("system", "mixer")
    with pytest.raises(ValueError, match="unknown SynthDef kind 'voice'"):
        synthdef_for("voice", "saw")  # type: ignore[arg-type]


def test_system_synthdefs_are_found_with_or_without_prefix() -> None:
    assert synthdef_for("system", "safety") is synthdef_for("system", "imbolc_safety")


def test_an_unavailable_entry_names_itself_and_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(UNAVAILABLE, "imbolc_vocoder", "needs a carrier bus")
    with pytest.raises(SynthDefUnavailable, match=r"effect 'vocoder'.*needs a carrier bus"):
        synthdef_for("effect", "vocoder")
    assert "imbolc_vocoder" not in synthdef_names()
    with pytest.raises(SynthDefUnavailable, match="'imbolc_vocoder' is unavailable: needs a"):
        compiled_bytes(["imbolc_vocoder"])


def test_synthdefs_are_built_once_and_cached() -> None:
    assert synthdef_for("source", "saw") is all_synthdefs()["imbolc_saw"]


def test_ugens_used_lists_the_ugen_classes_of_every_synthdef() -> None:
    used = synthdefs.UGENS_USED
    assert set(used) == set(synthdef_names())
    assert {"SinOsc", "OffsetOut", "EnvGen"} <= used["imbolc_sin"]
    assert "FreeVerb2" in used["imbolc_reverb"]
    assert all(isinstance(names, frozenset) and names for names in used.values())


# --- compilation --------------------------------------------------------------------------


def test_every_synthdef_compiles_into_one_scgf_file() -> None:
    names = synthdef_names()
    data = compiled_bytes(names)
    magic, version, count = struct.unpack(">4sIH", data[:10])
    assert (magic, version, count) == (b"SCgf", 2, len(names))


@pytest.mark.parametrize("name", synthdef_names())
def test_each_synthdef_compiles_alone(name: str) -> None:
    data = compiled_bytes([name])
    assert data.startswith(b"SCgf") and name.encode() in data


def test_compiling_an_unknown_name_suggests_the_right_one() -> None:
    with pytest.raises(UnknownSynthDef, match="did you mean imbolc_sin"):
        compiled_bytes(["imbolc_sine"])


def test_compiling_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        compiled_bytes([])


# --- rendering with the real scsynth ------------------------------------------------------

NOTE_ON, NOTE_OFF, SOURCE_RENDER = 0.01, 0.51, 1.2
PRIVATE_BUS = 512
TEST_PITCH = 440.0


class Score(dict[float, list[OscMessage]]):
    """OSC messages by time, for the ``nrt`` fixture."""

    def at(self, seconds: float, *messages: OscMessage) -> None:
        self.setdefault(seconds, []).extend(messages)


def load(score: Score, names: list[str]) -> None:
    score.at(0.0, *[OscMessage("/d_recv", compiled_bytes([name])) for name in names])


def write_stereo_sample(path: Path) -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    pair = np.stack([np.sin(2 * np.pi * 330 * t), np.sin(2 * np.pi * 331 * t)], axis=1)
    soundfile.write(path, (pair * 0.5).astype(np.float32), SAMPLE_RATE, subtype="FLOAT")


def load_test_buffers(score: Score, workdir: Path) -> None:
    """A stereo sample in buffer 0, eight wavetables at 100-107, a prepared IR in buffer 11."""
    write_stereo_sample(workdir / "sample.wav")
    score.at(0.0, OscMessage("/b_allocRead", 0, str(workdir / "sample.wav")))
    for n in range(8):
        amps = [1.0 / (k + 1) ** (n / 3) for k in range(12)]
        score.at(0.0, OscMessage("/b_alloc", 100 + n, 2048, 1))
        score.at(0.0, OscMessage("/b_gen", 100 + n, "sine1", 7, *amps))
    frames = 9000
    decay = np.exp(-np.arange(frames) / 2000.0)
    impulse = np.random.default_rng(1).standard_normal(frames) * decay * 0.05
    soundfile.write(workdir / "ir.wav", impulse.astype(np.float32), SAMPLE_RATE, subtype="FLOAT")
    score.at(0.0, OscMessage("/b_allocRead", 10, str(workdir / "ir.wav")))
    score.at(0.0, OscMessage("/b_alloc", 11, 2048 * math.ceil(frames / 1024), 1))
    score.at(0.0, OscMessage("/b_gen", 11, "PreparePartConv", 10, 2048))


@pytest.fixture(scope="module")
def source_audio(nrt: NrtRender, tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """Every source variant playing a 0.5 s A4 on its own output pair, in one NRT render."""
    workdir = tmp_path_factory.mktemp("sources")
    score, nodes = Score(), itertools.count(1001)
    load(score, sorted({def_name(s, m) for s, m in SOURCE_VARIANTS} | {"imbolc_saw"}))
    load_test_buffers(score, workdir)
    for index, (spec, mono) in enumerate(SOURCE_VARIANTS):
        args: list[object] = ["out", 2 * index, "freq", TEST_PITCH]
        if spec.name == "audio_in":
            args += ["test_tone", 1]
        if spec.name == "bus_in":
            feeder = ["out", PRIVATE_BUS, "freq", 220.0]
            score.at(NOTE_ON, OscMessage("/s_new", "imbolc_saw", next(nodes), 1, 0, *feeder))
            args += ["in_bus", PRIVATE_BUS]
        node = next(nodes)
        score.at(NOTE_ON, OscMessage("/s_new", def_name(spec, mono), node, 1, 0, *args))
        score.at(NOTE_OFF, OscMessage("/n_set", node, "gate", 0.0))
    audio = nrt(score, 2 * len(SOURCE_VARIANTS), SOURCE_RENDER, SAMPLE_RATE)
    return {
        def_name(spec, mono): audio[:, 2 * index : 2 * index + 2]
        for index, (spec, mono) in enumerate(SOURCE_VARIANTS)
    }


@pytest.mark.scsynth
@needs_scsynth
@pytest.mark.parametrize(("spec", "mono"), SOURCE_VARIANTS, ids=SOURCE_IDS)
def test_every_source_plays_a_finite_audible_note(
    source_audio: dict[str, np.ndarray], spec: SourceSpec, mono: bool
) -> None:
    note = source_audio[def_name(spec, mono)][: seconds(NOTE_OFF)]
    assert np.isfinite(note).all()
    assert 1e-3 < np.abs(note).max() < 2.0


@pytest.mark.scsynth
@needs_scsynth
@pytest.mark.parametrize(("spec", "mono"), SOURCE_VARIANTS, ids=SOURCE_IDS)
def test_every_source_ends_after_its_release(
    source_audio: dict[str, np.ndarray], spec: SourceSpec, mono: bool
) -> None:
    release = max(spec.envelope.release, MIN_ENVELOPE_TIME)
    tail = source_audio[def_name(spec, mono)][seconds(NOTE_OFF + release + 0.05) :]
    assert np.all(tail == 0.0)


@pytest.mark.scsynth
@needs_scsynth
@pytest.mark.parametrize("spec", [s for s, m in SOURCE_VARIANTS if m], ids=lambda s: s.name)
def test_mono_source_variants_write_a_single_channel(
    source_audio: dict[str, np.ndarray], spec: SourceSpec
) -> None:
    pair = source_audio[def_name(spec, True)]
    assert np.abs(pair[:, 0]).max() > 1e-3
    assert np.all(pair[:, 1] == 0.0)


@pytest.mark.scsynth
@needs_scsynth
def test_the_sine_source_plays_a4_at_440_hz(source_audio: dict[str, np.ndarray]) -> None:
    note = source_audio["imbolc_sin"][seconds(0.1) : seconds(0.45), 0]
    assert dominant_frequency(note) == pytest.approx(440.0, abs=0.5)


PROCESSOR_RENDER = 0.6
EQ_VARIANTS = [("imbolc_eq12", False), ("imbolc_eq12_mono", True)]


def feed(score: Score, nodes: Iterator[int], bus: int, mono: bool, freq: float = 220.0) -> None:
    """A saw at ``freq`` into ``bus`` (one channel for mono stages, a pair otherwise)."""
    feeder = "imbolc_saw_mono" if mono else "imbolc_saw"
    args = ["out", bus, "freq", freq, "amp", 0.5]
    score.at(NOTE_ON, OscMessage("/s_new", feeder, next(nodes), 1, 0, *args))


def stage_args(spec: Processor, bus: int) -> list[object]:
    """Settings that put each stage fully in the signal path (wet only, side inputs set)."""
    args: list[object] = []
    names = {param.name for param in spec.params}
    if "mix" in names:
        args += ["mix", 1.0]
    if spec.name == "sc_comp":
        args += ["sc_bus", 1, "sc_in", bus, "keyed", 1]
    if spec.name == "crossfader":
        args += ["bus_b", 1, "b_in", bus, "b_on", 1]
    if spec.name == "convolution_reverb":
        args += ["ir_buffer", 11]
    return args


@pytest.fixture(scope="module")
def processor_audio(
    nrt: NrtRender, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, np.ndarray]:
    """Every filter, effect and EQ variant processing a saw, each on its own output pair."""
    workdir = tmp_path_factory.mktemp("processors")
    score, nodes = Score(), itertools.count(1001)
    stages: list[tuple[str, bool, Processor | None]] = [
        (def_name(spec, mono), mono, spec) for _, spec, mono in PROCESSOR_VARIANTS
    ]
    stages += [(name, mono, None) for name, mono in EQ_VARIANTS]
    load(score, sorted({name for name, _, _ in stages} | {"imbolc_saw", "imbolc_saw_mono"}))
    load_test_buffers(score, workdir)
    for index, (name, mono, spec) in enumerate(stages):
        bus = PRIVATE_BUS + 2 * index
        feed(score, nodes, bus, mono)
        args = stage_args(spec, bus) if spec is not None else []
        args += ["in_bus", bus, "out_bus", 2 * index]
        score.at(NOTE_ON, OscMessage("/s_new", name, next(nodes), 1, 0, *args))
    audio = nrt(score, 2 * len(stages), PROCESSOR_RENDER, SAMPLE_RATE)
    return {name: audio[:, 2 * index : 2 * index + 2] for index, (name, _, _) in enumerate(stages)}


@pytest.mark.scsynth
@needs_scsynth
@pytest.mark.parametrize("name", [*PROCESSOR_IDS, *(name for name, _ in EQ_VARIANTS)])
def test_every_filter_and_effect_outputs_finite_audible_sound(
    processor_audio: dict[str, np.ndarray], name: str
) -> None:
    channels = 1 if name.endswith("_mono") else 2
    output = processor_audio[name][seconds(NOTE_ON) :, :channels]
    assert np.isfinite(output).all()
    assert 1e-3 < np.abs(output).max() < 2.0
    for channel in range(channels):
        assert np.abs(output[:, channel]).max() > 1e-3


def render_small(
    nrt: NrtRender,
    names: list[str],
    events: list[OscMessage],
    length: float,
    *,
    channels: int = 2,
    extra: tuple[SynthDef, ...] = (),
) -> np.ndarray:
    """Renders ``events`` (all at NOTE_ON) with the named SynthDefs and ``extra`` loaded."""
    score = Score()
    load(score, names)
    for synthdef in extra:
        score.at(0.0, OscMessage("/d_recv", synthdef.compile()))
    score.at(NOTE_ON, *events)
    return nrt(score, channels, length, SAMPLE_RATE)


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(signal))))


def new(name: str, node: int, *args: object) -> OscMessage:
    return OscMessage("/s_new", name, node, 1, 0, *args)


@pytest.mark.scsynth
@needs_scsynth
def test_a_disabled_stage_passes_its_input_through_unchanged(nrt: NrtRender) -> None:
    events = [
        new("imbolc_saw_mono", 1001, "out", PRIVATE_BUS),
        new("imbolc_saw_mono", 1002, "out", 1),
        new("imbolc_distortion_mono", 1003, "in_bus", PRIVATE_BUS, "out_bus", 0, "enabled", 0),
    ]
    names = ["imbolc_saw_mono", "imbolc_distortion_mono"]
    audio = render_small(nrt, names, events, 0.4)
    assert rms(audio[:, 1]) > 0.05
    np.testing.assert_array_equal(audio[:, 0], audio[:, 1])


@pytest.mark.scsynth
@needs_scsynth
def test_a_stage_processing_in_place_replaces_its_bus(nrt: NrtRender) -> None:
    events = [
        new("imbolc_saw_mono", 1001, "out", 0),
        new("imbolc_saw_mono", 1002, "out", 1),
        new("imbolc_lpf_mono", 1003, "in_bus", 0, "out_bus", 0, "cutoff", 150.0),
    ]
    audio = render_small(nrt, ["imbolc_saw_mono", "imbolc_lpf_mono"], events, 0.4)
    assert 0.01 < rms(audio[:, 0]) < rms(audio[:, 1]) * 0.8


@pytest.mark.scsynth
@needs_scsynth
def test_an_lfo_bus_moves_a_source_pitch_by_its_depth_in_octaves(nrt: NrtRender) -> None:
    events = [
        new("imbolc_lfo", 1001, "out", 5, "shape", 1, "rate", 2.0, "depth", 1.0),
        new("imbolc_sin", 1002, "out", 0, "freq", 440.0, "freq_mod_in", 5, "freq_mod_depth", 1.0),
    ]
    audio = render_small(nrt, ["imbolc_lfo", "imbolc_sin"], events, 0.6, channels=1)
    high = dominant_frequency(audio[seconds(0.05) : seconds(0.22), 0])
    low = dominant_frequency(audio[seconds(0.30) : seconds(0.47), 0])
    assert high == pytest.approx(880.0, abs=2.0)
    assert low == pytest.approx(220.0, abs=2.0)


def bad_signal() -> SynthDef:
    """Writes a sine four times too loud to bus 0, turning into NaN now and then."""
    with SynthDefBuilder() as builder:
        nan = DC.ar(source=0.0) / DC.ar(source=0.0)
        loud = SinOsc.ar(frequency=440.0) * 4.0
        signal = Select.ar(selector=SinOsc.ar(frequency=3.0) > 0.9, sources=[loud, nan])
        Out.ar(bus=0, source=[signal, signal])
    return builder.build(name="test_bad_signal")


@pytest.mark.scsynth
@needs_scsynth
def test_the_safety_stage_removes_nan_and_limits_master_to_its_ceiling(nrt: NrtRender) -> None:
    events = [new("test_bad_signal", 1001), new("imbolc_safety", 1002)]
    audio = render_small(nrt, ["imbolc_safety"], events, 1.0, extra=(bad_signal(),))
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() <= 0.95 + 1e-4
    assert np.abs(audio[seconds(0.8) :]).max() > 0.5


@pytest.mark.scsynth
@needs_scsynth
def test_the_output_strip_pans_and_mutes(nrt: NrtRender) -> None:
    strip = ["in_bus", PRIVATE_BUS, "level", 1.0]
    events = [
        new("imbolc_saw", 1001, "out", PRIVATE_BUS),
        new("imbolc_output", 1002, *strip, "out_bus", 0, "pan", -1.0),
        new("imbolc_output", 1003, *strip, "out_bus", 2, "mute", 1),
        new("imbolc_saw_mono", 1004, "out", PRIVATE_BUS + 2),
        new("imbolc_output_mono", 1005, "in_bus", PRIVATE_BUS + 2, "out_bus", 4, "pan", 1.0),
    ]
    names = ["imbolc_saw", "imbolc_saw_mono", "imbolc_output", "imbolc_output_mono"]
    audio = render_small(nrt, names, events, 0.4, channels=6)
    assert rms(audio[:, 0]) > 0.05 and np.abs(audio[:, 1]).max() < 1e-6
    assert np.abs(audio[:, 2:4]).max() < 1e-6
    assert np.abs(audio[:, 4]).max() < 1e-6 and rms(audio[:, 5]) > 0.05


@pytest.mark.scsynth
@needs_scsynth
def test_a_centred_stereo_strip_at_level_1_passes_its_input_unchanged(nrt: NrtRender) -> None:
    events = [
        new("imbolc_saw", 1001, "out", PRIVATE_BUS),
        new("imbolc_saw", 1002, "out", 0),
        new("imbolc_output", 1003, "in_bus", PRIVATE_BUS, "out_bus", 2, "level", 1.0),
    ]
    audio = render_small(nrt, ["imbolc_saw", "imbolc_output"], events, 0.3, channels=4)
    assert rms(audio[:, 0]) > 0.05
    np.testing.assert_allclose(audio[:, 2:4], audio[:, 0:2], atol=1e-6)


@pytest.mark.scsynth
@needs_scsynth
def test_a_send_adds_its_input_at_its_level(nrt: NrtRender) -> None:
    events = [
        new("imbolc_saw", 1001, "out", PRIVATE_BUS),
        new("imbolc_saw", 1002, "out", 0),
        new("imbolc_send", 1003, "in_bus", PRIVATE_BUS, "out_bus", 2, "level", 0.5),
        new("imbolc_bus_out", 1004, "in_bus", PRIVATE_BUS, "out_bus", 4, "pan", 1.0),
    ]
    names = ["imbolc_saw", "imbolc_send", "imbolc_bus_out"]
    audio = render_small(nrt, names, events, 0.4, channels=6)
    np.testing.assert_allclose(audio[:, 2:4], audio[:, 0:2] * 0.5, atol=1e-6)
    assert np.abs(audio[:, 4]).max() < 1e-6 and rms(audio[:, 5]) > 0.05


@pytest.mark.scsynth
@needs_scsynth
def test_the_click_blips_and_frees_itself(nrt: NrtRender) -> None:
    events = [new("imbolc_click", 1001, "out", 0, "accent", 1)]
    audio = render_small(nrt, ["imbolc_click"], events, 0.3)
    assert np.abs(audio[: seconds(0.06)]).max() > 0.2
    assert np.all(audio[seconds(0.1) :] == 0.0)


def test_disk_record_streams_a_stereo_bus_to_its_buffer() -> None:
    # Not rendered: in NRT, scsynth's disk thread races /b_close, so the file is unreliable.
    synthdef = synthdef_for("system", "disk_record")
    assert {"in_bus", "buffer"} <= set(controls(synthdef))
    (disk_out,) = [ugen for ugen in synthdef.ugens if type(ugen).__name__ == "DiskOut"]
    assert len(disk_out.inputs) == 3  # the buffer and two channels


BUFFER_READERS = [
    "imbolc_sampler",
    "imbolc_timestretch",
    "imbolc_sampler_oneshot",
    "imbolc_wavetable",
    "imbolc_convolution_reverb",
    "imbolc_disk_record",
]


@pytest.mark.scsynth
@needs_scsynth
@pytest.mark.parametrize("buffer", [-1, 5, 100000])
def test_buffer_readers_survive_a_missing_buffer(nrt: NrtRender, buffer: int) -> None:
    settings = ["buffer", buffer, "table_base", buffer, "ir_buffer", buffer, "in_bus", 64]
    events = [new(name, 1001 + n, *settings) for n, name in enumerate(BUFFER_READERS)]
    audio = render_small(nrt, BUFFER_READERS, events, 0.3)
    assert np.isfinite(audio).all()
