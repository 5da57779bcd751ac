"""Parity with scsynth: every catalog SynthDef both backends run plays the same short score on
each, and the renders agree: fundamental within 0.5 %, RMS within 1 dB, onsets within one
block.

Noise-driven and chaotic sources differ sample by sample by nature; they are compared by RMS
only, summed over eight voices, within 8 dB (``RMS_ONLY``): two scsynth renders of the same
score already differ by up to 5 dB for the noise-plucked strings and struck resonators.
Three effects follow levels once per block instead of once per sample and get a wider RMS
tolerance (``BLOCK_RATE_FOLLOWERS``; glitch also stutters at random), as does the spring
reverb, whose delay lines wander with random modulation (``RANDOMLY_MODULATED``).
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pytest
from embedded_scores import (
    SAMPLE_RATE,
    Score,
    at,
    dominant_frequency,
    needs_scsynth,
    onset,
    render_embedded,
    render_scsynth,
    rms_db,
    test_buffers,
)
from supriya.osc import OscMessage

from imbolc.core.catalog import EFFECTS, FILTERS, SOURCES
from imbolc.engine.embedded import embedded_support
from imbolc.engine.synthdefs import compiled_bytes

pytestmark = [pytest.mark.scsynth, needs_scsynth]

BLOCK = 256
VOICES = 8
RMS_ONLY = frozenset(
    {"noise", "pluck", "guitar", "harp", "koto", "bass_guitar", "membrane", "marimba",
     "vibes", "kalimba", "steel_drum", "tubular_bell", "glockenspiel", "hihat_closed",
     "hihat_open", "clap", "snare", "rim", "clave", "choir", "chaos", "epiano", "cowbell",
     "tom", "conga", "kick"}
)  # fmt: skip
"""SynthDef names (no prefix) of sources excited by noise, chaotic, or (epiano) whose FM
level depends on the exact phase."""
BLOCK_RATE_FOLLOWERS = {"imbolc_vocoder": 3.5, "imbolc_env_follower": 2.0, "imbolc_glitch": 4.0}
RANDOMLY_MODULATED = {"imbolc_spring_reverb": 2.0}
"""Effects whose delay lines wander with LFNoise: each render (on either backend) differs."""
SUPPORTED = {name for name, missing in embedded_support().items() if not missing}


def _variants(table: dict) -> list[tuple[str, object, bool]]:  # type: ignore[type-arg]
    out = []
    for spec in table.values():
        for mono in (False, True) if spec.mono_variant else (False,):
            name = spec.synthdef + ("_mono" if mono else "")
            if name in SUPPORTED:
                out.append((name, spec, mono))
    return out


SOURCE_VARIANTS = list(_variants(SOURCES))
PROCESSOR_VARIANTS = _variants(FILTERS) + _variants(EFFECTS)


def _render_both(score: Score, channels: int, duration: float) -> tuple[np.ndarray, np.ndarray]:
    with tempfile.TemporaryDirectory() as folder:
        ours = render_embedded(score, channels, duration)
        theirs = render_scsynth(score, channels, duration, Path(folder))
    return ours, theirs[: len(ours)]


@pytest.fixture(scope="module")
def sources() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every source variant playing A4 (``VOICES`` voices) on its own pair, both backends."""
    with tempfile.TemporaryDirectory() as folder:
        score: Score = {}
        names = sorted({name for name, _, _ in SOURCE_VARIANTS} | {"imbolc_saw"})
        at(score, 0.0, OscMessage("/d_recv", compiled_bytes(names)), *test_buffers(Path(folder)))
        nodes = itertools.count(1001)
        for index, (name, spec, _mono) in enumerate(SOURCE_VARIANTS):
            args: list[object] = ["out", 2 * index, "freq", 440.0, "amp", 0.25]
            if spec.name == "bus_in":  # type: ignore[attr-defined]
                feeder = ["out", 900, "freq", 220.0]
                at(score, 0.01, OscMessage("/s_new", "imbolc_saw", next(nodes), 1, 0, *feeder))
                args += ["in_bus", 900]
            if spec.name == "audio_in":  # type: ignore[attr-defined]
                args += ["test_tone", 1]
            for _ in range(VOICES):
                node = next(nodes)
                at(score, 0.01, OscMessage("/s_new", name, node, 1, 0, *args))
                at(score, 0.51, OscMessage("/n_set", node, "gate", 0.0))
        ours, theirs = _render_both(score, 2 * len(SOURCE_VARIANTS), 1.0)
        return {
            name: (ours[:, 2 * k : 2 * k + 2], theirs[:, 2 * k : 2 * k + 2])
            for k, (name, _, _) in enumerate(SOURCE_VARIANTS)
        }


