"""Actions on instruments: sources, the processing chain, modulation and note input."""

from __future__ import annotations

from imbolc.core.actions.base import Action
from imbolc.core.ids import InstrumentId, StageId
from imbolc.core.instrument import (
    Arpeggiator,
    ChannelConfig,
    ChordShapeName,
    Groove,
    LfoShape,
    LfoTarget,
    SamplerConfig,
)


class AddInstrument(Action, frozen=True):
    """Add an instrument playing catalog source ``source``; an empty name means "auto"."""

    source: str
    name: str = ""


class DeleteInstrument(Action, frozen=True):
    """Delete an instrument with its track, sends and automation."""

    instrument_id: InstrumentId


class RenameInstrument(Action, frozen=True):
    """Give an instrument a new name."""

    instrument_id: InstrumentId
    name: str


class SetInstrumentSource(Action, frozen=True):
    """Swap the source type; parameters reset to the new source's defaults."""

    instrument_id: InstrumentId
    source: str


class SetSourceParam(Action, frozen=True):
    """Set one source parameter."""

    instrument_id: InstrumentId
    name: str
    value: float


class SetEnvelope(Action, frozen=True):
    """Set one stage of the amplitude envelope: attack, decay, sustain or release."""

    instrument_id: InstrumentId
    stage: str
    value: float


class SetLfoParam(Action, frozen=True):
    """Set the LFO's rate (Hz) or depth (0..1)."""

    instrument_id: InstrumentId
    name: str
    value: float


class SetLfoShape(Action, frozen=True):
    """Set the LFO waveform."""

    instrument_id: InstrumentId
    shape: LfoShape


class SetLfoTarget(Action, frozen=True):
    """Set what the LFO modulates."""

    instrument_id: InstrumentId
    target: LfoTarget


class SetLfoEnabled(Action, frozen=True):
    """Switch the LFO on or off."""

    instrument_id: InstrumentId
    enabled: bool


class SetPolyphonic(Action, frozen=True):
    """Poly (many voices) or mono (one voice, retriggered)."""

    instrument_id: InstrumentId
    polyphonic: bool


class SetVoiceCap(Action, frozen=True):
    """How many voices may sound at once (1..64)."""

    instrument_id: InstrumentId
    voice_cap: int


class SetChannels(Action, frozen=True):
    """Mono or stereo processing."""

    instrument_id: InstrumentId
    channels: ChannelConfig


class SetInstrumentActive(Action, frozen=True):
    """Enable or disable an instrument's audio."""

    instrument_id: InstrumentId
    active: bool


class SetArpeggiator(Action, frozen=True):
    """Replace the arpeggiator settings."""

    instrument_id: InstrumentId
    arpeggiator: Arpeggiator


class SetChordShape(Action, frozen=True):
    """Play every note as a chord of this shape (None: single notes)."""

    instrument_id: InstrumentId
    shape: ChordShapeName | None


class SetGroove(Action, frozen=True):
    """Replace the per-instrument groove overrides."""

    instrument_id: InstrumentId
    groove: Groove


class LinkLayer(Action, frozen=True):
    """Put two instruments in one layer group so they sound together."""

    instrument_id: InstrumentId
    other_id: InstrumentId


class UnlinkLayer(Action, frozen=True):
    """Take an instrument out of its layer group."""

    instrument_id: InstrumentId


class SetOctaveOffset(Action, frozen=True):
    """Shift a layered instrument by whole octaves (-4..4)."""

    instrument_id: InstrumentId
    offset: int


class SetSampler(Action, frozen=True):
    """Replace a sampler's sample and slices."""

    instrument_id: InstrumentId
    sampler: SamplerConfig


class AddFilter(Action, frozen=True):
    """Insert a filter at ``position`` in the chain (-1: at the end)."""

    instrument_id: InstrumentId
    filter_type: str
    position: int = -1


class AddEq(Action, frozen=True):
    """Insert the 12-band EQ (at most one per instrument)."""

    instrument_id: InstrumentId
    position: int = -1


class AddEffect(Action, frozen=True):
    """Insert an effect at ``position`` in the chain (-1: at the end)."""

    instrument_id: InstrumentId
    effect_type: str
    position: int = -1


class RemoveStage(Action, frozen=True):
    """Remove a filter, EQ or effect from the chain."""

    instrument_id: InstrumentId
    stage_id: StageId


class MoveStage(Action, frozen=True):
    """Move a stage to a new position in the chain."""

    instrument_id: InstrumentId
    stage_id: StageId
    position: int


class SetStageEnabled(Action, frozen=True):
    """Bypass (False) or enable (True) a stage."""

    instrument_id: InstrumentId
    stage_id: StageId
    enabled: bool


class SetImpulseResponse(Action, frozen=True):
    """Give a convolution reverb stage an impulse-response file ("" = the built-in room)."""

    instrument_id: InstrumentId
    stage_id: StageId
    path: str


class SetStageParam(Action, frozen=True):
    """Set one parameter of a filter or effect stage."""

    instrument_id: InstrumentId
    stage_id: StageId
    name: str
    value: float


class SetFilterType(Action, frozen=True):
    """Change a filter stage's type, keeping cutoff and resonance."""

    instrument_id: InstrumentId
    stage_id: StageId
    filter_type: str


class SetEqBand(Action, frozen=True):
    """Set freq, gain, q or enabled of one EQ band."""

    instrument_id: InstrumentId
    stage_id: StageId
    band: int
    field: str
    value: float


ACTIONS: tuple[type[Action], ...] = (
    AddInstrument,
    DeleteInstrument,
    RenameInstrument,
    SetInstrumentSource,
    SetSourceParam,
    SetEnvelope,
    SetLfoParam,
    SetLfoShape,
    SetLfoTarget,
    SetLfoEnabled,
    SetPolyphonic,
    SetVoiceCap,
    SetChannels,
    SetInstrumentActive,
    SetArpeggiator,
    SetChordShape,
    SetGroove,
    LinkLayer,
    UnlinkLayer,
    SetOctaveOffset,
    SetSampler,
    AddFilter,
    AddEq,
    AddEffect,
    RemoveStage,
    MoveStage,
    SetStageEnabled,
    SetImpulseResponse,
    SetStageParam,
    SetFilterType,
    SetEqBand,
)
