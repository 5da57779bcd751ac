"""Wiring for the interactive app: the engine a machine can run, storage for the TUI, autosave.

A composition module like ``cli.py``: the only place, with it, that meets persist, engine and
tui together.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from imbolc.core.config import Config
from imbolc.core.errors import ImbolcError
from imbolc.core.ports import EnginePort, NullEngine, RenderOptions
from imbolc.core.project import Project
from imbolc.core.store import Store
from imbolc.persist import (
    Autosaver,
    CheckpointInfo,
    ProjectSaver,
    SaveResult,
    create_checkpoint,
    delete_checkpoint,
    discard_recovery,
    find_recovery,
    list_checkpoints,
    load_project,
    restore_checkpoint,
)
from imbolc.persist.errors import ProjectFileError
from imbolc.persist.lock import LockUnavailable, ProjectLock

Report = Callable[[str], None]

RECENT_LIMIT = 10
"""How many recent project files the recent list keeps."""


def read_recent(recent_file: Path) -> list[Path]:
    """The paths listed in ``recent_file``; a missing, unreadable or malformed file lists none."""
    try:
        entries = json.loads(recent_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        return []
    return [Path(entry) for entry in entries]


def write_recent(recent_file: Path, paths: Sequence[Path]) -> None:
    """Replace ``recent_file`` with ``paths`` atomically (a reader sees the old or new list)."""
    recent_file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=recent_file.parent, prefix=".recent-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump([str(path) for path in paths], out, indent=1)
        os.replace(temporary, recent_file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def engine_name(asked: str) -> str:
    """``auto`` picks scsynth when it (and jackd) are installed, otherwise the embedded engine."""
    if asked != "auto":
        return asked
    return "scsynth" if shutil.which("scsynth") and shutil.which("jackd") else "embedded"


def start_engine(project: Project, store: Store, asked: str, report: Report) -> EnginePort:
    """Start the engine the config or flag asks for; fall back rather than fail to open."""
    name = engine_name(asked)
    if name == "scsynth":
        from imbolc.engine.realtime import RealtimeEngine

        scsynth = RealtimeEngine(project, report=report)
        try:
            scsynth.start()
        except ImbolcError as error:
            report(f"scsynth could not start ({error}); using the embedded engine")
            scsynth.shutdown()
        else:
            scsynth.attach(store)
            return scsynth
    try:
        from imbolc.engine.embedded import EmbeddedRealtime

        embedded = EmbeddedRealtime(project, report=report)
        embedded.start()
        embedded.attach(store)
        return embedded
    except (ImbolcError, OSError) as error:
        report(f"no audio engine: {error}")
        return NullEngine(f"no audio engine: {error}")


def _lock_if_possible(path: Path) -> ProjectLock | None:
    """The editing lock of ``path``; None where no lock file can be made (nor any save)."""
    try:
        return ProjectLock.acquire(path)
    except LockUnavailable:
        return None


class PersistIO:
    """What the TUI needs from storage, over ``imbolc.persist``; saves never block the UI."""

    def __init__(
        self, recovery_dir: Path, engine: str, report: Report, recent_file: Path | None = None
    ) -> None:
        self.recovery_dir = recovery_dir
        self.engine = engine
        self.report = report
        self.recent_file = recent_file
        """Where the recent project list is kept (None: no list)."""
        self.on_switch: Callable[[Path], None] = lambda path: None
        """Told the absolute path of every project file saved to or opened."""
        self._saver: ProjectSaver | None = None
        self._recent_lock = threading.Lock()
        self._lock: ProjectLock | None = None
        self.read_only: Path | None = None
        """A project opened read-only (another process edits it): never saved to."""

    def _saved(self, result: SaveResult) -> None:
        if result.ok:
            discard_recovery(result.path, self.recovery_dir)
        else:
            self.report(f"saving {result.path} failed: {result.error}")

    def hold(self, path: Path) -> None:
        """Lock ``path`` for editing by this process (ProjectLocked if another edits it)."""
        target = Path(path).expanduser().absolute()
        if self._lock is not None and self._lock.project == target:
            return
        taken = _lock_if_possible(target)
        self._finish_saves()
        if self._lock is not None:
            self._lock.release()
        self._lock = taken
        self.read_only = None

    def save(self, project: Project, path: Path) -> None:
        target = Path(path).expanduser().absolute()
        if self.read_only is not None and self.read_only == target:
            raise ProjectFileError(path, "opened read-only: save it under another name")
        self.hold(target)
        if self._saver is None or self._saver.path != Path(path):
            self._finish_saves()
            self._saver = ProjectSaver(Path(path), on_result=self._saved)
        self._saver.save(project)
        self._remember(Path(path))

    def load(self, path: Path) -> Project:
        return load_project(path)

    def open(self, path: Path) -> Project:
        target = Path(path).expanduser().absolute()
        if self._lock is not None and self._lock.project == target:
            project = load_project(path)
        else:
            taken = _lock_if_possible(target)
            try:
                project = load_project(path)
            except BaseException:
                if taken is not None:
                    taken.release()
                raise
            self._finish_saves()
            if self._lock is not None:
                self._lock.release()
            self._lock = taken
            self.read_only = None
        self._remember(Path(path))
        return project

    def open_read_only(self, path: Path) -> Project:
        project = load_project(path)
        self._finish_saves()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self.read_only = Path(path).expanduser().absolute()
        return project

    def recent_projects(self) -> list[Path]:
        if self.recent_file is None:
            return []
        listed = read_recent(self.recent_file)
        return [path for path in listed if path.is_file()][:RECENT_LIMIT]

    def _remember(self, path: Path) -> None:
        """Put ``path`` first in the recent list; failing to do so never fails the save/open."""
        path = path.expanduser().absolute()
        self.on_switch(path)
        if self.recent_file is None:
            return
        with self._recent_lock:
            others = [known for known in self.recent_projects() if known != path]
            try:
                write_recent(self.recent_file, [path, *others][:RECENT_LIMIT])
            except OSError as error:
                self.report(f"{self.recent_file}: the recent project list was not updated: {error}")

    def find_recovery(self, path: Path | None) -> Path | None:
        return None if path is None else find_recovery(path, self.recovery_dir)

    def list_checkpoints(self, path: Path) -> Sequence[CheckpointInfo]:
        return list_checkpoints(path)

    def create_checkpoint(self, path: Path, name: str, project: Project) -> None:
        create_checkpoint(path, name, project)

    def restore_checkpoint(self, path: Path, checkpoint_id: int) -> Project:
        return restore_checkpoint(path, checkpoint_id)

    def delete_checkpoint(self, path: Path, checkpoint_id: int) -> None:
        delete_checkpoint(path, checkpoint_id)

    def render(
        self, project: Project, target: Path, progress: Callable[[float], None] | None = None
    ) -> None:
        if engine_name(self.engine) == "scsynth":
            from imbolc.engine.render import render

            render(project, target, RenderOptions(), progress=progress)
        else:
            from imbolc.engine.embedded import render_embedded

            render_embedded(project, target, RenderOptions(), progress=progress)

    def _finish_saves(self, timeout: float = 30.0) -> SaveResult | None:
        result = None
        if self._saver is not None:
            result = self._saver.flush(timeout)
            self._saver.close()
            self._saver = None
        return result

    def close(self, timeout: float = 30.0) -> SaveResult | None:
        """Finish pending saves, stop the writer and give up the lock; the last save's
        result (None: none)."""
        try:
            return self._finish_saves(timeout)
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None


def run_app(
    project: Project,
    path: Path | None,
    config: Config,
    engine: str,
    state_dir: Path,
    config_dir: Path,
    read_only: bool = False,
) -> int:
    """Open the terminal interface on ``project`` with an engine and autosave; returns 0.

    ``path`` is locked for this process, unless ``read_only`` (then it is never saved to).
    """
    from imbolc.tui import ImbolcApp

    store = Store(project)
    messages: list[str] = []
    app: ImbolcApp | None = None

    def report(message: str) -> None:
        if app is not None and app.is_running:
            app.call_from_thread(app.notify, message, severity="warning")
        else:
            messages.append(message)

    io = PersistIO(state_dir, engine, report, state_dir / "recent.json")
    if path is not None and read_only:
        io.read_only = path.expanduser().absolute()
    elif path is not None:
        io.hold(path)  # ProjectLocked: another imbolc edits it (the message offers read-only)
    port = start_engine(project, store, engine, report)
    autosaver: Autosaver | None = None

    def autosave(project_path: Path) -> None:
        """Autosave recovery follows the file being worked on (after open or save as)."""
        nonlocal autosaver
        if not config.runtime.autosave:
            return
        if autosaver is not None:
            if autosaver.project_path == project_path:
                return
            autosaver.stop()
        autosaver = Autosaver(
            project_path, config.runtime.autosave_interval_minutes, state_dir,
            get_state=lambda: store.state, revision=lambda: store.revision,
        )  # fmt: skip
        autosaver.start()

    if path is not None:
        autosave(path.expanduser().absolute())
    keymap = config_dir / "keybindings.toml"
    app = ImbolcApp(store, port, io, path, keymap if keymap.is_file() else None)
    running = app

    def switched(project_path: Path) -> None:
        # After the handler that opened or saved, so a freshly loaded project is not autosaved.
        running.call_later(autosave, project_path)

    io.on_switch = switched
    try:
        for message in messages:
            app.call_later(app.notify, message, severity="warning")
        app.run()
    finally:
        if autosaver is not None:
            autosaver.stop()
        io.close()
        port.shutdown()
    return 0
