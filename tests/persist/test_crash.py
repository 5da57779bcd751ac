"""Crash safety: a writer killed with SIGKILL at any moment leaves the previous or the new save."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from imbolc.core.project import Project
from imbolc.persist import load_project, save_project

VERSIONS = '''
import msgspec
from imbolc.core.ids import InstrumentId
from imbolc.core.instrument import Instrument, Instruments
from imbolc.core.notes import Note, PianoRoll, Track
from imbolc.core.project import Project
from imbolc.core.session import Session

INSTRUMENTS = 64
NOTES = 300


def base_project():
    items = tuple(Instrument(InstrumentId(n), f"i{n}", "saw") for n in range(1, INSTRUMENTS + 1))
    tracks = tuple(
        Track(InstrumentId(n), tuple(Note(k * 60, 50, 40 + k % 40) for k in range(NOTES)))
        for n in range(1, INSTRUMENTS + 1)
    )
    return Project(Instruments(items, INSTRUMENTS + 1), Session(piano_roll=PianoRoll(tracks)))


BPM_BASE = 20
"""Markers ride on the tempo from here up (a file's tempo must be at least 1 BPM to load)."""


def version(base, marker):
    """Version ``marker``: the marker in two names and the bpm, and marker % 7 extra notes."""
    replace = msgspec.structs.replace
    items = base.instruments.items
    name = f"v{marker}"
    items = (replace(items[0], name=name), *items[1:-1], replace(items[-1], name=name))
    roll = base.session.piano_roll
    first = roll.tracks[0]
    extra = tuple(Note(100_000 + k * 10, 5, 60) for k in range(marker % 7))
    tracks = (Track(first.instrument_id, first.notes + extra), *roll.tracks[1:])
    settings = replace(base.session.settings, bpm=float(BPM_BASE + marker))
    session = replace(base.session, settings=settings, piano_roll=replace(roll, tracks=tracks))
    return Project(replace(base.instruments, items=items), session)
'''

WRITER = (
    VERSIONS
    + """
import sys
from imbolc.persist import ProjectSaver

path, marker = sys.argv[1], int(sys.argv[2])
base = base_project()
saver = ProjectSaver(path)
print("ready", flush=True)
while True:
    saver.save(version(base, marker))
    result = saver.flush(60)
    if not result.ok:
        print("error", result.error, flush=True)
        sys.exit(2)
    print(marker, flush=True)
    marker += 1
    if marker % 4 == 0:
        saver.reset()  # every fourth save rewrites the whole file: a long transaction
"""
)

ROUNDS = 5


def versions() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(VERSIONS, namespace)
    return namespace


BPM_BASE: int = versions()["BPM_BASE"]


def marker_of(project: Project, base_notes: int) -> int:
    """The marker of the version ``project`` is, after checking every part agrees on it."""
    items = project.instruments.items
    marker = int(project.session.settings.bpm) - BPM_BASE
    assert items[0].name == items[-1].name == f"v{marker}"
    assert project.session.piano_roll.note_count == base_notes + marker % 7
    return marker


def run_writer(path: Path, marker: int, kill_after: float) -> list[str]:
    """Start a writer saving from ``marker`` on, SIGKILL it ``kill_after`` s after it is ready."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(marker)],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(30), "the writer never started"
        time.sleep(kill_after)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        reader.join(10)
    return lines


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_killed_writers_leave_the_previous_or_the_new_save(tmp_path: Path) -> None:
    ns = versions()
    base = ns["base_project"]()
    base_notes = base.session.piano_roll.note_count
    path = tmp_path / "crash.imbolc"
    save_project(path, ns["version"](base, 0))
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    previous = 0
    for round_number in range(1, ROUNDS + 1):
        start = round_number * 1000
        lines = run_writer(path, start, rng.uniform(0.01, 0.5))
        assert lines[0] == "ready"
        assert not any(line.startswith("error") for line in lines), lines
        reported = [int(line) for line in lines[1:]]
        found = marker_of(load_project(path), base_notes)
        if reported:
            # Every reported save is on disk; the one in flight may or may not be.
            assert reported[-1] <= found <= reported[-1] + 1, (seed, reported[-1], found)
        else:
            assert found in (previous, start), (seed, previous, found)
        previous = found
