"""Live MIDI input as the core sees it: events, a tolerant byte decoder, and the input port.

``MidiInput`` is the port an adapter (``imbolc.live``) realizes over a real device; every event
carries the monotonic time it arrived. ``MidiDecoder`` turns raw bytes into events and never
raises: running status, SysEx, stray data bytes and undefined status bytes are handled or
counted and reported, because a controller's garbage must never stop the music.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import msgspec


class NoteOn(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A key went down (a note-on with velocity 0 decodes as ``NoteOff``)."""

    channel: int
    note: int
    velocity: int
    time: float = 0.0


class NoteOff(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A key came up."""

    channel: int
    note: int
    velocity: int = 0
    time: float = 0.0


class ControlChange(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A knob, fader or pedal moved (0..127)."""

    channel: int
    control: int
    value: int
    time: float = 0.0


class PitchWheel(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The pitch wheel, -8192..8191 (0 is the centre)."""

    channel: int
    value: int
    time: float = 0.0


class Aftertouch(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Pressure after the key went down: the whole channel (``note`` None) or one key."""

    channel: int
    value: int
    note: int | None = None
    time: float = 0.0


class ClockTick(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """MIDI clock: 24 ticks per quarter note."""

    time: float = 0.0


class ClockStart(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The clock source started from the top."""

    time: float = 0.0


class ClockContinue(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The clock source continued from where it stopped."""

    time: float = 0.0


class ClockStop(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The clock source stopped."""

    time: float = 0.0


MidiEvent = (
    NoteOn
    | NoteOff
    | ControlChange
    | PitchWheel
    | Aftertouch
    | ClockTick
    | ClockStart
    | ClockContinue
    | ClockStop
)
EventSink = Callable[[MidiEvent], None]
Log = Callable[[str], None]

CLOCKS_PER_BEAT = 24
SUSTAIN_CC = 64
AFTERTOUCH_CC = 128
"""The pseudo controller number a CC mapping uses to follow channel aftertouch."""

LOGGED_GARBAGE = 10
"""Malformed input is logged this many times per device, then every thousandth time."""
_DATA_LENGTH = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}
_COMMON_LENGTH = {0xF1: 1, 0xF2: 2, 0xF3: 1, 0xF6: 0}
_REALTIME: dict[int, type[ClockTick | ClockStart | ClockContinue | ClockStop]] = {
    0xF8: ClockTick,
    0xFA: ClockStart,
    0xFB: ClockContinue,
    0xFC: ClockStop,
}
_IGNORED_REALTIME = (0xFE, 0xFF)  # active sensing, reset


def _ignore(_message: str) -> None:
    return None


class MidiDecoder:
    """Bytes from one device → events, keeping running status across packets."""

    def __init__(self, log: Log = _ignore) -> None:
        self.log = log
        self.garbage = 0
        """Bytes or messages dropped as malformed."""
        self.sysex = 0
        """SysEx messages skipped (imbolc reads none)."""
        self._status = 0
        self._data: list[int] = []
        self._in_sysex = False
        self._skip_common = 0

    def _drop(self, what: str) -> None:
        self.garbage += 1
        if self.garbage <= LOGGED_GARBAGE or self.garbage % 1000 == 0:
            self.log(f"MIDI input: {what} ignored ({self.garbage} so far)")

    def feed(
        self, data: bytes | bytearray | list[int] | tuple[int, ...], time: float
    ) -> list[MidiEvent]:
        """Decode ``data`` (arrived at monotonic ``time``) into the complete events it ends."""
        out: list[MidiEvent] = []
        for byte in data:
            if not isinstance(byte, int) or not 0 <= byte <= 0xFF:
                self._drop(f"non-byte value {byte!r}")
                continue
            if byte >= 0xF8:
                kind = _REALTIME.get(byte)
                if kind is not None:
                    out.append(kind(time))
                elif byte not in _IGNORED_REALTIME:
                    self._drop(f"undefined status byte 0x{byte:02X}")
                continue
            if self._in_sysex:
                if byte == 0xF7:
                    self._in_sysex = False
                    self.sysex += 1
                    continue
                if byte < 0x80:
                    continue
                self._in_sysex = False
                self._drop("unterminated SysEx")
            if byte >= 0x80:
                self._start(byte)
                continue
            if self._skip_common:
                self._skip_common -= 1
                continue
            if not self._status:
                self._drop(f"data byte 0x{byte:02X} without a status")
                continue
            self._data.append(byte)
            if len(self._data) == _DATA_LENGTH[self._status & 0xF0]:
                event = self._event(self._status, self._data, time)
                self._data = []  # running status: the next data bytes reuse the status
                if event is not None:
                    out.append(event)
        return out

    def _start(self, byte: int) -> None:
        if self._data:
            self._drop(f"incomplete message 0x{self._status:02X}")
        self._data = []
        self._skip_common = 0
        if byte < 0xF0:
            self._status = byte
            return
        self._status = 0  # system common messages cancel running status
        if byte == 0xF0:
            self._in_sysex = True
        elif byte in _COMMON_LENGTH:
            self._skip_common = _COMMON_LENGTH[byte]
        else:
            self._drop(f"stray or undefined status byte 0x{byte:02X}")

    @staticmethod
    def _event(status: int, data: list[int], time: float) -> MidiEvent | None:
        kind, channel = status & 0xF0, status & 0x0F
        if kind == 0x90:
            if data[1] == 0:
                return NoteOff(channel, data[0], 0, time)
            return NoteOn(channel, data[0], data[1], time)
        if kind == 0x80:
            return NoteOff(channel, data[0], data[1], time)
        if kind == 0xB0:
            return ControlChange(channel, data[0], data[1], time)
        if kind == 0xE0:
            return PitchWheel(channel, (data[0] | data[1] << 7) - 8192, time)
        if kind == 0xD0:
            return Aftertouch(channel, data[0], None, time)
        if kind == 0xA0:
            return Aftertouch(channel, data[1], data[0], time)
        return None  # program change: nothing reads it yet


def encode_event(event: MidiEvent) -> list[int]:
    """The bytes of one event (for tests, MIDI clock out and thru)."""
    if isinstance(event, NoteOn):
        return [0x90 | event.channel, event.note, event.velocity]
    if isinstance(event, NoteOff):
        return [0x80 | event.channel, event.note, event.velocity]
    if isinstance(event, ControlChange):
        return [0xB0 | event.channel, event.control, event.value]
    if isinstance(event, PitchWheel):
        raw = event.value + 8192
        return [0xE0 | event.channel, raw & 0x7F, raw >> 7]
    if isinstance(event, Aftertouch):
        if event.note is None:
            return [0xD0 | event.channel, event.value]
        return [0xA0 | event.channel, event.note, event.value]
    codes = {ClockTick: 0xF8, ClockStart: 0xFA, ClockContinue: 0xFB, ClockStop: 0xFC}
    return [codes[type(event)]]


class MidiInput(Protocol):
    """A source of live MIDI: ports to choose from, events delivered on the adapter's thread."""

    def ports(self) -> list[str]:
        """The names of the input ports there are now."""
        ...

    def open(self, names: list[str], sink: EventSink) -> list[str]:
        """Listen to ``names`` (replacing what was open); the names actually opened."""
        ...

    def opened(self) -> list[str]:
        """The names of the ports listened to now."""
        ...

    def close(self) -> None:
        """Stop listening to every port."""
        ...


class NoMidiInput:
    """A ``MidiInput`` with no ports, for machines without a MIDI library or device."""

    def __init__(self, reason: str = "MIDI input is not available") -> None:
        self.reason = reason

    def ports(self) -> list[str]:
        return []

    def open(self, names: list[str], sink: EventSink) -> list[str]:
        return []

    def opened(self) -> list[str]:
        return []

    def close(self) -> None:
        return None
