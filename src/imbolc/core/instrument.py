"""The instrument: a source, a processing chain, modulation, note input and a mixer strip."""

from __future__ import annotations

from typing import Literal

import msgspec

from imbolc.core.ids import BusId, InstrumentId, LayerGroupId, StageId
from imbolc.core.indexed import position_index, remember_index, replace_at
from imbolc.core.kit import KitConfig

ParamPath = tuple[str | int, ...]
"""Where a value lives inside an instrument: ``("source", "cutoff")``, ``("mixer", "level")``,
``("chain", 3, "mix")``. Effects, automation targets and LFO routing share this form."""


class ParamValue(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One named parameter value; its range lives in the catalog."""

    name: str
    value: float


class EqBand(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One band of the 12-band EQ."""

    kind: Literal["low_shelf", "peaking", "high_shelf"]
    freq: float
    gain: float = 0.0
    q: float = 1.0
    enabled: bool = True


EQ_BAND_FREQS = (40, 80, 160, 320, 640, 1200, 2500, 5000, 8000, 12000, 16000, 18000)


def default_eq_bands() -> tuple[EqBand, ...]:
    """The original's 12 bands: a low shelf, ten peaking bands and a high shelf."""
    last = len(EQ_BAND_FREQS) - 1
    bands = []
    for n, freq in enumerate(EQ_BAND_FREQS):
        if n == 0:
            bands.append(EqBand("low_shelf", float(freq), q=0.7))
        elif n == last:
            bands.append(EqBand("high_shelf", float(freq), q=0.7))
        else:
            bands.append(EqBand("peaking", float(freq)))
    return tuple(bands)


class FilterStage(msgspec.Struct, frozen=True, tag="filter", array_like=True):
    """A filter in the chain: its catalog type and its params (cutoff, resonance, extras)."""

    id: StageId
    filter_type: str
    params: tuple[ParamValue, ...]
    enabled: bool = True


class EqStage(msgspec.Struct, frozen=True, tag="eq", array_like=True):
    """The 12-band EQ; an instrument has at most one."""

    id: StageId
    bands: tuple[EqBand, ...]
    enabled: bool = True


class EffectStage(msgspec.Struct, frozen=True, tag="effect", array_like=True):
    """An effect in a chain (instrument or bus)."""

    id: StageId
    effect_type: str
    params: tuple[ParamValue, ...]
    enabled: bool = True
    ir_path: str = ""
    """The impulse response file of a convolution reverb ("" = the built-in room)."""


Stage = FilterStage | EqStage | EffectStage

LfoShape = Literal["sine", "square", "saw", "triangle"]
LfoTarget = Literal[
    "filter_cutoff",
    "filter_resonance",
    "pitch",
    "level",
    "pan",
    "pulse_width",
    "detune",
    "fm_index",
    "wavetable_position",
    "formant_freq",
    "sync_ratio",
    "grain_size",
    "grain_density",
    "delay_time",
    "delay_feedback",
    "reverb_mix",
]
LFO_TARGETS: tuple[LfoTarget, ...] = LfoTarget.__args__  # type: ignore[attr-defined]


class Lfo(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A low-frequency oscillator modulating one target of its instrument."""

    enabled: bool = False
    rate: float = 2.0
    depth: float = 0.5
    shape: LfoShape = "sine"
    target: LfoTarget = "filter_cutoff"


class Envelope(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The amplitude ADSR, in seconds (sustain is a level 0..1)."""

    attack: float = 0.01
    decay: float = 0.1
    sustain: float = 0.7
    release: float = 0.3


SendTap = Literal["pre", "post"]


class Send(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A send from an instrument to a bus, tapped before or after the processing chain."""

    bus_id: BusId
    level: float = 0.0
    enabled: bool = False
    tap: SendTap = "post"


class MixerStrip(msgspec.Struct, frozen=True, array_like=True):
    """An instrument's channel strip. ``output_bus`` None routes to master."""

    level: float = 0.8
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    output_bus: BusId | None = None
    sends: tuple[Send, ...] = ()

    def send(self, bus_id: int) -> Send | None:
        """The send to ``bus_id``, if the strip has one."""
        for send in self.sends:
            if send.bus_id == bus_id:
                return send
        return None


ArpDirection = Literal["up", "down", "up_down", "random"]
NoteRate = Literal["quarter", "eighth", "sixteenth", "thirty_second"]


class Arpeggiator(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Turns held notes into a pattern at a rate, across octaves."""

    enabled: bool = False
    direction: ArpDirection = "up"
    rate: NoteRate = "eighth"
    octaves: int = 1
    gate: float = 0.5


SwingGrid = Literal["eighths", "sixteenths", "both"]


class Groove(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Per-instrument overrides of the session's feel; None means "use the session's"."""

    swing: float | None = None
    swing_grid: SwingGrid | None = None
    humanize_velocity: float | None = None
    humanize_timing: float | None = None
    time_signature: tuple[int, int] | None = None
    timing_offset_ms: float = 0.0


class Slice(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A region of a sample, 0..1 of its length, playing at ``root_note``."""

    id: int
    start: float
    end: float
    name: str = ""
    root_note: int = 60


SAMPLER_SOURCES = frozenset({"pitched_sampler", "time_stretch"})
"""Catalog sources that play the sample file of their ``SamplerConfig``."""
CHOPPER_FIRST_NOTE = 60
"""With slices and pitch tracking off (the chopper), slice 0 plays on this note (middle C),
slice 1 on the next, and so on."""


class SamplerConfig(msgspec.Struct, frozen=True, array_like=True):
    """The sample a sampler source plays, and its slices.

    Without slices the whole file plays; with slices and ``pitch_tracking`` the selected
    slice plays, transposed from its ``root_note``; with slices and no pitch tracking each
    slice has a note of its own from ``CHOPPER_FIRST_NOTE`` up (the chopper). Without pitch
    tracking every note plays at the recorded speed. ``loop`` wraps the slice while held."""

    sample_path: str = ""
    sample_name: str = ""
    slices: tuple[Slice, ...] = ()
    selected_slice: int = 0
    loop: bool = False
    pitch_tracking: bool = True


ChannelConfig = Literal["stereo", "mono"]
ChordShapeName = Literal[
    "major", "minor", "seventh", "minor_seventh", "sus2", "sus4", "power", "octave"
]


class Instrument(msgspec.Struct, frozen=True, array_like=True):
    """One instrument: what the engine builds as source voices → chain → strip."""

    id: InstrumentId
    name: str
    source: str
    source_params: tuple[ParamValue, ...] = ()
    envelope: Envelope = Envelope()
    chain: tuple[Stage, ...] = ()
    lfo: Lfo = Lfo()
    mixer: MixerStrip = MixerStrip()
    channels: ChannelConfig = "stereo"
    polyphonic: bool = True
    voice_cap: int = 24
    active: bool = True
    arpeggiator: Arpeggiator = Arpeggiator()
    chord_shape: ChordShapeName | None = None
    groove: Groove = Groove()
    layer_group: LayerGroupId | None = None
    octave_offset: int = 0
    sampler: SamplerConfig | None = None
    kit: KitConfig | None = None
    next_stage_id: int = 1
    midi_channel: int | None = None
    """The MIDI channel (0..15) an imported part came from; export writes it back there."""
    midi_program: int | None = None
    """The General MIDI program (0..127) an imported part used; export writes it back."""

    def stage_position(self, stage_id: int) -> int | None:
        """Where stage ``stage_id`` sits in the chain, if it is there."""
        for pos, stage in enumerate(self.chain):
            if stage.id == stage_id:
                return pos
        return None

    def source_param(self, name: str) -> float | None:
        """The value of source parameter ``name``, if the source has it."""
        for param in self.source_params:
            if param.name == name:
                return param.value
        return None


class Instruments(msgspec.Struct, frozen=True, weakref=True, array_like=True):
    """The ordered instruments, with O(1) lookup by id."""

    items: tuple[Instrument, ...] = ()
    next_id: int = 1
    next_layer_group_id: int = 1

    def _index(self) -> dict[int, int]:
        return position_index(self, self.items, lambda inst: inst.id)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, instrument_id: object) -> bool:
        return instrument_id in self._index()

    def get(self, instrument_id: int) -> Instrument | None:
        """The instrument with this id, or None."""
        pos = self._index().get(instrument_id)
        return None if pos is None else self.items[pos]

    def position(self, instrument_id: int) -> int | None:
        """The instrument's position in the list, or None."""
        return self._index().get(instrument_id)

    def replaced(self, instrument: Instrument) -> Instruments:
        """A new container with ``instrument`` replacing the one with its id (same position)."""
        index = self._index()
        new = msgspec.structs.replace(
            self, items=replace_at(self.items, index[instrument.id], instrument)
        )
        remember_index(new, index)
        return new

    def any_solo(self) -> bool:
        """Whether any instrument strip is soloed."""
        return any(inst.mixer.solo for inst in self.items)
