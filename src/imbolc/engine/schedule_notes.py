"""Piano-roll and song notes: probability, groove, swing, humanize, layers, chords, pads.

Modifiers apply in the original's order: probability; the instrument's groove overrides;
timing offset; swing; humanized timing and velocity; then the note fans out to every
instrument of the layer group (each at its own octave offset), and each of those plays it its
own way: a kit through the pad answering to the pitch, an arpeggiator by holding it, anything
else as the note or the chord of its chord shape.
"""

from __future__ import annotations

from typing import NamedTuple

from imbolc.core.ids import InstrumentId
from imbolc.core.indexed import IdentityCache
from imbolc.core.instrument import Instrument, Instruments, SwingGrid
from imbolc.core.music import chord_pitches
from imbolc.core.notes import TICKS_PER_BEAT, Note
from imbolc.core.project import Project
from imbolc.core.session import Session
from imbolc.engine.schedule_arp import ArpState
from imbolc.engine.schedule_drums import clamp_pitch, pad_note
from imbolc.engine.schedule_random import HUMANIZE_TIMING, HUMANIZE_VELOCITY, PROBABILITY, Dice
from imbolc.engine.schedule_timeline import Segment, Timeline
from imbolc.engine.schedule_types import ScheduledNote

EIGHTH = TICKS_PER_BEAT // 2
SIXTEENTH = TICKS_PER_BEAT // 4
HUMANIZE_TIMING_SECONDS = 0.020
"""Full humanize moves a note by up to ±20 ms."""
HUMANIZE_VELOCITY_RANGE = 30.0 / 127.0
"""Full humanize moves a velocity by up to ±30 of 127."""
MIN_VELOCITY = 0.01


class Feel(NamedTuple):
    """The groove a note plays with: the instrument's overrides over the session's values."""

    swing: float
    swing_grid: SwingGrid
    humanize_velocity: float
    humanize_timing: float
    offset_seconds: float


def feel_of(instrument: Instrument, session: Session) -> Feel:
    """Resolve an instrument's groove: each override that is set replaces the session value."""
    groove = instrument.groove
    return Feel(
        session.piano_roll.swing if groove.swing is None else groove.swing,
        "eighths" if groove.swing_grid is None else groove.swing_grid,
        session.humanize.velocity if groove.humanize_velocity is None else groove.humanize_velocity,
        session.humanize.timing if groove.humanize_timing is None else groove.humanize_timing,
        groove.timing_offset_ms / 1000.0,
    )


def swing_ticks(feel: Feel, tick: int) -> float:
    """How late swing moves a note at ``tick``: 8th off-beats by swing x half an 8th, and
    (with a 16th grid) odd 16ths by swing x half a 16th."""
    if feel.swing <= 0.0:
        return 0.0
    if feel.swing_grid != "sixteenths" and tick % TICKS_PER_BEAT == EIGHTH:
        return feel.swing * EIGHTH * 0.5
    if feel.swing_grid != "eighths" and tick % EIGHTH == SIXTEENTH:
        return feel.swing * SIXTEENTH * 0.5
    return 0.0


class Roster(NamedTuple):
    """Who plays what, derived once per Instruments object: the kits and the layer groups."""

    kits: tuple[Instrument, ...]
    groups: dict[int, tuple[Instrument, ...]]


_ROSTERS = IdentityCache()


def _build_roster(instruments: Instruments) -> Roster:
    groups: dict[int, list[Instrument]] = {}
    for inst in instruments.items:
        if inst.layer_group is not None:
            groups.setdefault(inst.layer_group, []).append(inst)
    kits = tuple(inst for inst in instruments.items if inst.kit is not None)
    return Roster(kits, {group: tuple(members) for group, members in groups.items()})


def roster(instruments: Instruments) -> Roster:
    """The roster of ``instruments``, cached per (immutable) container."""
    return _ROSTERS.get(instruments, lambda: _build_roster(instruments))


def layer_members(group_roster: Roster, source: Instrument) -> tuple[Instrument, ...]:
    """The instruments a note of ``source`` sounds on: its layer group, or itself alone."""
    if source.layer_group is None:
        return (source,)
    return group_roster.groups.get(source.layer_group, (source,))


def chord_of(instrument: Instrument, pitch: int) -> tuple[int, ...]:
    """The pitches one note becomes on ``instrument``: its chord shape on ``pitch``, or itself."""
    if instrument.chord_shape is None:
        return (pitch,)
    return chord_pitches(pitch, instrument.chord_shape)


class NoteContext:
    """What the note pipeline needs from the scheduler for one window."""

    __slots__ = ("arps", "dice", "project", "roster", "timeline")

    def __init__(
        self,
        project: Project,
        timeline: Timeline,
        dice: Dice,
        arps: dict[InstrumentId, ArpState],
    ) -> None:
        self.project = project
        self.timeline = timeline
        self.dice = dice
        self.arps = arps
        self.roster = roster(project.instruments)


def play_note(
    ctx: NoteContext, source: Instrument, note: Note, segment: Segment, out: list[ScheduledNote]
) -> None:
    """Append what ``note`` of ``source`` plays (nothing if its probability says so)."""
    timeline = ctx.timeline
    elapsed = timeline.elapsed_at(segment, note.tick)
    key = (round(elapsed), source.id, note.pitch)
    dice = ctx.dice
    if note.probability < 1.0 and dice.uniform(PROBABILITY, *key) >= note.probability:
        return
    feel = feel_of(source, ctx.project.session)
    shift = feel.offset_seconds + timeline.seconds(swing_ticks(feel, note.tick), elapsed)
    if feel.humanize_timing > 0.0:
        jitter = dice.spread(HUMANIZE_TIMING, *key)
        shift += jitter * feel.humanize_timing * HUMANIZE_TIMING_SECONDS
    velocity = note.velocity / 127.0
    if feel.humanize_velocity > 0.0:
        nudge = dice.spread(HUMANIZE_VELOCITY, *key) * feel.humanize_velocity
        velocity = min(1.0, max(MIN_VELOCITY, velocity + nudge * HUMANIZE_VELOCITY_RANGE))
    time = timeline.time_at(elapsed) + shift
    duration = timeline.seconds(note.duration, elapsed)
    for member in layer_members(ctx.roster, source):
        if not member.active:
            continue
        pitch = clamp_pitch(note.pitch + 12 * member.octave_offset)
        if member.kit is not None:
            pad = member.kit.pad_for_note(pitch)
            if pad is not None:
                hit = pad_note(
                    ctx.project,
                    member,
                    pad,
                    pitch_offset=0,
                    time=time,
                    tick=note.tick,
                    velocity=velocity,
                    duration=duration,
                )
                if hit is not None:
                    out.append(hit)
        elif member.arpeggiator.enabled:
            state = ctx.arps.setdefault(member.id, ArpState())
            for chord_pitch in chord_of(member, pitch):
                state.hold(chord_pitch, velocity, elapsed, elapsed + note.duration)
        else:
            for chord_pitch in chord_of(member, pitch):
                out.append(
                    ScheduledNote(time, note.tick, member.id, chord_pitch, velocity, duration)
                )
