"""A recording engine and an in-memory project store for the TUI tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import msgspec
from textual import events
from textual.pilot import Pilot

from imbolc.core.errors import ImbolcError
from imbolc.core.ports import EngineStatus, Meters, RenderOptions, Transport
from imbolc.core.project import Project
from imbolc.core.templates import demo_project
from imbolc.tui import ImbolcApp
from imbolc.tui.keymap import textual_key

DEMO = demo_project()


class FakeEngine:
    """An EnginePort that plays nothing and records what it was asked to do."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []
        self._transport = Transport()
        self.meter_values = Meters()
        self.state_value = EngineStatus(backend="fake", state="running", message="ok")

    def status(self) -> EngineStatus:
        return self.state_value

    def transport(self) -> Transport:
        return self._transport

    def meters(self) -> Meters:
        return self.meter_values

    def play(self) -> None:
        self.calls.append(("play",))
        self._transport = msgspec.structs.replace(self._transport, playing=True)

    def stop(self) -> None:
        self.calls.append(("stop",))
        self._transport = msgspec.structs.replace(self._transport, playing=False)

    def seek(self, tick: float) -> None:
        self.calls.append(("seek", tick))
        self._transport = msgspec.structs.replace(self._transport, tick=tick)

    def note_on(self, instrument_id: int, pitch: int, velocity: int) -> None:
        self.calls.append(("note_on", instrument_id, pitch, velocity))

    def note_off(self, instrument_id: int, pitch: int) -> None:
        self.calls.append(("note_off", instrument_id, pitch))

    def count_in(self, tick: float, beats: int) -> None:
        self.calls.append(("count_in", tick, beats))
        self._transport = msgspec.structs.replace(self._transport, playing=True)

    def restart(self) -> None:
        self.calls.append(("restart",))

    def watch_meters(self, instrument_ids: set[int], bus_ids: set[int]) -> None:
        self.calls.append(("watch_meters", frozenset(instrument_ids), frozenset(bus_ids)))

    def shutdown(self) -> None:
        self.calls.append(("shutdown",))
        self.state_value = EngineStatus(backend="fake", state="stopped", message="stopped")


class Checkpoint(msgspec.Struct, frozen=True):
    """A checkpoint as MemoryIO lists it."""

    id: int
    name: str
    created_at: datetime
    project: Project


class MemoryIO:
    """A ProjectIO that keeps files in a dict instead of on disk."""

    def __init__(self) -> None:
        self.files: dict[Path, Project] = {}
        self.checkpoints: dict[Path, list[Checkpoint]] = {}
        self.recovery: Path | None = None
        self.rendered: list[Path] = []
        self.render_options: list[RenderOptions | None] = []
        self.fail_saves = False
        self.recent: list[Path] = []

    def save(self, project: Project, path: Path) -> None:
        if self.fail_saves:
            raise ImbolcError(f"{path}: disk full")
        self.files[path] = project
        self._remember(path)

    def load(self, path: Path) -> Project:
        if path not in self.files:
            raise ImbolcError(f"{path}: no such project file")
        return self.files[path]

    def open(self, path: Path) -> Project:
        project = self.load(path)
        self._remember(path)
        return project

    def open_read_only(self, path: Path) -> Project:
        return self.load(path)

    def recent_projects(self) -> list[Path]:
        return [path for path in self.recent if path in self.files][:10]

    def _remember(self, path: Path) -> None:
        self.recent = [path, *(known for known in self.recent if known != path)][:10]

    def find_recovery(self, path: Path | None) -> Path | None:
        return self.recovery

    def list_checkpoints(self, path: Path) -> list[Checkpoint]:
        return list(self.checkpoints.get(path, []))

    def create_checkpoint(self, path: Path, name: str, project: Project) -> None:
        kept = self.checkpoints.setdefault(path, [])
        kept.append(Checkpoint(len(kept) + 1, name, datetime(2026, 1, 1, 12, 0), project))

    def restore_checkpoint(self, path: Path, checkpoint_id: int) -> Project:
        for entry in self.checkpoints.get(path, []):
            if entry.id == checkpoint_id:
                return entry.project
        raise ImbolcError(f"{path}: no checkpoint {checkpoint_id}")

    def delete_checkpoint(self, path: Path, checkpoint_id: int) -> None:
        kept = self.checkpoints.get(path, [])
        self.checkpoints[path] = [entry for entry in kept if entry.id != checkpoint_id]

    def render(
        self,
        project: Project,
        target: Path,
        progress: Callable[[float], None] | None = None,
        options: RenderOptions | None = None,
    ) -> str | None:
        if progress is not None:
            for step in (0.25, 0.5, 1.0):
                progress(step)
        self.rendered.append(target)
        self.render_options.append(options)
        return None


AppFactory = Callable[..., ImbolcApp]
"""Builds the app under test; keyword arguments: path, keymap."""


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Send keys as one burst, the way key repeat or fast typing arrives, then let the app
    settle once. Only for keys that open no new screen (a screen opened mid-burst is still
    mounting when the next keys arrive)."""
    for key in keys:
        character = key if len(key) == 1 else None
        name = key if character is None else "space" if key == " " else textual_key(key)
        pilot.app.post_message(events.Key(name, character))
    await pilot.pause()
