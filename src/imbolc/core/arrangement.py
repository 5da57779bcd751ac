"""The arrangement: clips of notes (and automation) placed on a song timeline."""

from __future__ import annotations

from typing import Literal

import msgspec

from imbolc.core.automation import AutomationLane
from imbolc.core.ids import ClipId, InstrumentId, PlacementId
from imbolc.core.indexed import IdentityCache
from imbolc.core.notes import Note

PlayMode = Literal["pattern", "song"]


class Clip(msgspec.Struct, frozen=True, array_like=True):
    """A clip: notes (ticks relative to the clip start) and its own automation lanes."""

    id: ClipId
    name: str
    instrument_id: InstrumentId
    length_ticks: int
    notes: tuple[Note, ...] = ()
    lanes: tuple[AutomationLane, ...] = ()


class Placement(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A clip placed at ``start_tick``; ``length_override`` trims or loops it."""

    id: PlacementId
    clip_id: ClipId
    start_tick: int
    length_override: int | None = None


class Arrangement(msgspec.Struct, frozen=True, weakref=True, array_like=True):
    """Clips, their placements and whether playback follows the song or loops the roll."""

    clips: tuple[Clip, ...] = ()
    placements: tuple[Placement, ...] = ()
    play_mode: PlayMode = "pattern"
    next_clip_id: int = 1
    next_placement_id: int = 1

    def clip(self, clip_id: int) -> Clip | None:
        """The clip with this id, or None."""
        for clip in self.clips:
            if clip.id == clip_id:
                return clip
        return None

    def placement(self, placement_id: int) -> Placement | None:
        """The placement with this id, or None."""
        for placement in self.placements:
            if placement.id == placement_id:
                return placement
        return None

    @property
    def length(self) -> int:
        """The tick the last placement ends on."""
        end = 0
        for placement in self.placements:
            clip = self.clip(placement.clip_id)
            if clip is not None:
                end = max(end, placement.start_tick + placed_length(placement, clip))
        return end


def placed_length(placement: Placement, clip: Clip) -> int:
    """How many ticks a placement occupies on the timeline."""
    return placement.length_override if placement.length_override else clip.length_ticks


_FLAT_NOTES = IdentityCache()


def _flatten(arrangement: Arrangement) -> dict[InstrumentId, tuple[Note, ...]]:
    by_instrument: dict[InstrumentId, list[Note]] = {}
    clips = {clip.id: clip for clip in arrangement.clips}
    for placement in arrangement.placements:
        clip = clips.get(placement.clip_id)
        if clip is None or clip.length_ticks <= 0:
            continue
        span = placed_length(placement, clip)
        out = by_instrument.setdefault(clip.instrument_id, [])
        # A placement longer than its clip loops the clip.
        for offset in range(0, span, clip.length_ticks):
            for note in clip.notes:
                at = offset + note.tick
                if at >= span:
                    break
                out.append(msgspec.structs.replace(note, tick=placement.start_tick + at))
    return {
        inst: tuple(sorted(notes, key=lambda n: (n.tick, n.pitch)))
        for inst, notes in by_instrument.items()
    }


def flatten_notes(arrangement: Arrangement) -> dict[InstrumentId, tuple[Note, ...]]:
    """Song-mode notes per instrument at absolute ticks, cached per arrangement object."""
    return _FLAT_NOTES.get(arrangement, lambda: _flatten(arrangement))
