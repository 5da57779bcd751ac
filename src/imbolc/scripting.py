"""The Python API for scripts: open or create a project, dispatch actions, add things, save.

    from imbolc.scripting import Song
    from imbolc.core.actions import SetBpm

    with Song.create("groove.imbolc") as song:
        bass = song.add_instrument("acid", "Bass")
        song.add_note(bass, "A2", beat=0, beats=0.5)
        song.dispatch(SetBpm(126))
        song.save()

Every change goes through the same store and validation as the UI; see docs/scripting.md.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from imbolc.core.actions import (
    AddEffect,
    AddFilter,
    AddInstrument,
    AddNote,
    AddTempoChange,
    SetMeterChange,
    SetTempoChange,
)
from imbolc.core.actions.base import Action
from imbolc.core.config import MusicalDefaults
from imbolc.core.effects import Effects
from imbolc.core.errors import ImbolcError, UnknownId
from imbolc.core.ids import InstrumentId, StageId
from imbolc.core.instrument import Instrument
from imbolc.core.music import parse_note_name
from imbolc.core.notes import TICKS_PER_BEAT
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.core.templates import blank_project, demo_project
from imbolc.core.timemap import time_map
from imbolc.persist import ProjectSaver, load_project


class Song:
    """A project being edited by a script: a store plus the file it saves to."""

    def __init__(self, project: Project, path: str | Path | None = None) -> None:
        self.store = Store(project)
        self.path = Path(path) if path is not None else None
        self._saver: ProjectSaver | None = None

    @classmethod
    def create(
        cls,
        path: str | Path | None = None,
        *,
        demo: bool = False,
        defaults: MusicalDefaults | None = None,
    ) -> Song:
        """A new project (blank, or the demo song) that will save to ``path``."""
        project = demo_project(defaults) if demo else blank_project(defaults)
        return cls(project, path)

    @classmethod
    def open(cls, path: str | Path) -> Song:
        """Open an existing project file."""
        return cls(load_project(path), path)

    @property
    def state(self) -> Project:
        """The current project (immutable)."""
        return self.store.state

    def dispatch(self, action: Action) -> Effects:
        """Apply one action, exactly as a key press in the UI would."""
        return self.store.dispatch(action)

    def add_instrument(self, source: str, name: str = "") -> InstrumentId:
        """Add an instrument playing a catalog source; returns its id."""
        self.dispatch(AddInstrument(source, name))
        return self.state.instruments.items[-1].id

    def instrument(self, name_or_id: str | int) -> Instrument:
        """Find an instrument by id or by name."""
        for inst in self.state.instruments.items:
            if name_or_id in (inst.id, inst.name):
                return inst
        raise UnknownId("instrument", name_or_id)

    def add_note(
        self,
        instrument: str | int,
        pitch: int | str,
        beat: float,
        beats: float = 1.0,
        velocity: int = 100,
    ) -> None:
        """Add a note at ``beat`` (0-based) lasting ``beats``; pitch as MIDI number or "C#4"."""
        ident = self.instrument(instrument).id
        number = parse_note_name(pitch) if isinstance(pitch, str) else pitch
        tick = round(beat * TICKS_PER_BEAT)
        duration = max(1, round(beats * TICKS_PER_BEAT))
        self.dispatch(AddNote(ident, tick, duration, number, velocity))

    def tempo_change(self, beat: float, bpm: float, ramp: bool = False) -> None:
        """Change the tempo at ``beat`` (0 sets the starting tempo); ``ramp`` glides from it to
        the next change."""
        tick = round(beat * TICKS_PER_BEAT)
        changes = self.state.session.tempo_map.tempos
        if tick == 0 or any(change.tick == tick for change in changes):
            self.dispatch(SetTempoChange(tick, bpm, ramp))
        else:
            self.dispatch(AddTempoChange(tick, bpm, ramp))

    def meter_change(self, bar: int, numerator: int, denominator: int) -> None:
        """From bar ``bar`` (1-based, as bars are numbered on screen) on, play in this meter."""
        self.dispatch(SetMeterChange(bar - 1, numerator, denominator))

    def seconds_at(self, beat: float) -> float:
        """When ``beat`` sounds, in seconds from the start, through the tempo map."""
        return time_map(self.state.session).seconds_at(beat * TICKS_PER_BEAT)

    def add_filter(self, instrument: str | int, filter_type: str) -> StageId:
        """Append a filter to an instrument's chain; returns the stage id."""
        ident = self.instrument(instrument).id
        self.dispatch(AddFilter(ident, filter_type))
        return self.instrument(ident).chain[-1].id

    def add_effect(self, instrument: str | int, effect_type: str) -> StageId:
        """Append an effect to an instrument's chain; returns the stage id."""
        ident = self.instrument(instrument).id
        self.dispatch(AddEffect(ident, effect_type))
        return self.instrument(ident).chain[-1].id

    def undo(self) -> bool:
        """Undo the last step."""
        return self.store.undo()

    def redo(self) -> bool:
        """Redo the last undone step."""
        return self.store.redo()

    def save(self, path: str | Path | None = None, timeout: float = 60.0) -> Path:
        """Save (incrementally after the first save) and wait until it is on disk."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ImbolcError("no file to save to: pass a path")
        if self._saver is None or self._saver.path != target:
            self.close()
            self._saver = ProjectSaver(target)
            self.path = target
        self._saver.save(self.state)
        result = self._saver.flush(timeout)
        if result is not None and not result.ok:
            raise ImbolcError(f"saving {target} failed: {result.error}")
        return target

    def close(self) -> None:
        """Stop the background saver (pending saves are finished first)."""
        if self._saver is not None:
            self._saver.close()
            self._saver = None

    def __enter__(self) -> Song:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
