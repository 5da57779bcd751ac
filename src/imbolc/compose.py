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
from typing import Any

from imbolc.core.config import Config
from imbolc.core.errors import ImbolcError
from imbolc.core.ports import EnginePort, EngineStatus, Meters, NullEngine, RenderOptions, Transport
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
    # Each engine follows the store before it starts, so it builds the newest project even
    # when edits land while it boots (the deferred start in ``run_app``).
    if name in ("scsynth", "supernova"):
        from imbolc.engine.realtime import RealtimeEngine
        from imbolc.engine.server import ServerOptions

        scsynth = RealtimeEngine(project, ServerOptions(program=name), report=report)
        unsubscribe = scsynth.attach(store)
        try:
            scsynth.start()
        except ImbolcError as error:
            unsubscribe()
            report(f"{name} could not start ({error}); using the embedded engine")
            scsynth.shutdown()
        else:
            return scsynth
    try:
        from imbolc.engine.embedded import EmbeddedRealtime

        embedded = EmbeddedRealtime(project, report=report)
        unsubscribe = embedded.attach(store)
        try:
            embedded.start()
        except BaseException:
            unsubscribe()
            raise
        return embedded
    except (ImbolcError, OSError) as error:
        report(f"no audio engine: {error}")
        return NullEngine(f"no audio engine: {error}")


class DeferredEngine:
    """The engine port the interface gets at once: the real engine starts on a thread once
    ``begin`` is called (after the first frame), so launching never waits for imports, a
    server boot or SynthDef compiles. Until then nothing sounds and the status says so;
    the transport position and play state asked for meanwhile carry over."""

    def __init__(self, start: Callable[[], EnginePort]) -> None:
        self._start = start
        self._target: EnginePort = NullEngine("starting the audio engine")
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._started = threading.Event()

    def begin(self) -> None:
        """Start the real engine in the background (once)."""
        with self._lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._run, name="engine-start", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the real engine is up (or gave up)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        port = self._start()
        with self._lock:
            if self._closed:
                port.shutdown()
                return
            waiting, self._target = self._target, port
            self._started.set()
        asked = waiting.transport()
        if asked.tick > 0.0:
            port.seek(asked.tick)
        if asked.playing:
            port.play()

    def status(self) -> EngineStatus:
        if not self._started.is_set():
            return EngineStatus(state="starting", message="starting the audio engine")
        return self._target.status()

    def transport(self) -> Transport:
        return self._target.transport()

    def meters(self) -> Meters:
        return self._target.meters()

    def play(self) -> None:
        self._target.play()

    def stop(self) -> None:
        self._target.stop()

    def seek(self, tick: float) -> None:
        self._target.seek(tick)

    def note_on(self, instrument_id: int, pitch: int, velocity: int) -> None:
        self._target.note_on(instrument_id, pitch, velocity)

    def note_off(self, instrument_id: int, pitch: int) -> None:
        self._target.note_off(instrument_id, pitch)

    def restart(self) -> None:
        self._target.restart()

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            thread.join()
        self._target.shutdown()

    def __getattr__(self, name: str) -> Any:
        # Engine-specific extras (meter watching, ...) of whichever engine is current.
        return getattr(self._target, name)


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
        self,
        project: Project,
        target: Path,
        progress: Callable[[float], None] | None = None,
        options: RenderOptions | None = None,
    ) -> str | None:
        if engine_name(self.engine) == "scsynth":
            from imbolc.engine.render import render

            result = render(project, target, options or RenderOptions(), progress=progress)
        else:
            from imbolc.engine.embedded import render_embedded

            result = render_embedded(project, target, options or RenderOptions(), progress=progress)
        if result.loudness is None:
            return None
        return "; ".join([result.loudness.summary(), *result.problems])

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
    port = DeferredEngine(lambda: start_engine(store.state, store, engine, report))
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
    from imbolc.live_wiring import start_live

    live = start_live(port, store, config.midi, report)
    app = ImbolcApp(store, port, io, path, keymap if keymap.is_file() else None, None, live,
                    scale_lock=config.runtime.scale_lock)  # fmt: skip
    running = app

    def switched(project_path: Path) -> None:
        # After the handler that opened or saved, so a freshly loaded project is not autosaved.
        running.call_later(autosave, project_path)

    io.on_switch = switched
    try:
        for message in messages:
            app.call_later(app.notify, message, severity="warning")
        app.call_later(app.call_after_refresh, port.begin)  # the engine after the first frame
        app.run()
    finally:
        if autosaver is not None:
            autosaver.stop()
        live.shutdown()
        io.close()
        port.shutdown()
    return 0
