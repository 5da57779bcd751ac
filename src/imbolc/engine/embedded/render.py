"""Offline render on the embedded server: the same score the scsynth NRT path builds, run
block by block in process; the files are written exactly as the scsynth render writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.engine.embedded import jit
from imbolc.engine.embedded.server import EmbeddedServer, ServerOptions
from imbolc.engine.render import (
    SAFETY_LATENCY_SECONDS,
    Progress,
    RenderResult,
    build_score,
    deliver,
)

RENDER_BLOCK = 512
"""Frames per block offline: larger blocks cost less Python per second of audio."""
KERNEL_WAIT_SECONDS = 60.0
"""How long an offline render waits for the compiled kernels (a cold cache compiles them)."""


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

    def embedded(
        project: Project, options: RenderOptions, stems: bool, progress: Progress | None
    ) -> tuple[np.ndarray, float, list[str]]:
        return _run(project, options, stems, block, progress)

    return deliver(project, out, options, stems_dir, progress, embedded)


def _run(
    project: Project, options: RenderOptions, stems: bool, block: int, progress: Progress | None
) -> tuple[np.ndarray, float, list[str]]:
    """The whole render as (frames, channels) float32, its duration and the problems."""
    backend, duration, channels, problems, _engine = build_score(project, options, stems)
    jit.wait(KERNEL_WAIT_SECONDS)
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
