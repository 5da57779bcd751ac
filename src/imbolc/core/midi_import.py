"""A MIDI song (plain data) as a new project, keeping its timing and saying what it leaves out.

Every ``set_tempo`` becomes a tempo change and every ``time_signature`` a meter change, so each
note sounds at the second the file says (ticks are rescaled from absolute positions, never by
summing deltas, so no PPQ drifts). A tempo change that falls between imbolc ticks gets the tempo
that keeps the next change on its second. Same-pitch notes pair first in, first out; a
duplicate (same onset and pitch) is merged into the longest; a zero-length note gets the piano
roll's finest grid step. Parts are per track name (or track) and channel; programs pick a
catalog source; CC 7 and CC 10 set the strip and, where they move, automation lanes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from msgspec.structs import replace

from imbolc.core import midi_controllers
from imbolc.core.actions import (
    AddInstrument,
    AddNotes,
    AddTempoChange,
    SetKey,
    SetLoop,
    SetMeterChange,
    SetScale,
    SetTempoChange,
)
from imbolc.core.apply.notes import MAX_TICK
from imbolc.core.apply.tempo import DENOMINATORS, MAX_NUMERATOR
from imbolc.core.automation import AutomationPoint
from imbolc.core.ids import InstrumentId, LaneId
from imbolc.core.midi_song import (
    DRUM_CHANNEL,
    EXPRESSION_CC,
    MICROSECONDS_PER_MINUTE,
    MODULATION_CC,
    PAN_CC,
    SUSTAIN_CC,
    VOLUME_CC,
    MidiEvent,
    MidiSong,
    level_of_volume,
    source_of_program,
    tempo_of,
)
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.targets import BPM_RANGE
from imbolc.core.timemap import time_map
from imbolc.core.validate import MAX_NAME_LENGTH

KIT_SOURCE = "kit"
DRUMS_NAME = "drums"
DEFAULT_SOURCE = "saw"
DEFAULT_TEMPO = 500_000
"""MIDI's tempo until a file sets one: 120 BPM."""
ZERO_LENGTH_TICKS = TICKS_PER_BEAT // 16
"""A zero-length note lasts a 64th note, the piano roll's finest grid step."""
SILENT_METAS = frozenset(
    {"end_of_track", "track_name", "channel_prefix", "midi_port", "instrument_name"}
)
"""Meta events that carry nothing imbolc would need to report losing."""
FLATS = {"Cb": "B", "Db": "C#", "Eb": "D#", "Fb": "E", "Gb": "F#", "Ab": "G#", "Bb": "A#"}
CC_NAMES = {0: "bank select", 1: "modulation", 11: "expression", 32: "bank select LSB",
            64: "sustain", 121: "reset all controllers", 123: "all notes off"}  # fmt: skip


@dataclass
class Part:
    """What one instrument gets: a track (or same-named tracks) on one channel."""

    name: str
    channel: int
    track: int = 0
    """The first track it was found on (parts are listed by track, then channel)."""
    notes: list[tuple[int, int, int, int]] = field(default_factory=list)
    """(start, end, pitch, velocity) in file ticks."""
    programs: list[tuple[int, int]] = field(default_factory=list)
    volumes: list[tuple[int, int]] = field(default_factory=list)
    pans: list[tuple[int, int]] = field(default_factory=list)
    expressions: list[tuple[int, int]] = field(default_factory=list)
    sustains: list[tuple[int, int]] = field(default_factory=list)
    mods: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class ImportReport:
    """What the import changed or could not carry over, as sentences for the user."""

    lines: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def sentences(self) -> list[str]:
        """Every line, the dropped event kinds last (most frequent first)."""
        out = list(self.lines)
        if self.dropped:
            listed = ", ".join(f"{what} ×{count}" for what, count in self.dropped.most_common())
            out.append(f"not carried over: {listed}")
        return out


class FileClock:
    """Seconds at any file tick under the file's own tempo events."""

    def __init__(self, tempos: list[tuple[int, int]], ppq: int) -> None:
        self.ticks = [tick for tick, _ in tempos]
        self.tempos = [tempo for _, tempo in tempos]
        self.ppq = ppq
        self.seconds = [0.0]
        for n in range(1, len(tempos)):
            span = (self.ticks[n] - self.ticks[n - 1]) / ppq * self.tempos[n - 1] / 1e6
            self.seconds.append(self.seconds[-1] + span)

    def at(self, tick: float) -> float:
        n = max(0, bisect_right(self.ticks, tick) - 1)
        return self.seconds[n] + (tick - self.ticks[n]) / self.ppq * self.tempos[n] / 1e6


