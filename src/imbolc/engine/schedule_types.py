"""What the scheduler hands the engine: notes, automation values and clicks for one window."""

from __future__ import annotations

import msgspec

from imbolc.core.automation import AutomationTarget
from imbolc.core.ids import InstrumentId


class ScheduledNote(msgspec.Struct, frozen=True, gc=False):
    """One note to play.

    ``time`` is in seconds on the caller's clock (the window's ``start_time`` is the onset of
    its ``start_tick``), after swing, humanize and timing offset (so a negative offset or an
    early humanize can put it slightly before ``start_time``). ``tick`` is the musical
    position the note came from. ``pad`` names the kit pad of a drum hit. ``freq`` is set when
    the note must sound at an exact frequency (a pad triggering another instrument at its
    ``trigger_freq``); ``pitch`` is then the nearest MIDI note, for display and voice keys.
    """

    time: float
    tick: float
    instrument_id: InstrumentId
    pitch: int
    velocity: float
    duration: float
    pad: int | None = None
    freq: float | None = None


class AutomationValue(msgspec.Struct, frozen=True, gc=False):
    """The value a lane's target takes at ``time`` (scaled into the lane's range)."""

    time: float
    tick: float
    target: AutomationTarget
    value: float


class ClickEvent(msgspec.Struct, frozen=True, gc=False):
    """A metronome click on a beat; ``accent`` on the first beat of a bar; ``count_in`` for a
    take's count-in, which clicks even with the metronome off."""

    time: float
    tick: float
    accent: bool
    count_in: bool = False


class Window(msgspec.Struct, frozen=True):
    """Everything that starts in one scheduling window, each kind sorted by time.

    ``next_tick``/``next_time`` are where the following window continues (after a loop wrap
    ``next_tick`` is back inside the loop).
    """

    notes: tuple[ScheduledNote, ...]
    automation: tuple[AutomationValue, ...]
    clicks: tuple[ClickEvent, ...]
    next_tick: float
    next_time: float
