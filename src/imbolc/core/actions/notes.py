"""Actions on the piano roll and the drum sequencer."""

from __future__ import annotations

from imbolc.core.actions.base import Action
from imbolc.core.ids import InstrumentId
from imbolc.core.kit import DrumPad, DrumStep, StepResolution
from imbolc.core.notes import Note


class AddNote(Action, frozen=True):
    """Add one note to an instrument's track."""

    instrument_id: InstrumentId
    tick: int
    duration: int
    pitch: int
    velocity: int = 100
    probability: float = 1.0


class RemoveNote(Action, frozen=True):
    """Remove the note at (tick, pitch)."""

    instrument_id: InstrumentId
    tick: int
    pitch: int


class ReplaceNote(Action, frozen=True):
    """Replace the note at (tick, pitch): move, resize, or change velocity/probability."""

    instrument_id: InstrumentId
    tick: int
    pitch: int
    note: Note


class AddNotes(Action, frozen=True):
    """Add several notes at once (paste, import); a note on an occupied key replaces it."""

    instrument_id: InstrumentId
    notes: tuple[Note, ...]


class RemoveNotesInRange(Action, frozen=True):
    """Remove notes starting in [start_tick, end_tick) with pitch in [low_pitch, high_pitch]."""

    instrument_id: InstrumentId
    start_tick: int
    end_tick: int
    low_pitch: int = 0
    high_pitch: int = 127


class SetLoop(Action, frozen=True):
    """Set the loop region in ticks."""

    start_tick: int
    end_tick: int


class SetLooping(Action, frozen=True):
    """Loop the region, or play through."""

    looping: bool


class SetSwing(Action, frozen=True):
    """Set the session swing (0..1)."""

    amount: float


class SetDrumStep(Action, frozen=True):
    """Set one step of one pad in one pattern."""

    instrument_id: InstrumentId
    pattern: int
    pad: int
    step: int
    value: DrumStep


class ToggleDrumStep(Action, frozen=True):
    """Switch one step on or off."""

    instrument_id: InstrumentId
    pattern: int
    pad: int
    step: int


class SetPatternLength(Action, frozen=True):
    """Set how many steps a pattern has (1..64); steps beyond are kept off."""

    instrument_id: InstrumentId
    pattern: int
    length: int


class ClearPattern(Action, frozen=True):
    """Switch every step of a pattern off."""

    instrument_id: InstrumentId
    pattern: int


class SelectPattern(Action, frozen=True):
    """Make a pattern the one the sequencer plays and edits."""

    instrument_id: InstrumentId
    pattern: int


class SetDrumPad(Action, frozen=True):
    """Replace one pad's settings (sample, source, level, pitch...)."""

    instrument_id: InstrumentId
    pad: int
    value: DrumPad


class SetStepResolution(Action, frozen=True):
    """How long one step lasts."""

    instrument_id: InstrumentId
    resolution: StepResolution


class SetKitSwing(Action, frozen=True):
    """Swing of the drum sequencer (0..1)."""

    instrument_id: InstrumentId
    amount: float


class SetPatternChain(Action, frozen=True):
    """The order patterns play in when chaining is enabled."""

    instrument_id: InstrumentId
    chain: tuple[int, ...]
    enabled: bool


class ApplyEuclidean(Action, frozen=True):
    """Fill one pad's row with ``pulses`` evenly spread hits, rotated."""

    instrument_id: InstrumentId
    pattern: int
    pad: int
    pulses: int
    rotation: int = 0


ACTIONS: tuple[type[Action], ...] = (
    AddNote,
    RemoveNote,
    ReplaceNote,
    AddNotes,
    RemoveNotesInRange,
    SetLoop,
    SetLooping,
    SetSwing,
    SetDrumStep,
    ToggleDrumStep,
    SetPatternLength,
    ClearPattern,
    SelectPattern,
    SetDrumPad,
    SetStepResolution,
    SetKitSwing,
    SetPatternChain,
    ApplyEuclidean,
)
