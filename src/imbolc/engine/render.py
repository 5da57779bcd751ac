"""Offline render through scsynth NRT: the realtime graph and schedule, written as a score.

The same engine and player that play live emit the requests; here the backend is a score and
the clock is the score time, so a render sounds like playback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile
from msgspec.structs import replace
from scipy.signal import lfilter

from imbolc.core.errors import ImbolcError
from imbolc.core.instrument import EffectStage
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project
from imbolc.core.summary import song_length_ticks
from imbolc.core.timemap import time_map
from imbolc.engine.engine import Engine
from imbolc.engine.export import SUFFIX, finish, plan_export
from imbolc.engine.loudness import Loudness
from imbolc.engine.player import Player
from imbolc.engine.score import ScoreBackend
from imbolc.engine.stems import StemScore, build_stems
from imbolc.engine.synthdefs.system import MASTER_DC_COEF, SAFETY_CEILING

Progress = Callable[[float], None]
CHUNK_SECONDS = 0.25
NRT_LIMITS = ("-n", "16384", "-b", "8192", "-m", "131072")
"""Room for big projects: nodes (256 instruments need thousands), sample buffers, and
real-time memory for delay lines (about 1 MB each)."""
SAFETY_LATENCY_SECONDS = 0.02
"""How late the master sounds: ``imbolc_safety``'s Limiter (10 ms lookahead) delays its input
by twice the lookahead. The render drops it, so tick 0 is sample 0 and stems line up."""
LONG_TAIL_EFFECTS = frozenset(
    {"reverb", "delay", "spring_reverb", "granular_delay", "convolution_reverb"}
)


class RenderError(ImbolcError):
    """A render could not be made; the message says why."""


@dataclass
class RenderResult:
    """What a render wrote."""

    path: Path
    stems: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    frames: int = 0
    wall_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    loudness: Loudness | None = None


def tail_seconds(project: Project) -> float:
    """How long sound may ring after the last note: the longest release plus effect tails."""
    release = max((inst.envelope.release for inst in project.instruments.items), default=0.3)
    effects = [
        s for inst in project.instruments.items for s in inst.chain if isinstance(s, EffectStage)
    ]
    effects += [e for bus in project.session.mixer.buses for e in bus.effects]
    long_tail = any(e.effect_type in LONG_TAIL_EFFECTS for e in effects)
    return release + (2.5 if long_tail else 0.5)


def master_dc_blocked(stem: np.ndarray) -> np.ndarray:
    """A stem through the master guard's DC blocker (the same linear filter), so the stems
    still sum to the master while the limiter does not act."""
    blocked: np.ndarray = lfilter([1.0, -1.0], [1.0, -MASTER_DC_COEF], stem, axis=0)
    return blocked


def render_range(project: Project, options: RenderOptions) -> tuple[int, int]:
    """The ticks to render: the asked beats, else the loop (pattern) or the song (song mode)."""
    roll = project.session.piano_roll
    if project.session.arrangement.play_mode == "song":
        start, end = 0, project.session.arrangement.length
    elif roll.looping:
        start, end = roll.loop_start, roll.loop_end
    else:
        start, end = 0, song_length_ticks(project)
    if options.from_beat is not None:
        start = round(options.from_beat * TICKS_PER_BEAT)
    if options.to_beat is not None:
        end = round(options.to_beat * TICKS_PER_BEAT)
    if end <= start:
        raise RenderError(f"nothing to render: the range ends at tick {end}, before {start}")
    return start, end


def find_scsynth(path: str | None = None) -> str:
    """The scsynth binary, or RenderError saying how to get one."""
    found = path or shutil.which("scsynth")
    if not found:
        raise RenderError(
            "scsynth not found: install SuperCollider (supercollider-server) "
            "or render with --engine embedded"
        )
    return found


def find_supernova() -> str:
    """The supernova binary (SuperCollider's multi-core server), or RenderError."""
    found = shutil.which("supernova")
    if not found:
        raise RenderError(
            "supernova not found: install SuperCollider's multi-core server "
            "(supercollider-supernova) or render with --engine scsynth"
        )
    return found


def build_score(
    project: Project, options: RenderOptions, stems: bool, parallel_groups: bool = False
) -> tuple[ScoreBackend, float, int, list[str], Engine]:
    """The NRT score of a render: (backend, duration, output channels, problems, engine);
    ``parallel_groups`` builds instruments in ``/p_new`` groups (supernova)."""
    start, end = render_range(project, options)
    # Render the asked span straight through: no loop wrap inside it.
    roll = project.session.piano_roll
    playing = replace(
        project, session=replace(project.session, piano_roll=replace(roll, looping=False))
    )
    outputs = 2 + (2 * len(project.instruments) if stems else 0)
    problems: list[str] = []
    backend = StemScore()
    engine = Engine(backend, problems.append, first_private_bus=max(16, outputs + 8),
                    parallel_groups=parallel_groups)  # fmt: skip
    engine.load_synthdefs(at=0.0)
    engine.start(playing, at=0.0)
    if stems:
        build_stems(playing, engine, backend, first_channel=2)
    player = Player(engine)
    player.start(start, 0.0)
    seconds = time_map(playing.session).seconds_between(start, end)
    t = 0.0
    while t < seconds:
        t = min(seconds, t + CHUNK_SECONDS)
        backend.clock = t
        player.advance(playing, t)
    last_release = player.finish()
    duration = max(seconds, last_release) + tail_seconds(playing)
    return backend, duration, outputs, problems, engine


RawRender = Callable[
    [Project, RenderOptions, bool, Progress | None], tuple[np.ndarray, float, list[str]]
]
"""A backend's render: (samples with master and stem channels, seconds, problems)."""


def deliver(
    project: Project,
    out: str | Path,
    options: RenderOptions | None,
    stems_dir: str | Path | None,
    progress: Progress | None,
    raw_render: RawRender,
) -> RenderResult:
    """Check the destination, run a backend's render and write the master and the stems.

    Both backends go through here: the output is claimed before rendering (an unwritable
    folder fails at once) and replaced only when the render succeeded.
    """
    options = options or RenderOptions()
    if options.sample_rate not in (44100, 48000):
        raise RenderError(f"sample rate {options.sample_rate} is not 44100 or 48000")
    out_path = Path(out)
    if out_path.is_dir():
        raise RenderError(f"cannot write {out_path}: it is a folder")
    if not out_path.parent.is_dir():
        raise RenderError(f"cannot write {out_path}: folder {out_path.parent} does not exist")
    plan = plan_export(out_path, options)
    stems_path = None if stems_dir is None else _stems_folder(Path(stems_dir))
    staging = _claim(out_path)
    stem_staging: list[Path] = []
    stem_paths: list[Path] = []
    try:
        began = time.perf_counter()
        data, duration, problems = raw_render(project, options, stems_path is not None, progress)
        rate = options.sample_rate
        latency = round(SAFETY_LATENCY_SECONDS * rate)
        master, unlimited = data[latency:, :2], data[: len(data) - latency]
        stems: list[tuple[Path, np.ndarray]] = []
        if stems_path is not None:
            for k, inst in enumerate(project.instruments.items):
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", inst.name).strip("_") or f"inst{inst.id}"
                stem = stems_path / f"{inst.id:02d}-{name}{SUFFIX[plan.file_format]}"
                stem_paths.append(stem)
                stem_staging.append(_claim(stem))
                stems.append(
                    (stem_staging[-1], master_dc_blocked(unlimited[:, 2 + 2 * k : 4 + 2 * k]))
                )
        if stems:
            _report_limited_stems([data for _path, data in stems], problems)
        loudness = finish(staging, master, stems, rate, plan, problems, shown_as=out_path)
        for stem, staged in zip(stem_paths, stem_staging, strict=True):
            os.replace(staged, stem)
        os.replace(staging, out_path)
    finally:
        staging.unlink(missing_ok=True)
        for staged in stem_staging:
            staged.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0)
    wall = time.perf_counter() - began
    return RenderResult(out_path, stem_paths, duration, len(master), wall, problems, loudness)


