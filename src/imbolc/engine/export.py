"""Finished files: the container (WAV, FLAC, OGG/Vorbis), bit depth, dither and loudness.

A render produces float samples; this module decides what they become on disk. Everything a
user can get wrong (an unknown format, a bit depth the container cannot hold, a loudness
target no file can reach) is checked by :func:`plan_export` before any audio is rendered.
Loudness is measured by ``loudness.py``; one gain normalizes the master and every stem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile

from imbolc.core.errors import ImbolcError
from imbolc.core.ports import RenderOptions
from imbolc.engine.loudness import MIN_LOUDNESS_SECONDS, Loudness, measure

FileFormat = Literal["wav", "flac", "ogg"]
FILE_FORMATS: tuple[FileFormat, ...] = ("wav", "flac", "ogg")
EXTENSIONS: dict[str, FileFormat] = {".wav": "wav", ".flac": "flac", ".ogg": "ogg", ".oga": "ogg"}
SUFFIX: dict[FileFormat, str] = {"wav": ".wav", "flac": ".flac", "ogg": ".ogg"}
LOUDNESS_LIMITS = (-70.0, -1.0)
"""Normalization targets: the BS.1770 absolute gate below, and 1 LU of headroom above (a
louder target leaves no room for the true peak of any real signal)."""
DITHER_SEED = 0x1B01C
"""Fixed, so the dither adds no run-to-run difference of its own (same samples, same bytes)."""


class ExportError(ImbolcError):
    """The asked output cannot be written; the message says why and what to choose."""


@dataclass(frozen=True)
class ExportPlan:
    """What the files will be: container, libsndfile subtype, dither, loudness target."""

    file_format: FileFormat
    subtype: str
    dither: bool
    normalize_lufs: float | None

    @property
    def label(self) -> str:
        """How the summary line names the files ("FLAC 24-bit", "OGG Vorbis")."""
        depth = {"PCM_16": "16-bit", "PCM_24": "24-bit", "FLOAT": "32-bit float"}
        return f"{self.file_format.upper()} {depth.get(self.subtype, self.subtype.title())}"


def format_for(path: Path, asked: str | None) -> FileFormat:
    """The container for ``path``: ``asked`` when given, otherwise its extension."""
    known = EXTENSIONS.get(path.suffix.lower())
    if asked:
        wanted = asked.lower()
        if wanted not in FILE_FORMATS:
            raise ExportError(f"unknown format {asked!r}: choose one of {', '.join(FILE_FORMATS)}")
        if known is not None and known != wanted:
            raise ExportError(
                f"{path.name} ends in {path.suffix} but the format asked is {wanted}: "
                f"name the file {path.stem}{SUFFIX[wanted]} (or drop --format)"
            )
        return wanted
    if known is None:
        shown = path.suffix or "no extension"
        raise ExportError(
            f"cannot tell the format of {path.name} ({shown}): name it .wav, .flac or .ogg, "
            f"or pass --format {'|'.join(FILE_FORMATS)}"
        )
    return known


def default_bit_depth(path: Path, asked: str | None) -> str:
    """The bit depth when none is asked: 24 for FLAC (it has no float), float otherwise.
    A format that cannot be told is reported by the render itself, with the other checks."""
    try:
        return "24" if format_for(path, asked) == "flac" else "float"
    except ExportError:
        return "float"


def plan_export(path: Path, options: RenderOptions) -> ExportPlan:
    """Check every export choice in ``options`` for ``path``; ExportError names the problem."""
    file_format = format_for(path, options.file_format or None)
    depth = options.sample_format
    if file_format == "ogg":
        subtype = "VORBIS"
    elif depth == "float":
        if file_format == "flac":
            raise ExportError(
                "FLAC holds integer samples only: choose bit depth 16 or 24 for a .flac file"
            )
        subtype = "FLOAT"
    elif depth == "int24":
        subtype = "PCM_24"
    elif depth == "int16":
        subtype = "PCM_16"
    else:
        raise ExportError(f"unknown bit depth {depth!r}: choose 16, 24 or float")
    target = options.normalize_lufs
    if target is not None:
        low, high = LOUDNESS_LIMITS
        if not math.isfinite(target) or not low <= target <= high:
            raise ExportError(
                f"cannot normalize to {target:g} LUFS: the target must be between "
                f"{low:g} and {high:g} LUFS (streaming services use -14, broadcast -23)"
            )
    return ExportPlan(file_format, subtype, subtype == "PCM_16" and options.dither, target)


def normalization_gain(loudness: Loudness, target: float) -> float:
    """The linear gain that brings ``loudness`` to ``target`` LUFS."""
    if not math.isfinite(loudness.integrated):
        raise ExportError(
            f"cannot normalize to {target:g} LUFS: the render is silent or shorter than "
            f"{MIN_LOUDNESS_SECONDS:g} s, so it has no integrated loudness"
        )
    return float(10.0 ** ((target - loudness.integrated) / 20.0))


def write_audio(
    path: Path,
    data: np.ndarray,
    rate: int,
    plan: ExportPlan,
    seed: int,
    shown_as: Path | None = None,
) -> None:
    """Write ``data`` (float, frames × channels) as the plan says; 16-bit gets TPDF dither.
    Errors name ``shown_as`` (the finished file) rather than a staging file."""
    container = plan.file_format.upper()
    try:
        if plan.subtype == "PCM_16":
            soundfile.write(
                path, _to_int16(data, plan.dither, seed), rate, "PCM_16", None, container
            )
        elif plan.subtype == "FLOAT":
            soundfile.write(path, data, rate, "FLOAT", None, container)
        else:
            # libsndfile wraps around instead of clipping on integer overs: clip first.
            clipped = np.clip(data, -1.0, 1.0 - 2.0**-23)
            soundfile.write(path, clipped, rate, plan.subtype, None, container)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        raise ExportError(f"cannot write {shown_as or path}: {error}") from None


def _to_int16(data: np.ndarray, dither: bool, seed: int) -> np.ndarray:
    """Quantize to 16 bits; TPDF dither (the sum of two uniform ±½ LSB draws) decorrelates the
    rounding error from the signal, so quiet tails fade into noise instead of distortion."""
    scaled = np.asarray(data, dtype=np.float64) * 32768.0
    if dither:
        rng = np.random.default_rng(seed)
        scaled += rng.uniform(-0.5, 0.5, scaled.shape) + rng.uniform(-0.5, 0.5, scaled.shape)
    return np.clip(np.round(scaled), -32768, 32767).astype(np.int16)


def finish(
    master_path: Path,
    master: np.ndarray,
    stems: list[tuple[Path, np.ndarray]],
    rate: int,
    plan: ExportPlan,
    problems: list[str],
    shown_as: Path | None = None,
) -> Loudness:
    """Measure the master, normalize master and stems by one gain (stems still sum to the
    master), write every file, and return the master's loudness as written."""
    gain = 1.0
    if plan.normalize_lufs is not None:
        gain = normalization_gain(measure(master, rate), plan.normalize_lufs)
        master = master * np.float32(gain)
    loudness = measure(master, rate)
    if plan.subtype not in ("FLOAT",) and loudness.true_peak > 0.0:
        problems.append(
            f"the true peak is {loudness.true_peak:+.1f} dBTP: {plan.label} samples clip above "
            "0 dBFS; choose a lower --normalize target or 32-bit float WAV"
        )
    write_audio(master_path, master, rate, plan, DITHER_SEED, shown_as)
    for k, (path, data) in enumerate(stems, 1):
        write_audio(path, data * np.float32(gain), rate, plan, DITHER_SEED + k)
    return loudness
