"""The compiled kernels against the NumPy path they replace: every SynthDef the embedded
engine runs renders the same score both ways, and the two agree sample for sample."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from embedded_scores import Score, at, render_embedded, test_buffers
from supriya.osc import OscMessage

from imbolc.core.catalog import EFFECTS, FILTERS, SOURCES
from imbolc.engine.embedded import EmbeddedServer, ServerOptions, embedded_support, jit
from imbolc.engine.synthdefs import compiled_bytes

SUPPORTED = {name for name, missing in embedded_support().items() if not missing}
TOLERANCE = 1e-5
"""Largest sample difference allowed: the kernels round differently only in the last bits."""


def _variants() -> list[tuple[str, object, bool, bool]]:
    out = []
    for table, is_source in ((SOURCES, True), (FILTERS, False), (EFFECTS, False)):
        for spec in table.values():
            for mono in (False, True) if spec.mono_variant else (False,):
                name = spec.synthdef + ("_mono" if mono else "")
                if name in SUPPORTED:
                    out.append((name, spec, mono, is_source))
    return out


VARIANTS = _variants()


def _score(folder: Path) -> Score:
    score: Score = {}
    names = sorted({v[0] for v in VARIANTS} | {"imbolc_saw", "imbolc_saw_mono"})
    at(score, 0.0, OscMessage("/d_recv", compiled_bytes(names)), *test_buffers(folder))
    nodes = itertools.count(1001)
    for index, (name, spec, mono, is_source) in enumerate(VARIANTS):
        if is_source:
            node = next(nodes)
            args: list[object] = ["out", 2 * index, "freq", 440.0, "amp", 0.25]
            if spec.name == "audio_in":  # type: ignore[attr-defined]
                args += ["test_tone", 1]
            at(score, 0.013, OscMessage("/s_new", name, node, 1, 0, *args))
            at(score, 0.31, OscMessage("/n_set", node, "gate", 0.0))
            continue
        bus = 300 + 2 * index
        feeder = "imbolc_saw_mono" if mono else "imbolc_saw"
        at(score, 0.01, OscMessage("/s_new", feeder, next(nodes), 1, 0, "out", bus,
                                   "freq", 220.0, "amp", 0.5))  # fmt: skip
        at(score, 0.01, OscMessage("/s_new", name, next(nodes), 1, 0, "in_bus", bus,
                                   "out_bus", 2 * index, "mix", 1.0))  # fmt: skip
    return score


@pytest.fixture(scope="module")
def renders() -> tuple[np.ndarray, np.ndarray]:
    """The score rendered with the kernels and with the NumPy path only."""
    assert jit.wait(120.0), f"kernels failed to load: {jit.failure}"
    with tempfile.TemporaryDirectory() as folder:
        score = _score(Path(folder))
        compiled = render_embedded(score, 2 * len(VARIANTS), 0.5)
        with jit.numpy_only():
            reference = render_embedded(score, 2 * len(VARIANTS), 0.5)
    return compiled, reference


@pytest.mark.parametrize("index", range(len(VARIANTS)), ids=[v[0] for v in VARIANTS])
def test_a_synthdef_renders_the_same_with_the_kernels_as_with_numpy(
    renders: tuple[np.ndarray, np.ndarray], index: int
) -> None:
    compiled, reference = renders
    ours, theirs = compiled[:, 2 * index : 2 * index + 2], reference[:, 2 * index : 2 * index + 2]
    assert np.isfinite(ours).all()
    gap = float(np.max(np.abs(ours - theirs)))
    peak = float(np.max(np.abs(theirs)))
    assert gap <= TOLERANCE * max(1.0, peak), f"{VARIANTS[index][0]}: max diff {gap:.3g}"


def test_the_kernels_load_from_the_disk_cache_on_a_second_start() -> None:
    assert jit.wait(120.0)
    folder = jit.cache_dir()
    cached = list(folder.rglob("*.nbi"))
    assert {p.name.split("-")[0] for p in cached} >= {
        "kernels.saw",
        "kernels.iir",
        "kernels.comb",
        "kernels.envelope",
    }


def test_blocks_run_with_subnormals_flushed_and_the_thread_state_is_restored() -> None:
    assert jit.wait(120.0)
    flusher = jit.FLUSH
    assert flusher is not None
    tiny = np.array([1e-310])
    saved = flusher.flush()
    try:
        assert float((tiny * 1.0)[0]) == 0.0
    finally:
        flusher.restore(saved)
    assert float((tiny * 1.0)[0]) == 1e-310
    server = EmbeddedServer(ServerOptions(block=64))
    server.send([OscMessage("/s_new", "imbolc_saw", 1000, 0, 0, "out", 0, "amp", 0.2)])
    assert np.abs(server.process()).max() > 0.0
    assert float((tiny * 1.0)[0]) == 1e-310


def test_with_imbolc_jit_0_the_numpy_path_plays_alone() -> None:
    code = (
        "import numpy as np\n"
        "from supriya.osc import OscMessage\n"
        "from imbolc.engine.embedded import EmbeddedServer, jit\n"
        "server = EmbeddedServer()\n"
        "server.send([OscMessage('/s_new', 'imbolc_saw', 1000, 0, 0, 'out', 0)])\n"
        "audio = np.concatenate([server.process() for _ in range(20)])\n"
        "assert jit.wait(1.0) is False and jit.K is None and jit.FLUSH is None\n"
        "assert np.isfinite(audio).all() and np.abs(audio).max() > 0.01\n"
        "print('numpy only')\n"
    )
    env = {**os.environ, "IMBOLC_JIT": "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "numpy only" in done.stdout
