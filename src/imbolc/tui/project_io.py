"""What the TUI needs from project storage; ``cli.py`` passes in the real thing.

The TUI never imports ``imbolc.persist``: it receives an object with these methods. Every
method may raise ``ImbolcError`` or ``OSError``; the TUI shows the message and loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from imbolc.core.ports import RenderOptions
from imbolc.core.project import Project


class CheckpointEntry(Protocol):
    """A checkpoint as listed: its id in the file, its name and when it was made."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def created_at(self) -> object: ...


class ProjectIO(Protocol):
    """Saving, opening, recent projects, autosave recovery, checkpoints and rendering."""

    def save(self, project: Project, path: Path) -> None:
        """Write ``project`` to ``path`` (dropping its stale autosave); remember it as recent."""
        ...

    def open(self, path: Path) -> Project:
        """Read the project at ``path`` to work on, and remember it as the most recent one."""
        ...

    def open_read_only(self, path: Path) -> Project:
        """Read a project another process is editing; saving to ``path`` is refused after."""
        ...

    def recent_projects(self) -> list[Path]:
        """Recently opened or saved project files that still exist, most recent first."""
        ...

    def load(self, path: Path) -> Project:
        """Read a project or an autosave file."""
        ...

    def find_recovery(self, path: Path | None) -> Path | None:
        """An autosave newer than the project at ``path`` (None: nothing to recover)."""
        ...

    def list_checkpoints(self, path: Path) -> Sequence[CheckpointEntry]:
        """The checkpoints kept in the project file, oldest first."""
        ...

    def create_checkpoint(self, path: Path, name: str, project: Project) -> None:
        """Keep ``project`` as a named checkpoint inside the project file."""
        ...

    def restore_checkpoint(self, path: Path, checkpoint_id: int) -> Project:
        """The project as it was when the checkpoint was made."""
        ...

    def delete_checkpoint(self, path: Path, checkpoint_id: int) -> None:
        """Remove a checkpoint."""
        ...

    def render(
        self,
        project: Project,
        target: Path,
        progress: Callable[[float], None] | None = None,
        options: RenderOptions | None = None,
    ) -> str | None:
        """Render the song to a WAV, FLAC or OGG file (runs in a worker thread; may take a
        while), calling ``progress`` with the fraction done; returns a line about the result
        (its loudness) or None."""
        ...
