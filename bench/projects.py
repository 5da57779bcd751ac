"""The benchmark projects: small (16 instruments, 1k notes) and large (256, 100k, 64 lanes)."""

from __future__ import annotations

import random

from msgspec.structs import replace

from imbolc.core.actions import AddFilter, AddInstrument, AddLane
from imbolc.core.automation import AutomationPoint, AutomationTarget
from imbolc.core.catalog import SOURCES
from imbolc.core.notes import Note, Track
from imbolc.core.project import Project
from imbolc.core.store import Store

MELODIC = [name for name, spec in SOURCES.items() if spec.pitched and not spec.needs]


def build_project(instruments: int, notes: int, lanes: int = 0, points: int = 0) -> Project:
    """A project with ``instruments`` instruments (each with a filter) and ``notes`` notes.

    Built through the store so every instrument is valid; the notes and points are placed
    directly (seeded) to keep building fast.
    """
    rng = random.Random(1234)
    store = Store()
    for n in range(instruments):
        store.dispatch(AddInstrument(MELODIC[n % len(MELODIC)]))
        ident = store.state.instruments.items[-1].id
        store.dispatch(AddFilter(ident, "lpf"))
    for n in range(lanes):
        inst = store.state.instruments.items[n % instruments]
        target = AutomationTarget("instrument", inst.id, "mixer.level")
        store.dispatch(AddLane(target))
    project = store.state
    roll = project.session.piano_roll
    tracks = []
    for n, track in enumerate(roll.tracks):
        wanted = notes // instruments + (1 if n < notes % instruments else 0)
        chosen: dict[tuple[int, int], Note] = {}
        while len(chosen) < wanted:
            tick = rng.randrange(0, 480 * 4 * 256, 120)
            pitch = rng.randrange(36, 96)
            chosen[(tick, pitch)] = Note(tick, 240, pitch, rng.randrange(40, 127))
        tracks.append(Track(track.instrument_id, tuple(chosen[k] for k in sorted(chosen))))
    automation = project.session.automation
    lane_list = tuple(
        replace(
            lane,
            points=tuple(AutomationPoint(i * 96, rng.random()) for i in range(points)),
        )
        for lane in automation.lanes
    )
    session = replace(
        project.session,
        piano_roll=replace(roll, tracks=tuple(tracks)),
        automation=replace(automation, lanes=lane_list),
    )
    return replace(project, session=session)


def small_project() -> Project:
    """16 instruments, 1,000 notes."""
    return build_project(16, 1_000)


def large_project() -> Project:
    """256 instruments, 100,000 notes, 64 automation lanes of 1,000 points."""
    return build_project(256, 100_000, lanes=64, points=1_000)
