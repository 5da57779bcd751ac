"""Offline render on the embedded server: the same score the scsynth NRT path builds, run
block by block in process; the files are written exactly as the scsynth render writes them."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import numpy as np

from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions
from imbolc.engine.render import (
    SAFETY_LATENCY_SECONDS,
    Progress,
    RenderError,
    RenderResult,
    _claim,
    _stems_folder,
    _write_wav,
    build_score,
)

RENDER_BLOCK = 512
"""Frames per block offline: larger blocks cost less Python per second of audio."""


def render_embedded(
    project: Project,
    out: str | Path,
    options: RenderOptions | None = None,
    *,
    stems_dir: str | Path | None = None,
    progress: Progress | None = None,
    block: int = RENDER_BLOCK,
) -> RenderResult:
    """Render ``project`` to a WAV at ``out`` with no SuperCollider (plus stems per
    instrument in ``stems_dir``). Problems (SynthDefs that need SuperCollider, muted nodes)
    are listed in the result."""
    options = options or RenderOptions()
    if options.sample_rate not in (44100, 48000):
        raise RenderError(f"sample rate {options.sample_rate} is not 44100 or 48000")
    out_path = Path(out)
    if out_path.is_dir():
        raise RenderError(f"cannot write {out_path}: it is a folder")
    if not out_path.parent.is_dir():
        raise RenderError(f"cannot write {out_path}: folder {out_path.parent} does not exist")
    stems_path = None if stems_dir is None else _stems_folder(Path(stems_dir))
    staging = _claim(out_path)
    try:
        began = time.perf_counter()
        data, duration, problems = _run(project, options, stems_path is not None, block, progress)
        rate = options.sample_rate
        latency = round(SAFETY_LATENCY_SECONDS * rate)
        master, unlimited = data[latency:, :2], data[: len(data) - latency]
        subtype = "FLOAT" if options.sample_format == "float" else "PCM_24"
        _write_wav(staging, master, rate, subtype, shown_as=out_path)
        stem_paths: list[Path] = []
        if stems_path is not None:
            for k, inst in enumerate(project.instruments.items):
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", inst.name).strip("_") or f"inst{inst.id}"
                stem = stems_path / f"{inst.id:02d}-{name}.wav"
                _write_wav(stem, unlimited[:, 2 + 2 * k : 4 + 2 * k], rate, subtype)
                stem_paths.append(stem)
        os.replace(staging, out_path)
    finally:
        staging.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0)
    return RenderResult(
        out_path, stem_paths, duration, len(master), time.perf_counter() - began, problems
    )


def _run(
    project: Project, options: RenderOptions, stems: bool, block: int, progress: Progress | None
) -> tuple[np.ndarray, float, list[str]]:
    """The whole render as (frames, channels) float32, its duration and the problems."""
    backend, duration, channels, problems, _engine = build_score(project, options, stems)
    server = EmbeddedServer(
        ServerOptions(sample_rate=options.sample_rate, block=block, output_channels=channels),
        on_problem=problems.append,
    )
    for when, _order, requests in sorted(backend.entries, key=lambda e: (e[0], e[1])):
        server.send([request.to_osc() for request in requests], when)
    frames = round((duration + SAFETY_LATENCY_SECONDS) * options.sample_rate)
    blocks = -(-frames // block)
    chunks: list[np.ndarray] = []
    try:
        for index in range(blocks):
            chunks.append(server.process())
            if progress is not None and index % 64 == 0:
                progress(min(0.99, index / max(blocks, 1)))
    finally:
        server.close()
    data = np.concatenate(chunks)[:frames] if chunks else np.zeros((0, channels), np.float32)
    return data, duration, problems
