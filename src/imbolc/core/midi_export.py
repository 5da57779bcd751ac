"""A project's piano roll as a MIDI song (plain data): the maps, channels, programs, notes.

The conductor track holds the tempo map (a ramp as steps every 32nd note, each lasting exactly
the seconds the ramp gives it, rounding carried forward so nothing drifts) and the meter map.
Each instrument keeps the channel and program it was imported with; level and pan go out as
CC 7 and CC 10, their lanes as controller moves (after the last note too). Same-pitch notes
nested inside each other go on an extra track of the same name and channel, so that a reader
pairing note-offs first in, first out gets every note back as it was.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from imbolc.core.automation import AutomationLane
from imbolc.core.instrument import Instrument, MixerStrip
from imbolc.core.midi_song import (
    DRUM_CHANNEL,
    MAX_MIDI_TEMPO,
    PAN_CC,
    VOLUME_CC,
    MidiEvent,
    MidiSong,
    MidiTrackData,
    cc_of_pan,
    tempo_of,
    volume_of_level,
)
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.timemap import time_map

KIT_SOURCE = "kit"
MELODIC_CHANNELS = tuple(channel for channel in range(16) if channel != DRUM_CHANNEL)
RAMP_STEP = TICKS_PER_BEAT // 8
"""A tempo ramp is written as one ``set_tempo`` every 32nd note."""
CURVE_STEP = TICKS_PER_BEAT // 4
"""A curved level or pan lane is written as one controller value every 16th note."""
RELEASE_VELOCITY = 64
DEFAULT_STRIP = MixerStrip()


def conductor(project: Project) -> MidiTrackData:
    """The tempo and meter maps as ``set_tempo`` and ``time_signature`` events."""
    session = project.session
    tmap = time_map(session)
    settings = session.settings
    events: list[MidiEvent] = []
    points = [(0, settings.bpm, session.tempo_map.ramp_start)]
    points += [(c.tick, c.bpm, c.ramp) for c in session.tempo_map.tempos]
    written = 0.0  # seconds the events written so far last, to carry rounding forward
    for n, (tick, bpm, ramp) in enumerate(points):
        if not ramp or n + 1 == len(points):
            tempo = _clip(tempo_of(bpm))
            events.append(MidiEvent(tick, "tempo", a=tempo))
            if n + 1 < len(points):
                written += (points[n + 1][0] - tick) / TICKS_PER_BEAT * tempo / 1e6
            continue
        end = points[n + 1][0]
        for step in range(tick, end, RAMP_STEP):
            until = min(end, step + RAMP_STEP)
            beats = (until - step) / TICKS_PER_BEAT
            tempo = _clip(round((tmap.seconds_at(until) - written) / beats * 1e6))
            events.append(MidiEvent(step, "tempo", a=tempo))
            written += beats * tempo / 1e6
    numerator, denominator = settings.time_signature
    events.append(MidiEvent(0, "meter", a=numerator, b=denominator))
    for meter in session.tempo_map.meters:
        events.append(MidiEvent(tmap.bar_start(meter.bar), "meter", a=meter.numerator,
                                b=meter.denominator))  # fmt: skip
    events.sort(key=lambda event: event.tick)
    return MidiTrackData("", events, events[-1].tick)


def _clip(tempo: int) -> int:
    return max(1, min(MAX_MIDI_TEMPO, tempo))


def channels(project: Project, report: list[str]) -> dict[int, int]:
    """Each exported instrument's channel: its own (imported) one, kits on 10, the others on
    free channels, sharing the least used once 15 melodic channels are taken (reported)."""
    exported = [i for i in project.instruments.items if _has_notes(project, i)]
    chosen: dict[int, int] = {}
    use: Counter[int] = Counter()
    for inst in exported:
        if inst.midi_channel is not None:
            chosen[inst.id] = inst.midi_channel
        elif inst.source == KIT_SOURCE:
            chosen[inst.id] = DRUM_CHANNEL
        else:
            continue
        use[chosen[inst.id]] += 1
    for inst in exported:
        if inst.id in chosen:
            continue
        free = [c for c in MELODIC_CHANNELS if use[c] == 0]
        channel = free[0] if free else min(MELODIC_CHANNELS, key=lambda c: (use[c], c))
        if not free:
            report.append(
                f"{inst.name} shares channel {channel + 1}: 15 melodic channels are taken"
            )
        chosen[inst.id] = channel
        use[channel] += 1
    return chosen


def _has_notes(project: Project, inst: Instrument) -> bool:
    track = project.session.piano_roll.track(inst.id)
    return track is not None and bool(track.notes)


def layers(notes: Iterable[Note]) -> list[list[Note]]:
    """Split notes so that within a layer no same-pitch note sits inside an earlier one: a
    first-in, first-out reader then pairs every note-off with its own note-on."""
    out: list[list[Note]] = []
    last_end: list[dict[int, int]] = []
    for note in sorted(notes, key=lambda n: n.key):
        for layer, ends in zip(out, last_end, strict=True):
            if ends.get(note.pitch, -1) <= note.end:
                layer.append(note)
                ends[note.pitch] = note.end
                break
        else:
            out.append([note])
            last_end.append({note.pitch: note.end})
    return out


def _note_events(notes: Iterable[Note], channel: int) -> list[MidiEvent]:
    events = []
    for note in notes:
        events.append(MidiEvent(note.tick, "on", channel, note.pitch, note.velocity))
        events.append(MidiEvent(note.end, "off", channel, note.pitch, RELEASE_VELOCITY))
    return events


def _lane_events(lane: AutomationLane, channel: int, cc: int, level: bool) -> list[MidiEvent]:
    """A level or pan lane as controller values at its points (and every 16th on curves)."""
    ticks: set[int] = set()
    for n, point in enumerate(lane.points):
        ticks.add(point.tick)
        if point.curve != "step" and n + 1 < len(lane.points):
            ticks.update(range(point.tick + CURVE_STEP, lane.points[n + 1].tick, CURVE_STEP))
    out = []
    previous = None
    for tick in sorted(ticks):
        value = lane.value_at(tick)
        if value is None:
            continue
        data = volume_of_level(value) if level else cc_of_pan(value)
        if data != previous:
            out.append(MidiEvent(tick, "cc", channel, cc, data))
            previous = data
    return out


def instrument_tracks(project: Project, inst: Instrument, channel: int) -> list[MidiTrackData]:
    """The instrument's track (program, strip, lanes, notes) plus any overlap layers."""
    track = project.session.piano_roll.track(inst.id)
    notes = () if track is None else track.notes
    head: list[MidiEvent] = []
    if inst.midi_program is not None:
        head.append(MidiEvent(0, "program", channel, inst.midi_program))
    strip = inst.mixer
    if strip.level != DEFAULT_STRIP.level:
        head.append(MidiEvent(0, "cc", channel, VOLUME_CC, volume_of_level(strip.level)))
    if strip.pan != DEFAULT_STRIP.pan:
        head.append(MidiEvent(0, "cc", channel, PAN_CC, cc_of_pan(strip.pan)))
    lanes: defaultdict[str, list[AutomationLane]] = defaultdict(list)
    for lane in project.session.automation.lanes:
        target = lane.target
        if target.scope == "instrument" and target.owner == inst.id and lane.enabled:
            lanes[target.parameter].append(lane)
    for lane in lanes.get("mixer.level", []):
        head.extend(_lane_events(lane, channel, VOLUME_CC, level=True))
    for lane in lanes.get("mixer.pan", []):
        head.extend(_lane_events(lane, channel, PAN_CC, level=False))
    split = layers(notes) or [[]]
    out = []
    for n, layer in enumerate(split):
        events = (head if n == 0 else []) + _note_events(layer, channel)
        # at one tick: programs and controllers, then note-offs, then note-ons
        order = {"program": 0, "cc": 1, "off": 2, "on": 3}
        events.sort(key=lambda e: (e.tick, order[e.kind]))
        end = events[-1].tick if events else 0
        out.append(MidiTrackData(inst.name, events, end, continues=n > 0))
    return out


def build_song(project: Project) -> tuple[MidiSong, list[str]]:
    """The type-1 song at imbolc's resolution, and what the export could not keep."""
    report: list[str] = []
    song = MidiSong(TICKS_PER_BEAT, 1, [conductor(project)])
    chosen = channels(project, report)
    for inst in project.instruments.items:
        if inst.id in chosen:
            song.tracks.extend(instrument_tracks(project, inst, chosen[inst.id]))
    probable = sum(
        1 for track in project.session.piano_roll.tracks for n in track.notes if n.probability < 1
    )
    if probable:
        report.append(f"{probable} notes play by chance in imbolc; MIDI plays them every time")
    return song, report
