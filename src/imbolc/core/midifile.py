"""Standard MIDI files: import a song as a new project, export a project's piano roll.

The only core module that imports mido. A piano roll keeps musical time, so ticks are rescaled
to 480 per beat and the earliest tempo becomes the project's bpm. Later tempo changes are not
kept: every note stays on its beat and the whole song plays at the first tempo.
"""

from __future__ import annotations

import io
import itertools
import os
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import mido

from imbolc.core import catalog
from imbolc.core.actions import AddInstrument, AddNotes, SetBpm, SetLoop, SetTimeSignature
from imbolc.core.apply.notes import MAX_TICK
from imbolc.core.errors import ImbolcError, InvalidAction
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.targets import BPM_RANGE
from imbolc.core.validate import MAX_NAME_LENGTH

DRUM_CHANNEL = 9
"""General MIDI channel 10, counted from 0: its notes are drums."""
MELODIC_CHANNELS = tuple(channel for channel in range(16) if channel != DRUM_CHANNEL)
KIT_SOURCE = "kit"
DRUMS_NAME = "drums"
MICROSECONDS_PER_MINUTE = 60_000_000
MAX_MIDI_TEMPO = 0xFFFFFF
"""The largest tempo (microseconds per beat) the 3-byte ``set_tempo`` event holds."""
RELEASE_VELOCITY = 64
"""The note-off velocity MIDI uses when none is known."""


class MidiFileError(ImbolcError):
    """A MIDI file cannot be read or written; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


class _RawNote(NamedTuple):
    start: int
    end: int
    pitch: int
    velocity: int


@dataclass
class _Song:
    """What a file holds that imbolc keeps, still in the file's ticks."""

    parts: defaultdict[tuple[int, int], list[_RawNote]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """Notes per (track index, channel)."""
    track_names: dict[int, str] = field(default_factory=dict)
    tempo: tuple[int, int] | None = None
    """(tick, microseconds per beat) of the earliest tempo event."""
    meter: tuple[int, int, int] | None = None
    """(tick, numerator, denominator) of the earliest time signature."""


def import_midi(path: str | Path, source: str = "saw") -> Project:
    """A new project holding the song in ``path``: one instrument per track and channel.

    Melodic parts play catalog source ``source``; channel 10 becomes a drum kit whose notes
    keep their General MIDI pitches. Only the earliest tempo is kept (notes stay on their
    beats); tracks of a type-2 file are laid over each other from the start.
    Raises ``MidiFileError`` for a file that is missing, not MIDI, damaged or without notes,
    and ``UnknownCatalogEntry`` for an unknown ``source``.
    """
    melodic = catalog.source(source).name
    file = Path(path)
    midi = _read(file)
    ppq: int = midi.ticks_per_beat
    if ppq <= 0:
        raise MidiFileError(file, "uses SMPTE (frames per second) timing, which has no beats")
    song = _scan(midi.tracks)
    if not song.parts:
        raise MidiFileError(file, "contains no notes")
    try:
        return _build(song, ppq, melodic)
    except InvalidAction as err:
        raise MidiFileError(file, f"holds a value imbolc cannot take: {err}") from err


def export_midi(project: Project, path: str | Path) -> None:
    """Write the piano roll to ``path`` as a type-1 file at 480 ticks per beat.

    A tempo track carries the bpm and time signature; every instrument with notes gets a
    track named after it, on a channel of its own (kits on channel 10). Note probability,
    the arrangement and automation are not written. The file is replaced only when complete.
    """
    file = Path(path)
    settings = project.session.settings
    numerator, denominator = settings.time_signature
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT, charset="utf-8")
    tempo = min(_tempo(settings.bpm), MAX_MIDI_TEMPO)
    conductor = [
        mido.MetaMessage("set_tempo", tempo=tempo),
        mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator),
    ]
    midi.tracks.append(mido.MidiTrack(conductor))
    melodic_channels = itertools.cycle(MELODIC_CHANNELS)
    roll = project.session.piano_roll
    for inst in project.instruments.items:
        track = roll.track(inst.id)
        if track is None or not track.notes:
            continue
        channel = DRUM_CHANNEL if inst.source == KIT_SOURCE else next(melodic_channels)
        midi.tracks.append(_midi_track(inst.name, channel, track.notes))
    buffer = io.BytesIO()
    midi.save(file=buffer)
    _write_whole(file, buffer.getvalue())


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


