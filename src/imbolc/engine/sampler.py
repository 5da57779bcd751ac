"""What a sampler voice plays: its sample file, the slice a note picks, and the pitch that
plays the slice at its recorded speed."""

from __future__ import annotations

from collections.abc import Callable

from imbolc.core.instrument import CHOPPER_FIRST_NOTE, SAMPLER_SOURCES, Instrument, SamplerConfig

__all__ = ["WHOLE_SAMPLE_ROOT", "sample_file", "sampler_controls"]

WHOLE_SAMPLE_ROOT = 60
"""The note (middle C) that plays a sample without slices at its recorded speed."""


def sample_file(inst: Instrument | None) -> str:
    """The sample file a sampler instrument plays ("" for none, or for other sources)."""
    if inst is None or inst.sampler is None or inst.source not in SAMPLER_SOURCES:
        return ""
    return inst.sampler.sample_path


def sampler_controls(
    config: SamplerConfig, pitch: int, freq: float, tune: Callable[[int], float]
) -> dict[str, float] | None:
    """The slice bounds, ``root_freq`` and ``freq`` of a voice for note ``pitch`` sounding
    ``freq`` Hz (``tune`` gives a note's frequency); None when the chopper has no slice on
    that note."""
    start, end, root = 0.0, 1.0, WHOLE_SAMPLE_ROOT
    if config.slices:
        if config.pitch_tracking:
            piece = config.slices[min(config.selected_slice, len(config.slices) - 1)]
        else:
            index = pitch - CHOPPER_FIRST_NOTE
            if not 0 <= index < len(config.slices):
                return None
            piece = config.slices[index]
        start, end, root = piece.start, piece.end, piece.root_note
    root_freq = tune(root)
    return {
        "start": start,
        "end": end,
        "root_freq": root_freq,
        "freq": freq if config.pitch_tracking else root_freq,
    }
