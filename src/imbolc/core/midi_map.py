"""MIDI input settings: which controller moves what, where played notes go."""

from __future__ import annotations

import msgspec

from imbolc.core.automation import AutomationTarget
from imbolc.core.ids import InstrumentId


class CcMapping(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A controller (CC number, optionally one channel) driving a target across a range.

    CC 128 stands for channel aftertouch, so pressure maps like any knob.
    """

    cc: int
    target: AutomationTarget
    channel: int | None = None
    min_value: float = 0.0
    max_value: float = 1.0


class PitchBendConfig(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Where the pitch wheel goes: ``range`` either side of ``center``, scaled by sensitivity."""

    target: AutomationTarget
    center: float = 0.5
    range: float = 0.5
    sensitivity: float = 1.0


class ChannelRoute(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Notes on one MIDI channel (0..15) play one instrument, whatever is selected."""

    channel: int
    instrument_id: InstrumentId


class MidiSettings(msgspec.Struct, frozen=True, array_like=True):
    """CC mappings, the pitch wheel, and which instrument plays incoming notes."""

    cc_mappings: tuple[CcMapping, ...] = ()
    pitch_bend: PitchBendConfig | None = None
    live_input_instrument: InstrumentId | None = None
    note_passthrough: bool = True
    channel_filter: int | None = None
    channel_routes: tuple[ChannelRoute, ...] = ()
    """Per-channel instruments; a channel with no route plays the live input instrument."""

    def mapping(self, cc: int, channel: int | None) -> CcMapping | None:
        """The mapping for a CC on a channel (a channel-less mapping answers any channel)."""
        for mapping in self.cc_mappings:
            if mapping.cc == cc and mapping.channel in (None, channel):
                return mapping
        return None
