"""Performance mode: the computer keyboard as a piano playing the selected instrument.

Terminals report key presses but not releases, so each note is released after a short gate
(a repeated key retriggers it). Notes go to live input when it has a path for them (layers,
chord shape, arpeggiator and a recording take, as a MIDI key would), else straight to the
engine through the instrument's layers and chord shape. Playing is not an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from textual.timer import Timer

from imbolc.core.ids import InstrumentId
from imbolc.core.live_control import LiveControl, NoLive
from imbolc.core.live_route import sounding
from imbolc.core.ports import EnginePort
from imbolc.core.project import Project
from imbolc.tui.errors import ENGINE_ERRORS

GATE_SECONDS = 0.35
DEFAULT_OCTAVE = 4
VELOCITY = 100
VELOCITY_STEP = 10

Schedule = Callable[[float, Callable[[], None]], Timer]
Key = tuple[InstrumentId, int]
Voices = tuple[tuple[InstrumentId, int], ...] | None
"""The voices a key started on the engine itself; None when live input holds them."""


class Performance:
    """Which octave and velocity the keyboard plays, and which notes are sounding."""

    def __init__(
        self,
        engine: EnginePort,
        schedule: Schedule,
        project: Callable[[], Project],
        live: LiveControl | None = None,
    ) -> None:
        self.engine = engine
        self.schedule = schedule
        self.project = project
        self.live: LiveControl = live or NoLive()
        self.active = False
        self.octave = DEFAULT_OCTAVE
        self.velocity = VELOCITY
        self._sounding: dict[Key, tuple[Timer, Voices]] = {}

    @property
    def sounding(self) -> bool:
        """Whether any note is still held."""
        return bool(self._sounding)

    @property
    def label(self) -> str:
        """What the header shows while the mode is on, e.g. "PERF C4 vel 100"."""
        return f"PERF C{self.octave} vel {self.velocity}"

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
        self.release(key)
        voices: Voices = None
        if not self.live.play_key(instrument_id, pitch, self.velocity):
            voices = tuple(sounding(self.project(), instrument_id, pitch))
            for voice, voice_pitch in voices:
                self.engine.note_on(voice, voice_pitch, self.velocity)
        timer = self.schedule(GATE_SECONDS, lambda: self.release(key))
        self._sounding[key] = (timer, voices)
        return pitch

    def release(self, key: Key) -> None:
        """Stop one sounding note."""
        held = self._sounding.pop(key, None)
        if held is None:
            return
        timer, voices = held
        timer.stop()
        with suppress(*ENGINE_ERRORS):  # a dead engine has nothing left to release
            if voices is None:
                self.live.release_key(*key)
            else:
                for voice in voices:
                    self.engine.note_off(*voice)

    def release_all(self) -> None:
        """Stop every sounding note (leaving the mode, switching octave)."""
        for key in list(self._sounding):
            self.release(key)

    def shift(self, octaves: int) -> None:
        """Move the keyboard up or down by whole octaves (0..8)."""
        self.release_all()
        self.octave = max(0, min(8, self.octave + octaves))

    def step_velocity(self, steps: int) -> None:
        """Play louder or softer by ``steps`` of 10 (1..127)."""
        self.velocity = max(1, min(127, self.velocity + steps * VELOCITY_STEP))
