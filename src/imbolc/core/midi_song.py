"""A MIDI song as plain data, between the file (``midifile``, the one module using mido) and a
project (``midi_import``, ``midi_export``): tracks of events in absolute file ticks.

Also the pieces both directions share: the General MIDI program families as catalog sources,
the level and pan curves of CC 7 and CC 10, and tempo in microseconds per beat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

MICROSECONDS_PER_MINUTE = 60_000_000
MAX_MIDI_TEMPO = 0xFFFFFF
"""The largest tempo (microseconds per beat) the 3-byte ``set_tempo`` event holds."""
DRUM_CHANNEL = 9
"""General MIDI channel 10, counted from 0: its notes are drums."""
LAYER_MARK = "imbolc: more notes of the track before"
"""The text event that marks a track continuing the one before it."""
MODULATION_CC = 1
VOLUME_CC = 7
PAN_CC = 10
EXPRESSION_CC = 11
SUSTAIN_CC = 64


class MidiEvent(NamedTuple):
    """One event at an absolute file tick.

    ``kind`` is ``on``, ``off``, ``program``, ``cc``, ``bend``, ``aftertouch``,
    ``poly_aftertouch``, ``tempo`` (a = microseconds per beat), ``meter`` (a/b), ``key``
    (text: the key-signature name), ``sysex`` or ``meta`` (text: the meta event's type).
    """

    tick: int
    kind: str
    channel: int = -1
    a: int = 0
    b: int = 0
    text: str = ""


@dataclass
class MidiTrackData:
    """A track: its name, its events in time order and where it ends."""

    name: str = ""
    events: list[MidiEvent] = field(default_factory=list)
    end: int = 0
    continues: bool = False
    """The track holds more notes of the track before it (same-pitch notes nested inside
    others, which one track cannot pair back); marked in the file by ``LAYER_MARK``."""


@dataclass
class MidiSong:
    """A whole file: format (0, 1 or 2), ticks per quarter note and the tracks."""

    ppq: int
    format: int = 1
    tracks: list[MidiTrackData] = field(default_factory=list)


def tempo_of(bpm: float) -> int:
    """Microseconds per beat at ``bpm``."""
    return round(MICROSECONDS_PER_MINUTE / bpm)


def level_of_volume(value: int) -> float:
    """CC 7 as a linear gain: General MIDI's curve, 40·log10(value/127) dB."""
    return (max(0, min(127, value)) / 127.0) ** 2


def volume_of_level(level: float) -> int:
    """A linear gain as CC 7 (gains above unity are written as 127)."""
    return max(0, min(127, round(127.0 * math.sqrt(max(0.0, level)))))


def pan_of_cc(value: int) -> float:
    """CC 10 (0 left, 64 centre, 127 right) as a pan in -1..1."""
    return max(-1.0, min(1.0, (max(0, min(127, value)) - 64) / 63.0))


def cc_of_pan(pan: float) -> int:
    """A pan in -1..1 as CC 10."""
    return max(0, min(127, round(64 + 63.0 * pan)))


# General MIDI program families (8 programs each) and a few single programs, as the catalog
# source that comes closest. Programs not listed play the family's source.
GM_FAMILIES = (
    "epiano",  # 0-7 pianos
    "vibraphone",  # 8-15 chromatic percussion
    "organ",  # 16-23 organs
    "guitar",  # 24-31 guitars
    "bass_guitar",  # 32-39 basses
    "strings",  # 40-47 strings
    "strings",  # 48-55 ensembles
    "fm_brass",  # 56-63 brass
    "blown",  # 64-71 reeds
    "blown",  # 72-79 pipes
    "saw",  # 80-87 synth leads
    "supersaw",  # 88-95 synth pads
    "wavetable",  # 96-103 synth effects
    "koto",  # 104-111 ethnic
    "membrane",  # 112-119 percussive
    "noise",  # 120-127 sound effects
)
GM_PROGRAMS = {
    8: "glockenspiel",
    9: "glockenspiel",
    10: "kalimba",
    12: "marimba",
    13: "marimba",
    14: "tubular_bell",
    15: "harp",
    45: "pluck",
    46: "harp",
    52: "choir",
    53: "choir",
    54: "choir",
    61: "brass_stab",
    62: "brass_stab",
    80: "square",
    108: "kalimba",
    112: "glockenspiel",
    114: "steel_drum",
}


def source_of_program(program: int) -> str:
    """The catalog source for a General MIDI program (0..127)."""
    return GM_PROGRAMS.get(program, GM_FAMILIES[max(0, min(127, program)) // 8])