NOTE = slice(round(0.01 * SAMPLE_RATE), round(0.5 * SAMPLE_RATE))


@pytest.mark.parametrize(
    ("name", "spec", "mono"), SOURCE_VARIANTS, ids=[v[0] for v in SOURCE_VARIANTS]
)
def test_a_source_sounds_like_scsynth(
    sources: dict[str, tuple[np.ndarray, np.ndarray]], name: str, spec: object, mono: bool
) -> None:
    ours, theirs = sources[name]
    assert np.isfinite(ours).all()
    gap = abs(rms_db(ours[NOTE]) - rms_db(theirs[NOTE]))
    if name.removeprefix("imbolc_").removesuffix("_mono") in RMS_ONLY:
        assert gap <= 8.0
        return
    assert gap <= 1.0
    assert abs(onset(ours) - onset(theirs)) <= BLOCK
    steady = slice(round(0.1 * SAMPLE_RATE), round(0.45 * SAMPLE_RATE))
    if spec.pitched:  # type: ignore[attr-defined]
        ours_f = dominant_frequency(ours[steady, 0])
        theirs_f = dominant_frequency(theirs[steady, 0])
        assert ours_f == pytest.approx(theirs_f, rel=0.005)


@pytest.fixture(scope="module")
def processors() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every filter and effect variant processing a 220 Hz saw, both backends."""
    score: Score = {}
    names = sorted({name for name, _, _ in PROCESSOR_VARIANTS} | {"imbolc_saw", "imbolc_saw_mono"})
    at(score, 0.0, OscMessage("/d_recv", compiled_bytes(names)))
    nodes = itertools.count(1001)
    for index, (name, spec, mono) in enumerate(PROCESSOR_VARIANTS):
        bus = 256 + 2 * index
        feeder = "imbolc_saw_mono" if mono else "imbolc_saw"
        at(score, 0.01, OscMessage("/s_new", feeder, next(nodes), 1, 0, "out", bus,
                                   "freq", 220.0, "amp", 0.5))  # fmt: skip
        params = {p.name for p in spec.params}  # type: ignore[attr-defined]
        args: list[object] = ["in_bus", bus, "out_bus", 2 * index]
        if "mix" in params:
            args += ["mix", 1.0]
        if spec.name == "sc_comp":  # type: ignore[attr-defined]
            args += ["sc_bus", 1, "sc_in", bus]
        if spec.name == "crossfader":  # type: ignore[attr-defined]
            args += ["bus_b", 1, "b_in", bus]
        at(score, 0.01, OscMessage("/s_new", name, next(nodes), 1, 0, *args))
    ours, theirs = _render_both(score, 2 * len(PROCESSOR_VARIANTS), 0.6)
    return {
        name: (ours[:, 2 * k : 2 * k + 2], theirs[:, 2 * k : 2 * k + 2])
        for k, (name, _, _) in enumerate(PROCESSOR_VARIANTS)
    }


@pytest.mark.parametrize("name", [v[0] for v in PROCESSOR_VARIANTS])
def test_a_filter_or_effect_sounds_like_scsynth(
    processors: dict[str, tuple[np.ndarray, np.ndarray]], name: str
) -> None:
    ours, theirs = processors[name]
    window = slice(round(0.1 * SAMPLE_RATE), round(0.55 * SAMPLE_RATE))
    assert np.isfinite(ours).all()
    tolerance = BLOCK_RATE_FOLLOWERS.get(name, RANDOMLY_MODULATED.get(name, 1.0))
    assert abs(rms_db(ours[window]) - rms_db(theirs[window])) <= tolerance
