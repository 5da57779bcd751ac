"""``imbolc check``: every problem of a project file, and a salvaged copy of what is readable.

The damaged file is only ever opened read-only. The salvaged project keeps every part that
decodes, drops references to parts that were lost, and lifts the id counters above every id
kept, so it loads and edits like any project.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from msgspec.structs import replace

from imbolc.core.notes import Track
from imbolc.core.project import Project
from imbolc.core.summary import check_project
from imbolc.persist.files import create_project_file
from imbolc.persist.load import read_what_is_readable


class FileCheck(NamedTuple):
    """What ``check`` found: problems reading the file, then problems in what was read."""

    read_problems: list[str]
    model_problems: list[str]
    readable: Project

    @property
    def problems(self) -> list[str]:
        """Every problem, reading problems first."""
        return [*self.read_problems, *self.model_problems]


def check_file(path: Path | str) -> FileCheck:
    """Every problem in the file; raises ProjectFileError only when nothing is readable."""
    project, read_problems = read_what_is_readable(path)
    return FileCheck(read_problems, check_project(project), project)


def consistent(project: Project) -> Project:
    """``project`` with dangling references dropped and id counters above every id in use."""
    instruments = project.instruments
    session = project.session
    ids = {inst.id for inst in instruments.items}
    bus_ids = {bus.id for bus in session.mixer.buses}
    items = tuple(
        inst
        if inst.mixer.output_bus is None or inst.mixer.output_bus in bus_ids
        else replace(inst, mixer=replace(inst.mixer, output_bus=None))
        for inst in instruments.items
    )
    groups = [inst.layer_group for inst in items if inst.layer_group is not None]
    instruments = replace(
        instruments,
        items=items,
        next_id=max([instruments.next_id, *(i + 1 for i in ids)]),
        next_layer_group_id=max([instruments.next_layer_group_id, *(g + 1 for g in groups)]),
    )
    roll = session.piano_roll
    tracks = [track for track in roll.tracks if track.instrument_id in ids]
    have = {track.instrument_id for track in tracks}
    tracks += [Track(inst.id) for inst in items if inst.id not in have]
    arrangement = session.arrangement
    clips = tuple(clip for clip in arrangement.clips if clip.instrument_id in ids)
    clip_ids = {clip.id for clip in clips}
    placements = tuple(p for p in arrangement.placements if p.clip_id in clip_ids)
    arrangement = replace(
        arrangement,
        clips=clips,
        placements=placements,
        next_clip_id=max([arrangement.next_clip_id, *(c + 1 for c in clip_ids)]),
        next_placement_id=max([arrangement.next_placement_id, *(p.id + 1 for p in placements)]),
    )
    automation = session.automation
    automation = replace(
        automation,
        next_lane_id=max([automation.next_lane_id, *(lane.id + 1 for lane in automation.lanes)]),
    )
    session = replace(
        session,
        piano_roll=replace(roll, tracks=tuple(tracks)),
        arrangement=arrangement,
        automation=automation,
    )
    return Project(instruments, session)


def salvage(path: Path | str, out: Path | str, *, replace_out: bool = False) -> FileCheck:
    """Write what is readable in ``path`` to the new file ``out``; what was found on the way."""
    found = check_file(path)
    create_project_file(out, consistent(found.readable), replace=replace_out)
    return found
