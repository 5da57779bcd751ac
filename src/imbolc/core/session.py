"""The session: musical settings plus everything that is not an instrument."""

from __future__ import annotations

from typing import Literal

import msgspec

from imbolc.core.arrangement import Arrangement
from imbolc.core.automation import Automation
from imbolc.core.midi_map import MidiSettings
from imbolc.core.mixer import Mixer
from imbolc.core.notes import PianoRoll
from imbolc.core.timemap import TempoMap

Key = Literal["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
ScaleName = Literal[
    "major",
    "minor",
    "dorian",
    "phrygian",
    "lydian",
    "mixolydian",
    "aeolian",
    "locrian",
    "pentatonic",
    "blues",
    "chromatic",
]
Tuning = Literal["equal", "scale_ji", "chord_ji", "adaptive_ji", "global_ji"]
JiFlavorName = Literal["five_limit", "seven_limit", "pythagorean"]


class MusicalSettings(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Key, scale, tempo, tuning and meter of the session."""

    key: Key = "C"
    scale: ScaleName = "major"
    bpm: float = 120.0
    tuning_a4: float = 440.0
    time_signature: tuple[int, int] = (4, 4)
    tuning: Tuning = "equal"
    ji_flavor: JiFlavorName = "five_limit"
    snap: bool = False


class Humanize(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Random variation of velocity and timing, 0..1 each."""

    velocity: float = 0.0
    timing: float = 0.0


class Click(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The metronome."""

    enabled: bool = False
    volume: float = 0.7
    muted: bool = False


class Session(msgspec.Struct, frozen=True, array_like=True):
    """Everything a project holds besides its instruments."""

    settings: MusicalSettings = MusicalSettings()
    piano_roll: PianoRoll = PianoRoll()
    arrangement: Arrangement = Arrangement()
    automation: Automation = Automation()
    mixer: Mixer = Mixer()
    humanize: Humanize = Humanize()
    click: Click = Click()
    midi: MidiSettings = MidiSettings()
    tempo_map: TempoMap = TempoMap()