def _report_limited_stems(stems: list[np.ndarray], problems: list[str]) -> None:
    """Stems sum to the mix before the master's safety limiter: say so when it acted."""
    summed = np.sum(stems, axis=0)
    top = float(np.max(np.abs(summed))) if summed.size else 0.0
    if top > SAFETY_CEILING:
        problems.append(
            f"the stems sum to {20 * np.log10(top):+.1f} dBFS: the master safety limiter "
            "held the mix below it, so the stems add up to the mix before the limiter"
        )


def render(
    project: Project,
    out: str | Path,
    options: RenderOptions | None = None,
    *,
    stems_dir: str | Path | None = None,
    progress: Progress | None = None,
    scsynth: str | None = None,
    supernova: bool = False,
) -> RenderResult:
    """Render ``project`` through scsynth NRT to a WAV at ``out`` (plus one stem per
    instrument in ``stems_dir``); with ``supernova``, through supernova on every core, the
    instruments in parallel groups."""
    binary = find_supernova() if supernova else find_scsynth(scsynth)
    threads = ("-T", str(os.cpu_count() or 1)) if supernova else ()

    def nrt(
        project: Project, options: RenderOptions, stems: bool, progress: Progress | None
    ) -> tuple[np.ndarray, float, list[str]]:
        backend, duration, channels, problems, _engine = build_score(
            project, options, stems, parallel_groups=supernova
        )
        sample_format = "float"  # quantized (and dithered) when the files are written
        with tempfile.TemporaryDirectory(prefix="imbolc-render-") as folder:
            score = Path(folder) / "score.osc"
            backend.write(score, duration + SAFETY_LATENCY_SECONDS)
            raw = Path(folder) / "render.wav"
            command = [binary, "-N", str(score), "_", str(raw), str(options.sample_rate), "WAV",
                       sample_format, "-o", str(channels), "-i", "0", *NRT_LIMITS,
                       *threads]  # fmt: skip
            _run_nrt(command, raw, duration * options.sample_rate * channels, progress)
            data, _rate = soundfile.read(raw, dtype="float32", always_2d=True)
        return data, duration, problems

    return deliver(project, out, options, stems_dir, progress, nrt)


