"""Performance mode: the computer keyboard as a piano playing the selected instrument.

Terminals report key presses but not releases, so each note is released after a short gate
(a repeated key retriggers it). Notes go straight to the engine: playing is not an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from textual.timer import Timer

from imbolc.core.ids import InstrumentId
from imbolc.core.ports import EnginePort
from imbolc.tui.errors import ENGINE_ERRORS

GATE_SECONDS = 0.35
DEFAULT_OCTAVE = 4
VELOCITY = 100

Schedule = Callable[[float, Callable[[], None]], Timer]


class Performance:
    """Which octave the keyboard plays and which notes are sounding."""

    def __init__(self, engine: EnginePort, schedule: Schedule) -> None:
        self.engine = engine
        self.schedule = schedule
        self.active = False
        self.octave = DEFAULT_OCTAVE
        self._sounding: dict[tuple[InstrumentId, int], Timer] = {}

    @property
    def sounding(self) -> bool:
        """Whether any note is still held."""
        return bool(self._sounding)

    def pitch(self, semitone: int) -> int:
        """The MIDI pitch of a key ``semitone`` steps above the current octave's C."""
        return max(0, min(127, 12 * (self.octave + 1) + semitone))

    def play(
        self,
        instrument_id: InstrumentId,
        semitone: int,
        constrain: Callable[[int], int] = lambda pitch: pitch,
    ) -> int:
        """Start a note (releasing it first if it still sounds); returns its pitch, passed
        through ``constrain`` (the scale lock)."""
        pitch = constrain(self.pitch(semitone))
        key = (instrument_id, pitch)
        held = self._sounding.pop(key, None)
        if held is not None:
            held.stop()
            self.engine.note_off(instrument_id, pitch)
        self.engine.note_on(instrument_id, pitch, VELOCITY)
        self._sounding[key] = self.schedule(GATE_SECONDS, lambda: self.release(key))
        return pitch

    def release(self, key: tuple[InstrumentId, int]) -> None:
        """Stop one sounding note."""
        timer = self._sounding.pop(key, None)
        if timer is not None:
            timer.stop()
            with suppress(*ENGINE_ERRORS):  # a dead engine has nothing left to release
                self.engine.note_off(*key)

    def release_all(self) -> None:
        """Stop every sounding note (leaving the mode, switching octave)."""
        for key in list(self._sounding):
            self.release(key)

    def shift(self, octaves: int) -> None:
        """Move the keyboard up or down by whole octaves (0..8)."""
        self.release_all()
        self.octave = max(0, min(8, self.octave + octaves))
