"""Rescaling every tick of a project by a whole factor: how projects made at 480 ticks per
beat (files before schema version 4, their checkpoints) are read at today's 960."""

from __future__ import annotations

from msgspec.structs import replace

from imbolc.core.automation import AutomationLane, AutomationPoint
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project
from imbolc.core.timemap import MeterChange, TempoChange, TempoMap

OLD_TICKS_PER_BEAT = 480
"""The resolution of files before schema version 4."""


def notes_rescaled(notes: tuple[Note, ...], factor: int) -> tuple[Note, ...]:
    """Notes with onsets and lengths ``factor`` times as many ticks."""
    return tuple(replace(n, tick=n.tick * factor, duration=n.duration * factor) for n in notes)


def lanes_rescaled(lanes: tuple[AutomationLane, ...], factor: int) -> tuple[AutomationLane, ...]:
    """Lanes with every point ``factor`` times further in ticks."""
    return tuple(
        replace(lane, points=tuple(_point(p, factor) for p in lane.points)) for lane in lanes
    )


def _point(point: AutomationPoint, factor: int) -> AutomationPoint:
    return replace(point, tick=point.tick * factor)


def rescaled(project: Project, factor: int) -> Project:
    """The project with every tick multiplied by ``factor`` (nothing moves in beats)."""
    session = project.session
    roll = session.piano_roll
    tracks = tuple(
        Track(track.instrument_id, notes_rescaled(track.notes, factor)) for track in roll.tracks
    )
    roll = replace(
        roll, tracks=tracks, loop_start=roll.loop_start * factor, loop_end=roll.loop_end * factor
    )
    arrangement = session.arrangement
    clips = tuple(
        replace(
            clip,
            length_ticks=clip.length_ticks * factor,
            notes=notes_rescaled(clip.notes, factor),
            lanes=lanes_rescaled(clip.lanes, factor),
        )
        for clip in arrangement.clips
    )
    placements = tuple(
        replace(
            p,
            start_tick=p.start_tick * factor,
            length_override=None if p.length_override is None else p.length_override * factor,
        )
        for p in arrangement.placements
    )
    automation = replace(session.automation, lanes=lanes_rescaled(session.automation.lanes, factor))
    tempo_map = session.tempo_map
    tempo_map = TempoMap(
        tuple(TempoChange(c.tick * factor, c.bpm, c.ramp) for c in tempo_map.tempos),
        tuple(MeterChange(m.bar, m.numerator, m.denominator) for m in tempo_map.meters),
        tempo_map.ramp_start,
    )
    session = replace(
        session,
        piano_roll=roll,
        arrangement=replace(arrangement, clips=clips, placements=placements),
        automation=automation,
        tempo_map=tempo_map,
    )
    return replace(project, session=session)