def rescale(file_ticks: int, ppq: int) -> int:
    """File ticks at ``ppq`` per beat as imbolc ticks, rounded to the nearest."""
    return (2 * file_ticks * TICKS_PER_BEAT + ppq) // (2 * ppq)


def tidy_bpm(tempo: int) -> float:
    """The bpm of a MIDI tempo; rounded to 0.01 when writing it back gives the same tempo."""
    exact = MICROSECONDS_PER_MINUTE / tempo
    rounded = round(exact, 2)
    return rounded if tempo_of(rounded) == tempo else exact


def _events(song: MidiSong, kind: str) -> list[MidiEvent]:
    """Every ``kind`` event of every track in time order; at one tick the last written wins."""
    found = sorted(
        (event for track in song.tracks for event in track.events if event.kind == kind),
        key=lambda event: event.tick,
    )
    latest: dict[int, MidiEvent] = {}
    for event in found:
        latest[event.tick] = event
    return list(latest.values())


def _clamped_bpm(bpm: float, where: float, report: ImportReport) -> float:
    low, high = BPM_RANGE
    if low <= bpm <= high:
        return bpm
    clamped = min(max(bpm, low), high)
    report.add(f"tempo {bpm:.2f} BPM at beat {where:g} is outside imbolc's range: {clamped:g}")
    return clamped


def tempo_actions(
    song: MidiSong, report: ImportReport
) -> Iterator[SetTempoChange | AddTempoChange]:
    """The tempo map: one change per distinct imbolc tick. A change off imbolc's grid moves to
    the nearest tick, and the segments around it take the average tempo of the file over their
    span, so every imbolc tick where a change sits sounds at the file's second for it (the
    rounding of a change is not added to the rounding of the notes near it)."""
    tempos = [(e.tick, e.a) for e in _events(song, "tempo") if e.a > 0]
    if not tempos or tempos[0][0] > 0:
        tempos.insert(0, (0, DEFAULT_TEMPO))
    clock = FileClock(tempos, song.ppq)
    kept: dict[int, tuple[int, int]] = {}  # imbolc tick -> (file tick, tempo); the last wins
    merged: set[int] = set()
    for tick, tempo in tempos:
        at = rescale(tick, song.ppq)
        if at in kept:
            merged.add(at)
        kept[at] = (tick, tempo)
    points = sorted(kept.items())
    for n, (at, (tick, tempo)) in enumerate(points):
        exact = at * song.ppq == tick * TICKS_PER_BEAT and at not in merged
        if n + 1 < len(points):
            next_at, (next_tick, _) = points[n + 1]
            exact = exact and next_at * song.ppq == next_tick * TICKS_PER_BEAT
            if not exact:  # the average tempo over the file's span of this imbolc segment
                ppq = song.ppq
                seconds = clock.at(next_at * ppq / TICKS_PER_BEAT) - clock.at(
                    at * ppq / TICKS_PER_BEAT
                )
                bpm = (next_at - at) / TICKS_PER_BEAT * 60.0 / seconds
            else:
                bpm = tidy_bpm(tempo)
        else:
            bpm = tidy_bpm(tempo)
        bpm = _clamped_bpm(bpm, at / TICKS_PER_BEAT, report)
        yield SetTempoChange(0, bpm) if at == 0 else AddTempoChange(at, bpm)


def meter_actions(song: MidiSong, report: ImportReport) -> Iterator[SetMeterChange]:
    """The meter map: each time signature on its bar (the next bar line if it falls inside)."""
    bar, bar_tick, length = 0, 0, TICKS_PER_BEAT * 4
    for event in _events(song, "meter"):
        numerator, denominator = event.a, event.b
        if not 1 <= numerator <= MAX_NUMERATOR or denominator not in DENOMINATORS:
            report.add(f"time signature {numerator}/{denominator} is not one imbolc holds")
            continue
        at = rescale(event.tick, song.ppq)
        bars, inside = divmod(at - bar_tick, length)
        if inside:
            bars += 1
            report.add(
                f"time signature {numerator}/{denominator} inside bar {bar + bars} "
                "moved to the next bar line"
            )
        bar, bar_tick = bar + bars, bar_tick + bars * length
        length = TICKS_PER_BEAT * 4 * numerator // denominator
        yield SetMeterChange(bar, numerator, denominator)


