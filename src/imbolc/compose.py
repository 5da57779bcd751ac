"""Wiring for the interactive app: the engine a machine can run, storage for the TUI, autosave.

A composition module like ``cli.py``: the only place, with it, that meets persist, engine and
tui together.
"""

from __future__ import annotations

import shutil
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

Report = Callable[[str], None]


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


class PersistIO:
    """What the TUI needs from storage, over ``imbolc.persist``; saves never block the UI."""

    def __init__(self, recovery_dir: Path, engine: str, report: Report) -> None:
        self.recovery_dir = recovery_dir
        self.engine = engine
        self.report = report
        self._saver: ProjectSaver | None = None

    def _saved(self, result: SaveResult) -> None:
        if result.ok:
            discard_recovery(result.path, self.recovery_dir)
        else:
            self.report(f"saving {result.path} failed: {result.error}")

    def save(self, project: Project, path: Path) -> None:
        if self._saver is None or self._saver.path != Path(path):
            self.close()
            self._saver = ProjectSaver(Path(path), on_result=self._saved)
        self._saver.save(project)

    def load(self, path: Path) -> Project:
        return load_project(path)

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

    def render(self, project: Project, target: Path) -> None:
        if engine_name(self.engine) == "scsynth":
            from imbolc.engine.render import render

            render(project, target, RenderOptions())
        else:
            from imbolc.engine.embedded import render_embedded

            render_embedded(project, target, RenderOptions())

    def close(self, timeout: float = 30.0) -> None:
        """Finish pending saves and stop the writer."""
        if self._saver is not None:
            self._saver.flush(timeout)
            self._saver.close()
            self._saver = None


def run_app(
    project: Project,
    path: Path | None,
    config: Config,
    engine: str,
    state_dir: Path,
    config_dir: Path,
) -> int:
    """Open the terminal interface on ``project`` with an engine and autosave; returns 0."""
    from imbolc.tui import ImbolcApp

    store = Store(project)
    messages: list[str] = []
    app: ImbolcApp | None = None

    def report(message: str) -> None:
        if app is not None and app.is_running:
            app.call_from_thread(app.notify, message, severity="warning")
        else:
            messages.append(message)

    port = start_engine(project, store, engine, report)
    io = PersistIO(state_dir, engine, report)
    autosaver = None
    if path is not None and config.runtime.autosave:
        autosaver = Autosaver(
            path, config.runtime.autosave_interval_minutes, state_dir,
            get_state=lambda: store.state, revision=lambda: store.revision,
        )  # fmt: skip
        autosaver.start()
    keymap = config_dir / "keybindings.toml"
    app = ImbolcApp(store, port, io, path, keymap if keymap.is_file() else None)
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