def _claim(out_path: Path) -> Path:
    """An empty file beside ``out_path`` to render into: proves the folder is writable before
    the render starts, and leaves an existing ``out_path`` intact until the render is done."""
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent
        )
    except OSError as error:
        reason = error.strerror or str(error)
        raise RenderError(
            f"cannot write {out_path}: folder {out_path.parent} is not writable ({reason})"
        ) from None
    os.close(handle)
    os.chmod(name, 0o644)  # mkstemp's 0600 would carry over to the finished WAV
    return Path(name)


def _stems_folder(path: Path) -> Path:
    """The stems folder, created if missing; RenderError when it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RenderError(f"cannot write stems to {path}: {error.strerror or error}") from None
    return path


def _run_nrt(
    command: list[str], raw: Path, expected_samples: float, progress: Progress | None
) -> None:
    """Run scsynth NRT, reporting progress from the size of the file it writes.

    Its output goes to a file: it prints a line per score bundle, and an undrained pipe
    would fill up and stall it.
    """
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    log_path = raw.with_suffix(".log")
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            while process.poll() is None:
                if progress is not None and raw.exists():
                    progress(min(0.99, raw.stat().st_size / 4 / max(expected_samples, 1.0)))
                time.sleep(0.05)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if process.returncode != 0 or not raw.exists():
        output = log_path.read_text(errors="replace")
        tail = "\n".join(output.strip().splitlines()[-5:])
        raise RenderError(f"scsynth NRT failed (exit {process.returncode}): {tail}")


def peak_dbfs(path: str | Path) -> float:
    """The peak level of a WAV in dBFS (for the CLI summary)."""
    data, _rate = soundfile.read(path, dtype="float32", always_2d=True)
    peak = float(np.max(np.abs(data))) if data.size else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")