def key_actions(song: MidiSong) -> list[SetKey | SetScale]:
    """The first key signature as the session key and scale (major or minor)."""
    keys = [event for track in song.tracks for event in track.events if event.kind == "key"]
    if not keys:
        return []
    name = min(keys, key=lambda event: event.tick).text
    minor = name.endswith("m")
    tonic = name[:-1] if minor else name
    tonic = FLATS.get(tonic, tonic)
    if tonic not in ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"):
        return []
    return [SetKey(tonic), SetScale("minor" if minor else "major")]  # type: ignore[arg-type]


def scan_parts(song: MidiSong, report: ImportReport, controllers: bool = False) -> list[Part]:
    """Pair note-ons with note-offs (first in, first out per pitch) per track and channel and
    gather each part's programs and controllers; everything else is counted as dropped."""
    parts: dict[tuple[str, int], Part] = {}
    stray = unreleased = 0
    group = ""
    for index, track in enumerate(song.tracks):
        held: defaultdict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)
        name = _clean_name(track.name)
        if not (track.continues and index > 0):
            group = f"{index}"

        def part(channel: int, group: str = group, name: str = name, index: int = index) -> Part:
            return parts.setdefault((group, channel), Part(name, channel, index))

        for event in track.events:
            kind = event.kind
            if kind == "on":
                held[event.channel, event.a].append((event.tick, event.b))
            elif kind == "off":
                waiting = held.get((event.channel, event.a))
                if waiting:
                    start, velocity = waiting.popleft()
                    part(event.channel).notes.append((start, event.tick, event.a, velocity))
                else:
                    stray += 1
            elif kind == "program":
                part(event.channel).programs.append((event.tick, event.a))
            elif kind == "cc" and event.a == VOLUME_CC:
                part(event.channel).volumes.append((event.tick, event.b))
            elif kind == "cc" and event.a == PAN_CC:
                part(event.channel).pans.append((event.tick, event.b))
            elif kind == "cc" and event.a == EXPRESSION_CC:
                part(event.channel).expressions.append((event.tick, event.b))
            elif kind == "cc" and event.a == SUSTAIN_CC and controllers:
                part(event.channel).sustains.append((event.tick, event.b))
            elif kind == "cc" and event.a == MODULATION_CC and controllers:
                part(event.channel).mods.append((event.tick, event.b))
            elif kind == "cc":
                label = CC_NAMES.get(event.a)
                report.dropped[f"CC {event.a}" + (f" ({label})" if label else "")] += 1
            elif kind in ("bend", "aftertouch", "poly_aftertouch", "sysex"):
                names = {"bend": "pitch bend", "aftertouch": "channel aftertouch",
                         "poly_aftertouch": "polyphonic aftertouch", "sysex": "SysEx"}  # fmt: skip
                report.dropped[names[kind]] += 1
            elif kind == "meta" and event.text not in SILENT_METAS:
                report.dropped[f"{event.text.replace('_', ' ')} meta events"] += 1
        for (channel, pitch), waiting in held.items():  # never released: end with the track
            for start, velocity in waiting:
                unreleased += 1
                part(channel).notes.append((start, max(track.end, start), pitch, velocity))
    if stray:
        report.add(f"{stray} note-offs without a sounding note were ignored")
    if unreleased:
        report.add(f"{unreleased} notes never released now end with their track")
    with_notes = sorted((p for p in parts.values() if p.notes), key=lambda p: (p.track, p.channel))
    silent = len(parts) - len(with_notes)
    if silent:
        report.add(f"{silent} parts with controllers or programs but no notes were left out")
    return with_notes


def part_notes(part: Part, ppq: int, report: ImportReport) -> tuple[Note, ...]:
    """The part's notes in imbolc ticks; duplicates (same onset and pitch) merge into the
    longest, zero-length notes get the finest grid step."""
    chosen: dict[tuple[int, int], Note] = {}
    zero = merged = 0
    for start, end, pitch, velocity in part.notes:
        tick = rescale(start, ppq)
        if end == start:
            zero += 1
            duration = ZERO_LENGTH_TICKS
        else:
            duration = max(1, rescale(end, ppq) - tick)
        note = Note(tick, duration, pitch, velocity)
        other = chosen.get(note.key)
        if other is not None:
            merged += 1
            if other.duration >= note.duration:
                continue
        chosen[note.key] = note
    label = part.name or f"channel {part.channel + 1}"
    if zero:
        report.add(f"{label}: {zero} zero-length notes last a 64th note")
    if merged:
        report.add(f"{label}: {merged} duplicate notes (same onset and pitch) merged")
    return tuple(sorted(chosen.values(), key=lambda n: n.key))


