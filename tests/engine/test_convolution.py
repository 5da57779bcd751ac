"""The convolution reverb plays its impulse response on both engines: the built-in room by
default, or a file; a file that cannot be read is reported by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile
from msgspec.structs import replace

from imbolc.core.actions import AddEffect, AddInstrument, AddNote, SetEnvelope, SetStageParam
from imbolc.core.ids import InstrumentId, StageId
from imbolc.core.instrument import EffectStage
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.engine.backend import RecordingBackend
from imbolc.engine.embedded import render_embedded
from imbolc.engine.engine import Engine
from imbolc.engine.impulse import BUILTIN_IR_SECONDS, POOL_SIZE, SPECTRUM_BASE
from imbolc.engine.render import render
from imbolc.engine.requests import AllocBuffer, GenerateBuffer, NewSynth, ZeroBuffer

RATE = 48_000
ENGINES = [
    pytest.param(
        "scsynth",
        marks=[
            pytest.mark.scsynth,
            pytest.mark.skipif(shutil.which("scsynth") is None, reason="CI installs scsynth"),
        ],
    ),
    pytest.param("embedded"),
]


def reverb_project(ir_path: str = "") -> tuple[Project, InstrumentId]:
    """A 50 ms sine blip at 0 through a fully wet convolution reverb holding ``ir_path``."""
    store = Store()
    store.dispatch(AddInstrument("sine"))
    ident = InstrumentId(store.state.instruments.items[-1].id)
    store.dispatch(SetEnvelope(ident, "attack", 0.0))
    store.dispatch(SetEnvelope(ident, "release", 0.0))
    store.dispatch(AddNote(ident, 0, TICKS_PER_BEAT // 10, 69))
    store.dispatch(AddNote(ident, 8 * TICKS_PER_BEAT, 1, 69))  # the render runs on to 4 s
    store.dispatch(AddEffect(ident, "convolution_reverb"))
    inst = store.state.instruments.get(ident)
    assert inst is not None
    stage = inst.chain[-1]
    store.dispatch(SetStageParam(ident, StageId(stage.id), "mix", 1.0))
    project = store.state
    if ir_path:
        inst = project.instruments.get(ident)
        assert inst is not None and isinstance(inst.chain[-1], EffectStage)
        chain = (*inst.chain[:-1], replace(inst.chain[-1], ir_path=ir_path))
        project = replace(
            project, instruments=project.instruments.replaced(replace(inst, chain=chain))
        )
    return project, ident


def rendered(engine: str, project: Project, path: Path) -> tuple[np.ndarray, list[str]]:
    run = render if engine == "scsynth" else render_embedded
    result = run(project, path, RenderOptions(RATE, "float"))
    audio, _ = soundfile.read(path, dtype="float64", always_2d=True)
    return audio[:, 0], list(result.problems)


def level_db(signal: np.ndarray) -> float:
    return 10 * np.log10(np.mean(signal**2) + 1e-30)


def tail_seconds(audio: np.ndarray, drop_db: float = 40.0) -> float:
    """When the wet level (50 ms windows) has fallen ``drop_db`` below its loudest."""
    hop = RATE // 20
    levels = [level_db(audio[k : k + hop]) for k in range(0, len(audio) - hop, hop)]
    loudest = int(np.argmax(levels))
    below = [k for k in range(loudest, len(levels)) if levels[k] < levels[loudest] - drop_db]
    assert below, "the tail never decayed"
    return below[0] * hop / RATE


@pytest.mark.parametrize("engine", ENGINES)
def test_the_built_in_room_rings_for_its_reverberation_time(engine: str, tmp_path: Path) -> None:
    project, _ = reverb_project()
    audio, problems = rendered(engine, project, tmp_path / "out.wav")
    assert not problems, problems
    assert level_db(audio[round(0.3 * RATE) : round(0.5 * RATE)]) > -50.0, "no wet tail"
    tail = tail_seconds(audio)
    # -40 dB of a -60 dB-per-RT60 decay: two thirds of the reverberation time, give or take
    # the blip, PartConv's latency and the 50 ms windows.
    print(f"{engine}: built-in IR tail to -40 dB {tail:.2f} s")
    assert tail == pytest.approx(BUILTIN_IR_SECONDS * 2 / 3, abs=0.25)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_impulse_response_file_sets_the_tail(engine: str, tmp_path: Path) -> None:
    t = np.arange(round(0.4 * RATE)) / RATE
    ir = np.random.default_rng(3).standard_normal(len(t)) * 10 ** (-3 * t / 0.4)
    soundfile.write(tmp_path / "short.wav", (ir / np.sqrt(np.sum(ir**2))).astype(np.float32),
                    RATE, subtype="FLOAT")  # fmt: skip
    project, _ = reverb_project(str(tmp_path / "short.wav"))
    audio, problems = rendered(engine, project, tmp_path / "out.wav")
    assert not problems, problems
    tail = tail_seconds(audio)
    print(f"{engine}: 0.4 s IR tail to -40 dB {tail:.2f} s")
    assert 0.2 <= tail <= 0.5, "a 0.4 s IR rang like another"


@pytest.mark.parametrize("engine", ENGINES)
def test_an_unreadable_impulse_response_is_reported_by_name(engine: str, tmp_path: Path) -> None:
    bad = tmp_path / "not-audio.wav"
    bad.write_text("this is no sound file")
    project, _ = reverb_project(str(bad))
    audio, problems = rendered(engine, project, tmp_path / "out.wav")
    assert any(str(bad) in problem for problem in problems), problems
    assert np.isfinite(audio).all()


# --- requests -----------------------------------------------------------------------------------


def test_the_spectrum_pool_is_allocated_with_the_synthdefs() -> None:
    backend = RecordingBackend()
    Engine(backend).load_synthdefs()
    allocated = [r.buffer_id for r in backend.requests() if isinstance(r, AllocBuffer)]
    assert allocated == [SPECTRUM_BASE + k for k in range(POOL_SIZE)]


def test_the_impulse_response_is_prepared_before_its_stage_starts() -> None:
    project, _ = reverb_project()
    backend = RecordingBackend()
    Engine(backend).start(project)
    requests = backend.requests()
    kinds = [type(r).__name__ for r in requests if isinstance(r, ZeroBuffer | GenerateBuffer)]
    stage = next(
        k for k, r in enumerate(requests)
        if isinstance(r, NewSynth) and r.synthdef == "imbolc_convolution_reverb"
    )  # fmt: skip
    prepare = next(
        k for k, r in enumerate(requests)
        if isinstance(r, GenerateBuffer) and r.command == "PreparePartConv"
    )  # fmt: skip
    assert "ZeroBuffer" in kinds and prepare < stage
    node = requests[stage]
    assert isinstance(node, NewSynth) and node.controls["ir_buffer"] == SPECTRUM_BASE


def test_more_reverbs_than_the_pool_holds_are_reported() -> None:
    store = Store()
    store.dispatch(AddInstrument("saw"))
    ident = store.state.instruments.items[-1].id
    for _ in range(POOL_SIZE + 1):
        store.dispatch(AddEffect(ident, "convolution_reverb"))
    problems: list[str] = []
    Engine(RecordingBackend(), problems.append).start(store.state)
    assert any(f"more than {POOL_SIZE} convolution reverbs" in p for p in problems), problems
