"""Drum kit data: 12 pads and 4 patterns of steps, played by a drum sequencer."""

from __future__ import annotations

from typing import Literal

import msgspec

from imbolc.core.ids import InstrumentId

NUM_PADS = 12
NUM_PATTERNS = 4
DEFAULT_STEPS = 16
MAX_STEPS = 64
PATTERN_LENGTHS = (4, 8, 12, 16, 24, 32, 48, 64)

StepResolution = Literal["quarter", "eighth", "sixteenth", "thirty_second"]
STEPS_PER_BEAT: dict[str, int] = {"quarter": 1, "eighth": 2, "sixteenth": 4, "thirty_second": 8}


class DrumStep(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One step of one pad: on or off, how hard, how likely, and a pitch offset."""

    active: bool = False
    velocity: int = 100
    probability: float = 1.0
    pitch_offset: int = 0


class DrumPad(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A pad: plays a sample, a catalog drum source, or triggers another instrument.

    ``note`` is the MIDI (General MIDI drum) note the pad answers to in the piano roll.
    """

    name: str = ""
    source: str = ""
    sample_path: str = ""
    note: int = 36
    level: float = 0.8
    pitch: int = 0
    reverse: bool = False
    slice_start: float = 0.0
    slice_end: float = 1.0
    instrument_id: InstrumentId | None = None
    trigger_freq: float = 440.0


_OFF = DrumStep()


def empty_steps(length: int = DEFAULT_STEPS) -> tuple[tuple[DrumStep, ...], ...]:
    """A pattern grid with every step of every pad off."""
    row = (_OFF,) * length
    return (row,) * NUM_PADS


class DrumPattern(msgspec.Struct, frozen=True, array_like=True):
    """Steps per pad; every row has ``length`` steps."""

    length: int = DEFAULT_STEPS
    steps: tuple[tuple[DrumStep, ...], ...] = empty_steps()


GM_DRUM_PADS: tuple[tuple[str, str, int], ...] = (
    ("Kick", "kick", 36),
    ("Snare", "snare", 38),
    ("Closed HH", "hihat_closed", 42),
    ("Open HH", "hihat_open", 46),
    ("Clap", "clap", 39),
    ("Rim", "rim", 37),
    ("Low Tom", "tom", 45),
    ("Hi Tom", "tom", 50),
    ("Cowbell", "cowbell", 56),
    ("Clave", "clave", 75),
    ("Conga", "conga", 63),
    ("Crash", "hihat_open", 49),
)
"""Default pads: name, catalog drum source and General MIDI note."""


def default_pads() -> tuple[DrumPad, ...]:
    """Twelve pads wired to the catalog's drum sources on their General MIDI notes."""
    pads = []
    for name, source, note in GM_DRUM_PADS:
        pitch = 5 if name == "Hi Tom" else 0
        pads.append(DrumPad(name=name, source=source, note=note, pitch=pitch))
    return tuple(pads)


class KitConfig(msgspec.Struct, frozen=True, array_like=True):
    """A drum kit: pads, patterns and how the sequencer walks them."""

    pads: tuple[DrumPad, ...] = default_pads()
    patterns: tuple[DrumPattern, ...] = (DrumPattern(),) * NUM_PATTERNS
    current_pattern: int = 0
    resolution: StepResolution = "sixteenth"
    swing: float = 0.0
    chain: tuple[int, ...] = ()
    chain_enabled: bool = False

    def pad_for_note(self, note: int) -> int | None:
        """The first pad answering to MIDI ``note``, if any."""
        for pos, pad in enumerate(self.pads):
            if pad.note == note:
                return pos
        return None
