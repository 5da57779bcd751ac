"""Standard MIDI files: import a song as a new project, export a project's piano roll.

The only core module that imports mido: it turns a file into a ``MidiSong`` (plain events at
absolute ticks) and back; ``midi_import`` and ``midi_export`` do the musical work. Import keeps
the tempo and meter maps, so every note sounds at the second the file says.
"""

from __future__ import annotations

import io
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

import mido

from imbolc.core import catalog
from imbolc.core.errors import ImbolcError, InvalidAction
from imbolc.core.midi_export import build_song
from imbolc.core.midi_import import build_project
from imbolc.core.midi_song import LAYER_MARK, MidiEvent, MidiSong, MidiTrackData
from imbolc.core.project import Project


class MidiFileError(ImbolcError):
    """A MIDI file cannot be read or written; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


def import_midi(path: str | Path, source: str | None = None, controllers: bool = False) -> Project:
    """A new project holding the song in ``path`` (see ``import_midi_report``)."""
    return import_midi_report(path, source, controllers)[0]


def import_midi_report(
    path: str | Path, source: str | None = None, controllers: bool = False
) -> tuple[Project, list[str]]:
    """A new project holding the song in ``path``, and what the import changed or left out.

    One instrument per track (or same-named tracks) and channel. Melodic parts play catalog
    source ``source``, or when None the source closest to their General MIDI program; channel
    10 becomes a drum kit whose notes keep their General MIDI pitches. Tracks of a type-2 file
    are laid over each other from the start. CC 7 × CC 11 set the level and CC 10 the pan
    (their later moves become lanes); with ``controllers`` the sustain pedal lengthens notes
    and the modulation wheel drives the LFO depth. Raises ``MidiFileError`` for a file that is
    missing, not MIDI, damaged or without notes, and ``UnknownCatalogEntry`` for an unknown
    ``source``.
    """
    melodic = None if source is None else catalog.source(source).name
    file = Path(path)
    midi = _read(file)
    ppq: int = midi.ticks_per_beat
    if ppq <= 0:
        raise MidiFileError(file, "uses SMPTE (frames per second) timing, which has no beats")
    song = read_song(midi)
    if not any(event.kind == "on" for track in song.tracks for event in track.events):
        raise MidiFileError(file, "contains no notes")
    try:
        return build_project(song, melodic, controllers)
    except InvalidAction as err:
        raise MidiFileError(file, f"holds a value imbolc cannot take: {err}") from err


def export_midi(project: Project, path: str | Path) -> list[str]:
    """Write the piano roll to ``path`` as a type-1 file at imbolc's ticks per beat.

    A conductor track carries the tempo and meter maps; every instrument with notes gets a
    track named after it on its own channel (the one it was imported from, kits on 10) with
    its program, level and pan (CC 7, CC 10) and their lanes. Returns what MIDI cannot hold
    (note probability; channels shared past 15 melodic instruments). The arrangement and other
    automation are not written. The file is replaced only when complete.
    """
    file = Path(path)
    song, report = build_song(project)
    buffer = io.BytesIO()
    write_song(song).save(file=buffer)
    _write_whole(file, buffer.getvalue())
    return report


def _read(path: Path) -> Any:
    """The parsed file; every way mido fails on a bad file becomes a ``MidiFileError``."""
    try:
        return mido.MidiFile(path)
    except EOFError as err:
        raise MidiFileError(path, "ends too early: the file is truncated") from err
    except OSError as err:
        problem = err.strerror or f"not a valid MIDI file: {err}"
        raise MidiFileError(path, problem) from err
    except (ValueError, mido.KeySignatureError) as err:
        raise MidiFileError(path, f"not a valid MIDI file: {err}") from err
    except (KeyError, IndexError) as err:
        raise MidiFileError(path, "not a valid MIDI file: an event is malformed") from err


def _event(tick: int, msg: Any) -> MidiEvent | None:
    kind = msg.type
    if kind == "note_on":
        if msg.velocity > 0:
            return MidiEvent(tick, "on", msg.channel, msg.note, msg.velocity)
        return MidiEvent(tick, "off", msg.channel, msg.note)
    if kind == "note_off":
        return MidiEvent(tick, "off", msg.channel, msg.note, msg.velocity)
    simple = {
        "program_change": ("program", "program", None),
        "control_change": ("cc", "control", "value"),
        "pitchwheel": ("bend", "pitch", None),
        "aftertouch": ("aftertouch", "value", None),
        "polytouch": ("poly_aftertouch", "note", "value"),
    }
    if kind in simple:
        name, first, second = simple[kind]
        return MidiEvent(tick, name, msg.channel, getattr(msg, first),
                         getattr(msg, second) if second else 0)  # fmt: skip
    if kind == "set_tempo":
        return MidiEvent(tick, "tempo", a=msg.tempo)
    if kind == "time_signature":
        return MidiEvent(tick, "meter", a=msg.numerator, b=msg.denominator)
    if kind == "key_signature":
        return MidiEvent(tick, "key", text=msg.key)
    if kind == "sysex":
        return MidiEvent(tick, "sysex")
    if msg.is_meta:
        return MidiEvent(tick, "meta", text=kind)
    return MidiEvent(tick, "meta", text=kind)  # system common/realtime bytes in a file


def read_song(midi: Any) -> MidiSong:
    """A parsed mido file as plain events at absolute ticks, track by track."""
    song = MidiSong(midi.ticks_per_beat, midi.type)
    for track in midi.tracks:
        data = MidiTrackData()
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "track_name" and not data.name:
                data.name = msg.name
            if msg.type == "text" and msg.text == LAYER_MARK:
                data.continues = True
                continue
            event = _event(tick, msg)
            if event is not None:
                data.events.append(event)
        data.end = tick
        song.tracks.append(data)
    return song


def _message(event: MidiEvent, delta: int) -> Any:
    kind, channel = event.kind, event.channel
    if kind == "on":
        return mido.Message("note_on", channel=channel, note=event.a, velocity=event.b, time=delta)
    if kind == "off":
        return mido.Message("note_off", channel=channel, note=event.a, velocity=event.b, time=delta)
    if kind == "program":
        return mido.Message("program_change", channel=channel, program=event.a, time=delta)
    if kind == "cc":
        return mido.Message(
            "control_change", channel=channel, control=event.a, value=event.b, time=delta
        )
    if kind == "tempo":
        return mido.MetaMessage("set_tempo", tempo=event.a, time=delta)
    if kind == "meter":
        return mido.MetaMessage("time_signature", numerator=event.a, denominator=event.b,
                                time=delta)  # fmt: skip
    raise ValueError(f"cannot write a {kind} event")


def write_song(song: MidiSong) -> Any:
    """A mido file of the song's tracks (events already in time order)."""
    midi = mido.MidiFile(type=song.format, ticks_per_beat=song.ppq, charset="utf-8")
    for track in song.tracks:
        messages: list[Any] = []
        if track.name:
            messages.append(mido.MetaMessage("track_name", name=track.name))
        if track.continues:
            messages.append(mido.MetaMessage("text", text=LAYER_MARK))
        now = 0
        for event in track.events:
            messages.append(_message(event, event.tick - now))
            now = event.tick
        midi.tracks.append(mido.MidiTrack(messages))
    return midi


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` and move it into place, so a failure keeps the old file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as err:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise MidiFileError(path, f"cannot write the file: {err.strerror or err}") from err


__all__ = ["MidiFileError", "export_midi", "import_midi", "import_midi_report"]
