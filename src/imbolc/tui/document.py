"""The project file behind the store: its path, whether it is saved, checkpoints, rendering.

``Document`` holds the facts and calls the injected ``ProjectIO``; ``save_flow`` and
``open_flow`` add the conversation (ask for a path or about unsaved changes, report the
outcome) that the app and the project pane share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual.app import App

from imbolc.core.errors import FileInUse, ImbolcError
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.tui.errors import IO_ERRORS
from imbolc.tui.project_io import CheckpointEntry, ProjectIO
from imbolc.tui.screens.prompts import Choice, ChoiceScreen, PromptScreen


class Document:
    """Where the project lives on disk and whether the store holds unsaved changes."""

    def __init__(self, store: Store, io: ProjectIO, path: Path | None) -> None:
        self.store = store
        self.io = io
        self.path = path
        self.saved: Project = store.state
        """The project as last saved or loaded (a kept reference)."""
        self.recovered = False
        """The state came from an autosave and has not been saved since."""
        self.checkpoint_revision = 0
        """Counts checkpoint list changes, so views know to re-read it."""
        self.file_revision = 0
        """Counts saves and opens (which change the recent list), so views know to re-read."""
        self.on_change: Callable[[], None] = lambda: None

    @property
    def name(self) -> str:
        """The file name, or "untitled" before the first save."""
        return self.path.name if self.path is not None else "untitled"

    @property
    def dirty(self) -> bool:
        """Whether the project differs from what was last saved (cheap identity check)."""
        return self.store.state is not self.saved

    def really_dirty(self) -> bool:
        """Whether the project's content differs from the saved one (a full comparison)."""
        return self.dirty and self.store.state != self.saved

    def save(self, path: Path | None = None) -> Path:
        """Write the current project to ``path`` (default: its own path); returns the path."""
        target = path or self.path
        if target is None:
            raise ImbolcError("this project has no file yet: choose a path (save as)")
        project = self.store.state
        self.io.save(project, target)
        self.path = target
        self.saved = project
        self.recovered = False
        self.file_revision += 1
        self.on_change()
        return target

    def open(self, path: Path, *, read_only: bool = False) -> None:
        """Replace the project with the one at ``path`` (undo history starts afresh)."""
        self.store.load(self.io.open_read_only(path) if read_only else self.io.open(path))
        self.path = path
        self.saved = self.store.state
        self.recovered = False
        self.file_revision += 1
        self.on_change()

    def recent_projects(self) -> list[Path]:
        """Project files opened or saved lately, most recent first."""
        return self.io.recent_projects()

    def recover(self, autosave: Path) -> None:
        """Load the autosave into the store; the project counts as unsaved."""
        self.store.load(self.io.load(autosave))
        self.recovered = True
        self.on_change()

    def checkpoints(self) -> Sequence[CheckpointEntry]:
        """The checkpoints of the project file (none before the first save)."""
        if self.path is None:
            return ()
        return self.io.list_checkpoints(self.path)

    def _file(self) -> Path:
        if self.path is None:
            raise ImbolcError("checkpoints live in the project file: save the project first")
        return self.path

    def create_checkpoint(self, name: str) -> None:
        """Keep the current project as a checkpoint named ``name``."""
        self.io.create_checkpoint(self._file(), name, self.store.state)
        self.checkpoint_revision += 1
        self.on_change()

    def restore_checkpoint(self, checkpoint_id: int) -> None:
        """Replace the project with a checkpoint (undo history starts afresh)."""
        self.store.load(self.io.restore_checkpoint(self._file(), checkpoint_id))
        self.on_change()

    def delete_checkpoint(self, checkpoint_id: int) -> None:
        """Remove a checkpoint from the project file."""
        self.io.delete_checkpoint(self._file(), checkpoint_id)
        self.checkpoint_revision += 1
        self.on_change()

    def default_render_path(self) -> Path:
        """Where a render goes unless the user says otherwise."""
        return self.path.with_suffix(".wav") if self.path is not None else Path("untitled.wav")


def save_flow(
    app: App[Any],
    document: Document,
    *,
    ask_path: bool = False,
    then: Callable[[], None] | None = None,
) -> None:
    """Save, asking for a path first when there is none (or when asked); ``then`` on success."""
    if ask_path or document.path is None:
        suggestion = str(document.path or Path.cwd() / "untitled.imbolc")

        def answered(answer: str | None) -> None:
            if answer:
                _write(app, document, Path(answer).expanduser(), then)

        app.push_screen(PromptScreen("Save project as", suggestion), answered)
        return
    _write(app, document, None, then)


def _write(
    app: App[Any], document: Document, path: Path | None, then: Callable[[], None] | None
) -> None:
    try:
        target = document.save(path)
    except IO_ERRORS as error:
        app.notify(f"Not saved: {error}", severity="error", timeout=8)
        return
    app.notify(f"Saved {target}", timeout=3)
    if then is not None:
        then()


def open_flow(app: App[Any], document: Document, path: Path) -> None:
    """Open ``path`` in place of the current project, first offering to save unsaved changes."""
    if not document.really_dirty():
        _open(app, document, path)
        return
    question = f"Save the changes to {document.name} before opening {path.name}?"
    choices = [Choice("s", "Save", "save"), Choice("d", "Don't save", "discard")]

    def answered(answer: str | None) -> None:
        if answer == "save":
            save_flow(app, document, then=lambda: _open(app, document, path))
        elif answer == "discard":
            _open(app, document, path)

    app.push_screen(ChoiceScreen(question, choices), answered)


def _open(app: App[Any], document: Document, path: Path, read_only: bool = False) -> None:
    try:
        document.open(path, read_only=read_only)
    except FileInUse as error:
        app.notify(f"Not opened: {error}", severity="error", timeout=8)
        choices = [Choice("r", "Open read-only", "read-only"), Choice("c", "Cancel", "cancel")]

        def answered(answer: str | None) -> None:
            if answer == "read-only":
                _open(app, document, path, read_only=True)

        app.push_screen(ChoiceScreen(f"{path.name} is open in another imbolc.", choices), answered)
        return
    except IO_ERRORS as error:
        app.notify(f"Not opened: {error}", severity="error", timeout=8)
        return
    shown = "Opened read-only (save it under another name)" if read_only else "Opened"
    app.notify(f"{shown} {path}", timeout=3)
