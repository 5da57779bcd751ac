"""Live input and tempo sync on real devices: MIDI ports (python-rtmidi), MIDI clock, Link.

An edge layer like ``engine`` or ``net``: it realizes the ``core.live.MidiInput`` port and
imports only ``core``; the composition modules route what it delivers.
"""

from __future__ import annotations

from imbolc.live.clock import ClockOut
from imbolc.live.ports import PortWatcher, RtMidiInput, RtMidiOutput, midi_available

__all__ = ["ClockOut", "PortWatcher", "RtMidiInput", "RtMidiOutput", "midi_available"]