def _program(part: Part, first_note: int, report: ImportReport) -> int | None:
    if not part.programs:
        return None
    before = [program for tick, program in part.programs if tick <= first_note]
    program = before[-1] if before else part.programs[0][1]
    later = {p for tick, p in part.programs if tick > first_note and p != program}
    if later:
        report.add(
            f"{part.name or f'channel {part.channel + 1}'}: program changes during the part "
            f"are not carried over (it keeps program {program})"
        )
    return program


def build_project(
    song: MidiSong, source: str | None, controllers: bool = False
) -> tuple[Project, list[str]]:
    """The project, built action by action so the core validates every value, and the report.

    ``source`` (a catalog name) plays every melodic part; None picks one per General MIDI
    program (``saw`` without one). ``controllers`` also carries the sustain pedal (as note
    lengths) and the modulation wheel (as an LFO-depth lane).
    """
    report = ImportReport()
    if song.format == 2:
        report.add("a type-2 file's songs are laid over each other from the start")
    store = Store()
    for action in (*tempo_actions(song, report), *meter_actions(song, report), *key_actions(song)):
        store.dispatch(action)
    parts = scan_parts(song, report, controllers)
    channels_in_track = Counter(part.track for part in parts)
    song_end = 0
    origins: list[tuple[InstrumentId, int, int | None]] = []
    lanes: dict[LaneId, tuple[AutomationPoint, ...]] = {}
    for part in parts:
        drums = part.channel == DRUM_CHANNEL
        part.notes, held = midi_controllers.pedal_lengths(part.notes, part.sustains)
        if held:
            report.add(f"{part.name or 'a part'}: {held} notes held on by the sustain pedal")
        notes = part_notes(part, song.ppq, report)
        program = _program(part, min(start for start, *_ in part.notes), report)
        melodic = source or (DEFAULT_SOURCE if program is None else source_of_program(program))
        name = part.name
        if name and channels_in_track[part.track] > 1:
            suffix = f" (ch {part.channel + 1})"
            name = name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
        store.dispatch(AddInstrument(KIT_SOURCE if drums else melodic, name or _default(drums)))
        ident = store.state.instruments.items[-1].id
        origins.append((ident, part.channel, program))
        store.dispatch(AddNotes(ident, notes))
        song_end = max(song_end, *(note.end for note in notes))
        first = notes[0].tick
        for values, parameter, default in (
            (midi_controllers.gains(part.volumes, part.expressions), "mixer.level",
             level_of_volume(midi_controllers.DEFAULT_VOLUME)),
            (midi_controllers.pans(part.pans), "mixer.pan", 0.0),
            (midi_controllers.mod_depths(part.mods), "lfo.depth", 0.0),
        ):  # fmt: skip
            timed = [(rescale(tick, song.ppq), value) for tick, value in values]
            last = midi_controllers.apply(store, ident, timed, first, parameter, default, lanes)
            song_end = max(song_end, last)
    tmap = time_map(store.state.session)
    bar = tmap.bar_of(max(0, song_end - 1))
    end = tmap.bar_start(bar + 1) if song_end > 0 else tmap.bar_start(1)
    store.dispatch(SetLoop(0, min(end, MAX_TICK)))
    project = midi_controllers.with_lane_points(store.state, lanes)
    return _with_origins(project, origins), report.sentences()


def _with_origins(project: Project, origins: list[tuple[InstrumentId, int, int | None]]) -> Project:
    """Remember each part's channel and program, so export writes them back."""
    instruments = project.instruments
    for ident, channel, program in origins:
        inst = instruments.get(ident)
        if inst is not None:
            instruments = instruments.replaced(
                replace(inst, midi_channel=channel, midi_program=program)
            )
    return replace(project, instruments=instruments)


def _default(drums: bool) -> str:
    """The name of an unnamed part; empty lets the core name it "<source>-<id>"."""
    return DRUMS_NAME if drums else ""


def _clean_name(raw: str) -> str:
    """A track name as an instrument name: UTF-8 when it decodes as such, printable, short."""
    try:
        decoded = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        decoded = raw
    printable = "".join(char for char in decoded if char.isprintable())
    return printable.strip()[:MAX_NAME_LENGTH].rstrip()