def _scan(tracks: Iterable[Any]) -> _Song:
    """Pair note-ons with note-offs (first in, first out per pitch) and pick up the metadata."""
    song = _Song()
    for index, track in enumerate(tracks):
        tick = 0
        held: defaultdict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)
        for msg in track:
            tick += msg.time
            kind = msg.type
            if kind == "note_on" and msg.velocity > 0:
                held[msg.channel, msg.note].append((tick, msg.velocity))
            elif kind in ("note_on", "note_off"):
                waiting = held.get((msg.channel, msg.note))
                if waiting:
                    start, velocity = waiting.popleft()
                    note = _RawNote(start, tick, msg.note, velocity)
                    song.parts[index, msg.channel].append(note)
            elif kind == "track_name":
                song.track_names.setdefault(index, msg.name)
            elif kind == "set_tempo" and (song.tempo is None or tick < song.tempo[0]):
                song.tempo = (tick, msg.tempo)
            elif kind == "time_signature" and (song.meter is None or tick < song.meter[0]):
                song.meter = (tick, msg.numerator, msg.denominator)
        for (channel, pitch), waiting in held.items():  # never released: end with the track
            for start, velocity in waiting:
                song.parts[index, channel].append(_RawNote(start, tick, pitch, velocity))
    return song


def _build(song: _Song, ppq: int, melodic: str) -> Project:
    """The project, built action by action so the core validates every value."""
    store = Store()
    if song.tempo is not None:
        store.dispatch(SetBpm(_bpm(song.tempo[1])))
    if song.meter is not None:
        with suppress(InvalidAction):  # a meter imbolc has no room for leaves 4/4
            store.dispatch(SetTimeSignature(song.meter[1], song.meter[2]))
    channels_in_track = Counter(track for track, _channel in song.parts)
    song_end = 0
    for (track, channel), raw_notes in sorted(song.parts.items()):
        drums = channel == DRUM_CHANNEL
        name = _clean_name(song.track_names.get(track, ""))
        if name and channels_in_track[track] > 1:
            suffix = f" (ch {channel + 1})"
            name = name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
        store.dispatch(AddInstrument(KIT_SOURCE if drums else melodic, name or _default(drums)))
        ident = store.state.instruments.items[-1].id
        notes = tuple(_note(raw, ppq) for raw in raw_notes)
        store.dispatch(AddNotes(ident, notes))
        song_end = max(song_end, *(note.end for note in notes))
    numerator, denominator = store.state.session.settings.time_signature
    bar = TICKS_PER_BEAT * 4 * numerator // denominator
    bars = -(-song_end // bar)
    store.dispatch(SetLoop(0, min(bars * bar, MAX_TICK)))
    return store.state


def _default(drums: bool) -> str:
    """The name of an unnamed part; empty lets the core name it "<source>-<id>"."""
    return DRUMS_NAME if drums else ""


def _ticks(file_ticks: int, ppq: int) -> int:
    """File ticks at ``ppq`` per beat as imbolc ticks (480 per beat), rounded to the nearest."""
    return (2 * file_ticks * TICKS_PER_BEAT + ppq) // (2 * ppq)


def _note(raw: _RawNote, ppq: int) -> Note:
    """A piano-roll note; both ends are rescaled so touching notes stay touching."""
    tick = _ticks(raw.start, ppq)
    duration = max(1, _ticks(raw.end, ppq) - tick)
    return Note(tick, duration, raw.pitch, raw.velocity)


def _tempo(bpm: float) -> int:
    """Microseconds per beat at ``bpm``."""
    return round(MICROSECONDS_PER_MINUTE / bpm)


def _bpm(tempo: int) -> float:
    """The bpm of a MIDI tempo, within imbolc's range; rounded to 0.01 when that loses nothing.

    Exporting the result writes back the same tempo, so import → export → import is stable.
    """
    low, high = BPM_RANGE
    if tempo <= 0:
        return high
    exact = MICROSECONDS_PER_MINUTE / tempo
    rounded = round(exact, 2)
    bpm = rounded if _tempo(rounded) == tempo else exact
    return min(max(bpm, low), high)


def _clean_name(raw: str) -> str:
    """A track name as an instrument name: UTF-8 when it decodes as such, printable, short."""
    try:
        decoded = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        decoded = raw
    printable = "".join(char for char in decoded if char.isprintable())
    return printable.strip()[:MAX_NAME_LENGTH].rstrip()


def _midi_track(name: str, channel: int, notes: Iterable[Note]) -> Any:
    """One named track of note-on/note-off pairs; at one tick, note-offs go first."""
    events: list[tuple[int, bool, int, int]] = []
    for note in notes:
        events.append((note.tick, True, note.pitch, note.velocity))
        events.append((note.end, False, note.pitch, RELEASE_VELOCITY))
    events.sort()
    messages = [mido.MetaMessage("track_name", name=name)]
    now = 0
    for tick, starts, pitch, velocity in events:
        kind = "note_on" if starts else "note_off"
        delta = tick - now
        messages.append(
            mido.Message(kind, channel=channel, note=pitch, velocity=velocity, time=delta)
        )
        now = tick
    return mido.MidiTrack(messages)


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
