"""A plain summary of a project, and the consistency check behind ``imbolc check``."""

from __future__ import annotations

from typing import Any

from imbolc.core import catalog
from imbolc.core.apply.tempo import tempo_map_problem
from imbolc.core.errors import UnknownCatalogEntry
from imbolc.core.instrument import EffectStage, FilterStage
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.timemap import time_map


def song_length_ticks(project: Project) -> int:
    """The loop (pattern mode) or the arrangement (song mode), in ticks."""
    session = project.session
    if session.arrangement.play_mode == "song":
        return session.arrangement.length
    roll = session.piano_roll
    return (
        roll.loop_end - roll.loop_start
        if roll.looping
        else max((track.length for track in roll.tracks), default=0)
    )


def summarize(project: Project) -> dict[str, Any]:
    """Instruments, notes, length and buses as plain data (for ``imbolc info``)."""
    session = project.session
    settings = session.settings
    roll = session.piano_roll
    length = song_length_ticks(project)
    start = roll.loop_start if session.arrangement.play_mode == "pattern" and roll.looping else 0
    seconds = time_map(session).seconds_between(start, start + length)
    instruments = []
    for inst in project.instruments.items:
        track = roll.track(inst.id)
        instruments.append(
            {
                "id": inst.id,
                "name": inst.name,
                "source": inst.source,
                "notes": 0 if track is None else len(track.notes),
                "chain": [
                    stage.filter_type
                    if isinstance(stage, FilterStage)
                    else stage.effect_type
                    if isinstance(stage, EffectStage)
                    else "eq"
                    for stage in inst.chain
                ],
                "level": inst.mixer.level,
                "output": "master" if inst.mixer.output_bus is None else inst.mixer.output_bus,
            }
        )
    return {
        "bpm": settings.bpm,
        "key": settings.key,
        "scale": settings.scale,
        "time_signature": list(settings.time_signature),
        "play_mode": session.arrangement.play_mode,
        "length_ticks": length,
        "length_beats": length / TICKS_PER_BEAT,
        "length_seconds": round(seconds, 3),
        "notes": roll.note_count,
        "instruments": instruments,
        "buses": [
            {"id": bus.id, "name": bus.name, "effects": [e.effect_type for e in bus.effects]}
            for bus in session.mixer.buses
        ],
        "automation_lanes": len(session.automation.lanes),
        "clips": len(session.arrangement.clips),
        "placements": len(session.arrangement.placements),
        "tempo_changes": [
            {"tick": c.tick, "beat": c.tick / TICKS_PER_BEAT, "bpm": c.bpm, "ramp": c.ramp}
            for c in session.tempo_map.tempos
        ],
        "tempo_ramps_from_start": session.tempo_map.ramp_start,
        "meter_changes": [
            {"bar": m.bar + 1, "time_signature": [m.numerator, m.denominator]}
            for m in session.tempo_map.meters
        ],
    }


def tempo_lines(project: Project) -> list[str]:
    """The tempo and meter changes as readable lines, each at its bar.beat position."""
    session = project.session
    tmap = time_map(session)
    settings = session.settings
    num, den = settings.time_signature
    start = "ramp" if session.tempo_map.ramp_start else "step"
    if not session.tempo_map.tempos and not session.tempo_map.meters:
        return []
    lines = [f"tempo map: starts at {settings.bpm:g} BPM ({start}), {num}/{den}"]
    for change in session.tempo_map.tempos:
        at = tmap.position(change.tick)
        kind = "ramp to the next change" if change.ramp else "step"
        when = tmap.seconds_at(change.tick)
        lines.append(
            f"  bar {at.bar + 1} beat {at.beat + 1}{_ticks_into(at.ticks)} "
            f"({when:.3f} s): {change.bpm:g} BPM, {kind}"
        )
    for meter in session.tempo_map.meters:
        lines.append(f"  bar {meter.bar + 1}: {meter.numerator}/{meter.denominator}")
    return lines


def _ticks_into(ticks: int) -> str:
    return f" +{ticks} ticks" if ticks else ""


def _known(kind: str, name: str) -> str | None:
    lookup = {"source": catalog.source, "filter": catalog.filter_type, "effect": catalog.effect}
    try:
        lookup[kind](name)
    except UnknownCatalogEntry as error:
        return str(error)
    return None


def check_project(project: Project) -> list[str]:
    """Every inconsistency found, as readable sentences (empty when the project is sound)."""
    problems: list[str] = []
    session = project.session
    bus_ids = {bus.id for bus in session.mixer.buses}
    track_ids = {track.instrument_id for track in session.piano_roll.tracks}
    seen: set[int] = set()
    for inst in project.instruments.items:
        where = f"instrument {inst.id} ({inst.name})"
        if inst.id in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(inst.id)
        if inst.id >= project.instruments.next_id:
            problems.append(f"{where}: id is not below next_id {project.instruments.next_id}")
        if (problem := _known("source", inst.source)) is not None:
            problems.append(f"{where}: {problem}")
        for stage in inst.chain:
            if isinstance(stage, FilterStage):
                problem = _known("filter", stage.filter_type)
            elif isinstance(stage, EffectStage):
                problem = _known("effect", stage.effect_type)
            else:
                problem = None
            if problem is not None:
                problems.append(f"{where}, stage {stage.id}: {problem}")
        if inst.mixer.output_bus is not None and inst.mixer.output_bus not in bus_ids:
            problems.append(f"{where}: outputs to missing bus {inst.mixer.output_bus}")
        if inst.id not in track_ids:
            problems.append(f"{where}: has no piano-roll track")
    for track in session.piano_roll.tracks:
        if track.instrument_id not in seen:
            problems.append(f"piano-roll track of missing instrument {track.instrument_id}")
        keys = [note.key for note in track.notes]
        if keys != sorted(set(keys)):
            problems.append(f"track {track.instrument_id}: notes unsorted or duplicated")
        for note in track.notes:
            if not (0 <= note.pitch <= 127 and note.duration > 0 and 1 <= note.velocity <= 127):
                problems.append(f"track {track.instrument_id}: invalid note {note}")
                break
    for bus in session.mixer.buses:
        for effect in bus.effects:
            if (problem := _known("effect", effect.effect_type)) is not None:
                problems.append(f"bus {bus.id}, effect {effect.id}: {problem}")
    for lane in session.automation.lanes:
        ticks = [p.tick for p in lane.points]
        if ticks != sorted(set(ticks)):
            problems.append(f"automation lane {lane.id}: points unsorted or duplicated")
    tempo_problem = tempo_map_problem(session.tempo_map)
    if tempo_problem is not None:
        problems.append(f"tempo map: {tempo_problem}")
    clip_ids = {clip.id for clip in session.arrangement.clips}
    for placement in session.arrangement.placements:
        if placement.clip_id not in clip_ids:
            problems.append(f"placement {placement.id} refers to missing clip {placement.clip_id}")
    return problems
